package voipnow

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// seedVerbatim is seed 002's response exactly as printed, including its
// missing comma before "link": it is not JSON, and must fail cleanly.
const seedVerbatim = `{"id":"b817d2618fe6f1804333",
  "extension":"0003*210",
  "ownerId":"3",
  "ownerName":"Default Organization", 
  "answered":"2012-06-27T16:08:55+03:00",
  "published":"2012-06-27T16:08:50+02:00",
  "phoneCallView":[
    {
       "id":"01",
       "extension":"0003*210",
       "answered":"2012-06-27T16:08:55+03:00",
       "status":"5", 
       "callerId":"John Doe <3333>",
       "source":["7778888"],
       "destination":["0003*210"],
       "recording":"2012-06-27T16:18:55+03:00"
     }
    ]
   "link":{"self":"https://x.x.x.x//uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333"}
 }`

// seedFixed is the same with the comma.
var seedFixed = strings.Replace(seedVerbatim, "]\n   \"link\"", "],\n   \"link\"", 1)

var callSeeds = []string{
	seedVerbatim,
	seedFixed,
	`{"id":"x1","phoneCallView":[{"id":"01","status":5,"flow":8,"callerID":"Ann <1>","source":"1","destination":["2"],"onHold":"0","parked":true}]}`,
	`[` + seedFixed + `]`,
	`{"id":12,"ownerId":3,"phoneCallView":null,"link":{"self":1,"related":"x"}}`,
	`{"id":"a","phoneCallView":[{"id":"01","status":"on call"}]}`,
	`{"id":"a","phoneCallView":[{"id":"01","source":[1,2e3,"x"],"onHold":1.5,"parked":"2012-06-27T16:08:55+03:00"}]}`,
	``, `null`, `[]`, `{}`, `"x"`,
}

var listSeeds = append([]string{
	`{"startIndex":0,"itemsPerPage":1,"totalResults":1,"entry":[` + seedFixed + `]}`,
	`{"startIndex":"5","itemsPerPage":"2","totalResults":"7","entry":[{"id":"a","phoneCallView":[]},{"id":"b","phoneCallView":[{"id":"01","status":"3","flow":"4"}]}]}`,
	`{"totalResults":0,"entry":null}`,
	`{"startIndex":-1,"entry":[]}`,
	`{"startIndex":1e99}`,
}, callSeeds...)

var errorSeeds = []string{
	`{"error":{"code":"pc_recformat_invalid","message":"Value supplied in recFormat parameter is missing or invalid. The parameter must be set to one of the following value: wav or wav49."}}`,
	`{"error":{"code":"pc_phonecall_invalid","message":"Value supplied in phoneCallId from the URI-Fragment is invalid."}}`,
	`{"error":{"code":"pc_phonecallview_invalid","message":"Value supplied in phoneCallViewId parameter is missing or invalid."}}`,
	`{"error":{"code":"user_invalid","message":"x"}}`,
	`{"error":{"code":"extension_invalid","message":"x"}}`,
	`{"error":{"code":"access_denied","message":"x"}}`,
	`{"error":{"code":"internal_server_error","message":"x"}}`,
	`{"error":"invalid_token","error_description":"The access token expired"}`,
	`{"error":{"code":"x","message":"\u001b[2J\u001b]0;pwned\u0007"}}`,
	`{"error":null}`, `{"error":5}`, `<html>502</html>`, ``,
}

// FuzzDecodePhoneCallList: never panics; whatever decodes survives a
// round trip through the simulator's encoding unchanged.
func FuzzDecodePhoneCallList(f *testing.F) {
	for _, s := range listSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodePhoneCallList(data)
		if err != nil {
			return
		}
		if l.StartIndex < 0 || l.ItemsPerPage < 0 || l.TotalResults < 0 {
			t.Fatalf("negative paging: %+v", l)
		}
		out, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", l, err)
		}
		again, err := DecodePhoneCallList(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !reflect.DeepEqual(l, again) {
			t.Fatalf("round trip changed the list:\n%+v\n%+v", l, again)
		}
		for _, c := range l.Calls {
			for _, v := range c.Views {
				_ = v.Status.String() + v.Flow.String()
				_, _ = v.Recording.Time()
			}
		}
	})
}

// FuzzDecodePhoneCall: never panics; a decoded call has an id and survives
// a round trip.
func FuzzDecodePhoneCall(f *testing.F) {
	for _, s := range callSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodePhoneCall(data)
		if err != nil {
			return
		}
		if c.ID == "" {
			t.Fatal("decoded a call without an id")
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodePhoneCall(out)
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, c, again)
		}
	})
}

// FuzzErrorBody: never panics, and the error text a supervisor sees holds
// no control characters (no terminal escape sequences from the PBX).
func FuzzErrorBody(f *testing.F) {
	for _, s := range errorSeeds {
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		d, ok := DecodeErrorBody(data)
		if ok && d.Code == "" && d.Message == "" {
			t.Fatal("ok without a code or message")
		}
		text := errorFromBody(status, data).Error()
		if strings.IndexFunc(text, unicode.IsControl) >= 0 {
			t.Fatalf("control character in %q", text)
		}
	})
}

func TestSeedResponseDecodes(t *testing.T) {
	if _, err := DecodePhoneCall([]byte(seedVerbatim)); err == nil {
		t.Error("the seed's response as printed (missing comma) decoded")
	}
	c, err := DecodePhoneCall([]byte(seedFixed))
	if err != nil {
		t.Fatal(err)
	}
	v := c.Views[0]
	if c.ID != "b817d2618fe6f1804333" || c.OwnerID != "3" || v.Status != StatusOnCall || v.CallerID != "John Doe <3333>" ||
		!reflect.DeepEqual(v.Source, Numbers{"7778888"}) || !v.IsRecording() || c.Link["self"] == "" {
		t.Errorf("decoded %+v", c)
	}
	if at, ok := v.Recording.Time(); !ok || at.UTC().Hour() != 13 {
		t.Errorf("recording time %v %v", at, ok)
	}
	// callerID, the other spelling; string source; flag forms.
	c, err = DecodePhoneCall([]byte(callSeeds[2]))
	if err != nil {
		t.Fatal(err)
	}
	v = c.Views[0]
	if v.CallerID != "Ann <1>" || v.Flow != FlowIncoming || v.Status != StatusOnCall || !reflect.DeepEqual(v.Source, Numbers{"1"}) || bool(v.OnHold) || !bool(v.Parked) {
		t.Errorf("decoded %+v", v)
	}
	if Status(9).String() != "status 9" || StatusOtherRinging.String() != "other side ringing" || Flow(0).String() != "-" {
		t.Error("enum words")
	}
}

// BenchmarkDecodePhoneCallList decodes a full default page (500 calls).
func BenchmarkDecodePhoneCallList(b *testing.B) {
	var entries []string
	for range 500 {
		entries = append(entries, seedFixed)
	}
	data := []byte(`{"startIndex":0,"itemsPerPage":500,"totalResults":500,"entry":[` + strings.Join(entries, ",") + `]}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePhoneCallList(data); err != nil {
			b.Fatal(err)
		}
	}
}
