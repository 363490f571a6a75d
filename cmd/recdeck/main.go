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
	root := newRootCmd()
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

func newRootCmd() *cobra.Command {
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
	root.AddCommand(
		newSimCmd(g),
		jsonErrors(g, newGetCmd(g)), jsonErrors(g, newSetCmd(g)), jsonErrors(g, newCapsCmd(g)),
		jsonErrors(g, newWatchCmd(g)), jsonErrors(g, newReportCmd(g)), jsonErrors(g, newPCICmd(g)),
		newVoipnowCmd(g), newNoojeeCmd(g), newAkixiCmd(g),
	)
	return root
}
