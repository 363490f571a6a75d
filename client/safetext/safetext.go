package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes s safe to print in a terminal: every character a
// terminal could act on or that changes how the text reads is replaced by a
// space, and each run of invalid UTF-8 by "?". Replaced are: control
// characters (C0 such as ESC, BEL, CR, LF and TAB; DEL; C1 such as CSI
// U+009B and OSC U+009D), bidirectional controls (U+202A-U+202E,
// U+2066-U+2069, U+200E, U+200F, U+061C), the line and paragraph
// separators U+2028 and U+2029, and invisible format characters a terminal
// may mis-measure (U+200B, U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB, the tag
// characters U+E0000-U+E007F). Every other character is kept, so the result
// has as many runes as the valid input and a table column keeps its width.
func Printable(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return ' '
		}
		return r
	}, s)
}

// unsafeRune reports whether r is replaced by Printable (and escaped by
// MarshalJSON).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	case r < 0x200b:
		return r == 0x061c
	case r <= 0x206f:
		return r == 0x200b || r == 0x200e || r == 0x200f || r >= 0x2028 && r <= 0x202e ||
			r >= 0x2060 && r <= 0x2064 || r >= 0x2066 && r <= 0x2069
	case r == 0xfeff || r >= 0xfff9 && r <= 0xfffb:
		return true
	case r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// Clip cuts s to at most n bytes on a rune boundary, adding "..." when it
// cuts (so a clipped result is at most n+3 bytes). It does not clean s: a
// caller clipping outside text calls Clean, which redacts before cutting.
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

// Clean is Redact, Printable, trimmed of surrounding spaces and clipped to
// n bytes: for outside text quoted in an error message. Secrets are removed
// before the text is cut, so a cut cannot leave half a secret that Redact
// would no longer recognise.
func Clean(s string, n int) string {
	return Clip(strings.TrimSpace(Out(s)), n)
}
