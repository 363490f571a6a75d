package safetext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// Sprintf is fmt.Sprintf for a message whose format is the program's own
// and whose arguments may come from outside: every string argument (and
// every error, fmt.Stringer and string-kinded value) is passed through Out
// first, so the result holds no secret and no character a terminal would
// act on except those the format itself writes. Numbers and booleans
// (even those with a String method, such as enums and time.Duration) are
// formatted as they are; any other Stringer is printed as its gated
// String(), so use %s or %v for it.
func Sprintf(format string, args ...any) string {
	return fmt.Sprintf(format, gate(args)...)
}

// Fprintf is Sprintf written to w: the CLI's one printing function for
// text that carries outside values.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return fmt.Fprintf(w, format, gate(args)...)
}

// Fprintln is fmt.Fprintln with every argument gated like Sprintf's.
func Fprintln(w io.Writer, args ...any) (int, error) {
	return fmt.Fprintln(w, gate(args)...)
}

func gate(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		// A number or a boolean cannot carry text: kept as it is, so %d
		// still works for an enum or a time.Duration with a String method.
		if a != nil {
			switch reflect.ValueOf(a).Kind() {
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
				reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
				out[i] = a
				continue
			}
		}
		switch v := a.(type) {
		case nil:
			out[i] = v
		case string:
			out[i] = Out(v)
		case []byte:
			out[i] = Out(string(v))
		case error:
			out[i] = Out(v.Error())
		case fmt.Stringer:
			out[i] = Out(v.String())
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
				out[i] = Out(rv.String())
			} else {
				out[i] = a
			}
		}
	}
	return out
}

// MarshalJSON is json.MarshalIndent (indent "" for compact output) made
// safe for a terminal: besides what encoding/json escapes, every character
// Printable would replace (C1 controls, DEL, bidirectional controls,
// U+2028/U+2029, invisible format characters) is written as a \u escape, so
// a JSON consumer reads the same value but a terminal showing the JSON sees
// no raw control. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
// Secrets are not removed: --json prints what the API said, and the API's
// answers to the program's own requests hold no credential.
//
// escapeHTML false keeps <, > and & as they are (json.Encoder's
// SetEscapeHTML(false)).
func MarshalJSON(v any, indent string, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return EscapeJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// EscapeJSON rewrites valid JSON text so every rune Printable would replace
// is a \u escape. Such runes can only stand inside JSON strings (outside
// them JSON allows only ASCII whitespace, which is kept), where a \u escape
// means the same character.
func EscapeJSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r < utf8.RuneSelf && r != 0x7f {
			if out != nil {
				out = append(out, b[i])
			}
			i++
			continue
		}
		if !unsafeRune(r) || r == utf8.RuneError && n == 1 {
			if out != nil {
				out = append(out, b[i:i+n]...)
			}
			i += n
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+16), b[:i]...)
		}
		if r > 0xffff {
			r1, r2 := surrogates(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	if out == nil {
		return b
	}
	return out
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// PrintJSON writes v as terminal-safe JSON (MarshalJSON) and a newline:
// the one writer of every --json output. indent "" writes one line.
func PrintJSON(w io.Writer, v any, indent string, escapeHTML bool) error {
	b, err := MarshalJSON(v, indent, escapeHTML)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
