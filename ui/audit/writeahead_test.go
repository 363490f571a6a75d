package audit

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBeginEndWriteAheadPair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	base := Record{Profile: "prod", Server: "https://core.example", Source: SourceCLI, UCC: "payments",
		CorrelationID: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", Action: "Pause", Requester: "sip:agent@domain.com"}
	att, err := l.Begin(base)
	if err != nil {
		t.Fatal(err)
	}
	// The attempt is on disk before End: read the file now.
	recs := readRecords(t, path, 0)
	if len(recs) != 1 || recs[0].Phase != PhaseAttempt || recs[0].Outcome != "" || recs[0].ID == "" || recs[0].Server != base.Server {
		t.Fatalf("attempt record: %+v", recs)
	}
	if d := Dangling(recs); len(d) != 1 || d[0].ID != recs[0].ID {
		t.Fatalf("Dangling before End: %+v", d)
	}
	if err := att.End(OutcomeUnknown, func(r *Record) { r.ErrorMessage = "answer lost" }); err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := att.End(OutcomeConfirmed, func(r *Record) { r.State, r.Applied = "Paused", &yes }); err != nil {
		t.Fatal(err)
	}
	recs = readRecords(t, path, 0)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs[1:] {
		if r.ID != recs[0].ID || r.Phase != PhaseOutcome || r.Server != base.Server || r.Profile != "prod" || r.Source != SourceCLI {
			t.Fatalf("outcome record does not carry the attempt's fields: %+v", r)
		}
	}
	if recs[1].Outcome != OutcomeUnknown || recs[2].Outcome != OutcomeConfirmed || recs[2].State != "Paused" || recs[2].Applied == nil || !*recs[2].Applied {
		t.Fatalf("outcomes: %+v", recs[1:])
	}
	if d := Dangling(recs); len(d) != 0 {
		t.Fatalf("Dangling after End: %+v", d)
	}
}

// failingAppender is a log that cannot be written.
type failingAppender struct{ err error }

func (f failingAppender) Append(Record) error { return f.err }

func TestBeginOnAnAppenderThatFails(t *testing.T) {
	boom := errors.New("disk full")
	att, err := Begin(failingAppender{boom}, Record{Action: "Pause"})
	if !errors.Is(err, boom) || att != nil {
		t.Fatalf("Begin: %v %v", att, err)
	}
	if err := att.End(OutcomeOK, nil); err != nil { // a nil attempt ends quietly
		t.Fatal(err)
	}
	if _, err := Begin(nil, Record{Action: "Pause"}); err == nil {
		t.Fatal("Begin on no log succeeded")
	}
}

func TestDanglingPairsByID(t *testing.T) {
	recs := []Record{
		{ID: "a", Phase: PhaseAttempt, Action: "Pause"},
		{ID: "b", Phase: PhaseAttempt, Action: "Start"},
		{ID: "a", Phase: PhaseOutcome, Action: "Pause", Outcome: OutcomeOK},
		{ID: "c", Phase: PhaseAttempt, Action: "Mark"},
		{Action: "Pause", Outcome: OutcomeOK}, // an old record without phase
		{ID: "c", Phase: PhaseOutcome, Action: "Mark", Outcome: OutcomeUnknown},
	}
	d := Dangling(recs)
	if len(d) != 1 || d[0].ID != "b" {
		t.Fatalf("Dangling: %+v", d)
	}
}

func TestScanReportsLineNumbers(t *testing.T) {
	good := `{"time":"2025-03-01T12:00:00Z","ucc":"u","correlation_id":"c","action":"Pause","requester":"sip:a@b","outcome":"ok"}`
	attempt := `{"time":"2025-03-01T12:00:00Z","ucc":"u","correlation_id":"c","action":"Pause","requester":"sip:a@b","outcome":"","id":"x","phase":"attempt"}`
	in := strings.Join([]string{good, "{torn", "", attempt, `{"ucc":"u"}`, good}, "\n")
	var n int
	var bad []int
	if err := Scan(strings.NewReader(in), func(Record) { n++ }, func(line int, _ string) { bad = append(bad, line) }); err != nil {
		t.Fatal(err)
	}
	if n != 3 || len(bad) != 2 || bad[0] != 2 || bad[1] != 5 {
		t.Fatalf("%d records, damaged lines %v", n, bad)
	}
}

func TestReadFilesReadsRotatedLogsOldestFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	line := func(action string) string {
		return `{"time":"2025-03-01T12:00:00Z","ucc":"u","correlation_id":"c","action":"` + action + `","requester":"","outcome":"ok"}` + "\n"
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(line("Stop") + "garbage\n"))
	zw.Close()
	write("audit.log.3.gz", gz.String())
	write("audit.log.2", line("Mark"))
	write("audit.log.1", line("UnMark")+"{torn")
	write("audit.log", line("Start"))
	write("audit.log.x", line("Delete"))  // not a rotation
	write("audit.log.01", line("Delete")) // not one either
	write("other.log.1", line("Delete"))  // another log
	// A cut archive keeps what it held before the cut.
	write("audit.log.4.gz", gz.String()[:gz.Len()-6])

	var damaged []Damage
	recs, err := ReadFiles(path, func(d Damage) { damaged = append(damaged, d) })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Action)
	}
	if strings.Join(got, ",") != "Stop,Stop,Mark,UnMark,Start" {
		t.Fatalf("order %v", got)
	}
	var where []string
	for _, d := range damaged {
		where = append(where, filepath.Base(d.File)+":"+string(rune('0'+d.Line)))
	}
	if strings.Join(where, " ") != "audit.log.4.gz:2 audit.log.4.gz:0 audit.log.3.gz:2 audit.log.1:2" {
		t.Fatalf("damage reported: %v", damaged)
	}

	if _, err := ReadFiles(filepath.Join(dir, "nothing.log"), nil); err == nil {
		t.Fatal("no log at all is an error")
	}
}

func TestReadTailFindsTheLastRunsDanglingAttempt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ { // older history, paired
		att, err := l.Begin(Record{UCC: "u", CorrelationID: "c", Action: "Mark"})
		if err != nil {
			t.Fatal(err)
		}
		att.End(OutcomeOK, nil)
	}
	last, err := l.Begin(Record{UCC: "payments", CorrelationID: "d", Action: "Pause", Server: "http://s"})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	recs, err := ReadTail(path, 4096) // cuts into the middle of a line
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || len(recs) > 40 {
		t.Fatalf("%d records from the tail", len(recs))
	}
	d := Dangling(recs)
	if len(d) != 1 || d[0].ID != last.Record().ID {
		t.Fatalf("dangling %+v", d)
	}
	if recs, err := ReadTail(filepath.Join(t.TempDir(), "none"), 10); err != nil || recs != nil {
		t.Fatalf("missing log: %v %v", recs, err)
	}
}

func TestAppendKeepsNoCredentialOfTheServerURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, in := range []string{"https://user:S3CR3T-pw-77@core.example:8443/prefix?apiKey=S3CR3T-key-88#frag", "http://S3CR3T-only-user@h", "::bad"} {
		if err := l.Append(Record{Action: "Pause", Outcome: OutcomeOK, Server: in}); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "S3CR3T") {
		t.Fatalf("a credential reached the log:\n%s", data)
	}
	recs := readRecords(t, path, 0)
	if recs[0].Server != "https://core.example:8443/prefix" || recs[1].Server != "http://h" || recs[2].Server != "(unparsable server URL)" {
		t.Fatalf("servers %q %q %q", recs[0].Server, recs[1].Server, recs[2].Server)
	}
}
