package ui

import (
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// StringWidth is ansi.StringWidth (the cells a styled line takes) with a
// fast path for what a frame is mostly made of: ASCII, SGR colour codes and
// single symbols (●, ‖, ▸, …) standing next to ASCII. ansi.StringWidth
// segments every line into grapheme clusters, which is most of the cost of
// drawing an idle frame; here a line falls back to it as soon as it holds
// anything whose width could depend on its neighbours (two non-ASCII runes
// in a row, a control character, an escape sequence other than CSI or OSC,
// a rune that may prepend to the next cluster).
func StringWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			w++
			i++
		case c == 0x1b:
			n := escapeLen(s[i:])
			if n == 0 {
				return ansi.StringWidth(s)
			}
			i += n
		case c < 0x80:
			return ansi.StringWidth(s) // a control character
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			// The next byte must end the cluster: ASCII, or the start of
			// an escape sequence.
			if r == utf8.RuneError || (i+n < len(s) && s[i+n] >= 0x80) || mayPrepend(r) {
				return ansi.StringWidth(s)
			}
			w += runeWidth(r)
			i += n
		}
	}
	return w
}

// escapeLen is the length of the CSI (ESC [ ... final byte) or OSC (ESC ]
// ... BEL or ESC \) sequence at the start of s, or 0 for anything else.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			switch c := s[i]; {
			case c >= 0x40 && c <= 0x7e:
				return i + 1
			case c < 0x20 || c > 0x3f:
				return 0
			}
		}
	case ']':
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
				return 0
			}
		}
	}
	return 0
}

// mayPrepend reports runes whose cluster could reach past them: marks and
// joiners that extend what precedes them, runes that are or may be
// grapheme Prepend characters (which join what follows), C1 controls, and
// everything outside the BMP (emoji and their modifiers).
func mayPrepend(r rune) bool {
	return r < 0xa0 || (r >= 0x0600 && r <= 0x08ff) || r == 0x0d4e || r == 0x200c || r == 0x200d ||
		r >= 0x10000 || unicode.In(r, unicode.M)
}

// runeWidths caches the width ansi.StringWidth gives a rune alone: below
// smallRunes (every symbol the frame draws: box drawing, shapes, arrows,
// dingbats) in an array of width+1 (0: not known yet), read without a
// lock or a hash; above it in a map.
const smallRunes = 0x3000

var (
	smallWidths [smallRunes]atomic.Int32
	runeWidths  sync.Map // rune -> int
)

func runeWidth(r rune) int {
	if r >= 0 && r < smallRunes {
		if w := smallWidths[r].Load(); w > 0 {
			return int(w) - 1
		}
		w := ansi.StringWidth(string(r))
		smallWidths[r].Store(int32(w) + 1)
		return w
	}
	if w, ok := runeWidths.Load(r); ok {
		return w.(int)
	}
	w := ansi.StringWidth(string(r))
	runeWidths.Store(r, w)
	return w
}
