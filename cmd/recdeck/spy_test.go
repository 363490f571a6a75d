package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
