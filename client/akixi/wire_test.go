package akixi

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func seedExamples(f *testing.F, kind string) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "seed", "*_"+kind+".xml"))
	if err != nil || len(files) != 5 {
		f.Fatalf("want 5 seed %s examples, got %d (%v)", kind, len(files), err)
	}
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDecodeResponse feeds the response decoder the seed's answers, Fail
// answers in several spellings, and whatever the fuzzer makes of them. It
// must never panic, and what it accepts must survive a round trip.
func FuzzDecodeResponse(f *testing.F) {
	for _, b := range seedExamples(f, "response") {
		f.Add(b)
	}
	for _, s := range []string{
		`<Response Result="Fail"><InvokeID>00007</InvokeID><Fail><ErrorCode>10302</ErrorCode><ErrorDescription>The session has expired.</ErrorDescription></Fail></Response>`,
		`<Response Result="Fail"><InvokeID>1</InvokeID><Error Code="11401">gone</Error></Response>`,
		`<Response Result="Fail"><InvokeID>1</InvokeID><Fail><Detail><FaultCode>x</FaultCode></Detail></Fail></Response>`,
		`<Response Result="Success"><InvokeID>2</InvokeID><Success><Property Name="SessionID">ABC</Property></Success></Response>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><Response Result="Success"><InvokeID>3</InvokeID><Success><Property Name="Description">caf` + "\xe9" + `</Property></Success></Response>`,
		"\xef\xbb\xbf<Response Result=\"Success\"><InvokeID>4</InvokeID></Response>",
		`<Response Result="Success"><InvokeID>5</InvokeID><Success><Container><Container><Container><Container><Property Name="Description">deep</Property></Container></Container></Container></Container></Success></Response>`,
		`<html><body>502 Bad Gateway</body></html>`,
		`<Response Result="Success"><InvokeID>6`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeResponse(body)
		if err != nil {
			if r != nil {
				t.Fatal("a response with an error")
			}
			return
		}
		if r.Result != ResultSuccess && r.Result != ResultFail {
			t.Fatalf("accepted Result %q", r.Result)
		}
		code, codeText, msg := r.Fail(FailNames{})
		_, _, _ = code, codeText, msg
		e := EntryFromContainer(r.Success)
		if r.Success != nil {
			for i := range r.Success.Containers {
				_ = EntryFromContainer(&r.Success.Containers[i])
			}
		}
		out, err := Encode(r)
		if err != nil {
			t.Fatalf("cannot re-encode an accepted response: %v", err)
		}
		again, err := DecodeResponse(out)
		if err != nil {
			t.Fatalf("re-encoded response refused: %v\n%s", err, out)
		}
		if again.Result != r.Result || again.InvokeID != r.InvokeID {
			t.Fatalf("round trip changed %q/%q into %q/%q", r.Result, r.InvokeID, again.Result, again.InvokeID)
		}
		if e2 := EntryFromContainer(again.Success); strings.TrimSpace(e2.Description) != strings.TrimSpace(e.Description) {
			t.Fatalf("round trip changed the description %q into %q", e.Description, e2.Description)
		}
	})
}

// FuzzDecodeRequest feeds the simulator's request decoder the seed's
// requests and mutations of them.
func FuzzDecodeRequest(f *testing.F) {
	for _, b := range seedExamples(f, "request") {
		f.Add(b)
	}
	f.Add([]byte(`<Request Operation="CreateSession"><InvokeID>00000</InvokeID><OperationPayload><Property Name="UserName">demo</Property><Property Name="Password">demo</Property></OperationPayload></Request>`))
	f.Add([]byte(`<Request><InvokeID></InvokeID></Request>`))
	f.Add([]byte(`<Request Operation="x"><OperationPayload><Container Name="APICommunicationSettings"><Container/></Container></OperationPayload></Request>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(body)
		if err != nil {
			return
		}
		out, err := Encode(r)
		if err != nil {
			t.Fatalf("cannot re-encode an accepted request: %v", err)
		}
		again, err := DecodeRequest(out)
		if err != nil {
			t.Fatalf("re-encoded request refused: %v\n%s", err, out)
		}
		if again.Operation != r.Operation || again.InvokeID != r.InvokeID || again.SessionID != r.SessionID {
			t.Fatalf("round trip changed the header: %+v -> %+v", r, again)
		}
		if (r.Payload == nil) != (again.Payload == nil) ||
			(r.Payload != nil && len(r.Payload.Properties) != len(again.Payload.Properties)) {
			t.Fatalf("round trip changed the payload")
		}
	})
}

func TestFailFallbacks(t *testing.T) {
	cases := []struct {
		body     string
		names    FailNames
		code     int
		codeText string
		message  string
	}{
		{`<Response Result="Fail"><Fail><ErrorCode> 10302 </ErrorCode><ErrorDescription>expired</ErrorDescription></Fail></Response>`, FailNames{}, 10302, "10302", "expired"},
		{`<Response Result="Fail"><Error Code="11401" Text="gone"/></Response>`, FailNames{Element: "Error", Code: "Code", Message: "Text"}, 11401, "11401", "gone"},
		{`<Response Result="Fail"><Problem><Code>11401</Code><Message>gone</Message></Problem></Response>`, FailNames{}, 11401, "11401", "gone"},
		{`<Response Result="Fail"><ErrorCode>10101</ErrorCode><ErrorMessage>no id</ErrorMessage></Response>`, FailNames{}, 10101, "10101", "no id"},
		{`<Response Result="Fail"><Fail><ErrorCode>E42</ErrorCode></Fail></Response>`, FailNames{}, 0, "E42", ""},
		{`<Response Result="Fail"/>`, FailNames{}, 0, "", ""},
	}
	for _, tc := range cases {
		r, err := DecodeResponse([]byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		code, codeText, msg := r.Fail(tc.names)
		if code != tc.code || codeText != tc.codeText || msg != tc.message {
			t.Errorf("%s: got %d %q %q", tc.body, code, codeText, msg)
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	for _, body := range []string{"", "plain text", `<Request Operation="CallRecIntList"/>`, `<Response/>`, `<Response Result="OK"/>`,
		`<?xml version="1.0" encoding="EBCDIC"?><Response Result="Success"/>`} {
		if _, err := DecodeResponse([]byte(body)); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
	r, err := DecodeResponse([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><Response Result="Success"><Success><Property Name="Description">caf` + "\xe9" + `</Property></Success></Response>`))
	if err != nil || EntryFromContainer(r.Success).Description != "café" {
		t.Errorf("latin-1: %v %+v", err, r)
	}
	if _, err := DecodeRequest([]byte(`<Response Result="Success"/>`)); err == nil {
		t.Error("request decoder accepted a response")
	}
}

func TestInvokeIDsWrap(t *testing.T) {
	c := &Client{}
	if got := c.nextInvokeID(); got != "00000" {
		t.Errorf("first InvokeID %q", got)
	}
	c.invoke.Store(99999)
	if a, b := c.nextInvokeID(), c.nextInvokeID(); a != "99999" || b != "00000" {
		t.Errorf("wrap: %q then %q", a, b)
	}
}

func TestParseScope(t *testing.T) {
	cases := map[string]Scope{
		"":        {},
		" all ":   {},
		"APP":     {},
		"1":       {TelSysID: "1"},
		"2/Sales": {TelSysID: "2", PartIDInTelSys: "Sales"},
		"1 / 2":   {TelSysID: "1", PartIDInTelSys: "2"},
		"11af8bacd55c1c4b:27b5f848:17a1045045c:-7f86": {PartitionGUID: "11af8bacd55c1c4b:27b5f848:17a1045045c:-7f86"},
	}
	for in, want := range cases {
		got, err := ParseScope(in)
		if err != nil || got != want {
			t.Errorf("ParseScope(%q) = %+v, %v", in, got, err)
		}
		if back, _ := ParseScope(got.Spec()); back != got {
			t.Errorf("Spec of %+v does not parse back", got)
		}
	}
	for _, bad := range []string{"x", "0", "-1", "1/", "/2", "1:2", "1/\x01", "99999999999"} {
		if _, err := ParseScope(bad); err == nil {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
	words := map[Scope]string{
		{}:                                   "application-wide",
		{TelSysID: "1"}:                      "telephony server 1",
		{TelSysID: "1", PartIDInTelSys: "2"}: "partition 2 of telephony server 1",
		{PartitionGUID: "a:b:c:d"}:           "partition a:b:c:d",
	}
	for s, want := range words {
		if s.String() != want {
			t.Errorf("%+v: %q", s, s.String())
		}
	}
}

func TestEntryHelpers(t *testing.T) {
	var e Entry
	for _, p := range Properties {
		if !e.Set(p.Name, "v-"+p.Name) || e.Get(strings.ToLower(p.Name)) != "v-"+p.Name {
			t.Errorf("Set/Get %s", p.Name)
		}
	}
	if e.Set("Nope", "x") || e.Get("Nope") != "" {
		t.Error("unknown property accepted")
	}
	// Every field of Entry is in the table (and so can be sent and shown).
	if n := reflect.TypeOf(Entry{}).NumField(); n != len(Properties) {
		t.Errorf("Entry has %d fields, Properties %d", n, len(Properties))
	}
	old := Entry{GUID: "g", Type: "Dubber", Description: "a", AuthUserID1: "u"}
	upd := old
	upd.Type, upd.Description, upd.AuthUserID1, upd.APIParameter1 = "Other", "b", "", "p"
	want := Changes{PropDescription: "b", PropAuthUserID1: "", PropAPIParameter1: "p"}
	if got := Diff(old, upd); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %v", got)
	}
	if !IsReadOnly("callrecinttype") || IsReadOnly(PropDescription) {
		t.Error("IsReadOnly")
	}
	if GroupOf(10302) != GroupSession || GroupOf(10313) != GroupAuthentication || GroupOf(10701) != GroupPermissions ||
		GroupOf(11013) != GroupTelephonyServer || GroupOf(11131) != GroupPartition || GroupOf(11403) != GroupIntegration ||
		GroupOf(10107) != GroupGeneral || GroupOf(99) != GroupUnknown {
		t.Error("GroupOf")
	}
	if got := ParseFields(" TelSysID, ,PartIDInTelSys "); !reflect.DeepEqual(got, []string{"TelSysID", "PartIDInTelSys"}) {
		t.Errorf("ParseFields = %q", got)
	}
}

// BenchmarkDecodeFullPage decodes a List answer of 1000 entries with every
// property, the largest page the service sends by default.
func BenchmarkDecodeFullPage(b *testing.B) {
	success := &Container{}
	for i := range 1000 {
		e := Entry{GUID: fmt.Sprintf("6917876061b72704:62272b78:17c939e2202:-%x", i), Type: TypeDubber, TelSysID: "1",
			PartIDInTelSys: "2", Description: fmt.Sprintf("Dubber team %d", i), IPAddrOrHost1: "api.dubber.net/uk1",
			IPAddrOrHost2: "api.dubber.net/uk2", AuthUserID1: "ex25dejpdb85vpqtsxr7napv", AuthUserID2: "userid2",
			APIParameter1: "param1", APIParameter2: "param2"}
		names := map[string]bool{}
		for _, p := range Properties {
			names[p.Name] = true
		}
		success.Containers = append(success.Containers, *payload(e, names))
	}
	body, err := Encode(&Response{Result: ResultSuccess, InvokeID: "00001", Success: success})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := DecodeResponse(body)
		if err != nil || len(r.Success.Containers) != 1000 {
			b.Fatal(err)
		}
		for i := range r.Success.Containers {
			_ = EntryFromContainer(&r.Success.Containers[i])
		}
	}
}
