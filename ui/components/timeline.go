package components

import (
	"strings"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
)

// Glyphs of the timeline bar: each state has its own shape, so the bar
// reads without colour too.
const (
	GlyphStarted = '█'
	GlyphPaused  = '▒'
	GlyphStopped = '▁'
	GlyphNone    = '·'
)

// notability orders states for a cell that covers several: a pause wins
// over everything, so even a short PCI pause is never drawn away.
func notability(s anywhere365.RecordingState) int {
	switch s {
	case anywhere365.RecordingPaused:
		return 3
	case anywhere365.RecordingStopped:
		return 2
	case anywhere365.RecordingStarted:
		return 1
	}
	return 0
}

// Span is a stretch of time in one recording state.
type Span struct {
	From, To time.Time
	State    anywhere365.RecordingState
}

// Spans turns a session's history into the recording states it went
// through between from and now. Before the first entry the state is
// Uninitialized; failed actions (Result != "") changed nothing and are
// skipped.
func Spans(history []anywhere365.HistoryEntry, from, now time.Time) []Span {
	var out []Span
	cur := anywhere365.RecordingUninitialized
	at := from
	for _, h := range history {
		if h.Result != "" || h.Recording == cur {
			continue
		}
		t := h.At
		if t.Before(from) {
			t = from
		}
		if t.After(now) {
			t = now
		}
		if t.After(at) {
			out = append(out, Span{From: at, To: t, State: cur})
		}
		cur, at = h.Recording, t
	}
	if now.After(at) || len(out) == 0 {
		out = append(out, Span{From: at, To: now, State: cur})
	}
	return out
}

// Timeline draws the spans as a bar width cells wide from the first span's
// start to the last one's end. A cell covering several states shows the
// most notable one (paused, stopped, started, none).
func Timeline(spans []Span, width int, st *ui.Styles) string {
	if width <= 0 || len(spans) == 0 {
		return ""
	}
	from, to := spans[0].From, spans[len(spans)-1].To
	total := to.Sub(from)
	cells := make([]anywhere365.RecordingState, width)
	for i := range cells {
		cs := from.Add(time.Duration(float64(total) * float64(i) / float64(width)))
		ce := from.Add(time.Duration(float64(total) * float64(i+1) / float64(width)))
		best, found := anywhere365.RecordingUninitialized, false
		for _, s := range spans {
			// A span touches the cell if they overlap; a zero-length total
			// puts everything in every cell.
			if total > 0 && (!s.From.Before(ce) || !s.To.After(cs)) {
				continue
			}
			if !found || notability(s.State) > notability(best) {
				best, found = s.State, true
			}
		}
		cells[i] = best
	}
	var b strings.Builder
	for i := 0; i < width; {
		j := i
		for j < width && cells[j] == cells[i] {
			j++
		}
		style, glyph := stateGlyph(cells[i], st)
		b.WriteString(style.Render(strings.Repeat(string(glyph), j-i)))
		i = j
	}
	return b.String()
}

func stateGlyph(s anywhere365.RecordingState, st *ui.Styles) (style interface{ Render(...string) string }, glyph rune) {
	switch s {
	case anywhere365.RecordingStarted:
		return st.StateStart, GlyphStarted
	case anywhere365.RecordingPaused:
		return st.StatePause, GlyphPaused
	case anywhere365.RecordingStopped:
		return st.StateStop, GlyphStopped
	}
	return st.StateNone, GlyphNone
}

// TimelineLegend explains the bar's glyphs.
func TimelineLegend(st *ui.Styles) string {
	item := func(s anywhere365.RecordingState, word string) string {
		style, g := stateGlyph(s, st)
		return style.Render(string(g)+string(g)) + " " + st.Muted.Render(word)
	}
	return strings.Join([]string{
		item(anywhere365.RecordingStarted, "started"),
		item(anywhere365.RecordingPaused, "paused"),
		item(anywhere365.RecordingStopped, "stopped"),
		item(anywhere365.RecordingUninitialized, "not started"),
	}, "  ")
}
