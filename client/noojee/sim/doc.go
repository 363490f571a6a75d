// Package sim is the Noojee recording API simulator: both APIs (the newer
// /njadmin/rest/RecordingAPI with apiKey, the older
// /servicemanager/rest/CallManagementAPI with timeStamp + hash), the Time
// method, start/stop, the assumed retrieveRecording audio method, and a few
// control routes of its own under /sim/noojee/.
//
// Main type: Server (New(Config)); Register(mux) adds its routes (exact
// paths, never "/") to a shared mux, Handler() gives a mux of its own.
// Served by `recdeck sim` and the TUI demo (cmd/recdeck/noojee.go mounts it)
// and by the client, CLI and pane tests over loopback.
//
// What it serves:
//   - Calls split into legs at each transition (queue, answer, transfers)
//     with realistic values, generated from the seed over the 24 whole
//     clock hours before the current one (2 to 6 calls each, so every hour
//     has recordings) plus the current hour's finished calls. The history
//     rolls forward with the clock: each request first generates the hours
//     that began since and files the calls that have ended, so a simulator
//     left running for days still has recordings in every recent hour.
//     retrieveMetaDataByHour answers the legs that ENDED in the hour (date,
//     hour, in the server's zone), as the vendor does: a call crossing the
//     hour has legs in two lists.
//   - The document's examples verbatim: tag 1234 finds call 1392271611.238,
//     whose first leg is the example response (Source 400, Leg 1, Start
//     2014-02-13 17:06:52.0, Duration 4, Username Fred, CallRecordId 198348,
//     DID internal, Direction 2; the elided Destination is 401); unique id
//     12341232.12 (the by-unique-id example URL) is a 4-leg inbound call.
//     Tag ACME-77 is shared by two generated calls (the 10th and 30th).
//   - retrieveMetaDataByHour in the by-hour style (Java Date.toString times,
//     Direction words, callend); one
//     call a minute per apiKey, else 429 with Retry-After and the text
//     "Rate limit exceeded: retrieveMetaDataByHour may be called once a
//     minute. Try again in N seconds."
//   - A WAV per leg: 16-bit mono PCM at Config.SampleRate (8 kHz), a tone
//     as long as the leg, generated while streaming (Audio gives the same
//     bytes for tests). CutNextDownload (or POST /sim/noojee/faults?cut=N)
//     drops the connection mid-body; Config.Throttle paces the audio.
//   - Authentication: the apiKey, or timeStamp + hash INSTEAD of it (the
//     older form never sends the key; the simulator finds the key whose
//     hash matches). The RecordingAPI answers a wrong apiKey with 401
//     "Invalid apiKey."; the CallManagementAPI (the older metadata methods,
//     start and stop) answers its refusals as the real one does, HTTP 200
//     with {"Message":"...","Code":-1}: "Invalid apiKey.", "Invalid hash.",
//     "Expired TimeStamp" (a pair is valid 10 s after its timestamp if
//     unused, then an hour from first use). Any method but POST: 405 "The
//     API will only accept POST requests."; missing metadata parameters: 400.
//   - start and stop answer {"Message":"Recording started for 410.","Code":0}
//     (HTTP 200) and their errors with Code -1 in an HTTP 200: a target
//     already recording, stop with nothing in progress, a missing
//     extenOrUniqueId, an agentLoginName other than the one that started it
//     on stop (permission). start remembers the target, tag and
//     agentLoginName; stop files the recording as a new leg of that call (a
//     known unique id) or a new one-leg call with the tag, owned by the
//     agentLoginName, so it can be found afterwards. StartStops lists the
//     requests received; Recording(target) says what is being recorded.
//   - GET /sim/noojee/calls lists the calls (newest first) to search for.
//
// The server's zone is Australia/Sydney (Config.Location); the demo client
// reads zone-less times in it. Demo credentials: apiKey "demo".
// ASSUMPTIONS: error texts other than "Expired TimeStamp", statuses other
// than those above, the 429 body, the start/stop messages and the audio
// method are the simulator's own choices; the real ones are not public.
package sim
