// Package noojeepane is the Noojee tab of the console: a supervisor finds a
// call's recording legs by tag or unique id, sees them in order as a table
// with a bar giving each leg's share of the call's duration, and fetches
// one leg (f) or all of them (F) into a chosen folder (o) with a progress
// bar; h lists an hour's calls and says when the next by-hour request is
// allowed (the API allows one a minute); enter opens a call of that list
// and F fetches all its legs, without another metadata request. Built with
// Options.Unavailable (a missing apiKey, a bad setting), it shows why and
// answers every action with that reason instead of vanishing.
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
