package sessions

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

func mustContain(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
}

func mustNotContain(t *testing.T, s string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(s, w) {
			t.Errorf("screen has %q:\n%s", w, s)
		}
	}
}

func TestRowsShowStateAsWordAndSymbol(t *testing.T) {
	h := newHarness(t, 120, 30)
	scr := h.plain()
	mustContain(t, scr, "UCC", "RECORDING", "ucc-demo-name", "1d6c6a58", "● Started", "‖ Paused", "■ Stopped",
		"1m35s", "1h02m", "DEMO", "API v1", "● connected", "Started 2", "Paused 1", "Stopped 1", "4 sessions")
	if strings.Contains(scr, id1) {
		t.Error("the table shows the correlation id shortened; the full id is for the detail view")
	}
	// helpdesk's capabilities deny editing: its row carries the ⊘ marker.
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "helpdesk") && !strings.Contains(l, "⊘") {
			t.Errorf("helpdesk row lacks the disabled marker: %q", l)
		}
	}
	// Unconfirmed states carry a "?".
	h.src.update(anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}, func(s *anywhere365.Session) { s.Confirmed = false })
	h.tick()
	mustContain(t, h.plain(), "‖ Paused ?", "1 unconfirmed")
	// Every screen line is exactly the terminal's width, and there are
	// exactly as many lines as it is tall.
	lines := strings.Split(h.plain(), "\n")
	if len(lines) != 30 {
		t.Fatalf("%d lines, want 30", len(lines))
	}
	for i, l := range lines {
		if n := len([]rune(l)); n != 120 {
			t.Errorf("line %d is %d wide: %q", i, n, l)
		}
	}
}

func TestMovementKeys(t *testing.T) {
	h := newHarness(t, 100, 12) // 9 table rows: room for 4 sessions
	for i := 0; i < 30; i++ {
		h.src.add("bulk", "00000000-0000-0000-0000-"+pad12(i), anywhere365.RecordingStarted, time.Minute)
	}
	h.tick()
	n := len(h.pane.tbl.rows)
	if n != 34 {
		t.Fatalf("%d rows", n)
	}
	cur := func() int { return h.pane.tbl.cursor }
	h.d.Press("g")
	steps := []struct {
		key  string
		want int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"up", 0},
		{"pgdown", h.pane.tbl.visible}, {"pgup", 0}, {"G", n - 1}, {"end", n - 1}, {"g", 0}, {"G", n - 1}, {"home", 0},
	}
	for _, s := range steps {
		h.d.Press(s.key)
		if cur() != s.want {
			t.Fatalf("after %s cursor %d, want %d", s.key, cur(), s.want)
		}
	}
	h.d.Press("G")
	mustContain(t, h.plain(), "row 34 of 34")
	// The cursor is on screen after a jump: the last row is drawn.
	last := h.pane.tbl.snap[h.pane.tbl.rows[n-1]].Key
	mustContain(t, h.plain(), shortID(last.CorrelationID))
}

func pad12(i int) string {
	s := "000000000000" + itoa(i)
	return s[len(s)-12:]
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Replace(time.Duration(i).String(), "ns", "", 1))
}

func TestSelectionFollowsTheSessionAcrossResorts(t *testing.T) {
	h := newHarness(t, 120, 30)
	k := anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}
	h.selectKey(k)
	h.src.add("aaa-first", id1, anywhere365.RecordingStarted, 0) // sorts before every row
	h.tick()
	if h.selected() != k {
		t.Fatalf("selection moved to %v", h.selected())
	}
}

func TestFilterIsCaseInsensitiveAndBangInverts(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.d.Press("/")
	if !h.pane.Capturing() {
		t.Fatal("the filter input should capture keys")
	}
	h.d.Type("SALES")
	// Live: rows are filtered while typing.
	scr := h.plain()
	mustContain(t, scr, "sales", "Filter:")
	mustNotContain(t, scr, "ucc-demo-name", "helpdesk")
	h.d.Press("enter")
	if h.pane.Capturing() {
		t.Fatal("enter should close the filter input")
	}
	mustContain(t, h.plain(), `filter "SALES" (2 of 4)`)

	// "q" typed into the filter is text, not quit.
	h.d.Press("/")
	h.d.Press("backspace", "backspace", "backspace", "backspace", "backspace")
	h.d.Type("!sales")
	if h.d.Quit {
		t.Fatal("typing in the filter quit the app")
	}
	h.d.Press("enter")
	scr = h.plain()
	mustContain(t, scr, "ucc-demo-name", "helpdesk", "(2 of 4)")
	mustNotContain(t, scr, " sales ")

	// A state name matches too.
	h.d.Press("/")
	for range 6 {
		h.d.Press("backspace")
	}
	h.d.Type("paused")
	h.d.Press("enter")
	if len(h.pane.tbl.rows) != 1 {
		t.Fatalf("filter paused: %d rows", len(h.pane.tbl.rows))
	}

	// esc clears it.
	h.d.Press("esc")
	if h.pane.tbl.filter != "" || len(h.pane.tbl.rows) != 4 {
		t.Fatalf("esc left filter %q, %d rows", h.pane.tbl.filter, len(h.pane.tbl.rows))
	}
	mustContain(t, h.lastToast().Text, "Filter cleared")

	// A filter nothing matches says so.
	h.d.Press("/")
	h.d.Type("zzz")
	h.d.Press("enter")
	mustContain(t, h.plain(), `No session matches the filter "zzz"`)
	// esc inside the input clears as well.
	h.d.Press("/", "esc")
	if h.pane.tbl.filter != "" {
		t.Fatal("esc in the input should clear the filter")
	}
}

func TestSortCyclesThroughEveryColumn(t *testing.T) {
	h := newHarness(t, 140, 30)
	order := func() string {
		var out []string
		for _, r := range h.pane.tbl.rows {
			s := h.pane.tbl.snap[r]
			out = append(out, s.Key.UCC+"/"+shortID(s.Key.CorrelationID))
		}
		return strings.Join(out, " ")
	}
	if got := order(); got != "helpdesk/3f8e8c7a sales/2e7d7b69 sales/4a9f9d8b ucc-demo-name/1d6c6a58" {
		t.Fatalf("default (UCC) order: %s", got)
	}
	mustContain(t, h.plain(), "UCC▲")
	h.d.Press("o") // correlation id
	if got := order(); got != "ucc-demo-name/1d6c6a58 sales/2e7d7b69 helpdesk/3f8e8c7a sales/4a9f9d8b" {
		t.Fatalf("by id: %s", got)
	}
	mustContain(t, h.lastToast().Text, "Sorted by correlation id (ascending)")
	h.d.Press("o") // recording state: Started(1) < Stopped(2) < Paused(3)
	if got := order(); got != "helpdesk/3f8e8c7a ucc-demo-name/1d6c6a58 sales/4a9f9d8b sales/2e7d7b69" {
		t.Fatalf("by state: %s", got)
	}
	mustContain(t, h.plain(), "RECORDING▲")
	h.d.Press("O")
	if got := order(); got != "sales/2e7d7b69 sales/4a9f9d8b ucc-demo-name/1d6c6a58 helpdesk/3f8e8c7a" {
		t.Fatalf("by state, reversed: %s", got)
	}
	mustContain(t, h.plain(), "RECORDING▼")
	h.d.Press("o", "o", "o") // marking, saving, time in state
	if h.pane.tbl.sortCol != colAge {
		t.Fatalf("sort column %v", h.pane.tbl.sortCol)
	}
	if got := order(); got != "sales/2e7d7b69 ucc-demo-name/1d6c6a58 helpdesk/3f8e8c7a sales/4a9f9d8b" {
		t.Fatalf("by time in state (ascending: shortest first): %s", got)
	}
	h.d.Press("o", "o") // last action, then back to UCC
	if h.pane.tbl.sortCol != colUCC {
		t.Fatalf("cycle did not wrap: %v", h.pane.tbl.sortCol)
	}
}

func TestPauseEndsConfirmedWithToastAuditAndRecord(t *testing.T) {
	h := newHarness(t, 120, 30)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("p")
	calls := h.api.setCalls()
	if len(calls) != 1 || calls[0].Action != anywhere365.ActionPause || calls[0].RequesterSIP != "sip:agent@domain.com" ||
		calls[0].UCC != k.UCC || calls[0].CorrelationID != id1 {
		t.Fatalf("calls %+v", calls)
	}
	if got := h.lastToast(); got.Level != ui.ToastSuccess || got.Text != "Paused ucc-demo-name/1d6c6a58 (now Paused)" {
		t.Fatalf("toast %+v", got)
	}
	if rec := h.src.recordedActions(); len(rec) != 1 || rec[0] != "ucc-demo-name Pause ok=true" {
		t.Fatalf("store not told: %v", rec)
	}
	h.tick()
	row := lineWith(h.plain(), "ucc-demo-name")
	mustContain(t, row, "‖ Paused", "Pause")
	mustNotContain(t, row, "?")
	mustContain(t, h.plain(), "✓ ok: Paused ucc-demo-name/1d6c6a58")
	recs := h.aud.records()
	if len(recs) != 1 || recs[0].Outcome != audit.OutcomeOK || recs[0].Action != "Pause" || recs[0].Profile != "test" ||
		recs[0].Requester != "sip:agent@domain.com" || recs[0].State != "Paused" || recs[0].CorrelationID != id1 {
		t.Fatalf("audit %+v", recs)
	}
	// Start on the paused call resumes it.
	h.d.Press("s")
	mustContain(t, h.lastToast().Text, "Resumed ucc-demo-name/1d6c6a58")
}

func lineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestEveryActionKeySendsItsAction(t *testing.T) {
	h := newHarness(t, 120, 30)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	cases := []struct {
		keys  []string
		want  anywhere365.Action
		toast string
	}{
		{[]string{"m"}, anywhere365.ActionMark, "Marked"},
		{[]string{"u"}, anywhere365.ActionUnMark, "Unmarked"},
		{[]string{"v"}, anywhere365.ActionSave, "Saved"},
		{[]string{"p"}, anywhere365.ActionPause, "Paused"},
		{[]string{"s"}, anywhere365.ActionStart, "Resumed"},
		{[]string{"x", "y"}, anywhere365.ActionStop, "Stopped"},
		{[]string{"d", "y"}, anywhere365.ActionDelete, "Deleted"},
	}
	for i, c := range cases {
		h.d.Press(c.keys...)
		calls := h.api.setCalls()
		if len(calls) != i+1 || calls[i].Action != c.want {
			t.Fatalf("%v: calls %+v", c.keys, calls)
		}
		if got := h.lastToast(); got.Level != ui.ToastSuccess || !strings.HasPrefix(got.Text, c.toast+" ucc-demo-name") {
			t.Fatalf("%v: toast %+v", c.keys, got)
		}
		h.tick()
	}
	row := lineWith(h.plain(), "ucc-demo-name")
	mustContain(t, row, "■ Stopped", "☆ Unmark", "✗ Delete")
	if n := len(h.aud.records()); n != len(cases) {
		t.Fatalf("%d audit records, want %d", n, len(cases))
	}
}

func TestStopAndDeleteNeedConfirmation(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	h.d.Press("x")
	mustContain(t, h.plain(), "? Stop the recording of ucc-demo-name/1d6c6a58? y yes")
	if !h.pane.Capturing() {
		t.Fatal("a confirm prompt captures keys")
	}
	h.d.Press("n")
	if n := len(h.api.setCalls()); n != 0 {
		t.Fatalf("%d calls after n", n)
	}
	mustContain(t, h.lastToast().Text, "Stop ucc-demo-name/1d6c6a58 cancelled")
	// q answers the prompt (no), it does not quit.
	h.d.Press("d")
	mustContain(t, h.plain(), "Delete the recording of ucc-demo-name/1d6c6a58? It will not be kept.")
	h.d.Press("q")
	if h.d.Quit || len(h.api.setCalls()) != 0 {
		t.Fatal("q on a confirm prompt must cancel, not quit or confirm")
	}
	h.d.Press("d", "y")
	if calls := h.api.setCalls(); len(calls) != 1 || calls[0].Action != anywhere365.ActionDelete {
		t.Fatalf("calls %+v", calls)
	}
	if len(h.aud.records()) != 1 {
		t.Fatal("cancelled prompts are not attempts; the confirmed one is audited")
	}
}

func TestAPIErrorShowsErrorTypeAndMessage(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.selectKey(anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}) // already paused
	h.d.Press("p")
	got := h.lastToast()
	if got.Level != ui.ToastError || got.Text != "Validation: Recorder state is Paused, this state cannot be paused (Pause sales/2e7d7b69)" {
		t.Fatalf("toast %+v", got)
	}
	mustContain(t, h.plain(), "✗ error: Validation: Recorder state is Paused, this state cannot be paused")
	recs := h.aud.records()
	if len(recs) != 1 || recs[0].Outcome != audit.OutcomeFailed || recs[0].ErrorType != "Validation" ||
		recs[0].ErrorMessage != "Recorder state is Paused, this state cannot be paused" {
		t.Fatalf("audit %+v", recs)
	}
	if rec := h.src.recordedActions(); len(rec) != 1 || rec[0] != "sales Pause ok=false" {
		t.Fatalf("store: %v", rec)
	}

	// A transport failure is shown too, with the action and session.
	h.api.failSet = errBoom
	h.d.Press("s")
	if got := h.lastToast(); got.Level != ui.ToastError || got.Text != "Start sales/2e7d7b69 failed: connection reset by peer" {
		t.Fatalf("toast %+v", got)
	}
}

func TestDisabledActionsShowTheReasonAndSendNothing(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.selectKey(anywhere365.SessionKey{UCC: "helpdesk", CorrelationID: id3})
	mustContain(t, h.plain(), "⊘ actions disabled: agents cannot edit recordings on UCC helpdesk (AgentCanEditRecordings is false)")
	for _, k := range []string{"p", "s", "m"} {
		h.d.Press(k)
		got := h.lastToast()
		if got.Level != ui.ToastError || !strings.Contains(got.Text, "helpdesk/3f8e8c7a is disabled: agents cannot edit recordings") {
			t.Fatalf("%s: toast %+v", k, got)
		}
	}
	if n := len(h.api.setCalls()); n != 0 {
		t.Fatalf("%d requests sent for a disabled UCC", n)
	}
	recs := h.aud.records()
	if len(recs) != 3 || recs[0].Outcome != audit.OutcomeDisabled || recs[0].ErrorMessage == "" {
		t.Fatalf("refused attempts are audited: %+v", recs)
	}
	// The detail view says so as well.
	h.d.Press("enter")
	mustContain(t, h.plain(), "Capabilities", "⊘ agents cannot edit recordings on UCC helpdesk")
}

func TestRequesterIsAskedOnFirstActionAndRemembered(t *testing.T) {
	h := newHarness(t, 120, 30, withRequester(""))
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	mustContain(t, h.plain(), "requester SIP URI not set")
	h.d.Press("p")
	mustContain(t, h.plain(), "Your SIP URI (sent as the requester):")
	h.d.Type("agent@domain.com")
	h.d.Press("enter")
	mustContain(t, h.plain(), "✗ requester SIP URI", "does not start with sip: or sips:")
	if len(h.api.setCalls()) != 0 {
		t.Fatal("nothing may be sent before the requester is valid")
	}
	h.d.Press("home")
	h.d.Type("sip:")
	h.d.Press("enter")
	calls := h.api.setCalls()
	if len(calls) != 1 || calls[0].RequesterSIP != "sip:agent@domain.com" || calls[0].Action != anywhere365.ActionPause {
		t.Fatalf("calls %+v", calls)
	}
	mustContain(t, h.toastTexts(), "Requester set to sip:agent@domain.com", "Paused ucc-demo-name/1d6c6a58")
	// Remembered: no second prompt.
	h.d.Press("s")
	if len(h.api.setCalls()) != 2 || h.pane.Requester() != "sip:agent@domain.com" {
		t.Fatal("the requester should be remembered")
	}
	// esc on the prompt cancels visibly.
	h2 := newHarness(t, 120, 30, withRequester(""))
	h2.selectKey(anywhere365.SessionKey{UCC: "sales", CorrelationID: id2})
	h2.d.Press("m", "esc")
	mustContain(t, h2.lastToast().Text, "Mark cancelled: no requester SIP URI")
}

func TestAddSessionValidatesBeforeWatching(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.d.Press("a")
	h.d.Type("sip:bad@x")
	h.d.Press("enter")
	mustContain(t, h.plain(), "UCC name", `is a SIP address`)
	for range 9 {
		h.d.Press("backspace")
	}
	h.d.Type("support")
	h.d.Press("enter")
	mustContain(t, h.plain(), "Watch session support: correlation id:")
	h.d.Type(id2[:30] + "zz")
	h.d.Press("enter")
	mustContain(t, h.plain(), "is not a GUID")
	if len(h.src.watched) != 0 {
		t.Fatal("nothing may be watched before the id is valid")
	}
	for range 32 {
		h.d.Press("backspace")
	}
	// Braces, spaces and upper case (as .NET logs print ids) are normalised.
	h.d.Type(" {" + strings.ToUpper(id2) + "} ")
	h.d.Press("enter")
	if len(h.src.watched) != 1 || h.src.watched[0] != (anywhere365.SessionKey{UCC: "support", CorrelationID: id2}) {
		t.Fatalf("watched %v", h.src.watched)
	}
	mustContain(t, h.lastToast().Text, "Watching support/2e7d7b69")
	h.tick()
	if h.selected().UCC != "support" {
		t.Fatalf("the new session should be selected, got %v", h.selected())
	}
	// esc cancels visibly.
	h.d.Press("a", "esc")
	mustContain(t, h.lastToast().Text, "Add session cancelled")
}

func TestDetailShowsIdsCapabilitiesTimelineAndHistory(t *testing.T) {
	h := newHarness(t, 120, 40)
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.clock.Advance(30 * time.Second)
	h.d.Press("p")
	h.clock.Advance(20 * time.Second)
	h.d.Press("s")
	h.clock.Advance(10 * time.Second)
	h.tick()
	h.d.Press("enter")
	scr := h.plain()
	mustContain(t, scr, "Session", "Correlation id", id1, "Capabilities", "✓ agents can edit recordings",
		"Timeline", "█", "▒", "started", "paused", "History", "action    Pause   → ‖ Paused  ✓ ok", "action    Start   → ● Started")
	// The bar shows the pause in the middle: started, paused, started.
	bar := lineWith(scr, "Timeline")
	i, j := strings.Index(bar, "█"), strings.Index(bar, "▒")
	if i < 0 || j < i || strings.LastIndex(bar, "█") < j {
		t.Fatalf("timeline not started/paused/started: %q", bar)
	}
	h.d.Press("esc")
	mustContain(t, h.plain(), "RECORDING")
	h.d.Press("enter", "enter")
	mustContain(t, h.plain(), "RECORDING")
}

// Payment mode's tests are in payment_test.go.

func TestSpinnerWhilePending(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.api.block = make(chan struct{})
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	// Send the key without running the command, as Bubble Tea would while
	// the request is in flight.
	_, cmd := h.frame.Update(tea.KeyPressMsg{Code: 'p', Text: "p"})
	if cmd == nil {
		t.Fatal("no command")
	}
	row := lineWith(h.plain(), "ucc-demo-name")
	if !strings.ContainsAny(row, strings.Join(spinFrames, "")) {
		t.Fatalf("no spinner on the pending row: %q", row)
	}
	mustContain(t, h.plain(), "Pause ucc-demo-name/1d6c6a58 sent 0s ago, waiting for the server")
	// A second action on the same row waits for the first.
	h.d.Press("m")
	mustContain(t, h.lastToast().Text, "Pause is still pending")
	close(h.api.block)
	h.d.Exec(cmd)
	row = lineWith(h.plain(), "ucc-demo-name")
	if strings.ContainsAny(row, strings.Join(spinFrames, "")) {
		t.Fatalf("spinner stayed: %q", row)
	}
}

func TestAuditFailureIsShown(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.aud.err = errBoom
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	h.d.Press("p")
	mustContain(t, h.toastTexts(), "Audit log not written: connection reset by peer", "Paused ucc-demo-name/1d6c6a58")
}

func TestMouseSelectsScrollsAndSorts(t *testing.T) {
	h := newHarness(t, 120, 30)
	// Frame: 2 header lines + tabs; body line 0 is the column header.
	h.d.Send(tea.MouseClickMsg{X: 10, Y: 3 + 3, Button: tea.MouseLeft}) // third row
	if h.pane.tbl.cursor != 2 {
		t.Fatalf("click selected %d", h.pane.tbl.cursor)
	}
	h.d.Send(tea.MouseWheelMsg{X: 10, Y: 6, Button: tea.MouseWheelUp})
	if h.pane.tbl.cursor != 0 {
		t.Fatalf("wheel up: %d", h.pane.tbl.cursor)
	}
	h.d.Send(tea.MouseWheelMsg{X: 10, Y: 6, Button: tea.MouseWheelDown})
	if h.pane.tbl.cursor != 3 {
		t.Fatalf("wheel down: %d", h.pane.tbl.cursor)
	}
	x := h.pane.tbl.colX[colState][0]
	h.d.Send(tea.MouseClickMsg{X: x + 1, Y: 3, Button: tea.MouseLeft})
	if h.pane.tbl.sortCol != colState {
		t.Fatalf("header click sorted by %v", h.pane.tbl.sortCol)
	}
}

func TestColumnsDropByPriorityOnNarrowScreens(t *testing.T) {
	cols := func(w int) string {
		h := newHarness(t, w, 24)
		return strings.Join(strings.Fields(lineWith(h.plain(), "RECORDING")), " ")
	}
	if got := cols(140); got != "UCC▲ CORRELATION RECORDING MARKING SAVING IN STATE LAST ACTION" {
		t.Errorf("140: %s", got)
	}
	if got := cols(80); got != "UCC▲ CORRELATION RECORDING MARKING SAVING IN STATE" {
		t.Errorf("80: %s", got)
	}
	if got := cols(60); got != "UCC▲ CORRELATION RECORDING IN STATE" {
		t.Errorf("60: %s", got)
	}
	if got := cols(30); got != "RECORDING" {
		t.Errorf("30: %s", got)
	}
	// A resize relays out the columns and keeps every line in bounds.
	h := newHarness(t, 140, 30)
	h.d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	lines := strings.Split(h.plain(), "\n")
	if len(lines) != 24 || len([]rune(lines[5])) != 80 {
		t.Fatalf("after resize: %d lines, width %d", len(lines), len([]rune(lines[5])))
	}
	mustNotContain(t, h.plain(), "LAST ACTION")
}

func TestRowsFlashWhenTheyChange(t *testing.T) {
	h := newHarness(t, 120, 30)
	k := anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}
	h.screen()
	h.src.update(k, func(s *anywhere365.Session) { s.Marking = anywhere365.MarkingMark })
	h.tick()
	h.screen()
	if _, ok := h.pane.tbl.flash[k]; !ok {
		t.Fatal("the changed row should flash")
	}
	h.clock.Advance(2 * time.Second)
	h.tick()
	h.screen()
	if _, ok := h.pane.tbl.flash[k]; ok {
		t.Fatal("the flash should end")
	}
}

func TestStatusLineShowsConnectionStates(t *testing.T) {
	h := newHarness(t, 140, 30)
	h.src.mu.Lock()
	h.src.conn = anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 3, LastError: "dial tcp: connection refused"}
	h.src.mu.Unlock()
	mustContain(t, h.plain(), "↻ reconnecting (attempt 3): connection refused")
	h.src.mu.Lock()
	h.src.conn = anywhere365.ConnState{Phase: anywhere365.ConnClosed, LastError: "stopped"}
	h.src.events = 0
	h.src.mu.Unlock()
	mustContain(t, h.plain(), "✗ closed: stopped", "● Started 2 ‖ Paused 1")
	h.d.Send(tea.WindowSizeMsg{Width: 80, Height: 24}) // narrow: symbols only
	mustContain(t, h.plain(), "✗ closed │ ●2 ‖1 ■1 ○0", "│ stopped")
	h.d.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	// Events per second come from the counter, sampled each second.
	for i := 1; i <= 3; i++ {
		h.src.mu.Lock()
		h.src.events += 25
		h.src.mu.Unlock()
		h.clock.Advance(time.Second)
		h.tick()
	}
	mustContain(t, h.plain(), "25.0 ev/s")
}

func TestRebindChangesKeysAndHelp(t *testing.T) {
	keys := DefaultKeyMap()
	if err := ui.Rebind(map[string][]string{"pause": {"z"}}, &keys); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, 120, 30, func(c *Config) { c.Keys = &keys })
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	h.d.Press("p")
	if len(h.api.setCalls()) != 0 {
		t.Fatal("p is no longer pause")
	}
	h.d.Press("z")
	if calls := h.api.setCalls(); len(calls) != 1 || calls[0].Action != anywhere365.ActionPause {
		t.Fatalf("z should pause: %+v", calls)
	}
	mustContain(t, h.plain(), "z pause")

	if err := keys.Rebind(map[string][]string{"paws": {"p"}}); err == nil || !strings.Contains(err.Error(), `unknown binding "paws"`) {
		t.Errorf("unknown name: %v", err)
	}
	if err := keys.Rebind(map[string][]string{"mark": {"s"}}); err == nil || !strings.Contains(err.Error(), `"s" would trigger both`) {
		t.Errorf("conflict: %v", err)
	}
	if err := keys.Rebind(map[string][]string{"mark": {}}); err == nil {
		t.Error("empty key list accepted")
	}
	// The defaults have no conflicts, also with the frame's keys.
	d, f := DefaultKeyMap(), ui.DefaultKeyMap()
	if err := ui.Rebind(map[string][]string{"quit": {"q", "ctrl+c"}}, &d, &f); err != nil {
		t.Errorf("defaults conflict: %v", err)
	}
}

func TestHelpIsBuiltFromTheBindings(t *testing.T) {
	h := newHarness(t, 120, 30)
	mustContain(t, lastLine(h.plain()), "p pause", "s start/resume", "x stop", "? help", "q quit")
	h.d.Press("?")
	scr := h.plain()
	pairs := []string{}
	for _, nb := range h.pane.keys.Bindings() {
		if nb.Name == "payment_toggle" {
			continue // payment mode's own key: its help lists it
		}
		hb := nb.Binding.Help()
		pairs = append(pairs, hb.Key, hb.Desc)
	}
	pairs = append(pairs, "t", "next theme", "tab", "next pane", "q", "quit")
	for i := 0; i < len(pairs); i += 2 {
		re := regexp.MustCompile(regexp.QuoteMeta(pairs[i]) + ` +` + regexp.QuoteMeta(pairs[i+1]))
		if !re.MatchString(scr) {
			t.Errorf("help lacks %q %q", pairs[i], pairs[i+1])
		}
	}
	h.d.Press("?")
	mustNotContain(t, h.plain(), "next theme")
}

func lastLine(s string) string {
	l := strings.Split(s, "\n")
	return l[len(l)-1]
}

func TestEmptyStoreAndNoSelection(t *testing.T) {
	clock := newClock()
	src := newSource(clock)
	pane := New(Config{Source: src, API: &fakeAPI{src: src}, Now: clock.Now, Requester: "sip:a@b.c"})
	frame := ui.New(ui.Options{Now: clock.Now, Tick: -1}, pane)
	frame.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	mustContain(t, stripANSI(frame.Render()), "No sessions known yet")
	_, cmd := pane.Update(tea.KeyPressMsg{Code: 'p', Text: "p"})
	if msg := cmd(); msg.(ui.ToastMsg).Text != "Pause: no session selected" {
		t.Fatalf("got %v", msg)
	}
	_, cmd = pane.Update(tea.KeyPressMsg{Code: 'P', Text: "P"})
	if msg := cmd(); msg.(ui.ToastMsg).Level != ui.ToastWarning {
		t.Fatalf("got %v", msg)
	}
}

func TestTinyAndOddSizesDrawWithinBounds(t *testing.T) {
	h := newHarness(t, 120, 30)
	modes := [][]string{nil, {"enter"}, {"esc", "P"}, {"esc", "?"}, {"?", "/"}, {"esc", "x"}}
	for _, keys := range modes {
		h.d.Press(keys...)
		for _, sz := range [][2]int{{1, 1}, {10, 3}, {20, 6}, {40, 8}, {80, 24}, {200, 60}, {33, 17}} {
			h.d.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			h.tick()
			lines := strings.Split(h.plain(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%v at %dx%d: %d lines", keys, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := len([]rune(l)); w > sz[0] {
					t.Fatalf("%v at %dx%d: line %d is %d wide", keys, sz[0], sz[1], i, w)
				}
			}
		}
	}
}
