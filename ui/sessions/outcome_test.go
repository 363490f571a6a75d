package sessions

// Issue 13 points 4 and 5 in the console: a pause whose answer is lost is
// shown as unknown, the session is re-read at once and the confirmed state
// reported in a second toast; "failed" is never said. The audit log holds
// the attempt before the request's answer (read from inside the server's
// handler), then unknown, then the confirmed state. The real client,
// tracker and simulator run behind a loopback server that applies the set
// and then loses its answer.

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/internal/losstest"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/uitest"
)

// answerLoser serves the simulator and loses the answers of sets
// (package losstest).
type answerLoser struct {
	*losstest.Server
	URL string
	sim *sim.Server
}

func TestUnknownOutcomeIsShownReReadAndAudited(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
	l := &answerLoser{sim: sim.New(sim.Options{Seed: 11})}
	t.Cleanup(l.sim.Close) // after the server below has closed
	l.Server, l.URL = losstest.Serve(t, l.sim.Handler(), func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/recording/set")
	})
	for _, mode := range []string{losstest.Stall, losstest.Short, losstest.Garbage, losstest.Hangup} {
		t.Run(mode, func(t *testing.T) { unknownOutcomeScene(t, l, mode) })
	}
}

func unknownOutcomeScene(t *testing.T, l *answerLoser, mode string) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client, err := anywhere365.New(anywhere365.Config{BaseURL: l.URL, Timeout: 400 * time.Millisecond, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client})
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { tracker.Run(ctx); close(runDone) }()
	defer func() { cancel(); <-runDone }()

	logPath := filepath.Join(t.TempDir(), "audit.log")
	aud, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer aud.Close()
	pane := New(Config{Source: tracker, API: client, Requester: sim.DemoAgent, Audit: aud, Profile: "lossy"})
	frame := ui.New(ui.Options{Server: l.URL, APIVersion: client.APIVersion(), Tick: -1}, pane)
	d := &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	d.Send(tea.WindowSizeMsg{Width: 140, Height: 30})

	call, err := l.sim.CreateCall("payments", "", true)
	if err != nil {
		t.Fatal(err)
	}
	key := anywhere365.SessionKey{UCC: "payments", CorrelationID: call.CorrelationId}
	tracker.Watch(key)
	short := shortID(call.CorrelationId)
	until := screenUntil(t, d, frame)
	row := func(state string) func(string) bool {
		return func(s string) bool {
			r := lineWith(s, short)
			return strings.Contains(r, state) && !strings.Contains(r, state+" ?")
		}
	}
	until("the call confirmed as started", row("● Started"))

	var attemptOnDisk bool
	l.Set(mode, -1, func() { // a Short answer is cut half way
		data, err := os.ReadFile(logPath)
		if err != nil {
			return
		}
		recs, _, _ := audit.Read(bytes.NewReader(data))
		if n := len(recs); n > 0 {
			r := recs[n-1]
			attemptOnDisk = r.Phase == audit.PhaseAttempt && r.CorrelationID == call.CorrelationId && r.Action == "Pause" &&
				r.Server == l.URL && r.Source == audit.SourceConsole && r.Profile == "lossy"
		}
	})
	defer l.Set(losstest.Deliver, 0, nil)

	d.Press("p")
	if !attemptOnDisk {
		t.Fatal("no attempt record on disk when the server had applied the pause")
	}
	toasts := frame.Toasts()
	var texts []string
	for _, ts := range toasts {
		texts = append(texts, ts.Text)
		if strings.Contains(strings.ToLower(ts.Text), "fail") {
			t.Errorf("a toast says failed: %q", ts.Text)
		}
		if strings.ContainsRune(ts.Text, 0x1b) {
			t.Errorf("raw escape in a toast: %q", ts.Text)
		}
	}
	all := strings.Join(texts, "\n")
	first := "? Pause payments/" + short + " unknown: the request reached the server but its answer was lost: re-reading"
	second := "Pause payments/" + short + " re-read after its lost answer: now Paused (it took effect)"
	i, j := strings.Index(all, first), strings.Index(all, second)
	if i < 0 || j < i {
		t.Fatalf("toasts:\n%s", all)
	}
	if last := toasts[len(toasts)-1]; last.Text != second || last.Level != ui.ToastSuccess {
		t.Fatalf("last toast %+v", last)
	}
	if scr := stripANSI(frame.Render()); !strings.Contains(scr, "now Paused") {
		t.Fatalf("the screen does not show the confirmed state:\n%s", scr)
	}
	until("the row to show Paused confirmed", row("‖ Paused"))
	// The detail view's history shows the action as unknown, not failed.
	d.Press("enter")
	scr := stripANSI(frame.Render())
	actionLine := ""
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "action    Pause") {
			actionLine = l
		}
	}
	if !strings.Contains(actionLine, "? unknown: answer lost; re-read") || strings.Contains(actionLine, "✗") {
		t.Fatalf("detail view:\n%s", scr)
	}
	d.Press("esc")

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, skipped, err := audit.Read(bytes.NewReader(data))
	if err != nil || skipped != 0 || len(recs) != 3 {
		t.Fatalf("audit: %v, %d skipped, %d records", err, skipped, len(recs))
	}
	if recs[0].Phase != audit.PhaseAttempt || recs[1].Outcome != audit.OutcomeUnknown || recs[2].Outcome != audit.OutcomeConfirmed ||
		recs[2].State != "Paused" || recs[2].Applied == nil || !*recs[2].Applied || recs[1].ID != recs[0].ID || recs[2].ID != recs[0].ID {
		t.Fatalf("audit records %+v", recs)
	}
}

// An unknown outcome whose re-read cannot be made either (the server went
// away) stays unknown after a bounded number of tries, never "failed".
func TestUnknownOutcomeWithoutReReadStaysUnknown(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.api.mu.Lock()
	h.api.failSet = &anywhere365.UnknownOutcomeError{Err: errBoom}
	h.api.mu.Unlock()
	k := anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1}
	h.selectKey(k)
	h.d.Press("p")
	last := h.lastToast()
	if !strings.HasPrefix(last.Text, "? Pause ucc-demo-name/") || !strings.Contains(last.Text, "unknown") || last.Level != ui.ToastWarning {
		t.Fatalf("toast %+v", last)
	}
	if strings.Contains(h.toastTexts(), "failed") {
		t.Fatalf("toasts say failed:\n%s", h.toastTexts())
	}
	recs := h.aud.all()
	if len(recs) != 2 || recs[0].Phase != audit.PhaseAttempt || recs[1].Outcome != audit.OutcomeUnknown {
		t.Fatalf("audit %+v", recs)
	}
	// The store was told (it re-reads on its own).
	if got := h.src.recordedActions(); len(got) == 0 {
		t.Fatal("the action was not recorded in the store")
	}
}
