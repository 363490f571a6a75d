package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/philippseith/signalr"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The seed documents' example correlation id.
const seedID = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"

// start serves a simulator on a loopback port for the test's lifetime.
func start(t testing.TB, opts Options) *Running {
	t.Helper()
	r, err := Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// httpc is a per-test HTTP client whose idle connections are closed at the
// end, so goleak sees no transport goroutines.
func httpc(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request; hdr may carry "Authorization".
func do(t testing.TB, c *http.Client, method, u, body string, hdr map[string]string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values) reply {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// sameJSON fails unless got and want are the same JSON value (field names,
// values, nulls), whatever the spacing.
func sameJSON(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("reply is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", bytes.TrimSpace(got), want)
	}
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %T: %v: %s", v, err, b)
	}
	return v
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// token gets a v2 bearer token with the demo credentials.
func token(t testing.TB, c *http.Client, r *Running) string {
	t.Helper()
	rep := postForm(t, c, r.TokenURL, url.Values{
		"client_id": {DemoClientID}, "client_secret": {DemoClientSecret},
		"username": {DemoUsername}, "password": {DemoPassword}, "grant_type": {"password"},
	})
	if rep.status != http.StatusOK {
		t.Fatalf("token: %d %s", rep.status, rep.body)
	}
	return decode[tokenResponse](t, rep.body).AccessToken
}

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// receiver collects hub events.
type receiver struct {
	mu  sync.Mutex
	evs []anywhere365.RecordingStateChangedEvent
}

// RecordingStateChangedEvent is the hub target, called by the signalr client.
func (r *receiver) RecordingStateChangedEvent(ev anywhere365.RecordingStateChangedEvent) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *receiver) events() []anywhere365.RecordingStateChangedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]anywhere365.RecordingStateChangedEvent(nil), r.evs...)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.evs)
}

// has reports whether every wanted event was received (in any order: the
// library may reorder).
func (r *receiver) has(want ...anywhere365.RecordingStateChangedEvent) bool {
	got := map[anywhere365.RecordingStateChangedEvent]int{}
	for _, ev := range r.events() {
		got[ev]++
	}
	for _, w := range want {
		if got[w] == 0 {
			return false
		}
		got[w]--
	}
	return true
}

// dialHub connects a real signalr client (WebSockets only, a fresh
// connection on each attempt) and waits until the server counts it.
func dialHub(t testing.TB, r *Running, header http.Header) (signalr.Client, *receiver) {
	t.Helper()
	rcv := &receiver{}
	ctx, cancel := context.WithCancel(context.Background())
	before := r.Server.HubConnections()
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	c, err := signalr.NewClient(ctx,
		signalr.WithConnector(func() (signalr.Connection, error) {
			return signalr.NewHTTPConnection(ctx, r.HubURL,
				signalr.WithTransports(signalr.TransportWebSockets),
				signalr.WithHTTPClient(hc),
				signalr.WithHTTPHeaders(func() http.Header { return header.Clone() }),
			)
		}),
		signalr.WithReceiver(rcv),
		signalr.Logger(nopLogger{}, false),
		signalr.MaximumReceiveMessageSize(1<<20),
		signalr.WithBackoff(func() backoff.BackOff { return backoff.NewConstantBackOff(20 * time.Millisecond) }),
	)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c.Start()
	t.Cleanup(func() {
		c.Stop()
		cancel()
		tr.CloseIdleConnections()
	})
	waitFor(t, "hub connection", 5*time.Second, func() bool { return r.Server.HubConnections() > before })
	return c, rcv
}
