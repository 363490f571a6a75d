// Package noojeepane is the Noojee tab of the console: a supervisor finds a
// call's recording legs by tag or unique id, sees them in order as a table
// with a bar giving each leg's share of the call's duration, and fetches
// one leg (f) or all of them (F) into a chosen folder (o) with a progress
// bar; h lists an hour's calls and says when the next by-hour request is
// allowed (the API allows one a minute). An hour's list holds the legs that
// ENDED in that hour (the vendor's rule: a call crossing the hour is split
// over two lists), so enter (open) and F (fetch all) first read the whole
// call by its unique id; if that fails, the hour's legs are shown with a
// warning and nothing is fetched. An hour not over yet (or ended less than
// noojee.HourSettle ago) is marked PARTIAL. Times the client could not read
// (a zone outside its table) are said in the toast.
//
// r starts and s stops recording a call by extension or unique id, with
// optional tag=T and agent=NAME (agentLoginName), e.g. "410 tag=PCI-1
// agent=Fred" (the PCI pause for Noojee users); s asks before sending. The
// server's refusal in its body (HTTP 200, Code -1) is an error toast. Both
// are audited (Options.Audit: write-ahead Begin/End, vendor "noojee").
//
// A start or stop sent whose answer was lost (noojee.IsUnknownOutcome: a
// timeout, a dropped connection, a cut or garbled answer, a 504) is a
// warning "? start recording on 410 unknown: the answer was lost; Noojee
// offers no way to read it back", never "failed", audited unknown: the
// API has no method telling whether a call is being recorded now, so
// there is nothing to re-read, and nothing is re-sent.
//
// Downloads go to Options.Dir, by default noojee.DefaultDownloadDir (a
// per-user data directory), never the working directory. Built with
// Options.Unavailable (not configured, a missing apiKey, a bad setting), it
// shows why and answers every action with that reason instead of
// vanishing.
//
// Main types: Pane (New(Options)) satisfies ui.Pane; Client is the small
// interface it calls (*noojee.Client from client/noojee satisfies it);
// KeyMap holds its key.Bindings (rebindable by the names Bindings gives:
// "noojee_..." for its own actions, the shared up/down/top/bottom for
// movement).
//
// How it stays responsive: every request runs in a tea.Cmd with a timeout
// (searches) or a cancel key (downloads, which the client cuts if they
// stall); answers come back as messages, and a stale search answer (one a
// newer search replaced) is dropped. A download reports progress through
// atomics that the pane copies on each ui.TickMsg from the frame, so a
// fast download costs no message per chunk. Every action ends in a toast
// and in the status line, in the frame's words (ui.Styles.Level: ✓ ok, ⚠ warning, ✗ error), never by
// colour alone; the selected row is marked with ▸.
//
// Who calls it: cmd/recdeck (newNoojeePane) builds it with a client for
// the configured server, or for the simulator in the demo.
package noojeepane
