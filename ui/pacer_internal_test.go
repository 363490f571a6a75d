package ui

import (
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/internal/beat"
)

// fakeRenderer and fakeProgram have the fields the pacer reads in a
// tea.Program and its renderer.
type fakeRenderer struct {
	mu       sync.Mutex
	lastView *tea.View
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
