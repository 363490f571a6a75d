package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/client/safetext"
)

// The core commands run in-process against the real simulators over
// loopback (startSims, as `recdeck sim` serves them).

const coreTestID = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"

// lockedBuffer is a bytes.Buffer safe to read while a command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// coreEnv isolates a test from the user's config and secrets.
func coreEnv(t *testing.T) string {
	t.Helper()
	safetext.ForgetAll() // no earlier test's secrets redact this one's words
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", cfg)
	t.Setenv("RECDECK_PASSWORD", "")
	t.Setenv("RECDECK_CLIENT_SECRET", "")
	t.Setenv("RECDECK_AUDIT_LOG", filepath.Join(dir, "audit.log")) // set audits: never the user's log
	return cfg
}

// coreRun runs recdeck with args and returns its exit status and output.
func coreRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb lockedBuffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// coreSim starts the simulators with one API call on ucc-demo-name.
func coreSim(t *testing.T) *simStack {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	st, err := startSims("127.0.0.1:0", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		goleak.VerifyNone(t, opt)
	})
	if _, err := st.Anywhere365.CreateCall("ucc-demo-name", coreTestID, true); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCoreGet(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	code, out, errOut := coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID)
	if code != exitOK || out != "ucc-demo-name "+coreTestID+" Recording=Started Marking=None Saving=None\n" || errOut != "" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--json")
	var resp anywhere365.StateResponse
	if code != exitOK || json.Unmarshal([]byte(out), &resp) != nil || resp.RecordingState != anywhere365.RecordingStarted || resp.CorrelationId != coreTestID {
		t.Fatalf("code %d json %q", code, out)
	}
	if !strings.Contains(out, `"RecordingState": 1`) || !strings.Contains(out, `"ErrorMessage": null`) {
		t.Fatalf("JSON not in the API's form: %s", out)
	}

	// Session not found: the API's ErrorMessage, exit 1; --json prints the
	// one error object every command uses, with the ErrorType as its code.
	other := "00000000-0000-4000-8000-000000000000"
	code, out, errOut = coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", other, "--json")
	var obj jsonErrorObject
	if code != exitAPI || json.Unmarshal([]byte(out), &obj) != nil || obj.Error.Kind != "api" || obj.Error.Code != "Validation" ||
		obj.Error.ExitStatus != exitAPI || !strings.Contains(obj.Error.Message, "No Audio session with correlation Id:") ||
		errOut != "recdeck: Validation error: No Audio session with correlation Id:'"+other+"' was found.\n" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", other)
	if code != exitAPI || out != "" {
		t.Fatalf("code %d out %q", code, out)
	}
}

func TestCoreSet(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	base := []string{"--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", "sip:agent@domain.com"}
	code, out, errOut := coreRun(t, append([]string{"set", "pause"}, base...)...)
	if code != exitOK || out != "ucc-demo-name "+coreTestID+" Pause ok: Recording=Paused Marking=None Saving=None\n" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	code, out, errOut = coreRun(t, append([]string{"set", "3"}, base...)...)
	if code != exitAPI || out != "" || errOut != "recdeck: Validation error: Recorder state is Paused, this state cannot be paused\n" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = coreRun(t, append([]string{"set", "MARK", "--action-by-name", "--json"}, base...)...)
	if code != exitOK || !strings.Contains(out, `"MarkingState": 1`) {
		t.Fatalf("code %d out %q", code, out)
	}
	// Start resumes a paused recorder.
	code, out, _ = coreRun(t, append([]string{"set", "start"}, base...)...)
	if code != exitOK || !strings.Contains(out, "Recording=Started Marking=Mark") {
		t.Fatalf("code %d out %q", code, out)
	}
	// Not a member of the UCC: Configuration error, exit 1.
	code, _, errOut = coreRun(t, "set", "stop", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", "sip:x@domain.com")
	if code != exitAPI || !strings.HasPrefix(errOut, "recdeck: Configuration error: Requester with SipUri:'sip:x@domain.com' is not an agent") {
		t.Fatalf("code %d err %q", code, errOut)
	}
}

func TestCoreCaps(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	for ucc, want := range map[string]string{"ucc-demo-name": "ucc-demo-name AgentCanEditRecordings=true\n", "helpdesk": "helpdesk AgentCanEditRecordings=false\n"} {
		code, out, _ := coreRun(t, "caps", "--base-url", st.URL, "--ucc", ucc)
		if code != exitOK || out != want {
			t.Fatalf("code %d out %q", code, out)
		}
	}
	code, out, errOut := coreRun(t, "caps", "--base-url", st.URL, "--ucc", "nope", "--json")
	if code != exitAPI || !strings.Contains(out, `{"error":{"kind":"api"`) || !strings.Contains(out, `"code":"Validation"`) || errOut != "recdeck: Validation error: Ucc with name:'nope' not found.\n" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
}

func TestCoreUsageErrors(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", "abc"}, `recdeck: correlation id "abc" is not a GUID (want 8-4-4-4-12 hex digits, e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)`},
		{[]string{"get", "--base-url", st.URL, "--ucc", "ucc-demo-name"}, "recdeck: missing --call"},
		{[]string{"set", "fly", "--base-url", st.URL}, `recdeck: unknown action "fly"`},
		{[]string{"set", "--base-url", st.URL}, "recdeck: set needs exactly one ACTION"},
		{[]string{"set", "stop", "--base-url", st.URL, "--ucc", "u"}, "recdeck: missing --call, --sip"},
		{[]string{"set", "stop", "--base-url", st.URL, "--ucc", "u", "--call", coreTestID, "--sip", "agent@domain.com"}, `recdeck: requester SIP URI "agent@domain.com" does not start with sip: or sips:`},
		{[]string{"caps", "--ucc", "x"}, "recdeck: no server given"},
		{[]string{"caps", "--base-url", "ftp://x", "--ucc", "x"}, `recdeck: config base URL "ftp://x" is not an http(s) URL`},
		{[]string{"caps", "--base-url", st.URL, "--api", "v2", "--ucc", "x"}, "recdeck: config API v2 needs a tenant id or a token URL"},
		{[]string{"caps", "--bogus"}, "recdeck: unknown flag: --bogus"},
	}
	for _, tc := range cases {
		code, out, errOut := coreRun(t, tc.args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, tc.want) {
			t.Errorf("%v: code %d out %q err %q, want prefix %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestCoreNetworkAndAuthErrors(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	code, _, errOut := coreRun(t, "get", "--base-url", closed, "--ucc", "ucc-demo-name", "--call", coreTestID, "--timeout", "2s")
	if code != exitNetwork || !strings.Contains(errOut, "connection refused") {
		t.Fatalf("closed port: code %d err %q", code, errOut)
	}

	v2 := []string{"get", "--base-url", st.URL, "--api", "v2", "--tenant", sim.DemoTenant, "--token-url", st.TokenURL,
		"--username", "demo", "--ucc", "ucc-demo-name", "--call", coreTestID}
	t.Setenv("RECDECK_CLIENT_SECRET", "demo")
	t.Setenv("RECDECK_PASSWORD", "wrong-password-value")
	code, out, errOut := coreRun(t, v2...)
	if code != exitNetwork || out != "" || errOut != "recdeck: authentication failed: token request refused (HTTP 401): invalid_grant (Invalid user credentials)\n" {
		t.Fatalf("wrong password: code %d out %q err %q", code, out, errOut)
	}
	t.Setenv("RECDECK_PASSWORD", "demo")
	code, out, errOut = coreRun(t, v2...)
	if code != exitOK || !strings.Contains(out, "Recording=Started") {
		t.Fatalf("v2: code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = coreRun(t, append(v2, "--grant-type", "client_credentials")...)
	if code != exitOK || !strings.Contains(out, "Recording=Started") {
		t.Fatalf("client_credentials: code %d out %q", code, out)
	}
}

func TestCoreClientForWatchAndTUI(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	g := &globals{baseURL: st.URL}
	p, err := g.profile()
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.coreClient(st.CoreProfile(p))
	if err != nil {
		t.Fatal(err)
	}
	if c.HubURL() != st.HubURL {
		t.Fatalf("hub %q want %q", c.HubURL(), st.HubURL)
	}
	if _, err := c.GetState(context.Background(), "ucc-demo-name", coreTestID); err != nil {
		t.Fatal(err)
	}
}
