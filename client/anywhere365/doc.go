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
//   - outcome.go: *UnknownOutcomeError (IsUnknownOutcome; aliases of the
//     vendor-neutral client/httpsafe ones, shared with VoipNow and Noojee;
//     this file keeps only which errors count): a set whose
//     request was written whole (httptrace's WroteRequest) but whose answer
//     was lost — a timeout or dropped connection after sending, a 2xx with
//     a cut, garbled or stalled body, a gateway's 504. The action may or
//     may not have been applied: callers re-read the session (the CLI exits
//     4, the console re-reads and reports the confirmed state). A failure
//     before the request left (refused, DNS, TLS) stays a *TransportError.
//     Shows says whether a re-read state shows an action's effect.
//   - validate.go: ValidateGUID, ValidateSIPURI, ValidateUCC, also used by
//     the TUI's input forms, and NormalizeGUID for ids a user types.
//   - listener.go, hubconn.go: Listener keeps one hub connection
//     (WebSockets only) with its own reconnect loop (a fresh connection and
//     fresh headers per attempt, never gives up; the wait doubles from
//     250 ms to 30 s with jitter while the hub stays down), reports
//     ConnState (connecting, connected, reconnecting with attempt and last
//     error, closed) as soon as it changes, and calls OnResync after every
//     connect. It negotiates and dials the WebSocket itself and hands
//     philippseith/signalr a Connection (hubConn) that picks the events out
//     of each message before the library sees them: the library runs each
//     received invocation on its own goroutine and would reorder them. So
//     OnEvent gets events in wire order, decoded with DecodeEvent, from the
//     one goroutine reading the socket; the library still does the
//     handshake, pings and close. It pings after 15 s of silence
//     (ListenerConfig.KeepAlive, hub.keep_alive), the ASP.NET Core client's
//     default (HubConnection.DefaultKeepAliveInterval,
//     https://learn.microsoft.com/dotnet/api/microsoft.aspnetcore.signalr.client.hubconnection.defaultkeepaliveinterval),
//     not the library's 5 s: each ping wakes an idle console, and a hub's
//     ClientTimeoutInterval is 30 s by default. A message over MaxMessageSize
//     (hub.max_message_size, default 1 MiB) is skipped and reported once
//     per connection (*MessageSizeError); one over 64 times it closes the
//     connection.
//   - store.go: Tracker, the session store. Events are hints and the REST
//     state is the truth: an event is applied optimistically (Confirmed
//     false) until a GET confirms it; "No Audio session" marks a session
//     Gone (dropped after GoneTTL). Keys are lower case (NormalizeGUID), so
//     an id typed in upper case or braces matches the hub's. While the hub
//     is not connected every row is Stale. A Validation answer (an unknown
//     UCC) is Final: not retried, the reason in LastError. Watch adds a
//     session, Remove forgets one (and its timers), LiveKeys lists the live
//     ones. Consumers poll Version/Changed and copy a Snapshot (only the
//     sessions whose Version changed are rewritten in the caller's last
//     one), or RangeSessions under the lock (the pause guard and the
//     compliance book: no copy). Memory (issue 15): a session is a packed
//     160-byte entry (unix-nanosecond times, 32-bit states) built into a
//     Session on demand, keyed by a 64-bit hash of its key, with interned
//     UCC names and a history ring that grows from one slot; the tables
//     are rebuilt once they fall under a quarter of their peak, so memory
//     is flat after a busy hour ends. BenchmarkTracker100k measures it.
//   - reconciler.go: every REST re-read, whatever asked for it (an event,
//     Watch, Resync, a retry, the periodic pacer), goes through one budget
//     (TrackerConfig.ReadBudget, default 50 GETs/s, golang.org/x/time/rate)
//     and at most Concurrency (8) in flight; per session one GET queued or
//     in flight, bursts coalesced by a dirty flag; transient failures
//     retried with capped backoff (<= 1 s). Rows waiting for their GET stay
//     unconfirmed; when events come slower than the budget every session is
//     confirmed within about a second of its last event. The pacer re-reads
//     every live session on a schedule spread evenly over time, because an
//     ended call may send no final event and the API cannot list calls:
//     with the defaults each session every 25 s within half the budget (25
//     GETs/s), so an ended call is seen as Gone within 30 s (at most 1.1
//     intervals and a batch, plus the queue and one GET) for up to 625
//     sessions; beyond that the interval stretches evenly (n/25 s: 40 s
//     for 1,000, 400 s for 10,000). Periodic re-reads use only what events
//     leave free. A quiet pacer (a step of 100 ms or more: ten re-reads a
//     second at most) wakes on the process's 1 s beat (internal/beat),
//     every other beat when the interval allows (paceBatch), and makes the
//     visits whose slots passed, so an idle console's re-reads come with
//     its other once-a-second work, together, instead of waking it on
//     their own and keeping it awake for an answer each beat; the rate is
//     the plan's, each re-read at most a batch (2 s) late.
//     While the hub is down the pacer uses the whole budget with a
//     5 s target (250 sessions every 5 s, then n/50 s); when it is back,
//     stale rows are re-read at once. PacePlan gives the numbers.
//   - journal.go: the journal of live sessions per server
//     ($XDG_STATE_HOME/recdeck/sessions-<hash of the base URL>.json, else
//     ~/.local/state/recdeck/), written atomically at most every 5 s when
//     the live set changed (RunJournal), loaded on start (LoadJournal) so
//     the console Watches them before the first event; Gone and Final
//     sessions leave it; a damaged file is renamed *.damaged and reported
//     (*JournalDamagedError), never fatal.
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
//     resumes in the audit log. It polls every Poll (250 ms) only while
//     something is timed (a pause open, armed or seen short of MaxPause, a
//     call Uninitialized within StartGrace), otherwise every IdlePoll
//     (1 s, on the process's 1 s beat, internal/beat): an idle console
//     wakes once a second for it and its other timers together. Sending
//     and WaitSent track payment pauses on their way to the server, so an
//     exit path can wait for one whose answer it will never see.
//   - compliance.go: Assess (overdue, not recording, ended while paused,
//     marked for delete) and Compliance, the alerts raised once, listed
//     until resolved or acknowledged, and counted for the header.
//   - monitor.go: Monitor wires a Listener to a Tracker (events, connection
//     state, resync) for the TUI and `recdeck watch`.
//   - sim/: the simulator of this API.
//
// Who calls it: cmd/recdeck (get, set, caps, watch, pci, the TUI, which
// also runs the journal) and the tracker, which GETs the authoritative state.
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
//   - Correlation ids are plain 8-4-4-4-12 GUIDs. What a user types is
//     normalised first (NormalizeGUID: spaces and one pair of braces
//     stripped, lower case, as .NET prints "{1D6C...}"), and the tracker
//     keys sessions by the lower-case id, so a typed id matches the hub's
//     events; ValidateGUID then refuses anything else.
//   - Length limits of 256 bytes for UCC names and SIP URIs.
//   - Each attempt times out after Config.Timeout (10 s); response bodies
//     over MaxBodyBytes (1 MiB) are refused.
package anywhere365
