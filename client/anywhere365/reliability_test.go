package anywhere365_test

// Issue 4, "Faults survived", below the UI: the REST client, the tracker and
// the hub listener (wired by Monitor, as the TUI and `recdeck watch` wire
// them) run against the simulator over loopback while it misbehaves.
//
// For every fault the tests check that:
//   - every action sent through the client ends within its time bound with
//     a response or a typed error that says why (never a hang, never an
//     untyped error), and the tracker's history records that outcome;
//   - the tracker never makes its readers (the UI) wait on the network;
//   - within 2 s of the fault ending, the tracker's view of every session
//     equals the simulator's truth (states, confirmed, no stale error, and
//     ended calls Gone);
//   - nothing panics and no goroutine outlives the test (goleak).
//
// The 2 s bound holds because these tests configure the tracker's and the
// listener's retry caps below 1 s (relTracker, relListener): with the
// library defaults (30 s caps) a session that failed many times in a row
// may wait up to 30 s after the fault ends before its next GET.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

const (
	// relConverge is the bound: the tracker equals the truth within
	// 2 s of a fault ending.
	relConverge = 2 * time.Second
	// relSetup bounds waits that are not under test (first connection,
	// first convergence) on a busy machine with -race.
	relSetup = 20 * time.Second
)

// relUCCs are the UCCs calls are spread over (both allow agent edits).
var relUCCs = []string{"ucc-demo-name", "payments"}

// relEnv is a simulator with a client, a tracker and a Monitor on it.
type relEnv struct {
	t       *testing.T
	run     *sim.Running // the current simulator; restart replaces it
	tr      *http.Transport
	client  *a365.Client
	timeout time.Duration // the client's per-attempt timeout
	tracker *a365.Tracker
	resyncs atomic.Int64
	cancel  context.CancelFunc
	done    chan error
}

// relTracker and relListener are the retry caps that make the 2 s bound
// reachable (see the file comment).
func relTracker(g a365.StateGetter) a365.TrackerConfig {
	return a365.TrackerConfig{Getter: g, RetryMin: 50 * time.Millisecond, RetryMax: 500 * time.Millisecond}
}

func relListener(onResync func()) a365.ListenerConfig {
	return a365.ListenerConfig{MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, OnResync: onResync}
}

// relStart starts a simulator and a Monitor on it. timeout is the client's
// per-attempt timeout.
func relStart(t *testing.T, seed int64, timeout time.Duration) *relEnv {
	t.Helper()
	leak := goleak.IgnoreCurrent()
	r, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	e := &relEnv{t: t, run: r, tr: http.DefaultTransport.(*http.Transport).Clone(), timeout: timeout, done: make(chan error, 1)}
	e.client = e.newClient(timeout)
	e.tracker = a365.NewTracker(relTracker(e.client))
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.done <- a365.Monitor(ctx, e.client, e.tracker, relListener(func() { e.resyncs.Add(1) })) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-e.done:
			if err != nil {
				t.Errorf("Monitor returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Monitor did not return within 10 s of its context ending")
		}
		_ = e.run.Close()
		e.tr.CloseIdleConnections()
		goleak.VerifyNone(t, leak)
	})
	e.waitFor("the hub subscription", relSetup, e.subscribed)
	return e
}

// newClient makes a v1 client on the environment's transport. Retries keep
// the library's rules with shorter delays, so an action's worst case is
// small and known: relActBound.
func (e *relEnv) newClient(timeout time.Duration) *a365.Client {
	e.t.Helper()
	c, err := a365.New(a365.Config{BaseURL: e.run.URL, HTTPClient: &http.Client{Transport: e.tr}, Timeout: timeout,
		RetryBaseDelay: 100 * time.Millisecond, RetryMaxDelay: 400 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// relActBound is the longest a Set may take with a client of this timeout:
// every attempt timing out, plus the backoffs between them, plus slack for
// a busy machine. A Set is retried only on a Processing answer.
func relActBound(timeout time.Duration) time.Duration {
	return time.Duration(a365.DefaultMaxAttempts)*timeout + 300*time.Millisecond + time.Second
}

func (e *relEnv) subscribed() bool {
	return e.tracker.ConnState().Phase == a365.ConnConnected && e.run.Server.HubConnections() == 1
}

func (e *relEnv) waitFor(what string, d time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s (conn %+v; %s)", d, what, e.tracker.ConnState(), e.divergence())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// divergence says how the tracker's view differs from the simulator's
// truth, or "" when every tracked session equals it: the same states,
// confirmed, no error left over, and Gone exactly for calls that ended (or
// that the simulator does not know, after a restart).
func (e *relEnv) divergence() string {
	truth := map[string]sim.CallState{}
	for _, c := range e.run.Server.Calls() {
		truth[c.CorrelationId] = c
	}
	for _, s := range e.tracker.Snapshot(nil) {
		c, known := truth[s.Key.CorrelationID]
		id := s.Key.CorrelationID[:8]
		switch {
		case !s.Confirmed:
			return fmt.Sprintf("%s unconfirmed (%s, last error %q)", id, s.Recording, s.LastError)
		case s.LastError != "":
			return fmt.Sprintf("%s shows the error %q", id, s.LastError)
		case !known || c.Ended:
			if !s.Gone {
				return fmt.Sprintf("%s ended (known %v) but not Gone", id, known)
			}
		case s.Gone:
			return fmt.Sprintf("%s Gone but active", id)
		case s.Recording != c.RecordingState || s.Marking != c.MarkingState || s.Saving != c.SavingState:
			return fmt.Sprintf("%s tracker %s/%s/%s, truth %s/%s/%s", id, s.Recording, s.Marking, s.Saving,
				c.RecordingState, c.MarkingState, c.SavingState)
		}
	}
	return ""
}

// converge waits until the tracker equals the truth, failing after within.
// It returns how long that took.
func (e *relEnv) converge(what string, within time.Duration) time.Duration {
	e.t.Helper()
	start := time.Now()
	for {
		d := e.divergence()
		if d == "" {
			return time.Since(start)
		}
		if time.Since(start) > within {
			e.t.Fatalf("%s: tracker differs from the simulator's truth %v after the fault ended: %s (conn %+v)",
				what, within, d, e.tracker.ConnState())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newCall answers a call on the simulator and returns its key.
func (e *relEnv) newCall(ucc string) a365.SessionKey {
	e.t.Helper()
	st, err := e.run.Server.CreateCall(ucc, "", true)
	if err != nil {
		e.t.Fatal(err)
	}
	return a365.SessionKey{UCC: ucc, CorrelationID: st.CorrelationId}
}

// activeCalls lists the simulator's calls still up.
func (e *relEnv) activeCalls() []sim.CallState {
	var out []sim.CallState
	for _, c := range e.run.Server.Calls() {
		if !c.Ended {
			out = append(out, c)
		}
	}
	return out
}

// relOutcome is how one action ended.
type relOutcome struct {
	action a365.Action
	err    error
	took   time.Duration
}

// relTyped reports whether err is one of the client's documented error
// classes, which callers branch on and show.
func relTyped(err error) bool {
	var (
		ae *a365.APIError
		re *a365.ResponseError
		te *a365.TransportError
		au *a365.AuthError
		ve *a365.ValidationError
	)
	return errors.As(err, &ae) || errors.As(err, &re) || errors.As(err, &te) || errors.As(err, &au) || errors.As(err, &ve)
}

// act sends one action through c as the UI does (then RecordAction) and
// checks that it ended in time with a result or a typed, non-empty error,
// and that the tracker's history shows that outcome. Safe to call from
// several goroutines for different keys.
func (e *relEnv) act(c *a365.Client, timeout time.Duration, key a365.SessionKey, a a365.Action) relOutcome {
	bound := relActBound(timeout)
	// A safety net only: the client's own timeouts must end the call first.
	ctx, cancel := context.WithTimeout(context.Background(), bound+5*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := c.Set(ctx, a365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: sim.DemoAgent, Action: a})
	took := time.Since(start)
	switch {
	case took > bound:
		e.t.Errorf("%s on %s took %v, more than its bound %v", a, key.CorrelationID[:8], took, bound)
	case err == nil && (resp == nil || resp.ErrorMessage != nil):
		e.t.Errorf("%s: success without a clean response: %+v", a, resp)
	case err != nil && (!relTyped(err) || strings.TrimSpace(err.Error()) == ""):
		e.t.Errorf("%s: error of no documented class or without a reason: %T %v", a, err, err)
	}
	e.tracker.RecordAction(key, a, resp, err)
	_, hist, _ := e.tracker.Session(key)
	found := false
	for i := len(hist) - 1; i >= 0 && !found; i-- {
		if h := hist[i]; h.Kind == a365.HistoryAction && h.Action == a {
			found = true
			if (err == nil) != (h.Result == "") {
				e.t.Errorf("%s: history result %q for error %v", a, h.Result, err)
			}
		}
	}
	if !found {
		e.t.Errorf("%s: the action is not in the session's history", a)
	}
	return relOutcome{action: a, err: err, took: took}
}

// readerProbe calls the tracker as the UI does (Version, Snapshot, Session)
// every millisecond until stopped, and reports the slowest call: the UI's
// Update must never wait on the network.
type readerProbe struct {
	stop    chan struct{}
	done    chan struct{}
	slowest atomic.Int64
}

func startReaderProbe(tr *a365.Tracker) *readerProbe {
	p := &readerProbe{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var buf []a365.Session
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			_ = tr.Version()
			buf = tr.Snapshot(buf)
			if len(buf) > 0 {
				_, _, _ = tr.Session(buf[0].Key)
			}
			if d := int64(time.Since(start)); d > p.slowest.Load() {
				p.slowest.Store(d)
			}
		}
	}()
	return p
}

func (p *readerProbe) finish() time.Duration {
	close(p.stop)
	<-p.done
	return time.Duration(p.slowest.Load())
}

// relActions is the sequence actions cycle through: mostly valid moves,
// some that the state rules refuse (a typed Validation answer).
var relActions = []a365.Action{a365.ActionMark, a365.ActionPause, a365.ActionUnMark, a365.ActionStart,
	a365.ActionSave, a365.ActionPause, a365.ActionStart, a365.ActionMark}

// relFault is one fault of the list.
type relFault struct {
	name string
	// faults is set on the simulator for the duration of the fault.
	faults sim.Faults
	// hub is true for faults that cut the hub: calls made meanwhile are
	// not announced, so the tracker cannot know them.
	hub bool
	// actions is how many actions go through the client (default 24).
	actions int
	// check judges the actions' outcomes under the fault.
	check func(t *testing.T, outs []relOutcome)
}

// relOnly fails unless every failed action matches one of the allowed
// explanations (state-rule refusals are always allowed), and at least
// minFailed failed for the fault's reason.
func relOnly(minFailed int, why string, ok func(error) bool) func(*testing.T, []relOutcome) {
	return func(t *testing.T, outs []relOutcome) {
		t.Helper()
		faulted := 0
		for _, o := range outs {
			if o.err == nil || relRefused(o.err) {
				continue
			}
			if !ok(o.err) {
				t.Errorf("%s failed with %v, which the fault does not explain (want %s)", o.action, o.err, why)
				continue
			}
			faulted++
		}
		if faulted < minFailed {
			t.Errorf("%d of %d actions failed with %s, want at least %d", faulted, len(outs), why, minFailed)
		}
		t.Logf("%d of %d actions failed with %s", faulted, len(outs), why)
	}
}

// relRefused reports a state-rule refusal: the API said no, with its reason.
func relRefused(err error) bool {
	var ae *a365.APIError
	return errors.As(err, &ae) && ae.Type == a365.ErrorValidation && strings.HasPrefix(ae.Message, "Recorder state is ")
}

// relStatus matches a *ResponseError with this status (0: any; a refusal's
// body is garbled as much as a success's) whose text has fragment.
func relStatus(status int, fragment string) func(error) bool {
	return func(err error) bool {
		var re *a365.ResponseError
		return errors.As(err, &re) && (status == 0 || re.Status == status) && strings.Contains(err.Error(), fragment)
	}
}

func relAPI(typ a365.ErrorType, msg string) func(error) bool {
	return func(err error) bool {
		var ae *a365.APIError
		return errors.As(err, &ae) && ae.Type == typ && ae.Message == msg
	}
}

// One subtest per fault of the issue (the 2 s latency and the restart have
// their own tests below). Each: four live calls, converged; the fault is
// set; the simulator ends one call, answers another and makes a burst of
// changes while 24 actions (8 for oversized bodies) go through the client; the fault is cleared and
// the tracker must equal the truth within 2 s.
func TestReliabilityFaults(t *testing.T) {
	const procMsg = "Command processing failed unexpectedly (simulated fault), it may be retried"
	faults := []relFault{
		{name: "hub drops every connection", faults: sim.Faults{DropHub: true, HubDown: true}, hub: true,
			check: relOnly(0, "nothing (REST is up)", func(error) bool { return false })},
		{name: "HTTP 500 at 30%", faults: sim.Faults{HTTPErrorRate: 0.3},
			check: relOnly(1, "a bare HTTP 500", relStatus(500, "simulated fault: internal server error"))},
		{name: "malformed JSON", faults: sim.Faults{MalformedRate: 1},
			check: relOnly(12, "an unusable body", relStatus(0, "unexpected response (HTTP "))},
		{name: "truncated JSON", faults: sim.Faults{TruncatedRate: 1},
			check: relOnly(12, "an unusable body", relStatus(0, "unexpected response (HTTP "))},
		// Fewer actions: each answer streams 4 MiB (1 MiB of it read).
		{name: "oversized bodies", faults: sim.Faults{OversizedRate: 1}, actions: 8,
			check: relOnly(8, "a refused large body", relStatus(0, "response body larger than 1048576 bytes refused"))},
		{name: "recorder unavailable", faults: sim.Faults{RecorderUnavailable: true},
			check: relOnly(24, "the recorder error", relAPI(a365.ErrorConfiguration, "Recorder was not available, command could not be executed"))},
		{name: "Processing errors", faults: sim.Faults{ProcessingErrorRate: 0.6},
			check: relOnly(1, "a Processing error after the retries", relAPI(a365.ErrorProcessing, procMsg))},
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			start := time.Now()
			e := relStart(t, int64(100+i), 2*time.Second)
			var keys []a365.SessionKey
			for j := range 4 {
				keys = append(keys, e.newCall(relUCCs[j%2]))
			}
			e.waitFor("the first convergence", relSetup, func() bool { return e.tracker.Len() == 4 && e.divergence() == "" })

			probe := startReaderProbe(e.tracker)
			e.run.Server.SetFaults(f.faults)
			if f.hub {
				e.waitFor("the drop to be seen", relSetup, func() bool { return e.tracker.ConnState().Phase == a365.ConnReconnecting })
			}
			// The truth moves while the fault lasts.
			if err := e.run.Server.EndCall(keys[3].CorrelationID); err != nil {
				t.Fatal(err)
			}
			live := append(keys[:3:3], e.newCall("payments"))
			e.run.Server.Burst(6)
			var outs []relOutcome
			if f.actions == 0 {
				f.actions = 24
			}
			for n := range f.actions {
				outs = append(outs, e.act(e.client, e.timeout, live[n%len(live)], relActions[n%len(relActions)]))
			}
			resyncs := e.resyncs.Load()
			e.run.Server.SetFaults(sim.Faults{})
			took := e.converge(f.name, relConverge)
			slowest := probe.finish()

			f.check(t, outs)
			if f.hub {
				if e.resyncs.Load() <= resyncs {
					t.Error("no resync after the hub came back")
				}
			} else if s, _, ok := e.tracker.Session(live[3]); !ok || s.Gone {
				t.Errorf("the call answered during the fault is not tracked: %+v", s)
			}
			t.Logf("converged %v after the fault ended; slowest tracker read %v; test took %v",
				took.Round(time.Millisecond), slowest.Round(time.Microsecond), time.Since(start).Round(time.Millisecond))
		})
	}
}

// 2 s of added latency: actions with a client timeout above it succeed
// after the delay, one with a shorter timeout fails with a typed timeout
// at its deadline, the tracker's readers never wait, and the tracker equals
// the truth within 2 s of the last delayed reply (replies already delayed
// when the fault is cleared keep their delay).
func TestReliabilityLatency(t *testing.T) {
	const latency = 2 * time.Second
	start := time.Now()
	e := relStart(t, 200, latency+time.Second)
	keys := []a365.SessionKey{e.newCall("ucc-demo-name"), e.newCall("payments"), e.newCall("ucc-demo-name")}
	e.waitFor("the first convergence", relSetup, func() bool { return e.tracker.Len() == 3 && e.divergence() == "" })

	probe := startReaderProbe(e.tracker)
	e.run.Server.SetFaults(sim.Faults{LatencyMs: int(latency / time.Millisecond)})
	const short = 500 * time.Millisecond
	shortClient := e.newClient(short)
	var wg sync.WaitGroup
	outs := make([]relOutcome, len(keys)+1)
	for i, k := range keys {
		wg.Go(func() { outs[i] = e.act(e.client, e.timeout, k, a365.ActionPause) })
	}
	wg.Go(func() { outs[len(keys)] = e.act(shortClient, short, keys[0], a365.ActionMark) })
	wg.Wait()
	e.run.Server.SetFaults(sim.Faults{})
	took := e.converge("2 s latency", latency+relConverge)
	slowest := probe.finish()

	for _, o := range outs[:len(keys)] {
		if o.err != nil || o.took < latency {
			t.Errorf("Pause under latency: %v after %v, want success after at least %v", o.err, o.took, latency)
		}
	}
	var te *a365.TransportError
	if o := outs[len(keys)]; !errors.As(o.err, &te) || !errors.Is(o.err, context.DeadlineExceeded) || o.took > short+time.Second {
		t.Errorf("Mark with a %v timeout: %v after %v, want a timeout at its deadline", short, o.err, o.took)
	}
	// The network took 2 s per request; a reader that waited on it would
	// have been held that long.
	if slowest > 500*time.Millisecond {
		t.Errorf("a tracker read took %v while requests were delayed %v", slowest, latency)
	}
	t.Logf("converged %v after the fault ended; slowest tracker read %v; test took %v",
		took.Round(time.Millisecond), slowest.Round(time.Microsecond), time.Since(start).Round(time.Millisecond))
}

// restartSim stops the current simulator and starts a new one on the same
// address (retrying briefly if the port is not free yet).
func (e *relEnv) restartSim(down func(), seed int64) {
	e.t.Helper()
	addr := e.run.Addr
	if err := e.run.Close(); err != nil {
		e.t.Fatal(err)
	}
	if down != nil {
		down()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := sim.Listen(addr, sim.Options{Seed: seed})
		if err == nil {
			e.run = r
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("restart on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The simulator is stopped and restarted on the same port. While it is
// down, actions fail fast with a transport error; the new simulator knows
// only some of the calls (the others are Gone), and one is paused before
// the hub is back. The tracker equals the new truth within 2 s of the restart.
func TestReliabilitySimRestart(t *testing.T) {
	start := time.Now()
	e := relStart(t, 300, 2*time.Second)
	var keys []a365.SessionKey
	for j := range 4 {
		keys = append(keys, e.newCall(relUCCs[j%2]))
	}
	e.waitFor("the first convergence", relSetup, func() bool { return e.tracker.Len() == 4 && e.divergence() == "" })
	resyncs := e.resyncs.Load()

	e.restartSim(func() {
		e.waitFor("the listener to see the simulator gone", relSetup, func() bool {
			s := e.tracker.ConnState()
			return s.Phase == a365.ConnReconnecting && s.LastError != ""
		})
		o := e.act(e.client, e.timeout, keys[0], a365.ActionPause)
		var te *a365.TransportError
		if !errors.As(o.err, &te) || !a365.IsNetwork(o.err) || o.took > time.Second {
			t.Errorf("Pause while the simulator is down: %v after %v, want a fast transport error", o.err, o.took)
		}
	}, 301)
	up := time.Now()
	for _, k := range keys[:3] { // keys[3] is unknown to the new simulator: Gone
		if _, err := e.run.Server.CreateCall(k.UCC, k.CorrelationID, true); err != nil {
			t.Fatal(err)
		}
	}
	// The truth changes before the hub is back: only the resync can tell.
	if n := e.run.Server.Burst(1); n != 1 {
		t.Fatalf("burst made %d changes", n)
	}
	// An action right after the restart may meet a keep-alive connection
	// to the old simulator: net/http does not resend a POST, so it fails
	// with a transport error (as it should: the client cannot know the
	// command was not carried out). Either way it ends with a reason.
	if o := e.act(e.client, e.timeout, keys[2], a365.ActionMark); o.err != nil && !a365.IsNetwork(o.err) {
		t.Errorf("Mark after the restart: %v", o.err)
	}
	e.converge("simulator restart", relConverge-time.Since(up))
	sinceUp := time.Since(up)
	if e.resyncs.Load() <= resyncs {
		t.Error("no resync after the restart")
	}
	if s, _, _ := e.tracker.Session(keys[3]); !s.Gone {
		t.Errorf("a call the restarted simulator does not know is not Gone: %+v", s)
	}
	t.Logf("converged %v after the restart; test took %v", sinceUp.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// relKinds are the faults the randomized test draws from.
var relKinds = []string{"drop hub", "hub down", "restart", "HTTP 500", "latency", "malformed", "truncated",
	"oversized", "recorder unavailable", "processing"}

// Many faults in sequence, ordered by a fixed seed (every kind twice, so
// each is exercised whatever the seed), with the truth changing (calls
// answered and ended, bursts, actions) while each lasts; after each the
// tracker must equal the truth within 2 s.
func TestReliabilityRandomFaults(t *testing.T) {
	const (
		seed     = 4_2024
		maxCalls = 8
		latency  = 300 * time.Millisecond
	)
	start := time.Now()
	rng := rand.New(rand.NewPCG(seed, 0x7e57))
	order := append(append([]string(nil), relKinds...), relKinds...)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	e := relStart(t, seed, time.Second)
	for j := range 4 {
		e.newCall(relUCCs[j%2])
	}
	e.waitFor("the first convergence", relSetup, func() bool { return e.tracker.Len() == 4 && e.divergence() == "" })

	// tracked picks a session the tracker lists and the simulator still has.
	tracked := func() (a365.SessionKey, bool) {
		var keys []a365.SessionKey
		for _, s := range e.tracker.Snapshot(nil) {
			if !s.Gone {
				keys = append(keys, s.Key)
			}
		}
		if len(keys) == 0 {
			return a365.SessionKey{}, false
		}
		return keys[rng.IntN(len(keys))], true
	}
	// churn changes the truth or acts, n times; up says whether the
	// simulator is serving (actions are tried either way).
	churn := func(n int, up bool) {
		for range n {
			op := rng.IntN(6)
			switch {
			case op == 0 && up && len(e.activeCalls()) < maxCalls:
				e.newCall(relUCCs[rng.IntN(len(relUCCs))])
			case op == 1 && up && len(e.activeCalls()) > 1:
				act := e.activeCalls()
				_ = e.run.Server.EndCall(act[rng.IntN(len(act))].CorrelationId)
			case op == 2 && up:
				e.run.Server.Burst(1 + rng.IntN(10))
			default:
				if k, ok := tracked(); ok {
					e.act(e.client, e.timeout, k, a365.Actions[rng.IntN(len(a365.Actions))])
				}
			}
		}
	}

	for step, kind := range order {
		ops := 2 + rng.IntN(4)
		within := relConverge
		var f sim.Faults
		switch kind {
		case "drop hub":
			f = sim.Faults{DropHub: true}
		case "hub down":
			f = sim.Faults{DropHub: true, HubDown: true}
		case "HTTP 500":
			f = sim.Faults{HTTPErrorRate: 0.3}
		case "latency":
			f = sim.Faults{LatencyMs: int(latency / time.Millisecond)}
			within += latency // replies already delayed keep their delay
		case "malformed":
			f = sim.Faults{MalformedRate: 0.5}
		case "truncated":
			f = sim.Faults{TruncatedRate: 0.5}
		case "oversized":
			f = sim.Faults{OversizedRate: 0.5}
		case "recorder unavailable":
			f = sim.Faults{RecorderUnavailable: true}
		case "processing":
			f = sim.Faults{ProcessingErrorRate: 0.5}
		}
		if kind == "restart" {
			before := e.activeCalls()
			e.restartSim(func() { churn(ops, false) }, seed+int64(step))
			// The new simulator knows a random part of the calls.
			for _, c := range before {
				if rng.IntN(3) > 0 {
					if _, err := e.run.Server.CreateCall(c.UCCName, c.CorrelationId, true); err != nil {
						t.Fatal(err)
					}
				}
			}
			churn(1, true)
		} else {
			// The fault lasts 100-400 ms, long enough for the tracker's
			// GETs and retries to run into it.
			hold := time.Duration(100+rng.IntN(300)) * time.Millisecond
			until := time.Now().Add(hold)
			e.run.Server.SetFaults(f)
			if f.DropHub {
				e.waitFor("the drop to be seen", relSetup, func() bool { return e.tracker.ConnState().Phase != a365.ConnConnected })
			}
			churn(ops, true)
			time.Sleep(time.Until(until))
			e.run.Server.SetFaults(sim.Faults{})
		}
		took := e.converge(fmt.Sprintf("step %d (%s)", step, kind), within)
		t.Logf("step %2d %-20s %d ops, %d sessions tracked, converged in %v", step, kind, ops, e.tracker.Len(), took.Round(time.Millisecond))
	}
	t.Logf("%d steps in %v", len(order), time.Since(start).Round(time.Millisecond))
}
