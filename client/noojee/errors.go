package noojee

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// ErrUnauthorized matches (errors.Is) an APIError whose status says the
// apiKey was wrong or the hash stale.
var ErrUnauthorized = errors.New("noojee: not authorised (wrong apiKey or stale hash)")

// InputError is bad input, refused before any request was sent.
type InputError struct {
	Field   string // e.g. "tag", "date"
	Problem string
}

func (e *InputError) Error() string { return "noojee: " + e.Field + ": " + e.Problem }

// APIError is an answer the client cannot use: an error status, or a 2xx
// whose body is not what the method returns. The excerpt is short, on one
// line, and has the apiKey and hash blanked out.
type APIError struct {
	Op         string // the API method, e.g. "retrieveMetaData"
	StatusCode int
	Status     string // e.g. "401 Unauthorized"
	Problem    string // empty for a plain error status
	Excerpt    string
}

func (e *APIError) Error() string {
	var b strings.Builder
	// The status line's reason phrase is the server's text: a hostile
	// one quotes the request line, apiKey and all. It goes through the
	// one redactor and the printable filter like any server text.
	fmt.Fprintf(&b, "noojee %s: HTTP %s", e.Op, safetext.Clean(e.Status, 80))
	if e.Problem != "" {
		b.WriteString(": " + safetext.Clean(e.Problem, 300))
	}
	if e.Excerpt != "" {
		b.WriteString(": " + e.Excerpt)
	} else if e.Problem == "" {
		b.WriteString(" (empty body)")
	}
	return b.String()
}

// Unauthorized reports a 401 or 403.
func (e *APIError) Unauthorized() bool { return e.StatusCode == 401 || e.StatusCode == 403 }

// Is lets errors.Is(err, ErrUnauthorized) find an unauthorised answer.
func (e *APIError) Is(target error) bool { return target == ErrUnauthorized && e.Unauthorized() }

// RateLimitError is retrieveMetaDataByHour called again inside its minute:
// refused by the client itself before sending, or answered 429.
type RateLimitError struct {
	Op         string
	RetryAt    time.Time
	Wait       time.Duration // from when the error was made until RetryAt
	FromServer bool
}

func (e *RateLimitError) Error() string {
	who := "refused before sending"
	if e.FromServer {
		who = "the server answered 429"
	}
	limit := "allowed once a minute"
	if e.Op != opMetaDataByHour {
		// Only the by-hour method has a documented limit; a 429 elsewhere
		// (a proxy, a busy server) must not claim it.
		limit = "too many requests"
	}
	return fmt.Sprintf("noojee %s: %s (%s); try again at %s (in %s)",
		e.Op, limit, who, e.RetryAt.Format("15:04:05"), roundUp(e.Wait))
}

// TransportError is a request that got no usable answer: connection
// refused, timeout, cancelled, or a body cut off. URLs in it have their
// query (which holds the apiKey) removed.
type TransportError struct {
	Op  string
	Err error
	// Sent says the request was written whole before the failure (a
	// timeout or a dropped connection while waiting, a body cut off):
	// the server may have acted on it.
	Sent bool
}

func (e *TransportError) Error() string { return "noojee " + e.Op + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsUnknownOutcome reports whether err is a start or stop whose request
// reached the server but whose answer was lost (an
// *httpsafe.UnknownOutcomeError): the recording may or may not have
// started or stopped, and Noojee offers no way to read it back.
func IsUnknownOutcome(err error) bool { return httpsafe.IsUnknownOutcome(err) }

// lostAnswer turns err into an *httpsafe.UnknownOutcomeError when a start
// or stop was written whole and no usable answer came back: no answer (a
// timeout, a dropped connection), a body cut or stalled, a 2xx whose body
// is not a status answer, or a gateway's 504. Anything else is returned as
// it is: a request never sent (refused, DNS, TLS, no timeStamp) reached
// nobody, and an answer the server gave says what happened.
func lostAnswer(err error) error {
	if err == nil || httpsafe.IsUnknownOutcome(err) {
		return err
	}
	var te *TransportError
	var ae *APIError
	switch {
	case errors.As(err, &te) && te.Sent:
		return &httpsafe.UnknownOutcomeError{Err: err}
	case errors.As(err, &ae) && ae.Op != opTime &&
		(ae.StatusCode/100 == 2 || ae.StatusCode == http.StatusGatewayTimeout):
		return &httpsafe.UnknownOutcomeError{Err: err}
	}
	return err
}

func roundUp(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// redactErr removes the query string from a *url.Error's URL: the query
// carries the apiKey, timeStamp and hash, which must not reach the screen.
// The rest goes through the one redactor (safetext). A refused redirect
// (httpsafe), and any cause whose text holds no secret, is kept as it
// is, so callers can still look for it with errors.As.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if msg := inner.Error(); !httpsafe.IsRedirect(inner) && safetext.Redact(msg) != msg {
			inner = errors.New(safetext.Redact(msg))
		}
		return &url.Error{Op: ue.Op, URL: safetext.Redact(stripQuery(ue.URL)), Err: inner}
	}
	return err
}

func stripQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// hexHash matches a hash of the older API (hex sha256): whichever pair a
// server echoes, current or dropped, it is blanked.
var hexHash = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9A-Fa-f]{64}`) })

// oneLine makes a short, printable, single-line excerpt of a body, with any
// secret and any hash blanked out (a server may echo the request URL in its
// error text).
func oneLine(body []byte, n int, secrets ...string) string {
	// Redact before anything is cut (the one redactor knows the apiKey
	// in every form and fragment).
	s := safetext.Redact(strings.ToValidUTF8(string(body), "?"))
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = hexHash().ReplaceAllString(s, "[redacted]")
	// Controls become spaces; Fields then folds every run of white space,
	// the line and paragraph separators U+2028/U+2029 included, into one.
	s = strings.Join(strings.Fields(safetext.Printable(s)), " ")
	return excerpt(s, n)
}

// Printable returns s safe to put on a terminal: control, escape and bidi
// characters (which a server could send in a Username or a DID) become
// spaces or are dropped. Display code calls it; the decoded data stays
// exact, so ids still match the server's.
//
// It is the output gate (safetext.Out): every secret the process holds is
// removed too, so a value that echoes one is not shown.
func Printable(s string) string { return safetext.Out(s) }
