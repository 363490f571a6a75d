package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestAppendWritesOneJSONLinePerRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "recdeck", "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	recs := []Record{
		{Time: at, Profile: "prod", UCC: "ucc-demo-name", CorrelationID: "1d6c6a58-6739-4f0c-98ff-0968292c8c30",
			Action: "Pause", Requester: "sip:agent@domain.com", Outcome: OutcomeOK, State: "Paused"},
		{Time: at, UCC: "ucc-demo-name", CorrelationID: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", Action: "Pause",
			Requester: "sip:agent@domain.com", Outcome: OutcomeFailed, ErrorType: "Validation",
			ErrorMessage: "Recorder state is Paused, this state cannot be paused"},
	}
	for _, r := range recs {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d: %q", len(lines), lines)
	}
	var got Record
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil {
		t.Fatal(err)
	}
	if got.ErrorMessage != recs[1].ErrorMessage || got.Outcome != OutcomeFailed || !got.Time.Equal(at) {
		t.Errorf("round trip: %+v", got)
	}
	for _, k := range []string{`"time"`, `"ucc"`, `"correlation_id"`, `"action"`, `"requester"`, `"outcome"`, `"error_message"`} {
		if !strings.Contains(lines[1], k) {
			t.Errorf("line lacks %s: %s", k, lines[1])
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestOpenClosesATornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	torn := `{"time":"2025-03-01T12:00:00Z","ucc":"a","correlation_id":"b","action":"Pau`
	if err := os.WriteFile(path, []byte(`{"ok":1}`+"\n"+torn), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Record{UCC: "u", CorrelationID: "c", Action: "Start", Outcome: OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	lines := readLines(t, path)
	if len(lines) != 3 || lines[1] != torn {
		t.Fatalf("lines %q", lines)
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[2]), &r); err != nil || r.Action != "Start" {
		t.Fatalf("new record not on its own line: %q (%v)", lines[2], err)
	}

	// A clean file gets no extra blank line.
	l, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if n := len(readLines(t, path)); n != 3 {
		t.Errorf("reopening a clean file changed it: %d lines", n)
	}
}

func TestConcurrentAppendsStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path) // a second console on the same file
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l := a
			if i%2 == 1 {
				l = b
			}
			if err := l.Append(Record{UCC: strings.Repeat("u", 200), CorrelationID: "c", Action: "Mark", Outcome: OutcomeOK}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	a.Close()
	b.Close()
	lines := readLines(t, path)
	if len(lines) != 20 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, ln := range lines {
		var r Record
		if err := json.Unmarshal([]byte(ln), &r); err != nil {
			t.Fatalf("torn line %q: %v", ln, err)
		}
	}
	if err := a.Append(Record{}); err == nil {
		t.Error("append after close should fail")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvPath, "/tmp/x/audit.log")
	if p, _ := DefaultPath(); p != "/tmp/x/audit.log" {
		t.Errorf("env override: %s", p)
	}
	t.Setenv(EnvPath, "")
	t.Setenv("XDG_STATE_HOME", "/var/state")
	if p, _ := DefaultPath(); p != "/var/state/recdeck/audit.log" {
		t.Errorf("xdg: %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/ann")
	if p, _ := DefaultPath(); p != "/home/ann/.local/state/recdeck/audit.log" {
		t.Errorf("home: %s", p)
	}
}
