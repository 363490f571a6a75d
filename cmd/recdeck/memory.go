package main

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/recdeck/recdeck/internal/beat"
)

// releaseAfterDrops keeps the console's memory in bounds until ctx ends.
//
// It sets a soft memory limit (memoryFloor, raised with the live heap, see
// limitFor) so that the garbage collector does not let the heap grow to
// twice its live size when that is large: with 100,000 known sessions the
// live heap is about 55 MB, and GOGC=100 alone would let the process
// reach 120 MB before collecting. Below the limit nothing changes (GOGC
// still paces the collector), so a console with a few thousand sessions
// pays no extra collection at all; above it, collections come sooner (at
// 100,000 sessions every 20 MB allocated instead of every 55), at a CPU
// cost bounded by keeping at least a quarter of the live heap as headroom
// (as GOGC=25 would).
// GOMEMLIMIT in the environment wins: the limit is then left alone.
//
// It also returns memory to the OS once the number of known sessions has
// fallen to half of its peak (and by at least minDrop), and again once it
// has settled after the fall (see dropWatch): Go returns freed
// heap to the OS only gradually, so without this a console that once knew
// 100,000 sessions keeps its peak resident size long after the calls
// ended. count is the tracker's Len; drops are checked every interval,
// the limit every second at most.
func releaseAfterDrops(ctx context.Context, count func() int, interval time.Duration, free func()) {
	var r dropWatch
	lim := processLimiter()
	// On the 1 s grid (internal/beat): the look wakes the process with its
	// other once-a-second timers (the ages' frame, the pause guard).
	period := min(interval, time.Second)
	t := time.NewTimer(beat.Until(time.Now(), period))
	defer t.Stop()
	next := time.Now().Add(interval)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			t.Reset(beat.Until(time.Now(), period))
			lim.adjust()
			if now.Before(next) {
				continue
			}
			next = now.Add(interval)
			if r.observe(count()) {
				free()
			}
		}
	}
}

// minDrop is the smallest fall in known sessions worth a forced release
// (a full collection: about a millisecond per 10 MB of live heap).
const minDrop = 5000

// dropWatch follows the peak of a count and says when it has halved,
// and once more when the count has then stayed put for two looks: what
// the screen and the tracker let go after the fall (a large snapshot
// buffer, the tables rebuilt smaller) is freed a little later, and Go
// would return it to the OS only gradually.
type dropWatch struct {
	peak, last, still int
	settling          bool
}

func (d *dropWatch) observe(n int) bool {
	if n > d.peak {
		d.peak, d.settling = n, false
		return false
	}
	if n <= d.peak/2 && d.peak-n >= minDrop {
		d.peak, d.settling, d.last, d.still = n, true, n, 0
		return true
	}
	if d.settling {
		if n != d.last {
			d.last, d.still = n, 0
			return false
		}
		if d.still++; d.still >= 2 {
			d.settling = false
			return true
		}
	}
	return false
}

// freeOSMemory is debug.FreeOSMemory (a variable for tests).
var freeOSMemory = debug.FreeOSMemory

// memoryFloor is the soft memory limit (all memory the Go runtime
// manages) while the live heap is small: with the binary's own pages it
// keeps the process under 100 MB resident with 100,000 known sessions.
const memoryFloor = 76 << 20

// limitFor is the memory limit for a live heap of live bytes: the floor,
// or the live heap and a quarter of it again once that is more (so a
// larger console is never starved into collecting continuously).
func limitFor(live uint64) int64 {
	l := min(live, math.MaxInt64/2)
	return max(memoryFloor, int64(l+l/4))
}

// limiter follows the live heap with the soft memory limit.
type limiter struct {
	mu      sync.Mutex
	on      bool
	set     int64
	samples []metrics.Sample
}

var (
	theLimiter     *limiter
	theLimiterOnce sync.Once
)

// processLimiter is the process's one limiter, shared by every
// releaseAfterDrops (a console following several servers runs one each).
func processLimiter() *limiter {
	theLimiterOnce.Do(func() { theLimiter = newLimiter() })
	return theLimiter
}

func newLimiter() *limiter {
	l := &limiter{samples: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if os.Getenv("GOMEMLIMIT") != "" {
		return l // the user's choice
	}
	l.on = true
	l.set = memoryFloor
	setMemoryLimit(l.set)
	return l
}

// adjust raises (or lowers again) the limit with the live heap; it costs
// a read of one runtime metric.
func (l *limiter) adjust() {
	if !l.on {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	metrics.Read(l.samples)
	if l.samples[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	want := limitFor(l.samples[0].Value.Uint64())
	// Move only on a change of an eighth or more: each call costs the
	// runtime a little work.
	if d := want - l.set; d > l.set/8 || -d > l.set/8 {
		l.set = want
		setMemoryLimit(want)
	}
}

// setMemoryLimit is debug.SetMemoryLimit (a variable for tests).
var setMemoryLimit = func(n int64) { debug.SetMemoryLimit(n) }
