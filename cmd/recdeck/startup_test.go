package main

import (
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads GOGC's current value (debug has no getter: set and put back).
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

// TestRelaxGC: the console's start-up setting applies for its while and the
// previous one comes back; a setting that already collects less often (or
// never) is left alone.
func TestRelaxGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	debug.SetGCPercent(100)
	relaxGC(400, 20*time.Millisecond)
	if got := gcPercent(); got != 400 {
		t.Fatalf("during start-up GOGC = %d, want 400", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d after start-up, want 100 back", gcPercent())
		}
		time.Sleep(5 * time.Millisecond)
	}

	for _, keep := range []int{-1, 400, 800} {
		debug.SetGCPercent(keep)
		relaxGC(400, time.Millisecond)
		if got := gcPercent(); got != keep {
			t.Errorf("GOGC %d became %d", keep, got)
		}
	}
}

// TestWarmWidthTable: the warm-up measures with the renderer's method and
// gets the width the frame's glyph has.
func TestWarmWidthTable(t *testing.T) {
	warmWidthTable()
	for _, s := range []string{"●", "│", "‖"} {
		if w := widthOf(s); w != 1 {
			t.Errorf("width of %q = %d, want 1", s, w)
		}
	}
}
