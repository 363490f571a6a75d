// Package beat puts a process's periodic wake-ups on one shared grid.
//
// An idle console still has small things to do now and then: the ages on
// screen move once a second, the pause guard looks over the sessions, the
// memory limiter and the journal check in. Each on a timer of its own, they
// wake the process at as many different instants; and a wake-up costs more
// than the work it does: the Go scheduler, its monitor thread (sysmon,
// which then polls every 20 µs to 10 ms until the process is idle again)
// and the network poller all run, each switching threads in and out (about
// 90 thread switches a second on an idle console with 40 sessions, measured
// on the project's machine before this package). Timers set to the same
// instant fire together, in one wake-up.
//
// The grid of a period is the multiples of that period counted from the
// zero time (time.Time.Truncate), so every timer of the same period, in any
// package, lands on the same instants, and a shorter period that divides a
// longer one (250 ms and 1 s) shares its instants too.
package beat

import "time"

// Next is the first instant on the grid of period strictly after now.
// A period <= 0 has no grid: Next is now.
func Next(now time.Time, period time.Duration) time.Time {
	if period <= 0 {
		return now
	}
	return now.Truncate(period).Add(period)
}

// Until is how long from now to Next(now, period).
func Until(now time.Time, period time.Duration) time.Duration {
	return Next(now, period).Sub(now)
}
