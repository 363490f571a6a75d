// Package akixipane is the Akixi admin pane of the console (directory
// ui/akixi): it lists the Call Recording Integration entries of one scope
// (application-wide, one telephony server, or one partition) a page at a
// time, shows an entry's every property, adds and changes entries through
// forms, and deletes them after a confirmation that says it cannot be
// undone (with an extra warning first for the
// [Dubber: Demonstration Simulator] entry, which Akixi advises keeping).
//
// Main types: Pane (a ui.Pane), Options, API (the five operations it
// needs; *akixi.Client satisfies it) and KeyMap (bubbles key bindings,
// rebindable by "akixi_..." names, and the shared up/down for movement).
//
// Who calls it: cmd/recdeck (newAkixiPane) builds it with a client from
// client/akixi; the frame in ui hosts it.
//
// How it behaves:
//   - It never waits on the network in Update: every request runs in a
//     tea.Cmd bounded by Options.RequestTimeout, and its answer comes back
//     as a message. Answers that no longer apply (an older page, a scope
//     since changed) are dropped by a generation number.
//   - The list is re-read every Options.Refresh (30 s) with tea.Tick,
//     re-armed when an answer arrives, so there is one timer at most.
//   - Paging asks for one entry more than a page to know whether a next
//     page exists (the API gives no total). The page number moves only
//     when the new page arrives, so a failed load leaves the page shown
//     and its number in agreement; a page emptied by deletes gives way to
//     the one before.
//   - Text from the service is shown through akixi.Printable (one row a
//     line, no terminal controls); the entry is kept as read for Change.
//   - CallRecIntGUID and CallRecIntType are shown read-only in the change
//     form ("cannot be changed after the entry is created"); only the
//     properties that were edited are sent.
//   - Every action ends in a toast (ui.Toast) and on the status line, in
//     words and symbols, never colour alone; refused input keeps the form
//     or prompt open with the reason and nothing typed is lost.
//   - Capturing is true while a form, the scope prompt or the delete
//     confirmation is open.
//   - After an add, the pane shows the new entry's scope at the page that
//     holds it (read from the first page, bounded) with the entry selected.
//   - The Dubber credentials (AuthUserID1/2, APIParameter1/2) are masked in
//     the details and typed masked in the forms; x (Reveal) on an entry's
//     details shows them when asked, Options.ShowSecrets from the start.
//   - Add, change and delete are audited (Options.Audit: write-ahead
//     Begin/End, vendor "akixi", Source "console"); cmd/recdeck closes the
//     pane's session (Logout) when the console ends.
//   - Built with Options.Unavailable (not configured, no password), the tab
//     says what to configure instead of vanishing.
package akixipane
