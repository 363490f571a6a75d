package ui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

// guardPane is a pane with a header segment and a quit guard.
type guardPane struct {
	stubPane
	segment string
	hold    bool // GuardQuit takes the request over
	asked   int
}

func (p *guardPane) HeaderSegment() string { return p.segment }
func (p *guardPane) GuardQuit() (tea.Cmd, bool) {
	if !p.hold {
		return nil, false
	}
	p.asked++
	return nil, true
}

// The header shows a pane's segment on every tab.
func TestHeaderSegmentOnEveryTab(t *testing.T) {
	g := &guardPane{stubPane: stubPane{title: "A"}, segment: "⚠ 2 overdue"}
	m := ui.New(ui.Options{Tick: -1}, g, &stubPane{title: "B"})
	d := &uitest.Driver{TB: t, Update: func(msg tea.Msg) tea.Cmd { _, c := m.Update(msg); return c }}
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 20})
	for _, tab := range []string{"1", "2"} {
		d.Press(tab)
		if got := ansi.Strip(m.Render()); !containsLine0(got, "⚠ 2 overdue") {
			t.Fatalf("tab %s: header lacks the segment:\n%s", tab, got)
		}
	}
	g.segment = ""
	if got := ansi.Strip(m.Render()); containsLine0(got, "overdue") {
		t.Fatal("an empty segment still shows")
	}
}

// q and ctrl+c ask a QuitGuard first, and show its pane; when it lets go,
// the console quits.
func TestQuitGuardAsksFirst(t *testing.T) {
	g := &guardPane{stubPane: stubPane{title: "A"}, hold: true}
	m := ui.New(ui.Options{Tick: -1}, g, &stubPane{title: "B"})
	d := &uitest.Driver{TB: t, Update: func(msg tea.Msg) tea.Cmd { _, c := m.Update(msg); return c }}
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 20})
	d.Press("2", "q")
	if d.Quit || g.asked != 1 || m.Active() != 0 {
		t.Fatalf("q: quit %v, asked %d, active %d; want no quit, asked once, pane 0 shown", d.Quit, g.asked, m.Active())
	}
	d.Press("ctrl+c")
	if d.Quit || g.asked != 2 {
		t.Fatal("ctrl+c did not ask")
	}
	g.hold = false
	d.Press("ctrl+c")
	if !d.Quit {
		t.Fatal("no quit once the guard lets go")
	}
}

func containsLine0(screen, s string) bool {
	for i := 0; i < len(screen); i++ {
		if screen[i] == '\n' {
			screen = screen[:i]
			break
		}
	}
	return strings.Contains(screen, s)
}
