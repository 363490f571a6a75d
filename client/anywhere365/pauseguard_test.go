package anywhere365_test

// Tests of the pause guard and the compliance flags against the simulator
// over loopback (real REST, real SignalR), with an injected clock so a
// 10-second maximum costs no waiting.

import (
	"context"
	"errors"
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

// fakeClock is real time plus an offset a test advances.
type fakeClock struct{ off atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *fakeClock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// guardNode is one console: client, tracker (with its hub listener) and
// guard, all on the same simulator and clock.
type guardNode struct {
	client  *a365.Client
	tracker *a365.Tracker
	guard   *a365.PauseGuard
	comp    *a365.Compliance
	starts  atomic.Int64 // resumes sent
	ok      atomic.Int64 // resumes the server accepted
	trig    sync.Map     // trigger -> true
}

type guardEnv struct {
	t     *testing.T
	run   *sim.Running
	clock *fakeClock
}

func newGuardEnv(t *testing.T, opts sim.Options) *guardEnv {
	t.Helper()
	leak := goleak.IgnoreCurrent()
	r, err := sim.Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.Close()
		goleak.VerifyNone(t, leak, goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
	})
	return &guardEnv{t: t, run: r, clock: &fakeClock{}}
}

// node starts one console on the simulator. Cleanups stop it.
func (e *guardEnv) node(pol a365.Policy) *guardNode {
	e.t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c, err := a365.New(a365.Config{BaseURL: e.run.URL, HTTPClient: &http.Client{Transport: tr}, Timeout: 2 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	ps, err := a365.NewPolicies(pol, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	n := &guardNode{client: c, comp: a365.NewCompliance(ps)}
	n.tracker = a365.NewTracker(a365.TrackerConfig{Getter: c, Now: e.clock.Now, RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	n.guard = a365.NewPauseGuard(a365.GuardConfig{
		Source: n.tracker, Policies: ps, Compliance: n.comp, Now: e.clock.Now, Poll: 20 * time.Millisecond,
		Resume: func(ctx context.Context, key a365.SessionKey, trigger string) (*a365.StateResponse, error) {
			n.starts.Add(1)
			n.trig.Store(trigger, true)
			resp, err := c.Set(ctx, a365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: sim.DemoSupervisor, Action: a365.ActionStart})
			if err == nil {
				n.ok.Add(1)
			}
			return resp, err
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = a365.Monitor(ctx, c, n.tracker, a365.ListenerConfig{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	})
	wg.Go(func() { n.guard.Run(ctx) })
	e.t.Cleanup(func() {
		cancel()
		wg.Wait()
		tr.CloseIdleConnections()
	})
	e.waitFor("hub connected", 5*time.Second, func() bool { return n.tracker.ConnState().Phase == a365.ConnConnected })
	return n
}

func (e *guardEnv) waitFor(what string, d time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// call creates a call on ucc and waits until the node tracks it Started.
func (e *guardEnv) call(n *guardNode, ucc string) a365.SessionKey {
	e.t.Helper()
	st, err := e.run.Server.CreateCall(ucc, "", true)
	if err != nil {
		e.t.Fatal(err)
	}
	key := a365.SessionKey{UCC: ucc, CorrelationID: st.CorrelationId}
	n.tracker.Watch(key)
	return key
}

func (e *guardEnv) truth(key a365.SessionKey) sim.CallState {
	for _, c := range e.run.Server.Calls() {
		if c.CorrelationId == key.CorrelationID {
			return c
		}
	}
	e.t.Fatalf("no call %s in the simulator", key.CorrelationID)
	return sim.CallState{}
}

// set sends an action as someone else (another client, not through the
// node), as a payment system or another console would.
func (e *guardEnv) set(key a365.SessionKey, a a365.Action) {
	e.t.Helper()
	c, err := a365.New(a365.Config{BaseURL: e.run.URL})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.Set(context.Background(), a365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: sim.DemoAgent, Action: a}); err != nil {
		e.t.Fatalf("%v: %v", a, err)
	}
}

// pauseOwn pauses through the node, as payment mode does, and records it.
func (e *guardEnv) pauseOwn(n *guardNode, key a365.SessionKey) {
	e.t.Helper()
	resp, err := n.client.Set(context.Background(), a365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: sim.DemoAgent, Action: a365.ActionPause})
	if err != nil {
		e.t.Fatal(err)
	}
	n.tracker.RecordAction(key, a365.ActionPause, resp, nil)
}

func (e *guardEnv) waitState(n *guardNode, key a365.SessionKey, want a365.RecordingState) {
	e.t.Helper()
	e.waitFor("tracker shows "+want.String(), 5*time.Second, func() bool {
		s, _, ok := n.tracker.Session(key)
		return ok && s.Confirmed && s.Recording == want
	})
}

// stillPausedFor checks that the server keeps the call paused for a while
// of real time (several guard polls).
func (e *guardEnv) stillPausedFor(key a365.SessionKey, d time.Duration) {
	e.t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if st := e.truth(key); st.RecordingState != a365.RecordingPaused {
			e.t.Fatalf("resumed too early: server state %v", st.RecordingState)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tenSeconds() a365.Policy {
	p := a365.DefaultPolicy()
	p.MaxPause = 10 * time.Second
	return p
}

// A payment pause with a 10 s maximum is resumed at the maximum even after
// payment mode was left (Disarm: the screen's esc), and the status says so.
func TestGuardPaymentPauseResumedAtMaxAfterLeaving(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 7})
	n := e.node(tenSeconds())
	key := e.call(n, "payments")
	e.waitState(n, key, a365.RecordingStarted)

	n.guard.Arm(key)
	e.pauseOwn(n, key)
	var st a365.PauseStatus
	e.waitFor("pause guarded", 2*time.Second, func() bool { st, _ = n.guard.Status(key); return !st.PausedAt.IsZero() })
	if got := st.Deadline.Sub(st.PausedAt); got != 10*time.Second || !st.Payment {
		t.Fatalf("deadline %v after the pause, payment %v; want 10s, true", got, st.Payment)
	}
	n.guard.Disarm(key) // esc: leaving payment mode does not cancel the resume
	e.clock.Advance(9 * time.Second)
	e.stillPausedFor(key, 150*time.Millisecond)

	e.clock.Advance(1 * time.Second) // the deadline
	e.waitFor("server Started", 5*time.Second, func() bool { return e.truth(key).RecordingState == a365.RecordingStarted })
	e.waitFor("status resolved", 2*time.Second, func() bool { st, _ = n.guard.Status(key); return st.Resolved })
	if st.Outcome != a365.PauseResumed || st.Attempts != 1 {
		t.Fatalf("status = %+v, want resumed after 1 attempt", st)
	}
	if _, ok := n.trig.Load(a365.TriggerPaymentMode); !ok {
		t.Fatal("the automatic resume was not sent with the payment-mode trigger")
	}
	if len(n.guard.OpenPayment()) != 0 {
		t.Fatal("a resolved pause is still listed as open")
	}
}

// Arming again (P again), leaving and coming back never moves the
// deadline; a fresh pause after a confirmed resume gets a fresh limit.
func TestGuardPressingAgainNeverExtends(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 8})
	n := e.node(tenSeconds())
	key := e.call(n, "payments")
	e.waitState(n, key, a365.RecordingStarted)

	n.guard.Arm(key)
	e.pauseOwn(n, key)
	var first a365.PauseStatus
	e.waitFor("pause guarded", 2*time.Second, func() bool { first, _ = n.guard.Status(key); return !first.PausedAt.IsZero() })
	e.clock.Advance(6 * time.Second)
	for range 3 {
		n.guard.Disarm(key)
		n.guard.Arm(key)
		n.tracker.Watch(key) // a re-read: StateSince must not move the deadline either
	}
	e.waitState(n, key, a365.RecordingPaused)
	time.Sleep(60 * time.Millisecond) // a few polls (20 ms each) for a wrong deadline to appear
	if st, _ := n.guard.Status(key); !st.Deadline.Equal(first.Deadline) {
		t.Fatalf("deadline moved from %v to %v", first.Deadline, st.Deadline)
	}
	e.clock.Advance(3 * time.Second) // 9 s into the pause: still paused
	e.stillPausedFor(key, 100*time.Millisecond)
	e.clock.Advance(time.Second) // 10 s
	e.waitFor("server Started", 5*time.Second, func() bool { return e.truth(key).RecordingState == a365.RecordingStarted })
	e.waitState(n, key, a365.RecordingStarted)

	// A new pause after the confirmed resume: a fresh 10 s from its start.
	e.clock.Advance(time.Second)
	e.pauseOwn(n, key)
	var second a365.PauseStatus
	e.waitFor("second pause guarded", 2*time.Second, func() bool {
		second, _ = n.guard.Status(key)
		return !second.Resolved && second.PausedAt.After(first.PausedAt)
	})
	if got := second.Deadline.Sub(second.PausedAt); got != 10*time.Second {
		t.Fatalf("second pause's limit = %v, want 10s", got)
	}
}

// A resume that fails (a 10 s spell of bare HTTP 500s from the deadline on)
// is retried with backoff, the status carries the reason, and the call is
// resumed within 5 s of the spell's end.
func TestGuardRetriesThroughHTTP500s(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 9})
	n := e.node(tenSeconds())
	key := e.call(n, "payments")
	e.waitState(n, key, a365.RecordingStarted)
	n.guard.Arm(key)
	e.pauseOwn(n, key)
	e.waitFor("pause guarded", 2*time.Second, func() bool { st, _ := n.guard.Status(key); return !st.PausedAt.IsZero() })

	e.run.Server.SetFaults(sim.Faults{HTTPErrorRate: 1})
	e.clock.Advance(10 * time.Second)
	// Ten seconds of failures, in one-second steps of the clock.
	for range 10 {
		time.Sleep(30 * time.Millisecond)
		e.clock.Advance(time.Second)
	}
	st, _ := n.guard.Status(key)
	if st.Resolved || st.Attempts < 3 || !strings.Contains(st.LastError, "HTTP 500") || st.NextAttempt.IsZero() {
		t.Fatalf("after the spell: %+v; want unresolved, >= 3 attempts, HTTP 500, a next attempt", st)
	}
	if wait := st.NextAttempt.Sub(e.clock.Now()); wait > a365.DefaultGuardRetryMax {
		t.Fatalf("next attempt in %v, more than the %v cap", wait, a365.DefaultGuardRetryMax)
	}
	e.run.Server.SetFaults(sim.Faults{})
	// On the guard's clock the call must be resumed within 5 s of the
	// spell's end. The clock moves only to the guard's next attempt, and
	// real time is given for the attempt's request, so a loaded machine
	// (the race detector, 2 cores) cannot make the fake seconds run out
	// while a request is still on its way.
	spellEnd := e.clock.Now()
	realLimit := time.Now().Add(20 * time.Second)
	for e.truth(key).RecordingState != a365.RecordingStarted {
		if time.Now().After(realLimit) {
			t.Fatalf("not resumed (real-time limit): %+v", st)
		}
		st, _ = n.guard.Status(key)
		if next := st.NextAttempt; !st.InFlight && next.After(e.clock.Now()) {
			if next.Sub(spellEnd) > 5*time.Second {
				t.Fatalf("next attempt %v after the spell's end, more than 5 s: %+v", next.Sub(spellEnd), st)
			}
			e.clock.Advance(next.Sub(e.clock.Now()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if took := e.clock.Now().Sub(spellEnd); took > 5*time.Second {
		t.Fatalf("resumed %v after the spell's end, want within 5 s", took)
	}
	e.waitFor("resolved", 2*time.Second, func() bool { st, _ = n.guard.Status(key); return st.Resolved })
	if st.Outcome != a365.PauseResumed || st.LastError != "" {
		t.Fatalf("final status %+v", st)
	}
}

// Two consoles enforcing the same server: a pause made by someone else is
// resumed once; the console that comes second takes "cannot be started" as
// resolved, and neither keeps sending.
func TestTwoGuardsEnforcingDoNotFight(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 10})
	pol := tenSeconds()
	pol.EnforceMaxPause = true
	a, b := e.node(pol), e.node(pol)
	key := e.call(a, "ucc-demo-name")
	b.tracker.Watch(key)
	e.waitState(a, key, a365.RecordingStarted)
	e.waitState(b, key, a365.RecordingStarted)

	e.set(key, a365.ActionPause) // by the agent's own client, through the REST API
	e.waitState(a, key, a365.RecordingPaused)
	e.waitState(b, key, a365.RecordingPaused)
	e.clock.Advance(9 * time.Second)
	e.stillPausedFor(key, 100*time.Millisecond)
	e.clock.Advance(2 * time.Second)
	// Each guard either resolved the pause or never had to take it up (the
	// other's resume reached its tracker first).
	done := func(n *guardNode) bool {
		st, ok := n.guard.Status(key)
		return (ok && st.Resolved) || (!ok && n.starts.Load() == 0)
	}
	e.waitFor("both resolved", 5*time.Second, func() bool {
		return e.truth(key).RecordingState == a365.RecordingStarted && done(a) && done(b)
	})
	if got := e.truth(key).RecordingState; got != a365.RecordingStarted {
		t.Fatalf("server state %v, want Started", got)
	}
	if ok := a.ok.Load() + b.ok.Load(); ok != 1 {
		t.Fatalf("%d resumes accepted, want exactly 1", ok)
	}
	sent := a.starts.Load() + b.starts.Load()
	if sent > 2 {
		t.Fatalf("%d resumes sent, want at most 2", sent)
	}
	for _, n := range []*guardNode{a, b} {
		st, ok := n.guard.Status(key)
		if !ok {
			continue
		}
		if st.Payment || (st.Outcome != a365.PauseResumed && st.Outcome != a365.PauseResumedElswhere) {
			t.Fatalf("status %+v", st)
		}
		if _, ok := n.trig.Load(a365.TriggerPolicy); n.starts.Load() > 0 && !ok {
			t.Fatal("a policy resume was not sent with the policy trigger")
		}
	}
	// Nothing more is sent afterwards.
	e.clock.Advance(time.Minute)
	time.Sleep(100 * time.Millisecond)
	if again := a.starts.Load() + b.starts.Load(); again != sent {
		t.Fatalf("%d more resumes after resolution", again-sent)
	}
}

// Without EnforceMaxPause a pause by someone else is flagged overdue and
// left alone.
func TestGuardNotEnforcingOnlyFlags(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 11})
	n := e.node(tenSeconds())
	key := e.call(n, "ucc-demo-name")
	e.waitState(n, key, a365.RecordingStarted)
	e.set(key, a365.ActionPause)
	e.waitState(n, key, a365.RecordingPaused)
	e.clock.Advance(11 * time.Second)
	e.waitFor("overdue flag", 2*time.Second, func() bool { return hasFlag(n.comp.Flags(key), a365.FlagOverdue) })
	e.stillPausedFor(key, 100*time.Millisecond)
	if n.starts.Load() != 0 {
		t.Fatal("a resume was sent without enforcement")
	}
	if c := n.comp.Counts(); c[a365.FlagOverdue] != 1 {
		t.Fatalf("counts %v", c)
	}
	// Resumed by someone: the alert resolves and leaves the list.
	e.set(key, a365.ActionStart)
	e.waitFor("overdue cleared", 3*time.Second, func() bool { return len(n.comp.Alerts(e.clock.Now())) == 0 })
}

func hasFlag(fs []a365.FlagKind, k a365.FlagKind) bool {
	for _, f := range fs {
		if f == k {
			return true
		}
	}
	return false
}

// A call that ends during a payment pause: the guard stops (no resume is
// sent) and says the call ended while paused; the compliance alert stays
// listed after the tracker drops the session, until acknowledged.
func TestGuardCallEndedWhilePaused(t *testing.T) {
	e := newGuardEnv(t, sim.Options{Seed: 12})
	n := e.node(tenSeconds())
	key := e.call(n, "payments")
	e.waitState(n, key, a365.RecordingStarted)
	n.guard.Arm(key)
	e.pauseOwn(n, key)
	e.waitFor("pause guarded", 2*time.Second, func() bool { st, _ := n.guard.Status(key); return !st.PausedAt.IsZero() })
	if err := e.run.Server.EndCall(key.CorrelationID); err != nil {
		t.Fatal(err)
	}
	var st a365.PauseStatus
	e.waitFor("resolved as ended", 5*time.Second, func() bool { st, _ = n.guard.Status(key); return st.Resolved })
	if st.Outcome != a365.PauseCallEnded || st.Attempts != 0 {
		t.Fatalf("status %+v", st)
	}
	e.waitFor("ended-while-paused flag", 2*time.Second, func() bool { return hasFlag(n.comp.Flags(key), a365.FlagEndedPaused) })
	e.clock.Advance(time.Minute) // past GoneTTL: the tracker drops it
	e.waitFor("session dropped", 5*time.Second, func() bool { _, _, ok := n.tracker.Session(key); return !ok })
	time.Sleep(60 * time.Millisecond)
	al := n.comp.Alerts(e.clock.Now())
	if len(al) != 1 || al[0].Kind != a365.FlagEndedPaused || al[0].Active {
		t.Fatalf("alerts after the drop = %+v; want one inactive ended-while-paused", al)
	}
	if !n.comp.Ack(key, a365.FlagEndedPaused) || len(n.comp.Alerts(e.clock.Now())) != 0 || n.comp.Counts()[a365.FlagEndedPaused] != 0 {
		t.Fatal("acknowledging did not clear the alert")
	}
}

// Not recording (Uninitialized past the grace on a UCC that records by
// default; Stopped while live) and marked for Delete, over loopback.
func TestComplianceFlagsOverLoopback(t *testing.T) {
	uccs := sim.DefaultUCCs()
	uccs = append(uccs, sim.UCC{Name: "norec", UseAudioRecording: false, AgentCanEditAudioRecording: true, Members: []string{sim.DemoAgent}})
	e := newGuardEnv(t, sim.Options{Seed: 13, UCCs: uccs})
	n := e.node(a365.DefaultPolicy())
	idle := e.call(n, "norec")
	stopped := e.call(n, "ucc-demo-name")
	deleted := e.call(n, "ucc-demo-name")
	e.waitState(n, idle, a365.RecordingUninitialized)
	e.waitState(n, stopped, a365.RecordingStarted)
	e.set(stopped, a365.ActionStop)
	e.set(deleted, a365.ActionDelete)
	e.waitFor("stopped flagged", 3*time.Second, func() bool { return hasFlag(n.comp.Flags(stopped), a365.FlagNotRecording) })
	e.waitFor("delete flagged", 3*time.Second, func() bool { return hasFlag(n.comp.Flags(deleted), a365.FlagDelete) })
	if hasFlag(n.comp.Flags(idle), a365.FlagNotRecording) {
		t.Fatal("flagged not recording inside the start grace")
	}
	e.clock.Advance(a365.DefaultStartGrace + time.Second)
	e.waitFor("idle flagged", 2*time.Second, func() bool { return hasFlag(n.comp.Flags(idle), a365.FlagNotRecording) })
	c := n.comp.Counts()
	if c[a365.FlagNotRecording] != 2 || c[a365.FlagDelete] != 1 {
		t.Fatalf("counts %v", c)
	}
	// Worst first: both "not recording" before "marked for delete", the
	// longer-lasting one first.
	al := n.comp.Alerts(e.clock.Now())
	if len(al) != 3 || al[0].Kind != a365.FlagNotRecording || al[2].Kind != a365.FlagDelete || al[0].For(e.clock.Now()) < al[1].For(e.clock.Now()) {
		t.Fatalf("alerts order %+v", al)
	}
	if n.comp.Raised() != 3 {
		t.Fatalf("raised %d, want 3", n.comp.Raised())
	}
}

func TestAssessRules(t *testing.T) {
	now := time.Now()
	p := a365.DefaultPolicy()
	k := a365.SessionKey{UCC: "u", CorrelationID: "c"}
	cases := []struct {
		name     string
		s        a365.Session
		lastLive a365.RecordingState
		ok       bool
		want     []a365.FlagKind
	}{
		{"paused within max", a365.Session{Recording: a365.RecordingPaused, StateSince: now.Add(-time.Minute)}, 0, false, nil},
		{"paused past max", a365.Session{Recording: a365.RecordingPaused, StateSince: now.Add(-4 * time.Minute)}, 0, false, []a365.FlagKind{a365.FlagOverdue}},
		{"new call in grace", a365.Session{Recording: a365.RecordingUninitialized, FirstSeen: now.Add(-5 * time.Second)}, 0, false, nil},
		{"new call past grace", a365.Session{Recording: a365.RecordingUninitialized, FirstSeen: now.Add(-20 * time.Second)}, 0, false, []a365.FlagKind{a365.FlagNotRecording}},
		{"stop event unconfirmed", a365.Session{Recording: a365.RecordingStopped}, 0, false, nil},
		{"stopped confirmed live", a365.Session{Recording: a365.RecordingStopped, Confirmed: true}, 0, false, []a365.FlagKind{a365.FlagNotRecording}},
		{"ended stopped after a pause", a365.Session{Recording: a365.RecordingStopped, Gone: true}, a365.RecordingPaused, true, []a365.FlagKind{a365.FlagEndedPaused}},
		{"ended recording", a365.Session{Recording: a365.RecordingStopped, Gone: true}, a365.RecordingStarted, true, nil},
		{"ended paused, delete", a365.Session{Recording: a365.RecordingPaused, Gone: true, Saving: a365.SavingDelete}, 0, false, []a365.FlagKind{a365.FlagEndedPaused, a365.FlagDelete}},
	}
	for _, c := range cases {
		c.s.Key = k
		got := a365.Assess(c.s, p, now, c.lastLive, c.ok)
		var kinds []a365.FlagKind
		for _, f := range got {
			kinds = append(kinds, f.Kind)
		}
		if len(kinds) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, kinds, c.want)
			continue
		}
		for i := range kinds {
			if kinds[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, kinds, c.want)
			}
		}
	}
	noRec := p
	noRec.RecordsByDefault = false
	if f := a365.Assess(a365.Session{Key: k, Recording: a365.RecordingUninitialized, FirstSeen: now.Add(-time.Hour)}, noRec, now, 0, false); len(f) != 0 {
		t.Errorf("a UCC that does not record by default flagged %v", f)
	}
}

func TestPoliciesOverridePerUCC(t *testing.T) {
	d := 90 * time.Second
	on := true
	ps, err := a365.NewPolicies(a365.DefaultPolicy(), map[string]a365.PolicyOverride{"payments": {MaxPause: &d, EnforceMaxPause: &on}})
	if err != nil {
		t.Fatal(err)
	}
	if p := ps.For("payments"); p.MaxPause != d || !p.EnforceMaxPause || p.StartGrace != a365.DefaultStartGrace {
		t.Fatalf("payments policy %+v", p)
	}
	if p := ps.For("other"); p.MaxPause != a365.DefaultMaxPause || p.EnforceMaxPause {
		t.Fatalf("default policy %+v", p)
	}
	if !ps.AnyEnforced() {
		t.Fatal("AnyEnforced false")
	}
	zero := time.Duration(0)
	if _, err := a365.NewPolicies(a365.DefaultPolicy(), map[string]a365.PolicyOverride{"x": {MaxPause: &zero}}); err == nil || !strings.Contains(err.Error(), "UCC x") {
		t.Fatalf("zero max_pause accepted: %v", err)
	}
	var none a365.Policies
	if none.For("u").MaxPause != a365.DefaultMaxPause {
		t.Fatal("zero Policies is not the default")
	}
}

func TestShortError(t *testing.T) {
	cases := map[string]error{
		"HTTP 500":                      &a365.ResponseError{Status: 500, Reason: "unexpected response", Excerpt: "boom"},
		"Processing: busy":              &a365.APIError{Type: a365.ErrorProcessing, Message: "busy"},
		"timed out":                     context.DeadlineExceeded,
		"connection refused by peer xx": errors.New("Post \"http://x/y\": connection refused by peer xx"),
	}
	for want, err := range cases {
		if got := a365.ShortError(err); got != want {
			t.Errorf("ShortError(%v) = %q, want %q", err, got, want)
		}
	}
	// A server's message never reaches the terminal raw.
	got := a365.ShortError(&a365.APIError{Type: a365.ErrorValidation, Message: "\x1b]0;owned\x07boom\x1b[2J"})
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, "boom") {
		t.Errorf("escape sequences passed: %q", got)
	}
}
