package safetext

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// The redactor: one process-wide list of every secret the process holds
// (passwords, client secrets, API keys, every bearer token issued), and
// Redact, which removes them from any text before it is shown, logged or
// written to the audit log.
//
// Secrets are registered where they enter the process (config/env loading,
// a client's constructor) with AddSecret, or where they are issued (token
// sources, session ids) with AddToken. Redact must run BEFORE any excerpt is
// cut: a secret cut in half is no longer found whole. Clean does so.
//
// How it finds a secret: every encoded form of every secret (see forms) is
// cut into all its substrings of minFragment bytes, which go into one hash
// set when the secret is registered. Redact slides a minFragment-byte window
// over the text; every byte covered by a window found in the set is
// redacted, and each run of covered bytes becomes one "[redacted]". Any
// fragment of minFragment or more bytes of any form is a chain of such
// windows, so it is covered whole; the cost is one hash look-up per byte of
// text, whatever the number of secrets. A run stitched from two secrets, or
// from two places of one, is redacted too: erring towards removing text.
//
// Secrets shorter than minFragment are not registered: a 4- or 5-character
// value ("demo", the simulators' published credentials, or "1234") cannot
// be told apart from ordinary text, and removing it everywhere would
// mangle call ids, extensions and words. Real credentials are longer.

// minFragment is the shortest piece of a secret that is removed on its own:
// any run of this many bytes of a secret, in any form, is taken out.
const minFragment = 6

// minSecret is the shortest value registered: shorter ones cannot be told
// apart from ordinary text.
const minSecret = minFragment

// maxTokens bounds the issued tokens remembered: a console renews its
// bearer token every few minutes for days; the newest maxTokens cover every
// token still valid.
const maxTokens = 32

const redacted = "[redacted]"

// secretSet is one registered secret, prepared for Redact.
type secretSet struct {
	raw   string
	grams []string // every minFragment-byte window of every form
}

var secrets struct {
	mu     sync.RWMutex
	fixed  []*secretSet // AddSecret: kept for the life of the process
	tokens []*secretSet // AddToken: the newest maxTokens
	known  map[string]bool
	grams  map[string]struct{} // union of all grams, rebuilt on change
}

// AddSecret registers a secret so Redact removes it (its encoded forms and
// any fragment of minFragment or more bytes) from every text. Values
// shorter than 6 bytes are ignored: they cannot be told apart from ordinary
// text. Safe for concurrent use; registering a value twice is cheap.
func AddSecret(s string) { add(s, false) }

// AddToken registers an issued credential (a bearer token, a session id)
// like AddSecret, but only the newest 32 are kept, so a long-running
// process that renews its token does not grow without bound.
func AddToken(s string) { add(s, true) }

func add(s string, token bool) {
	if len(s) < minSecret {
		return
	}
	secrets.mu.RLock()
	seen := secrets.known[s]
	secrets.mu.RUnlock()
	if seen {
		return
	}
	set := prepare(s)
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	if secrets.known[s] {
		return
	}
	if secrets.known == nil {
		secrets.known = map[string]bool{}
	}
	secrets.known[s] = true
	if token {
		secrets.tokens = append(secrets.tokens, set)
		if len(secrets.tokens) > maxTokens {
			delete(secrets.known, secrets.tokens[0].raw)
			secrets.tokens = append(secrets.tokens[:0], secrets.tokens[1:]...)
			rebuild()
			return
		}
	} else {
		secrets.fixed = append(secrets.fixed, set)
	}
	merge(set)
}

// merge adds one set to the unions (lock held).
func merge(set *secretSet) {
	if secrets.grams == nil {
		secrets.grams = map[string]struct{}{}
	}
	for _, g := range set.grams {
		secrets.grams[g] = struct{}{}
	}
}

// rebuild recomputes the unions after a token was forgotten (lock held).
func rebuild() {
	secrets.grams = nil
	for _, set := range secrets.fixed {
		merge(set)
	}
	for _, set := range secrets.tokens {
		merge(set)
	}
}

func prepare(s string) *secretSet {
	set := &secretSet{raw: s}
	seen := map[string]bool{}
	for _, f := range forms(s) {
		if len(f) < minFragment { // only a base64 form can be this short
			continue
		}
		for i := 0; i+minFragment <= len(f); i++ {
			// A piece of the marker itself reveals nothing and would make
			// every marker a secret.
			if g := f[i : i+minFragment]; !seen[g] && !strings.Contains(redacted, g) {
				seen[g] = true
				set.grams = append(set.grams, g)
			}
		}
	}
	return set
}

// forms lists the encodings a secret may appear in when a server, a proxy
// or a library echoes it: raw; URL query and path escaping (upper- and
// lower-case hex, and with every punctuation byte escaped); HTML/XML escaping by name and by decimal or hex numeric
// entity (only the special characters, or every character); JSON as
// encoding/json writes it (\u0026 for &) and as PHP writes it (\/ and
// \uXXXX for non-ASCII); Go-quoted; and base64 (standard and URL alphabet),
// at each of the three alignments it can have inside a longer encoded value
// such as an "Authorization: Basic" header of "user:secret".
func forms(s string) []string {
	q := strconv.Quote(s)
	out := []string{
		s,
		url.QueryEscape(s),
		url.PathEscape(s),
		percentAll(s),
		html.EscapeString(s),
		q[1 : len(q)-1],
		jsonForm(s),
		phpJSONForm(s),
		entities(s, false, "&#%d;"),
		entities(s, false, "&#x%x;"),
		entities(s, false, "&#x%X;"),
		entities(s, true, "&#%d;"),
		entities(s, true, "&#x%x;"),
		entities(s, true, "&#x%X;"),
	}
	for _, f := range out[1:4] {
		if strings.Contains(f, "%") {
			out = append(out, lowerHex(f))
		}
	}
	for skip := range 3 {
		if len(s)-skip < 3 {
			break
		}
		part := s[skip:]
		part = part[:len(part)/3*3]
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			out = append(out, enc.EncodeToString([]byte(part)))
		}
	}
	return uniq(out)
}

// percentAll escapes every byte but letters and digits (an encoder that
// escapes more than it must).
func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// jsonForm is s as encoding/json writes it inside a JSON string.
func jsonForm(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b[1 : len(b)-1])
}

// phpJSONForm is s as PHP's json_encode writes it by default (VoipNow is a
// PHP application): "/" as "\/", every non-ASCII character as \uXXXX.
func phpJSONForm(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r >= 0x7f:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// entities writes s with numeric character references: for every
// character (all) or only for those HTML/XML escape (& < > " ' and
// controls).
func entities(s string, all bool, format string) string {
	var b strings.Builder
	for _, r := range s {
		if all || strings.ContainsRune(`&<>"'`, r) || r < 0x20 {
			fmt.Fprintf(&b, format, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lowerHex lower-cases the hex digits of every %XX escape.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'A' && b[j] <= 'F' {
					b[j] += 'a' - 'A'
				}
			}
		}
	}
	return string(b)
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Redact removes every registered secret from s: whole, in each encoded
// form, and any fragment of minFragment or more bytes of any form. Each run
// of removed text becomes "[redacted]".
func Redact(s string) string {
	if len(s) < minSecret {
		return s
	}
	secrets.mu.RLock()
	defer secrets.mu.RUnlock()
	if len(secrets.grams) == 0 {
		return s
	}
	// A marker next to what is left could form a new fragment (a secret
	// holding "ed]" or "[re"): redact again until nothing is found, and
	// give up on the text if a secret keeps reappearing.
	for range 4 {
		out, changed := redactOnce(s)
		if !changed {
			return out
		}
		s = out
	}
	return redacted
}

// redactOnce replaces each run of bytes covered by a known fragment (lock
// held).
func redactOnce(s string) (string, bool) {
	var cover []bool // cover[i]: byte i is part of a secret
	// A window already inside a marked run needs no look-up.
	end := 0
	for i := 0; i+minFragment <= len(s); i++ {
		if i+minFragment <= end {
			continue
		}
		if _, ok := secrets.grams[s[i:i+minFragment]]; ok {
			if cover == nil {
				cover = make([]bool, len(s))
			}
			for j := max(i, end); j < i+minFragment; j++ {
				cover[j] = true
			}
			end = i + minFragment
		}
	}
	if cover == nil {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !cover[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(redacted)
		for i < len(s) && cover[i] {
			i++
		}
	}
	return b.String(), true
}

// Out is the output gate for one string that came from outside the process
// (a server's text, an error built from one): secrets removed first, then
// made printable. Every surface (CLI, console, audit log) passes outside
// text through it.
func Out(s string) string { return Printable(Redact(s)) }

// ForgetAll empties the registry. For tests only: a test binary registers
// the secrets of many tests in one process, and a secret such as
// "wrong-password-value" would otherwise redact the word "password" from
// every later test's output. Production code never calls it.
func ForgetAll() { forgetSecrets() }

func forgetSecrets() {
	secrets.mu.Lock()
	secrets.fixed, secrets.tokens, secrets.known, secrets.grams = nil, nil, nil, nil
	secrets.mu.Unlock()
}
