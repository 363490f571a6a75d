package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
