package anywhere365

import (
	"context"
	"errors"
	"net/http"

	"github.com/recdeck/recdeck/client/httpsafe"
)

// The unknown outcome is vendor-neutral and lives in httpsafe; these
// aliases keep this package's callers compiling.
const UnknownOutcomeText = httpsafe.UnknownOutcomeText

// UnknownOutcomeError is httpsafe.UnknownOutcomeError: a set whose request
// was written but whose answer was lost. Its Err is a *TransportError or a
// *ResponseError. A set is never retried after one.
type UnknownOutcomeError = httpsafe.UnknownOutcomeError

// IsUnknownOutcome reports whether err is an unknown outcome (any vendor):
// httpsafe.IsUnknownOutcome (a func, not a var, so no one can swap it).
func IsUnknownOutcome(err error) bool { return httpsafe.IsUnknownOutcome(err) }

// sendTrace is the vendor-neutral send trace with this package's
// classification of what counts as an answer lost.
type sendTrace struct{ *httpsafe.SendTrace }

func traceSend(ctx context.Context) (context.Context, sendTrace) {
	ctx, st := httpsafe.TraceSend(ctx)
	return ctx, sendTrace{st}
}

// outcome turns err into an *UnknownOutcomeError when the request was
// written and no usable answer came back; any other error (an answer the
// API gave, a request never sent) is returned as it is.
func (st *sendTrace) outcome(err error) error {
	if err == nil || !st.Wrote() || IsUnknownOutcome(err) {
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
