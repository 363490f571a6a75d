package sessions

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

// Tests of issue 16's "rough edges": each failed before its fix.

// bareHarness is a pane in a frame over an empty fake store: the test
// adds sessions when it wants them to appear.
func bareHarness(t *testing.T, w, h int) *harness {
	t.Helper()
	clock := newClock()
	src := newSource(clock)
	api := &fakeAPI{src: src, denied: map[string]bool{}}
	aud := &fakeAudit{}
	cfg := Config{Source: src, API: api, Audit: aud, Requester: "sip:agent@domain.com", Profile: "test", Now: clock.Now}
	pane := guardedPane(t, cfg, src, clock)
	frame := ui.New(ui.Options{Server: "http://127.0.0.1:8080", APIVersion: "v1", Now: clock.Now, Tick: -1}, pane)
	hs := &harness{t: t, clock: clock, src: src, api: api, aud: aud, pane: pane, frame: frame}
	hs.d = &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	hs.d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.d.Exec(frame.Init())
	hs.tick()
	return hs
}

// tickUntil ticks (the pane pulls on ticks, spaced by its throttle) until
// the table lists n rows, for at most 2 s.
func tickUntil(h *harness, n int) {
	h.t.Helper()
	for end := time.Now().Add(2 * time.Second); len(h.pane.tbl.rows) != n; {
		if time.Now().After(end) {
			h.t.Fatalf("table lists %d rows, want %d", len(h.pane.tbl.rows), n)
		}
		time.Sleep(time.Millisecond)
		h.tick()
	}
}

// rowUCCs lists the table's rows by "ucc/shortid", top to bottom.
func rowUCCs(h *harness) []string {
	var out []string
	for _, r := range h.pane.tbl.rows {
		out = append(out, label(h.pane.tbl.snap[r].Key))
	}
	return out
}

func pressUntilSort(t *testing.T, h *harness, want string) {
	t.Helper()
	for i := 0; i < int(numCols)+1; i++ {
		if h.pane.tbl.sortDesc() == want {
			return
		}
		h.d.Press("o")
	}
	t.Fatalf("never sorted by %q (at %q)", want, h.pane.tbl.sortDesc())
}

// "time in state (ascending)" lists the shortest time first, as every other
// ascending column lists its smallest value first; O reverses it.
func TestSortTimeInStateAscendingIsShortestFirst(t *testing.T) {
	h := newHarness(t, 120, 24)
	pressUntilSort(t, h, "time in state (ascending)")
	got := strings.Join(rowUCCs(h), " ")
	want := "sales/2e7d7b69 ucc-demo-name/1d6c6a58 helpdesk/3f8e8c7a sales/4a9f9d8b" // 12s, 1m35s, 3m, 1h02m
	if got != want {
		t.Fatalf("ascending: %s\nwant %s", got, want)
	}
	h.d.Press("O")
	if got := strings.Join(rowUCCs(h), " "); got != "sales/4a9f9d8b helpdesk/3f8e8c7a ucc-demo-name/1d6c6a58 sales/2e7d7b69" {
		t.Fatalf("descending: %s", got)
	}
	if !strings.Contains(h.lastToast().Text, "time in state (descending)") {
		t.Fatalf("toast %q", h.lastToast().Text)
	}
}

// The sort indicator is whole on every column header, at every width.
func TestSortIndicatorIsNeverCut(t *testing.T) {
	for _, w := range []int{80, 100, 120} {
		h := newHarness(t, w, 24)
		for range numCols {
			col := h.pane.tbl.sortCol
			shown := false
			for _, c := range h.pane.tbl.cols {
				shown = shown || c == col
			}
			head := strings.Split(h.plain(), "\n")[3] // header 2, tabs 1, then the column titles
			for _, dir := range []string{"▲", "▼"} {
				if shown && !strings.Contains(head, colSpecs[col].title+dir) {
					t.Errorf("width %d, sorted by %s: header %q lacks %q", w, colSpecs[col].title, head, colSpecs[col].title+dir)
				}
				h.d.Press("O")
				head = strings.Split(h.plain(), "\n")[3]
			}
			h.d.Press("o")
		}
	}
}

// On start the cursor is on the first row of the sorted table, even when
// the first session seen sorts below others that arrive later; once the
// user has chosen a row, the cursor follows that session.
func TestCursorStartsOnFirstRow(t *testing.T) {
	h := bareHarness(t, 100, 20)
	h.src.add("zeta", id1, anywhere365.RecordingStarted, time.Minute)
	tickUntil(h, 1)
	h.src.add("alpha", id2, anywhere365.RecordingStarted, time.Minute)
	h.src.add("beta", id3, anywhere365.RecordingPaused, time.Minute)
	tickUntil(h, 3)
	if got := h.selected().UCC; got != "alpha" {
		t.Fatalf("cursor on %q, want the first row (alpha); rows %v", got, rowUCCs(h))
	}
	mustContain(t, h.plain(), "row 1 of 3")
	h.d.Press("j") // the user chooses beta
	h.src.add("aardvark", id4, anywhere365.RecordingStarted, time.Minute)
	tickUntil(h, 4)
	if got := h.selected().UCC; got != "beta" {
		t.Fatalf("after the user moved, cursor on %q, want beta", got)
	}
}
