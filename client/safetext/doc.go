// Package safetext is recdeck's output gate and its one redactor: every
// string that came from outside the process (a server's text, an error
// built from one) passes through it before it reaches stdout, stderr, a
// toast, the header, a table cell or the audit log.
//
// Main functions:
//   - Out(s): Redact, then Printable. The gate for one outside string.
//   - Printable: every character a terminal could act on, or that changes
//     how the text reads, is replaced by a SPACE; each run of invalid UTF-8
//     by "?". Replaced are control characters (C0 such as ESC, BEL, CR, LF,
//     TAB; DEL; C1 such as CSI U+009B and OSC U+009D), bidirectional
//     controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C),
//     U+2028/U+2029 and invisible format characters (U+200B,
//     U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB, tags U+E0000-U+E007F).
//     DECISION: a space, not a visible escape such as "\u202e". A space
//     keeps the rune count and so a table column's width (a visible escape
//     would let a server widen a cell sixfold), reads naturally for the
//     common case (a newline or tab inside a name), and cannot be confused
//     with text the server sent. Whoever needs the exact value uses --json,
//     where the same characters are written as \u escapes.
//   - Clip: at most n bytes on a rune boundary, "..." when cut.
//   - Clean: Redact, Printable, trimmed and clipped: for outside text quoted
//     in an error. It redacts BEFORE it cuts.
//   - Sprintf / Fprintf / Fprintln: fmt with every string, error, Stringer
//     and string-kinded argument passed through Out; the format is the
//     program's own. The CLI's print sites use them.
//   - MarshalJSON / EscapeJSON / PrintJSON: encoding/json output in which C1
//     controls, DEL, bidi and invisible format characters (which
//     encoding/json leaves raw) are \u escapes: the one writer of every
//     --json output. The JSON value is unchanged for a program reading it.
//   - AddSecret / AddToken / Redact: the process-wide redactor (redact.go).
//     A secret is registered where it enters the process (cmd/recdeck's
//     config and environment loading, each vendor client's constructor) or
//     is issued (token sources, Noojee hash pairs, Akixi session ids; the
//     newest 32 tokens are kept). Redact removes each secret raw, URL-
//     (either hex case, or with every punctuation byte escaped), HTML-
//     (named or numeric entities), JSON-, PHP-JSON- and Go-escaped, and in
//     base64 at each alignment (an "Authorization: Basic" echo), and any
//     fragment of 6 or more bytes of any of those forms. Secrets shorter
//     than 6 bytes are not registered (the simulators' "demo" credentials):
//     they cannot be told apart from ordinary text. Cost: one hash look-up
//     per byte of text (a second pass when something was removed): about
//     0.1 ms for a 4 KiB error against 10 secrets
//     (BenchmarkRedact4KiB10Secrets).
//
// Who calls it: the vendor clients (errors, excerpts, their Printable
// wrappers, which are Out), client/httpsafe (redirect locations), the CLI
// (cmd/recdeck: every print site, the error line, --json) and the console
// (ui's frame: toasts and header; the panes through their client's
// Printable).
//
// The data itself is never altered: callers pass text through these
// functions only to show it.
package safetext
