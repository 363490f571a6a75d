package akixipane

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

// The delete question and the footer name the same keys in the same words;
// the selected row is marked with ▸ as in every pane (it shows without
// colour: these styles have none).
func TestDeletePromptAndFooterAgree(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}}, sim.Options{})
	h.selectGUID(sim.SeedListGUID1)
	var sel []string
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.HasPrefix(l, "▸ ") {
			sel = append(sel, l)
		}
	}
	if len(sel) != 1 || !strings.Contains(sel[0], "Dubber demo simulator 1") {
		t.Fatalf("rows marked ▸: %q\n%s", sel, h.view())
	}
	h.d.Press("d")
	footer := ansi.Strip(help.New().ShortHelpView(h.p.KeyMap().ShortHelp()))
	view := h.view()
	for _, want := range []string{"y delete", "any other key keep it"} {
		if !strings.Contains(footer, want) || !strings.Contains(view, want) {
			t.Errorf("%q: footer %q, question:\n%s", want, footer, view)
		}
	}
	h.d.Press("x") // any other key keeps it
	if _, ok := h.sim.Entry(sim.SeedListGUID1); !ok || h.p.Capturing() {
		t.Fatal("another key did not keep the entry")
	}
}
