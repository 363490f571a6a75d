package anywhere365

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// RecordingState is the recorder's state as GET .../recording/{ucc}/{id} reports it.
type RecordingState int

// Recording states, numbered as the API numbers them.
const (
	RecordingUninitialized RecordingState = 0
	RecordingStarted       RecordingState = 1
	RecordingStopped       RecordingState = 2
	RecordingPaused        RecordingState = 3
)

// MarkingState says whether the agent marked the recording.
type MarkingState int

// Marking states, numbered as the API numbers them.
const (
	MarkingNone   MarkingState = 0
	MarkingMark   MarkingState = 1
	MarkingUnmark MarkingState = 2
)

// SavingState says whether the recording will be kept or discarded.
type SavingState int

// Saving states, numbered as the API numbers them.
const (
	SavingNone   SavingState = 0
	SavingSave   SavingState = 1
	SavingDelete SavingState = 2
)

// Action is a command for POST .../recording/set and the StateAction of a
// RecordingStateChangedEvent. There is no Resume: Start on a Paused recorder
// resumes it.
type Action int

// Actions, numbered as the API numbers them.
const (
	ActionStart  Action = 1
	ActionStop   Action = 2
	ActionPause  Action = 3
	ActionSave   Action = 4
	ActionDelete Action = 5
	ActionMark   Action = 6
	ActionUnMark Action = 7
)

// ErrorType classifies an ErrorMessage. Only Processing errors may be retried.
type ErrorType int

// Error types, numbered as the API numbers them.
const (
	ErrorConfiguration ErrorType = 1
	ErrorValidation    ErrorType = 2
	ErrorProcessing    ErrorType = 3
)

// The names below are the documents' spelling, used on screen, on the wire
// (action by name) and when parsing user input.
var (
	recordingStateNames = []string{"Uninitialized", "Started", "Stopped", "Paused"}
	markingStateNames   = []string{"None", "Mark", "Unmark"}
	savingStateNames    = []string{"None", "Save", "Delete"}
	actionNames         = []string{"", "Start", "Stop", "Pause", "Save", "Delete", "Mark", "UnMark"}
	errorTypeNames      = []string{"", "Configuration", "Validation", "Processing"}
)

// Actions lists every action in API order.
var Actions = []Action{ActionStart, ActionStop, ActionPause, ActionSave, ActionDelete, ActionMark, ActionUnMark}

func enumName(names []string, v int) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return strconv.Itoa(v)
}

// enumParse accepts a number or a name (case-insensitive) from names.
func enumParse(kind string, names []string, s string) (int, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 0 && n < len(names) && names[n] != "" {
			return n, nil
		}
		return 0, fmt.Errorf("unknown %s %d (want %s)", kind, n, enumChoices(names))
	}
	for i, name := range names {
		if name != "" && strings.EqualFold(name, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want %s)", kind, truncate(s, 40), enumChoices(names))
}

func enumChoices(names []string) string {
	var parts []string
	for i, n := range names {
		if n != "" {
			parts = append(parts, fmt.Sprintf("%s=%d", n, i))
		}
	}
	return strings.Join(parts, ", ")
}

// enumUnmarshal decodes a JSON number or string into an enum value.
func enumUnmarshal(kind string, names []string, data []byte) (int, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return 0, err
		}
		return enumParse(kind, names, s)
	}
	// Fast path: a plain integer, as the API sends (no nested
	// json.Unmarshal per field: this runs for every state response).
	if n, err := strconv.Atoi(string(data)); err == nil {
		return n, nil
	}
	var n int
	if err := json.Unmarshal(data, &n); err != nil {
		return 0, fmt.Errorf("%s: want a number or a name, got %s", kind, truncate(string(data), 40))
	}
	return n, nil // unknown numbers are kept: a newer server may add values
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func (s RecordingState) String() string { return enumName(recordingStateNames, int(s)) }
func (s MarkingState) String() string   { return enumName(markingStateNames, int(s)) }
func (s SavingState) String() string    { return enumName(savingStateNames, int(s)) }
func (a Action) String() string         { return enumName(actionNames, int(a)) }
func (t ErrorType) String() string      { return enumName(errorTypeNames, int(t)) }

// Valid reports whether a is one of the seven documented actions.
func (a Action) Valid() bool { return a >= ActionStart && a <= ActionUnMark }

// ParseAction reads an action from its number ("6") or its name ("mark",
// "UnMark"), case-insensitively.
func ParseAction(s string) (Action, error) {
	n, err := enumParse("action", actionNames, s)
	return Action(n), err
}

// UnmarshalJSON accepts the action as a number or as a name, as the API does.
func (a *Action) UnmarshalJSON(data []byte) error {
	n, err := enumUnmarshal("action", actionNames, data)
	*a = Action(n)
	return err
}

// UnmarshalJSON accepts a number or a name.
func (s *RecordingState) UnmarshalJSON(data []byte) error {
	n, err := enumUnmarshal("recording state", recordingStateNames, data)
	*s = RecordingState(n)
	return err
}

// UnmarshalJSON accepts a number or a name.
func (s *MarkingState) UnmarshalJSON(data []byte) error {
	n, err := enumUnmarshal("marking state", markingStateNames, data)
	*s = MarkingState(n)
	return err
}

// UnmarshalJSON accepts a number or a name.
func (s *SavingState) UnmarshalJSON(data []byte) error {
	n, err := enumUnmarshal("saving state", savingStateNames, data)
	*s = SavingState(n)
	return err
}

// UnmarshalJSON accepts a number or a name.
func (t *ErrorType) UnmarshalJSON(data []byte) error {
	n, err := enumUnmarshal("error type", errorTypeNames, data)
	*t = ErrorType(n)
	return err
}

// ErrorMessage is the API's error body; null on success.
type ErrorMessage struct {
	ErrorType ErrorType `json:"ErrorType"`
	Message   string    `json:"Message"`
}

// StateResponse answers GET .../recording/{ucc}/{id} and POST .../recording/set.
type StateResponse struct {
	CorrelationId  string         `json:"CorrelationId"`
	RecordingState RecordingState `json:"RecordingState"`
	MarkingState   MarkingState   `json:"MarkingState"`
	SavingState    SavingState    `json:"SavingState"`
	ErrorMessage   *ErrorMessage  `json:"ErrorMessage"`
	UCCName        string         `json:"UCCName"`
}

// SetRequest is the body of POST .../recording/set with the action as its id.
type SetRequest struct {
	Action          Action `json:"Action"`
	RequesterSipUri string `json:"RequesterSipUri"`
	CorrelationId   string `json:"CorrelationId"`
	UCCName         string `json:"UCCName"`
}

// SetRequestByName is the same body with the action sent by name ("Mark").
type SetRequestByName struct {
	Action          string `json:"Action"`
	RequesterSipUri string `json:"RequesterSipUri"`
	CorrelationId   string `json:"CorrelationId"`
	UCCName         string `json:"UCCName"`
}

// CapabilitiesResponse answers GET .../recording/capabilities/{ucc}.
type CapabilitiesResponse struct {
	AgentCanEditRecordings bool          `json:"AgentCanEditRecordings"`
	ErrorMessage           *ErrorMessage `json:"ErrorMessage"`
	UCCName                string        `json:"UCCName"`
}

// RecordingStateChangedEvent is the one argument of the hub's
// RecordingStateChangedEvent target. It carries the action, not the state
// that resulted: the REST state is the truth.
type RecordingStateChangedEvent struct {
	UccName       string `json:"UccName"`
	CorrelationId string `json:"CorrelationId"`
	StateAction   Action `json:"StateAction"`
}

// HubTarget is the SignalR target name the hub pushes events to.
const HubTarget = "RecordingStateChangedEvent"

// DefaultHubPath is where the simulator serves its hub and where the client
// looks for it unless told otherwise (no public document names the path).
const DefaultHubPath = "/attendantservice/hubs/recording"

// SetParams is what a caller gives Client.Set; the client validates every
// field before sending anything.
type SetParams struct {
	UCC           string
	CorrelationID string
	RequesterSIP  string
	Action        Action
}
