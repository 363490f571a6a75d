package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes s safe to print in a terminal: control characters (C0,
// DEL and C1, so ESC and CSI sequences, tabs and newlines) and
// bidirectional controls (U+202E and the like) become spaces, and each run
// of invalid UTF-8 becomes "?". Every other character is kept, so the
// result has as many runes as the valid input.
func Printable(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
}

// Clip cuts s to at most n bytes on a rune boundary, adding "..." when it
// cuts (so a clipped result is at most n+3 bytes). It does not clean s.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Clean is Printable, trimmed of surrounding spaces and clipped to n
// bytes: for outside text shown in an error message.
func Clean(s string, n int) string {
	return Clip(strings.TrimSpace(Printable(s)), n)
}
