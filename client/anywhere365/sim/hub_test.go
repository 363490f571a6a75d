package sim

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/anywhere365"
)

func ev(ucc, id string, a anywhere365.Action) anywhere365.RecordingStateChangedEvent {
	return anywhere365.RecordingStateChangedEvent{UccName: ucc, CorrelationId: id, StateAction: a}
}

// The hub delivers an event for every change, from the API and from the
// call lifecycle, to a real signalr client.
func TestHubDeliversEvents(t *testing.T) {
	r := start(t, Options{})
	_, rcv := dialHub(t, r, nil)
	vc := newVendorClient(t, r, families[1])

	mustCall(t, r.Server, "payments", seedID, true)  // Start (answer)
	vc.setAction("payments", seedID, "Pause")        // Pause (API)
	vc.setAction("payments", seedID, 1)              // Start (resume)
	vc.setAction("payments", seedID, "Mark")         // Mark
	vc.setAction("payments", seedID, "Pause")        // Pause
	vc.setAction("payments", seedID, "Pause")        // refused: no event
	if err := r.Server.EndCall(seedID); err != nil { // Stop, Save (lifecycle)
		t.Fatal(err)
	}
	want := []anywhere365.RecordingStateChangedEvent{
		ev("payments", seedID, anywhere365.ActionStart),
		ev("payments", seedID, anywhere365.ActionPause),
		ev("payments", seedID, anywhere365.ActionStart),
		ev("payments", seedID, anywhere365.ActionMark),
		ev("payments", seedID, anywhere365.ActionPause),
		ev("payments", seedID, anywhere365.ActionStop),
		ev("payments", seedID, anywhere365.ActionSave),
	}
	waitFor(t, "all events", 5*time.Second, func() bool { return rcv.has(want...) })
	eq(t, r.Server.EventsPublished(), uint64(len(want)))
	// Nothing more arrives (the refused Pause made no event).
	r.Server.Burst(1)
	waitFor(t, "the burst event", 5*time.Second, func() bool { return rcv.count() == len(want)+1 })
}

// dropHub closes live websockets; the client reconnects and gets events again.
func TestDropHubFault(t *testing.T) {
	r := start(t, Options{})
	c, rcv := dialHub(t, r, nil)
	states := make(chan signalr.ClientState, 64)
	cancel := c.ObserveStateChanged(states)
	defer cancel()

	r.Server.SetFaults(Faults{DropHub: true})
	if f := r.Server.CurrentFaults(); f.DropHub {
		t.Error("dropHub is an action, it should not stay set")
	}
	deadline := time.After(5 * time.Second)
	sawDown := false
	for !sawDown {
		select {
		case st := <-states:
			sawDown = st != signalr.ClientConnected
		case <-deadline:
			t.Fatal("client was not disconnected")
		}
	}
	waitFor(t, "reconnect", 5*time.Second, func() bool {
		return c.State() == signalr.ClientConnected && r.Server.HubConnections() == 1
	})
	mustCall(t, r.Server, "payments", "after-drop", true)
	waitFor(t, "event after reconnect", 5*time.Second, func() bool {
		return rcv.has(ev("payments", "after-drop", anywhere365.ActionStart))
	})
}

// hubDown refuses new connections; clearing it lets them in.
func TestHubDownFault(t *testing.T) {
	r := start(t, Options{})
	r.Server.SetFaults(Faults{HubDown: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hc := httpc(t)
	if _, err := signalr.NewHTTPConnection(ctx, r.HubURL, signalr.WithTransports(signalr.TransportWebSockets), signalr.WithHTTPClient(hc)); err == nil {
		t.Fatal("connected while the hub is down")
	}
	rep := do(t, hc, "POST", r.HubURL+"/negotiate", "", nil)
	eq(t, rep.status, http.StatusServiceUnavailable)
	r.Server.SetFaults(Faults{})
	dialHub(t, r, nil)
}

// HubRequiresToken: no token, no hub.
func TestHubRequiresToken(t *testing.T) {
	r := start(t, Options{HubRequiresToken: true})
	c := httpc(t)
	eq(t, do(t, c, "POST", r.HubURL+"/negotiate", "", nil).status, http.StatusUnauthorized)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token(t, c, r))
	_, rcv := dialHub(t, r, h)
	mustCall(t, r.Server, "payments", "tok", true)
	waitFor(t, "event", 5*time.Second, func() bool { return rcv.has(ev("payments", "tok", anywhere365.ActionStart)) })
}

// The generator keeps a demo lively and stops on Close.
func TestGeneratorEvents(t *testing.T) {
	r := start(t, Options{Seed: 3, Calls: 6, GeneratorTick: 5 * time.Millisecond})
	_, rcv := dialHub(t, r, nil)
	waitFor(t, "generated events", 10*time.Second, func() bool { return rcv.count() >= 40 })
	kinds := map[anywhere365.Action]bool{}
	for _, e := range rcv.events() {
		kinds[e.StateAction] = true
	}
	for _, a := range []anywhere365.Action{anywhere365.ActionStart, anywhere365.ActionPause} {
		if !kinds[a] {
			t.Errorf("no %v event among %d", a, rcv.count())
		}
	}
	active := 0
	for _, cs := range r.Server.Calls() {
		if !cs.Ended {
			active++
			if !cs.Generated || !cs.Api {
				t.Errorf("generated call %+v", cs)
			}
		}
	}
	if active == 0 || active > 6 {
		t.Errorf("%d active calls, want 1..6", active)
	}
}

// With Calls=12 an observer sees a couple of events a second (calm enough
// to follow, lively enough to demo), and calls last long enough to act on:
// after the first 10 simulated seconds (the calls arriving), count the
// events of the next 300 steps (30 s at the default 100 ms tick).
func TestGeneratorRate(t *testing.T) {
	s := New(Options{Seed: 1}) // no ticker: steps are driven by hand
	defer s.Close()
	s.opts.Calls = 12
	for range 100 {
		s.step()
	}
	before := s.EventsPublished()
	for range 300 {
		s.step()
	}
	n := s.EventsPublished() - before
	t.Logf("%d events in 300 steps at steady state", n)
	if n < 45 || n > 150 {
		t.Errorf("%d events in 30 simulated seconds, want 45..150 (1.5 to 5 a second)", n)
	}
	active, ended := 0, 0
	for _, c := range s.Calls() {
		if c.Ended {
			ended++
		} else {
			active++
		}
	}
	if active < 6 || active > 12 {
		t.Errorf("%d active calls, want 6..12", active)
	}
	if ended > 12 {
		t.Errorf("%d calls ended within 40 s: calls should last 20 s to 2 min", ended)
	}
}

// orderedListener runs an anywhere365.Listener (which delivers events in
// wire order) against the simulator and records what it receives.
type orderedListener struct {
	mu     sync.Mutex
	events []anywhere365.RecordingStateChangedEvent
}

func (o *orderedListener) add(ev anywhere365.RecordingStateChangedEvent) {
	o.mu.Lock()
	o.events = append(o.events, ev)
	o.mu.Unlock()
}

func (o *orderedListener) got() []anywhere365.RecordingStateChangedEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]anywhere365.RecordingStateChangedEvent(nil), o.events...)
}

func listenOrdered(t *testing.T, r *Running) *orderedListener {
	t.Helper()
	o := &orderedListener{}
	tr := &http.Transport{}
	l := anywhere365.NewListener(anywhere365.ListenerConfig{
		HubURL:     r.HubURL,
		HTTPClient: &http.Client{Transport: tr},
		OnEvent:    o.add,
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = l.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		tr.CloseIdleConnections()
	})
	return o
}

// Each connection gets the pushes in the order the state changed: a burst
// of 5,000 Pause/Start toggles on one call arrives strictly alternating at
// two listeners at once. The library's own broadcast (a goroutine per push)
// delivered some of them swapped.
func TestHubKeepsOrderPerConnection(t *testing.T) {
	r := start(t, Options{})
	mustCall(t, r.Server, "ucc-demo-name", seedID, true) // Start: the burst toggles this call
	a, b := listenOrdered(t, r), listenOrdered(t, r)
	waitFor(t, "two hub connections", 10*time.Second, func() bool { return r.Server.HubConnections() == 2 })
	const n = 5000
	if got := r.Server.Burst(n); got != n {
		t.Fatalf("burst made %d events", got)
	}
	for name, o := range map[string]*orderedListener{"first": a, "second": b} {
		waitFor(t, name+" listener's events", 30*time.Second, func() bool { return len(o.got()) >= n })
		evs := o.got()
		if len(evs) != n {
			t.Fatalf("%s listener: %d events, want %d", name, len(evs), n)
		}
		want := anywhere365.ActionPause // the call was Started
		for i, ev := range evs {
			if ev.CorrelationId != seedID || ev.StateAction != want {
				t.Fatalf("%s listener: event %d = %v %v, want %v (out of order)", name, i, ev.CorrelationId, ev.StateAction, want)
			}
			want = map[anywhere365.Action]anywhere365.Action{anywhere365.ActionPause: anywhere365.ActionStart, anywhere365.ActionStart: anywhere365.ActionPause}[want]
		}
	}
}

// A client that stops reading cannot stall the simulator: pushes are only
// queued, and once hubQueueLimit wait for it the simulator closes it,
// while a client that reads keeps getting everything in order.
func TestHubDropsClientThatFallsBehind(t *testing.T) {
	old := hubQueueLimit
	hubQueueLimit = 2000
	t.Cleanup(func() { hubQueueLimit = old })
	r := start(t, Options{Logf: t.Logf})
	mustCall(t, r.Server, "ucc-demo-name", seedID, true)
	good := listenOrdered(t, r)
	waitFor(t, "the reading client", 10*time.Second, func() bool { return r.Server.HubConnections() == 1 })

	// The stalled client: negotiate, handshake, then never read.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hc := httpc(t)
	// A small receive buffer: the socket fills after a few events.
	hc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}
	resp, err := hc.Post(r.HubURL+"/negotiate?negotiateVersion=1", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	var neg struct {
		ConnectionToken string `json:"connectionToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&neg); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.HubURL, "http")+"?id="+neg.ConnectionToken, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte("{\"protocol\":\"json\",\"version\":1}\x1e")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stalled client registered", 10*time.Second, func() bool { return r.Server.HubConnections() == 2 })

	// Bursts of 500 (under the limit, so the reading client keeps up)
	// until the stalled client's socket buffers and then its queue are
	// full. Each burst returns: nothing waits on the stalled socket.
	total := 0
	for r.Server.HubConnections() == 2 {
		if total >= 1_000_000 {
			t.Fatal("the stalled client was never dropped")
		}
		done := make(chan int, 1)
		go func() { done <- r.Server.Burst(500) }()
		select {
		case n := <-done:
			total += n
		case <-time.After(30 * time.Second):
			t.Fatal("a burst was blocked by a client that does not read")
		}
		waitFor(t, "the reading client caught up", 30*time.Second, func() bool { return len(good.got()) >= total })
	}
	t.Logf("the stalled client was dropped after %d events", total)
	if got := len(good.got()); got != total {
		t.Fatalf("the reading client got %d events, want %d", got, total)
	}
	want := anywhere365.ActionPause
	for i, ev := range good.got() {
		if ev.StateAction != want {
			t.Fatalf("event %d = %v, want %v", i, ev.StateAction, want)
		}
		if want == anywhere365.ActionPause {
			want = anywhere365.ActionStart
		} else {
			want = anywhere365.ActionPause
		}
	}
}
