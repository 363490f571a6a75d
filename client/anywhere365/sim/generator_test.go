package sim

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// A call an agent paused through the API (a card payment in the demo) is
// left to that agent: the generator neither resumes it nor ends it while
// HumanHold lasts, then takes it back.
func TestGeneratorLeavesHumanCallsAlone(t *testing.T) {
	s := New(Options{Seed: 5, MinCallLife: time.Second, MaxCallLife: 2 * time.Second, HumanHold: 30 * time.Second})
	defer s.Close()
	s.opts.Calls = 4
	for range 5 { // let calls arrive
		s.step()
	}
	var target CallState
	for _, c := range s.Calls() {
		if !c.Ended && c.Generated && c.RecordingState == anywhere365.RecordingStarted && c.UCCName != "helpdesk" {
			target = c
			break
		}
	}
	if target.CorrelationId == "" {
		t.Fatalf("no started generated call among %+v", s.Calls())
	}

	r := httptestServer(t, s)
	body := fmt.Sprintf(`{"Action":"Pause","RequesterSipUri":%q,"CorrelationId":%q,"UCCName":%q}`,
		DemoAgent, target.CorrelationId, target.UCCName)
	if got := do(t, httpc(t), "POST", r+"/attendantservice/api/recording/set", body, nil); got.status != 200 {
		t.Fatalf("pause: %d %s", got.status, got.body)
	}

	// 20 s of steps: well past the call's 1-2 s life, inside the 30 s hold.
	for range 200 {
		s.step()
	}
	got := findCall(t, s, target.CorrelationId)
	if got.Ended || got.RecordingState != anywhere365.RecordingPaused {
		t.Fatalf("after 20 s under a person's control: %+v, want still up and Paused", got)
	}

	// After the hold the generator takes the call back and ends it.
	for range 150 {
		s.step()
	}
	if got := findCall(t, s, target.CorrelationId); !got.Ended {
		t.Fatalf("after the hold: %+v, want ended", got)
	}
}

func findCall(t *testing.T, s *Server, id string) CallState {
	t.Helper()
	for _, c := range s.Calls() {
		if c.CorrelationId == id {
			return c
		}
	}
	t.Fatalf("call %s not found", id)
	return CallState{}
}

// httptestServer serves s's handler on a loopback port, so a test can
// drive the generator by hand (no ticker) and still speak HTTP to it.
func httptestServer(t *testing.T, s *Server) string {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
