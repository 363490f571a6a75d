package httpsafe

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync/atomic"
)

// UnknownOutcomeText is what an unknown outcome says, before its cause.
const UnknownOutcomeText = "the request reached the server but its answer was lost: the action may or may not have been applied"

// UnknownOutcomeError is an action whose request left whole (the transport
// wrote it) but whose answer was lost: a timeout or a dropped connection
// after the request was written, or a 2xx (or a gateway's 504) whose body
// is cut, garbled or stalled. The server may have applied the action, so
// it is neither ok nor failed: re-read the state where the API allows.
// Every vendor client returns this one type (each decides which of its own
// errors are unknown); the CLI maps it to exit status 4 and the audit log
// to outcome "unknown". An action is never retried after one.
type UnknownOutcomeError struct {
	Err error // the cause, already redacted by the vendor client
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
// the server but whose answer was lost (any error that says so).
func IsUnknownOutcome(err error) bool {
	var u interface{ UnknownOutcome() bool }
	return errors.As(err, &u) && u.UnknownOutcome()
}

// SendTrace records whether the last HTTP attempt made with its context
// wrote the whole request: before that, a failure means the server never
// saw it (refused, DNS, TLS); after it, the action may have been applied.
type SendTrace struct{ wrote atomic.Bool }

// Wrote reports whether the last attempt wrote the whole request.
func (st *SendTrace) Wrote() bool { return st.wrote.Load() }

// TraceSend returns ctx with a client trace feeding the returned SendTrace.
// GetConn starts each attempt (a retry after a refreshed token, or the
// transport's own retry of a request it could not write), so only the last
// attempt counts.
func TraceSend(ctx context.Context) (context.Context, *SendTrace) {
	st := &SendTrace{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { st.wrote.Store(false) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				st.wrote.Store(true)
			}
		},
	}), st
}
