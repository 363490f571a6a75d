package audit

// Issue 4: the audit log survives the process being killed. A child
// process (this test binary, re-run with an environment variable) appends
// records and prints "reported N" only once Append has returned, which is
// when the console shows the action's outcome; the parent kills it with
// SIGKILL as soon as it reads the line, and record N must be whole on disk.
// Then a torn last line, as a crash mid-write would leave, is written by
// hand: the next Open and Append start a new, valid line, and Read skips
// the torn one.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashEnv names the log the child process appends to.
const crashEnv = "RECDECK_AUDIT_CRASH_CHILD"

// crashRecord is the n-th record the child writes.
func crashRecord(n int) Record {
	return Record{Profile: "crash", UCC: "ucc-demo-name", CorrelationID: fmt.Sprintf("1d6c6a58-6739-4f0c-98ff-%012d", n),
		Action: "Pause", Requester: "sip:agent@domain.com", Outcome: OutcomeOK, State: "Paused"}
}

// TestCrashChild is the child process: it is skipped unless the parent
// test started it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child process of TestAuditSurvivesKill")
	}
	l, err := Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	// Bounded, so a child whose parent died does not run for ever.
	for n := 1; n <= 100000; n++ {
		if err := l.Append(crashRecord(n)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		// The outcome is reported only now, after the fsync.
		fmt.Fprintf(out, "reported %d\n", n)
		out.Flush()
	}
	os.Exit(0)
}

func TestAuditSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	// Kill at a few different points of the child's life.
	for _, target := range []int{1, 7, 40} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := len(readRecords(t, path, 0))
		watchdog := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
		sc := bufio.NewScanner(stdout)
		reported := 0
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "reported "); ok {
				reported, _ = strconv.Atoi(n)
				if reported >= target {
					// The screen has shown the outcome of record
					// `reported`: kill at once, no chance to clean up.
					if err := cmd.Process.Kill(); err != nil {
						t.Fatal(err)
					}
					break
				}
				continue
			}
			t.Fatalf("child: %s", line)
		}
		watchdog.Stop()
		_ = cmd.Wait()
		if reported < target {
			t.Fatalf("the child reported %d of %d records before it ended; stderr:\n%s", reported, target, stderr.String())
		}
		recs := readRecords(t, path, 0)
		// Record `reported` of this run, and every one before it, is
		// on disk and whole; records after it may or may not be.
		if len(recs) < before+reported {
			t.Fatalf("kill after %d reported: only %d of this run's records on disk", reported, len(recs)-before)
		}
		for i := 0; i < reported; i++ {
			if got, want := recs[before+i].CorrelationID, crashRecord(i+1).CorrelationID; got != want {
				t.Fatalf("record %d of the run: %s, want %s", i+1, got, want)
			}
		}
		t.Logf("killed after %d reported: %d records of the run on disk", reported, len(recs)-before)
	}

	// A crash mid-write leaves a torn last line (no newline).
	torn := `{"time":"2025-03-01T12:00:00Z","profile":"crash","ucc":"ucc-demo-name","correlation_id":"1d6c6a58-67`
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(torn); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before := readRecords(t, path, 1) // the torn line is skipped

	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	after := crashRecord(999999)
	after.Action, after.State = "Start", "Started"
	if err := l.Append(after); err != nil {
		t.Fatal(err)
	}
	l.Close()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[len(lines)-2] != torn {
		t.Fatalf("the torn line was changed or joined: %q", lines[len(lines)-2])
	}
	recs, skipped, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || len(recs) != len(before)+1 {
		t.Fatalf("Read: %d records (want %d), %d skipped (want the torn line)", len(recs), len(before)+1, skipped)
	}
	if got := recs[len(recs)-1]; got.CorrelationID != after.CorrelationID || got.Action != "Start" {
		t.Fatalf("the record after the torn line: %+v", got)
	}
}

// readRecords reads the log, expecting wantSkipped lines that are not
// whole records.
func readRecords(t *testing.T, path string, wantSkipped int) []Record {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, skipped, err := Read(f)
	if err != nil || skipped != wantSkipped {
		t.Fatalf("Read: %v, %d lines skipped, want %d", err, skipped, wantSkipped)
	}
	return recs
}

func TestReadSkipsWhatIsNotARecord(t *testing.T) {
	good := `{"time":"2025-03-01T12:00:00Z","ucc":"u","correlation_id":"c","action":"Pause","requester":"sip:a@b","outcome":"ok"}`
	in := strings.Join([]string{
		good,
		`{"time":"2025-03-01T12:00:00Z","ucc":"u","correlation_id":"c","act`, // torn
		"",
		"null",
		`{"ucc":"u"}`, // no action or outcome
		strings.Repeat("x", MaxLineBytes+10),
		good + " trailing",
		good,
	}, "\n")
	recs, skipped, err := Read(strings.NewReader(in))
	if err != nil || len(recs) != 2 || skipped != 5 {
		t.Fatalf("%d records, %d skipped, %v", len(recs), skipped, err)
	}
}

// FuzzRead: Read never fails on any content, never returns a record
// without its action and outcome (unless it is an attempt record), and a well-formed record appended after
// any garbage and a newline is always read back.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"time":"2025-03-01T12:00:00Z","profile":"prod","ucc":"ucc-demo-name","correlation_id":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","action":"Pause","requester":"sip:agent@domain.com","outcome":"ok","state":"Paused"}` + "\n"))
	f.Add([]byte(`{"time":"2025-03-01T12:00:00Z","ucc":"ucc-demo-name","correlation_id":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","action":"Pause","requester":"sip:agent@domain.com","outcome":"failed","error_type":"Validation","error_message":"Recorder state is Paused, this state cannot be paused"}`))
	f.Add([]byte(`{"time":"2025-03-01T12:00:00Z","ucc":"a","correlation_id":"b","action":"Pau`))
	f.Add([]byte("\n\n\r\n"))
	f.Add([]byte(`{"action":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, _, err := Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Action == "" || (r.Outcome == "" && r.Phase != PhaseAttempt) {
				t.Fatalf("record without action, or without outcome and not an attempt: %+v", r)
			}
		}
		tail := []byte("\n" + `{"ucc":"u","correlation_id":"c","action":"Mark","requester":"","outcome":"ok"}` + "\n")
		recs2, _, err := Read(bytes.NewReader(append(append([]byte(nil), data...), tail...)))
		if err != nil || len(recs2) == 0 || recs2[len(recs2)-1].Action != "Mark" {
			t.Fatalf("the record after the data was lost: %v %+v", err, recs2)
		}
	})
}
