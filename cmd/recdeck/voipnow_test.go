package main

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/voipnow"
	voipnowsim "github.com/recdeck/recdeck/client/voipnow/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// The voipnow subcommand runs in-process against the VoipNow simulator,
// mounted on a mux the way `recdeck sim` mounts it, on 127.0.0.1.

// voipnowServe serves a simulator with no generated calls and returns it
// with its URL.
func voipnowServe(t *testing.T) (*voipnowsim.Server, string) {
	t.Helper()
	s := voipnowsim.New(voipnowsim.Options{LiveCalls: -1})
	return s, serveLoopback(t, s.Handler())
}

func TestVoipnowCallsAndRecord(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	s, url := voipnowServe(t)
	id := s.AddCall(voipnowsim.ExtSales, voipnow.FlowOutgoing, "0722000333", 0, 0)
	base := []string{"voipnow", "--base-url", url, "--client-id", "demo"}

	code, out, errOut := vendorRun(t, append(base, "calls")...)
	if code != exitOK || !strings.Contains(out, voipnowsim.SeedCallID) || !strings.Contains(out, id) ||
		!strings.Contains(out, "on call") || !strings.Contains(out, "outgoing") || !strings.Contains(out, "John Doe <3333>") {
		t.Fatalf("calls: %d\n%s\n%s", code, out, errOut)
	}

	// Paging: one call a page, with a hint for the next.
	code, out, _ = vendorRun(t, append(base, "calls", "--count", "1")...)
	if code != exitOK || !strings.Contains(out, "Calls 1-1 of 2") || strings.Contains(out, id) {
		t.Fatalf("page: %d\n%s", code, out)
	}

	code, out, errOut = vendorRun(t, append(base, "record", "start", "--call", id, "--view", "01", "--format", "wav49")...)
	if code != exitOK || !strings.Contains(out, "Recording started: call "+id+" view 01 on "+voipnowsim.ExtSales+" (wav49), since ") {
		t.Fatalf("start: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = vendorRun(t, append(base, "--json", "calls", "--filter-by", "id", "--filter-value", id)...)
	var l voipnow.PhoneCallList
	if code != exitOK || json.Unmarshal([]byte(out), &l) != nil || len(l.Calls) != 1 || !l.Calls[0].Views[0].IsRecording() {
		t.Fatalf("json: %d\n%s", code, out)
	}
	code, out, _ = vendorRun(t, append(base, "record", "stop", "--call", id, "--view", "01")...)
	if code != exitOK || !strings.Contains(out, "Recording stopped: call "+id) {
		t.Fatalf("stop: %d\n%s", code, out)
	}
	// Stopping again changes nothing: said, exit 1, no StopRecording sent.
	code, out, errOut = vendorRun(t, append(base, "--json", "record", "stop", "--call", id, "--view", "01")...)
	if je := jsonErrorOf(t, out); code != exitAPI || je.Kind != "api" || !strings.Contains(errOut, "not being recorded: nothing to stop") {
		t.Fatalf("stop again: %d %+v\n%s", code, je, errOut)
	}
}

// TestVoipnowProfile: settings from the voipnow section, the secret from
// the profile, the user and extension too.
func TestVoipnowProfile(t *testing.T) {
	s, url := voipnowServe(t)
	s.AddCall(voipnowsim.ExtSupport, voipnow.FlowIncoming, "", 0, 0)
	vendorIsolate(t, "profiles:\n  default:\n    base_url: http://127.0.0.1:1\n    voipnow:\n      base_url: "+url+
		"\n      client_id: demo\n      client_secret: demo\n      user_id: \"13\"\n      extension: \"0003*213\"\n      poll_interval: 3s\n")
	code, out, errOut := vendorRun(t, "voipnow", "calls")
	if code != exitOK || !strings.Contains(out, voipnowsim.ExtSupport) || strings.Contains(out, voipnowsim.SeedCallID) {
		t.Fatalf("%d\n%s\n%s", code, out, errOut)
	}
}

func TestVoipnowExitStatuses(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	s, url := voipnowServe(t)
	legal := s.AddCall(voipnowsim.ExtNoRecording, voipnow.FlowIncoming, "", 0, 0)
	base := []string{"voipnow", "--base-url", url, "--client-id", "demo"}
	before := s.Stats().APIRequests

	usage := [][]string{
		{"voipnow", "calls"}, // no server
		append(base, "record", "start", "--call", "x1", "--view", "01", "--format", "mp3"),
		append(base, "record", "start", "--view", "01"),
		append(base, "record", "stop", "--call", "x1"),
		append(base, "calls", "--count", "9000"),
		append(base, "calls", "--filter-by", "caller", "--filter-value", "x"),
		append(base, "--extension", "abc", "calls"),
		{"voipnow", "--base-url", url, "calls"}, // no client id
	}
	for _, args := range usage {
		if code, _, errOut := vendorRun(t, args...); code != exitUsage || !strings.HasPrefix(errOut, "recdeck: ") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if s.Stats().APIRequests != before {
		t.Error("a refused command sent a request")
	}

	code, _, errOut := vendorRun(t, append(base, "record", "start", "--call", legal, "--view", "01")...)
	if code != exitAPI || !strings.Contains(errOut, "pc_recording_disabled") || !strings.Contains(errOut, "switched off") {
		t.Errorf("recording disabled: %d %q", code, errOut)
	}
	code, _, errOut = vendorRun(t, append(base, "record", "stop", "--call", "deadbeef00", "--view", "01")...)
	if code != exitAPI || !strings.Contains(errOut, "pc_phonecall_invalid") {
		t.Errorf("unknown call: %d %q", code, errOut)
	}

	t.Setenv(voipnowSecretEnv, "wrong-secret-value")
	code, _, errOut = vendorRun(t, append(base, "calls")...)
	if code != exitNetwork || !strings.Contains(errOut, "invalid_client") || strings.Contains(errOut, "wrong-secret-value") {
		t.Errorf("bad secret: %d %q", code, errOut)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	code, _, errOut = vendorRun(t, "voipnow", "--base-url", dead, "--client-id", "demo", "calls")
	if code != exitNetwork {
		t.Errorf("unreachable: %d %q", code, errOut)
	}
}

// TestVoipnowSimMountAndPane: the mount serves the seed's call beside
// other routes, and the demo pane built from it lists the calls.
func TestVoipnowSimMountAndPane(t *testing.T) {
	srv, banner := serveMount(t, mountVoipnowSim, 3)
	if len(banner) == 0 || !strings.Contains(strings.Join(banner, "\n"), srv.URL+"/oauth/token.php") {
		t.Fatalf("banner %q", banner)
	}

	vendorIsolate(t, "")
	// Not configured: the tab stays and says what to configure (it sends
	// nothing); the Anywhere365 base URL is never used for it.
	if p := newVoipnowPane(vendorEnv{BaseURL: srv.URL, HTTPClient: srv.Client()}); p == nil || p.Init() != nil {
		t.Error("no pane, or one that sends, without settings outside the demo")
	} else if p.SetSize(160, 6); !strings.Contains(p.View(), "not configured") || !strings.Contains(p.View(), "voipnow.base_url") {
		t.Errorf("the unconfigured tab does not say what to set:\n%s", p.View())
	}
	p := newVoipnowPane(vendorEnv{BaseURL: srv.URL, Demo: true, HTTPClient: srv.Client()})
	if p == nil {
		t.Fatal("no demo pane")
	}
	p.SetStyles(&ui.Styles{})
	p.SetSize(120, 10)
	cmd := p.Init()
	if cmd == nil {
		t.Fatal("Init fetches nothing")
	}
	msg := cmd() // one list request against the mounted simulator
	p, next := p.Update(msg)
	if view := p.View(); !strings.Contains(view, "John Doe <3333>") || !strings.Contains(view, "on call") {
		t.Fatalf("demo pane:\n%s", view)
	}
	if next == nil {
		t.Error("polling was not re-armed")
	}
	var _ tea.Cmd = next // the poll tick: not run (it waits the poll interval)
}

// TestVoipnowProfileFormat: record start takes voipnow.format from the
// profile when --format is not given; a bad one is a usage error that names
// the setting, and sends nothing.
func TestVoipnowProfileFormat(t *testing.T) {
	s, url := voipnowServe(t)
	id := s.AddCall(voipnowsim.ExtSales, voipnow.FlowIncoming, "", 0, 0)
	profile := func(format string) string {
		return "profiles:\n  default:\n    voipnow:\n      base_url: " + url + "\n      client_id: demo\n      format: " + format + "\n"
	}
	vendorIsolate(t, profile("wav49"))
	t.Setenv(voipnowSecretEnv, "demo")
	code, out, errOut := vendorRun(t, "voipnow", "record", "start", "--call", id, "--view", "01")
	if code != exitOK || !strings.Contains(out, "(wav49)") {
		t.Fatalf("profile format: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = vendorRun(t, "voipnow", "record", "start", "--call", id, "--view", "01", "--format", "wav")
	if code != exitOK || !strings.Contains(out, "(wav)") {
		t.Fatalf("--format over the profile: %d\n%s", code, out)
	}

	vendorIsolate(t, profile("mp3"))
	t.Setenv(voipnowSecretEnv, "demo")
	before := s.Stats()
	code, _, errOut = vendorRun(t, "voipnow", "record", "start", "--call", id, "--view", "01")
	if code != exitUsage || !strings.Contains(errOut, "voipnow.format") || !strings.Contains(errOut, "wav or wav49") {
		t.Fatalf("bad profile format: %d %q", code, errOut)
	}
	if s.Stats() != before {
		t.Error("a refused command sent a request")
	}
	// stop takes no format: a bad one in the profile does not matter.
	if code, _, errOut = vendorRun(t, "voipnow", "record", "stop", "--call", id, "--view", "01"); code != exitOK {
		t.Fatalf("stop with a bad profile format: %d %q", code, errOut)
	}
}

// TestVoipnowPaneSetupErrors: a VoipNow section that cannot be used gives a
// pane saying why (never the secret), not a silently missing tab.
func TestVoipnowPaneSetupErrors(t *testing.T) {
	vendorIsolate(t, "")
	for _, tc := range []struct {
		v    VoipNowProfile
		want string
	}{
		{VoipNowProfile{BaseURL: "http://127.0.0.1:1", ClientID: "demo"}, "client secret is required"},
		{VoipNowProfile{ClientID: "demo", ClientSecret: "s3cret-value"}, "voipnow.base_url is not set"},
		{VoipNowProfile{BaseURL: "http://127.0.0.1:1", ClientID: "demo", ClientSecret: "s3cret-value", Format: "mp3"}, "voipnow.format"},
		{VoipNowProfile{BaseURL: "http://127.0.0.1:1", ClientID: "demo", ClientSecret: "s3cret-value", Extension: "abc"}, "voipnow.extension"},
		{VoipNowProfile{BaseURL: "http://127.0.0.1:1", ClientID: "demo", ClientSecret: "s3cret-value", UserID: "a/b"}, "voipnow.user_id"},
		{VoipNowProfile{BaseURL: "http://127.0.0.1:1", ClientID: "demo", ClientSecret: "s3cret-value", PollInterval: -time.Second}, "poll_interval"},
		{VoipNowProfile{BaseURL: "ftp://u:s3cret-value@x", ClientID: "demo", ClientSecret: "s3cret-value"}, "base URL"},
	} {
		p := newVoipnowPane(vendorEnv{Profile: Profile{VoipNow: tc.v}, HTTPClient: http.DefaultClient})
		if p == nil {
			t.Errorf("%+v: no pane", tc.v)
			continue
		}
		p.SetStyles(&ui.Styles{})
		p.SetSize(200, 4)
		if cmd := p.Init(); cmd != nil {
			t.Errorf("%+v: the pane fetches", tc.v)
		}
		view := p.View()
		if !strings.Contains(view, "not available") || !strings.Contains(view, tc.want) || strings.Contains(view, "s3cret") {
			t.Errorf("%+v:\n%s", tc.v, view)
		}
	}
}

func TestVoipnowCellIsSafe(t *testing.T) {
	if got := voipnowCell("Eve\x1b[2J\t<1>\n"); got != "Eve [2J <1> " {
		t.Errorf("got %q", got)
	}
	if voipnowCell("") != "-" {
		t.Error("empty cell")
	}
}

// TestVoipnowRecordAnswers: 204 is success (the call is read again to
// confirm); an answer showing nothing changed fails under --json as in text
// mode; an error body inside a 200 is the PBX's error with its code. Every
// action is audited.
func TestVoipnowRecordAnswers(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	s := voipnowsim.New(voipnowsim.Options{LiveCalls: -1, NoContentOnAction: true})
	url := serveLoopback(t, s.Handler())
	base := []string{"voipnow", "--base-url", url, "--client-id", "demo"}
	call := []string{"--call", voipnowsim.SeedCallID, "--view", voipnowsim.SeedViewID}
	code, out, errs := vendorRun(t, append(append(base, "record", "start"), call...)...)
	if code != exitOK || !strings.Contains(out, "Recording started") {
		t.Fatalf("204 start: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = vendorRun(t, append(append(base, "--json", "record", "stop"), call...)...)
	if code != exitOK || !strings.Contains(out, `"id": "`+voipnowsim.SeedCallID+`"`) {
		t.Fatalf("204 stop --json: exit %d\n%s\n%s", code, out, errs)
	}

	// A PBX that accepts StartRecording and answers the call unchanged.
	unchanged := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			r.Method = http.MethodGet // answer the call as it is
		}
		s.Handler().ServeHTTP(w, r)
	}))
	base2 := []string{"voipnow", "--base-url", unchanged, "--client-id", "demo"}
	for _, json := range []bool{false, true} {
		args := base2
		if json {
			args = append(args, "--json")
		}
		code, out, errs = vendorRun(t, append(append(args, "record", "start"), call...)...)
		if code != exitAPI || !strings.Contains(errs, "shows no recording") {
			t.Fatalf("json=%v unchanged: exit %d\n%s\n%s", json, code, out, errs)
		}
		if json {
			if je := jsonErrorOf(t, out); je.Kind != "api" {
				t.Fatalf("json error %+v", je)
			}
		}
	}

	// The PBX's error inside a 200.
	inside := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"error":{"code":"pc_phonecallview_invalid","message":"Value supplied in phoneCallViewId is invalid."}}`))
			return
		}
		s.Handler().ServeHTTP(w, r)
	}))
	code, out, errs = vendorRun(t, append(append([]string{"voipnow", "--base-url", inside, "--client-id", "demo", "--json"}, "record", "start"), call...)...)
	if code != exitAPI || !strings.Contains(errs, "pc_phonecallview_invalid") {
		t.Fatalf("error in 200: exit %d\n%s\n%s", code, out, errs)
	}
	if je := jsonErrorOf(t, out); je.Code != "pc_phonecallview_invalid" || je.HTTPStatus != 200 || je.Kind != "api" {
		t.Fatalf("json error %+v", je)
	}
	recs := readAudit(t)
	if len(recs) != 5 || recs[0].Vendor != "voipnow" || recs[0].Outcome != audit.OutcomeOK || recs[0].State != "recording" ||
		recs[4].Outcome != audit.OutcomeFailed || recs[0].Target != voipnowsim.SeedCallID+"/"+voipnowsim.SeedViewID {
		t.Fatalf("audit: %+v", recs)
	}
}

// TestVoipnowCallsAllSaysWhatItShows: --all reads to the PBX's end, and a
// limit of recdeck's own is said ("showing N of M").
func TestVoipnowCallsAllSaysWhatItShows(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(voipnowSecretEnv, "demo")
	s, url := voipnowServe(t)
	for range 6 {
		s.AddCall(voipnowsim.ExtSales, voipnow.FlowOutgoing, "0722000333", 0, 0)
	}
	base := []string{"voipnow", "--base-url", url, "--client-id", "demo"}
	code, out, _ := vendorRun(t, append(base, "calls", "--all", "--count", "2")...)
	if code != exitOK || strings.Count(out, "\n") != 8 || strings.Contains(out, "showing") {
		t.Fatalf("all: %d\n%s", code, out)
	}
	code, out, _ = vendorRun(t, append(base, "calls", "--all", "--count", "2", "--max", "3")...)
	if code != exitOK || !strings.Contains(out, "Showing 3 of 7 calls (--max 3).") {
		t.Fatalf("max: %d\n%s", code, out)
	}
	code, out, _ = vendorRun(t, append(base, "calls", "--call", voipnowsim.SeedCallID)...)
	if code != exitOK || !strings.Contains(out, voipnowsim.SeedCallID) || strings.Count(out, "\n") != 2 {
		t.Fatalf("--call: %d\n%s", code, out)
	}
	code, out, _ = vendorRun(t, append(base, "calls", "--sort-order", "descending", "--fields", "extension,status")...)
	if code != exitOK || !strings.Contains(out, voipnowsim.SeedCallID) {
		t.Fatalf("sort/fields: %d\n%s", code, out)
	}
}
