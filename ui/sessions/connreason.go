package sessions

import (
	"regexp"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// goTypePrefix is a Go type name some libraries put before their error
// ("*signalr.webSocketConnection: "): it means nothing to a supervisor.
var goTypePrefix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\*?\b[a-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*: `) })

// httpStatus finds "-> 503 Service Unavailable" (the listener's form of a
// refused negotiate) in an error.
var httpStatus = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-> (\d{3})\b`) })

// connDetail is a hub error for the screen: one line, without the
// request's method and URL and without Go type names.
func connDetail(s string) string {
	return goTypePrefix().ReplaceAllString(shortConnError(s), "")
}

// connReason is a short human reason for a hub error, for the header's
// status line ("connection lost", "negotiate refused (HTTP 503)"); the
// toast and the message log give connDetail beside it. A reason it does
// not recognise is the detail itself.
func connReason(s string) string {
	d := connDetail(s)
	l := strings.ToLower(d)
	has := func(subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(l, x) {
				return true
			}
		}
		return false
	}
	switch {
	case d == "":
		return ""
	case strings.Contains(s, "negotiate") && httpStatus().MatchString(s):
		return "negotiate refused (HTTP " + httpStatus().FindStringSubmatch(s)[1] + ")"
	case has("hub negotiate refused"):
		return "negotiate refused by the hub"
	case has("hub credentials", "token endpoint", "authentication failed", "401", "403"):
		return "sign-in refused"
	case has("x509", "certificate", "tls:"):
		return "TLS certificate not trusted"
	case has("no such host"):
		return "server name not found"
	case has("connection refused"):
		return "connection refused"
	case has("timeout", "deadline exceeded", "timed out"):
		return "timed out"
	case has("connection lost", "failed to get reader", "connection reset", "broken pipe", "eof", "connection closed", "websocket: close"):
		return "connection lost"
	}
	return d
}

// cutWords cuts s to at most w cells on a word boundary, ending with "…";
// "" when not even one word fits.
func cutWords(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	words := strings.Fields(s)
	out := ""
	for _, word := range words {
		next := word
		if out != "" {
			next = out + " " + word
		}
		if ansi.StringWidth(next)+1 > w {
			break
		}
		out = next
	}
	if out == "" {
		return ""
	}
	return strings.TrimRight(out, ",:;") + "…"
}
