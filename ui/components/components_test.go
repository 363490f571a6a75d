package components

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

func styles() *ui.Styles { return ui.NewStyles(themes.Builtin()[0], true) }

func TestSparkline(t *testing.T) {
	cases := []struct {
		in    []float64
		width int
		want  string
	}{
		{nil, 4, "    "},
		{[]float64{0, 0}, 3, " ▁▁"},
		{[]float64{1, 2, 4, 8}, 4, "▂▂▄█"},
		{[]float64{8, 0.01, 8}, 3, "█▂█"},
		{[]float64{1, 2, 3, 4, 5, 6}, 3, "▅▆█"},
		{[]float64{5}, 0, ""},
	}
	for _, c := range cases {
		if got := Sparkline(c.in, c.width); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestTimelineKeepsAShortPauseVisible(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	hist := []anywhere365.HistoryEntry{
		{At: t0, Recording: anywhere365.RecordingStarted},
		{At: t0.Add(50 * time.Minute), Recording: anywhere365.RecordingPaused},
		{At: t0.Add(50*time.Minute + 5*time.Second), Kind: anywhere365.HistoryAction, Result: "Validation: no", Recording: anywhere365.RecordingStarted},
		{At: t0.Add(50*time.Minute + 10*time.Second), Recording: anywhere365.RecordingStarted},
		{At: t0.Add(55 * time.Minute), Recording: anywhere365.RecordingStopped},
	}
	spans := Spans(hist, t0, t0.Add(60*time.Minute))
	if len(spans) != 4 || spans[1].State != anywhere365.RecordingPaused || spans[1].To.Sub(spans[1].From) != 10*time.Second {
		t.Fatalf("spans %+v", spans)
	}
	bar := Timeline(spans, 60, styles())
	plain := ansi.Strip(bar)
	if ansi.StringWidth(plain) != 60 {
		t.Fatalf("width %d", ansi.StringWidth(plain))
	}
	// 10 s of 60 min is a sixth of a cell: it still gets one.
	if strings.Count(plain, "▒") != 1 || !strings.HasPrefix(plain, "█") || !strings.HasSuffix(plain, "▁") {
		t.Fatalf("bar %q", plain)
	}
	if i := strings.Index(plain, "▒"); i < 0 || strings.Count(plain[:i], "█") != 50 {
		t.Fatalf("pause at the wrong place: %q", plain)
	}
	if !strings.Contains(ansi.Strip(TimelineLegend(styles())), "▒▒ paused") {
		t.Fatal("legend")
	}
	// Degenerate inputs draw something sane.
	if got := ansi.Strip(Timeline(Spans(nil, t0, t0), 5, styles())); got != "·····" {
		t.Fatalf("empty: %q", got)
	}
	if Timeline(nil, 5, styles()) != "" || Timeline(spans, 0, styles()) != "" {
		t.Fatal("nothing to draw")
	}
}

func TestBigText(t *testing.T) {
	rows := BigText("Paused 2:59")
	w := BigWidth("Paused 2:59")
	for i, r := range rows {
		if ansi.StringWidth(r) != w {
			t.Fatalf("row %d width %d, want %d", i, ansi.StringWidth(r), w)
		}
	}
	if !strings.HasPrefix(rows[0], "████") {
		t.Fatalf("P: %q", rows[0])
	}
	for r, g := range bigFont {
		for i := range g {
			if len(g[i]) != len(g[0]) {
				t.Errorf("glyph %q row %d has width %d, not %d", r, i, len(g[i]), len(g[0]))
			}
		}
	}
	if BigWidth("é") != BigWidth("?") {
		t.Error("unknown runes draw as ?")
	}
}

func TestPrompts(t *testing.T) {
	st := styles()
	c := NewConfirm("Stop?")
	if !c.IsConfirm() || !strings.Contains(ansi.Strip(c.View(80, st)), "? Stop? y yes") {
		t.Fatal(c.View(80, st))
	}
	if r, _ := c.Update(tea.KeyPressMsg{Code: 'y', Text: "y"}); r != PromptAccepted {
		t.Fatal("y accepts")
	}
	if r, _ := c.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); r != PromptCancelled {
		t.Fatal("anything else cancels")
	}

	in := NewInput("UCC", "ucc-demo-name", 10, func(s string) error {
		if s != "ok" {
			return errors.New("not ok")
		}
		return nil
	})
	for _, r := range "no" {
		in.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if r, _ := in.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); r != PromptOpen || in.Err() != "not ok" {
		t.Fatalf("bad input keeps the prompt open: %v %q", r, in.Err())
	}
	if !strings.Contains(ansi.Strip(in.View(80, st)), "✗ not ok") || in.Value() != "no" {
		t.Fatal("the error shows and the text is kept")
	}
	in.SetValue("ok")
	if r, _ := in.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); r != PromptAccepted || in.Err() != "" {
		t.Fatal("valid input is accepted")
	}
	if r, _ := in.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); r != PromptCancelled {
		t.Fatal("esc cancels")
	}
	if in.UpdateOther(tea.PasteMsg{Content: "x"}) != nil && c.UpdateOther(nil) != nil {
		t.Fatal("confirm ignores other messages")
	}
}

// A prompt is drawn with the theme's Styles, not the text input's own
// fixed colours: under --no-color it carries no colour at all, and in
// colour its placeholder and question use the theme's.
func TestPromptFollowsTheTheme(t *testing.T) {
	colourCode := regexp.MustCompile(`\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)
	in := NewInput("Filter", "text to match", 50, nil)
	if out := in.View(80, styles()); colourCode.MatchString(out) {
		t.Errorf("--no-color prompt has colour: %q", out)
	}
	// Typed text and the steady cursor too.
	in.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if out := in.View(80, styles()); colourCode.MatchString(out) || !strings.Contains(ansi.Strip(out), "Filter: a") {
		t.Errorf("--no-color prompt with text: %q", out)
	}

	for _, th := range themes.Builtin() {
		st := ui.NewStyles(th, false)
		in := NewInput("Filter", "text to match", 50, nil)
		out := in.View(80, st)
		muted := st.Muted.Render("t")
		if i := strings.Index(muted, "t"); i <= 0 || !strings.Contains(out, muted[:i]) {
			t.Errorf("%s: the placeholder is not in the theme's muted colour: %q", th.Name, out)
		}
		if strings.Contains(out, "38;5;240") { // textinput's default placeholder colour
			t.Errorf("%s: the text input's default colour is used: %q", th.Name, out)
		}
	}
}

// While a prompt is open, its own keys are what the footer offers.
func TestPromptKeysForTheFooter(t *testing.T) {
	keys := func(p *Prompt) string {
		var out []string
		for _, b := range p.ShortHelp() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
		return strings.Join(out, ", ")
	}
	if got := keys(NewConfirm("Stop?")); got != "y yes, any other key no" {
		t.Errorf("confirm: %s", got)
	}
	in := NewInput("Filter", "", 10, nil)
	in.AcceptHelp, in.CancelHelp = "keep filter", "clear filter"
	if got := keys(in); got != "enter keep filter, esc clear filter" {
		t.Errorf("input: %s", got)
	}
	if !strings.Contains(ansi.Strip(in.View(80, styles())), "enter: keep filter · esc: clear filter") {
		t.Errorf("the hint line: %q", ansi.Strip(in.View(80, styles())))
	}
}
