// Package audit writes the console's audit log: one JSON line per action a
// user attempted (time, profile, UCC, correlation id, action, requester,
// outcome and the API's ErrorMessage), appended to
// $XDG_STATE_HOME/recdeck/audit.log (or ~/.local/state/recdeck/audit.log;
// RECDECK_AUDIT_LOG overrides the path).
//
// Each record is written and fsynced before the screen reports the
// action's outcome, so what a supervisor saw confirmed is on disk. The file
// is opened with O_APPEND (several consoles may share it; each line is one
// write) and mode 0600. A torn last line, left by a crash mid-write, is
// closed with a newline when the log is opened, so the next record starts
// on a line of its own. Read decodes a log and skips (and counts) any line
// that is not a whole record, such as that torn one; crash_test.go kills a
// writer with SIGKILL right after it reported an outcome and finds that
// record on disk.
//
// Records hold no secret: the requester SIP URI is an address, not a
// credential, and error texts come from the client, which has already
// scrubbed tokens and passwords. Who calls it: ui/sessions (through its
// Auditor interface) and cmd/recdeck, which opens the log.
package audit
