package sessions

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/uitest"
)

// trueCalls is the simulator's true state, read the way an outside
// observer would: GET /sim/calls.
func trueCalls(t *testing.T, base string) map[string]sim.CallState {
	t.Helper()
	resp, err := http.Get(base + "/sim/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var calls []sim.CallState
	if err := json.Unmarshal(body, &calls); err != nil {
		t.Fatalf("GET /sim/calls: %v: %.200s", err, body)
	}
	out := map[string]sim.CallState{}
	for _, c := range calls {
		out[c.CorrelationId] = c
	}
	return out
}

// TestEndToEndAgainstTheSimulator drives the real model (frame + sessions
// pane) with the real REST client, tracker and SignalR listener against
// the simulator on loopback: key presses change the simulator's true
// state, and the screen shows the confirmed state.
func TestEndToEndAgainstTheSimulator(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	run, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: 7}) // no generator: the test makes the calls
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	client, err := anywhere365.New(anywhere365.Config{BaseURL: run.URL, APIVersion: anywhere365.APIv1})
	if err != nil {
		t.Fatal(err)
	}
	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client})
	ctx, cancel := context.WithCancel(context.Background())
	monitorDone := make(chan error, 1)
	go func() { monitorDone <- anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{}) }()
	defer func() {
		cancel()
		select {
		case err := <-monitorDone:
			if err != nil {
				t.Errorf("monitor: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("monitor did not stop")
		}
	}()

	logPath := filepath.Join(t.TempDir(), "audit.log")
	aud, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer aud.Close()
	pane := New(Config{Source: tracker, API: client, Requester: sim.DemoAgent, Audit: aud, Profile: "e2e"})
	frame := ui.New(ui.Options{Server: run.URL, APIVersion: client.APIVersion(), Tick: -1}, pane)
	d := &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	until := screenUntil(t, d, frame)
	until("the hub connection", func(s string) bool { return strings.Contains(s, "● connected") })

	demo, err := run.Server.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	help, err := run.Server.CreateCall("helpdesk", "", true)
	if err != nil {
		t.Fatal(err)
	}
	demoShort, helpShort := shortID(demo.CorrelationId), shortID(help.CorrelationId)
	rowOf := func(scr, id string) string { return lineWith(scr, id) }
	confirmed := func(id, state string) func(string) bool {
		return func(s string) bool {
			r := rowOf(s, id)
			return strings.Contains(r, state) && !strings.Contains(r, state+" ?")
		}
	}
	until("both calls confirmed as started", func(s string) bool {
		return confirmed(demoShort, "● Started")(s) && confirmed(helpShort, "● Started")(s)
	})
	until("helpdesk's capabilities", func(s string) bool {
		return strings.HasPrefix(strings.TrimLeft(rowOf(s, helpShort), " ▸"), "⊘")
	})

	// Select the ucc-demo-name call (sorted by UCC it is the second row).
	d.Press("G")
	if k := pane.tbl.sel; k.CorrelationID != demo.CorrelationId {
		t.Fatalf("selected %v", k)
	}

	steps := []struct {
		keys  []string
		check func(sim.CallState) bool
		row   string
	}{
		{[]string{"p"}, func(c sim.CallState) bool { return c.RecordingState == anywhere365.RecordingPaused }, "‖ Paused"},
		{[]string{"s"}, func(c sim.CallState) bool { return c.RecordingState == anywhere365.RecordingStarted }, "● Started"},
		{[]string{"m"}, func(c sim.CallState) bool { return c.MarkingState == anywhere365.MarkingMark }, "★ Mark"},
		{[]string{"u"}, func(c sim.CallState) bool { return c.MarkingState == anywhere365.MarkingUnmark }, "☆ Unmark"},
		{[]string{"v"}, func(c sim.CallState) bool { return c.SavingState == anywhere365.SavingSave }, "✓ Save"},
		{[]string{"x", "y"}, func(c sim.CallState) bool { return c.RecordingState == anywhere365.RecordingStopped }, "■ Stopped"},
		{[]string{"d", "y"}, func(c sim.CallState) bool { return c.SavingState == anywhere365.SavingDelete }, "✗ Delete"},
	}
	for _, st := range steps {
		d.Press(st.keys...)
		if c := trueCalls(t, run.URL)[demo.CorrelationId]; !st.check(c) {
			t.Fatalf("%v: the simulator's true state is %+v", st.keys, c)
		}
		if ts := frame.Toasts(); len(ts) == 0 || ts[len(ts)-1].Level != ui.ToastSuccess {
			t.Fatalf("%v: toasts %+v", st.keys, ts)
		}
		until("the row to show "+st.row+" confirmed", confirmed(demoShort, st.row))
	}

	// The server refuses pausing a stopped recording: the toast carries its
	// ErrorType and Message, and the true state is unchanged.
	d.Press("p")
	if got := frame.Toasts(); got[len(got)-1].Text != "Validation: Recorder state is Stopped, this state cannot be paused (Pause ucc-demo-name/"+demoShort+")" {
		t.Fatalf("toast %+v", got[len(got)-1])
	}
	if c := trueCalls(t, run.URL)[demo.CorrelationId]; c.RecordingState != anywhere365.RecordingStopped {
		t.Fatalf("state changed: %+v", c)
	}

	// helpdesk does not let agents edit recordings: nothing is sent.
	d.Press("g")
	d.Press("p")
	if got := frame.Toasts(); !strings.Contains(got[len(got)-1].Text, "is disabled: agents cannot edit recordings on UCC helpdesk") {
		t.Fatalf("toast %+v", got[len(got)-1])
	}
	if c := trueCalls(t, run.URL)[help.CorrelationId]; c.RecordingState != anywhere365.RecordingStarted {
		t.Fatalf("helpdesk call changed: %+v", c)
	}

	// Every attempt is one JSON line in the audit log.
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var outcomes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		if r.Requester != sim.DemoAgent || r.Profile != "e2e" {
			t.Fatalf("audit record %+v", r)
		}
		if r.Phase == audit.PhaseAttempt { // written ahead; its outcome follows
			continue
		}
		outcomes = append(outcomes, r.Action+":"+r.Outcome)
	}
	want := "Pause:ok Start:ok Mark:ok UnMark:ok Save:ok Stop:ok Delete:ok Pause:failed Pause:disabled"
	if got := strings.Join(outcomes, " "); got != want {
		t.Fatalf("audit outcomes %s, want %s", got, want)
	}
}

// screenUntil returns until: it ticks the console (as its frame's clock
// would) until cond holds on the rendered screen, or fails the test after
// 15 s with the screen.
func screenUntil(t *testing.T, d *uitest.Driver, frame *ui.Model) func(what string, cond func(screen string) bool) string {
	var seq uint64
	return func(what string, cond func(screen string) bool) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			seq++
			d.Send(ui.TickMsg{At: time.Now(), Seq: seq})
			scr := stripANSI(frame.Render())
			if cond(scr) {
				return scr
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
