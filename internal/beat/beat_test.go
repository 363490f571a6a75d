package beat

import (
	"testing"
	"time"
)

func TestGrid(t *testing.T) {
	base := time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now    time.Duration // after base
		period time.Duration
		next   time.Duration
	}{
		{0, time.Second, time.Second},                      // on the grid: Next is the following one
		{1, time.Second, time.Second},                      // 1 ns past
		{999 * time.Millisecond, time.Second, time.Second}, // just short
		{1500 * time.Millisecond, 250 * time.Millisecond, 1750 * time.Millisecond},
		{1600 * time.Millisecond, 250 * time.Millisecond, 1750 * time.Millisecond},
		{7 * time.Second, 5 * time.Second, 10 * time.Second},
	} {
		now := base.Add(c.now)
		if got := Next(now, c.period).Sub(base); got != c.next {
			t.Errorf("Next(+%v, %v) = +%v, want +%v", c.now, c.period, got, c.next)
		}
		if got := Until(now, c.period); got != c.next-c.now {
			t.Errorf("Until(+%v, %v) = %v, want %v", c.now, c.period, got, c.next-c.now)
		}
	}
	now := base.Add(123 * time.Millisecond)
	if Next(now, 0) != now || Until(now, -1) != 0 {
		t.Error("a period <= 0 must leave the time alone")
	}
}

// Timers of one period set at different moments, in different places,
// land on the same instant: what lets them fire in one wake-up.
func TestSamePeriodSameInstant(t *testing.T) {
	base := time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)
	a := Next(base.Add(10*time.Millisecond), time.Second)
	b := Next(base.Add(730*time.Millisecond), time.Second)
	c := Next(base.Add(900*time.Millisecond), 250*time.Millisecond)
	if !a.Equal(b) || !a.Equal(c) {
		t.Fatalf("one second's timers at %v, %v; the 250 ms one at %v", a, b, c)
	}
}
