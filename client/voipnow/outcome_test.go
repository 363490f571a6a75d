package voipnow_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
)

// TestRecordingAnswerLostIsUnknown: which answers to a PUT make an unknown
// outcome (the PBX applied it; the answer is lost) and which stay what
// they are (the PBX said what happened). A GET is never unknown, and a
// 401 is retried (the PBX answered) but a lost answer never is.
func TestRecordingAnswerLostIsUnknown(t *testing.T) {
	var mu sync.Mutex
	mode, puts := "", 0
	e := newEnv(t, sim.Options{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			m := mode
			if r.Method == http.MethodPut {
				puts++
				if m == "401-then-hangup" {
					mode = "hangup"
				}
			}
			mu.Unlock()
			if r.Method != http.MethodPut && m != "get-hangup" {
				next.ServeHTTP(w, r)
				return
			}
			switch m {
			case "401-then-hangup":
				w.WriteHeader(http.StatusUnauthorized)
				return
			case "hangup", "get-hangup":
				next.ServeHTTP(httptest.NewRecorder(), r)
				if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
					c.Close()
				}
				return
			case "504":
				next.ServeHTTP(httptest.NewRecorder(), r)
				w.WriteHeader(http.StatusGatewayTimeout)
				return
			case "500":
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte("oops"))
				return
			case "garbled":
				next.ServeHTTP(httptest.NewRecorder(), r)
				w.Write([]byte(`{"id":`))
				return
			case "error-in-200":
				w.Write([]byte(`{"error":{"code":"pc_phonecall_invalid","message":"no"}}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}, voipnow.Config{})
	rp := voipnow.RecordParams{PhoneCallID: sim.SeedCallID, ViewID: sim.SeedViewID}
	for _, c := range []struct {
		mode    string
		unknown bool
		puts    int
	}{
		{"hangup", true, 1}, {"504", true, 1}, {"garbled", true, 1}, {"401-then-hangup", true, 2},
		{"500", false, 1}, {"error-in-200", false, 1},
	} {
		mu.Lock()
		mode, puts = c.mode, 0
		mu.Unlock()
		_, err := e.client.StartRecording(ctx(t), rp)
		mu.Lock()
		n := puts
		mu.Unlock()
		if voipnow.IsUnknownOutcome(err) != c.unknown || err == nil || n != c.puts {
			t.Errorf("%s: unknown=%v (%v), %d PUTs; want unknown=%v, %d PUTs", c.mode, voipnow.IsUnknownOutcome(err), err, n, c.unknown, c.puts)
		}
		var ae *voipnow.APIError
		if c.mode == "error-in-200" && !errors.As(err, &ae) {
			t.Errorf("error in 200: %T %v", err, err)
		}
		e.hc.CloseIdleConnections()
	}
	mu.Lock()
	mode = "get-hangup"
	mu.Unlock()
	if _, err := e.client.GetCall(ctx(t), "", "", sim.SeedCallID); err == nil || voipnow.IsUnknownOutcome(err) || !voipnow.IsNetwork(err) {
		t.Errorf("GET lost: %v", err)
	}
}
