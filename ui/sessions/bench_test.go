package sessions

import (
	"fmt"
	"testing"
	"time"

	btable "charm.land/bubbles/v2/table"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

var benchSizes = []int{1_000, 10_000, 100_000}

// benchPane is a 120x40 pane over n sessions, already pulled.
func benchPane(tb testing.TB, n int) (*Pane, *fakeSource, *fakeClock) {
	tb.Helper()
	clock := newClock()
	src := newSource(clock)
	states := []anywhere365.RecordingState{anywhere365.RecordingStarted, anywhere365.RecordingPaused,
		anywhere365.RecordingStopped, anywhere365.RecordingUninitialized}
	src.sessions = make([]anywhere365.Session, 0, n)
	now := clock.Now()
	for i := range n {
		src.ver++
		src.sessions = append(src.sessions, anywhere365.Session{
			Key:       anywhere365.SessionKey{UCC: fmt.Sprintf("ucc-%03d", i%500), CorrelationID: fmt.Sprintf("%08x-6739-4f0c-98ff-%012x", i, i)},
			Recording: states[i%4], Confirmed: i%7 != 0, StateSince: now.Add(-time.Duration(i) * time.Second),
			FirstSeen: now.Add(-time.Hour), Version: src.ver,
		})
	}
	p := New(Config{Source: src, Now: clock.Now, Requester: "sip:agent@domain.com"})
	p.SetStyles(ui.NewStyles(themes.Builtin()[0], false))
	p.SetSize(120, 40)
	p.Init()
	if len(p.tbl.rows) != n {
		tb.Fatalf("%d rows", len(p.tbl.rows))
	}
	return p, src, clock
}

// frameStep is what changes between two frames in the benchmarks: the
// clock moves one frame (100 ms) and one row on screen changes version,
// as a live table does under a steady event stream.
func frameStep(p *Pane, clock *fakeClock, i int) {
	clock.Advance(100 * time.Millisecond)
	p.now = clock.Now()
	t := &p.tbl
	r := t.rows[t.offset+i%t.visible]
	t.snap[r].Version++
}

// BenchmarkView is the sessions pane's per-frame cost at 120x40. It must
// not grow with the number of sessions (goal: < 2 ms at 100,000).
func BenchmarkView(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, _, clock := benchPane(b, n)
			p.View()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				frameStep(p, clock, i)
				_ = p.View()
			}
		})
	}
}

// BenchmarkViewUncached draws every row on screen from scratch each frame
// (the worst case: a theme change or a resize).
func BenchmarkViewUncached(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, _, _ := benchPane(b, n)
			b.ReportAllocs()
			for b.Loop() {
				p.tbl.invalidate()
				_ = p.View()
			}
		})
	}
}

// BenchmarkPull is the work a tick does when the store changed: copy the
// snapshot, filter, count and sort. It is O(N log N), which is why it runs
// at most once per tick and is spaced further apart by the adaptive
// throttle when it gets expensive.
func BenchmarkPull(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, src, _ := benchPane(b, n)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				src.ver++
				src.sessions[i%n].Version = src.ver
				p.tbl.pullFrom(src, src.ver)
			}
		})
	}
}

// BenchmarkBubblesTable holds the same sessions in bubbles' table.Model
// and does what a frame with one changed row needs there: rebuild the rows
// (the table keeps strings, so a change means new rows), SetRows, View. It
// also times the sessions pane's frame on the same data and reports how
// many times slower the bubbles table is.
func BenchmarkBubblesTable(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, _, clock := benchPane(b, n)
			cols := []btable.Column{{Title: "UCC", Width: 30}, {Title: "CORRELATION", Width: 11},
				{Title: "RECORDING", Width: 17}, {Title: "MARKING", Width: 8}, {Title: "SAVING", Width: 8},
				{Title: "IN STATE", Width: 8}, {Title: "LAST ACTION", Width: 11}}
			toRows := func(now time.Time) []btable.Row {
				rows := make([]btable.Row, len(p.tbl.rows))
				for i, r := range p.tbl.rows {
					s := &p.tbl.snap[r]
					rows[i] = btable.Row{s.Key.UCC, shortID(s.Key.CorrelationID), stateCell(s),
						markingCell(s.Marking), savingCell(s.Saving), rowAge(s, now), s.LastAction.String()}
				}
				return rows
			}
			tm := btable.New(btable.WithColumns(cols), btable.WithRows(toRows(clock.Now())), btable.WithHeight(40), btable.WithWidth(120))
			var paneNs, tableNs time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				frameStep(p, clock, i)
				t0 := time.Now()
				_ = p.View()
				t1 := time.Now()
				tm.SetRows(toRows(clock.Now()))
				_ = tm.View()
				t2 := time.Now()
				paneNs += t1.Sub(t0)
				tableNs += t2.Sub(t1)
			}
			frames := float64(b.N)
			b.ReportMetric(float64(paneNs.Nanoseconds())/frames, "pane-ns/frame")
			b.ReportMetric(float64(tableNs.Nanoseconds())/frames, "bubbles-ns/frame")
			if paneNs > 0 {
				b.ReportMetric(float64(tableNs)/float64(paneNs), "bubbles/pane")
			}
		})
	}
}
