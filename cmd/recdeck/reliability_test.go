package main

// Issue 4 through the CLI: bad input is refused with exit 2 and a clear,
// bounded message before any request; under every simulator fault a
// command ends in time with the documented exit status and a reason; and
// `recdeck watch` survives the simulator being stopped and restarted on the
// same port. Everything runs in-process (run) over loopback.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// countingServer answers every request with a valid-looking state and
// counts them: a refused input must leave it at zero.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"CorrelationId":"` + coreTestID + `","RecordingState":1,"MarkingState":0,"SavingState":0,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestBadInputRefusedBeforeAnyRequest(t *testing.T) {
	coreEnv(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	srv, requests := countingServer(t)
	// v2 with working-looking credentials: a refused input must not even
	// fetch a token.
	t.Setenv("RECDECK_PASSWORD", "pw")
	t.Setenv("RECDECK_CLIENT_SECRET", "cs")
	v1 := []string{"--base-url", srv.URL}
	v2 := []string{"--base-url", srv.URL, "--api", "v2", "--token-url", srv.URL + "/token", "--username", "u"}
	huge := strings.Repeat("x", 1<<20) // a 1 MB paste
	guid := coreTestID
	sip := "sip:agent@domain.com"
	with := func(base []string, args ...string) []string { return append(append([]string(nil), args...), base...) }

	cases := []struct {
		name string
		args []string
		want string // a fragment of the one-line message
	}{
		// Non-GUID correlation ids.
		{"id not a GUID", with(v1, "get", "--ucc", "payments", "--call", "abc"), `correlation id "abc" is not a GUID (want 8-4-4-4-12 hex digits`},
		// (Braces and surrounding spaces are normalised away since issue 11:
		// see TestGetNormalisesCallID.)
		{"id not hex", with(v1, "set", "mark", "--ucc", "payments", "--sip", sip, "--call", "1d6c6a58-6739-4f0c-98ff-0968292c8c3z"), "is not a GUID"},
		{"id pasted 1 MB", with(v2, "get", "--ucc", "payments", "--call", huge), `correlation id "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." is not a GUID`},
		// UCC names.
		{"UCC with a slash", with(v1, "get", "--ucc", "a/b", "--call", guid), `UCC name "a/b" contains "/"`},
		{"UCC as a SIP address", with(v1, "caps", "--ucc", "sip:ucc@domain.com"), "is a SIP address"},
		{"UCC with a space", with(v1, "caps", "--ucc", "two words"), "contains spaces or control characters"},
		{"UCC pasted 1 MB", with(v2, "caps", "--ucc", huge), "is longer than 256 bytes"},
		// Malformed SIP URIs.
		{"SIP without scheme", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "agent@domain.com"), "does not start with sip: or sips:"},
		{"SIP http scheme", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "http://agent@domain.com"), "does not start with sip: or sips:"},
		{"SIP without user", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:@domain.com"), "has no user before @"},
		{"SIP without host", with(v2, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:agent@"), "has no valid host after @"},
		{"SIP without @", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:agent"), "has no user@host"},
		{"SIP with a space", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:age nt@domain.com"), "contains spaces or control characters"},
		{"SIP port out of range", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:agent@domain.com:99999"), "has a port outside 1-65535"},
		{"SIP pasted 1 MB", with(v1, "set", "pause", "--ucc", "payments", "--call", guid, "--sip", "sip:"+huge+"@x"), "is longer than 256 bytes"},
		// Unknown actions and out-of-range action numbers.
		{"unknown action", with(v1, "set", "fly", "--ucc", "payments", "--call", guid, "--sip", sip), `unknown action "fly" (want Start=1, Stop=2, Pause=3, Save=4, Delete=5, Mark=6, UnMark=7)`},
		{"Resume is no action", with(v2, "set", "resume", "--ucc", "payments", "--call", guid, "--sip", sip), `unknown action "resume"`},
		{"action 0", with(v1, "set", "0", "--ucc", "payments", "--call", guid, "--sip", sip), "unknown action 0"},
		{"action 8", with(v1, "set", "8", "--ucc", "payments", "--call", guid, "--sip", sip), "unknown action 8"},
		{"action -1", append(with(v1, "set", "--ucc", "payments", "--call", guid, "--sip", sip), "--", "-1"), "unknown action -1"},
		{"action overflow", with(v1, "set", "99999999999999999999", "--ucc", "payments", "--call", guid, "--sip", sip), `unknown action "99999999999999999999"`},
		{"action pasted 1 MB", with(v1, "set", huge, "--ucc", "payments", "--call", guid, "--sip", sip), `unknown action "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."`},
		{"two actions", with(v1, "set", "mark", "pause", "--ucc", "payments", "--call", guid, "--sip", sip), "set needs exactly one ACTION"},
		// Out-of-range numbers and bad settings.
		{"negative timeout", with(v1, "get", "--ucc", "payments", "--call", guid, "--timeout", "-1s"), "timeout must not be negative, got -1s"},
		{"timeout not a duration", with(v1, "get", "--ucc", "payments", "--call", guid, "--timeout", "soon"), `invalid argument "soon" for "--timeout"`},
		{"negative count", with(v1, "watch", "--count", "-1"), "--count must be 0 (no limit) or more, got -1"},
		{"count overflow", with(v1, "watch", "--count", "99999999999999999999"), `invalid argument "99999999999999999999" for "--count"`},
		{"negative connect timeout", with(v1, "watch", "--connect-timeout", "-5s"), "--connect-timeout must not be negative"},
		{"negative calls", []string{"sim", "--calls", "-1", "--addr", "127.0.0.1:0"}, "--calls must be 0 or more, got -1"},
		{"API v3", with(v1, "caps", "--ucc", "payments", "--api", "v3"), `API version "v3" is not v1 or v2`},
		{"grant type", with(v2, "caps", "--ucc", "payments", "--grant-type", "magic"), `grant type "magic" is not password or client_credentials`},
		{"hub URL scheme", with(v1, "watch", "--hub-url", "ftp://host/hub"), `hub URL "ftp://host/hub" is not an http(s) URL`},
		{"base URL pasted 1 MB", []string{"caps", "--ucc", "payments", "--base-url", huge}, "is not an http(s) URL"},
		{"unknown flag", with(v1, "get", "--password", "hunter2"), "unknown flag: --password"},
	}
	for _, tc := range cases {
		code, out, errOut := coreRun(t, tc.args...)
		switch {
		case code != exitUsage:
			t.Errorf("%s: exit %d, want %d; stderr %.300q", tc.name, code, exitUsage, errOut)
		case out != "":
			t.Errorf("%s: stdout %.200q, want nothing", tc.name, out)
		case !strings.HasPrefix(errOut, "recdeck: ") || strings.Count(errOut, "\n") != 1:
			t.Errorf("%s: stderr is not one recdeck line: %.300q", tc.name, errOut)
		case len(errOut) > 400:
			t.Errorf("%s: message of %d bytes: input must be quoted only in part", tc.name, len(errOut))
		case !strings.Contains(errOut, tc.want):
			t.Errorf("%s: stderr %q lacks %q", tc.name, errOut, tc.want)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server: input must be refused before sending", n)
	}
}

// Every fault the simulator can inject, met by a one-shot command: it ends
// within its bound with the documented exit status and the reason on
// stderr, and after the fault the truth is there to read (nothing lost).
func TestCLIUnderFaults(t *testing.T) {
	coreEnv(t)
	st := coreSim(t) // the call coreTestID on ucc-demo-name, recording
	base := []string{"--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", "sip:agent@domain.com"}
	cmd := func(args ...string) []string { return append(append([]string(nil), args...), base...) }
	cases := []struct {
		name   string
		faults sim.Faults
		args   []string
		code   int
		want   string
		bound  time.Duration
	}{
		{"HTTP 500", sim.Faults{HTTPErrorRate: 1}, cmd("get"), exitNetwork,
			`recdeck: unexpected response (HTTP 500): "simulated fault: internal server error"`, 2 * time.Second},
		// A set whose answer is lost is an unknown outcome (exit 4); its
		// re-read (a GET, retried) meets the same fault and fails too.
		{"latency, set", sim.Faults{LatencyMs: 2000}, cmd("set", "mark", "--timeout", "300ms"), exitUnknown,
			"recdeck: " + anywhere365.UnknownOutcomeText + ": POST", 3500 * time.Millisecond},
		// GETs are retried on transport errors: three attempts and two waits.
		{"latency, get", sim.Faults{LatencyMs: 2000}, cmd("get", "--timeout", "300ms"), exitNetwork,
			"context deadline exceeded", 3500 * time.Millisecond},
		{"malformed JSON", sim.Faults{MalformedRate: 1}, cmd("set", "pause"), exitUnknown,
			"recdeck: " + anywhere365.UnknownOutcomeText + `: unexpected response (HTTP 200): "{\"CorrelationId\"=`, 2 * time.Second},
		{"truncated JSON", sim.Faults{TruncatedRate: 1}, cmd("get"), exitNetwork,
			"recdeck: unexpected response (HTTP 200):", 2 * time.Second},
		{"oversized body", sim.Faults{OversizedRate: 1}, cmd("get"), exitNetwork,
			"recdeck: response body larger than 1048576 bytes refused (HTTP 200)", 3 * time.Second},
		{"recorder unavailable", sim.Faults{RecorderUnavailable: true}, cmd("set", "mark"), exitAPI,
			"recdeck: Configuration error: Recorder was not available, command could not be executed", 2 * time.Second},
		{"processing errors", sim.Faults{ProcessingErrorRate: 1}, cmd("set", "mark"), exitAPI,
			"recdeck: Processing error: Command processing failed unexpectedly (simulated fault), it may be retried", 4 * time.Second},
	}
	for _, tc := range cases {
		st.Anywhere365.SetFaults(tc.faults)
		start := time.Now()
		code, out, errOut := coreRun(t, tc.args...)
		took := time.Since(start)
		st.Anywhere365.SetFaults(sim.Faults{})
		lines := 1
		if code == exitUnknown {
			lines = 2 // and the failed re-read
		}
		if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != lines || took > tc.bound {
			t.Errorf("%s: exit %d after %v, stdout %q, stderr %q; want exit %d within %v and %q",
				tc.name, code, took, out, errOut, tc.code, tc.bound, tc.want)
		}
	}
	// The malformed reply hid a Pause that was carried out: the truth shows it.
	code, out, errOut := coreRun(t, cmd("get")...)
	if code != exitOK || !strings.Contains(out, "Recording=Paused") {
		t.Fatalf("after the faults: exit %d, %q %q", code, out, errOut)
	}
}

// `recdeck watch` across a simulator stopped and restarted on the same
// port: it reports the loss on stderr, reconnects by itself and prints the
// events of the new simulator; nothing is printed twice or garbled.
func TestCLIWatchSurvivesSimRestart(t *testing.T) {
	watchEnv(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	r, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	w := startWatch(t, "watch", "--base-url", r.URL, "--count", "20")
	waitSubscribed(t, r, w)
	postBurst(t, r, 10)
	waitLines := func(n int) {
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(w.out.String(), "\n") < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d lines, want %d; stderr:\n%s", strings.Count(w.out.String(), "\n"), n, w.errOut.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitLines(10)

	addr := r.Addr
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.errOut.String(), "hub reconnecting (attempt 2)") {
		if time.Now().After(deadline) {
			t.Fatalf("the loss was not reported; stderr:\n%s", w.errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		r, err = sim.Listen(addr, sim.Options{Seed: 6})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("restart on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitSubscribed(t, r, w)
	postBurst(t, r, 10)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, w.errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(w.out.String(), "\n"), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines, want 20", len(lines))
	}
	for i, l := range lines {
		if !watchLineRe.MatchString(l) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
	if errOut := w.errOut.String(); strings.Count(errOut, "hub connected") < 2 {
		t.Fatalf("no second connection reported:\n%s", errOut)
	}
}
