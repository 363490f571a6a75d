package anywhere365

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/philippseith/signalr"
)

// testHubServer is a tiny SignalR server on loopback for the listener's
// own tests (the end-to-end tests use the simulator). It can be stopped
// and started again on the same address. Its pushes reach each connection
// in order (syncClients), as from an ASP.NET Core hub.
type testHubServer struct {
	t    *testing.T
	addr string
	// auth, when set, checks each request (negotiate and upgrade).
	auth func(r *http.Request) bool
	// clientTimeout, when set, is the hub's ClientTimeoutInterval: it drops
	// a client silent for that long (the library's default is 30 s).
	clientTimeout time.Duration
	// down answers every request 503 (a hub that is down behind a
	// working proxy); negotiates counts the negotiate requests.
	down       atomic.Bool
	negotiates atomic.Int64

	mu     sync.Mutex
	srv    signalr.Server
	hs     *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	seen   []string // Authorization headers received
}

type emptyHub struct{ signalr.Hub }

func startTestHub(t *testing.T) *testHubServer {
	h := &testHubServer{t: t, addr: "127.0.0.1:0"}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *testHubServer) url() string { return "http://" + h.addr + "/hub" }

func (h *testHubServer) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts := []func(signalr.Party) error{
		signalr.SimpleHubFactory(&emptyHub{}),
		signalr.WithHubLifetimeManager(func(signalr.Server) (signalr.HubLifetimeManager, error) { return &syncClients{}, nil }),
		signalr.Logger(nopLogger{}, false),
		signalr.HTTPTransports(signalr.TransportWebSockets),
		signalr.KeepAliveInterval(time.Second),
	}
	if h.clientTimeout > 0 {
		opts = append(opts, signalr.TimeoutInterval(h.clientTimeout))
	}
	srv, err := signalr.NewServer(ctx, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	hubMux := http.NewServeMux()
	srv.MapHTTP(signalr.WithHTTPServeMux(hubMux), "/hub")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/negotiate") {
			h.negotiates.Add(1)
		}
		if h.down.Load() {
			http.Error(w, "hub down", http.StatusServiceUnavailable)
			return
		}
		h.mu.Lock()
		h.seen = append(h.seen, r.Header.Get("Authorization"))
		auth := h.auth
		h.mu.Unlock()
		if auth != nil && !auth(r) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		hubMux.ServeHTTP(w, r)
	})
	var ln net.Listener
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err = net.Listen("tcp", h.addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // the old socket may linger briefly
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() { _ = hs.Serve(ln); close(done) }()
	h.mu.Lock()
	h.srv, h.hs, h.cancel, h.done = srv, hs, cancel, done
	h.mu.Unlock()
}

// stop closes the server and every websocket (cancelling the signalr
// server's context is what closes them).
func (h *testHubServer) stop() {
	h.mu.Lock()
	hs, cancel, done := h.hs, h.cancel, h.done
	h.hs = nil
	h.mu.Unlock()
	if hs == nil {
		return
	}
	cancel()
	ctx, c := context.WithTimeout(context.Background(), 2*time.Second)
	defer c()
	_ = hs.Shutdown(ctx)
	_ = hs.Close()
	<-done
}

// syncClients is a signalr.HubLifetimeManager that writes each push to
// every connection before returning, so pushes keep their order (the
// library's own sends each from a new goroutine).
type syncClients struct {
	mu    sync.Mutex
	conns map[string]signalr.HubConnection
}

func (s *syncClients) OnConnected(c signalr.HubConnection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[string]signalr.HubConnection{}
	}
	s.conns[c.ConnectionID()] = c
}

func (s *syncClients) OnDisconnected(c signalr.HubConnection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c.ConnectionID())
}

func (s *syncClients) InvokeAll(target string, args []any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.SendInvocation("", target, args)
	}
}

func (s *syncClients) InvokeClient(string, string, []any) {}
func (s *syncClients) InvokeGroup(string, string, []any)  {}
func (s *syncClients) AddToGroup(string, string)          {}
func (s *syncClients) RemoveFromGroup(string, string)     {}

func (h *testHubServer) push(arg any) {
	h.mu.Lock()
	srv := h.srv
	h.mu.Unlock()
	srv.HubClients().All().Send(HubTarget, arg)
}

func (h *testHubServer) authHeaders() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// stateLog records every ConnState reported.
type stateLog struct {
	mu     sync.Mutex
	states []ConnState
}

func (s *stateLog) add(c ConnState) { s.mu.Lock(); s.states = append(s.states, c); s.mu.Unlock() }

func (s *stateLog) all() []ConnState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ConnState(nil), s.states...)
}

func runListener(t *testing.T, l *Listener) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("listener Run did not return")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestListenerDeliversEvents(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var (
		mu      sync.Mutex
		got     = map[string]Action{}
		invalid atomic.Int64
		resyncs atomic.Int64
	)
	l := NewListener(ListenerConfig{
		HubURL: hub.url(),
		OnEvent: func(ev RecordingStateChangedEvent) {
			mu.Lock()
			got[ev.CorrelationId] = ev.StateAction
			mu.Unlock()
		},
		OnInvalid: func(error) { invalid.Add(1) },
		OnResync:  func() { resyncs.Add(1) },
	})
	if s := l.State(); s.Phase != ConnClosed {
		t.Fatalf("state before Run = %v", s.Phase)
	}
	stop := runListener(t, l)
	trWaitFor(t, "connected", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })
	if resyncs.Load() != 1 {
		t.Fatalf("resyncs after first connect = %d, want 1", resyncs.Load())
	}
	// Wait until the server has registered the connection (see below).
	trWaitFor(t, "first event", 20*time.Second, func() bool {
		hub.push(RecordingStateChangedEvent{UccName: "u", CorrelationId: probeID, StateAction: ActionStart})
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	mu.Lock()
	clear(got)
	mu.Unlock()

	const n = 200
	for i := range n {
		k := trKey(i)
		hub.push(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: Actions[i%len(Actions)]})
	}
	// The seed's spelling is PascalCase; a .NET hub sends camelCase by
	// default, and the action may come by name.
	hub.push(map[string]any{"uccName": "ucc-demo-name", "correlationId": camelID, "stateAction": "Mark"})
	hub.push(map[string]any{"UccName": "ucc-demo-name", "CorrelationId": "bad", "StateAction": 42})
	hub.push("not an object")
	trWaitFor(t, "all events", 20*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		delete(got, probeID) // a late probe from above
		return len(got) == n+1 && invalid.Load() == 2
	})
	mu.Lock()
	for i := range n {
		if a := got[trKey(i).CorrelationID]; a != Actions[i%len(Actions)] {
			t.Errorf("event %d: action %v, want %v", i, a, Actions[i%len(Actions)])
		}
	}
	if got[camelID] != ActionMark {
		t.Errorf("camelCase event: %v", got[camelID])
	}
	mu.Unlock()
	stop()
	if s := l.State(); s.Phase != ConnClosed {
		t.Fatalf("state after Run = %v", s.Phase)
	}
}

// The listener reconnects forever with backoff, reports each attempt, and
// asks for a resync after the reconnect; headers are fetched per attempt.
func TestListenerReconnectsAndResyncs(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var (
		log     stateLog
		resyncs atomic.Int64
		calls   atomic.Int64
		events  atomic.Int64
	)
	l := NewListener(ListenerConfig{
		HubURL: hub.url(),
		Headers: func(ctx context.Context) (http.Header, error) {
			n := calls.Add(1)
			h := http.Header{}
			h.Set("Authorization", "Bearer tok-"+strings.Repeat("x", int(n)))
			return h, nil
		},
		OnEvent:    func(RecordingStateChangedEvent) { events.Add(1) },
		OnState:    log.add,
		OnResync:   func() { resyncs.Add(1) },
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 80 * time.Millisecond,
	})
	runListener(t, l)
	trWaitFor(t, "connected", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })

	hub.stop()
	trWaitFor(t, "reconnecting attempt >= 3", 20*time.Second, func() bool {
		s := l.State()
		return s.Phase == ConnReconnecting && s.Attempt >= 3
	})
	if s := l.State(); s.LastError == "" || strings.Contains(s.LastError, "tok-") {
		t.Fatalf("reconnecting state %+v: want an error without the token", s)
	}
	hub.start() // same address
	trWaitFor(t, "reconnected", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })
	if r := resyncs.Load(); r != 2 {
		t.Fatalf("resyncs = %d, want 2 (first connect and reconnect)", r)
	}
	// The server registers a connection just after its handshake answer,
	// so a push at this instant may find no client yet (which is why a
	// resync follows every connect): push until one arrives.
	trWaitFor(t, "event after reconnect", 20*time.Second, func() bool {
		hub.push(RecordingStateChangedEvent{UccName: "u", CorrelationId: probeID, StateAction: ActionStart})
		time.Sleep(5 * time.Millisecond)
		return events.Load() >= 1
	})

	// The phases seen: connecting, connected, reconnecting 1, 2, 3...,
	// connected; attempts count up while reconnecting.
	states := log.all()
	if states[0].Phase != ConnConnecting || states[1].Phase != ConnConnected {
		t.Fatalf("first states = %+v", states[:2])
	}
	last := 0
	for _, s := range states[2:] {
		if s.Phase == ConnConnected {
			break
		}
		if s.Phase != ConnReconnecting || s.Attempt != last+1 {
			t.Fatalf("state %+v after attempt %d", s, last)
		}
		last = s.Attempt
	}
	// Each attempt asked for fresh headers and sent them.
	seen := hub.authHeaders()
	if calls.Load() < 4 || len(seen) == 0 || seen[len(seen)-1] != "Bearer tok-"+strings.Repeat("x", int(calls.Load())) {
		t.Fatalf("headers: %d calls, last sent %q", calls.Load(), seen[len(seen)-1])
	}
}

func TestListenerUnauthorized(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	const secret = "s3cr3t-token-value"
	hub.auth = func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer good" }
	var authFailures atomic.Int64
	l := NewListener(ListenerConfig{
		HubURL: hub.url() + "?access_token=" + secret,
		Headers: func(ctx context.Context) (http.Header, error) {
			h := http.Header{}
			h.Set("Authorization", "Bearer "+secret)
			return h, nil
		},
		OnAuthFailure: func() { authFailures.Add(1) },
		MinBackoff:    10 * time.Millisecond,
		MaxBackoff:    20 * time.Millisecond,
	})
	runListener(t, l)
	trWaitFor(t, "auth failure", 20*time.Second, func() bool { return authFailures.Load() >= 2 })
	s := l.State()
	if s.Phase != ConnReconnecting || !strings.Contains(s.LastError, "401") || strings.Contains(s.LastError, secret) {
		t.Fatalf("state = %+v: want reconnecting, 401, no secret", s)
	}
}

func TestListenerHeadersErrorRetried(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var calls atomic.Int64
	l := NewListener(ListenerConfig{
		HubURL: hub.url(),
		Headers: func(ctx context.Context) (http.Header, error) {
			if calls.Add(1) < 3 {
				return nil, errors.New("token endpoint unreachable")
			}
			return http.Header{}, nil
		},
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond,
	})
	runListener(t, l)
	trWaitFor(t, "connected after two failures", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })
}

func TestListenerBadURL(t *testing.T) {
	for _, u := range []string{"", "not a url", "ftp://host/hub", "http://"} {
		l := NewListener(ListenerConfig{HubURL: u})
		if err := l.Run(context.Background()); err == nil {
			t.Errorf("Run(%q) = nil, want an error", u)
		}
		if s := l.State(); s.Phase != ConnClosed || s.LastError == "" {
			t.Errorf("%q: state %+v", u, s)
		}
	}
	if _, err := checkHubURL("wss://h/attendantservice/hubs/recording"); err != nil {
		t.Errorf("wss URL refused: %v", err)
	}
}

// Nothing listening: the listener keeps trying and Run still returns at
// once when cancelled.
func TestListenerNoServerStopsCleanly(t *testing.T) {
	trLeakCheck(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	l := NewListener(ListenerConfig{HubURL: "http://" + addr + "/hub", MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	stop := runListener(t, l)
	trWaitFor(t, "attempt 3", 20*time.Second, func() bool { return l.State().Attempt >= 3 })
	if s := l.State(); !strings.Contains(s.LastError, "refused") {
		t.Fatalf("LastError = %q", s.LastError)
	}
	stop()
}

func TestRedactSecrets(t *testing.T) {
	l := NewListener(ListenerConfig{})
	h := http.Header{}
	h.Set("Authorization", "Bearer eyJhbGciOi.payload.sig")
	cases := []struct{ in, bad string }{
		{`GET ws://h/hub?id=abcdefghijkl: failed`, "abcdefghijkl"},
		{`POST http://h/hub/negotiate?access_token=topsecret1 -> 401`, "topsecret1"},
		{`authorization: Bearer eyJhbGciOi.payload.sig refused`, "eyJhbGciOi"},
		{`token eyJhbGciOi.payload.sig leaked`, "payload.sig"},
		{`dial http://user:pass@host/x`, "user:pass"},
	}
	for _, c := range cases {
		got := l.redact(c.in, h)
		if strings.Contains(got, c.bad) || !strings.Contains(got, "[redacted]") {
			t.Errorf("redact(%q) = %q", c.in, got)
		}
	}
}

// Test ids: hub events must carry GUID correlation ids.
const (
	probeID = "0000000a-0000-4000-8000-00000000000a"
	camelID = "0000000c-0000-4000-8000-00000000000c"
)

func TestDecodeEvent(t *testing.T) {
	good := []struct {
		in   string
		want RecordingStateChangedEvent
	}{
		{`{"UccName":"ucc-demo-name","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","StateAction":3}`,
			RecordingStateChangedEvent{"ucc-demo-name", "1d6c6a58-6739-4f0c-98ff-0968292c8c30", ActionPause}},
		{`{"uccName":"u","correlationId":"0000000d-0000-4000-8000-00000000000d","stateAction":"UnMark"}`, RecordingStateChangedEvent{"u", "0000000d-0000-4000-8000-00000000000d", ActionUnMark}},
		{` {"UCCName":"u","CorrelationId":"0000000d-0000-4000-8000-00000000000d","StateAction":"6","Extra":true} `, RecordingStateChangedEvent{"u", "0000000d-0000-4000-8000-00000000000d", ActionMark}},
	}
	for _, g := range good {
		ev, err := DecodeEvent([]byte(g.in))
		if err != nil || ev != g.want {
			t.Errorf("DecodeEvent(%s) = %+v, %v; want %+v", g.in, ev, err, g.want)
		}
	}
	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{}`, `{"UccName":"u","CorrelationId":"c"}`,
		`{"UccName":"u","CorrelationId":"c","StateAction":8}`, `{"UccName":"u","CorrelationId":"c","StateAction":"Resume"}`,
		`{"UccName":"","CorrelationId":"0000000d-0000-4000-8000-00000000000d","StateAction":1}`, `{"UccName":"u","CorrelationId":"c","StateAction":1}`, `{"UccName":"u\u001b[2J","CorrelationId":"0000000d-0000-4000-8000-00000000000d","StateAction":1}`, `{"UccName":1,"CorrelationId":"c","StateAction":1}`, `{"UccName":"u"`} {
		if ev, err := DecodeEvent([]byte(bad)); err == nil {
			t.Errorf("DecodeEvent(%s) = %+v, want an error", bad, ev)
		}
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"UccName":"ucc-demo-name","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","StateAction":1}`,
		`{"UccName":"ucc-demo-name","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","StateAction":"Mark"}`,
		`{"uccName":"ucc_","correlationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","stateAction":7}`,
		`{"UccName":"ucc\u001b[2J","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","StateAction":1}`,
		`{"UccName":"u","CorrelationId":"not-a-guid","StateAction":1}`,
		`{"UccName":"u","CorrelationId":"c","StateAction":-1}`,
		`{"UccName":null,"CorrelationId":"c","StateAction":1e3}`,
		`[1,2]`, `"str"`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := DecodeEvent(raw)
		if err != nil {
			if ev != (RecordingStateChangedEvent{}) {
				t.Fatalf("error %v with a non-zero event %+v", err, ev)
			}
			return
		}
		if ev.UccName == "" || !isGUID(ev.CorrelationId) || !ev.StateAction.Valid() || len(ev.UccName) > maxKeyLen || !printableName(ev.UccName) {
			t.Fatalf("accepted invalid event %+v", ev)
		}
		// Whatever the listener accepts, the tracker takes without a fuss.
		tr := NewTracker(TrackerConfig{})
		tr.HandleEvent(ev)
		if tr.Len() != 1 || tr.InvalidCount() != 0 {
			t.Fatalf("tracker refused a decoded event %+v", ev)
		}
	})
}

type fakeHub struct{ url string }

func (f fakeHub) HubURL() string                                  { return f.url }
func (f fakeHub) HubHeaders(context.Context) (http.Header, error) { return http.Header{}, nil }

// A hub URL that can never work is refused at once, before anything runs.
func TestMonitorBadHubURL(t *testing.T) {
	trLeakCheck(t)
	tr := NewTracker(TrackerConfig{Getter: newFakeTruth()})
	done := make(chan error, 1)
	go func() { done <- Monitor(context.Background(), fakeHub{"ftp://host/hub"}, tr, ListenerConfig{}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "must start with http://") {
			t.Fatalf("Monitor = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Monitor did not return")
	}
}

// eventLog records events in the order OnEvent saw them, and invalid
// messages.
type eventLog struct {
	mu      sync.Mutex
	events  []RecordingStateChangedEvent
	invalid []error
}

func (e *eventLog) onEvent(ev RecordingStateChangedEvent) {
	e.mu.Lock()
	e.events = append(e.events, ev)
	e.mu.Unlock()
}

func (e *eventLog) onInvalid(err error) {
	e.mu.Lock()
	e.invalid = append(e.invalid, err)
	e.mu.Unlock()
}

// ids returns the correlation ids received, probes left out.
func (e *eventLog) ids() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ids []string
	for _, ev := range e.events {
		if ev.CorrelationId != probeID {
			ids = append(ids, ev.CorrelationId)
		}
	}
	return ids
}

func (e *eventLog) invalids() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.invalid...)
}

// subscribe pushes probe events until one arrives: the server registers a
// connection only after its handshake answer, so earlier pushes reach
// nobody.
func subscribe(t *testing.T, hub *testHubServer, arrived func() bool) {
	t.Helper()
	trWaitFor(t, "the first event", 20*time.Second, func() bool {
		hub.push(RecordingStateChangedEvent{UccName: "u", CorrelationId: probeID, StateAction: ActionStart})
		time.Sleep(5 * time.Millisecond)
		return arrived()
	})
}

// 5,000 events pushed in order arrive at OnEvent in that order, each once.
// (Through the library's receiver, run on a goroutine per invocation,
// hundreds arrived after a later one.)
func TestListenerDeliversInWireOrder(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var log eventLog
	l := NewListener(ListenerConfig{HubURL: hub.url(), OnEvent: log.onEvent, OnInvalid: log.onInvalid})
	stop := runListener(t, l)
	subscribe(t, hub, func() bool { log.mu.Lock(); defer log.mu.Unlock(); return len(log.events) > 0 })

	const n = 5000
	for i := range n {
		hub.push(RecordingStateChangedEvent{UccName: "ucc-demo-name", CorrelationId: trKey(i).CorrelationID, StateAction: Actions[i%len(Actions)]})
	}
	trWaitFor(t, "5,000 events", 30*time.Second, func() bool { return len(log.ids()) >= n })
	ids := log.ids()
	if len(ids) != n {
		t.Fatalf("%d events, want %d", len(ids), n)
	}
	late := 0
	for i, id := range ids {
		if id != trKey(i).CorrelationID {
			late++
		}
	}
	if late > 0 {
		t.Fatalf("%d of %d events out of place", late, n)
	}
	if inv := log.invalids(); len(inv) != 0 {
		t.Fatalf("invalid: %v", inv)
	}
	stop()
}

// lastGetter answers every GET with an ended, saved recording.
type lastGetter struct{}

func (lastGetter) GetState(_ context.Context, ucc, id string) (*StateResponse, error) {
	return &StateResponse{CorrelationId: id, UCCName: ucc, RecordingState: RecordingStopped, SavingState: SavingSave}, nil
}

// Through Monitor, the tracker applies each session's events in the order
// sent: 1,250 calls each paused, resumed, stopped and saved (5,000 events)
// show exactly Pause, Start, Stop, Save in their history, never Save
// before Stop.
func TestMonitorAppliesEventsInWireOrder(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	tr := NewTracker(TrackerConfig{Getter: lastGetter{}, HistoryLimit: 64})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Monitor(ctx, fakeHub{hub.url()}, tr, ListenerConfig{}) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Monitor = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Monitor did not return")
		}
	}()
	probe := SessionKey{UCC: "u", CorrelationID: probeID}
	subscribe(t, hub, func() bool { _, _, ok := tr.Session(probe); return ok })

	seq := []Action{ActionPause, ActionStart, ActionStop, ActionSave}
	const calls = 1250
	for i := range calls {
		k := trKey(i)
		for _, a := range seq {
			hub.push(RecordingStateChangedEvent{UccName: k.UCC, CorrelationId: k.CorrelationID, StateAction: a})
		}
	}
	events := func(k SessionKey) []Action {
		_, hist, _ := tr.Session(k)
		var got []Action
		for _, h := range hist {
			if h.Kind == HistoryEvent {
				got = append(got, h.Action)
			}
		}
		return got
	}
	trWaitFor(t, "every event applied", 30*time.Second, func() bool { return len(events(trKey(calls-1))) == len(seq) })
	wrong := 0
	for i := range calls {
		if got := events(trKey(i)); !slices.Equal(got, seq) {
			if wrong++; wrong <= 3 {
				t.Errorf("call %d: events applied %v, want %v", i, got, seq)
			}
		}
	}
	if wrong > 0 {
		t.Fatalf("%d of %d calls had their events applied out of order", wrong, calls)
	}
}

var oversizeRe = regexp.MustCompile(`^hub message of (\d+) bytes exceeds the limit of 4096: raise hub\.max_message_size$`)

// A message over MaxMessageSize is skipped and reported once per
// connection; the connection stays up and the next event arrives.
func TestListenerSkipsOversizedMessage(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var (
		log     eventLog
		states  stateLog
		resyncs atomic.Int64
	)
	l := NewListener(ListenerConfig{HubURL: hub.url(), MaxMessageSize: 4096,
		OnEvent: log.onEvent, OnInvalid: log.onInvalid, OnState: states.add,
		OnResync: func() { resyncs.Add(1) }})
	runListener(t, l)
	subscribe(t, hub, func() bool { log.mu.Lock(); defer log.mu.Unlock(); return len(log.events) > 0 })

	big := RecordingStateChangedEvent{UccName: strings.Repeat("x", 10_000), CorrelationId: trKey(0).CorrelationID, StateAction: ActionPause}
	for i := 1; i <= 3; i++ {
		hub.push(big)
		hub.push(RecordingStateChangedEvent{UccName: "ucc-demo-name", CorrelationId: trKey(i).CorrelationID, StateAction: ActionStart})
		trWaitFor(t, "the event after the oversized message", 20*time.Second, func() bool { return len(log.ids()) == i })
	}
	if ids := log.ids(); !slices.Equal(ids, []string{trKey(1).CorrelationID, trKey(2).CorrelationID, trKey(3).CorrelationID}) {
		t.Fatalf("events %v", ids)
	}
	inv := log.invalids()
	if len(inv) != 1 {
		t.Fatalf("reported %d times, want once: %v", len(inv), inv)
	}
	m := oversizeRe.FindStringSubmatch(inv[0].Error())
	if m == nil {
		t.Fatalf("report %q", inv[0])
	}
	if n, _ := strconv.Atoi(m[1]); n < 10_000 || n > 10_300 {
		t.Fatalf("reported size %d, want the message's (about 10,100)", n)
	}
	if s := l.State(); s.Phase != ConnConnected || s.LastError != inv[0].Error() || resyncs.Load() != 1 {
		t.Fatalf("state %+v after %d resyncs: want still connected, with the report", s, resyncs.Load())
	}
	for _, s := range states.all() {
		if s.Phase == ConnReconnecting {
			t.Fatalf("reconnected: %+v", s)
		}
	}
}

// A message over the hard cap (64 times the limit) closes the connection
// with that reason, not "use of closed network connection"; the listener
// reconnects and events flow again.
func TestListenerClosesOnHugeMessage(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	var (
		log    eventLog
		states stateLog
	)
	l := NewListener(ListenerConfig{HubURL: hub.url(), MaxMessageSize: 1024,
		OnEvent: log.onEvent, OnInvalid: log.onInvalid, OnState: states.add,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	runListener(t, l)
	subscribe(t, hub, func() bool { log.mu.Lock(); defer log.mu.Unlock(); return len(log.events) > 0 })

	hub.push(RecordingStateChangedEvent{UccName: strings.Repeat("x", 70_000), CorrelationId: trKey(0).CorrelationID, StateAction: ActionPause})
	trWaitFor(t, "reconnecting", 20*time.Second, func() bool {
		for _, s := range states.all() {
			if s.Phase == ConnReconnecting {
				return true
			}
		}
		return false
	})
	var down ConnState
	for _, s := range states.all() {
		if s.Phase == ConnReconnecting {
			down = s
			break
		}
	}
	const want = "hub message of more than 65536 bytes exceeds the hard cap of 65536 (64 times the limit of 1024): connection closed; raise hub.max_message_size"
	if down.LastError != want {
		t.Fatalf("reconnecting with %q, want %q", down.LastError, want)
	}
	trWaitFor(t, "an event after reconnecting", 20*time.Second, func() bool {
		hub.push(RecordingStateChangedEvent{UccName: "ucc-demo-name", CorrelationId: trKey(1).CorrelationID, StateAction: ActionStart})
		time.Sleep(5 * time.Millisecond)
		return slices.Contains(log.ids(), trKey(1).CorrelationID)
	})
}

// The backoff doubles from MinBackoff to MaxBackoff, each wait between half
// the step and all of it, and starts again after reset. With the defaults,
// a hub down for a minute gets at most 10 attempts, then one every 15-30 s.
func TestBackoffSchedule(t *testing.T) {
	b := backoff{min: DefaultListenerMinBackoff, max: DefaultListenerMaxBackoff}
	step := DefaultListenerMinBackoff
	for i := range 40 {
		w := b.next()
		if w < step/2 || w > step {
			t.Fatalf("wait %d = %v, want between %v and %v", i, w, step/2, step)
		}
		step = min(2*step, DefaultListenerMaxBackoff)
	}
	b.reset()
	if w := b.next(); w > DefaultListenerMinBackoff {
		t.Fatalf("after reset: %v", w)
	}
	// The quick phase caps each wait, the step keeps doubling under it.
	b.reset()
	for range 10 {
		b.next()
		if w := b.quick(DefaultListenerQuickMax); w > DefaultListenerQuickMax || w < min(b.cur, DefaultListenerQuickMax)/2 {
			t.Fatalf("quick wait %v (step %v)", w, b.cur)
		}
	}
	if b.cur != DefaultListenerMaxBackoff {
		t.Fatalf("the step stopped doubling in the quick phase: %v", b.cur)
	}
	lo, hi := scheduleBounds(10 * time.Second)
	t.Logf("defaults: %d-%d attempts in the first 10 s (the quick phase), at most %d in the first minute, %d in ten minutes (%.3f/s); the old 800 ms cap made ~1.3/s for ever",
		lo, hi, mostAttempts(time.Minute), mostAttempts(10*time.Minute), float64(mostAttempts(10*time.Minute))/600)
	if m := mostAttempts(time.Minute); m > 35 {
		t.Fatalf("up to %d attempts in the first minute", m)
	}
	if m := mostAttempts(10*time.Minute) - mostAttempts(time.Minute); m > 40 {
		t.Fatalf("up to %d attempts in minutes 2-10", m)
	}
}

// scheduleAttempts counts the attempts the default schedule makes in a
// window of an outage (the first at 0), with every wait at the given
// fraction of its longest (0.5: the shortest jitter allows, 1: the longest).
func scheduleAttempts(window time.Duration, frac float64) int {
	n, at, step := 1, time.Duration(0), DefaultListenerMinBackoff
	for {
		w := step
		if at < DefaultListenerQuickFor {
			w = min(step, DefaultListenerQuickMax)
		}
		at += time.Duration(float64(w) * frac)
		if at > window {
			return n
		}
		n++
		step = min(2*step, DefaultListenerMaxBackoff)
	}
}

func mostAttempts(window time.Duration) int { return scheduleAttempts(window, 0.5) }

// scheduleBounds is the fewest and most attempts the jitter allows in a window.
func scheduleBounds(window time.Duration) (int, int) {
	return scheduleAttempts(window, 1), scheduleAttempts(window, 0.5)
}

// While the hub is down the listener retries with a growing backoff: the
// negotiate requests over a bounded window stay within the schedule's
// bound (not ~1.3 a second), ConnState says reconnecting at once, and the
// listener reconnects once the hub is back.
func TestListenerRetryRateWhileHubDown(t *testing.T) {
	trLeakCheck(t)
	hub := startTestHub(t)
	const minB, maxB, window = 20 * time.Millisecond, 400 * time.Millisecond, 3 * time.Second
	// The quick phase is off here: this measures the doubling alone.
	l := NewListener(ListenerConfig{HubURL: hub.url(), MinBackoff: minB, MaxBackoff: maxB, QuickFor: -1})
	runListener(t, l)
	trWaitFor(t, "connected", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })

	hub.down.Store(true)
	hub.stop()
	trWaitFor(t, "reconnecting", 5*time.Second, func() bool { return l.State().Phase == ConnReconnecting })
	hub.start()
	hub.negotiates.Store(0)
	time.Sleep(window) // a measurement window, not a wait for a condition
	n := hub.negotiates.Load()
	// Every wait at its shortest (half its step), after an attempt at 0.
	most, at, step := 1, time.Duration(0), minB
	for at += step / 2; at <= window; at += step / 2 {
		most++
		step = min(2*step, maxB)
	}
	t.Logf("hub down: %d negotiate requests in %v (%.1f/s; bound %d)", n, window, float64(n)/window.Seconds(), most)
	if n > int64(most) || n < 3 {
		t.Fatalf("%d attempts in %v, want between 3 and %d", n, window, most)
	}
	if s := l.State(); s.Phase != ConnReconnecting || !strings.Contains(s.LastError, "503") {
		t.Fatalf("state while down: %+v", s)
	}
	hub.down.Store(false)
	trWaitFor(t, "reconnected after the hub is back", 5*time.Second, func() bool { return l.State().Phase == ConnConnected })
}

// With the default backoff, a hub down for 10 s (the quick phase, so a
// short outage ends within about 2 s) sees the attempts the schedule allows:
// about one a second, not a storm.
func TestListenerDefaultRetryRate(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10 s window")
	}
	trLeakCheck(t)
	hub := startTestHub(t)
	hub.down.Store(true)
	l := NewListener(ListenerConfig{HubURL: hub.url()})
	stop := runListener(t, l)
	const window = 10 * time.Second
	time.Sleep(window) // a measurement window
	n := hub.negotiates.Load()
	stop()
	t.Logf("defaults, hub down: %d negotiate requests in %v (%.2f/s)", n, window, float64(n)/window.Seconds())
	lo, hi := scheduleBounds(window)
	if n < int64(lo)-1 || n > int64(hi)+1 { // +-1: the attempt in flight at either edge
		t.Fatalf("%d attempts in %v, want %d-%d", n, window, lo, hi)
	}
}

// A hub configured to drop clients silent for less than the default
// keep-alive (15 s) keeps a listener whose KeepAlive is set under it
// (hub.keep_alive), and drops one left at the default: the knob exists for
// such a hub, and the listener reconnects either way.
func TestListenerKeepAliveWithinAShortHubTimeout(t *testing.T) {
	trLeakCheck(t)
	hub := &testHubServer{t: t, addr: "127.0.0.1:0", clientTimeout: 1500 * time.Millisecond}
	hub.start()
	t.Cleanup(hub.stop)
	connect := func(keepAlive time.Duration) (*Listener, *atomic.Int64, func()) {
		var resyncs atomic.Int64
		l := NewListener(ListenerConfig{
			HubURL: hub.url(), KeepAlive: keepAlive, OnResync: func() { resyncs.Add(1) },
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond,
		})
		stop := runListener(t, l)
		trWaitFor(t, "connected", 20*time.Second, func() bool { return l.State().Phase == ConnConnected })
		return l, &resyncs, stop
	}

	l, resyncs, stop := connect(300 * time.Millisecond)
	time.Sleep(4 * time.Second) // well past the hub's timeout, with no events
	if n := resyncs.Load(); n != 1 || l.State().Phase != ConnConnected {
		t.Fatalf("keep-alive 300ms against a 1.5s hub timeout: %d connects, state %+v; want one, still connected", n, l.State())
	}
	stop()

	_, resyncs, stop = connect(0) // the default, 15 s
	defer stop()
	trWaitFor(t, "dropped by the hub and reconnected", 20*time.Second, func() bool { return resyncs.Load() >= 2 })
}
