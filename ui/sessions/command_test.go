package sessions

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/ui"
)

// command types a command line and runs it.
func (h *harness) command(line string) {
	h.t.Helper()
	h.d.Press(":")
	h.d.Type(line)
	h.d.Press("enter")
}

// Tab completes the command name, then its argument; the candidates show
// when several fit.
func TestCommandCompletion(t *testing.T) {
	h := newHarness(t, 120, 24)
	h.d.Press(":")
	if !h.pane.Capturing() {
		t.Fatal(": does not open the command line")
	}
	mustContain(t, h.plain(), "sort COLUMN", "goto ID", "export FILE")
	h.d.Type("so")
	h.d.Press("tab")
	if got := h.pane.prompt.Raw(); got != "sort " {
		t.Fatalf("after so<tab>: %q", got)
	}
	h.d.Type("a")
	h.d.Press("tab")
	if got := h.pane.prompt.Raw(); got != "sort age " {
		t.Fatalf("after sort a<tab>: %q", got)
	}
	h.d.Press("enter")
	if h.pane.Capturing() || h.pane.tbl.sortDesc() != "time in state (ascending)" {
		t.Fatalf("sort: %q", h.pane.tbl.sortDesc())
	}
	h.d.Press(":")
	h.d.Type("theme ")
	h.d.Press("tab")
	mustContain(t, h.plain(), "tab: dark · light · high-contrast · colorblind")
	h.d.Type("hi")
	h.d.Press("tab", "enter")
	if got := h.frame.Theme().Name; got != "high-contrast" {
		t.Fatalf("theme %s", got)
	}
	h.d.Press(":", "esc")
	if h.pane.Capturing() {
		t.Fatal("esc does not close the command line")
	}
}

// :sort, :filter, :goto through Update/View.
func TestCommandsSortFilterGoto(t *testing.T) {
	h := newHarness(t, 120, 24)
	h.command("sort recording desc")
	if h.pane.tbl.sortDesc() != "recording state (descending)" {
		t.Fatalf("sort %q", h.pane.tbl.sortDesc())
	}
	mustContain(t, h.plain(), "RECORDING▼")
	h.command("sort nonsense")
	mustContain(t, h.lastToast().Text, "Unknown column nonsense")
	h.command("filter sales")
	if len(h.pane.tbl.rows) != 2 {
		t.Fatalf("filter: %d rows", len(h.pane.tbl.rows))
	}
	// goto a session hidden by the filter clears it and lands there.
	h.command("goto 3F8E")
	if got := h.selected(); got.CorrelationID != id3 || h.pane.tbl.filter != "" {
		t.Fatalf("goto: on %v, filter %q", got, h.pane.tbl.filter)
	}
	if l := lineWith(h.plain(), shortID(id3)); !strings.HasPrefix(l, selPointer) {
		t.Fatalf("the row is not marked selected: %q", l)
	}
	h.command("goto sales/4a9f")
	if got := h.selected(); got.CorrelationID != id4 {
		t.Fatalf("goto ucc/id: on %v", got)
	}
	h.command("goto ffff")
	mustContain(t, h.lastToast().Text, "No session's id starts with ffff")
	h.command("frobnicate")
	mustContain(t, h.lastToast().Text, "Unknown command :frobnicate")
}

// :export writes the table as shown (filtered, sorted) as CSV or JSON by
// extension, and never overwrites a file.
func TestCommandExport(t *testing.T) {
	h := newHarness(t, 120, 24)
	dir := t.TempDir()
	h.command("filter sales")
	h.command("sort age")
	csvFile := filepath.Join(dir, "t.csv")
	h.command("export " + csvFile)
	if tt := h.lastToast(); tt.Level != ui.ToastSuccess || tt.Text != "Exported 2 sessions to "+csvFile {
		t.Fatalf("toast %+v", tt)
	}
	f, err := os.Open(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 3 || recs[0][0] != "ucc" || recs[1][1] != id2 || recs[2][1] != id4 || recs[1][2] != "Paused" {
		t.Fatalf("csv %v %v", recs, err)
	}
	jsonFile := filepath.Join(dir, "t.json")
	h.command("export " + jsonFile)
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var rows []exportRow
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) != 2 || rows[0].CorrelationID != id2 || rows[1].Recording != "Stopped" {
		t.Fatalf("json %s %v", b, err)
	}
	h.command("export " + csvFile)
	if tt := h.lastToast(); tt.Level != ui.ToastError || !strings.Contains(tt.Text, "exists") {
		t.Fatalf("overwrite: %+v", tt)
	}
	h.command("export report.txt")
	mustContain(t, h.lastToast().Text, ".csv or .json")
}
