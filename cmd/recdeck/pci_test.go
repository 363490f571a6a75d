package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui/audit"
)

// pciRun runs recdeck with stdin and, for pci, sigs as its signals. It
// returns the exit status and outputs.
func pciRun(t *testing.T, stdin io.Reader, sigs <-chan os.Signal, args ...string) (int, string, string) {
	t.Helper()
	pciSignalsForTest = sigs
	defer func() { pciSignalsForTest = nil }()
	var out, errb lockedBuffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(&out)
	root.SetErr(&errb)
	code := exitOK
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(&errb, "recdeck:", err)
		var ee *exitError
		code = exitUsage
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return code, out.String(), errb.String()
}

// pciEnv is a simulator with one call and an isolated audit log.
type pciEnv struct {
	st       *simStack
	auditLog string
}

func newPCIEnv(t *testing.T) *pciEnv {
	t.Helper()
	home := isolate(t)
	e := &pciEnv{st: coreSim(t), auditLog: filepath.Join(home, "audit.log")}
	t.Setenv("RECDECK_AUDIT_LOG", e.auditLog)
	return e
}

func (e *pciEnv) args(extra ...string) []string {
	return append([]string{"pci", "--base-url", e.st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", sim.DemoAgent}, extra...)
}

func (e *pciEnv) state(t *testing.T) anywhere365.RecordingState {
	t.Helper()
	for _, c := range e.st.Anywhere365.Calls() {
		if c.CorrelationId == coreTestID {
			return c.RecordingState
		}
	}
	t.Fatal("no call")
	return 0
}

func (e *pciEnv) waitState(t *testing.T, want anywhere365.RecordingState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.state(t) != want {
		if time.Now().After(deadline) {
			t.Fatalf("the simulator never showed %v", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// records reads the audit log: the pause and the resume, attempt and
// outcome each.
func (e *pciEnv) records(t *testing.T) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(e.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	var recs []audit.Record
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r audit.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func findRecord(recs []audit.Record, action, phase, trigger string) *audit.Record {
	for i := range recs {
		r := &recs[i]
		if r.Action == action && r.Phase == phase && r.Trigger == trigger {
			return r
		}
	}
	return nil
}

// At --max the recording resumes by itself; exit 0 after a GET confirmed
// it; both actions are audited write-ahead with the payment-mode trigger
// on the resume.
func TestPCIResumesAtMax(t *testing.T) {
	e := newPCIEnv(t)
	start := time.Now()
	// The id as a .NET log prints it: normalised before use.
	code, out, errOut := pciRun(t, strings.NewReader(""), nil, e.args("--max", "1s", "--call", " {"+strings.ToUpper(coreTestID)+"} ")...)
	took := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if took < time.Second || took > 6*time.Second {
		t.Fatalf("took %v for a 1 s maximum", took)
	}
	for _, want := range []string{"paused ucc-demo-name/" + coreTestID, "recording resumed and confirmed (Started)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if e.state(t) != anywhere365.RecordingStarted {
		t.Fatal("not Started")
	}
	recs := e.records(t)
	pa, po := findRecord(recs, "Pause", audit.PhaseAttempt, ""), findRecord(recs, "Pause", audit.PhaseOutcome, "")
	sa, so := findRecord(recs, "Start", audit.PhaseAttempt, anywhere365.TriggerPaymentMode), findRecord(recs, "Start", audit.PhaseOutcome, anywhere365.TriggerPaymentMode)
	if pa == nil || po == nil || sa == nil || so == nil {
		t.Fatalf("audit records %+v", recs)
	}
	if po.Outcome != audit.OutcomeOK || so.Outcome != audit.OutcomeOK || so.ID != sa.ID || so.Source != "cli" || so.Requester != sim.DemoAgent || so.State != "Started" {
		t.Fatalf("outcomes %+v / %+v", po, so)
	}
}

// Enter resumes at once, as a manual resume; --no-audit writes nothing.
func TestPCIResumesOnEnter(t *testing.T) {
	e := newPCIEnv(t)
	r, w := io.Pipe()
	done := make(chan struct{})
	var code int
	var out, errOut string
	go func() {
		code, out, errOut = pciRun(t, r, nil, e.args("--max", "1m", "--no-audit")...)
		close(done)
	}()
	e.waitState(t, anywhere365.RecordingPaused)
	start := time.Now()
	fmt.Fprintln(w, "")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Enter did not end the pause")
	}
	w.Close()
	if code != exitOK || !strings.Contains(out, "resuming (Enter)") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Enter took %v", took)
	}
	if _, err := os.Stat(e.auditLog); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("--no-audit wrote %s (%v)", e.auditLog, err)
	}
}

// A signal (ctrl+c, SIGTERM, SIGHUP) resumes before exiting.
func TestPCIResumesOnSignal(t *testing.T) {
	e := newPCIEnv(t)
	sigs := make(chan os.Signal, 1)
	done := make(chan int)
	var out string
	go func() {
		code, o, _ := pciRun(t, strings.NewReader(""), sigs, e.args("--max", "1m")...)
		out = o
		done <- code
	}()
	e.waitState(t, anywhere365.RecordingPaused)
	sigs <- syscall.SIGTERM
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(out, "resuming before exiting (terminated)") {
			t.Fatalf("exit %d: %s", code, out)
		}
	case <-time.After(pciSignalWait + 5*time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if e.state(t) != anywhere365.RecordingStarted {
		t.Fatal("not Started after SIGTERM")
	}
	if findRecord(e.records(t), "Start", audit.PhaseOutcome, anywhere365.TriggerPaymentMode) == nil {
		t.Fatal("the resume on exit was not audited")
	}
}

// A spell of HTTP 500s at the maximum: the resume is retried, said so, and
// succeeds once the server answers again.
func TestPCIRetriesThroughHTTP500s(t *testing.T) {
	e := newPCIEnv(t)
	done := make(chan int)
	var out string
	go func() {
		code, o, _ := pciRun(t, strings.NewReader(""), nil, e.args("--max", "500ms")...)
		out = o
		done <- code
	}()
	e.waitState(t, anywhere365.RecordingPaused)
	e.st.Anywhere365.SetFaults(sim.Faults{HTTPErrorRate: 1})
	time.Sleep(2 * time.Second) // several failed attempts (backoff 0.5 s, 1 s...)
	if e.state(t) != anywhere365.RecordingPaused {
		t.Fatal("resumed through the fault")
	}
	e.st.Anywhere365.SetFaults(sim.Faults{})
	cleared := time.Now()
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(out, "automatic resume failed (HTTP 500), retrying in") {
			t.Fatalf("exit %d: %s", code, out)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit after the fault cleared")
	}
	if took := time.Since(cleared); took > anywhere365.DefaultGuardRetryMax+2*time.Second {
		t.Fatalf("resumed %v after the fault cleared", took)
	}
	failed := 0
	for _, r := range e.records(t) {
		if r.Action == "Start" && r.Phase == audit.PhaseOutcome && r.Outcome != audit.OutcomeOK {
			failed++
		}
	}
	if failed < 2 {
		t.Fatalf("%d failed resumes audited, want >= 2", failed)
	}
}

// A call that ends while paused: exit 1, said plainly.
func TestPCICallEndedWhilePaused(t *testing.T) {
	e := newPCIEnv(t)
	exited := pciInBackground(t, e.args("--max", "1m")...)
	e.waitState(t, anywhere365.RecordingPaused)
	if err := e.st.Anywhere365.EndCall(coreTestID); err != nil {
		t.Fatal(err)
	}
	// A re-read every 2 s; 30 s is generous for a loaded CI machine.
	code, errOut := exited(30*time.Second, "no exit after the call ended")
	if code != exitAPI || !strings.Contains(errOut, "the call ended while paused: its last part was not recorded") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// pciInBackground runs pci with args on its own goroutine; exited waits
// for its exit code and stderr, failing the test with what after d.
func pciInBackground(t *testing.T, args ...string) (exited func(d time.Duration, what string) (int, string)) {
	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := pciRun(t, strings.NewReader(""), nil, args...)
		done <- result{code, errOut}
	}()
	return func(d time.Duration, what string) (int, string) {
		t.Helper()
		select {
		case r := <-done:
			return r.code, r.errOut
		case <-time.After(d):
			t.Fatal(what)
			return 0, ""
		}
	}
}

// A call that ends the moment it is paused, before pci has looked at it
// (a proxy ends it before passing the pause's answer on): pci still exits
// 1 with the call ended, it does not wait for a pause it never saw open.
func TestPCICallEndsBeforeTheFirstLook(t *testing.T) {
	e := newPCIEnv(t)
	upstream, err := url.Parse(e.st.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodPost {
			return e.st.Anywhere365.EndCall(coreTestID)
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	args := e.args("--max", "1m")
	args[2] = srv.URL // --base-url
	code, errOut := pciInBackground(t, args...)(30*time.Second, "no exit after the call ended")
	if code != exitAPI || !strings.Contains(errOut, "the call ended") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestPCIExitCodes(t *testing.T) {
	e := newPCIEnv(t)
	unknown := "2e7d7b69-7840-4a1d-89aa-1979303d9d41"
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no sip", []string{"pci", "--base-url", e.st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID}, exitUsage, "missing --sip"},
		{"bad id", e.args("--call", "abc"), exitUsage, "is not a GUID"},
		{"negative max", e.args("--max", "-1s"), exitUsage, "--max must be positive"},
		{"unknown call", e.args("--call", unknown), exitAPI, "No Audio session"},
		{"no server", []string{"pci", "--base-url", "http://127.0.0.1:1", "--ucc", "u", "--call", coreTestID, "--sip", sim.DemoAgent, "--no-audit"}, exitNetwork, "pause u/"},
		{"forbidden UCC", []string{"pci", "--base-url", e.st.URL, "--ucc", "helpdesk", "--call", coreTestID, "--sip", sim.DemoAgent}, exitAPI, ""},
	}
	for _, c := range cases {
		code, out, errOut := pciRun(t, strings.NewReader(""), nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, want %d with %q: %s%s", c.name, code, c.code, c.want, out, errOut)
		}
	}
	if e.state(t) != anywhere365.RecordingStarted {
		t.Fatal("a refused pci changed the call")
	}
	// A pause already in place is refused by the API (exit 1), untouched.
	if _, err := e.st.Anywhere365.CreateCall("payments", unknown, true); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := pciRun(t, strings.NewReader(""), nil, "set", "pause", "--base-url", e.st.URL, "--ucc", "payments", "--call", unknown, "--sip", sim.DemoAgent)
	if code != exitOK {
		t.Fatalf("set pause: %d %s", code, errOut)
	}
	code, _, errOut = pciRun(t, strings.NewReader(""), nil, "pci", "--base-url", e.st.URL, "--ucc", "payments", "--call", unknown, "--sip", sim.DemoAgent)
	if code != exitAPI || !strings.Contains(errOut, "cannot be paused") {
		t.Fatalf("pci on a paused call: %d %s", code, errOut)
	}
}

// The built binary, sent SIGTERM during the pause, resumes before it exits
// (status 0) and the server shows the recording Started.
func TestPCISIGTERMOfTheBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	e := newPCIEnv(t)
	bin := builtBinary(t)
	cmd := exec.Command(bin, e.args("--max", "10s")...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb lockedBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	var wg sync.WaitGroup
	wg.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	})
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, "paused ucc-demo-name/") {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no pause line")
	}
	if e.state(t) != anywhere365.RecordingPaused {
		t.Fatal("not paused")
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	wg.Wait()
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v; stdout %q; stderr %s", err, rest, errb.String())
	}
	if e.state(t) != anywhere365.RecordingStarted {
		t.Fatal("the server does not show the recording Started after SIGTERM")
	}
	t.Logf("resumed and exited %v after SIGTERM; output %q", time.Since(sent).Round(time.Millisecond), rest)
	if took := time.Since(sent); took > 5*time.Second {
		t.Fatalf("took %v after SIGTERM, more than 5 s", took)
	}
}
