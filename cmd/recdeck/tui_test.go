package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui/sessions"
)

// isolate points HOME, the config dir and the state dir at a temporary
// directory, so a test never reads or writes the user's own files.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	t.Setenv("RECDECK_CONFIG", "")
	t.Setenv("RECDECK_AUDIT_LOG", "")
	t.Setenv("NO_COLOR", "")
	return home
}

func writeConfig(t *testing.T, home, body string) {
	t.Helper()
	p := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", p)
}

func TestTUISettings(t *testing.T) {
	isolate(t)
	cmd := &cobra.Command{Use: "x"}
	bindTUIFlags(cmd)
	if err := cmd.ParseFlags([]string{"--theme", "light", "--payment-max", "90s"}); err != nil {
		t.Fatal(err)
	}
	s, err := readTUISettings(cmd, Profile{Theme: "dark"})
	if err != nil || s.theme != "light" || s.noColor || s.paymentMax != 90*time.Second {
		t.Fatalf("%+v %v", s, err)
	}
	// The profile's theme applies without the flag; NO_COLOR turns colour off.
	t.Setenv("NO_COLOR", "1")
	s, _ = readTUISettings(&cobra.Command{Use: "bare"}, Profile{Theme: "colorblind"})
	if s.theme != "colorblind" || !s.noColor || s.paymentMax != sessions.DefaultPaymentMax {
		t.Fatalf("%+v", s)
	}
	cmd = &cobra.Command{Use: "x"}
	bindTUIFlags(cmd)
	_ = cmd.ParseFlags([]string{"--payment-max", "0s"})
	if _, err := readTUISettings(cmd, Profile{}); err == nil {
		t.Fatal("a zero --payment-max must be refused")
	}
	// An agent sets the maximum once in the profile; the flag still wins.
	s, err = readTUISettings(&cobra.Command{Use: "bare"}, Profile{PaymentMax: 2 * time.Minute})
	if err != nil || s.paymentMax != 2*time.Minute {
		t.Fatalf("profile payment_max: %+v %v", s, err)
	}
	cmd = &cobra.Command{Use: "x"}
	bindTUIFlags(cmd)
	_ = cmd.ParseFlags([]string{"--payment-max", "45s"})
	if s, _ = readTUISettings(cmd, Profile{PaymentMax: 2 * time.Minute}); s.paymentMax != 45*time.Second {
		t.Fatalf("--payment-max over the profile: %v", s.paymentMax)
	}
	if _, err := readTUISettings(&cobra.Command{Use: "bare"}, Profile{PaymentMax: -time.Second}); err == nil {
		t.Fatal("a negative payment_max must be refused")
	}
}

func TestTUIRefusesBadThemeAndKeysBeforeStarting(t *testing.T) {
	cases := []struct {
		name, profile, want string
		also                []string // more the message must name
	}{
		{"unknown theme", "theme: neon", `unknown theme "neon"`, nil},
		{"unknown key binding", "keys: {paws: [p]}", `unknown binding "paws"`, nil},
		{"key conflict", "keys: {mark: [q]}", `"q" would trigger both`, nil},
		// The known names listed are every pane's and the frame's.
		{"unknown vendor binding", "keys: {akixi_delet: [D]}", `unknown binding "akixi_delet"`,
			[]string{"akixi_delete", "noojee_fetch", "voipnow_record", "voipnow_stop", "pause", "quit", "down"}},
		{"conflict within a vendor pane", "keys: {akixi_delete: [a]}", `"a" would trigger both akixi_add and akixi_delete`, nil},
		{"conflict of a vendor pane with the frame", "keys: {voipnow_record: [q]}", `"q" would trigger both quit and voipnow_record`, nil},
		{"shared name onto a vendor pane's key", "keys: {down: [f]}", `"f" would trigger both down and noojee_fetch`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := isolate(t)
			writeConfig(t, home, "default_profile: p\nprofiles:\n  p:\n    "+c.profile+"\n")
			var out, errOut bytes.Buffer
			code := run(context.Background(), nil, &out, &errOut)
			if code != exitUsage || !strings.Contains(errOut.String(), c.want) {
				t.Fatalf("exit %d, stderr %q", code, errOut.String())
			}
			for _, name := range c.also {
				if !strings.Contains(errOut.String(), name) {
					t.Errorf("stderr %q does not name %s", errOut.String(), name)
				}
			}
		})
	}
	t.Run("bad user theme file named by path", func(t *testing.T) {
		home := isolate(t)
		bad := filepath.Join(home, "mine.yaml")
		if err := os.WriteFile(bad, []byte("colors:\n  accent: chartreuse\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		writeConfig(t, home, "default_profile: p\nprofiles:\n  p:\n    theme: "+bad+"\n")
		var out, errOut bytes.Buffer
		code := run(context.Background(), nil, &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "mine.yaml: key colors.accent (line 2)") {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
	})
}

// TestTUIRebindsEveryPane: a profile's keys: map rebinds the vendor panes'
// own keys (by their prefixed names) and the movement names every pane
// shares, the console starts, and each new key works in its pane. The same
// key in two panes (x: stop in the sessions pane, stop recording in
// VoipNow) is accepted.
func TestTUIRebindsEveryPane(t *testing.T) {
	home := isolate(t)
	writeConfig(t, home, "default_profile: p\nprofiles:\n  p:\n"+
		"    keys: {akixi_delete: [D], voipnow_record: [R], voipnow_stop: [x], down: [n]}\n")
	x := newTFConsole(t)
	titles := []string{}
	for _, p := range x.c.frame.Panes() {
		titles = append(titles, p.Title())
	}
	if strings.Join(titles, ",") != "Anywhere365,VoipNow,Noojee,Akixi" {
		t.Fatalf("panes %v", titles)
	}
	rowOf := regexp.MustCompile(`row (\d+) of (\d+)`)
	row := func() string {
		t.Helper()
		m := rowOf.FindStringSubmatch(x.screen())
		if m == nil {
			t.Fatalf("no row number on screen:\n%s", x.screen())
		}
		return m[1]
	}

	// The sessions pane: n moves down, j no longer does. No tick is sent
	// between the keys, so the table cannot change under them.
	x.until("two sessions", 10*time.Second, func(scr string) bool {
		m := rowOf.FindStringSubmatch(scr)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[2])
		}
		return n >= 2
	})
	x.d.Press("g")
	if r := row(); r != "1" {
		t.Fatalf("g: row %s", r)
	}
	x.d.Press("j")
	if r := row(); r != "1" {
		t.Errorf("j still moves down: row %s", r)
	}
	x.d.Press("n")
	if r := row(); r != "2" {
		t.Errorf("n should move down: row %s", r)
	}
	if scr := x.screen(); !strings.Contains(scr, "x stop (confirm)") {
		t.Errorf("the sessions pane's stop key changed:\n%s", scr)
	}

	// The vendor panes read their first page as the frame's Init would have
	// started them; the answers are delivered once (their poll timers are
	// dropped: this test drives no clock).
	for _, p := range x.c.frame.Panes()[1:] {
		for _, m := range tfRun(p.Init()) {
			x.c.model.Update(m)
		}
	}

	// VoipNow: n moves the selection, R opens the format prompt, r does not.
	x.d.Press("2")
	selected := regexp.MustCompile(`Selected: ([^·]+)`)
	sel := func() string {
		t.Helper()
		m := selected.FindStringSubmatch(x.screen())
		if m == nil {
			t.Fatalf("no VoipNow selection on screen:\n%s", x.screen())
		}
		return m[1]
	}
	first := sel()
	x.d.Press("j")
	if got := sel(); got != first {
		t.Errorf("j still moves down in VoipNow: %q -> %q", first, got)
	}
	x.d.Press("n")
	if got := sel(); got == first {
		t.Errorf("n did not move down in VoipNow: still %q", got)
	}
	scr := x.screen()
	for _, want := range []string{"R start recording", "x stop recording", "n down"} {
		if !strings.Contains(scr, want) {
			t.Errorf("VoipNow's footer lacks %q:\n%s", want, scr)
		}
	}
	x.d.Press("r")
	if x.c.frame.Panes()[1].Capturing() {
		t.Fatal("r still opens VoipNow's format prompt")
	}
	x.d.Press("R")
	if !strings.Contains(x.screen(), "Start recording") {
		t.Fatalf("R did not open the format prompt:\n%s", x.screen())
	}
	x.d.Press("esc")

	// Akixi: D asks before deleting (the demo entry warns first), d does
	// nothing; esc keeps the entry.
	x.d.Press("4")
	x.d.Press("d")
	if x.c.frame.Panes()[3].Capturing() {
		t.Fatal("d still deletes in Akixi")
	}
	x.d.Press("D")
	if scr := x.screen(); !x.c.frame.Panes()[3].Capturing() || !strings.Contains(scr, "Continue to delete it anyway?") {
		t.Fatalf("D did not ask to delete:\n%s", scr)
	}
	x.d.Press("esc")
	if x.c.frame.Panes()[3].Capturing() {
		t.Error("esc did not keep the entry")
	}
}

// tmuxSession runs the built binary in a detached tmux session of a fixed
// size, on a private tmux server.
type tmuxSession struct {
	start  time.Time
	t      *testing.T
	socket string
	name   string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

// waitFor polls the pane until re matches, with a deadline.
func (s *tmuxSession) waitFor(what string, re *regexp.Regexp) []string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.screen()
		if m := re.FindStringSubmatch(scr); m != nil {
			s.t.Logf("%s: seen after %s", what, time.Since(s.start).Round(time.Millisecond))
			return m
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// TestTUIInTmux runs the real binary in a real terminal: the demo starts,
// rows appear, p pauses the selected call (the simulator's true state
// says so), ? shows help, and q exits with status 0.
func TestTUIInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): skipping the real-terminal test")
	}
	// Build first, with the real environment (its build and module caches).
	start := time.Now()
	bin := builtBinary(t)
	home := isolate(t)
	exitFile := filepath.Join(home, "exit-status")
	auditLog := filepath.Join(home, "audit.log")
	t.Logf("built in %s", time.Since(start).Round(time.Millisecond))
	s := &tmuxSession{start: start, t: t, socket: fmt.Sprintf("recdeck-test-%d", os.Getpid()), name: "rd"}
	script := fmt.Sprintf("cd %q && HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q RECDECK_AUDIT_LOG=%q TERM=xterm-256color %q; echo $? > %q",
		home, home, filepath.Join(home, "config"), filepath.Join(home, "state"), auditLog, bin, exitFile)
	s.tmux("new-session", "-d", "-x", "100", "-y", "30", "-s", s.name, "sh", "-c", script)
	defer exec.Command("tmux", "-L", s.socket, "kill-server").Run()

	// The demo starts: DEMO badge, the in-process simulator's URL, rows.
	m := s.waitFor("the demo header", regexp.MustCompile(`DEMO\s+(http://127\.0\.0\.1:\d+)`))
	base := m[1]
	s.waitFor("the hub connection and rows", regexp.MustCompile(`(?s)● connected.*(ucc-demo-name|payments|helpdesk) +[0-9a-f]{8} `))

	// Make a call of our own (the generator does not drive it), find it
	// with the filter, and pause it.
	const id = "7e57ca11-0000-4000-8000-000000000001"
	body, _ := json.Marshal(sim.NewCallRequest{UCCName: "ucc-demo-name", CorrelationId: id})
	resp, err := http.Post(base+"/sim/calls", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST /sim/calls: %s", resp.Status)
	}
	s.keys("/")
	s.keys("-l", "7e57ca11")
	s.keys("Enter")
	s.waitFor("the filtered row, started", regexp.MustCompile(`ucc-demo-name +7e57ca11 +● Started `))
	s.keys("p")
	s.waitFor("the pause confirmed on screen", regexp.MustCompile(`(?s)ucc-demo-name +7e57ca11 +‖ Paused .*✓ ok: Paused ucc-demo-name/7e57ca11`))
	if st := simCall(t, base, id); st.RecordingState.String() != "Paused" {
		t.Fatalf("the simulator's true state: %+v", st)
	}

	s.keys("?")
	s.waitFor("the help screen", regexp.MustCompile(`(?s)Keys.*p +pause.*t +next theme.*q +quit`))
	s.keys("Escape")
	s.waitFor("the table again", regexp.MustCompile(`UCC▲`))
	s.keys("q")
	quitAt := time.Now()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(exitFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			if got := strings.TrimSpace(string(b)); got != "0" {
				t.Fatalf("exit status %s", got)
			}
			t.Logf("exited %s after q", time.Since(quitAt).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recdeck did not exit after q; screen:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The pause was audited.
	data, err := os.ReadFile(auditLog)
	if err != nil || !strings.Contains(string(data), `"correlation_id":"`+id+`","action":"Pause","requester":"sip:agent@domain.com","outcome":"ok"`) {
		t.Fatalf("audit log %q (%v)", data, err)
	}
}

func simCall(t *testing.T, base, id string) sim.CallState {
	t.Helper()
	resp, err := http.Get(base + "/sim/calls/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sim.CallState
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("GET /sim/calls/%s: %v: %s", id, err, b)
	}
	return st
}
