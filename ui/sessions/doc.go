// Package sessions is the console's Anywhere365 pane: the live table of
// call sessions and their recording state, the detail view of one session
// (full ids, capabilities, a recording timeline bar, its history), and
// payment mode (one call in large type, one key to pause and resume, and a
// countdown to an automatic resume).
//
// Data flow (DESIGN.md, "How data flows"): the pane never takes a message
// per hub event. On the frame's tick (ui.TickMsg: when the store signals a
// change, at most every 30 ms, and once a second while ages show) it
// compares the store's Version with the last one it pulled and only then
// copies a Snapshot, filters and sorts it once; with very many sessions
// pulls are spaced to a few times their own cost. View draws only the rows
// on screen and caches each rendered row by (session, version, width,
// theme, selected, flash, marker, age), so a frame costs the same with 100
// or 100,000 sessions (see the benchmarks). The selected row starts with ▸
// as well as being highlighted, so it shows without colour (--no-color, a
// terminal that drops attributes, a screen reader).
//
// Rows say what the store knows in words and symbols, never colour alone:
// "?" unconfirmed (waiting for its GET), "~" stale (the hub is down, the
// row is kept by REST polling; counted in the status line), "⊠ refused"
// with the server's reason for a session it refused for good (an unknown
// UCC), "–" ended. D removes the selected session from the store after a
// one-key confirm (Source may implement Remove; *anywhere365.Tracker does).
//
// Connection trouble is never silent: the header's status line shows the
// hub's state and the start of its last error, and each new reason is also
// shown whole in a toast. Errors on screen drop the request's method and
// URL (the header names the server); the audit log keeps the full text.
//
// Actions (s p x m u v d, and space in payment mode) run in a tea.Cmd with
// a timeout: an attempt record written and fsynced to the audit log before
// the request leaves (write-ahead: audit.Begin), the REST call, then the
// outcome record, then a result message that updates the store
// (RecordAction), clears the row's spinner and shows a toast with the
// API's ErrorType and Message on failure. An answer lost after the request
// left is an unknown outcome, never a failure: the toast says "? Pause ...
// unknown: ... re-reading", the session is re-read at once (the pane GETs
// it when the API can, and the store reconciles it too), and a second
// toast and an audit record give the confirmed state. Stop and delete ask for confirmation; a missing requester SIP
// URI is asked for, validated, and remembered. A UCC whose capabilities say
// AgentCanEditRecordings is false has its actions disabled, with the
// reason shown (and the refused attempt audited).
//
// Payment mode (payment.go) does not own the pause's deadline: the
// PauseGuard (client/anywhere365) does, on its own goroutine, so esc, P
// again or a theme change never cancel or restart it; the screen shows the
// guard's status (countdown, a failed resume and when it is retried, how
// the pause ended), its own hub and REST health, and refuses a call whose
// UCC forbids editing. Quitting while a payment pause is under way asks
// first (ui.QuitGuard); a payment pause still on its way is registered
// with the guard (pauseSender), so the console's exit path waits for it.
// AutoResume is the guard's ResumeFunc: a Start as the console's
// requester with a write-ahead audit record naming the trigger. The alerts
// view (alerts.go, key !) lists the compliance flags worst first; s
// resumes one through the usual action flow, R resumes all overdue after
// one confirmation, c acknowledges; rows carry the flag's
// mark and word, and HeaderSegment gives the frame the counts
// (ui.HeaderSegmenter). A new alert rings the bell once (Config.Bell).
//
// Command mode (command.go, key ":"), k9s style, with tab completion of
// the command and its argument: :sort COLUMN [desc], :filter TEXT, :goto
// ID (a correlation id prefix, or UCC/prefix; a filter hiding it is
// cleared), :theme NAME (ui.SetThemeMsg: the frame applies and remembers
// it) and :export FILE.csv|FILE.json (the table as shown, filtered and
// sorted; an existing file is never overwritten; a server column first
// with several servers), :columns [NAME ...] and :profile NAME... (follow
// other servers: Config.SwitchProfile; refused while a payment pause or an
// awaited action belongs to the current ones).
//
// Several servers (servers.go): Config.Servers lists them, each with its
// own Source, API, Guard and Compliance. The pane sees one merged Source,
// PauseGuard and ComplianceBook that stamp each key with its server's name
// (SessionKey.Server) on the way out and strip it on the way in, so stores,
// guards and journals never see a stamped key and routing an action, a
// re-read or an automatic resume is a lookup by name; capabilities are per
// server and UCC. With one server nothing is wrapped and keys carry no
// name. The header names each server with its own connection state.
//
// Columns (columns.go): C (or :columns) opens the column chooser above
// the table: space shows or hides a column, K/J or shift+↑/↓ move it, and
// the table follows at once; RECORDING is never hidden. Closing it hands
// the names (ColumnNames, checked by ParseColumns) to Config.OnColumns,
// which saves them (cmd/recdeck: in the profile); without one, or when it
// fails, the choice holds for the run and a toast says which. Config.Columns
// sets them at start. The SERVER column (SessionKey.Server, the profile of
// the followed server) is listed only while some session has one, i.e. the
// console follows several servers; it sorts, filters and is exported like
// the others. On a narrow terminal the chosen columns still drop by
// priority.
//
// Who acted (requested.go): every action this console sends is noted with
// its requester SIP URI (an automatic resume with its trigger); the
// detail view shows the last one as "Requested by" above the history, so
// it shows whatever the history holds, and each history action names
// who sent it. Hub events do not say who acted, so only the console's own
// actions have a requester.
//
// Bulk actions (bulk.go): V picks rows (✓ in the marker cell); while rows
// are picked, s p x m u v d apply to all of them after one confirmation,
// each sent, audited and reported as a single action is (a disabled UCC
// refused and audited, a Stopped recording left out of a stop); esc
// clears the picks.
//
// Main types: Pane (a ui.Pane and ui.StatusLiner), Config, KeyMap, and the
// interfaces it needs, Source (the session store: *anywhere365.Tracker),
// RecordingAPI (*anywhere365.Client), Auditor (*audit.Log), PauseGuard
// (*anywhere365.PauseGuard) and ComplianceBook (*anywhere365.Compliance).
// Tests fill
// them with fakes or with the real client and tracker on a simulator.
// Who calls it: cmd/recdeck's tui.go builds it and hands it to ui.New.
//
// ASSUMPTIONS where the vendor documents are silent: there is no Resume
// action, so resuming is Start on a Paused recording; payment mode's
// automatic resume after the policy's max_pause (default 3m, configurable)
// follows peers such as Genesys PureConnect's secure pause.
package sessions
