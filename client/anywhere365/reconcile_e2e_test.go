package anywhere365_test

// The reconciler against the simulator over loopback (issues 11 and 15):
// periodic re-reads see ended calls that sent no event, stale rows while
// the hub is down, the REST re-read budget, final answers, Remove.

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// simControl calls the simulator's /sim/ control API over HTTP.
func simControl(t *testing.T, base, method, path string, body any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
}

// endQuietly stops and saves a call's recording over REST, waits for the
// tracker to confirm it, then ends the call through the control API: the
// simulator sends no event for that end (nothing changes state), as a real
// call hung up after "stop and save" does not.
func endQuietly(t *testing.T, e *monEnv, key a365.SessionKey) time.Time {
	t.Helper()
	for _, a := range []a365.Action{a365.ActionStop, a365.ActionSave} {
		if _, err := e.client.Set(context.Background(), a365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID,
			RequesterSIP: sim.DemoAgent, Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("stopped and saved", 30*time.Second, func() bool {
		s, _, _ := e.tracker.Session(key)
		return s.Confirmed && s.Recording == a365.RecordingStopped && s.Saving == a365.SavingSave
	})
	events := e.run.Server.EventsPublished()
	simControl(t, e.run.URL, http.MethodDelete, "/sim/calls/"+key.CorrelationID, nil)
	ended := time.Now()
	if got := e.run.Server.EventsPublished(); got != events {
		t.Fatalf("ending the call published %d events; the test needs a silent end", got-events)
	}
	return ended
}

// An ended call with no final hub event leaves the live list (Gone) within
// the periodic interval: here a test-sized 1 s (the default is 25 s, see
// TestPacePlanDefaults and TestReconcilerNoticesEndedCallDefault).
func TestReconcilerNoticesEndedCall(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 21}, func(c *a365.TrackerConfig) {
		c.PeriodicInterval = time.Second
	})
	var keys []a365.SessionKey
	for range 5 {
		st, err := e.run.Server.CreateCall("ucc-demo-name", "", true)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: st.CorrelationId})
	}
	e.waitFor("5 confirmed", 30*time.Second, func() bool { return e.tracker.Len() == 5 && e.converged() })
	ended := endQuietly(t, e, keys[2])
	e.waitFor("the ended call Gone", 10*time.Second, func() bool {
		s, _, _ := e.tracker.Session(keys[2])
		return s.Gone
	})
	took := time.Since(ended)
	t.Logf("ended call noticed after %v (periodic interval 1 s)", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Fatalf("noticed after %v, want within the 1 s interval plus a GET", took)
	}
	for i, k := range keys {
		if s, _, _ := e.tracker.Session(k); i != 2 && s.Gone {
			t.Fatalf("live call %d marked Gone", i)
		}
	}
}

// The same with the defaults (25 s interval, 50 GETs/s budget): the figure
// the README quotes. Slow (up to ~25 s), so skipped with -short.
func TestReconcilerNoticesEndedCallDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("waits up to the default 25 s interval")
	}
	e := startMonitor(t, sim.Options{Seed: 22})
	var keys []a365.SessionKey
	for range 20 {
		st, err := e.run.Server.CreateCall("payments", "", true)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, a365.SessionKey{UCC: "payments", CorrelationID: st.CorrelationId})
	}
	e.waitFor("20 confirmed", 30*time.Second, func() bool { return e.tracker.Len() == 20 && e.converged() })
	gets := e.gets.total.Load()
	start := time.Now()
	ended := endQuietly(t, e, keys[7])
	e.waitFor("the ended call Gone", 30*time.Second, func() bool {
		s, _, _ := e.tracker.Session(keys[7])
		return s.Gone
	})
	took := time.Since(ended)
	rate := float64(e.gets.total.Load()-gets) / time.Since(start).Seconds()
	t.Logf("default config: ended call noticed after %v; %.2f GETs/s for 20 sessions (%.0f per 1,000 at this interval)",
		took.Round(time.Millisecond), rate, rate*50)
}

// While the hub is down every row is marked stale at once and the known
// sessions are polled over REST, so a change made over REST meanwhile
// (a pause, an ended call) shows within 10 s; when the hub is back the
// rows lose the stale mark and equal the truth within 2 s of the fault
// ending (plus the listener's reconnect).
func TestReconcilerHubDownStaleAndPolled(t *testing.T) {
	e := startMonitor(t, sim.Options{Seed: 23}, func(c *a365.TrackerConfig) {
		c.DownInterval = 2 * time.Second
	})
	var keys []a365.SessionKey
	for range 8 {
		st, err := e.run.Server.CreateCall("ucc-demo-name", "", true)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: st.CorrelationId})
	}
	e.waitFor("8 confirmed", 30*time.Second, func() bool { return e.tracker.Len() == 8 && e.converged() })

	simControl(t, e.run.URL, http.MethodPost, "/sim/faults", sim.Faults{HubDown: true, DropHub: true})
	down := time.Now()
	e.waitFor("every row stale", 10*time.Second, func() bool {
		for _, s := range e.tracker.Snapshot(nil) {
			if !s.Stale {
				return false
			}
		}
		return true
	})
	t.Logf("rows marked stale %v after the hub went down", time.Since(down).Round(time.Millisecond))

	// Change the truth over REST while no event can arrive.
	for _, k := range keys[:3] {
		if _, err := e.client.Set(context.Background(), a365.SetParams{UCC: k.UCC, CorrelationID: k.CorrelationID,
			RequesterSIP: sim.DemoAgent, Action: a365.ActionPause}); err != nil {
			t.Fatal(err)
		}
	}
	simControl(t, e.run.URL, http.MethodDelete, "/sim/calls/"+keys[5].CorrelationID, nil)
	changed := time.Now()
	e.waitFor("the truth while the hub is down", 10*time.Second, e.converged)
	t.Logf("REST changes shown %v after they were made, hub down", time.Since(changed).Round(time.Millisecond))
	for _, s := range e.tracker.Snapshot(nil) {
		if !s.Stale && !s.Gone {
			t.Fatalf("row %s lost its stale mark while the hub is down", s.Key.CorrelationID)
		}
	}
	if p := e.tracker.ConnState().Phase; p == a365.ConnConnected {
		t.Fatal("the hub should still be down")
	}

	simControl(t, e.run.URL, http.MethodDelete, "/sim/faults", nil)
	e.waitSubscribed()
	back := time.Now()
	e.waitFor("fresh rows after the hub is back", 2*time.Second, func() bool {
		if !e.converged() {
			return false
		}
		for _, s := range e.tracker.Snapshot(nil) {
			if s.Stale {
				return false
			}
		}
		return true
	})
	t.Logf("rows fresh %v after the hub reconnected", time.Since(back).Round(time.Millisecond))
}

// serverGets counts the state GETs a server answers, by time, so a test
// can count them over any window.
type serverGets struct {
	mu sync.Mutex
	at []time.Time
}

func (g *serverGets) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/api/recording/") && !strings.Contains(r.URL.Path, "/capabilities/") {
			g.mu.Lock()
			g.at = append(g.at, time.Now())
			g.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// maxIn is the most GETs answered in any window of length d.
func (g *serverGets) maxIn(d time.Duration) (most, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	j := 0
	for i := range g.at {
		for g.at[i].Sub(g.at[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most, len(g.at)
}

func (g *serverGets) since(t time.Time) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, at := range g.at {
		if !at.Before(t) {
			n++
		}
	}
	return n
}

// startBudgetServer serves a simulator through a GET counter.
// It checks for leaked goroutines once the test and its clean-ups are done.
func startBudgetServer(t *testing.T, seed int64) (*sim.Server, string, *serverGets) {
	t.Helper()
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := sim.New(sim.Options{Seed: seed})
	g := &serverGets{}
	srv := &http.Server{Handler: g.wrap(s.Handler())}
	ln := listenLoopback(t)
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, "http://" + ln.Addr().String(), g
}

// The budget bounds GETs per second whatever the number of sessions: 1,000
// sessions watched at once (1,000 GETs wanted now) are read at the budget's
// pace, counted at the server over every 1 s window; once they are all
// confirmed, the periodic re-reads run at their share.
func TestReconcilerBudgetBoundsGets(t *testing.T) {
	const (
		n      = 1000
		budget = 200.0
	)
	s, base, gets := startBudgetServer(t, 24)
	c, err := a365.New(a365.Config{BaseURL: base, HTTPClient: testHTTPClient(t)})
	if err != nil {
		t.Fatal(err)
	}
	tr := a365.NewTracker(a365.TrackerConfig{Getter: c, ReadBudget: budget, PeriodicInterval: 5 * time.Second})
	var keys []a365.SessionKey
	for range n {
		st, err := s.CreateCall("ucc-demo-name", "", true)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, a365.SessionKey{UCC: "ucc-demo-name", CorrelationID: st.CorrelationId})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	start := time.Now()
	for _, k := range keys {
		tr.Watch(k)
	}
	wg.Go(func() { tr.Run(ctx) })

	// Rows waiting for their GET are visibly unconfirmed.
	time.Sleep(time.Second)
	unconfirmed := 0
	for _, s := range tr.Snapshot(nil) {
		if !s.Confirmed {
			unconfirmed++
		}
	}
	if unconfirmed < n/2 {
		t.Fatalf("%d of %d unconfirmed after 1 s at %v GETs/s", unconfirmed, n, budget)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		done := 0
		for _, s := range tr.Snapshot(nil) {
			if s.Confirmed {
				done++
			}
		}
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d confirmed after 30 s", done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)
	// Steady state: only periodic re-reads, at most half the budget.
	steadyFrom := time.Now()
	time.Sleep(3 * time.Second)
	steady := float64(gets.since(steadyFrom)) / time.Since(steadyFrom).Seconds()
	most, total := gets.maxIn(time.Second)
	burst := int(budget / 10)
	t.Logf("%d sessions: first reads took %v; most GETs in any 1 s window %d (budget %v/s); periodic %.1f GETs/s (%.1f per 1,000 sessions); %d GETs in all",
		n, took.Round(time.Millisecond), most, budget, steady, steady*1000/n, total)
	// A token bucket lets through at most its burst plus the window's
	// refill; the server may see up to Concurrency (8) of them a little
	// late, bunched into the window by the network.
	slack := burst + a365.DefaultTrackerConcurrency + 1
	if most > int(budget)+slack {
		t.Fatalf("%d GETs in one second, budget %v (+ %d)", most, budget, slack)
	}
	if most3, _ := gets.maxIn(3 * time.Second); most3 > 3*int(budget)+slack {
		t.Fatalf("%d GETs in three seconds, budget %v (+ %d)", most3, budget, slack)
	}
	if took < time.Duration(float64(n-burst)/budget*float64(time.Second))*9/10 {
		t.Fatalf("%d first reads in %v: faster than the budget allows", n, took)
	}
	if steady > budget/2*1.2 {
		t.Fatalf("periodic re-reads at %.1f/s, over half the budget", steady)
	}
	if steady < budget/2*0.5 {
		t.Fatalf("periodic re-reads at %.1f/s: with %d sessions and a 5 s interval they should use their share (%v/s)", steady, n, budget/2)
	}
}

// A Validation answer for a watched session (an unknown UCC) is final: it
// is asked once, not retried (the bug: ~83 GETs a minute for ever), and
// the row says why; Resync leaves it alone; Remove forgets it. Remove also
// stops the retries of a session failing transiently.
func TestReconcilerFinalAnswerAndRemove(t *testing.T) {
	s, base, gets := startBudgetServer(t, 25)
	c, err := a365.New(a365.Config{BaseURL: base, HTTPClient: testHTTPClient(t), RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tr := a365.NewTracker(a365.TrackerConfig{Getter: c, RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond,
		PeriodicInterval: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	wg.Go(func() { tr.Run(ctx) })

	typo := a365.SessionKey{UCC: "ucc-demo-nmae", CorrelationID: "1d6c6a58-6739-4f0c-98ff-0968292c8c30"}
	tr.Watch(typo)
	trWaitE2E(t, "final answer", 10*time.Second, func() bool {
		s, _, _ := tr.Session(typo)
		return s.Final
	})
	sess, _, _ := tr.Session(typo)
	if !strings.Contains(sess.LastError, "was not recognized") || sess.Confirmed || sess.Gone {
		t.Fatalf("final row = %+v", sess)
	}
	tr.Resync()
	time.Sleep(1500 * time.Millisecond) // several retry and periodic intervals
	if _, total := gets.maxIn(time.Second); total != 1 {
		t.Fatalf("%d GETs for a refused session, want 1", total)
	}
	if keys := tr.LiveKeys(nil); len(keys) != 0 {
		t.Fatalf("a refused session is not live: %v", keys)
	}
	if !tr.Remove(typo) || tr.Len() != 0 {
		t.Fatalf("Remove: %d sessions left", tr.Len())
	}
	if tr.Remove(typo) {
		t.Fatal("removed twice")
	}

	// A transiently failing session (HTTP 500s) retries until removed.
	st, err := s.CreateCall("payments", "", true)
	if err != nil {
		t.Fatal(err)
	}
	s.SetFaults(sim.Faults{HTTPErrorRate: 1})
	flaky := a365.SessionKey{UCC: "payments", CorrelationID: strings.ToUpper(st.CorrelationId)}
	tr.Watch(flaky)
	trWaitE2E(t, "retries", 10*time.Second, func() bool { _, total := gets.maxIn(time.Second); return total >= 4 })
	if sess, _, ok := tr.Session(flaky); !ok || sess.Final || sess.LastError == "" || sess.Key.CorrelationID != st.CorrelationId {
		t.Fatalf("flaky row = %+v (found %v)", sess, ok)
	}
	if !tr.Remove(flaky) {
		t.Fatal("Remove of a retrying session failed")
	}
	time.Sleep(300 * time.Millisecond) // a GET in flight may still land
	_, after := gets.maxIn(time.Second)
	time.Sleep(time.Second)
	if _, later := gets.maxIn(time.Second); later != after {
		t.Fatalf("%d GETs after Remove", later-after)
	}
}

func trWaitE2E(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// testHTTPClient has its own transport, closed after the test, so no idle
// connection outlives it.
func testHTTPClient(t *testing.T) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
