// Package ui is recdeck's Bubble Tea console: the root model (the frame that
// holds the header, the pane tabs, the footer of key hints, the help screen
// and toasts), the Pane contract every tab satisfies, the key maps, and the
// Styles built from the active theme.
//
// Main types:
//   - Model (frame.go), built by New(Options, panes...): the tea.Model that
//     cmd/recdeck runs. It owns the global keys (q and ctrl+c quit, tab /
//     shift+tab / 1-9 switch panes, t cycles themes, ? shows the full help,
//     L the message log: every recent toast whole, newest first, scrollable,
//     since the toast line shows only the newest, cut at the screen edge),
//     the header (server or profile, API version, DEMO and TLS-INSECURE
//     badges, and the status line of the first pane that is a StatusLiner),
//     one toast line and a footer generated from the key bindings. While
//     the active pane is Capturing (a prompt, a filter, payment mode) the
//     footer offers only the pane's keys and ctrl+c: the frame's own keys
//     then go to the pane, so offering them would mislead. Two small hooks
//     a pane may implement: HeaderSegmenter (a short alert in the header's
//     first line on every tab: the compliance counts) and QuitGuard (q and
//     ctrl+c ask it first, e.g. while a payment pause is under way).
//   - Pane (pane.go): one tab. The Anywhere365 sessions pane is in
//     ui/sessions; the VoipNow, Noojee and Akixi panes in their folders.
//   - TickMsg: the frame's clock, sent to every pane. Panes pull their
//     data on it instead of receiving one message per event, so the console
//     stays smooth under thousands of events a second (DESIGN.md, "How data
//     flows"). It is not a fixed tick: the frame sleeps until the data
//     source signals a change (Options.Wake, the tracker's Changed()), and
//     then draws at most once per FrameFloor (30 ms); a pane whose screen
//     moves by itself (ages in whole seconds, a spinner, a countdown) says
//     how often through TickWanter, and toasts expire on time. A frame for
//     new data that changed nothing in the active pane's body (a
//     BodyChanger says so: events on sessions off screen) is drawn with
//     the status line's next news, within StatusEvery (1 s: with ages on
//     screen, the next frame for the ages). Every frame drawn costs Bubble
//     Tea's renderer a parse and diff of the whole screen (about five times
//     what drawing the frame costs), so frames are drawn for what is on
//     screen only. Idle with 40 sessions on screen the console draws once
//     a second, on the process's 1 s beat (internal/beat: the next whole
//     second, with the pause guard's, the tracker's and the memory
//     limiter's timers, so the process wakes once, not at instants of its
//     own; see frameDue).
//   - RenderPacer (pacer.go): Bubble Tea v2 (v2.1.1) flushes its renderer 60
//     times a second whether or not anything changed; the pacer has it run
//     about a millisecond after each drawn frame and, as soon as it wrote
//     that frame, once a second (through the Program's unexported ticker
//     and renderer fields; without the renderer's it keeps the renderer's
//     own rate for 50 ms after a frame, without the ticker it does
//     nothing). It keeps its own timer: a drawn frame costs the process
//     the flush and one look, no round trip through the event loop. At
//     that look it also turns off two of the renderer's cursor-movement
//     savings, hard tabs and hard-scroll detection, which save a few bytes
//     and cost a third of the renderer's CPU on a warm idle frame (in the
//     running console less: see rendererView.tune).
//   - StringWidth (width.go): ansi.StringWidth with a fast path for ASCII,
//     SGR codes and lone symbols, for the frame's per-line fitting.
//   - Themes (themepick.go): the frame asks the terminal for its
//     background (tea.RequestBackgroundColor) and, unless a theme was
//     configured or the remembered one reads on it, starts with the first
//     theme that does; t cycles only through readable themes and hands
//     the choice to Options.OnTheme to be remembered.
//   - Styles (styles.go) and NewStyles (theme.go): one value built from a
//     themes.Theme, passed to every pane; with no colour (--no-color,
//     NO_COLOR) meaning is carried by words and symbols only.
//   - KeyMap, NamedBinding, Bindable, KeyBinder and RebindAll (keys.go):
//     bindings by name, so the config file's "keys:" map can rebind any
//     binding of the frame or of any pane in one pass (movement names such
//     as "down" are shared by every pane; a key may mean different things
//     in different panes but never two things in one); the footer and the
//     help are generated from the same bindings.
//
// Layout, top to bottom: header (2 lines), tabs (1), the active pane's
// body (the rest), toast (1), footer (1). At 80x24 the body is 80x19.
// Mouse clicks and wheel events reach the active pane with coordinates
// relative to its body; a click on a tab switches to it.
//
// ui never speaks HTTP: each pane reaches its recording system through a
// small interface that cmd/recdeck fills with a client from client/..., and
// that tests fill with fakes or with a client pointed at a simulator.
// Sub-packages: sessions (the Anywhere365 pane), components (sparkline,
// timeline bar, big text, prompts), audit (the action audit log), uitest
// (test helpers that drive models without a terminal).
package ui
