package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The console's HTTP client keeps enough idle connections for the
// tracker's concurrent re-reads: a second round of 16 concurrent GETs to
// the same server reuses the first round's connections instead of dialing
// (net/http's default keeps 2, so 14 would be new and 14 closed ones would
// sit in TIME-WAIT).
func TestHTTPClientReusesConnectionsUnderConcurrency(t *testing.T) {
	const concurrent = 16
	var dialed atomic.Int64
	release := make(chan struct{})
	var inFlight sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Done()
		<-release // hold every request until all are in flight: one connection each
		io.WriteString(w, "{}")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialed.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	hc := (&globals{}).httpClient(Profile{})
	defer hc.CloseIdleConnections()
	round := func() {
		t.Helper()
		inFlight.Add(concurrent)
		var wg sync.WaitGroup
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := hc.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}()
		}
		done := make(chan struct{})
		go func() { inFlight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("requests did not all reach the server")
		}
		release <- struct{}{} // one at a time, then the rest
		for range concurrent - 1 {
			release <- struct{}{}
		}
		wg.Wait()
	}
	round()
	first := dialed.Load()
	if first != concurrent {
		t.Fatalf("first round dialed %d connections, want %d (one per concurrent request)", first, concurrent)
	}
	round()
	if extra := dialed.Load() - first; extra != 0 {
		t.Fatalf("second round dialed %d new connections: idle ones were not kept", extra)
	}
}
