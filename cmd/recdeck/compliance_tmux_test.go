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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// tmuxConsole is the built binary (the demo) running in a tmux session.
type tmuxConsole struct {
	*tmuxSession
	base       string // the demo simulator's URL
	pidFile    string // the shell's pid; recdeck is its child
	errFile    string
	statusFile string // recdeck's exit status, written by the shell
}

// startTmuxConsole starts bin with args in a new tmux session (on the test's
// private tmux server, socket) and waits for the demo's hub connection.
func startTmuxConsole(t *testing.T, bin, home, socket, name string, args ...string) *tmuxConsole {
	t.Helper()
	c := launchTmuxConsole(t, bin, home, socket, name, args...)
	m := c.waitFor("the demo header", regexp.MustCompile(`DEMO\s+(http://127\.0\.0\.1:\d+)`))
	c.base = m[1]
	c.waitFor("the hub connection", regexp.MustCompile(`● connected`))
	return c
}

// launchTmuxConsole starts bin with args in a new tmux session of 120x32,
// with HOME, the config and the state directories under home.
func launchTmuxConsole(t *testing.T, bin, home, socket, name string, args ...string) *tmuxConsole {
	t.Helper()
	c := &tmuxConsole{tmuxSession: &tmuxSession{start: time.Now(), t: t, socket: socket, name: name},
		pidFile: filepath.Join(home, name+".pid"), errFile: filepath.Join(home, name+".stderr"),
		statusFile: filepath.Join(home, name+".status")}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a)
	}
	script := fmt.Sprintf("cd %q && echo $$ > %q && HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q TERM=xterm-256color %q %s 2> %q; echo $? > %q",
		home, c.pidFile, home, filepath.Join(home, "config"), filepath.Join(home, "state"), bin, strings.Join(quoted, " "), c.errFile, c.statusFile)
	c.tmux("new-session", "-d", "-x", "120", "-y", "32", "-s", name, "sh", "-c", script)
	return c
}

// builtBinary builds recdeck once per test process (the tmux and signal
// tests share it) and returns its path.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "recdeck-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "recdeck")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// pid is recdeck's process id: the only child of the shell tmux started.
func (c *tmuxConsole) pid() int {
	c.t.Helper()
	raw, err := os.ReadFile(c.pidFile)
	if err != nil {
		c.t.Fatal(err)
	}
	sh := strings.TrimSpace(string(raw))
	kids, err := os.ReadFile(filepath.Join("/proc", sh, "task", sh, "children"))
	if err != nil {
		c.t.Fatalf("children of the shell %s: %v", sh, err)
	}
	f := strings.Fields(string(kids))
	if len(f) != 1 {
		c.t.Fatalf("the shell %s has children %q, want recdeck alone", sh, kids)
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		c.t.Fatal(err)
	}
	return pid
}

// esc sends a lone Escape: one followed at once by a key reads as alt+key.
func (c *tmuxConsole) esc() {
	time.Sleep(150 * time.Millisecond)
	c.keys("Escape")
	time.Sleep(150 * time.Millisecond)
}

// newCall answers a call on ucc-demo-name in the demo's simulator.
func (c *tmuxConsole) newCall(id string) {
	c.t.Helper()
	body, _ := json.Marshal(sim.NewCallRequest{UCCName: "ucc-demo-name", CorrelationId: id})
	resp, err := http.Post(c.base+"/sim/calls", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		c.t.Fatalf("POST /sim/calls: %s", resp.Status)
	}
}

// set changes a call through the REST API as the agent's own client would.
func (c *tmuxConsole) set(id string, a anywhere365.Action) {
	c.t.Helper()
	body, _ := json.Marshal(anywhere365.SetRequest{Action: a, RequesterSipUri: sim.DemoAgent, CorrelationId: id, UCCName: "ucc-demo-name"})
	resp, err := http.Post(c.base+"/attendantservice/api/recording/set", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%v by the agent's client: %s", a, resp.Status)
	}
}

// filterTo shows only the call whose id starts with short.
func (c *tmuxConsole) filterTo(short string) {
	c.esc() // clears a filter
	c.keys("/")
	c.keys("-l", short)
	c.keys("Enter")
	c.waitFor("the call "+short+", started", regexp.MustCompile(`ucc-demo-name +`+short+` +● Started `))
}

// waitExit waits for recdeck to end and returns its exit status.
func (c *tmuxConsole) waitExit(within time.Duration, pid int) string {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		if b, err := os.ReadFile(c.statusFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGQUIT) // a goroutine dump, on stderr
			time.Sleep(time.Second)
			dump, _ := os.ReadFile(c.errFile)
			c.t.Fatalf("no exit; screen:\n%s\nstderr:\n%s", c.screen(), dump)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestComplianceInTmux runs the built binary (the demo) in a real
// terminal: a pause made through the REST API by someone else shows as
// "overdue" after --max-pause, and the alerts view resumes it. Then, with
// the default 3-minute maximum, a payment pause is resumed when the
// process gets SIGTERM, and again with SIGHUP; each exits with status 0.
func TestComplianceInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	bin := builtBinary(t)
	home := isolate(t)
	socket := fmt.Sprintf("recdeck-compliance-%d", os.Getpid())
	defer exec.Command("tmux", "-L", socket, "kill-server").Run()
	// A session that outlives the consoles keeps the tmux server up between
	// them (it exits with its last session).
	if out, err := exec.Command("tmux", "-L", socket, "new-session", "-d", "-s", "keep", "sleep", "600").CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}

	// Someone else pauses a call through the REST API.
	c := startTmuxConsole(t, bin, home, socket, "overdue", "--sip", sim.DemoSupervisor, "--max-pause", "2s")
	const id = "7e57ca11-0000-4000-8000-0000000000aa"
	c.newCall(id)
	c.filterTo("7e57ca11")
	c.set(id, anywhere365.ActionPause)
	c.waitFor("overdue on the row and in the header", regexp.MustCompile(`(?s)⚠ \d+ overdue.*⚠ ucc-demo-name +7e57ca11 +‖ Paused .*overdue`))
	c.keys("!")
	c.waitFor("the alerts view", regexp.MustCompile(`(?s)Compliance alerts.*⚠ overdue +ucc-demo-name +7e57ca11`))
	// The demo's generated calls may be flagged too: move onto ours.
	for i := 0; i < 20 && !regexp.MustCompile(`▸ ⚠ overdue +ucc-demo-name +7e57ca11`).MatchString(c.screen()); i++ {
		c.keys("j")
		time.Sleep(50 * time.Millisecond)
	}
	c.keys("s")
	c.waitFor("the resume", regexp.MustCompile(`Resumed ucc-demo-name/7e57ca11`))
	if st := simCall(t, c.base, id); st.RecordingState != anywhere365.RecordingStarted {
		t.Fatalf("the simulator's true state after the alerts view's resume: %+v", st)
	}
	c.esc()
	pid := c.pid()
	c.keys("q")
	if status := c.waitExit(15*time.Second, pid); status != "0" {
		t.Fatalf("exit status %s after q", status)
	}

	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		c := startTmuxConsole(t, bin, home, socket, fmt.Sprintf("sig%d", i), "--sip", sim.DemoSupervisor)
		id := fmt.Sprintf("5ec0dca%d-0000-4000-8000-0000000000bb", i)
		c.newCall(id)
		c.filterTo(id[:8])
		c.keys("P")
		c.waitFor("payment mode", regexp.MustCompile(`PAYMENT MODE`))
		c.keys("Space")
		c.waitFor("the payment pause", regexp.MustCompile(`Recording resumes automatically in [23]:`))
		if st := simCall(t, c.base, id); st.RecordingState != anywhere365.RecordingPaused {
			t.Fatalf("not paused: %+v", st)
		}
		pid := c.pid()
		sent := time.Now()
		if err := syscall.Kill(pid, sig); err != nil {
			t.Fatal(err)
		}
		if status := c.waitExit(20*time.Second, pid); status != "0" {
			t.Fatalf("exit status %s after %v", status, sig)
		}
		t.Logf("exited %v after %v", time.Since(sent).Round(time.Millisecond), sig)
		// The demo's simulator died with the process: the audit log is the
		// evidence that the resume was sent and accepted before it exited,
		// long before the 3-minute maximum.
		data, err := os.ReadFile(filepath.Join(home, "state", "recdeck", "audit.log"))
		if err != nil {
			t.Fatal(err)
		}
		want := `"correlation_id":"` + id + `","action":"Start","requester":"sip:supervisor@domain.com","outcome":"ok","trigger":"payment-mode auto-resume"`
		if !strings.Contains(string(data), want) {
			t.Fatalf("no audited resume of %s before the exit on %v:\n%s", id, sig, data)
		}
		if errOut, _ := os.ReadFile(c.errFile); !strings.Contains(string(errOut), "payment pause resumed before exiting") {
			t.Fatalf("stderr after %v: %s", sig, errOut)
		}
	}
}
