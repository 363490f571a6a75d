package main

// report.go is `recdeck report`: the pauses of recordings, as evidence,
// built from the audit log the console and `recdeck set` write (and the
// rotated files beside it). Per call, each pause: who paused, when, when
// and how it ended (resumed_by), how long, and whether it exceeded the
// maximum pause; then totals per requester and per UCC.
//
// The log records what recdeck itself did (and what it re-read after an
// unknown outcome), so a pause is what a record confirms: an ok Pause, or
// a Pause of unknown outcome whose re-read confirmed it Paused. It ends at
// the first later record of the same call that shows it no longer paused:
//   - manual: a Start with no trigger (a person pressed the key);
//   - payment-mode, policy: a Start with that trigger (audit.Trigger*);
//   - call-ended: an audit.ActionCallEnded record (the tail of the call
//     was not recorded; resumed_at stays null);
//   - stopped: a Stop (the recording ended paused; resumed_at null);
//   - unknown: a later record shows another state (e.g. it was paused
//     again: someone resumed it outside recdeck); the duration is then an
//     upper bound, up to that record.
// A pause still open at the end of the log (or of --until) has resumed_at
// and resumed_by null and lasts until then.

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui/audit"
)

// defaultMaxPause is the policy's default maximum pause (issue 12).
const defaultMaxPause = 3 * time.Minute

// How a pause ended (resumed_by).
const (
	endManual      = "manual"
	endPaymentMode = "payment-mode"
	endPolicy      = "policy"
	endCallEnded   = "call-ended"
	endStopped     = "stopped"
	endUnknown     = "unknown"
)

// pauseRow is one pause in the report.
type pauseRow struct {
	UCC             string     `json:"ucc"`
	CorrelationID   string     `json:"correlation_id"`
	Requester       string     `json:"requester"`
	PausedAt        time.Time  `json:"paused_at"`
	ResumedAt       *time.Time `json:"resumed_at"`
	DurationSeconds float64    `json:"duration_seconds"`
	ResumedBy       *string    `json:"resumed_by"`
	Exceeded        bool       `json:"exceeded"`
	// ResumedByWhom is the requester of the resume, when recdeck sent it.
	ResumedByWhom string `json:"resumed_by_requester,omitempty"`
	Server        string `json:"server,omitempty"`
	Profile       string `json:"profile,omitempty"`
	Source        string `json:"source,omitempty"`

	endAt time.Time // when it ended, or the report's end for an open pause
}

// total is one line of the totals.
type total struct {
	Key          string  `json:"-"`
	Pauses       int     `json:"pauses"`
	Exceeded     int     `json:"exceeded"`
	Open         int     `json:"open"`
	TotalSeconds float64 `json:"total_seconds"`
	LongestSecs  float64 `json:"longest_seconds"`
}

type requesterTotal struct {
	Requester string `json:"requester"`
	total
}

type uccTotal struct {
	UCC string `json:"ucc"`
	total
}

// reportDoc is the --json document.
type reportDoc struct {
	GeneratedAt     time.Time        `json:"generated_at"`
	Since           *time.Time       `json:"since"`
	Until           *time.Time       `json:"until"`
	UCC             string           `json:"ucc,omitempty"`
	MaxPauseSeconds float64          `json:"max_pause_seconds"`
	Files           []string         `json:"files"`
	DamagedLines    int              `json:"damaged_lines"`
	Pauses          []pauseRow       `json:"pauses"`
	ByRequester     []requesterTotal `json:"totals_by_requester"`
	ByUCC           []uccTotal       `json:"totals_by_ucc"`
}

type reportOpts struct {
	since, until string
	ucc          string
	csv          bool
	maxPause     time.Duration
	logPath      string
}

func newReportCmd(g *globals) *cobra.Command {
	var o reportOpts
	cmd := &cobra.Command{
		Use:   "report [--since T] [--until T] [--ucc U] [--json | --csv]",
		Short: "Report the recording pauses in the audit log, per call, with totals",
		Long: `Read the audit log (and its rotated files: audit.log.1, audit.log.2.gz, ...)
and print, per call, each pause: ucc, correlation_id, requester, paused_at,
resumed_at (null when never resumed), duration_seconds, resumed_by (manual,
payment-mode, policy, call-ended, stopped, unknown; null while still paused)
and whether it exceeded --max-pause; then totals per requester and per UCC.

Plain text is a table; --json prints one JSON document; --csv prints the
pauses with a header row (the totals are in the other formats). A damaged
line of the log is reported on stderr with its file and line number, and
skipped. Times (--since, --until) are RFC 3339 (2025-03-01T12:00:00Z), a
date (2025-03-01, UTC), or a duration back from now (24h).`,
		Example: `  recdeck report --since 24h
  recdeck report --since 2025-03-01 --until 2025-04-01 --ucc payments --csv > pauses.csv
  recdeck report --json --max-pause 2m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "", "only pauses that began at or after this time")
	f.StringVar(&o.until, "until", "", "only pauses that began before this time (open pauses are counted up to it)")
	f.StringVar(&o.ucc, "ucc", "", "only this UCC")
	f.BoolVar(&o.csv, "csv", false, "print the pauses as CSV with a header row")
	f.DurationVar(&o.maxPause, "max-pause", defaultMaxPause, "a pause longer than this is flagged as exceeded")
	f.StringVar(&o.logPath, "audit-log", "", "the audit log to read (default $RECDECK_AUDIT_LOG or the state directory's)")
	return cmd
}

func runReport(cmd *cobra.Command, g *globals, o reportOpts) error {
	if o.csv && g.jsonOut {
		return withExit(exitUsage, fmt.Errorf("--json and --csv exclude each other"))
	}
	if o.maxPause <= 0 {
		return withExit(exitUsage, fmt.Errorf("--max-pause must be positive, got %v", o.maxPause))
	}
	now := time.Now().UTC()
	since, err := parseReportTime(o.since, now)
	if err != nil {
		return withExit(exitUsage, fmt.Errorf("--since: %w", err))
	}
	until, err := parseReportTime(o.until, now)
	if err != nil {
		return withExit(exitUsage, fmt.Errorf("--until: %w", err))
	}
	if since != nil && until != nil && !until.After(*since) {
		return withExit(exitUsage, fmt.Errorf("--until (%s) is not after --since (%s)", until.Format(time.RFC3339), since.Format(time.RFC3339)))
	}
	path := o.logPath
	if path == "" {
		if path, err = audit.DefaultPath(); err != nil {
			return withExit(exitUsage, err)
		}
	}
	files, err := audit.Files(path)
	if err != nil {
		return withExit(exitUsage, err)
	}
	damaged := 0
	recs, err := audit.ReadFiles(path, func(d audit.Damage) {
		damaged++
		fmt.Fprintf(cmd.ErrOrStderr(), "recdeck: warning: audit log %s: skipped\n", safetext.Out(d.String()))
	})
	if err != nil {
		return withExit(exitUsage, err)
	}
	end := now
	if until != nil && until.Before(end) {
		end = *until
	}
	pauses := buildPauses(recs, end, o.maxPause)
	var kept []pauseRow
	for _, p := range pauses {
		if (o.ucc == "" || p.UCC == o.ucc) && (since == nil || !p.PausedAt.Before(*since)) && (until == nil || p.PausedAt.Before(*until)) {
			kept = append(kept, p)
		}
	}
	doc := reportDoc{GeneratedAt: now, Since: since, Until: until, UCC: o.ucc, MaxPauseSeconds: o.maxPause.Seconds(),
		Files: files, DamagedLines: damaged, Pauses: kept}
	doc.ByRequester, doc.ByUCC = totals(kept)
	if doc.Pauses == nil {
		doc.Pauses = []pauseRow{}
	}
	w := cmd.OutOrStdout()
	switch {
	case g.jsonOut:
		err = writeReportJSON(w, doc)
	case o.csv:
		err = writeReportCSV(w, kept)
	default:
		err = writeReportText(w, doc)
	}
	if err != nil {
		return withExit(exitUsage, err)
	}
	return nil
}

// parseReportTime reads RFC 3339, a date (UTC) or a duration back from now.
func parseReportTime(s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		t := now.Add(-d)
		return &t, nil
	}
	return nil, fmt.Errorf("%q is not a time (2025-03-01T12:00:00Z, 2025-03-01 or a duration such as 24h)", safetext.Out(s))
}

// sessionOf names a call in the log.
type sessionOf struct{ ucc, id string }

// stateOf says what a record confirms about a call's recording: "paused",
// "started" (with the trigger), "ended", "stopped", "other", or "" when
// it confirms nothing (an attempt, a failure, an unknown outcome).
func stateOf(r audit.Record) string {
	if r.Vendor != "" && r.Vendor != "anywhere365" {
		return ""
	}
	if r.Action == audit.ActionCallEnded {
		return "ended"
	}
	var state string
	switch r.Outcome {
	case audit.OutcomeOK:
		state = r.State
		if state == "" { // older records: the action says it
			switch r.Action {
			case "Pause":
				state = "Paused"
			case "Start":
				state = "Started"
			case "Stop":
				state = "Stopped"
			}
		}
	case audit.OutcomeConfirmed:
		state = r.State
	default:
		return ""
	}
	switch state {
	case "":
		return ""
	case "Paused":
		return "paused"
	case "Started":
		return "started"
	case "Stopped":
		return "stopped"
	}
	return "other"
}

// buildPauses walks the records in time order, per call, and returns the
// pauses, calls in order of their first pause, pauses in time order.
// Open pauses last until end.
func buildPauses(recs []audit.Record, end time.Time, maxPause time.Duration) []pauseRow {
	sorted := append([]audit.Record(nil), recs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	open := make(map[sessionOf]*pauseRow)
	byCall := make(map[sessionOf][]pauseRow)
	var order []sessionOf
	closeAt := func(k sessionOf, at time.Time, by string, resumed bool, whom string) {
		p := open[k]
		delete(open, k)
		p.endAt = at
		if resumed {
			t := at
			p.ResumedAt = &t
			p.ResumedByWhom = whom
		}
		b := by
		p.ResumedBy = &b
		byCall[k] = append(byCall[k], *p)
	}
	for _, r := range sorted {
		st := stateOf(r)
		if st == "" || r.CorrelationID == "" {
			continue
		}
		k := sessionOf{r.UCC, r.CorrelationID}
		at := r.Time.UTC()
		_, isOpen := open[k]
		again := r.Action == "Pause" && r.Outcome == audit.OutcomeOK
		switch {
		case st == "paused" && isOpen && !again:
			// Still paused (a Mark while paused, a re-read): nothing ends.
		case st == "paused":
			if isOpen {
				// Paused again, and the server refuses to pause a paused
				// recording: someone resumed it outside recdeck.
				closeAt(k, at, endUnknown, false, "")
			}
			if _, seen := byCall[k]; !seen {
				order = append(order, k)
				byCall[k] = nil
			}
			open[k] = &pauseRow{UCC: r.UCC, CorrelationID: r.CorrelationID, Requester: r.Requester, PausedAt: at,
				Server: r.Server, Profile: r.Profile, Source: r.Source}
		case !isOpen:
		case st == "started" && r.Action == "Start":
			by := endManual
			switch r.Trigger {
			case audit.TriggerPaymentMode:
				by = endPaymentMode
			case audit.TriggerPolicy:
				by = endPolicy
			}
			closeAt(k, at, by, true, r.Requester)
		case st == "ended":
			closeAt(k, at, endCallEnded, false, "")
		case st == "stopped":
			closeAt(k, at, endStopped, false, "")
		default:
			closeAt(k, at, endUnknown, false, "")
		}
	}
	for k, p := range open {
		p.endAt = end
		byCall[k] = append(byCall[k], *p)
	}
	var out []pauseRow
	for _, k := range order {
		ps := byCall[k]
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].PausedAt.Before(ps[j].PausedAt) })
		for _, p := range ps {
			d := max(p.endAt.Sub(p.PausedAt), 0)
			p.DurationSeconds = math.Round(d.Seconds()*1000) / 1000
			p.Exceeded = d > maxPause
			out = append(out, p)
		}
	}
	return out
}

// totals sums the pauses per requester and per UCC, each sorted by name.
func totals(ps []pauseRow) ([]requesterTotal, []uccTotal) {
	add := func(m map[string]*total, key string, p pauseRow) {
		t := m[key]
		if t == nil {
			t = &total{Key: key}
			m[key] = t
		}
		t.Pauses++
		t.TotalSeconds = math.Round((t.TotalSeconds+p.DurationSeconds)*1000) / 1000
		t.LongestSecs = max(t.LongestSecs, p.DurationSeconds)
		if p.Exceeded {
			t.Exceeded++
		}
		if p.ResumedBy == nil {
			t.Open++
		}
	}
	byReq, byUCC := map[string]*total{}, map[string]*total{}
	for _, p := range ps {
		add(byReq, p.Requester, p)
		add(byUCC, p.UCC, p)
	}
	sorted := func(m map[string]*total) []total {
		var out []total
		for _, t := range m {
			out = append(out, *t)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	rt, ut := []requesterTotal{}, []uccTotal{}
	for _, t := range sorted(byReq) {
		rt = append(rt, requesterTotal{Requester: t.Key, total: t})
	}
	for _, t := range sorted(byUCC) {
		ut = append(ut, uccTotal{UCC: t.Key, total: t})
	}
	return rt, ut
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func fmtBy(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func writeReportText(w io.Writer, doc reportDoc) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Pauses (max %s)\n", time.Duration(doc.MaxPauseSeconds*float64(time.Second)))
	fmt.Fprintln(tw, "UCC\tCORRELATION ID\tREQUESTER\tPAUSED AT\tRESUMED AT\tDURATION\tRESUMED BY\tEXCEEDED")
	if len(doc.Pauses) == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	for _, p := range doc.Pauses {
		resumed, by := fmtTime(p.ResumedAt), fmtBy(p.ResumedBy)
		if resumed == "" {
			resumed = "-"
		}
		if by == "" {
			by = "still paused"
		}
		exceeded := "no"
		if p.Exceeded {
			exceeded = "YES"
		}
		dur := (time.Duration(p.DurationSeconds*1000) * time.Millisecond).Round(time.Second).String()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(p.UCC), cell(p.CorrelationID), cell(p.Requester),
			fmtTime(&p.PausedAt), resumed, dur, by, exceeded)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Totals per requester")
	fmt.Fprintln(tw, "REQUESTER\tPAUSES\tEXCEEDED\tSTILL PAUSED\tTOTAL\tLONGEST")
	for _, t := range doc.ByRequester {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\n", cell(t.Requester), t.Pauses, t.Exceeded, t.Open, secs(t.TotalSeconds), secs(t.LongestSecs))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Totals per UCC")
	fmt.Fprintln(tw, "UCC\tPAUSES\tEXCEEDED\tSTILL PAUSED\tTOTAL\tLONGEST")
	for _, t := range doc.ByUCC {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\n", cell(t.UCC), t.Pauses, t.Exceeded, t.Open, secs(t.TotalSeconds), secs(t.LongestSecs))
	}
	return tw.Flush()
}

// cell is an outside string for a table cell: printable, never empty.
func cell(s string) string {
	s = strings.TrimSpace(safetext.Out(s))
	if s == "" {
		return "-"
	}
	return s
}

func secs(s float64) string {
	return (time.Duration(s*1000) * time.Millisecond).Round(time.Second).String()
}

func writeReportCSV(w io.Writer, ps []pauseRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"ucc", "correlation_id", "requester", "paused_at", "resumed_at", "duration_seconds", "resumed_by", "exceeded", "resumed_by_requester", "server", "profile", "source"})
	for _, p := range ps {
		_ = cw.Write([]string{safetext.Out(p.UCC), safetext.Out(p.CorrelationID), safetext.Out(p.Requester),
			fmtTime(&p.PausedAt), fmtTime(p.ResumedAt), strconv.FormatFloat(p.DurationSeconds, 'f', -1, 64),
			fmtBy(p.ResumedBy), strconv.FormatBool(p.Exceeded), safetext.Out(p.ResumedByWhom),
			safetext.Out(p.Server), safetext.Out(p.Profile), safetext.Out(p.Source)})
	}
	cw.Flush()
	return cw.Error()
}

func writeReportJSON(w io.Writer, doc reportDoc) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", jsonTerminalSafe(b))
	return err
}

// jsonTerminalSafe escapes, as \u sequences, every character of a JSON
// text that a terminal would act on (C1 controls, DEL, bidirectional
// controls; encoding/json already escapes C0): a consumer printing the
// document sees them, never obeys them. The JSON means the same.
func jsonTerminalSafe(b []byte) []byte {
	var out strings.Builder
	s := string(b)
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' || unicode.Is(unicode.Bidi_Control, r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.WriteString(s[:n])
		}
		s = s[n:]
	}
	return []byte(out.String())
}
