package httpsafe

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPolicy: a hostile server redirects every kind of request to a second
// server (another port of the same host) that counts what reaches it.
func TestPolicy(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		io.WriteString(w, "ok from elsewhere")
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/steal?apiKey=x", http.StatusTemporaryRedirect)
		case "/same":
			http.Redirect(w, r, srv.URL+"/final", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, srv.URL+"/loop", http.StatusFound)
		default:
			io.WriteString(w, "final "+r.Header.Get("Authorization"))
		}
	}))
	defer srv.Close()
	hc := Client(nil)
	do := func(method, path string) (string, error) {
		req, _ := http.NewRequest(method, srv.URL+path+"?apiKey=k", strings.NewReader("password=p"))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := hc.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b), nil
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodGet} {
		_, err := do(m, "/away")
		var re *RedirectError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), other.URL+"/steal") || strings.Contains(re.Error(), "apiKey=k") {
			t.Fatalf("%s to another origin: err %v", m, err)
		}
	}
	if _, err := do(http.MethodPost, "/same"); !IsRedirect(err) || !strings.Contains(err.Error(), "never re-sent") {
		t.Fatalf("POST redirected to the same origin: err %v", err)
	}
	if got, err := do(http.MethodGet, "/same"); err != nil || got != "final Bearer tok" {
		t.Fatalf("GET same origin: %q %v", got, err)
	}
	if _, err := do(http.MethodGet, "/loop"); !IsRedirect(err) {
		t.Fatalf("redirect loop: %v", err)
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the other origin received %d requests", n)
	}
}

func TestOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"http://h/x", "http://h:80/y", true},
		{"https://H/x", "https://h:443/", true},
		{"http://h/x", "https://h/x", false},
		{"http://h:1/x", "http://h:2/x", false},
		{"http://h/x", "http://g/x", false},
	} {
		a, _ := http.NewRequest("GET", tc.a, nil)
		b, _ := http.NewRequest("GET", tc.b, nil)
		if got := origin(a.URL) == origin(b.URL); got != tc.same {
			t.Errorf("%s vs %s: same=%v", tc.a, tc.b, got)
		}
	}
}
