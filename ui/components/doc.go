// Package components holds small drawing pieces the panes share: a
// sparkline (events per second in the header), the recording timeline bar
// of the detail view, large block letters for payment mode, and the
// confirm/input prompt used for stop, delete, add-session and the requester
// SIP URI.
//
// They are plain functions and small models that return strings, styled
// with the ui.Styles the frame passes down; none of them knows about the
// network. Callers: ui/sessions, and any vendor pane that wants them.
package components
