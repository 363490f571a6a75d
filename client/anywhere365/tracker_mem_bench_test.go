package anywhere365

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkTracker100k is the console's memory at 100,000 known sessions,
// in process: the tracker as the hub fills it (one start event per call,
// fresh strings per event as a decoder gives), the pane's snapshot buffer,
// and what is left once every call has ended and GoneTTL dropped them.
// Issue 15 asks for the whole process under 100 MB at 100,000 sessions
// (about 0.75 KiB per session above its base); this is the heap part.
//
//	go test -run '^$' -bench 'Tracker100k' -benchtime 1x ./client/anywhere365/
func BenchmarkTracker100k(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		var base, full, snap, ended runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&base)

		var mu sync.Mutex
		gone := false
		getter := getterFunc(func(_ context.Context, ucc, id string) (*StateResponse, error) {
			mu.Lock()
			g := gone
			mu.Unlock()
			if g {
				return nil, &APIError{Type: ErrorValidation, Message: msgNoSession + " " + id + " was found."}
			}
			return &StateResponse{CorrelationId: id, UCCName: ucc, RecordingState: RecordingStarted}, nil
		})
		clock := &memClock{t: time.Unix(1_800_000_000, 0)}
		tr := NewTracker(TrackerConfig{Getter: getter, Now: clock.now, ReadBudget: -1})
		for i := range n {
			tr.HandleEvent(RecordingStateChangedEvent{
				UccName:       strings.Clone("payments"),
				CorrelationId: fmt.Sprintf("%08x-6739-4f0c-98ff-0968292c8c30", i),
				StateAction:   ActionStart,
			})
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { tr.Run(ctx) })
		memWait(b, "every session confirmed", func() bool { return tr.GetCount() >= n })
		runtime.GC()
		runtime.ReadMemStats(&full)

		dst := tr.Snapshot(nil)
		runtime.GC()
		runtime.ReadMemStats(&snap)
		memProfile(b, "100k")

		// Every call ends: a Stop event each, whose GET says it is gone.
		mu.Lock()
		gone = true
		mu.Unlock()
		for i := range dst {
			tr.HandleEvent(RecordingStateChangedEvent{UccName: dst[i].Key.UCC, CorrelationId: dst[i].Key.CorrelationID, StateAction: ActionStop})
		}
		memWait(b, "every session gone", func() bool {
			for _, s := range tr.Snapshot(dst) {
				if !s.Gone {
					return false
				}
			}
			return true
		})
		clock.add(DefaultGoneTTL + time.Second)
		memWait(b, "every session dropped", func() bool { return tr.Len() == 0 })
		dst = tr.Snapshot(nil)
		runtime.GC()
		runtime.GC() // the heap profile lags a cycle
		runtime.ReadMemStats(&ended)
		memProfile(b, "after-end")
		cancel()
		wg.Wait()
		runtime.KeepAlive(tr)
		runtime.KeepAlive(dst)

		b.ReportMetric(float64(full.HeapAlloc-base.HeapAlloc)/n, "tracker-B/session")
		b.ReportMetric(float64(snap.HeapAlloc-full.HeapAlloc)/n, "snapshot-B/session")
		b.ReportMetric(float64(snap.HeapAlloc-base.HeapAlloc)/(1<<20), "heap-MB-100k")
		b.ReportMetric(float64(int64(ended.HeapAlloc)-int64(base.HeapAlloc))/(1<<20), "heap-MB-after-end")
	}
}

// memProfile writes a heap profile to $TRACKER_HEAP_PROFILES/<name>.prof
// when that variable names a directory (for go tool pprof).
func memProfile(b *testing.B, name string) {
	dir := os.Getenv("TRACKER_HEAP_PROFILES")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".prof"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

type getterFunc func(ctx context.Context, ucc, id string) (*StateResponse, error)

func (f getterFunc) GetState(ctx context.Context, ucc, id string) (*StateResponse, error) {
	return f(ctx, ucc, id)
}

// memClock is a settable clock for the tracker's Now.
type memClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *memClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *memClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// memWait polls cond until it holds, for at most two minutes.
func memWait(b *testing.B, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
