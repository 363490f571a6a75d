package main

// Issue 13 point 4 for VoipNow and Noojee on the command line: a record
// start or stop that the simulator applied but whose answer was lost is
// exit 4, never retried, audited attempt -> unknown (-> confirmed with the
// state re-read, for VoipNow); connection refused stays exit 3.

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/httpsafe"
	noojeesim "github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/client/voipnow"
	voipnowsim "github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/internal/losstest"
	"github.com/recdeck/recdeck/ui/audit"
)

// lossCases are the ways an answer is lost, with the cut lengths of an
// answer of n bytes: every length up to every, then spaced (a long answer
// would take minutes under -race), and the last.
func lossCases(n, every int) [][2]string {
	cases := [][2]string{{"stall", ""}, {"stallbody", ""}, {"hangup", ""}, {"garbage", ""}, {"504", ""}}
	for i := 0; i < n; i++ {
		if i > every && i < n-1 && i%(1+i/every) != 0 {
			continue
		}
		cases = append(cases, [2]string{"cut", strconv.Itoa(i)})
		if i > 0 {
			cases = append(cases, [2]string{"short", strconv.Itoa(i)})
		}
	}
	return cases
}

// auditTail returns the records of the last action in the log (those with
// the last attempt's ID).
func auditTail(t *testing.T) []audit.Record {
	t.Helper()
	recs := auditRecords(t, os.Getenv(audit.EnvPath))
	var id string
	for _, r := range recs {
		if r.Phase == audit.PhaseAttempt {
			id = r.ID
		}
	}
	var out []audit.Record
	for _, r := range recs {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}

func TestVoipnowRecordUnknownOutcomeExits4AndReReads(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	s := voipnowsim.New(voipnowsim.Options{LiveCalls: -1})
	l, url := losstest.Serve(t, s.Handler(), func(r *http.Request) bool { return r.Method == http.MethodPut })
	base := []string{"voipnow", "--base-url", url, "--client-id", "demo", "--timeout", "2s"}
	recording := func(id string) bool {
		c, err := voipnowClientFor(url).GetCall(t.Context(), "", "", id)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := c.View("01")
		return v.IsRecording()
	}

	// The real answer's length, to cut it at every length.
	probe := s.AddCall(voipnowsim.ExtSales, voipnow.FlowIncoming, "", 0, 0)
	if code, out, errs := vendorRun(t, append(base, "record", "start", "--call", probe, "--view", "01")...); code != exitOK {
		t.Fatalf("plain start: %d %s %s", code, out, errs)
	}
	full := l.Last()
	if full < 20 {
		t.Fatalf("answer of %d bytes", full)
	}

	for i, c := range lossCases(full, 16) {
		start := i%2 == 0
		name := c[0] + "-" + c[1] + map[bool]string{true: "-start", false: "-stop"}[start]
		id := s.AddCall(voipnowsim.ExtSales, voipnow.FlowIncoming, "", 0, 0)
		verb := "start"
		if !start {
			verb = "stop"
			if code, out, errs := vendorRun(t, append(base, "record", "start", "--call", id, "--view", "01")...); code != exitOK {
				t.Fatalf("%s: start before stop: %d %s %s", name, code, out, errs)
			}
		}
		cut, _ := strconv.Atoi(c[1])
		l.Set(c[0], cut, nil)
		hits := l.Hits()
		code, out, errs := vendorRun(t, append(base, "record", verb, "--call", id, "--view", "01")...)
		l.Set("", 0, nil)
		if code != exitUnknown {
			t.Fatalf("%s: exit %d, want 4\n%s\n%s", name, code, out, errs)
		}
		if n := l.Hits() - hits; n != 1 {
			t.Fatalf("%s: %d PUTs sent, want 1 (never retried)", name, n)
		}
		if recording(id) != start {
			t.Fatalf("%s: the simulator did not apply it", name)
		}
		state := map[bool]string{true: "recording", false: "not recording"}[start]
		if !strings.Contains(out, "re-read: now "+state) || !strings.Contains(errs, httpsafe.UnknownOutcomeText) ||
			strings.Contains(errs, "\x1b") || strings.Contains(out, "\x1b") || strings.Contains(errs, "failed") {
			t.Fatalf("%s: stdout %q stderr %q", name, out, errs)
		}
		recs := auditTail(t)
		if len(recs) != 3 || recs[0].Phase != audit.PhaseAttempt || recs[1].Outcome != audit.OutcomeUnknown ||
			!strings.Contains(recs[1].ErrorMessage, httpsafe.UnknownOutcomeText) ||
			recs[2].Outcome != audit.OutcomeConfirmed || recs[2].State != state || recs[2].Applied == nil || !*recs[2].Applied ||
			recs[0].Vendor != "voipnow" || recs[0].Target != id+"/01" {
			t.Fatalf("%s: audit %+v", name, recs)
		}
	}

	// --json: one error object of kind unknown.
	id := s.AddCall(voipnowsim.ExtSales, voipnow.FlowIncoming, "", 0, 0)
	l.Set("hangup", 0, nil)
	code, out, errs := vendorRun(t, append(base, "--json", "record", "start", "--call", id, "--view", "01")...)
	l.Set("", 0, nil)
	if je := jsonErrorOf(t, out); code != exitUnknown || je.Kind != "unknown" || je.ExitStatus != exitUnknown ||
		!strings.Contains(je.Message, "re-read: now recording") {
		t.Fatalf("json: %d %+v %s", code, je, errs)
	}
}

// voipnowClientFor is a client of the simulator for the test's own reads.
func voipnowClientFor(url string) *voipnow.Client {
	c, err := voipnow.New(voipnow.Config{BaseURL: url, ClientID: voipnowsim.DemoClientID, ClientSecret: voipnowsim.DemoClientSecret})
	if err != nil {
		panic(err)
	}
	return c
}

func TestNoojeeStartStopUnknownOutcomeExits4(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	s := noojeesim.New(noojeesim.Config{Seed: 5})
	l, url := losstest.Serve(t, s.Handler(), func(r *http.Request) bool {
		return strings.Contains(r.URL.Path, "CallManagementAPI/start") || strings.Contains(r.URL.Path, "CallManagementAPI/stop")
	})
	run := func(auth, op, target string, extra ...string) (int, string, string) {
		args := append([]string{"noojee", "--base-url", url, "--auth", auth, "--timeout", "2s"}, extra...)
		return vendorRun(t, append(args, op, target)...)
	}
	if code, out, errs := run("apikey", "start", "499"); code != exitOK {
		t.Fatalf("plain start: %d %s %s", code, out, errs)
	}
	full := l.Last()

	for i, c := range lossCases(full, 64) {
		start := i%2 == 0
		auth := []string{"apikey", "hash"}[i/2%2]
		target := strconv.Itoa(500 + i)
		op := "start"
		if !start {
			op = "stop"
			if code, out, errs := run(auth, "start", target); code != exitOK {
				t.Fatalf("start before stop: %d %s %s", code, out, errs)
			}
		}
		name := c[0] + "-" + c[1] + "-" + op + "-" + auth
		cut, _ := strconv.Atoi(c[1])
		l.Set(c[0], cut, nil)
		hits := l.Hits()
		code, out, errs := run(auth, op, target)
		l.Set("", 0, nil)
		if code != exitUnknown {
			t.Fatalf("%s: exit %d, want 4\n%s\n%s", name, code, out, errs)
		}
		if n := l.Hits() - hits; n != 1 {
			t.Fatalf("%s: %d requests sent, want 1 (never retried)", name, n)
		}
		if s.Recording(target) != start {
			t.Fatalf("%s: the simulator did not apply it", name)
		}
		if !strings.Contains(out, "unknown; Noojee offers no way to read it back") || !strings.Contains(errs, httpsafe.UnknownOutcomeText) ||
			strings.Contains(errs, "\x1b") || strings.Contains(errs, "demo") {
			t.Fatalf("%s: stdout %q stderr %q", name, out, errs)
		}
		recs := auditTail(t)
		if len(recs) != 2 || recs[0].Phase != audit.PhaseAttempt || recs[1].Outcome != audit.OutcomeUnknown ||
			!strings.Contains(recs[1].ErrorMessage, httpsafe.UnknownOutcomeText) || recs[0].Vendor != "noojee" || recs[0].Target != target {
			t.Fatalf("%s: audit %+v", name, recs)
		}
	}

	l.Set("hangup", 0, nil)
	code, out, _ := run("hash", "start", "777", "--json")
	if je := jsonErrorOf(t, out); code != exitUnknown || je.Kind != "unknown" {
		t.Fatalf("json: %d %+v", code, je)
	}
}

// TestVendorRecordRefusedIsExit3: a request that never left is a plain
// network failure (exit 3, audited failed), not an unknown outcome.
func TestVendorRecordRefusedIsExit3(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	t.Setenv(noojeeKeyEnv, "demo")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	for _, args := range [][]string{
		{"noojee", "--base-url", dead, "start", "410"},
		{"noojee", "--base-url", dead, "--auth", "hash", "stop", "410"},
	} {
		code, out, errs := vendorRun(t, args...)
		if code != exitNetwork || strings.Contains(errs, httpsafe.UnknownOutcomeText) || strings.Contains(out, "unknown") {
			t.Fatalf("%v: exit %d %q %q", args, code, out, errs)
		}
		if recs := auditTail(t); len(recs) != 2 || recs[1].Outcome != audit.OutcomeFailed {
			t.Fatalf("%v: audit %+v", args, recs)
		}
	}

	// VoipNow: the token comes from a live PBX (voipnow.token_url), the
	// PUT goes to a dead port: refused once the token was issued.
	s := voipnowsim.New(voipnowsim.Options{LiveCalls: -1})
	live := serveLoopback(t, s.Handler())
	vendorIsolate(t, "profiles:\n  default:\n    voipnow:\n      base_url: "+dead+"\n      token_url: "+live+voipnow.DefaultTokenPath+
		"\n      client_id: demo\n      client_secret: demo\n")
	code, out, errs := vendorRun(t, "voipnow", "record", "start", "--call", voipnowsim.SeedCallID, "--view", voipnowsim.SeedViewID)
	if code != exitNetwork || strings.Contains(errs, httpsafe.UnknownOutcomeText) || !strings.Contains(errs, "refused") {
		t.Fatalf("voipnow refused: exit %d %q %q", code, out, errs)
	}
	if s.Stats().APIRequests != 0 {
		t.Fatal("the live PBX got an API request")
	}
	if recs := auditTail(t); len(recs) != 2 || recs[1].Outcome != audit.OutcomeFailed || recs[0].Vendor != "voipnow" {
		t.Fatalf("voipnow audit %+v", recs)
	}
}
