package anywhere365

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEnumNamesAndNumbers(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{RecordingUninitialized.String(), "Uninitialized"},
		{RecordingStarted.String(), "Started"},
		{RecordingStopped.String(), "Stopped"},
		{RecordingPaused.String(), "Paused"},
		{MarkingNone.String(), "None"},
		{MarkingMark.String(), "Mark"},
		{MarkingUnmark.String(), "Unmark"},
		{SavingNone.String(), "None"},
		{SavingSave.String(), "Save"},
		{SavingDelete.String(), "Delete"},
		{ActionStart.String(), "Start"},
		{ActionStop.String(), "Stop"},
		{ActionPause.String(), "Pause"},
		{ActionSave.String(), "Save"},
		{ActionDelete.String(), "Delete"},
		{ActionMark.String(), "Mark"},
		{ActionUnMark.String(), "UnMark"},
		{ErrorConfiguration.String(), "Configuration"},
		{ErrorValidation.String(), "Validation"},
		{ErrorProcessing.String(), "Processing"},
		{RecordingState(9).String(), "9"}, // unknown values stay readable
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// The documents' numbers.
	if ActionStart != 1 || ActionUnMark != 7 || RecordingPaused != 3 || SavingDelete != 2 || ErrorProcessing != 3 {
		t.Fatal("enum numbers drifted from the documents")
	}
}

func TestParseAction(t *testing.T) {
	for _, a := range Actions {
		for _, in := range []string{a.String(), strings.ToLower(a.String()), strings.ToUpper(a.String()), " " + a.String() + " "} {
			got, err := ParseAction(in)
			if err != nil || got != a {
				t.Errorf("ParseAction(%q) = %v, %v; want %v", in, got, err, a)
			}
		}
		got, err := ParseAction(strings.TrimSpace(string(rune('0' + int(a)))))
		if err != nil || got != a {
			t.Errorf("ParseAction(%d) = %v, %v", int(a), got, err)
		}
	}
	for _, bad := range []string{"", "resume", "0", "8", "-1", strings.Repeat("x", 10000)} {
		_, err := ParseAction(bad)
		if err == nil {
			t.Errorf("ParseAction(%q) accepted", bad)
			continue
		}
		if len(err.Error()) > 200 {
			t.Errorf("error for a huge input is not bounded: %d bytes", len(err.Error()))
		}
		if !strings.Contains(err.Error(), "Start=1") {
			t.Errorf("error %q does not list the choices", err)
		}
	}
}

func TestSeedStateResponseDecodes(t *testing.T) {
	// Seed 000, "Response (session not found)".
	body := `{
   "CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
   "RecordingState":0,
   "MarkingState":0,
   "SavingState":0,
   "ErrorMessage":{
      "ErrorType":2,
      "Message":"No Audio session with correlation Id:'1d6c6a58-6739-4f0c-98ff-0968292c8c30' was found."
   },
   "UCCName":"ucc-demo-name"
}`
	var r StateResponse
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.ErrorMessage == nil || r.ErrorMessage.ErrorType != ErrorValidation ||
		r.ErrorMessage.Message != "No Audio session with correlation Id:'1d6c6a58-6739-4f0c-98ff-0968292c8c30' was found." ||
		r.UCCName != "ucc-demo-name" || r.CorrelationId != "1d6c6a58-6739-4f0c-98ff-0968292c8c30" {
		t.Fatalf("decoded %+v", r)
	}
	// A server that spells states by name is understood too.
	if err := json.Unmarshal([]byte(`{"RecordingState":"Paused","MarkingState":"mark","SavingState":"Delete"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.RecordingState != RecordingPaused || r.MarkingState != MarkingMark || r.SavingState != SavingDelete {
		t.Fatalf("by-name states decoded as %+v", r)
	}
}

func TestSetRequestWireForms(t *testing.T) {
	byID, _ := json.Marshal(SetRequest{Action: ActionStart, RequesterSipUri: "sip:agent@domain.com",
		CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", UCCName: "ucc-demo-name"})
	want := `{"Action":1,"RequesterSipUri":"sip:agent@domain.com","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","UCCName":"ucc-demo-name"}`
	if string(byID) != want {
		t.Errorf("by id:\n got %s\nwant %s", byID, want)
	}
	byName, _ := json.Marshal(SetRequestByName{Action: ActionMark.String(), RequesterSipUri: "sip:agent@domain.com",
		CorrelationId: "1d6c6a58-6739-4f0c-98ff-0968292c8c30", UCCName: "ucc-demo-name"})
	if !strings.Contains(string(byName), `"Action":"Mark"`) {
		t.Errorf("by name: %s", byName)
	}
	// Both forms decode into the same Action.
	var a, b SetRequest
	if err := json.Unmarshal(byID, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(byName, &b); err != nil {
		t.Fatal(err)
	}
	if a.Action != ActionStart || b.Action != ActionMark {
		t.Errorf("decoded %v and %v", a.Action, b.Action)
	}
}

func TestEventDecodes(t *testing.T) {
	var ev RecordingStateChangedEvent
	if err := json.Unmarshal([]byte(`{"UccName":"payments","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","StateAction":3}`), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.StateAction != ActionPause || ev.UccName != "payments" {
		t.Fatalf("decoded %+v", ev)
	}
}

// FuzzStateResponse feeds arbitrary bytes to the response decoders: they
// must return an error or a value, never panic.
func FuzzStateResponse(f *testing.F) {
	f.Add([]byte(`{"CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","RecordingState":0,"MarkingState":1,"SavingState":1,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`))
	f.Add([]byte(`{"AgentCanEditRecordings":false,"ErrorMessage":{"ErrorType":2,"Message":"Ucc with name:'ucc-demo-name' not found."},"UCCName":"ucc-demo-name"}`))
	f.Add([]byte(`{"UccName":"u","CorrelationId":"c","StateAction":"Pause"}`))
	f.Add([]byte(`{"RecordingState":"Paused","ErrorMessage":{"ErrorType":"Processing"}}`))
	f.Add([]byte(`{"RecordingState":1e400}`))
	f.Add([]byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s StateResponse
		_ = json.Unmarshal(data, &s)
		var c CapabilitiesResponse
		_ = json.Unmarshal(data, &c)
		var e RecordingStateChangedEvent
		if json.Unmarshal(data, &e) == nil {
			_ = e.StateAction.String()
		}
		_ = s.RecordingState.String() + s.MarkingState.String() + s.SavingState.String()
	})
}
