package main

// Issue 13 point 4 for VoipNow and Noojee on the command line: a record
// start or stop that the simulator applied but whose answer was lost is
// exit 4, never retried, audited attempt -> unknown (-> confirmed with the
// state re-read, for VoipNow); connection refused stays exit 3.

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/recdeck/recdeck/client/httpsafe"
	noojeesim "github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/client/voipnow"
	voipnowsim "github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/ui/audit"
)

// vendorLossy is a loopback server in front of a simulator: a matching
// request is applied by the simulator, then its answer is lost as mode
// says; everything else is served as it is.
type vendorLossy struct {
	next  http.Handler
	match func(*http.Request) bool
	done  chan struct{}
	hits  atomic.Int32 // matching requests received
	mu    sync.Mutex
	mode  string // "", "stall", "stallbody", "hangup", "garbage", "cut" (body cut, connection closed), "short" (JSON cut, length matching), "504"
	cutAt int
	last  int // the trimmed length of the last real answer
}

func newVendorLossy(t *testing.T, next http.Handler, match func(*http.Request) bool) (*vendorLossy, string) {
	t.Helper()
	l := &vendorLossy{next: next, match: match, done: make(chan struct{})}
	srv := httptest.NewServer(l)
	t.Cleanup(func() {
		close(l.done)
		srv.CloseClientConnections()
		srv.Close()
	})
	return l, srv.URL
}

func (l *vendorLossy) set(mode string, cutAt int) {
	l.mu.Lock()
	l.mode, l.cutAt = mode, cutAt
	l.mu.Unlock()
}

func (l *vendorLossy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !l.match(r) {
		l.next.ServeHTTP(w, r)
		return
	}
	l.hits.Add(1)
	rec := httptest.NewRecorder()
	l.next.ServeHTTP(rec, r) // applied here
	body := bytes.TrimSpace(rec.Body.Bytes())
	l.mu.Lock()
	// The cut lengths come from another answer; one may be shorter (a
	// stop's): it is still cut, one byte short.
	mode, cutAt := l.mode, min(l.cutAt, max(len(body)-1, 0))
	l.last = len(body)
	l.mu.Unlock()
	switch mode {
	case "stall":
		select {
		case <-r.Context().Done():
		case <-l.done:
		}
	case "stallbody": // a 200 whose body stops half way
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-l.done:
		}
	case "hangup":
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	case "garbage":
		w.Write([]byte("<html>\x1b]0;pwned\x07 proxy error</html>"))
	case "cut": // the whole length declared, the connection closed early
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:cutAt])
	case "short": // a complete HTTP answer holding cut JSON
		w.Header().Set("Content-Length", strconv.Itoa(cutAt))
		w.Write(body[:cutAt])
	case "504":
		w.WriteHeader(http.StatusGatewayTimeout)
		w.Write([]byte("gateway timeout"))
	default:
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}

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
	l, url := newVendorLossy(t, s.Handler(), func(r *http.Request) bool { return r.Method == http.MethodPut })
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
	l.mu.Lock()
	full := l.last
	l.mu.Unlock()
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
		l.set(c[0], cut)
		hits := l.hits.Load()
		code, out, errs := vendorRun(t, append(base, "record", verb, "--call", id, "--view", "01")...)
		l.set("", 0)
		if code != exitUnknown {
			t.Fatalf("%s: exit %d, want 4\n%s\n%s", name, code, out, errs)
		}
		if n := l.hits.Load() - hits; n != 1 {
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
	l.set("hangup", 0)
	code, out, errs := vendorRun(t, append(base, "--json", "record", "start", "--call", id, "--view", "01")...)
	l.set("", 0)
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
	l, url := newVendorLossy(t, s.Handler(), func(r *http.Request) bool {
		return strings.Contains(r.URL.Path, "CallManagementAPI/start") || strings.Contains(r.URL.Path, "CallManagementAPI/stop")
	})
	run := func(auth, op, target string, extra ...string) (int, string, string) {
		args := append([]string{"noojee", "--base-url", url, "--auth", auth, "--timeout", "2s"}, extra...)
		return vendorRun(t, append(args, op, target)...)
	}
	if code, out, errs := run("apikey", "start", "499"); code != exitOK {
		t.Fatalf("plain start: %d %s %s", code, out, errs)
	}
	l.mu.Lock()
	full := l.last
	l.mu.Unlock()

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
		l.set(c[0], cut)
		hits := l.hits.Load()
		code, out, errs := run(auth, op, target)
		l.set("", 0)
		if code != exitUnknown {
			t.Fatalf("%s: exit %d, want 4\n%s\n%s", name, code, out, errs)
		}
		if n := l.hits.Load() - hits; n != 1 {
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

	l.set("hangup", 0)
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
