package akixi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// ErrorGroup is how the seed's tables group error codes.
type ErrorGroup int

// Error groups, in the seed's table order.
const (
	GroupUnknown ErrorGroup = iota
	GroupGeneral
	GroupSession
	GroupAuthentication
	GroupPermissions
	GroupTelephonyServer
	GroupPartition
	GroupIntegration
)

var groupNames = []string{"unknown", "general", "session", "authentication", "permissions",
	"telephony server", "partition", "call recording integration"}

func (g ErrorGroup) String() string {
	if int(g) < len(groupNames) {
		return groupNames[g]
	}
	return strconv.Itoa(int(g))
}

// GroupOf places a code in the seed's groups. The seed lists codes per
// group (general 101xx, session 10301-10302, authentication 10305-10313,
// permissions 105xx and 107xx, telephony server 110xx, partition 111xx,
// integration 114xx); ASSUMPTION: neighbouring unlisted codes belong to the
// same group.
func GroupOf(code int) ErrorGroup {
	switch {
	case code >= 10000 && code < 10300:
		return GroupGeneral
	case code >= 10300 && code < 10305:
		return GroupSession
	case code >= 10305 && code < 10400:
		return GroupAuthentication
	case code >= 10500 && code < 10800:
		return GroupPermissions
	case code >= 11000 && code < 11100:
		return GroupTelephonyServer
	case code >= 11100 && code < 11200:
		return GroupPartition
	case code >= 11400 && code < 11500:
		return GroupIntegration
	}
	return GroupUnknown
}

// Known codes. The general ones are Akixi's published meanings; the others
// are the meanings recdeck and its simulator give the seed's unexplained
// codes (see the package doc).
const (
	CodeUnknown            = 10000
	CodeAPINotEnabled      = 10001
	CodeNoInvokeID         = 10101
	CodeBadOperation       = 10102
	CodeResourceUnresolved = 10103
	CodeDatabase           = 10104
	CodeMaintenance        = 10105
	CodeInvalidValue       = 10107

	CodeSessionInvalid = 10301
	CodeSessionExpired = 10302

	CodeBadCredentials  = 10305
	CodeAccountLocked   = 10307
	CodePasswordExpired = 10313

	CodeNotAdmin          = 10511
	CodeNoServerAccess    = 10512
	CodeNoPartitionAccess = 10514
	CodeFeatureDisabled   = 10700
	CodeNotAppWide        = 10701
	CodeNoWSAPIAccess     = 10702

	CodeTelSysUnknown  = 11011
	CodeTelSysInvalid  = 11012
	CodeTelSysDisabled = 11013

	CodePartitionGUIDUnknown = 11110
	CodePartitionIDUnknown   = 11113
	CodePartitionNeedsTelSys = 11131

	CodeEntryGUIDMissing = 11400
	CodeEntryUnknown     = 11401
	CodeTypeUnsupported  = 11402
	CodeDescriptionBad   = 11403
)

// codeMessages says what each code means for a supervisor.
var codeMessages = map[int]string{
	CodeUnknown:            "the Akixi Service hit an unknown error; try again, and report it to your Akixi provider if it persists",
	CodeAPINotEnabled:      "the Akixi Web Services API is not enabled on this service; ask your Akixi provider to enable it",
	CodeNoInvokeID:         "the request had no InvokeID (a recdeck fault: please report it)",
	CodeBadOperation:       "the Akixi Service does not support this operation (is it an older version?)",
	CodeResourceUnresolved: "an internal Akixi resource could not be found; report this to your Akixi administrator",
	CodeDatabase:           "the Akixi database is unavailable, probably for maintenance; try again in a few minutes",
	CodeMaintenance:        "Akixi maintenance or a backup is in progress; try again in a few minutes",
	CodeInvalidValue:       "a value in the request was not accepted (check GUIDs, Offset and Limit)",

	CodeSessionInvalid: "the Akixi session is not valid any more",
	CodeSessionExpired: "the Akixi session has expired",

	CodeBadCredentials:  "the Akixi user name or password was not accepted",
	CodeAccountLocked:   "the Akixi user account is locked or disabled; ask your Akixi administrator",
	CodePasswordExpired: "the Akixi password has expired; change it in the Akixi web application",

	CodeNotAdmin:          "your Akixi user may not administer call recording integration entries",
	CodeNoServerAccess:    "your Akixi user has no access to that telephony server",
	CodeNoPartitionAccess: "your Akixi user has no access to that partition",
	CodeFeatureDisabled:   "call recording integration is not enabled (licensed) on this Akixi Service; ask your Akixi provider",
	CodeNotAppWide:        "only an application-wide administrator may manage application-wide entries",
	CodeNoWSAPIAccess:     "your Akixi user may not use the Web Services API",

	CodeTelSysUnknown:  "there is no telephony server with that ID",
	CodeTelSysInvalid:  "the telephony server ID is not valid",
	CodeTelSysDisabled: "that telephony server is disabled",

	CodePartitionGUIDUnknown: "there is no partition with that partition GUID",
	CodePartitionIDUnknown:   "that telephony server has no partition with that ID",
	CodePartitionNeedsTelSys: "a partition ID needs its telephony server ID too",

	CodeEntryGUIDMissing: "the entry's GUID was not given",
	CodeEntryUnknown:     "there is no call recording integration entry with that GUID (was it deleted?)",
	CodeTypeUnsupported:  `the integration type is missing or not supported (only "Dubber" is)`,
	CodeDescriptionBad:   "the description is missing or already used by another entry in the same scope",
}

var groupMessages = map[ErrorGroup]string{
	GroupUnknown:         "the Akixi Service refused the request",
	GroupGeneral:         "the Akixi Service could not process the request",
	GroupSession:         "the Akixi session is not valid",
	GroupAuthentication:  "the Akixi Service did not accept the sign-in",
	GroupPermissions:     "your Akixi user is not allowed to do this",
	GroupTelephonyServer: "the telephony server was not accepted",
	GroupPartition:       "the partition was not accepted",
	GroupIntegration:     "the call recording integration entry was not accepted",
}

// Explain gives the supervisor-facing meaning of a code.
func Explain(code int) string {
	if m, ok := codeMessages[code]; ok {
		return m
	}
	return groupMessages[GroupOf(code)]
}

// APIError is a <Response Result="Fail">: the service answered and refused.
// Its text reads like "CallRecIntInfo: there is no call recording
// integration entry with that GUID (was it deleted?) [Akixi error 11401:
// Call Recording Integration entry not found.]".
type APIError struct {
	Operation string
	Code      int    // 0 when the answer carried no numeric code
	CodeText  string // the code as sent, when not a number
	Message   string // the service's own description, may be empty
	Group     ErrorGroup
	// Status is the HTTP status that carried the answer (informational).
	Status int
}

func (e *APIError) Error() string {
	meaning := Explain(e.Code)
	code := strconv.Itoa(e.Code)
	if e.Code == 0 {
		code = e.CodeText
		if code == "" {
			code = "without a code"
		}
	}
	if e.Message != "" {
		return fmt.Sprintf("%s: %s [Akixi error %s: %s]", e.Operation, meaning, code, e.Message)
	}
	return fmt.Sprintf("%s: %s [Akixi error %s]", e.Operation, meaning, code)
}

// Meaning is the supervisor-facing explanation alone.
func (e *APIError) Meaning() string { return Explain(e.Code) }

// ValidationError is input refused before any request was sent. Nothing was
// sent, so nothing is lost. Callers map it to "invalid usage" (exit 2).
type ValidationError struct {
	Field  string
	Value  string // already clipped for display
	Reason string
}

func (e *ValidationError) Error() string {
	switch {
	case e.Field == "":
		return e.Reason
	case e.Value == "":
		return fmt.Sprintf("%s %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("%s %q %s", e.Field, e.Value, e.Reason)
}

// TransportError is a request that got no HTTP answer (refused connection,
// DNS failure, timeout). Its URL never carries a secret: credentials travel
// in the XML body only.
type TransportError struct {
	Operation string
	URL       string
	Err       error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: POST %s: %v", e.Operation, e.URL, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// ResponseError is an answer the client cannot use: not the WS API's XML,
// too large, or an InvokeID that does not match. It names the HTTP status
// and shows a short excerpt of the body.
type ResponseError struct {
	Operation string
	Status    int
	Reason    string
	Excerpt   string
}

func (e *ResponseError) Error() string {
	if e.Excerpt == "" {
		return fmt.Sprintf("%s: %s (HTTP %d)", e.Operation, e.Reason, e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Operation, e.Reason, e.Status, strconv.Quote(e.Excerpt))
}

// IsNetwork reports whether err is a failure to get a usable answer, as
// opposed to an answer the service gave.
func IsNetwork(err error) bool {
	var te *TransportError
	var re *ResponseError
	var ne net.Error
	return errors.As(err, &te) || errors.As(err, &re) || errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded)
}

// IsAuth reports whether err is the service refusing the sign-in
// (CreateSession failed with an authentication code).
func IsAuth(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Group == GroupAuthentication
}

// IsValidation reports whether err is input refused before sending.
func IsValidation(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

// HasCode reports whether err is an APIError with that code.
func HasCode(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}
