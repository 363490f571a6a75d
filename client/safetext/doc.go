// Package safetext makes text that comes from a recording system safe to
// show in a terminal or an error message. It is shared by the vendor
// clients (client/voipnow, client/akixi, client/noojee), which each used to
// carry their own copy of the same few lines.
//
// Main functions:
//   - Printable: control and bidirectional-control characters become
//     spaces, invalid UTF-8 becomes "?". An escape sequence in a caller id
//     or a description could otherwise repaint the screen, a newline would
//     break a table row, and a right-to-left override would make text read
//     differently from what it is.
//   - Clip: at most n bytes, cut on a rune boundary, "..." when cut.
//   - Clean: Printable, trimmed and clipped; for outside text quoted in
//     errors.
//
// Who calls it: the vendor clients only (the package is internal to
// client/). The CLI and the TUI panes reach Printable through each client's
// exported Printable (voipnow.Printable, akixi.Printable), so a pane
// depends on its own client and nothing else.
//
// The data itself is never altered: callers pass text through these
// functions only to show it.
package safetext
