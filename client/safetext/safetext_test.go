package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"John Doe <3333>":         "John Doe <3333>",
		"Eve\x1b[2J\r\n<1>":       "Eve [2J  <1>",
		"\x1b]0;title\a\u009b31m": " ]0;title  31m",
		"two\nlines\ttab":         "two lines tab",
		"rtl\u202eoverride":       "rtl override",
		"isolate\u2066x\u2069":    "isolate x ",
		"bad \xff utf8":           "bad ? utf8",
		"bad\xff\xfe\xfdrun":      "bad?run", // one "?" a run
		"[Dubber: Demo] café":     "[Dubber: Demo] café",
		"del\x7f":                 "del ",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"0123456789abc", 10, "0123456789..."},
		{"caféé", 4, "caf..."}, // é is two bytes: never cut inside it
		{"  spaced  ", 20, "  spaced  "},
		{"abc", 0, "..."},
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"  Invalid client.\n", 80, "Invalid client."},
		{"\x1b[31mred\x1b[0m", 80, "[31mred [0m"},
		{"a very long message from the server", 6, "a very..."},
		{"\xff\xfe", 10, "?"},
	} {
		if got := Clean(tc.in, tc.n); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// FuzzClean checks what callers rely on for any input: the result is valid
// UTF-8 with no control or bidirectional-control character, Printable keeps
// the rune count of valid input, and Clean stays within n+3 bytes.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"John Doe <3333>", "0003*210", "b817d2618fe6f1804333", "Eve\x1b[2J\r\n<1>",
		"[Dubber: Demo] café", "rtl\u202eoverride", "bad\xffutf8", "csi\u009b31m",
		`{"error":{"code":"pc_phonecall_invalid","message":"Invalid phone call."}}`,
		`{"Source":"400","Leg":"1","Start":"2014-02-13 17:06:52.0","Username":"Fred"}`,
		"<Response Operation=\"CallRecIntInfo\"><Result>Fail</Result></Response>",
	} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 512
		if n < 0 {
			n = -n
		}
		p := Printable(s)
		if !utf8.ValidString(p) {
			t.Fatalf("Printable(%q) = %q is not valid UTF-8", s, p)
		}
		if i := strings.IndexFunc(p, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }); i >= 0 {
			t.Fatalf("Printable(%q) = %q keeps a control character at %d", s, p, i)
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(p) != utf8.RuneCountInString(s) {
			t.Fatalf("Printable(%q) = %q changed the rune count", s, p)
		}
		c := Clean(s, n)
		if len(c) > n+3 || !utf8.ValidString(c) {
			t.Fatalf("Clean(%q, %d) = %q: %d bytes or invalid UTF-8", s, n, c, len(c))
		}
		if !strings.HasPrefix(strings.TrimSpace(p), strings.TrimSuffix(c, "...")) {
			t.Fatalf("Clean(%q, %d) = %q is not a prefix of the printable text", s, n, c)
		}
	})
}
