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
// Connection trouble is never silent: the header's status line shows the
// hub's state and the start of its last error, and each new reason is also
// shown whole in a toast. Errors on screen drop the request's method and
// URL (the header names the server); the audit log keeps the full text.
//
// Actions (s p x m u v d, and space in payment mode) run in a tea.Cmd with
// a timeout: the REST call, then an audit record written and fsynced, then
// a result message that updates the store (RecordAction), clears the row's
// spinner and shows a toast with the API's ErrorType and Message on
// failure. Stop and delete ask for confirmation; a missing requester SIP
// URI is asked for, validated, and remembered. A UCC whose capabilities say
// AgentCanEditRecordings is false has its actions disabled, with the
// reason shown (and the refused attempt audited).
//
// Main types: Pane (a ui.Pane and ui.StatusLiner), Config, KeyMap, and the
// interfaces it needs, Source (the session store: *anywhere365.Tracker),
// RecordingAPI (*anywhere365.Client) and Auditor (*audit.Log). Tests fill
// them with fakes or with the real client and tracker on a simulator.
// Who calls it: cmd/recdeck's tui.go builds it and hands it to ui.New.
//
// ASSUMPTIONS where the vendor documents are silent: there is no Resume
// action, so resuming is Start on a Paused recording; payment mode's
// automatic resume after PaymentMax (default 180 s, configurable) follows
// peers such as Genesys PureConnect's secure pause.
package sessions
