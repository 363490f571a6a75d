// Package sim is a simulator of the 4PSA VoipNow UAPI calls that recdeck
// uses: the token endpoint and the phoneCalls list and recording actions,
// under their real paths. `recdeck sim` and the TUI demo mount it on their
// shared listener (Server.Register); tests serve Server.Handler on loopback.
//
// The simulated PBX:
//   - Organization 3 "Default Organization" with user 12 (the app's user:
//     @me and @viewer) owning 0003*210 (Reception), 0003*211 (Sales Desk) and
//     0003*212 (Legal, whose "Call recording" function is OFF), and user 13
//     owning 0003*213. Organization 4 has user 14 (0004*001): the app may
//     not act for it (access_denied, HTTP 403).
//   - Seed 002's example call: PhoneCall b817d2618fe6f1804333 on 0003*210
//     (also answering to the id 444444 the seed's request uses), view 01,
//     "John Doe <3333>" from 7778888, answered ten minutes before the
//     simulator started, never ending. The seed's request works verbatim,
//     including its singular path /uapi/phoneCall/ (a typo, DESIGN.md).
//   - Generated calls (Options.LiveCalls, default 6, reproducible from
//     Options.Seed) whose views move ringing (or "other side ringing" for
//     the side that dialled) -> on call -> ended (gone from the list). There
//     are no goroutines: states follow the clock (Options.Now), computed on
//     each request.
//
// Clock (NewClock) is a settable clock for Options.Now that tests share
// between the simulator and a client.
//
// Authentication: POST /oauth/token.php with grant_type=client_credentials,
// client_id, client_secret (demo / demo) and type=unifiedapi answers
// {"access_token","token_type","expires_in"} (Options.TokenTTL, 1 h by
// default); token errors use the OAuth 2.0 form. Every API request without a
// valid, unexpired bearer token answers 401 access_denied.
//
// Errors, each in its situation: user_invalid (unknown user), extension_invalid
// (unknown extension or not the user's), access_denied (401 bad token, 403
// another organization's user), pc_phonecall_invalid (no such live call),
// pc_recformat_invalid (format not wav/wav49), pc_phonecallview_invalid (view
// missing, not of the call, or not yet answered), internal_server_error
// (after FailNext). The pc_* messages are seed 002's verbatim.
//
// The simulator's own choices (no document gives them):
//   - pc_recording_disabled (HTTP 400) when the view's extension has call
//     recording off; request_invalid (HTTP 400) for a body that is not a
//     PhoneCallAction, an action other than Start/StopRecording, or a bad
//     filter or paging value.
//   - StartRecording on a view already recording keeps the first start time;
//     StopRecording on a view not recording succeeds and changes nothing.
//   - Lists are ordered by publish time (sortOrder descending reverses it);
//     count defaults to 20 and is capped at 5000; an empty page answers
//     204. filterBy id (equals, startsWith, contains, present, inArray with
//     comma-separated ids) and published (equals, greaterThan, lessThan,
//     present) are supported; fields=a,b cuts each call down to those
//     fields (and id).
//   - Options.NoContentOnAction answers StartRecording/StopRecording with
//     204 and no body, the UAPI's other documented success, instead of 200
//     and the PhoneCall.
package sim
