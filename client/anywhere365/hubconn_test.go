package anywhere365

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// rawHub serves one WebSocket that sends msgs, one message each, then
// waits for the client to go away.
func rawHub(t *testing.T, msgs ...string) *websocket.Conn {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for _, m := range msgs {
			if err := c.Write(r.Context(), websocket.MessageText, []byte(m)); err != nil {
				return
			}
		}
		_, _, _ = c.Read(r.Context()) // until the client closes
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func evRecord(id string, a string) string {
	return `{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"u","CorrelationId":"` + id + `","StateAction":"` + a + `"}]}` + "\x1e"
}

// The connection splits messages into records, delivers events in order
// and hands everything else to the library with io.Reader semantics: at
// most one record per Read, a record longer than p across several Reads,
// records cut across messages joined.
func TestHubConnSplitsAndPassesThrough(t *testing.T) {
	trLeakCheck(t)
	long := `{"type":3,"invocationId":"1","result":"` + strings.Repeat("r", 100) + `"}` + "\x1e"
	ws := rawHub(t,
		"{}\x1e"+evRecord(trKey(0).CorrelationID, "Pause")+`{"type":6}`+"\x1e",
		evRecord(trKey(1).CorrelationID, "Start")+long[:30],
		long[30:]+`{"type":1,"target":"other","arguments":[]}`+"\x1e"+evRecord(trKey(2).CorrelationID, "Stop"),
		`{"type":1,"target":"recordingstatechangedevent","arguments":[1,2]}`+"\x1e"+`{"type":7}`+"\x1e",
	)
	c := newHubConn(context.Background(), ws, "id", 1<<10)
	var events []string
	var invalid []error
	c.onEvent = func(ev RecordingStateChangedEvent) {
		events = append(events, ev.CorrelationId+" "+ev.StateAction.String())
	}
	c.onInvalid = func(err error) { invalid = append(invalid, err) }
	defer c.close()

	var got []string
	var cur bytes.Buffer
	p := make([]byte, 7)
	for len(got) < 5 {
		n, err := c.Read(p)
		if err != nil {
			t.Fatalf("Read: %v (got %q)", err, got)
		}
		if i := bytes.IndexByte(p[:n], recordSeparator); i >= 0 && i != n-1 {
			t.Fatalf("a Read returned more than one record: %q", p[:n])
		}
		cur.Write(p[:n])
		if p[n-1] == recordSeparator {
			got = append(got, cur.String())
			cur.Reset()
		}
	}
	want := []string{"{}\x1e", `{"type":6}` + "\x1e", long, `{"type":1,"target":"other","arguments":[]}` + "\x1e", `{"type":7}` + "\x1e"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
	wantEv := []string{trKey(0).CorrelationID + " Pause", trKey(1).CorrelationID + " Start", trKey(2).CorrelationID + " Stop"}
	if strings.Join(events, ",") != strings.Join(wantEv, ",") {
		t.Errorf("events %v, want %v", events, wantEv)
	}
	if len(invalid) != 1 || !strings.Contains(invalid[0].Error(), "2 arguments") {
		t.Errorf("invalid %v", invalid)
	}
}

// Oversized messages: skipped and reported once, the next record still
// delivered; over the hard cap, Read fails with the reason.
func TestHubConnSizeLimit(t *testing.T) {
	trLeakCheck(t)
	big := evRecord(trKey(0).CorrelationID, "Pause") + strings.Repeat(" ", 2000)
	huge := strings.Repeat("x", 1024*hardCapFactor+1)
	ws := rawHub(t, big, evRecord(trKey(1).CorrelationID, "Start"), big, evRecord(trKey(2).CorrelationID, "Stop"), huge)
	c := newHubConn(context.Background(), ws, "id", 1024)
	var events []string
	var sizes []*MessageSizeError
	c.onEvent = func(ev RecordingStateChangedEvent) { events = append(events, ev.CorrelationId) }
	c.onOversize = func(e *MessageSizeError) { sizes = append(sizes, e) }
	defer c.close()
	_, err := c.Read(make([]byte, 64))
	var se *MessageSizeError
	if !errors.As(err, &se) || !se.Closed || !errors.As(c.Err(), &se) {
		t.Fatalf("Read = %v, Err = %v; want the hard cap", err, c.Err())
	}
	if len(events) != 2 || events[0] != trKey(1).CorrelationID || events[1] != trKey(2).CorrelationID {
		t.Fatalf("events %v", events)
	}
	if len(sizes) != 1 || sizes[0].Size != int64(len(big)) || sizes[0].Error() != fmt.Sprintf("hub message of %d bytes exceeds the limit of 1024: raise hub.max_message_size", len(big)) {
		t.Fatalf("reports %v (big is %d bytes)", sizes, len(big))
	}
}

// A server busy sending events sends no pings; the library would time the
// connection out after 30 s without a message it sees. So when only
// events came for a second, the connection hands the library a ping.
func TestHubConnKeepsLibraryAlive(t *testing.T) {
	trLeakCheck(t)
	ws := rawHub(t, evRecord(trKey(0).CorrelationID, "Pause"), evRecord(trKey(1).CorrelationID, "Start"))
	c := newHubConn(context.Background(), ws, "id", 1<<10)
	var events int
	c.onEvent = func(RecordingStateChangedEvent) { events++ }
	defer c.close()
	c.lastPass = time.Now().Add(-keepAliveEvery)
	p := make([]byte, 64)
	n, err := c.Read(p)
	if err != nil || string(p[:n]) != string(pingRecord) || events != 1 {
		t.Fatalf("Read = %q, %v after %d events; want a ping after the first", p[:n], err, events)
	}
}

// slowEvent is the encoding/json path of hubConn.record for one record:
// the event it delivers, or ok false when it would hand the record to the
// library or report it invalid.
func slowEvent(rec []byte) (RecordingStateChangedEvent, bool) {
	var hr hubRecord
	if json.Unmarshal(rec, &hr) != nil || hr.Type != 1 || !strings.EqualFold(hr.Target, HubTarget) || hr.InvocationID != "" || len(hr.Arguments) != 1 {
		return RecordingStateChangedEvent{}, false
	}
	ev, err := DecodeEvent(hr.Arguments[0])
	return ev, err == nil
}

// The fast path gives exactly the encoding/json path's event whenever it
// takes a record, and takes the usual forms (any member order and case,
// whitespace); anything unusual is left to encoding/json.
func FuzzFastEvent(f *testing.F) {
	id := trKey(0).CorrelationID
	usual := []string{
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"payments","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"arguments":[{"StateAction":7,"correlationid":"` + id + `","uccName":"ucc-demo-name"}],"TARGET":"recordingstatechangedevent","Type":1}`,
		" { \"type\" : 1 ,\n\t\"target\":\"RecordingStateChangedEvent\" , \"arguments\" : [ { \"UccName\" : \"Ünïcode ucc\" , \"CorrelationId\" : \"" + id + "\" , \"StateAction\" : 1 } ] } \r\n",
	}
	for _, u := range usual {
		if _, ok := fastEvent([]byte(u)); !ok {
			f.Fatalf("the fast path refused a usual record: %s", u)
		}
		f.Add(u)
	}
	for _, u := range []string{
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"pay\u006dents","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2,"UccName":"b"}]}`,
		`{"type":1,"type":3,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","invocationId":"7","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":"Pause"}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2.0}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":02}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":9}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"not-a-guid","StateAction":2}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a\xff","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2}],"x":{}}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2}]}x`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2},{}]}`,
		`{"type":1,"target":"RecordingStateChangedEvent","arguments":[]}`,
		`{"type":1,"tar\u0067et":"RecordingStateChangedEvent","arguments":[{"UccName":"a","CorrelationId":"` + id + `","StateAction":2}]}`,
		`{"ty\u212ape":1}`, `{"type":6}`, `{}`, `[]`, ``,
	} {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		fast, ok := fastEvent([]byte(rec))
		if !ok {
			return // encoding/json decides, as before
		}
		slow, sok := slowEvent([]byte(rec))
		if !sok || slow != fast {
			t.Fatalf("record %q: fast path %+v, encoding/json %+v (taken %v)", rec, fast, slow, sok)
		}
	})
}

// BenchmarkHubEventDecode is one event record through the fast path and
// through encoding/json.
func BenchmarkHubEventDecode(b *testing.B) {
	rec := []byte(`{"type":1,"target":"RecordingStateChangedEvent","arguments":[{"UccName":"payments","CorrelationId":"` + trKey(0).CorrelationID + `","StateAction":2}]}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := fastEvent(rec); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := slowEvent(rec); !ok {
				b.Fatal("refused")
			}
		}
	})
}
