// Package voipnow is recdeck's client of the 4PSA VoipNow UAPI phoneCalls
// service: it lists a PBX's live calls and starts or stops the recording of
// one call view (seed 002, with the facts DESIGN.md adds).
//
// Main types:
//   - Client (New, Config): ListCalls / ListAllCalls / GetCall on
//     GET /uapi/phoneCalls/{userId}/{extension}[/{phoneCallId}], and
//     StartRecording / StopRecording, each a
//     PUT /uapi/phoneCalls/{userId}/{extension}/{phoneCallId} with a
//     PhoneCallAction body. Every input is validated before anything is
//     sent (ValidationError); the format is wav or wav49, wav by default.
//   - PhoneCall, PhoneCallView, PhoneCallList: the wire types, shared with
//     the simulator in ./sim so the two cannot drift. Status and Flow give
//     their values in words (String).
//   - Errors: APIError (the PBX's {"error":{"code","message"}}, with a
//     plain-words Hint per documented code), ValidationError (nothing was
//     sent), AuthError (credentials or token refused), TransportError (no
//     answer), ResponseError (an answer that is not the documented JSON, or
//     too large). Their texts never contain the client secret or a token.
//   - Printable: PBX-supplied text without control or bidirectional-control
//     characters, for the CLI's tables and the TUI pane (a caller id is
//     chosen by the caller); client/safetext does the work for
//     all the vendor clients.
//
// Authentication: an OAuth 2.0 client-credentials token from
// POST /oauth/token.php (grant_type=client_credentials, client_id,
// client_secret, type=unifiedapi), fetched with golang.org/x/oauth2, kept in
// memory only, renewed before it expires, and forgotten when the PBX answers
// 401, after which the request is tried once more with a new token.
//
// Answers (4PSA wiki, VNUAPI30 "StartRecording PhoneCalls" and
// "StopRecording PhoneCalls", https://wiki.4psa.com/display/VNUAPI30/StopRecording+PhoneCalls):
// success is 200 with the PhoneCall (a one-call collection is read too: the
// pages' table says "The list of phone calls is returned") or 204 with no
// body; on 204 the client reads the call again (GetCall) and returns that,
// or a ConfirmError when it cannot (the action was accepted, its effect
// unknown). The PBX's {"error":{...}} is an APIError whatever the status,
// inside a 200 too.
//
// Unknown outcome: a StartRecording or StopRecording written whole (the
// send is traced with httpsafe.TraceSend; the token fetch is not) whose
// answer was lost — a timeout or a dropped connection after sending, a
// body cut or stalled, a 2xx that is not a PhoneCall, a gateway's 504 —
// is an *httpsafe.UnknownOutcomeError wrapping the TransportError or
// ResponseError (IsUnknownOutcome): the PBX may have applied it; callers
// read the call again (GetCall). It is never re-sent: the 401 retry
// happens only after the PBX answered 401. A failure before the request
// was written (refused, DNS, TLS) stays a plain TransportError, and a GET
// is never an unknown outcome.
//
// Listing (VNUAPI30 "List PhoneCalls",
// https://wiki.4psa.com/display/VNUAPI30/List+PhoneCalls): count and
// startIndex are each at most 5000, so ListAllCalls can page to 10,000
// calls (DefaultListLimit). It lists until the PBX says there is no more:
// totalResults reached, or an empty page (a short page without a total is
// followed by one more request, since a PBX may cap pages below count). A
// page of calls already seen means the PBX ignores startIndex: the listing
// stops (CallListing.Repeated) instead of repeating it. CallListing says
// whether the list is complete, and Summary words it: "showing N of M
// calls" or "N calls, more not fetched". ListParams carries the vendor's
// fields (a PhoneCall field list, sent comma-separated, id always added),
// sortOrder (ascending|descending) and filterOp inArray (comma-separated
// values).
//
// Bounds: each request (token fetch included) has a timeout (10 s by
// default), every body is read through an io.LimitReader (4 MiB by default,
// as a page may hold 5000 calls), and ListAllCalls makes a bounded number of
// requests. TLS is verified unless the caller's http.Client says otherwise.
//
// Who calls it: cmd/recdeck (the `recdeck voipnow` subcommand, and the
// construction of the TUI pane) and ui/voipnow through a small interface.
//
// ASSUMPTIONS where the documents are silent (each can be changed):
//   - A collection answer is {"startIndex","itemsPerPage","totalResults",
//     "entry":[...]} (the OpenSocial style of 4PSA's other examples); a bare
//     array or a single PhoneCall is read too. Counts may be strings.
//   - Numeric enums (status, flow) may come as numbers or strings ("5", as
//     in the seed); the simulator writes strings like the seed.
//   - callerId and callerID are both read; onHold and parked, whose type is
//     not given, read from a boolean, a number or a string.
//   - Timestamps are RFC 3339 (as in the seed); they are kept as written.
//   - List PhoneCalls filters by "id" or "published" (FilterFields) and
//     takes the UAPI's standard filterOp (FilterOps; default equals): the
//     documents name filterBy and filterValue only. The simulator's page
//     size default is 20 when count is not sent.
//   - User ids are letters, digits, "-" or "_"; extension numbers are digits
//     with at most one "*" (0003*210); "*" and "@" are sent unescaped in the
//     path, as the seed writes them.
//   - Recording an extension whose "Call recording" function is off answers
//     a code no document names: the simulator uses pc_recording_disabled
//     (CodeRecordingDisabled), and any unknown code still reads clearly
//     through the PBX's message.
//   - A 401 answer means the token expired or was revoked: it is renewed and
//     the request sent once more (safe: a refused request did nothing).
package voipnow
