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
// FlushDelay, so the renderer writes it within about a millisecond, and
// FlushWindow later back to IdleInterval; whatever the renderer has to
// write without a new frame is written within IdleInterval.
//
// It reaches the ticker through the Program's unexported field "ticker"
// (reflect), the only handle there is. If the field is missing or of
// another type (a different Bubble Tea), it does nothing and the renderer
// runs as Bubble Tea made it: pacer_test.go pins the assumption to the
// version in go.mod.
type RenderPacer struct {
	// FlushDelay is how soon after a drawn frame the renderer runs (1 ms);
	// FlushWindow how long it keeps running that often (2.5 ms: a second
	// run, in case the first came before Bubble Tea handed it the frame);
	// IdleInterval how often it runs otherwise (1 s).
	FlushDelay, FlushWindow, IdleInterval time.Duration

	mu       sync.Mutex
	program  any
	ticker   *time.Ticker
	looked   bool
	fast     bool
	lastDraw time.Time
}

// NewRenderPacer returns a pacer with the default intervals; Attach gives
// it the program.
func NewRenderPacer() *RenderPacer {
	return &RenderPacer{
		FlushDelay:   time.Millisecond,
		FlushWindow:  2500 * time.Microsecond,
		IdleInterval: time.Second,
		fast:         true, // the renderer starts at its full rate: slow it down
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
	return p.fast
}

// drew is called when the frame drew a changed screen.
func (p *RenderPacer) drew(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastDraw = now
	if t := p.lookup(); t != nil {
		t.Reset(p.FlushDelay)
		p.fast = true
	}
}

// idleAt is when the pacer wants to be asked to slow the renderer down
// (zero: it is slow already, or has nothing to pace).
func (p *RenderPacer) idleAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fast || p.program == nil {
		return time.Time{}
	}
	return p.lastDraw.Add(p.FlushWindow)
}

// check slows the renderer down once the last frame has been written.
func (p *RenderPacer) check(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fast || now.Sub(p.lastDraw) < p.FlushWindow {
		return
	}
	switch t := p.lookup(); {
	case t != nil:
		t.Reset(p.IdleInterval)
		p.fast = false
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
