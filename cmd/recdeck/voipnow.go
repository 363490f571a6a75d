package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/client/voipnow"
	voipnowsim "github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	voipnowpane "github.com/recdeck/recdeck/ui/voipnow"
)

// VoipNowProfile is the voipnow: section of a config profile.
//
//	voipnow:
//	  base_url: https://pbx.example.com
//	  client_id: 1234abcd
//	  client_secret: ...        # or RECDECK_VOIPNOW_CLIENT_SECRET
//	  user_id: "@me"            # @me, @viewer, @owner or a user id
//	  extension: "@self"        # or an extension number, e.g. 0003*210
//	  format: wav               # default recording format: wav or wav49
//	  poll_interval: 2s         # how often the TUI pane lists calls
type VoipNowProfile struct {
	BaseURL      string        `yaml:"base_url"`
	TokenURL     string        `yaml:"token_url"`
	ClientID     string        `yaml:"client_id"`
	ClientSecret string        `yaml:"client_secret"`
	UserID       string        `yaml:"user_id"`
	Extension    string        `yaml:"extension"`
	Format       string        `yaml:"format"`
	PollInterval time.Duration `yaml:"poll_interval"`
}

// voipnowSecretEnv names the environment variable holding the client secret.
const voipnowSecretEnv = "RECDECK_VOIPNOW_CLIENT_SECRET"

// voipnowFlags are the flags of `recdeck voipnow` and its subcommands.
type voipnowFlags struct {
	clientID, userID, extension string
}

func newVoipnowCmd(g *globals) *cobra.Command {
	f := &voipnowFlags{}
	cmd := &cobra.Command{
		Use:   "voipnow",
		Short: "VoipNow PBX: list live calls, start or stop their recording (UAPI)",
		Long: `Talk to a 4PSA VoipNow PBX through its Unified API (UAPI).

The server is --base-url or voipnow.base_url of the profile (the profile's
top-level base_url, the Anywhere365 server, is never used for VoipNow). The
app's client id is --client-id or voipnow.client_id; its secret comes from
` + voipnowSecretEnv + ` or voipnow.client_secret.

Exit status: 0 done, 1 the PBX answered an error, 2 invalid usage (nothing
sent), 3 network or authentication failure, 4 a record start or stop
whose answer was lost after it was sent (the call is read again and what
it shows is printed and audited; nothing is sent again).`,
		Example: `  recdeck sim &   # then, against the simulator (client id and secret: demo):
  RECDECK_VOIPNOW_CLIENT_SECRET=demo recdeck voipnow --base-url http://127.0.0.1:8365 --client-id demo calls
  recdeck voipnow ... record start --call b817d2618fe6f1804333 --view 01 --format wav49`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.clientID, "client-id", "", "the UAPI app's client id (or voipnow.client_id)")
	pf.StringVar(&f.userID, "user", "", "user id: @me (default), @viewer, @owner or an id (or voipnow.user_id)")
	pf.StringVar(&f.extension, "extension", "", "extension: @self (default, all of the user's) or a number such as 0003*210")
	bindNoAudit(cmd, g)
	cmd.AddCommand(newVoipnowCallsCmd(g, f), newVoipnowRecordCmd(g, f))
	return jsonErrors(g, cmd)
}

// voipnowSettings is the resolved VoipNow section: the profile's, with the
// environment and the flags laid over it.
func voipnowSettings(g *globals, f *voipnowFlags) (VoipNowProfile, Profile, error) {
	p, err := g.profile()
	if err != nil {
		return VoipNowProfile{}, p, err
	}
	v := p.VoipNow
	setIfGiven(&v.BaseURL, g.baseURL)
	setIfGiven(&v.ClientSecret, os.Getenv(voipnowSecretEnv))
	setIfGiven(&v.ClientID, f.clientID)
	setIfGiven(&v.UserID, f.userID)
	setIfGiven(&v.Extension, f.extension)
	return v, p, nil
}

// voipnowConfig turns the settings into a client config (the CLI's and the
// pane's alike).
func voipnowConfig(v VoipNowProfile, hc *http.Client, timeout time.Duration) voipnow.Config {
	return voipnow.Config{
		BaseURL:      v.BaseURL,
		TokenURL:     v.TokenURL,
		ClientID:     v.ClientID,
		ClientSecret: v.ClientSecret,
		HTTPClient:   hc,
		Timeout:      timeout,
	}
}

// voipnowClient builds the client for the CLI. A missing or bad setting is
// a usage error.
func voipnowClient(g *globals, f *voipnowFlags) (*voipnow.Client, VoipNowProfile, error) {
	v, p, err := voipnowSettings(g, f)
	if err != nil {
		return nil, v, err
	}
	if v.BaseURL == "" {
		return nil, v, withExit(exitUsage, errors.New("no VoipNow server given: use --base-url or voipnow.base_url in a config profile; `recdeck sim` serves a simulator (client id and secret: demo)"))
	}
	c, err := voipnow.New(voipnowConfig(v, g.httpClient(p), p.Timeout))
	if err != nil {
		return nil, v, withExit(exitUsage, err)
	}
	return c, v, nil
}

// voipnowExit maps a client error to the exit statuses of the core: input
// refused before sending -> 2, the PBX's error body -> 1, anything else (no
// answer, an unusable answer, authentication) -> 3.
func voipnowExit(err error) error {
	return exitFor(err, func(err error) int {
		var ae *voipnow.APIError
		switch {
		case voipnow.IsUnknownOutcome(err):
			return exitUnknown
		case voipnow.IsValidation(err):
			return exitUsage
		case voipnow.IsAuth(err):
			return exitNetwork
		case errors.As(err, &ae):
			return exitAPI
		}
		return exitNetwork
	})
}

func newVoipnowCallsCmd(g *globals, f *voipnowFlags) *cobra.Command {
	var (
		lp       voipnow.ListParams
		all      bool
		maxCalls int
		callID   string
		fields   string
	)
	cmd := &cobra.Command{
		Use:   "calls",
		Short: "List the PBX's live calls, one line per call view",
		Long: `List the PBX's live calls (List PhoneCalls), one line per call view.

One page by default (--count, --start-index); --all reads every page until
the PBX says there is no more (its totalResults, or an empty page), up to
--max calls (default 10,000, as far as the UAPI's startIndex reaches).
Whenever a limit stops the list it says so: "showing N of M calls" or "N
calls, more not fetched". --call ID shows one call.`,
		Example: `  recdeck voipnow calls
  recdeck voipnow calls --extension 0003*210 --count 50 --start-index 50
  recdeck voipnow calls --all --sort-order descending
  recdeck voipnow calls --call b817d2618fe6f1804333
  recdeck voipnow calls --filter-by id --filter-op inArray --filter-value id1,id2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, v, err := voipnowClient(g, f)
			if err != nil {
				return err
			}
			lp.UserID, lp.Extension = v.UserID, v.Extension
			if fields != "" {
				for _, fl := range strings.Split(fields, ",") {
					if fl = strings.TrimSpace(fl); fl != "" {
						lp.Fields = append(lp.Fields, fl)
					}
				}
			}
			out := cmd.OutOrStdout()
			if callID != "" {
				call, err := c.GetCall(cmd.Context(), lp.UserID, lp.Extension, callID)
				if err != nil {
					return voipnowExit(err)
				}
				if g.jsonOut {
					return voipnowPrintJSON(out, call)
				}
				voipnowPrintCalls(out, voipnow.PhoneCallList{ItemsPerPage: 1, TotalResults: 1, Calls: []voipnow.PhoneCall{call}})
				return nil
			}
			var l voipnow.PhoneCallList
			note := ""
			if all {
				listing, err := c.ListAllCalls(cmd.Context(), lp, maxCalls)
				if err != nil {
					return voipnowExit(err)
				}
				l = voipnow.PhoneCallList{ItemsPerPage: len(listing.Calls), TotalResults: max(listing.Total, len(listing.Calls)), Calls: listing.Calls}
				if !listing.Complete {
					note = listing.Summary()
					if listing.Limited && maxCalls > 0 {
						note += " (--max " + fmt.Sprint(maxCalls) + ")"
					}
				}
			} else if l, err = c.ListCalls(cmd.Context(), lp); err != nil {
				return voipnowExit(err)
			}
			if g.jsonOut {
				if l.Calls == nil {
					l.Calls = []voipnow.PhoneCall{}
				}
				if note != "" {
					fmt.Fprintln(cmd.ErrOrStderr(), "recdeck: "+note) // stdout stays one JSON document
				}
				return voipnowPrintJSON(out, l)
			}
			voipnowPrintCalls(out, l)
			if note != "" {
				fmt.Fprintln(out, strings.ToUpper(note[:1])+note[1:]+".")
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&lp.Count, "count", 0, "page size, 1 to 5000 (default: the PBX's, 20; with --all, 500)")
	fl.IntVar(&lp.StartIndex, "start-index", 0, "index of the first call of the page (0 to 5000)")
	fl.StringVar(&lp.FilterBy, "filter-by", "", "filter field: id or published")
	fl.StringVar(&lp.FilterValue, "filter-value", "", "value to filter by (inArray: comma-separated values)")
	fl.StringVar(&lp.FilterOp, "filter-op", "", "filter operator: "+strings.Join(voipnow.FilterOps, ", ")+" (default equals)")
	fl.StringVar(&lp.SortOrder, "sort-order", "", "ascending or descending (default: the PBX's order)")
	fl.StringVar(&fields, "fields", "", "only these PhoneCall fields, comma-separated (id is always asked for)")
	fl.BoolVar(&all, "all", false, "read every page until the PBX says there is no more (--count sets the page size)")
	fl.IntVar(&maxCalls, "max", 0, "with --all, stop after this many calls (default 10000)")
	fl.StringVar(&callID, "call", "", "show one call by its phone call id")
	return cmd
}

// voipnowPrintCalls writes the calls as a table, states in words.
func voipnowPrintCalls(w io.Writer, l voipnow.PhoneCallList) {
	if len(l.Calls) == 0 {
		fmt.Fprintln(w, "No live calls.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CALL\tVIEW\tEXTENSION\tSTATUS\tDIRECTION\tCALLER\tFROM\tTO\tANSWERED\tRECORDING")
	for _, c := range l.Calls {
		if len(c.Views) == 0 { // --fields left the views out: the call alone
			fmt.Fprintf(tw, "%s\t-\t%s\t-\t-\t-\t-\t-\t%s\t-\n", voipnowCell(string(c.ID)), voipnowCell(c.Extension), voipnowCell(string(c.Answered)))
		}
		for _, v := range c.Views {
			answered := string(v.Answered)
			if answered == "" {
				answered = "-"
			}
			rec := "no"
			if v.IsRecording() {
				rec = "since " + string(v.Recording)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				voipnowCell(string(c.ID)), voipnowCell(string(v.ID)), voipnowCell(v.Extension), v.Status, v.Flow, voipnowCell(v.CallerID),
				voipnowCell(strings.Join(v.Source, ",")), voipnowCell(strings.Join(v.Destination, ",")), voipnowCell(answered), voipnowCell(rec))
		}
	}
	tw.Flush()
	if l.TotalResults > l.StartIndex+len(l.Calls) {
		fmt.Fprintf(w, "Calls %d-%d of %d: use --start-index %d for more, or --all.\n",
			l.StartIndex+1, l.StartIndex+len(l.Calls), l.TotalResults, l.StartIndex+len(l.Calls))
	}
}

// voipnowCell makes a PBX-supplied value safe for a terminal table: no control
// characters (escape sequences, tabs, newlines), "-" when empty.
func voipnowCell(s string) string {
	if s == "" {
		return "-"
	}
	return voipnow.Printable(s)
}

// voipnowPrintJSON prints v indented for --json. Unlike printVendorJSON it
// leaves <, > and & unescaped: caller ids read "John Doe <3333>".
func voipnowPrintJSON(w io.Writer, v any) error {
	return safetext.PrintJSON(w, v, "  ", false)
}

func newVoipnowRecordCmd(g *globals, f *voipnowFlags) *cobra.Command {
	var rp voipnow.RecordParams
	var format string
	record := &cobra.Command{
		Use:   "record",
		Short: "Start or stop recording one view of a call",
	}
	run := func(start bool) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			c, v, err := voipnowClient(g, f)
			if err != nil {
				return err
			}
			if start {
				// --format, else the profile's voipnow.format, else wav.
				fm, err := voipnow.ParseFormat(format)
				if format == "" && v.Format != "" {
					if fm, err = voipnow.ParseFormat(v.Format); err != nil {
						err = fmt.Errorf("voipnow.format of the config profile: %w", err)
					}
				}
				if err != nil {
					return withExit(exitUsage, err)
				}
				rp.Format = fm
			}
			rp.UserID, rp.Extension = v.UserID, v.Extension
			if !start {
				// Stopping what is not recording changes nothing: say so
				// (exit 1, as for any action that changed nothing) and send
				// no StopRecording.
				if err := rp.Validate(false); err != nil {
					return voipnowExit(err)
				}
				call, err := c.GetCall(cmd.Context(), rp.UserID, rp.Extension, rp.PhoneCallID)
				if err != nil {
					return voipnowExit(err)
				}
				if view, ok := call.View(rp.ViewID); ok && !view.IsRecording() {
					return withExit(exitAPI, fmt.Errorf("view %s of call %s is not being recorded: nothing to stop", voipnowCell(rp.ViewID), voipnowCell(rp.PhoneCallID)))
				}
			}
			p, _ := g.profile()
			action := map[bool]string{true: "recording start", false: "recording stop"}[start]
			att, err := beginCLIAudit(g, p, audit.Record{Vendor: "voipnow", Server: v.BaseURL,
				Target: rp.PhoneCallID + "/" + rp.ViewID, Action: action})
			if err != nil {
				return err
			}
			var call voipnow.PhoneCall
			if start {
				call, err = c.StartRecording(cmd.Context(), rp)
			} else {
				call, err = c.StopRecording(cmd.Context(), rp)
			}
			if voipnow.IsUnknownOutcome(err) {
				return voipnowReread(cmd, g, c, rp, start, att, err)
			}
			att.end(voipnowOutcome(err), err, func(r *audit.Record) {
				if view, ok := call.View(rp.ViewID); ok && err == nil {
					r.State = map[bool]string{true: "recording", false: "not recording"}[view.IsRecording()]
				}
			})
			if err != nil {
				return voipnowExit(err)
			}
			// One outcome check for text and --json: the PBX's answer must
			// show the change, or the command fails (exit 1).
			view, err := voipnowCheckOutcome(start, rp, call)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return voipnowPrintJSON(cmd.OutOrStdout(), call)
			}
			if start {
				fmt.Fprintf(cmd.OutOrStdout(), "Recording started: call %s view %s on %s (%s), since %s\n",
					voipnowCell(string(call.ID)), voipnowCell(rp.ViewID), voipnowCell(view.Extension), rp.Format, voipnowCell(string(view.Recording)))
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Recording stopped: call %s view %s on %s\n", voipnowCell(string(call.ID)), voipnowCell(rp.ViewID), voipnowCell(view.Extension))
			}
			return nil
		}
	}
	start := &cobra.Command{
		Use:     "start",
		Short:   "StartRecording on a call view (format wav or wav49)",
		Example: `  recdeck voipnow record start --call b817d2618fe6f1804333 --view 01 --format wav49`,
		Args:    cobra.NoArgs,
		RunE:    run(true),
	}
	stop := &cobra.Command{
		Use:     "stop",
		Short:   "StopRecording on a call view (a view not being recorded is said so, exit 1, nothing sent)",
		Example: `  recdeck voipnow record stop --call b817d2618fe6f1804333 --view 01`,
		Args:    cobra.NoArgs,
		RunE:    run(false),
	}
	for _, c := range []*cobra.Command{start, stop} {
		c.Flags().StringVar(&rp.PhoneCallID, "call", "", "phone call id (see `recdeck voipnow calls`)")
		c.Flags().StringVar(&rp.ViewID, "view", "", "phone call view id, e.g. 01")
	}
	start.Flags().StringVar(&format, "format", "", "recording format: wav or wav49 (default: voipnow.format of the profile, else wav)")
	record.AddCommand(start, stop)
	return record
}

// voipnowCheckOutcome is the one check of a recording action's result, for
// text and --json alike: the answered call must have the view, and the view
// must show the change (recording after start, not after stop).
func voipnowCheckOutcome(start bool, rp voipnow.RecordParams, call voipnow.PhoneCall) (voipnow.PhoneCallView, error) {
	view, ok := call.View(rp.ViewID)
	switch {
	case !ok:
		return view, withExit(exitAPI, fmt.Errorf("the PBX answered without view %s of call %s", voipnowCell(rp.ViewID), voipnowCell(rp.PhoneCallID)))
	case start && !view.IsRecording():
		return view, withExit(exitAPI, fmt.Errorf("the PBX accepted StartRecording but view %s of call %s shows no recording", voipnowCell(rp.ViewID), voipnowCell(rp.PhoneCallID)))
	case !start && view.IsRecording():
		return view, withExit(exitAPI, fmt.Errorf("the PBX accepted StopRecording but view %s of call %s is still recording", voipnowCell(rp.ViewID), voipnowCell(rp.PhoneCallID)))
	}
	return view, nil
}

// voipnowOutcome is the audit outcome of a recording action: unknown when
// the request reached the PBX without an answer coming back (or a 204
// whose call could not be read); failed when it never left (refused, DNS,
// TLS) or the PBX refused it.
func voipnowOutcome(err error) string {
	var ce *voipnow.ConfirmError
	switch {
	case err == nil:
		return audit.OutcomeOK
	case errors.As(err, &ce):
		return audit.OutcomeUnknown // accepted (204), not confirmed
	case voipnow.IsUnknownOutcome(err):
		return audit.OutcomeUnknown
	}
	return audit.OutcomeFailed
}

// voipnowRecordingWord is a view's recording state, for the audit log and
// the re-read's line.
func voipnowRecordingWord(ok bool, v voipnow.PhoneCallView) string {
	switch {
	case !ok:
		return "view gone"
	case v.IsRecording():
		return "recording"
	}
	return "not recording"
}

// voipnowReread follows a recording action whose answer was lost: it audits
// the unknown outcome, reads the call again (GetCall), prints what the PBX
// now says ("Recording start unknown ...; re-read: now recording"), audits
// that as the confirmed state, and exits 4 whatever it found: the action
// itself was not answered. Nothing is sent again.
func voipnowReread(cmd *cobra.Command, g *globals, c *voipnow.Client, rp voipnow.RecordParams, start bool,
	att *cliAttempt, actErr error) error {
	att.unknown(actErr)
	what := map[bool]string{true: "Recording start", false: "Recording stop"}[start]
	ctx := cmd.Context()
	if ctx == nil || ctx.Err() != nil {
		ctx = context.Background() // interrupted during the action: still learn the truth
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rereadTimeout)
		defer cancel()
	}
	call, err := c.GetCall(ctx, rp.UserID, rp.Extension, rp.PhoneCallID)
	if err != nil {
		att.end(audit.OutcomeUnknown, fmt.Errorf("re-read failed: %w", err), nil)
		safetext.Fprintf(cmd.ErrOrStderr(), "recdeck: %s unknown; re-read failed: %v\n", what, err)
		return withExit(exitUnknown, actErr)
	}
	view, ok := call.View(rp.ViewID)
	state := voipnowRecordingWord(ok, view)
	applied := ok && view.IsRecording() == start
	att.end(audit.OutcomeConfirmed, nil, func(r *audit.Record) { r.State, r.Applied = state, &applied })
	if !g.jsonOut { // with --json the error object says it all
		fmt.Fprintf(cmd.OutOrStdout(), "%s unknown: call %s view %s; re-read: now %s\n",
			what, voipnowCell(rp.PhoneCallID), voipnowCell(rp.ViewID), state)
	}
	return withExit(exitUnknown, fmt.Errorf("%w; re-read: now %s", actErr, state))
}

// mountVoipnowSim registers the VoipNow simulator on the shared mux.
func mountVoipnowSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	s := voipnowsim.New(voipnowsim.Options{Seed: seed})
	s.Register(mux)
	return []string{
		"voipnow: UAPI " + baseURL + "/uapi/phoneCalls/@me/@self (GET list; PUT .../{phoneCallId} StartRecording, StopRecording)",
		"voipnow: token " + baseURL + voipnow.DefaultTokenPath + " (client_credentials, type=unifiedapi)",
		fmt.Sprintf("voipnow: demo credentials client_id=%s client_secret=%s; app user %s (@me) with extensions %s, %s, %s (call recording off)",
			voipnowsim.DemoClientID, voipnowsim.DemoClientSecret, voipnowsim.AppUserID, voipnowsim.ExtReception, voipnowsim.ExtSales, voipnowsim.ExtNoRecording),
		"voipnow: seed 002's call " + voipnowsim.SeedCallID + " (also " + voipnowsim.SeedCallAlias + ") on " + voipnowsim.SeedExtension + ", view " + voipnowsim.SeedViewID,
	}, func() {}
}

// newVoipnowPane builds the VoipNow TUI pane. Outside the demo it needs
// voipnow.base_url, a client id and a secret (never the Anywhere365 base
// URL: the secret must not go there). It returns nil when the profile has
// no VoipNow section at all, and a pane that shows what is wrong when one
// is there but cannot be used (a missing secret, a bad URL or setting), so
// a supervisor is told rather than left wondering where the tab went.
func newVoipnowPane(env vendorEnv) ui.Pane {
	v := env.Profile.VoipNow
	setIfGiven(&v.ClientSecret, os.Getenv(voipnowSecretEnv))
	if env.Demo {
		v.BaseURL, v.TokenURL = env.BaseURL, ""
		v.ClientID, v.ClientSecret = voipnowsim.DemoClientID, voipnowsim.DemoClientSecret
	}
	if v.BaseURL == "" && v.ClientID == "" {
		// Not configured: the tab says what to set rather than vanish.
		return voipnowpane.New(voipnowpane.Options{SetupError: errors.New("not configured: set voipnow.base_url and voipnow.client_id (and " +
			voipnowSecretEnv + " or voipnow.client_secret) in a config profile; `recdeck sim` serves a simulator (client id and secret demo)")})
	}
	opts := voipnowpane.Options{
		UserID:         v.UserID,
		Extension:      v.Extension,
		PollInterval:   v.PollInterval,
		RequestTimeout: env.Profile.Timeout,
		DefaultFormat:  voipnow.Format(v.Format),
		Server:         displayURL(v.BaseURL),
		Profile:        env.ProfileName,
		Requester:      env.Requester,
	}
	if env.Audit != nil {
		opts.Audit = env.Audit
	}
	var c *voipnow.Client
	err := voipnowPaneSettings(v)
	if err == nil {
		c, err = voipnow.New(voipnowConfig(v, env.HTTPClient, env.Profile.Timeout))
	}
	if err != nil {
		opts.SetupError = err
	} else {
		opts.Client = c
	}
	return voipnowpane.New(opts)
}

// voipnowPaneSettings checks the profile's settings the client would only
// check per request, so the pane reports a bad one at once.
func voipnowPaneSettings(v VoipNowProfile) error {
	if v.BaseURL == "" {
		return errors.New("voipnow.base_url is not set in the config profile")
	}
	if v.UserID != "" {
		if err := voipnow.ValidateUserID(v.UserID); err != nil {
			return fmt.Errorf("voipnow.user_id: %w", err)
		}
	}
	if v.Extension != "" {
		if err := voipnow.ValidateExtension(v.Extension); err != nil {
			return fmt.Errorf("voipnow.extension: %w", err)
		}
	}
	if _, err := voipnow.ParseFormat(v.Format); err != nil {
		return fmt.Errorf("voipnow.format: %w", err)
	}
	if v.PollInterval < 0 {
		return fmt.Errorf("voipnow.poll_interval must not be negative, got %v", v.PollInterval)
	}
	return nil
}
