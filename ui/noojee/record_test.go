package noojeepane

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// TestStartStopInThePane: start by extension with a tag and an
// agentLoginName; stop asks first (n keeps recording, y stops); both are
// audited as console actions of vendor noojee; a refusal in the body
// (HTTP 200, Code -1) is an error toast, not success.
func TestStartStopInThePane(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	logPath := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h.p.opts.Audit, h.p.opts.Server, h.p.opts.Requester = l, "http://noojee", "sup@example.com"

	h.press("r")
	h.typeText("405 tag=PCI-7 agent=Fred")
	h.press("enter")
	if toast := h.waitToast(); toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "recording started on 405") {
		t.Fatalf("start: %+v", toast)
	}
	if ss := h.sim.StartStops(); !h.sim.Recording("405") || len(ss) != 1 || ss[0].Tag != "PCI-7" || ss[0].AgentLoginName != "Fred" {
		t.Fatalf("the simulator saw %+v", ss)
	}
	h.press("s")
	h.typeText("405 agent=Fred")
	h.press("enter")
	if !h.p.Capturing() || !strings.Contains(h.p.View(), "Stop recording 405 as Fred?") {
		t.Fatalf("stop did not ask first:\n%s", h.p.View())
	}
	h.press("n")
	if toast := h.waitToast(); !strings.Contains(toast.Text, "stop cancelled: nothing was sent") {
		t.Fatalf("cancel: %+v", toast)
	}
	if !h.sim.Recording("405") || len(h.sim.StartStops()) != 1 {
		t.Fatal("a cancelled stop was sent")
	}
	h.press("s")
	h.typeText("405 agent=Fred")
	h.press("enter", "y")
	if toast := h.waitToast(); toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "recording stopped on 405") {
		t.Fatalf("stop: %+v", toast)
	}
	if h.sim.Recording("405") {
		t.Fatal("still recording")
	}
	// Stopping again: the server refuses in its body.
	h.press("s")
	h.typeText("405")
	h.press("enter", "y")
	if toast := h.waitToast(); toast.Level != ui.ToastError || !strings.Contains(toast.Text, "No recording in progress") {
		t.Fatalf("second stop: %+v", toast)
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.Read(f)
	f.Close()
	recs = audit.Outcomes(recs) // each outcome's attempt came first: checked in cmd/recdeck's readAudit
	if err != nil || len(recs) != 3 || recs[0].Vendor != "noojee" || recs[0].Action != "recording start" || recs[0].Target != "405" ||
		recs[0].Source != "console" || recs[1].Outcome != audit.OutcomeOK || recs[2].Outcome != audit.OutcomeFailed {
		t.Fatalf("audit %+v, %v", recs, err)
	}
}

// crossingClient answers as a real server for a call crossing the hour:
// the hour list holds legs 2 and 3 (they ended in it), the unique id
// lookup all three.
type crossingClient struct {
	mu      sync.Mutex
	fetched []int
}

func crossingLegs() []noojee.Leg {
	t0 := time.Date(2021, 9, 14, 14, 58, 0, 0, time.UTC)
	var legs []noojee.Leg
	for i, d := range []time.Duration{60 * time.Second, 120 * time.Second, 30 * time.Second} {
		legs = append(legs, noojee.Leg{Leg: i + 1, UniqueID: "1631631480.9", Start: t0, Duration: d, Direction: noojee.Inbound})
		t0 = t0.Add(d)
	}
	return legs
}

func (c *crossingClient) Legs(context.Context, string) ([]noojee.Leg, error) { return nil, nil }
func (c *crossingClient) LegsByUniqueID(context.Context, string) ([]noojee.Leg, error) {
	return crossingLegs(), nil
}
func (c *crossingClient) ByHour(context.Context, string, int) ([]noojee.Leg, error) {
	return crossingLegs()[1:], nil
}
func (c *crossingClient) NextByHour() time.Time { return time.Time{} }
func (c *crossingClient) DownloadLeg(_ context.Context, uid string, leg int, dir string, _ noojee.DownloadOptions) (noojee.Download, error) {
	c.mu.Lock()
	c.fetched = append(c.fetched, leg)
	c.mu.Unlock()
	return noojee.Download{Path: filepath.Join(dir, noojee.LegFileName(uid, leg, ".wav")), Bytes: 44}, nil
}
func (c *crossingClient) StartRecording(context.Context, noojee.RecordRequest) (noojee.Answer, error) {
	return noojee.Answer{}, nil
}
func (c *crossingClient) StopRecording(context.Context, noojee.RecordRequest) (noojee.Answer, error) {
	return noojee.Answer{}, nil
}

// TestHourListFetchesTheWholeCall: "fetch all legs" from the hour list
// fetches the legs of the whole call (3), not only the 2 that ended in the
// hour, which it did before and called it "saved". The hour not over is
// marked partial.
func TestHourListFetchesTheWholeCall(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	fake := &crossingClient{}
	h.p.opts.Client = fake
	h.p.opts.Now = func() time.Time { return time.Date(2021, 9, 14, 15, 20, 0, 0, time.UTC) }
	h.p.opts.Location = time.UTC
	h.press("h", "ctrl+u")
	h.typeText("2021/09/14 15")
	h.press("enter")
	if toast := h.waitToast(); !strings.Contains(toast.Text, "partial") {
		t.Fatalf("the hour in progress is not marked partial: %+v", toast)
	}
	if !strings.Contains(h.p.View(), "PARTIAL") {
		t.Fatalf("view:\n%s", h.p.View())
	}
	h.press("F")
	toast := h.waitToast()
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "3 legs saved") {
		t.Fatalf("toast %+v", toast)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.fetched) != 3 || fake.fetched[0] != 1 {
		t.Fatalf("fetched legs %v, want [1 2 3]", fake.fetched)
	}
}
