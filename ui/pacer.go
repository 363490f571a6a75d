package ui

import (
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// RenderPacer lets Bubble Tea's renderer sleep while the screen does not
// change. Bubble Tea v2 (v2.0.10) flushes its renderer on a ticker at a
// fixed rate (60 a second by default) whether or not anything changed, and
// offers no way to flush on demand or to stop the ticker; on an idle
// console that ticker is most of the process's CPU (about 1.4 % of a core
// measured on the project's machine, against 0.1 % with it slowed down).
//
// The pacer keeps the ticker at the renderer's rate while frames are being
// drawn, and slows it to IdleInterval once nothing has been drawn for
// IdleAfter. The next drawn frame puts it back to the full rate at once,
// so a change reaches the terminal within one renderer frame as before;
// and whatever the renderer has to write without a new frame is written
// within IdleInterval.
//
// It reaches the ticker through the Program's unexported field "ticker"
// (reflect), the only handle there is. If the field is missing or of
// another type (a different Bubble Tea), it does nothing and the renderer
// runs as Bubble Tea made it: pace_test.go pins the assumption to the
// version in go.mod.
type RenderPacer struct {
	// FastInterval is the renderer's own interval (1/60 s); IdleInterval
	// the one while idle (1 s); IdleAfter how long after the last drawn
	// frame it slows down (100 ms: the last frame is flushed by then).
	FastInterval, IdleInterval, IdleAfter time.Duration

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
		FastInterval: time.Second / 60,
		IdleInterval: time.Second,
		IdleAfter:    100 * time.Millisecond,
		fast:         true, // the renderer starts at its full rate
	}
}

// Attach gives the pacer the *tea.Program whose renderer it paces. Call it
// before Program.Run; the ticker is looked up on the first drawn frame
// (on the program's own goroutine, after Run created it).
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

// Fast reports whether the renderer runs at its full rate.
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
	if p.fast {
		return
	}
	if t := p.lookup(); t != nil {
		t.Reset(p.FastInterval)
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
	return p.lastDraw.Add(p.IdleAfter)
}

// check slows the renderer down once nothing was drawn for IdleAfter.
func (p *RenderPacer) check(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fast || now.Sub(p.lastDraw) < p.IdleAfter {
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
