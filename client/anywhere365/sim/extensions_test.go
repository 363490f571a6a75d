package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// Tests of the simulator features added for issue 4: the oversized-body
// fault and configurable credentials.

// The oversized fault streams a valid JSON body of OversizedBytes (the
// command is carried out), and a client that stops reading early does not
// hold the handler up.
func TestFaultOversized(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	mustCall(t, r.Server, "payments", seedID, true)
	r.Server.SetFaults(Faults{OversizedRate: 1})

	body := `{"Action":"Pause","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"payments"}`
	resp, err := c.Post(r.URL+"/attendantservice/api/recording/set", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	full, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, resp.StatusCode, 200)
	eq(t, resp.Header.Get("Content-Length"), strconv.Itoa(OversizedBytes))
	eq(t, len(full), OversizedBytes)
	var st anywhere365.StateResponse
	if err := json.Unmarshal(full, &st); err != nil || st.RecordingState != anywhere365.RecordingPaused {
		t.Fatalf("padded body is not the valid reply: %v %+v", err, st)
	}
	eq(t, r.Server.Calls()[0].RecordingState, anywhere365.RecordingPaused) // carried out

	// A bounded reader: read 1 KiB, then hang up. The next request is served
	// at once (the handler gave up writing to the closed connection).
	resp, err = c.Get(r.URL + "/attendantservice/api/recording/payments/" + seedID)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !bytes.HasPrefix(head, []byte(`{"CorrelationId":"`+seedID)) {
		t.Fatalf("head %q", head[:80])
	}
	r.Server.SetFaults(Faults{})
	fast := &http.Client{Transport: c.Transport, Timeout: 5 * time.Second}
	rep := do(t, fast, "GET", r.URL+"/attendantservice/api/recording/payments/"+seedID, "", nil)
	if rep.status != 200 || len(rep.body) > 1024 {
		t.Fatalf("after the fault: %d, %d bytes", rep.status, len(rep.body))
	}
	checkControlUnaffected(t, r, c)
}

func TestFaultOversizedValidated(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	rep := do(t, c, "POST", r.URL+"/sim/faults", `{"oversizedRate":2}`, nil)
	if rep.status != 400 || !strings.Contains(string(rep.body), "oversizedRate must be between 0 and 1, got 2") {
		t.Fatalf("%d %s", rep.status, rep.body)
	}
	rep = do(t, c, "POST", r.URL+"/sim/faults", `{"oversizedRate":0.25}`, nil)
	if rep.status != 200 || !strings.Contains(string(rep.body), `"oversizedRate":0.25`) {
		t.Fatalf("%d %s", rep.status, rep.body)
	}
}

// Options.Username, Password and ClientSecret replace the demo credentials.
func TestCustomCredentials(t *testing.T) {
	r := start(t, Options{Username: "ops-user", Password: "S3CR3T-pw-sim", ClientSecret: "S3CR3T-cs-sim"})
	c := httpc(t)
	form := func(user, pass, secret string) url.Values {
		return url.Values{"client_id": {DemoClientID}, "client_secret": {secret}, "username": {user}, "password": {pass}, "grant_type": {"password"}}
	}
	if rep := postForm(t, c, r.TokenURL, form("ops-user", "S3CR3T-pw-sim", "S3CR3T-cs-sim")); rep.status != 200 {
		t.Fatalf("custom credentials refused: %d %s", rep.status, rep.body)
	}
	if rep := postForm(t, c, r.TokenURL, form(DemoUsername, DemoPassword, "S3CR3T-cs-sim")); rep.status != 401 || !strings.Contains(string(rep.body), "invalid_grant") {
		t.Fatalf("demo user accepted: %d %s", rep.status, rep.body)
	}
	if rep := postForm(t, c, r.TokenURL, form("ops-user", "S3CR3T-pw-sim", DemoClientSecret)); rep.status != 401 || !strings.Contains(string(rep.body), "invalid_client") {
		t.Fatalf("demo secret accepted: %d %s", rep.status, rep.body)
	}
}
