package sim

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// recordingHub is the SignalR hub. Clients only listen: the document names
// no hub method, so it has none. It counts connections, so tests and the
// banner can tell when a client is subscribed (the library registers a
// connection before it calls OnConnected).
type recordingHub struct {
	signalr.Hub
	conns *atomic.Int64
}

func (h *recordingHub) OnConnected(string)    { h.conns.Add(1) }
func (h *recordingHub) OnDisconnected(string) { h.conns.Add(-1) }

// nopLogger silences the signalr library, which otherwise logs every
// message to stderr.
type nopLogger struct{}

func (nopLogger) Log(...any) error { return nil }

// hubInstance is one signalr server with its own context and routes.
// Cancelling the context closes every websocket it serves.
type hubInstance struct {
	srv    signalr.Server
	mux    *http.ServeMux
	cancel context.CancelFunc
}

// hub serves the current hubInstance. Dropping connections (a fault)
// cancels the current instance and swaps in a fresh one, so clients see
// their websocket closed and reconnect to the new one.
type hub struct {
	parent context.Context
	path   string
	logf   func(string, ...any)

	mu     sync.Mutex
	cur    *hubInstance
	closed bool
	conns  atomic.Int64   // live hub connections, all instances
	active sync.WaitGroup // hub HTTP requests in progress (websockets included)
}

// hubCloseWait bounds how long Close waits for websocket handlers to return.
const hubCloseWait = 5 * time.Second

func newHub(parent context.Context, path string, logf func(string, ...any)) *hub {
	h := &hub{parent: parent, path: path, logf: logf}
	h.cur = h.newInstance()
	return h
}

func (h *hub) newInstance() *hubInstance {
	ctx, cancel := context.WithCancel(h.parent)
	srv, err := signalr.NewServer(ctx,
		signalr.HubFactory(func() signalr.HubInterface { return &recordingHub{conns: &h.conns} }),
		signalr.Logger(nopLogger{}, false),
		signalr.MaximumReceiveMessageSize(1<<20),
		signalr.HTTPTransports(signalr.TransportWebSockets),
	)
	if err != nil {
		// Only a missing hub factory makes NewServer fail: a programming error.
		panic("anywhere365 sim: signalr.NewServer: " + err.Error())
	}
	mux := http.NewServeMux()
	srv.MapHTTP(signalr.WithHTTPServeMux(mux), h.path)
	return &hubInstance{srv: srv, mux: mux, cancel: cancel}
}

// ServeHTTP serves negotiate and websocket requests on the current instance.
func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		http.Error(w, "hub closed", http.StatusServiceUnavailable)
		return
	}
	inst := h.cur
	h.active.Add(1) // under the lock, so close never races an Add
	h.mu.Unlock()
	defer h.active.Done()
	inst.mux.ServeHTTP(w, r)
}

// send pushes one event to every connected client. The library sends to
// each client from its own goroutine, so this never blocks on a socket.
func (h *hub) send(ev anywhere365.RecordingStateChangedEvent) {
	h.mu.Lock()
	inst, closed := h.cur, h.closed
	h.mu.Unlock()
	if closed {
		return
	}
	inst.srv.HubClients().All().Send(anywhere365.HubTarget, ev)
}

// drop closes every live websocket; new connections go to a fresh instance.
func (h *hub) drop() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	old := h.cur
	h.cur = h.newInstance()
	h.mu.Unlock()
	old.cancel()
	h.logf("anywhere365 sim: hub connections dropped")
}

// close closes every websocket and waits (bounded) for their handlers.
func (h *hub) close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.cur.cancel()
	h.mu.Unlock()
	done := make(chan struct{})
	go func() { h.active.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(hubCloseWait):
		h.logf("anywhere365 sim: hub handlers still running after %s", hubCloseWait)
	}
}

// HubConnections is the number of clients connected to the hub now.
func (s *Server) HubConnections() int { return int(s.hub.conns.Load()) }
