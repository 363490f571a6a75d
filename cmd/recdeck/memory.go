package main

import (
	"context"
	"runtime/debug"
	"time"
)

// releaseAfterDrops returns memory to the OS once the number of known
// sessions has fallen to half of its peak (and by at least minDrop): Go
// returns freed heap to the OS only gradually, so without this a console
// that once knew 100,000 sessions keeps its peak resident size long after
// the calls ended. It checks every interval until ctx ends; count is the
// tracker's Len.
func releaseAfterDrops(ctx context.Context, count func() int, interval time.Duration, free func()) {
	var r dropWatch
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if r.observe(count()) {
				free()
			}
		}
	}
}

// minDrop is the smallest fall in known sessions worth a forced release
// (a full collection: about a millisecond per 10 MB of live heap).
const minDrop = 5000

// dropWatch follows the peak of a count and says when it has halved.
type dropWatch struct{ peak int }

func (d *dropWatch) observe(n int) bool {
	if n > d.peak {
		d.peak = n
		return false
	}
	if n <= d.peak/2 && d.peak-n >= minDrop {
		d.peak = n
		return true
	}
	return false
}

// freeOSMemory is debug.FreeOSMemory (a variable for tests).
var freeOSMemory = debug.FreeOSMemory
