// Command recdeck is the one binary: the console (TUI) by default, plus
// subcommands for scripts and for trying the APIs by hand.
//
// Who does what here (client/... does the talking, ui/... the drawing; this
// package wires them together and owns flags, config and exit statuses):
//
//   - main.go: the root command, exit statuses, run (used by tests too).
//     A command line that names a subcommand gets a root with that one
//     subcommand built (newRootCmdFor); `recdeck` alone (the console)
//     none; help, completion and the console with flags get them all.
//   - startup.go: start-up (issue 15). Nothing in this binary's packages
//     works at initialisation (regular expressions are compiled on first
//     use), so a one-shot command pays only the runtime's and its
//     dependencies' start; the console builds go-runewidth's width table on
//     another goroutine (the renderer's first frame needs it; `recdeck`
//     alone starts it before parsing its command line) and collects less
//     often for its first 2 s. The demo's simulators are held (holdSims)
//     until the first frame is on screen.
//   - globals.go: the shared flags; profile() lays flags and environment
//     over the config file's profile and registers every secret it holds
//     (and the vendor secrets' environment variables) with the one
//     redactor, safetext; httpClient (TLS verified unless
//     --insecure-skip-verify, the httpsafe redirect policy);
//     coreClient builds the Anywhere365 client.
//   - config.go: the YAML config file and its named profiles, with a
//     warning when a file holding secrets is readable by others, or when
//     the directory holding it is world-writable (naming the path, never
//     a value).
//   - columns.go: the profile's columns: (the console table's columns, in
//     order; checked at start) and the column chooser's write-back into
//     the same profile: through yaml.v3 nodes, keeping comments, layout,
//     other keys and the file's mode, checked to change nothing but the
//     list, then an atomic rename; refused (the choice then holds for the
//     run) when there is no file or it cannot be written safely.
//   - get.go: get, set, caps; setaudit.go: set's write-ahead audit and
//     its re-read after an unknown outcome. watch.go: watch (one line per
//     hub event, in wire order; drops reported where they happen).
//   - report.go: `recdeck report`, the pauses in the audit log (and its
//     rotated files) per call, with totals per requester and UCC.
//   - memory.go: a soft memory limit following the live heap (100,000
//     sessions in under 100 MB), and freed memory returned to the OS once
//     the known sessions halve (flat after the calls end).
//   - pci.go: `recdeck pci`, an agent's one-shot payment pause (pause,
//     countdown, resume on Enter, at --max, or before exiting on a signal;
//     exit 0 only when a GET confirmed the recording Started).
//   - policy.go: the compliance policy from the profile (max_pause, its old
//     name payment_max, enforce_max_pause, start_grace, records_by_default,
//     bell, ucc_policy) and the flags --max-pause, --enforce-max-pause.
//   - sim.go: `recdeck sim` and startSims, which serves every simulator on
//     one listener (plain TCP; the vendors' simulators are built on other
//     goroutines while the Anywhere365 one is); the demo starts the same
//     thing in-process, held by holdSims until the console's first frame
//     is drawn (it listens at once; requests wait in the backlog).
//   - follow.go: each server the console follows (one per profile:
//     --profile repeated, default_profile: [a, b], or :profile inside the
//     console): its client, tracker, hub listener, journal, pause guard and
//     compliance book under a context of their own, so :profile keeps the
//     servers that stay, stops the others and starts the new ones without
//     a restart. globals.consoleProfiles resolves the list; every other
//     command uses the first profile, and a repeated --profile elsewhere is
//     a usage error.
//   - tui.go: runTUI and newConsole: demo or real server, the tracker and
//     hub listener (anywhere365.Monitor), the pause guard and compliance
//     book, the audit log, the panes. On exit (q then y, ctrl+c twice,
//     SIGTERM, SIGHUP) any payment pause is resumed first, waiting at most
//     exitResumeWait.
//   - voipnow.go, noojee.go, akixi.go: each vendor's subcommand, simulator
//     mount and pane; vendors.go holds what they share (settings, exit
//     mapping, JSON output, signal handling).
//   - internal/bareclient: a bare philippseith/signalr client, the floor
//     the process benchmarks (bench_process_test.go) measure against.
//
// Output: every print site that carries outside text uses safetext's
// gated Fprintf/Fprintln (run prints every error through it), every
// --json output goes through safetext.PrintJSON/MarshalJSON (control, C1
// and bidi characters as \u escapes; a failure is one JSON error object,
// jsonErrors), and the vendor tables pass cells through each client's
// Printable (safetext.Out).
//
// Exit statuses: 0 success, 1 the API answered an error (ErrorMessage or a
// vendor error body), 2 invalid usage or input (nothing was sent), 3
// network or authentication failure (including an answer that is not the
// documented JSON, and a request that never reached the server), 4 unknown
// outcome: the request reached the server but its answer was lost (a
// timeout, a dropped connection or a cut or garbled success after the
// request was written), so the action may or may not have been applied;
// `recdeck set` and `recdeck voipnow record start|stop` then re-read the
// call and print its state (audited unknown, then confirmed); `recdeck
// noojee start|stop` says Noojee offers no way to read it back (audited
// unknown). vendors.go's cliAttempt (unknown, end) writes those records.
//
// setaudit.go: `recdeck set`'s write-ahead audit (an attempt record fsynced
// before the request, the outcome after; --no-audit turns it off) and its
// re-read after an unknown outcome. report.go: `recdeck report`, the pause
// report built from the audit log and its rotated files.
package main
