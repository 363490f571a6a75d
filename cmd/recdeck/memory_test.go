package main

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Memory goes back to the OS once when the known sessions fall to half of
// their peak (and by enough to matter), not on small or repeated dips, and
// once more when the count has stayed put for two looks after such a fall.
func TestDropWatch(t *testing.T) {
	var d dropWatch
	steps := []struct {
		n    int
		want bool
	}{
		{40, false}, {10_000, false}, {100_000, false}, {60_000, false}, {50_001, false},
		{50_000, true}, {49_000, false}, {20_000, true}, {9_000, true}, {5_000, false}, {4_100, false}, {0, true}, {0, false},
		{0, true}, {0, false}, {0, false}, // settled: once
		{30_000, false}, {14_000, true}, {14_000, false}, {12_000, false}, {12_000, false}, {12_000, true}, {12_000, false},
		{60_000, false}, {29_000, true}, {40_000, false}, {40_000, false}, {40_000, false}, {40_000, false}, // a rise ends the settling
	}
	for _, s := range steps {
		if got := d.observe(s.n); got != s.want {
			t.Fatalf("observe(%d) after peak %d = %v, want %v", s.n, d.peak, got, s.want)
		}
	}
}

func TestReleaseAfterDropsStopsWithItsContext(t *testing.T) {
	var limits []int64
	stubMemoryLimit(t, &limits)
	var n, freed, counted atomic.Int64
	n.Store(100_000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		releaseAfterDrops(ctx, func() int { c := n.Load(); counted.Add(1); return int(c) }, time.Millisecond, func() { freed.Add(1) })
		close(done)
	}()
	for deadline := time.Now().Add(5 * time.Second); counted.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // until the peak has been seen
	}
	n.Store(0)
	deadline := time.Now().Add(5 * time.Second)
	for freed.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if freed.Load() != 1 {
		t.Fatalf("freed %d times, want once", freed.Load())
	}
}

// stubMemoryLimit records the limits set instead of setting them (the
// test binary keeps its own).
func stubMemoryLimit(t *testing.T, limits *[]int64) {
	t.Helper()
	saved := setMemoryLimit
	var mu sync.Mutex
	setMemoryLimit = func(n int64) {
		mu.Lock()
		*limits = append(*limits, n)
		mu.Unlock()
	}
	t.Cleanup(func() { setMemoryLimit = saved })
}

// The limit is the floor while the live heap is small, then follows the
// live heap with a quarter of it again as headroom, so a console with many
// more sessions than expected is never starved into collecting all the
// time.
func TestLimitFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, memoryFloor}, {10 << 20, memoryFloor}, {60 << 20, memoryFloor},
		{80 << 20, 100 << 20}, {400 << 20, 500 << 20}, {math.MaxUint64, math.MaxInt64/2 + math.MaxInt64/2/4}, // no overflow
	} {
		if got := limitFor(c.live); got != c.want {
			t.Errorf("limitFor(%d MB) = %d MB, want %d MB", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// The limiter sets the floor at once, moves with the live heap of this
// very process, and leaves a GOMEMLIMIT from the environment alone.
func TestLimiter(t *testing.T) {
	var limits []int64
	stubMemoryLimit(t, &limits)
	t.Setenv("GOMEMLIMIT", "")
	l := newLimiter()
	if len(limits) != 1 || limits[0] != memoryFloor {
		t.Fatalf("limits set at start: %v, want [%d]", limits, memoryFloor)
	}
	big := make([]byte, 96<<20) // a live heap above the floor's four fifths
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	runtime.GC()
	l.adjust()
	runtime.KeepAlive(big)
	if len(limits) != 2 || limits[1] < 96<<20*5/4 {
		t.Fatalf("limits after a 96 MB live heap: %v, want a second of at least %d", limits, 96<<20*5/4)
	}
	big = nil
	runtime.GC()
	l.adjust()
	if len(limits) != 3 || limits[2] != memoryFloor {
		t.Fatalf("limits once the heap is small again: %v, want back to %d", limits, memoryFloor)
	}

	limits = nil
	t.Setenv("GOMEMLIMIT", "1GiB")
	l = newLimiter()
	l.adjust()
	if len(limits) != 0 {
		t.Fatalf("with GOMEMLIMIT set, limits set: %v", limits)
	}
}
