package main

// Issue 4, "Security", through the CLI: with distinctive secret values,
// every v2 flow (get, set, caps, watch; both grants; wrong password; 401s;
// token endpoint down or echoing the secrets back; the API quoting the
// bearer token) prints neither a password, a client secret nor any issued
// token on stdout or stderr, and writes none to disk (the token lives in
// memory only). TLS certificates are verified unless --insecure-skip-verify
// says otherwise, for REST, the token endpoint and the hub.

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	akixisim "github.com/recdeck/recdeck/client/akixi/sim"
	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/client/voipnow"
	voipnowsim "github.com/recdeck/recdeck/client/voipnow/sim"
)

// Distinctive secrets: any occurrence in an output is a leak.
const (
	cliSecUser     = "ops-user-5c1d"
	cliSecPassword = "S3CR3T-pw-7f9a"
	cliSecClient   = "S3CR3T-cs-41be"
	cliSecWrongPW  = "S3CR3T-wrong-pw-2e8c"
	cliSecFilePW   = "S3CR3T-file-pw-93d0"
)

var cliSecrets = []string{cliSecPassword, cliSecClient, cliSecWrongPW, cliSecFilePW}

func TestCLISecretsNeverShown(t *testing.T) {
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	// Every place a file could be written goes to a fresh directory, so
	// the disk check below sees everything the runs wrote.
	root := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "TMPDIR"} {
		dir := filepath.Join(root, strings.ToLower(v))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, dir)
	}
	work := filepath.Join(root, "work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	cfgPath := filepath.Join(root, "config.yaml")
	t.Setenv("RECDECK_CONFIG", cfgPath)
	t.Setenv("RECDECK_PASSWORD", cliSecPassword)
	t.Setenv("RECDECK_CLIENT_SECRET", cliSecClient)

	spy := startSecretSpy(t, 11, cliSecUser, cliSecPassword, cliSecClient)
	if _, err := spy.sim.CreateCall("ucc-demo-name", coreTestID, true); err != nil {
		t.Fatal(err)
	}
	// A config file with secrets, readable by others: it warns, naming the
	// keys only. RECDECK_PASSWORD overrides its password.
	writeCoreConfig(t, cfgPath, fmt.Sprintf("profiles:\n  default:\n    base_url: %s\n    api: v2\n    token_url: %s\n    username: %s\n    password: %s\n    client_secret: %s\n    ucc: ucc-demo-name\n    sip: %s\n",
		spy.srv.URL, spy.srv.URL+sim.TokenPath(""), cliSecUser, cliSecFilePW, cliSecClient, sim.DemoAgent), 0o644)

	var outputs []string
	runIt := func(what string, mode int, wantCode int, wantErr string, args ...string) {
		t.Helper()
		spy.mode.Store(int32(mode))
		code, out, errOut := coreRun(t, args...)
		outputs = append(outputs, out, errOut)
		if code != wantCode || !strings.Contains(errOut+out, wantErr) {
			t.Errorf("%s: exit %d (want %d), stdout %q, stderr %q (want %q)", what, code, wantCode, out, errOut, wantErr)
		}
	}
	call := []string{"--call", coreTestID}
	runIt("get", spyHonest, exitOK, "Recording=Started", append([]string{"get"}, call...)...)
	runIt("get --json", spyHonest, exitOK, `"RecordingState": 1`, append([]string{"get", "--json"}, call...)...)
	runIt("set", spyHonest, exitOK, "Mark ok:", append([]string{"set", "mark"}, call...)...)
	runIt("caps", spyHonest, exitOK, "AgentCanEditRecordings=true", "caps")
	runIt("client_credentials", spyHonest, exitOK, "Recording=Started", append([]string{"get", "--grant-type", "client_credentials"}, call...)...)
	runIt("API 500 quoting the header", spyEcho500, exitNetwork, "unexpected response (HTTP 500)", append([]string{"get"}, call...)...)
	runIt("ErrorMessage quoting the token", spyEchoMsg, exitAPI, "Validation error: token [redacted] may not do this", append([]string{"set", "unmark"}, call...)...)
	runIt("API 401s", spyEcho401, exitNetwork, "the API refused the bearer token (HTTP 401)", append([]string{"get"}, call...)...)
	runIt("token endpoint quoting the form", spyTokenEcho, exitNetwork, "token request refused (HTTP 401): invalid_client", "caps")
	runIt("token endpoint hangs up", spyTokenDown, exitNetwork, "authentication failed", "caps")
	// The flag-given token URL on a closed port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/token"
	l.Close()
	runIt("token endpoint down", spyHonest, exitNetwork, "token endpoint unreachable", "caps", "--token-url", closed)

	// watch: connects with a bearer token and prints events.
	w := startWatch(t, "watch", "--count", "3")
	deadline := time.Now().Add(20 * time.Second)
	for spy.sim.HubConnections() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("watch never connected; stderr:\n%s", w.errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	spy.sim.Burst(3)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Errorf("watch: exit %d; stderr:\n%s", code, w.errOut.String())
	}
	outputs = append(outputs, w.out.String(), w.errOut.String())
	// watch against a hub that refuses and quotes the token.
	spy.mode.Store(spyHubEcho401)
	w = startWatch(t, "watch", "--connect-timeout", "700ms")
	if code := w.wait(t, 30*time.Second); code != exitNetwork || !strings.Contains(w.errOut.String(), "401") {
		t.Errorf("watch, hub 401: exit %d; stderr:\n%s", code, w.errOut.String())
	}
	outputs = append(outputs, w.out.String(), w.errOut.String())

	// A wrong password (and the file's own password) never shows either.
	t.Setenv("RECDECK_PASSWORD", cliSecWrongPW)
	runIt("wrong password", spyHonest, exitNetwork, "token request refused (HTTP 401): invalid_grant (Invalid user credentials)", "caps")
	t.Setenv("RECDECK_PASSWORD", "")
	runIt("the file's password", spyHonest, exitNetwork, "invalid_grant", "caps")

	tokens := spy.issued()
	if len(tokens) < 6 {
		t.Fatalf("only %d tokens issued: the flows did not run", len(tokens))
	}
	all := strings.Join(outputs, "\n")
	if !strings.Contains(all, "recdeck: warning: config file "+cfgPath+" holds secrets (profiles.default.client_secret, profiles.default.password)") {
		t.Errorf("no permission warning naming the keys in:\n%s", all)
	}
	if found := leaks(all, cliSecrets, tokens); len(found) > 0 {
		t.Errorf("secrets in the output: %v\n%s", found, all)
	}

	// On disk: nothing but the config file we wrote holds a secret or a
	// token (the token is kept in memory only).
	checkNoSecretsOnDisk(t, root, cfgPath, cliSecrets, tokens)
}

// TLS: a server with a self-signed certificate is refused by default with
// an error that says so, for the REST API, the token endpoint and the hub;
// --insecure-skip-verify (the explicit opt-out) makes each work.
func TestCLITLSVerifiedByDefault(t *testing.T) {
	coreEnv(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := sim.New(sim.Options{Seed: 12})
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures below are expected
	srv.StartTLS()
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	if _, err := s.CreateCall("ucc-demo-name", coreTestID, true); err != nil {
		t.Fatal(err)
	}
	get := []string{"get", "--base-url", srv.URL, "--ucc", "ucc-demo-name", "--call", coreTestID}
	code, out, errOut := coreRun(t, get...)
	if code != exitNetwork || out != "" || !strings.Contains(errOut, "certificate") {
		t.Fatalf("self-signed, verified: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = coreRun(t, append(get, "--insecure-skip-verify")...)
	if code != exitOK || !strings.Contains(out, "Recording=Started") {
		t.Fatalf("--insecure-skip-verify: exit %d, %q %q", code, out, errOut)
	}

	// v2: the token endpoint is checked too.
	t.Setenv("RECDECK_PASSWORD", sim.DemoPassword)
	t.Setenv("RECDECK_CLIENT_SECRET", sim.DemoClientSecret)
	v2 := append(append([]string(nil), get...), "--api", "v2", "--token-url", srv.URL+sim.TokenPath(""), "--username", sim.DemoUsername)
	code, _, errOut = coreRun(t, v2...)
	if code != exitNetwork || !strings.Contains(errOut, "authentication failed: token endpoint unreachable") || !strings.Contains(errOut, "certificate") {
		t.Fatalf("v2 verified: exit %d, %q", code, errOut)
	}
	code, out, errOut = coreRun(t, append(v2, "--insecure-skip-verify")...)
	if code != exitOK || !strings.Contains(out, "Recording=Started") {
		t.Fatalf("v2 --insecure-skip-verify: exit %d, %q %q", code, out, errOut)
	}

	// The hub (wss).
	w := startWatch(t, "watch", "--base-url", srv.URL, "--connect-timeout", "700ms")
	if code := w.wait(t, 30*time.Second); code != exitNetwork || !strings.Contains(w.errOut.String(), "certificate") {
		t.Fatalf("watch verified: exit %d; stderr:\n%s", code, w.errOut.String())
	}
	w = startWatch(t, "watch", "--base-url", srv.URL, "--count", "2", "--insecure-skip-verify")
	deadline := time.Now().Add(20 * time.Second)
	for s.HubConnections() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("watch never connected over TLS; stderr:\n%s", w.errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.Burst(2)
	if code := w.wait(t, 30*time.Second); code != exitOK || strings.Count(w.out.String(), "\n") != 2 {
		t.Fatalf("watch --insecure-skip-verify: exit %d, stdout %q; stderr:\n%s", code, w.out.String(), w.errOut.String())
	}
}

// Issue 13, "Trustworthy output", through the CLI: a hostile server echoes
// a distinctive secret of each kind, raw and in each escaped form, cut at
// every length from 0 to 120 bytes, after escape sequences, a bidi override
// and C1 controls. No output (stdout, stderr: every error the CLI prints)
// holds a 6-byte fragment of any form of the secret or a raw control.
func TestCLIHostileEchoNeverLeaks(t *testing.T) {
	h := startHostile(t)
	const (
		corePW     = `Pw<7q&"Zr/9+X%k'M#1`
		coreCS     = `Cs>8w'Yt&2/Q"j%N+4`
		vnSecret   = `Vn%3e"Hu<6&R'p/B+8`
		njKey      = `Nj+5a/Gd'1"T&s<F%6`
		axPassword = `Ax'9c+Lm"4%W<v&D/2`
		coreToken  = "tok.A365-7hQ2xLm9PzK3"
		vnToken    = "tok.VN-4kR8wTs1YbQ6"
	)
	core := func(extra ...string) []string {
		return append([]string{"caps", "--base-url", h.srv.URL, "--ucc", "u1", "--api", "v2", "--token-url", h.srv.URL + "/token", "--username", "agent"}, extra...)
	}
	vn := []string{"voipnow", "--base-url", h.srv.URL, "--client-id", "app", "calls"}
	kinds := []struct {
		name, secret string
		atToken      bool
		token        string
		env          map[string]string
		args         []string
	}{
		{"RECDECK_PASSWORD", corePW, true, "", map[string]string{"RECDECK_PASSWORD": corePW, "RECDECK_CLIENT_SECRET": coreCS}, core()},
		{"RECDECK_CLIENT_SECRET", coreCS, true, "", map[string]string{"RECDECK_PASSWORD": corePW, "RECDECK_CLIENT_SECRET": coreCS}, core("--grant-type", "client_credentials")},
		{"Anywhere365 bearer token", coreToken, false, coreToken, map[string]string{"RECDECK_PASSWORD": corePW, "RECDECK_CLIENT_SECRET": coreCS}, core()},
		{"VoipNow client secret", vnSecret, true, "", map[string]string{voipnowSecretEnv: vnSecret}, vn},
		{"VoipNow bearer token", vnToken, false, vnToken, map[string]string{voipnowSecretEnv: vnSecret}, vn},
		{"Noojee apiKey", njKey, false, "", map[string]string{noojeeKeyEnv: njKey}, []string{"noojee", "--base-url", h.srv.URL, "legs", "--tag", "1234"}},
		{"Akixi password", axPassword, false, "", map[string]string{akixiPasswordEnv: axPassword}, []string{"akixi", "--base-url", h.srv.URL, "--username", "admin", "list"}},
	}
	runs := 0
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			vendorIsolate(t, "")
			for name, v := range k.env {
				t.Setenv(name, v)
			}
			for _, form := range echoForms(k.secret) {
				for cut := 0; cut <= 120; cut++ {
					h.set(form[1], cut, k.atToken, k.token)
					code, out, errOut := vendorRun(t, k.args...)
					runs++
					all := out + errOut
					if code == exitOK {
						t.Fatalf("%s cut %d: exit 0 against a hostile server: %q", form[0], cut, all)
					}
					if l := fragmentLeaks(all, k.secret); len(l) > 0 {
						t.Fatalf("%s echoed %s, cut at %d: fragments %q in %q", k.name, form[0], cut, l, all)
					}
					if c := controlsIn(all); len(c) > 0 {
						t.Fatalf("%s cut %d: raw %v in %q", form[0], cut, c, all)
					}
				}
			}
		})
	}
	t.Logf("%d runs against the hostile server", runs)
}

// hostileText is what a hostile server puts in every field it answers:
// an OSC title, a screen clear, a CSI as a C1 character, a bidi override,
// a line break and a bidi isolate.
const hostileText = "ucc\x1b]0;pwned\x07\x1b[2J\u009b31m\u202edesrever\r\n\u2066x"

// TestCLIHostileTextNeverRaw: every CLI path prints a hostile server's text
// (names, messages, token errors, hub errors, vendor rows) without a raw
// control, escape or bidi character; --json escapes them as \u escapes, so
// the value is kept for a program but a terminal showing it is safe.
func TestCLIHostileTextNeverRaw(t *testing.T) {
	coreEnv(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	var failWith atomic.Bool // answer with an ErrorMessage
	state := func() anywhere365.StateResponse {
		r := anywhere365.StateResponse{CorrelationId: coreTestID + hostileText, UCCName: hostileText, RecordingState: 1}
		if failWith.Load() {
			r.ErrorMessage = &anywhere365.ErrorMessage{ErrorType: anywhere365.ErrorValidation, Message: "refused " + hostileText}
		}
		return r
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/token"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant" + hostileText, "error_description": "no " + hostileText})
		case strings.Contains(p, "/hubs/"):
			// The reason phrase is the server's too (the hub client quotes it).
			if hj, ok := w.(http.Hijacker); ok {
				if c, bw, err := hj.Hijack(); err == nil {
					fmt.Fprintf(bw, "HTTP/1.1 500 hub says %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", strings.NewReplacer("\r", "", "\n", "").Replace(hostileText))
					_ = bw.Flush()
					c.Close()
				}
			}
		case strings.Contains(p, "/capabilities/"):
			_ = json.NewEncoder(w).Encode(anywhere365.CapabilitiesResponse{UCCName: hostileText, AgentCanEditRecordings: true})
		default:
			_ = json.NewEncoder(w).Encode(state())
		}
	}))
	t.Cleanup(srv.Close)
	base := []string{"--base-url", srv.URL, "--ucc", "u1"}
	check := func(what string, wantCode int, out, errOut string, code int) {
		t.Helper()
		if code != wantCode {
			t.Errorf("%s: exit %d, want %d; stdout %q stderr %q", what, code, wantCode, out, errOut)
		}
		if c := controlsIn(out + errOut); len(c) > 0 {
			t.Errorf("%s: raw %v in stdout %q stderr %q", what, c, out, errOut)
		}
		if !strings.Contains(out+errOut, "desrever") {
			t.Errorf("%s: the server's text is not shown at all: %q %q", what, out, errOut)
		}
	}
	checkJSON := func(what, out string) {
		t.Helper()
		for _, esc := range []string{`\u001b`, `\u202e`, `\u009b`, `\u2066`} {
			if !strings.Contains(out, esc) {
				t.Errorf("%s --json: no %s escape in %s", what, esc, out)
			}
		}
	}
	call := []string{"--call", coreTestID, "--sip", "sip:agent@domain.com"}
	for _, c := range []struct {
		what string
		args []string
	}{
		{"get", append([]string{"get"}, call...)},
		{"set", append([]string{"set", "pause"}, call...)},
		{"caps", []string{"caps"}},
	} {
		code, out, errOut := coreRun(t, append(c.args, base...)...)
		check(c.what, exitOK, out, errOut, code)
		code, out, errOut = coreRun(t, append(append(c.args, base...), "--json")...)
		check(c.what+" --json", exitOK, out, errOut, code)
		checkJSON(c.what, out)
	}
	failWith.Store(true)
	code, out, errOut := coreRun(t, append(append([]string{"set", "mark"}, call...), base...)...)
	check("set refused", exitAPI, out, errOut, code)
	code, out, errOut = coreRun(t, append(append([]string{"get", "--json"}, call...), base...)...)
	check("get refused --json", exitAPI, out, errOut, code)
	// A failure is the one JSON error object: its message has passed the
	// output gate (controls blanked), so nothing raw and nothing to escape.
	if !strings.HasPrefix(out, `{"error":{"kind":"api"`) || !strings.Contains(out, "pwned") {
		t.Errorf("get refused --json: not the error object with the gated text: %s", out)
	}

	// The v2 token error path.
	t.Setenv("RECDECK_PASSWORD", "hostile-test-pw-1")
	code, out, errOut = coreRun(t, append([]string{"caps", "--api", "v2", "--token-url", srv.URL + "/token", "--username", "agent"}, base...)...)
	check("token error", exitNetwork, out, errOut, code)

	// watch: the hub's errors.
	w := startWatch(t, "watch", "--base-url", srv.URL, "--connect-timeout", "700ms")
	code = w.wait(t, 30*time.Second)
	check("watch", exitNetwork, w.out.String(), w.errOut.String(), code)

	// VoipNow: a caller id from outside, as a table and as JSON.
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	vs, vurl := voipnowServe(t)
	vs.AddCall(voipnowsim.ExtSales, voipnow.FlowIncoming, hostileText, 0, 0)
	vbase := []string{"voipnow", "--base-url", vurl, "--client-id", "demo"}
	code, out, errOut = vendorRun(t, append(vbase, "calls")...)
	check("voipnow calls", exitOK, out, errOut, code)
	code, out, errOut = vendorRun(t, append(vbase, "--json", "calls")...)
	check("voipnow calls --json", exitOK, out, errOut, code)
	checkJSON("voipnow calls", out)

	// Noojee: a leg's user name, as a table and as JSON; an error body.
	t.Setenv(noojeeKeyEnv, "hostile-key-77")
	leg, _ := json.Marshal(map[string]string{"Source": "400", "Leg": "1", "Start": "2014-02-13 17:06:52.0", "Tag": "1234", "Duration": "4",
		"Username": hostileText, "CallRecordId": "198348", "UniqueId": "1392271611.238", "DID": "internal", "Direction": "2", "Destination": "401"})
	var njFail atomic.Bool
	nurl := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if njFail.Load() {
			http.Error(w, `{"Message":"`+hostileText+`","Code":-1}`, http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("[" + string(leg) + "]"))
	}))
	nbase := []string{"noojee", "--base-url", nurl, "--time-zone", "UTC"}
	code, out, errOut = vendorRun(t, append(nbase, "legs", "--tag", "1234")...)
	check("noojee legs", exitOK, out, errOut, code)
	code, out, errOut = vendorRun(t, append(nbase, "--json", "legs", "--tag", "1234")...)
	check("noojee legs --json", exitOK, out, errOut, code)
	checkJSON("noojee legs", out)
	njFail.Store(true)
	code, out, errOut = vendorRun(t, append(nbase, "legs", "--tag", "1234")...)
	check("noojee error", exitAPI, out, errOut, code)
	code, out, errOut = vendorRun(t, append(nbase, "stop", "410")...)
	check("noojee stop error", exitAPI, out, errOut, code)

	// Akixi: a description from the service (the client refuses to send
	// control characters, so the hostile part is bidi).
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	asrv, _ := serveMount(t, mountAkixiSim, 3)
	abase := []string{"akixi", "--base-url", asrv.URL, "--username", "demo"}
	desc := "Team\u202edesrever\u2066B"
	code, out, errOut = vendorRun(t, append(abase, "add", "--tel-sys-id", "1", "--part-id-in-tel-sys", "2", "--description", desc)...)
	check("akixi add", exitOK, out, errOut, code)
	code, out, errOut = vendorRun(t, append(abase, "list", "--tel-sys-id", "1", "--part-id-in-tel-sys", "2")...)
	check("akixi list", exitOK, out, errOut, code)
	code, out, errOut = vendorRun(t, append(abase, "--json", "list", "--tel-sys-id", "1", "--part-id-in-tel-sys", "2")...)
	check("akixi list --json", exitOK, out, errOut, code)
	if !strings.Contains(out, `\u202e`) || !strings.Contains(out, `\u2066`) {
		t.Errorf("akixi list --json: no \\u escapes in %s", out)
	}
}

// TestCLIRedirectsCarryNothing: a 307 to another origin (another port) from
// a token endpoint, or answering a state-changing request of any vendor, is
// not followed: the other server receives nothing (no password, client
// secret, API key, token or command), and the command fails naming where
// the redirect pointed instead of reporting success.
func TestCLIRedirectsCarryNothing(t *testing.T) {
	coreEnv(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	const (
		pw     = "redir-pw-Q7x2Lk9"
		secret = "redir-cs-M4v8Tz1"
	)
	other := startRecorder(t)
	s := sim.New(sim.Options{Seed: 21, Username: "agent", Password: pw, ClientSecret: secret})
	simSrv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close()
		simSrv.Close()
	})
	if _, err := s.CreateCall("ucc-demo-name", coreTestID, true); err != nil {
		t.Fatal(err)
	}
	expect := func(what string, code int, out, errOut, path string) {
		t.Helper()
		if code == exitOK || strings.Contains(out, "ok") || !strings.Contains(errOut, "redirect (HTTP 307) to "+other.srv.URL+path) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q: want a failure naming %s", what, code, out, errOut, other.srv.URL+path)
		}
		if got := other.requests(); len(got) > 0 {
			t.Fatalf("%s: the other origin received %q", what, got)
		}
	}
	t.Setenv("RECDECK_PASSWORD", pw)
	t.Setenv("RECDECK_CLIENT_SECRET", secret)
	v2 := func(front string, args ...string) []string {
		return append(args, "--base-url", front, "--api", "v2", "--token-url", front+sim.TokenPath(""), "--username", "agent",
			"--ucc", "ucc-demo-name", "--call", coreTestID, "--sip", sim.DemoAgent)
	}

	// The token endpoint redirects (both grants): no credential follows.
	front := redirectingFront(t, simSrv.URL, other, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/token") })
	code, out, errOut := coreRun(t, v2(front, "get")...)
	expect("token, password grant", code, out, errOut, sim.TokenPath(""))
	code, out, errOut = coreRun(t, v2(front, "get", "--grant-type", "client_credentials")...)
	expect("token, client_credentials", code, out, errOut, sim.TokenPath(""))

	// POST .../recording/set redirects: not re-sent, no "ok".
	front = redirectingFront(t, simSrv.URL, other, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/recording/set") })
	code, out, errOut = coreRun(t, v2(front, "set", "pause")...)
	expect("set", code, out, errOut, "/attendantservice/api/v2/recording/set")
	for _, c := range s.Calls() {
		if c.CorrelationId == coreTestID && c.RecordingState != anywhere365.RecordingStarted {
			t.Errorf("set: the recorder is %v: the redirected command was applied", c.RecordingState)
		}
	}
	// A GET to another origin is not followed either (the bearer token
	// would go with it).
	front = redirectingFront(t, simSrv.URL, other, func(r *http.Request) bool { return r.Method == http.MethodGet })
	code, out, errOut = coreRun(t, v2(front, "get")...)
	expect("get", code, out, errOut, "/attendantservice/api/v2/recording/ucc-demo-name/"+coreTestID)

	// VoipNow: the token endpoint, then the PUT that starts a recording.
	vendorIsolate(t, "")
	const vnSecret = "redir-vn-P3w9Kd2"
	t.Setenv(voipnowSecretEnv, vnSecret)
	vs := voipnowsim.New(voipnowsim.Options{LiveCalls: -1, ClientID: "app", ClientSecret: vnSecret})
	vsrv := serveLoopback(t, vs.Handler())
	id := vs.AddCall(voipnowsim.ExtSales, voipnow.FlowOutgoing, "0722000333", 0, 0)
	front = redirectingFront(t, vsrv, other, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/token.php") })
	code, out, errOut = vendorRun(t, "voipnow", "--base-url", front, "--client-id", "app", "calls")
	expect("voipnow token", code, out, errOut, "/oauth/token.php")
	front = redirectingFront(t, vsrv, other, func(r *http.Request) bool { return r.Method == http.MethodPut })
	code, out, errOut = vendorRun(t, "voipnow", "--base-url", front, "--client-id", "app", "record", "start", "--call", id, "--view", "01")
	expect("voipnow record start", code, out, errOut, "/uapi/phoneCalls/")

	// Noojee: start recording (a POST carrying the apiKey).
	const njKey = "redir-nj-H8s2Vb5"
	t.Setenv(noojeeKeyEnv, njKey)
	nsrv, _ := serveMount(t, mountNoojeeSim, 3)
	front = redirectingFront(t, nsrv.URL, other, func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/CallManagementAPI/") })
	code, out, errOut = vendorRun(t, "noojee", "--base-url", front, "start", "407")
	expect("noojee start", code, out, errOut, "/servicemanager/rest/CallManagementAPI/start")

	// Akixi: every call is a POST with the password or a session id.
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	asrv, _ := serveMount(t, mountAkixiSim, 3)
	front = redirectingFront(t, asrv.URL, other, func(*http.Request) bool { return true })
	code, out, errOut = vendorRun(t, "akixi", "--base-url", front, "--username", "demo", "add", "--tel-sys-id", "1", "--part-id-in-tel-sys", "2", "--description", "Team R")
	expect("akixi add", code, out, errOut, "/CCS/WSAPI")
}

// TestConfigDirWorldWritableWarns: a world-writable directory holding the
// config (anyone could replace the file, or create one, and point it at
// their server) is warned about, naming the path and never a value; a
// private one, or one only the group may write, is not.
func TestConfigDirWorldWritableWarns(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	t.Setenv("RECDECK_CONFIG", path)
	t.Setenv("RECDECK_PASSWORD", "dir-test-pw-8812")
	writeCoreConfig(t, path, "profiles:\n  default:\n    base_url: "+st.URL+"\n    ucc: payments\n    password: dir-file-pw-5521\n", 0o600)
	want := "recdeck: warning: config directory " + dir + " is writable by anyone"
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o700, false}, {0o770, false}, {0o777, true}, {os.ModeSticky | 0o777, false}, {0o755, false}} { // sticky (as /tmp): others cannot replace the user's own file
		if err := os.Chmod(dir, tc.mode); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := coreRun(t, "caps")
		if code != exitOK || out == "" || strings.Contains(errOut, want) != tc.warn {
			t.Errorf("directory %o: code %d out %q err %q (warning wanted: %v)", tc.mode, code, out, errOut, tc.warn)
		}
		if strings.Contains(errOut, "pw-") {
			t.Errorf("directory %o: the warning shows a secret: %q", tc.mode, errOut)
		}
	}
	// The file missing (not named explicitly): the directory is still
	// checked, as anyone could create the file there.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Dir(dir))
	rdir := filepath.Join(filepath.Dir(dir), "recdeck")
	if err := os.Mkdir(rdir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(rdir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, _, errOut := coreRun(t, "caps", "--base-url", st.URL, "--ucc", "payments")
	if !strings.Contains(errOut, "recdeck: warning: config directory "+rdir+" is writable by anyone") {
		t.Errorf("missing config in a world-writable directory: err %q", errOut)
	}
	// Sticky does not help a missing file: anyone may create it.
	if err := os.Chmod(rdir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	if _, _, errOut := coreRun(t, "caps", "--base-url", st.URL, "--ucc", "payments"); !strings.Contains(errOut, "is writable by anyone") {
		t.Errorf("missing config in a sticky world-writable directory: err %q", errOut)
	}
	_ = os.Chmod(dir, 0o700)
}
