package ui

import (
	"reflect"
	"sync"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/recdeck/recdeck/internal/beat"
)

// RenderPacer makes Bubble Tea's renderer write a frame as soon as it is
// drawn, and sleep otherwise. Bubble Tea v2 (v2.1.1) flushes its renderer
// on a ticker at a fixed rate (60 a second by default) whether or not
// anything changed, and offers no way to flush on demand or to stop the
// ticker: on an idle console that ticker is most of the process's CPU
// (about 1.4 % of a core measured on the project's machine, against 0.1 %
// with it slowed down), and under load it adds up to a renderer frame
// (16.7 ms) to every change's way to the screen.
//
// After the frame draws a changed screen, the pacer sets the ticker to
// FlushDelay, so the renderer writes it within about a millisecond.
// FlushWindow after the drawn frame it looks (on a timer of its own, not
// through the program's event loop) whether the renderer has written it
// (the renderer's last written view holds the drawn content) and, if so,
// sets the ticker to IdleInterval at once: a drawn frame costs the process
// two wake-ups besides its own. Every wake-up counts on an
// idle console (the Go scheduler and its monitor thread run on each), and
// an idle console with ages in seconds on screen draws once a second. A
// frame not yet written (a busy machine, where Bubble Tea hands the view
// over late) is looked at again every FlushWindow until SettleFor after
// it was drawn; from then on, or when the renderer cannot be looked at (a
// different Bubble Tea), the ticker runs at the renderer's own rate
// (SettleInterval, 1/60 s) until SettleFor after the last drawn frame, so
// a frame handed over late is still written as soon as it would have been
// without the pacer, and then at IdleInterval, its ticks moved onto the
// process's 1 s beat (internal/beat) at the next beat. Whatever the
// renderer has to write without a new frame is written within IdleInterval.
//
// At its first look after a frame it also tunes the renderer's screen
// writer (see rendererView.tune).
//
// It reaches the ticker through the Program's unexported field "ticker",
// and the renderer's last written view through the Program's field
// "renderer" (its fields "mu" and "lastView"; "scr" and "hardTabs" to
// tune it), with reflect: the only handles there are. If a field is
// missing or of another type (a different Bubble Tea), the pacer does
// without it (no ticker: it does nothing and the renderer runs as Bubble
// Tea made it): pacer_test.go and pacer_internal_test.go pin the
// assumptions to the version in go.mod.
type RenderPacer struct {
	// FlushDelay is how soon after a drawn frame the renderer runs (1 ms),
	// FlushWindow when the pacer looks whether it wrote the frame (2 ms
	// after it was drawn, then every 2 ms), SettleInterval the renderer's
	// rate (1/60 s) when it cannot tell, until SettleFor (50 ms) after the
	// last drawn frame, and IdleInterval its rate otherwise (1 s).
	FlushDelay, FlushWindow, SettleInterval, SettleFor, IdleInterval time.Duration

	mu       sync.Mutex
	program  any
	ticker   *time.Ticker
	onBeat   bool // the idle ticker was set on the beat (sleep)
	looked   bool
	rend     *rendererView // nil: not found (yet)
	stage    pacerStage
	lastDraw time.Time
	checkAt  time.Time // the next look at the renderer in pacerFlush
	drawn    string    // the content of the last drawn frame
	// timer runs check when a stage is due; manual (tests) leaves check
	// to the caller, and clock (nil: time.Now) tells drew the time.
	timer  *time.Timer
	manual bool
	clock  func() time.Time
}

// rendererView is the renderer's lock and its last written view, and (nil
// when not found) its screen writer and hard-tabs setting, which tune sets.
type rendererView struct {
	mu       *sync.Mutex
	lastView **tea.View
	scr      **uv.TerminalRenderer
	hardTabs *bool
	tuned    *uv.TerminalRenderer // the screen writer tune last set up
}

// wrote reports whether the renderer's last written view has content, and
// tunes the renderer's screen writer if it is a new one.
func (r *rendererView) wrote(content string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tune()
	lv := *r.lastView
	return lv != nil && lv.Content == content
}

// tune turns off two of the screen writer's cursor-movement savings that
// cost more CPU than they save bytes on the console's screens: hard tabs
// (Bubble Tea turns them on for a tty that does not expand tabs, which is
// every terminal in raw mode) and hard-scroll detection (a hash of every
// line on every frame, for a screen that scrolls only when a person moves
// the selection). Measured on the idle frame with 40 sessions
// (BenchmarkIdleFrameRenderer, warm): 0.74 ms with both, 0.51 ms without,
// and half the allocations. In the running console the flush itself costs
// about the same either way (it is bound by cache misses on the cell
// buffers, which whichever pass comes first pays), but the process as a
// whole measured lower (idle against round 5's console side by side:
// 0.81x tuned, 0.95x untuned, README "Performance"). What is written
// stays the same screen, in a few more bytes. Bubble Tea makes a
// new screen writer when it restores the terminal (after a suspend), with
// scroll detection on again: tune looks at each frame whether the writer
// is the one it tuned. Called with r.mu held.
func (r *rendererView) tune() {
	if r.scr == nil || *r.scr == nil || *r.scr == r.tuned {
		return
	}
	scr := *r.scr
	scr.SetTabStops(-1)
	scr.SetScrollOptim(false)
	*r.hardTabs = false // so that a writer made after a suspend has no tab stops either
	r.tuned = scr
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
		FlushWindow:    2 * time.Millisecond,
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
	p.program, p.ticker, p.looked, p.rend = program, nil, false, nil
	p.mu.Unlock()
}

// Paced reports whether the pacer found the renderer's ticker.
func (p *RenderPacer) Paced() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ticker != nil
}

// Watching reports whether the pacer can see what the renderer wrote (so a
// written frame sends the renderer to sleep at once).
func (p *RenderPacer) Watching() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rend != nil
}

// Tuned reports whether the pacer has turned off the renderer's hard tabs
// and hard-scroll detection (see rendererView.tune).
func (p *RenderPacer) Tuned() bool {
	p.mu.Lock()
	rend := p.rend
	p.mu.Unlock()
	if rend == nil || rend.scr == nil {
		return false
	}
	rend.mu.Lock()
	defer rend.mu.Unlock()
	return rend.tuned != nil && rend.tuned == *rend.scr
}

// Fast reports whether the renderer runs more often than IdleInterval.
func (p *RenderPacer) Fast() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stage != pacerIdle
}

// drew is called when the frame drew a changed screen (content).
func (p *RenderPacer) drew(content string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.clock != nil {
		now = p.clock()
	}
	p.lastDraw, p.drawn = now, content
	if t := p.lookup(); t != nil {
		t.Reset(p.FlushDelay)
		p.stage, p.checkAt = pacerFlush, now.Add(p.FlushWindow)
		p.arm(p.FlushWindow)
	}
}

// arm runs check after d on the pacer's timer. Called with p.mu held.
func (p *RenderPacer) arm(d time.Duration) {
	switch {
	case p.manual:
	case p.timer == nil:
		p.timer = time.AfterFunc(d, func() { p.check(time.Now()) })
	default:
		p.timer.Reset(d)
	}
}

// idleAt is when the pacer next wants to run check (zero: the renderer is
// slow already, or there is nothing to pace).
func (p *RenderPacer) idleAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.program == nil || p.ticker == nil || p.stage == pacerIdle:
		return time.Time{}
	case p.stage == pacerFlush:
		return p.checkAt
	}
	return p.lastDraw.Add(p.SettleFor)
}

// check moves the renderer to its next, slower stage when it is due (the
// pacer's timer calls it; a call before then does nothing).
func (p *RenderPacer) check(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.ticker // drew found it, or the pacer never left its first stage
	if t == nil {
		return
	}
	switch p.stage {
	case pacerFlush:
		if now.Before(p.checkAt) {
			return
		}
		switch {
		case p.rend != nil && p.rend.wrote(p.drawn):
			p.sleep(t, now) // written: nothing left to flush
		case p.rend != nil && now.Sub(p.lastDraw) < p.SettleFor:
			p.checkAt = now.Add(p.FlushWindow) // not yet: look again soon
			p.arm(p.FlushWindow)
		default:
			t.Reset(p.SettleInterval)
			p.stage = pacerSettle
			p.arm(p.lastDraw.Add(p.SettleFor).Sub(now))
		}
	case pacerSettle:
		if left := p.lastDraw.Add(p.SettleFor).Sub(now); left > 0 {
			p.arm(left)
			return
		}
		p.sleep(t, now)
	case pacerIdle:
		if !p.onBeat {
			// The beat sleep armed: from now on the idle ticks come on
			// the process's grid, with its other timers.
			t.Reset(p.IdleInterval)
			p.onBeat = true
		}
	}
}

// sleep sends the renderer to its idle rate. A ticker runs at its period
// from when it is set, and this is a few milliseconds after a frame (off
// the process's 1 s beat, internal/beat, where the frame, the pause guard
// and the tracker's re-reads wake it): the pacer sets it once more on the
// next beat, so that a console with nothing to draw (the IN STATE column
// hidden) wakes once a second, not twice. Called with p.mu held.
func (p *RenderPacer) sleep(t *time.Ticker, now time.Time) {
	t.Reset(p.IdleInterval)
	p.stage, p.onBeat = pacerIdle, false
	p.arm(beat.Until(now, p.IdleInterval))
}

// lookup finds the program's renderer ticker (once it exists) and the
// renderer's last written view. Called with p.mu held.
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
		p.rend = findRendererView(v.Elem())
	}
	return p.ticker
}

// findRendererView finds the renderer's lock and last written view in a
// running tea.Program (the struct behind the pointer), or returns nil.
func findRendererView(prog reflect.Value) *rendererView {
	r := prog.FieldByName("renderer")
	if !r.IsValid() || r.Kind() != reflect.Interface || r.IsNil() {
		return nil
	}
	r = r.Elem()
	if r.Kind() != reflect.Pointer || r.IsNil() || r.Elem().Kind() != reflect.Struct {
		return nil
	}
	mu, lv := r.Elem().FieldByName("mu"), r.Elem().FieldByName("lastView")
	if !mu.IsValid() || mu.Type() != reflect.TypeFor[sync.Mutex]() ||
		!lv.IsValid() || lv.Type() != reflect.TypeFor[*tea.View]() {
		return nil
	}
	rv := &rendererView{
		mu:       (*sync.Mutex)(unsafe.Pointer(mu.UnsafeAddr())),
		lastView: (**tea.View)(unsafe.Pointer(lv.UnsafeAddr())),
	}
	scr, tabs := r.Elem().FieldByName("scr"), r.Elem().FieldByName("hardTabs")
	if scr.IsValid() && scr.Type() == reflect.TypeFor[*uv.TerminalRenderer]() &&
		tabs.IsValid() && tabs.Kind() == reflect.Bool {
		rv.scr = (**uv.TerminalRenderer)(unsafe.Pointer(scr.UnsafeAddr()))
		rv.hardTabs = (*bool)(unsafe.Pointer(tabs.UnsafeAddr()))
	}
	return rv
}
