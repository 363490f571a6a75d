package voipnowpane

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/internal/losstest"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// lossyPBX is the simulator behind a loopback server that applies each
// PUT and then loses its answer as its mode says (package losstest). After
// a 204 (losstest.NoContent) the next GET fails, so the call cannot be
// read back.
type lossyPBX struct {
	*losstest.Server
	mu       sync.Mutex
	noBody   bool // the mode is NoContent
	failGets int  // GETs to answer 502
}

func (l *lossyPBX) set(mode string, cutAt int) {
	l.mu.Lock()
	l.noBody = mode == losstest.NoContent
	l.mu.Unlock()
	l.Set(mode, cutAt, nil)
}

func (l *lossyPBX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	fail := r.Method != http.MethodPut && l.failGets > 0
	if fail {
		l.failGets--
	}
	if r.Method == http.MethodPut && l.noBody {
		l.failGets = 1
	}
	l.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	l.Server.ServeHTTP(w, r)
}

// newLossyHarness is newHarness with the PBX behind a lossyPBX and an
// audit log.
func newLossyHarness(t *testing.T) (*harness, *lossyPBX, string) {
	t.Helper()
	ck := sim.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	s := sim.New(sim.Options{Now: ck.Now, LiveCalls: -1})
	l := &lossyPBX{Server: losstest.New(s.Handler(), func(r *http.Request) bool { return r.Method == http.MethodPut })}
	srv := httptest.NewServer(l)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() { l.Release(); hc.CloseIdleConnections(); srv.CloseClientConnections(); srv.Close() })
	c, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "audit.log")
	al, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { al.Close() })
	h := &harness{t: t, sim: s, client: c, clock: ck}
	h.p = New(Options{Client: c, Now: ck.Now, RequestTimeout: time.Second, Audit: al, Server: srv.URL,
		Tick: func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { h.ticks++; return nil }})
	h.p.SetStyles(&ui.Styles{})
	h.p.SetSize(120, 12)
	return h, l, logPath
}

// leaves runs cmd and its batches and returns the messages they end in,
// without feeding them back to the pane.
func leaves(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, leaves(c)...)
		}
		return out
	default:
		return []tea.Msg{m}
	}
}

// TestUnknownOutcomeShownThenReRead: a start or stop the PBX applied but
// whose answer was lost is a warning "? ... unknown: the answer was lost;
// re-reading" (never "failed"), the row says re-reading, the call is read
// again and its state reported; audited attempt, unknown, confirmed.
func TestUnknownOutcomeShownThenReRead(t *testing.T) {
	h, l, logPath := newLossyHarness(t)
	ids := map[string]string{}
	for _, mode := range []string{"stall", "hangup", "garbage", "cut"} {
		ids[mode] = h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	h.clock.Add(5 * time.Second)
	h.init()

	for i, mode := range []string{"stall", "hangup", "garbage", "cut"} {
		for _, start := range []bool{true, false} {
			name := mode + map[bool]string{true: " start", false: " stop"}[start]
			h.selectCall(ids[mode])
			l.set(mode, 7*i+3)
			var cmd tea.Cmd
			if start {
				h.key(keyR)
				_, cmd = h.p.Update(keyEnter)
			} else {
				h.key(keyS)
				_, cmd = h.p.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
			}
			var act tea.Msg
			for _, m := range leaves(cmd) {
				if _, ok := m.(actionMsg); ok {
					act = m
				}
			}
			if act == nil {
				t.Fatalf("%s: no action answer", name)
			}
			_, cmd = h.p.Update(act)
			if view := h.p.View(); !strings.Contains(view, "re-reading…") || strings.Contains(view, "failed") {
				t.Fatalf("%s: row does not say re-reading:\n%s", name, view)
			}
			h.toasts = nil
			h.run(cmd, 0)
			if len(h.toasts) != 2 {
				t.Fatalf("%s: toasts %+v", name, h.toasts)
			}
			first, last := h.toasts[0], h.toasts[1]
			if first.Level != ui.ToastWarning || !strings.HasPrefix(first.Text, "? ") ||
				!strings.Contains(first.Text, "unknown: the answer was lost; re-reading") || strings.Contains(first.Text, "failed") ||
				strings.Contains(first.Text, "\x1b") {
				t.Fatalf("%s: first toast %+v", name, first)
			}
			state := map[bool]string{true: "now recording", false: "now not recording"}[start]
			if last.Level != ui.ToastSuccess || !strings.Contains(last.Text, state) || !strings.Contains(last.Text, "it took effect") ||
				strings.Contains(last.Text, "failed") {
				t.Fatalf("%s: last toast %+v", name, last)
			}
			h.toasts = nil
			view := h.p.View()
			if strings.Contains(view, "re-reading") || strings.Contains(view, "● REC") != start {
				t.Fatalf("%s: row not re-read:\n%s", name, view)
			}
		}
	}
	if puts := l.Hits(); puts != 8 {
		t.Fatalf("%d PUTs, want 8 (never retried)", puts)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.Read(bytes.NewReader(data))
	if err != nil || len(recs) != 24 {
		t.Fatalf("%d records %v", len(recs), err)
	}
	for i := 0; i < len(recs); i += 3 {
		a, u, c := recs[i], recs[i+1], recs[i+2]
		if a.Phase != audit.PhaseAttempt || u.ID != a.ID || c.ID != a.ID || u.Outcome != audit.OutcomeUnknown ||
			c.Outcome != audit.OutcomeConfirmed || c.Applied == nil || !*c.Applied || a.Vendor != "voipnow" || a.Source != "console" {
			t.Fatalf("records %d: %+v %+v %+v", i, a, u, c)
		}
	}
	if d := audit.Dangling(recs); len(d) != 0 {
		t.Fatalf("dangling %+v", d)
	}
}

// TestActionRefusedIsFailedNotUnknown: a PUT that never reached the PBX
// (connection refused) is a plain failure, audited failed.
func TestActionRefusedIsFailedNotUnknown(t *testing.T) {
	h, _, logPath := newLossyHarness(t)
	id := h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	h.selectCall(id)
	// A client whose token works but whose PBX is gone.
	ln := httptest.NewServer(http.NotFoundHandler())
	dead := ln.URL
	ln.Close()
	tokSrv := httptest.NewServer(h.sim.Handler())
	hc := &http.Client{Transport: &http.Transport{}}
	defer func() { hc.CloseIdleConnections(); tokSrv.Close() }()
	c, err := voipnow.New(voipnow.Config{BaseURL: dead, TokenURL: tokSrv.URL + voipnow.DefaultTokenPath,
		ClientID: sim.DemoClientID, ClientSecret: sim.DemoClientSecret, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	h.p.opts.Client = c
	h.key(keyR, keyEnter)
	toast := h.lastToast()
	if toast.Level != ui.ToastError || !strings.Contains(toast.Text, "failed") || strings.Contains(toast.Text, "unknown") {
		t.Fatalf("toast %+v", toast)
	}
	data, _ := os.ReadFile(logPath)
	recs, _, _ := audit.Read(bytes.NewReader(data))
	if len(recs) != 2 || recs[1].Outcome != audit.OutcomeFailed {
		t.Fatalf("records %+v", recs)
	}
}

// TestAcceptedButNotReadBackIsAWarning: a 204 whose call cannot be read
// again (voipnow.ConfirmError) was accepted: a warning, audited unknown,
// never "failed".
func TestAcceptedButNotReadBackIsAWarning(t *testing.T) {
	h, l, logPath := newLossyHarness(t)
	id := h.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	h.clock.Add(5 * time.Second)
	h.init()
	h.selectCall(id)
	l.set(losstest.NoContent, 0)
	h.key(keyR, keyEnter)
	toast := h.lastToast()
	if toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "accepted, but the call could not be read again") ||
		strings.Contains(toast.Text, "failed on") {
		t.Fatalf("toast %+v", toast)
	}
	data, _ := os.ReadFile(logPath)
	recs, _, _ := audit.Read(bytes.NewReader(data))
	if len(recs) != 2 || recs[1].Outcome != audit.OutcomeUnknown {
		t.Fatalf("records %+v", recs)
	}
}
