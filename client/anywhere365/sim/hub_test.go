package sim

import (
	"context"
	"net/http"
	"testing"
	"time"

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
