package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkConsoleProcessMemory: the console's resident memory (VmRSS)
// with 100,000 known sessions, all confirmed, and after every call ended
// and the tracker dropped them (issue 15: under 100 MB at 100,000, flat
// after the end). The console runs as its own process under a
// pseudo-terminal against `recdeck sim` in another, like the other
// process benchmarks, but with hub.read_budget 1000: at the default 50
// re-reads a second, confirming 100,000 calls (and seeing them end)
// takes over half an hour each. Metrics: console-MB-base (40 sessions),
// console-MB-<n>, console-KiB/session above the base, console-MB-after-end.
//
//	go test -run '^$' -bench 'ConsoleProcessMemory' -benchtime 1x ./cmd/recdeck/
func BenchmarkConsoleProcessMemory(b *testing.B) {
	bins := benchBuild(b)
	n := benchMaxSessions()
	for b.Loop() {
		env := startBenchEnv(b, bins)
		cfg := fmt.Sprintf("default_profile: bench\nprofiles:\n  bench:\n    base_url: %s\n    hub:\n      read_budget: 1000\n", env.url)
		if err := os.WriteFile(filepath.Join(env.dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
			b.Fatal(err)
		}
		con := env.startConsoleArgs(b)
		env.waitHub(b, 1)
		con.waitScreen(b, "the first frame", 30*time.Second, func(s string) bool { return strings.Contains(s, "connected") })
		env.populate(b, 40, "payments")
		con.waitSessions(b, 40)
		waitQuiet(b, con.pid())
		base := procRSS(b, con.pid())
		b.ReportMetric(float64(base)/(1<<20), "console-MB-base")

		env.populateSeen(b, con, 40, n)
		con.waitSessions(b, n)
		time.Sleep(5 * time.Second) // a few pulls and collections at the full size
		rss := procRSS(b, con.pid())
		b.ReportMetric(float64(rss)/(1<<20), "console-MB-"+benchCount(n))
		b.ReportMetric(float64(rss-base)/1024/float64(n), "console-KiB/session")

		env.endAll(b)
		con.waitScreen(b, "every session to be dropped", 5*time.Minute, func(s string) bool {
			got, ok := screenSessions(s)
			return ok && got == 0
		})
		waitQuiet(b, con.pid())
		time.Sleep(16 * time.Second) // the release after drops looks every 5 s, twice more once settled
		b.ReportMetric(float64(procRSS(b, con.pid()))/(1<<20), "console-MB-after-end")
		env.stop()
	}
}
