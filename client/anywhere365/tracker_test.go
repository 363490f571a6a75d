package anywhere365

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeTruth is an in-memory REST truth for the tracker's unit tests: it
// counts GETs, records the most in flight per session, and can hold GETs
// until released. The end-to-end tests use the real client and simulator.
type fakeTruth struct {
	mu       sync.Mutex
	states   map[SessionKey]*StateResponse
	failing  map[SessionKey]error
	gets     map[SessionKey]int
	inflight map[SessionKey]int
	maxIn    map[SessionKey]int
	total    atomic.Int64
	gate     chan struct{} // when not nil, each GET waits for a value
}

func newFakeTruth() *fakeTruth {
	return &fakeTruth{
		states:   map[SessionKey]*StateResponse{},
		failing:  map[SessionKey]error{},
		gets:     map[SessionKey]int{},
		inflight: map[SessionKey]int{},
		maxIn:    map[SessionKey]int{},
	}
}

func (f *fakeTruth) set(k SessionKey, r RecordingState, m MarkingState, s SavingState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[k] = &StateResponse{CorrelationId: k.CorrelationID, UCCName: k.UCC, RecordingState: r, MarkingState: m, SavingState: s}
}

func (f *fakeTruth) end(k SessionKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.states, k)
}

func (f *fakeTruth) fail(k SessionKey, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.failing, k)
	} else {
		f.failing[k] = err
	}
}

func (f *fakeTruth) GetState(ctx context.Context, ucc, id string) (*StateResponse, error) {
	k := SessionKey{UCC: ucc, CorrelationID: id}
	f.total.Add(1)
	f.mu.Lock()
	f.gets[k]++
	f.inflight[k]++
	f.maxIn[k] = max(f.maxIn[k], f.inflight[k])
	gate := f.gate
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight[k]--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing[k]; err != nil {
		return nil, err
	}
	st, ok := f.states[k]
	if !ok {
		msg := "No Audio session with correlation Id:'" + id + "' was found."
		return &StateResponse{CorrelationId: id, UCCName: ucc, ErrorMessage: &ErrorMessage{ErrorType: ErrorValidation, Message: msg}},
			&APIError{Type: ErrorValidation, Message: msg}
	}
	cp := *st
	return &cp, nil
}

func (f *fakeTruth) count(k SessionKey) (gets, maxInflight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets[k], f.maxIn[k]
}

// waitFor polls cond until it holds or the deadline passes.
func trWaitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func trLeakCheck(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func runTracker(t *testing.T, tr *Tracker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("tracker Run did not return")
		}
	})
}

func trKey(i int) SessionKey {
	return SessionKey{UCC: "ucc-demo-name", CorrelationID: fmt.Sprintf("1d6c6a58-6739-4f0c-98ff-%012x", i)}
}

func trSession(t *testing.T, tr *Tracker, k SessionKey) Session {
	t.Helper()
	s, _, ok := tr.Session(k)
	if !ok {
		t.Fatalf("session %v not tracked", k)
	}
	return s
}

func TestTrackerOptimisticThenConfirmed(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	truth.gate = make(chan struct{})
	tr := NewTracker(TrackerConfig{Getter: truth})
	runTracker(t, tr)
	k := trKey(1)
	truth.set(k, RecordingPaused, MarkingMark, SavingNone)

	v0 := tr.Version()
	tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: ActionPause})
	s := trSession(t, tr, k)
	if s.Recording != RecordingPaused || s.Confirmed || s.LastAction != ActionPause {
		t.Fatalf("optimistic state = %+v, want Paused unconfirmed", s)
	}
	if tr.Version() <= v0 || s.Version == 0 {
		t.Fatalf("version did not move: %d -> %d", v0, tr.Version())
	}
	select {
	case <-tr.Changed():
	default:
		t.Fatal("Changed() not signalled")
	}
	close(truth.gate) // let the GET answer
	trWaitFor(t, "confirmation", 20*time.Second, func() bool { return trSession(t, tr, k).Confirmed })
	s2, hist, _ := tr.Session(k)
	if s2.Recording != RecordingPaused || s2.Marking != MarkingMark || s2.Version <= s.Version {
		t.Fatalf("confirmed = %+v", s2)
	}
	if len(hist) != 2 || hist[0].Kind != HistoryEvent || hist[0].Action != ActionPause || hist[1].Kind != HistoryConfirmed {
		t.Fatalf("history = %+v", hist)
	}
}

func TestTrackerOptimisticMapping(t *testing.T) {
	tr := NewTracker(TrackerConfig{}) // no getter: nothing is confirmed
	k := trKey(2)
	steps := []struct {
		a    Action
		want func(Session) bool
	}{
		{ActionStart, func(s Session) bool { return s.Recording == RecordingStarted }},
		{ActionPause, func(s Session) bool { return s.Recording == RecordingPaused }},
		{ActionStop, func(s Session) bool { return s.Recording == RecordingStopped }},
		{ActionMark, func(s Session) bool { return s.Marking == MarkingMark }},
		{ActionUnMark, func(s Session) bool { return s.Marking == MarkingUnmark }},
		{ActionSave, func(s Session) bool { return s.Saving == SavingSave }},
		{ActionDelete, func(s Session) bool { return s.Saving == SavingDelete }},
	}
	var last uint64
	for _, st := range steps {
		tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: st.a})
		s := trSession(t, tr, k)
		if !st.want(s) || s.Confirmed || s.LastAction != st.a {
			t.Errorf("after %v: %+v", st.a, s)
		}
		if s.Version <= last {
			t.Errorf("after %v: version %d not above %d", st.a, s.Version, last)
		}
		last = s.Version
	}
}

func TestTrackerStateSinceMovesOnlyWithRecording(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func() { mu.Lock(); clock = clock.Add(time.Second); mu.Unlock() }
	tr := NewTracker(TrackerConfig{Now: now})
	k := trKey(3)
	ev := func(a Action) {
		tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a})
	}
	ev(ActionStart)
	since := trSession(t, tr, k).StateSince
	advance()
	ev(ActionMark)
	if got := trSession(t, tr, k).StateSince; !got.Equal(since) {
		t.Fatalf("Mark moved StateSince: %v -> %v", since, got)
	}
	advance()
	ev(ActionPause)
	if got := trSession(t, tr, k).StateSince; !got.Equal(since.Add(2 * time.Second)) {
		t.Fatalf("Pause: StateSince = %v, want %v", got, since.Add(2*time.Second))
	}
	_, hist, _ := tr.Session(k)
	if len(hist) != 3 || !hist[2].At.Equal(since.Add(2*time.Second)) || hist[2].Recording != RecordingPaused {
		t.Fatalf("history = %+v", hist)
	}
}

// A burst of K events on one session while its GET is held yields one GET
// in flight at a time and exactly one more after it, not K.
func TestTrackerCoalescesBurst(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	truth.gate = make(chan struct{})
	tr := NewTracker(TrackerConfig{Getter: truth, Concurrency: 4})
	runTracker(t, tr)
	k := trKey(4)
	truth.set(k, RecordingStarted, MarkingNone, SavingNone)

	const K = 500
	tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: ActionStart})
	trWaitFor(t, "first GET in flight", 20*time.Second, func() bool { g, _ := truth.count(k); return g == 1 })
	for i := range K {
		a := []Action{ActionPause, ActionStart}[i%2]
		tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a})
	}
	truth.gate <- struct{}{} // answer the first GET: it is stale (dirty), one more follows
	trWaitFor(t, "second GET", 20*time.Second, func() bool { g, _ := truth.count(k); return g == 2 })
	if trSession(t, tr, k).Confirmed {
		t.Fatal("a GET that started before the burst confirmed the session")
	}
	truth.gate <- struct{}{}
	trWaitFor(t, "confirmed", 20*time.Second, func() bool { return trSession(t, tr, k).Confirmed })
	gets, maxIn := truth.count(k)
	if gets != 2 || maxIn != 1 {
		t.Fatalf("%d events gave %d GETs with %d in flight at most; want 2 and 1", K+1, gets, maxIn)
	}
	if s := trSession(t, tr, k); s.Recording != RecordingStarted {
		t.Fatalf("final = %v, want the truth Started", s.Recording)
	}
	if n := tr.EventCount(); n != K+1 {
		t.Fatalf("EventCount = %d, want %d", n, K+1)
	}
}

// Out-of-order events leave a wrong optimistic state; the reconcile GET
// brings the session to the REST truth.
func TestTrackerOutOfOrderConvergesToTruth(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: truth})
	runTracker(t, tr)
	const n = 50
	for i := range n {
		k := trKey(100 + i)
		truth.set(k, RecordingPaused, MarkingNone, SavingSave)
		// The real order was Start, Pause, Save; these arrive reversed.
		for _, a := range []Action{ActionSave, ActionPause, ActionStart} {
			tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a})
		}
	}
	trWaitFor(t, "all confirmed", 20*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if !s.Confirmed {
				return false
			}
		}
		return true
	})
	for _, s := range tr.Snapshot(nil) {
		if s.Recording != RecordingPaused || s.Saving != SavingSave || s.Gone || s.LastError != "" {
			t.Fatalf("%v: %+v, want Paused/Save", s.Key, s)
		}
		// Start arrived last, but a Paused recorder was last paused: the
		// shown last action follows the server's order, not arrival order.
		if s.LastAction != ActionPause {
			t.Fatalf("%v: last action %v after a confirmed Paused, want Pause", s.Key, s.LastAction)
		}
	}
	for i := range n {
		if _, maxIn := truth.count(trKey(100 + i)); maxIn > 1 {
			t.Fatalf("session %d had %d GETs in flight", i, maxIn)
		}
	}
}

func TestTrackerGlobalConcurrencyBound(t *testing.T) {
	trLeakCheck(t)
	var in, peak atomic.Int64
	release := make(chan struct{})
	getter := trGetterFunc(func(ctx context.Context, ucc, id string) (*StateResponse, error) {
		n := in.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer in.Add(-1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return &StateResponse{CorrelationId: id, UCCName: ucc, RecordingState: RecordingStarted}, nil
	})
	tr := NewTracker(TrackerConfig{Getter: getter, Concurrency: 3})
	runTracker(t, tr)
	for i := range 20 {
		tr.Watch(trKey(200 + i))
	}
	trWaitFor(t, "3 GETs in flight", 20*time.Second, func() bool { return in.Load() == 3 })
	close(release)
	trWaitFor(t, "all 20 fetched", 20*time.Second, func() bool { return tr.GetCount() == 20 })
	if p := peak.Load(); p != 3 {
		t.Fatalf("peak GETs in flight = %d, want 3", p)
	}
}

type trGetterFunc func(ctx context.Context, ucc, id string) (*StateResponse, error)

func (f trGetterFunc) GetState(ctx context.Context, ucc, id string) (*StateResponse, error) {
	return f(ctx, ucc, id)
}

func TestTrackerGoneThenDroppedAfterTTL(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: truth, GoneTTL: 150 * time.Millisecond})
	runTracker(t, tr)
	k, alive := trKey(5), trKey(6)
	truth.set(alive, RecordingStarted, MarkingNone, SavingNone)
	tr.Watch(k) // the server does not know it: the call ended
	tr.Watch(alive)
	trWaitFor(t, "Gone", 20*time.Second, func() bool { s, _, ok := tr.Session(k); return ok && s.Gone })
	s := trSession(t, tr, k)
	if !s.Confirmed || s.LastError != "" {
		t.Fatalf("gone session = %+v, want confirmed, no error", s)
	}
	// A late event for the ended call does not revive it.
	tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: ActionStart})
	if s := trSession(t, tr, k); !s.Gone {
		t.Fatalf("late event revived a gone session: %+v", s)
	}
	trWaitFor(t, "dropped after GoneTTL", 20*time.Second, func() bool { return tr.Len() == 1 })
	if _, _, ok := tr.Session(k); ok {
		t.Fatal("gone session still listed")
	}
	if snap := tr.Snapshot(nil); len(snap) != 1 || snap[0].Key != alive {
		t.Fatalf("snapshot = %+v", snap)
	}
}

// A GET failing for another reason keeps the session, shows the error and
// retries with backoff until it succeeds.
func TestTrackerFailedGetRetries(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: truth, RetryMin: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond})
	runTracker(t, tr)
	k := trKey(7)
	truth.set(k, RecordingStarted, MarkingNone, SavingNone)
	truth.fail(k, &APIError{Type: ErrorProcessing, Message: "Recorder was not available, command could not be executed"})
	tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: ActionPause})
	trWaitFor(t, "LastError", 20*time.Second, func() bool { return trSession(t, tr, k).LastError != "" })
	trWaitFor(t, "several retries", 20*time.Second, func() bool { g, _ := truth.count(k); return g >= 3 })
	s := trSession(t, tr, k)
	if s.Confirmed || s.Gone || s.Recording != RecordingPaused {
		t.Fatalf("while failing: %+v", s)
	}
	if want := "Processing error: Recorder was not available, command could not be executed"; s.LastError != want {
		t.Fatalf("LastError = %q, want %q", s.LastError, want)
	}
	truth.fail(k, nil)
	trWaitFor(t, "recovered", 20*time.Second, func() bool { s := trSession(t, tr, k); return s.Confirmed && s.LastError == "" })
	if s := trSession(t, tr, k); s.Recording != RecordingStarted {
		t.Fatalf("after recovery: %+v", s)
	}
}

func TestTrackerInvalidEventsCounted(t *testing.T) {
	tr := NewTracker(TrackerConfig{})
	long := string(make([]byte, 300))
	for _, ev := range []RecordingStateChangedEvent{
		{UccName: "", CorrelationId: "x", StateAction: ActionStart},
		{UccName: "u", CorrelationId: "", StateAction: ActionStart},
		{UccName: "u", CorrelationId: "x", StateAction: 0},
		{UccName: "u", CorrelationId: "x", StateAction: 99},
		{UccName: long, CorrelationId: "x", StateAction: ActionStop},
		// Ids must be GUIDs; names must be safe to put on a screen.
		{UccName: "u", CorrelationId: "x", StateAction: ActionStart},
		{UccName: "u", CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c3g", StateAction: ActionStart},
		{UccName: "u", CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30\x1b", StateAction: ActionStart},
		{UccName: "ucc\x1b[2J", CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", StateAction: ActionStart},
		{UccName: "ucc\u202e", CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", StateAction: ActionStart},
		{UccName: "ucc\xff", CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", StateAction: ActionStart},
	} {
		tr.HandleEvent(ev)
	}
	if tr.Len() != 0 || tr.InvalidCount() != 11 || tr.EventCount() != 11 {
		t.Fatalf("len %d invalid %d events %d", tr.Len(), tr.InvalidCount(), tr.EventCount())
	}
	tr.Watch(SessionKey{})
	if tr.Len() != 0 {
		t.Fatal("empty Watch key was added")
	}
	// A valid event still lands, whatever the case of its hex digits and
	// with a UCC name in any script.
	tr.HandleEvent(RecordingStateChangedEvent{UccName: "zahlungen-ü", CorrelationId: "1D6C6A58-6739-4F0C-98FF-0968292C8C30", StateAction: ActionStart})
	if tr.Len() != 1 {
		t.Fatal("a valid event was refused")
	}
}

func TestTrackerRecordAction(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	truth.gate = make(chan struct{})
	tr := NewTracker(TrackerConfig{Getter: truth})
	runTracker(t, tr)
	k := trKey(8)
	truth.set(k, RecordingPaused, MarkingNone, SavingNone)

	// Success: the set's answer is shown as confirmed at once.
	tr.RecordAction(k, ActionPause, &StateResponse{CorrelationId: k.CorrelationID, UCCName: k.UCC, RecordingState: RecordingPaused}, nil)
	s, hist, _ := tr.Session(k)
	if !s.Confirmed || s.Recording != RecordingPaused || s.LastAction != ActionPause {
		t.Fatalf("after successful action: %+v", s)
	}
	if len(hist) != 1 || hist[0].Kind != HistoryAction || hist[0].Result != "" {
		t.Fatalf("history = %+v", hist)
	}
	// ...and a reconcile GET follows.
	trWaitFor(t, "reconcile after action", 20*time.Second, func() bool { g, _ := truth.count(k); return g == 1 })

	// Failure: the server's message is in the history.
	apiErr := &APIError{Type: ErrorValidation, Message: "Recorder state is Paused, this state cannot be paused"}
	tr.RecordAction(k, ActionPause, &StateResponse{ErrorMessage: &ErrorMessage{ErrorType: ErrorValidation, Message: apiErr.Message}}, apiErr)
	_, hist, _ = tr.Session(k)
	if last := hist[len(hist)-1]; last.Kind != HistoryAction || last.Result != apiErr.Error() {
		t.Fatalf("failed action entry = %+v", last)
	}
	close(truth.gate)

	// "No Audio session" on an action marks the session Gone.
	k2 := trKey(9)
	msg := "No Audio session with correlation Id:'" + k2.CorrelationID + "' was found."
	tr.RecordAction(k2, ActionStart, nil, &APIError{Type: ErrorValidation, Message: msg})
	if s := trSession(t, tr, k2); !s.Gone {
		t.Fatalf("session after not-found action: %+v", s)
	}
}

func TestTrackerResyncRefetchesAll(t *testing.T) {
	trLeakCheck(t)
	truth := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: truth})
	runTracker(t, tr)
	for i := range 10 {
		truth.set(trKey(300+i), RecordingStarted, MarkingNone, SavingNone)
		tr.Watch(trKey(300 + i))
	}
	trWaitFor(t, "10 GETs", 20*time.Second, func() bool { return truth.total.Load() == 10 })
	trWaitFor(t, "confirmed", 20*time.Second, func() bool { return trSession(t, tr, trKey(309)).Confirmed })
	for i := range 10 {
		truth.set(trKey(300+i), RecordingStopped, MarkingMark, SavingDelete) // changed while we were away
	}
	tr.Resync()
	trWaitFor(t, "20 GETs", 20*time.Second, func() bool { return truth.total.Load() == 20 })
	trWaitFor(t, "new truth", 20*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if !s.Confirmed || s.Recording != RecordingStopped || s.Marking != MarkingMark || s.Saving != SavingDelete {
				return false
			}
		}
		return true
	})
}

func TestTrackerHistoryBounded(t *testing.T) {
	tr := NewTracker(TrackerConfig{HistoryLimit: 4})
	k := trKey(10)
	acts := []Action{ActionStart, ActionPause, ActionStart, ActionMark, ActionStop, ActionSave}
	for _, a := range acts {
		tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a})
	}
	_, hist, _ := tr.Session(k)
	if len(hist) != 4 {
		t.Fatalf("history has %d entries, want 4", len(hist))
	}
	for i, h := range hist {
		if h.Action != acts[2+i] {
			t.Fatalf("history[%d] = %v, want %v (oldest first)", i, h.Action, acts[2+i])
		}
	}
}

func TestTrackerSnapshotOrderAndReuse(t *testing.T) {
	tr := NewTracker(TrackerConfig{})
	for i := range 5 {
		tr.Watch(trKey(400 + i))
	}
	tr.Watch(trKey(400)) // known: not added twice
	buf := make([]Session, 0, 16)
	snap := tr.Snapshot(buf)
	if len(snap) != 5 || tr.Len() != 5 {
		t.Fatalf("len %d / %d, want 5", len(snap), tr.Len())
	}
	if &snap[:1][0] != &buf[:1][0] {
		t.Fatal("Snapshot did not reuse dst")
	}
	for i, s := range snap {
		if s.Key != trKey(400+i) {
			t.Fatalf("snapshot[%d] = %v, want first-seen order", i, s.Key)
		}
	}
}

func TestTrackerConnState(t *testing.T) {
	tr := NewTracker(TrackerConfig{})
	v := tr.Version()
	tr.SetConnState(ConnState{Phase: ConnReconnecting, Attempt: 2, LastError: "connection refused"})
	if got := tr.ConnState(); got.Phase != ConnReconnecting || got.Attempt != 2 {
		t.Fatalf("ConnState = %+v", got)
	}
	if tr.Version() == v {
		t.Fatal("SetConnState did not bump Version")
	}
}

// A transport error on a GET whose server went away is not "gone".
func TestTrackerTransportErrorIsNotGone(t *testing.T) {
	trLeakCheck(t)
	getter := trGetterFunc(func(ctx context.Context, ucc, id string) (*StateResponse, error) {
		return nil, &TransportError{Method: "GET", URL: "http://127.0.0.1:1/x", Err: errors.New("connection refused")}
	})
	tr := NewTracker(TrackerConfig{Getter: getter, RetryMin: time.Hour})
	runTracker(t, tr)
	tr.Watch(trKey(11))
	trWaitFor(t, "error shown", 20*time.Second, func() bool { return trSession(t, tr, trKey(11)).LastError != "" })
	if s := trSession(t, tr, trKey(11)); s.Gone || s.Confirmed {
		t.Fatalf("%+v", s)
	}
}

// The periodic schedule's figures with the defaults, as the package doc
// states them: 625 sessions re-read every 25 s within half of 50 GETs/s,
// then the interval stretches evenly; 250 every 5 s while the hub is down.
func TestPacePlanDefaults(t *testing.T) {
	share := DefaultReadBudget * DefaultPeriodicShare
	cases := []struct {
		n        int
		perSec   float64
		target   time.Duration
		interval time.Duration
	}{
		{1, share, DefaultPeriodicInterval, 25 * time.Second},
		{625, share, DefaultPeriodicInterval, 25 * time.Second},
		{1000, share, DefaultPeriodicInterval, 40 * time.Second},
		{10000, share, DefaultPeriodicInterval, 400 * time.Second},
		{250, DefaultReadBudget, DefaultDownInterval, 5 * time.Second},
		{1000, DefaultReadBudget, DefaultDownInterval, 20 * time.Second},
		{1000, -1, DefaultPeriodicInterval, 25 * time.Second}, // no limit
	}
	for _, c := range cases {
		interval, step := PacePlan(c.n, c.perSec, c.target)
		if interval != c.interval {
			t.Errorf("PacePlan(%d, %v, %v) interval = %v, want %v", c.n, c.perSec, c.target, interval, c.interval)
		}
		if rate := float64(time.Second) / float64(step); c.perSec > 0 && rate > c.perSec*1.001 {
			t.Errorf("PacePlan(%d) steps %.1f times a second, over %v", c.n, rate, c.perSec)
		}
	}
}

// A user's upper-case GUID in braces and the hub's lower-case one are the
// same session.
func TestTrackerKeysAreLowerCase(t *testing.T) {
	tr := NewTracker(TrackerConfig{})
	lower := trKey(1)
	tr.Watch(SessionKey{UCC: lower.UCC, CorrelationID: " {" + strings.ToUpper(lower.CorrelationID) + "} "})
	tr.HandleEvent(RecordingStateChangedEvent{UccName: lower.UCC, CorrelationId: lower.CorrelationID, StateAction: ActionPause})
	tr.HandleEvent(RecordingStateChangedEvent{UccName: lower.UCC, CorrelationId: strings.ToUpper(lower.CorrelationID), StateAction: ActionStart})
	if tr.Len() != 1 {
		t.Fatalf("%d sessions, want 1: %+v", tr.Len(), tr.Snapshot(nil))
	}
	if s := trSession(t, tr, SessionKey{UCC: lower.UCC, CorrelationID: strings.ToUpper(lower.CorrelationID)}); s.Key != lower || s.Recording != RecordingStarted {
		t.Fatalf("session = %+v", s)
	}
}

// While the hub is not connected every row is stale (new ones too) and is
// polled at DownInterval; back online, a GET clears the mark.
func TestTrackerStaleWhileHubDown(t *testing.T) {
	trLeakCheck(t)
	f := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: f, DownInterval: 300 * time.Millisecond, PeriodicInterval: time.Hour})
	for i := range 3 {
		f.set(trKey(i), RecordingStarted, MarkingNone, SavingNone)
		tr.Watch(trKey(i))
	}
	runTracker(t, tr)
	trWaitFor(t, "confirmed", 2*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if !s.Confirmed || s.Stale {
				return false
			}
		}
		return true
	})
	v := tr.Version()
	tr.SetConnState(ConnState{Phase: ConnReconnecting, Attempt: 1})
	for _, s := range tr.Snapshot(nil) {
		if !s.Stale || s.Version <= v {
			t.Fatalf("not stale (or same version) after the hub went down: %+v", s)
		}
	}
	f.set(trKey(3), RecordingPaused, MarkingNone, SavingNone)
	tr.Watch(trKey(3))
	f.set(trKey(0), RecordingPaused, MarkingMark, SavingNone) // changed with no event
	f.end(trKey(1))
	trWaitFor(t, "polled truth", 3*time.Second, func() bool {
		s0, s1, s3 := trSession(t, tr, trKey(0)), trSession(t, tr, trKey(1)), trSession(t, tr, trKey(3))
		return s0.Recording == RecordingPaused && s0.Marking == MarkingMark && s1.Gone && s3.Confirmed
	})
	for _, k := range []SessionKey{trKey(0), trKey(2), trKey(3)} {
		if s := trSession(t, tr, k); !s.Stale {
			t.Fatalf("%v lost its stale mark while the hub is down", k)
		}
	}
	if s := trSession(t, tr, trKey(1)); s.Stale {
		t.Fatal("an ended call is not stale: it is settled")
	}
	tr.SetConnState(ConnState{Phase: ConnConnected})
	trWaitFor(t, "fresh again", 2*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if s.Stale || !s.Confirmed {
				return false
			}
		}
		return true
	})
}

// A Validation answer is final (no retry, reason kept, not live); a
// transient error is retried; Remove stops the retries and forgets it; an
// explicit Watch asks a final session again.
func TestTrackerFinalAnswerAndRemove(t *testing.T) {
	trLeakCheck(t)
	f := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: f, RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond, PeriodicInterval: 50 * time.Millisecond})
	runTracker(t, tr)
	bad, flaky := trKey(1), trKey(2)
	f.fail(bad, &APIError{Type: ErrorValidation, Message: "Ucc name (x) was not recognized"})
	f.fail(flaky, &APIError{Type: ErrorProcessing, Message: "try again"})
	tr.Watch(bad)
	tr.Watch(flaky)
	trWaitFor(t, "final", 2*time.Second, func() bool { return trSession(t, tr, bad).Final })
	trWaitFor(t, "retries", 2*time.Second, func() bool { n, _ := f.count(flaky); return n >= 3 })
	time.Sleep(200 * time.Millisecond)
	if n, _ := f.count(bad); n != 1 {
		t.Fatalf("%d GETs of a session with a final answer", n)
	}
	if s := trSession(t, tr, bad); s.LastError != "Validation error: Ucc name (x) was not recognized" || trSession(t, tr, flaky).Final {
		t.Fatalf("rows: %+v / %+v", s, trSession(t, tr, flaky))
	}
	if keys := tr.LiveKeys(nil); len(keys) != 1 || keys[0] != flaky {
		t.Fatalf("live keys %v", keys)
	}
	if !tr.Remove(flaky) {
		t.Fatal("Remove failed")
	}
	time.Sleep(50 * time.Millisecond)
	n, _ := f.count(flaky)
	time.Sleep(200 * time.Millisecond)
	if m, _ := f.count(flaky); m != n {
		t.Fatalf("%d GETs after Remove", m-n)
	}
	// Asked again, a transient failure is no longer final: it retries.
	f.fail(bad, &APIError{Type: ErrorProcessing, Message: "busy"})
	tr.Watch(bad)
	trWaitFor(t, "not final after a transient answer", 2*time.Second, func() bool {
		s := trSession(t, tr, bad)
		return !s.Final && s.LastError == "Processing error: busy"
	})
	f.fail(bad, nil)
	f.set(bad, RecordingStarted, MarkingNone, SavingNone)
	trWaitFor(t, "asked again", 2*time.Second, func() bool { s := trSession(t, tr, bad); return s.Confirmed && !s.Final })
}

// Under the budget, every session is confirmed within 2 s of its last
// event (issue 15): events on distinct sessions at 40 a second against a
// budget of 50, with periodic re-reads of the 200 known sessions
// competing for the same budget (they want 100 a second here, twice the
// budget).
func TestTrackerConfirmsWithinTwoSecondsUnderBudget(t *testing.T) {
	trLeakCheck(t)
	f := newFakeTruth()
	const known, rate, budget = 200, 40, 50.0
	for i := range known {
		f.set(trKey(i), RecordingStarted, MarkingNone, SavingNone)
	}
	tr := NewTracker(TrackerConfig{Getter: f, ReadBudget: budget, PeriodicInterval: 2 * time.Second})
	for i := range known {
		// Known sessions, already confirmed once (their periodic re-reads
		// are due at once: the worst case for events).
		tr.HandleEvent(RecordingStateChangedEvent{UccName: trKey(i).UCC, CorrelationId: trKey(i).CorrelationID, StateAction: ActionStart})
	}
	runTracker(t, tr)
	trWaitFor(t, "first confirmation", 60*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if !s.Confirmed {
				return false
			}
		}
		return true
	})
	sent := map[SessionKey]time.Time{}
	var worst time.Duration
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	deadline := time.Now().Add(3 * time.Second)
	i := 0
	for time.Now().Before(deadline) || len(sent) > 0 {
		select {
		case <-tick.C:
			if time.Now().Before(deadline) {
				k := trKey((i * 7) % known) // distinct sessions
				i++
				f.set(k, RecordingPaused, MarkingNone, SavingNone)
				tr.HandleEvent(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: ActionPause})
				sent[k] = time.Now()
			}
		default:
			time.Sleep(5 * time.Millisecond)
		}
		for k, at := range sent {
			if s := trSession(t, tr, k); s.Confirmed && s.Recording == RecordingPaused {
				worst = max(worst, time.Since(at))
				delete(sent, k)
			} else if time.Since(at) > 2*time.Second {
				t.Fatalf("%v unconfirmed %v after its event", k, time.Since(at))
			}
		}
	}
	t.Logf("%d events at %d/s, budget %v/s: slowest confirmation %v", i, rate, budget, worst)
}

// beatTruth records when each GET came, for the pacer's beat test.
type beatTruth struct {
	*fakeTruth
	mu  sync.Mutex
	ats map[SessionKey][]time.Time
}

func (b *beatTruth) GetState(ctx context.Context, ucc, id string) (*StateResponse, error) {
	b.mu.Lock()
	k := SessionKey{UCC: ucc, CorrelationID: id}
	b.ats[k] = append(b.ats[k], time.Now())
	b.mu.Unlock()
	return b.fakeTruth.GetState(ctx, ucc, id)
}

func (b *beatTruth) since(from, to time.Time) map[SessionKey][]time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[SessionKey][]time.Time{}
	for k, ats := range b.ats {
		for _, at := range ats {
			if at.After(from) && at.Before(to) {
				out[k] = append(out[k], at)
			}
		}
	}
	return out
}

// A quiet console's periodic re-reads come on the process's 1 s grid
// (internal/beat), several per beat, at the plan's rate, every session
// still re-read within its interval and a beat: the pacer does not wake
// the process at instants of its own. With a longer interval they come
// together every few beats (paceBatch), each session still within its
// interval and a batch.
func TestTrackerPeriodicReadsOnTheBeat(t *testing.T) {
	for _, c := range []struct {
		known           int
		interval, batch time.Duration
	}{
		{12, 3 * time.Second, time.Second},     // step 250 ms: four re-reads every beat
		{10, 4 * time.Second, 2 * time.Second}, // step 400 ms: five re-reads every other beat
	} {
		t.Run(fmt.Sprintf("%d every %v", c.known, c.interval), func(t *testing.T) {
			if _, step := PacePlan(c.known, 100*DefaultPeriodicShare, c.interval); step < minBeatStep || paceBatch(c.interval, step) != c.batch {
				t.Fatalf("step %v, batch %v: the test needs a quiet plan in batches of %v", step, paceBatch(c.interval, step), c.batch)
			}
			testPeriodicReadsOnTheBeat(t, c.known, c.interval, c.batch)
		})
	}
}

func testPeriodicReadsOnTheBeat(t *testing.T, known int, interval, batch time.Duration) {
	trLeakCheck(t)
	f := &beatTruth{fakeTruth: newFakeTruth(), ats: map[SessionKey][]time.Time{}}
	for i := range known {
		f.set(trKey(i), RecordingStarted, MarkingNone, SavingNone)
	}
	tr := NewTracker(TrackerConfig{Getter: f, ReadBudget: 100, PeriodicInterval: interval})
	for i := range known {
		tr.Watch(trKey(i))
	}
	runTracker(t, tr)
	trWaitFor(t, "first confirmation", 5*time.Second, func() bool {
		for _, s := range tr.Snapshot(nil) {
			if !s.Confirmed {
				return false
			}
		}
		return true
	})
	// Half a beat off the grid, so the window holds exactly three batches
	// (the first, made on the first confirmation's wake-up, may be off it).
	from := time.Now().Truncate(batch).Add(batch + batch/2)
	window := 3 * batch
	time.Sleep(time.Until(from.Add(window)))
	got := f.since(from, from.Add(window))
	reads := 0
	for k, ats := range got {
		reads += len(ats)
		for i, at := range ats {
			// On the batch's beat: at most a little after it (the timer's
			// lateness on a busy machine).
			if off := at.Sub(at.Truncate(batch)); off > 300*time.Millisecond {
				t.Errorf("%v re-read %v after a multiple of %v: not on the beat", k.CorrelationID, off, batch)
			}
			if i > 0 && at.Sub(ats[i-1]) > interval+batch+300*time.Millisecond {
				t.Errorf("%v re-read %v after the one before, want within %v and %v", k.CorrelationID, at.Sub(ats[i-1]), interval, batch)
			}
		}
	}
	want := int(float64(known) / interval.Seconds() * window.Seconds())
	if reads < want*3/4 || reads > want*5/4 {
		t.Errorf("%d periodic re-reads in %v, want about %d (%d sessions every %v)", reads, window, want, known, interval)
	}
	if len(got) != known && window >= interval {
		t.Errorf("%d of %d sessions re-read in %v", len(got), known, window)
	}
	t.Logf("%d re-reads of %d sessions in %v, all on the beat", reads, len(got), window)
}
