package akixipane

import (
	"os"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
	"github.com/recdeck/recdeck/ui/audit"
)

// memAudit is an Auditor keeping records in memory (audit.Log.Begin
// semantics through a real log in a temporary file would do too; this
// checks what the pane writes).
type memAudit struct {
	mu  sync.Mutex
	log *audit.Log
}

func (m *memAudit) Begin(r audit.Record) (*audit.Attempt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.log.Begin(r)
}

// TestAddedEntryShownAndSelected: after adding, the pane shows the page of
// the new entry's scope that holds it, with it selected (before, the list
// stayed where it was, the new entry often on another page or scope).
// Add, change and delete are audited as console actions of vendor akixi.
func TestAddedEntryShownAndSelected(t *testing.T) {
	path := t.TempDir() + "/audit.log"
	l, err := audit.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1"}, Audit: &memAudit{log: l}, Server: "http://akixi", Requester: "sup"},
		sim.Options{GeneratedEntries: 45})
	// Add to partition 2/Sales (45 entries: the new one is on page 3 of 20).
	h.d.Press("a")
	h.d.Press("tab")
	h.d.Type("Team Z recordings")
	h.d.Press("tab")
	h.clearField()
	h.d.Type("2")
	h.d.Press("tab")
	h.d.Type("Sales")
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if h.p.form != nil {
		t.Fatalf("form still open: %+v", h.p.form.err)
	}
	e, ok := h.p.selected()
	if !ok || e.Description != "Team Z recordings" || h.p.scope.PartIDInTelSys != "Sales" || h.p.offset != 40 {
		t.Fatalf("selected %+v in %s at offset %d", e, h.p.scope, h.p.offset)
	}
	h.wantView("▸ Team Z recordings", "page 3")
	// Delete it: audited too.
	h.d.Press("d", "y")
	f, err := openRead(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.Read(f)
	f.Close()
	recs = audit.Outcomes(recs) // each outcome's attempt came first: checked in cmd/recdeck's readAudit
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Vendor != "akixi" || recs[0].Source != "console" || recs[0].Action != "entry add" ||
		recs[0].Target != e.GUID || recs[0].Outcome != audit.OutcomeOK || recs[1].Action != "entry delete" || recs[1].Requester != "sup" {
		t.Fatalf("audit records: %+v", recs)
	}
	if strings.Contains(h.view(), "Team Z recordings") {
		t.Errorf("deleted entry still shown")
	}
}

func openRead(path string) (*os.File, error) { return os.Open(path) }
