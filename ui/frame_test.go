package ui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

// stubPane records what the frame gives it.
type stubPane struct {
	title     string
	w, h      int
	styles    *ui.Styles
	keys      []string
	mouse     []tea.Mouse
	other     []tea.Msg
	capturing bool
}

type stubKeys struct{}

func (stubKeys) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zap"))}
}
func (k stubKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (p *stubPane) Title() string { return p.title }
func (p *stubPane) Init() tea.Cmd { return nil }
func (p *stubPane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		p.keys = append(p.keys, m.String())
	case tea.MouseClickMsg:
		p.mouse = append(p.mouse, m.Mouse())
	case tea.MouseWheelMsg:
		p.mouse = append(p.mouse, m.Mouse())
	default:
		p.other = append(p.other, msg)
	}
	return p, nil
}
func (p *stubPane) View() string {
	lines := make([]string, p.h)
	lines[0] = "body of " + p.title
	return strings.Join(lines, "\n")
}
func (p *stubPane) SetSize(w, h int)        { p.w, p.h = w, h }
func (p *stubPane) SetStyles(s *ui.Styles)  { p.styles = s }
func (p *stubPane) KeyMap() help.KeyMap     { return stubKeys{} }
func (p *stubPane) Capturing() bool         { return p.capturing }
func (p *stubPane) StatusLine(w int) string { return "status of " + p.title }
func (p *stubPane) String() string          { return p.title }
func (p *stubPane) lastKey() string         { return p.keys[len(p.keys)-1] }
func (p *stubPane) sawOther(m tea.Msg) bool { return len(p.other) > 0 && p.other[len(p.other)-1] == m }
func (p *stubPane) sawTick() bool           { _, ok := p.other[len(p.other)-1].(ui.TickMsg); return ok }

type fakeNow struct{ t time.Time }

func (f *fakeNow) Now() time.Time { return f.t }

func setup(t *testing.T, opts ui.Options) (*ui.Model, *stubPane, *stubPane, *uitest.Driver, *fakeNow) {
	t.Helper()
	clock := &fakeNow{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	opts.Now, opts.Tick = clock.Now, -1
	a, b := &stubPane{title: "Anywhere365"}, &stubPane{title: "VoipNow"}
	m := ui.New(opts, a, b)
	d := &uitest.Driver{TB: t, Update: func(msg tea.Msg) tea.Cmd { _, c := m.Update(msg); return c }}
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, a, b, d, clock
}

func plain(m *ui.Model) string { return ansi.Strip(m.Render()) }

func TestFrameLayoutAndSizes(t *testing.T) {
	m, a, b, _, _ := setup(t, ui.Options{Server: "https://core.example", Profile: "prod", APIVersion: "v2", Demo: true, Insecure: true})
	if a.w != 80 || a.h != 19 || b.h != 19 {
		t.Fatalf("body size %dx%d, want 80x19 (24 minus header 2, tabs, toast, footer)", a.w, a.h)
	}
	if a.styles == nil || b.styles == nil {
		t.Fatal("styles not passed down")
	}
	scr := plain(m)
	lines := strings.Split(scr, "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != 80 {
			t.Errorf("line %d width %d", i, ansi.StringWidth(l))
		}
	}
	for _, w := range []string{"recdeck", "DEMO", "TLS-INSECURE", "https://core.example (profile prod)", "API v2"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("header lacks %q: %q", w, lines[0])
		}
	}
	if !strings.Contains(lines[1], "status of Anywhere365") {
		t.Errorf("status line %q", lines[1])
	}
	if !strings.Contains(lines[2], "▸1 Anywhere365") || !strings.Contains(lines[2], "2 VoipNow") {
		t.Errorf("tabs %q", lines[2])
	}
	if !strings.Contains(lines[3], "body of Anywhere365") {
		t.Errorf("body %q", lines[3])
	}
	if !strings.Contains(lines[23], "z zap") || !strings.Contains(lines[23], "? help") || !strings.Contains(lines[23], "q quit") {
		t.Errorf("footer %q", lines[23])
	}
	v := m.View()
	if !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion {
		t.Error("the view should use the alternate screen and cell-motion mouse")
	}
	if v.BackgroundColor != nil {
		t.Error("dark keeps the terminal's background")
	}
	hc := ui.New(ui.Options{Tick: -1, Theme: 2}) // high-contrast: black background
	if v := hc.View(); v.BackgroundColor == nil || v.ForegroundColor == nil {
		t.Error("high-contrast sets the terminal's colours")
	}
}

func TestFrameGlobalKeys(t *testing.T) {
	m, a, b, d, _ := setup(t, ui.Options{})
	d.Press("tab")
	if m.Active() != 1 || !strings.Contains(plain(m), "body of VoipNow") {
		t.Fatal("tab should switch to the second pane")
	}
	d.Press("tab")
	if m.Active() != 0 {
		t.Fatal("tab wraps")
	}
	d.Press("shift+tab")
	if m.Active() != 1 {
		t.Fatal("shift+tab goes back")
	}
	d.Press("1")
	if m.Active() != 0 {
		t.Fatal("1 selects the first pane")
	}
	d.Press("2")
	if m.Active() != 1 {
		t.Fatal("2 selects the second pane")
	}
	d.Press("9") // no ninth pane: nothing happens
	if m.Active() != 1 {
		t.Fatal("9 with two panes")
	}
	d.Press("1", "j")
	if a.lastKey() != "j" || len(b.keys) != 0 {
		t.Fatal("other keys go to the active pane only")
	}
	d.Press("?")
	scr := plain(m)
	if !regexp.MustCompile(`z +zap`).MatchString(scr) || !regexp.MustCompile(`t +next theme`).MatchString(scr) {
		t.Fatalf("help screen:\n%s", scr)
	}
	d.Press("j") // ignored while help is open
	if a.lastKey() != "j" || len(a.keys) != 1 {
		t.Fatal("keys go nowhere while help is open")
	}
	d.Press("esc")
	if strings.Contains(plain(m), "next theme") {
		t.Fatal("esc closes help")
	}
	d.Press("q")
	if !d.Quit {
		t.Fatal("q quits")
	}
}

func TestFrameThemeCycleRestylesPanes(t *testing.T) {
	m, a, _, d, _ := setup(t, ui.Options{})
	first := a.styles
	if first.ThemeName != "dark" {
		t.Fatalf("default theme %s", first.ThemeName)
	}
	for _, want := range []string{"high-contrast", "colorblind", "dark"} { // light is skipped on a dark (or silent) terminal
		d.Press("t")
		if a.styles.ThemeName != want || m.Styles() != a.styles {
			t.Fatalf("theme %s, want %s", a.styles.ThemeName, want)
		}
		if ts := m.Toasts(); ts[len(ts)-1].Text != "Theme: "+want {
			t.Fatalf("toast %+v", ts[len(ts)-1])
		}
	}
}

func TestFrameCapturingPaneGetsEveryKeyButCtrlC(t *testing.T) {
	m, a, _, d, _ := setup(t, ui.Options{})
	a.capturing = true
	d.Press("q", "t", "?", "tab", "1")
	if strings.Join(a.keys, ",") != "q,t,?,tab,1" || d.Quit || m.Active() != 0 {
		t.Fatalf("keys %v quit %v", a.keys, d.Quit)
	}
	d.Press("ctrl+c")
	if !d.Quit {
		t.Fatal("ctrl+c always quits")
	}
}

// While a pane captures the keyboard the frame's keys (? q tab t 1-9) go
// to the pane, so the footer must not offer them: it shows the pane's keys
// and ctrl+c, which always quits.
func TestFrameFooterWhileCapturingOffersOnlyWhatWorks(t *testing.T) {
	m, a, _, _, _ := setup(t, ui.Options{})
	footer := func() string {
		lines := strings.Split(plain(m), "\n")
		return lines[len(lines)-1]
	}
	if f := footer(); !strings.Contains(f, "z zap") || !strings.Contains(f, "? help") || !strings.Contains(f, "q quit") {
		t.Fatalf("footer %q", f)
	}
	a.capturing = true
	f := footer()
	if !strings.Contains(f, "z zap") || !strings.Contains(f, "ctrl+c quit") {
		t.Fatalf("capturing: footer %q", f)
	}
	for _, bad := range []string{"? help", "q quit"} {
		if strings.Contains(f, bad) {
			t.Errorf("capturing: footer %q offers %q, which goes to the pane", f, bad)
		}
	}
}

func TestFrameToastsShowLevelWordAndSymbolThenExpire(t *testing.T) {
	m, _, _, d, clock := setup(t, ui.Options{ToastFor: 3 * time.Second})
	d.Send(ui.ToastMsg{Level: ui.ToastError, Text: "Validation: Recorder state is Paused,\nthis state cannot be paused"})
	line := strings.Split(plain(m), "\n")[22]
	if !strings.Contains(line, "✗ error: Validation: Recorder state is Paused, this state cannot be paused") {
		t.Fatalf("toast line %q", line)
	}
	d.Exec(ui.Toast(ui.ToastSuccess, "Paused %s", "ucc-demo-name/1d6c6a58"))
	line = strings.Split(plain(m), "\n")[22]
	if !strings.Contains(line, "✓ ok: Paused ucc-demo-name/1d6c6a58 (+1 more: L)") {
		t.Fatalf("toast line %q", line)
	}
	clock.t = clock.t.Add(4 * time.Second)
	d.Send(ui.TickMsg{At: clock.t, Seq: 1})
	if len(m.Toasts()) != 0 || strings.TrimSpace(strings.Split(plain(m), "\n")[22]) != "" {
		t.Fatal("toasts should expire")
	}
	for _, l := range []ui.ToastLevel{ui.ToastInfo, ui.ToastWarning} {
		d.Send(ui.ToastMsg{Level: l, Text: "x"})
	}
	if !strings.Contains(plain(m), "⚠ warning: x") {
		t.Fatal("warning toast")
	}
}

func TestFrameBroadcastsNonInputToEveryPane(t *testing.T) {
	_, a, b, d, clock := setup(t, ui.Options{})
	type custom struct{ n int }
	d.Send(custom{7})
	if !a.sawOther(custom{7}) || !b.sawOther(custom{7}) {
		t.Fatal("a result message must reach hidden panes too")
	}
	d.Send(ui.TickMsg{At: clock.t, Seq: 1})
	if !a.sawTick() || !b.sawTick() {
		t.Fatal("ticks reach every pane")
	}
}

func TestFrameMouseRouting(t *testing.T) {
	m, a, _, d, _ := setup(t, ui.Options{})
	d.Send(tea.MouseClickMsg{X: 5, Y: 7, Button: tea.MouseLeft})
	if len(a.mouse) != 1 || a.mouse[0].Y != 4 || a.mouse[0].X != 5 {
		t.Fatalf("panes get body coordinates: %+v", a.mouse)
	}
	d.Send(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelDown})
	if len(a.mouse) != 2 || a.mouse[1].Y != 7 {
		t.Fatalf("wheel %+v", a.mouse)
	}
	d.Send(tea.MouseClickMsg{X: 1, Y: 0, Button: tea.MouseLeft}) // header: ignored
	if len(a.mouse) != 2 {
		t.Fatal("header clicks are not the pane's")
	}
	// A click on the second tab switches to it.
	line := strings.Split(plain(m), "\n")[2]
	x := strings.Index(line, "VoipNow")
	d.Send(tea.MouseClickMsg{X: len([]rune(line[:x])), Y: 2, Button: tea.MouseLeft})
	if m.Active() != 1 {
		t.Fatalf("tab click: active %d (line %q)", m.Active(), line)
	}
}

func TestNoColorStylesCarryNoColour(t *testing.T) {
	for _, th := range themes.Builtin() {
		st := ui.NewStyles(th, true)
		for _, s := range []string{
			st.StateStart.Render("x"), st.Error.Render("x"), st.Header.Render("x"), st.Text.Render("x"),
			st.RowSel.Render("x"), st.Badge.Render("x"), st.Bar.Render("x"),
		} {
			if strings.Contains(s, "38;") || strings.Contains(s, "48;") || regexp.MustCompile(`\x1b\[[0-9;]*3[0-7]m`).MatchString(s) {
				t.Errorf("%s: colour in %q", th.Name, s)
			}
		}
		if !strings.Contains(st.RowSel.Render("x"), "\x1b[7m") {
			t.Errorf("%s: the selected row is reverse video without colour", th.Name)
		}
		col := ui.NewStyles(th, false)
		if !strings.Contains(col.StateStart.Render("x"), "38;2;") {
			t.Errorf("%s: colour styles lack colour: %q", th.Name, col.StateStart.Render("x"))
		}
	}
	m, _, _, _, _ := setup(t, ui.Options{NoColor: true, Demo: true})
	if strings.Contains(m.Render(), "38;2;") || strings.Contains(m.Render(), "48;2;") {
		t.Error("no-color frame has colour")
	}
}

func TestFrameStartupToastsAndNoPanes(t *testing.T) {
	m := ui.New(ui.Options{Tick: -1, Startup: []ui.ToastMsg{{Level: ui.ToastWarning, Text: "theme file x.yaml: key colors.text (line 2): bad"}}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	if !strings.Contains(plain(m), "⚠ warning: theme file x.yaml") {
		t.Fatalf("startup toast missing:\n%s", plain(m))
	}
	m.Update(uitest.Key("tab"))
	m.Update(tea.MouseClickMsg{X: 1, Y: 4})
	if m.Render() == "" {
		t.Fatal("renders without panes")
	}
	if got := ui.New(ui.Options{Tick: -1}).Render(); !strings.Contains(got, "starting") {
		t.Fatalf("before the first size: %q", got)
	}
}
