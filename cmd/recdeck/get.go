package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
)

// The one-shot core commands: get (recorder state), set (change it) and
// caps (may agents edit recordings). Each prints a one-liner, or the API's
// JSON with --json, and exits 0 / 1 (the API answered an ErrorMessage) /
// 2 (bad input, nothing sent) / 3 (network or authentication failure) /
// 4 (set only: the answer was lost, the action may have been applied).

func newGetCmd(g *globals) *cobra.Command {
	var ucc, call string
	cmd := &cobra.Command{
		Use:   "get --ucc UCC --call CORRELATION_ID",
		Short: "Show the recorder state of one call",
		Example: `  recdeck get --base-url http://127.0.0.1:8365 --ucc ucc-demo-name --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30
  recdeck get --ucc payments --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, c, err := coreSetup(g)
			if err != nil {
				return err
			}
			if ucc == "" {
				ucc = p.UCC
			}
			call = anywhere365.NormalizeGUID(call) // "{1D6C...}" as .NET logs print it
			if err := needFlags("--ucc", ucc, "--call", call); err != nil {
				return err
			}
			resp, err := c.GetState(cmd.Context(), ucc, call)
			return printState(cmd.OutOrStdout(), g.jsonOut, resp, "", err)
		},
	}
	cmd.Flags().StringVar(&ucc, "ucc", "", "technical UCC name (default: the profile's ucc)")
	cmd.Flags().StringVar(&call, "call", "", "correlation id of the call (a GUID)")
	return cmd
}

func newSetCmd(g *globals) *cobra.Command {
	var ucc, call string
	var noAudit bool
	cmd := &cobra.Command{
		Use:   "set ACTION --ucc UCC --call CORRELATION_ID --sip SIP_URI",
		Short: "Change the recorder state: start, stop, pause, save, delete, mark, unmark",
		Long: `Change the recorder state of one call. ACTION is a name (start, stop, pause,
save, delete, mark, unmark; any case) or its number (1-7). There is no resume:
start on a paused recorder resumes it. The requester (--sip) must be an agent or
supervisor of the UCC.

The action is written to the audit log (the console's) before the request
leaves, and its outcome after, unless --no-audit is given. When the request
reached the server but its answer was lost, the outcome is unknown: the call
is re-read, its state printed ("pause unknown; re-read: now Paused"), and the
exit status is 4.`,
		Example: `  recdeck set pause --base-url http://127.0.0.1:8365 --ucc payments --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30 --sip sip:agent@domain.com
  recdeck set Mark --action-by-name --ucc ucc-demo-name --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30 --sip sip:agent@domain.com`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return withExit(exitUsage, fmt.Errorf("set needs exactly one ACTION (start, stop, pause, save, delete, mark, unmark), got %d arguments", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			action, err := anywhere365.ParseAction(args[0])
			if err != nil {
				return withExit(exitUsage, err)
			}
			p, c, err := coreSetup(g)
			if err != nil {
				return err
			}
			if ucc == "" {
				ucc = p.UCC
			}
			call = anywhere365.NormalizeGUID(call)
			if err := needFlags("--ucc", ucc, "--call", call, "--sip", p.SIP); err != nil {
				return err
			}
			// Audited write-ahead; an unknown outcome is re-read and exits 4 (setaudit.go).
			return auditedSet(cmd, g, c, anywhere365.SetParams{UCC: ucc, CorrelationID: call, RequesterSIP: p.SIP, Action: action}, noAudit)
		},
	}
	cmd.Flags().StringVar(&ucc, "ucc", "", "technical UCC name (default: the profile's ucc)")
	cmd.Flags().StringVar(&call, "call", "", "correlation id of the call (a GUID)")
	cmd.Flags().BoolVar(&noAudit, "no-audit", false, "do not write the action to the audit log (by default an attempt record is fsynced before the request leaves)")
	return cmd
}

func newCapsCmd(g *globals) *cobra.Command {
	var ucc string
	cmd := &cobra.Command{
		Use:     "caps --ucc UCC",
		Short:   "Show whether agents of a UCC may edit recordings (AgentCanEditAudioRecording)",
		Example: `  recdeck caps --base-url http://127.0.0.1:8365 --ucc helpdesk`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, c, err := coreSetup(g)
			if err != nil {
				return err
			}
			if ucc == "" {
				ucc = p.UCC
			}
			if err := needFlags("--ucc", ucc); err != nil {
				return err
			}
			resp, err := c.Capabilities(cmd.Context(), ucc)
			if resp != nil && err == nil {
				if g.jsonOut {
					if perr := printJSON(cmd.OutOrStdout(), resp); perr != nil {
						return withExit(exitNetwork, perr)
					}
				} else {
					safetext.Fprintf(cmd.OutOrStdout(), "%s AgentCanEditRecordings=%t\n", resp.UCCName, resp.AgentCanEditRecordings)
				}
			}
			return coreExit(err)
		},
	}
	cmd.Flags().StringVar(&ucc, "ucc", "", "technical UCC name (default: the profile's ucc)")
	return cmd
}

// coreSetup resolves the profile and builds the client.
func coreSetup(g *globals) (Profile, *anywhere365.Client, error) {
	p, err := g.profile()
	if err != nil {
		return p, nil, err
	}
	c, err := g.coreClient(p)
	return p, c, err
}

// needFlags checks that each named value is given: pairs of flag, value.
func needFlags(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			missing = append(missing, pairs[i])
		}
	}
	if len(missing) > 0 {
		return withExit(exitUsage, fmt.Errorf("missing %s", strings.Join(missing, ", ")))
	}
	return nil
}

// printState prints a state response as one line (or its JSON), then maps
// err to the exit status. On a failure nothing is printed on stdout here:
// with --json, jsonErrors prints the one error object every command uses
// (the API's ErrorType is its code).
func printState(w io.Writer, jsonOut bool, resp *anywhere365.StateResponse, verb string, err error) error {
	if resp != nil && err == nil {
		if jsonOut {
			if perr := printJSON(w, resp); perr != nil {
				return withExit(exitNetwork, perr)
			}
		} else {
			line := resp.UCCName + " " + resp.CorrelationId
			if verb != "" {
				line += " " + verb
			}
			safetext.Fprintf(w, "%s Recording=%s Marking=%s Saving=%s\n", line, resp.RecordingState, resp.MarkingState, resp.SavingState)
		}
	}
	return coreExit(err)
}

// printJSON prints v indented. Enums are numbers, as on the wire. The one
// JSON writer (safetext.PrintJSON) escapes control, C1 and bidi characters.
func printJSON(w io.Writer, v any) error {
	return safetext.PrintJSON(w, v, "  ", true)
}
