package main

// Issue 4, "Performance", end to end: `recdeck watch --count N` (run
// in-process, its stdout counted) receiving a burst of N events from the
// simulators `recdeck sim` serves (startSims), against a bare
// philippseith/signalr client receiving a burst of the same size from the
// same simulator, in one benchmark. The goal is a ratio of at least 0.9.
//
//	go test -run '^$' -bench WatchVsBareClient -benchtime 7x ./cmd/recdeck/

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// benchBurst is N: events per burst.
const benchBurst = 10_000

// BenchmarkWatchVsBareClient alternates the two receivers, one at a time
// on the hub, each timed from the start of the burst to its N-th event
// (printed, for watch; received, for the bare client). Connecting and
// shutting down are not timed. It reports both rates (from the median
// burst time of each), watch/bare (the median ratio of neighbouring
// bursts) and the CPU time per event of each. Use an odd -benchtime count.
func BenchmarkWatchVsBareClient(b *testing.B) {
	cfg := filepath.Join(b.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Setenv("RECDECK_CONFIG", cfg)
	st, err := startSims("127.0.0.1:0", 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Anywhere365.CreateCall("ucc-demo-name", "", true); err != nil {
		b.Fatal(err)
	}
	// Per-burst results. The rate ratio is the median of the ratios of
	// neighbouring bursts (which saw about the same machine load); the
	// process's CPU time per event (simulator and receiver together, so
	// the difference is the receiver's) is steadier still on a shared
	// machine.
	var ratios []float64
	var watch, bare []burstResult
	runs := 0
	for b.Loop() {
		var w, r burstResult
		if runs%2 == 0 {
			w = benchWatch(b, st)
			r = benchBare(b, st)
		} else {
			r = benchBare(b, st)
			w = benchWatch(b, st)
		}
		watch, bare = append(watch, w), append(bare, r)
		ratios = append(ratios, float64(r.wall)/float64(w.wall))
		runs++
	}
	b.ReportMetric(benchBurst/benchMedian(watch, burstResult.wallOf).Seconds(), "watch-events/s")
	b.ReportMetric(benchBurst/benchMedian(bare, burstResult.wallOf).Seconds(), "bare-events/s")
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "watch/bare")
	b.ReportMetric(float64(benchMedian(watch, burstResult.cpuOf).Microseconds())/benchBurst, "watch-cpu-µs/event")
	b.ReportMetric(float64(benchMedian(bare, burstResult.cpuOf).Microseconds())/benchBurst, "bare-cpu-µs/event")
}

// burstResult is one timed burst: wall time to the N-th event and the
// process's CPU time (user + system) meanwhile.
type burstResult struct{ wall, cpu time.Duration }

func (r burstResult) wallOf() time.Duration { return r.wall }
func (r burstResult) cpuOf() time.Duration  { return r.cpu }

// benchMedian returns the median of one measure of rs.
func benchMedian(rs []burstResult, of func(burstResult) time.Duration) time.Duration {
	ds := make([]time.Duration, len(rs))
	for i, r := range rs {
		ds[i] = of(r)
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchWait polls cond until it holds, failing the benchmark after d.
func benchWait(b *testing.B, what string, d time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// lineClock counts the lines written to it and notes when the n-th came.
type lineClock struct {
	n     int
	lines atomic.Int64
	once  sync.Once
	at    time.Time
	full  chan struct{}
}

func (c *lineClock) Write(p []byte) (int, error) {
	if c.lines.Add(int64(bytes.Count(p, []byte{'\n'}))) >= int64(c.n) {
		c.once.Do(func() { c.at = time.Now(); close(c.full) })
	}
	return len(p), nil
}

// benchWatch runs `recdeck watch --count N` and times one burst.
func benchWatch(b *testing.B, st *simStack) burstResult {
	b.Helper()
	out := &lineClock{n: benchBurst, full: make(chan struct{})}
	var errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"watch", "--base-url", st.URL, "--count", strconv.Itoa(benchBurst)}, out, &errOut)
	}()
	benchWait(b, "watch to subscribe", 30*time.Second, func() bool { return st.Anywhere365.HubConnections() == 1 })
	start, cpu0 := time.Now(), cpuTime(b)
	st.Anywhere365.Burst(benchBurst)
	select {
	case <-out.full:
	case <-time.After(2 * time.Minute):
		b.Fatalf("watch printed %d of %d lines; stderr:\n%s", out.lines.Load(), benchBurst, errOut.String())
	}
	took := burstResult{wall: out.at.Sub(start), cpu: cpuTime(b) - cpu0}
	if code := <-done; code != exitOK {
		b.Fatalf("watch exit %d; stderr:\n%s", code, errOut.String())
	}
	if bytes.Contains([]byte(errOut.String()), []byte("dropped")) {
		b.Fatalf("watch dropped events:\n%s", errOut.String())
	}
	benchWait(b, "watch to hang up", 30*time.Second, func() bool { return st.Anywhere365.HubConnections() == 0 })
	return took
}

// bareReceiver is the bare client's hub target: the library decodes the
// event; the receiver only counts.
type bareReceiver struct {
	n    int64
	got  atomic.Int64
	once sync.Once
	at   time.Time
	full chan struct{}
}

func (r *bareReceiver) RecordingStateChangedEvent(anywhere365.RecordingStateChangedEvent) {
	if r.got.Add(1) >= r.n {
		r.once.Do(func() { r.at = time.Now(); close(r.full) })
	}
}

type benchNopLogger struct{}

func (benchNopLogger) Log(...any) error { return nil }

// benchBare connects a plain signalr client (WebSockets, the library's own
// reconnecting connector, a silent logger) and times one burst.
func benchBare(b *testing.B, st *simStack) burstResult {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recv := &bareReceiver{n: benchBurst, full: make(chan struct{})}
	client, err := signalr.NewClient(ctx,
		signalr.WithConnector(func() (signalr.Connection, error) {
			return signalr.NewHTTPConnection(ctx, st.HubURL, signalr.WithTransports(signalr.TransportWebSockets))
		}),
		signalr.WithReceiver(recv),
		signalr.Logger(benchNopLogger{}, false),
	)
	if err != nil {
		b.Fatal(err)
	}
	client.Start()
	benchWait(b, "the bare client to subscribe", 30*time.Second, func() bool { return st.Anywhere365.HubConnections() == 1 })
	start, cpu0 := time.Now(), cpuTime(b)
	st.Anywhere365.Burst(benchBurst)
	select {
	case <-recv.full:
	case <-time.After(2 * time.Minute):
		b.Fatalf("bare client received %d of %d events", recv.got.Load(), benchBurst)
	}
	took := burstResult{wall: recv.at.Sub(start), cpu: cpuTime(b) - cpu0}
	client.Stop()
	cancel()
	benchWait(b, "the bare client to hang up", 30*time.Second, func() bool { return st.Anywhere365.HubConnections() == 0 })
	return took
}
