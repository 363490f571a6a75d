package voipnow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// APIError is the PBX's error body {"error":{"code","message"}}: the UAPI
// answered, but refused or failed the request. Callers map it to "the API
// said no" (exit status 1, a red toast).
type APIError struct {
	Status  int    // HTTP status
	Code    string // e.g. pc_phonecallview_invalid
	Message string // the PBX's own text, control characters removed
}

// hints say what each documented code means to a supervisor, in plain words.
var hints = map[string]string{
	CodeRecFormatInvalid:     "the recording format was refused: use wav or wav49",
	CodePhoneCallInvalid:     "that call does not exist (any more): it may have ended, or the call id is wrong",
	CodePhoneCallViewInvalid: "that call view cannot be used: it is missing, belongs to another call, or is not answered yet (check the view id)",
	CodeUserInvalid:          "the PBX does not know that user id",
	CodeExtensionInvalid:     "the PBX does not know that extension, or it does not belong to the user",
	CodeAccessDenied:         "access denied: the app's token was refused or may not act for this user",
	CodeInternal:             "the PBX had an internal error; try again",
	CodeRecordingDisabled:    "call recording is switched off for that extension (Phone Terminal Setup > Call recording)",
}

// Hint is the plain-words meaning of the error's code, or "" for a code no
// document describes.
func (e *APIError) Hint() string { return hints[e.Code] }

// Error reads like: "VoipNow: that call does not exist (any more): ...
// [pc_phonecall_invalid, HTTP 400] Value supplied in phoneCallId ...".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("VoipNow: ")
	if h := e.Hint(); h != "" {
		b.WriteString(h)
		b.WriteString(" ")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "[%s, HTTP %d]", e.Code, e.Status)
	} else { // a body with a message but no code
		fmt.Fprintf(&b, "[HTTP %d]", e.Status)
	}
	if e.Message != "" {
		b.WriteString(" ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// ValidationError is input refused before any request was sent. Callers map
// it to "invalid usage" (exit status 2). Nothing was sent, nothing is lost.
type ValidationError struct {
	Field  string // "user id", "extension", "phone call id", ...
	Value  string // the bad value, already clipped for display
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("%s %q %s", e.Field, e.Value, e.Reason)
}

// TransportError is a request that got no HTTP answer (refused, DNS, timeout,
// reset). Callers map it to exit status 3.
type TransportError struct {
	Method string
	URL    string // never carries a token or secret
	Err    error
}

func (e *TransportError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err) }

func (e *TransportError) Unwrap() error { return e.Err }

// AuthError is an authentication failure: the token endpoint refused the
// client id and secret, or the API refused a freshly fetched token. Its text
// never contains the secret or a token. Callers map it to exit status 3.
type AuthError struct {
	Status int    // HTTP status; 0 when the endpoint was not reached
	Msg    string // scrubbed of secrets
	Err    error  // the cause (a *TransportError or *APIError), scrubbed
}

func (e *AuthError) Error() string { return "VoipNow authentication failed: " + e.Msg }

func (e *AuthError) Unwrap() error { return e.Err }

// ResponseError is an answer the client cannot use: not the documented JSON,
// larger than the body limit, or an error status without an error body. It
// names the HTTP status and shows a short excerpt.
type ResponseError struct {
	Status  int
	Reason  string
	Excerpt string
}

func (e *ResponseError) Error() string {
	if e.Excerpt == "" {
		return fmt.Sprintf("VoipNow: %s (HTTP %d, empty body)", e.Reason, e.Status)
	}
	return fmt.Sprintf("VoipNow: %s (HTTP %d): %s", e.Reason, e.Status, strconv.Quote(e.Excerpt))
}

// IsUnknownOutcome reports whether err is a recording action whose request
// reached the PBX but whose answer was lost (an *httpsafe.UnknownOutcomeError
// wrapping a *TransportError or *ResponseError): the action may or may not
// have been applied; read the call again (GetCall) to learn its state.
func IsUnknownOutcome(err error) bool { return httpsafe.IsUnknownOutcome(err) }

// lostAnswer turns err into an *httpsafe.UnknownOutcomeError when a
// state-changing request (a PUT: StartRecording, StopRecording) was written
// whole and no usable answer came back: no answer at all (a timeout, a
// dropped connection), an answer cut or stalled while its body was read,
// a 2xx whose body is not a usable success, or a gateway's 504 (it
// forwarded the request and gave up waiting). Anything else is returned as
// it is: a request never written (refused, DNS, TLS) reached nobody, and
// an answer the PBX gave (an error body, a 401) says what happened. A GET
// changes nothing, so its failures stay plain.
func lostAnswer(method string, wrote bool, err error) error {
	if err == nil || !wrote || method == http.MethodGet || httpsafe.IsUnknownOutcome(err) {
		return err
	}
	var te *TransportError
	var re *ResponseError
	switch {
	case errors.As(err, &te):
		return &httpsafe.UnknownOutcomeError{Err: err}
	case errors.As(err, &re) && (re.Status/100 == 2 || re.Status == http.StatusGatewayTimeout):
		return &httpsafe.UnknownOutcomeError{Err: err}
	}
	return err
}

// IsValidation reports whether err is input refused before sending.
func IsValidation(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

// IsAuth reports whether err is an authentication failure.
func IsAuth(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae)
}

// IsNetwork reports whether err is a failure to reach the PBX (no answer,
// or a timeout).
func IsNetwork(err error) bool {
	var te *TransportError
	var ne net.Error
	return errors.As(err, &te) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// IsCode reports whether err is an APIError with the given code.
func IsCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// Printable makes text from the PBX safe to print in a terminal: control
// and bidirectional-control characters (escape sequences could repaint the
// screen, a newline would break a table row) become spaces and invalid
// UTF-8 becomes "?" (safetext.Printable, shared with the other vendor
// clients). The CLI and the TUI pane pass every PBX-supplied string through
// it (caller ids come from outside callers).
//
// It is the output gate (safetext.Out): every secret the process holds is
// removed too, so a value that echoes one is not shown.
func Printable(s string) string { return safetext.Out(s) }
