package anywhere365

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Benchmarks for the figures issue 4 asks of the tracker: >= 50,000
// events/s ingest on one core with 10,000 live sessions (run with -cpu 1),
// < 1 KiB retained per session, and the cost of the UI's snapshot.
//
//	go test -run '^$' -bench 'Tracker|Snapshot' -cpu 1 -benchmem ./client/anywhere365/

const benchSessions = 10_000

// benchEvents builds one event per session with freshly allocated strings,
// as decoded JSON would give.
func benchEvents(n int) []RecordingStateChangedEvent {
	evs := make([]RecordingStateChangedEvent, n)
	for i := range evs {
		evs[i] = RecordingStateChangedEvent{
			UccName:       strings.Clone("ucc-demo-name"),
			CorrelationId: fmt.Sprintf("%08x-6739-4f0c-98ff-0968292c8c30", i),
			StateAction:   ActionStart,
		}
	}
	return evs
}

// instantGetter answers every GET from memory: the reconciler's own cost
// without a network.
type instantGetter struct{}

func (instantGetter) GetState(_ context.Context, ucc, id string) (*StateResponse, error) {
	return &StateResponse{CorrelationId: id, UCCName: ucc, RecordingState: RecordingStarted}, nil
}

func BenchmarkTrackerIngest(b *testing.B) {
	// with-reconciler runs the default budget (50 GETs/s: the reconciler
	// is nearly idle and events only coalesce); unbounded lifts it, so the
	// reconciler GETs as fast as it can, as before the budget existed.
	for _, mode := range []string{"store-only", "with-reconciler", "with-reconciler-unbounded"} {
		withRun := mode != "store-only"
		b.Run(mode, func(b *testing.B) {
			cfg := TrackerConfig{}
			if withRun {
				cfg.Getter = instantGetter{}
			}
			if mode == "with-reconciler-unbounded" {
				cfg.ReadBudget = -1
			}
			tr := NewTracker(cfg)
			evs := benchEvents(benchSessions)
			for _, ev := range evs {
				tr.HandleEvent(ev)
			}
			var wg sync.WaitGroup
			ctx, cancel := context.WithCancel(context.Background())
			if withRun {
				wg.Go(func() { tr.Run(ctx) })
			}
			actions := []Action{ActionPause, ActionStart, ActionMark, ActionUnMark}
			i := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ev := evs[i%benchSessions]
				ev.StateAction = actions[(i/benchSessions)%len(actions)]
				tr.HandleEvent(ev)
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "events/s")
			b.StopTimer()
			cancel()
			wg.Wait()
			if tr.Len() != benchSessions {
				b.Fatalf("%d sessions", tr.Len())
			}
		})
	}
}

// BenchmarkTrackerMemoryPerSession reports the heap retained per session
// at steady state: 10,000 sessions, each with a full history ring.
func BenchmarkTrackerMemoryPerSession(b *testing.B) {
	var perSession float64
	for b.Loop() {
		evs := benchEvents(benchSessions)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tr := NewTracker(TrackerConfig{})
		actions := []Action{ActionStart, ActionPause, ActionMark, ActionSave}
		for round := range DefaultHistoryLimit + 4 { // fill every ring, then wrap
			for _, ev := range evs {
				ev.StateAction = actions[round%len(actions)]
				// Fresh strings per event, as the hub's decoder gives:
				// the tracker must keep only its first copy.
				ev.UccName = strings.Clone(ev.UccName)
				ev.CorrelationId = strings.Clone(ev.CorrelationId)
				tr.HandleEvent(ev)
			}
		}
		evs = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		perSession = float64(after.HeapAlloc-before.HeapAlloc) / benchSessions
		runtime.KeepAlive(tr)
		if tr.Len() != benchSessions {
			b.Fatalf("%d sessions", tr.Len())
		}
	}
	b.ReportMetric(perSession, "bytes/session")
	if perSession >= 1024 {
		b.Errorf("%.0f bytes retained per session, want < 1024", perSession)
	}
}

func BenchmarkSnapshot(b *testing.B) {
	tr := NewTracker(TrackerConfig{})
	for _, ev := range benchEvents(benchSessions) {
		tr.HandleEvent(ev)
	}
	var dst []Session
	b.ReportAllocs()
	for b.Loop() {
		dst = tr.Snapshot(dst)
	}
	if len(dst) != benchSessions {
		b.Fatalf("%d sessions", len(dst))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchSessions, "ns/session")
}
