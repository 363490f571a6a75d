package sessions

// Issue 11 on screen: stale rows while the hub is down, rows the server
// refused for good (with its reason), and removing a session (D).

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

func TestStaleAndRefusedRowsInWordsAndSymbols(t *testing.T) {
	h := newHarness(t, 140, 30)
	stale := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	refused := anywhere365.SessionKey{UCC: "sales", CorrelationID: id4}
	h.src.update(stale, func(s *anywhere365.Session) { s.Stale = true })
	h.src.update(refused, func(s *anywhere365.Session) {
		s.Final, s.Confirmed, s.Recording = true, false, anywhere365.RecordingUninitialized
		s.LastError = "Validation error: Ucc name (sales) was not recognized"
	})
	h.tick()
	scr := h.plain()
	mustContain(t, lineWith(scr, shortID(id2)), "‖ Paused ~")
	row := lineWith(scr, shortID(id4))
	mustContain(t, row, "⊠ refused", "Ucc name")
	if !strings.HasPrefix(strings.TrimLeft(row, " ▸"), "⊠") {
		t.Errorf("refused row lacks the ⊠ marker: %q", row)
	}
	mustContain(t, scr, "~ = stale", "⊠ = refused", "~ 1 stale (polled)", "⊠ 1 refused")
	mustNotContain(t, scr, "1 unconfirmed") // a refused row waits for nothing

	h.selectKey(refused)
	mustContain(t, h.plain(), "⊠ refused by the server, not asked again: Ucc name (sales) was not recognized (D removes it)")
	h.d.Press("enter")
	mustContain(t, h.plain(), "⊠ refused by the server: Ucc name (sales) was not recognized (not asked again; D removes it)")
	h.d.Press("esc")
	h.selectKey(stale)
	mustContain(t, h.plain(), "~ stale: the hub is down, so this row is kept by polling the server")
	h.d.Press("enter")
	mustContain(t, h.plain(), "~ stale: the hub is down, kept by polling")
	h.d.Press("esc")

	// The fake store cannot remove: the key says so rather than nothing.
	h.d.Press("D")
	if got := h.lastToast().Text; got != "This session store cannot remove sessions" {
		t.Fatalf("toast %q", got)
	}
	// The key is in the footer and in the help.
	mustContain(t, h.plain(), "D remove from list")
	h.d.Press("?")
	if !regexp.MustCompile(`D +remove from list`).MatchString(h.plain()) {
		t.Fatalf("help lacks D remove from list:\n%s", h.plain())
	}
}

// Against the simulator with the real tracker: a typo watched with "a"
// (unknown UCC, upper-case GUID) shows the server's reason and is not
// asked again; D then y removes it (n keeps it); a hub outage marks the
// rows stale on screen and the mark goes when the hub is back.
func TestRemoveRefusedAndStaleAgainstTheSimulator(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	run, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: 17})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	client, err := anywhere365.New(anywhere365.Config{BaseURL: run.URL, APIVersion: anywhere365.APIv1})
	if err != nil {
		t.Fatal(err)
	}
	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client, DownInterval: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	monitorDone := make(chan error, 1)
	go func() {
		monitorDone <- anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	}()
	defer func() {
		cancel()
		select {
		case <-monitorDone:
		case <-time.After(10 * time.Second):
			t.Error("monitor did not stop")
		}
	}()
	pane := New(Config{Source: tracker, API: client, Requester: sim.DemoAgent, Profile: "e2e"})
	frame := ui.New(ui.Options{Server: run.URL, APIVersion: client.APIVersion(), Tick: -1}, pane)
	d := &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	d.Send(tea.WindowSizeMsg{Width: 140, Height: 30})
	until := screenUntil(t, d, frame)
	until("the hub connection", func(s string) bool { return strings.Contains(s, "● connected") })
	call, err := run.Server.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	until("the call", func(s string) bool { return strings.Contains(lineWith(s, shortID(call.CorrelationId)), "● Started") })

	typo := "9f3c2b1a-0000-4000-8000-00000000abcd"
	d.Press("a")
	d.Type("ucc-demo-nmae")
	d.Press("enter")
	d.Type(strings.ToUpper(typo))
	d.Press("enter")
	scr := until("the refusal", func(s string) bool { return strings.Contains(lineWith(s, "9f3c2b1a"), "⊠ refused") })
	mustContain(t, lineWith(scr, "9f3c2b1a"), "ucc-demo-nmae", "Ucc name")
	gets := tracker.GetCount()
	time.Sleep(1500 * time.Millisecond) // the old retry loop asked ~1.4 times a second
	until("still refused", func(s string) bool { return strings.Contains(s, "⊠ 1 refused") })
	if n := tracker.GetCount(); n != gets {
		// Only the periodic re-reads of the live call may have run.
		if _, _, ok := tracker.Session(anywhere365.SessionKey{UCC: "ucc-demo-nmae", CorrelationID: typo}); !ok {
			t.Fatal("the refused session vanished")
		}
		if n-gets > 1 {
			t.Fatalf("%d GETs in 1.5 s with one refused and one live session", n-gets)
		}
	}

	// Select it (typed in upper case, listed in lower case) and remove it.
	if k, ok := pane.Selected(); !ok || k.CorrelationID != typo {
		t.Fatalf("selected %v, want the session just added", k)
	}
	d.Press("D")
	mustContain(t, stripANSI(frame.Render()), "Remove ucc-demo-nmae/9f3c2b1a from the list?")
	d.Press("n")
	until("kept after n", func(s string) bool { return strings.Contains(s, "9f3c2b1a") })
	d.Press("D", "y")
	if ts := frame.Toasts(); len(ts) == 0 || ts[len(ts)-1].Text != "Removed ucc-demo-nmae/9f3c2b1a from the list" {
		t.Fatalf("toasts %+v", ts)
	}
	until("removed", func(s string) bool { return !strings.Contains(s, "9f3c2b1a") && strings.Contains(s, "1 session ") })
	if tracker.Len() != 1 {
		t.Fatalf("tracker has %d sessions", tracker.Len())
	}

	// Hub down: the live row is marked stale in words and symbol.
	run.Server.SetFaults(sim.Faults{HubDown: true, DropHub: true})
	scr = until("stale rows", func(s string) bool {
		return strings.Contains(lineWith(s, shortID(call.CorrelationId)), "● Started ~") && (strings.Contains(s, "~ 1 stale (polled)") || strings.Contains(s, "1 session, ~1 stale"))
	})
	if _, err := client.Set(context.Background(), anywhere365.SetParams{UCC: "ucc-demo-name", CorrelationID: call.CorrelationId,
		RequesterSIP: sim.DemoAgent, Action: anywhere365.ActionPause}); err != nil {
		t.Fatal(err)
	}
	until("the pause polled while the hub is down", func(s string) bool {
		return strings.Contains(lineWith(s, shortID(call.CorrelationId)), "‖ Paused ~")
	})
	run.Server.SetFaults(sim.Faults{})
	until("fresh again", func(s string) bool {
		r := lineWith(s, shortID(call.CorrelationId))
		return strings.Contains(s, "● connected") && strings.Contains(r, "‖ Paused") && !strings.Contains(r, "~") && !strings.Contains(s, "stale (polled)") && !strings.Contains(s, ", ~1 stale")
	})
}
