package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// TestComplianceInTmux runs the built binary (the demo) in a real
// terminal: a pause made through the REST API by someone else shows as
// "overdue" after --max-pause, the alerts view resumes it; then a payment
// pause is resumed when the process gets SIGTERM, which exits with 0.
func TestComplianceInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	start := time.Now()
	bin := filepath.Join(t.TempDir(), "recdeck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	home := isolate(t)
	pidFile := filepath.Join(home, "pid")
	s := &tmuxSession{start: start, t: t, socket: fmt.Sprintf("recdeck-compliance-%d", os.Getpid()), name: "rc"}
	errFile := filepath.Join(home, "stderr")
	script := fmt.Sprintf("cd %q && echo $$ > %q && HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q TERM=xterm-256color exec %q --sip %s --max-pause 2s 2> %q",
		home, pidFile, home, filepath.Join(home, "config"), filepath.Join(home, "state"), bin, sim.DemoSupervisor, errFile)
	s.tmux("new-session", "-d", "-x", "120", "-y", "32", "-s", s.name, "sh", "-c", script)
	s.tmux("set-option", "-t", s.name, "remain-on-exit", "on")
	defer exec.Command("tmux", "-L", s.socket, "kill-server").Run()

	m := s.waitFor("the demo header", regexp.MustCompile(`DEMO\s+(http://127\.0\.0\.1:\d+)`))
	base := m[1]
	s.waitFor("the hub connection", regexp.MustCompile(`● connected`))

	newCall := func(id string) {
		body, _ := json.Marshal(sim.NewCallRequest{UCCName: "ucc-demo-name", CorrelationId: id})
		resp, err := http.Post(base+"/sim/calls", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST /sim/calls: %s", resp.Status)
		}
	}
	set := func(id string, a anywhere365.Action) {
		body, _ := json.Marshal(anywhere365.SetRequest{Action: a, RequesterSipUri: sim.DemoAgent, CorrelationId: id, UCCName: "ucc-demo-name"})
		resp, err := http.Post(base+"/attendantservice/api/recording/set", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%v by the agent's client: %s", a, resp.Status)
		}
	}

	// Someone else pauses a call through the REST API.
	const id = "7e57ca11-0000-4000-8000-0000000000aa"
	newCall(id)
	s.keys("/")
	s.keys("-l", "7e57ca11")
	s.keys("Enter")
	s.waitFor("the call, started", regexp.MustCompile(`ucc-demo-name +7e57ca11 +● Started `))
	set(id, anywhere365.ActionPause)
	s.waitFor("overdue on the row and in the header", regexp.MustCompile(`(?s)⚠ \d+ overdue.*⚠ ucc-demo-name +7e57ca11 +‖ Paused .*overdue`))
	s.keys("!")
	s.waitFor("the alerts view", regexp.MustCompile(`(?s)Compliance alerts.*⚠ overdue +ucc-demo-name +7e57ca11`))
	// The demo's generated calls may be flagged too: move onto ours.
	for i := 0; i < 20 && !regexp.MustCompile(`▸ ⚠ overdue +ucc-demo-name +7e57ca11`).MatchString(s.screen()); i++ {
		s.keys("j")
		time.Sleep(50 * time.Millisecond)
	}
	s.keys("s")
	s.waitFor("the resume", regexp.MustCompile(`Resumed ucc-demo-name/7e57ca11`))
	if st := simCall(t, base, id); st.RecordingState != anywhere365.RecordingStarted {
		t.Fatalf("the simulator's true state after the alerts view's resume: %+v", st)
	}
	// A lone Escape: one followed at once by a key reads as alt+key.
	esc := func() {
		time.Sleep(150 * time.Millisecond)
		s.keys("Escape")
		time.Sleep(150 * time.Millisecond)
	}
	esc()
	s.waitFor("the table", regexp.MustCompile(`UCC▲`))

	// A payment pause, then SIGTERM: the console resumes it and exits 0.
	const id2 = "5ec0dca1-0000-4000-8000-0000000000bb"
	newCall(id2)
	esc() // clears the filter
	s.keys("/")
	s.keys("-l", "5ec0dca1")
	s.keys("Enter")
	s.waitFor("the second call", regexp.MustCompile(`ucc-demo-name +5ec0dca1 +● Started `))
	s.keys("P")
	s.waitFor("payment mode", regexp.MustCompile(`PAYMENT MODE`))
	s.keys("Space")
	s.waitFor("the payment pause", regexp.MustCompile(`Recording resumes automatically in`))
	if st := simCall(t, base, id2); st.RecordingState != anywhere365.RecordingPaused {
		t.Fatalf("not paused: %+v", st)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := strings.Fields(s.tmux("display-message", "-p", "-t", s.name, "#{pane_dead} #{pane_dead_status}"))
		if len(out) == 2 && out[0] == "1" {
			if out[1] != "0" {
				t.Fatalf("exit status %s after SIGTERM; screen:\n%s", out[1], s.screen())
			}
			break
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGQUIT) // a goroutine dump, on stderr
			time.Sleep(time.Second)
			dump, _ := os.ReadFile(errFile)
			t.Fatalf("no exit after SIGTERM; screen:\n%s\nstderr:\n%s", s.screen(), dump)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("exited %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	// The demo's simulator died with the process: the audit log is the
	// evidence that the resume was sent and accepted before it exited.
	data, err := os.ReadFile(filepath.Join(home, "state", "recdeck", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"correlation_id":"` + id2 + `","action":"Start","requester":"sip:supervisor@domain.com","outcome":"ok"`
	if !strings.Contains(string(data), want) || !strings.Contains(string(data), `"trigger":"payment-mode auto-resume"`) {
		t.Fatalf("no audited resume of %s before the exit:\n%s", id2, data)
	}
}
