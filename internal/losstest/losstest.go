// Package losstest is a test helper, imported only by tests: a loopback
// server in front of a simulator that lets a request be applied and then
// loses its answer in one of the ways a real network or proxy does. The
// outcome tests of the CLI, the sessions pane and the vendor panes share
// it, so "the server did it, the client never heard" means the same
// thing everywhere.
package losstest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// The ways an answer is lost (Set's mode). The request is always applied
// by the simulator first.
const (
	Deliver   = ""          // the answer as the simulator gave it
	Stall     = "stall"     // no answer until the client gives up
	StallBody = "stallbody" // a 200 whose body stops half way, then nothing
	Hangup    = "hangup"    // the connection closed without an answer
	Garbage   = "garbage"   // a proxy's HTML page, with escape sequences
	Cut       = "cut"       // the whole length declared, the connection closed early
	Short     = "short"     // a complete HTTP answer holding the body cut short
	Gateway   = "504"       // 504 Gateway Timeout
	NoContent = "204"       // 204 No Content, no body
)

// GarbageBody is what Garbage answers: text that must never reach a
// terminal raw.
const GarbageBody = "\x1b[2J<html>\x1b]0;pwned\x07 proxy error</html>"

// Server applies the requests match selects through next and loses their
// answers as Set says; every other request is served as next serves it.
type Server struct {
	next  http.Handler
	match func(*http.Request) bool
	done  chan struct{}
	once  sync.Once
	hits  atomic.Int32

	mu    sync.Mutex
	mode  string
	cutAt int
	check func()
	last  int
}

// New returns the handler; match nil selects every request.
func New(next http.Handler, match func(*http.Request) bool) *Server {
	if match == nil {
		match = func(*http.Request) bool { return true }
	}
	return &Server{next: next, match: match, done: make(chan struct{})}
}

// Serve starts New on a loopback httptest server, closed (stalls
// released first) when the test ends; it returns the handler and the URL.
func Serve(t testing.TB, next http.Handler, match func(*http.Request) bool) (*Server, string) {
	t.Helper()
	s := New(next, match)
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Release()
		srv.CloseClientConnections()
		srv.Close()
	})
	return s, srv.URL
}

// Set chooses how the next answers are lost. cutAt is where Cut and
// Short cut the body (negative: half way; at or past its end: one byte
// short, as an answer may be shorter than the one measured). check, when
// set, runs inside the handler after the request was applied and before
// any answer leaves (to see what the client did before it).
func (s *Server) Set(mode string, cutAt int, check func()) {
	s.mu.Lock()
	s.mode, s.cutAt, s.check = mode, cutAt, check
	s.mu.Unlock()
}

// Hits is how many selected requests arrived.
func (s *Server) Hits() int32 { return s.hits.Load() }

// Last is the length of the last selected request's real answer
// (surrounding white space trimmed).
func (s *Server) Last() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Release ends every stall now and later.
func (s *Server) Release() { s.once.Do(func() { close(s.done) }) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.match(r) {
		s.next.ServeHTTP(w, r)
		return
	}
	s.hits.Add(1)
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r) // applied here
	body := bytes.TrimSpace(rec.Body.Bytes())
	s.mu.Lock()
	mode, cutAt, check := s.mode, s.cutAt, s.check
	s.last = len(body)
	s.mu.Unlock()
	if cutAt < 0 {
		cutAt = len(body) / 2
	}
	cutAt = min(cutAt, max(len(body)-1, 0))
	if check != nil {
		check()
	}
	switch mode {
	case Stall:
		s.wait(r)
	case StallBody:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		s.wait(r)
	case Hangup:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	case Garbage:
		w.Write([]byte(GarbageBody))
	case Cut:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:cutAt])
	case Short:
		w.Header().Set("Content-Length", strconv.Itoa(cutAt))
		w.Write(body[:cutAt])
	case Gateway:
		w.WriteHeader(http.StatusGatewayTimeout)
		w.Write([]byte("gateway timeout"))
	case NoContent:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}

func (s *Server) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}
