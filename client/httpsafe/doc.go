// Package httpsafe holds the one redirect policy of every HTTP client in
// recdeck (the Anywhere365 REST client, its token source and hub
// negotiation, VoipNow, Noojee, Akixi), so that no credential follows a
// redirect to a server it was not meant for and no command is re-sent
// somewhere else.
//
// The policy (CheckRedirect):
//   - A redirect answering a state-changing request (anything but GET and
//     HEAD: a token POST, a recording command, a Noojee or Akixi call) is
//     never followed. The request fails with a *RedirectError naming where
//     the redirect pointed (secrets removed, made printable). Go's client
//     would re-send a 307/308 POST with its body (a password form, a
//     recording command) to the new location, or turn a 301-303 into a GET
//     that reports the other page's answer as the command's.
//   - A redirect to another origin (scheme, host or port) is never
//     followed, whatever the method: Go forwards Authorization and cookies
//     to another port of the same host, and a query string may carry an API
//     key.
//   - A same-origin redirect of a GET or HEAD is followed, at most 10 in a
//     row.
//
// outcome.go holds the vendor-neutral unknown outcome: UnknownOutcomeError
// (a request written whole whose answer was lost: the action may or may
// not have been applied), IsUnknownOutcome, and TraceSend, whose SendTrace
// says whether the last attempt wrote the whole request (before that, a
// failure means the server never saw it). Each vendor client (anywhere365,
// voipnow, noojee) decides which of its own errors are unknown; the CLI
// exits 4 and the audit log records "unknown" for any of them.
//
// Who calls it: each vendor client's New wraps the *http.Client it is given
// (or builds) with Client; cmd/recdeck's globals.httpClient does so too, so
// the hub's negotiate client, which copies it, inherits the policy; token
// sources hand the wrapped client to golang.org/x/oauth2 through the
// oauth2.HTTPClient context key.
package httpsafe
