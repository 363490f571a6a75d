package anywhere365

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// MaxUCCLen and MaxSIPURILen bound user input. The vendor documents no
// limit; these are generous ASSUMPTIONS that still keep a pasted log line
// from being sent as a name.
const (
	MaxUCCLen    = 256
	MaxSIPURILen = 256
)

// exampleGUID is the seed document's correlation id, shown in error hints.
const exampleGUID = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"

var (
	// sipHostRe: a DNS name or IPv4 address, or an IPv6 literal in
	// brackets, with an optional port, then optional ;uri-parameters.
	sipHostRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?(;[^;\s]+)*$`)
	})
)

// shown is the form of a bad value put in an error: bounded, one line.
func shown(s string) string { return truncate(strings.ToValidUTF8(s, "?"), 40) }

// ValidateGUID checks a correlation id: 8-4-4-4-12 hex digits, any case.
// It checks what is sent: input a user typed goes through NormalizeGUID
// first, which strips the braces and spaces this refuses.
func ValidateGUID(s string) error {
	if isGUID(s) {
		return nil
	}
	reason := "is not a GUID (want 8-4-4-4-12 hex digits, e.g. " + exampleGUID + ")"
	switch {
	case s == "":
		return &ValidationError{Field: "correlation id", Reason: "is empty (want 8-4-4-4-12 hex digits, e.g. " + exampleGUID + ")"}
	case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && isGUID(s[1:len(s)-1]):
		reason = "is not a GUID: remove the braces (e.g. " + exampleGUID + ")"
	case strings.TrimSpace(s) != s && isGUID(strings.TrimSpace(s)):
		reason = "is not a GUID: remove the surrounding spaces"
	}
	return &ValidationError{Field: "correlation id", Value: shown(s), Reason: reason}
}

// NormalizeGUID is a correlation id as a user may type or paste it (.NET
// logs print "{1D6C6A58-...}") in the form the API and the hub use:
// surrounding spaces trimmed, one pair of enclosing braces stripped, lower
// case. Anything else is left for ValidateGUID to refuse.
func NormalizeGUID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return strings.ToLower(s)
}

// ValidateTypedGUID checks a correlation id as typed by a user: it is
// valid when NormalizeGUID turns it into one (send NormalizeGUID's form).
// Input forms use it as their validator.
func ValidateTypedGUID(s string) error {
	if n := NormalizeGUID(s); n == "" || isGUID(n) {
		return ValidateGUID(n)
	}
	return ValidateGUID(s)
}

// ValidateSIPURI checks a requester SIP URI: "sip:user@host" or
// "sips:user@host" (scheme in any case), host optionally with a port and
// ;parameters, no spaces, at most MaxSIPURILen bytes. The API itself checks
// that the requester is an agent of the UCC.
func ValidateSIPURI(s string) error {
	const want = "(want sip:user@host, e.g. sip:agent@domain.com)"
	bad := func(why string) error {
		return &ValidationError{Field: "requester SIP URI", Value: shown(s), Reason: why + " " + want}
	}
	if s == "" {
		return &ValidationError{Field: "requester SIP URI", Reason: "is empty " + want}
	}
	if len(s) > MaxSIPURILen {
		return bad(fmt.Sprintf("is longer than %d bytes", MaxSIPURILen))
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad("contains spaces or control characters")
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !(strings.EqualFold(scheme, "sip") || strings.EqualFold(scheme, "sips")) {
		return bad("does not start with sip: or sips:")
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return bad("has no user@host")
	}
	user, host := rest[:at], rest[at+1:]
	if user == "" {
		return bad("has no user before @")
	}
	m := sipHostRe().FindStringSubmatch(host)
	if m == nil {
		return bad("has no valid host after @")
	}
	if port := m[3]; port != "" {
		if n, _ := strconv.Atoi(port[1:]); n < 1 || n > 65535 {
			return bad("has a port outside 1-65535")
		}
	}
	return nil
}

// ValidateUCC checks a UCC name: the technical name (the part of the UCC's
// SIP address between "sip:" and "@"), non-empty, no whitespace, control
// characters or "/", at most MaxUCCLen bytes. Other characters are sent
// path-escaped.
func ValidateUCC(s string) error {
	bad := func(why string) error {
		return &ValidationError{Field: "UCC name", Value: shown(s), Reason: why + " (want the technical UCC name, e.g. ucc-demo-name)"}
	}
	switch {
	case s == "":
		return &ValidationError{Field: "UCC name", Reason: "is empty (want the technical UCC name, e.g. ucc-demo-name)"}
	case len(s) > MaxUCCLen:
		return bad(fmt.Sprintf("is longer than %d bytes", MaxUCCLen))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return bad("contains spaces or control characters")
	case strings.Contains(s, "/"):
		return bad(`contains "/"`)
	case s == "." || s == "..":
		return bad("is a path step")
	case strings.HasPrefix(strings.ToLower(s), "sip:"):
		return bad(`is a SIP address: give only the part between "sip:" and "@"`)
	}
	return nil
}

// ValidateAction checks that a is one of the seven documented actions.
func ValidateAction(a Action) error {
	if a.Valid() {
		return nil
	}
	return &ValidationError{Field: "action", Value: a.String(), Reason: "is not a valid action (want " + enumChoices(actionNames) + ")"}
}

// Validate checks every field of p before Set sends anything.
func (p SetParams) Validate() error {
	if err := ValidateUCC(p.UCC); err != nil {
		return err
	}
	if err := ValidateGUID(p.CorrelationID); err != nil {
		return err
	}
	if err := ValidateSIPURI(p.RequesterSIP); err != nil {
		return err
	}
	return ValidateAction(p.Action)
}

// isGUID checks the 8-4-4-4-12 hex form without a regexp: it runs for
// every request and every hub event.
func isGUID(s string) bool {
	ok, _ := scanGUID(s)
	return ok
}

// scanGUID is isGUID that also reports upper-case hex digits, so the hot
// path lower-cases an id only when it must, in the same pass.
func scanGUID(s string) (ok, upper bool) {
	if len(s) != 36 {
		return false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false, false
			}
		default:
			switch {
			case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
			case 'A' <= c && c <= 'F':
				upper = true
			default:
				return false, false
			}
		}
	}
	return true, upper
}
