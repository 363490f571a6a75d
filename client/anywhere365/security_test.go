package anywhere365_test

// Issue 4, "Security", at the library level: passwords, client secrets and
// bearer tokens never appear in an error text or a connection state the
// UI or the CLI could show, even when a server echoes them back; a bearer
// token never follows a redirect to another host; and large answers are
// refused without being read whole. cmd/recdeck/security_test.go checks
// the same through the CLI's output.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// Distinctive secrets: any occurrence in an output is a leak.
const (
	secUser     = "ops-user-5c1d"
	secPassword = "S3CR3T-pw-7f9a"
	secClient   = "S3CR3T-cs-41be"
)

// Ways a hostile or broken server echoes what it received.
const (
	secHonest    = iota // the simulator answers
	secEcho500          // API: plain-text 500 quoting the Authorization header
	secEchoMsg          // API: an ErrorMessage quoting the token
	secEcho403          // API: 403 quoting the token
	secEcho401          // API and hub: 401 quoting the token
	secTokenEcho        // token endpoint: an OAuth error quoting the form
	secTokenText        // token endpoint: 200 text/plain echoing the form
	secRedirect         // API: 307 to another host
)

// secSpy serves the simulator behind a wrapper that records every token the
// token endpoint issues and can turn into an echoing server.
type secSpy struct {
	sim  *sim.Server
	srv  *httptest.Server
	mode atomic.Int32

	mu     sync.Mutex
	tokens []string // access and refresh tokens issued
}

func startSecSpy(t *testing.T) *secSpy {
	t.Helper()
	s := &secSpy{sim: sim.New(sim.Options{Seed: 7, Username: secUser, Password: secPassword, ClientSecret: secClient})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.sim.Close() // closes hub websockets first
		s.srv.Close()
	})
	return s
}

func (s *secSpy) tokenURL() string { return s.srv.URL + sim.TokenPath("") }

func (s *secSpy) issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

func (s *secSpy) serve(w http.ResponseWriter, r *http.Request) {
	mode := int(s.mode.Load())
	auth := r.Header.Get("Authorization")
	if strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
		_ = r.ParseForm()
		switch mode {
		case secTokenEcho:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client",
				"error_description": fmt.Sprintf("client secret %s or password %s wrong (form %s)",
					r.PostForm.Get("client_secret"), r.PostForm.Get("password"), r.PostForm.Encode())})
			return
		case secTokenText:
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "echo="+r.PostForm.Encode())
			return
		}
		rec := httptest.NewRecorder()
		s.sim.Handler().ServeHTTP(rec, r)
		var tr struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &tr) == nil {
			s.mu.Lock()
			for _, tok := range []string{tr.Access, tr.Refresh} {
				if tok != "" {
					s.tokens = append(s.tokens, tok)
				}
			}
			s.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	hub := strings.HasPrefix(r.URL.Path, s.sim.HubPath())
	switch {
	case strings.HasPrefix(r.URL.Path, "/elsewhere/"):
		// The other host: it must never see a bearer token.
		if auth != "" {
			http.Error(w, "leaked "+auth, http.StatusTeapot)
			return
		}
		http.Error(w, "no token here", http.StatusUnauthorized)
	case mode == secEcho500 && !hub:
		http.Error(w, "proxy error: unexpected headers Authorization: "+auth, http.StatusInternalServerError)
	case mode == secEchoMsg && !hub:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(a365.StateResponse{ErrorMessage: &a365.ErrorMessage{
			ErrorType: a365.ErrorValidation, Message: "token " + strings.TrimPrefix(auth, "Bearer ") + " is not allowed here"}})
	case mode == secEcho403 && !hub:
		http.Error(w, "forbidden for "+auth, http.StatusForbidden)
	case mode == secEcho401:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "token rejected: "+auth, http.StatusUnauthorized)
	case mode == secRedirect && !hub:
		// localhost is another host name than 127.0.0.1 to the client.
		http.Redirect(w, r, strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)+"/elsewhere"+r.URL.Path, http.StatusTemporaryRedirect)
	default:
		s.sim.Handler().ServeHTTP(w, r)
	}
}

// secWindow is the length of the token pieces secCheck looks for: an
// excerpt cut short must not show part of a token either.
const secWindow = 16

// secCheck fails if any text holds a secret, an issued token, or any
// secWindow-byte piece of a token's signature (its last dot-separated part;
// the first bytes of every token are the same encoded header).
func secCheck(t *testing.T, what string, issued []string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, secret := range []string{secPassword, secClient} {
			if strings.Contains(text, secret) {
				t.Errorf("%s: a secret appears in %q", what, text)
			}
		}
		for _, tok := range issued {
			sig := tok[strings.LastIndexByte(tok, '.')+1:]
			if strings.Contains(text, tok) {
				t.Errorf("%s: a token appears in %q", what, text)
			}
			for i := 0; i+secWindow <= len(sig); i++ {
				if strings.Contains(text, sig[i:i+secWindow]) {
					t.Errorf("%s: part of a token (%s) appears in %q", what, sig[i:i+secWindow], text)
					break
				}
			}
		}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) }) // first registered: runs last
	spy := startSecSpy(t)
	const id = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	if _, err := spy.sim.CreateCall("ucc-demo-name", id, true); err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	newClient := func(grant string) *a365.Client {
		c, err := a365.New(a365.Config{BaseURL: spy.srv.URL, APIVersion: "v2", TokenURL: spy.tokenURL(), GrantType: grant,
			Username: secUser, Password: secPassword, ClientSecret: secClient, HTTPClient: &http.Client{Transport: tr},
			Timeout: 2 * time.Second, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	params := a365.SetParams{UCC: "ucc-demo-name", CorrelationID: id, RequesterSIP: sim.DemoAgent, Action: a365.ActionMark}

	// everything runs each call a UI or CLI makes and returns every text
	// that could be shown: errors and the hub's connection state.
	everything := func(c *a365.Client) []string {
		ctx := context.Background()
		var texts []string
		add := func(err error) {
			if err != nil {
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			}
		}
		_, err := c.GetState(ctx, "ucc-demo-name", id)
		add(err)
		_, err = c.Set(ctx, params)
		add(err)
		_, err = c.Capabilities(ctx, "ucc-demo-name")
		add(err)
		_, err = c.HubHeaders(ctx)
		add(err)
		// One hub attempt through Monitor: its connection state is shown.
		tracker := a365.NewTracker(a365.TrackerConfig{Getter: c})
		states := make(chan a365.ConnState, 64)
		mctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- a365.Monitor(mctx, c, tracker, a365.ListenerConfig{MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
				OnState: func(s a365.ConnState) {
					select {
					case states <- s:
					default:
					}
				}})
		}()
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case s := <-states:
				texts = append(texts, s.LastError)
				if s.Phase == a365.ConnConnected || s.Phase == a365.ConnReconnecting {
					break wait
				}
			case <-deadline:
				t.Error("the hub listener reported no outcome within 10 s")
				break wait
			}
		}
		cancel()
		add(<-done)
		for _, s := range tracker.Snapshot(nil) {
			texts = append(texts, s.LastError)
		}
		return texts
	}

	cases := []struct {
		name, grant string
		mode        int
		want        string // a fragment one of the errors must have: the failure is explained
	}{
		{"honest server", "password", secHonest, ""},
		{"client_credentials grant", "client_credentials", secHonest, ""},
		{"500 quoting the Authorization header", "password", secEcho500, "unexpected response (HTTP 500)"},
		{"ErrorMessage quoting the token", "password", secEchoMsg, "Validation error: token "},
		{"403 quoting the token", "password", secEcho403, "the API refused the request (HTTP 403)"},
		{"401 quoting the token", "password", secEcho401, "the API refused the bearer token (HTTP 401)"},
		{"token endpoint quoting the form", "password", secTokenEcho, "token request refused (HTTP 401): invalid_client"},
		{"token endpoint echoing the form as text", "client_credentials", secTokenText, "authentication failed"},
		{"redirect to another host", "password", secRedirect, "redirect (HTTP 307) to http://localhost:"}, // not followed (httpsafe)
	}
	for _, tc := range cases {
		spy.mode.Store(int32(tc.mode))
		texts := everything(newClient(tc.grant))
		secCheck(t, tc.name, spy.issued(), texts...)
		if tc.want != "" && !strings.Contains(strings.Join(texts, "\n"), tc.want) {
			t.Errorf("%s: no error explains the failure with %q:\n%s", tc.name, tc.want, strings.Join(texts, "\n"))
		}
	}
	if len(spy.issued()) < 4 {
		t.Fatalf("only %d tokens issued: the flows did not run", len(spy.issued()))
	}
	// The token endpoint unreachable: the error names it, without secrets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/token?client_secret=" + secClient
	l.Close()
	c, err := a365.New(a365.Config{BaseURL: spy.srv.URL, APIVersion: "v2", TokenURL: dead,
		Username: secUser, Password: secPassword, ClientSecret: secClient, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetState(context.Background(), "ucc-demo-name", id)
	if !a365.IsAuth(err) || !strings.Contains(err.Error(), "token endpoint unreachable") {
		t.Fatalf("dead token endpoint: %v", err)
	}
	secCheck(t, "dead token endpoint", nil, err.Error())
}

// A body larger than the bound is refused after reading at most the bound
// (plus one byte), never whole: the simulator streams 4 MiB, the client
// stops at 1 MiB, and its allocations stay near that.
func TestOversizedBodyNotReadWhole(t *testing.T) {
	leak := goleak.IgnoreCurrent()
	defer goleak.VerifyNone(t, leak)
	r, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const id = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	if _, err := r.Server.CreateCall("payments", id, true); err != nil {
		t.Fatal(err)
	}
	var read atomic.Int64
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c, err := a365.New(a365.Config{BaseURL: r.URL, HTTPClient: &http.Client{Transport: countingBody{tr, &read}}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	r.Server.SetFaults(sim.Faults{OversizedRate: 1})
	_, err = c.GetState(context.Background(), "payments", id)
	var re *a365.ResponseError
	if !errors.As(err, &re) || re.Status != 200 || !strings.Contains(err.Error(), "response body larger than 1048576 bytes refused") {
		t.Fatalf("err %v", err)
	}
	if n := read.Load(); n > a365.MaxBodyBytes+64<<10 || n >= sim.OversizedBytes {
		t.Fatalf("client read %d bytes of a %d-byte body (bound %d)", n, sim.OversizedBytes, a365.MaxBodyBytes)
	}
	if len(err.Error()) > 300 {
		t.Fatalf("error is %d bytes long: it should quote only an excerpt", len(err.Error()))
	}
}

// countingBody counts the response body bytes the client reads.
type countingBody struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c countingBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		resp.Body = &countingReader{ReadCloser: resp.Body, n: c.n}
	}
	return resp, err
}

type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	c.n.Add(int64(k))
	return k, err
}
