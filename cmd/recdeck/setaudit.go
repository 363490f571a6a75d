package main

// setaudit.go is what `recdeck set` does around the request: the
// write-ahead audit record (unless --no-audit), the outcome record, and on
// an unknown outcome (the request reached the server, its answer was
// lost) a re-read of the session, printed and audited, and exit status 4.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui/audit"
)

// rereadTimeout bounds the GET that follows an unknown outcome when the
// command's own context has none.
const rereadTimeout = 30 * time.Second

// auditedSet sends one set: validation, then the attempt record on disk,
// then the request, then the outcome record(s). It prints the state and
// returns the error main maps to the exit status.
func auditedSet(cmd *cobra.Command, g *globals, c *anywhere365.Client, params anywhere365.SetParams, noAudit bool) error {
	if err := params.Validate(); err != nil {
		return coreExit(err) // nothing sent, nothing to audit
	}
	ctx := cmd.Context()
	var att *audit.Attempt
	var warn func(string, error)
	if !noAudit {
		path, err := audit.DefaultPath()
		if err != nil {
			return withExit(exitUsage, fmt.Errorf("%w; nothing was sent (use --no-audit to act without the audit log)", err))
		}
		log, err := audit.Open(path)
		if err != nil {
			return withExit(exitUsage, fmt.Errorf("%w; nothing was sent (use --no-audit to act without the audit log)", err))
		}
		defer log.Close()
		att, err = log.Begin(audit.Record{
			Vendor: "anywhere365", Server: c.BaseURL(), Profile: g.profileName, Source: audit.SourceCLI,
			UCC: params.UCC, CorrelationID: params.CorrelationID, Action: params.Action.String(), Requester: params.RequesterSIP,
		})
		if err != nil {
			return withExit(exitUsage, fmt.Errorf("%w; nothing was sent (use --no-audit to act without the audit log)", err))
		}
		warn = func(what string, err error) {
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "recdeck: warning: %s not audited: %v\n", what, err)
			}
		}
	} else {
		warn = func(string, error) {}
	}

	resp, err := c.Set(ctx, params)
	switch {
	case anywhere365.IsUnknownOutcome(err):
		warn("the unknown outcome", att.End(audit.OutcomeUnknown, func(r *audit.Record) { r.ErrorMessage = err.Error() }))
		return rereadAfterUnknown(cmd, g, c, params, att, err, warn)
	case err != nil:
		warn("the failure", att.End(audit.OutcomeFailed, func(r *audit.Record) {
			r.ErrorMessage = err.Error()
			var ae *anywhere365.APIError
			if errors.As(err, &ae) {
				r.ErrorType, r.ErrorMessage = ae.Type.String(), ae.Message
			}
		}))
	default:
		warn("the outcome", att.End(audit.OutcomeOK, func(r *audit.Record) {
			if resp != nil {
				r.State = resp.RecordingState.String()
			}
		}))
	}
	return printState(cmd.OutOrStdout(), g.jsonOut, resp, params.Action.String()+" ok:", err)
}

// rereadAfterUnknown GETs the session once the set's answer was lost,
// prints what the server now says ("Pause unknown; re-read: now Paused"),
// audits it as the confirmed state, and exits 4 whatever it found: the
// set itself was not answered.
func rereadAfterUnknown(cmd *cobra.Command, g *globals, c *anywhere365.Client, params anywhere365.SetParams,
	att *audit.Attempt, setErr error, warn func(string, error)) error {
	ctx := cmd.Context()
	if ctx == nil || ctx.Err() != nil {
		// Interrupted during the set: still try to learn the truth.
		ctx = context.Background()
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rereadTimeout)
		defer cancel()
	}
	state, gerr := c.GetState(ctx, params.UCC, params.CorrelationID)
	if gerr != nil {
		warn("the failed re-read", att.End(audit.OutcomeUnknown, func(r *audit.Record) {
			r.ErrorMessage = "re-read failed: " + gerr.Error()
		}))
		safetext.Fprintf(cmd.ErrOrStderr(), "recdeck: %s unknown; re-read failed: %v\n", params.Action, gerr)
		return withExit(exitUnknown, setErr)
	}
	applied := anywhere365.Shows(params.Action, state)
	warn("the re-read state", att.End(audit.OutcomeConfirmed, func(r *audit.Record) {
		r.State, r.Applied = state.RecordingState.String(), &applied
	}))
	verb := fmt.Sprintf("%s unknown; re-read: now %s", params.Action, state.RecordingState)
	if !g.jsonOut { // with --json the error object below says it all
		if perr := printState(cmd.OutOrStdout(), false, state, verb, nil); perr != nil {
			return perr
		}
	}
	return withExit(exitUnknown, fmt.Errorf("%w; re-read: now %s", setErr, state.RecordingState))
}
