package ui

import (
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// RenderPacer makes Bubble Tea's renderer write a frame as soon as it is
// drawn, and sleep otherwise. Bubble Tea v2 (v2.0.10) flushes its renderer
// on a ticker at a fixed rate (60 a second by default) whether or not
// anything changed, and offers no way to flush on demand or to stop the
// ticker: on an idle console that ticker is most of the process's CPU
// (about 1.4 % of a core measured on the project's machine, against 0.1 %
// with it slowed down), and under load it adds up to a renderer frame
// (16.7 ms) to every change's way to the screen.
//
// After the frame draws a changed screen, the pacer sets the ticker to
// FlushDelay, so the renderer writes it within about a millisecond; after
// FlushWindow to the renderer's own rate (SettleInterval, 1/60 s), so a
// frame Bubble Tea handed over late (a busy machine) is still written as
// soon as it would have been without the pacer; and SettleFor after the
// last drawn frame to IdleInterval. Whatever the renderer has to write
// without a new frame is written within IdleInterval.
//
// It reaches the ticker through the Program's unexported field "ticker"
// (reflect), the only handle there is. If the field is missing or of
// another type (a different Bubble Tea), it does nothing and the renderer
// runs as Bubble Tea made it: pacer_test.go pins the assumption to the
// version in go.mod.
type RenderPacer struct {
	// FlushDelay is how soon after a drawn frame the renderer runs (1 ms),
	// FlushWindow how long it runs that often (2.5 ms), SettleInterval its
	// rate then (1/60 s) until SettleFor (50 ms) after the last drawn
	// frame, and IdleInterval its rate otherwise (1 s).
	FlushDelay, FlushWindow, SettleInterval, SettleFor, IdleInterval time.Duration

	mu       sync.Mutex
	program  any
	ticker   *time.Ticker
	looked   bool
	stage    pacerStage
	lastDraw time.Time
}

type pacerStage int

const (
	pacerIdle   pacerStage = iota // IdleInterval
	pacerFlush                    // FlushDelay, just after a drawn frame
	pacerSettle                   // SettleInterval
)

// NewRenderPacer returns a pacer with the default intervals; Attach gives
// it the program.
func NewRenderPacer() *RenderPacer {
	return &RenderPacer{
		FlushDelay:     time.Millisecond,
		FlushWindow:    2500 * time.Microsecond,
		SettleInterval: time.Second / 60,
		SettleFor:      50 * time.Millisecond,
		IdleInterval:   time.Second,
		stage:          pacerSettle, // the renderer starts at its own rate: slow it down
	}
}

// Attach gives the pacer the *tea.Program whose renderer it paces. Call it
// before Program.Run; the ticker is looked up on the frame's goroutine
// once Run created it.
func (p *RenderPacer) Attach(program any) {
	p.mu.Lock()
	p.program, p.ticker, p.looked = program, nil, false
	p.mu.Unlock()
}

// Paced reports whether the pacer found the renderer's ticker.
func (p *RenderPacer) Paced() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ticker != nil
}

// Fast reports whether the renderer runs more often than IdleInterval.
func (p *RenderPacer) Fast() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stage != pacerIdle
}

// drew is called when the frame drew a changed screen.
func (p *RenderPacer) drew(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastDraw = now
	if t := p.lookup(); t != nil {
		t.Reset(p.FlushDelay)
		p.stage = pacerFlush
	}
}

// idleAt is when the pacer wants to be asked to slow the renderer down
// (zero: it is slow already, or has nothing to pace).
func (p *RenderPacer) idleAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.program == nil || p.stage == pacerIdle:
		return time.Time{}
	case p.stage == pacerFlush:
		return p.lastDraw.Add(p.FlushWindow)
	}
	return p.lastDraw.Add(p.SettleFor)
}

// check moves the renderer to its next, slower stage when it is due.
func (p *RenderPacer) check(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next, d, after := pacerSettle, p.SettleInterval, p.FlushWindow
	switch p.stage {
	case pacerIdle:
		return
	case pacerSettle:
		next, d, after = pacerIdle, p.IdleInterval, p.SettleFor
	}
	if now.Sub(p.lastDraw) < after {
		return
	}
	switch t := p.lookup(); {
	case t != nil:
		t.Reset(d)
		p.stage = next
	case p.looked:
		p.program = nil // nothing to pace: stop asking
	default:
		p.lastDraw = now // the renderer has not started yet: ask again later
	}
}

// lookup finds the program's renderer ticker (once it exists). Called
// with p.mu held.
func (p *RenderPacer) lookup() *time.Ticker {
	if p.ticker != nil || p.looked || p.program == nil {
		return p.ticker
	}
	v := reflect.ValueOf(p.program)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		p.looked = true
		return nil
	}
	f := v.Elem().FieldByName("ticker")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*time.Ticker]() {
		p.looked = true
		return nil
	}
	t := *(**time.Ticker)(unsafe.Pointer(f.UnsafeAddr()))
	if t != nil { // nil until Run starts the renderer: look again later
		p.ticker, p.looked = t, true
	}
	return p.ticker
}
