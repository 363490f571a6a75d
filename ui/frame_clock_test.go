package ui_test

import (
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/internal/beat"
	"github.com/recdeck/recdeck/ui"
)

// clockPane counts the frame's ticks and asks for them at a rate the test
// sets (ui.TickWanter).
type clockPane struct {
	mu    sync.Mutex
	want  time.Duration
	ticks []time.Time
}

func (p *clockPane) Title() string { return "clock" }
func (p *clockPane) Init() tea.Cmd { return nil }
func (p *clockPane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	if _, ok := msg.(ui.TickMsg); ok {
		p.mu.Lock()
		p.ticks = append(p.ticks, time.Now())
		p.mu.Unlock()
	}
	return p, nil
}
func (p *clockPane) View() string            { return "" }
func (p *clockPane) SetSize(int, int)        {}
func (p *clockPane) SetStyles(*ui.Styles)    {}
func (p *clockPane) KeyMap() help.KeyMap     { return stubKeys{} }
func (p *clockPane) Capturing() bool         { return false }
func (p *clockPane) setWant(d time.Duration) { p.mu.Lock(); p.want = d; p.mu.Unlock() }
func (p *clockPane) TickWanted() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.want
}
func (p *clockPane) tickTimes() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.ticks...)
}

// program runs a model the way Bubble Tea does: one goroutine handles
// messages in order, every command runs on its own goroutine.
type program struct {
	msgs chan tea.Msg
	stop chan struct{}
	wg   sync.WaitGroup
}

// call runs fn on the program's goroutine (the model is not safe to touch
// from elsewhere).
type call struct {
	fn   func()
	done chan struct{}
}

func runProgram(t *testing.T, m tea.Model) *program {
	p := &program{msgs: make(chan tea.Msg, 64), stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.spawn(m.Init())
		for {
			select {
			case <-p.stop:
				return
			case msg := <-p.msgs:
				if c, ok := msg.(call); ok {
					c.fn()
					close(c.done)
					continue
				}
				var cmd tea.Cmd
				m, cmd = m.Update(msg)
				m.View()
				p.spawn(cmd)
			}
		}
	}()
	t.Cleanup(func() { close(p.stop); p.wg.Wait() })
	return p
}

func (p *program) spawn(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				p.spawn(c)
			}
			return
		}
		if msg == nil {
			return
		}
		select {
		case p.msgs <- msg:
		case <-p.stop:
		}
	}()
}

func (p *program) do(fn func()) {
	c := call{fn: fn, done: make(chan struct{})}
	p.msgs <- c
	<-c.done
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// With nothing moving and no change signalled, the frame sends no tick at
// all; a change signal brings one frame, and a stream of them at most one
// frame per floor.
func TestFrameSleepsUntilWokenAndKeepsItsFloor(t *testing.T) {
	const floor = 20 * time.Millisecond
	wake, done := make(chan struct{}, 1), make(chan struct{})
	defer close(done)
	pane := &clockPane{}
	m := ui.New(ui.Options{Tick: floor, Wake: wake, Done: done}, pane)
	p := runProgram(t, m)
	p.msgs <- tea.WindowSizeMsg{Width: 80, Height: 24}

	time.Sleep(150 * time.Millisecond)
	if n := len(pane.tickTimes()); n != 0 {
		t.Fatalf("%d ticks while nothing changed and nothing moves", n)
	}
	wake <- struct{}{}
	waitFor(t, "the frame a change asks for", func() bool { return len(pane.tickTimes()) == 1 })

	// 200 changes as fast as the channel takes them (it holds one).
	for range 200 {
		select {
		case wake <- struct{}{}:
		default:
		}
		time.Sleep(100 * time.Microsecond)
	}
	time.Sleep(3 * floor) // the last change's frame
	ticks := pane.tickTimes()
	if len(ticks) < 2 {
		t.Fatalf("a stream of changes brought %d frames", len(ticks))
	}
	for i := 1; i < len(ticks); i++ {
		if gap := ticks[i].Sub(ticks[i-1]); gap < floor-5*time.Millisecond { // slack: the pane notes the time a little after the frame
			t.Fatalf("frames %d and %d only %v apart (floor %v)", i-1, i, gap, floor)
		}
	}
	// The last change was seen: nothing is left pending, and the frame is
	// asleep again.
	n := len(ticks)
	time.Sleep(100 * time.Millisecond)
	if got := len(pane.tickTimes()); got != n {
		t.Fatalf("%d more ticks after the changes stopped", got-n)
	}
}

// A pane that asks for ticks gets them at its interval, and they stop when
// it no longer asks.
func TestFrameTicksOnlyWhileAPaneAsks(t *testing.T) {
	pane := &clockPane{want: 10 * time.Millisecond}
	m := ui.New(ui.Options{}, pane)
	p := runProgram(t, m)
	waitFor(t, "five ticks at the pane's interval", func() bool { return len(pane.tickTimes()) >= 5 })
	ticks := pane.tickTimes()
	for i := 1; i < len(ticks); i++ {
		if gap := ticks[i].Sub(ticks[i-1]); gap < 5*time.Millisecond {
			t.Fatalf("ticks %v apart, asked every 10ms", gap)
		}
	}
	pane.setWant(0)
	p.do(func() {}) // let one more message pass, so the frame re-plans
	time.Sleep(30 * time.Millisecond)
	n := len(pane.tickTimes())
	time.Sleep(100 * time.Millisecond)
	if got := len(pane.tickTimes()); got != n {
		t.Fatalf("%d ticks after the pane stopped asking", got-n)
	}
}

// A toast ends on time even when nothing else wakes the frame.
func TestFrameWakesToExpireAToast(t *testing.T) {
	m := ui.New(ui.Options{}, &clockPane{})
	p := runProgram(t, m)
	p.msgs <- ui.ToastMsg{Text: "short", For: 30 * time.Millisecond}
	waitFor(t, "the toast to show", func() bool {
		var n int
		p.do(func() { n = len(m.Toasts()) })
		return n == 1
	})
	waitFor(t, "the toast to expire", func() bool {
		var n int
		p.do(func() { n = len(m.Toasts()) })
		return n == 0
	})
}

// bodyPane draws a counter of its ticks and says whether its body changed.
type bodyPane struct {
	clockPane
	changed bool
	draws   int
}

func (p *bodyPane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	p.clockPane.Update(msg)
	return p, nil
}

func (p *bodyPane) BodyChanged() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}
func (p *bodyPane) View() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draws++
	return ""
}
func (p *bodyPane) drawCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.draws
}

// A change that leaves the active pane's body as it was (events on
// sessions off screen) is drawn with the status line's next news, within
// StatusEvery; one that changes the body is drawn at once.
func TestFrameDefersNewsOffScreen(t *testing.T) {
	wake, done := make(chan struct{}, 1), make(chan struct{})
	defer close(done)
	pane := &bodyPane{}
	m := ui.New(ui.Options{Tick: 5 * time.Millisecond, Wake: wake, Done: done}, pane)
	p := runProgram(t, m)
	p.msgs <- tea.WindowSizeMsg{Width: 80, Height: 24}
	waitFor(t, "the first draw", func() bool { return pane.drawCount() > 0 })
	time.Sleep(20 * time.Millisecond)
	drawn := pane.drawCount()

	start := time.Now()
	wake <- struct{}{}
	waitFor(t, "the change's frame", func() bool { return len(pane.tickTimes()) == 1 })
	if n := pane.drawCount(); n != drawn {
		t.Fatalf("drawn %d times at once for a change off screen", n-drawn)
	}
	// Drawn on the status line's beat (the next whole second, with the
	// ages' frame and the process's other 1 s timers), not before.
	due := beat.Next(start, ui.StatusEvery)
	waitFor(t, "the deferred draw", func() bool { return pane.drawCount() > drawn })
	if at := time.Now(); at.Before(due) || at.Sub(start) > ui.StatusEvery+500*time.Millisecond {
		t.Fatalf("deferred draw %v after the change, want on the beat %v after it (within %v)",
			at.Sub(start), due.Sub(start), ui.StatusEvery)
	}

	pane.mu.Lock()
	pane.changed = true
	pane.mu.Unlock()
	drawn = pane.drawCount()
	start = time.Now()
	wake <- struct{}{}
	waitFor(t, "the draw of a changed body", func() bool { return pane.drawCount() > drawn })
	if took := time.Since(start); took >= ui.StatusEvery/2 {
		t.Fatalf("a changed body drawn after %v", took)
	}
}

// Ticks a second or more apart (ages in whole seconds) come on the
// process's 1 s beat, whenever the last frame was: the once-a-second frame
// wakes the process together with its other 1 s timers.
func TestFrameSecondTicksOnTheBeat(t *testing.T) {
	pane := &clockPane{want: time.Second}
	m := ui.New(ui.Options{}, pane)
	p := runProgram(t, m)
	// A frame off the beat (new data), then the pane's ticks.
	time.Sleep(time.Until(beat.Next(time.Now(), time.Second).Add(300 * time.Millisecond)))
	p.msgs <- tea.WindowSizeMsg{Width: 80, Height: 24}
	start := len(pane.tickTimes())
	waitFor(t, "two ticks on the beat", func() bool { return len(pane.tickTimes()) >= start+2 })
	for _, at := range pane.tickTimes()[start:] {
		if off := at.Sub(at.Truncate(time.Second)); off > 200*time.Millisecond {
			t.Errorf("a 1 s tick came %v after a whole second: off the beat", off)
		}
	}
}
