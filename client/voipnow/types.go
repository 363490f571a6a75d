package voipnow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recdeck/recdeck/client/safetext"
)

// Status is a phoneCallView's status (DESIGN.md, "VoipNow UAPI").
type Status int

// Statuses, numbered as the UAPI numbers them.
const (
	StatusUnknown      Status = 0
	StatusOffHook      Status = 1
	StatusTrying       Status = 2
	StatusRinging      Status = 3
	StatusOtherRinging Status = 4 // the other side is ringing
	StatusOnCall       Status = 5
)

var statusNames = []string{"unknown", "off hook", "trying", "ringing", "other side ringing", "on call"}

// String gives the status in words, as the pane and the CLI show it.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status " + strconv.Itoa(int(s))
}

// MarshalJSON writes the number as a string, as the seed's example does
// ("status":"5").
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(strconv.Itoa(int(s))) }

// UnmarshalJSON accepts 5 or "5". Unknown numbers are kept: a newer PBX may
// add values, and String still shows them.
func (s *Status) UnmarshalJSON(data []byte) error {
	n, err := intFromJSON("status", data)
	*s = Status(n)
	return err
}

// Flow is a phoneCallView's direction.
type Flow int

// Flows, numbered as the UAPI numbers them.
const (
	FlowLocal    Flow = 2
	FlowOutgoing Flow = 4
	FlowIncoming Flow = 8
)

// String gives the direction in words.
func (f Flow) String() string {
	switch f {
	case FlowLocal:
		return "local"
	case FlowOutgoing:
		return "outgoing"
	case FlowIncoming:
		return "incoming"
	case 0:
		return "-"
	}
	return "flow " + strconv.Itoa(int(f))
}

// MarshalJSON writes the number as a string, like status.
func (f Flow) MarshalJSON() ([]byte, error) { return json.Marshal(strconv.Itoa(int(f))) }

// UnmarshalJSON accepts 8 or "8".
func (f *Flow) UnmarshalJSON(data []byte) error {
	n, err := intFromJSON("flow", data)
	*f = Flow(n)
	return err
}

// Format is a recording's audio format.
type Format string

// The two formats StartRecording accepts (seed 002); wav is the default.
const (
	FormatWAV     Format = "wav"
	FormatWAV49   Format = "wav49"
	DefaultFormat        = FormatWAV
)

// Formats lists the accepted formats, default first.
var Formats = []Format{FormatWAV, FormatWAV49}

// ParseFormat reads a format case-insensitively; "" gives the default (wav).
// Anything else is refused before a request is sent.
func ParseFormat(s string) (Format, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch Format(t) {
	case "":
		return DefaultFormat, nil
	case FormatWAV, FormatWAV49:
		return Format(t), nil
	}
	return "", &ValidationError{Field: "recording format", Value: safetext.Clean(s, 20), Reason: "is not one the PBX accepts: use wav or wav49"}
}

// Action names of PhoneCallAction (DESIGN.md lists the others the UAPI has;
// recdeck only sends these two).
const (
	ActionStartRecording = "StartRecording"
	ActionStopRecording  = "StopRecording"
)

// PhoneCallAction is the JSON body of PUT /uapi/phoneCalls/{userId}/{extension}/{phoneCallId}.
type PhoneCallAction struct {
	Action          string `json:"action"`
	Format          Format `json:"format,omitempty"`
	PhoneCallViewID string `json:"phoneCallViewId,omitempty"`
}

// Error codes the UAPI answers with: the seed's pc_* codes and the general
// ones DESIGN.md lists.
const (
	CodeRecFormatInvalid     = "pc_recformat_invalid"
	CodePhoneCallInvalid     = "pc_phonecall_invalid"
	CodePhoneCallViewInvalid = "pc_phonecallview_invalid"
	CodeUserInvalid          = "user_invalid"
	CodeExtensionInvalid     = "extension_invalid"
	CodeAccessDenied         = "access_denied"
	CodeInternal             = "internal_server_error"
	// CodeRecordingDisabled is NOT in any vendor document: the simulator
	// answers it when the extension's "Call recording" function is off
	// (seed 002 says it must be on, but names no error for it).
	CodeRecordingDisabled = "pc_recording_disabled"
)

// ErrorBody is the UAPI's error response: {"error":{"code":"...","message":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inner object of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ID is an object id. The UAPI sends ids as strings ("3"); a number is
// accepted too, since nothing documents that it never sends one.
type ID string

// UnmarshalJSON accepts a string or a number.
func (id *ID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*id = ID(s)
		return nil
	}
	if bytes.Equal(data, []byte("null")) {
		*id = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("id: want a string or a number, got %s", safetext.Clip(string(data), 40))
	}
	*id = ID(n.String())
	return nil
}

// Timestamp is a date-time exactly as the PBX wrote it
// ("2012-06-27T16:08:55+03:00"). Kept as text so nothing is lost; Time
// parses it. Empty means absent (the UAPI leaves null fields out).
type Timestamp string

// timeLayouts are tried in order; the seed writes RFC 3339.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05"}

// Time parses the timestamp; ok is false when it is empty or unreadable.
func (t Timestamp) Time() (tm time.Time, ok bool) {
	for _, layout := range timeLayouts {
		if tm, err := time.Parse(layout, string(t)); err == nil {
			return tm, true
		}
	}
	return time.Time{}, false
}

// NewTimestamp formats t as the PBX does (RFC 3339, seconds, with offset).
func NewTimestamp(t time.Time) Timestamp { return Timestamp(t.Format(time.RFC3339)) }

// Numbers is a source or destination list. The seed sends an array; a
// single string is accepted too (some UAPI clients send one).
type Numbers []string

// UnmarshalJSON accepts ["7778888"], "7778888" or null.
func (n *Numbers) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*n = nil
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*n = Numbers{s}
		return nil
	}
	var list []ID // ID: numbers written as JSON numbers still read
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("source/destination: want a list of numbers, got %s", safetext.Clip(string(data), 40))
	}
	var out Numbers // an empty list reads as absent, as the PBX leaves it out
	for _, v := range list {
		out = append(out, string(v))
	}
	*n = out
	return nil
}

// Flag is a yes/no field whose type no document gives (onHold, parked): a
// boolean, a number or a string ("1", "true", or a timestamp) all read.
type Flag bool

// UnmarshalJSON reads any JSON scalar: false, 0, "", "0", "false" and null
// are false; everything else is true.
func (f *Flag) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*f = false
	case bool:
		*f = Flag(x)
	case float64:
		*f = x != 0
	case string:
		s := strings.ToLower(strings.TrimSpace(x))
		*f = s != "" && s != "0" && s != "false"
	default:
		return fmt.Errorf("flag: want a scalar, got %s", safetext.Clip(string(data), 40))
	}
	return nil
}

// Links holds a resource's links by relation ("self"). Values that are not
// strings are skipped rather than failing the whole call.
type Links map[string]string

// UnmarshalJSON reads an object, keeping its string values.
func (l *Links) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("link: want an object, got %s", safetext.Clip(string(data), 40))
	}
	out := Links{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		}
	}
	if len(out) == 0 {
		out = nil // as if absent: nothing usable
	}
	*l = out
	return nil
}

// PhoneCallView is one party's view of a phone call: recording is started
// and stopped per view.
type PhoneCallView struct {
	ID          ID        `json:"id"`
	Extension   string    `json:"extension,omitempty"`
	Source      Numbers   `json:"source,omitempty"`
	Destination Numbers   `json:"destination,omitempty"`
	Flow        Flow      `json:"flow,omitempty"`
	Status      Status    `json:"status"`
	CallerID    string    `json:"callerId,omitempty"`
	Recording   Timestamp `json:"recording,omitempty"` // when recording started; empty: not recording
	Answered    Timestamp `json:"answered,omitempty"`
	OnHold      Flag      `json:"onHold,omitempty"`
	Parked      Flag      `json:"parked,omitempty"`
}

// IsRecording reports whether the view is being recorded.
func (v PhoneCallView) IsRecording() bool { return v.Recording != "" }

// UnmarshalJSON reads the view and accepts both spellings of the caller id,
// "callerId" (seed 002) and "callerID" (other UAPI examples), whichever the
// PBX sends; "callerId" wins when both are present.
func (v *PhoneCallView) UnmarshalJSON(data []byte) error {
	type plain PhoneCallView // no methods: no recursion
	var w struct {
		plain
		CallerID  *string `json:"callerId"`
		CallerID2 *string `json:"callerID"`
	}
	// encoding/json matches keys case-insensitively, so both spellings
	// could land in either field; exact matches are preferred, which is
	// what keeps them apart here.
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*v = PhoneCallView(w.plain)
	switch {
	case w.CallerID != nil:
		v.CallerID = *w.CallerID
	case w.CallerID2 != nil:
		v.CallerID = *w.CallerID2
	}
	return nil
}

// PhoneCall is the UAPI's PhoneCall resource: the call and its views.
type PhoneCall struct {
	ID        ID              `json:"id"`
	Extension string          `json:"extension,omitempty"`
	OwnerID   ID              `json:"ownerId,omitempty"`
	OwnerName string          `json:"ownerName,omitempty"`
	Answered  Timestamp       `json:"answered,omitempty"`
	Published Timestamp       `json:"published,omitempty"`
	Views     []PhoneCallView `json:"phoneCallView"`
	Link      Links           `json:"link,omitempty"`
}

// View returns the view with the given id.
func (c PhoneCall) View(id string) (PhoneCallView, bool) {
	for _, v := range c.Views {
		if string(v.ID) == id {
			return v, true
		}
	}
	return PhoneCallView{}, false
}

// PhoneCallList is one page of List PhoneCalls.
//
// ASSUMPTION: the UAPI answers a collection in the OpenSocial style other
// 4PSA examples show: {"startIndex","itemsPerPage","totalResults","entry":[...]}.
// DecodePhoneCallList also reads a bare array and a single PhoneCall.
type PhoneCallList struct {
	StartIndex   int         `json:"startIndex"`
	ItemsPerPage int         `json:"itemsPerPage"`
	TotalResults int         `json:"totalResults"`
	Calls        []PhoneCall `json:"entry"`
}

// intFromJSON reads 5, "5" or null (as 0).
func intFromJSON(field string, data []byte) (int, error) {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return 0, nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("%s: want a number, got %q", field, safetext.Clip(s, 40))
		}
		return n, nil
	}
	var n int
	if err := json.Unmarshal(data, &n); err != nil {
		return 0, fmt.Errorf("%s: want a number, got %s", field, safetext.Clip(string(data), 40))
	}
	return n, nil
}
