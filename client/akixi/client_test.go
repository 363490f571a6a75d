package akixi_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// asUser returns a client of e's simulator signed in as name.
func asUser(t *testing.T, e *env, name string) *akixi.Client {
	t.Helper()
	c, err := akixi.New(akixi.Config{BaseURL: e.srv.URL, Username: name, Password: sim.Demo, HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, what string, err error, code int, group akixi.ErrorGroup) {
	t.Helper()
	var ae *akixi.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: want Akixi error %d, got %v", what, code, err)
		return
	}
	if ae.Code != code || ae.Group != group {
		t.Errorf("%s: got code %d group %s, want %d %s (%v)", what, ae.Code, ae.Group, code, group, err)
	}
	if msg := err.Error(); !strings.Contains(msg, akixi.Explain(code)) || !strings.Contains(msg, fmt.Sprint(code)) {
		t.Errorf("%s: message %q lacks the explanation or the code", what, msg)
	}
}

func TestSessionOpenedOnceAndReused(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	for range 3 {
		if _, err := e.c.List(ctx(t), akixi.ListQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	if e.c.SessionsOpened() != 1 || e.sim.SessionsCreated() != 1 {
		t.Errorf("sessions: client %d, sim %d; want 1", e.c.SessionsOpened(), e.sim.SessionsCreated())
	}
	ids := e.rec.bodies
	for i, want := range []string{"00000", "00001", "00002", "00003"} {
		if !bytes.Contains(ids[i], []byte("<InvokeID>"+want+"</InvokeID>")) {
			t.Errorf("request %d: want InvokeID %s: %s", i, want, ids[i])
		}
	}
	if bytes.Contains(ids[0], []byte("<SessionID>")) {
		t.Error("CreateSession carried a SessionID")
	}
}

func TestSessionRenewedAfterExpiry(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, sim.Options{SessionTTL: time.Minute, Now: clock}, akixi.Config{})
	if _, err := e.c.Info(ctx(t), akixi.DemoEntryGUID); err != nil {
		t.Fatal(err)
	}
	// Idle past the TTL: the next call is refused with 10302, renewed, sent again.
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if _, err := e.c.Info(ctx(t), akixi.DemoEntryGUID); err != nil {
		t.Fatal(err)
	}
	if e.c.SessionsOpened() != 2 {
		t.Errorf("sessions after TTL expiry: %d, want 2", e.c.SessionsOpened())
	}
	// Expired by the server: a burst of concurrent calls opens one session.
	e.sim.ExpireSessions()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := e.c.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{TelSysID: "2"}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if e.c.SessionsOpened() != 3 || e.sim.SessionsCreated() != 3 {
		t.Errorf("sessions after a burst: client %d sim %d, want 3", e.c.SessionsOpened(), e.sim.SessionsCreated())
	}
}

func TestSessionRenewedOnlyOnce(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	e.sim.InjectFault(akixi.OpList, akixi.CodeSessionExpired, 2)
	_, err := e.c.List(ctx(t), akixi.ListQuery{})
	wantCode(t, "List refused twice", err, akixi.CodeSessionExpired, akixi.GroupSession)
	if n := len(e.rec.find(akixi.OpList)); n != 2 {
		t.Errorf("List sent %d times, want 2 (one retry)", n)
	}
	if _, err := e.c.List(ctx(t), akixi.ListQuery{}); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	// An invalid session (10301) is renewed the same way.
	e.sim.InjectFault(akixi.OpInfo, akixi.CodeSessionInvalid, 1)
	if _, err := e.c.Info(ctx(t), akixi.DemoEntryGUID); err != nil {
		t.Errorf("after 10301: %v", err)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	bad, err := akixi.New(akixi.Config{BaseURL: e.srv.URL, Username: "demo", Password: "s3cr3t-pw", HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.List(ctx(t), akixi.ListQuery{})
	wantCode(t, "wrong password", err, akixi.CodeBadCredentials, akixi.GroupAuthentication)
	if !akixi.IsAuth(err) || strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("wrong password: IsAuth %v, text %q", akixi.IsAuth(err), err)
	}
	for user, code := range map[string]int{"locked": akixi.CodeAccountLocked, "expired": akixi.CodePasswordExpired} {
		err := asUser(t, e, user).Login(ctx(t))
		wantCode(t, user, err, code, akixi.GroupAuthentication)
	}
	err = asUser(t, e, "noapi").Login(ctx(t))
	wantCode(t, "noapi", err, akixi.CodeNoWSAPIAccess, akixi.GroupPermissions)
	if err := e.c.Login(ctx(t)); err != nil {
		t.Errorf("demo login: %v", err)
	}
}

// TestFailurePaths runs each operation into the errors the seed's tables
// list for it, through the real client and simulator.
func TestFailurePaths(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	viewer, tsadmin, partadmin := asUser(t, e, "viewer"), asUser(t, e, "tsadmin"), asUser(t, e, "partadmin")
	c := e.c
	dub := func(sc akixi.Scope, desc string) akixi.Entry {
		return akixi.Entry{Type: "Dubber", Description: desc, PartitionGUID: sc.PartitionGUID, TelSysID: sc.TelSysID, PartIDInTelSys: sc.PartIDInTelSys}
	}
	unknownGUID := "0000000000000001:1:1:1"
	type tc struct {
		name  string
		err   func() error
		code  int
		group akixi.ErrorGroup
	}
	add := func(cl *akixi.Client, en akixi.Entry) func() error {
		return func() error { _, err := cl.Add(ctx(t), en); return err }
	}
	list := func(cl *akixi.Client, sc akixi.Scope) func() error {
		return func() error { _, err := cl.List(ctx(t), akixi.ListQuery{Scope: sc}); return err }
	}
	info := func(cl *akixi.Client, guid string) func() error {
		return func() error { _, err := cl.Info(ctx(t), guid); return err }
	}
	cases := []tc{
		// CallRecIntAdd
		{"add as viewer", add(viewer, dub(akixi.Scope{TelSysID: "1"}, "a")), akixi.CodeNotAdmin, akixi.GroupPermissions},
		{"add app-wide as tsadmin", add(tsadmin, dub(akixi.Scope{}, "a")), akixi.CodeNotAppWide, akixi.GroupPermissions},
		{"add to server 1 as tsadmin", add(tsadmin, dub(akixi.Scope{TelSysID: "1"}, "a")), akixi.CodeNoServerAccess, akixi.GroupPermissions},
		{"add to 2/Support as partadmin", add(partadmin, dub(akixi.Scope{TelSysID: "2", PartIDInTelSys: "Support"}, "a")), akixi.CodeNoPartitionAccess, akixi.GroupPermissions},
		{"add to unknown server", add(c, dub(akixi.Scope{TelSysID: "9"}, "a")), akixi.CodeTelSysUnknown, akixi.GroupTelephonyServer},
		{"add to disabled server", add(c, dub(akixi.Scope{TelSysID: "3"}, "a")), akixi.CodeTelSysDisabled, akixi.GroupTelephonyServer},
		{"add to unknown partition GUID", add(c, dub(akixi.Scope{PartitionGUID: unknownGUID}, "a")), akixi.CodePartitionGUIDUnknown, akixi.GroupPartition},
		{"add to unknown partition ID", add(c, dub(akixi.Scope{TelSysID: "1", PartIDInTelSys: "9"}, "a")), akixi.CodePartitionIDUnknown, akixi.GroupPartition},
		{"add of another type", add(c, akixi.Entry{Type: "Other", Description: "a"}), akixi.CodeTypeUnsupported, akixi.GroupIntegration},
		{"add of a taken description", add(c, dub(akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}, "dubber demo SIMULATOR 1")), akixi.CodeDescriptionBad, akixi.GroupIntegration},
		// CallRecIntChange
		{"change unknown entry", func() error { return c.Change(ctx(t), unknownGUID, akixi.Changes{"Description": "x"}) }, akixi.CodeEntryUnknown, akixi.GroupIntegration},
		{"change as viewer", func() error { return viewer.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"Description": "x"}) }, akixi.CodeNotAdmin, akixi.GroupPermissions},
		{"change to a taken description", func() error {
			return c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"Description": "Dubber demo simulator 2"})
		}, akixi.CodeDescriptionBad, akixi.GroupIntegration},
		{"move to unknown server", func() error { return c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"TelSysID": "9"}) }, akixi.CodeTelSysUnknown, akixi.GroupTelephonyServer},
		{"move to unknown partition", func() error {
			return c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"PartIDInTelSys": "nope"})
		}, akixi.CodePartitionIDUnknown, akixi.GroupPartition},
		{"change the demo entry as tsadmin", func() error {
			return tsadmin.Change(ctx(t), akixi.DemoEntryGUID, akixi.Changes{"Description": "x"})
		}, akixi.CodeNotAppWide, akixi.GroupPermissions},
		// CallRecIntDelete
		{"delete unknown entry", func() error { return c.Delete(ctx(t), unknownGUID) }, akixi.CodeEntryUnknown, akixi.GroupIntegration},
		{"delete as viewer", func() error { return viewer.Delete(ctx(t), sim.SeedListGUID1) }, akixi.CodeNotAdmin, akixi.GroupPermissions},
		{"delete server 1 entry as partadmin", func() error { return partadmin.Delete(ctx(t), sim.SeedListGUID1) }, akixi.CodeNoServerAccess, akixi.GroupPermissions},
		// CallRecIntInfo
		{"info of unknown entry", info(c, unknownGUID), akixi.CodeEntryUnknown, akixi.GroupIntegration},
		{"info of server 1 entry as tsadmin", info(tsadmin, sim.SeedListGUID1), akixi.CodeNoServerAccess, akixi.GroupPermissions},
		// CallRecIntList
		{"list unknown server", list(c, akixi.Scope{TelSysID: "9"}), akixi.CodeTelSysUnknown, akixi.GroupTelephonyServer},
		{"list disabled server", list(c, akixi.Scope{TelSysID: "3"}), akixi.CodeTelSysDisabled, akixi.GroupTelephonyServer},
		{"list unknown partition GUID", list(c, akixi.Scope{PartitionGUID: unknownGUID}), akixi.CodePartitionGUIDUnknown, akixi.GroupPartition},
		{"list unknown partition ID", list(c, akixi.Scope{TelSysID: "2", PartIDInTelSys: "Nope"}), akixi.CodePartitionIDUnknown, akixi.GroupPartition},
		{"list app-wide as tsadmin", list(tsadmin, akixi.Scope{}), akixi.CodeNotAppWide, akixi.GroupPermissions},
		{"list 2/Support as partadmin", list(partadmin, akixi.Scope{TelSysID: "2", PartIDInTelSys: "Support"}), akixi.CodeNoPartitionAccess, akixi.GroupPermissions},
	}
	for _, tc := range cases {
		wantCode(t, tc.name, tc.err(), tc.code, tc.group)
	}
	// Nothing above changed anything.
	if n := len(e.sim.Entries()); n != 6+sim.DefaultGeneratedEntries {
		t.Errorf("%d entries after refused requests", n)
	}
	// What the scoped users may do, they can.
	if _, err := partadmin.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}}); err != nil {
		t.Error(err)
	}
	if _, err := viewer.Info(ctx(t), sim.SeedListGUID1); err != nil {
		t.Error(err)
	}

	// Service-wide failures reach every operation.
	ops := map[string]func() error{
		akixi.OpAdd:    add(c, dub(akixi.Scope{TelSysID: "1"}, "never")),
		akixi.OpChange: func() error { return c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"Description": "never"}) },
		akixi.OpDelete: func() error { return c.Delete(ctx(t), sim.SeedListGUID1) },
		akixi.OpInfo:   info(c, sim.SeedListGUID1),
		akixi.OpList:   list(c, akixi.Scope{}),
	}
	for op, run := range ops {
		for _, code := range []int{akixi.CodeResourceUnresolved, akixi.CodeDatabase, akixi.CodeUnknown} {
			e.sim.InjectFault(op, code, 1)
			wantCode(t, op+" injected", run(), code, akixi.GroupGeneral)
		}
		e.sim.SetFeatureEnabled(false)
		wantCode(t, op+" feature off", run(), akixi.CodeFeatureDisabled, akixi.GroupPermissions)
		e.sim.SetFeatureEnabled(true)
		e.sim.SetMaintenance(true)
		wantCode(t, op+" maintenance", run(), akixi.CodeMaintenance, akixi.GroupGeneral)
		e.sim.SetMaintenance(false)
	}
	if _, ok := e.sim.Entry(sim.SeedListGUID1); !ok {
		t.Error("an entry was deleted by a refused request")
	}
}

// TestRawFailures sends requests the client would never send, to cover the
// simulator's remaining codes.
func TestRawFailures(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	url := e.srv.URL + akixi.DefaultPath
	if err := e.c.Login(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// A valid session for raw requests.
	login, _ := akixi.DecodeResponse(post(t, url, []byte(`<Request Operation="CreateSession"><InvokeID>1</InvokeID><OperationPayload><Property Name="UserName">demo</Property><Property Name="Password">demo</Property></OperationPayload></Request>`)))
	sid, _ := login.Success.Property("SessionID")
	req := func(op, extra, payload string) string {
		return `<Request Operation="` + op + `"><InvokeID>00042</InvokeID><SessionID>` + sid + `</SessionID>` + extra +
			`<OperationPayload>` + payload + `</OperationPayload></Request>`
	}
	cases := []struct {
		name, body string
		code       int
		invokeID   string
	}{
		{"no InvokeID", `<Request Operation="CallRecIntList"><SessionID>` + sid + `</SessionID></Request>`, akixi.CodeNoInvokeID, ""},
		{"empty InvokeID", `<Request Operation="CallRecIntList"><InvokeID> </InvokeID></Request>`, akixi.CodeNoInvokeID, ""},
		{"unknown operation", req("CallRecIntPurge", "", ""), akixi.CodeBadOperation, "00042"},
		{"no operation", `<Request><InvokeID>7</InvokeID></Request>`, akixi.CodeBadOperation, "7"},
		{"not XML", `hello`, akixi.CodeBadOperation, ""},
		{"wrong root", `<Query Operation="CallRecIntList"><InvokeID>7</InvokeID></Query>`, akixi.CodeBadOperation, ""},
		{"no session", `<Request Operation="CallRecIntList"><InvokeID>7</InvokeID></Request>`, akixi.CodeSessionInvalid, "7"},
		{"unknown session", strings.Replace(req(akixi.OpList, "", ""), sid, "0123456789ABCDEF0123456789ABCDEF", 1), akixi.CodeSessionInvalid, "00042"},
		{"bad offset", req(akixi.OpList, "<Offset>-1</Offset>", ""), akixi.CodeInvalidValue, "00042"},
		{"bad limit", req(akixi.OpList, "<Limit>ten</Limit>", ""), akixi.CodeInvalidValue, "00042"},
		{"malformed GUID", req(akixi.OpInfo, "", `<Property Name="CallRecIntGUID">not-a-guid</Property>`), akixi.CodeInvalidValue, "00042"},
		{"bad TelSysID", req(akixi.OpList, "", `<Property Name="TelSysID">x</Property>`), akixi.CodeTelSysInvalid, "00042"},
		{"partition without server", req(akixi.OpList, "", `<Property Name="PartIDInTelSys">2</Property>`), akixi.CodePartitionNeedsTelSys, "00042"},
		{"change without GUID", req(akixi.OpChange, "", `<Property Name="Description">x</Property>`), akixi.CodeEntryGUIDMissing, "00042"},
		{"delete without GUID", req(akixi.OpDelete, "", ""), akixi.CodeEntryGUIDMissing, "00042"},
		{"info without GUID", req(akixi.OpInfo, "", ""), akixi.CodeEntryGUIDMissing, "00042"},
		{"add without type", req(akixi.OpAdd, "", `<Property Name="Description">x</Property>`), akixi.CodeTypeUnsupported, "00042"},
		{"add without description", req(akixi.OpAdd, "", `<Property Name="CallRecIntType">Dubber</Property>`), akixi.CodeDescriptionBad, "00042"},
		{"change to empty description", req(akixi.OpChange, "", `<Property Name="CallRecIntGUID">`+sim.SeedListGUID1+`</Property><Property Name="Description"></Property>`), akixi.CodeDescriptionBad, "00042"},
	}
	for _, tc := range cases {
		resp, err := akixi.DecodeResponse(post(t, url, []byte(tc.body)))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		code, _, msg := resp.Fail(akixi.DefaultFailNames)
		if resp.Result != akixi.ResultFail || code != tc.code || resp.InvokeID != tc.invokeID || msg == "" {
			t.Errorf("%s: got %s %d %q (InvokeID %q), want Fail %d (InvokeID %q)", tc.name, resp.Result, code, msg, resp.InvokeID, tc.code, tc.invokeID)
		}
	}
	// Plain HTTP errors outside the WS API.
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", res.StatusCode)
	}
	res, err = http.Post(url, "text/xml", strings.NewReader(strings.Repeat("x", 1<<20+1)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", res.StatusCode)
	}
	// The control routes.
	for path, want := range map[string]int{
		"/sim/akixi/fault?code=10104&op=CallRecIntInfo": http.StatusOK,
		"/sim/akixi/fault?code=x":                       http.StatusBadRequest,
		"/sim/akixi/fault?code=10104&count=0":           http.StatusBadRequest,
		"/sim/akixi/expire-sessions":                    http.StatusOK,
	} {
		res, err := http.Post(e.srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	_, err = e.c.Info(ctx(t), sim.SeedListGUID1) // expired session renewed, then the injected fault
	wantCode(t, "after control routes", err, akixi.CodeDatabase, akixi.GroupGeneral)
}

func TestScopingAndPaging(t *testing.T) {
	e := newEnv(t, sim.Options{GeneratedEntries: 40}, akixi.Config{PageSize: 10})
	c := e.c
	descs := func(es []akixi.Entry) []string {
		var out []string
		for _, en := range es {
			out = append(out, en.Description)
		}
		return out
	}
	page, err := c.List(ctx(t), akixi.ListQuery{})
	if err != nil || len(page.Entries) != 1 || !page.Entries[0].IsDemo() || page.Entries[0].GUID != akixi.DemoEntryGUID {
		t.Fatalf("application-wide: %v %+v", err, page)
	}
	if en := page.Entries[0]; en.Type != "" || en.TelSysID != "" {
		t.Errorf("default fields are GUID and Description only: %+v", en)
	}
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{TelSysID: "2"}})
	if got := descs(page.Entries); len(got) != 1 || got[0] != "Dubber London (all partitions)" {
		t.Errorf("server 2: %v", got)
	}
	// PartitionGUID wins over TelSysID / PartIDInTelSys.
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{PartitionGUID: sim.SeedPartitionGUID, TelSysID: "2", PartIDInTelSys: "Sales"}})
	if got := descs(page.Entries); len(got) != 2 || got[0] != "Dubber demo simulator 1" {
		t.Errorf("partition GUID: %v", got)
	}
	sales := akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: sales, Offset: 35, Limit: 10, Fields: []string{"CallRecIntType", "IPAddrOrHost1", "PartitionGUID", "NoSuchField"}})
	if len(page.Entries) != 5 || page.Full() || page.Entries[0].Description != "Dubber Sales team 36" {
		t.Fatalf("offset 35: %+v", page)
	}
	if en := page.Entries[0]; en.Type != "Dubber" || en.IPAddrOrHost1 != "api.dubber.net/uk1" || en.PartitionGUID == "" || en.AuthUserID1 != "" {
		t.Errorf("CallRecIntFields: %+v", en)
	}
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: sales, Limit: 10})
	if len(page.Entries) != 10 || !page.Full() {
		t.Errorf("limit 10: %d entries", len(page.Entries))
	}
	// Without Offset and Limit the service's defaults (0, 1000) apply.
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: sales})
	if len(page.Entries) != 40 || page.Limit != akixi.DefaultLimit {
		t.Errorf("default limit: %d entries, limit %d", len(page.Entries), page.Limit)
	}

	before := len(e.rec.find(akixi.OpList))
	all, err := c.ListAll(ctx(t), akixi.ListQuery{Scope: sales})
	if err != nil || len(all) != 40 || all[39].Description != "Dubber Sales team 40" {
		t.Fatalf("ListAll: %v, %d entries", err, len(all))
	}
	if n := len(e.rec.find(akixi.OpList)) - before; n != 5 {
		t.Errorf("ListAll sent %d pages, want 5 (4 full and an empty one)", n)
	}
	capped, err := akixi.New(akixi.Config{BaseURL: e.srv.URL, Username: "demo", Password: "demo", PageSize: 10, MaxEntries: 20, HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := capped.ListAll(ctx(t), akixi.ListQuery{Scope: sales}); !errors.Is(err, akixi.ErrTooManyEntries) || len(got) != 20 {
		t.Errorf("capped ListAll: %v, %d", err, len(got))
	}

	// Moving an entry between scopes.
	if err := c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"TelSysID": "2", "PartIDInTelSys": ""}); err != nil {
		t.Fatal(err)
	}
	page, _ = c.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{TelSysID: "2"}})
	if got := descs(page.Entries); len(got) != 2 || got[0] != "Dubber demo simulator 1" { // creation order
		t.Errorf("after moving to server 2: %v", got)
	}
	moved, _ := c.Info(ctx(t), sim.SeedListGUID1)
	if moved.TelSysID != "2" || moved.PartIDInTelSys != "" || moved.PartitionGUID != "" {
		t.Errorf("moved entry: %+v", moved)
	}
	if err := c.Change(ctx(t), sim.SeedListGUID1, akixi.Changes{"PartitionGUID": sim.SeedPartitionGUID}); err != nil {
		t.Fatal(err)
	}
	back, _ := c.Info(ctx(t), sim.SeedListGUID1)
	if back.TelSysID != "1" || back.PartIDInTelSys != "2" {
		t.Errorf("moved back by PartitionGUID: %+v", back)
	}
}

func TestAddChangeDeleteRoundTrip(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	c := e.c
	en := akixi.Entry{Type: "dubber", TelSysID: "2", PartIDInTelSys: "Support", Description: "Support recordings",
		IPAddrOrHost1: "api.dubber.net/uk1", AuthUserID1: "abc", APIParameter2: "p2"}
	guid, err := c.Add(ctx(t), en)
	if err != nil || !akixi.ValidGUID(guid) {
		t.Fatalf("Add: %q %v", guid, err)
	}
	got, err := c.Info(ctx(t), guid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "Dubber" || got.Description != en.Description || got.AuthUserID1 != "abc" || got.APIParameter2 != "p2" || got.TelSysID != "2" {
		t.Errorf("Info after Add: %+v", got)
	}
	if err := c.Change(ctx(t), guid, akixi.Changes{"IPAddrOrHost2": "api.dubber.net/uk2", "APIParameter2": ""}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.Info(ctx(t), guid)
	if got.IPAddrOrHost2 != "api.dubber.net/uk2" || got.APIParameter2 != "" || got.Description != en.Description {
		t.Errorf("Info after Change: %+v", got)
	}
	// Read-only properties are refused before anything is sent.
	sent := e.sim.Requests()
	for _, name := range []string{"CallRecIntType", "CallRecIntGUID"} {
		err := c.Change(ctx(t), guid, akixi.Changes{name: "x"})
		if !akixi.IsValidation(err) || !strings.Contains(err.Error(), akixi.ReadOnlyReason) {
			t.Errorf("change %s: %v", name, err)
		}
	}
	for what, err := range map[string]error{
		"empty changes":     c.Change(ctx(t), guid, akixi.Changes{}),
		"unknown property":  c.Change(ctx(t), guid, akixi.Changes{"Colour": "red"}),
		"bad GUID":          c.Change(ctx(t), "nope", akixi.Changes{"Description": "x"}),
		"bad TelSysID":      c.Change(ctx(t), guid, akixi.Changes{"TelSysID": "two"}),
		"delete bad GUID":   c.Delete(ctx(t), ""),
		"control char":      c.Change(ctx(t), guid, akixi.Changes{"Description": "a\x00b"}),
		"empty description": c.Change(ctx(t), guid, akixi.Changes{"Description": " "}),
		"add without type":  func() error { _, err := c.Add(ctx(t), akixi.Entry{Description: "x"}); return err }(),
		"add with a GUID": func() error {
			_, err := c.Add(ctx(t), akixi.Entry{GUID: guid, Type: "Dubber", Description: "x"})
			return err
		}(),
		"add partition only": func() error {
			_, err := c.Add(ctx(t), akixi.Entry{Type: "Dubber", Description: "x", PartIDInTelSys: "2"})
			return err
		}(),
		"list negative":  func() error { _, err := c.List(ctx(t), akixi.ListQuery{Offset: -1}); return err }(),
		"list bad field": func() error { _, err := c.List(ctx(t), akixi.ListQuery{Fields: []string{"a b"}}); return err }(),
		"info bad GUID":  func() error { _, err := c.Info(ctx(t), "1:2:3"); return err }(),
	} {
		if !akixi.IsValidation(err) {
			t.Errorf("%s: want a validation error, got %v", what, err)
		}
	}
	if e.sim.Requests() != sent {
		t.Errorf("%d requests sent for refused input", e.sim.Requests()-sent)
	}
	if err := c.Delete(ctx(t), guid); err != nil {
		t.Fatal(err)
	}
	_, err = c.Info(ctx(t), guid)
	wantCode(t, "Info after Delete", err, akixi.CodeEntryUnknown, akixi.GroupIntegration)
	err = c.Delete(ctx(t), guid)
	wantCode(t, "Delete twice", err, akixi.CodeEntryUnknown, akixi.GroupIntegration)
}

func TestConfigurablePathAndFailNames(t *testing.T) {
	names := akixi.FailNames{Element: "Error", Code: "Code", Message: "Text"}
	e := newEnv(t, sim.Options{Path: "/akixi/ws", FailNames: names}, akixi.Config{FailNames: names})
	_, err := e.c.Info(ctx(t), "0000000000000001:1:1:1")
	wantCode(t, "custom names", err, akixi.CodeEntryUnknown, akixi.GroupIntegration)
	var ae *akixi.APIError
	if errors.As(err, &ae) && ae.Message != "Call Recording Integration entry not found." {
		t.Errorf("message %q", ae.Message)
	}
	// A client expecting the default names still finds a *Code element.
	other, _ := akixi.New(akixi.Config{BaseURL: e.srv.URL, Path: "/akixi/ws", Username: "demo", Password: "demo", HTTPClient: e.srv.Client()})
	_, err = other.Info(ctx(t), "0000000000000001:1:1:1")
	wantCode(t, "fallback names", err, akixi.CodeEntryUnknown, akixi.GroupIntegration)
	// The wrong path is a plain 404, reported with its status.
	wrong, _ := akixi.New(akixi.Config{BaseURL: e.srv.URL, Username: "demo", Password: "demo", HTTPClient: e.srv.Client()})
	_, err = wrong.List(ctx(t), akixi.ListQuery{})
	var re *akixi.ResponseError
	if !errors.As(err, &re) || re.Status != http.StatusNotFound || !akixi.IsNetwork(err) {
		t.Errorf("wrong path: %v", err)
	}
}

func TestUnusableAnswers(t *testing.T) {
	var mu sync.Mutex
	reply := func(w http.ResponseWriter, r *http.Request) {}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f := reply
		mu.Unlock()
		f(w, r)
	}))
	defer srv.Close()
	stop := make(chan struct{})
	defer close(stop) // runs before srv.Close: frees the hung handler below
	set := func(f func(w http.ResponseWriter, r *http.Request)) { mu.Lock(); reply = f; mu.Unlock() }
	newClient := func(cfg akixi.Config) *akixi.Client {
		cfg.BaseURL, cfg.Username, cfg.Password, cfg.HTTPClient = srv.URL, "demo", "pw-secret", srv.Client()
		c, err := akixi.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	set(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body>Bad gateway</body></html>"))
	})
	err := newClient(akixi.Config{}).Login(ctx(t))
	var re *akixi.ResponseError
	if !errors.As(err, &re) || re.Status != http.StatusBadGateway || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("502: %v", err)
	}

	// A session the server answers with, echoed back in a broken body,
	// never reaches the error text of CreateSession.
	set(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("SessionID=ABCDEF not xml")) })
	if err := newClient(akixi.Config{}).Login(ctx(t)); err == nil || strings.Contains(err.Error(), "ABCDEF") || !strings.Contains(err.Error(), "HTTP 200") {
		t.Errorf("non-XML CreateSession answer: %v", err)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<Response Result="Success"><InvokeID>00000</InvokeID></Response>`))
	})
	if err := newClient(akixi.Config{}).Login(ctx(t)); !errors.As(err, &re) || !strings.Contains(err.Error(), "SessionID") {
		t.Errorf("CreateSession without SessionID: %v", err)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<Response Result="Success"><InvokeID>12345</InvokeID><SessionID>S1</SessionID></Response>`))
	})
	if err := newClient(akixi.Config{}).Login(ctx(t)); !errors.As(err, &re) || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("InvokeID mismatch: %v", err)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<Response Result="Success"><InvokeID>00000</InvokeID><SessionID>S1</SessionID>` + strings.Repeat("<X/>", 100) + `</Response>`))
	})
	if err := newClient(akixi.Config{MaxBodyBytes: 200}).Login(ctx(t)); !errors.As(err, &re) || !strings.Contains(err.Error(), "larger than 200 bytes") {
		t.Errorf("oversized: %v", err)
	}
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<Response Result="Maybe"><InvokeID>00000</InvokeID></Response>`))
	})
	if err := newClient(akixi.Config{}).Login(ctx(t)); !errors.As(err, &re) || !strings.Contains(err.Error(), "not a WS API XML Response") {
		t.Errorf("odd Result: %v", err)
	}
	// A Fail without any code is still an APIError, with words.
	set(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<Response Result="Fail"><InvokeID>00000</InvokeID></Response>`))
	})
	err = newClient(akixi.Config{}).Login(ctx(t))
	var ae *akixi.APIError
	if !errors.As(err, &ae) || ae.Code != 0 || !strings.Contains(err.Error(), "without a code") {
		t.Errorf("codeless Fail: %v", err)
	}
	if strings.Contains(fmt.Sprint(err), "pw-secret") {
		t.Error("password in an error")
	}

	// A hung server: the request times out.
	set(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the connection is watched once the body is read
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	err = newClient(akixi.Config{Timeout: 50 * time.Millisecond}).Login(ctx(t))
	var te *akixi.TransportError
	if !errors.As(err, &te) || !akixi.IsNetwork(err) {
		t.Errorf("timeout: %v", err)
	}

	// Nobody listening.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c, _ := akixi.New(akixi.Config{BaseURL: dead.URL, Username: "demo", Password: "demo"})
	if err := c.Login(ctx(t)); !errors.As(err, &te) || !akixi.IsNetwork(err) {
		t.Errorf("refused: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]akixi.Config{
		"no URL":         {Username: "a", Password: "b"},
		"ftp":            {BaseURL: "ftp://x", Username: "a", Password: "b"},
		"credentials":    {BaseURL: "https://u:p@x", Username: "a", Password: "b"},
		"no user":        {BaseURL: "https://x", Password: "b"},
		"no password":    {BaseURL: "https://x", Username: "a"},
		"relative path":  {BaseURL: "https://x", Path: "ws", Username: "a", Password: "b"},
		"path and query": {BaseURL: "https://x", Path: "/ws?x=1", Username: "a", Password: "b"},
	} {
		if _, err := akixi.New(cfg); !akixi.IsValidation(err) {
			t.Errorf("%s: %v", name, err)
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: credentials in %q", name, err)
		}
	}
	c, err := akixi.New(akixi.Config{BaseURL: "https://akixi.example.com/base/", Username: "a", Password: "b"})
	if err != nil || c.Endpoint() != "https://akixi.example.com/base/CCS/WSAPI" {
		t.Errorf("endpoint: %v %v", c, err)
	}
}
