package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// route families: v1 without auth, v2 with a bearer token.
type family struct {
	name   string
	prefix string
	v2     bool
}

var families = []family{
	{"v1", "/attendantservice/api/recording", false},
	{"v2", "/attendantservice/api/v2/recording", true},
}

// vendorClient talks to one route family.
type vendorClient struct {
	t    *testing.T
	c    *http.Client
	r    *Running
	f    family
	auth map[string]string
}

func newVendorClient(t *testing.T, r *Running, f family) *vendorClient {
	vc := &vendorClient{t: t, c: httpc(t), r: r, f: f}
	if f.v2 {
		vc.auth = map[string]string{"Authorization": "Bearer " + token(t, vc.c, r)}
	}
	return vc
}

func (vc *vendorClient) get(ucc, id string) reply {
	return do(vc.t, vc.c, "GET", vc.r.URL+vc.f.prefix+"/"+ucc+"/"+id, "", vc.auth)
}

func (vc *vendorClient) caps(ucc string) reply {
	return do(vc.t, vc.c, "GET", vc.r.URL+vc.f.prefix+"/capabilities/"+ucc, "", vc.auth)
}

func (vc *vendorClient) set(body string) reply {
	return do(vc.t, vc.c, "POST", vc.r.URL+vc.f.prefix+"/set", body, vc.auth)
}

// setAction sends a set with the demo agent.
func (vc *vendorClient) setAction(ucc, id string, action any) reply {
	a := fmt.Sprint(action)
	if _, isName := action.(string); isName {
		a = `"` + a + `"`
	}
	return vc.set(fmt.Sprintf(`{"Action":%s,"RequesterSipUri":%q,"CorrelationId":%q,"UCCName":%q}`, a, DemoAgent, id, ucc))
}

// noRecordingUCCs makes ucc-demo-name a UCC whose recorder does not start
// on answer, so a session can be in every state the seeds show.
func noRecordingUCCs() []UCC {
	uccs := DefaultUCCs()
	uccs[0].UseAudioRecording = false
	return uccs
}

func mustCall(t *testing.T, s *Server, ucc, id string, api bool) CallState {
	t.Helper()
	st, err := s.CreateCall(ucc, id, api)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Seed 000/001 "Response (session found)".
func TestSeedGetStateFound(t *testing.T) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			r := start(t, Options{UCCs: noRecordingUCCs()})
			vc := newVendorClient(t, r, f)
			mustCall(t, r.Server, "ucc-demo-name", seedID, true)
			// Seed "Request with action name" (Mark), then Save: the seed's state.
			if rep := vc.set(`{
   "Action":"Mark",
   "RequesterSipUri":"sip:agent@domain.com",
   "CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
   "UCCName":"ucc-demo-name"
}`); rep.status != http.StatusOK {
				t.Fatalf("Mark: %d %s", rep.status, rep.body)
			}
			if rep := vc.setAction("ucc-demo-name", seedID, 4); rep.status != http.StatusOK {
				t.Fatalf("Save: %d %s", rep.status, rep.body)
			}
			rep := vc.get("ucc-demo-name", seedID)
			if rep.status != http.StatusOK {
				t.Fatalf("status %d", rep.status)
			}
			sameJSON(t, rep.body, `{
   "CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
   "RecordingState":0,
   "MarkingState":1,
   "SavingState":1,
   "ErrorMessage":null,
   "UCCName":"ucc-demo-name"
}`)
		})
	}
}

// Seed 000 "Response (session not found)".
func TestSeedGetStateNotFound(t *testing.T) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			r := start(t, Options{})
			rep := newVendorClient(t, r, f).get("ucc-demo-name", seedID)
			if rep.status != http.StatusNotFound {
				t.Errorf("status %d, want 404", rep.status)
			}
			sameJSON(t, rep.body, `{
   "CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
   "RecordingState":0,
   "MarkingState":0,
   "SavingState":0,
   "ErrorMessage":{
      "ErrorType":2,
      "Message":"No Audio session with correlation Id:'1d6c6a58-6739-4f0c-98ff-0968292c8c30' was found."
   },
   "UCCName":"ucc-demo-name"
}`)
		})
	}
}

// Seed "Request with action id" and "Request with action name", both families.
func TestSeedSetRequests(t *testing.T) {
	byID := `{
"Action":1,
"RequesterSipUri":"sip:agent@domain.com",
"CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
"UCCName":"ucc-demo-name"
}`
	byName := `{
"Action":"Mark",
"RequesterSipUri":"sip:agent@domain.com",
"CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
"UCCName":"ucc-demo-name"
}`
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			r := start(t, Options{UCCs: noRecordingUCCs()})
			vc := newVendorClient(t, r, f)
			mustCall(t, r.Server, "ucc-demo-name", seedID, true)
			rep := vc.set(byID)
			if rep.status != http.StatusOK {
				t.Fatalf("by id: %d %s", rep.status, rep.body)
			}
			sameJSON(t, rep.body, `{"CorrelationId":"`+seedID+`","RecordingState":1,"MarkingState":0,"SavingState":0,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`)
			rep = vc.set(byName)
			if rep.status != http.StatusOK {
				t.Fatalf("by name: %d %s", rep.status, rep.body)
			}
			sameJSON(t, rep.body, `{"CorrelationId":"`+seedID+`","RecordingState":1,"MarkingState":1,"SavingState":0,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`)
			if ct := rep.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// Seed "Recording capabilities": found, and "Response (ucc not found)".
func TestSeedCapabilities(t *testing.T) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			r := start(t, Options{})
			vc := newVendorClient(t, r, f)
			rep := vc.caps("ucc-demo-name")
			if rep.status != http.StatusOK {
				t.Fatalf("status %d", rep.status)
			}
			// The seed's example echoes "ucc_"; the simulator echoes the name asked for.
			sameJSON(t, rep.body, `{"AgentCanEditRecordings":true,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`)
			sameJSON(t, vc.caps("helpdesk").body, `{"AgentCanEditRecordings":false,"ErrorMessage":null,"UCCName":"helpdesk"}`)

			// A simulator without ucc-demo-name answers the seed's "ucc not found" example.
			r2 := start(t, Options{UCCs: DefaultUCCs()[1:]})
			rep = newVendorClient(t, r2, f).caps("ucc-demo-name")
			if rep.status != http.StatusNotFound {
				t.Errorf("status %d, want 404", rep.status)
			}
			sameJSON(t, rep.body, `{
   "AgentCanEditRecordings":false,
   "ErrorMessage":{
      "ErrorType":2,
      "Message":"Ucc with name:'ucc-demo-name' not found."
   },
   "UCCName":"ucc-demo-name"
}`)
		})
	}
}

// Every error message of seed 001, each in the situation it names.
func TestErrorMessages(t *testing.T) {
	const (
		cfg = anywhere365.ErrorConfiguration
		val = anywhere365.ErrorValidation
		prc = anywhere365.ErrorProcessing
	)
	setBody := func(action, sip, id, ucc string) string {
		return fmt.Sprintf(`{"Action":%s,"RequesterSipUri":%q,"CorrelationId":%q,"UCCName":%q}`, action, sip, id, ucc)
	}
	const other = "0f8fad5b-d9cb-469f-a165-70867728950e"
	cases := []struct {
		name    string
		get     [2]string // ucc, id for a GET; empty for a set
		set     string
		faults  Faults
		status  int
		errType anywhere365.ErrorType
		msg     string
	}{
		{name: "get unknown ucc", get: [2]string{"nope", seedID}, status: 404, errType: val, msg: "Ucc name (nope) was not recognized"},
		{name: "get unknown session", get: [2]string{"ucc-demo-name", other}, status: 404, errType: val, msg: "No Audio session with correlation Id:'" + other + "' was found."},
		{name: "get session of another ucc", get: [2]string{"payments", seedID}, status: 404, errType: val, msg: "No Audio session with correlation Id:'" + seedID + "' was found."},
		{name: "get non-API session", get: [2]string{"ucc-demo-name", "non-api-call"}, status: 404, errType: val, msg: "No Api Audio session with correlation Id:'non-api-call' was found."},
		{name: "get recorder unavailable", get: [2]string{"ucc-demo-name", seedID}, faults: Faults{RecorderUnavailable: true}, status: 503, errType: cfg, msg: "Recorder was not available, command could not be executed"},
		{name: "get processing", get: [2]string{"ucc-demo-name", seedID}, faults: Faults{ProcessingErrorRate: 1}, status: 500, errType: prc, msg: msgProcessing},

		{name: "set unknown ucc", set: setBody("6", DemoAgent, seedID, "nope"), status: 404, errType: val, msg: "Ucc name (nope) was not recognized"},
		{name: "set no action", set: `{"RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"ucc-demo-name"}`, status: 400, errType: val, msg: "No action was detected in command"},
		{name: "set null action", set: setBody("null", DemoAgent, seedID, "ucc-demo-name"), status: 400, errType: val, msg: "No action was detected in command"},
		{name: "set action 0", set: setBody("0", DemoAgent, seedID, "ucc-demo-name"), status: 400, errType: val, msg: "No action was detected in command"},
		{name: "set action 8", set: setBody("8", DemoAgent, seedID, "ucc-demo-name"), status: 400, errType: val, msg: "No action was detected in command"},
		{name: "set unknown action name", set: setBody(`"Resume"`, DemoAgent, seedID, "ucc-demo-name"), status: 400, errType: val, msg: "No action was detected in command"},
		{name: "set invalid requester", set: setBody("6", "agent@domain.com", seedID, "ucc-demo-name"), status: 400, errType: val, msg: "Requester with SipUri:'agent@domain.com' is invalid."},
		{name: "set empty requester", set: setBody("6", "", seedID, "ucc-demo-name"), status: 400, errType: val, msg: "Requester with SipUri:'' is invalid."},
		{name: "set editing disabled", set: setBody("6", DemoAgent, seedID, "helpdesk"), status: 403, errType: cfg, msg: "Ucc with name:'helpdesk' AgentCanEditAudioRecording setting is disabled."},
		{name: "set not a member", set: setBody("6", "sip:stranger@domain.com", seedID, "ucc-demo-name"), status: 403, errType: cfg, msg: "Requester with SipUri:'sip:stranger@domain.com' is not an agent or supervisor for Ucc with name: 'ucc-demo-name'."},
		{name: "set unknown session", set: setBody("6", DemoAgent, other, "ucc-demo-name"), status: 404, errType: val, msg: "No Audio session with correlation Id:'" + other + "' was found."},
		{name: "set non-API session", set: setBody("6", DemoAgent, "non-api-call", "ucc-demo-name"), status: 404, errType: val, msg: "No Api Audio session with correlation Id:'non-api-call' was found."},
		{name: "set recorder unavailable", set: setBody("3", DemoAgent, seedID, "ucc-demo-name"), faults: Faults{RecorderUnavailable: true}, status: 503, errType: cfg, msg: "Recorder was not available, command could not be executed"},
		{name: "set processing", set: setBody("3", DemoAgent, seedID, "ucc-demo-name"), faults: Faults{ProcessingErrorRate: 1}, status: 500, errType: prc, msg: msgProcessing},
		{name: "set cannot be started", set: setBody("1", DemoAgent, seedID, "ucc-demo-name"), status: 409, errType: val, msg: "Recorder state is Started, this state cannot be started"},
		{name: "set supervisor cannot be started", set: setBody(`"start"`, DemoSupervisor, seedID, "ucc-demo-name"), status: 409, errType: val, msg: "Recorder state is Started, this state cannot be started"},
		{name: "set malformed body", set: `{"Action":1,`, status: 400, errType: val, msg: "Request body could not be read as a recording command: unexpected end of JSON input"},
		{name: "set array body", set: `[1]`, status: 400, errType: val, msg: "Request body could not be read as a recording command: not a JSON object"},
		{name: "set wrong field type", set: `{"Action":1,"UCCName":5}`, status: 400, errType: val, msg: "Request body could not be read as a recording command: field UCCName must be a string, got number"},
	}
	for _, f := range families {
		r := start(t, Options{})
		vc := newVendorClient(t, r, f)
		mustCall(t, r.Server, "ucc-demo-name", seedID, true)
		mustCall(t, r.Server, "helpdesk", "helpdesk-call", true)
		mustCall(t, r.Server, "ucc-demo-name", "non-api-call", false)
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				r.Server.SetFaults(tc.faults)
				defer r.Server.SetFaults(Faults{})
				before := r.Server.Calls()
				var rep reply
				if tc.get[0] != "" {
					rep = vc.get(tc.get[0], tc.get[1])
				} else {
					rep = vc.set(tc.set)
				}
				if rep.status != tc.status {
					t.Errorf("status %d, want %d", rep.status, tc.status)
				}
				resp := decode[anywhere365.StateResponse](t, rep.body)
				if resp.ErrorMessage == nil {
					t.Fatalf("no ErrorMessage: %s", rep.body)
				}
				if resp.ErrorMessage.ErrorType != tc.errType || resp.ErrorMessage.Message != tc.msg {
					t.Errorf("got %v %q\nwant %v %q", resp.ErrorMessage.ErrorType, resp.ErrorMessage.Message, tc.errType, tc.msg)
				}
				if after := r.Server.Calls(); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("a refused command changed state:\n%v\n%v", before, after)
				}
			})
		}
	}
}

// The state rules: every action from every recorder state.
func TestStateRules(t *testing.T) {
	const (
		U = anywhere365.RecordingUninitialized
		S = anywhere365.RecordingStarted
		X = anywhere365.RecordingStopped
		P = anywhere365.RecordingPaused
	)
	// setup brings a fresh Uninitialized recorder into the state.
	setup := map[anywhere365.RecordingState][]anywhere365.Action{
		U: nil,
		S: {anywhere365.ActionStart},
		X: {anywhere365.ActionStart, anywhere365.ActionStop},
		P: {anywhere365.ActionStart, anywhere365.ActionPause},
	}
	ok := func(s anywhere365.RecordingState) string { return "=" + s.String() }
	refused := func(from anywhere365.RecordingState, verb string) string {
		return "Recorder state is " + from.String() + ", this state cannot be " + verb
	}
	want := map[anywhere365.RecordingState]map[anywhere365.Action]string{
		U: {anywhere365.ActionStart: ok(S), anywhere365.ActionPause: refused(U, "paused"), anywhere365.ActionStop: refused(U, "stopped")},
		S: {anywhere365.ActionStart: refused(S, "started"), anywhere365.ActionPause: ok(P), anywhere365.ActionStop: ok(X)},
		X: {anywhere365.ActionStart: refused(X, "started"), anywhere365.ActionPause: refused(X, "paused"), anywhere365.ActionStop: refused(X, "stopped")},
		P: {anywhere365.ActionStart: ok(S), anywhere365.ActionPause: refused(P, "paused"), anywhere365.ActionStop: ok(X)},
	}
	r := start(t, Options{UCCs: noRecordingUCCs()})
	vc := newVendorClient(t, r, families[0])
	n := 0
	for from, steps := range setup {
		for _, a := range anywhere365.Actions {
			t.Run(from.String()+"/"+a.String(), func(t *testing.T) {
				n++
				id := fmt.Sprintf("rules-%d", n)
				mustCall(t, r.Server, "ucc-demo-name", id, true)
				for _, s := range steps {
					if rep := vc.setAction("ucc-demo-name", id, int(s)); rep.status != http.StatusOK {
						t.Fatalf("setup %v: %s", s, rep.body)
					}
				}
				rep := vc.setAction("ucc-demo-name", id, a.String())
				resp := decode[anywhere365.StateResponse](t, rep.body)
				exp, rule := want[from][a]
				switch {
				case !rule: // Save, Delete, Mark, UnMark: always allowed, recorder unchanged
					if resp.ErrorMessage != nil || resp.RecordingState != from {
						t.Fatalf("got %s, want success with %v", rep.body, from)
					}
					switch a {
					case anywhere365.ActionSave:
						eq(t, resp.SavingState, anywhere365.SavingSave)
					case anywhere365.ActionDelete:
						eq(t, resp.SavingState, anywhere365.SavingDelete)
					case anywhere365.ActionMark:
						eq(t, resp.MarkingState, anywhere365.MarkingMark)
					case anywhere365.ActionUnMark:
						eq(t, resp.MarkingState, anywhere365.MarkingUnmark)
					}
				case strings.HasPrefix(exp, "="):
					if resp.ErrorMessage != nil || "="+resp.RecordingState.String() != exp {
						t.Fatalf("got %s, want %s", rep.body, exp)
					}
				default:
					if resp.ErrorMessage == nil || resp.ErrorMessage.Message != exp || resp.ErrorMessage.ErrorType != anywhere365.ErrorValidation {
						t.Fatalf("got %s, want refusal %q", rep.body, exp)
					}
					if resp.RecordingState != from || rep.status != http.StatusConflict {
						t.Fatalf("refusal changed state or status: %d %s", rep.status, rep.body)
					}
				}
			})
		}
	}
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Mark and UnMark write call-detail records; other actions do not.
func TestCallDetailRecords(t *testing.T) {
	clk := newClock()
	r := start(t, Options{Now: clk.Now})
	vc := newVendorClient(t, r, families[1])
	mustCall(t, r.Server, "payments", seedID, true)
	for _, a := range []any{"Mark", 3, "unmark", 1, 6} {
		if rep := vc.setAction("payments", seedID, a); rep.status != 200 {
			t.Fatalf("%v: %s", a, rep.body)
		}
	}
	got := r.Server.CallDetail()
	want := []string{CDRMark, CDRUnMark, CDRMark}
	if len(got) != len(want) {
		t.Fatalf("got %d records: %+v", len(got), got)
	}
	for i, rec := range got {
		if rec.Type != want[i] || rec.CorrelationId != seedID || rec.UCCName != "payments" || rec.RequesterSipUri != DemoAgent || !rec.Time.Equal(clk.Now()) {
			t.Errorf("record %d: %+v", i, rec)
		}
	}
}

// The call lifecycle: answer starts the recorder (UseAudioRecording), end
// stops it and saves unless deleted (SaveRecordingByDefault), and the
// session leaves the vendor API.
func TestCallLifecycle(t *testing.T) {
	uccs := append(DefaultUCCs(), UCC{Name: "keepnothing", UseAudioRecording: true, AgentCanEditAudioRecording: true, Members: []string{DemoAgent}})
	r := start(t, Options{UCCs: uccs})
	vc := newVendorClient(t, r, families[0])

	a := mustCall(t, r.Server, "ucc-demo-name", "call-a", true)
	eq(t, a.RecordingState, anywhere365.RecordingStarted)
	eq(t, a.Api, true)
	b := mustCall(t, r.Server, "payments", "call-b", true)
	vc.setAction("payments", "call-b", "Pause")
	vc.setAction("payments", "call-b", "Delete")
	c := mustCall(t, r.Server, "keepnothing", "call-c", true)

	for _, id := range []string{a.CorrelationId, b.CorrelationId, c.CorrelationId} {
		if err := r.Server.EndCall(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Server.EndCall("call-a"); err == nil {
		t.Error("ending an ended call succeeded")
	}
	got := map[string]CallState{}
	for _, cs := range r.Server.Calls() {
		got[cs.CorrelationId] = cs
	}
	for id, want := range map[string]anywhere365.SavingState{"call-a": anywhere365.SavingSave, "call-b": anywhere365.SavingDelete, "call-c": anywhere365.SavingNone} {
		cs := got[id]
		if !cs.Ended || cs.EndedAt == nil || cs.RecordingState != anywhere365.RecordingStopped || cs.SavingState != want {
			t.Errorf("%s after end: %+v", id, cs)
		}
	}
	rep := vc.get("ucc-demo-name", "call-a")
	resp := decode[anywhere365.StateResponse](t, rep.body)
	if resp.ErrorMessage == nil || resp.ErrorMessage.Message != "No Audio session with correlation Id:'call-a' was found." {
		t.Errorf("ended session still served: %s", rep.body)
	}
	// A new call may reuse an ended call's id.
	mustCall(t, r.Server, "ucc-demo-name", "call-a", true)
	if _, err := r.Server.CreateCall("ucc-demo-name", "call-a", true); err == nil {
		t.Error("duplicate active id accepted")
	}
	if _, err := r.Server.CreateCall("nope", "", true); err == nil {
		t.Error("unknown UCC accepted")
	}
}

// ErrorsAs200 keeps the bodies and answers 200.
func TestErrorsAs200(t *testing.T) {
	r := start(t, Options{ErrorsAs200: true})
	vc := newVendorClient(t, r, families[0])
	rep := vc.get("ucc-demo-name", seedID)
	eq(t, rep.status, http.StatusOK)
	resp := decode[anywhere365.StateResponse](t, rep.body)
	if resp.ErrorMessage == nil || resp.ErrorMessage.ErrorType != anywhere365.ErrorValidation {
		t.Errorf("body lost: %s", rep.body)
	}
}

// Unknown routes and methods are refused, not served by a catch-all.
func TestUnknownRoutes(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/attendantservice/api/recording/set", 405},
		{"DELETE", "/attendantservice/api/recording/ucc-demo-name/" + seedID, 405},
		{"GET", "/attendantservice/api/v3/recording/ucc-demo-name/" + seedID, 404},
		{"GET", "/", 404},
	} {
		if rep := do(t, c, tc.method, r.URL+tc.path, "", nil); rep.status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rep.status, tc.status)
		}
	}
	// An oversized set body is refused with a clear message.
	big := `{"Action":1,"UCCName":"` + strings.Repeat("x", maxJSONBody) + `"}`
	rep := do(t, c, "POST", r.URL+"/attendantservice/api/recording/set", big, nil)
	eq(t, rep.status, http.StatusRequestEntityTooLarge)
	if resp := decode[anywhere365.StateResponse](t, rep.body); resp.ErrorMessage == nil || !strings.Contains(resp.ErrorMessage.Message, "larger than") {
		t.Errorf("got %s", rep.body)
	}
}
