package voipnowpane

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

func typeText(h *harness, s string) {
	for _, r := range s {
		h.key(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// TestStopAsksAndSaysWhenNotRecording: stop on a view that is not
// recording says so and sends nothing; on a recording view it asks, n
// keeps recording. Start and stop are audited.
func TestStopAsksAndSaysWhenNotRecording(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h := newHarness(t, Options{Audit: l, Server: "https://pbx", Requester: "sup"})
	id := h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	h.selectCall(id)
	before := h.sim.Stats().APIRequests
	h.key(keyS)
	if toast := h.lastToast(); toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "is not being recorded: nothing to stop") {
		t.Fatalf("toast %+v", toast)
	}
	if h.p.Capturing() || h.sim.Stats().APIRequests != before {
		t.Fatal("a stop was asked or sent for a view not recording")
	}
	h.key(keyR, keyEnter)
	h.lastToast()
	h.key(keyS)
	h.key(tea.KeyPressMsg{Code: 'n', Text: "n"})
	if toast := h.lastToast(); !strings.Contains(toast.Text, "cancelled, nothing was sent") {
		t.Fatalf("toast %+v", toast)
	}
	if r := h.p.selected(); r == nil || !r.view.IsRecording() {
		t.Fatal("n stopped the recording")
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.Read(f)
	f.Close()
	recs = audit.Outcomes(recs) // each outcome's attempt came first: checked in cmd/recdeck's readAudit
	if err != nil || len(recs) != 1 || recs[0].Vendor != "voipnow" || recs[0].Action != "recording start" || recs[0].State != "recording" ||
		recs[0].Source != "console" || !strings.HasPrefix(recs[0].Target, id+"/") {
		t.Fatalf("audit %+v %v", recs, err)
	}
}

// TestFilterScopeAndMarker: / narrows the rows by extension, caller or
// number; u switches the user/extension listed; the selected row carries
// a ▸ marker.
func TestFilterScopeAndMarker(t *testing.T) {
	h := newHarness(t, Options{UserID: voipnow.UserOwner})
	h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "0722111222", time.Second, 0)
	h.sim.AddCall(sim.ExtSupport, voipnow.FlowIncoming, "0733999888", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	if !strings.Contains(h.p.View(), "▸ ") {
		t.Fatalf("no ▸ on the selected row:\n%s", h.p.View())
	}
	h.key(tea.KeyPressMsg{Code: '/', Text: "/"})
	typeText(h, "0733")
	h.key(keyEnter)
	view := h.p.View()
	if !strings.Contains(view, sim.ExtSupport) || strings.Contains(view, sim.ExtSales) || !strings.Contains(view, `filter "0733": 1 shown`) {
		t.Fatalf("filter:\n%s", view)
	}
	if r := h.p.selected(); r == nil || r.view.Extension != sim.ExtSupport {
		t.Fatalf("selected %+v", r)
	}
	h.key(tea.KeyPressMsg{Code: '/', Text: "/"}, keyEsc) // esc clears it
	if strings.Contains(h.p.View(), "filter") || !strings.Contains(h.p.View(), sim.ExtSales) {
		t.Fatalf("filter not cleared:\n%s", h.p.View())
	}
	h.key(tea.KeyPressMsg{Code: 'u', Text: "u"})
	h.key(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	typeText(h, "@owner/"+sim.ExtSales)
	h.key(keyEnter)
	view = h.p.View()
	if !strings.Contains(view, "@owner/"+sim.ExtSales) || strings.Contains(view, sim.ExtSupport) || !strings.Contains(view, sim.ExtSales) {
		t.Fatalf("scope:\n%s", view)
	}
}

// TestPaneSaysShowingNOfMAndPages: a list cut by the pane's own limit says
// "showing N of M" and ] reads the next calls.
func TestPaneSaysShowingNOfMAndPages(t *testing.T) {
	h := newHarness(t, Options{UserID: voipnow.UserOwner, MaxCalls: 3})
	for range 4 {
		h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	h.clock.Add(5 * time.Second)
	h.init()
	if view := h.p.View(); !strings.Contains(view, "showing 3 of 5 calls (] next)") {
		t.Fatalf("view:\n%s", view)
	}
	h.key(tea.KeyPressMsg{Code: ']', Text: "]"})
	if view := h.p.View(); !strings.Contains(view, "showing 4-5 of 5 calls") || countCalls(h.p.rows) != 2 {
		t.Fatalf("next calls:\n%s", view)
	}
	h.key(tea.KeyPressMsg{Code: '[', Text: "["})
	if view := h.p.View(); !strings.Contains(view, "showing 3 of 5 calls") {
		t.Fatalf("previous calls:\n%s", view)
	}
}
