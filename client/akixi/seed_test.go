package akixi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

const seedSession = "19397C980B72D043EEE18B58AE687263"

// TestSeedExamplesAgainstSimulator posts every request example of the seed,
// as written (comments, the Delete example's Name="?", the Change
// example's read-only CallRecIntType), to the simulator and compares its
// answers with the seed's answer examples.
func TestSeedExamplesAgainstSimulator(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 1}, akixi.Config{})
	url := e.srv.URL + akixi.DefaultPath

	// Open a session the raw way, as a client that follows the package doc.
	login := post(t, url, []byte(`<Request Operation="CreateSession"><InvokeID>1</InvokeID><OperationPayload>`+
		`<Property Name="UserName">demo</Property><Property Name="Password">demo</Property></OperationPayload></Request>`))
	resp, err := akixi.DecodeResponse(login)
	if err != nil || resp.Result != akixi.ResultSuccess {
		t.Fatalf("CreateSession: %v %s", err, login)
	}
	sid, _ := resp.Success.Property("SessionID")
	if !regexp.MustCompile(`^[0-9A-F]{32}$`).MatchString(sid) {
		t.Fatalf("session ID %q is not 32 hex digits like the seed's", sid)
	}
	send := func(name string, edit func(string) string) []byte {
		t.Helper()
		body := strings.ReplaceAll(string(seedFile(t, name)), seedSession, sid)
		if edit != nil {
			body = edit(body)
		}
		return post(t, url, []byte(body))
	}
	same := func(step string, got []byte, wantName string) {
		t.Helper()
		if g, w := canon(t, got, canonOpts{}), canon(t, seedFile(t, wantName), canonOpts{}); g != w {
			t.Errorf("%s: answer differs from the seed's\n got:\n%s\nwant:\n%s", step, g, w)
		}
	}

	// List: the seed's answer lists partition 2 of server 1 from offset 0.
	same("List from 0", send("list_request", func(s string) string {
		return strings.Replace(s, "<Offset>100</Offset>", "<Offset>0</Offset>", 1)
	}), "list_response")
	// The request as written asks from offset 100: nothing there.
	got, err := akixi.DecodeResponse(send("list_request", nil))
	if err != nil || got.Result != akixi.ResultSuccess || got.InvokeID != "10" || got.Success == nil || len(got.Success.Containers) != 0 {
		t.Errorf("List from 100: %+v, %v", got, err)
	}

	// Info: the seed's answer shows the entry with description "Tested
	// Call Rec Int", so rename it first.
	if err := e.c.Change(ctx(t), sim.SeedListGUID2, akixi.Changes{akixi.PropDescription: "Tested Call Rec Int"}); err != nil {
		t.Fatal(err)
	}
	same("Info", send("info_request", nil), "info_response")

	// Add.
	same("Add", send("add_request", nil), "add_response")
	var added akixi.Entry
	for _, en := range e.sim.Entries() {
		if en.Description == "Demo Call Rec Int" && en.PartIDInTelSys == "2" {
			added = en
		}
	}
	want := akixi.Entry{GUID: added.GUID, Type: "Dubber", PartitionGUID: sim.SeedPartitionGUID, TelSysID: "1", PartIDInTelSys: "2",
		Description: "Demo Call Rec Int", IPAddrOrHost1: "api.dubber.net/uk1", IPAddrOrHost2: "api.dubber.net/uk2",
		AuthUserID1: "ex25dejpdb85vpqtsxr7napv", AuthUserID2: "userid2", APIParameter1: "param1", APIParameter2: "param2"}
	if added != want {
		t.Errorf("added entry\n got %+v\nwant %+v", added, want)
	}
	if !akixi.ValidGUID(added.GUID) {
		t.Errorf("new GUID %q is not in the seed's shape", added.GUID)
	}

	// Change: the example also sends CallRecIntType, which is ignored.
	same("Change", send("change_request", func(s string) string {
		return strings.Replace(s, `<Property Name="CallRecIntType">Dubber</Property>`, `<Property Name="CallRecIntType">Other</Property>`, 1)
	}), "change_response")
	changed, _ := e.sim.Entry(sim.SeedChangeGUID)
	if changed.Type != "Dubber" || changed.Description != "Demo Dubber Call Rec Int" || changed.PartIDInTelSys != "2" ||
		changed.APIParameter1 != "param test 1" || changed.APIParameter2 != "param test 2" {
		t.Errorf("changed entry: %+v", changed)
	}

	// Delete, then the entry is gone.
	same("Delete", send("delete_request", nil), "delete_response")
	if _, ok := e.sim.Entry(sim.SeedListGUID2); ok {
		t.Error("entry still there after Delete")
	}
	gone, _ := akixi.DecodeResponse(send("info_request", nil))
	if code, _, _ := gone.Fail(akixi.DefaultFailNames); gone.Result != akixi.ResultFail || code != akixi.CodeEntryUnknown {
		t.Errorf("Info after Delete: %+v", gone)
	}
}

// TestClientWritesSeedRequests checks that the client's requests are the
// seed's request examples (InvokeID and SessionID aside), with the
// read-only CallRecIntType left out of Change and without the Delete
// example's stray Name="?".
func TestClientWritesSeedRequests(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 1}, akixi.Config{})
	c := e.c
	check := func(op, seedName string, o canonOpts) {
		t.Helper()
		bodies := e.rec.find(op)
		if len(bodies) == 0 {
			t.Fatalf("no %s request sent", op)
		}
		o.blankIDs = true
		if g, w := canon(t, bodies[0], o), canon(t, seedFile(t, seedName), o); g != w {
			t.Errorf("%s request differs from the seed's\n got:\n%s\nwant:\n%s", op, g, w)
		}
		if !regexp.MustCompile(`<InvokeID>\d{5}</InvokeID>`).Match(bodies[0]) {
			t.Errorf("%s InvokeID is not five zero-padded digits: %s", op, bodies[0])
		}
	}

	if _, err := c.List(ctx(t), akixi.ListQuery{
		Scope:  akixi.Scope{PartitionGUID: sim.SeedPartitionGUID, TelSysID: "1", PartIDInTelSys: "1"},
		Offset: 100, Limit: 20, Fields: []string{"TelSysID", "PartIDInTelSys"},
	}); err != nil {
		t.Fatal(err)
	}
	check(akixi.OpList, "list_request", canonOpts{})

	if _, err := c.Info(ctx(t), sim.SeedListGUID2); err != nil {
		t.Fatal(err)
	}
	check(akixi.OpInfo, "info_request", canonOpts{})

	if _, err := c.Add(ctx(t), akixi.Entry{Type: "Dubber", TelSysID: "1", PartIDInTelSys: "2", Description: "Demo Call Rec Int",
		IPAddrOrHost1: "api.dubber.net/uk1", IPAddrOrHost2: "api.dubber.net/uk2", AuthUserID1: "ex25dejpdb85vpqtsxr7napv",
		AuthUserID2: "userid2", APIParameter1: "param1", APIParameter2: "param2"}); err != nil {
		t.Fatal(err)
	}
	check(akixi.OpAdd, "add_request", canonOpts{})

	if err := c.Change(ctx(t), sim.SeedChangeGUID, akixi.Changes{
		"TelSysID": "1", "PartIDInTelSys": "2", "Description": "Demo Dubber Call Rec Int",
		"IPAddrOrHost1": "api.dubber.net/uk1", "IPAddrOrHost2": "api.dubber.net/uk2", "AuthUserID1": "ex25dejpdb85vpqtsxr7napv",
		"AuthUserID2": "userid2", "APIParameter1": "param test 1", "APIParameter2": "param test 2",
	}); err != nil {
		t.Fatal(err)
	}
	check(akixi.OpChange, "change_request", canonOpts{dropProp: []string{"CallRecIntType"}})

	if err := c.Delete(ctx(t), sim.SeedListGUID2); err != nil {
		t.Fatal(err)
	}
	check(akixi.OpDelete, "delete_request", canonOpts{dropAttr: []string{"Name"}})
}

// TestClientReadsSeedAnswers serves the seed's answer examples verbatim
// (InvokeID echoed) and checks what the client makes of them.
func TestClientReadsSeedAnswers(t *testing.T) {
	invoke := regexp.MustCompile(`<InvokeID>(\d+)</InvokeID>`)
	answer := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		id := invoke.FindSubmatch(body.Bytes())[1]
		if bytes.Contains(body.Bytes(), []byte(`"CreateSession"`)) {
			w.Write([]byte(`<Response Result="Success"><InvokeID>` + string(id) + `</InvokeID><Success><Property Name="SessionID">` + seedSession + `</Property></Success></Response>`))
			return
		}
		w.Write(invoke.ReplaceAll([]byte(answer), []byte("<InvokeID>"+string(id)+"</InvokeID>")))
	}))
	defer srv.Close()
	c, err := akixi.New(akixi.Config{BaseURL: srv.URL, Username: "demo", Password: "demo", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}

	answer = string(seedFile(t, "list_response"))
	page, err := c.List(ctx(t), akixi.ListQuery{Fields: []string{"TelSysID", "PartIDInTelSys"}})
	if err != nil {
		t.Fatal(err)
	}
	wantList := []akixi.Entry{
		{GUID: "6917876061b72704:62272b78:17c939e2202:-7c21", TelSysID: "1", PartIDInTelSys: "2", Description: "Dubber demo simulator 1"},
		{GUID: "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26", TelSysID: "1", PartIDInTelSys: "2", Description: "Dubber demo simulator 2"},
	}
	if len(page.Entries) != 2 || page.Entries[0] != wantList[0] || page.Entries[1] != wantList[1] || page.Full() {
		t.Errorf("List: %+v", page)
	}

	answer = string(seedFile(t, "info_response"))
	got, err := c.Info(ctx(t), "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26")
	if err != nil {
		t.Fatal(err)
	}
	wantInfo := akixi.Entry{GUID: "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26", Type: "Dubber", TelSysID: "1", PartIDInTelSys: "2",
		Description: "Tested Call Rec Int", IPAddrOrHost1: "api.dubber.net/uk1", IPAddrOrHost2: "api.dubber.net/uk2",
		AuthUserID1: "ex25dejpdb85vpqtsxr7napv", AuthUserID2: "userid2", APIParameter1: "param1", APIParameter2: "param2"}
	if got != wantInfo {
		t.Errorf("Info\n got %+v\nwant %+v", got, wantInfo)
	}

	for _, name := range []string{"add_response", "change_response", "delete_response"} {
		answer = string(seedFile(t, name))
		var err error
		switch name {
		case "add_response":
			// The Add answer has no GUID and the lookup List gets the same
			// bare answer (no entries): the GUID is unknown, not an error.
			var guid string
			guid, err = c.Add(ctx(t), akixi.Entry{Type: "Dubber", Description: "x"})
			if guid != "" {
				t.Errorf("Add GUID %q from an answer without one", guid)
			}
		case "change_response":
			err = c.Change(ctx(t), "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26", akixi.Changes{"Description": "y"})
		case "delete_response":
			err = c.Delete(ctx(t), "67e10ae5bbb0dd46:-2442a791:17c5635ac06:-7e26")
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
