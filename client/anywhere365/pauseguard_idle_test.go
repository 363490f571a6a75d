package anywhere365

import (
	"context"
	"testing"
	"time"
)

// The guard polls at Poll only while something is timed, and at IdlePoll
// otherwise (issue 15: an idle console is not woken four times a second).
// step reports which; these cases pin what counts as timed, so a deadline
// or a clock-driven flag never waits for the slow poll.
func TestGuardPollsFastOnlyWhileTimed(t *testing.T) {
	clock := &memClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	pol := Policy{MaxPause: 10 * time.Second, StartGrace: 15 * time.Second, RecordsByDefault: true}
	ps := Policies{Default: pol, set: true}
	comp := NewCompliance(ps)
	g := NewPauseGuard(GuardConfig{Source: tr, Policies: ps, Compliance: comp, Now: clock.now})
	if g.cfg.Poll != DefaultGuardPoll || g.cfg.IdlePoll != time.Second {
		t.Fatalf("default polls %v / %v, want %v / 1s", g.cfg.Poll, g.cfg.IdlePoll, DefaultGuardPoll)
	}
	step := func(want bool, what string) {
		t.Helper()
		if got := g.step(); got != want {
			t.Fatalf("%s: timed %v, want %v", what, got, want)
		}
	}
	flagged := func(k SessionKey, kind FlagKind) bool {
		for _, a := range comp.Alerts(clock.now()) {
			if a.Key == k && a.Kind == kind && a.Active {
				return true
			}
		}
		return false
	}

	step(false, "no sessions")
	for i := range 40 {
		tr.HandleEvent(trEvent(trKey(i), ActionStart))
	}
	step(false, "40 calls recording")

	// A call whose recorder has not started: timed until it is flagged.
	tr.Watch(trKey(40))
	step(true, "a call within its start grace")
	clock.add(16 * time.Second)
	step(false, "the call past its start grace")
	if !flagged(trKey(40), FlagNotRecording) {
		t.Fatal("the call past its start grace is not flagged")
	}
	tr.HandleEvent(trEvent(trKey(40), ActionStart))
	step(false, "every call recording")

	// A pause (not enforced, not armed): timed until it is overdue.
	tr.HandleEvent(trEvent(trKey(1), ActionPause))
	step(true, "a pause within its maximum")
	clock.add(11 * time.Second)
	step(false, "a pause past its maximum, flagged")
	if !flagged(trKey(1), FlagOverdue) {
		t.Fatal("the overdue pause is not flagged")
	}
	tr.HandleEvent(trEvent(trKey(1), ActionStart))
	step(false, "every call recording again")

	// Payment mode: armed, then a pause the guard holds open.
	g.Arm(trKey(2))
	step(true, "an armed session")
	tr.HandleEvent(trEvent(trKey(2), ActionPause))
	step(true, "an armed session paused")
	if st, ok := g.Status(trKey(2)); !ok || st.Resolved || !st.Payment {
		t.Fatalf("the payment pause is not guarded: %+v %v", st, ok)
	}
	g.Disarm(trKey(2)) // leaving payment mode keeps the pause's deadline
	clock.add(time.Minute)
	step(true, "an open payment pause past its deadline (no Run: nothing sent)")
}

// An armed pause is opened the moment Status looks, from the store's
// state, whoever else is armed: a caller that looks before the store can
// learn anything newer (recdeck pci, before its tracker runs) is sure the
// guard follows the pause, so a call that ends at once resolves it as
// ended. (Had the store learned the end first, the guard would have had no
// pause to follow, and pci waited for ever.)
func TestGuardStatusOpensAnArmedPauseAtOnce(t *testing.T) {
	clock := &memClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(TrackerConfig{Now: clock.now})
	ps := Policies{Default: Policy{MaxPause: time.Minute}, set: true}
	g := NewPauseGuard(GuardConfig{Source: tr, Policies: ps, Now: clock.now})
	paused := func(k SessionKey) {
		tr.RecordAction(k, ActionPause, &StateResponse{CorrelationId: k.CorrelationID, UCCName: k.UCC, RecordingState: RecordingPaused}, nil)
	}
	ended := func(k SessionKey) {
		msg := "No Audio session with correlation Id:'" + k.CorrelationID + "' was found."
		tr.RecordAction(k, ActionStart, &StateResponse{ErrorMessage: &ErrorMessage{ErrorType: ErrorValidation, Message: msg}},
			&APIError{Type: ErrorValidation, Message: msg})
	}
	looked, other := trKey(1), trKey(2)
	for _, k := range []SessionKey{looked, other} {
		paused(k)
		g.Arm(k)
	}
	if st, ok := g.Status(looked); !ok || st.Resolved {
		t.Fatalf("Status of an armed pause: %+v, %v; want it open", st, ok)
	}
	ended(looked)
	g.step()
	if st, ok := g.Status(looked); !ok || st.Outcome != PauseCallEnded {
		t.Fatalf("the looked-at pause after the call ended: %+v, %v", st, ok)
	}
	if st, ok := g.Status(other); !ok || st.Resolved {
		t.Fatalf("the other armed pause: %+v, %v; want it open", st, ok)
	}
}

// Sending and WaitSent: only a payment-armed key's pause is waited for;
// WaitSent returns the keys on their way when it was called, once their
// requests are over (or when ctx ends first).
func TestGuardWaitsForPaymentPausesOnTheirWay(t *testing.T) {
	tr := NewTracker(TrackerConfig{})
	g := NewPauseGuard(GuardConfig{Source: tr})
	armed, plain := trKey(1), trKey(2)
	g.Arm(armed)
	g.Sending(plain)() // not armed: nothing to wait for
	if keys := g.WaitSent(context.Background()); keys != nil {
		t.Fatalf("waited for %v with nothing on its way", keys)
	}
	done := g.Sending(armed)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if keys := g.WaitSent(ctx); len(keys) != 1 || keys[0] != armed || ctx.Err() == nil {
		t.Fatalf("WaitSent = %v before the request was over (ctx %v)", keys, ctx.Err())
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		done()
		done() // twice is once
	}()
	if keys := g.WaitSent(context.Background()); len(keys) != 1 || keys[0] != armed {
		t.Fatalf("WaitSent = %v", keys)
	}
	if keys := g.WaitSent(context.Background()); keys != nil {
		t.Fatalf("%v still on its way after its request was over", keys)
	}
}
