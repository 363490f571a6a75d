package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui/audit"
)

const (
	repA = "aaaaaaaa-6739-4f0c-98ff-0968292c8c30"
	repB = "bbbbbbbb-6739-4f0c-98ff-0968292c8c30"
	repC = "cccccccc-6739-4f0c-98ff-0968292c8c30"
	repD = "dddddddd-6739-4f0c-98ff-0968292c8c30"
	repE = "eeeeeeee-6739-4f0c-98ff-0968292c8c30"
	repF = "ffffffff-6739-4f0c-98ff-0968292c8c30"
)

var repT0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// repLine is one crafted audit line at t0+sec.
func repLine(t *testing.T, sec int, r audit.Record) string {
	t.Helper()
	r.Time = repT0.Add(time.Duration(sec) * time.Second)
	if r.Requester == "" {
		r.Requester = "sip:agent1@domain.com"
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// craftedLog writes a rotated file and a current log covering every way a
// pause ends, with damaged lines, and returns the current log's path.
func craftedLog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ok := func(sec int, ucc, id, action, state string, mod ...func(*audit.Record)) string {
		r := audit.Record{UCC: ucc, CorrelationID: id, Action: action, Outcome: audit.OutcomeOK, State: state, Phase: audit.PhaseOutcome, ID: id + action}
		for _, m := range mod {
			m(&r)
		}
		return repLine(t, sec, r)
	}
	trig := func(s string) func(*audit.Record) { return func(r *audit.Record) { r.Trigger = s } }
	by := func(s string) func(*audit.Record) { return func(r *audit.Record) { r.Requester = s } }
	yes := true
	rotated := []string{
		repLine(t, 0, audit.Record{UCC: "payments", CorrelationID: repA, Action: "Pause", Phase: audit.PhaseAttempt, ID: "a1"}),
		ok(1, "payments", repA, "Pause", "Paused"),
		"{torn",
	}
	current := []string{
		ok(61, "payments", repA, "Start", "Started"),                                  // A: manual, 60 s
		ok(100, "payments", repA, "Pause", "Paused"),                                  // A: second pause
		ok(300, "payments", repA, "Start", "Started", trig(audit.TriggerPaymentMode)), // A: payment-mode, 200 s, exceeded
		ok(10, "ucc-demo-name", repB, "Pause", "Paused", by("sip:agent2@domain.com")),
		ok(20, "ucc-demo-name", repB, "Mark", "Paused"), // still paused
		"not json at all",
		ok(191, "ucc-demo-name", repB, "Start", "Started", trig(audit.TriggerPolicy)), // B: policy, 181 s, exceeded
		repLine(t, 30, audit.Record{UCC: "payments", CorrelationID: repC, Action: "Pause", Outcome: audit.OutcomeUnknown, Phase: audit.PhaseOutcome}),
		repLine(t, 31, audit.Record{UCC: "payments", CorrelationID: repC, Action: "Pause", Outcome: audit.OutcomeConfirmed, State: "Paused", Applied: &yes, Phase: audit.PhaseOutcome}),
		repLine(t, 91, audit.Record{UCC: "payments", CorrelationID: repC, Action: audit.ActionCallEnded, Outcome: audit.OutcomeOK}), // C: call-ended, 60 s
		ok(40, "payments", repD, "Pause", "Paused"), // D: never resumed
		`{"ucc":"x"}`,
		repLine(t, 45, audit.Record{UCC: "payments", CorrelationID: repE, Action: "Pause", Outcome: audit.OutcomeFailed}), // not a pause
		ok(50, "payments", repE, "Pause", "Paused"),
		ok(70, "payments", repE, "Stop", "Stopped"), // E: stopped, 20 s
		ok(5, "payments", repF, "Pause", "Paused", by("sip:\x1b]0;evil\x07\u202eagent3@domain.com")),
		ok(500, "payments", repF, "Pause", "Paused", by("sip:\x1b]0;evil\x07\u202eagent3@domain.com")),                                                      // F: paused again: unknown 495 s; then open
		repLine(t, 600, audit.Record{Vendor: "voipnow", UCC: "payments", CorrelationID: repF, Action: "Start", Outcome: audit.OutcomeOK, State: "Started"}), // another vendor
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.log.1"), []byte(strings.Join(rotated, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(path, []byte(strings.Join(current, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportFromACraftedLog(t *testing.T) {
	coreEnv(t)
	path := craftedLog(t)
	until := repT0.Add(time.Hour).Format(time.RFC3339)
	code, out, errOut := coreRun(t, "report", "--audit-log", path, "--until", until, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Damaged lines: reported with file and line, skipped, not fatal.
	for _, want := range []string{"audit.log.1:3: ", "audit.log:6: ", "audit.log:12: "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Count(errOut, "\n") != 3 {
		t.Errorf("stderr:\n%s", errOut)
	}
	if strings.ContainsAny(out, "\x1b\u202e\x07") {
		t.Fatalf("raw control characters in the JSON: %q", out)
	}
	if !strings.Contains(out, `\u001b`) || !strings.Contains(out, `\u202e`) {
		t.Fatalf("the hostile requester is not escaped: %s", out)
	}
	var doc struct {
		DamagedLines int `json:"damaged_lines"`
		Pauses       []struct {
			UCC           string   `json:"ucc"`
			CorrelationID string   `json:"correlation_id"`
			Requester     string   `json:"requester"`
			PausedAt      string   `json:"paused_at"`
			ResumedAt     *string  `json:"resumed_at"`
			Duration      *float64 `json:"duration_seconds"`
			ResumedBy     *string  `json:"resumed_by"`
			Exceeded      *bool    `json:"exceeded"`
		} `json:"pauses"`
		ByRequester []struct {
			Requester string  `json:"requester"`
			Pauses    int     `json:"pauses"`
			Exceeded  int     `json:"exceeded"`
			Open      int     `json:"open"`
			Total     float64 `json:"total_seconds"`
		} `json:"totals_by_requester"`
		ByUCC []struct {
			UCC    string `json:"ucc"`
			Pauses int    `json:"pauses"`
		} `json:"totals_by_ucc"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	type want struct {
		id, by  string // by "" = still paused (null)
		at      int
		resumed int // -1: null
		dur     float64
		exc     bool
	}
	wants := []want{
		{repA, "manual", 1, 61, 60, false},
		{repA, "payment-mode", 100, 300, 200, true},
		{repF, "unknown", 5, -1, 495, true},
		{repF, "", 500, -1, 3100, true},
		{repB, "policy", 10, 191, 181, true},
		{repC, "call-ended", 31, -1, 60, false},
		{repD, "", 40, -1, 3560, true},
		{repE, "stopped", 50, -1, 20, false},
	}
	if len(doc.Pauses) != len(wants) || doc.DamagedLines != 3 {
		t.Fatalf("%d pauses, %d damaged: %s", len(doc.Pauses), doc.DamagedLines, out)
	}
	for i, w := range wants {
		p := doc.Pauses[i]
		at := repT0.Add(time.Duration(w.at) * time.Second).Format(time.RFC3339)
		if p.CorrelationID != w.id || p.PausedAt != at || p.Duration == nil || *p.Duration != w.dur || p.Exceeded == nil || *p.Exceeded != w.exc {
			t.Errorf("pause %d: %+v, want %+v", i, p, w)
		}
		if (w.by == "") != (p.ResumedBy == nil) || (p.ResumedBy != nil && *p.ResumedBy != w.by) {
			t.Errorf("pause %d: resumed_by %v, want %q", i, p.ResumedBy, w.by)
		}
		if w.resumed < 0 && p.ResumedAt != nil || w.resumed >= 0 && (p.ResumedAt == nil || *p.ResumedAt != repT0.Add(time.Duration(w.resumed)*time.Second).Format(time.RFC3339)) {
			t.Errorf("pause %d: resumed_at %v, want %d", i, p.ResumedAt, w.resumed)
		}
	}
	if doc.Pauses[4].Requester != "sip:agent2@domain.com" {
		t.Errorf("requester %q", doc.Pauses[4].Requester)
	}
	// Totals: agent1 has A (2), C, D, E; agent2 has B; agent3 has F (2).
	// Sorted by requester: the hostile one (ESC sorts first), agent1, agent2.
	if len(doc.ByRequester) != 3 || doc.ByRequester[1].Requester != "sip:agent1@domain.com" || doc.ByRequester[1].Pauses != 5 ||
		doc.ByRequester[1].Exceeded != 2 || doc.ByRequester[1].Open != 1 || doc.ByRequester[1].Total != 60+200+60+3560+20 ||
		doc.ByRequester[0].Pauses != 2 || doc.ByRequester[0].Open != 1 || doc.ByRequester[2].Pauses != 1 {
		t.Errorf("totals by requester %+v", doc.ByRequester)
	}
	if len(doc.ByUCC) != 2 || doc.ByUCC[0].UCC != "payments" || doc.ByUCC[0].Pauses != 7 || doc.ByUCC[1].Pauses != 1 {
		t.Errorf("totals by UCC %+v", doc.ByUCC)
	}

	// CSV: a header row, one row per pause; filters by UCC and time.
	code, out, _ = coreRun(t, "report", "--audit-log", path, "--until", until, "--csv", "--ucc", "payments", "--since", repT0.Add(30*time.Second).Format(time.RFC3339))
	if code != exitOK {
		t.Fatalf("csv exit %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	if strings.Join(rows[0][:8], ",") != "ucc,correlation_id,requester,paused_at,resumed_at,duration_seconds,resumed_by,exceeded" {
		t.Fatalf("header %v", rows[0])
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[1][:1]+":"+r[6])
	}
	if got := strings.Join(ids, " "); got != "a:payment-mode f: c:call-ended d: e:stopped" {
		t.Fatalf("csv rows %s\n%s", got, out)
	}

	// Text: a table, then the totals; no raw control characters.
	code, out, _ = coreRun(t, "report", "--audit-log", path, "--until", until, "--max-pause", "10m")
	if code != exitOK || strings.ContainsAny(out, "\x1b\u202e\x07") {
		t.Fatalf("text exit %d: %q", code, out)
	}
	for _, want := range []string{"Pauses (max 10m0s)", "RESUMED BY", "still paused", "payment-mode", "Totals per requester", "Totals per UCC", "sip:agent2@domain.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "YES") != 2 { // only the two open-ended ones pass 10 min
		t.Errorf("exceeded with --max-pause 10m:\n%s", out)
	}

	// Usage errors.
	for _, args := range [][]string{
		{"report", "--audit-log", path, "--json", "--csv"},
		{"report", "--audit-log", path, "--since", "yesterday"},
		{"report", "--audit-log", path, "--since", "2025-03-02", "--until", "2025-03-01"},
		{"report", "--audit-log", filepath.Join(t.TempDir(), "none.log")},
	} {
		if code, _, errOut := coreRun(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

// A log written by real `recdeck set` runs against the simulator: pause,
// resume, pause again; a refused pause adds nothing.
func TestReportFromRealSetRuns(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	base := []string{"--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", sim.DemoAgent}
	start := time.Now().UTC().Add(-time.Second)
	for _, action := range []string{"pause", "pause", "start", "mark", "pause"} {
		code, _, errOut := coreRun(t, append([]string{"set", action}, base...)...)
		if code != exitOK && !(action == "pause" && code == exitAPI) {
			t.Fatalf("set %s: exit %d %s", action, code, errOut)
		}
	}
	code, out, errOut := coreRun(t, "report", "--json", "--since", start.Format(time.RFC3339))
	if code != exitOK || errOut != "" {
		t.Fatalf("report: exit %d %s", code, errOut)
	}
	var doc struct {
		Files  []string `json:"files"`
		Pauses []struct {
			UCC       string  `json:"ucc"`
			ID        string  `json:"correlation_id"`
			Requester string  `json:"requester"`
			ResumedAt *string `json:"resumed_at"`
			ResumedBy *string `json:"resumed_by"`
			Duration  float64 `json:"duration_seconds"`
			Server    string  `json:"server"`
			Source    string  `json:"source"`
		} `json:"pauses"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Pauses) != 2 || len(doc.Files) != 1 {
		t.Fatalf("report: %s", out)
	}
	first, second := doc.Pauses[0], doc.Pauses[1]
	if first.UCC != "ucc-demo-name" || first.ID != coreTestID || first.Requester != sim.DemoAgent || first.ResumedBy == nil ||
		*first.ResumedBy != "manual" || first.ResumedAt == nil || first.Duration < 0 || first.Duration > 30 ||
		first.Server != st.URL || first.Source != audit.SourceCLI {
		t.Fatalf("first pause %+v", first)
	}
	if second.ResumedBy != nil || second.ResumedAt != nil {
		t.Fatalf("second pause is still open: %+v", second)
	}
}
