package anywhere365

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/recdeck/recdeck/client/safetext"
)

// APIError is a non-null ErrorMessage in a response: the API answered, but
// refused or failed the command. Callers map it to "the API said no" (exit
// status 1 in the CLI, a red toast in the TUI).
type APIError struct {
	Type ErrorType
	// Message is the server's text as it came, so callers can match the
	// documented messages ("No Audio session with correlation Id:");
	// show it only through Error() or safetext.Out (the redactor could
	// otherwise change the words a match depends on).
	Message string
	// Status is the HTTP status of the response that carried the message
	// (undocumented by the vendor: informational only).
	Status int
	// Response is the whole state response for GetState and Set; nil for
	// Capabilities, whose response is in CapabilitiesResponse instead.
	Response             *StateResponse
	CapabilitiesResponse *CapabilitiesResponse
}

// Error reads like "Validation error: Recorder state is Paused, this state
// cannot be paused". The server's message passes the output gate
// (safetext.Out): no secret, no control, escape or bidi character.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s error: %s", e.Type, safetext.Out(e.Message))
}

// Retryable reports whether the vendor documents the error as possibly
// transient (Processing errors only).
func (e *APIError) Retryable() bool { return e.Type == ErrorProcessing }

// ValidationError is input refused before any request was sent. Callers map
// it to "invalid usage" (exit status 2). Nothing was sent, so nothing is lost.
type ValidationError struct {
	Field  string // "correlation id", "requester SIP URI", "UCC name", "action", "config"
	Value  string // the bad value, already truncated for display
	Reason string // what is wrong and what is wanted
}

func (e *ValidationError) Error() string {
	if e.Value == "" && e.Field != "" {
		return fmt.Sprintf("%s %s", e.Field, e.Reason)
	}
	if e.Field == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s %q %s", e.Field, e.Value, e.Reason)
}

// TransportError is a request that got no HTTP answer (refused connection,
// DNS failure, timeout, reset). Callers map it to exit status 3.
type TransportError struct {
	Method string
	URL    string // without user info; never carries a token
	Err    error
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	if e.Method == http.MethodPost && connectionDropped(e.Err) {
		// The one case a supervisor must act on: the command went out and
		// no answer came back (typically a server restart).
		msg += " (the server closed the connection without answering: the action may or may not have been applied; check the call's state)"
	}
	return msg
}

// connectionDropped reports an answer cut off after the request was sent.
func connectionDropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func (e *TransportError) Unwrap() error { return e.Err }

// AuthError is an authentication failure: the token endpoint refused the
// credentials, or the API answered 401/403 even with a fresh token. Its text
// never contains a password, client secret or token. Callers map it to exit
// status 3.
type AuthError struct {
	Status int    // HTTP status, 0 when the token endpoint could not be reached
	Msg    string // already scrubbed of secrets
	Err    error  // the scrubbed cause, for errors.As on *TransportError
}

func (e *AuthError) Error() string { return "authentication failed: " + e.Msg }

func (e *AuthError) Unwrap() error { return e.Err }

// ResponseError is an answer the client cannot use: a body that is not the
// documented JSON, a body larger than MaxBodyBytes, or an error status with
// no ErrorMessage. It names the HTTP status and shows a short excerpt.
type ResponseError struct {
	Status  int
	Excerpt string // first bytes of the body, quoted form built by Error
	Reason  string // e.g. "unexpected response", "response body too large"
}

func (e *ResponseError) Error() string {
	if e.Excerpt == "" {
		return fmt.Sprintf("%s (HTTP %d): empty body", e.Reason, e.Status)
	}
	return fmt.Sprintf("%s (HTTP %d): %s", e.Reason, e.Status, strconv.Quote(e.Excerpt))
}

// IsNetwork reports whether err is a failure to reach the server (no HTTP
// answer, or an answer the client could not use) as opposed to an answer
// the API gave.
func IsNetwork(err error) bool {
	var te *TransportError
	var re *ResponseError
	if errors.As(err, &te) || errors.As(err, &re) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// IsAuth reports whether err is an authentication failure.
func IsAuth(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae)
}

// IsSessionNotFound reports whether err is the API saying the call session
// does not exist (any more): "No Audio session with correlation Id:'...' was
// found." or its "No Api Audio session" variant. The tracker treats it as
// "call gone".
func IsSessionNotFound(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Type != ErrorValidation {
		return false
	}
	return strings.HasPrefix(ae.Message, "No Audio session with correlation Id:") ||
		strings.HasPrefix(ae.Message, "No Api Audio session with correlation Id:")
}

// excerpt returns at most n bytes of b as valid UTF-8, with "..." when cut.
// Secrets are removed before the cut (a cut secret is no longer found).
func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(safetext.Redact(string(b)))
	if len(s) <= n {
		return strings.ToValidUTF8(s, "?")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "?") + "..."
}

// ErrorCode is the API's ErrorType name ("Validation"): the code in the
// CLI's --json error object.
func (e *APIError) ErrorCode() string { return e.Type.String() }

// HTTPStatus is the status of the answer that carried the message.
func (e *APIError) HTTPStatus() int { return e.Status }
