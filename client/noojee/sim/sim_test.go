package sim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/noojee"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fixedNow = func() time.Time { return time.Date(2021, 9, 14, 15, 0, 20, 0, time.UTC) }

func TestGenerationIsSeededAndCoversEveryHour(t *testing.T) {
	a := New(Config{Seed: 3, Now: fixedNow})
	b := New(Config{Seed: 3, Now: fixedNow})
	if !reflect.DeepEqual(a.Calls(), b.Calls()) {
		t.Fatal("same seed and clock gave different calls")
	}
	if reflect.DeepEqual(a.Calls(), New(Config{Seed: 4, Now: fixedNow}).Calls()) {
		t.Fatal("different seeds gave the same calls")
	}
	perHour := map[string]int{}
	ids := map[string]bool{}
	legCounts := map[int]int{}
	for _, c := range a.Calls() {
		if ids[c.UniqueID] {
			t.Fatalf("unique id %s used twice", c.UniqueID)
		}
		ids[c.UniqueID] = true
		d, h := noojee.HourOf(c.Start, a.Location())
		perHour[d+" "+string(rune('A'+h))]++
		legCounts[len(c.Legs)]++
		for i, l := range c.Legs {
			if l.Leg != itoa(i+1) || l.UniqueID != c.UniqueID {
				t.Fatalf("call %s leg %d: %+v", c.UniqueID, i, l)
			}
		}
		if !c.Start.After(fixedNow().Add(-25*time.Hour)) && c.UniqueID != ExampleUniqueID && c.UniqueID != ExampleUniqueID2 {
			t.Fatalf("call %s at %v is older than a day", c.UniqueID, c.Start)
		}
	}
	now := fixedNow()
	for h := 1; h <= 24; h++ {
		d, hh := noojee.HourOf(now.Add(-time.Duration(h)*time.Hour), a.Location())
		if perHour[d+" "+string(rune('A'+hh))] == 0 {
			t.Errorf("hour %s %d has no calls", d, hh)
		}
	}
	if legCounts[3]+legCounts[4]+legCounts[5] == 0 || legCounts[1] != 0 {
		t.Errorf("leg counts per call: %v", legCounts)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestWAVHeader(t *testing.T) {
	s := New(Config{Now: fixedNow})
	wav, err := s.Audio(ExampleUniqueID, 1) // 4 s
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(wav) != 44+4*8000*2 || string(wav[:4]) != "RIFF" || string(wav[8:16]) != "WAVEfmt " ||
		le.Uint32(wav[4:]) != uint32(len(wav)-8) || le.Uint16(wav[20:]) != 1 || le.Uint16(wav[22:]) != 1 ||
		le.Uint32(wav[24:]) != 8000 || le.Uint16(wav[34:]) != 16 || string(wav[36:40]) != "data" ||
		le.Uint32(wav[40:]) != uint32(len(wav)-44) {
		t.Fatalf("bad WAV header % x", wav[:44])
	}
	if bytes.Equal(wav[44:1044], make([]byte, 1000)) {
		t.Error("audio is silence, want a tone")
	}
	again, _ := s.Audio(ExampleUniqueID, 1)
	other, _ := s.Audio(ExampleUniqueID, 2)
	if !bytes.Equal(wav, again) || bytes.Equal(wav[44:2044], other[44:2044]) {
		t.Error("audio not deterministic, or legs not told apart")
	}
}

func TestControlRoutes(t *testing.T) {
	s := New(Config{Now: fixedNow})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer http.DefaultClient.CloseIdleConnections()
	resp, err := http.Get(srv.URL + CallsPath)
	if err != nil {
		t.Fatal(err)
	}
	var calls []CallInfo
	err = json.NewDecoder(resp.Body).Decode(&calls)
	resp.Body.Close()
	if err != nil || len(calls) < 48 || calls[0].Start.Before(calls[len(calls)-1].Start) {
		t.Fatalf("calls: %d, %v (newest first?)", len(calls), err)
	}
	resp, err = http.Post(srv.URL+FaultsPath+"?cut=5", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || s.cutNext != 5 {
		t.Fatalf("fault route: %d, cut %d", resp.StatusCode, s.cutNext)
	}
	resp, err = http.Post(srv.URL+FaultsPath+"?cut=x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("bad fault: %d", resp.StatusCode)
	}
}

// TestHistoryRollsForward: a simulator left running keeps recordings in
// every one of the last 24 hours, lists a call only once it has ended, and
// its by-hour answers come from the index.
func TestHistoryRollsForward(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := New(Config{Seed: 9, Now: clock})
	before := len(s.Calls())

	mu.Lock()
	now = now.Add(30 * time.Hour)
	mu.Unlock()
	calls := s.Calls()
	if len(calls) <= before {
		t.Fatalf("%d calls after 30 hours, %d before: the history did not roll", len(calls), before)
	}
	perHour := map[string]int{}
	for _, c := range calls {
		perHour[hourKey(c.Start, s.Location())]++
		last := c.Legs[len(c.Legs)-1]
		start, err := noojee.ParseTime(last.Start, s.Location())
		if err != nil {
			t.Fatal(err)
		}
		dur, _ := noojee.ParseSeconds(last.Duration)
		if end := start.Add(dur); end.After(clock()) {
			t.Fatalf("call %s is listed before it ends (%v > %v)", c.UniqueID, end, clock())
		}
	}
	for h := 1; h <= 24; h++ {
		k := hourKey(clock().Add(-time.Duration(h)*time.Hour), s.Location())
		if perHour[k] == 0 {
			t.Errorf("hour %s has no calls after 30 hours", k)
		}
	}

	// The by-hour answer of the latest whole hour lists exactly the legs
	// that ENDED in it (the vendor's rule), whichever hour their call began.
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer http.DefaultClient.CloseIdleConnections()
	date, hour := noojee.HourOf(clock().Add(-time.Hour), s.Location())
	want := map[string]bool{} // CallRecordId of every leg ending in the hour
	crossing := 0
	for _, c := range calls {
		in := 0
		for _, l := range c.Legs {
			start, _ := noojee.ParseTime(l.Start, s.Location())
			dur, _ := noojee.ParseSeconds(l.Duration)
			if d, h := noojee.HourOf(start.Add(dur), s.Location()); d == date && h == hour {
				want[l.CallRecordID] = true
				in++
			}
		}
		if in > 0 && in < len(c.Legs) {
			crossing++
		}
	}
	resp, err := http.Post(srv.URL+noojee.DefaultRecordingAPIPath+"/retrieveMetaDataByHour?apiKey=demo&date="+date+"&hour="+itoa(hour), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var legs []noojee.WireLeg
	err = json.NewDecoder(resp.Body).Decode(&legs)
	resp.Body.Close()
	got := map[string]bool{}
	for _, l := range legs {
		got[l.CallRecordID] = true
	}
	if err != nil || len(legs) == 0 || len(got) != len(want) {
		t.Fatalf("by-hour %s %d: %d legs, want %d (%v)", date, hour, len(got), len(want), err)
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("leg %s ended in the hour but is not listed", id)
		}
	}
	t.Logf("%d calls of the hour cross into another hour", crossing)
}

// TestCallCrossingTheHourIsSplit: a call whose legs end in two hours is in
// both hours' lists, each with the legs that ended in it.
func TestCallCrossingTheHourIsSplit(t *testing.T) {
	now := time.Date(2021, 9, 14, 18, 0, 0, 0, time.UTC)
	s := New(Config{Seed: 1, Now: func() time.Time { return now }, CallsMin: 1, CallsMax: 1})
	loc := s.Location()
	// Stop/start files a one-leg call; two legs crossing 15:00 server time
	// come from recording the same unique id twice.
	s.mu.Lock()
	t0 := time.Date(2021, 9, 14, 14, 58, 0, 0, loc)
	c := &call{uniqueID: "1631624280.77", direction: noojee.Inbound, did: "0290001234", legs: []leg{
		{n: 1, start: t0, dur: 60, source: "0412", dest: "8001", username: "Administrator", recordID: "1"},
		{n: 2, start: t0.Add(60 * time.Second), dur: 120, source: "0412", dest: "401", username: "Fred", recordID: "2"},
		{n: 3, start: t0.Add(180 * time.Second), dur: 30, source: "0412", dest: "402", username: "Mary", recordID: "3"},
	}}
	s.add(c)
	s.mu.Unlock()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer http.DefaultClient.CloseIdleConnections()
	legsOf := func(hour int) []string {
		t.Helper()
		now = now.Add(time.Minute) // the by-hour rate limit
		resp, err := http.Post(srv.URL+noojee.DefaultRecordingAPIPath+"/retrieveMetaDataByHour?apiKey=demo&date=2021/09/14&hour="+itoa(hour), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var legs []noojee.WireLeg
		if err := json.NewDecoder(resp.Body).Decode(&legs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range legs {
			if l.UniqueID == c.uniqueID {
				out = append(out, l.Leg)
			}
		}
		return out
	}
	if got := legsOf(14); len(got) != 1 || got[0] != "1" {
		t.Errorf("14:00 lists legs %v, want [1] (the leg that ended before 15:00)", got)
	}
	if got := legsOf(15); len(got) != 2 || got[0] != "2" || got[1] != "3" {
		t.Errorf("15:00 lists legs %v, want [2 3]", got)
	}
}
