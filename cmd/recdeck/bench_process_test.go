package main

// Issue 15, "The whole console, measured and lean": the console as a whole
// process (the built binary under a pseudo-terminal, its screen read back
// through a terminal emulator) against `recdeck sim` in another process,
// with a bare philippseith/signalr client (internal/bareclient) as the
// floor in the same run. CPU is the process's own (the sum of its threads'
// on-CPU time from /proc/PID/task/*/schedstat, nanoseconds; /proc/PID/stat
// utime+stime when that is missing), memory its VmRSS. Each row of the
// issue's table is reported as a metric and, where there is one, as a ratio
// against its floor:
//
//	go test -run '^$' -bench 'ConsoleProcess' -benchtime 1x -count 3 -timeout 60m ./cmd/recdeck/
//
//	BenchmarkConsoleProcessIdle     idle CPU at 40 / 10,000 known sessions
//	                                (console, bare client, watch, and a
//	                                console with the IN STATE column
//	                                hidden: no frame while nothing happens)
//	BenchmarkConsoleProcessMemory   RSS at 100,000 known sessions and after
//	                                they all end (bench_memory_test.go)
//	BenchmarkConsoleProcessLoad     CPU per hub event at 100 ev/s over 1,000
//	                                sessions and 1,000 ev/s over 10,000;
//	                                server change -> row on screen p50/p99
//	                                (bare client: change -> event received);
//	                                sockets in TIME-WAIT on the simulator's port;
//	                                REST re-reads (GETs of a session's state
//	                                the simulator answered) per hub event
//	                                during the window
//	BenchmarkConsoleProcessStartup  `recdeck get` wall time vs a hello-world
//	                                Go binary and curl; the demo's first frame
//
// RECDECK_BENCH_BIN=/path/to/recdeck measures another build of the console
// (e.g. an older commit's, for a before/after); RECDECK_BENCH_BASE_BIN=/path
// runs that build as a third console beside the two of the idle benchmark,
// against the same simulator and over the same windows, and reports the
// console's CPU as a ratio to it (console/base-idle): a before/after in one
// run, which the machine's drift from run to run cannot blur;
// RECDECK_BENCH_WINDOW (a
// duration, default 10s) is each measuring window;
// RECDECK_BENCH_MAX_SESSIONS caps the idle benchmark's sizes. The benchmarks skip
// where there is no /proc, no pseudo-terminal or no go command to build
// with.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// Screen size of the console under test: wide enough that the status line
// (with its session count) is never cut.
const (
	benchCols = 140
	benchRows = 40
)

// BenchmarkConsoleProcessIdle: no events, 40 then 10,000 known sessions
// (RECDECK_BENCH_MAX_SESSIONS caps the sizes). Metrics: %core of each
// process per size, console/bare. Resident memory at 100,000 sessions and
// after they end is BenchmarkConsoleProcessMemory's (it needs a larger
// read budget to confirm them in minutes, which an idle measurement at the
// default budget must not have).
func BenchmarkConsoleProcessIdle(b *testing.B) {
	logOnFailure(b)
	bins := benchBuild(b)
	window := benchWindow()
	for b.Loop() {
		env := startBenchEnv(b, bins)
		// A second console with the IN STATE column hidden (a profile's
		// columns:) draws no frame while nothing happens: the difference
		// is what the once-a-second frame for the ages costs.
		cfg := fmt.Sprintf("profiles:\n  noages:\n    base_url: %s\n    columns: [ucc, correlation, recording, marking, saving, last]\n", env.url)
		if err := os.WriteFile(filepath.Join(env.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
			b.Fatal(err)
		}
		con := env.startConsole(b)
		noAges := env.startConsoleArgs(b, "--profile", "noages")
		consoles := []*benchConsole{con, noAges}
		if bins.base != "" {
			consoles = append(consoles, env.startConsoleBin(b, bins.base, "--base-url", env.url))
		}
		bare := env.startBare(b, "")
		watch := env.startProc(b, "watch", bins.sim, "watch", "--base-url", env.url)
		env.waitHub(b, len(consoles)+2)
		for _, c := range consoles {
			c.waitScreen(b, "the first frame", 30*time.Second, func(s string) bool { return strings.Contains(s, "connected") })
		}
		known := 0
		for _, n := range []int{40, 10_000} {
			if n > benchMaxSessions() {
				break
			}
			env.populateSeen(b, con, known, n)
			known = n
			pids := []int{con.pid(), bare.pid(), watch.pid(), noAges.pid()}
			for _, c := range consoles[1:] {
				c.waitSessions(b, n)
			}
			if len(consoles) > 2 {
				pids = append(pids, consoles[2].pid())
			}
			waitQuiet(b, pids...)
			cpu := measureCPU(window, pids...)
			tag := benchCount(n)
			if len(cpu) > 4 {
				report(b, cpu[4], "base-console-%core-"+tag)
				report(b, cpu[0]/cpu[4], "console/base-idle-"+tag)
			}
			report(b, cpu[0], "console-%core-"+tag)
			report(b, cpu[3], "console-no-ages-%core-"+tag)
			report(b, cpu[1], "bare-%core-"+tag)
			report(b, cpu[2], "watch-%core-"+tag)
			report(b, cpu[0]/cpu[1], "console/bare-idle-"+tag)
		}
		report(b, float64(procRSS(b, con.pid()))/(1<<20), "console-MB-"+benchCount(known))
		env.stop()
	}
}

// BenchmarkConsoleProcessLoad: a steady event rate spread over many
// sessions, with probes timed from the server's change to the console's
// screen and to the bare client.
func BenchmarkConsoleProcessLoad(b *testing.B) {
	bins := benchBuild(b)
	for _, c := range []struct{ rate, calls int }{{100, 1_000}, {1_000, 10_000}} {
		b.Run(fmt.Sprintf("rate=%d/calls=%d", c.rate, c.calls), func(b *testing.B) {
			for b.Loop() {
				benchLoad(b, bins, c.rate, c.calls)
			}
		})
	}
}

// probePrefix starts the correlation id of every probe call: the bare
// client prints the arrival of those events only.
const probePrefix = "feed"

func benchLoad(b *testing.B, bins benchBins, rate, calls int) {
	logOnFailure(b)
	window := benchWindow()
	env := startBenchEnv(b, bins)
	con := env.startConsole(b)
	bare := env.startBare(b, probePrefix)
	env.waitHub(b, 2)
	// Probes sort first (UCC "helpdesk" before "payments"), so they are on
	// screen whatever the load.
	const probes = 4
	var ids []string
	for i := range probes {
		id := fmt.Sprintf("%s%04x-0000-4000-8000-%012x", probePrefix, i, i)
		env.post(b, "/sim/calls", fmt.Sprintf(`{"UCCName":"helpdesk","CorrelationId":%q}`, id), nil)
		ids = append(ids, id)
	}
	env.populate(b, calls, "payments")
	con.waitSessions(b, calls+probes)
	waitQuiet(b, con.pid(), bare.pid())

	type rateResult struct {
		resp RateResponseBench
		err  error
	}
	done := make(chan rateResult, 1)
	gets0 := env.stats(b).StateGets
	cpu0 := []time.Duration{procCPU(con.pid()), procCPU(bare.pid())}
	go func() {
		var r rateResult
		r.err = env.postErr("/sim/rate", fmt.Sprintf(`{"rate":%d,"calls":%d,"seconds":%g,"ucc":"payments"}`, rate, calls, window.Seconds()), &r.resp)
		done <- r
	}()
	var conLat, bareLat []time.Duration
	var res rateResult
	probeEvery := 100 * time.Millisecond
	next := time.Now().Add(probeEvery)
loop:
	for i := 0; ; i++ {
		select {
		case res = <-done:
			break loop
		case <-time.After(time.Until(next)):
		}
		next = next.Add(probeEvery)
		c, r, ok := probe(b, env, con, bare, ids[i%probes])
		if ok {
			conLat, bareLat = append(conLat, c), append(bareLat, r)
		}
	}
	cpu1 := []time.Duration{procCPU(con.pid()), procCPU(bare.pid())}
	gets1 := env.stats(b).StateGets
	if res.err != nil {
		b.Fatalf("rate driver: %v", res.err)
	}
	events := float64(res.resp.Events + len(conLat))
	conUS := float64((cpu1[0] - cpu0[0]).Microseconds()) / events
	bareUS := float64((cpu1[1] - cpu0[1]).Microseconds()) / events
	report(b, conUS, "console-µs/event")
	report(b, bareUS, "bare-µs/event")
	report(b, conUS/bareUS, "console/bare-per-event")
	report(b, float64(timeWait(b, env.port)), "time-wait-sockets")
	report(b, res.resp.LagMs, "driver-lag-ms")
	// Re-reads during the window: the store's read budget defers the rest
	// (they are made after the window, at the budget's rate).
	report(b, float64(gets1-gets0)/events, "REST-GETs/event")
	if len(conLat) < 10 {
		b.Fatalf("only %d probes reached the screen", len(conLat))
	}
	report(b, msOf(percentile(conLat, 50)), "console-p50-ms")
	report(b, msOf(percentile(conLat, 99)), "console-p99-ms")
	report(b, msOf(percentile(bareLat, 50)), "bare-p50-ms")
	report(b, msOf(percentile(bareLat, 99)), "bare-p99-ms")
	env.stop()
}

// RateResponseBench mirrors sim.RateResponse (this package keeps the
// simulator's wire form at arm's length, as a process on its own would).
type RateResponseBench struct {
	Events int     `json:"events"`
	LagMs  float64 `json:"lagMs"`
}

// probe toggles one probe call's recorder and times the change to the
// console's screen and to the bare client. ok is false when either did not
// see it within 2 s (reported as a failure only if most probes fail).
func probe(b *testing.B, env *benchEnv, con *benchConsole, bare *benchProc, id string) (conLat, bareLat time.Duration, ok bool) {
	short := id[:8]
	var st struct {
		RecordingState int `json:"RecordingState"`
	}
	// The word the row shows after the change: the state before it is the
	// other one, so the screen cannot already show it.
	cur := con.screen()
	word := "‖ Paused"
	if line := screenLine(cur, short); strings.Contains(line, "‖ Paused") {
		word = "● Started"
	}
	arrived := con.expect(func(screen string) bool {
		return strings.Contains(screenLine(screen, short), word)
	})
	received := bare.probeSeen(id)
	t0 := time.Now()
	if err := env.postErr("/sim/calls/"+id+"/toggle", "", &st); err != nil {
		b.Fatalf("toggle: %v", err)
	}
	var tc, tb time.Time
	deadline := time.After(2 * time.Second)
	for tc.IsZero() || tb.IsZero() {
		select {
		case tc = <-arrived:
		case tb = <-received:
		case <-deadline:
			con.cancelExpect()
			return 0, 0, false
		}
	}
	return tc.Sub(t0), tb.Sub(t0), true
}

// BenchmarkConsoleProcessStartup: `recdeck get` against a running
// simulator, a hello-world Go binary and curl reading the same call (the
// issue's two floors; curl only where it is installed), each run 21 times
// (median wall time from fork to exit); the demo (no server configured) from fork to
// its first whole frame on the pseudo-terminal, 5 times; and the package
// initialisation time of `recdeck get` (GODEBUG=inittrace=1).
func BenchmarkConsoleProcessStartup(b *testing.B) {
	bins := benchBuild(b)
	for b.Loop() {
		env := startBenchEnv(b, bins)
		var call struct{ CorrelationId string }
		env.post(b, "/sim/calls", `{"UCCName":"ucc-demo-name"}`, &call)
		get := []string{"get", "--base-url", env.url, "--ucc", "ucc-demo-name", "--call", call.CorrelationId}
		curl, _ := exec.LookPath("curl")
		// The GET that `recdeck get` makes (v1: no token).
		curlArgs := []string{"-sSf", "-o", "/dev/null", env.url + "/attendantservice/api/recording/ucc-demo-name/" + call.CorrelationId}
		var getT, helloT, curlT []time.Duration
		for range 21 {
			getT = append(getT, env.timeRun(b, bins.recdeck, get...))
			helloT = append(helloT, env.timeRun(b, bins.hello))
			if curl != "" {
				curlT = append(curlT, env.timeRun(b, curl, curlArgs...))
			}
		}
		g, h := percentile(getT, 50), percentile(helloT, 50)
		report(b, msOf(g), "get-ms")
		report(b, msOf(percentile(getT, 0)), "get-min-ms")
		report(b, msOf(h), "hello-ms")
		report(b, float64(g)/float64(h), "get/hello")
		if curl != "" {
			c := percentile(curlT, 50)
			report(b, msOf(c), "curl-ms")
			report(b, float64(g)/float64(c), "get/curl")
		}
		report(b, env.initMs(b, bins.recdeck, get...), "get-init-ms")

		var first []time.Duration
		for range 5 {
			first = append(first, env.demoFirstFrame(b))
		}
		report(b, msOf(percentile(first, 50)), "demo-first-frame-ms")
		report(b, msOf(percentile(first, 100)), "demo-first-frame-max-ms")
		env.stop()
	}
}

// --- building ---

// benchBins are the binaries of a run: the console measured (recdeck), and
// this tree's own build for the simulator and the watch floor (sim), so an
// older console can be measured against the load driver it lacks.
// base is RECDECK_BENCH_BASE_BIN's build (empty: none).
type benchBins struct{ recdeck, sim, bare, hello, base string }

// benchBuild builds the console (unless RECDECK_BENCH_BIN names one), the
// bare client and a hello-world program, or skips when it cannot.
func benchBuild(b *testing.B) benchBins {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skip("process benchmarks read /proc: Linux only")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("no /proc")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the binaries with")
	}
	if f, tty, err := pty.Open(); err != nil {
		b.Skipf("no pseudo-terminal: %v", err)
	} else {
		f.Close()
		tty.Close()
	}
	dir := b.TempDir()
	build := func(out, pkgDir string, args ...string) {
		cmd := exec.Command(goCmd, append([]string{"build", "-o", out}, args...)...)
		cmd.Dir = pkgDir
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", out, err, o)
		}
	}
	bins := benchBins{
		recdeck: os.Getenv("RECDECK_BENCH_BIN"),
		base:    os.Getenv("RECDECK_BENCH_BASE_BIN"),
		sim:     filepath.Join(dir, "recdeck"),
		bare:    filepath.Join(dir, "bareclient"),
		hello:   filepath.Join(dir, "hello"),
	}
	build(bins.sim, ".", ".")
	if bins.recdeck == "" {
		bins.recdeck = bins.sim
	}
	build(bins.bare, ".", "./internal/bareclient")
	hello := filepath.Join(dir, "hellosrc")
	if err := os.MkdirAll(hello, 0o755); err != nil {
		b.Fatal(err)
	}
	for name, text := range map[string]string{
		"go.mod":  "module hello\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(hello, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	build(bins.hello, hello, ".")
	return bins
}

// benchMaxSessions caps the idle benchmark's sizes
// (RECDECK_BENCH_MAX_SESSIONS, default 100,000), for a quicker look.
func benchMaxSessions() int {
	if n, err := strconv.Atoi(os.Getenv("RECDECK_BENCH_MAX_SESSIONS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

func benchWindow() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("RECDECK_BENCH_WINDOW")); err == nil && d > 0 {
		return d
	}
	return 10 * time.Second
}

// --- processes ---

// benchEnv is one run: a simulator process and what was started against
// it, stopped (SIGTERM, then SIGKILL after 3 s) at the end.
type benchEnv struct {
	bins  benchBins
	dir   string
	env   []string
	url   string
	port  int
	procs []*benchProc
	http  *http.Client
}

func startBenchEnv(b *testing.B, bins benchBins) *benchEnv {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{bins: bins, dir: dir, http: &http.Client{Timeout: 10 * time.Minute}}
	e.env = append(os.Environ(), "RECDECK_CONFIG="+cfg, "HOME="+dir, "XDG_CONFIG_HOME="+dir,
		"XDG_STATE_HOME="+dir, "TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=")
	b.Cleanup(e.stop)
	sim := exec.Command(bins.sim, "sim", "--addr", "127.0.0.1:0", "--calls", "0")
	sim.Env = e.env
	out, err := sim.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	e.start(b, "sim", sim)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatalf("sim: %v", err)
	}
	go io.Copy(io.Discard, out)
	const prefix = "recdeck sim listening on "
	if !strings.HasPrefix(line, prefix) {
		b.Fatalf("sim said %q", line)
	}
	e.url = strings.TrimSpace(strings.TrimPrefix(line, prefix))
	u, err := url.Parse(e.url)
	if err != nil {
		b.Fatal(err)
	}
	e.port, _ = strconv.Atoi(u.Port())
	return e
}

// benchProc is a started process.
type benchProc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}

	mu     sync.Mutex
	probes map[string][]chan time.Time // bare client: waiters per probe id
}

func (p *benchProc) pid() int { return p.cmd.Process.Pid }

func (e *benchEnv) start(b *testing.B, name string, cmd *exec.Cmd) *benchProc {
	b.Helper()
	if err := cmd.Start(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	p := &benchProc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	e.procs = append(e.procs, p)
	return p
}

func (e *benchEnv) startProc(b *testing.B, name, bin string, args ...string) *benchProc {
	cmd := exec.Command(bin, args...)
	cmd.Env = e.env
	return e.start(b, name, cmd)
}

// startBare starts the bare client; with a prefix it reports the arrival
// of probe events.
func (e *benchEnv) startBare(b *testing.B, prefix string) *benchProc {
	cmd := exec.Command(e.bins.bare, e.url+"/attendantservice/hubs/recording", prefix)
	cmd.Env = e.env
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	p := e.start(b, "bare client", cmd)
	p.probes = map[string][]chan time.Time{}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			id, ns, ok := strings.Cut(sc.Text(), " ")
			n, err := strconv.ParseInt(ns, 10, 64)
			if !ok || err != nil {
				continue
			}
			p.mu.Lock()
			if ws := p.probes[id]; len(ws) > 0 {
				ws[0] <- time.Unix(0, n)
				p.probes[id] = ws[1:]
			}
			p.mu.Unlock()
		}
	}()
	return p
}

// probeSeen returns a channel that receives the arrival time of the next
// event on probe id. Registered before the change is made, so it cannot
// be missed; an unanswered waiter (a probe that timed out) is dropped.
func (p *benchProc) probeSeen(id string) <-chan time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan time.Time, 1)
	p.probes[id] = []chan time.Time{ch}
	return ch
}

// stop ends every process, newest first.
func (e *benchEnv) stop() {
	for i := len(e.procs) - 1; i >= 0; i-- {
		e.procs[i].stop()
	}
	e.procs = nil
}

// stopProc ends one process.
func (e *benchEnv) stopProc(p *benchProc) {
	p.stop()
	e.procs = slices.DeleteFunc(e.procs, func(q *benchProc) bool { return q == p })
}

// stop sends SIGTERM, then SIGKILL after 3 s.
func (p *benchProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// --- the simulator's control API ---

func (e *benchEnv) postErr(path, body string, out any) error {
	resp, err := e.http.Post(e.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func (e *benchEnv) post(b *testing.B, path, body string, out any) {
	b.Helper()
	if err := e.postErr(path, body, out); err != nil {
		b.Fatal(err)
	}
}

func (e *benchEnv) populate(b *testing.B, n int, ucc string) {
	if n > 0 {
		e.post(b, "/sim/populate", fmt.Sprintf(`{"calls":%d,"ucc":%q}`, n, ucc), nil)
	}
}

// populateSeen brings the simulator from known to n calls in steps the
// console reads as they come: the simulator drops a hub client 65,536
// events behind, and the API cannot list calls, so a console dropped
// mid-burst would never learn the rest.
func (e *benchEnv) populateSeen(b *testing.B, con *benchConsole, known, n int) {
	b.Helper()
	for known < n {
		step := min(10_000, n-known)
		e.populate(b, step, "payments")
		known += step
		con.waitScreen(b, fmt.Sprintf("%d sessions on the status line", known), 5*time.Minute, func(s string) bool {
			got, ok := screenSessions(s)
			return ok && got >= known
		})
	}
}

func (e *benchEnv) endAll(b *testing.B) { e.post(b, "/sim/end-all", "", nil) }

// simStats mirrors the part of sim.StatsResponse the benchmarks read.
type simStats struct {
	HubConnections int    `json:"hubConnections"`
	StateGets      uint64 `json:"stateGets"`
}

func (e *benchEnv) statsErr() (simStats, error) {
	var st simStats
	resp, err := e.http.Get(e.url + "/sim/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /sim/stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (e *benchEnv) stats(b *testing.B) simStats {
	b.Helper()
	st, err := e.statsErr()
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// waitHub waits until n clients are on the hub.
func (e *benchEnv) waitHub(b *testing.B, n int) {
	b.Helper()
	benchWait(b, fmt.Sprintf("%d hub connections", n), time.Minute, func() bool {
		st, err := e.statsErr()
		return err == nil && st.HubConnections >= n
	})
}

// timeRun runs bin and returns its wall time from fork to exit.
func (e *benchEnv) timeRun(b *testing.B, bin string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e.env
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	return time.Since(start)
}

// initMs is the package initialisation time GODEBUG=inittrace=1 reports
// for one run (the sum of every package's clock time).
func (e *benchEnv) initMs(b *testing.B, bin string, args ...string) float64 {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(e.env, "GODEBUG=inittrace=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v\n%s", err, errOut.String())
	}
	re := regexp.MustCompile(`(?m)^init \S+ @\S+ ms, ([0-9.]+) ms clock`)
	total := 0.0
	for _, m := range re.FindAllStringSubmatch(errOut.String(), -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		total += v
	}
	return total
}

// demoFirstFrame starts the demo console under a pseudo-terminal and
// returns the time until its first whole frame (the tabs line) is on the
// emulated screen.
func (e *benchEnv) demoFirstFrame(b *testing.B) time.Duration {
	b.Helper()
	start := time.Now()
	con := e.startConsoleArgs(b)
	at := make(chan time.Time, 1)
	got := con.expect(func(s string) bool { return strings.Contains(s, "1 Anywhere365") })
	select {
	case t := <-got:
		at <- t
	case <-time.After(30 * time.Second):
		b.Fatalf("no first frame in 30 s; screen:\n%s", con.screen())
	}
	e.stopProc(con.benchProc)
	return (<-at).Sub(start)
}

// --- the console under a pseudo-terminal ---

// benchConsole is the console process and an emulated screen fed from its
// pseudo-terminal.
type benchConsole struct {
	*benchProc
	pty *os.File

	mu   sync.Mutex
	emu  *vt.Emulator
	want func(string) bool
	got  chan time.Time
}

func (e *benchEnv) startConsole(b *testing.B) *benchConsole {
	return e.startConsoleArgs(b, "--base-url", e.url)
}

func (e *benchEnv) startConsoleArgs(b *testing.B, args ...string) *benchConsole {
	b.Helper()
	return e.startConsoleBin(b, e.bins.recdeck, args...)
}

// startConsoleBin starts the console built as bin with args.
func (e *benchEnv) startConsoleBin(b *testing.B, bin string, args ...string) *benchConsole {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e.env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: benchRows, Cols: benchCols})
	if err != nil {
		b.Fatalf("console: %v", err)
	}
	p := &benchProc{name: "console", cmd: cmd, done: make(chan struct{})}
	c := &benchConsole{benchProc: p, pty: f, emu: vt.NewEmulator(benchCols, benchRows)}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	e.procs = append(e.procs, p)
	// The terminal's answers to the console's queries go back through the
	// pseudo-terminal, as a real terminal's would.
	go io.Copy(f, c.emu)
	go func() {
		defer c.emu.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				at := time.Now()
				c.mu.Lock()
				c.emu.Write(buf[:n])
				if c.want != nil && c.want(c.emu.String()) {
					c.got <- at
					c.want = nil
				}
				c.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return c
}

// expect returns a channel that receives the time of the pseudo-terminal
// read after which the screen satisfies want (now, if it already does).
func (c *benchConsole) expect(want func(string) bool) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if want(c.emu.String()) {
		ch <- time.Now()
		return ch
	}
	c.want, c.got = want, ch
	return ch
}

func (c *benchConsole) cancelExpect() {
	c.mu.Lock()
	c.want = nil
	c.mu.Unlock()
}

func (c *benchConsole) screen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.emu.String()
}

func (c *benchConsole) waitScreen(b *testing.B, what string, d time.Duration, cond func(string) bool) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !cond(c.screen()) {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %v waiting for %s; screen:\n%s", d, what, c.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	sessionsRe    = regexp.MustCompile(`(\d+) sessions`)
	unconfirmedRe = regexp.MustCompile(`\d+ unconfirmed`) // the status line's count (the legend says "? = unconfirmed")
)

// screenSessions reads the session count off the status line.
func screenSessions(s string) (int, bool) {
	m := sessionsRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

func (c *benchConsole) waitSessions(b *testing.B, n int) {
	c.waitScreen(b, fmt.Sprintf("%d sessions on the status line, all confirmed", n), 5*time.Minute, func(s string) bool {
		got, ok := screenSessions(s)
		return ok && got >= n && !unconfirmedRe.MatchString(s)
	})
}

// screenLine is the first line of the screen containing s.
func screenLine(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// --- /proc ---

// procCPU is the CPU time a process has used: the sum of its threads'
// on-CPU time (schedstat, ns), or utime+stime (10 ms ticks) without it.
func procCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	ok := len(tasks) > 0
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		f := strings.Fields(string(data))
		if err != nil || len(f) == 0 {
			continue // a thread that just exited
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			ok = false
			break
		}
		sum += time.Duration(ns)
	}
	if ok {
		return sum
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in brackets.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// procRSS is a process's resident memory in bytes.
func procRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatalf("no VmRSS for %d", pid)
	return 0
}

// measureCPU returns each process's CPU use over d, in % of a core.
func measureCPU(d time.Duration, pids ...int) []float64 {
	before := make([]time.Duration, len(pids))
	for i, p := range pids {
		before[i] = procCPU(p)
	}
	start := time.Now()
	time.Sleep(d)
	el := time.Since(start)
	out := make([]float64, len(pids))
	for i, p := range pids {
		out[i] = 100 * float64(procCPU(p)-before[i]) / float64(el)
	}
	return out
}

// waitQuiet waits (at most 5 minutes) until every process uses under 3 %
// of a core over two half-second samples in a row: the work a change set
// off is done.
func waitQuiet(b *testing.B, pids ...int) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	calm := 0
	for calm < 2 {
		if time.Now().After(deadline) {
			b.Fatalf("processes still busy after 5 minutes")
		}
		busy := false
		for _, c := range measureCPU(500*time.Millisecond, pids...) {
			busy = busy || c > 3
		}
		if busy {
			calm = 0
		} else {
			calm++
		}
	}
}

// timeWait counts the sockets to or from port in TIME-WAIT.
func timeWait(b *testing.B, port int) int {
	n := 0
	hexPort := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(data), "\n")[1:] {
			fs := strings.Fields(l)
			if len(fs) > 3 && fs[3] == "06" && (strings.HasSuffix(fs[1], hexPort) || strings.HasSuffix(fs[2], hexPort)) {
				n++
			}
		}
	}
	return n
}

// --- figures ---

// benchMetrics keeps what each benchmark reported, so that a run failing
// at a later stage (sessions never dropped after they ended) still shows
// the figures it measured: go test prints no metrics for a failed run.
var benchMetrics sync.Map // *testing.B -> *[]string

// report is b.ReportMetric, remembered for logOnFailure.
func report(b *testing.B, v float64, unit string) {
	b.ReportMetric(v, unit)
	m, _ := benchMetrics.LoadOrStore(b, new([]string))
	p := m.(*[]string)
	*p = append(*p, strconv.FormatFloat(v, 'g', 4, 64)+" "+unit)
}

// logOnFailure logs b's figures at its end if it failed.
func logOnFailure(b *testing.B) {
	b.Cleanup(func() {
		if m, ok := benchMetrics.LoadAndDelete(b); ok && b.Failed() {
			b.Logf("figures measured before the failure: %s", strings.Join(*m.(*[]string), ", "))
		}
	})
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return s[i]
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func benchCount(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}
