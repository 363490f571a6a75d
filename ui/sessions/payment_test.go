package sessions

import (
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui/audit"
)

// waitUntil polls cond (the guard works on its own goroutine) with a tick
// between polls, so the screen follows.
func (h *harness) waitUntil(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.plain())
		}
		time.Sleep(2 * time.Millisecond)
		h.tick()
	}
	h.tick()
}

func (h *harness) starts() int {
	n := 0
	for _, c := range h.api.setCalls() {
		if c.Action == anywhere365.ActionStart {
			n++
		}
	}
	return n
}

// The countdown counts from the pause, survives esc and P again, and the
// guard resumes at the maximum even with payment mode closed; the resume
// is audited as payment mode's.
func TestPaymentModeCountdownSurvivesEscAndP(t *testing.T) {
	h := newHarness(t, 100, 30)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("P")
	mustContain(t, h.plain(), "PAYMENT MODE", id1, "hub ● connected · REST ✓ state confirmed", "space pause / resume")
	h.d.Press("q")
	if h.d.Quit {
		t.Fatal("q must not quit in payment mode")
	}
	mustContain(t, h.lastToast().Text, "press esc to leave it first")

	h.d.Press("space")
	if calls := h.api.setCalls(); len(calls) != 1 || calls[0].Action != anywhere365.ActionPause {
		t.Fatalf("space should pause: %+v", calls)
	}
	h.waitUntil("the guard holds the pause", func() bool { st, ok := h.pane.cfg.Guard.Status(k); return ok && !st.Resolved })
	mustContain(t, h.plain(), "Recording resumes automatically in 3:00", "last: ✓ Paused ucc-demo-name/1d6c6a58")

	h.clock.Advance(151 * time.Second)
	h.tick()
	mustContain(t, h.plain(), "⚠ Recording resumes automatically in 0:29 – finish the payment or press space")

	// esc: the pause keeps its deadline.
	h.d.Press("esc")
	mustContain(t, h.lastToast().Text, "Left payment mode: the pause still resumes automatically in 0:29")
	// P again on the same call: the countdown goes on, it does not restart.
	h.d.Press("P")
	h.tick()
	mustContain(t, h.plain(), "resumes automatically in 0:29")
	mustNotContain(t, h.plain(), "in 3:00")
	h.d.Press("esc")
	if h.starts() != 0 {
		t.Fatal("nothing is sent before the maximum")
	}

	h.clock.Advance(29 * time.Second)
	h.waitUntil("the automatic resume", func() bool {
		st, _ := h.pane.cfg.Guard.Status(k)
		return st.Resolved
	})
	if h.starts() != 1 {
		t.Fatalf("%d Starts sent, want 1", h.starts())
	}
	mustContain(t, h.toastTexts(), "payment-mode auto-resume: resumed ucc-demo-name/1d6c6a58 after 3m00s paused")
	recs := h.aud.records()
	last := recs[len(recs)-1]
	if last.Trigger != anywhere365.TriggerPaymentMode || last.Action != "Start" || last.Outcome != audit.OutcomeOK ||
		last.Requester != "sip:agent@domain.com" || last.Source != "console" {
		t.Fatalf("audit %+v", last)
	}
	// Once per pause.
	h.clock.Advance(time.Hour)
	time.Sleep(20 * time.Millisecond)
	h.tick()
	if h.starts() != 1 {
		t.Fatal("the automatic resume fired again")
	}
	// The detail view says who acted.
	h.selectKey(k)
	h.d.Press("enter")
	mustContain(t, h.plain(), "Start   → ● Started  ✓ ok  by recdeck (payment-mode auto-resume)", "Pause   → ‖ Paused  ✓ ok  by sip:agent@domain.com")
}

// A failed automatic resume is retried, and the countdown says so.
func TestPaymentModeRetriesAFailedResume(t *testing.T) {
	h := newHarness(t, 100, 30)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("P", "space")
	h.waitUntil("the guard holds the pause", func() bool { _, ok := h.pane.cfg.Guard.Status(k); return ok })
	h.api.mu.Lock()
	h.api.failSet = &anywhere365.ResponseError{Status: 500, Reason: "unexpected response", Excerpt: "Internal Server Error"}
	h.api.mu.Unlock()
	h.clock.Advance(3 * time.Minute)
	h.waitUntil("a failed attempt", func() bool { st, _ := h.pane.cfg.Guard.Status(k); return st.LastError != "" })
	mustContain(t, h.plain(), "✗ automatic resume failed (HTTP 500), retrying in")
	mustContain(t, h.toastTexts(), "payment-mode auto-resume of ucc-demo-name/1d6c6a58 failed (HTTP 500): retrying")
	h.clock.Advance(time.Second)
	h.waitUntil("a second failed attempt", func() bool {
		st, _ := h.pane.cfg.Guard.Status(k)
		return st.Attempts >= 2 && !st.InFlight && st.LastError != ""
	})

	h.api.mu.Lock()
	h.api.failSet = nil
	h.api.mu.Unlock()
	h.clock.Advance(anywhere365.DefaultGuardRetryMax)
	h.waitUntil("resumed", func() bool { st, _ := h.pane.cfg.Guard.Status(k); return st.Resolved })
	s, _, _ := h.src.Session(k)
	if s.Recording != anywhere365.RecordingStarted {
		t.Fatalf("state %v after the retry", s.Recording)
	}
	mustContain(t, h.plain(), "● Started  (confirmed by the server)", "✓ resumed automatically")
	var failed, ok int
	for _, r := range h.aud.records() {
		if r.Trigger == anywhere365.TriggerPaymentMode {
			switch r.Outcome {
			case audit.OutcomeOK:
				ok++
			default:
				failed++
			}
		}
	}
	if ok != 1 || failed < 2 {
		t.Fatalf("audit: %d ok, %d failed automatic resumes", ok, failed)
	}
}

// q and ctrl+c ask while a payment pause is under way: n stays, y resumes
// and then quits; a second ctrl+c while asked quits.
func TestPaymentModeQuitAsksAndResumes(t *testing.T) {
	h := newHarness(t, 100, 30)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("P", "space")
	h.waitUntil("the guard holds the pause", func() bool { _, ok := h.pane.cfg.Guard.Status(k); return ok })
	h.d.Press("esc") // even outside payment mode
	h.d.Press("ctrl+c")
	if h.d.Quit {
		t.Fatal("ctrl+c quit with a payment pause under way")
	}
	mustContain(t, h.plain(), "A payment pause is under way on ucc-demo-name/1d6c6a58: resume the recording, then quit?")
	h.d.Press("n")
	if h.d.Quit {
		t.Fatal("n quit")
	}
	mustContain(t, h.lastToast().Text, "Quit cancelled: the payment pause goes on")
	if h.starts() != 0 {
		t.Fatal("n resumed")
	}
	// A second ctrl+c while asked quits (the exit path resumes).
	h.d.Press("q")
	h.d.Press("ctrl+c")
	if !h.d.Quit {
		t.Fatal("a second ctrl+c while asked must quit")
	}
	h.d.Quit = false
	h.d.Press("esc")

	h.d.Press("q")
	mustContain(t, h.plain(), "resume the recording, then quit?")
	h.d.Press("y")
	if !h.d.Quit {
		t.Fatalf("y did not quit; toasts:\n%s", h.toastTexts())
	}
	if h.starts() != 1 {
		t.Fatalf("%d Starts, want 1", h.starts())
	}
	if s, _, _ := h.src.Session(k); s.Recording != anywhere365.RecordingStarted {
		t.Fatalf("state %v after quitting", s.Recording)
	}
}

// Payment mode refuses a call whose UCC forbids editing, saying why.
func TestPaymentModeRefusesAForbiddenUCC(t *testing.T) {
	h := newHarness(t, 100, 30)
	h.selectKey(anywhere365.SessionKey{UCC: "helpdesk", CorrelationID: id3})
	h.d.Press("P")
	if h.pane.mode == modePayment {
		t.Fatal("payment mode opened on a UCC that forbids editing")
	}
	mustContain(t, h.lastToast().Text, "Payment mode refused on helpdesk/3f8e8c7a: agents cannot edit recordings on UCC helpdesk (AgentCanEditRecordings is false)")
}

// A call that ends while paused says so, with no countdown; the health
// line follows the hub.
func TestPaymentModeCallEndedWhilePaused(t *testing.T) {
	h := newHarness(t, 100, 30, withCompliance(false))
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("P", "space")
	h.waitUntil("the guard holds the pause", func() bool { _, ok := h.pane.cfg.Guard.Status(k); return ok })
	h.src.mu.Lock()
	h.src.conn = anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 3}
	h.src.mu.Unlock()
	h.src.update(k, func(s *anywhere365.Session) { s.Gone = true })
	h.waitUntil("resolved as ended", func() bool { st, _ := h.pane.cfg.Guard.Status(k); return st.Resolved })
	scr := h.plain()
	mustContain(t, scr, "the call ended while paused: its last part was not recorded", "hub ↻ reconnecting (attempt 3)")
	mustNotContain(t, scr, "resumes automatically")
	if h.starts() != 0 {
		t.Fatal("a resume was sent for an ended call")
	}
	h.d.Press("space")
	mustContain(t, h.lastToast().Text, "the call has ended")
	if strings.Count(h.toastTexts(), "ended while paused") == 0 {
		t.Fatalf("no toast about the ended call:\n%s", h.toastTexts())
	}
	// The evidence: one CallEnded record, however many ticks follow.
	h.waitUntil("the ended call audited", func() bool {
		for _, r := range h.aud.records() {
			if r.Action == audit.ActionCallEnded && r.CorrelationID == id1 && r.State == "Paused" {
				return true
			}
		}
		return false
	})
	h.tick()
	h.tick()
	n := 0
	for _, r := range h.aud.records() {
		if r.Action == audit.ActionCallEnded {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d CallEnded records, want 1", n)
	}
}
