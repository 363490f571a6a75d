// Package sim simulates the Akixi WS API's Call Recording Integration
// operations (seed 003) for the demo (`recdeck sim`, the TUI demo) and for
// tests. It shares its wire types with package akixi, so the two cannot
// drift.
//
// Server, built by New(Options), is an http.Handler for the endpoint
// (akixi.DefaultPath, "/CCS/WSAPI", unless Options.Path says otherwise).
// Register adds it and its control routes to a mux:
//
//	POST /sim/akixi/expire-sessions            expire every open session
//	POST /sim/akixi/fault?code=N&count=N&op=Op fail the next requests with code N
//
// Tests call ExpireSessions, InjectFault, SetFeatureEnabled,
// SetMaintenance and Put (store an entry the API would refuse) directly.
// The server starts no goroutines.
//
// # What it holds
//
// Telephony servers 1 "Demonstration Simulator", 2 "BroadWorks London" and
// 3 "Legacy PBX" (disabled). Partitions "1" and "2" of server 1 (partition
// 2's GUID is the seed's 11af8bacd55c1c4b:27b5f848:17a1045045c:-7f86) and
// "Sales" and "Support" of server 2. Entries: the application-wide
// [Dubber: Demonstration Simulator] (GUID
// d7ae7ea9bf56ebdc:-3f5d0705:1559c8e762d:-8000), the seed's entries
// (...-7d6f in partition 1/1, ...-7c21 and ...-7e26 in partition 1/2), one
// entry for all of server 2, one in 2/Support, and
// Options.GeneratedEntries (45) in 2/Sales for paging. New GUIDs have the
// seed's shape (host:signed int:millisecond time:signed counter, in hex).
//
// Users, every password "demo": demo (application-wide administrator),
// viewer (may list and read only), tsadmin (administrator of server 2),
// partadmin (administrator of partition 2/Sales), locked, expired and noapi
// (whose sign-in fails with 10307, 10313 and 10702).
//
// # Behaviour
//
// Every WS API answer is HTTP 200 with a <Response>; a Fail carries
// <Fail><ErrorCode>N</ErrorCode><ErrorDescription>text</ErrorDescription></Fail>
// (element names from Options.FailNames). Non-POST requests get 405,
// bodies over 1 MiB 413, other paths 404.
//
// CreateSession takes <Property Name="UserName"> and
// <Property Name="Password"> and answers
// <Success><Property Name="SessionID">32 hex digits</Property></Success>.
// A session expires after Options.SessionTTL (20 minutes) without use, or
// when ExpireSessions is called. Logout (the simulator's name for closing a
// session; the WS API's own is not public) ends the session it carries and
// answers Success; OpenSessions and LoggedOut count them for tests.
//
// Scope: PartitionGUID wins over TelSysID/PartIDInTelSys (as the seed's
// List example says); TelSysID alone is one telephony server; nothing is
// application-wide. List returns the entries attached to exactly that
// scope, in creation order, from Offset (default 0), at most Limit
// (default 1000), each with CallRecIntGUID and Description plus the
// CallRecIntFields asked for (unknown names are ignored; API settings come
// in a nested APICommunicationSettings container; empty values are left
// out). Info answers with the properties of the seed's Info example.
// Change ignores CallRecIntGUID (it names the entry) and CallRecIntType
// (read-only), as the seed says; changing PartitionGUID, TelSysID or
// PartIDInTelSys moves the entry. Descriptions are unique per scope.
//
// # Error codes and the meaning this simulator gives them
//
// Akixi publishes the general codes' meanings; the rest are not public, so
// these are the simulator's own (package akixi explains the same codes to
// supervisors).
//
//	10101  the request has no InvokeID (or an empty one)
//	10102  the body is not a <Request>, or the operation is missing or unknown
//	10103  (injected only) an internal resource cannot be resolved; also when
//	       10,000 live sessions are open
//	10104  (injected only) the database is unavailable
//	10105  maintenance is on (SetMaintenance)
//	10107  a value is malformed: a CallRecIntGUID not in the GUID shape, or
//	       an Offset or Limit that is not a non-negative number
//	10301  the SessionID is missing or unknown
//	10302  the session has expired
//	10305  unknown user name or wrong password
//	10307  the account is locked (user "locked")
//	10313  the password has expired (user "expired")
//	10511  the user may not add, change or delete entries (user "viewer")
//	10512  the user has no access to that telephony server
//	10514  the user has no access to that partition
//	10700  the Call Recording Integration feature is off (SetFeatureEnabled)
//	10701  a user limited to a server or partition touched an
//	       application-wide entry or scope
//	10702  the user may not use the WS API (user "noapi")
//	11011  no telephony server has that TelSysID
//	11012  TelSysID is not a positive whole number
//	11013  the telephony server is disabled (server 3)
//	11110  no partition has that PartitionGUID
//	11113  the telephony server has no partition with that PartIDInTelSys
//	11131  PartIDInTelSys was given without TelSysID
//	11400  CallRecIntGUID is missing (Change, Delete, Info)
//	11401  no entry has that CallRecIntGUID (or it was deleted)
//	11402  CallRecIntType is missing or not "Dubber" (Add)
//	11403  Description is missing, or another entry of the same scope
//	       already has it (Add, Change)
//
// Checks run in this order: body, InvokeID, operation, injected faults,
// maintenance, session, feature, then the operation's own checks
// (permission to change, entry, scope, scope permission, type,
// description).
package sim
