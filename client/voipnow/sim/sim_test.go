package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/voipnow"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func serve(t *testing.T, s *Server) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() { hc.CloseIdleConnections(); srv.Close() })
	return srv, hc
}

func client(t *testing.T, srv *httptest.Server, hc *http.Client) *voipnow.Client {
	t.Helper()
	c, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: DemoClientID, ClientSecret: DemoClientSecret, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTokenEndpointErrors(t *testing.T) {
	srv, hc := serve(t, New(Options{LiveCalls: -1}))
	cases := []struct {
		form   url.Values
		status int
		code   string
	}{
		{url.Values{"grant_type": {"password"}, "client_id": {"demo"}, "client_secret": {"demo"}, "type": {"unifiedapi"}}, 400, "unsupported_grant_type"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo"}, "client_secret": {"demo"}}, 400, "invalid_request"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo"}, "client_secret": {"nope"}, "type": {"unifiedapi"}}, 401, "invalid_client"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo"}, "client_secret": {"demo"}, "type": {"unifiedapi"}}, 200, ""},
	}
	for _, tc := range cases {
		res, err := hc.PostForm(srv.URL+"/oauth/token.php", tc.form)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != tc.status || (tc.code != "" && body["error"] != tc.code) {
			t.Errorf("%v: %d %v", tc.form, res.StatusCode, body)
		}
		if tc.status == 200 && (body["access_token"] == "" || body["expires_in"] != 3600.0 || body["token_type"] != "Bearer") {
			t.Errorf("token answer %v", body)
		}
	}
	res, err := hc.Get(srv.URL + "/oauth/token.php")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d", res.StatusCode)
	}
}

// TestGeneratedCallsMove runs the demo PBX through five simulated minutes and
// checks calls go ringing -> on call -> gone, and new ones keep arriving.
func TestGeneratedCallsMove(t *testing.T) {
	ck := NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	s := New(Options{Now: ck.Now, Seed: 42})
	srv, hc := serve(t, s)
	c := client(t, srv, hc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	last := map[string]voipnow.Status{} // call/view -> last status seen
	seen := map[string]bool{}
	var answered, ended, maxLive int
	for step := range 300 {
		listing, err := c.ListAllCalls(ctx, voipnow.ListParams{UserID: voipnow.UserOwner}, 0)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		calls := listing.Calls
		maxLive = max(maxLive, len(calls))
		now := map[string]bool{}
		for _, call := range calls {
			seen[string(call.ID)] = true
			for _, v := range call.Views {
				k := string(call.ID) + "/" + string(v.ID)
				now[k] = true
				prev, had := last[k]
				if had && prev != v.Status {
					if v.Status != voipnow.StatusOnCall || (prev != voipnow.StatusRinging && prev != voipnow.StatusOtherRinging) {
						t.Fatalf("%s went %s -> %s", k, prev, v.Status)
					}
					answered++
				}
				last[k] = v.Status
			}
		}
		for k := range last {
			if !now[k] {
				if last[k] != voipnow.StatusOnCall {
					t.Fatalf("%s ended while %s", k, last[k])
				}
				ended++
				delete(last, k)
			}
		}
		ck.Add(time.Second)
	}
	if answered < 5 || ended < 5 || len(seen) < 10 || maxLive > 8 {
		t.Errorf("answered %d, ended %d, calls seen %d, most live %d", answered, ended, len(seen), maxLive)
	}
}

func TestSeedReproducible(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	list := func() []voipnow.PhoneCall {
		srv, hc := serve(t, New(Options{Now: func() time.Time { return at }, Seed: 9}))
		listing, err := client(t, srv, hc).ListAllCalls(context.Background(), voipnow.ListParams{UserID: voipnow.UserOwner}, 0)
		if err != nil {
			t.Fatal(err)
		}
		calls := listing.Calls
		for i := range calls {
			calls[i].Link = nil // carries the listener's port
		}
		return calls
	}
	a, b := list(), list()
	if len(a) != 7 || !reflect.DeepEqual(a, b) {
		t.Errorf("two simulators with one seed differ (%d, %d calls)", len(a), len(b))
	}
}

// TestRegisterOnSharedMux: the routes live beside other handlers and claim
// nothing else.
func TestRegisterOnSharedMux(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	New(Options{LiveCalls: -1}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for path, want := range map[string]int{"/other": 418, "/": 404, "/uapi/phoneCalls/@me/@self": 401} {
		res, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// FuzzAction sends arbitrary path parts and bodies to the PUT handler: it
// never panics, answers a known status, and always with the documented
// JSON (an error body or a PhoneCall).
func FuzzAction(f *testing.F) {
	f.Add("12", "0003*210", "444444", `{"action":"StartRecording","format":"wav","phoneCallViewId":"01"}`)
	f.Add("@me", "@self", SeedCallID, `{"action":"StopRecording","phoneCallViewId":"01"}`)
	f.Add("@owner", "@self", SeedCallID, `{"action":"StartRecording","format":"wav49","phoneCallViewId":"02"}`)
	f.Add("14", "0004*001", "x", `{"action":"Park"}`)
	f.Add("999", "0003*299", "", `not json`)
	f.Add("@viewer", "0003*212", SeedCallID, `{"action":"StartRecording","format":"mp3"}`)
	f.Add("12", "0003*210", SeedCallID, `{"action":5,"format":[]}`)

	s := New(Options{Seed: 1})
	h := s.Handler()
	rec := httptest.NewRecorder()
	treq := httptest.NewRequest(http.MethodPost, "/oauth/token.php",
		strings.NewReader("grant_type=client_credentials&client_id=demo&client_secret=demo&type=unifiedapi"))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, treq)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatalf("token: %s %v", rec.Body, err)
	}
	f.Fuzz(func(t *testing.T, user, ext, id, body string) {
		u := &url.URL{Path: "/uapi/phoneCalls/" + user + "/" + ext + "/" + id}
		req := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(body))
		req.URL = u
		req.RequestURI = u.EscapedPath()
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			if _, err := voipnow.DecodePhoneCall(rec.Body.Bytes()); err != nil {
				t.Fatalf("200 with %s: %v", rec.Body, err)
			}
		case 400, 403, 500:
			if _, ok := voipnow.DecodeErrorBody(rec.Body.Bytes()); !ok {
				t.Fatalf("%d without an error body: %s", rec.Code, rec.Body)
			}
		case 301, 307, 308, 404, 405: // the mux's own answers to odd paths
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestSlowBodyDoesNotStallThePBX: a PUT whose body never finishes arriving
// does not hold the simulator's lock, so other requests are answered.
func TestSlowBodyDoesNotStallThePBX(t *testing.T) {
	s := New(Options{LiveCalls: -1})
	reading := make(chan struct{})
	var once sync.Once
	h := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut { // signal when the handler starts reading the body
			r.Body = &signalReader{ReadCloser: r.Body, first: func() { once.Do(func() { close(reading) }) }}
		}
		h.ServeHTTP(w, r)
	}))
	hc := &http.Client{Transport: &http.Transport{}}
	defer func() { hc.CloseIdleConnections(); srv.Close() }()
	c := client(t, srv, hc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.ListCalls(ctx, voipnow.ListParams{}); err != nil { // fetches the token
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/uapi/phoneCalls/@me/@self/"+SeedCallID, pr)
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		if res, err := hc.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	go pw.Write([]byte(`{"action":`)) // then nothing more until the end
	select {
	case <-reading:
	case <-ctx.Done():
		t.Fatal("the PUT never reached the handler")
	}
	// With the lock held while the body is read, this would wait for the
	// body until its deadline.
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	defer cancelShort()
	if _, err := c.ListCalls(short, voipnow.ListParams{}); err != nil {
		t.Fatalf("list while a body is still arriving: %v", err)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-slowDone
}

// signalReader calls first before its first Read.
type signalReader struct {
	io.ReadCloser
	first func()
}

func (r *signalReader) Read(p []byte) (int, error) {
	r.first()
	return r.ReadCloser.Read(p)
}
