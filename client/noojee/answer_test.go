package noojee_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
)

// callManagement is a fake CallManagementAPI answering as the real one
// does: HTTP 200 whatever happens, the outcome in {"Message","Code"} (or an
// "error" field). answers gives the bodies of successive start/stop
// requests; every request's query is recorded.
type callManagement struct {
	mu      sync.Mutex
	answers []string
	queries []string
	times   int
}

func (f *callManagement) serve(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/Time") {
			f.times++
			fmt.Fprint(w, time.Now().UnixMilli())
			return
		}
		f.queries = append(f.queries, r.URL.RawQuery)
		body := `{"Message":"OK","Code":0}`
		if len(f.answers) > 0 {
			body, f.answers = f.answers[0], f.answers[1:]
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fakeClient(t *testing.T, srv *httptest.Server, auth noojee.AuthStyle) *noojee.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: "f863246a-973e-11e6-8784-08002718f5b5", Auth: auth,
		HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStartStopReadTheBody: a 200 carrying Code -1 or an error field is the
// server's error with its message, never "recording started".
func TestStartStopReadTheBody(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		code             int
	}{
		{"code -1", `{"Message":"Extension 410 is not on a call","Code":-1}`, "Extension 410 is not on a call", -1},
		{"code as text", `{"Message":"Permission denied","Code":"-3"}`, "Permission denied", -3},
		{"error field", `{"error":"Unknown uniqueId 12.34"}`, "Unknown uniqueId 12.34", 0},
		{"error object", `{"error":{"message":"Database unavailable"}}`, "Database unavailable", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &callManagement{answers: []string{tc.body}}
			c := fakeClient(t, f.serve(t), noojee.AuthAPIKey)
			_, err := c.StartRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410"})
			var ce *noojee.CallError
			if !errors.As(err, &ce) || ce.Code != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want the server's error %q (Code %d)", err, tc.want, tc.code)
			}
		})
	}
	t.Run("success", func(t *testing.T) {
		f := &callManagement{answers: []string{`{"Message":"Recording started","Code":0}`, ``}}
		c := fakeClient(t, f.serve(t), noojee.AuthAPIKey)
		a, err := c.StartRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410", Tag: "22", AgentLoginName: "Fred"})
		if err != nil || a.Message != "Recording started" {
			t.Fatalf("%+v, %v", a, err)
		}
		if q := f.queries[0]; !strings.Contains(q, "agentLoginName=Fred") || !strings.Contains(q, "tag=22") {
			t.Errorf("query %q lacks agentLoginName or tag", q)
		}
		// The page documents only "HTTP status '200' on success": an empty 200 is success.
		if _, err := c.StopRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("not a status body", func(t *testing.T) {
		f := &callManagement{answers: []string{`<html>login</html>`}}
		c := fakeClient(t, f.serve(t), noojee.AuthAPIKey)
		_, err := c.StartRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410"})
		var ae *noojee.APIError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "unexpected body") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestHashModeRenewsAnExpiredPairOnce: "Expired TimeStamp" (HTTP 200, Code
// -1) makes the client fetch a fresh timeStamp and retry once; a second
// refusal is reported. The apiKey is never sent in hash mode.
func TestHashModeRenewsAnExpiredPairOnce(t *testing.T) {
	expired := `{"Message":"Expired TimeStamp","Code":-1}`
	f := &callManagement{answers: []string{expired, `{"Message":"OK","Code":0}`}}
	c := fakeClient(t, f.serve(t), noojee.AuthHash)
	if _, err := c.StopRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410", AgentLoginName: "Fred"}); err != nil {
		t.Fatalf("after one expired pair: %v", err)
	}
	if f.times != 2 || len(f.queries) != 2 {
		t.Fatalf("%d Time requests, %d stop requests; want 2 and 2", f.times, len(f.queries))
	}
	if f.queries[0] == f.queries[1] {
		t.Error("the retry reused the refused pair")
	}

	f2 := &callManagement{answers: []string{expired, expired, `{"Message":"OK","Code":0}`}}
	c2 := fakeClient(t, f2.serve(t), noojee.AuthHash)
	_, err := c2.StartRecording(context.Background(), noojee.RecordRequest{ExtenOrUniqueID: "410"})
	var ce *noojee.CallError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "Expired TimeStamp") || len(f2.queries) != 2 {
		t.Fatalf("err = %v after %d requests, want the refusal after 2", err, len(f2.queries))
	}
	for _, q := range append(f.queries, f2.queries...) {
		if strings.Contains(strings.ToLower(q), "apikey") || strings.Contains(q, "f863246a") {
			t.Errorf("hash mode sent the apiKey: %q", q)
		}
		if !strings.Contains(q, "timeStamp=") || !strings.Contains(q, "hash=") {
			t.Errorf("hash mode without timeStamp and hash: %q", q)
		}
	}
}

// TestParseAnswer covers the shapes a status body takes.
func TestParseAnswer(t *testing.T) {
	for body, want := range map[string]bool{
		`{"Message":"OK","Code":0}`: true, `{"code":0,"message":"fine"}`: true, `{"Code":-1}`: false,
		`{"error":"x"}`: false, `{"error":null,"Code":0}`: true, `{"Code":1.5}`: false,
	} {
		a, ok := noojee.ParseAnswer([]byte(body))
		if !ok || a.OK() != want {
			t.Errorf("%s: %+v ok=%v, want OK()=%v", body, a, ok, want)
		}
	}
	for _, body := range []string{``, `[]`, `OK`, `{"UniqueId":"1.2","Leg":"1"}`, `{}`} {
		if _, ok := noojee.ParseAnswer([]byte(body)); ok {
			t.Errorf("%q read as a status body", body)
		}
	}
}
