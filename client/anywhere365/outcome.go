package anywhere365

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// UnknownOutcomeText is what an unknown outcome says, before its cause.
const UnknownOutcomeText = "the request reached the server but its answer was lost: the action may or may not have been applied"

// UnknownOutcomeError is a set whose request left whole (the transport
// wrote it) but whose answer was lost: a timeout or a dropped connection
// after the request was written, or a 2xx (or a gateway's 504) whose body
// is cut, garbled or stalled. The server may have applied the action, so
// it is neither ok nor failed: re-read the session to learn its state.
// Callers map it to exit status 4 in the CLI. A set is never retried after
// one.
type UnknownOutcomeError struct {
	Err error // the cause: a *TransportError or a *ResponseError
}

func (e *UnknownOutcomeError) Error() string {
	if e.Err == nil {
		return UnknownOutcomeText
	}
	return UnknownOutcomeText + ": " + e.Err.Error()
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// UnknownOutcome marks the error for callers that know no vendor: any
// error with this method returning true is an unknown outcome.
func (e *UnknownOutcomeError) UnknownOutcome() bool { return true }

// IsUnknownOutcome reports whether err is an action whose request reached
// the server but whose answer was lost (any vendor's error that says so).
func IsUnknownOutcome(err error) bool {
	var u interface{ UnknownOutcome() bool }
	return errors.As(err, &u) && u.UnknownOutcome()
}

// sendTrace records whether the last HTTP attempt made with its context
// wrote the whole request: before that, a failure means the server never
// saw it (refused, DNS, TLS); after it, the action may have been applied.
type sendTrace struct{ wrote atomic.Bool }

// traceSend returns ctx with a client trace feeding st. GetConn starts each
// attempt (a retry after a refreshed token, or the transport's own retry of
// a request it could not write), so only the last attempt counts.
func traceSend(ctx context.Context) (context.Context, *sendTrace) {
	st := &sendTrace{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { st.wrote.Store(false) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				st.wrote.Store(true)
			}
		},
	}), st
}

// outcome turns err into an *UnknownOutcomeError when the request was
// written and no usable answer came back; any other error (an answer the
// API gave, a request never sent) is returned as it is.
func (st *sendTrace) outcome(err error) error {
	if err == nil || !st.wrote.Load() || IsUnknownOutcome(err) {
		return err
	}
	var te *TransportError
	var re *ResponseError
	switch {
	case errors.As(err, &te):
		// No answer at all, or an answer cut while its body was read.
		return &UnknownOutcomeError{Err: err}
	case errors.As(err, &re) && (re.Status/100 == 2 || re.Status == http.StatusGatewayTimeout):
		// A success whose body cannot be read as one, or a gateway that
		// forwarded the request and gave up waiting for the answer.
		return &UnknownOutcomeError{Err: err}
	}
	return err
}

// Shows reports whether state shows the effect of action a: Paused after
// Pause, Started after Start, Stopped after Stop, Marked after Mark,
// UnMarked after UnMark, Save or Delete as the saving state. Callers use
// it to say whether an action of unknown outcome took effect.
func Shows(a Action, state *StateResponse) bool {
	if state == nil {
		return false
	}
	switch a {
	case ActionStart:
		return state.RecordingState == RecordingStarted
	case ActionStop:
		return state.RecordingState == RecordingStopped
	case ActionPause:
		return state.RecordingState == RecordingPaused
	case ActionMark:
		return state.MarkingState == MarkingMark
	case ActionUnMark:
		return state.MarkingState == MarkingUnmark
	case ActionSave:
		return state.SavingState == SavingSave
	case ActionDelete:
		return state.SavingState == SavingDelete
	}
	return false
}
