package noojeepane

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// TestStartStopUnknownOutcome: a start or stop the simulator applied but
// whose answer was lost (stalled, connection dropped, garbage, cut) is a
// warning "? ... unknown: the answer was lost; Noojee offers no way to
// read it back", never "failed", audited unknown, sent once; a refused
// connection is a plain failure.
func TestStartStopUnknownOutcome(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	var mode atomic.Value
	mode.Store("")
	var hits atomic.Int32
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "CallManagementAPI/") {
			h.sim.Handler().ServeHTTP(w, r)
			return
		}
		hits.Add(1)
		rec := httptest.NewRecorder()
		h.sim.Handler().ServeHTTP(rec, r) // applied
		body := bytes.TrimSpace(rec.Body.Bytes())
		switch m := mode.Load().(string); {
		case m == "stall":
			select {
			case <-r.Context().Done():
			case <-done:
			}
		case m == "hangup":
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		case m == "garbage":
			w.Write([]byte("\x1b]0;owned\x07<html>"))
		case strings.HasPrefix(m, "cut"):
			n, _ := strconv.Atoi(strings.TrimPrefix(m, "cut"))
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:min(n, len(body))])
		}
	}))
	t.Cleanup(func() { close(done); srv.CloseClientConnections(); srv.Close() })
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: sim.DemoAPIKey, HTTPClient: &http.Client{Transport: tr},
		Location: h.sim.Location(), Now: h.clock.Now, Timeout: time.Second, Auth: noojee.AuthHash})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h.p.opts.Client, h.p.opts.Audit, h.p.opts.RequestTimeout = c, l, 5*time.Second

	modes := []string{"stall", "hangup", "garbage", "cut0", "cut9"}
	for i, m := range modes {
		target := strconv.Itoa(420 + i)
		for _, start := range []bool{true, false} {
			mode.Store(m)
			before := hits.Load()
			if start {
				h.press("r")
			} else {
				h.press("s")
			}
			h.typeText(target)
			h.press("enter")
			if !start {
				h.press("y")
			}
			toast := h.waitToast()
			mode.Store("")
			if toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "? ") ||
				!strings.Contains(toast.Text, "unknown: the answer was lost; Noojee offers no way to read it back") ||
				strings.Contains(toast.Text, "failed") || strings.Contains(toast.Text, "\x1b") || strings.Contains(toast.Text, "\x07") {
				t.Fatalf("%s start=%v: toast %+v", m, start, toast)
			}
			if view := h.p.View(); !strings.Contains(view, "unknown") || strings.Contains(view, "failed") {
				t.Fatalf("%s start=%v: view\n%s", m, start, view)
			}
			if hits.Load()-before != 1 {
				t.Fatalf("%s start=%v: %d requests, want 1 (never retried)", m, start, hits.Load()-before)
			}
			if h.sim.Recording(target) != start {
				t.Fatalf("%s start=%v: the simulator did not apply it", m, start)
			}
		}
	}

	// Refused: never sent, a failure.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	dc, err := noojee.New(noojee.Config{BaseURL: dead, APIKey: sim.DemoAPIKey, HTTPClient: &http.Client{Transport: tr}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.p.opts.Client = dc
	h.press("r")
	h.typeText("499")
	h.press("enter")
	if toast := h.waitToast(); toast.Level != ui.ToastError || strings.Contains(toast.Text, "unknown") {
		t.Fatalf("refused: %+v", toast)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := audit.Read(bytes.NewReader(data))
	if err != nil || len(recs) != 2*(2*len(modes)+1) {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for i := 0; i < len(recs)-2; i += 2 {
		if recs[i].Phase != audit.PhaseAttempt || recs[i+1].ID != recs[i].ID || recs[i+1].Outcome != audit.OutcomeUnknown ||
			recs[i].Vendor != "noojee" || recs[i].Source != "console" {
			t.Fatalf("records %+v %+v", recs[i], recs[i+1])
		}
	}
	if last := recs[len(recs)-1]; last.Outcome != audit.OutcomeFailed {
		t.Fatalf("refused audited %+v", last)
	}
}
