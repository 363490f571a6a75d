package httpsafe

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/recdeck/recdeck/client/safetext"
)

// maxRedirects bounds a chain of same-origin GET redirects.
const maxRedirects = 10

// RedirectError is a redirect the policy refused. Its text names the
// location it pointed to (redacted and printable) and why it was refused;
// it never carries a credential. The clients' transport errors put the
// request's method and URL before it.
type RedirectError struct {
	Method   string // the original request's method
	From     string // the original request's URL, without query or user info
	Location string // where the redirect pointed, redacted and printable
	Status   int    // the redirect's HTTP status (301, 302, 303, 307, 308)
	Reason   string // why it was refused
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("answered by a redirect (HTTP %d) to %s: not followed (%s)", e.Status, e.Location, e.Reason)
}

// IsRedirect reports whether err is (or wraps) a refused redirect.
func IsRedirect(err error) bool {
	var re *RedirectError
	return errors.As(err, &re)
}

// CheckRedirect is the policy, for http.Client.CheckRedirect.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	refuse := func(reason string) error {
		return &RedirectError{Method: first.Method, From: Display(first.URL), Location: location(req.URL), Status: status, Reason: reason}
	}
	switch {
	case first.Method != http.MethodGet && first.Method != http.MethodHead:
		return refuse("a " + first.Method + " request is never re-sent: it may change state; the action was not confirmed")
	case origin(req.URL) != origin(first.URL):
		return refuse("another origin: credentials are only sent to " + origin(first.URL))
	case len(via) >= maxRedirects:
		return refuse(fmt.Sprintf("more than %d redirects", maxRedirects))
	}
	return nil
}

// Client returns a copy of base (a new client with Go's default transport
// when base is nil) that applies CheckRedirect before base's own policy, if
// it has one. The transport, timeout and cookie jar are shared with base.
func Client(base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	inner := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := CheckRedirect(req, via); err != nil {
			return err
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	return &c
}

// origin is scheme://host:port with the default port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// Display is u without user info, query or fragment: a URL fit for an
// error message (a query may carry an API key).
func Display(u *url.URL) string {
	v := *u
	v.User, v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment = nil, "", false, "", ""
	return safetext.Clean(v.String(), 200)
}

// location shows where a redirect pointed: without user info, its query
// redacted of every registered secret, printable and clipped.
func location(u *url.URL) string {
	v := *u
	v.User = nil
	return safetext.Clean(v.String(), 200)
}
