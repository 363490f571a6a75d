package main

// Issue 13 points 4 and 5 on the command line: `recdeck set` writes its
// attempt record before the request leaves (checked from inside the
// server's handler, after the simulator applied the set and before it
// answers), and a lost answer is exit 4 with the re-read state printed and
// audited. Connection refused stays exit 3.

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/internal/losstest"
	"github.com/recdeck/recdeck/ui/audit"
)

// lossy is a loopback server in front of the simulator that applies a
// set, then runs check (inside the handler, before any answer), then loses
// the answer as its mode says (package losstest).
type lossy struct {
	*losstest.Server
	URL string
	sim *sim.Server
}

func newLossy(t *testing.T) *lossy {
	t.Helper()
	l := &lossy{sim: sim.New(sim.Options{Seed: 3})}
	t.Cleanup(l.sim.Close) // after the server below has closed
	l.Server, l.URL = losstest.Serve(t, l.sim.Handler(), func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/recording/set")
	})
	return l
}

func (l *lossy) newCall(t *testing.T) string {
	t.Helper()
	st, err := l.sim.CreateCall("payments", "", true)
	if err != nil {
		t.Fatal(err)
	}
	return st.CorrelationId
}

func (l *lossy) state(id string) anywhere365.RecordingState {
	for _, c := range l.sim.Calls() {
		if c.CorrelationId == id {
			return c.RecordingState
		}
	}
	return -1
}

// auditRecords reads the audit log at path (none: no records).
func auditRecords(t *testing.T, path string) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	recs, skipped, err := audit.Read(bytes.NewReader(data))
	if err != nil || skipped != 0 {
		t.Fatalf("audit log: %v, %d damaged lines", err, skipped)
	}
	return recs
}

func TestSetUnknownOutcomeExits4ReReadsAndAuditsAhead(t *testing.T) {
	coreEnv(t)
	logPath := os.Getenv(audit.EnvPath)
	l := newLossy(t)

	// The length of the real answer, to cut it at every length.
	l.Set("", 0, nil)
	probe := l.newCall(t)
	code, out, errOut := coreRun(t, "set", "pause", "--base-url", l.URL, "--ucc", "payments", "--call", probe, "--sip", sim.DemoAgent, "--json")
	if code != exitOK {
		t.Fatalf("plain set: %d %s %s", code, out, errOut)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(out)); err != nil {
		t.Fatal(err)
	}
	full := compact.Len() // the simulator's answer is compact JSON

	type tc struct {
		mode  string
		cutAt int
	}
	cases := []tc{{"stall", 0}, {"garbage", 0}, {"hangup", 0}}
	for n := 0; n < full; n += 1 + n/16 { // every length at first, then spaced
		cases = append(cases, tc{losstest.Short, n})
	}
	cases = append(cases, tc{losstest.Short, full - 1})
	for _, c := range cases {
		name := c.mode + "-" + strconv.Itoa(c.cutAt)
		id := l.newCall(t)
		sawAttempt := false
		l.Set(c.mode, c.cutAt, func() {
			// Inside the handler: the simulator has applied the pause,
			// nothing is answered yet, and the attempt is on disk.
			recs := auditRecords(t, logPath)
			last := recs[len(recs)-1]
			sawAttempt = last.Phase == audit.PhaseAttempt && last.CorrelationID == id && last.Action == "Pause" &&
				last.Server == l.URL && last.Source == audit.SourceCLI && last.Vendor == "anywhere365" && last.ID != ""
		})
		code, out, errOut := coreRun(t, "set", "pause", "--base-url", l.URL, "--ucc", "payments", "--call", id,
			"--sip", sim.DemoAgent, "--timeout", "500ms")
		if code != exitUnknown {
			t.Fatalf("%s: exit %d, want 4; stdout %q stderr %q", name, code, out, errOut)
		}
		if !sawAttempt {
			t.Fatalf("%s: no attempt record on disk before the answer", name)
		}
		if l.state(id) != anywhere365.RecordingPaused {
			t.Fatalf("%s: the simulator did not apply the pause", name)
		}
		if !strings.Contains(out, "Pause unknown; re-read: now Paused") || !strings.Contains(out, "Recording=Paused") {
			t.Fatalf("%s: stdout %q", name, out)
		}
		if !strings.Contains(errOut, anywhere365.UnknownOutcomeText) || strings.Contains(errOut, "\x1b") {
			t.Fatalf("%s: stderr %q", name, errOut)
		}
		recs := auditRecords(t, logPath)
		if len(recs) < 3 {
			t.Fatalf("%s: %d records", name, len(recs))
		}
		att, unk, conf := recs[len(recs)-3], recs[len(recs)-2], recs[len(recs)-1]
		if att.Phase != audit.PhaseAttempt || unk.ID != att.ID || conf.ID != att.ID ||
			unk.Outcome != audit.OutcomeUnknown || !strings.Contains(unk.ErrorMessage, anywhere365.UnknownOutcomeText) ||
			conf.Outcome != audit.OutcomeConfirmed || conf.State != "Paused" || conf.Applied == nil || !*conf.Applied {
			t.Fatalf("%s: records\n%+v\n%+v\n%+v", name, att, unk, conf)
		}
		if d := audit.Dangling(recs); len(d) != 0 {
			t.Fatalf("%s: dangling %+v", name, d)
		}
	}
}

func TestSetConnectionRefusedIsExit3AndAudited(t *testing.T) {
	coreEnv(t)
	logPath := os.Getenv(audit.EnvPath)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	code, out, errOut := coreRun(t, "set", "pause", "--base-url", base, "--ucc", "payments", "--call", coreTestID, "--sip", sim.DemoAgent)
	if code != exitNetwork || strings.Contains(errOut, anywhere365.UnknownOutcomeText) || out != "" {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, errOut)
	}
	recs := auditRecords(t, logPath)
	if len(recs) != 2 || recs[0].Phase != audit.PhaseAttempt || recs[1].Outcome != audit.OutcomeFailed || recs[1].Server != base {
		t.Fatalf("records %+v", recs)
	}
}

func TestSetNoAuditAndUnwritableAudit(t *testing.T) {
	coreEnv(t)
	logPath := os.Getenv(audit.EnvPath)
	l := newLossy(t)
	id := l.newCall(t)
	code, out, errOut := coreRun(t, "set", "pause", "--no-audit", "--base-url", l.URL, "--ucc", "payments", "--call", id, "--sip", sim.DemoAgent)
	if code != exitOK || !strings.Contains(out, "Pause ok:") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(logPath); !os.IsNotExist(err) {
		t.Fatalf("--no-audit wrote the log: %v", err)
	}

	// A log that cannot be opened: nothing is sent.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(audit.EnvPath, filepath.Join(blocker, "audit.log"))
	code, _, errOut = coreRun(t, "set", "start", "--base-url", l.URL, "--ucc", "payments", "--call", id, "--sip", sim.DemoAgent)
	if code != exitUsage || !strings.Contains(errOut, "nothing was sent") || !strings.Contains(errOut, "--no-audit") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if l.state(id) != anywhere365.RecordingPaused {
		t.Fatal("the start was sent although it could not be audited")
	}
}

// killedSetEnv carries the arguments of the child `recdeck set` run.
const killedSetEnv = "RECDECK_TEST_KILLED_SET_ARGS"

// TestKilledSetChild is the child process of TestSetKilledBeforeTheAnswer:
// `recdeck set` in a process the parent kills. Skipped otherwise.
func TestKilledSetChild(t *testing.T) {
	args := os.Getenv(killedSetEnv)
	if args == "" {
		t.Skip("the child process of TestSetKilledBeforeTheAnswer")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// A `recdeck set` killed (SIGKILL) after the server applied a pause but
// before the answer reached it leaves its attempt record on disk; the
// next console start reports it, records its outcome as unknown and
// re-reads the call, whose row then shows it paused. The help screen
// names the log.
func TestSetKilledBeforeTheAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	home := isolate(t)
	logPath := filepath.Join(home, "state", "audit.log")
	t.Setenv(audit.EnvPath, logPath)
	l := newLossy(t)
	id := l.newCall(t)
	applied := make(chan bool, 1)
	l.Set("stall", 0, func() {
		recs := auditRecords(t, logPath)
		applied <- len(recs) == 1 && recs[0].Phase == audit.PhaseAttempt && recs[0].CorrelationID == id
	})

	child := exec.Command(os.Args[0], "-test.run=^TestKilledSetChild$", "-test.count=1")
	child.Env = append(os.Environ(), killedSetEnv+"="+strings.Join([]string{"set", "pause", "--base-url", l.URL,
		"--ucc", "payments", "--call", id, "--sip", sim.DemoAgent, "--timeout", "60s"}, "\n"))
	var childOut bytes.Buffer
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case ok := <-applied:
		if !ok {
			t.Fatal("the attempt record was not on disk when the server applied the pause")
		}
	case <-time.After(30 * time.Second):
		_ = child.Process.Kill()
		t.Fatalf("the child never reached the server: %s", childOut.String())
	}
	if err := child.Process.Kill(); err != nil { // the answer never leaves the server
		t.Fatal(err)
	}
	_ = child.Wait()
	if l.state(id) != anywhere365.RecordingPaused {
		t.Fatal("the pause was not applied: the test proves nothing")
	}
	recs := auditRecords(t, logPath)
	if d := audit.Dangling(recs); len(recs) != 1 || len(d) != 1 || d[0].Server != l.URL || d[0].Source != audit.SourceCLI {
		t.Fatalf("after the kill: %+v", recs)
	}

	// The next console start.
	l.Set("", 0, nil)
	x := newTFConsole(t, "--base-url", l.URL)
	want := "1 action from the last run has no recorded outcome (Pause payments/" + id + "): re-reading"
	x.until("the dangling attempt reported and its call shown paused", 15*time.Second, func(scr string) bool {
		found := false
		for _, ts := range x.c.frame.Toasts() {
			found = found || ts.Text == want
		}
		return found && rowWith(scr, id[:8], "Paused")
	})
	recs = auditRecords(t, logPath)
	if d := audit.Dangling(recs); len(d) != 0 || len(recs) != 2 || recs[1].Outcome != audit.OutcomeUnknown || recs[1].ID != recs[0].ID {
		t.Fatalf("after the console started: %+v", recs)
	}
	x.d.Press("?")
	if scr := x.screen(); !strings.Contains(scr, "Audit log: "+logPath) {
		t.Fatalf("the help screen does not name the audit log:\n%s", scr)
	}
}

// rowWith reports whether a line of the screen holds both strings.
func rowWith(screen, a, b string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, a) && strings.Contains(line, b) {
			return true
		}
	}
	return false
}
