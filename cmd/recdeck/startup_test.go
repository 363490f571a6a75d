package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"go.uber.org/goleak"
)

// gcPercent reads GOGC's current value (debug has no getter: set and put back).
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

// TestRelaxGC: the console's start-up setting applies for its while and the
// previous one comes back; a setting that already collects less often (or
// never) is left alone.
func TestRelaxGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	debug.SetGCPercent(100)
	relaxGC(400, 20*time.Millisecond)
	if got := gcPercent(); got != 400 {
		t.Fatalf("during start-up GOGC = %d, want 400", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d after start-up, want 100 back", gcPercent())
		}
		time.Sleep(5 * time.Millisecond)
	}

	for _, keep := range []int{-1, 400, 800} {
		debug.SetGCPercent(keep)
		relaxGC(400, time.Millisecond)
		if got := gcPercent(); got != keep {
			t.Errorf("GOGC %d became %d", keep, got)
		}
	}
}

// TestWarmWidthTable: the warm-up measures with the renderer's method and
// gets the width the frame's glyph has.
func TestWarmWidthTable(t *testing.T) {
	warmWidthTable()
	for _, s := range []string{"●", "│", "‖"} {
		if w := widthOf(s); w != 1 {
			t.Errorf("width of %q = %d, want 1", s, w)
		}
	}
}

// TestRootCmdForOneSubcommand: the root built for a command line that names
// a subcommand has that subcommand exactly as the full root has it (its
// name, every flag of its tree, its help), and each entry of subcommands is
// called by the name it is listed under.
func TestRootCmdForOneSubcommand(t *testing.T) {
	full := newRootCmd()
	if got, want := len(full.Commands()), len(subcommands); got != want {
		t.Fatalf("full root has %d commands, subcommands lists %d", got, want)
	}
	for _, sc := range subcommands {
		part := newRootCmdFor([]string{sc.name, "--help"})
		if n := len(part.Commands()); n != 1 || part.Commands()[0].Name() != sc.name {
			t.Fatalf("root for %q has %d commands (first %q)", sc.name, n, part.Commands()[0].Name())
		}
		var want *cobra.Command
		for _, c := range full.Commands() {
			if c.Name() == sc.name {
				want = c
			}
		}
		if want == nil {
			t.Fatalf("%q is not a command of the full root", sc.name)
		}
		if got, exp := cmdTree(part.Commands()[0]), cmdTree(want); got != exp {
			t.Errorf("%s: tree differs\nfor one: %s\nfull:    %s", sc.name, got, exp)
		}
		var a, b strings.Builder
		for _, r := range []struct {
			root *cobra.Command
			out  *strings.Builder
		}{{newRootCmd(), &a}, {part, &b}} {
			r.root.SetArgs([]string{sc.name, "--help"})
			r.root.SetOut(r.out)
			r.root.SetErr(r.out)
			if err := r.root.Execute(); err != nil {
				t.Fatalf("%s --help: %v", sc.name, err)
			}
		}
		if a.String() != b.String() || a.Len() == 0 {
			t.Errorf("%s --help differs:\n%s\n---\n%s", sc.name, a.String(), b.String())
		}
	}
	// `recdeck` alone is the console: no subcommand can be reached.
	if c := newRootCmdFor([]string{}); len(c.Commands()) != 0 || c.RunE == nil {
		t.Errorf("root for no arguments has %d commands, runs: %t", len(c.Commands()), c.RunE != nil)
	}
	// Anything else gets every command (help, completion, suggestions).
	for _, args := range [][]string{nil, {"help"}, {"--base-url", "http://x", "get"}, {"gte"}, {"completion"}} {
		if n := len(newRootCmdFor(args).Commands()); n != len(subcommands) {
			t.Errorf("root for %q has %d commands, want all %d", args, n, len(subcommands))
		}
	}
}

// cmdTree describes a command and its subcommands: names, flags with their
// defaults and usage, and whether each runs.
func cmdTree(c *cobra.Command) string {
	var b strings.Builder
	b.WriteString(c.Name() + "{")
	b.WriteString(c.Flags().FlagUsages())
	b.WriteString(fmt.Sprintf("run=%t;", c.RunE != nil || c.Run != nil))
	for _, s := range c.Commands() {
		b.WriteString(cmdTree(s))
	}
	b.WriteString("}")
	return b.String()
}

// heldSims starts simulators under a hold that release ends (holdSims),
// and checks for leaked goroutines once the test is over.
func heldSims(t *testing.T, release <-chan struct{}) *simStack {
	t.Helper()
	coreEnv(t)
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
	unhold := holdSims(release)
	st, err := startSims("127.0.0.1:0", 1, 0)
	unhold()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestHeldSimsServeOnRelease: simulators started while held listen at once,
// with their addresses known, but are built only once released; a request
// made meanwhile waits in the backlog and is answered then. Simulators
// started after the hold ended are built at once.
func TestHeldSimsServeOnRelease(t *testing.T) {
	release := make(chan struct{})
	st := heldSims(t, release)
	defer st.Close()
	if st.Anywhere365 != nil {
		t.Fatal("a held simulator was built before its release")
	}
	if want := st.URL + "/attendantservice/hubs/recording"; st.HubURL != want {
		t.Errorf("hub URL %q, want %q", st.HubURL, want)
	}
	type answer struct {
		code int
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Get(st.URL + "/sim/calls")
		if err != nil {
			answered <- answer{err: err}
			return
		}
		resp.Body.Close()
		answered <- answer{code: resp.StatusCode}
	}()
	close(release)
	select {
	case a := <-answered:
		if a.err != nil || a.code != http.StatusOK {
			t.Fatalf("request made while held: status %d, %v", a.code, a.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer after the release")
	}
	<-st.started
	if st.Anywhere365 == nil || st.HubURL != st.URL+st.Anywhere365.HubPath() {
		t.Fatalf("after release: simulator %v, hub URL %q", st.Anywhere365, st.HubURL)
	}
	if len(st.Banner) < 7 {
		t.Errorf("banner of %d lines: %q", len(st.Banner), st.Banner)
	}

	after, err := startSims("127.0.0.1:0", 1, 0) // the hold has ended
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if after.Anywhere365 == nil {
		t.Error("simulators started after the hold ended were held")
	}
}

// TestHeldSimsClosedUnreleased: closing held simulators before their
// release closes the listener and builds nothing.
func TestHeldSimsClosedUnreleased(t *testing.T) {
	st := heldSims(t, make(chan struct{}))
	st.Close()
	st.Close() // twice is fine
	if st.Anywhere365 != nil {
		t.Error("closed before its release, the simulator was built anyway")
	}
	if c, err := net.Dial("tcp", strings.TrimPrefix(st.URL, "http://")); err == nil {
		c.Close()
		t.Error("the listener is still open after Close")
	}
}

// TestHeldSimsServeAfterHoldMax: a release that never comes holds the
// simulators for simsHoldMax at most.
func TestHeldSimsServeAfterHoldMax(t *testing.T) {
	st := heldSims(t, make(chan struct{}))
	defer st.Close()
	select {
	case <-st.started:
	case <-time.After(simsHoldMax + 10*time.Second):
		t.Fatal("still held long after simsHoldMax")
	}
	resp, err := http.Get(st.URL + "/sim/calls")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// TestConsoleFirstFrameSignal: the console model closes its firstFrame once
// it has drawn a view at the terminal's size, not before (the "starting"
// view drawn before Bubble Tea reports the size does not count).
func TestConsoleFirstFrameSignal(t *testing.T) {
	isolate(t)
	g := &globals{}
	root := &cobra.Command{Use: "recdeck"}
	g.bind(root)
	bindTUIFlags(root)
	c, err := newConsole(context.Background(), root, g, consoleOptions{tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	first := make(chan struct{})
	c.model.firstFrame = first
	c.model.View()
	c.model.Update(tea.KeyPressMsg{Code: 'j'})
	c.model.View()
	select {
	case <-first:
		t.Fatal("firstFrame closed before the terminal's size was known")
	default:
	}
	c.model.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if v := c.model.View(); !strings.Contains(v.Content, "Anywhere365") {
		t.Fatalf("the sized view has no tab line:\n%s", v.Content)
	}
	select {
	case <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("firstFrame not closed after a view at the terminal's size")
	}
	c.model.View() // drawing again closes nothing twice
}

// TestSettleProcs: the console drops to consoleProcs once its first frame
// is on screen, not before; GOMAXPROCS in the environment wins; a console
// that ends before its first frame changes nothing.
func TestSettleProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	const many = 3 // a count the test process would not have by itself
	firstFrame := make(chan struct{})

	t.Setenv("GOMAXPROCS", "")
	runtime.GOMAXPROCS(many)
	done := make(chan struct{})
	go func() { settleProcs(context.Background(), firstFrame); close(done) }()
	time.Sleep(20 * time.Millisecond)
	if got := runtime.GOMAXPROCS(0); got != many {
		t.Fatalf("GOMAXPROCS %d before the first frame, want %d", got, many)
	}
	close(firstFrame)
	<-done
	if got := runtime.GOMAXPROCS(0); got != consoleProcs {
		t.Fatalf("GOMAXPROCS %d after the first frame, want %d", got, consoleProcs)
	}

	runtime.GOMAXPROCS(many)
	t.Setenv("GOMAXPROCS", "2")
	settleProcs(context.Background(), firstFrame)
	if got := runtime.GOMAXPROCS(0); got != many {
		t.Fatalf("GOMAXPROCS set in the environment: %d, want it left at %d", got, many)
	}

	t.Setenv("GOMAXPROCS", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	settleProcs(ctx, make(chan struct{}))
	if got := runtime.GOMAXPROCS(0); got != many {
		t.Fatalf("console ended before its first frame: GOMAXPROCS %d, want %d", got, many)
	}
}
