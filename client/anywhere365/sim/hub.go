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
		signalr.WithHubLifetimeManager(func(signalr.Server) (signalr.HubLifetimeManager, error) {
			return newOrderedClients(hubQueueLimit, h.logf), nil
		}),
		signalr.Logger(nopLogger{}, false),
		signalr.MaximumReceiveMessageSize(1<<20),
		signalr.HTTPTransports(signalr.TransportWebSockets),
		// ASP.NET Core's defaults (HubOptions.KeepAliveInterval 15 s,
		// ClientTimeoutInterval 30 s), not the library's 5 s pings: a
		// console measured against the simulator is woken as often as by
		// a real hub.
		signalr.KeepAliveInterval(15*time.Second),
		signalr.TimeoutInterval(30*time.Second),
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

// send pushes one event to every connected client: it queues it on each
// connection's ordered queue (orderedClients), so it never blocks on a
// socket, and each connection gets the events in the order send was called.
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

// hubQueueLimit is how many pushes may wait for one connection before the
// simulator gives up on it. A burst of 10,000 events is far below it; a
// client that stops reading falls behind by it only after the socket
// buffers are full too. Tests lower it.
var hubQueueLimit = 1 << 16

// orderedClients is the hub's signalr.HubLifetimeManager. The library's own
// sends every push to every connection from a new goroutine, so two pushes
// can reach a client in either order; a real ASP.NET Core hub writes each
// connection's messages in order. Here each connection has a FIFO queue
// and one sender goroutine writing it in order.
//
// A slow client never blocks the simulator: queuing does not wait, and a
// connection with hubQueueLimit pushes waiting is dropped and closed (it
// reconnects and re-reads its sessions, as after any drop). The
// simulator's hub has no groups: the group calls do nothing.
type orderedClients struct {
	limit int
	logf  func(string, ...any)

	mu    sync.Mutex
	conns map[string]*orderedConn
}

type orderedConn struct {
	hc   signalr.HubConnection
	wake chan struct{} // capacity 1: the queue is not empty

	mu      sync.Mutex
	queue   []push
	dropped bool
}

type push struct {
	target string
	args   []any
}

func newOrderedClients(limit int, logf func(string, ...any)) *orderedClients {
	return &orderedClients{limit: limit, logf: logf, conns: make(map[string]*orderedConn)}
}

func (o *orderedClients) OnConnected(hc signalr.HubConnection) {
	c := &orderedConn{hc: hc, wake: make(chan struct{}, 1)}
	o.mu.Lock()
	o.conns[hc.ConnectionID()] = c
	o.mu.Unlock()
	go c.run()
}

func (o *orderedClients) OnDisconnected(hc signalr.HubConnection) {
	o.mu.Lock()
	delete(o.conns, hc.ConnectionID())
	o.mu.Unlock()
	// The sender ends with the connection's context.
}

func (o *orderedClients) InvokeAll(target string, args []any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for id, c := range o.conns {
		if !c.enqueue(push{target, args}, o.limit) {
			delete(o.conns, id)
			o.logf("anywhere365 sim: hub client %s dropped: %d pushes behind", id, o.limit)
		}
	}
}

func (o *orderedClients) InvokeClient(id, target string, args []any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if c, ok := o.conns[id]; ok && !c.enqueue(push{target, args}, o.limit) {
		delete(o.conns, id)
		o.logf("anywhere365 sim: hub client %s dropped: %d pushes behind", id, o.limit)
	}
}

func (o *orderedClients) InvokeGroup(string, string, []any) {}
func (o *orderedClients) AddToGroup(string, string)         {}
func (o *orderedClients) RemoveFromGroup(string, string)    {}

// enqueue adds p to the queue; it returns false (and aborts the
// connection) when the queue is full.
func (c *orderedConn) enqueue(p push, limit int) bool {
	c.mu.Lock()
	if c.dropped {
		c.mu.Unlock()
		return false
	}
	if len(c.queue) >= limit {
		c.dropped = true
		c.queue = nil
		c.mu.Unlock()
		c.hc.Abort() // closes the websocket; the sender ends
		return false
	}
	c.queue = append(c.queue, p)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

// run writes the queue in order until the connection ends.
func (c *orderedConn) run() {
	done := c.hc.Context().Done()
	var batch []push
	for {
		select {
		case <-done:
			return
		case <-c.wake:
		}
		c.mu.Lock()
		batch, c.queue = c.queue, batch[:0]
		c.mu.Unlock()
		for i, p := range batch {
			// SendInvocation waits until the message is written (or the
			// connection ends), which is what keeps the order.
			if err := c.hc.SendInvocation("", p.target, p.args); err != nil {
				return
			}
			batch[i] = push{} // let the arguments go
		}
	}
}
