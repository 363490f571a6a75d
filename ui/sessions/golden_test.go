package sessions

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

// The golden tests pin the main screens at 100x30: the console runs as a
// real Bubble Tea program (teatest), fed by fakes and a fixed clock, with
// the colour profile fixed to true colour. Two screens are pinned with
// their colours (the dark theme's escape codes), two without colour
// (--no-color), which keeps those files readable as text.
//
// Update them with: go test ./ui/sessions -run TestGolden -update

// observed wraps the frame so the test can read, safely from its own
// goroutine, the last screen the program drew (the program owns the model;
// reading it directly would race).
type observed struct {
	*ui.Model
	last atomic.Value // string
}

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.Model.Update(msg)
	return o, cmd
}

func (o *observed) View() tea.View {
	v := o.Model.View()
	o.last.Store(v.Content)
	return v
}

func (o *observed) screen() string {
	s, _ := o.last.Load().(string)
	return ansi.Strip(s)
}

// golden is one console under test; the clock only moves while the
// program is idle (after waitFor), so every screen is deterministic.
type golden struct {
	t     *testing.T
	tm    *teatest.TestModel
	obs   *observed
	clock *fakeClock
	seq   uint64
}

func goldenProgram(t *testing.T, noColor bool) *golden {
	t.Helper()
	clock := newClock()
	src := newSource(clock)
	src.add("ucc-demo-name", id1, anywhere365.RecordingStarted, 95*time.Second)
	src.add("payments", id2, anywhere365.RecordingPaused, 12*time.Second)
	src.add("helpdesk", id3, anywhere365.RecordingStarted, 3*time.Minute)
	src.add("payments", id4, anywhere365.RecordingStopped, time.Hour+2*time.Minute)
	src.update(anywhere365.SessionKey{UCC: "payments", CorrelationID: id4}, func(s *anywhere365.Session) {
		s.Marking, s.Saving, s.LastAction = anywhere365.MarkingMark, anywhere365.SavingSave, anywhere365.ActionStop
	})
	src.update(anywhere365.SessionKey{UCC: "payments", CorrelationID: id2}, func(s *anywhere365.Session) {
		s.Confirmed, s.LastAction = false, anywhere365.ActionPause
	})
	api := &fakeAPI{src: src, denied: map[string]bool{"helpdesk": true}}
	pane := guardedPane(t, Config{Source: src, API: api, Audit: &fakeAudit{}, Requester: "sip:agent@domain.com", Now: clock.Now}, src, clock)
	frame := ui.New(ui.Options{Server: "http://127.0.0.1:8365", APIVersion: "v1", Demo: true, Now: clock.Now, Tick: -1, NoColor: noColor}, pane)
	obs := &observed{Model: frame}
	g := &golden{t: t, obs: obs, clock: clock}
	g.tm = teatest.NewTestModel(t, obs,
		teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
	// The ticker is off: ticks come from the test, at the fixed clock.
	g.tick()
	g.waitFor("⊘ actions disabled") // capabilities fetched: helpdesk (selected) is disabled
	return g
}

func (g *golden) tick() {
	g.seq++
	g.tm.Send(ui.TickMsg{At: g.clock.Now(), Seq: g.seq})
}

func (g *golden) press(keys ...string) {
	for _, k := range keys {
		g.tm.Send(uitest.Key(k))
	}
}

// waitFor polls the last drawn screen until it shows text.
func (g *golden) waitFor(text string) {
	g.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(g.obs.screen(), text) {
		if time.Now().After(deadline) {
			g.t.Fatalf("timed out waiting for %q; screen:\n%s", text, g.obs.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *golden) final() []byte {
	g.t.Helper()
	if err := g.tm.Quit(); err != nil {
		g.t.Fatal(err)
	}
	m := g.tm.FinalModel(g.t, teatest.WithFinalTimeout(10*time.Second)).(*observed)
	return []byte(m.Render())
}

func TestGoldenMainScreen(t *testing.T) {
	g := goldenProgram(t, false)
	g.press("j") // select the second row
	g.waitFor("row 2 of 4")
	teatest.RequireEqualOutput(t, g.final())
}

func TestGoldenDetail(t *testing.T) {
	g := goldenProgram(t, true)
	g.press("G", "p") // pause ucc-demo-name
	g.waitFor("Paused ucc-demo-name")
	g.clock.Advance(20 * time.Second)
	g.press("s")
	g.waitFor("Resumed ucc-demo-name")
	g.clock.Advance(10 * time.Second)
	g.press("enter")
	g.waitFor("Correlation id")
	teatest.RequireEqualOutput(t, g.final())
}

func TestGoldenPaymentMode(t *testing.T) {
	g := goldenProgram(t, false)
	g.press("G", "P", "space")
	g.waitFor("last: ✓ Paused ucc-demo-name")
	// The action's toast must be up before the clock jumps, or it would
	// arrive after the jump and still be showing.
	g.waitFor("ok:")
	g.tick() // payment mode sees the pause: the countdown starts
	g.waitFor("resumes automatically in 3:00")
	g.clock.Advance(155 * time.Second)
	g.tick()
	g.waitFor("finish the payment")
	teatest.RequireEqualOutput(t, g.final())
}

func TestGoldenHelp(t *testing.T) {
	g := goldenProgram(t, true)
	g.press("?")
	g.waitFor("rebind them")
	teatest.RequireEqualOutput(t, g.final())
}
