package sim

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// checkControlUnaffected asserts that /sim/ and the token endpoint answer
// normally whatever the faults.
func checkControlUnaffected(t *testing.T, r *Running, c *http.Client) {
	t.Helper()
	if rep := do(t, c, "GET", r.URL+"/sim/calls", "", nil); rep.status != 200 {
		t.Errorf("/sim/calls under faults: %d", rep.status)
	}
	if rep := postForm(t, c, r.TokenURL, demoForm("password")); rep.status != 200 {
		t.Errorf("token under faults: %d", rep.status)
	}
}

func TestFaultHTTPError(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	mustCall(t, r.Server, "payments", seedID, true)
	r.Server.SetFaults(Faults{HTTPErrorRate: 1})
	rep := do(t, c, "POST", r.URL+"/attendantservice/api/recording/set", `{"Action":"Pause","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"`+seedID+`","UCCName":"payments"}`, nil)
	if rep.status != 500 || !strings.HasPrefix(rep.header.Get("Content-Type"), "text/plain") || json.Valid(rep.body) {
		t.Errorf("got %d %q %s", rep.status, rep.header.Get("Content-Type"), rep.body)
	}
	calls := r.Server.Calls()
	eq(t, calls[0].RecordingState, anywhere365.RecordingStarted) // nothing was done
	checkControlUnaffected(t, r, c)
}

func TestFaultLatency(t *testing.T) {
	r := start(t, Options{})
	r.Server.SetFaults(Faults{LatencyMs: 2000})
	c := httpc(t)
	fast := &http.Client{Transport: c.Transport, Timeout: 200 * time.Millisecond}
	_, err := fast.Get(r.URL + "/attendantservice/api/recording/capabilities/payments")
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("want a client timeout under 2 s latency, got %v", err)
	}
	checkControlUnaffected(t, r, fast) // control routes stay fast
	r.Server.SetFaults(Faults{})
	resp, err := fast.Get(r.URL + "/attendantservice/api/recording/capabilities/payments")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// Latency ends early when the simulator closes, so Close is never held up.
func TestFaultLatencyEndsOnClose(t *testing.T) {
	r, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Server.SetFaults(Faults{LatencyMs: 60000})
	c := httpc(t)
	done := make(chan error, 1)
	go func() {
		resp, err := c.Get(r.URL + "/attendantservice/api/recording/capabilities/payments")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the request reach the handler (either way the result is checked)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("request still hanging after Close")
	}
}

func TestFaultMalformedAndTruncated(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	mustCall(t, r.Server, "payments", seedID, true)
	set := func() reply {
		return do(t, c, "POST", r.URL+"/attendantservice/api/recording/set", `{"Action":"Pause","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"`+seedID+`","UCCName":"payments"}`, nil)
	}

	r.Server.SetFaults(Faults{MalformedRate: 1})
	rep := set()
	if rep.status != 200 || json.Valid(rep.body) || !strings.HasPrefix(string(rep.body), "{") {
		t.Errorf("malformed: %d %s", rep.status, rep.body)
	}
	eq(t, r.Server.Calls()[0].RecordingState, anywhere365.RecordingPaused) // the command was carried out

	r.Server.SetFaults(Faults{TruncatedRate: 1})
	rep = do(t, c, "GET", r.URL+"/attendantservice/api/recording/payments/"+seedID, "", nil)
	var resp anywhere365.StateResponse
	err := json.Unmarshal(rep.body, &resp)
	if rep.status != 200 || err == nil || !strings.Contains(err.Error(), "unexpected end of JSON input") {
		t.Errorf("truncated: %d %v %s", rep.status, err, rep.body)
	}
	eq(t, rep.header.Get("Content-Length"), strconv.Itoa(len(rep.body)))
	r.Server.SetFaults(Faults{})
	full := do(t, c, "GET", r.URL+"/attendantservice/api/recording/payments/"+seedID, "", nil)
	if !strings.HasPrefix(string(full.body), string(rep.body)) || len(rep.body) != len(full.body)/2 {
		t.Errorf("truncated body is not the first half:\n%s\n%s", rep.body, full.body)
	}
	checkControlUnaffected(t, r, c)
}

func TestFaultProcessingAndRecorder(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	r.Server.SetFaults(Faults{ProcessingErrorRate: 1, RecorderUnavailable: true})
	// Capabilities know no recorder, but Processing errors reach them too.
	rep := do(t, c, "GET", r.URL+"/attendantservice/api/recording/capabilities/payments", "", nil)
	eq(t, rep.status, 500)
	caps := decode[anywhere365.CapabilitiesResponse](t, rep.body)
	if caps.ErrorMessage == nil || caps.ErrorMessage.ErrorType != anywhere365.ErrorProcessing {
		t.Errorf("caps: %s", rep.body)
	}
	checkControlUnaffected(t, r, c)
}

// Rates are drawn from the seed: the same seed fails the same requests.
func TestFaultRatesDeterministic(t *testing.T) {
	pattern := func() string {
		r := start(t, Options{Seed: 9})
		c := httpc(t)
		r.Server.SetFaults(Faults{HTTPErrorRate: 0.5})
		var b strings.Builder
		for range 40 {
			rep := do(t, c, "GET", r.URL+"/attendantservice/api/recording/capabilities/payments", "", nil)
			b.WriteString(strconv.Itoa(rep.status / 100))
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	eq(t, a, b)
	if n := strings.Count(a, "5"); n < 5 || n > 35 {
		t.Errorf("%d of 40 failed at rate 0.5: %s", n, a)
	}
}
