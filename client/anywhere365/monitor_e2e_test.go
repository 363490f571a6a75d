package anywhere365_test

// End-to-end tests of the listener + tracker (Monitor) against the
// project's simulator over loopback: real REST, real SignalR.

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// monGets counts the REST state GETs the tracker sends, and the most in
// flight at once for one session.
type monGets struct {
	base http.RoundTripper

	total    atomic.Int64
	mu       sync.Mutex
	inflight map[string]int
	maxIn    int
}

func (m *monGets) RoundTrip(r *http.Request) (*http.Response, error) {
	isGet := r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/attendantservice/api/recording/") &&
		!strings.Contains(r.URL.Path, "/capabilities/")
	if isGet {
		m.total.Add(1)
		m.mu.Lock()
		m.inflight[r.URL.Path]++
		m.maxIn = max(m.maxIn, m.inflight[r.URL.Path])
		m.mu.Unlock()
		defer func() {
			m.mu.Lock()
			m.inflight[r.URL.Path]--
			m.mu.Unlock()
		}()
	}
	return m.base.RoundTrip(r)
}

func (m *monGets) maxInflight() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.maxIn
}

type monEnv struct {
	t       *testing.T
	run     *sim.Running
	gets    *monGets
	client  *a365.Client
	tracker *a365.Tracker
	resyncs atomic.Int64
	cancel  context.CancelFunc
	done    chan error
}

// startMonitor starts a simulator and a Monitor (listener + tracker) on it.
func startMonitor(t *testing.T, opts sim.Options, edit ...func(*a365.TrackerConfig)) *monEnv {
	t.Helper()
	leak := goleak.IgnoreCurrent()
	r, err := sim.Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	gets := &monGets{base: http.DefaultTransport.(*http.Transport).Clone(), inflight: map[string]int{}}
	c, err := a365.New(a365.Config{BaseURL: r.URL, HTTPClient: &http.Client{Transport: gets},
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := &monEnv{t: t, run: r, gets: gets, client: c, done: make(chan error, 1)}
	tc := a365.TrackerConfig{Getter: c, RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}
	for _, f := range edit {
		f(&tc)
	}
	e.tracker = a365.NewTracker(tc)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() {
		e.done <- a365.Monitor(ctx, c, e.tracker, a365.ListenerConfig{
			MinBackoff: 20 * time.Millisecond,
			MaxBackoff: 100 * time.Millisecond,
			OnResync:   func() { e.resyncs.Add(1) },
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-e.done:
			if err != nil {
				t.Errorf("Monitor returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Monitor did not return")
		}
		if s := e.tracker.ConnState(); s.Phase != a365.ConnClosed {
			t.Errorf("conn state after Monitor = %v", s.Phase)
		}
		_ = e.run.Close()
		gets.base.(*http.Transport).CloseIdleConnections()
		goleak.VerifyNone(t, leak)
	})
	e.waitSubscribed()
	return e
}

func (e *monEnv) waitFor(what string, d time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s (conn %+v, %d sessions, %d events)",
				d, what, e.tracker.ConnState(), e.tracker.Len(), e.tracker.EventCount())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitSubscribed waits until the tracker is connected and the simulator's
// hub has registered the connection.
func (e *monEnv) waitSubscribed() {
	e.t.Helper()
	e.waitFor("hub subscription", 30*time.Second, func() bool {
		return e.tracker.ConnState().Phase == a365.ConnConnected && e.run.Server.HubConnections() == 1
	})
}

// converged reports whether every tracked session equals the simulator's
// truth: same states and confirmed, or Gone for an ended call.
func (e *monEnv) converged() bool {
	truth := map[string]sim.CallState{}
	for _, c := range e.run.Server.Calls() {
		truth[c.CorrelationId] = c
	}
	for _, s := range e.tracker.Snapshot(nil) {
		c, ok := truth[s.Key.CorrelationID]
		switch {
		case !s.Confirmed:
			return false
		case !ok || c.Ended:
			if !s.Gone {
				return false
			}
		case s.Gone || s.Recording != c.RecordingState || s.Marking != c.MarkingState || s.Saving != c.SavingState:
			return false
		}
	}
	return true
}

// Events through the real hub reach the tracker, none lost; the tracker
// converges to the REST truth; a burst on one session costs far fewer GETs
// than events, with one GET in flight per session at a time.
func TestMonitorBurstConvergesWithFewGets(t *testing.T) {
	const minRefetch = 250 * time.Millisecond
	e := startMonitor(t, sim.Options{Seed: 1}, func(c *a365.TrackerConfig) { c.MinRefetch = minRefetch })
	const n = 1500
	start := time.Now()
	if got := e.run.Server.Burst(n); got != n {
		t.Fatalf("burst made %d events", got)
	}
	// Generous deadlines: the machine may be shared and -race is slow.
	e.waitFor("all events", 60*time.Second, func() bool { return e.tracker.EventCount() == n })
	e.waitFor("convergence", 60*time.Second, e.converged)
	elapsed := time.Since(start)
	if e.tracker.Len() != 1 {
		t.Fatalf("%d sessions, want the burst's one call", e.tracker.Len())
	}
	gets := e.gets.total.Load()
	t.Logf("%d events on one session in %v -> %d GETs (%d resyncs)", n, elapsed.Round(time.Millisecond), gets, e.resyncs.Load())
	// At most one GET per MinRefetch (plus the resync's and slack), and in
	// any case far fewer than events.
	if limit := int64(elapsed/minRefetch) + 4; gets > limit || gets >= n/3 {
		t.Fatalf("%d GETs for %d events in %v (limit %d): bursts do not coalesce", gets, n, elapsed, limit)
	}
	if m := e.gets.maxInflight(); m != 1 {
		t.Fatalf("max GETs in flight for one session = %d, want 1", m)
	}
}

func TestMonitorGoneOnEndedCall(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 2})
	st, err := e.run.Server.CreateCall("payments", "", true)
	if err != nil {
		t.Fatal(err)
	}
	key := a365.SessionKey{UCC: "payments", CorrelationID: st.CorrelationId}
	e.waitFor("confirmed Started", 30*time.Second, func() bool {
		s, _, ok := e.tracker.Session(key)
		return ok && s.Confirmed && s.Recording == a365.RecordingStarted
	})
	if err := e.run.Server.EndCall(st.CorrelationId); err != nil {
		t.Fatal(err)
	}
	e.waitFor("Gone", 30*time.Second, func() bool {
		s, _, ok := e.tracker.Session(key)
		return ok && s.Gone && s.Confirmed
	})
	_, hist, _ := e.tracker.Session(key)
	if len(hist) < 3 {
		t.Fatalf("history = %+v", hist)
	}
}

// The simulator is closed and a new one listens on the SAME address with a
// different truth: the listener reports reconnecting with a growing
// attempt count, reconnects, resyncs, and the tracker ends equal to the
// new simulator's truth (including Gone for calls it does not know).
func TestMonitorReconnectResyncsToNewTruth(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 3})
	var ids []string
	for range 3 {
		st, err := e.run.Server.CreateCall("ucc-demo-name", "", true)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.CorrelationId)
	}
	e.waitFor("3 confirmed", 30*time.Second, func() bool { return e.tracker.Len() == 3 && e.converged() })

	addr := e.run.Addr
	_ = e.run.Close()
	e.waitFor("reconnecting, attempt >= 2", 30*time.Second, func() bool {
		s := e.tracker.ConnState()
		return s.Phase == a365.ConnReconnecting && s.Attempt >= 2 && s.LastError != ""
	})

	r2, err := sim.Listen(addr, sim.Options{Seed: 33})
	if err != nil {
		t.Fatal(err)
	}
	e.run = r2 // Cleanup closes the new one
	// While the hub is down no event can reach us: only the resync can
	// teach the tracker the new truth.
	r2.Server.SetFaults(sim.Faults{HubDown: true})
	for _, id := range ids[1:] { // ids[0] does not exist there: Gone
		if _, err := r2.Server.CreateCall("ucc-demo-name", id, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.client.Set(context.Background(), a365.SetParams{UCC: "ucc-demo-name", CorrelationID: ids[1],
		RequesterSIP: sim.DemoAgent, Action: a365.ActionPause}); err != nil {
		t.Fatal(err)
	}
	resyncsBefore := e.resyncs.Load()
	r2.Server.SetFaults(sim.Faults{})
	e.waitSubscribed()
	e.waitFor("new truth", 30*time.Second, e.converged)
	if e.resyncs.Load() <= resyncsBefore {
		t.Fatal("no resync after the reconnect")
	}
	s0, _, _ := e.tracker.Session(a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: ids[0]})
	s1, _, _ := e.tracker.Session(a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: ids[1]})
	if !s0.Gone || s1.Recording != a365.RecordingPaused || !s1.Confirmed {
		t.Fatalf("after resync: %+v / %+v", s0, s1)
	}
}

// The drop-hub fault: the listener reconnects, resyncs, and events flow
// again.
func TestMonitorDropHubFault(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 4})
	if _, err := e.run.Server.CreateCall("ucc-demo-name", "", true); err != nil {
		t.Fatal(err)
	}
	e.waitFor("first call", 30*time.Second, func() bool { return e.tracker.Len() == 1 && e.converged() })
	before := e.resyncs.Load()
	var sawReconnecting atomic.Bool
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			case <-e.tracker.Changed():
				if e.tracker.ConnState().Phase == a365.ConnReconnecting {
					sawReconnecting.Store(true)
				}
			case <-time.After(time.Millisecond):
				if e.tracker.ConnState().Phase == a365.ConnReconnecting {
					sawReconnecting.Store(true)
				}
			}
		}
	}()
	e.run.Server.SetFaults(sim.Faults{DropHub: true})
	e.waitFor("resync after drop", 30*time.Second, func() bool { return e.resyncs.Load() > before })
	close(stop)
	<-watched
	if !sawReconnecting.Load() {
		t.Fatal("the drop was never reported as reconnecting")
	}
	e.waitSubscribed()
	events := e.tracker.EventCount()
	if got := e.run.Server.Burst(100); got != 100 {
		t.Fatalf("burst made %d", got)
	}
	e.waitFor("events after the drop", 30*time.Second, func() bool { return e.tracker.EventCount() == events+100 })
	e.waitFor("convergence", 30*time.Second, e.converged)
}

// A session the user types in (Watch) is fetched without any event, and an
// action recorded by the console shows in its history.
func TestMonitorWatchAndRecordAction(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 5})
	id := "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	// A call made while nobody listened to it... the tracker learns it by hand.
	e.run.Server.SetFaults(sim.Faults{HubDown: true, DropHub: true})
	if _, err := e.run.Server.CreateCall("ucc-demo-name", id, true); err != nil {
		t.Fatal(err)
	}
	key := a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id}
	e.tracker.Watch(key)
	e.waitFor("watched session confirmed", 30*time.Second, func() bool {
		s, _, ok := e.tracker.Session(key)
		return ok && s.Confirmed && s.Recording == a365.RecordingStarted
	})
	resp, err := e.client.Set(context.Background(), a365.SetParams{UCC: key.UCC, CorrelationID: id, RequesterSIP: sim.DemoAgent, Action: a365.ActionPause})
	e.tracker.RecordAction(key, a365.ActionPause, resp, err)
	// Pausing again is refused by the API; the refusal is in the history.
	resp, err = e.client.Set(context.Background(), a365.SetParams{UCC: key.UCC, CorrelationID: id, RequesterSIP: sim.DemoAgent, Action: a365.ActionPause})
	if err == nil {
		t.Fatal("second pause accepted")
	}
	e.tracker.RecordAction(key, a365.ActionPause, resp, err)
	s, hist, _ := e.tracker.Session(key)
	if s.Recording != a365.RecordingPaused {
		t.Fatalf("after pause: %+v", s)
	}
	var ok, failed bool
	for _, h := range hist {
		if h.Kind == a365.HistoryAction && h.Result == "" {
			ok = true
		}
		if h.Kind == a365.HistoryAction && strings.Contains(h.Result, "this state cannot be paused") {
			failed = true
		}
	}
	if !ok || !failed {
		t.Fatalf("history = %+v", hist)
	}
	e.run.Server.SetFaults(sim.Faults{})
	e.waitFor("convergence", 30*time.Second, e.converged)
}

// A call outside API control: the hub reports it, GET answers "No Api
// Audio session ...". It stays listed with that error (not Gone, no retry
// storm); when it ends, it goes Gone.
func TestMonitorNonAPISession(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 6})
	st, err := e.run.Server.CreateCall("ucc-demo-name", "", false)
	if err != nil {
		t.Fatal(err)
	}
	key := a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: st.CorrelationId}
	e.waitFor("the API's refusal shown", 30*time.Second, func() bool {
		s, _, ok := e.tracker.Session(key)
		return ok && strings.Contains(s.LastError, "No Api Audio session with correlation Id:'"+st.CorrelationId+"' was found.")
	})
	gets := e.gets.total.Load()
	time.Sleep(300 * time.Millisecond) // would allow several retries, were there any
	s, _, _ := e.tracker.Session(key)
	if s.Gone || s.Confirmed || s.Recording != a365.RecordingStarted || e.gets.total.Load() != gets {
		t.Fatalf("non-API session %+v after %d -> %d GETs", s, gets, e.gets.total.Load())
	}
	if err := e.run.Server.EndCall(st.CorrelationId); err != nil {
		t.Fatal(err)
	}
	e.waitFor("Gone after the end", 30*time.Second, func() bool {
		s, _, _ := e.tracker.Session(key)
		return s.Gone && s.LastError == ""
	})
}
