package anywhere365_test

// End-to-end tests of the REST client against the project's simulator over
// loopback: every request/response example of seeds 000 and 001, every
// error message as a typed error, the v2 token flow, retries and faults.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/client/safetext"
)

const (
	e2eID    = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	e2eUCC   = "ucc-demo-name"
	e2eAgent = sim.DemoAgent
)

// clientCountingTransport counts requests per path kind and may rewrite the
// bearer token of API requests (to play a revoked token).
type clientCountingTransport struct {
	base      http.RoundTripper
	tokens    atomic.Int64
	api       atomic.Int64
	mu        sync.Mutex
	badBearer int // rewrite this many API requests' bearer to a forged one
}

func (t *clientCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/protocol/openid-connect/token") {
		t.tokens.Add(1)
	} else {
		t.api.Add(1)
		t.mu.Lock()
		if t.badBearer != 0 && r.Header.Get("Authorization") != "" {
			t.badBearer--
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer at.forged.token")
		}
		t.mu.Unlock()
	}
	return t.base.RoundTrip(r)
}

type clientE2E struct {
	run *sim.Running
	ct  *clientCountingTransport
	hc  *http.Client
}

func clientStartSim(t *testing.T, opts sim.Options) *clientE2E {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	r, err := sim.Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	ct := &clientCountingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	e := &clientE2E{run: r, ct: ct, hc: &http.Client{Transport: ct}}
	t.Cleanup(func() {
		e.hc.CloseIdleConnections()
		ct.base.(*http.Transport).CloseIdleConnections()
		_ = r.Close()
		goleak.VerifyNone(t, opt)
	})
	return e
}

func (e *clientE2E) client(t *testing.T, v2 bool, edit func(*a365.Config)) *a365.Client {
	t.Helper()
	cfg := a365.Config{BaseURL: e.run.URL, HTTPClient: e.hc, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond}
	if v2 {
		cfg.APIVersion, cfg.TokenURL = "v2", e.run.TokenURL
		cfg.Username, cfg.Password, cfg.ClientSecret = sim.DemoUsername, sim.DemoPassword, sim.DemoClientSecret
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := a365.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantAPIError(t *testing.T, err error, typ a365.ErrorType, msg string) *a365.APIError {
	t.Helper()
	var ae *a365.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err %T %v, want *APIError %s %q", err, err, typ, msg)
	}
	if ae.Type != typ || ae.Message != msg {
		t.Fatalf("got %s %q, want %s %q", ae.Type, ae.Message, typ, msg)
	}
	return ae
}

// TestSimSeedFlow walks a call through the documented actions on v1 and
// v2, by id and by name.
func TestSimSeedFlow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v2     bool
		byName bool
	}{{"v1 by id", false, false}, {"v2 by name", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := clientStartSim(t, sim.Options{Seed: 1})
			c := e.client(t, tc.v2, func(cfg *a365.Config) { cfg.ActionByName = tc.byName })
			ctx := context.Background()
			if _, err := e.run.Server.CreateCall(e2eUCC, e2eID, true); err != nil {
				t.Fatal(err)
			}
			got, err := c.GetState(ctx, e2eUCC, e2eID)
			if err != nil || got.CorrelationId != e2eID || got.UCCName != e2eUCC || got.RecordingState != a365.RecordingStarted {
				t.Fatalf("GetState %+v %v", got, err)
			}
			set := func(a a365.Action) (*a365.StateResponse, error) {
				return c.Set(ctx, a365.SetParams{UCC: e2eUCC, CorrelationID: e2eID, RequesterSIP: e2eAgent, Action: a})
			}
			steps := []struct {
				a    a365.Action
				want func(*a365.StateResponse) bool
			}{
				{a365.ActionPause, func(r *a365.StateResponse) bool { return r.RecordingState == a365.RecordingPaused }},
				{a365.ActionStart, func(r *a365.StateResponse) bool { return r.RecordingState == a365.RecordingStarted }},
				{a365.ActionMark, func(r *a365.StateResponse) bool { return r.MarkingState == a365.MarkingMark }},
				{a365.ActionUnMark, func(r *a365.StateResponse) bool { return r.MarkingState == a365.MarkingUnmark }},
				{a365.ActionSave, func(r *a365.StateResponse) bool { return r.SavingState == a365.SavingSave }},
				{a365.ActionDelete, func(r *a365.StateResponse) bool { return r.SavingState == a365.SavingDelete }},
				{a365.ActionPause, func(r *a365.StateResponse) bool { return r.RecordingState == a365.RecordingPaused }},
			}
			for _, s := range steps {
				r, err := set(s.a)
				if err != nil || !s.want(r) {
					t.Fatalf("%s: %+v %v", s.a, r, err)
				}
				g, err := c.GetState(ctx, e2eUCC, e2eID)
				if err != nil || *g != *r {
					t.Fatalf("%s: GET %+v differs from set answer %+v (%v)", s.a, g, r, err)
				}
			}
			_, err = set(a365.ActionPause)
			wantAPIError(t, err, a365.ErrorValidation, "Recorder state is Paused, this state cannot be paused")
			if r, err := set(a365.ActionStop); err != nil || r.RecordingState != a365.RecordingStopped {
				t.Fatalf("stop: %+v %v", r, err)
			}
			_, err = set(a365.ActionStart)
			ae := wantAPIError(t, err, a365.ErrorValidation, "Recorder state is Stopped, this state cannot be started")
			if ae.Response == nil || ae.Response.CorrelationId != e2eID {
				t.Fatalf("APIError.Response %+v", ae.Response)
			}
			if err.Error() != "Validation error: Recorder state is Stopped, this state cannot be started" {
				t.Fatal(err)
			}
			// The call ends: the session is gone.
			if err := e.run.Server.EndCall(e2eID); err != nil {
				t.Fatal(err)
			}
			_, err = c.GetState(ctx, e2eUCC, e2eID)
			wantAPIError(t, err, a365.ErrorValidation, "No Audio session with correlation Id:'"+e2eID+"' was found.")
			if !a365.IsSessionNotFound(err) {
				t.Fatal("IsSessionNotFound false")
			}
		})
	}
}

func TestSimCapabilities(t *testing.T) {
	e := clientStartSim(t, sim.Options{Seed: 1})
	for _, v2 := range []bool{false, true} {
		c := e.client(t, v2, nil)
		ctx := context.Background()
		r, err := c.Capabilities(ctx, e2eUCC)
		if err != nil || !r.AgentCanEditRecordings || r.UCCName != e2eUCC {
			t.Fatalf("caps %+v %v", r, err)
		}
		r, err = c.Capabilities(ctx, "helpdesk")
		if err != nil || r.AgentCanEditRecordings {
			t.Fatalf("helpdesk caps %+v %v", r, err)
		}
		_, err = c.Capabilities(ctx, "nope")
		ae := wantAPIError(t, err, a365.ErrorValidation, "Ucc with name:'nope' not found.")
		if ae.CapabilitiesResponse == nil || ae.CapabilitiesResponse.UCCName != "nope" {
			t.Fatalf("%+v", ae.CapabilitiesResponse)
		}
	}
}

// TestSimErrorMessages makes the simulator give each documented
// ErrorMessage the client can provoke with valid input.
func TestSimErrorMessages(t *testing.T) {
	e := clientStartSim(t, sim.Options{Seed: 1})
	c := e.client(t, false, nil)
	ctx := context.Background()
	noAPI := "2ed153b4-f632-4766-b846-5b2a769b36d1"
	helpID := "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
	for _, mk := range []struct {
		ucc, id string
		api     bool
	}{{e2eUCC, e2eID, true}, {e2eUCC, noAPI, false}, {"helpdesk", helpID, true}} {
		if _, err := e.run.Server.CreateCall(mk.ucc, mk.id, mk.api); err != nil {
			t.Fatal(err)
		}
	}
	set := func(ucc, id, sip string, a a365.Action) error {
		_, err := c.Set(ctx, a365.SetParams{UCC: ucc, CorrelationID: id, RequesterSIP: sip, Action: a})
		return err
	}
	get := func(ucc, id string) error { _, err := c.GetState(ctx, ucc, id); return err }
	unknown := "00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name string
		err  error
		typ  a365.ErrorType
		msg  string
	}{
		{"get unknown ucc", get("nope", e2eID), a365.ErrorValidation, "Ucc name (nope) was not recognized"},
		{"set unknown ucc", set("nope", e2eID, e2eAgent, a365.ActionStart), a365.ErrorValidation, "Ucc name (nope) was not recognized"},
		{"get no session", get(e2eUCC, unknown), a365.ErrorValidation, "No Audio session with correlation Id:'" + unknown + "' was found."},
		{"set no session", set(e2eUCC, unknown, e2eAgent, a365.ActionStart), a365.ErrorValidation, "No Audio session with correlation Id:'" + unknown + "' was found."},
		{"get no api session", get(e2eUCC, noAPI), a365.ErrorValidation, "No Api Audio session with correlation Id:'" + noAPI + "' was found."},
		{"set no api session", set(e2eUCC, noAPI, e2eAgent, a365.ActionPause), a365.ErrorValidation, "No Api Audio session with correlation Id:'" + noAPI + "' was found."},
		{"setting disabled", set("helpdesk", helpID, e2eAgent, a365.ActionPause), a365.ErrorConfiguration, "Ucc with name:'helpdesk' AgentCanEditAudioRecording setting is disabled."},
		{"not a member", set(e2eUCC, e2eID, "sip:stranger@domain.com", a365.ActionPause), a365.ErrorConfiguration,
			"Requester with SipUri:'sip:stranger@domain.com' is not an agent or supervisor for Ucc with name: 'ucc-demo-name'."},
		// A URI the client accepts (sips:, parameters) that the server refuses.
		{"invalid requester", set(e2eUCC, e2eID, "sips:agent@domain.com;transport=tls", a365.ActionPause), a365.ErrorValidation,
			"Requester with SipUri:'sips:agent@domain.com;transport=tls' is invalid."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.typ, tc.msg) })
	}
	if !a365.IsSessionNotFound(cases[4].err) {
		t.Fatal("No Api Audio session is not 'session not found'")
	}

	e.run.Server.SetFaults(sim.Faults{RecorderUnavailable: true})
	before := e.ct.api.Load()
	wantAPIError(t, get(e2eUCC, e2eID), a365.ErrorConfiguration, "Recorder was not available, command could not be executed")
	wantAPIError(t, set(e2eUCC, e2eID, e2eAgent, a365.ActionPause), a365.ErrorConfiguration, "Recorder was not available, command could not be executed")
	if n := e.ct.api.Load() - before; n != 2 {
		t.Fatalf("Configuration errors retried: %d requests for 2 calls", n)
	}
}

func TestSimProcessingRetry(t *testing.T) {
	e := clientStartSim(t, sim.Options{Seed: 3})
	c := e.client(t, false, nil)
	ctx := context.Background()
	if _, err := e.run.Server.CreateCall(e2eUCC, e2eID, true); err != nil {
		t.Fatal(err)
	}
	e.run.Server.SetFaults(sim.Faults{ProcessingErrorRate: 1})
	_, err := c.GetState(ctx, e2eUCC, e2eID)
	var ae *a365.APIError
	if !errors.As(err, &ae) || ae.Type != a365.ErrorProcessing {
		t.Fatalf("err %v", err)
	}
	if n := e.ct.api.Load(); n != int64(a365.DefaultMaxAttempts) {
		t.Fatalf("%d attempts, want %d", n, a365.DefaultMaxAttempts)
	}
	// Half the answers fail: with retries most calls succeed, and the
	// successful sets all took effect exactly once.
	e.run.Server.SetFaults(sim.Faults{ProcessingErrorRate: 0.5})
	start := e.ct.api.Load()
	ok := 0
	for i := range 20 {
		a := a365.ActionPause
		if i%2 == 1 {
			a = a365.ActionStart
		}
		r, err := c.Set(ctx, a365.SetParams{UCC: e2eUCC, CorrelationID: e2eID, RequesterSIP: e2eAgent, Action: a})
		if err != nil {
			var ae *a365.APIError
			if !errors.As(err, &ae) || ae.Type != a365.ErrorProcessing && ae.Type != a365.ErrorValidation {
				t.Fatalf("set %d: %v", i, err)
			}
			continue
		}
		ok++
		want := a365.RecordingPaused
		if a == a365.ActionStart {
			want = a365.RecordingStarted
		}
		if r.RecordingState != want {
			t.Fatalf("set %d: %s after %s", i, r.RecordingState, a)
		}
	}
	if sent := e.ct.api.Load() - start; ok < 10 || sent <= 20 {
		t.Fatalf("%d of 20 sets succeeded with %d requests: retries not working", ok, sent)
	}
}

func TestSimFaultyBodies(t *testing.T) {
	e := clientStartSim(t, sim.Options{Seed: 1})
	c := e.client(t, false, func(cfg *a365.Config) { cfg.Timeout = 200 * time.Millisecond })
	ctx := context.Background()
	if _, err := e.run.Server.CreateCall(e2eUCC, e2eID, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    sim.Faults
		want string
	}{
		{sim.Faults{MalformedRate: 1}, "unexpected response (HTTP 200): \"{\\\"CorrelationId\\\"=\\\"" + e2eID},
		{sim.Faults{TruncatedRate: 1}, "unexpected response (HTTP 200): \"{\\\"CorrelationId\\\":\\\""},
		{sim.Faults{HTTPErrorRate: 1}, "unexpected response (HTTP 500): "},
	} {
		e.run.Server.SetFaults(tc.f)
		_, err := c.GetState(ctx, e2eUCC, e2eID)
		var re *a365.ResponseError
		if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), tc.want) || !a365.IsNetwork(err) {
			t.Fatalf("%+v: err %v, want prefix %s", tc.f, err, tc.want)
		}
	}
	e.run.Server.SetFaults(sim.Faults{LatencyMs: 2000})
	before := e.ct.api.Load()
	_, err := c.GetState(ctx, e2eUCC, e2eID)
	var te *a365.TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("latency: err %v", err)
	}
	if n := e.ct.api.Load() - before; n != int64(a365.DefaultMaxAttempts) {
		t.Fatalf("timed-out GET tried %d times, want %d", n, a365.DefaultMaxAttempts)
	}
	e.run.Server.SetFaults(sim.Faults{})
}

func TestSimTokenFlow(t *testing.T) {
	var skew atomic.Int64 // the simulator's clock runs ahead by this much
	e := clientStartSim(t, sim.Options{Seed: 1, TokenLifetime: 2 * time.Second, Now: func() time.Time {
		return time.Now().Add(time.Duration(skew.Load()))
	}})
	if _, err := e.run.Server.CreateCall(e2eUCC, e2eID, true); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := e.client(t, true, nil)
	get := func() error { _, err := c.GetState(ctx, e2eUCC, e2eID); return err }

	t.Run("cached, then renewed before expiry", func(t *testing.T) {
		for range 3 {
			if err := get(); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.ct.tokens.Load(); n != 1 {
			t.Fatalf("%d token requests for 3 calls, want 1", n)
		}
		// A 2 s token is renewed at half its life: poll until renewed.
		deadline := time.Now().Add(5 * time.Second)
		for e.ct.tokens.Load() < 2 && time.Now().Before(deadline) {
			if err := get(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if e.ct.tokens.Load() < 2 {
			t.Fatal("token never renewed")
		}
		h, err := c.HubHeaders(ctx)
		if err != nil || !strings.HasPrefix(h.Get("Authorization"), "Bearer at.") {
			t.Fatalf("hub headers %v %v", h, err)
		}
	})

	t.Run("401 refreshes once and retries once", func(t *testing.T) {
		// The server's clock jumps past the token's expiry: the cached
		// token is refused with a real 401, a fresh one is accepted.
		tok0, api0 := e.ct.tokens.Load(), e.ct.api.Load()
		skew.Add(int64(10 * time.Second))
		if err := get(); err != nil {
			t.Fatalf("after 401: %v", err)
		}
		if dt, da := e.ct.tokens.Load()-tok0, e.ct.api.Load()-api0; dt != 1 || da != 2 {
			t.Fatalf("%d token and %d API requests, want 1 and 2", dt, da)
		}
		// A server that refuses every token: one refresh, one retry, AuthError.
		e.ct.mu.Lock()
		e.ct.badBearer = 2
		e.ct.mu.Unlock()
		tok0, api0 = e.ct.tokens.Load(), e.ct.api.Load()
		err := get()
		var ae *a365.AuthError
		if !errors.As(err, &ae) || ae.Status != 401 || !a365.IsAuth(err) {
			t.Fatalf("err %v", err)
		}
		if dt, da := e.ct.tokens.Load()-tok0, e.ct.api.Load()-api0; dt != 1 || da != 2 {
			t.Fatalf("%d token and %d API requests, want 1 and 2", dt, da)
		}
		if err := get(); err != nil {
			t.Fatalf("recovers afterwards: %v", err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := e.client(t, true, func(cfg *a365.Config) { cfg.Password = "not-the-password" })
		_, err := bad.GetState(ctx, e2eUCC, e2eID)
		var ae *a365.AuthError
		if !errors.As(err, &ae) || ae.Status != 401 || strings.Contains(err.Error(), "not-the-password") {
			t.Fatalf("err %v", err)
		}
		if err.Error() != "authentication failed: token request refused (HTTP 401): invalid_grant (Invalid user credentials)" {
			t.Fatal(err)
		}
	})

	t.Run("client_credentials grant", func(t *testing.T) {
		cc := e.client(t, true, func(cfg *a365.Config) { cfg.GrantType = a365.GrantClientCredentials })
		if _, err := cc.GetState(ctx, e2eUCC, e2eID); err != nil {
			t.Fatal(err)
		}
	})

}

// The redactor must never change what the client matches on: a secret
// that shares words with the documented "No Audio session" message (any
// 6-character fragment is redacted wherever it is shown) still leaves an
// ended call recognised as ended, while the text shown is redacted.
func TestEndedCallRecognisedWhateverSecretsHold(t *testing.T) {
	t.Cleanup(safetext.ForgetAll)
	safetext.AddSecret("No Audio session-secret") // shares "No Audio session" with the message
	e := clientStartSim(t, sim.Options{})
	c := e.client(t, false, nil)
	st, err := e.run.Server.CreateCall("ucc-demo-name", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.run.Server.EndCall(st.CorrelationId); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetState(context.Background(), "ucc-demo-name", st.CorrelationId)
	if !a365.IsSessionNotFound(err) {
		t.Fatalf("an ended call not recognised: %v", err)
	}
	if strings.Contains(err.Error(), "No Audio session") {
		t.Fatalf("the shown text was not redacted: %v", err)
	}
}
