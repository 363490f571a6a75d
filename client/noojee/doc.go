// Package noojee is recdeck's client of the Noojee Admin / Noojee Contact
// recording API: find a call's recording legs, list an hour's recordings,
// fetch a leg's audio, and start or stop recording.
//
// Noojee splits a recorded call into legs at each transition (entering a
// queue, being answered, being transferred); 3 to 5 legs are typical. A
// supervisor finds the call (by tag or unique id), sees its legs in order,
// and fetches the audio of one leg or all of them.
//
// Main types:
//   - Client (New(Config)): Legs (retrieveMetaData by tag), LegsByUniqueID
//     (retrieveMetaDataByUniqueId), ByHour (retrieveMetaDataByHour, one call
//     a minute, enforced here too; NextByHour says when), DownloadLeg
//     (streams audio to a file with progress), StartRecording/StopRecording
//     (CallManagementAPI/start and /stop, given a RecordRequest: extension
//     or unique id, optional tag and agentLoginName; they return the
//     server's Answer).
//   - Leg, the decoded metadata entry, and WireLeg, the entry as the server
//     writes it (all values strings); Call groups legs (GroupCalls) and gives
//     each leg's share of the call's duration.
//   - Errors: InputError (refused before sending), APIError (error status or
//     unusable body; errors.Is(err, ErrUnauthorized) for 401/403),
//     CallError (the server's refusal inside an HTTP 200: a non-zero Code or
//     an "error" field, with its message; ErrUnauthorized too when the
//     message is about the apiKey, timeStamp or hash),
//     RateLimitError (with RetryAt), TransportError (network, timeout,
//     cancelled or cut-off download), ErrExists.
//
// Authentication, chosen by Config.Auth:
//   - AuthAPIKey, the newer API: POST /njadmin/rest/RecordingAPI/<method>
//     with ?apiKey=...
//   - AuthHash, the older API: POST /servicemanager/rest/CallManagementAPI/<method>
//     with timeStamp and hash = hex(sha256(apiKey + ":" + timeStamp)) INSTEAD
//     of the apiKey, which is never sent in this mode (the vendor: hashing
//     "ensures that the API-Key is never exposed").
//     The timestamp comes from POST /servicemanager/rest/Time; a pair is valid
//     10 s before first use and an hour after it. The client caches the pair
//     in memory, reuses it while valid (with margins), and when the server
//     refuses it (a 401, or HTTP 200 with {"Message":"Expired TimeStamp",
//     "Code":-1}) drops it and retries once with a fresh one.
//
// Start and stop (Noojee wiki, "07.0 Start Recording" and the stop page,
// https://noojee.atlassian.net/wiki/x/jyVY): POST only; extenOrUniqueId is
// an extension (410) or a unique call id; tag is written to the call record
// as its "External Reference"; agentLoginName, a Noojee Contact username,
// owns the leg on start and decides permission on stop. The pages say the
// method "returns the standard HTTP status '200' on success otherwise an
// error message is returned"; the server answers 200 with
// {"Message":"...","Code":0} on success and a non-zero Code (or an "error"
// field) on failure, so the body decides: Code 0 (or an empty 200) is
// success, anything else a CallError with the server's message. A body that
// is neither is an APIError ("unexpected body").
//
// Unknown outcome: a start or stop written whole (the request is traced
// with httpsafe.TraceSend; the Time request is not) whose answer was lost
// — a timeout or a dropped connection after sending (TransportError.Sent),
// a body cut or stalled, a 2xx that is not a status answer, a gateway's
// 504 — is an *httpsafe.UnknownOutcomeError wrapping the cause
// (IsUnknownOutcome): the server may have acted on it. It is never re-sent:
// the renewal of the timeStamp/hash pair retries only after the server
// answered (401 or "Expired TimeStamp"). Noojee has no method that reads
// whether a call is being recorded, so callers cannot confirm it. A
// failure before sending (refused, DNS, TLS, no timeStamp) stays a plain
// TransportError.
//
// By-hour lists hold the legs that ENDED in the hour asked for (the
// vendor's rule): a call crossing the hour has legs in two lists, so the
// whole call is found by unique id, and an hour not yet over is partial
// (the vendor says to ask a few minutes after the hour).
//
// Every request is a POST (the API accepts nothing else) with its parameters
// in the query string, as the document's examples show. Responses are read
// through a bound (4 MiB of JSON by default); error excerpts are one short
// line with the apiKey and any 64-hex-digit hash blanked, and transport
// errors have the URL's query (which holds them) removed. A failed Time
// request is an error like any other (it never leaves the hash lock held).
//
// Two styles of values are decoded: the metadata form writes Start as
// "2014-02-13 17:06:52.0" (the server's local time, no zone: read in
// Config.Location) and Direction as 0/1/2; the by-hour form writes Start as
// "Tue Sep 14 15:03:30 AEST 2021", Direction as "Inbound" and adds callend.
//
// Who calls it: cmd/recdeck (the `recdeck noojee` subcommand and the pane's
// wiring), ui/noojee (through a small interface), and client/noojee/sim,
// which shares WireLeg, Hash and the formatters so the two cannot drift.
//
// ASSUMPTIONS where the document is silent (all configurable):
//   - The audio method is not public: POST {api}/retrieveRecording with
//     uniqueId and leg, answered with audio/wav (Config.RecordingPath). The
//     file is named {uniqueId}-leg{N}.wav, written 0600 through a hidden
//     temporary file and renamed into place only when complete, so an
//     interrupted download leaves nothing under the final name. A body of
//     JSON or text where audio was expected is an error, not a file.
//   - The Time method takes no parameters and answers the milliseconds as
//     text (Config.TimePath; a JSON string or number is accepted too).
//   - Error bodies are not documented: any non-2xx is an error showing the
//     status and an excerpt; 429 is a RateLimitError honouring Retry-After
//     (seconds or an HTTP date); only on retrieveMetaDataByHour does it
//     speak of the once-a-minute limit.
//   - Zone-less times are in Config.Location (default the local zone). Zone
//     abbreviations in the by-hour form are read from a table of Australian
//     and New Zealand zones plus UTC/GMT, or the configured zone's own.
//   - A response may be an array of legs, a single leg object, or a map (or
//     nested array) of them ("a json encoded array/map"); values may be
//     strings or numbers.
//   - The by-hour slot is taken when a request is sent, even if it then
//     fails: the server may have counted it. It is given back when the
//     request cannot have reached the server (no connection, or the older
//     API's Time method failed first).
//   - The document's example hashes do not match its example apiKey (the key
//     shown is not the one used); the formula follows DESIGN.md.
package noojee
