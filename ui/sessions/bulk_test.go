package sessions

import (
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui/audit"
)

// V picks rows (✓ in the row, without colour); an action then applies to
// every picked session after one confirmation, with one outcome toast and
// one audit record per session; a disabled UCC is refused and audited,
// and a Stopped recording is left out of a bulk stop.
func TestBulkActionOnPickedRows(t *testing.T) {
	h := newHarness(t, 120, 24)
	demo := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	paused := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	help := anywhere365.SessionKey{UCC: "helpdesk", CorrelationID: id3}
	stopped := anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}
	for _, k := range []anywhere365.SessionKey{demo, paused, help, stopped} {
		h.selectKey(k)
		h.d.Press("V")
	}
	for _, k := range []anywhere365.SessionKey{demo, paused, help, stopped} {
		if l := lineWith(h.plain(), shortID(k.CorrelationID)); !strings.Contains(l, markPicked) {
			t.Fatalf("%v not marked picked: %q", k, l)
		}
	}
	mustContain(t, h.plain(), "4 sessions picked")
	h.d.Press("x")
	mustContain(t, h.plain(), "Stop 3 sessions (left out: sales/4a9f9d8b (already stopped))?")
	if len(h.api.setCalls()) != 0 {
		t.Fatal("sent before the confirmation")
	}
	h.d.Press("y")
	calls := h.api.setCalls()
	if len(calls) != 2 { // helpdesk is refused before sending
		t.Fatalf("sent %d requests: %+v", len(calls), calls)
	}
	toasts := h.toastTexts()
	for _, want := range []string{"Stop sent for 3 sessions", "Stopped ucc-demo-name/1d6c6a58 (now Stopped)",
		"Stopped sales/2e7d7b69 (now Stopped)", "Stop helpdesk/3f8e8c7a is disabled"} {
		if !strings.Contains(toasts, want) {
			t.Errorf("toasts lack %q:\n%s", want, toasts)
		}
	}
	perSession := map[string]int{}
	for _, r := range h.aud.records() {
		if r.Action == "Stop" && r.Phase != audit.PhaseAttempt {
			perSession[r.UCC+"/"+r.CorrelationID]++
		}
	}
	if len(perSession) != 3 || perSession["sales/"+id4] != 0 {
		t.Fatalf("audit outcomes per session: %v", perSession)
	}
	for k, n := range perSession {
		if n != 1 {
			t.Errorf("%s audited %d times", k, n)
		}
	}
	if len(h.pane.picked) != 0 || strings.Contains(h.plain(), "picked") {
		t.Fatal("picks not cleared after the action")
	}
	// esc clears picks; with none, an action is for the selected row again.
	h.selectKey(demo)
	h.d.Press("V", "esc")
	if len(h.pane.picked) != 0 {
		t.Fatal("esc did not clear the picks")
	}
}
