// Package akixi talks to the Akixi WS API's Call Recording Integration
// operations (seed 003): CallRecIntAdd, CallRecIntChange, CallRecIntDelete,
// CallRecIntInfo and CallRecIntList, in XML, over a session opened with
// CreateSession. It knows nothing of the screen.
//
// Main pieces:
//
//   - wire.go: the XML wire types shared with the simulator (Request,
//     Container, Property, Response, Node), DecodeRequest, DecodeResponse
//     and Encode, and FailNames, the configurable element names of a Fail
//     answer. Requests are written exactly as the seed shows them:
//     <Request Operation=...> with InvokeID, SessionID, Offset and Limit
//     (List), and an OperationPayload of Property elements plus
//     <Container Name="APICommunicationSettings">.
//   - entry.go: Entry (every property the seed lists, JSON with the wire
//     names; Entry.Container writes it in the seed's payload shape for
//     both the client's requests and the simulator's answers), the
//     Properties table (wire name, label, container, read-only), Scope (application-wide, one telephony server, one
//     partition) with ParseScope, Changes (a partial change) with Diff, and
//     the validation run before any request.
//   - client.go: Client, built by New(Config): Login, Logout, Add, Change,
//     Delete, Info, List (one page) and ListAll (pages through long lists).
//   - secrets.go: SecretProperties (the Dubber credentials AuthUserID1/2
//     and APIParameter1/2), Entry.Masked, RegisterSecrets.
//   - errors.go: *APIError (a Fail answer: Code, the service's Message, and
//     Group, the seed's table group: general, session, authentication,
//     permissions, telephony server, partition, integration; Error() leads
//     with a sentence a supervisor understands), *ValidationError (refused
//     before sending), *TransportError and *ResponseError (IsNetwork: no
//     usable answer), IsAuth.
//   - Printable (wire.go): what the CLI and the pane pass every
//     service-supplied string through before showing it: XML can carry
//     newlines, tabs and C1 controls, which would break a row or drive the
//     terminal. The data itself is kept as read. The work is done by
//     client/safetext, shared with the other vendor clients.
//   - sim/: the simulator of this API.
//
// Who calls it: cmd/recdeck (the `recdeck akixi` subcommand, the simulator
// mount and the TUI wiring) and ui/akixi (the admin pane), through a small
// interface that *Client satisfies.
//
// Sessions: the first operation opens a session with CreateSession. When
// an answer is Fail with a code in Config.RenewCodes (10301 session not
// valid, 10302 session expired), the client opens a new session and sends
// the request once more; the service refused it before doing anything, so
// this cannot apply a change twice. Concurrent callers share one session
// and one CreateSession. The session ID and the password stay in memory
// and never appear in errors: a Fail message or a body excerpt that echoes
// either is shown with "[redacted]" in its place, and a broken
// CreateSession answer is reported without an excerpt.
//
// InvokeIDs are the zero-padded five-digit counter Akixi recommends
// ("00000", "00001", ..., "99999", "00000": Akixi WS API "Web Services
// Properties", https://adminapi.akixi.dev/api/external/soap/webServiceProperties.html).
// An answer whose InvokeID differs from the request's is refused; one
// echoed without the padding ("42" for "00042") is the same number and is
// accepted.
//
// Answers as a real service may write them: Akixi describes the WS API
// with a WSDL ("Getting Started",
// https://adminapi.akixi.dev/api/external/soap/gettingStarted.html), so a
// SOAP stack may wrap the <Response> in an Envelope/Body; DecodeResponse
// finds it there (namespaces dropped). Result is read without regard to
// case ("success"). A body declaring windows-1252 (or cp1252) is decoded
// with golang.org/x/text's charmap, as are UTF-8, US-ASCII and ISO-8859-1.
//
// Listing: ListAll pages until a page comes back EMPTY: a service may cap
// its pages below the Limit asked for (100 of 1000), so a short page is not
// the end. A page holding only entries already listed means the service
// ignores Offset: a ResponseError, not a loop. Past Config.MaxEntries it
// stops with ErrTooManyEntries and says so.
//
// Logout closes the session (Config.LogoutOperation, OpLogout "Logout" by
// default: ASSUMPTION, the WS API's own name is not public; Akixi's REST
// API has an explicit Logout, https://akixi.dev/endpoints/auth/auth.html).
// The CLI closes its session when a command ends and the console when it
// exits; a session already invalid or expired is not an error.
//
// Dubber credentials: AuthUserID1/2 and APIParameter1/2 are returned by the
// service to any administrator, but they are credentials in practice
// (SecretProperties). Every value the client reads (Info, List) or sends
// (Add, Change) is registered with safetext.AddSecret, so no error, log or
// audit record shows it; the CLI never takes them from a flag (environment
// or prompt) and masks them (Entry.Masked) in info, list and --json unless
// --show-secrets; the pane masks them until asked (its Reveal key).
//
// Read-only properties: CallRecIntGUID and CallRecIntType cannot be changed
// after creation. Change never sends them; naming one in Changes is a
// *ValidationError saying so (ReadOnlyReason), before anything is sent.
//
// ASSUMPTIONS where the seed and the public documents are silent (each
// configurable in Config):
//   - The endpoint path: DefaultPath "/CCS/WSAPI" under the base URL,
//     requests POSTed as text/xml; charset=utf-8.
//   - CreateSession's payload: <Property Name="UserName"> and
//     <Property Name="Password"> (UserProperty, PasswordProperty). Its
//     answer carries the session in <Success><Property Name="SessionID">;
//     a <SessionID> element directly under <Response> is accepted too.
//   - A Fail answer's error: <Fail><ErrorCode>..</ErrorCode>
//     <ErrorDescription>..</ErrorDescription></Fail> (FailNames). When the
//     configured names are missing, any element whose name ends in "Code"
//     and "Message"/"Description" is used instead.
//   - HTTP statuses are not documented: a body that is a <Response> is
//     trusted whatever the status; anything else is a *ResponseError naming
//     the status with an excerpt of the body.
//   - The meanings of the seed's unexplained codes (10107, 10301..10313,
//     105xx, 107xx, 110xx, 111xx, 114xx) are recdeck's own, shared with
//     the simulator, which documents them; GroupOf places unlisted codes
//     in the group of their neighbours.
//   - The Add answer carries no GUID in the seed: Add looks the new entry
//     up by its description in its scope (descriptions are unique per
//     scope in the simulator) and returns "" when that is ambiguous.
//   - TelSysID is a positive whole number; PartIDInTelSys is free text (a
//     telephony server's own partition ID); GUIDs have the seed's shape of
//     four colon-separated hexadecimal numbers; a type and a description
//     are required to add an entry.
//   - A List with no scope properties lists the application-wide entries;
//     a scope lists the entries attached to exactly that component.
//   - Each request times out after Config.Timeout (15 s); answers over
//     Config.MaxBodyBytes (4 MiB) are refused.
//   - recdeck's own secrets (the password, the session ID) never appear in
//     errors or on screen; the Dubber credentials are masked unless asked
//     for (above).
package akixi
