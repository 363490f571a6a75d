package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/noojee"
	noojeesim "github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// The noojee subcommand runs in-process against the Noojee simulator on
// 127.0.0.1.

// noojeeServe serves an unthrottled simulator and returns it with its URL.
func noojeeServe(t *testing.T) (*noojeesim.Server, string) {
	t.Helper()
	s := noojeesim.New(noojeesim.Config{Seed: 5})
	return s, serveLoopback(t, s.Handler())
}

func TestNoojeeLegsBothAuthStyles(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	_, url := noojeeServe(t)
	for _, auth := range []string{"apikey", "hash"} {
		code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--auth", auth, "--time-zone", noojeesim.DefaultZone, "legs", "--tag", "1234")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", auth, code, errs)
		}
		for _, want := range []string{"Internal call 1392271611.238, tag 1234: 3 legs, 1m41s",
			"1    2014-02-13 17:06:52 AEDT  4s", "Fred", "400", "401", "internal", "198348", "Mary"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", auth, want, out)
			}
		}
		code, out, errs = vendorRun(t, "noojee", "--base-url", url, "--auth", auth, "--json", "legs", "--unique-id", noojeesim.ExampleUniqueID)
		if code != exitOK {
			t.Fatalf("%s json: exit %d: %s", auth, code, errs)
		}
		var legs []noojee.WireLeg
		if err := json.Unmarshal([]byte(out), &legs); err != nil || len(legs) != 3 {
			t.Fatalf("%s json: %v\n%s", auth, err, out)
		}
		want := noojee.WireLeg{Source: "400", Leg: "1", Start: "2014-02-13 17:06:52.0", Tag: "1234", Duration: "4",
			Username: "Fred", CallRecordID: "198348", UniqueID: "1392271611.238", DID: "internal", Direction: "2", Destination: "401"}
		if legs[0] != want {
			t.Errorf("%s json first leg %+v", auth, legs[0])
		}
	}
	code, out, _ := vendorRun(t, "noojee", "--base-url", url, "legs", "--tag", "no-such-tag")
	if code != exitOK || !strings.Contains(out, "no recording found for tag no-such-tag") {
		t.Fatalf("unknown tag: %d %q", code, out)
	}
}

func TestNoojeeHourAndItsRateLimit(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	_, url := noojeeServe(t)
	loc, _ := time.LoadLocation(noojeesim.DefaultZone)
	date, hour := noojee.HourOf(time.Now().Add(-2*time.Hour), loc)
	args := []string{"noojee", "--base-url", url, "--time-zone", noojeesim.DefaultZone, "hour", "--date", date, "--hour", strconv.Itoa(hour)}
	code, out, errs := vendorRun(t, args...)
	if code != exitOK || !strings.Contains(out, "UNIQUEID") || !strings.Contains(errs, "next by-hour request allowed at") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if lines := strings.Count(out, "\n"); lines < 3 {
		t.Errorf("want at least 2 calls in the hour:\n%s", out)
	}
	// A second run inside the minute: the server answers 429 (a new
	// process has no memory of the first), exit 1, saying when.
	code, _, errs = vendorRun(t, args...)
	if code != exitAPI || !strings.Contains(errs, "the server answered 429") || !strings.Contains(errs, "try again at") {
		t.Fatalf("rate limit: exit %d: %s", code, errs)
	}
}

func TestNoojeeFetch(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	s, url := noojeeServe(t)
	dir := filepath.Join(t.TempDir(), "legs")
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--out", dir)
	if code != exitOK || strings.Count(out, "saved ") != 3 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for leg := 1; leg <= 3; leg++ {
		want, _ := s.Audio(noojeesim.ExampleUniqueID, leg)
		got, err := os.ReadFile(filepath.Join(dir, noojee.LegFileName(noojeesim.ExampleUniqueID, leg, ".wav")))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("leg %d differs from the simulator's (%v)", leg, err)
		}
	}
	// Again: skipped, not overwritten.
	code, out, errs = vendorRun(t, "noojee", "--base-url", url, "--json", "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--out", dir)
	var res []fetched
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || len(res) != 3 || res[0].Skipped != "exists" ||
		!strings.Contains(errs, "skipped (--force overwrites)") {
		t.Fatalf("refetch: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = vendorRun(t, "noojee", "--base-url", url, "--json", "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--leg", "2", "--out", dir, "--force")
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || res[0].Bytes != 44+62*16000 {
		t.Fatalf("--leg 2 --force: exit %d %s", code, out)
	}
	// A leg that does not exist: the server's 404, exit 1.
	code, _, errs = vendorRun(t, "noojee", "--base-url", url, "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--leg", "9", "--out", dir)
	if code != exitAPI || !strings.Contains(errs, "No recording for uniqueId") {
		t.Fatalf("missing leg: exit %d %s", code, errs)
	}
	// Cut mid-body: exit 3, nothing new in the folder.
	other := filepath.Join(t.TempDir(), "cut")
	s.CutNextDownload(1000)
	code, _, errs = vendorRun(t, "noojee", "--base-url", url, "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--leg", "1", "--out", other)
	if ents, _ := os.ReadDir(other); code != exitNetwork || len(ents) != 0 || !strings.Contains(errs, "nothing kept") {
		t.Fatalf("cut: exit %d, %d files: %s", code, len(ents), errs)
	}
}

func TestNoojeeStartStop(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	sim, url := noojeeServe(t)
	if code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--auth", "hash", "start", "407", "--tag", "PCI-9", "--agent-login-name", "Fred"); code != exitOK || !strings.Contains(out, "recording started for 407") {
		t.Fatalf("start: %d %s %s", code, out, errs)
	}
	if ss := sim.StartStops(); len(ss) != 1 || ss[0].AgentLoginName != "Fred" {
		t.Fatalf("agentLoginName not sent: %+v", ss)
	}
	if code, out, errs := vendorRun(t, "noojee", "--base-url", url, "stop", "407"); code != exitOK || !strings.Contains(out, "recording stopped for 407") {
		t.Fatalf("stop: %d %s %s", code, out, errs)
	}
	if code, out, _ := vendorRun(t, "noojee", "--base-url", url, "legs", "--tag", "PCI-9"); code != exitOK || !strings.Contains(out, "Internal call ") || !strings.Contains(out, ", tag PCI-9: 1 leg, ") {
		t.Fatalf("the stopped recording is not found: %d %s", code, out)
	}
	// The simulator answers as the real server: HTTP 200, Code -1.
	if code, _, errs := vendorRun(t, "noojee", "--base-url", url, "stop", "407"); code != exitAPI || !strings.Contains(errs, "No recording in progress") {
		t.Fatalf("second stop: %d %s", code, errs)
	}
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--json", "stop", "407")
	if code != exitAPI || !strings.Contains(errs, "No recording in progress") {
		t.Fatalf("--json second stop: %d %s", code, errs)
	}
	if je := jsonErrorOf(t, out); je.Kind != "api" || je.Code != "-1" || !strings.Contains(je.Message, "No recording in progress") {
		t.Fatalf("json error %+v", je)
	}
	// Every action is audited: attempt and outcome, vendor noojee.
	recs := readAudit(t)
	if len(recs) != 4 { // Read pairs each attempt with its outcome
		t.Fatalf("%d audit records, want 4: %+v", len(recs), recs)
	}
	if r := recs[0]; r.Vendor != "noojee" || r.Target != "407" || r.Outcome != audit.OutcomeOK || r.Source != "cli" || r.Action != "recording start" {
		t.Fatalf("start outcome %+v", r)
	}
	if r := recs[2]; r.Outcome != audit.OutcomeFailed || !strings.Contains(r.ErrorMessage, "No recording in progress") {
		t.Fatalf("failed stop %+v", r)
	}
}

// TestNoojeeStartReportsTheBodysError: a server answering HTTP 200 with
// {"Message":...,"Code":-1}, as the real CallManagementAPI does, is an
// error (exit 1), not "recording started".
func TestNoojeeStartReportsTheBodysError(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	url := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"Message":"Extension 410 has no active call","Code":-1}`)
	}))
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "start", "410")
	if code != exitAPI || strings.Contains(out, "recording started") || !strings.Contains(errs, "Extension 410 has no active call") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
}

func TestNoojeeExitStatuses(t *testing.T) {
	vendorIsolate(t, "")
	_, url := noojeeServe(t)
	// Usage: refused before any request (exit 2).
	t.Setenv(noojeeKeyEnv, "")
	if code, _, errs := vendorRun(t, "noojee", "--base-url", url, "legs", "--tag", "1"); code != exitUsage || !strings.Contains(errs, noojeeKeyEnv) {
		t.Fatalf("no key: %d %s", code, errs)
	}
	t.Setenv(noojeeKeyEnv, "demo")
	for _, args := range [][]string{
		{"noojee", "legs", "--tag", "1"}, // no server
		{"noojee", "--base-url", url, "legs"},
		{"noojee", "--base-url", url, "legs", "--tag", "1", "--unique-id", "2"},
		{"noojee", "--base-url", url, "hour", "--date", "2021/09/14"},
		{"noojee", "--base-url", url, "hour", "--date", "2021/09/14", "--hour", "24"},
		{"noojee", "--base-url", url, "hour", "--date", "14/09/2021", "--hour", "3"},
		{"noojee", "--base-url", url, "--auth", "oauth", "legs", "--tag", "1"},
		{"noojee", "--base-url", url, "--time-zone", "Mars/Olympus", "legs", "--tag", "1"},
		{"noojee", "--base-url", url, "fetch"},
		{"noojee", "--base-url", url, "fetch", "--unique-id", "1.1", "--leg", "-1"},
		{"noojee", "--base-url", url, "legs", "--unique-id", "1.1;rm"},
		{"noojee", "--base-url", url, "start"},
		{"noojee", "--base-url", url, "legs", "--api-key", "demo", "--tag", "1"}, // never a flag
	} {
		if code, _, errs := vendorRun(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
	// Authentication (exit 3), without the key on screen.
	t.Setenv(noojeeKeyEnv, "wrong-key-7")
	for _, auth := range []string{"apikey", "hash"} {
		code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--auth", auth, "legs", "--tag", "1234")
		want := "401" // the RecordingAPI; the CallManagementAPI refuses in its body
		if auth == "hash" {
			want = "Invalid hash"
		}
		if code != exitNetwork || !strings.Contains(errs, want) || strings.Contains(out+errs, "wrong-key-7") {
			t.Fatalf("%s wrong key: %d %s", auth, code, errs)
		}
	}
	// Network (exit 3), without the key on screen.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	code, out, errs := vendorRun(t, "noojee", "--base-url", dead, "legs", "--tag", "1234")
	if code != exitNetwork || strings.Contains(out+errs, "wrong-key-7") {
		t.Fatalf("no server: %d %s", code, errs)
	}
}

func TestNoojeeProfileSection(t *testing.T) {
	_, url := noojeeServe(t)
	vendorIsolate(t, `default_profile: nj
profiles:
  nj:
    base_url: http://127.0.0.1:1
    noojee:
      base_url: `+url+`
      api_key: demo
      auth: hash
      time_zone: Australia/Sydney
`)
	code, out, errs := vendorRun(t, "noojee", "legs", "--tag", "1234")
	if code != exitOK || !strings.Contains(out, "2014-02-13 17:06:52 AEDT") {
		t.Fatalf("from the profile: %d\n%s\n%s", code, out, errs)
	}
}

// TestNoojeeSimMountAndPane: the mount serves the document's example
// beside other routes, and the demo pane built from it finds and shows it.
func TestNoojeeSimMountAndPane(t *testing.T) {
	srv, banner := serveMount(t, mountNoojeeSim, 3)
	if b := strings.Join(banner, "\n"); !strings.Contains(b, srv.URL+"/njadmin/rest/RecordingAPI/") || !strings.Contains(b, "apiKey=demo") {
		t.Fatalf("banner %q", banner)
	}

	vendorIsolate(t, "")
	// Not configured: the tab stays and says what to configure (it sends
	// nothing); the Anywhere365 base URL is never used for it.
	if p := newNoojeePane(vendorEnv{BaseURL: srv.URL, HTTPClient: srv.Client()}); p == nil || p.Init() != nil {
		t.Error("no pane, or one that sends, without settings outside the demo")
	} else if p.SetSize(160, 6); !strings.Contains(p.View(), "not configured") || !strings.Contains(p.View(), "noojee.base_url") {
		t.Errorf("the unconfigured tab does not say what to set:\n%s", p.View())
	}
	p := newNoojeePane(vendorEnv{BaseURL: srv.URL, Demo: true, HTTPClient: srv.Client()})
	if p == nil {
		t.Fatal("no demo pane")
	}
	p.SetStyles(&ui.Styles{})
	p.SetSize(120, 12)
	if !strings.Contains(p.View(), "1234") {
		t.Errorf("the demo hint is missing:\n%s", p.View())
	}
	var cmd tea.Cmd
	for _, k := range []tea.KeyPressMsg{{Code: '/', Text: "/"}, {Code: '1', Text: "1"}, {Code: '2', Text: "2"},
		{Code: '3', Text: "3"}, {Code: '4', Text: "4"}, {Code: tea.KeyEnter}} {
		p, cmd = p.Update(k)
	}
	if cmd == nil {
		t.Fatal("enter started no search")
	}
	p, _ = p.Update(cmd()) // one request against the mounted simulator
	if view := p.View(); !strings.Contains(view, "Internal call 1392271611.238") || !strings.Contains(view, "Fred") {
		t.Fatalf("demo pane:\n%s", view)
	}
}

// TestNoojeePaneUnavailable: with a Noojee server configured but no apiKey
// or a bad setting, the pane shows and says what is wrong (it does not
// silently vanish).
func TestNoojeePaneUnavailable(t *testing.T) {
	vendorIsolate(t, "")
	for _, tc := range []struct {
		n    NoojeeProfile
		want string
	}{
		{NoojeeProfile{BaseURL: "http://127.0.0.1:1"}, "no apiKey: set " + noojeeKeyEnv + " or noojee.api_key"},
		{NoojeeProfile{BaseURL: "http://127.0.0.1:1", APIKey: "zz-secret-9", TimeZone: "Mars/Olympus"}, "unknown zone \"Mars/Olympus\""},
		{NoojeeProfile{BaseURL: "http://127.0.0.1:1", APIKey: "zz-secret-9", Auth: "oauth"}, "unknown style \"oauth\""},
		{NoojeeProfile{BaseURL: "pbx.example.com", APIKey: "zz-secret-9"}, "is not an http(s) URL"},
	} {
		p := newNoojeePane(vendorEnv{Profile: Profile{Noojee: tc.n}, HTTPClient: http.DefaultClient})
		if p == nil {
			t.Fatalf("%+v: no pane", tc.n)
		}
		p.SetStyles(&ui.Styles{})
		p.SetSize(200, 6)
		if v := p.View(); !strings.Contains(v, "Noojee is not available") || !strings.Contains(v, tc.want) {
			t.Errorf("%+v: view lacks %q:\n%s", tc.n, tc.want, v)
		}
		if strings.Contains(p.View(), "zz-secret-9") {
			t.Errorf("the key shows:\n%s", p.View())
		}
	}
}

// TestNoojeeUnusableAnswers: a success status whose body is not what the
// API returns exits 3 like the core; a refused key says where the key comes
// from; fetch --json prints [] when nothing was saved.
func TestNoojeeUnusableAnswers(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "s3cret-key")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/retrieveMetaData"):
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>proxy login</html>"))
		case strings.HasSuffix(r.URL.Path, "/retrieveMetaDataByUniqueId"):
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("Invalid apiKey."))
		default:
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("boom"))
		}
	}))
	defer srv.Close()
	code, out, errs := vendorRun(t, "noojee", "--base-url", srv.URL, "legs", "--tag", "1234")
	if code != exitNetwork || !strings.Contains(errs, "unexpected body") || !strings.Contains(errs, "proxy login") {
		t.Fatalf("html answer: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = vendorRun(t, "noojee", "--base-url", srv.URL, "legs", "--unique-id", "1.1")
	if code != exitNetwork || !strings.Contains(errs, "check "+noojeeKeyEnv+" or noojee.api_key") || strings.Contains(errs, "s3cret-key") {
		t.Fatalf("401: exit %d: %s", code, errs)
	}
	code, out, errs = vendorRun(t, "noojee", "--base-url", srv.URL, "--json", "fetch", "--unique-id", "1.1", "--leg", "1", "--out", t.TempDir())
	if code != exitAPI || !strings.Contains(errs, "HTTP 500") {
		t.Fatalf("failed fetch --json: exit %d, out %q: %s", code, out, errs)
	}
	if je := jsonErrorOf(t, out); je.Kind != "api" || je.HTTPStatus != 500 {
		t.Fatalf("failed fetch --json: %+v", je)
	}
}

// Leg text from the server cannot drive the supervisor's terminal: escape
// sequences and bidi overrides are blanked in the table, the ids stay.
func TestNoojeeHostileLegText(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv("RECDECK_NOOJEE_API_KEY", "k")
	url := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"Source":"400\u001b[2J","Leg":"1","Start":"2014-02-13 17:06:52.0","Tag":"1234","Duration":"4",` +
			`"Username":"Fred\u001b]0;owned\u0007\u202e","CallRecordId":"198348","UniqueId":"1392271611.238\u001b[H",` +
			`"DID":"internal","Direction":"2","Destination":"401"}]`))
	}))
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--time-zone", "UTC", "legs", "--tag", "1234")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Fatalf("output carries %q from the server:\n%q", bad, out)
		}
	}
	for _, want := range []string{"1392271611.238", "Fred", "400"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestNoojeeDownloadsGoToTheDataDir: without --out or noojee.download_dir,
// fetched legs go to $XDG_DATA_HOME/recdeck/noojee, never the working
// directory.
func TestNoojeeDownloadsGoToTheDataDir(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	_, url := noojeeServe(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "fetch", "--unique-id", noojeesim.ExampleUniqueID, "--leg", "1")
	want := filepath.Join(os.Getenv("XDG_DATA_HOME"), "recdeck", "noojee", noojeesim.ExampleUniqueID+"-leg1.wav")
	if code != exitOK || !strings.Contains(out, "saved "+want) {
		t.Fatalf("fetch: %d %s %s", code, out, errs)
	}
	if ents, _ := os.ReadDir(cwd); len(ents) != 0 {
		t.Fatalf("the working directory got %d files", len(ents))
	}
}

// TestNoojeeTimesAndPartialHours: without --time-zone the server's times
// carry no zone label (they are not the client's); with one they do. An
// hour not over yet is said to be partial. A zone the client cannot read
// is reported.
func TestNoojeeTimesAndPartialHours(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	t.Setenv("TZ", "America/New_York")
	_, url := noojeeServe(t)
	code, out, errs := vendorRun(t, "noojee", "--base-url", url, "legs", "--tag", noojeesim.ExampleTag)
	if code != exitOK || !strings.Contains(out, "2014-02-13 17:06:52 ") || strings.Contains(out, " EST") || strings.Contains(out, " UTC") ||
		!strings.Contains(errs, "shown without a zone") {
		t.Fatalf("no zone: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = vendorRun(t, "noojee", "--base-url", url, "--time-zone", noojeesim.DefaultZone, "legs", "--tag", noojeesim.ExampleTag)
	if code != exitOK || !strings.Contains(out, "2014-02-13 17:06:52 AEDT") || strings.Contains(errs, "without a zone") {
		t.Fatalf("with a zone: %d\n%s\n%s", code, out, errs)
	}
	loc, _ := time.LoadLocation(noojeesim.DefaultZone)
	date, hour := noojee.HourOf(time.Now(), loc)
	code, out, errs = vendorRun(t, "noojee", "--base-url", url, "--time-zone", noojeesim.DefaultZone, "hour", "--date", date, "--hour", strconv.Itoa(hour))
	if code != exitOK || !strings.Contains(errs, "this list is partial") {
		t.Fatalf("current hour: %d\n%s\n%s", code, out, errs)
	}
	odd := serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"Source":"1","Leg":"1","Start":"Tue Sep 14 15:03:30 IST 2021","Duration":"4","UniqueId":"9.9","Direction":"Inbound"}]`)
	}))
	code, out, errs = vendorRun(t, "noojee", "--base-url", odd, "hour", "--date", "2021/09/14", "--hour", "15")
	if code != exitOK || !strings.Contains(out, "Tue Sep 14 15:03:30 IST 2021") || !strings.Contains(errs, `unknown zone "IST"`) {
		t.Fatalf("unknown zone: %d\n%s\n%s", code, out, errs)
	}
}

// TestNoojeeJSONUsageErrors: with --json, a usage failure (missing
// argument, bad flag value) prints one JSON error object too.
func TestNoojeeJSONUsageErrors(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	_, url := noojeeServe(t)
	for _, args := range [][]string{
		{"noojee", "--base-url", url, "--json", "start"},
		{"noojee", "--base-url", url, "--json", "legs"},
		{"noojee", "--json", "legs", "--tag", "1"},
	} {
		code, out, errs := vendorRun(t, args...)
		if je := jsonErrorOf(t, out); code != exitUsage || je.Kind != "usage" || je.ExitStatus != exitUsage || errs == "" {
			t.Errorf("%v: exit %d, %+v, stderr %q", args, code, je, errs)
		}
	}
}

// As `recdeck set`: a recording action whose attempt cannot be written to
// the audit log is not sent (exit 2, saying how to go ahead); with
// --no-audit it is sent and nothing is written.
func TestVendorActionNotSentUnaudited(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(noojeeKeyEnv, "demo")
	sim, url := noojeeServe(t)
	t.Setenv(audit.EnvPath, t.TempDir()) // a directory: the log cannot be opened
	code, _, errs := vendorRun(t, "noojee", "--base-url", url, "start", "407")
	if code != exitUsage || !strings.Contains(errs, "nothing was sent (use --no-audit") {
		t.Fatalf("unaudited start: %d %s", code, errs)
	}
	if n := len(sim.StartStops()); n != 0 {
		t.Fatalf("%d requests sent without their audit record", n)
	}
	if code, out, errs := vendorRun(t, "noojee", "--base-url", url, "--no-audit", "start", "407"); code != exitOK || !strings.Contains(out, "recording started for 407") {
		t.Fatalf("--no-audit start: %d %s %s", code, out, errs)
	}
	if n := len(sim.StartStops()); n != 1 {
		t.Fatalf("%d requests after --no-audit, want 1", n)
	}
}
