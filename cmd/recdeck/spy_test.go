package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// How a secretSpy misbehaves (set with s.mode.Store).
const (
	spyHonest     = iota
	spyEcho500    // API: a plain 500 quoting the Authorization header
	spyEchoMsg    // API: an ErrorMessage quoting the token
	spyEcho401    // API and hub: 401 quoting the Authorization header
	spyTokenEcho  // token endpoint: an OAuth error quoting the secrets sent
	spyTokenDown  // token endpoint: the connection is closed without an answer
	spyHubEcho401 // hub only: 401 quoting the token
)

// secretSpy serves the simulator (with a test's distinctive credentials
// and a hub that wants a token) behind a wrapper that records every issued
// token and can misbehave in the ways below, so the security tests of the
// CLI and of the console can search their outputs for any of them.
type secretSpy struct {
	sim  *sim.Server
	srv  *httptest.Server
	mode atomic.Int32

	mu     sync.Mutex
	tokens []string
}

func startSecretSpy(t *testing.T, seed int64, user, password, clientSecret string) *secretSpy {
	t.Helper()
	s := &secretSpy{sim: sim.New(sim.Options{Seed: seed, HubRequiresToken: true,
		Username: user, Password: password, ClientSecret: clientSecret})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // hung-up connections are the point
	s.srv.Start()
	t.Cleanup(func() {
		s.sim.Close()
		s.srv.Close()
	})
	return s
}

func (s *secretSpy) issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

func (s *secretSpy) serve(w http.ResponseWriter, r *http.Request) {
	mode := int(s.mode.Load())
	auth := r.Header.Get("Authorization")
	hub := strings.HasPrefix(r.URL.Path, s.sim.HubPath())
	if strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
		_ = r.ParseForm()
		switch mode {
		case spyTokenEcho:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client",
				"error_description": "wrong secret " + r.PostForm.Get("client_secret") + " or password " + r.PostForm.Get("password") + " for " + auth})
			return
		case spyTokenDown:
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
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
	switch {
	case mode == spyEcho500 && !hub:
		http.Error(w, "proxy error: headers were Authorization: "+auth, http.StatusInternalServerError)
	case mode == spyEchoMsg && !hub:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(anywhere365.StateResponse{ErrorMessage: &anywhere365.ErrorMessage{
			ErrorType: anywhere365.ErrorValidation, Message: "token " + strings.TrimPrefix(auth, "Bearer ") + " may not do this"}})
	case mode == spyEcho401 || (mode == spyHubEcho401 && hub):
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "rejected "+auth, http.StatusUnauthorized)
	default:
		s.sim.Handler().ServeHTTP(w, r)
	}
}

// leaks lists what in text is one of the secrets, an issued token, or a
// 16-byte piece of a token's signature.
func leaks(text string, secrets, tokens []string) []string {
	var found []string
	for _, s := range secrets {
		if strings.Contains(text, s) {
			found = append(found, "secret "+s)
		}
	}
	for _, tok := range tokens {
		sig := tok[strings.LastIndexByte(tok, '.')+1:]
		for i := 0; i+16 <= len(sig); i++ {
			if strings.Contains(text, sig[i:i+16]) {
				found = append(found, "token piece "+sig[i:i+16])
				break
			}
		}
	}
	return found
}

// checkNoSecretsOnDisk fails t for every file under root, but skip (the
// config file the test wrote), that holds a secret or a token: tokens are
// kept in memory only.
func checkNoSecretsOnDisk(t *testing.T, root, skip string, secrets, tokens []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == skip {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if found := leaks(string(b), secrets, tokens); len(found) > 0 {
			t.Errorf("%s holds %v", path, found)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hostileControls is what a hostile server puts before its echo: an OSC
// window title, a screen clear, a right-to-left override, a C1 CSI as a
// character and as a raw byte.
const hostileControls = "\x1b]0;pwned\x07\x1b[2J\u202e\u009b31m\x9b\r"

// rawControls are the characters no output may hold raw.
var rawControls = []string{"\x1b", "\x07", "\u202e", "\u009b", "\x9b", "\r", "\u2066"}

// controlsIn lists the raw control characters found in text.
func controlsIn(text string) []string {
	var found []string
	for _, c := range rawControls {
		if strings.Contains(text, c) {
			found = append(found, fmt.Sprintf("%q", c))
		}
	}
	return found
}

// echoForms are the encodings a hostile server echoes a secret in: raw,
// URL-, HTML-, JSON- and Go-escaped, HTML numeric entities, and inside an
// "Authorization: Basic" value.
func echoForms(secret string) [][2]string {
	q := strconv.Quote(secret)
	j, _ := json.Marshal(secret)
	var ent strings.Builder
	for _, r := range secret {
		fmt.Fprintf(&ent, "&#%d;", r)
	}
	return [][2]string{
		{"raw", secret},
		{"url", url.QueryEscape(secret)},
		{"html", html.EscapeString(secret)},
		{"json", string(j[1 : len(j)-1])},
		{"go", q[1 : len(q)-1]},
		{"entities", ent.String()},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte("agent:"+secret))},
	}
}

// fragmentLeaks lists the 6-byte fragments of any form of secret found in
// text. For the base64 form only what encodes the secret's own bytes
// counts (at each of the three alignments it can have).
func fragmentLeaks(text, secret string) []string {
	var forms []string
	for _, f := range echoForms(secret)[:6] {
		forms = append(forms, f[1])
	}
	for k := 0; k < 3; k++ {
		part := secret[k:]
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(part[:len(part)/3*3])))
	}
	var found []string
	for _, f := range forms {
		for i := 0; i+6 <= len(f); i++ {
			if strings.Contains(text, f[i:i+6]) {
				found = append(found, f[i:i+6])
			}
		}
	}
	return found
}

// hostileServer answers every vendor's requests with an echo of a secret
// (or of what it received), cut at a length the test sets, after the
// hostile control characters. It issues bearer tokens where asked for one
// it is not told to echo at.
type hostileServer struct {
	srv *httptest.Server

	mu        sync.Mutex
	echo      string // the text echoed (already in the form wanted)
	cut       int    // how many bytes of the hostile body are sent
	atToken   bool   // echo at the token endpoint (else at the API)
	token     string // the bearer token the token endpoint issues
	gotTokens []string
}

func startHostile(t *testing.T) *hostileServer {
	t.Helper()
	h := &hostileServer{}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileServer) set(echo string, cut int, atToken bool, token string) {
	h.mu.Lock()
	h.echo, h.cut, h.atToken, h.token = echo, cut, atToken, token
	h.mu.Unlock()
}

// body is the hostile text cut to h.cut bytes.
func (h *hostileServer) body() string {
	b := hostileControls + " refused: " + h.echo + " (end of echo)"
	return b[:min(h.cut, len(b))]
}

func (h *hostileServer) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	_ = r.ParseForm()
	token := strings.HasSuffix(r.URL.Path, "/token") || strings.HasSuffix(r.URL.Path, "/token.php")
	switch {
	case token && !h.atToken:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": h.token, "token_type": "bearer", "expires_in": 300})
	case token && h.cut%2 == 0: // an OAuth JSON error, cut (so often not JSON)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"`+h.body())
	case token:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, h.body())
	case strings.Contains(r.URL.Path, "/njadmin/") || strings.Contains(r.URL.Path, "/servicemanager/"):
		// Noojee: the reason phrase quotes the request, the body too.
		reason := strings.NewReplacer("\r", "", "\n", "").Replace(h.body())
		if hj, ok := w.(http.Hijacker); ok {
			if c, bw, err := hj.Hijack(); err == nil {
				b := h.body()
				fmt.Fprintf(bw, "HTTP/1.1 500 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", reason, len(b), b)
				_ = bw.Flush()
				c.Close()
				return
			}
		}
	case strings.Contains(r.URL.Path, "/CCS/"):
		// Akixi: a Fail whose description quotes the request.
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(strings.ToValidUTF8(h.body(), "?")))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<Response Result="Fail"><Fail><ErrorCode>11001</ErrorCode><ErrorDescription>%s</ErrorDescription></Fail></Response>`, esc.String())
	default: // the Anywhere365 and VoipNow APIs: an error page quoting the request
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError) // not retried: one request a run
		_, _ = io.WriteString(w, h.body())
	}
}

// recorder is "another origin": it counts and keeps every request it gets
// (method, URL, Authorization header, body) and answers 200 with an empty
// JSON object, so a client that followed a redirect there would believe
// the command done.
type recorder struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	rc := &recorder{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, r.Method+" "+r.URL.String()+" auth="+r.Header.Get("Authorization")+" body="+string(b))
		rc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"stolen-token-123","expires_in":300,"Message":"ok","Code":0}`)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *recorder) requests() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.got...)
}

// redirectingFront serves target (a simulator) but answers the requests
// redirect selects with a 307 to the same path and query on to.
func redirectingFront(t *testing.T, target string, to *recorder, redirect func(*http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	return serveLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if redirect(r) {
			http.Redirect(w, r, to.srv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
}
