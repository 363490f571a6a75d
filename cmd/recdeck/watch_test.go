package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// `recdeck watch` runs in-process against the real simulator over loopback.

// watchBuf is a buffer safe to read while the command writes.
type watchBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *watchBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *watchBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// watchEnv isolates the test from the user's config and secrets.
func watchEnv(t *testing.T) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", cfg)
	t.Setenv("RECDECK_PASSWORD", "")
	t.Setenv("RECDECK_CLIENT_SECRET", "")
}

func watchSim(t *testing.T, opts sim.Options) *sim.Running {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	r, err := sim.Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		goleak.VerifyNone(t, opt)
	})
	return r
}

type watchRun struct {
	out, errOut watchBuf
	done        chan int
	cancel      context.CancelFunc
}

// startWatch runs `recdeck args...` in the background.
func startWatch(t *testing.T, args ...string) *watchRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchRun{done: make(chan int, 1), cancel: cancel}
	go func() { w.done <- run(ctx, args, &w.out, &w.errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(10 * time.Second):
			t.Error("watch did not end after cancel")
		}
	})
	return w
}

func (w *watchRun) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case code := <-w.done:
		w.done <- code // for Cleanup
		return code
	case <-time.After(d):
		t.Fatalf("watch did not end within %v; stdout %d bytes, stderr:\n%s", d, len(w.out.String()), w.errOut.String())
		return -1
	}
}

// waitSubscribed waits until the simulator's hub has the watcher registered
// (events pushed before that would reach nobody).
func waitSubscribed(t *testing.T, r *sim.Running, w *watchRun) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.Server.HubConnections() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("watch never connected; stderr:\n%s", w.errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func postBurst(t *testing.T, r *sim.Running, n int) {
	t.Helper()
	body, _ := json.Marshal(sim.BurstRequest{Events: n})
	resp, err := http.Post(r.URL+"/sim/burst", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var br sim.BurstResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil || br.Events != n {
		t.Fatalf("burst: status %d, %+v, %v", resp.StatusCode, br, err)
	}
}

var watchLineRe = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} ucc-demo-name [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} (Start|Pause)$`)

// A burst of N events on /sim/burst gives exactly N lines, then exit 0.
func TestWatchBurstPrintsEveryEvent(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 1})
	const n = 2000
	w := startWatch(t, "watch", "--base-url", r.URL, "--count", "2000")
	waitSubscribed(t, r, w)
	postBurst(t, r, n)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, w.errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(w.out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		if !watchLineRe.MatchString(l) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
	errOut := w.errOut.String()
	for _, want := range []string{"hub " + r.HubURL, "hub connecting", "hub connected"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// --count stops early even while events keep coming; --json prints one
// object per line with the API's numeric StateAction.
func TestWatchCountAndJSON(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 2})
	w := startWatch(t, "watch", "--base-url", r.URL, "--hub-url", r.HubURL, "--count", "5", "--json")
	waitSubscribed(t, r, w)
	postBurst(t, r, 50)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, w.errOut.String())
	}
	sc := bufio.NewScanner(strings.NewReader(w.out.String()))
	lines := 0
	for sc.Scan() {
		lines++
		var raw map[string]any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		var ev watchJSON
		_ = json.Unmarshal(sc.Bytes(), &ev)
		if ev.UccName != "ucc-demo-name" || anywhere365.ValidateGUID(ev.CorrelationId) != nil || ev.Time.IsZero() {
			t.Fatalf("line %q", sc.Text())
		}
		if _, isNum := raw["StateAction"].(float64); !isNum || ev.ActionName != ev.StateAction.String() {
			t.Fatalf("StateAction not numeric or name wrong: %q", sc.Text())
		}
	}
	if lines != 5 {
		t.Fatalf("%d lines, want 5", lines)
	}
}

// v2: the hub demands a bearer token; watch gets one from the token
// endpoint and never prints it or the password.
func TestWatchV2Bearer(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 3, HubRequiresToken: true})
	t.Setenv("RECDECK_CLIENT_SECRET", sim.DemoClientSecret)

	// A wrong password: the hub is never reached, the password never shown.
	const wrong = "wrong-password-value"
	t.Setenv("RECDECK_PASSWORD", wrong)
	bad := startWatch(t, "watch", "--base-url", r.URL, "--api", "v2", "--token-url", r.TokenURL,
		"--username", sim.DemoUsername, "--connect-timeout", "500ms")
	if code := bad.wait(t, 30*time.Second); code != exitNetwork {
		t.Fatalf("wrong password: exit %d; stderr:\n%s", code, bad.errOut.String())
	}
	if errOut := bad.errOut.String(); strings.Contains(errOut, wrong) || !strings.Contains(errOut, "authentication failed") {
		t.Fatalf("wrong password: stderr:\n%s", errOut)
	}

	t.Setenv("RECDECK_PASSWORD", sim.DemoPassword)
	w := startWatch(t, "watch", "--base-url", r.URL, "--api", "v2", "--token-url", r.TokenURL,
		"--username", sim.DemoUsername, "--count", "3")
	waitSubscribed(t, r, w)
	postBurst(t, r, 3)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, w.errOut.String())
	}
	if got := strings.Count(w.out.String(), "\n"); got != 3 {
		t.Fatalf("%d lines", got)
	}
	if all := w.out.String() + w.errOut.String(); strings.Contains(all, "Bearer") || strings.Contains(all, "eyJ") || strings.Contains(all, "demo ") {
		t.Fatalf("output shows a token:\n%s", all)
	}
}

// The hub drops (a fault): watch says so on stderr, reconnects, and keeps
// printing.
func TestWatchSurvivesDroppedHub(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 4})
	w := startWatch(t, "watch", "--base-url", r.URL, "--count", "20")
	waitSubscribed(t, r, w)
	postBurst(t, r, 10)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(w.out.String(), "\n") < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.Server.SetFaults(sim.Faults{DropHub: true})
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(w.errOut.String(), "reconnecting (attempt 1)") || r.Server.HubConnections() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect; stderr:\n%s", w.errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	postBurst(t, r, 10)
	if code := w.wait(t, 30*time.Second); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, w.errOut.String())
	}
	if got := strings.Count(w.out.String(), "\n"); got != 20 {
		t.Fatalf("%d lines, want 20; stderr:\n%s", got, w.errOut.String())
	}
}

func TestWatchConnectTimeout(t *testing.T) {
	watchEnv(t)
	opt := goleak.IgnoreCurrent()
	defer goleak.VerifyNone(t, opt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	w := startWatch(t, "watch", "--base-url", "http://"+addr, "--connect-timeout", "300ms")
	if code := w.wait(t, 10*time.Second); code != exitNetwork {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitNetwork, w.errOut.String())
	}
	errOut := w.errOut.String()
	if !strings.Contains(errOut, "reconnecting (attempt 1)") || !strings.Contains(errOut, "hub unreachable for 300ms") {
		t.Fatalf("stderr:\n%s", errOut)
	}
}

func TestWatchUsageErrors(t *testing.T) {
	watchEnv(t)
	for _, args := range [][]string{
		{"watch", "--base-url", "http://127.0.0.1:1", "--count", "-1"},
		{"watch", "--base-url", "http://127.0.0.1:1", "--connect-timeout", "-1s"},
		{"watch"}, // no base URL
		{"watch", "--base-url", "http://127.0.0.1:1", "extra"},
		{"watch", "--base-url", "http://127.0.0.1:1", "--hub-url", "ftp://x/hub"},
	} {
		var out, errOut watchBuf
		if code := run(context.Background(), args, &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d; stderr %q", args, code, exitUsage, errOut.String())
		}
	}
}

// flip is the other action of the burst's Pause/Start toggle.
func flip(a anywhere365.Action, times uint64) anywhere365.Action {
	if times%2 == 0 {
		return a
	}
	if a == anywhere365.ActionPause {
		return anywhere365.ActionStart
	}
	return anywhere365.ActionPause
}

// 5,000 events sent in order are printed in that order: the simulator's
// burst toggles one call Pause/Start, so the lines alternate strictly.
// (Through the library's receivers, 724 of 5,000 came after a later one.)
func TestWatchPrintsInWireOrder(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 5})
	call, err := r.Server.CreateCall("ucc-demo-name", "", true) // recording: the burst toggles it
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	w := startWatch(t, "watch", "--base-url", r.URL, "--count", strconv.Itoa(n))
	waitSubscribed(t, r, w)
	postBurst(t, r, n)
	if code := w.wait(t, 60*time.Second); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, w.errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(w.out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	want := "Pause" // the call was recording
	late := 0
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 || f[2] != call.CorrelationId {
			t.Fatalf("line %d = %q", i, l)
		}
		if f[3] != want {
			late++
			want = f[3]
		}
		want = map[string]string{"Pause": "Start", "Start": "Pause"}[want]
	}
	if late > 0 {
		t.Fatalf("%d of %d lines out of order", late, n)
	}
}

// gateWriter blocks every Write until release.
type gateWriter struct {
	open chan struct{}
	once sync.Once
	watchBuf
}

func (g *gateWriter) release() { g.once.Do(func() { close(g.open) }) }

func (g *gateWriter) Write(p []byte) (int, error) {
	<-g.open
	return g.watchBuf.Write(p)
}

// When the output is too slow, the loss is reported where it happened: a
// gap record in the --json stream between the events before and after it,
// and a stderr line, not only at exit. The burst's strict Pause/Start
// alternation proves the gap's place: across a gap of N the action flips
// N+1 times.
func TestWatchReportsGapInStream(t *testing.T) {
	watchEnv(t)
	r := watchSim(t, sim.Options{Seed: 6})
	if _, err := r.Server.CreateCall("ucc-demo-name", "", true); err != nil {
		t.Fatal(err)
	}
	c, err := anywhere365.New(anywhere365.Config{BaseURL: r.URL})
	if err != nil {
		t.Fatal(err)
	}
	out := &gateWriter{open: make(chan struct{})}
	var errOut watchBuf
	w := &watcher{out: out, errOut: &errOut, json: true, buffer: 16}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	tr := &http.Transport{}
	go func() { done <- w.run(ctx, c, anywhere365.ListenerConfig{HTTPClient: &http.Client{Transport: tr}}) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		out.release()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("watch did not end")
		}
		tr.CloseIdleConnections()
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Second)
	for r.Server.HubConnections() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("never connected; stderr:\n%s", errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}

	// The printer blocks on its first write (after at most a 4 KiB buffer
	// of events); 16 events wait, the rest of the burst is dropped.
	const first, second = 1000, 10
	r.Server.Burst(first)
	deadline = time.Now().Add(20 * time.Second)
	for w.dropped.Load() < first-16-64 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d dropped", w.dropped.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	out.release()
	// The gap is reported as soon as the printer catches up, before any
	// later event and long before exit.
	deadline = time.Now().Add(20 * time.Second)
	for !strings.Contains(errOut.String(), "events dropped here") {
		if time.Now().After(deadline) {
			t.Fatalf("no drop reported; stderr:\n%s", errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Server.Burst(second)

	type line struct {
		watchJSON
		Gap *struct {
			Dropped uint64 `json:"dropped"`
		} `json:"gap"`
	}
	var lines []line
	var events, gaps, gapRecords uint64
	deadline = time.Now().Add(20 * time.Second)
	for events+gaps < first+second {
		if time.Now().After(deadline) {
			t.Fatalf("%d events and %d dropped, want %d in all; stdout:\n%s", events, gaps, first+second, out.String())
		}
		time.Sleep(5 * time.Millisecond)
		lines, events, gaps, gapRecords = nil, 0, 0, 0
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			var ln line
			if err := json.Unmarshal([]byte(l), &ln); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			if ln.Gap != nil {
				if l != fmt.Sprintf(`{"gap":{"dropped":%d}}`, ln.Gap.Dropped) || ln.Gap.Dropped == 0 {
					t.Fatalf("gap record %q", l)
				}
				gaps += ln.Gap.Dropped
				gapRecords++
			} else {
				events++
			}
			lines = append(lines, ln)
		}
	}
	stop()
	if gapRecords == 0 {
		t.Fatal("no gap record")
	}
	// Every gap sits where its events were lost.
	var prev anywhere365.Action
	var pending uint64
	for i, ln := range lines {
		if ln.Gap != nil {
			pending += ln.Gap.Dropped
			continue
		}
		if prev != 0 && ln.StateAction != flip(prev, pending+1) {
			t.Fatalf("line %d: %v after %v with %d dropped between: the gap is misplaced or the order wrong", i, ln.StateAction, prev, pending)
		}
		prev, pending = ln.StateAction, 0
	}
	errText := errOut.String()
	if !strings.Contains(errText, fmt.Sprintf("recdeck: watch: %d events dropped in all (output too slow)", gaps)) {
		t.Fatalf("stderr lacks the total:\n%s", errText)
	}
}

// hub.max_message_size and hub.keep_alive are profile keys; watch and the
// console hand them to the listener.
func TestConfigHubMaxMessageSize(t *testing.T) {
	cfg, _, err := decodeConfig([]byte("profiles:\n  p:\n    hub:\n      max_message_size: 4194304\n      keep_alive: 5s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Profiles["p"].Hub.MaxMessageSize; got != 4<<20 {
		t.Fatalf("max_message_size = %d", got)
	}
	if got := cfg.Profiles["p"].Hub.KeepAlive; got != 5*time.Second {
		t.Fatalf("keep_alive = %v", got)
	}
	if _, _, err := decodeConfig([]byte("profiles:\n  p:\n    hub:\n      keep_alive: soon\n")); err == nil || !strings.Contains(err.Error(), "line 4: cannot unmarshal !!str `soon` into time.Duration") {
		t.Fatalf("keep_alive that is no duration: %v", err)
	}
	if _, _, err := decodeConfig([]byte("profiles:\n  p:\n    hub:\n      max_size: 1\n")); err == nil || !strings.Contains(err.Error(), `unknown key "max_size" in the hub section`) {
		t.Fatalf("unknown hub key: %v", err)
	}
}
