package ui

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/recdeck/recdeck/internal/beat"
)

// fakeRenderer and fakeProgram have the fields the pacer reads in a
// tea.Program and its renderer.
type fakeRenderer struct {
	mu       sync.Mutex
	lastView *tea.View
	scr      *uv.TerminalRenderer
	hardTabs bool
}

type fakeProgram struct {
	ticker   *time.Ticker
	renderer any
}

// The pacer's stages on a clock of its own: a drawn frame speeds the
// renderer up; once the renderer wrote it the renderer sleeps at the first
// look; a frame not yet written is looked at again; and without a renderer
// to look at the pacer falls back to the renderer's own rate until
// SettleFor.
func TestRenderPacerStages(t *testing.T) {
	tk := time.NewTicker(time.Hour)
	defer tk.Stop()
	rend := &fakeRenderer{}
	t0 := time.Unix(1000, 0)
	now := t0
	p := NewRenderPacer()
	p.manual, p.clock = true, func() time.Time { return now }
	p.Attach(&fakeProgram{ticker: tk, renderer: rend})

	p.drew("frame one")
	if !p.Paced() || !p.Watching() || !p.Fast() {
		t.Fatalf("after a drawn frame: paced %v, watching %v, fast %v", p.Paced(), p.Watching(), p.Fast())
	}
	if at := p.idleAt(); !at.Equal(t0.Add(p.FlushWindow)) {
		t.Fatalf("first look at %v, want FlushWindow after the frame", at.Sub(t0))
	}
	// Not written yet: still fast, looked at again a FlushWindow later.
	p.check(t0.Add(p.FlushWindow))
	if !p.Fast() || !p.idleAt().Equal(t0.Add(2*p.FlushWindow)) {
		t.Fatalf("unwritten frame: fast %v, next look %v", p.Fast(), p.idleAt().Sub(t0))
	}
	// An older view written is not this frame.
	rend.mu.Lock()
	rend.lastView = &tea.View{Content: "frame zero"}
	rend.mu.Unlock()
	p.check(t0.Add(2 * p.FlushWindow))
	if !p.Fast() {
		t.Fatal("the renderer slept while the drawn frame was not written")
	}
	rend.mu.Lock()
	rend.lastView = &tea.View{Content: "frame one"}
	rend.mu.Unlock()
	p.check(t0.Add(3 * p.FlushWindow))
	if p.Fast() || !p.idleAt().IsZero() {
		t.Fatalf("written frame: fast %v, idleAt %v", p.Fast(), p.idleAt())
	}

	// A frame never written: looked at until SettleFor, then the
	// renderer's own rate until SettleFor after it, then sleep.
	t1 := t0.Add(time.Second)
	now = t1
	p.drew("frame two")
	for at := t1.Add(p.FlushWindow); at.Sub(t1) < p.SettleFor; at = at.Add(p.FlushWindow) {
		p.check(at)
	}
	p.check(t1.Add(p.SettleFor))
	if p.stage != pacerSettle || !p.Fast() {
		t.Fatalf("after SettleFor unwritten: stage %v", p.stage)
	}
	p.check(t1.Add(p.SettleFor + time.Millisecond))
	if p.Fast() {
		t.Fatal("the renderer did not sleep after settling")
	}

	// No renderer to look at (another Bubble Tea): the settle stage.
	tk2 := time.NewTicker(time.Hour)
	defer tk2.Stop()
	q := NewRenderPacer()
	q.manual, q.clock = true, func() time.Time { return t0 }
	q.Attach(&struct{ ticker *time.Ticker }{tk2})
	q.drew("frame")
	if !q.Paced() || q.Watching() {
		t.Fatalf("paced %v, watching %v", q.Paced(), q.Watching())
	}
	q.check(t0.Add(q.FlushWindow))
	if q.stage != pacerSettle {
		t.Fatalf("stage %v after FlushWindow without a renderer, want settle", q.stage)
	}
	q.check(t0.Add(q.SettleFor))
	if q.Fast() {
		t.Fatal("the renderer did not sleep after SettleFor")
	}
}

// Once the renderer wrote a frame and sleeps, its idle ticks come on the
// process's beat (internal/beat), however far off the beat the frame was:
// a console with nothing to draw wakes once a beat, not at an instant of
// the renderer's own as well.
func TestRenderPacerIdleTicksOnTheBeat(t *testing.T) {
	const idle = 500 * time.Millisecond
	tk := time.NewTicker(time.Hour)
	defer tk.Stop()
	rend := &fakeRenderer{lastView: &tea.View{Content: "frame"}} // written at once
	p := NewRenderPacer()
	p.IdleInterval = idle
	p.Attach(&fakeProgram{ticker: tk, renderer: rend})
	// Draw half a beat off the grid.
	time.Sleep(time.Until(beat.Next(time.Now(), idle).Add(idle / 2)))
	p.drew("frame")
	deadline := time.After(5 * time.Second)
	var ticks []time.Time
	for len(ticks) < 4 {
		select {
		case at := <-tk.C:
			ticks = append(ticks, at)
		case <-deadline:
			t.Fatalf("%d renderer ticks in 5 s", len(ticks))
		}
	}
	// The first ticks are the flush after the frame and the idle period
	// set just after it; from the beat on, every tick is on it.
	last := ticks[len(ticks)-1]
	if off := last.Sub(last.Truncate(idle)); off > 100*time.Millisecond {
		t.Fatalf("idle ticks %v after the beat (ticks %v)", off, ticks)
	}
}

// The pacer turns off the screen writer's hard tabs and hard-scroll
// detection at its first look after a frame, and again on a writer made
// anew (Bubble Tea makes one when it restores the terminal): a cursor move
// across the line is then no tab, and a screen that moved up a line is
// drawn again rather than scrolled.
func TestRenderPacerTunesTheScreenWriter(t *testing.T) {
	var out bytes.Buffer
	newWriter := func() *uv.TerminalRenderer {
		scr := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
		scr.SetFullscreen(true)
		scr.SetRelativeCursor(false)
		scr.SetTabStops(80)
		scr.SetScrollOptim(true)
		return scr
	}
	tk := time.NewTicker(time.Hour)
	defer tk.Stop()
	rend := &fakeRenderer{lastView: &tea.View{Content: "frame"}, scr: newWriter(), hardTabs: true}
	p := NewRenderPacer()
	p.manual = true
	p.Attach(&fakeProgram{ticker: tk, renderer: rend})

	// What a writer puts out for two changes: two words 14 columns apart near the right edge
	// on one line (a tab's way between them is the shortest), then every
	// line moved up by one (a scroll is the shortest).
	draw := func(scr *uv.TerminalRenderer) (moves, scroll string) {
		buf := uv.NewScreenBuffer(80, 6)
		paint := func(rows ...string) string {
			out.Reset()
			buf.Clear()
			for y, r := range rows {
				uv.NewStyledString(r).Draw(buf, uv.Rect(0, y, 80, 1))
			}
			scr.Render(buf.RenderBuffer)
			if err := scr.Flush(); err != nil {
				t.Fatal(err)
			}
			return out.String()
		}
		// Near the right edge a move counts as local, where tabs are tried.
		left, gap := strings.Repeat(" ", 58), strings.Repeat(" ", 13)
		paint("top", left+"a"+gap+"b", "row-c", "row-d", "row-e", "row-f")
		moves = paint("top", left+"x"+gap+"y", "row-c", "row-d", "row-e", "row-f")
		scroll = paint(left+"x"+gap+"y", "row-c", "row-d", "row-e", "row-f", "row-g")
		return moves, scroll
	}
	// A scroll writes the new last line only; a redraw writes the others too.
	scrolled := func(out string) bool { return !strings.Contains(out, "row-c") }
	// The untuned writer tabs and scrolls (so the checks below can fail).
	if moves, scroll := draw(newWriter()); !strings.Contains(moves, "\t") || !scrolled(scroll) {
		t.Fatalf("an untuned writer: moves %q, scroll %q: the test no longer sees tabs or scrolls", moves, scroll)
	}

	p.drew("frame")
	p.check(time.Now().Add(p.FlushWindow))
	if !p.Tuned() {
		t.Fatal("the pacer did not tune the renderer's screen writer")
	}
	rend.mu.Lock()
	tabs := rend.hardTabs
	rend.mu.Unlock()
	if tabs {
		t.Error("the renderer still makes new screen writers with hard tabs")
	}
	if moves, scroll := draw(rend.scr); strings.Contains(moves, "\t") || scrolled(scroll) {
		t.Errorf("a tuned writer: moves %q, scroll %q", moves, scroll)
	}

	// A writer made anew (after a suspend) is tuned at the next look.
	rend.mu.Lock()
	rend.scr = newWriter()
	rend.mu.Unlock()
	p.drew("frame two")
	rend.mu.Lock()
	rend.lastView = &tea.View{Content: "frame two"}
	rend.mu.Unlock()
	p.check(time.Now().Add(p.FlushWindow))
	if moves, scroll := draw(rend.scr); strings.Contains(moves, "\t") || scrolled(scroll) {
		t.Errorf("a writer made after the first: moves %q, scroll %q", moves, scroll)
	}
}
