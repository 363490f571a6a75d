package anywhere365

// The listener keeps one SignalR connection to the recording hub and hands
// each RecordingStateChangedEvent to a callback, in the order the server
// sent them on the connection.
//
// It runs its own reconnect loop instead of the library's (WithConnector +
// WithBackoff): the library keeps reporting Connected during its backoff
// after a drop and clears Err() before the next attempt, so it cannot say
// "reconnecting, attempt 3, last error ...". Each attempt negotiates and
// dials a fresh WebSocket itself (hubconn.go: WebSockets only, since the
// library's SSE client drops the Authorization header) and gives it to a
// fresh signalr.Client with WithConnection. The connection picks the events
// out before the library sees them, because the library runs each received
// invocation on its own goroutine and so would reorder them. When the
// client closes, the loop waits an exponential backoff with jitter (from
// MinBackoff, doubling to MaxBackoff, no overall limit: it retries forever)
// and tries again. Every other library pitfall listed in DESIGN.md is
// handled here too: nop logger, the message size limit (enforced by
// hubconn.go), headers (bearer token) fetched anew per attempt.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// Listener defaults.
const (
	// DefaultListenerMinBackoff is the first wait after a connection is
	// lost (jittered: between half of it and all of it), so a dropped
	// connection is back within a fraction of a second.
	DefaultListenerMinBackoff = 250 * time.Millisecond
	// DefaultListenerMaxBackoff caps the wait while the hub stays down.
	// An outage starts with a quick phase (DefaultListenerQuickFor, waits
	// of at most DefaultListenerQuickMax), so a blip - a dropped
	// connection, a hub restart - is over within 2 s; after it the wait
	// is the doubling step (0.25, 0.5, 1, 2 ... s, capped at 30 s, so 30 s
	// by then), each jittered between half and all of it, so a floor of
	// consoles does not hammer a recovering hub in step: at most about 35
	// attempts in the first minute, then one every 15-30 s. A long outage is then noticed over at most 30 s late;
	// meanwhile the tracker keeps the view true over REST and marks it
	// stale, so the listener only has to report ConnState promptly.
	DefaultListenerMaxBackoff = 30 * time.Second
	// DefaultListenerQuickFor is how long an outage keeps the quick
	// retries, and DefaultListenerQuickMax their longest wait.
	DefaultListenerQuickFor    = 20 * time.Second
	DefaultListenerQuickMax    = 1500 * time.Millisecond
	DefaultListenerDialTimeout = 15 * time.Second
	// DefaultMaxMessageSize is the largest hub message accepted (the
	// library's default, 32 KiB, would cut a batch of pushes short).
	DefaultMaxMessageSize = 1 << 20
	// DefaultKeepAlive is how long the client stays silent before it
	// pings: the ASP.NET Core client's default, for a hub that drops a
	// client silent for its ClientTimeoutInterval (30 s by default).
	DefaultKeepAlive = 15 * time.Second
	// minMessageSize is the smallest MaxMessageSize used.
	minMessageSize = 1 << 10
	// stableAfter is how long a connection must have been up for the
	// backoff to start again from MinBackoff when it ends: a hub that
	// accepts and drops every connection at once still gets a growing
	// backoff, not a reconnect storm.
	stableAfter = time.Second
)

// ListenerConfig configures a Listener. HubURL is required; callbacks are
// optional and must not block (OnEvent and OnInvalid run on the one
// goroutine that reads the socket, in wire order).
type ListenerConfig struct {
	// HubURL is the hub, e.g. https://fqdn/attendantservice/hubs/recording
	// (ws:// and wss:// are accepted too).
	HubURL string
	// Headers gives the headers for one connection attempt (v2: the bearer
	// token); it is called again on every attempt, so a renewed token is
	// used on reconnect. nil sends none.
	Headers func(ctx context.Context) (http.Header, error)
	// HTTPClient makes the negotiate request and the WebSocket upgrade
	// (TLS settings). nil uses a clone of http.DefaultTransport.
	HTTPClient *http.Client

	// OnEvent receives every decoded event, in the order the server sent
	// them on the connection, one call at a time. It must not block.
	OnEvent func(RecordingStateChangedEvent)
	// OnInvalid receives hub messages that are not a valid event (the
	// error says why), in order with OnEvent, and the first message of a
	// connection over MaxMessageSize (a *MessageSizeError). It must not
	// block.
	OnInvalid func(err error)
	// OnState receives every connection state change. It must not block.
	OnState func(ConnState)
	// OnResync is called after every successful connect, the first one
	// included: events may have been missed before it (or while
	// disconnected), so known sessions should be re-fetched. It must not
	// block.
	OnResync func()
	// OnAuthFailure is called when the hub refused the connection with 401
	// (e.g. to drop a cached token so the next attempt fetches a new one).
	OnAuthFailure func()

	// MinBackoff and MaxBackoff bound the wait between attempts (defaults
	// 250ms and 30s): it doubles from MinBackoff to MaxBackoff while the
	// hub stays down, each wait jittered between half and all of it, and
	// starts again from MinBackoff after a connection that stayed up. There
	// is no overall limit.
	MinBackoff, MaxBackoff time.Duration
	// QuickFor and QuickMax: for the first QuickFor of an outage the wait
	// is at most QuickMax (defaults 20s and 1.5s; QuickFor < 0 turns the
	// quick phase off), so a short outage is over within about 2 s while a
	// long one backs off to MaxBackoff.
	QuickFor, QuickMax time.Duration
	// DialTimeout bounds one attempt's negotiate, upgrade and handshake
	// (default 15s).
	DialTimeout time.Duration
	// MaxMessageSize is the largest hub message accepted (default 1 MiB;
	// config key hub.max_message_size). A larger one is skipped and
	// reported once per connection; one over 64 times it closes the
	// connection. Values under 1 KiB are raised to 1 KiB.
	MaxMessageSize uint
	// KeepAlive is how long the client stays silent before it pings
	// (default 15s, DefaultKeepAlive; config key hub.keep_alive). A hub
	// drops a client silent for its ClientTimeoutInterval (30 s unless
	// configured otherwise): for a hub with a shorter one, set KeepAlive
	// to at most half of it.
	KeepAlive time.Duration
	// Now stamps ConnState.Since (default time.Now).
	Now func() time.Time
}

// Listener is one hub connection, kept up until Run's context ends.
type Listener struct {
	cfg ListenerConfig

	mu    sync.Mutex
	state ConnState
}

// NewListener returns a listener; Run connects it.
func NewListener(cfg ListenerConfig) *Listener {
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultListenerMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultListenerMaxBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.QuickFor == 0 {
		cfg.QuickFor = DefaultListenerQuickFor
	}
	if cfg.QuickMax <= 0 {
		cfg.QuickMax = DefaultListenerQuickMax
	}
	cfg.QuickMax = min(max(cfg.QuickMax, cfg.MinBackoff), cfg.MaxBackoff)
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultListenerDialTimeout
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	// The handshake answer and pings must fit.
	cfg.MaxMessageSize = max(cfg.MaxMessageSize, minMessageSize)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Listener{cfg: cfg}
	l.state = ConnState{Phase: ConnClosed, Since: cfg.Now()}
	return l
}

// State returns the current connection state.
func (l *Listener) State() ConnState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

func (l *Listener) setState(s ConnState) {
	s.Since = l.cfg.Now()
	l.mu.Lock()
	l.state = s
	l.mu.Unlock()
	if l.cfg.OnState != nil {
		l.cfg.OnState(s)
	}
}

// Run connects and keeps reconnecting until ctx is done, then closes the
// connection, reports ConnClosed and returns nil. It returns an error at
// once only for a config that can never work (a bad hub URL).
func (l *Listener) Run(ctx context.Context) error {
	hubURL, err := checkHubURL(l.cfg.HubURL)
	if err != nil {
		l.setState(ConnState{Phase: ConnClosed, LastError: err.Error()})
		return err
	}
	bo := backoff{min: l.cfg.MinBackoff, max: l.cfg.MaxBackoff}
	l.setState(ConnState{Phase: ConnConnecting})
	attempt := 0              // failed attempts since the last good connection
	outageStart := time.Now() // when the hub was last lost for good
	for {
		start := time.Now()
		up, stable, errText := l.attempt(ctx, hubURL)
		if ctx.Err() != nil {
			break
		}
		if up {
			attempt = 0
			if stable && time.Since(start) >= stableAfter {
				bo.reset()
				outageStart = time.Now()
			}
		}
		attempt++
		// Shown at once, during the wait and the attempt that follows it.
		l.setState(ConnState{Phase: ConnReconnecting, Attempt: attempt, LastError: errText})
		step := bo.next()
		if l.cfg.QuickFor > 0 && time.Since(outageStart) < l.cfg.QuickFor {
			step = bo.quick(l.cfg.QuickMax)
		}
		wait := time.NewTimer(step)
		select {
		case <-ctx.Done():
			wait.Stop()
		case <-wait.C:
		}
		if ctx.Err() != nil {
			break
		}
	}
	l.setState(ConnState{Phase: ConnClosed})
	return nil
}

// backoff is the wait between attempts: doubling from min to max, each
// wait drawn between half of the step and all of it ("equal jitter"), so
// consoles that lost the hub together do not retry together.
type backoff struct{ min, max, cur time.Duration }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	half := b.cur / 2
	return half + rand.N(b.cur-half+1)
}

func (b *backoff) reset() { b.cur = 0 }

// quick redraws the wait next just drew with its step capped at most: the
// quick phase of an outage. The step itself keeps doubling, so the waits
// after the quick phase carry on from where the doubling got to.
func (b *backoff) quick(most time.Duration) time.Duration {
	step := min(b.cur, most)
	half := step / 2
	return half + rand.N(step-half+1)
}

// attempt makes one connection and serves it until it ends. up reports
// whether the handshake succeeded (events could flow); stable is false
// when the connection was closed for a reason that would recur at once (a
// message over the hard cap), so the backoff keeps growing; errText says
// why it ended, with secrets removed.
func (l *Listener) attempt(ctx context.Context, hubURL string) (up, stable bool, errText string) {
	// Every socket of this attempt is closed when it ends, even if the
	// server never answers the SignalR close message.
	hc, closeConns := l.trackedClient()
	defer closeConns()

	dialCtx, cancelDial := context.WithTimeout(ctx, l.cfg.DialTimeout)
	defer cancelDial()
	hdr := http.Header{}
	if l.cfg.Headers != nil {
		h, err := l.cfg.Headers(dialCtx)
		if err != nil {
			return false, false, l.redact("hub credentials: "+err.Error(), nil)
		}
		hdr = h.Clone()
	}
	ws, id, err := dialHub(dialCtx, hc, hubURL, hdr)
	if err != nil {
		if isUnauthorized(err) && l.cfg.OnAuthFailure != nil {
			l.cfg.OnAuthFailure()
		}
		return false, false, l.redact(err.Error(), hdr)
	}
	conn := newHubConn(ctx, ws, id, int64(l.cfg.MaxMessageSize))
	conn.onEvent, conn.onInvalid, conn.onOversize = l.cfg.OnEvent, l.cfg.OnInvalid, l.oversize
	// Closed last (deferred first): after the client stopped; it waits
	// for the reader, so no callback runs after attempt returns.
	defer conn.close()

	cctx, cancelClient := context.WithCancel(ctx)
	defer cancelClient()
	client, err := signalr.NewClient(cctx,
		signalr.WithConnection(conn),
		signalr.WithReceiver(&hubReceiver{}),
		signalr.Logger(nopLogger{}, false),
		// Only records that are not events reach the library, each in a
		// message within the limit.
		signalr.MaximumReceiveMessageSize(l.cfg.MaxMessageSize),
		signalr.HandshakeTimeout(l.cfg.DialTimeout),
		// A ping after KeepAlive without a message (15 s by default, as
		// the ASP.NET Core client's HubConnection.DefaultKeepAliveInterval);
		// the library's 5 s would wake an idle console three times as
		// often, for a hub that expects one within its 30 s
		// ClientTimeoutInterval.
		signalr.KeepAliveInterval(l.cfg.KeepAlive),
	)
	if err != nil {
		return false, false, l.redact(err.Error(), hdr)
	}
	// The library sends state changes from goroutines that hold its lock,
	// so this channel is large enough never to fill (a client with one
	// connection changes state at most three times).
	states := make(chan signalr.ClientState, 16)
	stopObserving := client.ObserveStateChanged(states)
	client.Start()
	defer func() {
		client.Stop()
		stopObserving()
	}()

	for {
		select {
		case <-ctx.Done():
			return up, true, ""
		case <-states:
			// Notifications may arrive out of order: re-read the state.
			switch client.State() {
			case signalr.ClientConnected:
				if !up {
					up = true
					l.setState(ConnState{Phase: ConnConnected})
					if l.cfg.OnResync != nil {
						l.cfg.OnResync()
					}
				}
			case signalr.ClientClosed:
				errText = "connection closed"
				var sizeErr *MessageSizeError
				// The socket's own reason beats the library's "breaking
				// loop. hubConnection canceled" or "use of closed network
				// connection".
				switch cerr := conn.Err(); {
				case errors.As(cerr, &sizeErr):
					return up, false, sizeErr.Error()
				case cerr != nil && !errors.Is(cerr, errConnClosed):
					errText = l.redact("connection lost: "+cerr.Error(), hdr)
				case client.Err() != nil:
					errText = l.redact(client.Err().Error(), hdr)
				}
				return up, true, errText
			}
		}
	}
}

// oversize reports the first hub message of a connection over the limit:
// to OnInvalid, and on the connection state (still connected, with the
// reason in LastError).
func (l *Listener) oversize(err *MessageSizeError) {
	if l.cfg.OnInvalid != nil {
		l.cfg.OnInvalid(err)
	}
	l.mu.Lock()
	s := l.state
	l.mu.Unlock()
	if s.Phase == ConnConnected {
		s.LastError = err.Error()
		l.setState(s)
	}
}

// trackedClient returns an HTTP client for one attempt that remembers every
// connection it dials, and a function closing them all. A client whose
// transport is not an *http.Transport is used as it is.
func (l *Listener) trackedClient() (*http.Client, func()) {
	// The negotiate request carries the bearer token: never to another origin.
	base := httpsafe.Client(l.cfg.HTTPClient)
	var tr *http.Transport
	switch rt := base.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = rt.Clone()
	default:
		return base, func() {}
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  bool
	)
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if done {
			c.Close()
			return nil, net.ErrClosed
		}
		conns = append(conns, c)
		return c, nil
	}
	hc := *base
	hc.Transport = tr
	// The WebSocket library would otherwise turn Timeout into a deadline
	// for the whole connection's handshake context only; DialTimeout
	// already bounds it.
	hc.Timeout = 0
	return &hc, func() {
		mu.Lock()
		done = true
		cs := conns
		conns = nil
		mu.Unlock()
		for _, c := range cs {
			_ = c.Close()
		}
		tr.CloseIdleConnections()
	}
}

// hubReceiver is the SignalR receiver the library needs. It has no
// methods: the connection (hubconn.go) takes every event before the
// library sees it, so the library never dispatches one.
type hubReceiver struct{}

// DecodeEvent decodes and checks one RecordingStateChangedEvent argument:
// {"UccName":..., "CorrelationId":..., "StateAction":...}. Field names
// match case-insensitively (a .NET hub sends camelCase by default); the
// action may be a number or a name. Both ids must be non-empty and at most
// 256 bytes, and the action one of the seven documented.
func DecodeEvent(raw []byte) (RecordingStateChangedEvent, error) {
	var ev RecordingStateChangedEvent
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return RecordingStateChangedEvent{}, fmt.Errorf("hub event is not a JSON object: %q", truncate(string(raw), 60))
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return RecordingStateChangedEvent{}, fmt.Errorf("hub event: %v", truncate(err.Error(), 120))
	}
	if problem := eventProblem(ev); problem != "" {
		return RecordingStateChangedEvent{}, errors.New("hub event " + problem)
	}
	return ev, nil
}

// checkHubURL accepts http(s) and ws(s) URLs; the library wants http(s)
// (it derives the ws(s) URL after negotiating).
func checkHubURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("hub URL %q is not a URL (want e.g. https://fqdn%s)", truncate(redactSecrets(s, nil), 80), DefaultHubPath)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", fmt.Errorf("hub URL %q must start with http://, https://, ws:// or wss://", truncate(redactSecrets(s, nil), 80))
	}
	return u.String(), nil
}

var unauthorizedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b401\b`) })

func isUnauthorized(err error) bool { return unauthorizedRe().MatchString(err.Error()) }

// redact removes secrets from an error before it is shown: the header
// values sent (the bearer token), any bearer token, and the connection
// token in the WebSocket URL; and control and bidi characters.
func (l *Listener) redact(msg string, sent http.Header) string {
	var extra []string
	for _, vs := range sent {
		for _, v := range vs {
			extra = append(extra, v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				extra = append(extra, tok)
			}
		}
	}
	// A close reason or status text can come from the server: make it
	// printable here, whatever shows it.
	return truncate(safetext.Printable(redactSecrets(msg, extra)), 200)
}

var (
	bearerRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`) })
	queryRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)([?&](?:id|access_token|token|apikey|api_key|password|client_secret)=)[^&\s"']*`)
	})
	userRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(//)[^/@\s]+@`) })
)

// redactSecrets removes bearer tokens, secret-looking query values, URL
// user info and each of extra from s, and makes it printable: it goes
// through the output gate (safetext.Out), whose redactor knows every secret
// of the process (passwords, issued tokens) in any form or fragment; the
// patterns below catch what it cannot know (a connection token the library
// puts in the WebSocket URL). A hub's error text quotes the server (its
// reason phrase), so it must not reach the screen raw.
func redactSecrets(s string, extra []string) string {
	for _, x := range extra {
		if len(x) >= 8 {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	s = safetext.Out(s)
	s = bearerRe().ReplaceAllString(s, "${1}[redacted]")
	s = queryRe().ReplaceAllString(s, "${1}[redacted]")
	s = userRe().ReplaceAllString(s, "${1}[redacted]@")
	return s
}

// nopLogger discards the library's log lines: its default logger writes
// every message to stderr, which would wreck the TUI.
type nopLogger struct{}

func (nopLogger) Log(...any) error { return nil }
