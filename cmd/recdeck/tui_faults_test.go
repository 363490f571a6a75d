package main

// Issue 4, "Faults survived", on the console's side: the console exactly as
// runTUI builds it (newConsole: frame, sessions pane, REST client, tracker
// and hub listener) runs against the Anywhere365 simulator over loopback
// while the simulator misbehaves, driven through Update and View like a
// terminal would. For every fault:
//   - no panic;
//   - Update never waits on the network: with the server holding a request
//     (or adding 2 s of latency), Update and View are called and return
//     while that request is still unanswered, a causal check rather than a
//     timing one;
//   - every key that starts an action ends in a toast, confirmed or failed
//     with a reason;
//   - within 2 s of the fault ending, the selected session's row shows the
//     simulator's truth (GET /sim/calls): its recording, marking and saving
//     states, confirmed, with no refresh error left on screen.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

const (
	// tfConverge is the bound: the screen shows the truth within
	// 2 s of a fault ending.
	tfConverge = 2 * time.Second
	// tfSetup bounds waits that are not under test (first connection, a
	// new call showing up) on a busy machine with -race.
	tfSetup = 20 * time.Second
)

// tfSim is an Anywhere365 simulator on a fixed loopback address behind a
// gate. It can be stopped and started again on the same port (a process
// restart: its calls are lost), and the gate can hold every vendor API
// request until released.
type tfSim struct {
	t    *testing.T
	addr string

	mu   sync.Mutex
	srv  *sim.Server
	hs   *http.Server
	done chan struct{}

	gateMu  sync.Mutex
	hold    chan struct{} // non-nil: API requests wait until it is closed
	waiting atomic.Int32  // action (set) requests held right now
}

func startTFSim(t *testing.T, seed int64) *tfSim {
	t.Helper()
	s := &tfSim{t: t, addr: "127.0.0.1:0"}
	s.start(seed)
	t.Cleanup(s.stop)
	return s
}

func (s *tfSim) url() string { return "http://" + s.addr }

// start serves a new simulator (fresh state) on the address.
func (s *tfSim) start(seed int64) {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addr = ln.Addr().String()
	s.srv = sim.New(sim.Options{Seed: seed})
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	s.done = make(chan struct{})
	hs, done := s.hs, s.done
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
}

// stop closes the simulator and its listener, websockets included.
func (s *tfSim) stop() {
	s.mu.Lock()
	srv, hs, done := s.srv, s.hs, s.done
	s.srv, s.hs = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	s.release()
	srv.Close()
	_ = hs.Close()
	<-done
}

func (s *tfSim) sim() *sim.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv
}

func (s *tfSim) serve(w http.ResponseWriter, r *http.Request) {
	srv := s.sim()
	if srv == nil {
		http.Error(w, "stopped", http.StatusServiceUnavailable)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/attendantservice/api/") {
		s.gateMu.Lock()
		hold := s.hold
		s.gateMu.Unlock()
		if hold != nil {
			// Only actions are counted: the tracker's GETs wait too, but
			// the check is about the action the key press sent.
			set := strings.HasSuffix(r.URL.Path, "/recording/set")
			if set {
				s.waiting.Add(1)
			}
			select {
			case <-hold:
			case <-r.Context().Done():
			}
			if set {
				s.waiting.Add(-1)
			}
		}
	}
	srv.Handler().ServeHTTP(w, r)
}

// holdRequests makes every vendor API request wait until release.
func (s *tfSim) holdRequests() {
	s.gateMu.Lock()
	defer s.gateMu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

func (s *tfSim) release() {
	s.gateMu.Lock()
	defer s.gateMu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// truth is the simulator's state of one call, read over HTTP from its
// control API (which faults never touch); ok is false for a call it does
// not know (after a restart).
func (s *tfSim) truth(id string) (c sim.CallState, ok bool) {
	s.t.Helper()
	resp, err := http.Get(s.url() + "/sim/calls")
	if err != nil {
		s.t.Fatalf("GET /sim/calls: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		s.t.Fatal(err)
	}
	var calls []sim.CallState
	if err := json.Unmarshal(body, &calls); err != nil {
		s.t.Fatalf("GET /sim/calls: %v: %.200s", err, body)
	}
	for _, c := range calls {
		if c.CorrelationId == id {
			return c, true
		}
	}
	return sim.CallState{}, false
}

// newCall answers a call the test (not the generator) drives.
func (s *tfSim) newCall(ucc string) anywhere365.SessionKey {
	s.t.Helper()
	c, err := s.sim().CreateCall(ucc, "", true)
	if err != nil {
		s.t.Fatal(err)
	}
	return anywhere365.SessionKey{UCC: ucc, CorrelationID: c.CorrelationId}
}

// otherSupervisor changes a call through the REST API with a bare HTTP
// request, as another console would: this console learns of it only from
// the hub or a resync.
func (s *tfSim) otherSupervisor(k anywhere365.SessionKey, a anywhere365.Action) {
	s.t.Helper()
	body, _ := json.Marshal(anywhere365.SetRequest{Action: a, RequesterSipUri: sim.DemoSupervisor,
		CorrelationId: k.CorrelationID, UCCName: k.UCC})
	resp, err := http.Post(s.url()+"/attendantservice/api/recording/set", "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("%s by another supervisor: %s %s", a, resp.Status, b)
	}
}

// tfConsole is a console built by newConsole, driven without a terminal.
type tfConsole struct {
	t      *testing.T
	c      *console
	d      *uitest.Driver
	seq    uint64
	stderr bytes.Buffer // what the console wrote before it took the screen
	// seen, when set, receives every screen the test looked at, with its
	// escape codes (the security test searches them all).
	seen func(raw string)
}

// newTFConsole builds the console with the command line args, as runTUI
// would, with the frame's ticker off: the test sends the ticks.
func newTFConsole(t *testing.T, args ...string) *tfConsole {
	t.Helper()
	g := &globals{}
	root := &cobra.Command{Use: "recdeck"}
	g.bind(root)
	bindTUIFlags(root)
	x := &tfConsole{t: t}
	root.SetErr(&x.stderr)
	if err := root.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	c, err := newConsole(context.Background(), root, g, consoleOptions{tick: -1})
	if err != nil {
		t.Fatalf("newConsole: %v", err)
	}
	t.Cleanup(c.close)
	x.c = c
	x.d = &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, cmd := c.model.Update(m); return cmd }}
	x.d.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	return x
}

// use makes t the test that helpers report to (a subtest), until the
// returned function restores the previous one.
func (x *tfConsole) use(t *testing.T, s *tfSim) func() {
	pt, ps := x.t, s.t
	x.t, s.t = t, t
	return func() { x.t, s.t = pt, ps }
}

// connected waits until the console shows the hub connected and the
// simulator counts its connection. The API has no way to list calls: a
// call answered while the console is not subscribed is not seen until its
// next event, so tests answer calls only then.
func (x *tfConsole) connected(s *tfSim) {
	x.t.Helper()
	x.until("the hub connection", tfSetup, func(scr string) bool {
		return strings.Contains(scr, "● connected") && s.sim().HubConnections() == 1
	})
}

func (x *tfConsole) tick() {
	x.seq++
	x.d.Send(ui.TickMsg{At: time.Now(), Seq: x.seq})
}

func (x *tfConsole) screen() string {
	raw := x.c.frame.Render()
	if x.seen != nil {
		x.seen(raw)
	}
	return ansi.Strip(raw)
}

// until ticks the console, as its ticker would, until cond holds for the
// screen, failing after within.
func (x *tfConsole) until(what string, within time.Duration, cond func(screen string) bool) time.Duration {
	x.t.Helper()
	start := time.Now()
	for {
		x.tick()
		scr := x.screen()
		if cond(scr) {
			return time.Since(start)
		}
		if time.Since(start) > within {
			x.t.Fatalf("%s: not seen within %v; screen:\n%s", what, within, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// toastsSince returns the toasts commands produced after Seen[from].
func (x *tfConsole) toastsSince(from int) []ui.ToastMsg {
	var out []ui.ToastMsg
	for _, m := range x.d.Seen[from:] {
		if tm, ok := m.(ui.ToastMsg); ok {
			out = append(out, tm)
		}
	}
	return out
}

// selectCall filters the table down to one call, as a supervisor would,
// and waits until it is listed and selected.
func (x *tfConsole) selectCall(k anywhere365.SessionKey) {
	x.t.Helper()
	short := k.CorrelationID[:8]
	x.d.Press("esc") // clears a previous filter
	x.d.Press("/")
	x.d.Type(short)
	x.d.Press("enter")
	x.until("the call "+short+" listed and selected", tfSetup, func(scr string) bool {
		sel, ok := x.c.pane.Selected()
		return ok && sel == k && strings.Contains(scr, short)
	})
}

// tfAction is a key (or keys, for a confirmed action) and its action.
type tfAction struct {
	keys   []string
	action anywhere365.Action
}

var tfActions = []tfAction{
	{[]string{"p"}, anywhere365.ActionPause},
	{[]string{"s"}, anywhere365.ActionStart},
	{[]string{"m"}, anywhere365.ActionMark},
	{[]string{"u"}, anywhere365.ActionUnMark},
	{[]string{"v"}, anywhere365.ActionSave},
	{[]string{"x", "y"}, anywhere365.ActionStop},
}

func tfFind(a anywhere365.Action) tfAction {
	for _, x := range tfActions {
		if x.action == a {
			return x
		}
	}
	panic(a)
}

// act presses an action's keys on the selected call and checks that it
// ended in a toast: confirmed, or failed with a reason. It returns the
// toast.
func (x *tfConsole) act(a tfAction, k anywhere365.SessionKey) ui.ToastMsg {
	x.t.Helper()
	from := len(x.d.Seen)
	x.d.Press(a.keys...)
	label := regexp.QuoteMeta(k.UCC + "/" + k.CorrelationID[:8])
	name := regexp.QuoteMeta(a.action.String())
	ok := regexp.MustCompile(`^(Paused|Started|Resumed|Stopped|Saved|Deleted|Marked|Unmarked) ` + label + ` \(now \w+\)$`)
	failed := regexp.MustCompile(`^(\w+: \S.* \(` + name + ` ` + label + `\)|` + name + ` ` + label + ` failed: \S.{3,})$`)
	// An answer lost after the request left is unknown (issue 13): the
	// console says so, re-reads the call and reports what it found.
	unknown := regexp.MustCompile(`^\? ` + name + ` ` + label + ` unknown: the request reached the server but its answer was lost: re-reading$`)
	reread := regexp.MustCompile(`^(` + name + ` ` + label + ` re-read after its lost answer: now \w+ \(it (took|did not take) effect\)|\? ` +
		name + ` ` + label + ` still unknown: could not re-read it \(\S.{3,}\); the row shows its state once the server answers)$`)
	// Stop on a recording the row shows Stopped is answered at once (issue 16).
	already := regexp.MustCompile(`^The recording of ` + label + ` is already stopped: nothing sent$`)
	wasUnknown := false
	for _, tm := range x.toastsSince(from) {
		if !strings.Contains(tm.Text, k.CorrelationID[:8]) {
			continue
		}
		switch {
		case !wasUnknown && tm.Level == ui.ToastWarning && unknown.MatchString(tm.Text):
			wasUnknown = true
			continue
		case wasUnknown && tm.Level != ui.ToastError && reread.MatchString(tm.Text):
		case !wasUnknown && tm.Level == ui.ToastSuccess && ok.MatchString(tm.Text):
		case !wasUnknown && tm.Level == ui.ToastError && failed.MatchString(tm.Text):
		case !wasUnknown && tm.Level == ui.ToastInfo && a.action == anywhere365.ActionStop && already.MatchString(tm.Text):
		default:
			x.t.Fatalf("%v: the toast is neither confirmed, nor failed with a reason, nor unknown and re-read: %+v", a.keys, tm)
		}
		return tm
	}
	x.t.Fatalf("%v on %s ended without a toast (messages %v)", a.keys, label, x.d.Seen[from:])
	return ui.ToastMsg{}
}

var (
	tfRecSym  = map[anywhere365.RecordingState]string{0: "○", 1: "●", 2: "■", 3: "‖"}
	tfMarkTxt = map[anywhere365.MarkingState]string{0: "·", 1: "★ Mark", 2: "☆ Unmark"}
	tfSaveTxt = map[anywhere365.SavingState]string{0: "·", 1: "✓ Save", 2: "✗ Delete"}
)

// rowMismatch says how the screen's row for k differs from the
// simulator's truth, or "" when it shows it: the states, confirmed (no
// "?"), and no refresh error on screen; a call the simulator does not know
// or that ended shows as ended.
func (x *tfConsole) rowMismatch(s *tfSim, k anywhere365.SessionKey, scr string) string {
	short := k.CorrelationID[:8]
	var row string
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, " "+short+" ") {
			row = l
		}
	}
	if row == "" {
		return "no row for " + short
	}
	if sel, ok := x.c.pane.Selected(); ok && sel == k && strings.Contains(scr, "last refresh failed") {
		return "the selected row's refresh error is still shown"
	}
	c, known := s.truth(k.CorrelationID)
	if !known || c.Ended {
		if !strings.Contains(row, " ended ") {
			return fmt.Sprintf("truth: ended (known %v); row %q", known, row)
		}
		return ""
	}
	want := regexp.QuoteMeta(tfRecSym[c.RecordingState]+" "+c.RecordingState.String()) + `\s+` +
		regexp.QuoteMeta(tfMarkTxt[c.MarkingState]) + `\s+` + regexp.QuoteMeta(tfSaveTxt[c.SavingState]) + `\s`
	if !regexp.MustCompile(want).MatchString(row) {
		return fmt.Sprintf("truth %s/%s/%s; row %q", c.RecordingState, c.MarkingState, c.SavingState, row)
	}
	return ""
}

// showsTruth waits until every row of keys shows the truth, failing after
// the 2 s; it returns how long that took.
func (x *tfConsole) showsTruth(what string, s *tfSim, keys ...anywhere365.SessionKey) time.Duration {
	x.t.Helper()
	start := time.Now()
	for {
		x.tick()
		scr := x.screen()
		var bad string
		for _, k := range keys {
			if bad = x.rowMismatch(s, k, scr); bad != "" {
				break
			}
		}
		if bad == "" {
			took := time.Since(start)
			x.t.Logf("%s: the screen shows the truth %v after the fault ended", what, took.Round(time.Millisecond))
			return took
		}
		if time.Since(start) > tfConverge {
			x.t.Fatalf("%s: %v after the fault ended the screen still differs from the truth: %s\n%s", what, tfConverge, bad, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tfRun runs a command and the batches within it, returning the messages.
func tfRun(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, tfRun(c)...)
		}
		return out
	default:
		return []tea.Msg{m}
	}
}

// pressInFlight presses an action key and starts its command (the
// request) on its own goroutine, as Bubble Tea would; the returned channel
// delivers the command's messages once the server answers.
func (x *tfConsole) pressInFlight(key string) <-chan []tea.Msg {
	x.t.Helper()
	_, cmd := x.c.model.Update(uitest.Key(key))
	if cmd == nil {
		x.t.Fatalf("%s: no command", key)
	}
	done := make(chan []tea.Msg, 1)
	go func() { done <- tfRun(cmd) }()
	return done
}

// busyWhileWaiting uses the console (ticks, moves, a second press of the
// pending action's key, renders) on another goroutine and returns once
// that is done, failing after 10 s: if Update or View waited on the
// network this could not finish while the server holds the request. It
// returns the commands that came back, to be run later (ticks may start
// requests), and the toasts the repeated key asked for (those commands
// only make a message).
func (x *tfConsole) busyWhileWaiting(key string) (later []tea.Cmd, toasts []string) {
	x.t.Helper()
	var keyCmds []tea.Cmd
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := 0; i < 20; i++ {
			x.seq++
			for _, m := range []tea.Msg{ui.TickMsg{At: time.Now(), Seq: x.seq}, uitest.Key("j"), uitest.Key("k")} {
				_, cmd := x.c.model.Update(m)
				later = append(later, cmd)
			}
			_, cmd := x.c.model.Update(uitest.Key(key))
			keyCmds = append(keyCmds, cmd)
			_ = x.c.frame.Render()
		}
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		x.t.Fatal("Update or View did not return while a request was in flight: the UI waits on the network")
	}
	for _, c := range keyCmds {
		for _, m := range tfRun(c) {
			if tm, ok := m.(ui.ToastMsg); ok {
				toasts = append(toasts, tm.Text)
			}
		}
	}
	return later, toasts
}

// deliver hands an action's messages to the console, then runs the
// commands held back while it was in flight; it returns the toasts that
// followed.
func (x *tfConsole) deliver(msgs []tea.Msg, later []tea.Cmd) []ui.ToastMsg {
	x.t.Helper()
	from := len(x.d.Seen)
	for _, m := range msgs {
		x.d.Send(m)
	}
	for _, c := range later {
		x.d.Exec(c)
	}
	return x.toastsSince(from)
}

// pending checks that every repeated press while the action was in flight
// was answered "still pending", not sent again.
func (x *tfConsole) pending(action string, toasts []string) {
	x.t.Helper()
	if len(toasts) == 0 {
		x.t.Fatal("no answer to the key pressed again while the action was in flight")
	}
	for _, tx := range toasts {
		if !strings.Contains(tx, action+" is still pending") {
			x.t.Fatalf("the key pressed again while in flight: %q", tx)
		}
	}
}

func tfArgs(s *tfSim) []string {
	return []string{"--base-url", s.url(), "--api", "v1", "--sip", sim.DemoAgent}
}

// TestTUIUnderFaults runs one console through every fault in turn.
func TestTUIUnderFaults(t *testing.T) {
	isolate(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := startTFSim(t, 41)
	x := newTFConsole(t, tfArgs(s)...)
	x.connected(s)

	// fresh answers a new call and selects it, confirmed on screen.
	fresh := func(ucc string) anywhere365.SessionKey {
		x.connected(s)
		k := s.newCall(ucc)
		x.selectCall(k)
		x.until("the new call confirmed", tfSetup, func(scr string) bool { return x.rowMismatch(s, k, scr) == "" })
		return k
	}

	t.Run("server holds the request: Update and View do not wait", func(t *testing.T) {
		defer x.use(t, s)()
		k := fresh("ucc-demo-name")
		s.holdRequests()
		done := x.pressInFlight("p")
		deadline := time.Now().Add(10 * time.Second)
		for s.waiting.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the Pause request never reached the server")
			}
			time.Sleep(time.Millisecond)
		}
		later, again := x.busyWhileWaiting("p")
		scr := x.screen()
		// Causality: all of that happened while the server still held the
		// request, which has not been answered.
		if s.waiting.Load() == 0 {
			t.Fatal("the request was released before the check")
		}
		select {
		case <-done:
			t.Fatal("the action finished while the server held it")
		default:
		}
		x.pending("Pause", again)
		if !strings.Contains(scr, "Pause ucc-demo-name/"+k.CorrelationID[:8]+" sent") || !strings.Contains(scr, "waiting for the server") {
			t.Fatalf("no pending action on screen:\n%s", scr)
		}
		s.release()
		var msgs []tea.Msg
		select {
		case msgs = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the action did not end after the release")
		}
		if ts := x.deliver(msgs, later); len(ts) == 0 || ts[0].Level != ui.ToastSuccess || !strings.HasPrefix(ts[0].Text, "Paused ucc-demo-name/") {
			t.Fatalf("after the release: toasts %+v", ts)
		}
		x.showsTruth("held request", s, k)
	})

	t.Run("2 s latency", func(t *testing.T) {
		defer x.use(t, s)()
		k := fresh("payments")
		s.sim().SetFaults(sim.Faults{LatencyMs: 2000})
		done := x.pressInFlight("p")
		later, again := x.busyWhileWaiting("p")
		select {
		case <-done:
			t.Fatal("the action ended before Update and View returned: they waited for it")
		default:
		}
		x.pending("Pause", again)
		var msgs []tea.Msg
		select {
		case msgs = <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("the action did not end")
		}
		if ts := x.deliver(msgs, later); len(ts) == 0 || ts[0].Level != ui.ToastSuccess {
			t.Fatalf("under latency: toasts %+v", ts)
		}
		// A refresh the pause's event started is still sleeping in the
		// server: let it land, then end the fault.
		x.until("the pause confirmed under latency", tfSetup, func(scr string) bool { return x.rowMismatch(s, k, scr) == "" })
		s.sim().SetFaults(sim.Faults{})
		x.act(tfFind(anywhere365.ActionStart), k)
		x.showsTruth("latency", s, k)
	})

	simple := []struct {
		name   string
		faults sim.Faults
		keys   []anywhere365.Action
		// want matches every failed toast's text.
		want string
		// mustFail: every action fails under this fault.
		mustFail bool
	}{
		{"30 % HTTP 500s", sim.Faults{HTTPErrorRate: 0.3}, []anywhere365.Action{anywhere365.ActionPause, anywhere365.ActionStart,
			anywhere365.ActionMark, anywhere365.ActionUnMark, anywhere365.ActionSave, anywhere365.ActionPause, anywhere365.ActionStart},
			// A failed pause makes the next start a refused one.
			`HTTP 500|Validation: Recorder state is`, false},
		// The set was carried out but its answer is garbled: an unknown
		// outcome, re-read (never an error toast).
		{"malformed bodies", sim.Faults{MalformedRate: 1}, []anywhere365.Action{anywhere365.ActionMark}, `^$`, false},
		{"truncated bodies", sim.Faults{TruncatedRate: 1}, []anywhere365.Action{anywhere365.ActionPause}, `^$`, false},
		{"recorder unavailable", sim.Faults{RecorderUnavailable: true}, []anywhere365.Action{anywhere365.ActionStart},
			"Configuration: Recorder was not available, command could not be executed", true},
		{"Processing errors", sim.Faults{ProcessingErrorRate: 1}, []anywhere365.Action{anywhere365.ActionSave}, "Processing: ", true},
	}
	for _, tc := range simple {
		t.Run(tc.name, func(t *testing.T) {
			defer x.use(t, s)()
			k := fresh("ucc-demo-name")
			s.sim().SetFaults(tc.faults)
			for _, a := range tc.keys {
				tm := x.act(tfFind(a), k)
				if tm.Level == ui.ToastError && !regexp.MustCompile(tc.want).MatchString(tm.Text) {
					t.Errorf("%s: %q lacks %q", a, tm.Text, tc.want)
				}
				if tc.mustFail && tm.Level != ui.ToastError {
					t.Errorf("%s under %s succeeded: %q", a, tc.name, tm.Text)
				}
			}
			s.sim().SetFaults(sim.Faults{})
			x.showsTruth(tc.name, s, k)
			x.act(tfFind(anywhere365.ActionMark), k) // and the console works again
			x.showsTruth(tc.name+", then an action", s, k)
		})
	}

	t.Run("hub drops every connection and stays down", func(t *testing.T) {
		defer x.use(t, s)()
		k := fresh("payments")
		s.sim().SetFaults(sim.Faults{DropHub: true, HubDown: true})
		x.until("the console showing the hub reconnecting", tfSetup, func(scr string) bool { return strings.Contains(scr, "↻ reconnecting") })
		// The console's own action still works (REST is up) ...
		if tm := x.act(tfFind(anywhere365.ActionPause), k); tm.Level != ui.ToastSuccess {
			t.Fatalf("pause while the hub is down: %+v", tm)
		}
		// ... and another supervisor's, which only the hub would report.
		s.otherSupervisor(k, anywhere365.ActionMark)
		s.sim().SetFaults(sim.Faults{})
		x.showsTruth("hub down", s, k)
	})

	t.Run("simulator stopped and restarted on the same port", func(t *testing.T) {
		defer x.use(t, s)()
		k := fresh("ucc-demo-name")
		addr := s.addr
		s.stop()
		x.until("the console showing the hub reconnecting", tfSetup, func(scr string) bool { return strings.Contains(scr, "↻ reconnecting") })
		tm := x.act(tfFind(anywhere365.ActionPause), k)
		// A first request may meet a keep-alive connection the server
		// closed (EOF), the next a refused connection.
		if tm.Level != ui.ToastError || !regexp.MustCompile(`connection refused|EOF|connection reset`).MatchString(tm.Text) {
			t.Fatalf("pause with the server down: %+v", tm)
		}
		s.start(4242) // a new process: the old calls are gone, the ids differ
		if s.addr != addr {
			t.Fatalf("restarted on %s, not %s", s.addr, addr)
		}
		x.showsTruth("restart (the old call is gone)", s, k)
		n := fresh("ucc-demo-name")
		if tm := x.act(tfFind(anywhere365.ActionMark), n); tm.Level != ui.ToastSuccess {
			t.Fatalf("mark after the restart: %+v", tm)
		}
		x.showsTruth("restart, a new call", s, n)
	})
}

// TestTUIRandomFaults runs many faults in a sequence drawn from a fixed
// seed, with random actions under each, and checks after each fault that
// both calls' rows show the truth within 2 s.
func TestTUIRandomFaults(t *testing.T) {
	isolate(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := startTFSim(t, 43)
	x := newTFConsole(t, tfArgs(s)...)
	x.connected(s)
	calls := []anywhere365.SessionKey{s.newCall("payments"), s.newCall("ucc-demo-name")}
	x.until("both calls confirmed", tfSetup, func(scr string) bool {
		return x.rowMismatch(s, calls[0], scr) == "" && x.rowMismatch(s, calls[1], scr) == ""
	})
	faults := []struct {
		name string
		f    sim.Faults
	}{
		{"hub drop", sim.Faults{DropHub: true}},
		{"hub down", sim.Faults{DropHub: true, HubDown: true}},
		{"30 % HTTP 500", sim.Faults{HTTPErrorRate: 0.3}},
		{"300 ms latency", sim.Faults{LatencyMs: 300}},
		{"malformed", sim.Faults{MalformedRate: 0.5}},
		{"truncated", sim.Faults{TruncatedRate: 0.5}},
		{"recorder unavailable", sim.Faults{RecorderUnavailable: true}},
		{"Processing", sim.Faults{ProcessingErrorRate: 0.5}},
		{"everything at once", sim.Faults{HTTPErrorRate: 0.2, MalformedRate: 0.2, TruncatedRate: 0.2, ProcessingErrorRate: 0.2, DropHub: true}},
	}
	rng := rand.New(rand.NewPCG(2024, 4))
	var worst time.Duration
	const rounds = 12
	for round := 0; round < rounds; round++ {
		f := faults[rng.IntN(len(faults))]
		s.sim().SetFaults(f.f)
		for n := 1 + rng.IntN(3); n > 0; n-- {
			i := rng.IntN(len(calls))
			x.d.Press([]string{"g", "G"}[i]) // payments sorts first
			if sel, _ := x.c.pane.Selected(); sel != calls[i] {
				t.Fatalf("round %d: selected %v, want %v", round, sel, calls[i])
			}
			x.act(tfActions[rng.IntN(len(tfActions))], calls[i])
		}
		// Now and then someone else acts too.
		if rng.IntN(3) == 0 {
			i := rng.IntN(len(calls))
			a := []anywhere365.Action{anywhere365.ActionMark, anywhere365.ActionUnMark, anywhere365.ActionSave}[rng.IntN(3)]
			if s.sim().CurrentFaults().HTTPErrorRate == 0 && !s.sim().CurrentFaults().RecorderUnavailable &&
				s.sim().CurrentFaults().ProcessingErrorRate == 0 {
				s.otherSupervisor(calls[i], a)
			}
		}
		s.sim().SetFaults(sim.Faults{})
		if d := x.showsTruth(fmt.Sprintf("round %d (%s)", round, f.name), s, calls...); d > worst {
			worst = d
		}
	}
	t.Logf("%d faults in sequence: the screen showed the truth at most %v after each ended", rounds, worst.Round(time.Millisecond))
}
