package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/recdeck/recdeck/client/akixi"
)

// Demo is the password of every simulated user, as in the other simulators.
const Demo = "demo"

// The seed's own GUIDs, so that its examples run against the simulator as
// written.
const (
	// SeedPartitionGUID is the PartitionGUID of the seed's List example. The
	// simulator gives it to partition "2" of telephony server 1, which is
	// where the example's answer places its two entries (the example's
	// TelSysID 1 / PartIDInTelSys 1 are ignored because PartitionGUID wins).
	SeedPartitionGUID = "11af8bacd55c1c4b:27b5f848:17a1045045c:-7f86"
	// SeedChangeGUID is the entry the seed's Change example changes.
	SeedChangeGUID = "6917876061b72704:62272b78:17c939e2202:-7d6f"
	// SeedListGUID1 and SeedListGUID2 are the two entries of the seed's List
	// answer; SeedListGUID2 is also the Info and Delete examples' entry.
	SeedListGUID1 = "6917876061b72704:62272b78:17c939e2202:-7c21"
	SeedListGUID2 = "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26"
)

// user is a simulated Akixi user.
type user struct {
	admin     bool   // may add, change and delete entries
	telSys    int    // 0: every telephony server; else only this one
	partition string // "": no partition limit; else only this partition GUID
	loginCode int    // non-zero: CreateSession fails with this code
}

// users are the simulated accounts; every password is "demo".
var users = map[string]user{
	"demo":      {admin: true},                                  // application-wide administrator
	"viewer":    {},                                             // may list and read only: 10511 on changes
	"tsadmin":   {admin: true, telSys: 2},                       // telephony server 2 only: 10512 / 10701
	"partadmin": {admin: true, telSys: 2, partition: salesGUID}, // partition 2/Sales only: 10514
	"locked":    {loginCode: akixi.CodeAccountLocked},
	"expired":   {loginCode: akixi.CodePasswordExpired},
	"noapi":     {loginCode: akixi.CodeNoWSAPIAccess},
}

type telSys struct {
	id       int
	name     string
	disabled bool
}

type partition struct {
	guid   string
	telSys int
	id     string // PartIDInTelSys
	name   string
}

const (
	salesGUID   = "3b1f0c6d9a8e7f21:5d2c1a0b:18c2f4e1a3b:-7f80"
	supportGUID = "3b1f0c6d9a8e7f21:5d2c1a0b:18c2f4e1a3b:-7f7f"
	ts1p1GUID   = "11af8bacd55c1c4b:27b5f848:17a1045045c:-7f87"
)

var telSystems = []telSys{
	{id: 1, name: "Demonstration Simulator"},
	{id: 2, name: "BroadWorks London"},
	{id: 3, name: "Legacy PBX", disabled: true},
}

var partitions = []partition{
	{guid: ts1p1GUID, telSys: 1, id: "1", name: "Demo partition 1"},
	{guid: SeedPartitionGUID, telSys: 1, id: "2", name: "Demo partition 2"},
	{guid: salesGUID, telSys: 2, id: "Sales", name: "Sales"},
	{guid: supportGUID, telSys: 2, id: "Support", name: "Support"},
}

// seedEntries are the entries every simulator starts with.
func seedEntries() []akixi.Entry {
	ts1p2 := func(e akixi.Entry) akixi.Entry {
		e.Type, e.TelSysID, e.PartIDInTelSys, e.PartitionGUID = akixi.TypeDubber, "1", "2", SeedPartitionGUID
		return e
	}
	return []akixi.Entry{
		{GUID: akixi.DemoEntryGUID, Type: akixi.TypeDubber, Description: akixi.DemoEntryDescription,
			IPAddrOrHost1: "api.dubber.net/demo", AuthUserID1: "dubber-demo-user-7f3a"}, // a distinctive value: credentials are redacted wherever seen,
		{GUID: SeedChangeGUID, Type: akixi.TypeDubber, TelSysID: "1", PartIDInTelSys: "1", PartitionGUID: ts1p1GUID,
			Description: "Demo Call Rec Int", IPAddrOrHost1: "api.dubber.net/uk1", IPAddrOrHost2: "api.dubber.net/uk2",
			AuthUserID1: "ex25dejpdb85vpqtsxr7napv", AuthUserID2: "userid2", APIParameter1: "param1", APIParameter2: "param2"},
		ts1p2(akixi.Entry{GUID: SeedListGUID1, Description: "Dubber demo simulator 1",
			IPAddrOrHost1: "api.dubber.net/uk1", AuthUserID1: "ex25dejpdb85vpqtsxr7napv"}),
		ts1p2(akixi.Entry{GUID: SeedListGUID2, Description: "Dubber demo simulator 2",
			IPAddrOrHost1: "api.dubber.net/uk1", IPAddrOrHost2: "api.dubber.net/uk2",
			AuthUserID1: "ex25dejpdb85vpqtsxr7napv", AuthUserID2: "userid2", APIParameter1: "param1", APIParameter2: "param2"}),
		{GUID: "5c3e9a1b7d2f4e60:-1a2b3c4d:18a0b1c2d3e:-7f10", Type: akixi.TypeDubber, TelSysID: "2",
			Description: "Dubber London (all partitions)", IPAddrOrHost1: "api.dubber.net/uk1", AuthUserID1: "london"},
		{GUID: "5c3e9a1b7d2f4e60:-1a2b3c4d:18a0b1c2d3e:-7f0f", Type: akixi.TypeDubber, TelSysID: "2", PartIDInTelSys: "Support",
			PartitionGUID: supportGUID, Description: "Dubber Support desk", IPAddrOrHost1: "api.dubber.net/uk1", AuthUserID1: "support"},
	}
}

// guidMaker makes GUIDs in the seed's shape: a 64-bit host number, a signed
// 32-bit number, a millisecond timestamp and a signed 16-bit counter, all in
// hexadecimal (like Java's java.rmi.server.UID behind a host hash), e.g.
// "6917876061b72704:62272b78:17c939e2202:-7d6f".
type guidMaker struct {
	host    uint64
	unique  int32
	counter int16
}

func newGUIDMaker(rng *rand.Rand) *guidMaker {
	return &guidMaker{host: rng.Uint64(), unique: int32(rng.Uint32()), counter: -0x8000}
}

func (g *guidMaker) next(ms int64) string {
	c := g.counter
	g.counter++
	return fmt.Sprintf("%016x:%s:%x:%s", g.host, signedHex(int64(g.unique)), ms, signedHex(int64(c)))
}

func signedHex(n int64) string {
	if n < 0 {
		return fmt.Sprintf("-%x", -n)
	}
	return fmt.Sprintf("%x", n)
}

// messages are the simulator's Fail descriptions. The general codes carry
// Akixi's published texts; the others are the simulator's own wording for
// the meaning it gives each code (see the package doc).
var messages = map[int]string{
	akixi.CodeUnknown:            "An unknown error was encountered when performing the request.",
	akixi.CodeAPINotEnabled:      "Web Services API has not been enabled to complete the request.",
	akixi.CodeNoInvokeID:         "Invoke ID is not specified within the request.",
	akixi.CodeBadOperation:       "Operation is either not specified within the request or the specified operation is not supported.",
	akixi.CodeResourceUnresolved: "The requested operation failed because an internal application resource cannot be resolved. To resolve the problem, please report this issue to your application administrator or provider.",
	akixi.CodeDatabase:           "Cannot perform the requested operation because the application's database data is currently unavailable.",
	akixi.CodeMaintenance:        "Either maintenance is currently being performed on the application or the application's database data is being backed-up.",
	akixi.CodeInvalidValue:       "A request parameter has an invalid value.",

	akixi.CodeSessionInvalid: "The session ID is not specified or is not recognised.",
	akixi.CodeSessionExpired: "The session has expired. Please create a new session.",

	akixi.CodeBadCredentials:  "The user name or password is incorrect.",
	akixi.CodeAccountLocked:   "The user account is locked or disabled.",
	akixi.CodePasswordExpired: "The user's password has expired.",

	akixi.CodeNotAdmin:          "The user does not have permission to administer Call Recording Integration entries.",
	akixi.CodeNoServerAccess:    "The user does not have access to the Telephony Server.",
	akixi.CodeNoPartitionAccess: "The user does not have access to the Partition.",
	akixi.CodeFeatureDisabled:   "The Call Recording Integration feature is not enabled on this Akixi Service.",
	akixi.CodeNotAppWide:        "Only application-wide administrators can access application-wide entries.",
	akixi.CodeNoWSAPIAccess:     "The user is not permitted to use the Web Services API.",

	akixi.CodeTelSysUnknown:  "Telephony Server not found.",
	akixi.CodeTelSysInvalid:  "TelSysID is not a valid Telephony Server ID.",
	akixi.CodeTelSysDisabled: "The Telephony Server is disabled.",

	akixi.CodePartitionGUIDUnknown: "Partition not found for the PartitionGUID.",
	akixi.CodePartitionIDUnknown:   "Partition not found for the PartIDInTelSys within the Telephony Server.",
	akixi.CodePartitionNeedsTelSys: "PartIDInTelSys requires TelSysID.",

	akixi.CodeEntryGUIDMissing: "CallRecIntGUID is not specified.",
	akixi.CodeEntryUnknown:     "Call Recording Integration entry not found.",
	akixi.CodeTypeUnsupported:  "CallRecIntType is not specified or is not supported.",
	akixi.CodeDescriptionBad:   "Description is not specified or is already used by another entry in the same scope.",
}

func message(code int) string {
	if m, ok := messages[code]; ok {
		return m
	}
	return messages[akixi.CodeUnknown]
}
