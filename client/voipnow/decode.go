package voipnow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The decoders below read outside data (the PBX's answers); they are fuzzed
// in fuzz_test.go. None of them panics or allocates beyond the body it is
// given, which the client has already bounded.

// DecodePhoneCallList reads the answer of List PhoneCalls: a collection
// {"startIndex","itemsPerPage","totalResults","entry":[...]}, a bare array
// of PhoneCalls, or a single PhoneCall (as a list of one). Counts may be
// numbers or strings. An empty body is an empty list (HTTP 204).
func DecodePhoneCallList(data []byte) (PhoneCallList, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return PhoneCallList{}, nil
	}
	switch data[0] {
	case '[':
		var calls []PhoneCall
		if err := json.Unmarshal(data, &calls); err != nil {
			return PhoneCallList{}, fmt.Errorf("phone call list: %w", err)
		}
		return PhoneCallList{ItemsPerPage: len(calls), TotalResults: len(calls), Calls: calls}, nil
	case '{':
	default:
		return PhoneCallList{}, errors.New("phone call list: not a JSON object or array")
	}
	var w struct {
		StartIndex   json.RawMessage `json:"startIndex"`
		ItemsPerPage json.RawMessage `json:"itemsPerPage"`
		TotalResults json.RawMessage `json:"totalResults"`
		Entry        json.RawMessage `json:"entry"`
		ID           json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return PhoneCallList{}, fmt.Errorf("phone call list: %w", err)
	}
	if w.Entry == nil && w.ID != nil {
		c, err := DecodePhoneCall(data)
		if err != nil {
			return PhoneCallList{}, err
		}
		return PhoneCallList{ItemsPerPage: 1, TotalResults: 1, Calls: []PhoneCall{c}}, nil
	}
	var l PhoneCallList
	var err error
	if l.StartIndex, err = optInt("startIndex", w.StartIndex); err != nil {
		return PhoneCallList{}, err
	}
	if l.ItemsPerPage, err = optInt("itemsPerPage", w.ItemsPerPage); err != nil {
		return PhoneCallList{}, err
	}
	if l.TotalResults, err = optInt("totalResults", w.TotalResults); err != nil {
		return PhoneCallList{}, err
	}
	if w.Entry != nil && !bytes.Equal(bytes.TrimSpace(w.Entry), []byte("null")) {
		if err := json.Unmarshal(w.Entry, &l.Calls); err != nil {
			return PhoneCallList{}, fmt.Errorf("phone call list entry: %w", err)
		}
	}
	if l.StartIndex < 0 || l.ItemsPerPage < 0 || l.TotalResults < 0 {
		return PhoneCallList{}, errors.New("phone call list: negative paging numbers")
	}
	return l, nil
}

func optInt(field string, raw json.RawMessage) (int, error) {
	if raw == nil {
		return 0, nil
	}
	return intFromJSON(field, raw)
}

// DecodePhoneCall reads the PhoneCall a PUT returns. A one-element array is
// accepted too (some UAPI answers wrap the object).
func DecodePhoneCall(data []byte) (PhoneCall, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var calls []PhoneCall
		if err := json.Unmarshal(data, &calls); err != nil {
			return PhoneCall{}, fmt.Errorf("phone call: %w", err)
		}
		if len(calls) != 1 {
			return PhoneCall{}, fmt.Errorf("phone call: want one call, got %d", len(calls))
		}
		if calls[0].ID == "" {
			return PhoneCall{}, errors.New("phone call: no id")
		}
		return calls[0], nil
	}
	if len(data) == 0 || data[0] != '{' {
		return PhoneCall{}, errors.New("phone call: not a JSON object")
	}
	// The action pages' success table reads "200 The list of phone calls
	// is returned": a collection holding the one call is accepted too.
	var list struct {
		Entry json.RawMessage `json:"entry"`
	}
	if json.Unmarshal(data, &list) == nil && len(list.Entry) > 0 {
		return DecodePhoneCall(list.Entry)
	}
	var c PhoneCall
	if err := json.Unmarshal(data, &c); err != nil {
		return PhoneCall{}, fmt.Errorf("phone call: %w", err)
	}
	if c.ID == "" {
		return PhoneCall{}, errors.New("phone call: no id")
	}
	return c, nil
}

// DecodeErrorBody reads {"error":{"code":"...","message":"..."}}. The OAuth
// form {"error":"invalid_token","error_description":"..."} is read too, as a
// token-checking proxy in front of the PBX may answer it. ok is false when
// the body is neither.
func DecodeErrorBody(data []byte) (d ErrorDetail, ok bool) {
	var w struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(data, &w) != nil || w.Error == nil {
		return ErrorDetail{}, false
	}
	var s string
	if json.Unmarshal(w.Error, &s) == nil {
		return ErrorDetail{Code: s, Message: w.Description}, s != ""
	}
	if json.Unmarshal(w.Error, &d) != nil {
		return ErrorDetail{}, false
	}
	return d, d.Code != "" || d.Message != ""
}

// ConfirmError is a recording action the PBX accepted with 204 (no body)
// whose call could not be read back to confirm it: the action was applied,
// but what the call looks like now is not known.
type ConfirmError struct {
	Action string
	Err    error
}

func (e *ConfirmError) Error() string {
	return "VoipNow: " + e.Action + " was accepted (HTTP 204) but the call could not be read back to confirm it: " + e.Err.Error()
}

func (e *ConfirmError) Unwrap() error { return e.Err }

// ErrorCode gives the PBX's code (for --json error objects).
func (e *APIError) ErrorCode() string { return e.Code }

// HTTPStatus gives the answer's status (for --json error objects).
func (e *APIError) HTTPStatus() int { return e.Status }

// HTTPStatus gives the answer's status (for --json error objects).
func (e *ResponseError) HTTPStatus() int { return e.Status }
