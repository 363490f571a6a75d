// Package sim simulates the Anywhere365 / AnywhereNow Core REST Recording
// API closely enough that recdeck's client, CLI and TUI can be built,
// tested and demonstrated without the vendor's servers. It follows the
// vendor documents in /work/shared/seeds (000 and 001): paths, JSON field
// names, enum numbers and error message texts are theirs, exactly.
//
// # What it serves
//
//   - Recording API v1 (no auth): GET  /attendantservice/api/recording/{ucc}/{correlationId},
//     POST /attendantservice/api/recording/set,
//     GET  /attendantservice/api/recording/capabilities/{ucc}.
//   - The same under /attendantservice/api/v2/recording/..., which answer
//     401 (WWW-Authenticate: Bearer, empty body) without a valid token.
//   - A Keycloak-like token endpoint:
//     POST /auth/realms/{tenant}/protocol/openid-connect/token.
//   - A SignalR hub (default /attendantservice/hubs/recording, WebSockets
//     only) that pushes RecordingStateChangedEvent {UccName, CorrelationId,
//     StateAction} for every state change, whether the API, the call
//     lifecycle, the generator or a burst caused it.
//   - A control API under /sim/ that is the simulator's own: POST/GET
//     /sim/calls, GET/DELETE /sim/calls/{id}, GET /sim/calldetail, POST
//     /sim/burst, GET/POST/DELETE /sim/faults; and a load driver for the
//     process benchmarks (driver.go): POST /sim/populate {"calls": n}
//     answers n calls, POST /sim/rate {"rate", "calls", "seconds"} makes a
//     steady rate of real changes spread over calls, POST
//     /sim/calls/{id}/toggle pauses or resumes one recorder, POST
//     /sim/end-all ends every call the generator does not drive, GET
//     /sim/stats counts hub connections, events, active calls and GETs of
//     a session's state (stateGets: the REST re-reads consoles made).
//
// # Main types and who calls them
//
// Server (New) holds the state and serves Handler, or Mount on a shared
// mux: `recdeck sim` and the demo mount every vendor's simulator on one
// listener. Running (Listen) serves a Server on a TCP address: tests, and
// the client's tests, use it. CreateCall, EndCall, Calls, CallDetail,
// SetFaults and Burst mirror the control API in process; HubConnections and
// EventsPublished let tests and banners see the hub's side. Options makes
// every assumption below configurable. Demo* constants and TokenPath give
// the fixed credentials and URLs a banner prints.
//
// All state changes go through one function (transitionLocked) under one
// lock; events are pushed to the hub after the lock is released. The hub
// keeps one ordered queue and sender per connection (hub.go, replacing the
// library's goroutine per push), so each client receives the pushes in the
// order they were made, as from an ASP.NET Core hub; a client 65,536
// pushes behind is dropped and closed rather than stalling the simulator.
// It pings every 15 s and drops a client silent for 30 s, as an ASP.NET Core
// hub does by default (HubOptions.KeepAliveInterval and
// ClientTimeoutInterval,
// https://learn.microsoft.com/dotnet/api/microsoft.aspnetcore.signalr.huboptions.keepaliveinterval),
// so a console measured against it is woken as often as by a real hub.
// (Two changes made at the same instant by concurrent requests may still be
// pushed in either order, since the push follows the unlock.)
//
// # Default data and demo credentials
//
// UCCs ucc-demo-name and payments have every setting on; helpdesk has
// AgentCanEditAudioRecording off. sip:agent@domain.com and
// sip:supervisor@domain.com belong to all three. Username, password and
// client secret are all "demo" (Options.Username, Password and
// ClientSecret change them: tests use distinctive values to prove no secret
// reaches any output), client_id is "coreapi", and any tenant GUID is
// accepted (DemoTenant is seed 001's example GUID).
//
// # Assumptions where the documents are silent
//
//   - State rules: Start from Uninitialized or Paused (a Paused recorder
//     resumes: there is no Resume action); Pause only from Started; Stop
//     from Started or Paused; Save, Delete, Mark and UnMark whenever the
//     session exists (Mark and UnMark each write a call-detail record,
//     RecorderSetToMarkByAgent / RecorderSetToUnMarkByAgent). A refused
//     transition answers "Recorder state is {state}, this state cannot be
//     started|paused|stopped" (the document gives started and paused; stopped
//     follows the pattern). Every successful command is broadcast, even one
//     that leaves the state as it was (Save on a saved recording).
//   - UseAudioRecording on: the recorder starts when the call is answered
//     (an event with StateAction Start). Off: the recorder exists but stays
//     Uninitialized until a Start. SaveRecordingByDefault: when the call
//     ends, a Started or Paused recorder stops and the SavingState becomes
//     Save unless the recording was deleted (events Stop and Save).
//   - After its call ends a session is gone from the vendor API ("No Audio
//     session ..."); /sim/calls still lists it (Ended true, the 500 most
//     recent).
//   - API control: a session is under API control unless created with
//     Api false (POST /sim/calls {"Api": false} or CreateCall(..., false)).
//     For such a session both GET and set answer "No Api Audio session with
//     correlation Id:'{id}' was found.". Generated calls are all API calls.
//   - A session belongs to one UCC: asking for it under another UCC answers
//     "No Audio session ...".
//   - Requester: invalid unless it looks like sip:user@host[:port]
//     ("Requester with SipUri:'{sipUri}' is invalid."); valid but not a
//     member (case-insensitive) gives the Configuration "... is not an agent
//     or supervisor for Ucc with name: '{uccName}'.".
//   - Unknown UCC: "Ucc name ({uccName}) was not recognized" (Validation) on
//     state and set; "Ucc with name:'{uccName}' not found." on capabilities
//     (seed 000's text).
//   - Action: a number 1..7, a name in any case ("mark"), or a number in a
//     string ("6"). Missing, null, 0, out of range or unknown names answer
//     "No action was detected in command". A body that is not a JSON object
//     answers Validation "Request body could not be read as a recording
//     command: ..." (the simulator's own text), a body over 1 MiB is refused.
//   - Order of checks for set: body, UCC, action, requester form,
//     AgentCanEditAudioRecording, membership, session, API control, recorder
//     availability, Processing fault, state rule.
//   - Error responses carry the request's CorrelationId and UCCName, and the
//     session's current states when the session is known and under API
//     control (zeros otherwise).
//   - HTTP status codes (undocumented; Options.ErrorsAs200 makes them all
//     200): 200 success; 404 unknown UCC or session; 400 unreadable body, no
//     action, invalid requester; 403 setting disabled or not a member; 409
//     refused transition; 503 recorder not available; 500 Processing; 413
//     body too large.
//   - Tokens: opaque "at.<payload>.<hmac>" strings signed with HMAC-SHA256
//     under Options.TokenKey (default derived from the seed), valid for
//     Options.TokenLifetime (300 s, Keycloak's default). Being signed rather
//     than remembered, tokens survive a simulator restart with the same seed,
//     as a real API accepts Keycloak JWTs after it restarts. Grants:
//     password (returns a refresh token, 1800 s), client_credentials (what
//     the vendor page names; username/password checked when present) and
//     refresh_token (what golang.org/x/oauth2 sends). Client credentials in
//     the form or as HTTP Basic. Errors are Keycloak's: 404 {"error":"Realm
//     does not exist"} for a tenant that is not a GUID; 401 invalid_client;
//     401 invalid_grant "Invalid user credentials"; 400 invalid_grant
//     "Invalid refresh token"; 400 unsupported_grant_type.
//   - The hub is open by default (no document says it is protected);
//     Options.HubRequiresToken makes it demand a token (header or
//     access_token query).
//
// # Faults
//
// POST /sim/faults (or SetFaults) sets, and {} or DELETE clears: dropHub
// (closes every live websocket once: the signalr server is replaced by a
// fresh one, so clients reconnect), hubDown (refuse hub connections),
// httpErrorRate (bare 500, plain text), latencyMs (max 60000),
// recorderUnavailable (Configuration "Recorder was not available, command
// could not be executed"), processingErrorRate (ErrorType 3 with the
// simulator's own text, nothing changed), malformedRate (the body's first
// ':' becomes '='), truncatedRate (the body cut in half, Content-Length
// matching) and oversizedRate (the body padded with whitespace to
// OversizedBytes, 4 MiB, streamed: still valid JSON, so only a client that
// bounds its reads refuses it). For malformed, truncated and oversized
// replies the command itself was carried out, as when a proxy garbles a
// reply. Faults apply only to the vendor API routes and the hub, never to
// /sim/ or the token endpoint. Rates are drawn from a generator seeded by
// Options.Seed.
//
// # Generator and bursts
//
// With Options.Calls > 0 a ticker (Options.GeneratorTick, 100 ms) runs the
// call generator (see generator.go). Calls last 20 s to 2 min
// (MinCallLife, MaxCallLife); simulated agents pause for card payments of
// about 12 s, mark, save and stop, so with Calls=12 an observer sees about
// two events a second. A call a person acted on through the API is left to
// that person for HumanHold (5 min): no simulated actions and no hang-up,
// so a demo PCI pause is not undone behind the presenter's back. Burst(n) / POST /sim/burst {"events": n} makes n real
// Pause/Start toggles as fast as it can, answering a call first if none is
// recording.
package sim
