package anywhere365_test

// Issue 4, "Performance": an action's round trip through the client against
// the simulator, beside a bare net/http POST of the same request to the
// same simulator. The ratio is the client's own cost (validation, JSON,
// error classification); the goal is at most 1.1.
//
//	go test -run '^$' -bench ActionRoundTrip -benchtime 3000x ./client/anywhere365/

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// BenchmarkActionRoundTrip alternates Mark and UnMark (both always valid)
// on one call. Each iteration makes one Client.Set, one bare POST (read the
// body, nothing more) and one bare POST whose answer is decoded into the
// API's StateResponse (the least any caller must do to learn the outcome),
// each timed on its own and in rotating order, so all see the same machine
// load. It reports the median latencies and the ratios client/bare and
// client/bare+decode.
func BenchmarkActionRoundTrip(b *testing.B) {
	r, err := sim.Listen("127.0.0.1:0", sim.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	const id = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	if _, err := r.Server.CreateCall("ucc-demo-name", id, true); err != nil {
		b.Fatal(err)
	}
	// Separate transports with the same settings: none reuses another's
	// connection.
	clientTr := http.DefaultTransport.(*http.Transport).Clone()
	bareTr := http.DefaultTransport.(*http.Transport).Clone()
	decodeTr := http.DefaultTransport.(*http.Transport).Clone()
	for _, tr := range []*http.Transport{clientTr, bareTr, decodeTr} {
		defer tr.CloseIdleConnections()
	}
	c, err := a365.New(a365.Config{BaseURL: r.URL, HTTPClient: &http.Client{Transport: clientTr}})
	if err != nil {
		b.Fatal(err)
	}
	setURL := r.URL + "/attendantservice/api/recording/set"
	bodies := map[a365.Action][]byte{}
	for _, a := range []a365.Action{a365.ActionMark, a365.ActionUnMark} {
		bodies[a], _ = json.Marshal(a365.SetRequest{Action: a, RequesterSipUri: sim.DemoAgent, CorrelationId: id, UCCName: "ucc-demo-name"})
	}
	ctx := context.Background()
	post := func(hc *http.Client, a a365.Action, decode bool) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, setURL, bytes.NewReader(bodies[a]))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if decode {
			var st a365.StateResponse
			err = json.NewDecoder(resp.Body).Decode(&st)
		} else {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("bare POST: %d %v", resp.StatusCode, err)
		}
	}
	paths := []func(a365.Action){
		func(a a365.Action) {
			if _, err := c.Set(ctx, a365.SetParams{UCC: "ucc-demo-name", CorrelationID: id, RequesterSIP: sim.DemoAgent, Action: a}); err != nil {
				b.Fatal(err)
			}
		},
		func(a a365.Action) { post(&http.Client{Transport: bareTr}, a, false) },
		func(a a365.Action) { post(&http.Client{Transport: decodeTr}, a, true) },
	}
	for _, p := range paths { // warm every connection up
		p(a365.ActionMark)
	}

	// Per-action times; the medians are reported, as a shared machine's
	// load spikes would swamp a mean.
	times := make([][]time.Duration, len(paths))
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		a := a365.ActionMark
		if n%2 == 1 {
			a = a365.ActionUnMark
		}
		for k := range paths {
			i := (k + n/2) % len(paths) // rotate the order every two actions
			t0 := time.Now()
			paths[i](a)
			times[i] = append(times[i], time.Since(t0))
		}
		n++
	}
	client, bare, bareDecode := median(times[0]), median(times[1]), median(times[2])
	b.ReportMetric(float64(client.Nanoseconds()), "client-ns/action")
	b.ReportMetric(float64(bare.Nanoseconds()), "bare-ns/action")
	b.ReportMetric(float64(bareDecode.Nanoseconds()), "bare+decode-ns/action")
	b.ReportMetric(float64(client)/float64(bare), "client/bare")
	b.ReportMetric(float64(client)/float64(bareDecode), "client/bare+decode")
}

// median returns the middle value of ds (which it sorts).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// FuzzEnumNumberFastPath: the enums decode plain integers without a nested
// json.Unmarshal (a fast path that halves the cost of decoding a state
// response); for any JSON that is not a string it must agree with decoding
// the same bytes into an int, success and value alike.
func FuzzEnumNumberFastPath(f *testing.F) {
	for _, s := range []string{"0", "1", "3", "7", "-1", "-0", "99", "2147483648", "99999999999999999999",
		"1.0", "1e2", "01", "+1", " 2 ", "null", "true", `"Paused"`, "[1]", "{}", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '"' {
			return // names take the other path
		}
		var want int
		wantErr := json.Unmarshal(data, &want)
		var (
			rs a365.RecordingState
			ms a365.MarkingState
			ss a365.SavingState
			ac a365.Action
			et a365.ErrorType
		)
		got := []struct {
			err error
			v   func() int
		}{
			{json.Unmarshal(data, &rs), func() int { return int(rs) }},
			{json.Unmarshal(data, &ms), func() int { return int(ms) }},
			{json.Unmarshal(data, &ss), func() int { return int(ss) }},
			{json.Unmarshal(data, &ac), func() int { return int(ac) }},
			{json.Unmarshal(data, &et), func() int { return int(et) }},
		}
		for i, g := range got {
			if (g.err == nil) != (wantErr == nil) || (g.err == nil && g.v() != want) {
				t.Fatalf("enum %d on %q: %d, %v; as an int: %d, %v", i, data, g.v(), g.err, want, wantErr)
			}
		}
	})
}
