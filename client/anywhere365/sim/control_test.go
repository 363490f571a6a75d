package sim

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/anywhere365"
)

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestControlAPI(t *testing.T) {
	r := start(t, Options{Seed: 1})
	c := httpc(t)
	u := r.URL

	// Create: generated id, given id, non-API.
	rep := do(t, c, "POST", u+"/sim/calls", `{"UCCName":"payments"}`, nil)
	eq(t, rep.status, http.StatusCreated)
	gen := decode[CallState](t, rep.body)
	if len(gen.CorrelationId) != 36 || gen.RecordingState != anywhere365.RecordingStarted || !gen.Api || gen.UCCName != "payments" {
		t.Errorf("created %+v", gen)
	}
	sameKeys(t, rep.body, "Seq", "UCCName", "CorrelationId", "RecordingState", "MarkingState", "SavingState", "Api", "Generated", "Ended", "LastAction", "AnsweredAt")
	rep = do(t, c, "POST", u+"/sim/calls", `{"UCCName":"ucc-demo-name","CorrelationId":"`+seedID+`"}`, nil)
	eq(t, rep.status, http.StatusCreated)
	rep = do(t, c, "POST", u+"/sim/calls", `{"UCCName":"ucc-demo-name","CorrelationId":"quiet","Api":false}`, nil)
	eq(t, rep.status, http.StatusCreated)
	eq(t, decode[CallState](t, rep.body).Api, false)

	// Refusals.
	for _, tc := range []struct {
		body   string
		status int
		text   string
	}{
		{`{"UCCName":"ucc-demo-name","CorrelationId":"` + seedID + `"}`, 409, "active"},
		{`{"UCCName":"nope"}`, 404, "unknown UCC"},
		{`{}`, 400, "UCCName is required"},
		{``, 400, "UCCName is required"},
		{`{"UCCName":`, 400, "not valid JSON"},
		{`{"UCC":"payments"}`, 400, "unknown field"},
	} {
		rep := do(t, c, "POST", u+"/sim/calls", tc.body, nil)
		if rep.status != tc.status || !strings.Contains(decode[controlError](t, rep.body).Error, tc.text) {
			t.Errorf("POST %q: %d %s", tc.body, rep.status, rep.body)
		}
	}

	// Truth.
	rep = do(t, c, "GET", u+"/sim/calls", "", nil)
	calls := decode[[]CallState](t, rep.body)
	if len(calls) != 3 || calls[0].CorrelationId != gen.CorrelationId || calls[1].CorrelationId != seedID || calls[2].CorrelationId != "quiet" {
		t.Fatalf("calls %+v", calls)
	}
	rep = do(t, c, "GET", u+"/sim/calls/"+seedID, "", nil)
	eq(t, decode[CallState](t, rep.body).CorrelationId, seedID)
	eq(t, do(t, c, "GET", u+"/sim/calls/nope", "", nil).status, http.StatusNotFound)

	// End.
	rep = do(t, c, "DELETE", u+"/sim/calls/"+seedID, "", nil)
	eq(t, rep.status, http.StatusOK)
	ended := decode[CallState](t, rep.body)
	if !ended.Ended || ended.RecordingState != anywhere365.RecordingStopped || ended.SavingState != anywhere365.SavingSave {
		t.Errorf("ended %+v", ended)
	}
	eq(t, do(t, c, "DELETE", u+"/sim/calls/"+seedID, "", nil).status, http.StatusNotFound)
	rep = do(t, c, "GET", u+"/sim/calls/"+seedID, "", nil)
	eq(t, decode[CallState](t, rep.body).Ended, true)

	// Call detail.
	eq(t, strings.TrimSpace(string(do(t, c, "GET", u+"/sim/calldetail", "", nil).body)), "[]")
	newVendorClient(t, r, families[0]).setAction("payments", gen.CorrelationId, "Mark")
	cdr := decode[[]CallDetailRecord](t, do(t, c, "GET", u+"/sim/calldetail", "", nil).body)
	if len(cdr) != 1 || cdr[0].Type != CDRMark || cdr[0].CorrelationId != gen.CorrelationId {
		t.Errorf("calldetail %+v", cdr)
	}

	// Burst.
	before := r.Server.EventsPublished()
	rep = do(t, c, "POST", u+"/sim/burst", `{"events":250}`, nil)
	eq(t, rep.status, http.StatusOK)
	eq(t, decode[BurstResponse](t, rep.body).Events, 250)
	eq(t, r.Server.EventsPublished()-before, uint64(250))
	for _, body := range []string{`{"events":0}`, `{"events":-1}`, `{"events":1000001}`, `{"n":5}`} {
		if rep := do(t, c, "POST", u+"/sim/burst", body, nil); rep.status != 400 {
			t.Errorf("burst %s: %d", body, rep.status)
		}
	}

	// Faults: set, read, validate, clear.
	rep = do(t, c, "POST", u+"/sim/faults", `{"dropHub":true,"httpErrorRate":0.3,"latencyMs":20,"recorderUnavailable":true,"processingErrorRate":0.5,"malformedRate":0.2,"truncatedRate":0.2,"hubDown":true}`, nil)
	eq(t, rep.status, http.StatusOK)
	want := Faults{HTTPErrorRate: 0.3, LatencyMs: 20, RecorderUnavailable: true, ProcessingErrorRate: 0.5, MalformedRate: 0.2, TruncatedRate: 0.2, HubDown: true}
	eq(t, decode[Faults](t, rep.body), want)
	eq(t, decode[Faults](t, do(t, c, "GET", u+"/sim/faults", "", nil).body), want)
	for _, body := range []string{`{"httpErrorRate":2}`, `{"latencyMs":-1}`, `{"latencyMs":600000}`, `{"httpErrorRat":0.1}`} {
		if rep := do(t, c, "POST", u+"/sim/faults", body, nil); rep.status != 400 {
			t.Errorf("faults %s: %d %s", body, rep.status, rep.body)
		}
	}
	eq(t, decode[Faults](t, do(t, c, "GET", u+"/sim/faults", "", nil).body), want) // refusals changed nothing
	eq(t, decode[Faults](t, do(t, c, "POST", u+"/sim/faults", `{}`, nil).body), Faults{})
	r.Server.SetFaults(want)
	eq(t, decode[Faults](t, do(t, c, "DELETE", u+"/sim/faults", "", nil).body), Faults{})
}

// Burst with no recording session answers one call first.
func TestBurstWithoutSessions(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	eq(t, s.Burst(5), 5)
	calls := s.Calls()
	if len(calls) != 1 || calls[0].RecordingState != anywhere365.RecordingStarted {
		t.Errorf("calls %+v", calls) // answer (Start), Pause, Start, Pause, Start
	}
	eq(t, s.Burst(3), 3)
	eq(t, len(s.Calls()), 1)

	// A simulator with no recording UCC cannot change anything.
	none := New(Options{UCCs: []UCC{{Name: "quiet"}}})
	defer none.Close()
	eq(t, none.Burst(10), 0)
}

// Mount shares a mux with other vendors' simulators.
func TestMount(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/sim/voipnow/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "voipnow") })
	mux.HandleFunc("/uapi/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "uapi") })
	s.Mount(mux)
	srv := &http.Server{Handler: mux}
	ln := listenLoopback(t)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	c := httpc(t)

	eq(t, string(do(t, c, "GET", base+"/sim/voipnow/x", "", nil).body), "voipnow")
	eq(t, do(t, c, "POST", base+"/sim/calls", `{"UCCName":"payments","CorrelationId":"m1"}`, nil).status, http.StatusCreated)
	eq(t, do(t, c, "GET", base+"/attendantservice/api/recording/payments/m1", "", nil).status, http.StatusOK)
	eq(t, do(t, c, "GET", base+"/sim/faults", "", nil).status, http.StatusOK)
	eq(t, do(t, c, "GET", base+"/sim/calldetail", "", nil).status, http.StatusOK)
	eq(t, do(t, c, "POST", base+"/sim/burst", `{"events":2}`, nil).status, http.StatusOK)
	eq(t, do(t, c, "POST", base+TokenPath(""), "", nil).status, http.StatusBadRequest)
}

// Close frees the port (with a live hub client) and a new Listen on the
// same address works.
func TestListenCloseReuse(t *testing.T) {
	r1, err := Listen("127.0.0.1:0", Options{Calls: 3, GeneratorTick: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r1.URL, "http://127.0.0.1:") || r1.HubURL != r1.URL+anywhere365.DefaultHubPath || r1.TokenURL != r1.URL+TokenPath(DemoTenant) {
		t.Errorf("URLs %q %q %q", r1.URL, r1.HubURL, r1.TokenURL)
	}
	c, _ := dialHub(t, r1, nil)
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r1.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	waitFor(t, "client disconnected", 5*time.Second, func() bool { return c.State() != signalr.ClientConnected })

	r2, err := Listen(r1.Addr, Options{})
	if err != nil {
		t.Fatalf("Listen on the freed %s: %v", r1.Addr, err)
	}
	defer r2.Close()
	eq(t, r2.URL, r1.URL)
	waitFor(t, "client reconnected to the new simulator", 5*time.Second, func() bool { return r2.Server.HubConnections() == 1 })
	hc := httpc(t)
	eq(t, do(t, hc, "GET", r2.URL+"/attendantservice/api/recording/capabilities/payments", "", nil).status, http.StatusOK)

	if _, err := Listen(r2.Addr, Options{}); err == nil {
		t.Error("Listen on a busy address succeeded")
	}
}

// Same seed, same calls and ids; another seed, other ids.
func TestDeterminism(t *testing.T) {
	clk := newClock()
	run := func(seed int64) ([]CallState, []string) {
		s := New(Options{Seed: seed, Now: clk.Now})
		defer s.Close()
		var ids []string
		for _, ucc := range []string{"payments", "helpdesk", "ucc-demo-name"} {
			ids = append(ids, mustCall(t, s, ucc, "", true).CorrelationId)
		}
		s2 := New(Options{Seed: seed, Now: clk.Now}) // no ticker: steps are driven by hand
		defer s2.Close()
		s2.opts.Calls = 8
		for range 300 {
			s2.step()
		}
		return s2.Calls(), ids
	}
	callsA, idsA := run(42)
	callsB, idsB := run(42)
	_, idsC := run(43)
	eq(t, fmt.Sprint(idsA), fmt.Sprint(idsB))
	if fmt.Sprint(idsA) == fmt.Sprint(idsC) {
		t.Error("different seeds gave the same ids")
	}
	if len(callsA) < 8 {
		t.Fatalf("generator made only %d calls in 300 steps", len(callsA))
	}
	if fmt.Sprintf("%+v", strip(callsA)) != fmt.Sprintf("%+v", strip(callsB)) {
		t.Errorf("same seed, different calls:\n%+v\n%+v", callsA, callsB)
	}
	for _, id := range idsA {
		if len(id) != 36 || id[14] != '4' {
			t.Errorf("id %q is not a version-4 GUID", id)
		}
	}
}

// strip drops pointer fields so calls compare by value.
func strip(cs []CallState) []CallState {
	out := append([]CallState(nil), cs...)
	for i := range out {
		out[i].EndedAt = nil
	}
	return out
}
