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

func (h *harness) setConn(cs anywhere365.ConnState) {
	h.src.mu.Lock()
	h.src.conn = cs
	h.src.mu.Unlock()
	h.tick()
}

// statusLine is the header's second line, without styling.
func statusLine(h *harness) string { return strings.Split(h.plain(), "\n")[1] }

// At 120 columns the status line keeps the ended and unconfirmed counts;
// one session is "1 session".
func TestStatusLineKeepsCountsAt120(t *testing.T) {
	for _, w := range []int{120, 100} {
		h := newHarness(t, w, 24)
		h.src.update(anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}, func(s *anywhere365.Session) { s.Gone = true })
		h.src.update(anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}, func(s *anywhere365.Session) { s.Confirmed = false })
		tickUntil(h, 4)
		for i := 0; i < 50 && h.pane.tbl.gone == 0; i++ {
			time.Sleep(time.Millisecond)
			h.tick()
		}
		mustContain(t, statusLine(h), "4 sessions, 1 ended, 1 unconfirmed")
		if w == 120 {
			mustContain(t, statusLine(h), "● Started 2") // the long form
		}
	}
	h := bareHarness(t, 120, 24)
	h.src.add("sales", id1, anywhere365.RecordingStarted, time.Minute)
	tickUntil(h, 1)
	if l := statusLine(h); !strings.Contains(l, "1 session") || strings.Contains(l, "1 sessions") {
		t.Fatalf("status line %q", l)
	}
}

// Hub errors are shown as a short human reason, cut on a word boundary;
// the toast keeps the detail without Go type names.
func TestHubErrorIsAHumanReason(t *testing.T) {
	cases := []struct{ err, want string }{
		{"connection lost: *signalr.webSocketConnection: failed to get reader: failed to read frame header: EOF", "connection lost"},
		{"POST http://127.0.0.1:8080/attendantservice/hubs/recording/negotiate?negotiateVersion=1 -> 503 Service Unavailable (the server said: down for maintenance)", "negotiate refused (HTTP 503)"},
		{`Post "http://127.0.0.1:1/attendantservice/hubs/recording/negotiate?negotiateVersion=1": dial tcp 127.0.0.1:1: connect: connection refused`, "connection refused"},
	}
	for _, w := range []int{120, 80} {
		h := newHarness(t, w, 24)
		for i, c := range cases {
			h.setConn(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: i + 1, LastError: c.err})
			l := statusLine(h)
			if !strings.Contains(l, c.want) || strings.Contains(l, "signalr") || strings.Contains(l, "*") || strings.Contains(l, "http://") {
				t.Errorf("width %d: status line %q, want %q and no internals", w, l, c.want)
			}
			tt := h.lastToast().Text
			if !strings.HasPrefix(tt, "Hub: "+c.want) || strings.Contains(tt, "*signalr") {
				t.Errorf("toast %q", tt)
			}
		}
	}
	// A reason it does not know is cut on a word boundary, with "…".
	h := newHarness(t, 80, 24)
	h.setConn(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 1,
		LastError: "the gateway answered something unusual about maintenance windows tonight"})
	l := strings.TrimRight(statusLine(h), " ")
	if !strings.HasSuffix(l, "…") {
		t.Fatalf("status line not cut with …: %q", l)
	}
	last := strings.Fields(strings.TrimSuffix(l, "…"))
	if w := last[len(last)-1]; !strings.Contains(" the gateway answered something unusual about maintenance windows tonight ", " "+w+" ") {
		t.Fatalf("cut mid-word (%q): %q", w, l)
	}
}

// A toast names the state the action changed: marking for m and u, saving
// for v and d, the recording state for the others.
func TestToastNamesTheStateTheActionChanged(t *testing.T) {
	h := newHarness(t, 120, 24)
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	for _, c := range []struct {
		keys []string
		want string
	}{
		{[]string{"m"}, "Marked ucc-demo-name/1d6c6a58 (now Mark)"},
		{[]string{"u"}, "Unmarked ucc-demo-name/1d6c6a58 (now Unmark)"},
		{[]string{"v"}, "Saved ucc-demo-name/1d6c6a58 (now Save)"},
		{[]string{"d", "y"}, "Deleted ucc-demo-name/1d6c6a58 (now Delete)"},
		{[]string{"p"}, "Paused ucc-demo-name/1d6c6a58 (now Paused)"},
	} {
		h.d.Press(c.keys...)
		if got := h.lastToast().Text; got != c.want {
			t.Errorf("%v: toast %q, want %q", c.keys, got, c.want)
		}
	}
}

// L opens the message log: every recent toast whole (even one far wider
// than the screen), newest first, scrollable; esc closes it. The key is in
// the footer and the help.
func TestMessageLogShowsToastsWhole(t *testing.T) {
	h := newHarness(t, 80, 24)
	mustContain(t, h.plain(), "L log")
	h.d.Press("?")
	mustContain(t, h.plain(), "L", "log")
	h.d.Press("esc")
	long := "Validation: " + strings.Repeat("the server explains at length why ", 6) + "END-OF-REASON"
	h.d.Send(ui.ToastMsg{Level: ui.ToastError, Text: long})
	for i := 0; i < 30; i++ {
		h.d.Send(ui.ToastMsg{Level: ui.ToastInfo, Text: "filler " + string(rune('a'+i%26))})
	}
	toastLine := strings.Split(h.plain(), "\n")[22]
	mustContain(t, toastLine, "more: L")
	h.d.Press("L")
	scr := h.plain()
	mustContain(t, scr, "Messages", "newest first")
	lines := strings.Split(scr, "\n")
	// The frame's cached tabs and footer follow the log opening.
	mustContain(t, lines[2], "Messages")
	mustContain(t, lines[len(lines)-1], "or esc: close")
	if !strings.Contains(lines[4], "filler") || !strings.Contains(lines[4], "filler "+string(rune('a'+29%26))) {
		t.Fatalf("newest first: %q", lines[4])
	}
	for i := 0; i < 60 && !strings.Contains(h.plain(), "END-OF-REASON"); i++ {
		h.d.Press("j")
	}
	scr = h.plain()
	if !strings.Contains(scr, "END-OF-REASON") || !strings.Contains(scr, "Validation: the server explains") {
		t.Fatalf("the long reason is not readable whole:\n%s", scr)
	}
	joined := strings.Join(strings.Fields(scr), " ")
	if !strings.Contains(joined, strings.Join(strings.Fields(long), " ")) {
		t.Fatalf("the long reason is cut:\n%s", scr)
	}
	h.d.Press("p") // keys other than scroll and close do nothing here
	if len(h.api.setCalls()) != 0 {
		t.Fatal("a pane key acted while the log was open")
	}
	h.d.Press("esc")
	mustContain(t, h.plain(), "UCC▲")
}

// x on a Stopped recording says at once that it is already stopped: no
// question, no request, no audit record.
func TestStopOnStoppedSaysSoAtOnce(t *testing.T) {
	h := newHarness(t, 120, 24)
	h.selectKey(anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}) // Stopped
	h.d.Press("x")
	if h.pane.Capturing() {
		t.Fatal("x on a Stopped recording asks to confirm")
	}
	if got := h.lastToast().Text; !strings.Contains(got, "already stopped") {
		t.Fatalf("toast %q", got)
	}
	if len(h.api.setCalls()) != 0 || len(h.aud.all()) != 0 {
		t.Fatalf("sent %v, audited %v", h.api.setCalls(), h.aud.all())
	}
}

// The help lists space only where it does something: in payment mode.
func TestHelpListsSpaceOnlyInPaymentMode(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.d.Press("?")
	if scr := h.plain(); strings.Contains(scr, "space") {
		t.Fatalf("table help lists space:\n%s", scr)
	}
	h.d.Press("esc")
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	h.d.Press("P")
	mustContain(t, h.plain(), "space pause/resume")
}

// The empty table says what the console can and cannot see and how to add
// a call, whole at 80 columns.
func TestEmptyStateExplainsWhatTheConsoleSees(t *testing.T) {
	h := bareHarness(t, 80, 24)
	scr := h.plain()
	joined := strings.Join(strings.Fields(scr), " ")
	for _, want := range []string{"cannot list the calls in progress", "recording event", "press a and give its UCC name and correlation id", "come back from the journal"} {
		if !strings.Contains(joined, want) {
			t.Errorf("empty state lacks %q:\n%s", want, scr)
		}
	}
	body := strings.Join(strings.Split(scr, "\n")[3:20], "\n")
	mustNotContain(t, body, "…") // nothing cut
}
