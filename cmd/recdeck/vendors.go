package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui/audit"
)

// This file holds what the vendor subcommands and panes (voipnow.go,
// noojee.go, akixi.go) share; each vendor's own rules stay in its file.

// vendorEnv is what a vendor's subcommand, simulator mount and TUI pane are
// given: where the server is, whether this is the demo (simulators started
// in-process), the resolved profile, and an HTTP client that honours the
// TLS choice.
type vendorEnv struct {
	BaseURL    string
	Demo       bool
	Profile    Profile
	HTTPClient *http.Client
	// Audit is the console's audit log for the panes' actions (nil: none
	// could be opened; the actions then go unaudited, as the core's do).
	Audit vendorAuditor
	// ProfileName and Requester go into the panes' audit records.
	ProfileName, Requester string
	// AddCloser registers clean-up to run when the console ends (e.g.
	// closing an Akixi session); nil in tests that do not care.
	AddCloser func(func())
}

// onClose registers f with env.AddCloser, when there is one.
func (env vendorEnv) onClose(f func()) {
	if env.AddCloser != nil {
		env.AddCloser(f)
	}
}

// simMount registers one vendor's simulator routes on the shared mux that
// `recdeck sim` and the demo serve. baseURL is the listener's URL. It returns
// the lines the sim banner prints for that vendor (URLs, demo credentials)
// and a stop function.
type simMount func(mux *http.ServeMux, baseURL string, seed int64) (banner []string, stop func())

// setIfGiven replaces *dst with v unless v is empty: a flag or an
// environment variable that was given wins over the profile's setting, one
// that was not leaves it alone.
func setIfGiven(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// exitFor gives a vendor client's error its exit status: nil stays nil, an
// error that already carries a status keeps it, and any other gets
// classify(err). Each vendor's classify is its own table of error types
// (input refused before sending -> exitUsage, and so on).
func exitFor(err error, classify func(error) int) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return withExit(classify(err), err)
}

// printVendorJSON prints v indented, for --json (Noojee and Akixi; VoipNow
// keeps <, > and & unescaped, see voipnowPrintJSON). A value that cannot be
// encoded is exit status 1.
//
// The one JSON writer (safetext.MarshalJSON) escapes control, C1 and bidi
// characters, which encoding/json leaves raw.
func printVendorJSON(w io.Writer, v any) error {
	b, err := safetext.MarshalJSON(v, "  ", true)
	if err != nil {
		return withExit(exitAPI, err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// signalContext is the command's context, cancelled by SIGINT (Ctrl+C) or
// SIGTERM, so a pending request, a download or a question ends cleanly
// (no partial file, nothing half done) instead of the process being
// killed mid-way. The caller defers stop.
func signalContext(cmd *cobra.Command) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// jsonErrorObject is what a command run with --json prints on stdout when
// it fails (the text still goes to stderr): one object, the same shape for
// every vendor and for Anywhere365, so a script reads one thing.
//
//	{"error":{"kind":"api","message":"...","exitStatus":1,"code":"pc_not_found","httpStatus":404}}
type jsonErrorObject struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	// Kind follows the exit status: "api" (1, the server answered an
	// error), "usage" (2, refused before sending), "network" (3, no usable
	// answer or authentication failed), "unknown" (4, the request reached
	// the server but its answer was lost), "internal" otherwise.
	Kind       string `json:"kind"`
	Message    string `json:"message"`
	ExitStatus int    `json:"exitStatus"`
	// Code is the server's own error code, when it gave one.
	Code string `json:"code,omitempty"`
	// HTTPStatus is the answer's status, when there was one.
	HTTPStatus int `json:"httpStatus,omitempty"`
}

// writeJSONError prints err as one JSON error object on w (stdout under
// --json). The message goes through the redactor and the output gate. An
// error may tell more through ErrorCode() string (the server's code) and
// HTTPStatus() int.
func writeJSONError(w io.Writer, err error) error {
	if err == nil {
		return nil
	}
	status := exitUsage // cobra's own errors are usage errors (see run)
	var ee *exitError
	var uo interface{ UnknownOutcome() bool }
	switch {
	case errors.As(err, &uo) && uo.UnknownOutcome():
		status = exitUnknown // as run decides it
	case errors.As(err, &ee):
		status = ee.code
	}
	body := jsonErrorBody{Kind: "internal", Message: safetext.Out(err.Error()), ExitStatus: status}
	switch status {
	case exitAPI:
		body.Kind = "api"
	case exitUsage:
		body.Kind = "usage"
	case exitNetwork:
		body.Kind = "network"
	case exitUnknown:
		body.Kind = "unknown"
	}
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		body.Code = safetext.Out(coded.ErrorCode())
	}
	var st interface{ HTTPStatus() int }
	if errors.As(err, &st) {
		body.HTTPStatus = st.HTTPStatus()
	}
	return safetext.PrintJSON(w, jsonErrorObject{Error: body}, "", true)
}

// jsonErrors makes every command under cmd print its failure with
// writeJSONError on stdout when --json is set (the error itself still
// reaches main, which prints the text on stderr and exits with its status).
func jsonErrors(g *globals, cmd *cobra.Command) *cobra.Command {
	for _, c := range cmd.Commands() {
		jsonErrors(g, c)
	}
	if check := cmd.Args; check != nil {
		// A wrong number of arguments is a usage failure like any other.
		cmd.Args = func(c *cobra.Command, args []string) error {
			err := check(c, args)
			if err != nil && g.jsonOut {
				_ = writeJSONError(c.OutOrStdout(), withExit(exitUsage, err))
			}
			return err
		}
	}
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			if err != nil && g.jsonOut {
				_ = writeJSONError(c.OutOrStdout(), err)
			}
			return err
		}
	}
	return cmd
}

// vendorAuditor is where vendor actions (VoipNow record start/stop, Noojee
// start/stop, Akixi add/change/delete) write their write-ahead records:
// *audit.Log in the console and the CLI, a fake in tests.
type vendorAuditor interface {
	Begin(audit.Record) (*audit.Attempt, error)
}

// cliAttempt is one audited CLI action: the log opened for it (as the
// console opens it: audit.DefaultPath, audit.Open) and its attempt record.
type cliAttempt struct {
	log *audit.Log
	att *audit.Attempt
}

// beginCLIAudit writes the attempt record of a vendor action run from the
// CLI before the request leaves. A log that cannot be opened or written is
// said on stderr and the action goes ahead unaudited, as in the console.
func beginCLIAudit(g *globals, p Profile, r audit.Record) (*cliAttempt, error) {
	if g.noAudit {
		return &cliAttempt{}, nil
	}
	r.Source = "cli"
	if r.Profile == "" {
		r.Profile = g.profileName
	}
	if r.Requester == "" {
		r.Requester = cliRequester(p)
	}
	r.Server = displayURL(r.Server)
	// As `recdeck set`: an action whose attempt cannot be recorded is not
	// sent (--no-audit acts without the log).
	unaudited := func(err error) error {
		return withExit(exitUsage, fmt.Errorf("%w; nothing was sent (use --no-audit to act without the audit log)", err))
	}
	path, err := audit.DefaultPath()
	if err != nil {
		return nil, unaudited(err)
	}
	l, err := audit.Open(path)
	if err != nil {
		return nil, unaudited(err)
	}
	att, err := l.Begin(r)
	if err != nil {
		l.Close()
		return nil, unaudited(err)
	}
	return &cliAttempt{log: l, att: att}, nil
}

// bindNoAudit adds --no-audit to a vendor command and its subcommands.
func bindNoAudit(cmd *cobra.Command, g *globals) {
	cmd.PersistentFlags().BoolVar(&g.noAudit, "no-audit", false, "do not write recording actions to the audit log (by default an attempt record is fsynced before the request leaves, and nothing is sent when it cannot be)")
}

// end writes the outcome record and closes the log; err's text (redacted)
// is the record's error message.
func (a *cliAttempt) end(outcome string, err error, set func(*audit.Record)) {
	if a == nil || a.log == nil {
		return
	}
	a.write(outcome, err, set)
	_ = a.log.Close()
}

// unknown writes the outcome record of an action whose answer was lost
// (audit.OutcomeUnknown, err's text as its message) and keeps the log open:
// end follows with what a re-read found (audit.OutcomeConfirmed and the
// state), or with OutcomeUnknown again when the re-read failed or the API
// offers none (say why in err).
func (a *cliAttempt) unknown(err error) {
	if a == nil || a.log == nil {
		return
	}
	a.write(audit.OutcomeUnknown, err, nil)
}

func (a *cliAttempt) write(outcome string, err error, set func(*audit.Record)) {
	_ = a.att.End(outcome, func(r *audit.Record) {
		if err != nil {
			r.ErrorMessage = safetext.Out(err.Error())
		}
		if set != nil {
			set(r)
		}
	})
}

// cliRequester names who ran a CLI action: the profile's SIP address, else
// the login name.
func cliRequester(p Profile) string {
	if p.SIP != "" {
		return p.SIP
	}
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}
