package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
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
