package akixi_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

// seedFile reads one of the seed's XML examples, copied verbatim into
// testdata/seed.
func seedFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// canonOpts says which volatile parts canon blanks.
type canonOpts struct {
	blankIDs bool     // InvokeID and SessionID text
	dropAttr []string // attributes to drop, e.g. the seed's Name="?"
	dropProp []string // Property elements to drop by Name
}

// canon renders an XML document in a canonical form for comparison:
// comments and insignificant whitespace dropped, text trimmed, Property
// siblings sorted by Name (they are a set) and placed before the other
// children, which keep their order (list entries are ordered).
func canon(t testing.TB, data []byte, o canonOpts) string {
	t.Helper()
	var n akixi.Node
	if err := xml.Unmarshal(data, &n); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	var b strings.Builder
	var walk func(n akixi.Node, depth int)
	walk = func(n akixi.Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth) + "<" + n.XMLName.Local)
		attrs := slices.Clone(n.Attrs)
		slices.SortFunc(attrs, func(a, b xml.Attr) int { return strings.Compare(a.Name.Local, b.Name.Local) })
		for _, a := range attrs {
			if slices.Contains(o.dropAttr, a.Name.Local) {
				continue
			}
			b.WriteString(" " + a.Name.Local + "=" + a.Value)
		}
		b.WriteString(">")
		text := strings.TrimSpace(n.Text)
		if o.blankIDs && (n.XMLName.Local == "InvokeID" || n.XMLName.Local == "SessionID") {
			text = "*"
		}
		b.WriteString(text + "\n")
		var props, others []akixi.Node
		for _, c := range n.Nodes {
			if c.XMLName.Local == "Property" {
				if slices.Contains(o.dropProp, attr(c, "Name")) {
					continue
				}
				props = append(props, c)
			} else {
				others = append(others, c)
			}
		}
		slices.SortStableFunc(props, func(a, b akixi.Node) int { return strings.Compare(attr(a, "Name"), attr(b, "Name")) })
		for _, c := range append(props, others...) {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

func attr(n akixi.Node, name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// recorder keeps every request body the server received.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, req)
	})
}

// find returns the bodies of requests for op.
func (r *recorder) find(op string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, b := range r.bodies {
		if bytes.Contains(b, []byte(`Operation="`+op+`"`)) {
			out = append(out, b)
		}
	}
	return out
}

// env is a simulator on loopback and a client signed in as demo.
type env struct {
	sim *sim.Server
	srv *httptest.Server
	rec *recorder
	c   *akixi.Client
}

func newEnv(t *testing.T, opt sim.Options, cfg akixi.Config) *env {
	t.Helper()
	s := sim.New(opt)
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(s.Handler()))
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	if cfg.Path == "" {
		cfg.Path = opt.Path
	}
	if cfg.Username == "" {
		cfg.Username = "demo"
	}
	if cfg.Password == "" {
		cfg.Password = sim.Demo
	}
	cfg.HTTPClient = srv.Client()
	c, err := akixi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: s, srv: srv, rec: rec, c: c}
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// post sends a raw body to the endpoint and returns the answer's body.
func post(t *testing.T, url string, body []byte) []byte {
	t.Helper()
	res, err := http.Post(url, "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", res.StatusCode, out)
	}
	return out
}
