package anywhere365

// hubconn.go: the hub's WebSocket connection, built here rather than by
// signalr.NewHTTPConnection, so that events keep the order the server sent
// them in.
//
// philippseith/signalr v0.11.0 runs every received invocation on its own
// goroutine (loop.go: go func(){ method.Call(in) }), so receiver methods
// see events out of wire order. The order is captured below the library:
// hubConn is the signalr.Connection the client reads from. Its Read takes
// one whole WebSocket message, splits it into SignalR records (terminated
// by 0x1e), decodes every RecordingStateChangedEvent invocation and hands
// it to OnEvent (or OnInvalid) at once, in order, from the one goroutine
// that reads the socket. Those records are filtered out; everything else
// (the handshake answer, pings, close, completions) goes on to the library,
// which still speaks the protocol (handshake, keep-alive, close).
//
// The library sets a read limit only on its own WebSocket type, so this
// connection owns the limit: it counts each message's bytes itself. A
// message over the limit is drained and skipped (the connection stays up
// and the next event arrives) and reported once per connection; one over
// the hard cap (hardCapFactor times the limit) closes the connection.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/safetext"
)

const (
	// recordSeparator ends every SignalR JSON record.
	recordSeparator = 0x1e
	// hardCapFactor times MaxMessageSize is the largest message drained
	// and skipped; a bigger one closes the connection (it would take too
	// long to drain, and a hub sending it is not one recdeck can follow).
	hardCapFactor = 64
	// maxNegotiateBody bounds the negotiate answer (a few hundred bytes).
	maxNegotiateBody = 64 << 10
	// keepAliveEvery: when events were filtered out and nothing else was
	// handed to the library for this long, the connection hands it a ping
	// record, so the library's server timeout (30 s without a message)
	// does not fire while events are flowing: a busy server sends no pings.
	keepAliveEvery = time.Second
)

// errConnClosed is the cause when recdeck itself closed the connection.
var errConnClosed = errors.New("connection closed")

// pingRecord is a SignalR ping (type 6).
var pingRecord = []byte("{\"type\":6}\x1e")

// MessageSizeError is a hub message over ListenerConfig.MaxMessageSize.
// Below the hard cap the message was skipped and the connection kept
// (Closed false); above it the connection was closed (Closed true, and
// Size is then a lower bound).
type MessageSizeError struct {
	Size, Limit int64
	Closed      bool
}

func (e *MessageSizeError) Error() string {
	if e.Closed {
		return fmt.Sprintf("hub message of more than %d bytes exceeds the hard cap of %d (%d times the limit of %d): connection closed; raise hub.max_message_size",
			e.Size, e.Limit*hardCapFactor, hardCapFactor, e.Limit)
	}
	return fmt.Sprintf("hub message of %d bytes exceeds the limit of %d: raise hub.max_message_size", e.Size, e.Limit)
}

// hubConn is a signalr.Connection (and ConnectionWithTransferMode) over a
// coder/websocket connection. Write may be called concurrently with Read
// (the library writes pings and the handshake from other goroutines).
type hubConn struct {
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelCauseFunc
	limit  int64

	onEvent    func(RecordingStateChangedEvent)
	onInvalid  func(error)
	onOversize func(*MessageSizeError) // the first skipped message of this connection

	idMu sync.Mutex
	id   string
	mode atomic.Int32 // signalr.TransferMode

	readMu    sync.Mutex // one Read at a time; held while callbacks run
	msg       bytes.Buffer
	pending   []byte // records for the library, not yet read by it
	carry     []byte // an unterminated record at the end of the last message
	lastPass  time.Time
	oversized bool // reported once per connection
}

func newHubConn(ctx context.Context, ws *websocket.Conn, id string, limit int64) *hubConn {
	// The limit is enforced by counting in readMessage.
	ws.SetReadLimit(-1)
	c := &hubConn{ws: ws, id: id, limit: limit, lastPass: time.Now()}
	c.ctx, c.cancel = context.WithCancelCause(ctx)
	c.mode.Store(int32(signalr.TextTransferMode))
	return c
}

// Context is cancelled when the connection fails or is closed; the
// library ends its loop then.
func (c *hubConn) Context() context.Context { return c.ctx }

func (c *hubConn) ConnectionID() string {
	c.idMu.Lock()
	defer c.idMu.Unlock()
	return c.id
}

func (c *hubConn) SetConnectionID(id string) {
	c.idMu.Lock()
	c.id = id
	c.idMu.Unlock()
}

func (c *hubConn) TransferMode() signalr.TransferMode { return signalr.TransferMode(c.mode.Load()) }

func (c *hubConn) SetTransferMode(m signalr.TransferMode) { c.mode.Store(int32(m)) }

// Err is why the connection ended (nil while it is up).
func (c *hubConn) Err() error {
	if c.ctx.Err() == nil {
		return nil
	}
	return context.Cause(c.ctx)
}

// close ends the connection and waits until no Read is running, so no
// callback runs after it returns.
func (c *hubConn) close() {
	c.fail(errConnClosed)
	c.readMu.Lock()
	//nolint:staticcheck // an empty critical section: waiting for Read
	c.readMu.Unlock()
}

// fail records the first error and closes the socket.
func (c *hubConn) fail(err error) {
	c.cancel(err)
	_ = c.ws.CloseNow()
}

func (c *hubConn) Write(p []byte) (int, error) {
	typ := websocket.MessageText
	if c.TransferMode() == signalr.BinaryTransferMode {
		typ = websocket.MessageBinary
	}
	if err := c.ws.Write(c.ctx, typ, p); err != nil {
		c.fail(err)
		return 0, err
	}
	return len(p), nil
}

// Read hands the library the next record that is not an event, reading
// (and dispatching events from) as many messages as that takes. It returns
// at most one record per call: the library's handshake reader discards
// whatever follows the handshake answer in the bytes it was given.
func (c *hubConn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for len(c.pending) == 0 {
		if err := c.ctx.Err(); err != nil {
			return 0, context.Cause(c.ctx)
		}
		if err := c.readMessage(); err != nil {
			c.fail(err)
			return 0, context.Cause(c.ctx)
		}
	}
	n := len(c.pending)
	if i := bytes.IndexByte(c.pending, recordSeparator); i >= 0 {
		n = i + 1
	}
	n = copy(p, c.pending[:n])
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.pending = nil
	}
	return n, nil
}

// readMessage reads one WebSocket message, dispatches its events and
// queues its other records for the library.
func (c *hubConn) readMessage() error {
	_, r, err := c.ws.Reader(c.ctx)
	if err != nil {
		return err
	}
	c.msg.Reset()
	n, err := c.msg.ReadFrom(io.LimitReader(r, c.limit+1))
	if err != nil {
		return err
	}
	if n > c.limit {
		// Drain the rest without keeping it, up to the hard cap.
		hardCap := c.limit * hardCapFactor
		rest, err := io.Copy(io.Discard, io.LimitReader(r, hardCap-n+1))
		if err != nil {
			return err
		}
		c.msg = bytes.Buffer{} // do not keep a limit-sized buffer
		c.carry = c.carry[:0]  // a record cut by the skipped message is lost too
		if n+rest > hardCap {
			return &MessageSizeError{Size: hardCap, Limit: c.limit, Closed: true}
		}
		c.reportOversize(n + rest)
		c.keepAlive()
		return nil
	}
	c.split(c.msg.Bytes())
	if c.msg.Cap() > 256<<10 {
		c.msg = bytes.Buffer{}
	}
	c.keepAlive()
	return nil
}

// split dispatches the complete records of data (after any carried
// part) and carries an unterminated tail over to the next message.
func (c *hubConn) split(data []byte) {
	if len(c.carry) > 0 {
		c.carry = append(c.carry, data...)
		data = c.carry
	}
	for {
		i := bytes.IndexByte(data, recordSeparator)
		if i < 0 {
			break
		}
		c.record(data[:i])
		data = data[i+1:]
	}
	if int64(len(data)) > c.limit {
		c.reportOversize(int64(len(data)))
		data = nil
	}
	c.carry = append(c.carry[:0], data...) // append copes with the overlap
}

// hubRecord is the part of a SignalR record needed to pick out events.
type hubRecord struct {
	Type         int               `json:"type"`
	Target       string            `json:"target"`
	InvocationID string            `json:"invocationId"`
	Arguments    []json.RawMessage `json:"arguments"`
}

// record dispatches one record: an event invocation goes to the
// callbacks, anything else to the library.
func (c *hubConn) record(rec []byte) {
	if ev, ok := fastEvent(rec); ok {
		if c.onEvent != nil {
			c.onEvent(ev)
		}
		return
	}
	var hr hubRecord
	// A record that is not JSON is the library's to refuse (it closes the
	// connection on a protocol error, as it always did).
	if json.Unmarshal(rec, &hr) == nil && hr.Type == 1 && strings.EqualFold(hr.Target, HubTarget) && hr.InvocationID == "" {
		c.event(hr.Arguments)
		return
	}
	c.pending = append(c.pending, rec...)
	c.pending = append(c.pending, recordSeparator)
	c.lastPass = time.Now()
}

func (c *hubConn) event(args []json.RawMessage) {
	if len(args) != 1 {
		if c.onInvalid != nil {
			c.onInvalid(fmt.Errorf("hub event with %d arguments (want 1)", len(args)))
		}
		return
	}
	ev, err := DecodeEvent(args[0])
	if err != nil {
		if c.onInvalid != nil {
			c.onInvalid(err)
		}
		return
	}
	if c.onEvent != nil {
		c.onEvent(ev)
	}
}

// keepAlive hands the library a ping when it has been given nothing for
// keepAliveEvery (events only, or skipped messages).
func (c *hubConn) keepAlive() {
	if len(c.pending) == 0 && time.Since(c.lastPass) >= keepAliveEvery {
		c.pending = append(c.pending, pingRecord...)
		c.lastPass = time.Now()
	}
}

func (c *hubConn) reportOversize(size int64) {
	if c.oversized {
		return
	}
	c.oversized = true
	if c.onOversize != nil {
		c.onOversize(&MessageSizeError{Size: size, Limit: c.limit})
	}
}

// negotiateAnswer is the hub's answer to POST {hub}/negotiate.
type negotiateAnswer struct {
	ConnectionToken     string `json:"connectionToken"`
	ConnectionID        string `json:"connectionId"`
	NegotiateVersion    int    `json:"negotiateVersion"`
	AvailableTransports []struct {
		Transport string `json:"transport"`
	} `json:"availableTransports"`
	URL   string `json:"url"`
	Error string `json:"error"`
}

// dialHub negotiates (POST {hub}/negotiate?negotiateVersion=1, as
// signalr's httpconnection.go does, with the same headers and client) and
// opens the WebSocket with the connection token. The returned socket is
// not tied to ctx, which bounds only the dial.
func dialHub(ctx context.Context, hc *http.Client, hubURL string, hdr http.Header) (*websocket.Conn, string, error) {
	u, err := url.Parse(hubURL)
	if err != nil {
		return nil, "", err
	}
	nu := *u
	nu.Path = path.Join(nu.Path, "negotiate")
	q := nu.Query()
	q.Set("negotiateVersion", "1")
	nu.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nu.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header = hdr.Clone()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxNegotiateBody+1))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxNegotiateBody))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// What the server said (its reason phrase when not the standard
		// one, then its body) helps find a misrouted hub URL; it passes
		// the output gate: secrets removed before the cut, controls blanked.
		said := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
		if said == http.StatusText(resp.StatusCode) {
			said = ""
		}
		if b := strings.TrimSpace(string(body)); b != "" {
			said = strings.TrimSpace(said + " " + b)
		}
		msg := fmt.Sprintf("POST %s -> %d %s", nu.String(), resp.StatusCode, http.StatusText(resp.StatusCode))
		if said = safetext.Clean(said, 120); said != "" {
			msg += " (the server said: " + said + ")"
		}
		return nil, "", errors.New(msg)
	}
	if err != nil {
		return nil, "", fmt.Errorf("hub negotiate: reading the answer: %w", err)
	}
	if len(body) > maxNegotiateBody {
		return nil, "", fmt.Errorf("hub negotiate: answer larger than %d bytes", maxNegotiateBody)
	}
	var na negotiateAnswer
	if err := json.Unmarshal(body, &na); err != nil {
		return nil, "", fmt.Errorf("hub negotiate: the answer is not JSON: %q", truncate(string(body), 60))
	}
	if na.Error != "" {
		return nil, "", fmt.Errorf("hub negotiate refused: %q", truncate(na.Error, 120))
	}
	if na.URL != "" {
		return nil, "", errors.New("hub negotiate redirects to another service (e.g. Azure SignalR Service), which recdeck does not follow: set the hub URL to the service")
	}
	ws := false
	var offered []string
	for _, t := range na.AvailableTransports {
		offered = append(offered, strconv.Quote(truncate(t.Transport, 30)))
		ws = ws || t.Transport == string(signalr.TransportWebSockets)
	}
	if !ws {
		return nil, "", fmt.Errorf("the hub does not offer WebSockets (offers %s)", strings.Join(offered, ", "))
	}
	id := na.ConnectionID
	if na.NegotiateVersion >= 1 {
		id = na.ConnectionToken
	}
	if id == "" {
		return nil, "", errors.New("hub negotiate: the answer has no connection token")
	}

	wu := *u
	q = wu.Query()
	q.Set("id", id)
	wu.RawQuery = q.Encode()
	if wu.Scheme == "https" {
		wu.Scheme = "wss"
	} else {
		wu.Scheme = "ws"
	}
	opts := &websocket.DialOptions{HTTPClient: hc, HTTPHeader: hdr.Clone()}
	if opts.HTTPHeader == nil {
		opts.HTTPHeader = http.Header{}
	}
	// Sticky sessions behind a load balancer ride on the negotiate cookies.
	for _, ck := range resp.Cookies() {
		opts.HTTPHeader.Add("Cookie", (&http.Cookie{Name: ck.Name, Value: ck.Value}).String())
	}
	conn, wsResp, err := websocket.Dial(ctx, wu.String(), opts)
	if err != nil {
		if wsResp != nil && wsResp.StatusCode == http.StatusUnauthorized {
			return nil, "", fmt.Errorf("hub WebSocket upgrade -> 401 %s", http.StatusText(http.StatusUnauthorized))
		}
		return nil, "", err
	}
	return conn, na.ConnectionID, nil
}

// fastEvent decodes the usual form of an event record without
// encoding/json (two reflective decodes per event were a tenth of the
// console's CPU under load):
//
//	{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"..","CorrelationId":"..","StateAction":2}]}
//
// in any member order, member names in any case (as encoding/json matches
// them), with JSON whitespace. It reports false for anything else: an
// escape or a control character in a string, invalid UTF-8, a member name
// that is not ASCII, another member or value type, a repeated member, an
// invocationId, more than one argument, and an event its checks refuse;
// the record then takes the encoding/json path, which decides as it
// always did. FuzzFastEvent holds the two paths to the same answer.
func fastEvent(rec []byte) (RecordingStateChangedEvent, bool) {
	var ev RecordingStateChangedEvent
	sc := jsonScan{b: rec}
	var typ, target, args bool
	ok := sc.object(func(name []byte) bool {
		switch {
		case !typ && asciiFold(name, "type"):
			n, ok := sc.uint()
			typ = true
			return ok && n == 1
		case !target && asciiFold(name, "target"):
			t, ok := sc.str()
			target = true
			return ok && asciiFold(t, HubTarget)
		case !args && asciiFold(name, "arguments"):
			args = true
			return sc.one('[') && sc.eventObject(&ev) && sc.one(']')
		}
		return false
	})
	if !ok || !typ || !target || !args || !sc.end() || eventProblem(ev) != "" {
		return RecordingStateChangedEvent{}, false
	}
	return ev, true
}

// jsonScan reads the small subset of JSON fastEvent accepts.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// one consumes c (after whitespace).
func (s *jsonScan) one(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *jsonScan) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// str reads a string without escapes or control characters, in valid
// UTF-8 (encoding/json would replace invalid bytes), and returns its bytes.
func (s *jsonScan) str() ([]byte, bool) {
	if !s.one('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return v, ascii || utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// uint reads a small non-negative integer: digits without a leading zero,
// not followed by a fraction or an exponent.
func (s *jsonScan) uint() (int, bool) {
	s.ws()
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' && s.i-start < 9 {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	d := s.i - start
	if d == 0 || (d > 1 && s.b[start] == '0') || s.i < len(s.b) && strings.IndexByte("0123456789.eE", s.b[s.i]) >= 0 {
		return 0, false
	}
	return n, true
}

// object reads {"name": value, ...}: member reads each value, given the
// member's name (ASCII only, else the object is refused).
func (s *jsonScan) object(member func(name []byte) bool) bool {
	if !s.one('{') {
		return false
	}
	if s.one('}') {
		return true
	}
	for {
		name, ok := s.str()
		if !ok || !isASCII(name) || !s.one(':') || !member(name) {
			return false
		}
		if s.one('}') {
			return true
		}
		if !s.one(',') {
			return false
		}
	}
}

// eventObject reads the event argument: each of its three members once,
// the ids as strings, the action as a number.
func (s *jsonScan) eventObject(ev *RecordingStateChangedEvent) bool {
	var ucc, id, action bool
	return s.object(func(name []byte) bool {
		switch {
		case !ucc && asciiFold(name, "UccName"):
			v, ok := s.str()
			ev.UccName, ucc = string(v), true
			return ok
		case !id && asciiFold(name, "CorrelationId"):
			v, ok := s.str()
			ev.CorrelationId, id = string(v), true
			return ok
		case !action && asciiFold(name, "StateAction"):
			n, ok := s.uint()
			ev.StateAction, action = Action(n), true
			return ok
		}
		return false
	})
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiFold is strings.EqualFold for an ASCII name.
func asciiFold(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], name[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
