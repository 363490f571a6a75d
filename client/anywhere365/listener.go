package anywhere365

// The listener keeps one SignalR connection to the recording hub and hands
// each RecordingStateChangedEvent to a callback.
//
// It runs its own reconnect loop instead of the library's (WithConnector +
// WithBackoff): the library keeps reporting Connected during its backoff
// after a drop and clears Err() before the next attempt, so it cannot say
// "reconnecting, attempt 3, last error ...". Each attempt therefore gets a
// fresh signalr.NewHTTPConnection (WebSockets only: the SSE client drops
// the Authorization header) and a fresh signalr.Client given that
// connection; when the client closes, the loop waits a capped exponential
// backoff (no overall time limit: it retries forever) and tries again.
// Every library pitfall listed in DESIGN.md is handled here: nop logger,
// raised MaximumReceiveMessageSize, headers (bearer token) fetched anew per
// attempt.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/safetext"
)

// Listener defaults.
const (
	DefaultListenerMinBackoff = 250 * time.Millisecond
	// DefaultListenerMaxBackoff keeps a reconnect at most 1.2 s after the
	// hub is back (800 ms plus the backoff's ±50 % jitter), so a console
	// shows the truth within 2 s of an outage ending; one connection per
	// console makes that cheap.
	DefaultListenerMaxBackoff  = 800 * time.Millisecond
	DefaultListenerDialTimeout = 15 * time.Second
	// DefaultMaxMessageSize is the largest hub message accepted (the
	// library's default, 32 KiB, would cut a batch of pushes short).
	DefaultMaxMessageSize = 1 << 20
)

// ListenerConfig configures a Listener. HubURL is required; callbacks are
// optional and must not block (they run on the library's receive path).
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

	// OnEvent receives every decoded event. It must not block.
	OnEvent func(RecordingStateChangedEvent)
	// OnInvalid receives hub messages that are not a valid event (the
	// error says why). It must not block.
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
	// 250ms and 30s, with jitter). There is no overall limit.
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds one attempt's negotiate, upgrade and handshake
	// (default 15s).
	DialTimeout time.Duration
	// MaxMessageSize is the largest hub message accepted (default 1 MiB).
	MaxMessageSize uint
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
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultListenerDialTimeout
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
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
	bo := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(l.cfg.MinBackoff),
		backoff.WithMaxInterval(l.cfg.MaxBackoff),
		backoff.WithMaxElapsedTime(0), // never give up
	)
	l.setState(ConnState{Phase: ConnConnecting})
	attempt := 0 // failed attempts since the last good connection
	for {
		up, errText := l.attempt(ctx, hubURL)
		if ctx.Err() != nil {
			break
		}
		if up {
			attempt = 0
			bo.Reset()
		}
		attempt++
		// Shown during the wait and the attempt that follows it.
		l.setState(ConnState{Phase: ConnReconnecting, Attempt: attempt, LastError: errText})
		wait := time.NewTimer(bo.NextBackOff())
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

// attempt makes one connection and serves it until it ends. up reports
// whether the handshake succeeded (events could flow); errText says why
// it ended, with secrets removed.
func (l *Listener) attempt(ctx context.Context, hubURL string) (up bool, errText string) {
	// Every socket of this attempt is closed when it ends, even if the
	// server never answers the SignalR close message: otherwise the
	// library's reader goroutine would outlive the attempt.
	hc, closeConns := l.trackedClient()
	defer closeConns()

	dialCtx, cancelDial := context.WithTimeout(ctx, l.cfg.DialTimeout)
	defer cancelDial()
	hdr := http.Header{}
	if l.cfg.Headers != nil {
		h, err := l.cfg.Headers(dialCtx)
		if err != nil {
			return false, l.redact("hub credentials: "+err.Error(), nil)
		}
		hdr = h.Clone()
	}
	conn, err := signalr.NewHTTPConnection(dialCtx, hubURL,
		signalr.WithHTTPClient(hc),
		signalr.WithTransports(signalr.TransportWebSockets),
		signalr.WithHTTPHeaders(func() http.Header { return hdr.Clone() }),
	)
	if err != nil {
		if isUnauthorized(err) && l.cfg.OnAuthFailure != nil {
			l.cfg.OnAuthFailure()
		}
		return false, l.redact(err.Error(), hdr)
	}

	cctx, cancelClient := context.WithCancel(ctx)
	defer cancelClient()
	client, err := signalr.NewClient(cctx,
		signalr.WithConnection(conn),
		signalr.WithReceiver(&hubReceiver{l: l}),
		signalr.Logger(nopLogger{}, false),
		signalr.MaximumReceiveMessageSize(l.cfg.MaxMessageSize),
		signalr.HandshakeTimeout(l.cfg.DialTimeout),
	)
	if err != nil {
		return false, l.redact(err.Error(), hdr)
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
			return up, ""
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
				if err := client.Err(); err != nil {
					errText = l.redact(err.Error(), hdr)
				}
				return up, errText
			}
		}
	}
}

// trackedClient returns an HTTP client for one attempt that remembers every
// connection it dials, and a function closing them all. A client whose
// transport is not an *http.Transport is used as it is.
func (l *Listener) trackedClient() (*http.Client, func()) {
	base := l.cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
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

// hubReceiver is the SignalR receiver: the library calls its methods by
// target name, each call on its own goroutine.
type hubReceiver struct{ l *Listener }

// RecordingStateChangedEvent receives the hub's one argument raw, so a
// malformed event is reported (and counted) instead of silently dropped by
// the library.
func (r *hubReceiver) RecordingStateChangedEvent(raw rawHubArg) {
	ev, err := DecodeEvent(raw)
	if err != nil {
		if r.l.cfg.OnInvalid != nil {
			r.l.cfg.OnInvalid(err)
		}
		return
	}
	if r.l.cfg.OnEvent != nil {
		r.l.cfg.OnEvent(ev)
	}
}

// rawHubArg is a hub argument as received, undecoded. The library formats
// every received argument with %v for its debug log, whether a logger
// listens or not; String keeps that cheap (fmt would print a []byte as a
// list of numbers: about 8 µs and 100 allocations per event).
type rawHubArg []byte

// UnmarshalJSON keeps a copy of the raw argument.
func (r *rawHubArg) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

func (r rawHubArg) String() string { return "RecordingStateChangedEvent argument" }

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

var unauthorizedRe = regexp.MustCompile(`\b401\b`)

func isUnauthorized(err error) bool { return unauthorizedRe.MatchString(err.Error()) }

// redact removes secrets from an error before it is shown: the header
// values sent (the bearer token), any bearer token, and the connection
// token the library puts in the WebSocket URL.
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
	return truncate(redactSecrets(msg, extra), 200)
}

var (
	bearerRe = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`)
	queryRe  = regexp.MustCompile(`(?i)([?&](?:id|access_token|token|apikey|api_key|password|client_secret)=)[^&\s"']*`)
	userRe   = regexp.MustCompile(`(//)[^/@\s]+@`)
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
	s = bearerRe.ReplaceAllString(s, "${1}[redacted]")
	s = queryRe.ReplaceAllString(s, "${1}[redacted]")
	s = userRe.ReplaceAllString(s, "${1}[redacted]@")
	return s
}

// nopLogger discards the library's log lines: its default logger writes
// every message to stderr, which would wreck the TUI.
type nopLogger struct{}

func (nopLogger) Log(...any) error { return nil }
