package sessions

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui/audit"
)

func withCompliance(bell bool) harnessOpt {
	return func(c *Config) {
		c.Compliance = anywhere365.NewCompliance(anywhere365.Policies{})
		c.Bell = bell
	}
}

func (h *harness) bells() int {
	n := 0
	for _, m := range h.d.Seen {
		if r, ok := m.(tea.RawMsg); ok && r.Msg == "\a" {
			n++
		}
	}
	return n
}

// The standard scene has a call Stopped for an hour (not recording) and one
// paused for 12 s; 4 minutes later that pause is overdue. Rows carry the
// mark and the word, the header counts them, the bell rings once per new
// alert, and the alerts view lists them worst first.
func TestAlertsFlagsHeaderAndBell(t *testing.T) {
	h := newHarness(t, 120, 30, withCompliance(true))
	paused := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	stopped := anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}
	h.waitUntil("not recording flagged", func() bool { return strings.Contains(h.plain(), "✗ 1 not recording") })
	mustNotContain(t, h.plain(), "overdue")
	if got := lineWith(h.plain(), "4a9f9d8b"); !strings.Contains(got, "✗") || !strings.Contains(got, "unrecorded") {
		t.Fatalf("the stopped row lacks its mark and word: %q", got)
	}
	if h.bells() != 1 {
		t.Fatalf("%d bells for the first alert, want 1", h.bells())
	}
	h.clock.Advance(4 * time.Minute)
	h.waitUntil("overdue flagged", func() bool { return strings.Contains(h.plain(), "⚠ 1 overdue · ✗ 1 not recording") })
	if got := lineWith(h.plain(), "2e7d7b69"); !strings.Contains(got, "⚠") || !strings.Contains(got, "overdue") {
		t.Fatalf("the paused row lacks its mark and word: %q", got)
	}
	h.tick()
	h.tick()
	if h.bells() != 2 {
		t.Fatalf("%d bells after the second alert, want 2 (one per new alert)", h.bells())
	}

	h.d.Press("!")
	scr := h.plain()
	mustContain(t, scr, "Compliance alerts", "2 listed, worst first")
	over, notrec := strings.Index(scr, "⚠ overdue"), strings.Index(scr, "✗ not recording")
	if over < 0 || notrec < 0 || over > notrec {
		t.Fatalf("alerts not worst first:\n%s", scr)
	}
	mustContain(t, lineWith(scr, "⚠ overdue"), "4m12s", "paused since")

	// Acknowledge "not recording": it leaves the list, the row keeps its flag.
	h.d.Press("j", "c")
	mustContain(t, h.lastToast().Text, "Acknowledged: not recording on sales/4a9f9d8b")
	mustNotContain(t, h.plain(), "✗ not recording  ")
	mustContain(t, h.plain(), "1 listed")

	// Resume the overdue one through the usual action flow.
	h.d.Press("g", "s")
	calls := h.api.setCalls()
	if len(calls) != 1 || calls[0].Action != anywhere365.ActionStart || calls[0].CorrelationID != paused.CorrelationID {
		t.Fatalf("calls %+v", calls)
	}
	recs := h.aud.records()
	if last := recs[len(recs)-1]; last.Action != "Start" || last.Outcome != audit.OutcomeOK || last.Trigger != "" {
		t.Fatalf("audit %+v", last)
	}
	h.waitUntil("overdue resolved", func() bool { return !strings.Contains(h.plain(), "⚠") })
	mustContain(t, h.plain(), "Nothing flagged", "✗ 1 not recording") // acknowledged, not resolved
	h.d.Press("esc")
	if got := lineWith(h.plain(), stopped.CorrelationID[:8]); !strings.Contains(got, "unrecorded") {
		t.Fatalf("acknowledged flag left the row: %q", got)
	}
	h.d.Press("?")
	mustContain(t, h.plain(), "! compliance alerts", "c acknowledge alert", "R resume all overdue")
}

// R resumes every overdue pause after one confirmation.
func TestAlertsResumeAllOverdue(t *testing.T) {
	h := newHarness(t, 120, 30, withCompliance(false))
	a := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	b := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	c := anywhere365.SessionKey{UCC: "helpdesk", CorrelationID: id3}
	now := h.clock.Now()
	for _, k := range []anywhere365.SessionKey{b, c} {
		h.src.update(k, func(s *anywhere365.Session) { s.Recording, s.StateSince = anywhere365.RecordingPaused, now })
	}
	h.clock.Advance(5 * time.Minute)
	h.waitUntil("three overdue", func() bool { return strings.Contains(h.plain(), "⚠ 3 overdue") })
	if h.bells() != 0 {
		t.Fatal("the bell rang with bell off")
	}
	h.d.Press("!", "R")
	mustContain(t, h.plain(), "Resume the recording of 3 overdue call(s)?")
	h.d.Press("y")
	var started []string
	for _, call := range h.api.setCalls() {
		if call.Action == anywhere365.ActionStart {
			started = append(started, call.CorrelationID)
		}
	}
	if len(started) != 2 || !contains(started, a.CorrelationID) || !contains(started, b.CorrelationID) {
		t.Fatalf("resumed %v, want %s and %s (helpdesk forbids editing)", started, a.CorrelationID, b.CorrelationID)
	}
	mustContain(t, h.toastTexts(), "Resuming 2 overdue pause(s); not allowed on helpdesk/3f8e8c7a")
	var disabled int
	for _, r := range h.aud.records() {
		if r.Outcome == audit.OutcomeDisabled && r.CorrelationID == c.CorrelationID {
			disabled++
		}
	}
	if disabled != 1 {
		t.Fatal("the refused resume on helpdesk was not audited")
	}
	h.waitUntil("two resolved", func() bool { return strings.Contains(h.plain(), "⚠ 1 overdue") })
	mustContain(t, lineWith(h.plain(), "⚠ overdue"), "helpdesk")
}

// With EnforceMaxPause the console resumes an overdue pause itself, says
// so, and audits it as a policy resume.
func TestAlertsEnforcedPolicyResumes(t *testing.T) {
	h := newHarness(t, 120, 30, func(c *Config) {
		pol := anywhere365.DefaultPolicy()
		pol.EnforceMaxPause = true
		ps, _ := anywhere365.NewPolicies(pol, nil)
		c.Compliance = anywhere365.NewCompliance(ps) // the harness's guard applies its policies
	})
	k := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	h.clock.Advance(3 * time.Minute)
	h.waitUntil("policy resume", func() bool { st, ok := h.pane.cfg.Guard.Status(k); return ok && st.Resolved })
	mustContain(t, h.toastTexts(), "policy auto-resume: resumed sales/2e7d7b69 after 3m")
	var found bool
	for _, r := range h.aud.records() {
		if r.Trigger == anywhere365.TriggerPolicy && r.Outcome == audit.OutcomeOK && r.CorrelationID == id2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no policy resume in the audit: %+v", h.aud.records())
	}
	if s, _, _ := h.src.Session(k); s.Recording != anywhere365.RecordingStarted {
		t.Fatalf("state %v", s.Recording)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
