package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/themes"
)

// Start-up of the console (issue 15: the demo's first frame). What the one-shot
// commands (get, set, ...) pay at start is kept small by doing nothing at
// package initialisation (regular expressions and tables are built on first
// use); what the console alone needs is arranged here, called as it starts.

// consoleStartup builds the rune width table and parses the built-in themes
// on other goroutines, and lets the heap grow further than usual for the
// first startupGCFor. Only its first call does anything: run calls it
// before parsing a command line that can only be the console (`recdeck`
// alone), the root command as the console starts.
func consoleStartup() { startupOnce() }

var startupOnce = sync.OnceFunc(func() {
	go warmWidthTable()
	go themes.Builtin() // parsed while the profile and simulators are set up
	relaxGC(startupGCPercent, startupGCFor)
})

// warmWidthTable builds the rune width table that the console's first frame
// needs, off the frame's path. Bubble Tea's renderer measures cells with
// x/ansi's WcWidth (unless the terminal reports Unicode core mode 2027),
// which asks go-runewidth, and go-runewidth builds a 2 x 1.1 MB table the
// first time it measures a rune at or above U+0300: the frame's first "●"
// or "│". On the project's machine that cost the first flush 10 to 30 ms.
// Started as the console starts, it runs while the profile, the demo's
// simulators and Bubble Tea's own set-up do; the renderer then finds it
// built (or waits for the rest of it).
func warmWidthTable() { widthOf("●") }

// widthOf is a string's width as the renderer measures it (WcWidth).
func widthOf(s string) int { return ansi.WcWidth.StringWidth(s) }

// The console allocates about 6 MB while it starts (Bubble Tea's cell
// buffers and key table, a 1 MiB receive buffer per hub connection on
// each side in the demo, the simulators), so with the default GOGC=100 a
// collection ran before the first frame, on the frame's path. For its first
// startupGCFor the heap may grow to startupGCPercent above the live heap;
// then the usual pacing returns.
const (
	startupGCPercent = 400
	startupGCFor     = 2 * time.Second
)

// relaxGC sets GOGC to percent for d, then back to what it was. It leaves
// alone a setting that already collects less often (GOGC=off included).
func relaxGC(percent int, d time.Duration) {
	old := debug.SetGCPercent(percent)
	if old < 0 || old >= percent {
		debug.SetGCPercent(old)
		return
	}
	time.AfterFunc(d, func() { debug.SetGCPercent(old) })
}

// consoleProcs is how many threads run the console's Go code at once
// (GOMAXPROCS) once its first frame is on screen. The console is an I/O
// program: one goroutine draws, one reads each hub, a few wait on HTTP.
// With a second processor, every goroutine readied while another runs
// makes the scheduler wake a second thread to run it (and the runtime's
// monitor thread with it), so an idle console's once-a-second frame and
// re-reads cost thread wake-ups on both cores, and an event's way from the
// socket to the tracker hops between threads. Measured against the same
// build with two (README "Performance", round 5): idle, side by side, a
// median 0.30 % of a core against 0.34 %; at 1,000 hub events a second
// 138 µs of CPU per event against 180. The console starts on all of them
// (its warm-up runs beside the first frame's set-up). GOMAXPROCS in the
// environment wins.
const consoleProcs = 1

// settleProcs sets GOMAXPROCS to consoleProcs once firstFrame is closed,
// unless the environment sets it or ctx ends first.
func settleProcs(ctx context.Context, firstFrame <-chan struct{}) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	select {
	case <-firstFrame:
		runtime.GOMAXPROCS(consoleProcs)
	case <-ctx.Done():
	}
}
