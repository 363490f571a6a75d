package noojee

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Answer is the CallManagementAPI's status body: {"Message":"...","Code":0}
// on success, a non-zero Code (e.g. -1, "Expired TimeStamp") or an "error"
// field on failure. The server answers HTTP 200 either way, so the body is
// the only place a failure shows.
type Answer struct {
	Message string
	Code    int
	// Error is the "error" field's text, when the server used that form.
	Error string
}

// OK reports a successful answer: Code 0 and no error field.
func (a Answer) OK() bool { return a.Code == 0 && a.Error == "" }

// Text is the answer's message for display (the error field wins).
func (a Answer) Text() string {
	if a.Error != "" {
		return a.Error
	}
	return a.Message
}

// CallError is a failure the server reported inside its answer (HTTP 200
// with a non-zero Code or an error field). It is the API's own error: the
// command that caused it exits 1.
type CallError struct {
	Op      string // "start", "stop", or a metadata method
	Code    int
	Message string // printable, with the apiKey and any hash blanked
}

func (e *CallError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "(no message)"
	}
	if e.Code == 0 { // the "error" field form carries no code
		return fmt.Sprintf("noojee %s: the server refused: %s", e.Op, msg)
	}
	return fmt.Sprintf("noojee %s: the server refused: %s (Code %d)", e.Op, msg, e.Code)
}

// Is lets errors.Is(err, ErrUnauthorized) find a refusal of the
// credentials (the apiKey, or the timeStamp/hash pair even after a fresh
// one was tried).
func (e *CallError) Is(target error) bool {
	if target != ErrUnauthorized {
		return false
	}
	t := strings.ToLower(e.Message)
	return strings.Contains(t, "apikey") || strings.Contains(t, "api key") || strings.Contains(t, "timestamp") || strings.Contains(t, "hash")
}

// ErrorCode gives the server's code as text (for --json error objects).
func (e *CallError) ErrorCode() string { return strconv.Itoa(e.Code) }

// ParseAnswer reads a status body. ok is false when the body is not one:
// not a JSON object, or an object with neither Code, Message nor error
// (a metadata leg, say). Code may be a number or a numeric string; error
// may be a string or an object with a message.
func ParseAnswer(body []byte) (a Answer, ok bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Answer{}, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return Answer{}, false
	}
	// Field names are matched without regard to case ("code", "message").
	get := func(name string) (json.RawMessage, bool) {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
	code, hasCode := get("Code")
	msg, hasMsg := get("Message")
	errv, hasErr := get("error")
	if _, isLeg := get("UniqueId"); isLeg || (!hasCode && !hasErr && !hasMsg) {
		return Answer{}, false
	}
	if hasCode {
		var n json.Number
		var s string
		switch {
		case json.Unmarshal(code, &n) == nil:
			i, err := strconv.Atoi(n.String())
			if err != nil {
				i = -1 // a code that is not an integer is not success
			}
			a.Code = i
		case json.Unmarshal(code, &s) == nil:
			i, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				i = -1
			}
			a.Code = i
		default:
			a.Code = -1
		}
	}
	if hasMsg {
		a.Message = jsonText(msg)
	}
	if hasErr && string(bytes.TrimSpace(errv)) != "null" {
		a.Error = jsonText(errv)
		if a.Error == "" {
			a.Error = "error"
		}
	}
	return a, true
}

// jsonText reads a string, or an object's message/Message, or gives the
// raw JSON.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o map[string]any
	if json.Unmarshal(raw, &o) == nil {
		for k, v := range o {
			if strings.EqualFold(k, "message") {
				if s, ok := v.(string); ok {
					return s
				}
			}
		}
	}
	return string(bytes.TrimSpace(raw))
}

// pairRejected says an answer refuses the older API's timeStamp/hash pair
// ("Expired TimeStamp", "Invalid hash"...): a fresh pair may succeed.
func pairRejected(a Answer) bool {
	t := strings.ToLower(a.Text())
	return !a.OK() && (strings.Contains(t, "timestamp") || strings.Contains(t, "hash"))
}

// HTTPStatus gives the answer's status (for --json error objects).
func (e *APIError) HTTPStatus() int { return e.StatusCode }
