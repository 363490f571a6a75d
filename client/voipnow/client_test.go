package voipnow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seedNow is the instant of seed 002's "recording" timestamp.
var seedNow = time.Date(2012, 6, 27, 16, 18, 55, 0, time.FixedZone("", 3*3600))

// env is one simulator on loopback and a client pointed at it.
type env struct {
	sim    *sim.Server
	srv    *httptest.Server
	client *voipnow.Client
	clock  *sim.Clock
	hc     *http.Client
}

// newEnv starts the simulator (no generated calls unless opts says so) on
// 127.0.0.1 with wrap around its handler (nil: none), and a client.
func newEnv(t *testing.T, opts sim.Options, wrap func(http.Handler) http.Handler, cfg voipnow.Config) *env {
	t.Helper()
	ck := sim.NewClock(seedNow)
	if opts.Now == nil {
		opts.Now = ck.Now
	}
	if opts.LiveCalls == 0 {
		opts.LiveCalls = -1
	}
	s := sim.New(opts)
	var h http.Handler = s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h) // binds 127.0.0.1:0
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		hc.CloseIdleConnections()
		srv.Close()
	})
	if cfg.BaseURL == "" {
		cfg.BaseURL = srv.URL
	}
	if cfg.ClientID == "" {
		cfg.ClientID = sim.DemoClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = sim.DemoClientSecret
	}
	cfg.HTTPClient = hc
	cfg.Timeout = 5 * time.Second
	c, err := voipnow.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{sim: s, srv: srv, client: c, clock: ck, hc: hc}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// seedResponse is seed 002's answer with its two slips fixed: the missing
// comma before "link", and "published" is written in the same +03:00 zone
// as the other times (the seed says +02:00, an hour off its own "answered").
var seedResponse = strings.Replace(voipnow.SeedResponseFixed,
	`"published":"2012-06-27T16:08:50+02:00"`, `"published":"2012-06-27T16:08:50+03:00"`, 1)

// TestSeedExampleVerbatim sends seed 002's request as written (singular
// path, ids 12 / 0003*210 / 444444, its body) and compares the answer with
// the seed's response.
func TestSeedExampleVerbatim(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	tok := fetchToken(t, e)

	body := "{\n  \"action\":\"StartRecording\",\n  \"format\":\"wav\",\n  \"phoneCallViewId\":\"01\"\n}"
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodPut, e.srv.URL+"/uapi/phoneCall/12/0003*210/444444", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, got)
	}
	gotCall, err := voipnow.DecodePhoneCall(got)
	if err != nil {
		t.Fatal(err)
	}
	want, err := voipnow.DecodePhoneCall([]byte(seedResponse))
	if err != nil {
		t.Fatal(err)
	}
	if self := gotCall.Link["self"]; self != e.srv.URL+"/uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333" {
		t.Errorf("link self = %q", self)
	}
	gotCall.Link, want.Link = nil, nil
	if !reflect.DeepEqual(gotCall, want) {
		t.Errorf("answer differs from the seed's:\n got %+v\nwant %+v", gotCall, want)
	}
	// The raw JSON carries the seed's field spellings and string status.
	for _, frag := range []string{`"status":"5"`, `"callerId":"John Doe <3333>"`, `"recording":"2012-06-27T16:18:55+03:00"`, `"ownerName":"Default Organization"`} {
		if !strings.Contains(string(got), frag) {
			t.Errorf("answer lacks %s: %s", frag, got)
		}
	}
}

// TestSeedExampleThroughClient does the same through the client (plural
// path) and checks the view the client decodes.
func TestSeedExampleThroughClient(t *testing.T) {
	var mu sync.Mutex
	var uris []string
	record := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			uris = append(uris, r.Method+" "+r.RequestURI)
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{}, record, voipnow.Config{})
	call, err := e.client.StartRecording(ctx(t), voipnow.RecordParams{UserID: "12", Extension: "0003*210", PhoneCallID: "444444", ViewID: "01", Format: voipnow.FormatWAV})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := call.View("01")
	if !ok || !v.IsRecording() || v.Recording != "2012-06-27T16:18:55+03:00" || v.Status != voipnow.StatusOnCall || v.CallerID != "John Doe <3333>" {
		t.Fatalf("view = %+v", v)
	}
	if string(call.ID) != sim.SeedCallID || call.OwnerName != "Default Organization" {
		t.Errorf("call = %+v", call)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"POST /oauth/token.php", "PUT /uapi/phoneCalls/12/0003*210/444444"}
	if !reflect.DeepEqual(uris, want) {
		t.Errorf("requests = %q, want %q", uris, want)
	}
}

func fetchToken(t *testing.T, e *env) string {
	t.Helper()
	form := "grant_type=client_credentials&client_id=demo&client_secret=demo&type=unifiedapi"
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, e.srv.URL+"/oauth/token.php", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" || tok.ExpiresIn != 3600 {
		t.Fatalf("token answer %+v, %v", tok, err)
	}
	return tok.AccessToken
}

func TestListPagingAndFilters(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	var ids []string
	for range 12 {
		e.clock.Add(time.Second)
		ids = append(ids, e.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0))
	}
	c := ctx(t)
	// @me/@self: the seed call (oldest) and the twelve, 5 a page.
	var got []string
	for start := 0; start < 15; start += 5 {
		l, err := e.client.ListCalls(c, voipnow.ListParams{Count: 5, StartIndex: start})
		if err != nil {
			t.Fatal(err)
		}
		if l.TotalResults != 13 || l.StartIndex != start {
			t.Errorf("page %d: total %d start %d", start, l.TotalResults, l.StartIndex)
		}
		for _, call := range l.Calls {
			got = append(got, string(call.ID))
		}
	}
	want := append([]string{sim.SeedCallID}, ids...)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paged ids = %v\nwant %v", got, want)
	}
	// Past the end: 204, an empty list and no error.
	l, err := e.client.ListCalls(c, voipnow.ListParams{Count: 5, StartIndex: 100})
	if err != nil || len(l.Calls) != 0 {
		t.Fatalf("past the end: %+v, %v", l, err)
	}
	// ListAllCalls pages by itself: 3 requests of 5.
	before := e.sim.Stats().APIRequests
	listing, err := e.client.ListAllCalls(c, voipnow.ListParams{Count: 5}, 0)
	if err != nil || len(listing.Calls) != 13 || !listing.Complete || listing.Limited || listing.Summary() != "13 calls" {
		t.Fatalf("ListAllCalls: %+v, %v", listing, err)
	}
	if n := e.sim.Stats().APIRequests - before; n != 3 {
		t.Errorf("ListAllCalls made %d requests, want 3", n)
	}
	// max caps the result.
	// max caps the result, and says so.
	if some, err := e.client.ListAllCalls(c, voipnow.ListParams{Count: 5}, 7); err != nil || len(some.Calls) != 7 ||
		!some.Limited || some.Summary() != "showing 7 of 13 calls" {
		t.Errorf("ListAllCalls max 7: %+v, %v", some, err)
	}
	// One extension.
	l, err = e.client.ListCalls(c, voipnow.ListParams{Extension: sim.ExtSales, Count: 100})
	if err != nil || len(l.Calls) != 12 {
		t.Errorf("extension %s: %d calls, %v", sim.ExtSales, len(l.Calls), err)
	}
	// filterBy id.
	l, err = e.client.ListCalls(c, voipnow.ListParams{FilterBy: "id", FilterValue: ids[3]})
	if err != nil || len(l.Calls) != 1 || string(l.Calls[0].ID) != ids[3] {
		t.Errorf("filter by id: %+v, %v", l, err)
	}
	// filterBy published greaterThan the 10th call's publish time.
	l, err = e.client.ListCalls(c, voipnow.ListParams{Count: 100, FilterBy: "published", FilterOp: "greaterThan", FilterValue: string(listing.Calls[10].Published)})
	if err != nil || len(l.Calls) != 2 {
		t.Errorf("filter by published: %d calls, %v", len(l.Calls), err)
	}
	// @owner with @self sees the whole organization; one call by id.
	call, err := e.client.GetCall(c, voipnow.UserOwner, voipnow.ExtSelf, sim.SeedCallAlias)
	if err != nil || string(call.ID) != sim.SeedCallID {
		t.Errorf("GetCall alias: %+v, %v", call, err)
	}
	if _, err := e.client.GetCall(c, "", "", "nosuchcall1"); !voipnow.IsCode(err, voipnow.CodePhoneCallInvalid) {
		t.Errorf("GetCall unknown: %v", err)
	}
}

func TestNoCallsIs204(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	l, err := e.client.ListCalls(ctx(t), voipnow.ListParams{Extension: sim.ExtSales})
	if err != nil || len(l.Calls) != 0 {
		t.Fatalf("%+v, %v", l, err)
	}
}

// TestCallLifecycleAndRecording walks a call through ringing -> on call ->
// ended with recording started and stopped on the way.
func TestCallLifecycleAndRecording(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	c := ctx(t)
	id := e.sim.AddCall(sim.ExtReception, voipnow.FlowIncoming, "0722000111", 5*time.Second, 30*time.Second)
	rp := voipnow.RecordParams{Extension: sim.ExtReception, PhoneCallID: id, ViewID: "01", Format: "WAV49"}

	call, err := e.client.GetCall(c, "", sim.ExtReception, id)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := call.View("01")
	if v.Status != voipnow.StatusRinging || v.Flow != voipnow.FlowIncoming || call.Answered != "" {
		t.Fatalf("ringing view = %+v", v)
	}
	if _, err := e.client.StartRecording(c, rp); !voipnow.IsCode(err, voipnow.CodePhoneCallViewInvalid) {
		t.Fatalf("recording a ringing call: %v", err)
	}

	e.clock.Add(6 * time.Second)
	call, err = e.client.StartRecording(c, rp)
	if err != nil {
		t.Fatal(err)
	}
	v, _ = call.View("01")
	if v.Status != voipnow.StatusOnCall || !v.IsRecording() {
		t.Fatalf("on call view = %+v", v)
	}
	started := v.Recording
	e.clock.Add(time.Second)
	// Starting again keeps the first start time.
	if call, err = e.client.StartRecording(c, rp); err != nil {
		t.Fatal(err)
	}
	if v, _ = call.View("01"); v.Recording != started {
		t.Errorf("restart changed the start time: %s -> %s", started, v.Recording)
	}
	if call, err = e.client.StopRecording(c, rp); err != nil {
		t.Fatal(err)
	}
	if v, _ = call.View("01"); v.IsRecording() {
		t.Errorf("still recording after stop: %+v", v)
	}
	e.clock.Add(31 * time.Second)
	if _, err := e.client.StartRecording(c, rp); !voipnow.IsCode(err, voipnow.CodePhoneCallInvalid) {
		t.Fatalf("recording an ended call: %v", err)
	}
}

// TestErrorCodes makes the simulator answer every error code in its
// situation and checks each reads clearly.
func TestErrorCodes(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	c := ctx(t)
	legal := e.sim.AddCall(sim.ExtNoRecording, voipnow.FlowIncoming, "", time.Second, 0)
	e.clock.Add(2 * time.Second)
	seed := voipnow.RecordParams{UserID: "12", Extension: sim.SeedExtension, PhoneCallID: sim.SeedCallID, ViewID: "01"}
	with := func(f func(*voipnow.RecordParams)) voipnow.RecordParams { r := seed; f(&r); return r }

	cases := []struct {
		name   string
		params voipnow.RecordParams
		code   string
		status int
		msg    string
	}{
		{"pc_phonecall_invalid", with(func(r *voipnow.RecordParams) { r.PhoneCallID = "deadbeef00" }), voipnow.CodePhoneCallInvalid, 400, sim.MsgPhoneCallInvalid},
		{"pc_phonecallview_invalid", with(func(r *voipnow.RecordParams) { r.ViewID = "07" }), voipnow.CodePhoneCallViewInvalid, 400, sim.MsgPhoneCallViewInvalid},
		{"user_invalid", with(func(r *voipnow.RecordParams) { r.UserID = "999" }), voipnow.CodeUserInvalid, 400, sim.MsgUserInvalid},
		{"extension_invalid unknown", with(func(r *voipnow.RecordParams) { r.Extension = "0003*299" }), voipnow.CodeExtensionInvalid, 400, sim.MsgExtensionInvalid},
		{"extension_invalid other user's", with(func(r *voipnow.RecordParams) { r.Extension = sim.ExtSupport }), voipnow.CodeExtensionInvalid, 400, sim.MsgExtensionInvalid},
		{"access_denied other organization", with(func(r *voipnow.RecordParams) { r.UserID = sim.OtherOrgUserID; r.Extension = sim.ExtOtherOrg }), voipnow.CodeAccessDenied, 403, sim.MsgAccessDeniedUser},
		{"pc_recording_disabled", voipnow.RecordParams{Extension: sim.ExtNoRecording, PhoneCallID: legal, ViewID: "01"}, voipnow.CodeRecordingDisabled, 400, sim.MsgRecordingDisabled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.StartRecording(c, tc.params)
			var ae *voipnow.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want an APIError", err, err)
			}
			if ae.Code != tc.code || ae.Status != tc.status || ae.Message != tc.msg {
				t.Errorf("got %d %s %q", ae.Status, ae.Code, ae.Message)
			}
			if ae.Hint() == "" || !strings.Contains(err.Error(), ae.Hint()) || !strings.Contains(err.Error(), tc.code) {
				t.Errorf("error text does not explain itself: %v", err)
			}
		})
	}

	t.Run("internal_server_error", func(t *testing.T) {
		e.sim.FailNext(1)
		_, err := e.client.ListCalls(c, voipnow.ListParams{})
		var ae *voipnow.APIError
		if !errors.As(err, &ae) || ae.Code != voipnow.CodeInternal || ae.Status != 500 || !strings.Contains(err.Error(), "try again") {
			t.Fatalf("err = %v", err)
		}
		if _, err := e.client.ListCalls(c, voipnow.ListParams{}); err != nil {
			t.Fatalf("after the fault: %v", err)
		}
	})

	// pc_recformat_invalid: the client refuses a bad format before sending;
	// the simulator answers the code to a raw request with the seed's text.
	t.Run("pc_recformat_invalid", func(t *testing.T) {
		before := e.sim.Stats().APIRequests
		_, err := e.client.StartRecording(c, with(func(r *voipnow.RecordParams) { r.Format = "mp3" }))
		if !voipnow.IsValidation(err) || !strings.Contains(err.Error(), "wav or wav49") {
			t.Fatalf("err = %v", err)
		}
		if e.sim.Stats().APIRequests != before {
			t.Error("a bad format was sent")
		}
		status, body := rawPut(t, e, "/uapi/phoneCalls/12/0003*210/"+sim.SeedCallID, `{"action":"StartRecording","format":"mp3","phoneCallViewId":"01"}`)
		d, ok := voipnow.DecodeErrorBody(body)
		if status != 400 || !ok || d.Code != voipnow.CodeRecFormatInvalid || d.Message != sim.MsgRecFormatInvalid {
			t.Errorf("raw bad format: %d %s", status, body)
		}
	})

	// access_denied 401: no token at all.
	t.Run("access_denied without a token", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(c, http.MethodGet, e.srv.URL+"/uapi/phoneCalls/@me/@self", nil)
		res, err := e.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		d, ok := voipnow.DecodeErrorBody(body)
		if res.StatusCode != 401 || !ok || d.Code != voipnow.CodeAccessDenied {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
}

func rawPut(t *testing.T, e *env, path, body string) (int, []byte) {
	t.Helper()
	tok := fetchToken(t, e)
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodPut, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestAPIRefusesEveryToken: a PBX that answers 401 to every token gives
// exactly one retry with a fresh token, then an AuthError that still says
// access_denied.
func TestAPIRefusesEveryToken(t *testing.T) {
	strip := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Authorization")
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{}, strip, voipnow.Config{})
	_, err := e.client.ListCalls(ctx(t), voipnow.ListParams{})
	if !voipnow.IsAuth(err) || !voipnow.IsCode(err, voipnow.CodeAccessDenied) {
		t.Fatalf("err = %v", err)
	}
	if st := e.sim.Stats(); st.TokensIssued != 2 || st.Unauthorized != 2 {
		t.Errorf("stats = %+v, want 2 tokens and 2 refusals", st)
	}
}

func TestTokenExpiryAndRefresh(t *testing.T) {
	t.Run("renewed before expiry", func(t *testing.T) {
		ck := sim.NewClock(seedNow)
		e := newEnv(t, sim.Options{Now: ck.Now, TokenTTL: time.Minute}, nil, voipnow.Config{Now: ck.Now, TokenExpiryMargin: 10 * time.Second})
		c := ctx(t)
		list := func() {
			t.Helper()
			if _, err := e.client.ListCalls(c, voipnow.ListParams{}); err != nil {
				t.Fatal(err)
			}
		}
		list()
		ck.Add(45 * time.Second)
		list()
		if n := e.sim.Stats().TokensIssued; n != 1 {
			t.Fatalf("tokens issued = %d, want 1 (cached)", n)
		}
		ck.Add(10 * time.Second) // 55 s: inside the 10 s margin
		list()
		if st := e.sim.Stats(); st.TokensIssued != 2 || st.Unauthorized != 0 {
			t.Fatalf("stats = %+v, want a renewal before expiry and no 401", st)
		}
	})
	t.Run("expired at the server: 401, renewed, retried", func(t *testing.T) {
		e := newEnv(t, sim.Options{TokenTTL: time.Minute}, nil, voipnow.Config{}) // client on real time
		c := ctx(t)
		if _, err := e.client.ListCalls(c, voipnow.ListParams{}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(2 * time.Minute) // only the PBX's clock moves
		if _, err := e.client.ListCalls(c, voipnow.ListParams{}); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
		if st := e.sim.Stats(); st.TokensIssued != 2 || st.Unauthorized != 1 {
			t.Fatalf("stats = %+v", st)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
		c := ctx(t)
		if _, err := e.client.ListCalls(c, voipnow.ListParams{}); err != nil {
			t.Fatal(err)
		}
		e.sim.RevokeTokens()
		if _, err := e.client.StopRecording(c, voipnow.RecordParams{PhoneCallID: sim.SeedCallID, ViewID: "01"}); err != nil {
			t.Fatalf("after revocation: %v", err)
		}
		if st := e.sim.Stats(); st.TokensIssued != 2 {
			t.Fatalf("stats = %+v", st)
		}
	})
	t.Run("bad secret", func(t *testing.T) {
		const secret = "s3cr3t-Wrong_&value"
		e := newEnv(t, sim.Options{}, nil, voipnow.Config{ClientSecret: secret})
		_, err := e.client.ListCalls(ctx(t), voipnow.ListParams{})
		var ae *voipnow.AuthError
		if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("the secret leaked: %v", err)
		}
		if e.sim.Stats().APIRequests != 0 {
			t.Error("an API request was sent without a token")
		}
	})
}

// TestConcurrentCallsShareOneToken: parallel callers wait for one token.
func TestConcurrentCallsShareOneToken(t *testing.T) {
	e := newEnv(t, sim.Options{LiveCalls: 4, Seed: 7}, nil, voipnow.Config{})
	c := ctx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := e.client.ListAllCalls(c, voipnow.ListParams{}, 0)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sim.Stats().TokensIssued; n != 1 {
		t.Errorf("tokens issued = %d, want 1", n)
	}
}

func TestValidationSendsNothing(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	c := ctx(t)
	lists := []voipnow.ListParams{
		{UserID: "a/b"}, {UserID: "@self"}, {Extension: "abc"}, {Extension: "0003*2*1"},
		{Count: 5001}, {Count: -1}, {StartIndex: -1}, {StartIndex: 5001},
		{FilterBy: "caller", FilterValue: "x"}, {FilterBy: "id"}, {FilterValue: "x"},
		{FilterBy: "id", FilterValue: "x", FilterOp: "like"},
	}
	for _, p := range lists {
		if _, err := e.client.ListCalls(c, p); !voipnow.IsValidation(err) {
			t.Errorf("ListCalls(%+v) = %v, want a ValidationError", p, err)
		}
	}
	records := []voipnow.RecordParams{
		{PhoneCallID: "", ViewID: "01"}, {PhoneCallID: "a b", ViewID: "01"}, {PhoneCallID: "x1", ViewID: ""},
		{PhoneCallID: "x1", ViewID: "0/1"}, {PhoneCallID: "x1", ViewID: "01", Format: "mp3"},
		{PhoneCallID: "x1", ViewID: "01", UserID: "\x1b[2J"},
	}
	for _, r := range records {
		_, err := e.client.StartRecording(c, r)
		if !voipnow.IsValidation(err) {
			t.Errorf("StartRecording(%+v) = %v, want a ValidationError", r, err)
		}
		if strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("control character in %q", err)
		}
	}
	if st := e.sim.Stats(); st.APIRequests != 0 || st.TokensIssued != 0 {
		t.Errorf("requests were sent: %+v", st)
	}
	if _, err := voipnow.New(voipnow.Config{BaseURL: "ftp://x", ClientID: "a", ClientSecret: "b"}); !voipnow.IsValidation(err) {
		t.Errorf("bad base URL: %v", err)
	}
	if _, err := voipnow.New(voipnow.Config{BaseURL: "https://x"}); !voipnow.IsValidation(err) {
		t.Errorf("no client id: %v", err)
	}
}

// TestUnusableAnswers: answers that are not the documented JSON give a
// ResponseError naming the status with an excerpt.
func TestUnusableAnswers(t *testing.T) {
	s := sim.New(sim.Options{LiveCalls: -1})
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token.php", s.Handler())
	mux.HandleFunc("/uapi/phoneCalls/@me/{ext}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("ext") {
		case "1":
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		case "2":
			io.WriteString(w, "not json at all")
		case "3":
			w.Write(bytes.Repeat([]byte("x"), 2<<10))
		case "4":
			w.WriteHeader(http.StatusTeapot)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	cl, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: "demo", ClientSecret: "demo", HTTPClient: hc, MaxBodyBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for ext, want := range map[string]string{
		"1": `HTTP 502): "<html><body>502 Bad Gateway`,
		"2": `HTTP 200): "not json at all"`,
		"3": "larger than 1024 bytes",
		"4": "HTTP 418, empty body",
	} {
		_, err := cl.ListCalls(ctx(t), voipnow.ListParams{Extension: ext})
		var re *voipnow.ResponseError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
			t.Errorf("ext %s: err = %v, want a ResponseError with %q", ext, err, want)
		}
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	cl, err := voipnow.New(voipnow.Config{BaseURL: "http://" + addr, ClientID: "demo", ClientSecret: "topsecret", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.ListCalls(ctx(t), voipnow.ListParams{})
	if !voipnow.IsAuth(err) || !voipnow.IsNetwork(err) || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("err = %v", err)
	}
}

// TestTokenEndpointFailureIsNotABadSecret: a token endpoint answering 500
// reads as the endpoint failing, not as a wrong secret.
func TestTokenEndpointFailureIsNotABadSecret(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token.php", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "upstream down")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	cl, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: "demo", ClientSecret: "demo", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.ListCalls(ctx(t), voipnow.ListParams{})
	var ae *voipnow.AuthError
	if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(err.Error(), "failed (HTTP 500)") || strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v", err)
	}
}

// TestURLPasswordsNeverShown: a base or token URL carrying a password is
// refused, and the error does not repeat the password.
func TestURLPasswordsNeverShown(t *testing.T) {
	for _, cfg := range []voipnow.Config{
		{BaseURL: "https://admin:hunter2@pbx.example.com"},
		{BaseURL: "ftp://admin:hunter2@pbx.example.com"},
		{BaseURL: "https://admin:hunter2@pbx example.com"},
		{BaseURL: "https://pbx.example.com", TokenURL: "https://admin:hunter2@pbx.example.com/oauth/token.php"},
		{BaseURL: "https://pbx.example.com", TokenURL: "ftp://admin:hunter2@pbx.example.com/oauth/token.php"},
	} {
		cfg.ClientID, cfg.ClientSecret = "demo", "demo"
		_, err := voipnow.New(cfg)
		if !voipnow.IsValidation(err) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s %s: err = %v", cfg.BaseURL, cfg.TokenURL, err)
		}
	}
}

func TestAPIErrorWithoutCode(t *testing.T) {
	err := &voipnow.APIError{Status: 400, Message: "Bad thing."}
	if got := err.Error(); got != "VoipNow: [HTTP 400] Bad thing." {
		t.Errorf("got %q", got)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"John Doe <3333>":         "John Doe <3333>",
		"Eve\x1b[2J\r\n<1>":       "Eve [2J  <1>",
		"bad \xff utf8":           "bad ? utf8",
		"\x1b]0;title\a\u009b31m": " ]0;title  31m",
		"rtl\u202eoverride":       "rtl override", // shared with akixi.Printable (safetext)
	} {
		if got := voipnow.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestListAllCallsWhenThePBXCapsPages: a PBX that gives fewer calls a page
// than count asked for is still read to its totalResults.
func TestListAllCallsWhenThePBXCapsPages(t *testing.T) {
	capPages := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if q := r.URL.Query(); q.Has("count") {
				q.Set("count", "3")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{}, capPages, voipnow.Config{})
	for range 7 {
		e.clock.Add(time.Second)
		e.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	before := e.sim.Stats().APIRequests
	listing, err := e.client.ListAllCalls(ctx(t), voipnow.ListParams{Count: 50}, 0)
	all := listing.Calls
	if err != nil || len(all) != 8 {
		t.Fatalf("%d calls, %v; want the seed's call and 7", len(all), err)
	}
	if n := e.sim.Stats().APIRequests - before; n != 3 {
		t.Errorf("%d requests, want 3 pages of 3", n)
	}
	seen := map[voipnow.ID]bool{}
	for _, c := range all {
		if seen[c.ID] {
			t.Errorf("call %s listed twice", c.ID)
		}
		seen[c.ID] = true
	}
}
