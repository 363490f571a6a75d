package anywhere365

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Tests of the tracker's packed storage (issue 15): what the UI sees is
// unchanged by it.

// goneErr is the API's answer for an ended call.
func goneErr(k SessionKey) error {
	return &APIError{Type: ErrorValidation, Message: msgNoSession + " " + k.CorrelationID + " was found."}
}

func trEvent(k SessionKey, a Action) RecordingStateChangedEvent {
	return RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a}
}

// Keys whose hashes clash are still told apart: every key hashes the same
// here, so all but one session live in the overflow table, through
// events, Watch, Session, Remove and the GoneTTL sweep.
func TestTrackerKeysThatClash(t *testing.T) {
	clock := &memClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	tr.hashOf = func(SessionKey) uint64 { return 7 }
	const n = 50
	for i := range n {
		tr.HandleEvent(trEvent(trKey(i), ActionStart))
	}
	tr.HandleEvent(trEvent(trKey(3), ActionPause))
	if tr.Len() != n {
		t.Fatalf("Len %d, want %d", tr.Len(), n)
	}
	for i := range n {
		s := trSession(t, tr, trKey(i))
		want := RecordingStarted
		if i == 3 {
			want = RecordingPaused
		}
		if s.Key != trKey(i) || s.Recording != want {
			t.Fatalf("session %d: %+v, want key %v recording %v", i, s, trKey(i), want)
		}
	}
	// The session in the main table goes; the others stay reachable, and
	// a new key takes the free slot.
	if !tr.Remove(trKey(0)) || tr.Remove(trKey(0)) {
		t.Fatal("Remove of the first session: want true once, then false")
	}
	if _, _, ok := tr.Session(trKey(0)); ok {
		t.Fatal("removed session still found")
	}
	tr.Watch(trKey(100))
	for _, i := range []int{1, 2, 3, n - 1, 100} {
		trSession(t, tr, trKey(i))
	}
	// Half of them end and are swept after GoneTTL.
	for i := 1; i < n; i += 2 {
		tr.RecordAction(trKey(i), ActionStop, nil, goneErr(trKey(i)))
	}
	clock.add(DefaultGoneTTL + time.Second)
	if !tr.sweep(clock.now()) {
		t.Fatal("sweep dropped nothing")
	}
	for i := 1; i < n; i++ {
		_, _, ok := tr.Session(trKey(i))
		if ok != (i%2 == 0) {
			t.Fatalf("session %d listed %v after the sweep, want %v", i, ok, i%2 == 0)
		}
	}
	if got, want := tr.Len(), n/2; got != want { // 2, 4 ... 48, and 100
		t.Fatalf("Len %d after the sweep, want %d", got, want)
	}
	if len(tr.m)+len(tr.clash) != tr.Len() {
		t.Fatalf("tables hold %d+%d, Len %d", len(tr.m), len(tr.clash), tr.Len())
	}
}

// After most sessions are dropped, the tracker's tables are rebuilt at
// their new size: memory is flat after the calls of a busy hour end.
func TestTrackerShrinksAfterMassRemoval(t *testing.T) {
	clock := &memClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	const n = 20_000
	for i := range n {
		tr.HandleEvent(trEvent(trKey(i), ActionStart)) // queued for a GET each: the queue grows too
	}
	for i := range n - 10 {
		tr.RecordAction(trKey(i), ActionStop, nil, goneErr(trKey(i)))
	}
	clock.add(DefaultGoneTTL + time.Second)
	tr.sweep(clock.now())
	if tr.Len() != 10 {
		t.Fatalf("Len %d, want 10", tr.Len())
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.mPeak != len(tr.m) || len(tr.m) != 10 {
		t.Errorf("map: %d entries, peak %d: want it rebuilt at 10", len(tr.m), tr.mPeak)
	}
	if cap(tr.order) >= compactMin || cap(tr.gone) >= compactMin {
		t.Errorf("order cap %d, gone cap %d: want them shrunk", cap(tr.order), cap(tr.gone))
	}
	if tr.queue.len() != n || cap(tr.queue.buf) < n {
		t.Errorf("queue: %d queued: want the %d GETs still waiting", tr.queue.len(), n)
	}
	for range n - 10 {
		tr.queue.pop() // the dispatcher takes them (dropped ones are skipped there)
	}
	tr.compact()
	if cap(tr.queue.buf) >= compactMin || tr.queue.len() != 10 {
		t.Errorf("queue: cap %d with %d queued: want it shrunk, the rest kept", cap(tr.queue.buf), tr.queue.len())
	}
}

// Snapshot writes only what changed into the caller's previous snapshot,
// and the result is always what a fresh snapshot gives, whatever dst held.
func TestSnapshotReusesUnchangedSessions(t *testing.T) {
	clock := &memClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	for i := range 100 {
		tr.HandleEvent(trEvent(trKey(i), ActionStart))
	}
	same := func(what string, got []Session) {
		t.Helper()
		if want := tr.Snapshot(nil); !slices.Equal(got, want) {
			t.Fatalf("%s: snapshot differs from a fresh one", what)
		}
	}
	dst := tr.Snapshot(nil)
	clock.add(time.Second)
	tr.HandleEvent(trEvent(trKey(5), ActionPause))
	tr.HandleEvent(trEvent(trKey(100), ActionStart)) // a new one at the end
	tr.Remove(trKey(50))                             // everything after it moves up
	dst = tr.Snapshot(dst)
	same("after an event, a new session and a removal", dst)
	if s := dst[5]; s.Recording != RecordingPaused || !s.StateSince.Equal(clock.now()) {
		t.Fatalf("session 5: %+v", s)
	}

	// A buffer holding other sessions at the same versions (another
	// tracker's) is overwritten, not trusted.
	other := NewTracker(TrackerConfig{Now: clock.now})
	for i := range 100 {
		other.HandleEvent(RecordingStateChangedEvent{UccName: "other", CorrelationId: trKey(i).CorrelationID, StateAction: ActionStop})
	}
	dst = other.Snapshot(dst)
	dst = tr.Snapshot(dst)
	same("over another tracker's snapshot", dst)
	// A shorter or longer buffer.
	same("into a short buffer", tr.Snapshot(dst[:3]))
	same("into a long buffer", tr.Snapshot(append(dst, dst...)))
}

// Times and states survive their packing: the clock's instants, a zero
// time for no action yet, out-of-range server states kept as the nearest
// 32-bit value.
func TestTrackerPackedFields(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	clock := &memClock{t: t0}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	k := trKey(1)
	tr.Watch(k)
	s := trSession(t, tr, k)
	if !s.FirstSeen.Equal(t0) || !s.StateSince.Equal(t0) || !s.LastActionAt.IsZero() || s.LastAction != 0 {
		t.Fatalf("watched session: %+v", s)
	}
	clock.add(1500 * time.Millisecond)
	tr.RecordAction(k, ActionMark, &StateResponse{RecordingState: 1 << 40, MarkingState: -7, SavingState: SavingSave}, nil)
	s = trSession(t, tr, k)
	if !s.LastActionAt.Equal(t0.Add(1500*time.Millisecond)) || s.LastAction != ActionMark || !s.FirstSeen.Equal(t0) {
		t.Fatalf("after an action: %+v", s)
	}
	if s.Recording != 1<<31-1 || s.Marking != -7 || s.Saving != SavingSave || !s.Confirmed {
		t.Fatalf("states: %v %v %v", s.Recording, s.Marking, s.Saving)
	}
	if got := fmt.Sprint(s.Key); got != fmt.Sprint(k) {
		t.Fatalf("key %s, want %s", got, k)
	}
}
