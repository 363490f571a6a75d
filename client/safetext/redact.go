package safetext

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// The redactor: one process-wide list of every secret the process holds
// (passwords, client secrets, API keys, every bearer token issued), and
// Redact, which removes them from any text before it is shown, logged or
// written to the audit log.
//
// Secrets are registered where they enter the process (config/env loading)
// or are issued (token sources), with AddSecret. Redact must run BEFORE any
// excerpt is cut: a secret cut in half is no longer found whole.

// minFragment is the shortest piece of a secret that is removed on its own:
// any run of this many characters of a secret is taken out.
const minFragment = 6

const redacted = "[redacted]"

var secrets struct {
	mu   sync.RWMutex
	list []string // every form of every secret, longest first
	raw  map[string]bool
}

// AddSecret registers a secret so Redact removes it (and its encoded forms
// and fragments) from every text. Values shorter than 4 bytes are ignored:
// they cannot be told apart from ordinary text.
func AddSecret(s string) {
	if len(s) < 4 {
		return
	}
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	if secrets.raw == nil {
		secrets.raw = map[string]bool{}
	}
	if secrets.raw[s] {
		return
	}
	secrets.raw[s] = true
	for _, f := range forms(s) {
		secrets.list = append(secrets.list, f)
	}
}

// forms lists the encodings a secret may appear in when a server echoes it.
func forms(s string) []string {
	q := strconv.Quote(s)
	return uniq([]string{
		s,
		url.QueryEscape(s),
		url.PathEscape(s),
		html.EscapeString(s),
		q[1 : len(q)-1],
	})
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Redact removes every registered secret from s: whole, in each encoded
// form, and any fragment of minFragment or more characters of it.
func Redact(s string) string {
	secrets.mu.RLock()
	defer secrets.mu.RUnlock()
	if len(secrets.list) == 0 || s == "" {
		return s
	}
	for _, f := range secrets.list {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	for _, f := range secrets.list {
		s = redactFragments(s, f)
	}
	return s
}

// redactFragments removes any substring of secret of length >= minFragment
// found in s (longest first).
func redactFragments(s, secret string) string {
	if len(secret) < minFragment {
		return s
	}
	for n := len(secret) - 1; n >= minFragment; n-- {
		for i := 0; i+n <= len(secret); i++ {
			if frag := secret[i : i+n]; strings.Contains(s, frag) {
				s = strings.ReplaceAll(s, frag, redacted)
			}
		}
	}
	return s
}

// Out is the output gate for one string that came from outside the process
// (a server's text, an error built from one): secrets removed first, then
// made printable. Every surface (CLI, console, audit log) passes outside
// text through it.
func Out(s string) string { return Printable(Redact(s)) }

// forgetSecrets empties the registry (tests only).
func forgetSecrets() {
	secrets.mu.Lock()
	secrets.list, secrets.raw = nil, nil
	secrets.mu.Unlock()
}
