package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/noojee"
	noojeesim "github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	noojeepane "github.com/recdeck/recdeck/ui/noojee"
)

// NoojeeProfile is the noojee: section of a config profile.
//
//	noojee:
//	  base_url: https://pbx.example.com.au
//	  api_key: ...                 # or RECDECK_NOOJEE_API_KEY (never a flag)
//	  auth: apikey                 # apikey (RecordingAPI) or hash (CallManagementAPI: timeStamp + hash)
//	  time_zone: Australia/Sydney  # the server's zone, for times it writes without one (default: local)
//	  download_dir: ~/recordings   # where fetched legs go (default: $XDG_DATA_HOME/recdeck/noojee or ~/.local/share/recdeck/noojee)
//	  recording_path: /njadmin/rest/RecordingAPI/retrieveRecording   # ASSUMED audio method
//	  time_path: /servicemanager/rest/Time
type NoojeeProfile struct {
	BaseURL       string `yaml:"base_url"`
	APIKey        string `yaml:"api_key"`
	Auth          string `yaml:"auth"`
	TimeZone      string `yaml:"time_zone"`
	DownloadDir   string `yaml:"download_dir"`
	RecordingPath string `yaml:"recording_path"`
	TimePath      string `yaml:"time_path"`
}

// noojeeKeyEnv names the environment variable holding the apiKey.
const noojeeKeyEnv = "RECDECK_NOOJEE_API_KEY"

// noojeeFlags are the flags of `recdeck noojee` shared by its subcommands.
type noojeeFlags struct {
	auth, timeZone string
}

func newNoojeeCmd(g *globals) *cobra.Command {
	f := &noojeeFlags{}
	cmd := &cobra.Command{
		Use:   "noojee",
		Short: "Noojee recording: find a call's legs, list an hour, fetch leg audio",
		Long: `Talk to a Noojee Admin / Noojee Contact recording API.

A recorded call is split into legs (queue, answer, transfer...). Find a
call's legs by tag or unique id, list an hour's recordings (the API allows
one such request a minute), and fetch the audio of one leg or all of them.

The server is --base-url or noojee.base_url of the profile (the profile's
top-level base_url, the Anywhere365 server, is never used for Noojee). The
apiKey comes from ` + noojeeKeyEnv + ` or noojee.api_key, never from a flag.
--auth (or noojee.auth) picks the API: apikey (the newer
/njadmin/rest/RecordingAPI, default) or hash (the older
/servicemanager/rest/CallManagementAPI with a timeStamp and hash).

Exit status: 0 done, 1 the server answered an error (or a file could not
be written), 2 invalid usage (nothing sent), 3 network or authentication
failure (including an answer that is not what the API returns).`,
		Example: `  recdeck sim &   # then, against the simulator (apiKey: demo):
  export ` + noojeeKeyEnv + `=demo
  recdeck noojee --base-url http://127.0.0.1:8365 legs --tag 1234
  recdeck noojee --base-url http://127.0.0.1:8365 fetch --unique-id 1392271611.238 --out /tmp/legs
  recdeck noojee --base-url http://127.0.0.1:8365 --auth hash hour --date 2021/09/14 --hour 15`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.auth, "auth", "", "API and authentication: apikey (default) or hash (or noojee.auth)")
	pf.StringVar(&f.timeZone, "time-zone", "", "the server's time zone, e.g. Australia/Sydney or +10:00 (or noojee.time_zone; default local)")
	bindNoAudit(cmd, g)
	cmd.AddCommand(newNoojeeLegsCmd(g, f), newNoojeeHourCmd(g, f), newNoojeeFetchCmd(g, f),
		newNoojeeRecordCmd(g, f, "start"), newNoojeeRecordCmd(g, f, "stop"))
	return jsonErrors(g, cmd)
}

// noojeeSettings is the resolved Noojee section: the profile's, with the
// environment and the flags laid over it.
func noojeeSettings(g *globals, f *noojeeFlags) (NoojeeProfile, Profile, error) {
	p, err := g.profile()
	if err != nil {
		return NoojeeProfile{}, p, err
	}
	n := p.Noojee
	setIfGiven(&n.BaseURL, g.baseURL)
	setIfGiven(&n.APIKey, os.Getenv(noojeeKeyEnv))
	setIfGiven(&n.Auth, f.auth)
	setIfGiven(&n.TimeZone, f.timeZone)
	return n, p, nil
}

// noojeeConfig turns the settings into a client config; errors are usage errors.
func noojeeConfig(n NoojeeProfile, hc *http.Client, timeout time.Duration) (noojee.Config, error) {
	if strings.TrimSpace(n.BaseURL) == "" {
		return noojee.Config{}, errors.New("no Noojee server given: use --base-url or noojee.base_url in a config profile; `recdeck sim` serves a simulator (apiKey: demo)")
	}
	auth, err := noojee.ParseAuthStyle(n.Auth)
	if err != nil {
		return noojee.Config{}, err
	}
	loc, err := noojee.LoadLocation(n.TimeZone)
	if err != nil {
		return noojee.Config{}, err
	}
	return noojee.Config{
		BaseURL: n.BaseURL, APIKey: n.APIKey, Auth: auth, HTTPClient: hc, Timeout: timeout,
		Location: loc, RecordingPath: n.RecordingPath, TimePath: n.TimePath,
	}, nil
}

// noojeeClient builds the client for the CLI. A missing or bad setting is
// a usage error.
func noojeeClient(g *globals, f *noojeeFlags) (*noojee.Client, NoojeeProfile, error) {
	n, p, err := noojeeSettings(g, f)
	if err != nil {
		return nil, n, err
	}
	cfg, err := noojeeConfig(n, g.httpClient(p), p.Timeout)
	if err != nil {
		return nil, n, withExit(exitUsage, err)
	}
	c, err := noojee.New(cfg)
	if err != nil {
		return nil, n, withExit(exitUsage, err)
	}
	return c, n, nil
}

// noojeeExit maps a client error to the core's exit statuses: input refused
// before sending -> 2; authentication, no answer, or a success status whose
// body is not what the method returns -> 3; the server's error status
// (including the rate limit) or a local file problem -> 1.
func noojeeExit(err error) error {
	if errors.Is(err, noojee.ErrUnauthorized) {
		// Say where the key comes from (never what it is).
		err = fmt.Errorf("%w (check %s or noojee.api_key, and noojee.auth)", err, noojeeKeyEnv)
	}
	return exitFor(err, func(err error) int {
		var ie *noojee.InputError
		var rl *noojee.RateLimitError
		var ae *noojee.APIError
		var te *noojee.TransportError
		var ce *noojee.CallError
		switch {
		case noojee.IsUnknownOutcome(err):
			return exitUnknown
		case errors.As(err, &ie):
			return exitUsage
		case errors.As(err, &ce) && !errors.Is(err, noojee.ErrUnauthorized):
			return exitAPI // the server's own refusal, in its body
		case errors.As(err, &rl):
			return exitAPI
		case errors.Is(err, noojee.ErrUnauthorized), errors.As(err, &te):
			return exitNetwork
		case errors.As(err, &ae) && ae.StatusCode/100 == 2:
			return exitNetwork // answered, but not with what the API returns
		}
		return exitAPI // the server's error status, or a local file problem
	})
}

// rawLegs gives legs as the API wrote them (every value a string).
func rawLegs(legs []noojee.Leg) []noojee.WireLeg {
	out := make([]noojee.WireLeg, len(legs))
	for i, l := range legs {
		out[i] = l.Raw
	}
	return out
}

func newNoojeeLegsCmd(g *globals, f *noojeeFlags) *cobra.Command {
	var tag, uid string
	cmd := &cobra.Command{
		Use:   "legs (--tag T | --unique-id U)",
		Short: "Show a call's recording legs, in order (retrieveMetaData / retrieveMetaDataByUniqueId)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (tag == "") == (uid == "") {
				return withExit(exitUsage, errors.New("give exactly one of --tag or --unique-id"))
			}
			c, n, err := noojeeClient(g, f)
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd)
			defer stop()
			var legs []noojee.Leg
			what := "tag " + tag
			if tag != "" {
				legs, err = c.Legs(ctx, tag)
			} else {
				what = "unique id " + uid
				legs, err = c.LegsByUniqueID(ctx, uid)
			}
			if err != nil {
				return noojeeExit(err)
			}
			out := cmd.OutOrStdout()
			if g.jsonOut {
				return printVendorJSON(out, rawLegs(legs))
			}
			if len(legs) == 0 {
				safetext.Fprintf(out, "no recording found for %s\n", what)
				return nil
			}
			zone := noojeeZone(c, n)
			printCalls(out, noojee.GroupCalls(legs), zone)
			zone.notes(cmd.ErrOrStderr(), legs)
			return nil
		},
	}
	cmd.Flags().StringVar(&tag, "tag", "", "the tag attached to the call's recording")
	cmd.Flags().StringVar(&uid, "unique-id", "", "the call's unique id, e.g. 1392271611.238")
	return cmd
}

// noojeeTimes is how the CLI shows the server's times: in its zone when
// one is configured (--time-zone, noojee.time_zone), else as the server
// wrote them, with no zone label (a label would claim the client's zone).
type noojeeTimes struct {
	loc   *time.Location
	known bool
}

func noojeeZone(c *noojee.Client, n NoojeeProfile) noojeeTimes {
	return noojeeTimes{loc: c.Location(), known: strings.TrimSpace(n.TimeZone) != ""}
}

// show writes t, or the server's text when it could not be read.
func (z noojeeTimes) show(t time.Time, raw string) string {
	switch {
	case t.IsZero() && raw == "":
		return "-"
	case t.IsZero():
		return raw
	case z.known:
		return t.In(z.loc).Format("2006-01-02 15:04:05 MST")
	case t.Location() == z.loc:
		// Read without a zone in the client's stand-in for the server's:
		// the server's wall-clock time, unlabelled.
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05 MST") // the zone the server wrote
}

// notes says on w what the times cannot tell: times the client could not
// read (a zone outside its table), and that times are unlabelled without a
// configured zone.
func (z noojeeTimes) notes(w io.Writer, legs []noojee.Leg) {
	if p := noojee.TimeProblems(legs); len(p) > 0 {
		fmt.Fprintf(w, "recdeck: some times could not be read and are shown as the server wrote them (%s); set --time-zone (or noojee.time_zone) to the server's zone\n",
			noojee.Printable(strings.Join(p, "; ")))
	}
	if !z.known && len(legs) > 0 {
		fmt.Fprintln(w, "recdeck: times are the server's local time, shown without a zone (set --time-zone or noojee.time_zone to label them)")
	}
}

// printCalls prints each call's heading and its legs as a table.
func printCalls(w io.Writer, calls []noojee.Call, zone noojeeTimes) {
	for i, c := range calls {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := fmt.Sprintf("%s call %s", c.Direction(), c.UniqueID)
		if t := c.Tag(); t != "" {
			head += ", tag " + t
		}
		legs := "legs"
		if len(c.Legs) == 1 {
			legs = "leg"
		}
		fmt.Fprintf(w, "%s: %d %s, %s\n", noojee.Printable(head), len(c.Legs), legs, c.Duration())
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LEG\tSTART\tDURATION\tSHARE\tUSERNAME\tSOURCE\tDESTINATION\tDID\tDIRECTION\tCALLRECORDID")
		for j, l := range c.Legs {
			// Server text is made safe cell by cell (a tab would break the table).
			pr := noojee.Printable
			fmt.Fprintf(tw, "%d\t%s\t%s\t%.0f%%\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Leg, pr(zone.show(l.Start, l.Raw.Start)),
				l.Duration, 100*c.Share(j), pr(l.Username), pr(l.Source), pr(l.Destination), pr(l.DID), l.Direction, pr(l.CallRecordID))
		}
		tw.Flush()
	}
}

func newNoojeeHourCmd(g *globals, f *noojeeFlags) *cobra.Command {
	var date string
	var hour int
	cmd := &cobra.Command{
		Use:   "hour --date yyyy/MM/dd --hour H",
		Short: "List the recordings of one hour, server time (retrieveMetaDataByHour; one request a minute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if date == "" || hour < 0 {
				return withExit(exitUsage, errors.New("give --date yyyy/MM/dd and --hour 0-23 (server time)"))
			}
			c, n, err := noojeeClient(g, f)
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd)
			defer stop()
			legs, err := c.ByHour(ctx, date, hour)
			if err != nil {
				return noojeeExit(err)
			}
			out := cmd.OutOrStdout()
			zone := noojeeZone(c, n)
			// The hour lists the legs that ENDED in it; one not over (or just
			// over) is partial: the vendor says to ask a few minutes after.
			if !noojee.HourComplete(date, hour, c.Location(), time.Now()) {
				where := "server time"
				if !zone.known {
					where = "taking the server's zone as this computer's; set --time-zone"
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "recdeck: %s hour %d is not over (or ended less than %s ago, %s): this list is partial; ask again a few minutes after the hour\n",
					date, hour, noojee.HourSettle, where)
			}
			if g.jsonOut {
				return printVendorJSON(out, rawLegs(legs))
			}
			calls := noojee.GroupCalls(legs)
			if len(calls) == 0 {
				fmt.Fprintf(out, "no recordings in %s hour %d\n", date, hour)
			} else {
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "START\tUNIQUEID\tDIRECTION\tLEGS\tDURATION\tEND\tTAG\tUSERNAMES")
				for _, call := range calls {
					var users []string
					for _, l := range call.Legs {
						if l.Username != "" && (len(users) == 0 || users[len(users)-1] != l.Username) {
							users = append(users, l.Username)
						}
					}
					pr := noojee.Printable
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", zone.show(call.Start(), call.Legs[0].Raw.Start), pr(call.UniqueID),
						call.Direction(), len(call.Legs), call.Duration(), zone.show(call.End(), ""), pr(call.Tag()), pr(strings.Join(users, " > ")))
				}
				tw.Flush()
				fmt.Fprintln(out, "Each call shows the legs that ended in this hour; `legs --unique-id` (or fetch) reads the whole call.")
			}
			zone.notes(cmd.ErrOrStderr(), legs)
			fmt.Fprintf(cmd.ErrOrStderr(), "next by-hour request allowed at %s\n", c.NextByHour().Format("15:04:05 MST"))
			return nil
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "the day, yyyy/MM/dd (server time)")
	cmd.Flags().IntVar(&hour, "hour", -1, "the hour, 0-23 (server time)")
	return cmd
}

// fetched is one saved leg, as `fetch --json` prints it.
type fetched struct {
	UniqueID    string `json:"uniqueId"`
	Leg         int    `json:"leg"`
	Path        string `json:"path,omitempty"`
	Bytes       int64  `json:"bytes"`
	ContentType string `json:"contentType,omitempty"`
	Skipped     string `json:"skipped,omitempty"`
}

func newNoojeeFetchCmd(g *globals, f *noojeeFlags) *cobra.Command {
	var (
		uid   string
		leg   int
		out   string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "fetch --unique-id U [--leg N] [--out DIR]",
		Short: "Save the audio of one leg, or of every leg, of a call (the audio method is an assumption: see noojee.recording_path)",
		Long: `Save the audio of one leg (--leg) or of every leg of a call into a folder
(--out, or noojee.download_dir, or else $XDG_DATA_HOME/recdeck/noojee or
~/.local/share/recdeck/noojee, never the working directory; created if
missing), as {uniqueId}-leg{N}.wav, mode 0600. Every leg of the call is
found by its unique id first (a by-hour list holds only the legs that
ended in that hour). Each file is written under a
hidden temporary name and renamed only when complete: an interrupted fetch
(error, Ctrl-C) leaves no partial file. Existing files are skipped unless
--force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if uid == "" {
				return withExit(exitUsage, errors.New("give --unique-id"))
			}
			if leg < 0 {
				return withExit(exitUsage, fmt.Errorf("--leg must be 1 or more, got %d", leg))
			}
			c, n, err := noojeeClient(g, f)
			if err != nil {
				return err
			}
			if out == "" {
				out = n.DownloadDir
			}
			if out == "" {
				// A per-user data directory, never the working directory.
				if out, err = noojee.DefaultDownloadDir(); err != nil {
					return withExit(exitUsage, err)
				}
			}
			out = expandUserDir(out)
			ctx, stop := signalContext(cmd)
			defer stop()
			legs := []int{leg}
			if leg == 0 {
				found, err := c.LegsByUniqueID(ctx, uid)
				if err != nil {
					return noojeeExit(err)
				}
				if len(found) == 0 {
					return withExit(exitAPI, fmt.Errorf("no recording legs found for unique id %s", uid))
				}
				legs = legs[:0]
				for _, l := range found {
					legs = append(legs, l.Leg)
				}
			}
			stderr := cmd.ErrOrStderr()
			progress := progressPrinter(stderr)
			done := []fetched{} // --json prints [] (not null) when the first leg fails
			var ferr error
			for i, l := range legs {
				prefix := fmt.Sprintf("leg %d (%d of %d)", l, i+1, len(legs))
				d, err := c.DownloadLeg(ctx, uid, l, out, noojee.DownloadOptions{
					Overwrite: force,
					Progress:  func(n, total int64) { progress(prefix, n, total) },
				})
				progress("", 0, 0)
				if errors.Is(err, noojee.ErrExists) {
					safetext.Fprintf(stderr, "%s: %v; skipped (--force overwrites)\n", prefix, err)
					done = append(done, fetched{UniqueID: uid, Leg: l, Skipped: "exists"})
					continue
				}
				if err != nil {
					ferr = err
					break
				}
				done = append(done, fetched{UniqueID: uid, Leg: l, Path: d.Path, Bytes: d.Bytes, ContentType: d.ContentType})
				if !g.jsonOut {
					safetext.Fprintf(cmd.OutOrStdout(), "saved %s (%d bytes)\n", d.Path, d.Bytes)
				}
			}
			if g.jsonOut && ferr != nil {
				// stdout gets the one error object; what was saved before
				// the failure is said on stderr.
				for _, d := range done {
					if d.Path != "" {
						fmt.Fprintf(stderr, "saved %s (%d bytes)\n", d.Path, d.Bytes)
					}
				}
			} else if g.jsonOut {
				if err := printVendorJSON(cmd.OutOrStdout(), done); err != nil {
					return err
				}
			}
			return noojeeExit(ferr)
		},
	}
	cmd.Flags().StringVar(&uid, "unique-id", "", "the call's unique id")
	cmd.Flags().IntVar(&leg, "leg", 0, "one leg number (default: every leg of the call)")
	cmd.Flags().StringVar(&out, "out", "", "folder to save into (default noojee.download_dir, else ~/.local/share/recdeck/noojee)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist")
	return cmd
}

// progressPrinter returns a function drawing one progress line on a
// terminal (at most ten times a second); an empty prefix clears it. On
// anything but a terminal it prints nothing.
func progressPrinter(w io.Writer) func(prefix string, n, total int64) {
	f, ok := w.(*os.File)
	if !ok {
		return func(string, int64, int64) {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func(string, int64, int64) {}
	}
	var last time.Time
	return func(prefix string, n, total int64) {
		if prefix == "" {
			fmt.Fprint(w, "\r\033[K")
			return
		}
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || n == total {
			last = now
			if total > 0 {
				fmt.Fprintf(w, "\r\033[K%s: %3.0f%% %d of %d bytes", prefix, 100*float64(n)/float64(total), n, total)
			} else {
				fmt.Fprintf(w, "\r\033[K%s: %d bytes", prefix, n)
			}
		}
	}
}

func newNoojeeRecordCmd(g *globals, f *noojeeFlags, action string) *cobra.Command {
	var tag, agent string
	cmd := &cobra.Command{
		Use:   action + " EXTEN_OR_UNIQUE_ID [--tag T] [--agent-login-name NAME]",
		Short: strings.ToUpper(action[:1]) + action[1:] + " recording a call by extension or unique id (CallManagementAPI/" + action + ")",
		Long: strings.ToUpper(action[:1]) + action[1:] + ` recording a call, given an extension (410) or a unique call id
(3412341214.123). --tag is written to the call record ("External
Reference") and finds the recording later; --agent-login-name is a Noojee
Contact username (on start it owns the recording leg, on stop it decides
whether the user may stop it).

The server answers HTTP 200 whatever happens; its body says the outcome:
Code 0 is success, anything else is its error, shown with its message
(exit 1). With --auth hash, an expired timeStamp/hash pair is renewed and
the request sent once more (only after the server answered). When the
request was sent but its answer was lost (a timeout, a dropped connection,
a cut or garbled answer), the outcome is unknown (exit 4): the recording
may or may not have changed, Noojee offers no way to read it back, and
nothing is sent again. The action is written to the audit log.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, n, err := noojeeClient(g, f)
			if err != nil {
				return err
			}
			p, _ := g.profile()
			ctx, stop := signalContext(cmd)
			defer stop()
			req := noojee.RecordRequest{ExtenOrUniqueID: args[0], Tag: tag, AgentLoginName: agent}
			att, err := beginCLIAudit(g, p, audit.Record{Vendor: "noojee", Server: n.BaseURL,
				Target: args[0], Action: "recording " + action})
			if err != nil {
				return err
			}
			var a noojee.Answer
			if action == "start" {
				a, err = c.StartRecording(ctx, req)
			} else {
				a, err = c.StopRecording(ctx, req)
			}
			if noojee.IsUnknownOutcome(err) {
				// Noojee has no method that says whether a call is being
				// recorded now: nothing to re-read, and nothing is sent
				// again. Audited unknown, exit 4.
				att.end(audit.OutcomeUnknown, err, nil)
				if !g.jsonOut {
					safetext.Fprintf(cmd.OutOrStdout(), "recording %s for %s unknown; Noojee offers no way to read it back\n", action, args[0])
				}
				return withExit(exitUnknown, fmt.Errorf("%w; Noojee offers no way to read it back", err))
			}
			att.end(noojeeOutcome(err), err, nil)
			if err != nil {
				return noojeeExit(err)
			}
			msg := noojee.Printable(a.Message)
			if g.jsonOut {
				return printVendorJSON(cmd.OutOrStdout(), map[string]any{"action": action, "extenOrUniqueId": args[0],
					"tag": tag, "agentLoginName": agent, "ok": true, "Message": msg, "Code": a.Code})
			}
			safetext.Fprintf(cmd.OutOrStdout(), "recording %s for %s", map[string]string{"start": "started", "stop": "stopped"}[action], args[0])
			if msg != "" && !strings.EqualFold(msg, "OK") {
				safetext.Fprintf(cmd.OutOrStdout(), " (server: %s)", msg)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().StringVar(&tag, "tag", "", "tag to attach to the recording (its External Reference)")
	cmd.Flags().StringVar(&agent, "agent-login-name", "", "Noojee Contact username: owns the leg on start, decides permission on stop")
	return cmd
}

// noojeeOutcome is the audit outcome of a start/stop: ok, failed when the
// server refused or nothing was sent, unknown when the request may have
// reached the server but no answer came back.
func noojeeOutcome(err error) string {
	switch {
	case err == nil:
		return audit.OutcomeOK
	case noojee.IsUnknownOutcome(err):
		return audit.OutcomeUnknown
	}
	return audit.OutcomeFailed
}

// noojeeSimThrottle paces the simulator's audio so the demo's progress bar
// is seen moving (a minute-long leg, 960 KB, takes about a second).
const noojeeSimThrottle = 1 << 20

// mountNoojeeSim registers the Noojee simulator on the shared mux.
func mountNoojeeSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	s := noojeesim.New(noojeesim.Config{Seed: seed, Throttle: noojeeSimThrottle})
	s.Register(mux)
	return []string{
		"noojee: RecordingAPI " + baseURL + noojee.DefaultRecordingAPIPath + "/{retrieveMetaData,retrieveMetaDataByUniqueId,retrieveMetaDataByHour,retrieveRecording} (POST, apiKey)",
		"noojee: CallManagementAPI " + baseURL + noojee.DefaultCallManagementPath + "/{same methods,start,stop} (POST, timeStamp+hash from " + baseURL + noojee.DefaultTimePath + ")",
		"noojee: demo apiKey=" + noojeesim.DemoAPIKey + "; server zone " + noojeesim.DefaultZone + "; try tag " + noojeesim.ExampleTag +
			", unique id " + noojeesim.ExampleUniqueID2 + ", tag " + noojeesim.SharedTag + " (2 calls); all calls: GET " + baseURL + noojeesim.CallsPath,
	}, func() {}
}

// newNoojeePane builds the Noojee TUI pane. With nothing configured for
// Noojee (no noojee.base_url; never the Anywhere365 base URL: the key must
// not go there) the tab says what to configure. In the demo it talks to
// the simulator. With a server but no apiKey or a bad setting it shows
// what is wrong. Start and stop are audited to the console's log.
func newNoojeePane(env vendorEnv) ui.Pane {
	n := env.Profile.Noojee
	setIfGiven(&n.APIKey, os.Getenv(noojeeKeyEnv))
	hint := ""
	if env.Demo {
		n.BaseURL, n.APIKey, n.Auth, n.TimeZone = env.BaseURL, noojeesim.DemoAPIKey, "apikey", noojeesim.DefaultZone
		n.RecordingPath, n.TimePath = "", ""
		if n.DownloadDir == "" {
			n.DownloadDir = filepath.Join(os.TempDir(), "recdeck-noojee")
		}
		hint = "Demo: / then 1234 finds the document's example call; F fetches all its legs; h lists an hour"
	}
	o := noojeepane.Options{
		Dir:            expandUserDir(n.DownloadDir), // "": the per-user data directory
		RequestTimeout: env.Profile.Timeout,
		Hint:           hint,
		Server:         displayURL(n.BaseURL),
		Profile:        env.ProfileName,
		Requester:      env.Requester,
	}
	if env.Audit != nil {
		o.Audit = env.Audit
	}
	if strings.TrimSpace(n.BaseURL) == "" {
		// Not configured: the tab says what to set rather than vanish.
		o.Unavailable = "not configured: set noojee.base_url (and " + noojeeKeyEnv + " or noojee.api_key) in a config profile; `recdeck sim` serves a simulator (apiKey demo)"
		return noojeepane.New(o)
	}
	if strings.TrimSpace(n.APIKey) == "" {
		o.Unavailable = "no apiKey: set " + noojeeKeyEnv + " or noojee.api_key in the config profile"
		return noojeepane.New(o)
	}
	cfg, err := noojeeConfig(n, env.HTTPClient, env.Profile.Timeout)
	if err == nil {
		o.Location = cfg.Location
		o.Client, err = noojee.New(cfg)
	}
	if err != nil {
		o.Client = nil // a typed nil would pass the pane's nil check
		o.Unavailable = "noojee settings in the config profile: " + err.Error()
	}
	return noojeepane.New(o)
}

// expandUserDir expands a leading ~ in a configured folder.
func expandUserDir(s string) string {
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, s[1:])
		}
	}
	return s
}
