package sim

import (
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Running is a simulator serving on a TCP listener, for tests,
// `recdeck sim` and the demo.
type Running struct {
	URL      string // http://127.0.0.1:PORT
	HubURL   string // URL + hub path
	TokenURL string // URL + token path for DemoTenant
	Addr     string // host:port actually bound
	Server   *Server

	hs        *http.Server
	served    chan struct{} // closed when Serve returns
	serveErr  error
	closeOnce sync.Once
	closeErr  error
}

// Listen binds addr (e.g. "127.0.0.1:0" or "127.0.0.1:8365") and serves a
// new simulator on it.
func Listen(addr string, opts Options) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("anywhere365 sim: listen on %s: %w", addr, err)
	}
	s := New(opts)
	bound := ln.Addr().String()
	base := "http://" + bound
	r := &Running{
		URL:      base,
		HubURL:   base + s.HubPath(),
		TokenURL: base + TokenPath(DemoTenant),
		Addr:     bound,
		Server:   s,
		hs: &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			// The standard library logs to stderr by default: route it to
			// Logf so a TUI in the same process stays clean.
			ErrorLog: log.New(logfWriter(s.logf), "anywhere365 sim: ", 0),
		},
		served: make(chan struct{}),
	}
	go func() {
		defer close(r.served)
		if err := r.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.serveErr = err
		}
	}()
	return r, nil
}

// Close stops the generator, closes every websocket, stops serving and
// frees the port, so a new Listen on the same address works at once.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		r.Server.Close() // first: cancels the hub, whose websockets the HTTP server no longer tracks
		r.closeErr = r.hs.Close()
		<-r.served
		if r.closeErr == nil {
			r.closeErr = r.serveErr
		}
	})
	return r.closeErr
}

type logfWriter func(string, ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
