// Package audit writes the audit log shared by the console and the CLI:
// one JSON line per record (time, profile, server, source, vendor, UCC,
// correlation id or target, action, requester, trigger, outcome and the
// API's ErrorMessage), appended to $XDG_STATE_HOME/recdeck/audit.log (or
// ~/.local/state/recdeck/audit.log; RECDECK_AUDIT_LOG overrides the path).
//
// Write-ahead: an action's attempt record (Phase "attempt", a fresh ID, no
// outcome) is written and fsynced by Begin BEFORE the request leaves; the
// outcome record with the same ID is written by Attempt.End after the
// answer: ok, failed, or unknown when the request reached the server but
// its answer was lost — then, once the session was re-read, a further
// record with outcome "confirmed", the State the server gave and whether it
// shows the action (Applied). A process killed between sending and
// recording leaves the attempt alone on disk: Dangling finds such attempts,
// and the console re-reads their sessions on start. Each record is on disk
// before the screen reports the outcome, so what a supervisor saw
// confirmed is on disk too.
//
// The file is opened with O_APPEND (several consoles and CLI runs may share
// it; each line is one write) and mode 0600. A torn last line, left by a
// crash mid-write, is closed with a newline when the log is opened, so the
// next record starts on a line of its own. Read and Scan decode a log and
// skip (Scan reports, with its line number) any line that is not a whole
// record; ReadFiles also reads the rotated files beside the log (audit.log.1,
// audit.log.2.gz, ... as logrotate leaves them; recdeck does not rotate).
// crash_test.go kills a writer with SIGKILL right after it reported an
// outcome and finds that record on disk; cmd/recdeck kills `recdeck set`
// after the server applied a pause but before the answer, and finds the
// attempt.
//
// Triggers (TriggerPaymentMode, TriggerPolicy) name what started an
// action that was not a key press; ActionCallEnded records a call that
// ended while paused. `recdeck report` builds its pause report from these.
//
// Records hold no secret: the requester SIP URI is an address, not a
// credential, and error texts come from the client, which has already
// scrubbed tokens and passwords. Who calls it: ui/sessions (through its
// Auditor interface and Begin), cmd/recdeck (set, report, and the console,
// which opens the log and reports dangling attempts).
package audit
