package noojee_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/noojee/sim"
)

// TestStartStopAnswerLostIsUnknown: which answers to a start make an
// unknown outcome (the request was sent, the answer lost) and which stay
// what they are. A refused timeStamp/hash (HTTP 200 "Expired TimeStamp",
// or a 401) is retried once (the server answered); a lost answer never is.
// A by-tag lookup whose answer is lost is a plain network error.
func TestStartStopAnswerLostIsUnknown(t *testing.T) {
	e := newEnv(t, nil)
	var mu sync.Mutex
	mode, starts := "", 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		m := mode
		isStart := strings.HasSuffix(r.URL.Path, "CallManagementAPI/start")
		if isStart {
			starts++
			switch m {
			case "expired-then-hangup", "401-then-hangup":
				mode = "hangup"
			}
		}
		mu.Unlock()
		if !isStart && m != "lookup-hangup" {
			e.sim.Handler().ServeHTTP(w, r)
			return
		}
		switch m {
		case "hangup", "lookup-hangup":
			e.sim.Handler().ServeHTTP(httptest.NewRecorder(), r)
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
		case "expired-then-hangup":
			w.Write([]byte(`{"Message":"` + sim.ExpiredTimeStamp + `","Code":-1}`))
		case "401-then-hangup":
			w.WriteHeader(http.StatusUnauthorized)
		case "504":
			e.sim.Handler().ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(http.StatusGatewayTimeout)
		case "500":
			w.WriteHeader(http.StatusInternalServerError)
		case "refused-in-200":
			w.Write([]byte(`{"Message":"No such extension","Code":-1}`))
		case "stall":
			e.sim.Handler().ServeHTTP(httptest.NewRecorder(), r)
			<-r.Context().Done()
		default:
			e.sim.Handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: sim.DemoAPIKey, Auth: noojee.AuthHash,
		HTTPClient: &http.Client{Transport: tr}, Location: e.sim.Location(), Now: e.clock.Now, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode    string
		unknown bool
		starts  int
	}{
		{"hangup", true, 1}, {"504", true, 1}, {"stall", true, 1},
		{"expired-then-hangup", true, 2}, {"401-then-hangup", true, 2},
		{"500", false, 1}, {"refused-in-200", false, 1},
	} {
		mu.Lock()
		mode, starts = tc.mode, 0
		mu.Unlock()
		_, err := c.StartRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410"})
		mu.Lock()
		n := starts
		mu.Unlock()
		if err == nil || noojee.IsUnknownOutcome(err) != tc.unknown || n != tc.starts || strings.Contains(err.Error(), sim.DemoAPIKey) {
			t.Errorf("%s: unknown=%v (%v), %d starts; want unknown=%v, %d", tc.mode, noojee.IsUnknownOutcome(err), err, n, tc.unknown, tc.starts)
		}
		var ce *noojee.CallError
		if tc.mode == "refused-in-200" && !errors.As(err, &ce) {
			t.Errorf("refusal in 200: %T %v", err, err)
		}
	}
	mu.Lock()
	mode = "lookup-hangup"
	mu.Unlock()
	if _, err := c.Legs(context.Background(), "PCI-1"); err == nil || noojee.IsUnknownOutcome(err) {
		t.Errorf("lookup lost: %v", err)
	}
}
