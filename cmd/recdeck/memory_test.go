package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// Memory goes back to the OS once when the known sessions fall to half of
// their peak (and by enough to matter), not on small or repeated dips.
func TestDropWatch(t *testing.T) {
	var d dropWatch
	steps := []struct {
		n    int
		want bool
	}{
		{40, false}, {10_000, false}, {100_000, false}, {60_000, false}, {50_001, false},
		{50_000, true}, {49_000, false}, {20_000, true}, {9_000, true}, {5_000, false}, {4_100, false}, {0, true}, {0, false},
	}
	for _, s := range steps {
		if got := d.observe(s.n); got != s.want {
			t.Fatalf("observe(%d) after peak %d = %v, want %v", s.n, d.peak, got, s.want)
		}
	}
}

func TestReleaseAfterDropsStopsWithItsContext(t *testing.T) {
	var n, freed atomic.Int64
	n.Store(100_000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		releaseAfterDrops(ctx, func() int { return int(n.Load()) }, time.Millisecond, func() { freed.Add(1) })
		close(done)
	}()
	time.Sleep(5 * time.Millisecond)
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
