package voipnow_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
)

// TestRecordingActionNoContentIsSuccess: the UAPI documents 204 (no body)
// as a success of StartRecording/StopRecording; the client reads the call
// again to confirm instead of calling it "unexpected answer".
func TestRecordingActionNoContentIsSuccess(t *testing.T) {
	var puts, gets atomic.Int32
	count := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodPut:
				puts.Add(1)
			case http.MethodGet:
				gets.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{NoContentOnAction: true}, count, voipnow.Config{})
	rp := voipnow.RecordParams{UserID: sim.SeedUserID, Extension: sim.SeedExtension, PhoneCallID: sim.SeedCallID, ViewID: sim.SeedViewID}
	call, err := e.client.StartRecording(ctx(t), rp)
	if err != nil {
		t.Fatalf("204 on StartRecording: %v", err)
	}
	if v, ok := call.View(sim.SeedViewID); !ok || !v.IsRecording() {
		t.Fatalf("the re-read call does not show the recording: %+v", call)
	}
	if puts.Load() != 1 || gets.Load() != 1 {
		t.Errorf("%d PUT and %d GET, want 1 and 1 (the confirming read)", puts.Load(), gets.Load())
	}
	call, err = e.client.StopRecording(ctx(t), rp)
	if v, ok := call.View(sim.SeedViewID); err != nil || !ok || v.IsRecording() {
		t.Fatalf("204 on StopRecording: %+v, %v", call, err)
	}
}

// TestErrorBodyInside200: a PBX answering 200 with {"error":{...}} failed
// the request: the error is the PBX's, with its code.
func TestErrorBodyInside200(t *testing.T) {
	inside := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/uapi/") {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"error":{"code":"pc_recording_disabled","message":"Call recording is not enabled."}}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{}, inside, voipnow.Config{})
	rp := voipnow.RecordParams{PhoneCallID: sim.SeedCallID, ViewID: sim.SeedViewID}
	_, err := e.client.StartRecording(ctx(t), rp)
	var ae *voipnow.APIError
	if !errors.As(err, &ae) || ae.Code != "pc_recording_disabled" || ae.Status != 200 {
		t.Fatalf("err = %v, want the PBX's pc_recording_disabled", err)
	}
	if _, err := e.client.ListCalls(ctx(t), voipnow.ListParams{}); !errors.As(err, &ae) {
		t.Fatalf("list: err = %v, want the PBX's error", err)
	}
}

// pagingPBX is a fake List PhoneCalls serving n calls, pageCap at most a
// page, with or without totalResults, optionally ignoring startIndex.
func pagingPBX(t *testing.T, n, pageCap int, withTotal, ignoreStart bool, requests *atomic.Int32) *voipnow.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token.php" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
			return
		}
		requests.Add(1)
		q := r.URL.Query()
		count, _ := strconv.Atoi(q.Get("count"))
		start, _ := strconv.Atoi(q.Get("startIndex"))
		if ignoreStart {
			start = 0
		}
		count = min(count, pageCap)
		var entry []map[string]any
		for i := start; i < min(start+count, n); i++ {
			entry = append(entry, map[string]any{"id": fmt.Sprintf("c%05d", i), "extension": "0003*210"})
		}
		if len(entry) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		out := map[string]any{"startIndex": start, "itemsPerPage": len(entry), "entry": entry}
		if withTotal {
			out["totalResults"] = n
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := voipnow.New(voipnow.Config{BaseURL: srv.URL, ClientID: "a", ClientSecret: "b",
		HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestListAllCallsReadsToTheEnd: nothing is cut short silently.
func TestListAllCallsReadsToTheEnd(t *testing.T) {
	t.Run("no total, pages capped below count", func(t *testing.T) {
		// Before: the first short page (100 of 500 asked) ended the listing.
		var n atomic.Int32
		c := pagingPBX(t, 250, 100, false, false, &n)
		l, err := c.ListAllCalls(ctx(t), voipnow.ListParams{}, 0)
		if err != nil || len(l.Calls) != 250 || !l.Complete || l.Limited || l.Summary() != "250 calls" {
			t.Fatalf("%d calls, %+v, %v", len(l.Calls), l.Summary(), err)
		}
		if n.Load() != 4 { // 100, 100, 50, then the empty page that says "no more"
			t.Errorf("%d requests, want 4", n.Load())
		}
	})
	t.Run("more than 5000", func(t *testing.T) {
		// Before: listing stopped at 5000 and said nothing.
		var n atomic.Int32
		c := pagingPBX(t, 7500, 5000, true, false, &n)
		l, err := c.ListAllCalls(ctx(t), voipnow.ListParams{Count: 5000}, 0)
		if err != nil || len(l.Calls) != 7500 || !l.Complete || l.Summary() != "7500 calls" {
			t.Fatalf("%d calls, %q, %v", len(l.Calls), l.Summary(), err)
		}
	})
	t.Run("beyond what the UAPI can page", func(t *testing.T) {
		var n atomic.Int32
		c := pagingPBX(t, 12000, 5000, true, false, &n)
		l, err := c.ListAllCalls(ctx(t), voipnow.ListParams{Count: 5000}, 0)
		if err != nil || len(l.Calls) != 10000 || l.Complete || l.Summary() != "showing 10000 of 12000 calls" {
			t.Fatalf("%d calls, %q, %v", len(l.Calls), l.Summary(), err)
		}
	})
	t.Run("own limit without a total", func(t *testing.T) {
		var n atomic.Int32
		c := pagingPBX(t, 300, 100, false, false, &n)
		l, err := c.ListAllCalls(ctx(t), voipnow.ListParams{Count: 100}, 150)
		if err != nil || len(l.Calls) != 150 || !l.Limited || l.Summary() != "150 calls, more not fetched" {
			t.Fatalf("%d calls, %q, %v", len(l.Calls), l.Summary(), err)
		}
	})
	t.Run("PBX ignores startIndex", func(t *testing.T) {
		// Before: the first page was listed again and again.
		var n atomic.Int32
		c := pagingPBX(t, 900, 100, true, true, &n)
		l, err := c.ListAllCalls(ctx(t), voipnow.ListParams{Count: 100}, 0)
		if err != nil || len(l.Calls) != 100 || !l.Repeated || n.Load() != 2 || l.Summary() != "showing 100 of 900 calls" {
			t.Fatalf("%d calls after %d requests, %q, %v", len(l.Calls), n.Load(), l.Summary(), err)
		}
		seen := map[voipnow.ID]bool{}
		for _, call := range l.Calls {
			if seen[call.ID] {
				t.Fatalf("call %s listed twice", call.ID)
			}
			seen[call.ID] = true
		}
	})
}

// TestListParamsFieldsSortInArray: the vendor's fields, sortOrder and
// filterOp inArray reach the PBX, and the simulator honours them.
func TestListParamsFieldsSortInArray(t *testing.T) {
	e := newEnv(t, sim.Options{}, nil, voipnow.Config{})
	for range 4 {
		e.clock.Add(time.Second)
		e.sim.AddCall(sim.ExtSales, voipnow.FlowIncoming, "", time.Second, 0)
	}
	all, err := e.client.ListCalls(ctx(t), voipnow.ListParams{UserID: voipnow.UserOwner, Count: 100})
	if err != nil || len(all.Calls) != 5 {
		t.Fatalf("%d calls, %v", len(all.Calls), err)
	}
	desc, err := e.client.ListCalls(ctx(t), voipnow.ListParams{UserID: voipnow.UserOwner, Count: 100, SortOrder: "descending"})
	if err != nil || len(desc.Calls) != 5 || desc.Calls[0].ID != all.Calls[4].ID {
		t.Fatalf("descending: %+v, %v", desc.Calls, err)
	}
	ids := string(all.Calls[1].ID) + "," + string(all.Calls[3].ID)
	in, err := e.client.ListCalls(ctx(t), voipnow.ListParams{UserID: voipnow.UserOwner, FilterBy: "id", FilterOp: "inArray", FilterValue: ids})
	if err != nil || len(in.Calls) != 2 {
		t.Fatalf("inArray: %+v, %v", in.Calls, err)
	}
	few, err := e.client.ListCalls(ctx(t), voipnow.ListParams{UserID: voipnow.UserOwner, Fields: []string{"extension"}})
	if err != nil || len(few.Calls) != 5 || few.Calls[0].ID == "" || few.Calls[0].Extension == "" || len(few.Calls[0].Views) != 0 {
		t.Fatalf("fields: %+v, %v", few.Calls, err)
	}
	if _, err := e.client.ListCalls(ctx(t), voipnow.ListParams{SortOrder: "sideways"}); err == nil {
		t.Fatal("a bad sortOrder was sent")
	}
}
