package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// twoServerConfig writes a config with two profiles, east and west, one per
// simulator, and returns the audit log's path.
func twoServerConfig(t *testing.T, east, west *tfSim, extra string) string {
	t.Helper()
	home := isolate(t)
	auditLog := filepath.Join(home, "audit.log")
	t.Setenv("RECDECK_AUDIT_LOG", auditLog)
	writeConfig(t, home, fmt.Sprintf(`%s
profiles:
  east: {base_url: %q, sip: %q}
  west: {base_url: %q, sip: %q}
`, extra, east.url(), sim.DemoSupervisor, west.url(), sim.DemoSupervisor))
	return auditLog
}

// TestConsoleFollowsTwoServers: --profile twice follows both servers in one
// table, each row acting on its own server (the same UCC on both), the
// header shows each server's connection, an outage of one leaves the other
// live, and :profile switches to one of them without a restart.
func TestConsoleFollowsTwoServers(t *testing.T) {
	east, west := startTFSim(t, 11), startTFSim(t, 12)
	auditLog := twoServerConfig(t, east, west, "")
	x := newTFConsole(t, "--profile", "east", "--profile", "west")
	x.until("both servers connected", tfSetup, func(scr string) bool {
		return strings.Contains(scr, "east ●") && strings.Contains(scr, "west ●") &&
			east.sim().HubConnections() == 1 && west.sim().HubConnections() == 1
	})
	if scr := x.screen(); !strings.Contains(scr, "2 servers: east, west") {
		t.Fatalf("the header should name both servers:\n%s", scr)
	}
	ek, wk := east.newCall("payments"), west.newCall("payments")
	ek.Server, wk.Server = "east", "west"

	x.selectCall(ek)
	x.d.Press("p")
	x.until("east's call paused", 5*time.Second, func(string) bool {
		c, ok := east.truth(ek.CorrelationID)
		return ok && c.RecordingState == anywhere365.RecordingPaused
	})
	if _, ok := west.truth(ek.CorrelationID); ok {
		t.Fatal("west knows east's call")
	}
	x.selectCall(wk)
	x.d.Press("m")
	x.until("west's call marked", 5*time.Second, func(string) bool {
		c, ok := west.truth(wk.CorrelationID)
		return ok && c.MarkingState == anywhere365.MarkingMark
	})
	if c, _ := east.truth(ek.CorrelationID); c.MarkingState == anywhere365.MarkingMark {
		t.Fatal("east's call was marked: the action went to the wrong server")
	}
	x.d.Press("esc") // clear the filter

	// Each audit record names its own server and profile.
	data, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	wantServer := map[string]string{"east": east.url(), "west": west.url()}
	wantCall := map[string]string{"east": ek.CorrelationID, "west": wk.CorrelationID}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct{ Profile, Server, CorrelationID string }
		if err := json.Unmarshal([]byte(line), &struct {
			Profile       *string `json:"profile"`
			Server        *string `json:"server"`
			CorrelationID *string `json:"correlation_id"`
		}{&r.Profile, &r.Server, &r.CorrelationID}); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if r.Server != wantServer[r.Profile] || r.CorrelationID != wantCall[r.Profile] {
			t.Errorf("audit record for profile %q names server %q and call %q; want %q and %q",
				r.Profile, r.Server, r.CorrelationID, wantServer[r.Profile], wantCall[r.Profile])
		}
		n++
	}
	if n != 4 {
		t.Errorf("want 4 audit records (attempt and outcome of two actions), got %d:\n%s", n, data)
	}

	// West goes down: east stays connected, west reconnects.
	west.stop()
	x.until("west reconnecting, east connected", tfSetup, func(scr string) bool {
		return strings.Contains(scr, "east ●") && strings.Contains(scr, "west ↻")
	})

	// :profile east: one server, no restart; west's listener stops.
	x.d.Press(":")
	x.d.Type("profile east")
	x.d.Press("enter")
	x.until("the console following east alone", tfSetup, func(scr string) bool {
		return strings.Contains(scr, east.url()+" (profile east)") && strings.Contains(scr, "● connected") &&
			!strings.Contains(scr, "west")
	})
	x.until("east's call listed again", tfSetup, func(scr string) bool {
		return strings.Contains(scr, ek.CorrelationID[:8])
	})
	if got := len(x.c.followedSet()); got != 1 {
		t.Fatalf("following %d servers after :profile east", got)
	}
	if k, ok := x.c.pane.Selected(); ok && k.Server != "" {
		t.Fatalf("one server: keys should not be stamped, got %+v", k)
	}
}

// default_profile may list profiles: the console follows them all; the
// commands that talk to one server use the first, and a repeated --profile
// is refused outside the console.
func TestDefaultProfileListAndOneServerCommands(t *testing.T) {
	east, west := startTFSim(t, 21), startTFSim(t, 22)
	twoServerConfig(t, east, west, "default_profile: [west, east]")
	x := newTFConsole(t)
	x.until("both servers connected", tfSetup, func(scr string) bool {
		return strings.Contains(scr, "2 servers: west, east") && strings.Contains(scr, "east ●") && strings.Contains(scr, "west ●")
	})

	g := &globals{}
	root := &cobra.Command{Use: "recdeck"}
	g.bind(root)
	if err := root.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	p, err := g.profile()
	if err != nil || p.BaseURL != west.url() {
		t.Fatalf("one-server command: profile %q, %v; want the first listed (west, %s)", p.BaseURL, err, west.url())
	}
	g = &globals{}
	root = &cobra.Command{Use: "recdeck"}
	g.bind(root)
	if err := root.ParseFlags([]string{"--profile", "east", "--profile", "west"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.profile(); err == nil || !strings.Contains(err.Error(), "only the console") {
		t.Fatalf("a repeated --profile outside the console: %v", err)
	}
	// With several profiles, a flag naming one server is refused.
	g = &globals{}
	root = &cobra.Command{Use: "recdeck"}
	g.bind(root)
	if err := root.ParseFlags([]string{"--profile", "east", "--profile", "west", "--base-url", "http://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.consoleProfiles(); err == nil || !strings.Contains(err.Error(), "--base-url") {
		t.Fatalf("--base-url with two profiles: %v", err)
	}
	// An unknown name in the list is a config error naming the profiles.
	home := isolate(t)
	writeConfig(t, home, "default_profile: [east, nowhere]\nprofiles:\n  east: {base_url: http://127.0.0.1:1}\n")
	g = &globals{}
	if _, err := g.consoleProfiles(); err == nil || !strings.Contains(err.Error(), `"nowhere" is not among the profiles (east)`) {
		t.Fatalf("unknown profile in default_profile: %v", err)
	}
}

// TestTwoServersInTmux runs the built binary in a real terminal against
// two simulators: both servers' calls in one table, command mode (tab
// completion, :goto, :sort, :export) acting on the right server, and
// :profile switching to one server without a restart.
func TestTwoServersInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	bin := builtBinary(t)
	east, west := startTFSim(t, 31), startTFSim(t, 32)
	home := isolate(t)
	dir := filepath.Join(home, "config", "recdeck")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("profiles:\n  east: {base_url: %q, sip: %q}\n  west: {base_url: %q, sip: %q}\n",
		east.url(), sim.DemoSupervisor, west.url(), sim.DemoSupervisor)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	socket := fmt.Sprintf("recdeck-multi-%d", os.Getpid())
	defer exec.Command("tmux", "-L", socket, "kill-server").Run()
	c := launchTmuxConsole(t, bin, home, socket, "multi", "--profile", "east", "--profile", "west")
	c.waitFor("both servers connected", regexp.MustCompile(`(?s)2 servers: east, west.*east ●  west ●`))
	ek, wk := east.newCall("payments"), west.newCall("payments")
	c.waitFor("both calls listed", regexp.MustCompile(`(?s)(`+ek.CorrelationID[:8]+`.*`+wk.CorrelationID[:8]+`|`+wk.CorrelationID[:8]+`.*`+ek.CorrelationID[:8]+`)`))

	// Tab completes the command and the profile name.
	c.openCommand()
	c.keys("-l", "prof")
	c.keys("Tab")
	c.keys("-l", "w")
	c.keys("Tab")
	c.waitFor("the completed command line", regexp.MustCompile(`:\s*profile west`))
	c.esc()
	c.waitGone("the command line", regexp.MustCompile(`profile west`))

	// :goto jumps to west's call; p pauses it on west, not east.
	c.openCommand()
	c.keys("-l", "goto "+wk.CorrelationID[:6])
	c.keys("Enter")
	c.waitFor("west's call selected, SERVER column", regexp.MustCompile(`▸ +west +payments +`+wk.CorrelationID[:8]))
	c.keys("p")
	c.waitFor("the pause confirmed", regexp.MustCompile(`Paused west:payments/`+wk.CorrelationID[:8]))
	if st, _ := west.truth(wk.CorrelationID); st.RecordingState != anywhere365.RecordingPaused {
		t.Fatalf("west's true state: %+v", st)
	}
	if st, _ := east.truth(ek.CorrelationID); st.RecordingState != anywhere365.RecordingStarted {
		t.Fatalf("east's call changed: %+v", st)
	}

	// :sort and :export write the table as shown.
	c.openCommand()
	c.keys("-l", "sort recording")
	c.keys("Enter")
	c.waitFor("the sort", regexp.MustCompile(`Sorted by recording state`))
	out := filepath.Join(home, "table.csv")
	c.openCommand()
	c.keys("-l", "export "+out)
	c.keys("Enter")
	c.waitFor("the export", regexp.MustCompile(`Exported 2 sessions`))
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), ek.CorrelationID) || !strings.Contains(string(data), wk.CorrelationID) {
		t.Fatalf("export: %v\n%s", err, data)
	}

	// :profile east follows east alone: its call stays, west's goes.
	c.openCommand()
	c.keys("-l", "profile east")
	c.keys("Enter")
	c.waitFor("east alone", regexp.MustCompile(`(?s)`+regexp.QuoteMeta(east.url())+` \(profile east\).*● connected`))
	c.waitFor("east's call listed", regexp.MustCompile(ek.CorrelationID[:8]))
	if scr := c.screen(); strings.Contains(scr, wk.CorrelationID[:8]) {
		t.Fatalf("west's call still listed after :profile east:\n%s", scr)
	}
	pid := c.pid()
	c.keys("q")
	if status := c.waitExit(15*time.Second, pid); status != "0" {
		t.Fatalf("exit status %s after q", status)
	}
}

// openCommand opens command mode and waits for its line, so what is typed
// next goes to it even on a loaded machine.
func (c *tmuxConsole) openCommand() {
	c.t.Helper()
	c.keys(":")
	c.waitFor("the command line", regexp.MustCompile(`tab completes · enter runs`))
}

// waitGone polls the pane until re no longer matches.
func (c *tmuxConsole) waitGone(what string, re *regexp.Regexp) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for re.MatchString(c.screen()) {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still on screen:\n%s", what, c.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
