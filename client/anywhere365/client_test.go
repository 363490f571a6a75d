package anywhere365

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// These tests pin the seed documents' wire format with small loopback
// servers that answer the seeds' exact bodies. End-to-end tests against the
// project's simulator are in sim_e2e_test.go.

const (
	seedID  = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	seedUCC = "ucc-demo-name"
)

// seedErrBody is a seed 001 error response with the given ErrorMessage.
func seedErrBody(typ int, msg string) string {
	m, _ := json.Marshal(msg)
	return `{"CorrelationId":"` + seedID + `","RecordingState":0,"MarkingState":0,"SavingState":0,` +
		`"ErrorMessage":{"ErrorType":` + strconv.Itoa(typ) + `,"Message":` + string(m) + `},"UCCName":"` + seedUCC + `"}`
}

const seedFoundBody = `{
   "CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30",
   "RecordingState":0,
   "MarkingState":1,
   "SavingState":1,
   "ErrorMessage":null,
   "UCCName":"ucc-demo-name"
}`

// seenReq is one request the fake server received.
type seenReq struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  []byte
}

// fakeAPI is a loopback server answering with a per-test function.
type fakeAPI struct {
	srv *httptest.Server
	mu  sync.Mutex
	rs  []seenReq
}

func newFakeAPI(t *testing.T, answer func(n int, r *http.Request, body []byte) (int, string)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		f.mu.Lock()
		f.rs = append(f.rs, seenReq{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Header.Clone(), body})
		n := len(f.rs)
		f.mu.Unlock()
		status, out := answer(n, r, body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) reqs() []seenReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenReq(nil), f.rs...)
}

// fastConfig is a v1 config with short retry delays.
func fastConfig(base string) Config {
	return Config{BaseURL: base, Timeout: 5 * time.Second, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.hc.CloseIdleConnections)
	return c
}

func leakCheck(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("body\n got  %s\n want %s", gb, wb)
	}
}

func TestGetStateSeedRequestAndResponse(t *testing.T) {
	leakCheck(t)
	for _, v := range []string{"v1", "v2"} {
		t.Run(v, func(t *testing.T) {
			f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
			cfg := fastConfig(f.srv.URL)
			prefix := "/attendantservice/api/recording/"
			if v == "v2" {
				tok := newFakeToken(t, 300)
				cfg.APIVersion, cfg.TokenURL, cfg.Username, cfg.Password, cfg.ClientSecret = "v2", tok.url(), "u", "p", "s"
				prefix = "/attendantservice/api/v2/recording/"
			}
			c := mustNew(t, cfg)
			got, err := c.GetState(context.Background(), seedUCC, seedID)
			if err != nil {
				t.Fatal(err)
			}
			want := StateResponse{CorrelationId: seedID, RecordingState: RecordingUninitialized, MarkingState: MarkingMark, SavingState: SavingSave, UCCName: seedUCC}
			if *got != want {
				t.Fatalf("got %+v, want %+v", *got, want)
			}
			r := f.reqs()
			if len(r) != 1 || r[0].Method != "GET" || r[0].Path != prefix+seedUCC+"/"+seedID {
				t.Fatalf("requests %+v", r)
			}
			if r[0].Header.Get("Accept") != "application/json" {
				t.Errorf("Accept %q", r[0].Header.Get("Accept"))
			}
			if auth := r[0].Header.Get("Authorization"); (v == "v2") != strings.HasPrefix(auth, "Bearer ") {
				t.Errorf("Authorization %q on %s", auth, v)
			}
		})
	}
}

func TestGetStateSessionNotFoundIsTypedError(t *testing.T) {
	leakCheck(t)
	msg := "No Audio session with correlation Id:'" + seedID + "' was found."
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedErrBody(2, msg) })
	c := mustNew(t, fastConfig(f.srv.URL))
	resp, err := c.GetState(context.Background(), seedUCC, seedID)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err %T %v, want *APIError", err, err)
	}
	if ae.Type != ErrorValidation || ae.Message != msg || ae.Status != 200 || ae.Response == nil || resp == nil {
		t.Fatalf("APIError %+v resp %v", ae, resp)
	}
	if want := "Validation error: " + msg; err.Error() != want {
		t.Fatalf("Error() %q want %q", err.Error(), want)
	}
	if !IsSessionNotFound(err) || IsNetwork(err) || IsAuth(err) {
		t.Fatal("classification wrong")
	}
	if len(f.reqs()) != 1 {
		t.Fatalf("Validation error was retried: %d requests", len(f.reqs()))
	}
}

func TestSetSendsSeedBodies(t *testing.T) {
	leakCheck(t)
	cases := []struct {
		byName bool
		action Action
		want   string
	}{
		{false, ActionStart, `{"Action":1,"RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"ucc-demo-name"}`},
		{true, ActionMark, `{"Action":"Mark","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"ucc-demo-name"}`},
		{true, ActionUnMark, `{"Action":"UnMark","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"ucc-demo-name"}`},
		{false, ActionDelete, `{"Action":5,"RequesterSipUri":"sip:agent@domain.com","CorrelationId":"` + seedID + `","UCCName":"ucc-demo-name"}`},
	}
	for _, tc := range cases {
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) {
			return 200, `{"CorrelationId":"` + seedID + `","RecordingState":1,"MarkingState":0,"SavingState":0,"ErrorMessage":null,"UCCName":"ucc-demo-name"}`
		})
		cfg := fastConfig(f.srv.URL)
		cfg.ActionByName = tc.byName
		c := mustNew(t, cfg)
		got, err := c.Set(context.Background(), SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: tc.action})
		if err != nil || got.RecordingState != RecordingStarted {
			t.Fatalf("Set: %v %+v", err, got)
		}
		r := f.reqs()
		if len(r) != 1 || r[0].Method != "POST" || r[0].Path != "/attendantservice/api/recording/set" {
			t.Fatalf("requests %+v", r)
		}
		if ct := r[0].Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		jsonEqual(t, r[0].Body, tc.want)
	}
}

func TestCapabilitiesSeed(t *testing.T) {
	leakCheck(t)
	f := newFakeAPI(t, func(n int, r *http.Request, _ []byte) (int, string) {
		if strings.HasSuffix(r.URL.Path, "/nope") {
			return 200, `{"AgentCanEditRecordings":false,"ErrorMessage":{"ErrorType":2,"Message":"Ucc with name:'nope' not found."},"UCCName":"nope"}`
		}
		return 200, `{"AgentCanEditRecordings":true,"ErrorMessage":null,"UCCName":"ucc_"}`
	})
	c := mustNew(t, fastConfig(f.srv.URL))
	caps, err := c.Capabilities(context.Background(), seedUCC)
	if err != nil || !caps.AgentCanEditRecordings || caps.UCCName != "ucc_" {
		t.Fatalf("caps %+v err %v", caps, err)
	}
	if p := f.reqs()[0].Path; p != "/attendantservice/api/recording/capabilities/ucc-demo-name" {
		t.Fatalf("path %q", p)
	}
	caps, err = c.Capabilities(context.Background(), "nope")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Type != ErrorValidation || ae.Message != "Ucc with name:'nope' not found." || ae.CapabilitiesResponse == nil || caps == nil {
		t.Fatalf("err %v", err)
	}
}

// TestEverySeedErrorMessageIsTyped feeds each ErrorMessage of seed 001
// through GetState and Set.
func TestEverySeedErrorMessageIsTyped(t *testing.T) {
	leakCheck(t)
	msgs := []struct {
		typ ErrorType
		msg string
	}{
		{ErrorConfiguration, "Recorder was not available, command could not be executed"},
		{ErrorConfiguration, "Ucc with name:'ucc-demo-name' AgentCanEditAudioRecording setting is disabled."},
		{ErrorConfiguration, "Requester with SipUri:'sip:x@y' is not an agent or supervisor for Ucc with name: 'ucc-demo-name'."},
		{ErrorValidation, "Ucc name (ucc-demo-name) was not recognized"},
		{ErrorValidation, "No Audio session with correlation Id:'" + seedID + "' was found."},
		{ErrorValidation, "No Api Audio session with correlation Id:'" + seedID + "' was found."},
		{ErrorValidation, "No action was detected in command"},
		{ErrorValidation, "Requester with SipUri:'sip:x@y' is invalid."},
		{ErrorValidation, "Recorder state is Stopped, this state cannot be started"},
		{ErrorValidation, "Recorder state is Paused, this state cannot be paused"},
	}
	for _, m := range msgs {
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedErrBody(int(m.typ), m.msg) })
		c := mustNew(t, fastConfig(f.srv.URL))
		_, gerr := c.GetState(context.Background(), seedUCC, seedID)
		_, serr := c.Set(context.Background(), SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionPause})
		for _, err := range []error{gerr, serr} {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Type != m.typ || ae.Message != m.msg {
				t.Fatalf("%q: got %v", m.msg, err)
			}
			if err.Error() != m.typ.String()+" error: "+m.msg {
				t.Fatalf("Error() %q", err.Error())
			}
		}
		if n := len(f.reqs()); n != 2 {
			t.Fatalf("%s error retried: %d requests", m.typ, n)
		}
		wantGone := strings.Contains(m.msg, "Audio session")
		if IsSessionNotFound(gerr) != wantGone {
			t.Fatalf("IsSessionNotFound(%q) != %v", m.msg, wantGone)
		}
	}
}

func TestProcessingErrorIsRetried(t *testing.T) {
	leakCheck(t)
	processing := seedErrBody(3, "Recorder glitch")
	t.Run("recovers", func(t *testing.T) {
		f := newFakeAPI(t, func(n int, _ *http.Request, _ []byte) (int, string) {
			if n < 3 {
				return 200, processing
			}
			return 200, seedFoundBody
		})
		c := mustNew(t, fastConfig(f.srv.URL))
		if _, err := c.Set(context.Background(), SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionStart}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.reqs()); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
	})
	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, processing })
		cfg := fastConfig(f.srv.URL)
		cfg.MaxAttempts = 4
		c := mustNew(t, cfg)
		_, err := c.GetState(context.Background(), seedUCC, seedID)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Type != ErrorProcessing || !ae.Retryable() {
			t.Fatalf("err %v", err)
		}
		if n := len(f.reqs()); n != 4 {
			t.Fatalf("%d requests, want 4", n)
		}
	})
	t.Run("cancel stops the backoff", func(t *testing.T) {
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, processing })
		cfg := fastConfig(f.srv.URL)
		cfg.RetryBaseDelay, cfg.RetryMaxDelay, cfg.MaxAttempts = time.Hour, time.Hour, 5
		c := mustNew(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.GetState(ctx, seedUCC, seedID)
		var ae *APIError
		if !errors.As(err, &ae) || len(f.reqs()) != 1 {
			t.Fatalf("err %v after %d requests", err, len(f.reqs()))
		}
	})
}

func TestGatewayErrorsRetriedOnlyForGET(t *testing.T) {
	leakCheck(t)
	f := newFakeAPI(t, func(n int, r *http.Request, _ []byte) (int, string) {
		if n == 1 || r.Method == "POST" {
			return 503, "<html>Service Unavailable</html>"
		}
		return 200, seedFoundBody
	})
	c := mustNew(t, fastConfig(f.srv.URL))
	if _, err := c.GetState(context.Background(), seedUCC, seedID); err != nil {
		t.Fatalf("GET after one 503: %v", err)
	}
	if n := len(f.reqs()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	_, err := c.Set(context.Background(), SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionStart})
	var re *ResponseError
	if !errors.As(err, &re) || re.Status != 503 {
		t.Fatalf("POST err %v", err)
	}
	if n := len(f.reqs()); n != 3 {
		t.Fatalf("POST was retried: %d requests in all, want 3", n)
	}
	if want := `unexpected response (HTTP 503): "<html>Service Unavailable</html>"`; err.Error() != want {
		t.Fatalf("Error() %q want %q", err.Error(), want)
	}
}

func TestMalformedBodies(t *testing.T) {
	leakCheck(t)
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{500, "<html><body>Internal error</body></html>", `unexpected response (HTTP 500): "<html><body>Internal error</body></html>"`},
		{200, "", "unexpected response (HTTP 200): empty body"},
		{200, "null", `unexpected response (HTTP 200): "null"`},
		{200, "[1,2]", `unexpected response (HTTP 200): "[1,2]"`},
		{200, `{"RecordingState":"Flying"}`, `unexpected response (HTTP 200): "{\"RecordingState\":\"Flying\"}"`},
		{200, `{"a":1} {"b":2}`, `unexpected response (HTTP 200): "{\"a\":1} {\"b\":2}"`},
		{404, `{"message":"not here"}`, `unexpected response (HTTP 404): "{\"message\":\"not here\"}"`},
		{200, strings.Repeat("x", 200), `unexpected response (HTTP 200): "` + strings.Repeat("x", 80) + `..."`},
	}
	for _, tc := range cases {
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return tc.status, tc.body })
		cfg := fastConfig(f.srv.URL)
		c := mustNew(t, cfg)
		_, err := c.GetState(context.Background(), seedUCC, seedID)
		var re *ResponseError
		if !errors.As(err, &re) || err.Error() != tc.want || !IsNetwork(err) {
			t.Errorf("body %q: err %v, want %s", tc.body, err, tc.want)
		}
	}
	// An error status that carries a documented ErrorMessage is trusted.
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) {
		return 400, seedErrBody(2, "No action was detected in command")
	})
	_, err := mustNew(t, fastConfig(f.srv.URL)).GetState(context.Background(), seedUCC, seedID)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("err %v", err)
	}
}

func TestLargeBodyRefused(t *testing.T) {
	leakCheck(t)
	big := `{"CorrelationId":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, big })
	_, err := mustNew(t, fastConfig(f.srv.URL)).GetState(context.Background(), seedUCC, seedID)
	var re *ResponseError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "larger than 1048576 bytes refused") {
		t.Fatalf("err %v", err)
	}
}

func TestTransportErrors(t *testing.T) {
	leakCheck(t)
	t.Run("closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c := mustNew(t, fastConfig("http://"+addr))
		_, err = c.GetState(context.Background(), seedUCC, seedID)
		var te *TransportError
		if !errors.As(err, &te) || !IsNetwork(err) || te.Method != "GET" {
			t.Fatalf("err %T %v", err, err)
		}
		if !strings.Contains(err.Error(), "GET http://"+addr+"/attendantservice/api/recording/") {
			t.Fatalf("error does not name the request: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		f := newFakeAPI(t, func(_ int, r *http.Request, _ []byte) (int, string) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return 200, seedFoundBody
		})
		defer close(release)
		cfg := fastConfig(f.srv.URL)
		cfg.Timeout, cfg.MaxAttempts = 100*time.Millisecond, 2
		start := time.Now()
		_, err := mustNew(t, cfg).GetState(context.Background(), seedUCC, seedID)
		if !IsNetwork(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
		if n := len(f.reqs()); n != 2 {
			t.Fatalf("%d attempts, want 2", n)
		}
		if time.Since(start) > 4*time.Second {
			t.Fatalf("timeout not applied")
		}
	})
}

func TestInputValidatedBeforeSending(t *testing.T) {
	leakCheck(t)
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
	c := mustNew(t, fastConfig(f.srv.URL))
	ctx := context.Background()
	good := SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionStart}
	bad := []struct {
		name string
		call func() error
		want string
	}{
		{"guid", func() error { _, err := c.GetState(ctx, seedUCC, "abc"); return err },
			`correlation id "abc" is not a GUID (want 8-4-4-4-12 hex digits, e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)`},
		{"ucc", func() error { _, err := c.GetState(ctx, "a/b", seedID); return err }, `UCC name "a/b" contains "/"`},
		{"caps", func() error { _, err := c.Capabilities(ctx, ""); return err }, "UCC name is empty"},
		{"sip", func() error { p := good; p.RequesterSIP = "agent@domain.com"; _, err := c.Set(ctx, p); return err },
			`requester SIP URI "agent@domain.com" does not start with sip: or sips:`},
		{"action", func() error { p := good; p.Action = 9; _, err := c.Set(ctx, p); return err }, `action "9" is not a valid action`},
	}
	for _, b := range bad {
		err := b.call()
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.HasPrefix(err.Error(), b.want) {
			t.Errorf("%s: err %v, want prefix %s", b.name, err, b.want)
		}
	}
	if n := len(f.reqs()); n != 0 {
		t.Fatalf("%d requests sent for bad input", n)
	}
}

func TestPathEscaping(t *testing.T) {
	leakCheck(t)
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
	c := mustNew(t, fastConfig(f.srv.URL+"/prefix/"))
	if _, err := c.GetState(context.Background(), "ucc?x#y%z", seedID); err != nil {
		t.Fatal(err)
	}
	r := f.reqs()[0]
	if r.RawPath != "/prefix/attendantservice/api/recording/ucc%3Fx%23y%25z/"+seedID || r.Path != "/prefix/attendantservice/api/recording/ucc?x#y%z/"+seedID {
		t.Fatalf("raw path %q path %q", r.RawPath, r.Path)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "is not an http(s) URL"},
		{Config{BaseURL: "ftp://x"}, "is not an http(s) URL"},
		{Config{BaseURL: "http://x?y=1"}, "must not have a query"},
		{Config{BaseURL: "http://x", APIVersion: "v3"}, `API version "v3" is not v1 or v2`},
		{Config{BaseURL: "http://x", APIVersion: "v2"}, "needs a tenant id or a token URL"},
		{Config{BaseURL: "http://x", APIVersion: "v2", Tenant: "t"}, "needs a username and a password"},
		{Config{BaseURL: "http://x", APIVersion: "v2", Tenant: "t", GrantType: "client_credentials"}, "needs a client secret"},
		{Config{BaseURL: "http://x", APIVersion: "v2", Tenant: "t", GrantType: "magic"}, "is not password or client_credentials"},
		{Config{BaseURL: "http://x", APIVersion: "v2", Tenant: "a/b", Username: "u", Password: "p"}, "must not contain"},
		{Config{BaseURL: "http://x", APIVersion: "v2", TokenURL: "nope", Username: "u", Password: "p"}, "token URL"},
		{Config{BaseURL: "http://x", HubURL: "::"}, "hub URL"},
	}
	for _, tc := range cases {
		_, err := New(tc.cfg)
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
	c, err := New(Config{BaseURL: "https://fqdn/", APIVersion: "V2", Tenant: "2ed153b4-f632-4766-b846-5b2a769b36d1", Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HubURL() != "https://fqdn/attendantservice/hubs/recording" || c.APIVersion() != "v2" {
		t.Fatalf("hub %q api %q", c.HubURL(), c.APIVersion())
	}
	c, _ = New(Config{BaseURL: "http://x", HubURL: "ws://h/hub"})
	if c.HubURL() != "ws://h/hub" {
		t.Fatal(c.HubURL())
	}
	h, err := c.HubHeaders(context.Background())
	if err != nil || len(h) != 0 {
		t.Fatalf("v1 hub headers %v %v", h, err)
	}
}

// fakeToken is a loopback Keycloak token endpoint.
type fakeToken struct {
	srv       *httptest.Server
	mu        sync.Mutex
	forms     []url.Values
	expiresIn int
	issued    []string
}

func newFakeToken(t *testing.T, expiresIn int) *fakeToken {
	t.Helper()
	ft := &fakeToken{expiresIn: expiresIn}
	ft.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		ft.mu.Lock()
		defer ft.mu.Unlock()
		ft.forms = append(ft.forms, r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("password") == "wrong" || r.PostForm.Get("client_secret") == "wrong" {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`)
			return
		}
		tok := fmt.Sprintf("tok-%d", len(ft.issued)+1)
		ft.issued = append(ft.issued, tok)
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":%d,"token_type":"Bearer","refresh_expires_in":1800}`, tok, ft.expiresIn)
	}))
	t.Cleanup(ft.srv.Close)
	return ft
}

func (ft *fakeToken) url() string {
	return ft.srv.URL + "/auth/realms/2ed153b4-f632-4766-b846-5b2a769b36d1/protocol/openid-connect/token"
}

func (ft *fakeToken) count() int {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return len(ft.forms)
}

func TestTokenRequestFormAndCaching(t *testing.T) {
	leakCheck(t)
	for _, grant := range []string{"", GrantClientCredentials} {
		tok := newFakeToken(t, 300)
		f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
		cfg := fastConfig(f.srv.URL)
		cfg.APIVersion, cfg.TokenURL, cfg.GrantType = "v2", tok.url(), grant
		cfg.Username, cfg.Password, cfg.ClientSecret = "alice@example.com", "pa ss&word", "s3cr3t"
		c := mustNew(t, cfg)
		for range 3 {
			if _, err := c.GetState(context.Background(), seedUCC, seedID); err != nil {
				t.Fatal(err)
			}
		}
		if tok.count() != 1 {
			t.Fatalf("%d token requests for 3 calls, want 1 (cached)", tok.count())
		}
		form := tok.forms[0]
		wantGrant := grant
		if wantGrant == "" {
			wantGrant = "password"
		}
		want := url.Values{"client_id": {"coreapi"}, "username": {"alice@example.com"}, "password": {"pa ss&word"}, "client_secret": {"s3cr3t"}, "grant_type": {wantGrant}}
		for k, v := range want {
			if form.Get(k) != v[0] {
				t.Errorf("form %s=%q want %q", k, form.Get(k), v[0])
			}
		}
		for _, r := range f.reqs() {
			if r.Header.Get("Authorization") != "Bearer tok-1" {
				t.Fatalf("Authorization %q", r.Header.Get("Authorization"))
			}
		}
		h, err := c.HubHeaders(context.Background())
		if err != nil || h.Get("Authorization") != "Bearer tok-1" {
			t.Fatalf("hub headers %v %v", h, err)
		}
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	leakCheck(t)
	tok := newFakeToken(t, 1) // 1 s lifetime: renewed after ~0.5 s
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
	cfg := fastConfig(f.srv.URL)
	cfg.APIVersion, cfg.TokenURL, cfg.Username, cfg.Password = "v2", tok.url(), "u", "p"
	c := mustNew(t, cfg)
	if _, err := c.GetState(context.Background(), seedUCC, seedID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetState(context.Background(), seedUCC, seedID); err != nil {
		t.Fatal(err)
	}
	if tok.count() != 1 {
		t.Fatalf("token not reused within its life: %d requests", tok.count())
	}
	deadline := time.Now().Add(5 * time.Second)
	for tok.count() < 2 && time.Now().Before(deadline) {
		if _, err := c.GetState(context.Background(), seedUCC, seedID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if tok.count() < 2 {
		t.Fatal("token never renewed")
	}
	last := f.reqs()[len(f.reqs())-1]
	if last.Header.Get("Authorization") != "Bearer tok-2" {
		t.Fatalf("renewed token not used: %q", last.Header.Get("Authorization"))
	}
}

func TestUnauthorizedRefreshesOnceAndRetriesOnce(t *testing.T) {
	leakCheck(t)
	tok := newFakeToken(t, 300)
	var mu sync.Mutex
	accept := "tok-2" // the first token is "revoked" by the server
	f := newFakeAPI(t, func(_ int, r *http.Request, _ []byte) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+accept {
			return 401, ""
		}
		return 200, seedFoundBody
	})
	cfg := fastConfig(f.srv.URL)
	cfg.APIVersion, cfg.TokenURL, cfg.Username, cfg.Password = "v2", tok.url(), "u", "p"
	c := mustNew(t, cfg)
	if _, err := c.Set(context.Background(), SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionStart}); err != nil {
		t.Fatalf("after refresh: %v", err)
	}
	if tok.count() != 2 || len(f.reqs()) != 2 {
		t.Fatalf("token requests %d, API requests %d; want 2 and 2", tok.count(), len(f.reqs()))
	}
	// The server now refuses every token: one refresh, one retry, then an AuthError.
	mu.Lock()
	accept = "never"
	mu.Unlock()
	_, err := c.GetState(context.Background(), seedUCC, seedID)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != 401 || !IsAuth(err) {
		t.Fatalf("err %v", err)
	}
	if tok.count() != 3 || len(f.reqs()) != 4 {
		t.Fatalf("token requests %d, API requests %d; want 3 and 4", tok.count(), len(f.reqs()))
	}
}

func TestTokenErrorsHoldNoSecret(t *testing.T) {
	leakCheck(t)
	tok := newFakeToken(t, 300)
	f := newFakeAPI(t, func(int, *http.Request, []byte) (int, string) { return 200, seedFoundBody })
	cfg := fastConfig(f.srv.URL)
	cfg.APIVersion, cfg.TokenURL, cfg.Username, cfg.Password, cfg.ClientSecret = "v2", tok.url(), "u", "wrong", "topsecret-value"
	c := mustNew(t, cfg)
	_, err := c.GetState(context.Background(), seedUCC, seedID)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("err %v", err)
	}
	if want := "authentication failed: token request refused (HTTP 401): invalid_grant (Invalid user credentials)"; err.Error() != want {
		t.Fatalf("Error() %q want %q", err.Error(), want)
	}
	if len(f.reqs()) != 0 {
		t.Fatal("API called without a token")
	}
	if _, err := c.HubHeaders(context.Background()); !IsAuth(err) {
		t.Fatalf("hub headers err %v", err)
	}

	// A token endpoint that echoes the form must not leak it either.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(400)
		_, _ = io.WriteString(w, "bad request: "+r.PostForm.Encode())
	}))
	defer echo.Close()
	cfg.TokenURL, cfg.Password = echo.URL, "hunter2-secret"
	c = mustNew(t, cfg)
	_, err = c.GetState(context.Background(), seedUCC, seedID)
	if !IsAuth(err) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("err %v", err)
	}

	// Unreachable token endpoint: an AuthError wrapping a TransportError.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cfg.TokenURL = "http://" + addr + "/token"
	c = mustNew(t, cfg)
	_, err = c.GetState(context.Background(), seedUCC, seedID)
	var te *TransportError
	if !IsAuth(err) || !errors.As(err, &te) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err %v", err)
	}
}

// BenchmarkGetState measures one GET round trip over loopback.
func BenchmarkGetState(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, seedFoundBody)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	defer c.hc.CloseIdleConnections()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetState(ctx, seedUCC, seedID); err != nil {
			b.Fatal(err)
		}
	}
}

// A server that hangs up after reading an action (a restart mid-request):
// the error says the action may or may not have been applied, so the
// supervisor knows to check, instead of a bare "EOF".
func TestSetConnectionDroppedSaysCheckState(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Set(context.Background(), SetParams{UCC: "payments", CorrelationID: exampleGUID, RequesterSIP: "sip:agent@domain.com", Action: ActionPause})
	var te *TransportError
	if !errors.As(err, &te) || !IsNetwork(err) {
		t.Fatalf("err = %v (%T), want a *TransportError", err, err)
	}
	if !strings.Contains(err.Error(), "may or may not have been applied") {
		t.Fatalf("error does not tell the supervisor to check the state: %v", err)
	}
	// A GET that hangs up is retried and then fails plainly (nothing to check).
	_, err = c.GetState(context.Background(), "payments", exampleGUID)
	if err == nil || strings.Contains(err.Error(), "may or may not") {
		t.Fatalf("GET: %v", err)
	}
}
