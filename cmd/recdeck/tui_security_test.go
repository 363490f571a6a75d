package main

// Issue 4, "Security", on the console's side: with distinctive secret
// values, no password, client secret or issued token reaches the screen
// (every frame the tests look at, raw and stripped of escape codes), a
// toast, the audit log, the console's stderr, or any file it writes, on
// API v2 with either grant, a wrong password, a token endpoint that is down
// or hangs up, one that echoes the secrets back, and an API or hub that
// quotes the bearer token. And TLS: certificates are verified by default;
// --insecure-skip-verify works and shows a TLS-INSECURE badge in the header
// while active.

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
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
)

// Distinctive secrets: any occurrence in an output is a leak.
const (
	tsUser     = "ops-user-tui-7a2e"
	tsPassword = "S3CR3T-tui-pw-6b1f"
	tsSecret   = "S3CR3T-tui-cs-d94c"
	tsWrongPW  = "S3CR3T-tui-wrong-0c57"
	tsFilePW   = "S3CR3T-tui-file-pw-e31a"
	tsURLPW    = "S3CR3T-tui-url-pw-58b0"
)

var tsSecrets = []string{tsPassword, tsSecret, tsWrongPW, tsFilePW, tsURLPW}

// tsOutputs gathers everything the consoles showed or wrote.
type tsOutputs struct {
	mu      sync.Mutex
	screens map[string]bool
	texts   []string
}

func (o *tsOutputs) screen(raw string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.screens[raw] = true
}

// console builds a console that records its screens; done collects its
// toasts and stderr.
func (o *tsOutputs) console(t *testing.T, args ...string) (x *tfConsole, done func()) {
	t.Helper()
	x = newTFConsole(t, args...)
	x.seen = o.screen
	return x, func() {
		for _, m := range x.d.Seen {
			if tm, ok := m.(ui.ToastMsg); ok {
				o.texts = append(o.texts, tm.Text)
			}
		}
		for _, tm := range x.c.frame.Toasts() {
			o.texts = append(o.texts, tm.Text)
		}
		o.texts = append(o.texts, x.stderr.String())
	}
}

func (o *tsOutputs) all() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for s := range o.screens {
		b.WriteString(s)
		b.WriteString("\n")
		b.WriteString(ansi.Strip(s))
		b.WriteString("\n")
	}
	for _, s := range o.texts {
		b.WriteString(s)
		b.WriteString("\n")
	}
	return b.String()
}

// watchByHand adds a session with "a" (UCC, then correlation id), as a
// supervisor does when the hub cannot tell the console about it.
func (x *tfConsole) watchByHand(k anywhere365.SessionKey) {
	x.t.Helper()
	x.d.Press("a")
	x.d.Type(k.UCC)
	x.d.Press("enter")
	x.d.Type(k.CorrelationID)
	x.d.Press("enter")
	x.until("the session added by hand", tfSetup, func(scr string) bool {
		sel, ok := x.c.pane.Selected()
		return ok && sel == k && strings.Contains(scr, k.CorrelationID[:8])
	})
}

// screenShows waits until the screen contains want.
func (x *tfConsole) screenShows(what, want string) {
	x.t.Helper()
	x.until(what, tfSetup, func(scr string) bool { return strings.Contains(scr, want) })
}

// toldOf waits until the screen or a toast (whose line may be cut at the
// screen's width) contains want.
func (x *tfConsole) toldOf(what, want string) {
	x.t.Helper()
	x.until(what, tfSetup, func(scr string) bool {
		for _, tm := range x.c.frame.Toasts() {
			if strings.Contains(tm.Text, want) {
				return true
			}
		}
		return strings.Contains(scr, want)
	})
}

func TestTUISecretsNeverShown(t *testing.T) {
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	// Every place a file could be written goes to a fresh directory, so
	// the disk check below sees everything the consoles wrote.
	root := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "TMPDIR"} {
		dir := filepath.Join(root, strings.ToLower(v))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv(v, dir)
	}
	t.Setenv("RECDECK_AUDIT_LOG", "")
	t.Setenv("NO_COLOR", "")
	auditPath := filepath.Join(root, "xdg_state_home", "recdeck", "audit.log")
	cfgPath := filepath.Join(root, "config.yaml")
	t.Setenv("RECDECK_CONFIG", cfgPath)
	t.Setenv("RECDECK_PASSWORD", tsPassword)
	t.Setenv("RECDECK_CLIENT_SECRET", tsSecret)

	spy := startSecretSpy(t, 17, tsUser, tsPassword, tsSecret)
	call, err := spy.sim.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	key := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: call.CorrelationId}
	// A config file with secrets that others can read: the console warns
	// on screen, naming the keys only. The environment overrides them.
	cfg := fmt.Sprintf("profiles:\n  default:\n    base_url: %s\n    api: v2\n    token_url: %s\n    username: %s\n    password: %s\n    client_secret: %s\n    sip: %s\n",
		spy.srv.URL, spy.srv.URL+sim.TokenPath(""), tsUser, tsFilePW, tsSecret, sim.DemoAgent)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfgPath, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	out := &tsOutputs{screens: map[string]bool{}}

	// 1. The password grant, honest servers: the console works.
	x, done := out.console(t)
	if x.c.client.APIVersion() != "v2" {
		t.Fatalf("API %s", x.c.client.APIVersion())
	}
	x.screenShows("the permission warning", "⚠ warning: secrets (profiles.default.client_secret, profiles.default.password) in a config file others can read")
	x.until("the hub connection", tfSetup, func(scr string) bool { return strings.Contains(scr, "● connected") })
	x.watchByHand(key)
	x.until("the call confirmed", tfSetup, func(scr string) bool { return strings.Contains(scr, "● Started   ") })
	for _, a := range []anywhere365.Action{anywhere365.ActionPause, anywhere365.ActionStart, anywhere365.ActionMark} {
		if tm := x.act(tfFind(a), key); tm.Level != ui.ToastSuccess {
			t.Fatalf("%s: %+v", a, tm)
		}
	}
	x.d.Press("enter") // the detail view
	x.screenShows("the detail view", "Correlation id "+key.CorrelationID)
	x.d.Press("esc")

	// 2. The API quotes the token in an ErrorMessage.
	spy.mode.Store(spyEchoMsg)
	if tm := x.act(tfFind(anywhere365.ActionUnMark), key); !strings.Contains(tm.Text, "token [redacted] may not do this") {
		t.Errorf("ErrorMessage quoting the token: %+v", tm)
	}
	// 3. A plain 500 quoting the Authorization header, on an action and
	// on the refreshes a hub event starts (shown under the table).
	spy.mode.Store(spyEcho500)
	if tm := x.act(tfFind(anywhere365.ActionSave), key); !strings.Contains(tm.Text, "HTTP 500") {
		t.Errorf("500 quoting the header: %+v", tm)
	}
	spy.sim.Burst(1)
	x.screenShows("the refresh error under the table", "last refresh failed")
	x.d.Press("enter")
	x.screenShows("the refresh error in the detail view", "Last error")
	x.d.Press("esc")
	// 4. The API and the hub answer 401 quoting the header; the hub is
	// dropped so the console reconnects into it.
	spy.mode.Store(spyEcho401)
	if tm := x.act(tfFind(anywhere365.ActionPause), key); tm.Level != ui.ToastError || !strings.Contains(tm.Text, "401") {
		t.Errorf("401 quoting the header: %+v", tm)
	}
	spy.sim.SetFaults(sim.Faults{DropHub: true})
	x.toldOf("the hub refusing the token", "401")
	spy.mode.Store(spyHonest)
	x.until("the hub connection again", tfSetup, func(scr string) bool { return strings.Contains(scr, "● connected") })
	done()

	// 5. Consoles that never get a token: the token endpoint echoes the
	// secrets back, hangs up, is not there, or refuses a wrong password.
	// Each time the supervisor adds the call by hand, acts on it and
	// opens its detail view.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/token"
	l.Close()
	failing := []struct {
		name  string
		mode  int
		env   string // RECDECK_PASSWORD
		args  []string
		wants string
	}{
		{"token endpoint echoes the secrets", spyTokenEcho, tsPassword, nil, "invalid_client (wrong secret [redacted] or password [redacted]"},
		{"token endpoint hangs up", spyTokenDown, tsPassword, nil, "authentication failed"},
		{"token endpoint down", spyHonest, tsPassword, []string{"--token-url", closed}, "token endpoint unreachable"},
		{"wrong password", spyHonest, tsWrongPW, nil, "Invalid user credentials"},
	}
	for _, f := range failing {
		t.Run(f.name, func(t *testing.T) {
			spy.mode.Store(int32(f.mode))
			t.Setenv("RECDECK_PASSWORD", f.env)
			x, done := out.console(t, f.args...)
			defer done()
			x.toldOf("the hub failing", f.wants)
			x.watchByHand(key)
			tm := x.act(tfFind(anywhere365.ActionPause), key)
			if tm.Level != ui.ToastError || !strings.Contains(tm.Text, f.wants) {
				t.Errorf("pause: %+v, want an error with %q", tm, f.wants)
			}
			x.screenShows("the refresh error", "last refresh failed")
			x.d.Press("enter")
			x.screenShows("the detail view", "Last error")
			x.d.Press("esc")
		})
	}
	spy.mode.Store(spyHonest)

	// 6. The client-credentials grant, and a base URL with a password in
	// it (the header shows the URL without it).
	withUser := strings.Replace(spy.srv.URL, "http://", "http://opsuser:"+tsURLPW+"@", 1)
	x, done = out.console(t, "--grant-type", "client_credentials", "--base-url", withUser)
	x.until("the hub connection (client credentials)", tfSetup, func(scr string) bool { return strings.Contains(scr, "● connected") })
	x.watchByHand(key)
	if tm := x.act(tfFind(anywhere365.ActionStart), key); tm.Level != ui.ToastSuccess {
		t.Fatalf("client credentials: %+v", tm)
	}
	done()

	tokens := spy.issued()
	if len(tokens) < 4 {
		t.Fatalf("only %d tokens issued: the flows did not run", len(tokens))
	}
	all := out.all()
	if found := leaks(all, tsSecrets, tokens); len(found) > 0 {
		for _, line := range strings.Split(all, "\n") {
			if len(leaks(line, tsSecrets, tokens)) > 0 {
				t.Logf("leaking line: %q", line)
			}
		}
		t.Errorf("secrets on screen, in toasts or on stderr: %v", found)
	}
	t.Logf("%d screens, %d toasts and messages searched; %d tokens issued", len(out.screens), len(out.texts), len(tokens))

	// The audit log holds every attempt and no secret; nothing on disk but
	// our config file holds one (the token is kept in memory only).
	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n < 10 {
		t.Errorf("the audit log has %d records:\n%s", n, data)
	}
	checkNoSecretsOnDisk(t, root, cfgPath, tsSecrets, tokens)
}

// TLS: by default a self-signed certificate is refused, and the console
// says so; --insecure-skip-verify connects and shows the TLS-INSECURE badge
// in the header, at 80 columns too, with and without colour.
func TestTUIInsecureSkipVerifyBadge(t *testing.T) {
	isolate(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := sim.New(sim.Options{Seed: 19})
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	header := func(x *tfConsole) string { return strings.SplitN(x.screen(), "\n", 2)[0] }

	x := newTFConsole(t, "--base-url", srv.URL, "--api", "v1", "--sip", sim.DemoAgent)
	x.screenShows("the certificate refused", "certificate")
	if h := header(x); strings.Contains(h, "TLS-INSECURE") {
		t.Fatalf("badge without the flag: %q", h)
	}
	x.c.close()

	for _, noColor := range []bool{false, true} {
		args := []string{"--base-url", srv.URL, "--api", "v1", "--sip", sim.DemoAgent, "--insecure-skip-verify"}
		if noColor {
			args = append(args, "--no-color")
		}
		x := newTFConsole(t, args...)
		x.until("the hub connection over TLS", tfSetup, func(scr string) bool { return strings.Contains(scr, "● connected") })
		for _, w := range []int{120, 80} {
			x.d.Send(tea.WindowSizeMsg{Width: w, Height: 24})
			if h := header(x); !strings.Contains(h, "⚠ TLS-INSECURE") || !strings.Contains(h, srv.URL) {
				t.Errorf("no-color %v, width %d: header %q", noColor, w, h)
			}
		}
		x.c.close()
	}
}

// screenHostile lists what of a hostile server's text reached a screen raw.
// A screen holds the console's own styling (SGR sequences), so the search
// is for what the console never writes: OSC, a screen clear, BEL, C1 and
// bidi characters.
func screenHostile(raw string) []string {
	var found []string
	for _, c := range []string{"\x1b]", "\x1b[2J", "\x07", "\u202e", "\u009b", "\u2066", "\r"} {
		if strings.Contains(raw, c) {
			found = append(found, fmt.Sprintf("%q", c))
		}
	}
	return found
}

// TestTUIHostileTextNeverRaw: on the console, a hostile server's text (an
// ErrorMessage answering an action or a refresh, quoting escape sequences,
// C1 and bidi characters and the user's password in several encodings; a
// hub refusing with such a reason phrase) reaches no toast, header, status
// line, cell or detail view raw, and no fragment of
// the password shows; a hostile profile name is shown printable in the
// header.
func TestTUIHostileTextNeverRaw(t *testing.T) {
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	safetext.ForgetAll()
	root := t.TempDir()
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(root, strings.ToLower(v)))
	}
	t.Setenv("RECDECK_AUDIT_LOG", "")
	t.Setenv("NO_COLOR", "")
	const password = `Tui<pw&"Hx/3+K%q'7`
	t.Setenv("RECDECK_PASSWORD", password) // registered even on API v1
	t.Setenv("RECDECK_CLIENT_SECRET", "")

	s := sim.New(sim.Options{Seed: 31})
	call, err := s.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	key := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: call.CorrelationId}
	var (
		mu      sync.Mutex
		message string // the hostile ErrorMessage; "" serves the simulator
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		msg := message
		mu.Unlock()
		if strings.Contains(r.URL.Path, "/hubs/") {
			// The hub refuses with a hostile reason phrase, which the hub
			// client quotes in its error (the header's status line).
			if hj, ok := w.(http.Hijacker); ok {
				if c, bw, err := hj.Hijack(); err == nil {
					fmt.Fprintf(bw, "HTTP/1.1 503 \x1b]0;pwned\x07\u202ebuh-desrever\u009b31m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
					_ = bw.Flush()
					c.Close()
				}
			}
			return
		}
		if msg == "" {
			s.Handler().ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(anywhere365.StateResponse{CorrelationId: key.CorrelationID, UCCName: key.UCC,
			ErrorMessage: &anywhere365.ErrorMessage{ErrorType: anywhere365.ErrorValidation, Message: msg}})
	}))
	t.Cleanup(func() {
		s.Close()
		srv.Close()
	})
	profile := "ops\u202eylno\u2066"
	cfgPath := filepath.Join(root, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("profiles:\n  %q:\n    base_url: %s\n    api: v1\n    sip: %s\n", profile, srv.URL, sim.DemoAgent)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", cfgPath)

	out := &tsOutputs{screens: map[string]bool{}}
	x, done := out.console(t, "--profile", profile)
	x.d.Send(tea.WindowSizeMsg{Width: 400, Height: 30}) // room for the hub's whole error
	x.screenShows("the profile in the header", "(profile ops ylno )")
	x.screenShows("the hub's error", "buh-desrever")
	x.watchByHand(key)
	for _, form := range echoForms(password) {
		mu.Lock()
		message = "refused " + hostileText + " for " + form[1]
		mu.Unlock()
		tm := x.act(tfFind(anywhere365.ActionMark), key)
		if tm.Level != ui.ToastError || !strings.Contains(tm.Text, "desrever") {
			t.Errorf("%s: toast %+v, want the refusal shown", form[0], tm)
		}
		// The GET is refused too (a Validation answer): final, shown with its reason.
		x.screenShows("the refresh error", "refused by the server")
	}
	x.d.Press("enter")
	x.screenShows("the detail view", "not asked again;") // a refused session: the reason, no "Last error" line
	x.d.Press("esc")
	mu.Lock()
	message = ""
	mu.Unlock()
	done()

	all := out.all()
	if l := fragmentLeaks(all, password); len(l) > 0 {
		t.Errorf("fragments of the password on the console: %q", l)
	}
	for scr := range out.screens {
		if c := screenHostile(scr); len(c) > 0 {
			t.Fatalf("raw %v on the screen:\n%q", c, scr)
		}
	}
	for _, text := range out.texts {
		if c := controlsIn(text); len(c) > 0 {
			t.Fatalf("raw %v in a toast or stderr: %q", c, text)
		}
	}
	t.Logf("%d screens, %d toasts searched", len(out.screens), len(out.texts))
}
