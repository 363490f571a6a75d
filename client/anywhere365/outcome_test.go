package anywhere365_test

// Issue 13 point 4: a set whose request reached the server but whose
// answer was lost is an unknown outcome, not a failure. A loopback server
// runs the real simulator (so the action is applied), then loses the
// answer: it stalls past the client's timeout, cuts the body at every
// length, answers garbage, or closes the connection. Failures before the
// request left (connection refused) stay plain network errors.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// lossMode is how the lossy server loses a set's answer.
type lossMode struct {
	name    string
	stall   bool   // hold the answer until the client gives up
	cutAt   int    // >= 0: answer 200 with the real body cut to this length
	garbage string // answer 200 with this body
	hangup  bool   // close the connection without a word
	status  int    // answer this status with an empty body
	short   bool   // with cutAt: declare the whole length, send cutAt bytes
}

// lossyServer serves the simulator; a POST .../recording/set is applied by
// it and then answered as mode says. before, if set, runs after the
// simulator applied the set and before anything is answered.
type lossyServer struct {
	*httptest.Server
	Sim    *sim.Server
	mu     sync.Mutex
	mode   lossMode
	before func()
	done   chan struct{} // closed when the test ends: releases stalls
}

func newLossyServer(t *testing.T) *lossyServer {
	t.Helper()
	ls := &lossyServer{Sim: sim.New(sim.Options{Seed: 7}), done: make(chan struct{})}
	ls.mode.cutAt = -1
	ls.Server = httptest.NewServer(http.HandlerFunc(ls.serve))
	t.Cleanup(func() {
		close(ls.done)
		ls.Server.CloseClientConnections()
		ls.Server.Close()
		ls.Sim.Close()
	})
	return ls
}

func (ls *lossyServer) set(m lossMode, before func()) {
	ls.mu.Lock()
	ls.mode, ls.before = m, before
	ls.mu.Unlock()
}

// realAnswer applies r with the simulator and returns its answer.
func (ls *lossyServer) realAnswer(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	ls.Sim.Handler().ServeHTTP(rec, r)
	return rec
}

func (ls *lossyServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/recording/set") {
		ls.Sim.Handler().ServeHTTP(w, r)
		return
	}
	ls.mu.Lock()
	m, before := ls.mode, ls.before
	ls.mu.Unlock()
	rec := ls.realAnswer(r)
	if before != nil {
		before()
	}
	body := rec.Body.Bytes()
	switch {
	case m.stall:
		select { // until the client hangs up, or the test ends
		case <-r.Context().Done():
		case <-ls.done:
		}
	case m.hangup:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case m.garbage != "":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(m.garbage))
	case m.status != 0:
		w.WriteHeader(m.status)
	case m.cutAt >= 0:
		w.Header().Set("Content-Type", "application/json")
		n := min(m.cutAt, len(body))
		if m.short {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body[:n])
	default:
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}
}

// newCall answers a fresh call on ucc-demo-name (recording Started).
func (ls *lossyServer) newCall(t *testing.T) string {
	t.Helper()
	st, err := ls.Sim.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	return st.CorrelationId
}

func lossyClient(t *testing.T, base string, timeout time.Duration) *a365.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := a365.New(a365.Config{BaseURL: base, Timeout: timeout, MaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 2 * time.Millisecond, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pause(c *a365.Client, id string) (*a365.StateResponse, error) {
	return c.Set(context.Background(), a365.SetParams{UCC: "ucc-demo-name", CorrelationID: id,
		RequesterSIP: sim.DemoAgent, Action: a365.ActionPause})
}

// applied reads the simulator's truth for id.
func applied(t *testing.T, ls *lossyServer, id string) a365.RecordingState {
	t.Helper()
	for _, c := range ls.Sim.Calls() {
		if c.CorrelationId == id {
			return c.RecordingState
		}
	}
	t.Fatalf("call %s not found", id)
	return 0
}

func TestSetAnswerLostIsUnknownOutcome(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) }) // after the servers' cleanups
	ls := newLossyServer(t)
	c := lossyClient(t, ls.URL, 400*time.Millisecond)

	// The real answer, to know its length.
	id := ls.newCall(t)
	resp, err := pause(c, id)
	if err != nil || resp.RecordingState != a365.RecordingPaused {
		t.Fatalf("plain pause: %v %+v", err, resp)
	}
	var real bytes.Buffer
	ls.set(lossMode{cutAt: -1}, nil)
	probe := ls.newCall(t)
	raw, _ := json.Marshal(a365.SetRequest{Action: a365.ActionPause, RequesterSipUri: sim.DemoAgent, CorrelationId: probe, UCCName: "ucc-demo-name"})
	req := httptest.NewRequest(http.MethodPost, "/attendantservice/api/recording/set", bytes.NewReader(raw))
	real.Write(ls.realAnswer(req).Body.Bytes())
	full := len(bytes.TrimRight(real.Bytes(), " \r\n\t"))
	if full < 50 {
		t.Fatalf("the real answer is %d bytes: %q", full, real.String())
	}

	modes := []lossMode{
		{name: "stall", stall: true, cutAt: -1},
		{name: "garbage", garbage: "<html><body>proxy says hello</body></html>", cutAt: -1},
		{name: "garbage-json", garbage: `{"RecordingState":`, cutAt: -1},
		{name: "hangup", hangup: true, cutAt: -1},
		{name: "gateway-timeout", status: http.StatusGatewayTimeout, cutAt: -1},
		{name: "short-body-0", cutAt: 0, short: true},
		{name: "short-body-half", cutAt: full / 2, short: true},
	}
	for n := 0; n < full; n++ {
		modes = append(modes, lossMode{name: "cut-" + strconv.Itoa(n), cutAt: n})
	}
	for _, m := range modes {
		id := ls.newCall(t)
		ls.set(m, nil)
		start := time.Now()
		resp, err := pause(c, id)
		if !a365.IsUnknownOutcome(err) {
			t.Fatalf("%s: want an unknown outcome, got %v (%+v)", m.name, err, resp)
		}
		if !strings.HasPrefix(err.Error(), a365.UnknownOutcomeText+": ") {
			t.Fatalf("%s: text %q", m.name, err)
		}
		if !a365.IsNetwork(err) {
			t.Errorf("%s: an unknown outcome is still a network trouble for IsNetwork: %v", m.name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", m.name, d)
		}
		if got := applied(t, ls, id); got != a365.RecordingPaused {
			t.Fatalf("%s: the simulator did not apply the pause (%v): the test proves nothing", m.name, got)
		}
	}
}

func TestSetBeforeSendingIsNotUnknown(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) }) // after the servers' cleanups
	// Connection refused: a port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := lossyClient(t, "http://"+addr, time.Second)
	_, err = pause(c, "1d6c6a58-6739-4f0c-98ff-0968292c8c30")
	var te *a365.TransportError
	if err == nil || a365.IsUnknownOutcome(err) || !errors.As(err, &te) {
		t.Fatalf("connection refused: %v", err)
	}
	if strings.Contains(err.Error(), a365.UnknownOutcomeText) {
		t.Fatalf("connection refused reads as unknown: %v", err)
	}

	// Answers the API gave are not unknown: an ErrorMessage, an error
	// status without one, and a plain success.
	ls := newLossyServer(t)
	c = lossyClient(t, ls.URL, time.Second)
	id := ls.newCall(t)
	if _, err := pause(c, id); err != nil {
		t.Fatal(err)
	}
	_, err = pause(c, id) // already paused: Validation error
	var ae *a365.APIError
	if !errors.As(err, &ae) || a365.IsUnknownOutcome(err) {
		t.Fatalf("a refusal: %v", err)
	}
	ls.set(lossMode{status: http.StatusInternalServerError, cutAt: -1}, nil)
	_, err = pause(c, ls.newCall(t))
	if err == nil || a365.IsUnknownOutcome(err) {
		t.Fatalf("a 500 without ErrorMessage: %v", err)
	}

	// A request whose context ended before it left is not unknown.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Set(ctx, a365.SetParams{UCC: "ucc-demo-name", CorrelationID: ls.newCall(t), RequesterSIP: sim.DemoAgent, Action: a365.ActionPause})
	if err == nil || a365.IsUnknownOutcome(err) {
		t.Fatalf("cancelled before sending: %v", err)
	}
}

func TestShows(t *testing.T) {
	s := &a365.StateResponse{RecordingState: a365.RecordingPaused, MarkingState: a365.MarkingMark, SavingState: a365.SavingDelete}
	for a, want := range map[a365.Action]bool{a365.ActionPause: true, a365.ActionStart: false, a365.ActionStop: false,
		a365.ActionMark: true, a365.ActionUnMark: false, a365.ActionDelete: true, a365.ActionSave: false} {
		if got := a365.Shows(a, s); got != want {
			t.Errorf("Shows(%v) = %v", a, got)
		}
	}
	if a365.Shows(a365.ActionPause, nil) {
		t.Error("nil state shows nothing")
	}
}
