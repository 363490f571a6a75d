package ui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// StringWidth agrees with ansi.StringWidth on the frame's own symbols,
// styled text, and on random mixes of ASCII, escape sequences, wide and
// combining characters, emoji, joiners, prepend characters and controls.
func TestStringWidthAgreesWithANSI(t *testing.T) {
	parts := []string{
		"a", "Z", " ", "42", "sessions", "●", "‖", "■", "○", "◇", "▸", "·", "–", "…", "✓", "✗", "⊘", "⚠", "▲", "▼",
		"▁", "█", "│", "é", "ß", "漢", "字", "한", "ｱ", "\u0301", "\u200d", "\u200c", "\ufe0f", "\ufe0e", "👍", "🏽",
		"\U0001F1EB", "\u0600", "\u0915", "\u094d", "\u0d4e", "\t", "\x7f", "\x01", "\u0085", "\ufffd", string([]byte{0xff}),
		"\x1b[38;5;110m", "\x1b[m", "\x1b[1;2H", "\x1b]8;;https://x\x07", "\x1b]8;;\x1b\\", "\x1b", "\x1b[", "\x1b]0;t", "\x1bP1$r\x1b\\",
		"\x1b(B", "◽", "◾", "☕", "⌚",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(s string) {
		t.Helper()
		if got, want := StringWidth(s), ansi.StringWidth(s); got != want {
			t.Fatalf("StringWidth(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
	for _, p := range parts {
		check(p)
		check("x" + p + "y")
		check(p + "\x1b[m")
	}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		check(b.String())
	}
	// A styled table row as the sessions pane draws it.
	check("\x1b[38;5;110m ▸ \x1b[m\x1b[38;5;254mpayments    0a7525e1  \x1b[m\x1b[38;5;114m● Started\x1b[m\x1b[38;5;254m  ·  ·  28s  Start\x1b[m")
}

func BenchmarkStringWidth(b *testing.B) {
	row := "\x1b[38;5;110m ▸ \x1b[m\x1b[38;5;254mpayments                                 0a7525e1    \x1b[m\x1b[38;5;114m● Started        \x1b[m\x1b[38;5;254m ·        ·        28s      Start                 \x1b[m"
	b.Run("ui", func(b *testing.B) {
		for b.Loop() {
			StringWidth(row)
		}
	})
	b.Run("ansi", func(b *testing.B) {
		for b.Loop() {
			ansi.StringWidth(row)
		}
	})
}
