package components

import (
	"errors"
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
