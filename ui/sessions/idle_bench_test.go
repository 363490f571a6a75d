package sessions

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

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
