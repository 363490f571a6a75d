package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/safetext"
)

// Exit statuses shared by every subcommand (the core's contract).
const (
	exitOK      = 0
	exitAPI     = 1 // the API answered an error (ErrorMessage, vendor error body)
	exitUsage   = 2 // invalid usage or input, refused before any request
	exitNetwork = 3 // network or authentication failure
	// exitUnknown: the request reached the server but its answer was lost;
	// the action may or may not have been applied.
	exitUnknown = 4
)

// exitError carries an exit status to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExit wraps err so main exits with code.
func withExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status; tests call it
// in-process. Errors are printed as "recdeck: <error>" on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if args != nil && len(args) == 0 {
		// `recdeck` alone, as os.Args gives it: the console, whose
		// start-up work begins before the command line is even parsed
		// (startup.go).
		consoleStartup()
	}
	root := newRootCmdFor(args)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// The output gate: an error quotes servers (messages, reason phrases,
	// token errors); secrets and terminal controls never get through.
	safetext.Fprintln(stderr, "recdeck:", err)
	// An unknown outcome is 4 whatever wrapped it (any vendor's error may
	// say so through this method, e.g. anywhere365.UnknownOutcomeError).
	var uo interface{ UnknownOutcome() bool }
	if errors.As(err, &uo) && uo.UnknownOutcome() {
		return exitUnknown
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage // cobra's own errors (unknown flag, bad args) are usage errors
}

// subcommands are the root's commands in the order help lists them, each
// with the name the command line calls it by.
var subcommands = []struct {
	name  string
	build func(*globals) *cobra.Command
}{
	{"sim", newSimCmd},
	{"get", func(g *globals) *cobra.Command { return jsonErrors(g, newGetCmd(g)) }},
	{"set", func(g *globals) *cobra.Command { return jsonErrors(g, newSetCmd(g)) }},
	{"caps", func(g *globals) *cobra.Command { return jsonErrors(g, newCapsCmd(g)) }},
	{"watch", func(g *globals) *cobra.Command { return jsonErrors(g, newWatchCmd(g)) }},
	{"report", func(g *globals) *cobra.Command { return jsonErrors(g, newReportCmd(g)) }},
	{"pci", func(g *globals) *cobra.Command { return jsonErrors(g, newPCICmd(g)) }},
	{"voipnow", newVoipnowCmd},
	{"noojee", newNoojeeCmd},
	{"akixi", newAkixiCmd},
}

// newRootCmd builds the root command with every subcommand.
func newRootCmd() *cobra.Command { return newRootCmdFor(nil) }

// newRootCmdFor builds the root command for the command line args: when
// args starts with a subcommand's name, that subcommand alone (building
// all of them, with their flags and the vendors' subtrees, was a share of
// every one-shot command's start-up); when args is empty but not nil
// (`recdeck` alone: the console, as os.Args gives it), none, since no
// subcommand, help or completion can be reached without an argument;
// otherwise (nil, the console with flags, help, a flag first, completion,
// a mistyped name that cobra suggests a correction for) every one.
func newRootCmdFor(args []string) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "recdeck",
		Short:         "A terminal console for call recording control",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			consoleStartup() // startup.go: work moved off the first frame's path
			return runTUI(cmd, g)
		},
	}
	g.bind(root)
	bindTUIFlags(root)
	if args != nil && len(args) == 0 {
		root.CompletionOptions.DisableDefaultCmd = true
		return root
	}
	for _, sc := range subcommands {
		if len(args) > 0 && args[0] == sc.name {
			root.AddCommand(sc.build(g))
			// Nor is cobra's "completion" command (it is not the one called).
			root.CompletionOptions.DisableDefaultCmd = true
			return root
		}
	}
	for _, sc := range subcommands {
		root.AddCommand(sc.build(g))
	}
	return root
}
