package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// The load driver's routes, end to end over HTTP: populate answers calls,
// rate makes real state changes at about the rate asked and only on the
// calls asked for, toggle flips one recorder, end-all ends every call the
// generator does not drive, and stats counts all of it (and the GETs of a
// session's state). Out-of-bound
// requests are refused before anything happens.
func TestDriverRoutes(t *testing.T) {
	s := New(Options{Seed: 9})
	defer s.Close()
	base := httptestServer(t, s)
	c := httpc(t)
	decode := func(r reply, v any) {
		t.Helper()
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("%d %s: %v", r.status, r.body, err)
		}
	}

	for _, body := range []string{`{"calls":0}`, `{"calls":200001}`, `{"calls":5,"ucc":"nope"}`, `{"calls":5,"extra":1}`} {
		if r := do(t, c, "POST", base+"/sim/populate", body, nil); r.status != http.StatusBadRequest {
			t.Errorf("populate %s: %d %s", body, r.status, r.body)
		}
	}
	if r := do(t, c, "POST", base+"/sim/populate", `{"calls":600,"ucc":"payments"}`, nil); r.status != 200 {
		t.Fatalf("populate: %d %s", r.status, r.body)
	}
	if r := do(t, c, "POST", base+"/sim/populate", `{"calls":3,"ucc":"helpdesk"}`, nil); r.status != 200 {
		t.Fatalf("populate: %d %s", r.status, r.body)
	}
	var st StatsResponse
	decode(do(t, c, "GET", base+"/sim/stats", "", nil), &st)
	if st.ActiveCalls != 603 || st.Events != 603 { // one Start per answered call
		t.Fatalf("stats after populate: %+v", st)
	}

	for _, body := range []string{`{"rate":0,"calls":1,"seconds":1}`, `{"rate":50001,"calls":1,"seconds":1}`,
		`{"rate":10,"calls":1,"seconds":0}`, `{"rate":10,"calls":1,"seconds":601}`, `{"rate":10,"calls":0,"seconds":1}`} {
		if r := do(t, c, "POST", base+"/sim/rate", body, nil); r.status != http.StatusBadRequest {
			t.Errorf("rate %s: %d %s", body, r.status, r.body)
		}
	}
	if r := do(t, c, "POST", base+"/sim/rate", `{"rate":10,"calls":5,"seconds":1,"ucc":"sales"}`, nil); r.status != http.StatusConflict {
		t.Errorf("rate on a UCC without calls: %d %s", r.status, r.body)
	}
	var rr RateResponse
	decode(do(t, c, "POST", base+"/sim/rate", `{"rate":1000,"calls":500,"seconds":0.5,"ucc":"payments"}`, nil), &rr)
	if rr.Events < 450 || rr.Events > 550 || rr.Calls != 500 {
		t.Fatalf("1000 ev/s for 0.5 s over 500 calls: %+v", rr)
	}
	toggled := map[anywhere365.RecordingState]int{}
	var helpdesk []CallState
	for _, cs := range s.Calls() {
		if cs.UCCName == "helpdesk" {
			helpdesk = append(helpdesk, cs)
			if cs.LastAction != anywhere365.ActionStart || cs.RecordingState != anywhere365.RecordingStarted {
				t.Errorf("the driver changed a call outside its UCC: %+v", cs)
			}
			continue
		}
		toggled[cs.RecordingState]++
	}
	if toggled[anywhere365.RecordingPaused] == 0 || toggled[anywhere365.RecordingStarted] < 100 {
		t.Errorf("states after the run: %v (the last 100 calls are outside the first 500)", toggled)
	}

	var cs CallState
	decode(do(t, c, "POST", base+"/sim/calls/"+helpdesk[0].CorrelationId+"/toggle", "", nil), &cs)
	if cs.RecordingState != anywhere365.RecordingPaused {
		t.Fatalf("toggle: %+v", cs)
	}
	if r := do(t, c, "POST", base+"/sim/calls/no-such-call/toggle", "", nil); r.status != http.StatusNotFound {
		t.Errorf("toggle of an unknown call: %d %s", r.status, r.body)
	}

	var ended map[string]int
	decode(do(t, c, "POST", base+"/sim/end-all", "", nil), &ended)
	if ended["ended"] != 603 {
		t.Fatalf("end-all: %v", ended)
	}
	decode(do(t, c, "GET", base+"/sim/stats", "", nil), &st)
	if st.ActiveCalls != 0 || st.Events != s.EventsPublished() || st.StateGets != 0 {
		t.Fatalf("stats after end-all: %+v", st)
	}
	// stateGets counts every GET of a session's state, v1 and v2, whatever
	// the answer (an unknown call, a refused token); nothing else.
	for _, path := range []string{"/attendantservice/api/recording/helpdesk/" + helpdesk[0].CorrelationId,
		"/attendantservice/api/recording/nope/123", "/attendantservice/api/v2/recording/helpdesk/123",
		"/attendantservice/api/recording/capabilities/helpdesk"} {
		do(t, c, "GET", base+path, "", nil)
	}
	decode(do(t, c, "GET", base+"/sim/stats", "", nil), &st)
	if st.StateGets != 3 || s.StateGets() != 3 {
		t.Fatalf("stateGets after three GETs of a state and one of capabilities: %+v, StateGets() = %d", st, s.StateGets())
	}
	if !strings.Contains(string(do(t, c, "POST", base+"/sim/rate", `{"rate":10,"calls":5,"seconds":1}`, nil).body), "no active API call") {
		t.Error("rate with no call left should say so")
	}
}
