package sessions

import (
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/recdeck/recdeck/ui"
)

// BenchmarkIdleFrame is the whole frame (header, status line, tabs, the
// pane, toast line, footer) an idle console draws once a second: 40
// sessions on screen, nothing changed but every age, which moved a second.
func BenchmarkIdleFrame(b *testing.B) {
	p, _, clock := benchPane(b, 40)
	frame := ui.New(ui.Options{Now: clock.Now, Tick: -1, Server: "http://127.0.0.1:8365", APIVersion: "v1"}, p)
	frame.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	frame.View()
	b.ReportAllocs()
	var seq uint64
	for b.Loop() {
		clock.Advance(time.Second)
		seq++
		frame.Update(ui.TickMsg{At: clock.Now(), Seq: seq})
		_ = frame.View()
	}
}

// BenchmarkIdleFrameRenderer is what Bubble Tea's renderer (v2.1.1's
// cursedRenderer.flush, reproduced with the same ultraviolet calls) does
// with the idle frame of BenchmarkIdleFrame once a second: parse the whole
// screen into cells, diff it against the last one, write the difference.
// It is most of an idle console's CPU besides the Go runtime's wake-ups,
// and depends on what the frame is made of (cells, styles), not on how it
// was drawn. "bubbletea" is the screen writer as Bubble Tea sets it up on
// a terminal (hard tabs, hard-scroll detection), "tuned" as the console's
// RenderPacer leaves it (ui/pacer.go, rendererView.tune).
//
// Tuned is a third faster here, warm (0.74 -> 0.51 ms), with half the
// allocations. In the running console the flush itself costs about the
// same either way (perf, idle, 40 s: 730 against 721 samples): it is bound
// by cache misses on the two cell buffers (about 1.3 MB at 140x40), and
// whichever pass touches the cells first pays them (untuned, the line
// hashes of scroll detection; tuned, ultraviolet's width check in
// lineHasDrift). The console as a whole measured lower tuned (1,546
// against 1,645 samples in the same windows; idle against round 5's
// console side by side, median 0.81x over 9 runs tuned, 0.95x over 5
// runs untuned), which fits the halved allocations.
func BenchmarkIdleFrameRenderer(b *testing.B) {
	for _, w := range []struct {
		name  string
		tuned bool
	}{{"bubbletea", false}, {"tuned", true}} {
		b.Run(w.name, func(b *testing.B) {
			p, _, clock := benchPane(b, 40)
			frame := ui.New(ui.Options{Now: clock.Now, Tick: -1, Server: "http://127.0.0.1:8365", APIVersion: "v1"}, p)
			frame.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
			scr := uv.NewTerminalRenderer(io.Discard, []string{"TERM=xterm-256color"})
			scr.SetColorProfile(colorprofile.TrueColor)
			scr.SetFullscreen(true)
			scr.SetRelativeCursor(false)
			scr.SetBackspace(true)
			scr.SetMapNewline(true)
			if w.tuned {
				scr.SetTabStops(-1)
				scr.SetScrollOptim(false)
			} else {
				scr.SetTabStops(140)
				scr.SetScrollOptim(true)
			}
			buf := uv.NewScreenBuffer(140, 40)
			flush := func(content string) {
				buf.Clear()
				uv.NewStyledString(content).Draw(buf, buf.Bounds())
				scr.Render(buf.RenderBuffer)
				if err := scr.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			flush(frame.View().Content)
			b.ReportAllocs()
			var seq uint64
			for b.Loop() {
				b.StopTimer()
				clock.Advance(time.Second)
				seq++
				frame.Update(ui.TickMsg{At: clock.Now(), Seq: seq})
				content := frame.View().Content
				b.StartTimer()
				flush(content)
			}
		})
	}
}
