package noojee

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The seed's example response (DESIGN.md; the document elides Destination).
const exampleJSON = `[{"Source":"400","Leg":"1","Start":"2014-02-13 17:06:52.0","Tag":"1234","Duration":"4","Username":"Fred","CallRecordId":"198348","UniqueId":"1392271611.238","DID":"internal","Direction":"2","Destination":"..."}]`

const byHourJSON = `[{"Source":"0412555019","Leg":"2","Start":"Tue Sep 14 15:03:30 AEST 2021","Tag":"","Duration":"95","Username":"Mary","CallRecordId":"5","UniqueId":"1631595800.12","DID":"0290001234","Direction":"Inbound","Destination":"402","callend":"Tue Sep 14 15:09:30 AEST 2021"},
{"Source":"0412555019","Leg":"1","Start":"Tue Sep 14 15:03:20 AEST 2021","Tag":"","Duration":"10","Username":"Administrator","CallRecordId":"4","UniqueId":"1631595800.12","DID":"0290001234","Direction":"Inbound","Destination":"8000","callend":"Tue Sep 14 15:09:30 AEST 2021"}]`

func sydney(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDecodeSeedExampleEveryField(t *testing.T) {
	loc := sydney(t)
	legs, err := DecodeLegs([]byte(exampleJSON), loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 1 {
		t.Fatalf("got %d legs", len(legs))
	}
	l := legs[0]
	want := time.Date(2014, 2, 13, 17, 6, 52, 0, loc)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Source", l.Source, "400"}, {"Leg", l.Leg, 1}, {"Start", l.Start.Equal(want), true},
		{"Tag", l.Tag, "1234"}, {"Duration", l.Duration, 4 * time.Second}, {"Username", l.Username, "Fred"},
		{"CallRecordId", l.CallRecordID, "198348"}, {"UniqueId", l.UniqueID, "1392271611.238"},
		{"DID", l.DID, "internal"}, {"Direction", l.Direction, Internal}, {"Destination", l.Destination, "..."},
		{"Raw.Start", l.Raw.Start, "2014-02-13 17:06:52.0"}, {"CallEnd", l.CallEnd.IsZero(), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The instant agrees with the unique id's epoch (17:06:51 AEDT), one
	// second after the call began: the document's "small delay".
	if got := l.Start.Unix() - 1392271611; got != 1 {
		t.Errorf("start is %d s after the unique id's epoch, want 1", got)
	}
}

func TestDecodeByHourStyleSortedWithCallEnd(t *testing.T) {
	legs, err := DecodeLegs([]byte(byHourJSON), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 2 || legs[0].Leg != 1 || legs[1].Leg != 2 {
		t.Fatalf("legs not sorted by Leg: %+v", legs)
	}
	aest := time.FixedZone("AEST", 10*3600)
	if want := time.Date(2021, 9, 14, 15, 3, 20, 0, aest); !legs[0].Start.Equal(want) {
		t.Errorf("Start = %v, want %v", legs[0].Start, want)
	}
	if want := time.Date(2021, 9, 14, 15, 9, 30, 0, aest); !legs[1].CallEnd.Equal(want) {
		t.Errorf("CallEnd = %v, want %v", legs[1].CallEnd, want)
	}
	if legs[0].Direction != Inbound {
		t.Errorf("Direction = %v", legs[0].Direction)
	}
	calls := GroupCalls(legs)
	if len(calls) != 1 || calls[0].Duration() != 105*time.Second {
		t.Fatalf("calls = %+v", calls)
	}
	if s := calls[0].Share(1); s < 0.90 || s > 0.91 {
		t.Errorf("share of leg 2 = %v, want 95/105", s)
	}
}

func TestDecodeShapes(t *testing.T) {
	cases := []struct {
		name, body string
		legs       int
		wantErr    string
	}{
		{"empty", ``, 0, ""},
		{"null", `null`, 0, ""},
		{"empty array", `[]`, 0, ""},
		{"single object", `{"Leg":"1","UniqueId":"1.1","Duration":"3"}`, 1, ""},
		{"numbers", `[{"Leg":2,"UniqueId":"1.1","Duration":3.5,"Direction":1}]`, 1, ""},
		{"map of calls", `{"1.1":[{"Leg":"1","UniqueId":"1.1"}],"2.2":{"Leg":"1","UniqueId":"2.2"}}`, 2, ""},
		{"lower-case keys", `[{"leg":"1","uniqueid":"1.1","duration":"2"}]`, 1, ""},
		{"bad leg", `[{"Leg":"x","UniqueId":"1.1"}]`, 0, "Leg"},
		{"zero leg", `[{"Leg":"0"}]`, 0, "Leg"},
		{"bad duration", `[{"Leg":"1","Duration":"-4"}]`, 0, "Duration"},
		{"html", `<html>oops</html>`, 0, "want a JSON array"},
		{"string", `"hello"`, 0, "want a JSON array"},
		{"nested object value", `[{"Leg":"1","Tag":{"a":1}}]`, 0, "want a string"},
		{"array of strings", `["a"]`, 0, "want a leg object"},
		{"too deep", `[[[[[{"Leg":"1"}]]]]]`, 0, "too deeply"},
		{"truncated", `[{"Leg":"1"`, 0, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			legs, err := DecodeLegs([]byte(c.body), time.UTC)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(legs) != c.legs {
				t.Fatalf("got %d legs, err %v; want %d", len(legs), err, c.legs)
			}
		})
	}
}

func TestParseTimeStyles(t *testing.T) {
	loc := sydney(t)
	cases := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{"2014-02-13 17:06:52.0", time.Date(2014, 2, 13, 17, 6, 52, 0, loc), false},
		{"2014-02-13 17:06:52", time.Date(2014, 2, 13, 17, 6, 52, 0, loc), false},
		{"2014-02-13 17:06:52.25", time.Date(2014, 2, 13, 17, 6, 52, 250e6, loc), false},
		{"Tue Sep 14 15:03:30 AEST 2021", time.Date(2021, 9, 14, 5, 3, 30, 0, time.UTC), false},
		{"Thu Feb 13 17:06:52 AEDT 2014", time.Date(2014, 2, 13, 6, 6, 52, 0, time.UTC), false},
		{"Thu Feb  3 17:06:52 ACDT 2014", time.Date(2014, 2, 3, 6, 36, 52, 0, time.UTC), false},
		{"Tue Sep 14 15:03:30 UTC 2021", time.Date(2021, 9, 14, 15, 3, 30, 0, time.UTC), false},
		{"", time.Time{}, false},
		{"Tue Sep 14 15:03:30 XYZT 2021", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, c := range cases {
		got, err := ParseTime(c.in, loc)
		if (err != nil) != c.bad || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
	// The configured zone's own abbreviation is understood.
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParseTime("Tue Jan 05 10:00:00 PST 2021", la); err != nil || got.UTC().Hour() != 18 {
		t.Errorf("PST in Los Angeles = %v, %v", got, err)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	loc := sydney(t)
	tm := time.Date(2021, 9, 14, 15, 3, 30, 0, loc)
	if got := FormatJavaDate(tm); got != "Tue Sep 14 15:03:30 AEST 2021" {
		t.Errorf("FormatJavaDate = %q", got)
	}
	if got := FormatTimestamp(tm); got != "2021-09-14 15:03:30.0" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	for _, s := range []string{FormatJavaDate(tm), FormatTimestamp(tm)} {
		if back, err := ParseTime(s, loc); err != nil || !back.Equal(tm) {
			t.Errorf("ParseTime(%q) = %v, %v", s, back, err)
		}
	}
}

func TestParseDirectionBothStyles(t *testing.T) {
	for in, want := range map[string]Direction{"0": Inbound, "1": Outbound, "2": Internal,
		"Inbound": Inbound, "outbound": Outbound, " INTERNAL ": Internal} {
		if got, err := ParseDirection(in); err != nil || got != want {
			t.Errorf("ParseDirection(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"3", "-1", "sideways", ""} {
		if got, err := ParseDirection(in); err == nil || got != DirectionUnknown {
			t.Errorf("ParseDirection(%q) = %v, %v; want an error", in, got, err)
		}
	}
}

func TestParseTimeStamp(t *testing.T) {
	for in, want := range map[string]string{"1447887203341": "1447887203341", " 1447887203341\n": "1447887203341",
		`"1447887203341"`: "1447887203341"} {
		if got, err := ParseTimeStamp([]byte(in)); err != nil || got != want {
			t.Errorf("ParseTimeStamp(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "abc", "12", "-1447887203341", "1447887203341.5", "<html>"} {
		if _, err := ParseTimeStamp([]byte(in)); err == nil {
			t.Errorf("ParseTimeStamp(%q) accepted", in)
		}
	}
}

func TestHashFormula(t *testing.T) {
	// sha256("k:1") computed independently (printf 'k:1' | sha256sum).
	const want = "3263756b4d55dcaf00c0a58fbfd5e9b5ff78267c6dc3cd9445fb3a9fbd9bab10"
	if got := Hash("k", "1"); len(got) != 64 {
		t.Fatalf("Hash = %q", got)
	} else if got != want {
		t.Errorf("Hash(k, 1) = %s, want %s", got, want)
	}
}

func TestLegFileName(t *testing.T) {
	for _, c := range []struct {
		id   string
		leg  int
		want string
	}{
		{"1392271611.238", 2, "1392271611.238-leg2.wav"},
		{"../../etc/passwd", 1, "_.._etc_passwd-leg1.wav"},
		{"...", 1, "call-leg1.wav"},
	} {
		if got := LegFileName(c.id, c.leg, ".wav"); got != c.want {
			t.Errorf("LegFileName(%q) = %q, want %q", c.id, got, c.want)
		}
	}
}

// FuzzDecodeLegs: no panic; what decodes is sorted, valid, and decodes to
// the same legs again from its Raw form.
func FuzzDecodeLegs(f *testing.F) {
	for _, s := range []string{exampleJSON, byHourJSON, `[]`, `null`, `{"Leg":"1"}`,
		`{"a":[{"Leg":"3","UniqueId":"x"},{"Leg":"1","UniqueId":"x"}]}`,
		`[{"Leg":1,"Duration":4.5,"Direction":"Outbound","Start":"Thu Feb 13 17:06:52 AEDT 2014"}]`,
		`[{"Leg":"1","Start":"2014-02-13 17:06:52.123456789","callend":"bogus"}]`} {
		f.Add([]byte(s))
	}
	loc := time.FixedZone("AEST", 10*3600)
	f.Fuzz(func(t *testing.T, data []byte) {
		legs, err := DecodeLegs(data, loc)
		if err != nil {
			return
		}
		for i, l := range legs {
			if l.Leg < 1 || l.Duration < 0 {
				t.Fatalf("invalid leg accepted: %+v", l)
			}
			if i > 0 && legs[i-1].UniqueID == l.UniqueID && legs[i-1].Leg > l.Leg {
				t.Fatalf("legs of a call out of order")
			}
		}
		raws := make([]WireLeg, len(legs))
		for i, l := range legs {
			raws[i] = l.Raw
		}
		again, err := json.Marshal(raws)
		if err != nil {
			t.Fatal(err)
		}
		legs2, err := DecodeLegs(again, loc)
		if err != nil || len(legs2) != len(legs) {
			t.Fatalf("re-decoding the raw form: %d legs, %v (first time %d)", len(legs2), err, len(legs))
		}
		for i := range legs {
			a, b := legs[i], legs2[i]
			if a.Leg != b.Leg || a.UniqueID != b.UniqueID || a.Duration != b.Duration ||
				!a.Start.Equal(b.Start) || !a.CallEnd.Equal(b.CallEnd) || a.Direction != b.Direction || a.Raw != b.Raw {
				t.Fatalf("leg %d differs after a round trip:\n%+v\n%+v", i, a, b)
			}
		}
	})
}

// FuzzParseTime: no panic; a time that parses formats back (in the metadata
// style) to text that parses to the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2014-02-13 17:06:52.0", "Tue Sep 14 15:03:30 AEST 2021",
		"Thu Feb 13 17:06:52 AEDT 2014", "2021-09-14T15:03:30+10:00", "Tue Sep 14 15:03:30 PST 2021", ""} {
		f.Add(s)
	}
	loc := time.FixedZone("AEST", 10*3600)
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, loc)
		if err != nil || tm.IsZero() {
			return
		}
		back, err := ParseTime(FormatTimestamp(tm.In(loc)), loc)
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, tm, FormatTimestamp(tm.In(loc)), back, err)
		}
	})
}

// FuzzParseTimeStamp: no panic; what is accepted is digits only.
func FuzzParseTimeStamp(f *testing.F) {
	for _, s := range []string{"1447887203341", `"1447887370175"`, "1447887203341\n", "abc", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ParseTimeStamp(data)
		if err != nil {
			return
		}
		if strings.Trim(ts, "0123456789") != "" || len(ts) < 10 {
			t.Fatalf("accepted %q", ts)
		}
	})
}

// TestOneLine: an error excerpt is one line of printable text (controls,
// bidirectional overrides and line separators folded into single spaces)
// with the secret and any hash blanked.
func TestOneLine(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	body := []byte("Bad key k3y-s3cret\r\n\x1b[2J\u2028line\u2029two \u202eevil hash=" + hash + " \xff")
	got := oneLine(body, 200, "k3y-s3cret")
	want := "Bad key [redacted] [2J line two evil hash=[redacted] ?"
	if got != want {
		t.Errorf("oneLine = %q, want %q", got, want)
	}
	if got := oneLine([]byte("0123456789"), 4); got != "0123..." {
		t.Errorf("clipped: %q", got)
	}
}
