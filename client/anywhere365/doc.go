// Package anywhere365 talks to the Anywhere365 / AnywhereNow Core REST
// Recording API (seeds 000 and 001) and its SignalR hub. It knows nothing
// of the screen.
//
// Main pieces:
//
//   - types.go, session.go: the wire types and enums (RecordingState,
//     Action, ErrorType..., decoded from a number or a name) and the session
//     snapshot types the tracker hands to the UI.
//   - client.go: Client, built by New(Config). GetState, Set and
//     Capabilities for API v1 (/attendantservice/api/, no auth) and v2
//     (/attendantservice/api/v2/, bearer token). HubURL and HubHeaders give
//     the SignalR listener where to connect and which Authorization header
//     to send on each (re)connect.
//   - token.go: the v2 bearer token, fetched from the Keycloak token
//     endpoint with golang.org/x/oauth2 (grant "password" by default, or
//     "client_credentials" as the seed literally says; client_id "coreapi";
//     username, password and client_secret in the form), kept in memory
//     only, renewed TokenExpiryMargin before expiry, and fetched anew once
//     when the API answers 401.
//   - errors.go: the error classes callers branch on:
//     *APIError (the API answered an ErrorMessage; IsSessionNotFound),
//     *ValidationError (input refused before sending),
//     *TransportError / *ResponseError (IsNetwork: no usable answer),
//     *AuthError (IsAuth: token refused or 401/403).
//   - validate.go: ValidateGUID, ValidateSIPURI, ValidateUCC, also used by
//     the TUI's input forms.
//   - listener.go: Listener keeps one hub connection (WebSockets only)
//     with its own reconnect loop (capped backoff, never gives up, a fresh
//     connection and fresh headers per attempt), reports ConnState
//     (connecting, connected, reconnecting with attempt and last error,
//     closed), calls OnResync after every connect, and decodes events with
//     DecodeEvent without ever blocking the socket reader.
//   - tracker.go: Tracker, the session store. Events are hints and the REST
//     state is the truth: an event is applied optimistically (Confirmed
//     false) and a bounded pool of workers GETs the state, at most one
//     request in flight per session, bursts coalesced, failures retried with
//     backoff; "No Audio session" marks a session Gone (dropped after
//     GoneTTL). Consumers poll Version/Changed and copy a Snapshot.
//   - policy.go: Policy (max_pause, enforce_max_pause, start_grace,
//     records_by_default, bell) and Policies, one per profile with per-UCC
//     overrides.
//   - pauseguard.go: PauseGuard owns pause deadlines outside the screen:
//     a payment pause's deadline counts from the pause and is never moved
//     by pressing again (a fresh pause after a confirmed resume gets a
//     fresh limit); at the deadline it resumes through a ResumeFunc (the
//     caller audits), retries with capped backoff until the call ends, and
//     takes "cannot be started" as resolved so two consoles never fight.
//     With EnforceMaxPause it does the same for every pause past the
//     maximum. Triggers TriggerPaymentMode and TriggerPolicy name these
//     resumes in the audit log.
//   - compliance.go: Assess (overdue, not recording, ended while paused,
//     marked for delete) and Compliance, the alerts raised once, listed
//     until resolved or acknowledged, and counted for the header.
//   - monitor.go: Monitor wires a Listener to a Tracker (events, connection
//     state, resync) for the TUI and `recdeck watch`.
//   - sim/: the simulator of this API.
//
// Who calls it: cmd/recdeck (get, set, caps, watch, pci, the TUI) and the
// tracker, which GETs the authoritative state after each hub event.
//
// Retries: a Processing ErrorMessage is retried (default 3 attempts in all,
// capped exponential backoff with jitter); Configuration and Validation
// errors never are. GETs are also retried on transport errors and on
// 502/503/504. A POST set is retried only on a Processing ErrorMessage: the
// server then said the command did not finish, whereas after a transport
// error or an error status the command may have taken effect, and sending
// Start or Pause twice would turn success into a Validation error.
//
// ASSUMPTIONS where the vendor documents are silent (each configurable):
//   - HTTP statuses of error responses are undocumented: a body with an
//     ErrorMessage is trusted whatever the status; any other non-2xx answer,
//     or a body that is not one JSON object, is a *ResponseError naming the
//     status with an excerpt of the body.
//   - The hub path: DefaultHubPath unless Config.HubURL is set.
//   - The grant type: "password" (Keycloak issues tokens for a username and
//     password with it) unless Config.GrantType says "client_credentials".
//   - Correlation ids are plain 8-4-4-4-12 GUIDs; braces are refused, not
//     stripped, so ids always match the hub's events.
//   - Length limits of 256 bytes for UCC names and SIP URIs.
//   - Each attempt times out after Config.Timeout (10 s); response bodies
//     over MaxBodyBytes (1 MiB) are refused.
package anywhere365
