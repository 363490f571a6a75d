// Package voipnowpane is the VoipNow tab of the recdeck console (the
// directory is ui/voipnow; the package is named voipnowpane so it does not
// clash with client/voipnow where both are imported).
//
// Pane shows the PBX's live calls, one row per phone call view, with its
// status in words (ringing, other side ringing, on call, ended), direction,
// extension, caller, numbers, time on call and a recording indicator
// ("● REC 1:05" or "not recording"); the selected row is marked "▸" (not
// by colour alone). The selected view can be recorded with r (a prompt
// chooses wav or wav49; Capturing is true while it is open) and stopped
// with s, which asks first (y/n) and, on a view that is not recording,
// says so and sends nothing. Every action ends in a toast: success with the
// PBX's start time, or the PBX's error in words; both are audited
// (Options.Audit: write-ahead Begin/End, vendor "voipnow").
//
// / filters the rows by extension, caller id or number (as typed; esc
// clears it); u switches the user and extension listed ("@owner/@self",
// "12/0003*210"). One refresh lists at most Options.MaxCalls calls; when
// the PBX has more, the status line says "showing N of M calls" and ] / [
// list the next or previous ones (StartIndex).
//
// The UAPI pushes no events, so the pane polls: one list request at a time,
// in a tea.Cmd with a timeout, re-armed with a single tea.Tick when its
// result arrives (Options.PollInterval, 2 s by default). A failing poll
// shows in the status line and gives one toast, not one per poll. Calls that
// leave the PBX stay listed as "ended" for a few seconds.
//
// A recording action's answer is the newest word on its view: a list
// request that was already on its way when the answer came cannot undo it
// on screen (Pane.recent); the next list asked for afterwards is trusted.
// Every text from the PBX (caller ids, numbers, error messages) is shown
// without control characters, as a caller id is chosen by the caller.
// When VoipNow is configured but unusable (Options.SetupError), the tab
// says why instead of disappearing.
//
// Unknown outcome: when a start or stop was sent but its answer was lost
// (voipnow.IsUnknownOutcome: a timeout, a dropped connection, a cut or
// garbled success, a 504), the toast is a warning "? Start recording on
// ... unknown: the answer was lost; re-reading", never "failed"; the row
// says "re-reading…" while the call is read again (Client.GetCall), then a
// toast gives the state found ("re-read after its lost answer: now
// recording (it took effect)"). The audit log gets outcome unknown, then
// confirmed with the state and whether it was applied. Nothing is re-sent.
//
// It reaches the PBX only through the small Client interface, which
// *voipnow.Client satisfies; cmd/recdeck builds it (newVoipnowPane) from
// the profile's voipnow section, or against the simulator in the demo.
// Tests drive it through Update and View against the simulator on loopback.
package voipnowpane
