package noojee_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/noojee/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a fake clock the simulator and client share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2021, 9, 14, 15, 30, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	sim   *sim.Server
	srv   *httptest.Server
	clock *clock
}

// newEnv serves a simulator on 127.0.0.1 with a fake clock.
func newEnv(t *testing.T, mutate func(*sim.Config)) *env {
	t.Helper()
	ck := newClock()
	cfg := sim.Config{Seed: 7, Now: ck.Now}
	if mutate != nil {
		mutate(&cfg)
	}
	s := sim.New(cfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{sim: s, srv: srv, clock: ck}
}

// client makes a client of the env with its own transport (closed at the end).
func (e *env) client(t *testing.T, auth noojee.AuthStyle, mutate func(*noojee.Config)) *noojee.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	cfg := noojee.Config{BaseURL: e.srv.URL, APIKey: sim.DemoAPIKey, Auth: auth,
		HTTPClient: &http.Client{Transport: tr}, Location: e.sim.Location(), Now: e.clock.Now,
		Timeout: 5 * time.Second}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := noojee.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var bothStyles = []noojee.AuthStyle{noojee.AuthAPIKey, noojee.AuthHash}

func TestSeedExampleBothAuthStyles(t *testing.T) {
	for _, style := range bothStyles {
		t.Run(string(style), func(t *testing.T) {
			e := newEnv(t, nil)
			c := e.client(t, style, nil)
			legs, err := c.Legs(context.Background(), sim.ExampleTag)
			if err != nil {
				t.Fatal(err)
			}
			if len(legs) != 3 {
				t.Fatalf("tag 1234: %d legs, want 3", len(legs))
			}
			for i, l := range legs {
				if l.Leg != i+1 || l.UniqueID != sim.ExampleUniqueID {
					t.Fatalf("leg %d: %+v", i, l)
				}
			}
			l := legs[0]
			loc := e.sim.Location()
			want := noojee.WireLeg{Source: "400", Leg: "1", Start: "2014-02-13 17:06:52.0", Tag: "1234",
				Duration: "4", Username: "Fred", CallRecordID: "198348", UniqueID: "1392271611.238",
				DID: "internal", Direction: "2", Destination: "401"}
			if l.Raw != want {
				t.Errorf("first leg as received:\n got %+v\nwant %+v", l.Raw, want)
			}
			if l.Source != "400" || l.Leg != 1 || !l.Start.Equal(time.Date(2014, 2, 13, 17, 6, 52, 0, loc)) ||
				l.Tag != "1234" || l.Duration != 4*time.Second || l.Username != "Fred" ||
				l.CallRecordID != "198348" || l.UniqueID != "1392271611.238" || l.DID != "internal" ||
				l.Direction != noojee.Internal || l.Destination != "401" {
				t.Errorf("first leg decoded wrong: %+v", l)
			}

			// More requests reuse the hash pair: one Time request in all.
			if _, err := c.LegsByUniqueID(context.Background(), sim.ExampleUniqueID2); err != nil {
				t.Fatal(err)
			}
			wantTime := 0
			if style == noojee.AuthHash {
				wantTime = 1
			}
			if got := e.sim.Requests("Time"); got != wantTime {
				t.Errorf("Time requests = %d, want %d", got, wantTime)
			}
		})
	}
}

func TestByUniqueIDExample(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthAPIKey, nil)
	legs, err := c.LegsByUniqueID(context.Background(), sim.ExampleUniqueID2)
	if err != nil {
		t.Fatal(err)
	}
	if len(legs) != 4 || legs[0].Direction != noojee.Inbound || legs[0].Username != "Administrator" {
		t.Fatalf("legs = %+v", legs)
	}
	none, err := c.LegsByUniqueID(context.Background(), "999.999")
	if err != nil || len(none) != 0 {
		t.Fatalf("unknown id: %v, %v", none, err)
	}
}

func TestEveryHourOfTheLastDayHasRecordingsByHourStyle(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthAPIKey, nil)
	start := e.clock.Now()
	loc := e.sim.Location()
	for h := 1; h <= 24; h++ {
		date, hour := noojee.HourOf(start.Add(-time.Duration(h)*time.Hour), loc)
		legs, err := c.ByHour(context.Background(), date, hour)
		if err != nil {
			t.Fatalf("hour %s %d: %v", date, hour, err)
		}
		if len(legs) == 0 {
			t.Fatalf("hour %s %d has no recordings", date, hour)
		}
		for _, l := range legs {
			// The vendor's rule: an hour lists the legs that ENDED in it.
			if d, hh := noojee.HourOf(l.Start.Add(l.Duration), loc); d != date || hh != hour {
				t.Fatalf("hour %s %d lists a leg that ended in %s %d", date, hour, d, hh)
			}
			if !strings.HasSuffix(l.Raw.Start, " 2021") || l.Raw.Direction == "" || l.CallEnd.IsZero() ||
				l.Direction == noojee.DirectionUnknown || l.Start.IsZero() {
				t.Fatalf("not the by-hour style: %+v", l.Raw)
			}
			if l.CallEnd.Before(l.Start) {
				t.Fatalf("callend before start: %+v", l.Raw)
			}
		}
		// The same call by unique id: same legs, metadata style.
		if h == 1 {
			byID, err := c.LegsByUniqueID(context.Background(), legs[0].UniqueID)
			if err != nil {
				t.Fatal(err)
			}
			// By id gives the whole call; the hour only the legs that ended
			// in it (a call crossing the hour is split over two lists).
			call := noojee.GroupCalls(legs)[0]
			if len(byID) < len(call.Legs) {
				t.Fatalf("by id %d legs, by hour %d", len(byID), len(call.Legs))
			}
			for _, b := range call.Legs {
				i := slices.IndexFunc(byID, func(a noojee.Leg) bool { return a.CallRecordID == b.CallRecordID })
				if i < 0 {
					t.Fatalf("leg %d of the hour list is not in the call", b.Leg)
				}
				if a := byID[i]; !a.Start.Equal(b.Start) || a.Direction != b.Direction {
					t.Fatalf("styles disagree:\n%+v\n%+v", a.Raw, b.Raw)
				}
			}
		}
		e.clock.Advance(61 * time.Second)
	}
}

func TestByHourRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthAPIKey, nil)
	ctx := context.Background()
	date, hour := noojee.HourOf(e.clock.Now().Add(-2*time.Hour), e.sim.Location())
	if _, err := c.ByHour(ctx, date, hour); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Second)

	// The client refuses by itself, without sending, and says when.
	_, err := c.ByHour(ctx, date, hour)
	var rl *noojee.RateLimitError
	if !errors.As(err, &rl) || rl.FromServer {
		t.Fatalf("second call: %v, want a client-side RateLimitError", err)
	}
	if got := e.sim.Requests("retrieveMetaDataByHour"); got != 1 {
		t.Errorf("the refused call reached the server (%d requests)", got)
	}
	wantAt := e.clock.Now().Add(40 * time.Second)
	if !rl.RetryAt.Equal(wantAt) || !c.NextByHour().Equal(wantAt) {
		t.Errorf("RetryAt %v, NextByHour %v, want %v", rl.RetryAt, c.NextByHour(), wantAt)
	}
	if msg := err.Error(); !strings.Contains(msg, "once a minute") || !strings.Contains(msg, "try again at "+wantAt.Format("15:04:05")) || !strings.Contains(msg, "in 40s") {
		t.Errorf("message %q does not say when to try again", msg)
	}

	// Another client with the same key has no memory of it: the server
	// answers 429 with Retry-After.
	other := e.client(t, noojee.AuthAPIKey, nil)
	_, err = other.ByHour(ctx, date, hour)
	if !errors.As(err, &rl) || !rl.FromServer || rl.Wait != 40*time.Second {
		t.Fatalf("server limit: %v (%+v)", err, rl)
	}
	if !other.NextByHour().Equal(wantAt) {
		t.Errorf("after a 429 NextByHour = %v, want %v", other.NextByHour(), wantAt)
	}

	e.clock.Advance(41 * time.Second)
	if _, err := c.ByHour(ctx, date, hour); err != nil {
		t.Fatalf("after the minute: %v", err)
	}
}

func TestInputRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthAPIKey, nil)
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := c.Legs(ctx, "  "); return err },
		func() error { _, err := c.Legs(ctx, "a\x00b"); return err },
		func() error { _, err := c.Legs(ctx, strings.Repeat("x", 129)); return err },
		func() error { _, err := c.LegsByUniqueID(ctx, ""); return err },
		func() error { _, err := c.LegsByUniqueID(ctx, "1.2&tag=x"); return err },
		func() error { _, err := c.ByHour(ctx, "2021-09-14", 3); return err },
		func() error { _, err := c.ByHour(ctx, "2021/02/30", 3); return err },
		func() error { _, err := c.ByHour(ctx, "2021/09/14", 24); return err },
		func() error { _, err := c.ByHour(ctx, "2021/09/14", -1); return err },
		func() error {
			_, err := c.DownloadLeg(ctx, sim.ExampleUniqueID, 0, t.TempDir(), noojee.DownloadOptions{})
			return err
		},
		func() error {
			_, err := c.DownloadLeg(ctx, sim.ExampleUniqueID, 1, " ", noojee.DownloadOptions{})
			return err
		},
		func() error { _, err := c.StartRecording(ctx, noojee.RecordRequest{}); return err },
		func() error {
			_, err := c.StopRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "410", AgentLoginName: "bad\x1b[31m"})
			return err
		},
	}
	for i, call := range calls {
		var ie *noojee.InputError
		if err := call(); !errors.As(err, &ie) {
			t.Errorf("case %d: %v, want an InputError", i, err)
		}
	}
	for _, op := range []string{"retrieveMetaData", "retrieveMetaDataByUniqueId", "retrieveMetaDataByHour", "retrieveRecording", "start"} {
		if n := e.sim.Requests(op); n != 0 {
			t.Errorf("%s: %d requests sent for bad input", op, n)
		}
	}
	if !c.NextByHour().IsZero() {
		t.Error("bad by-hour input took the minute's slot")
	}
	for _, cfg := range []noojee.Config{{BaseURL: "x", APIKey: "k"}, {BaseURL: "ftp://h", APIKey: "k"},
		{BaseURL: "https://u:p@h", APIKey: "k"}, {BaseURL: "https://h", APIKey: ""},
		{BaseURL: "https://h", APIKey: "k", Auth: "oauth"}} {
		var ie *noojee.InputError
		if _, err := noojee.New(cfg); !errors.As(err, &ie) {
			t.Errorf("New(%+v) = %v", cfg, err)
		}
	}
}

func TestUnauthorizedWithoutLeakingTheKey(t *testing.T) {
	for _, style := range bothStyles {
		t.Run(string(style), func(t *testing.T) {
			e := newEnv(t, nil)
			const secret = "not-the-key-9f2c"
			c := e.client(t, style, func(cfg *noojee.Config) { cfg.APIKey = secret })
			_, err := c.Legs(context.Background(), sim.ExampleTag)
			var ae *noojee.APIError
			var ce *noojee.CallError
			if style == noojee.AuthHash {
				// The CallManagementAPI refuses in its body (HTTP 200, Code -1).
				if !errors.Is(err, noojee.ErrUnauthorized) || !errors.As(err, &ce) || ce.Code != -1 {
					t.Fatalf("err = %v, want the server's refusal", err)
				}
			} else if !errors.Is(err, noojee.ErrUnauthorized) || !errors.As(err, &ae) || ae.StatusCode != 401 {
				t.Fatalf("err = %v, want a 401", err)
			}
			if !strings.Contains(err.Error(), "Invalid apiKey") && !strings.Contains(err.Error(), "Invalid hash") {
				t.Errorf("error does not show the server's text: %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the apiKey: %v", err)
			}
		})
	}
}

func TestStaleHash(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()

	// A raw request with a timestamp older than 10 s is refused.
	old := e.clock.Now().Add(-30 * time.Second).UnixMilli()
	ts := fmt.Sprint(old)
	u := e.srv.URL + noojee.DefaultCallManagementPath + "/retrieveMetaData?apiKey=demo&tag=1234&timeStamp=" + ts + "&hash=" + noojee.Hash("demo", ts)
	resp, err := http.Post(u, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `{"Message":"Expired TimeStamp","Code":-1}`) {
		t.Fatalf("stale timestamp: %d %s", resp.StatusCode, body)
	}

	// The client renews its pair when its hour is up.
	c := e.client(t, noojee.AuthHash, nil)
	if _, err := c.Legs(ctx, sim.ExampleTag); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Minute)
	if _, err := c.Legs(ctx, sim.ExampleTag); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Requests("Time"); n != 1 {
		t.Fatalf("Time requests after 30 min = %d, want 1 (pair reused)", n)
	}
	e.clock.Advance(30 * time.Minute)
	if _, err := c.Legs(ctx, sim.ExampleTag); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Requests("Time"); n != 2 {
		t.Fatalf("Time requests after an hour = %d, want 2 (pair renewed)", n)
	}

	// When the server thinks the pair stale but the client does not (a
	// clock the client does not share), the server's "Expired TimeStamp"
	// (HTTP 200, Code -1) makes it fetch a fresh one and retry once.
	lagging := newClock()
	lagging.t = e.clock.Now()
	c2 := e.client(t, noojee.AuthHash, func(cfg *noojee.Config) { cfg.Now = lagging.Now })
	if _, err := c2.Legs(ctx, sim.ExampleTag); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour) // the server's pair has expired; the client's clock stands still
	if _, err := c2.Legs(ctx, sim.ExampleTag); err != nil {
		t.Fatalf("after the server expired the pair: %v", err)
	}
	if n := e.sim.Requests("Time"); n != 4 {
		t.Fatalf("Time requests = %d, want 4", n)
	}
}

func TestGetIsRefused405(t *testing.T) {
	e := newEnv(t, nil)
	defer http.DefaultClient.CloseIdleConnections()
	for _, p := range []string{
		noojee.DefaultRecordingAPIPath + "/retrieveMetaData?apiKey=demo&tag=1234",
		noojee.DefaultRecordingAPIPath + "/retrieveMetaDataByUniqueId",
		noojee.DefaultRecordingAPIPath + "/retrieveMetaDataByHour",
		noojee.DefaultRecordingAPIPath + "/retrieveRecording",
		noojee.DefaultCallManagementPath + "/retrieveMetaData",
		noojee.DefaultCallManagementPath + "/start",
		noojee.DefaultTimePath,
	} {
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 405 || !strings.Contains(string(body), "The API will only accept POST requests.") {
			t.Errorf("GET %s: %d %q", p, resp.StatusCode, body)
		}
	}
}

func TestDownloadAllLegsByteForByte(t *testing.T) {
	for _, style := range bothStyles {
		t.Run(string(style), func(t *testing.T) {
			e := newEnv(t, nil)
			c := e.client(t, style, nil)
			ctx := context.Background()
			legs, err := c.LegsByUniqueID(ctx, sim.ExampleUniqueID2)
			if err != nil || len(legs) != 4 {
				t.Fatalf("%d legs, %v", len(legs), err)
			}
			dir := filepath.Join(t.TempDir(), "new", "folder")
			for _, l := range legs {
				var calls int
				var lastDone, lastTotal int64
				d, err := c.DownloadLeg(ctx, l.UniqueID, l.Leg, dir, noojee.DownloadOptions{
					Progress: func(done, total int64) { calls++; lastDone, lastTotal = done, total },
				})
				if err != nil {
					t.Fatalf("leg %d: %v", l.Leg, err)
				}
				want, err := e.sim.Audio(l.UniqueID, l.Leg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(d.Path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("leg %d: %d bytes differ from the simulator's %d", l.Leg, len(got), len(want))
				}
				if string(got[0:4]) != "RIFF" || string(got[8:12]) != "WAVE" || string(got[36:40]) != "data" {
					t.Fatalf("leg %d: not a WAV header: %q", l.Leg, got[:44])
				}
				// 8 kHz, 16-bit mono: 16000 bytes per second of the leg.
				if int64(len(got)) != 44+16000*int64(l.Duration/time.Second) {
					t.Errorf("leg %d: %d bytes for %s", l.Leg, len(got), l.Duration)
				}
				if d.Bytes != int64(len(want)) || lastDone != d.Bytes || lastTotal != d.Bytes || calls < 2 {
					t.Errorf("leg %d: progress %d/%d after %d calls, file %d", l.Leg, lastDone, lastTotal, calls, d.Bytes)
				}
				if filepath.Base(d.Path) != noojee.LegFileName(l.UniqueID, l.Leg, ".wav") {
					t.Errorf("file name %s", d.Path)
				}
				if fi, err := os.Stat(d.Path); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("file mode %v, %v; want 0600", fi.Mode(), err)
				}
			}
			assertOnlyFiles(t, dir, 4)

			// A second fetch does not overwrite, unless asked.
			_, err = c.DownloadLeg(ctx, sim.ExampleUniqueID2, 1, dir, noojee.DownloadOptions{})
			if !errors.Is(err, noojee.ErrExists) {
				t.Fatalf("existing file: %v, want ErrExists", err)
			}
			if _, err := c.DownloadLeg(ctx, sim.ExampleUniqueID2, 1, dir, noojee.DownloadOptions{Overwrite: true}); err != nil {
				t.Fatal(err)
			}
			assertOnlyFiles(t, dir, 4)

			_, err = c.DownloadLeg(ctx, sim.ExampleUniqueID2, 9, dir, noojee.DownloadOptions{})
			var ae *noojee.APIError
			if !errors.As(err, &ae) || ae.StatusCode != 404 || !strings.Contains(err.Error(), "No recording") {
				t.Fatalf("missing leg: %v", err)
			}
		})
	}
}

// assertOnlyFiles checks dir holds exactly n files and no temporaries.
func assertOnlyFiles(t *testing.T, dir string, n int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		if strings.HasPrefix(e.Name(), ".") || strings.Contains(e.Name(), ".part") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if len(ents) != n {
		t.Errorf("%d files in %s (%v), want %d", len(ents), dir, names, n)
	}
}

func TestInterruptedDownloadsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("connection dropped", func(t *testing.T) {
		e := newEnv(t, nil)
		c := e.client(t, noojee.AuthAPIKey, nil)
		dir := t.TempDir()
		e.sim.CutNextDownload(10000)
		_, err := c.DownloadLeg(ctx, sim.ExampleUniqueID, 2, dir, noojee.DownloadOptions{})
		var te *noojee.TransportError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "interrupted after") || !strings.Contains(err.Error(), "nothing kept") {
			t.Fatalf("err = %v", err)
		}
		assertOnlyFiles(t, dir, 0)
		// The next attempt works.
		if _, err := c.DownloadLeg(ctx, sim.ExampleUniqueID, 2, dir, noojee.DownloadOptions{}); err != nil {
			t.Fatal(err)
		}
		assertOnlyFiles(t, dir, 1)
	})
	t.Run("cancelled by the user", func(t *testing.T) {
		e := newEnv(t, func(c *sim.Config) { c.Throttle = 64 << 10 })
		c := e.client(t, noojee.AuthAPIKey, nil)
		dir := t.TempDir()
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var once sync.Once
		_, err := c.DownloadLeg(cctx, sim.ExampleUniqueID, 2, dir, noojee.DownloadOptions{
			Progress: func(done, total int64) {
				if done > 0 {
					once.Do(cancel)
				}
			},
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		assertOnlyFiles(t, dir, 0)
	})
	t.Run("stalled", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "audio/wav")
			w.Header().Set("Content-Length", "100000")
			w.Write(make([]byte, 1000))
			http.NewResponseController(w).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: "k", Timeout: 300 * time.Millisecond,
			HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		_, err = c.DownloadLeg(ctx, "1.1", 1, dir, noojee.DownloadOptions{})
		var te *noojee.TransportError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "stalled") {
			t.Fatalf("err = %v, want a stall", err)
		}
		assertOnlyFiles(t, dir, 0)
	})
}

func TestStartStopRecording(t *testing.T) {
	for _, style := range bothStyles {
		t.Run(string(style), func(t *testing.T) {
			e := newEnv(t, nil)
			c := e.client(t, style, nil)
			ctx := context.Background()
			a, err := c.StartRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "405", Tag: "PCI-1", AgentLoginName: "Fred"})
			if err != nil || !a.OK() || !strings.Contains(a.Message, "started") {
				t.Fatal(a, err)
			}
			if !e.sim.Recording("405") {
				t.Fatal("the simulator is not recording 405")
			}
			e.clock.Advance(42 * time.Second)
			if _, err := c.StopRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "405", AgentLoginName: "Fred"}); err != nil {
				t.Fatal(err)
			}
			legs, err := c.Legs(ctx, "PCI-1")
			if err != nil || len(legs) != 1 || legs[0].Duration != 42*time.Second || legs[0].Source != "405" || legs[0].Username != "Fred" {
				t.Fatalf("recording not filed: %+v, %v", legs, err)
			}
			ss := e.sim.StartStops()
			if len(ss) != 2 || ss[0].AgentLoginName != "Fred" || ss[0].Tag != "PCI-1" {
				t.Fatalf("requests seen: %+v", ss)
			}
			// Stopping what is not recording: HTTP 200 with Code -1 is the
			// server's error, with its message, not success.
			_, err = c.StopRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "405"})
			var ce *noojee.CallError
			if !errors.As(err, &ce) || ce.Code != -1 || !strings.Contains(err.Error(), "No recording in progress") {
				t.Fatalf("stop with nothing running: %v", err)
			}
			if errors.Is(err, noojee.ErrUnauthorized) {
				t.Fatalf("a refusal of the action is not an authentication failure: %v", err)
			}
		})
	}
}

// serve answers every request with handler (for bodies the simulator never sends).
func serve(t *testing.T, h http.HandlerFunc) *noojee.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: "s3cret-key", MaxJSONBytes: 1 << 10,
		HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUnusableAnswers(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		h    http.HandlerFunc
		want []string
	}{
		{"html page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Gateway\nlogin</body></html>")
		}, []string{"HTTP 200 OK", "unexpected body", "<html><body>Gateway login"}},
		{"too big", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "["+strings.Repeat(" ", 4<<10)+"]")
		}, []string{"larger than 1024 bytes"}},
		{"error echoes the key", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, "Internal error for "+r.URL.String())
		}, []string{"HTTP 500 Internal Server Error", "apiKey=[redacted]"}},
		{"empty error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) },
			[]string{"HTTP 502 Bad Gateway (empty body)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := serve(t, tc.h)
			_, err := c.Legs(ctx, "x")
			var ae *noojee.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an APIError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret-key") {
				t.Errorf("leaks the key: %v", err)
			}
		})
	}
	t.Run("json instead of audio", func(t *testing.T) {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"error":"no such leg"}`)
		})
		dir := t.TempDir()
		_, err := c.DownloadLeg(ctx, "1.1", 1, dir, noojee.DownloadOptions{})
		var ce *noojee.CallError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no such leg") || strings.Contains(err.Error(), "Code 0") {
			t.Fatalf("err = %v", err)
		}
		assertOnlyFiles(t, dir, 0)
	})
}

func TestNetworkErrorHidesTheKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, style := range bothStyles {
		c, err := noojee.New(noojee.Config{BaseURL: "http://" + addr, APIKey: "s3cret-key", Auth: style,
			HTTPClient: &http.Client{Transport: &http.Transport{}}, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Legs(context.Background(), "1234")
		var te *noojee.TransportError
		if !errors.As(err, &te) {
			t.Fatalf("%s: err = %v, want a TransportError", style, err)
		}
		if strings.Contains(err.Error(), "s3cret-key") || strings.Contains(err.Error(), "apiKey") {
			t.Errorf("%s: error shows the query: %v", style, err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthHash, nil)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Legs(context.Background(), sim.ExampleTag); err != nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 || e.sim.Requests("Time") != 1 {
		t.Fatalf("%d failures, %d Time requests (want 0, 1)", failures.Load(), e.sim.Requests("Time"))
	}
}

func BenchmarkDecodeByHour(b *testing.B) {
	e := sim.New(sim.Config{Seed: 1, CallsMin: 40, CallsMax: 40})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	calls := e.Calls()
	var sb strings.Builder
	sb.WriteString("[")
	for i, c := range calls {
		for j, l := range c.Legs {
			if i+j > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, `{"Source":%q,"Leg":%q,"Start":"Tue Sep 14 15:03:30 AEST 2021","Tag":%q,"Duration":%q,"Username":%q,"CallRecordId":%q,"UniqueId":%q,"DID":%q,"Direction":"Inbound","Destination":%q,"callend":"Tue Sep 14 15:09:30 AEST 2021"}`,
				l.Source, l.Leg, l.Tag, l.Duration, l.Username, l.CallRecordID, l.UniqueID, l.DID, l.Destination)
		}
	}
	sb.WriteString("]")
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := noojee.DecodeLegs(body, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTimeMethodFailureIsReported: with the older API, a Time method that
// fails (wrong time_path, a gateway error, a page instead of a number) ends
// in a clear error, promptly, and later requests are not stuck behind it.
func TestTimeMethodFailureIsReported(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"not found", 404, "No such method", []string{"noojee Time: HTTP 404 Not Found", "No such method"}},
		{"gateway", 503, "", []string{"noojee Time: HTTP 503 Service Unavailable (empty body)"}},
		{"a page, not a number", 200, "<html>login</html>", []string{"noojee Time", "not milliseconds since 1970"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var metadata atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/Time") {
					w.WriteHeader(tc.status)
					io.WriteString(w, tc.body)
					return
				}
				metadata.Add(1)
				io.WriteString(w, "[]")
			}))
			defer srv.Close()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: "s3cret-key", Auth: noojee.AuthHash,
				HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for attempt := 1; attempt <= 2; attempt++ {
				done := make(chan error, 1)
				go func() { _, err := c.Legs(context.Background(), "1234"); done <- err }()
				select {
				case err = <-done:
				case <-time.After(10 * time.Second):
					t.Fatalf("attempt %d: Legs did not return (stuck behind the hash lock?)", attempt)
				}
				var ae *noojee.APIError
				if !errors.As(err, &ae) || ae.Op != "Time" {
					t.Fatalf("attempt %d: err = %v, want an APIError of the Time method", attempt, err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("attempt %d: %q lacks %q", attempt, err, w)
					}
				}
			}
			if n := metadata.Load(); n != 0 {
				t.Errorf("%d metadata requests sent without a hash", n)
			}
		})
	}
}

// TestEchoedHashIsRedacted: a server that echoes the request URL in its
// error text shows neither the apiKey nor the hash.
func TestEchoedHashIsRedacted(t *testing.T) {
	e := newEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle(noojee.DefaultTimePath, e.sim.Handler())
	mux.HandleFunc(noojee.DefaultCallManagementPath+"/retrieveMetaData", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, "Internal error for "+r.URL.RawQuery)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: sim.DemoAPIKey + "-long-key", Auth: noojee.AuthHash,
		HTTPClient: &http.Client{Transport: tr}, Now: e.clock.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Legs(context.Background(), "1234")
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), "hash=[redacted]") ||
		strings.Contains(err.Error(), "apiKey") || strings.Contains(err.Error(), "-long-key") {
		t.Fatalf("err = %v", err)
	}
}

// TestTooManyRequestsElsewhere: a 429 on another method (a proxy, a busy
// server) is a RateLimitError that does not claim the by-hour limit, and an
// HTTP-date Retry-After is understood.
func TestTooManyRequestsElsewhere(t *testing.T) {
	at := time.Now().Add(90 * time.Second).UTC().Truncate(time.Second)
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", at.Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, err := c.Legs(context.Background(), "1234")
	var rl *noojee.RateLimitError
	if !errors.As(err, &rl) || !rl.FromServer {
		t.Fatalf("err = %v, want a RateLimitError from the server", err)
	}
	if strings.Contains(err.Error(), "once a minute") || !strings.Contains(err.Error(), "too many requests") {
		t.Errorf("message %q", err)
	}
	if rl.Wait < 80*time.Second || rl.Wait > 91*time.Second {
		t.Errorf("Wait = %v, want about 90s from the HTTP date", rl.Wait)
	}
}

// TestDownloadIsStreamed: a 10-minute leg (9.6 MB) is written to disk
// without being held whole in memory: the whole process (client and
// simulator) allocates far less than the file's size while fetching it.
func TestDownloadIsStreamed(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(t, noojee.AuthAPIKey, nil)
	ctx := context.Background()
	if _, err := c.StartRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "406", Tag: "LONG-1"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if _, err := c.StopRecording(ctx, noojee.RecordRequest{ExtenOrUniqueID: "406"}); err != nil {
		t.Fatal(err)
	}
	legs, err := c.Legs(ctx, "LONG-1")
	if err != nil || len(legs) != 1 || legs[0].Duration != 10*time.Minute {
		t.Fatalf("legs %+v, %v", legs, err)
	}
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := c.DownloadLeg(ctx, legs[0].UniqueID, 1, dir, noojee.DownloadOptions{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(44 + 600*16000); d.Bytes != want {
		t.Fatalf("%d bytes, want %d", d.Bytes, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(d.Bytes)/4 {
		t.Errorf("fetching %d bytes allocated %d: the audio is being held in memory", d.Bytes, alloc)
	} else {
		t.Logf("fetching %d bytes allocated %d", d.Bytes, alloc)
	}
}

// TestByHourSlotGivenBackWhenNeverSent: a by-hour request that cannot have
// reached the server (no connection; the older API's Time method failing)
// does not cost the minute; one the server answered does.
func TestByHourSlotGivenBackWhenNeverSent(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	timeDown := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer timeDown.Close()
	for _, tc := range []struct {
		name, url string
		auth      noojee.AuthStyle
	}{{"no connection", dead, noojee.AuthAPIKey}, {"Time method failing", timeDown.URL, noojee.AuthHash}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			c, err := noojee.New(noojee.Config{BaseURL: tc.url, APIKey: "k", Auth: tc.auth,
				HTTPClient: &http.Client{Transport: tr}, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for attempt := 1; attempt <= 2; attempt++ {
				_, err := c.ByHour(ctx, "2021/09/14", 3)
				var rl *noojee.RateLimitError
				if err == nil || errors.As(err, &rl) {
					t.Fatalf("attempt %d: err = %v, want the failure itself, not a rate limit", attempt, err)
				}
			}
			if !c.NextByHour().IsZero() {
				t.Errorf("NextByHour = %v after requests that were never sent", c.NextByHour())
			}
		})
	}
	t.Run("answered with an error", func(t *testing.T) {
		c := serve(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
		if _, err := c.ByHour(ctx, "2021/09/14", 3); err == nil {
			t.Fatal("want the 500")
		}
		_, err := c.ByHour(ctx, "2021/09/14", 3)
		var rl *noojee.RateLimitError
		if !errors.As(err, &rl) || rl.FromServer {
			t.Fatalf("err = %v, want the client's own refusal (the server may have counted the first)", err)
		}
	})
}
