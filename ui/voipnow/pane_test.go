package voipnowpane

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness drives a pane the way the frame would, running each command it
// returns to completion (HTTP to the simulator on loopback) and feeding the
// result back. Polling is driven by hand: Tick only counts.
type harness struct {
	t      *testing.T
	p      *Pane
	sim    *sim.Server
	client *voipnow.Client
	clock  *sim.Clock
	toasts []ui.ToastMsg
	ticks  int
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	ck := sim.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	s := sim.New(sim.Options{Now: ck.Now, LiveCalls: -1})
	srv := httptest.NewServer(s.Handler())
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() { hc.CloseIdleConnections(); srv.Close() })
	c, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: s, client: c, clock: ck}
	opts.Client = c
	opts.Now = ck.Now
	opts.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { h.ticks++; return nil }
	h.p = New(opts)
	h.p.SetStyles(&ui.Styles{})
	h.p.SetSize(120, 12)
	return h
}

func (h *harness) init() { h.run(h.p.Init(), 0) }

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.p.Update(msg)
	h.run(cmd, 0)
}

func (h *harness) run(cmd tea.Cmd, depth int) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	if depth > 20 {
		h.t.Fatal("commands do not settle")
	}
	switch m := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			h.run(c, depth+1)
		}
	case ui.ToastMsg:
		h.toasts = append(h.toasts, m)
	default:
		_, next := h.p.Update(m)
		h.run(next, depth+1)
	}
}

func (h *harness) key(keys ...tea.KeyPressMsg) {
	h.t.Helper()
	for _, k := range keys {
		h.send(k)
	}
}

// lastToast returns the newest toast and forgets them all.
func (h *harness) lastToast() ui.ToastMsg {
	h.t.Helper()
	if len(h.toasts) == 0 {
		h.t.Fatal("no toast")
	}
	m := h.toasts[len(h.toasts)-1]
	h.toasts = nil
	return m
}

func (h *harness) selectCall(id string) {
	h.t.Helper()
	for range len(h.p.rows) + 1 {
		if r := h.p.selected(); r != nil && r.callID == id {
			return
		}
		h.key(keyDown)
	}
	h.t.Fatalf("call %s not listed", id)
}

var (
	keyR     = tea.KeyPressMsg{Code: 'r', Text: "r"}
	keyS     = tea.KeyPressMsg{Code: 's', Text: "s"}
	keyDown  = tea.KeyPressMsg{Code: tea.KeyDown}
	keyRight = tea.KeyPressMsg{Code: tea.KeyRight}
	keyEnter = tea.KeyPressMsg{Code: tea.KeyEnter}
	keyEsc   = tea.KeyPressMsg{Code: tea.KeyEscape}
	keyCtrlR = tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
)

// TestStartAndStopRecording is the pane's main flow against the simulator:
// pick a call, r, choose wav49, enter; then s.
func TestStartAndStopRecording(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "0722000111", time.Second, 0)
	h.clock.Add(90 * time.Second)
	h.init()
	if len(h.p.rows) != 2 || h.ticks != 1 {
		t.Fatalf("rows %d, ticks %d", len(h.p.rows), h.ticks)
	}
	h.selectCall(id)
	view := h.p.View()
	if !strings.Contains(view, "on call") || !strings.Contains(view, "incoming") || !strings.Contains(view, "1:29") || !strings.Contains(view, "not recording") {
		t.Fatalf("row not shown in words:\n%s", view)
	}

	h.key(keyR)
	if !h.p.Capturing() || !strings.Contains(h.p.View(), "[wav]") {
		t.Fatalf("format prompt not open:\n%s", h.p.View())
	}
	if got := h.p.KeyMap().ShortHelp(); len(got) != 3 || got[1].Help().Key != "enter" {
		t.Errorf("prompt help = %v", got)
	}
	h.key(keyRight)
	if !strings.Contains(h.p.View(), "[wav49]") {
		t.Fatalf("wav49 not chosen:\n%s", h.p.View())
	}
	h.key(keyEnter)
	if h.p.Capturing() {
		t.Error("prompt still open")
	}
	toast := h.lastToast()
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "wav49") || !strings.Contains(toast.Text, sim.ExtSales) {
		t.Fatalf("toast = %+v", toast)
	}
	h.clock.Add(65 * time.Second)
	if view := h.p.View(); !strings.Contains(view, "● REC 1:05") || !strings.Contains(view, "(1 recording)") {
		t.Fatalf("recording not shown:\n%s", view)
	}
	call, err := h.client.GetCall(context.Background(), "", "", id)
	if v, _ := call.View("01"); err != nil || !v.IsRecording() {
		t.Fatalf("the PBX is not recording: %+v %v", v, err)
	}

	// Stop asks first; only y sends it.
	h.key(keyS)
	if !h.p.Capturing() || !strings.Contains(h.p.View(), "Stop recording "+sim.ExtSales) {
		t.Fatalf("stop did not ask:\n%s", h.p.View())
	}
	h.key(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if toast := h.lastToast(); toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "stopped") {
		t.Fatalf("toast = %+v", toast)
	}
	if view := h.p.View(); strings.Contains(view, "● REC") {
		t.Fatalf("still shown recording:\n%s", view)
	}
	call, _ = h.client.GetCall(context.Background(), "", "", id)
	if v, _ := call.View("01"); v.IsRecording() {
		t.Fatal("the PBX is still recording")
	}
}

func TestStartRefusedShowsError(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.sim.AddCall(sim.ExtNoRecording, voipnow.FlowIncoming, "", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	h.selectCall(id)
	h.key(keyR, keyEnter)
	toast := h.lastToast()
	if toast.Level != ui.ToastError || !strings.Contains(toast.Text, "call recording is switched off") || !strings.Contains(toast.Text, sim.ExtNoRecording) {
		t.Fatalf("toast = %+v", toast)
	}
	if len(h.p.pending) != 0 || strings.Contains(h.p.View(), "● REC") {
		t.Fatalf("pending %v\n%s", h.p.pending, h.p.View())
	}
}

func TestCancelSendsNothing(t *testing.T) {
	h := newHarness(t, Options{})
	h.init()
	before := h.sim.Stats().APIRequests
	h.key(keyR, keyEsc)
	if h.p.Capturing() || h.lastToast().Level != ui.ToastInfo || h.sim.Stats().APIRequests != before {
		t.Fatal("cancel did not cancel quietly")
	}
}

// TestPollingShowsLifecycle: ringing -> on call -> ended (kept a moment) ->
// gone, with exactly one poll scheduled at a time.
func TestPollingShowsLifecycle(t *testing.T) {
	h := newHarness(t, Options{EndedLinger: 5 * time.Second})
	id := h.sim.AddCall(sim.ExtReception, voipnow.FlowOutgoing, "0722000222", 4*time.Second, 10*time.Second)
	h.init()
	poll := func() {
		t.Helper()
		before := h.ticks
		h.send(pollMsg{})
		if h.ticks != before+1 {
			t.Fatalf("ticks %d -> %d: want one re-armed poll", before, h.ticks)
		}
	}
	h.selectCall(id)
	if !strings.Contains(h.p.View(), "other side ringing") {
		t.Fatalf("not ringing:\n%s", h.p.View())
	}
	h.clock.Add(5 * time.Second)
	poll()
	if !strings.Contains(h.p.View(), "on call") || !strings.Contains(h.p.View(), "outgoing") {
		t.Fatalf("not on call:\n%s", h.p.View())
	}
	h.clock.Add(10 * time.Second)
	poll()
	if r := h.p.selected(); r == nil || r.endedAt.IsZero() || !strings.Contains(h.p.View(), "ended") {
		t.Fatalf("not shown ended:\n%s", h.p.View())
	}
	h.key(keyS)
	if toast := h.lastToast(); toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "ended") {
		t.Fatalf("toast = %+v", toast)
	}
	h.clock.Add(6 * time.Second)
	poll()
	if len(h.p.rows) != 1 {
		t.Fatalf("ended call still listed:\n%s", h.p.View())
	}
	// A tick arriving while a fetch runs does not start a second one.
	h.p.fetching = true
	if _, cmd := h.p.Update(pollMsg{}); cmd != nil {
		t.Fatal("a second fetch started")
	}
}

func TestPollFailureAndRecovery(t *testing.T) {
	h := newHarness(t, Options{})
	h.init()
	h.sim.FailNext(2)
	h.send(pollMsg{})
	if toast := h.lastToast(); toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "internal_server_error") {
		t.Fatalf("toast = %+v", toast)
	}
	h.send(pollMsg{}) // still failing: no second toast
	if len(h.toasts) != 0 || !strings.Contains(h.p.View(), "refresh FAILED") {
		t.Fatalf("toasts %v\n%s", h.toasts, h.p.View())
	}
	h.send(pollMsg{})
	if toast := h.lastToast(); toast.Level != ui.ToastInfo || strings.Contains(h.p.View(), "FAILED") {
		t.Fatalf("toast = %+v\n%s", toast, h.p.View())
	}
	h.key(keyCtrlR)
	if toast := h.lastToast(); toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "1 live call") {
		t.Fatalf("refresh toast = %+v", toast)
	}
}

// TestViewIsExactlyItsSize with more rows than fit, at several sizes.
func TestViewIsExactlyItsSize(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 30 {
		h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, fmt.Sprintf("07220%05d", i), time.Second, 0)
	}
	h.init()
	styles := []*ui.Styles{{}, ui.NewStyles(themes.Builtin()[0], false), ui.NewStyles(themes.Builtin()[0], true)}
	for i, sz := range [][2]int{{120, 12}, {80, 5}, {40, 3}, {200, 40}, {12, 4}, {1, 1}} {
		h.p.SetStyles(styles[i%len(styles)])
		h.p.SetSize(sz[0], sz[1])
		h.key(tea.KeyPressMsg{Code: 'g', Text: "g"})
		for range 40 { // walk to the bottom and check every frame
			lines := strings.Split(h.p.View(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%v: %d lines", sz, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w != sz[0] {
					t.Fatalf("%v: line width %d: %q", sz, w, l)
				}
			}
			h.key(keyDown)
		}
		if r := h.p.selected(); r == nil || h.p.sel != len(h.p.rows)-1 {
			t.Fatalf("%v: selection %d of %d", sz, h.p.sel, len(h.p.rows))
		}
		if sz[1] > 3 && !strings.Contains(h.p.View(), "Selected: ") {
			t.Errorf("%v: selection line missing", sz)
		}
	}
	h.p.SetSize(0, 0)
	if h.p.View() != "" {
		t.Error("zero size view")
	}
}

func TestRebind(t *testing.T) {
	k := DefaultKeyMap()
	// Names are checked by the shared pass: an unknown one is refused and
	// changes nothing.
	if err := ui.RebindPanes(map[string][]string{"voipnow_record": {"R"}, "bogus": {"x"}}, nil, &k); err == nil ||
		!strings.Contains(err.Error(), `unknown binding "bogus"`) || !strings.Contains(err.Error(), "voipnow_record") {
		t.Errorf("unknown name: %v", err)
	}
	if k.Record.Keys()[0] != "r" {
		t.Errorf("a refused rebind changed record: %v", k.Record.Keys())
	}
	if err := ui.RebindPanes(map[string][]string{"voipnow_record": {"R"}}, nil, &k); err != nil {
		t.Fatal(err)
	}
	if k.Record.Keys()[0] != "R" || k.Record.Help().Key != "R" {
		t.Errorf("record = %v", k.Record.Keys())
	}
	h := newHarness(t, Options{})
	if err := ui.RebindAll(map[string][]string{"voipnow_record": {"R"}}, nil, h.p); err != nil {
		t.Fatal(err)
	}
	h.init()
	// The selection line names the key as bound now.
	if v := h.p.View(); !strings.Contains(v, "R start recording") || strings.Contains(v, "r start recording") {
		t.Errorf("hints do not follow the rebinding:\n%s", v)
	}
	h.key(keyR)
	if h.p.Capturing() {
		t.Error("old key still bound")
	}
	h.key(tea.KeyPressMsg{Code: 'R', Text: "R"})
	if !h.p.Capturing() {
		t.Error("new key not bound")
	}
}

// TestSharedMovementNames: the movement keys answer to the names every
// pane shares, so "down" rebinds the selection here too.
func TestSharedMovementNames(t *testing.T) {
	h := newHarness(t, Options{})
	for range 3 {
		h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	if err := ui.RebindAll(map[string][]string{"down": {"n"}}, nil, h.p); err != nil {
		t.Fatal(err)
	}
	h.init()
	if h.p.sel != 0 {
		t.Fatalf("selection starts at %d", h.p.sel)
	}
	h.key(tea.KeyPressMsg{Code: 'n', Text: "n"})
	if h.p.sel != 1 {
		t.Errorf("n should move down: selection %d", h.p.sel)
	}
	h.key(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if h.p.sel != 1 {
		t.Errorf("j still moves down: selection %d", h.p.sel)
	}
	if k := h.p.keys.Down.Help(); k.Key != "n" || k.Desc != "down" {
		t.Errorf("help follows the new key: %+v", k)
	}
}

func TestMouseSelects(t *testing.T) {
	h := newHarness(t, Options{})
	for range 3 {
		h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	h.init()
	h.send(tea.MouseClickMsg{X: 5, Y: headLines + 2, Button: tea.MouseLeft})
	if h.p.sel != 2 {
		t.Fatalf("click selected %d", h.p.sel)
	}
	h.send(tea.MouseClickMsg{X: 5, Y: 0, Button: tea.MouseLeft}) // the status line
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if h.p.sel != 3 {
		t.Fatalf("wheel selected %d", h.p.sel)
	}
}

// BenchmarkView renders a 40-line body over 1000 call views: only the rows
// on screen are drawn, so the cost does not grow with the list.
func BenchmarkView(b *testing.B) {
	p := New(Options{Client: nil, Now: func() time.Time { return time.Date(2025, 3, 1, 9, 5, 0, 0, time.UTC) }})
	p.SetStyles(ui.NewStyles(themes.Builtin()[0], false))
	p.SetSize(160, 40)
	var calls []voipnow.PhoneCall
	for i := range 1000 {
		calls = append(calls, voipnow.PhoneCall{ID: voipnow.ID(fmt.Sprintf("c%05d", i)), Published: "2025-03-01T09:00:00Z",
			Views: []voipnow.PhoneCallView{{ID: "01", Extension: "0003*210", Status: voipnow.StatusOnCall, Flow: voipnow.FlowIncoming,
				CallerID: "Ann Smith <0722000111>", Source: voipnow.Numbers{"0722000111"}, Destination: voipnow.Numbers{"0003*210"},
				Answered: "2025-03-01T09:00:05Z", Recording: "2025-03-01T09:01:00Z"}}})
	}
	p.gotCalls(callsMsg{listing: voipnow.CallListing{Calls: calls, Complete: true}})
	b.ReportAllocs()
	for b.Loop() {
		_ = p.View()
	}
}

// TestStalePollDoesNotUndoAction: a list request already on its way when
// StartRecording is answered must not show the call as not recording.
func TestStalePollDoesNotUndoAction(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	h.selectCall(id)
	_, pollCmd := h.p.Update(pollMsg{}) // a poll starts...
	stale := pollCmd()                  // ...and the PBX answers it before the action
	h.key(keyR, keyEnter)
	if toast := h.lastToast(); toast.Level != ui.ToastSuccess {
		t.Fatalf("toast = %+v", toast)
	}
	h.send(stale) // the old list arrives after the action's answer
	if view := h.p.View(); !strings.Contains(view, "● REC") {
		t.Fatalf("a stale poll undid the recording on screen:\n%s", view)
	}
	// The next poll is asked for after the answer: it is trusted, also
	// when the recording was stopped elsewhere meanwhile.
	if _, err := h.client.StopRecording(context.Background(), voipnow.RecordParams{PhoneCallID: id, ViewID: "01"}); err != nil {
		t.Fatal(err)
	}
	h.send(pollMsg{})
	if view := h.p.View(); strings.Contains(view, "● REC") || len(h.p.recent) != 0 {
		t.Fatalf("a fresh poll was not trusted (recent %v):\n%s", h.p.recent, view)
	}
}

// TestPBXTextIsMadeSafe: control characters from the PBX (escape
// sequences in a caller id, an error message) never reach the screen.
func TestPBXTextIsMadeSafe(t *testing.T) {
	p := New(Options{Now: func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }})
	p.SetStyles(&ui.Styles{})
	p.SetSize(120, 6)
	p.gotCalls(callsMsg{listing: voipnow.CallListing{Complete: true, Calls: []voipnow.PhoneCall{{ID: "a1", Views: []voipnow.PhoneCallView{{
		ID: "01", Extension: "210\x1b]0;pwned\a", CallerID: "Eve \x1b[2J\x1b[31m<1>\r\n",
		Source: voipnow.Numbers{"1\n2"}, Status: voipnow.StatusOnCall,
	}}}}}})
	view := p.View()
	if strings.ContainsAny(view, "\x1b\a\r") || strings.Count(view, "\n") != 5 || !strings.Contains(view, "Eve  [2J [31m<1>") {
		t.Fatalf("unsafe view: %q", view)
	}
	cmd := p.gotCalls(callsMsg{err: &voipnow.APIError{Status: 400, Code: "x", Message: "bad\x1b[2Jthing"}, manual: true})
	if strings.ContainsRune(p.View(), 0x1b) {
		t.Fatalf("unsafe error line: %q", p.View())
	}
	for _, m := range runBatch(cmd) {
		if tm, ok := m.(ui.ToastMsg); ok && strings.ContainsRune(tm.Text, 0x1b) {
			t.Fatalf("unsafe toast: %q", tm.Text)
		}
	}
}

// runBatch runs cmd and the commands of a batch it returns, except ticks.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for _, c := range b {
		if c != nil {
			out = append(out, c())
		}
	}
	return out
}

// TestSetupErrorShown: VoipNow configured but unusable shows why, sends
// nothing, and answers the action keys with the reason.
func TestSetupErrorShown(t *testing.T) {
	p := New(Options{SetupError: fmt.Errorf("VoipNow client secret is required (RECDECK_VOIPNOW_CLIENT_SECRET or voipnow.client_secret)")})
	p.SetStyles(&ui.Styles{})
	p.SetSize(140, 5)
	if p.Init() != nil {
		t.Fatal("Init fetches with a setup error")
	}
	if view := p.View(); !strings.Contains(view, "not available: VoipNow client secret is required") || len(strings.Split(view, "\n")) != 5 {
		t.Fatalf("view:\n%s", view)
	}
	for _, k := range []tea.KeyPressMsg{keyR, keyS, keyCtrlR} {
		_, cmd := p.Update(k)
		if cmd == nil {
			t.Fatalf("%v: no answer", k)
		}
		if tm, ok := cmd().(ui.ToastMsg); !ok || tm.Level != ui.ToastError || !strings.Contains(tm.Text, "client secret is required") {
			t.Errorf("%v: %+v", k, tm)
		}
	}
	if p.Capturing() {
		t.Error("a prompt opened")
	}
}

// At 80 columns the caller and the route stay readable and apart: the
// direction column gives way first.
func TestNarrowLayoutKeepsCallerAndRoute(t *testing.T) {
	h := newHarness(t, Options{})
	h.init()
	h.p.SetStyles(&ui.Styles{})
	h.p.SetSize(80, 10)
	screen := h.p.View()
	if strings.Contains(screen, "DIR") {
		t.Errorf("the direction column should go at 80 columns:\n%s", screen)
	}
	head := strings.Split(screen, "\n")[1]
	if !strings.Contains(head, "CALLER") || !strings.Contains(head, " FROM") {
		t.Fatalf("header at 80 columns: %q", head)
	}
	// The seed's call: its caller id is cut with a gap before the route.
	if !strings.Contains(screen, "John Doe") {
		t.Fatalf("caller unreadable at 80 columns:\n%s", screen)
	}
	h.p.SetSize(120, 10)
	if !strings.Contains(h.p.View(), "DIR") {
		t.Errorf("the direction column should show at 120 columns:\n%s", h.p.View())
	}
}
