package anywhere365

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkGuardPoll100k is one poll of the pause guard (with its
// compliance book) over 100,000 sessions: CPU per poll (it polls four
// times a second) and the heap it keeps between polls.
//
//	go test -run '^$' -bench 'GuardPoll100k' ./client/anywhere365/
func BenchmarkGuardPoll100k(b *testing.B) {
	const n = 100_000
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	tr := NewTracker(TrackerConfig{Now: clock})
	for i := range n {
		tr.HandleEvent(RecordingStateChangedEvent{UccName: "payments", CorrelationId: fmt.Sprintf("%08x-6739-4f0c-98ff-0968292c8c30", i), StateAction: ActionStart})
	}
	comp := NewCompliance(Policies{})
	g := NewPauseGuard(GuardConfig{Source: tr, Compliance: comp, Now: clock})
	g.step()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		g.step()
	}
	var kept runtime.MemStats
	runtime.ReadMemStats(&kept)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/poll")
	b.ReportMetric(float64(kept.TotalAlloc-before.TotalAlloc)/float64(b.N)/1024, "KiB-alloc/poll")
	runtime.GC()
	runtime.ReadMemStats(&kept)
	b.ReportMetric(float64(kept.HeapAlloc)/(1<<20), "heap-MB") // tracker, guard and book
	runtime.KeepAlive(tr)
	runtime.KeepAlive(g)
}

// BenchmarkRange100k is how long a pass holds the tracker's lock: a
// RangeSessions that only reads, against a full Snapshot into a fresh
// buffer (what the guard did before) and into the last one.
func BenchmarkRange100k(b *testing.B) {
	const n = 100_000
	tr := NewTracker(TrackerConfig{})
	for i := range n {
		tr.HandleEvent(RecordingStateChangedEvent{UccName: "payments", CorrelationId: fmt.Sprintf("%08x-6739-4f0c-98ff-0968292c8c30", i), StateAction: ActionStart})
	}
	b.Run("range", func(b *testing.B) {
		paused := 0
		for b.Loop() {
			tr.RangeSessions(func(s *Session) {
				if s.Recording == RecordingPaused {
					paused++
				}
			})
		}
	})
	b.Run("snapshot-fresh", func(b *testing.B) {
		for b.Loop() {
			_ = tr.Snapshot(nil)
		}
	})
	b.Run("snapshot-reused", func(b *testing.B) {
		var dst []Session
		for b.Loop() {
			dst = tr.Snapshot(dst)
		}
	})
}
