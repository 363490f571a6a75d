package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/akixi"
)

func TestGUIDsHaveTheSeedShape(t *testing.T) {
	for _, e := range seedEntries() {
		if !akixi.ValidGUID(e.GUID) {
			t.Errorf("seed entry GUID %q", e.GUID)
		}
	}
	for _, p := range partitions {
		if !akixi.ValidGUID(p.guid) {
			t.Errorf("partition GUID %q", p.guid)
		}
	}
	g := &guidMaker{host: 0xd7ae7ea9bf56ebdc, unique: -0x3f5d0705, counter: -0x8000}
	if got := g.next(0x1559c8e762d); got != akixi.DemoEntryGUID {
		t.Errorf("GUID %q, want the seed's %q", got, akixi.DemoEntryGUID)
	}
	if got := g.next(0x1559c8e762d); !strings.HasSuffix(got, ":-7fff") {
		t.Errorf("counter does not advance: %q", got)
	}
	a, b := New(Options{Seed: 7}), New(Options{Seed: 7})
	if ea, eb := a.Entries(), b.Entries(); len(ea) != len(eb) || ea[len(ea)-1].GUID[:16] != eb[len(eb)-1].GUID[:16] {
		t.Error("the same seed gives different generated GUIDs")
	}
	if n := len(New(Options{GeneratedEntries: -1}).Entries()); n != len(seedEntries()) {
		t.Errorf("no generated entries: %d", n)
	}
}

// FuzzHandle feeds the simulator's request handling the seed's requests
// and their mutations: it must answer every body with an encodable
// Response, never panic, and echo a non-empty InvokeID.
func FuzzHandle(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "seed", "*_request.xml"))
	if len(files) != 5 {
		f.Fatalf("want 5 seed requests, got %d", len(files))
	}
	s := New(Options{GeneratedEntries: 3, Now: func() time.Time { return time.Unix(1700000000, 0) }})
	// A session every fuzzed request may use.
	login := s.handle([]byte(`<Request Operation="CreateSession"><InvokeID>0</InvokeID><OperationPayload><Property Name="UserName">demo</Property><Property Name="Password">demo</Property></OperationPayload></Request>`))
	sid, _ := login.Success.Property("SessionID")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(strings.ReplaceAll(string(b), "19397C980B72D043EEE18B58AE687263", sid)))
	}
	f.Add([]byte(`<Request Operation="CallRecIntList"><InvokeID>1</InvokeID><SessionID>` + sid + `</SessionID><Offset>0</Offset><Limit>2</Limit><OperationPayload><Property Name="CallRecIntFields">IPAddrOrHost1,CallRecIntType</Property><Property Name="TelSysID">2</Property><Property Name="PartIDInTelSys">Sales</Property></OperationPayload></Request>`))
	f.Add([]byte(`<Request Operation="CreateSession"><InvokeID>2</InvokeID></Request>`))
	f.Add([]byte(`not xml`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := s.handle(body)
		if resp == nil || (resp.Result != akixi.ResultSuccess && resp.Result != akixi.ResultFail) {
			t.Fatalf("answer %+v", resp)
		}
		out, err := akixi.Encode(resp)
		if err != nil {
			t.Fatal(err)
		}
		back, err := akixi.DecodeResponse(out)
		if err != nil {
			t.Fatalf("the client cannot read the answer: %v\n%s", err, out)
		}
		if req, err := akixi.DecodeRequest(body); err == nil && req.InvokeID != "" && back.InvokeID != req.InvokeID {
			t.Fatalf("InvokeID %q answered as %q", req.InvokeID, back.InvokeID)
		}
		if back.Result == akixi.ResultFail {
			if code, _, msg := back.Fail(akixi.DefaultFailNames); code == 0 || msg == "" {
				t.Fatalf("Fail without code or message: %s", out)
			}
		}
	})
}
