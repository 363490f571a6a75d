package akixi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

// answerRewriter serves the simulator with its requests and answers
// rewritten, to play a real service that differs from it.
func answerRewriter(t *testing.T, s *sim.Server, req func([]byte) []byte, resp func([]byte) []byte) *akixi.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if req != nil {
			body = req(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, r)
		out := rec.Body.Bytes()
		if resp != nil {
			out = resp(out)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	c, err := akixi.New(akixi.Config{BaseURL: srv.URL, Username: "demo", Password: sim.Demo, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestListAllPagesUntilEmpty: a service that caps its pages at 100 (below
// the Limit asked for) is still read to the end; before, the first short
// page ended the list at 100 of 250 without an error.
func TestListAllPagesUntilEmpty(t *testing.T) {
	s := sim.New(sim.Options{GeneratedEntries: 250})
	limit := regexp.MustCompile(`<Limit>\d+</Limit>`)
	c := answerRewriter(t, s, func(b []byte) []byte { return limit.ReplaceAll(b, []byte("<Limit>100</Limit>")) }, nil)
	var part string
	want := 0
	for _, e := range s.Entries() {
		if strings.HasPrefix(e.Description, "Dubber Sales team") {
			part = e.PartitionGUID
		}
	}
	for _, e := range s.Entries() {
		if e.PartitionGUID == part {
			want++
		}
	}
	got, err := c.ListAll(ctx(t), akixi.ListQuery{Scope: akixi.Scope{PartitionGUID: part}})
	if err != nil || len(got) != want || want < 250 {
		t.Fatalf("%d of %d entries, %v", len(got), want, err)
	}
	// A service ignoring Offset repeats its first page: an error, not a loop.
	offset := regexp.MustCompile(`<Offset>\d+</Offset>`)
	c2 := answerRewriter(t, s, func(b []byte) []byte {
		return limit.ReplaceAll(offset.ReplaceAll(b, []byte("<Offset>0</Offset>")), []byte("<Limit>100</Limit>"))
	}, nil)
	got, err = c2.ListAll(ctx(t), akixi.ListQuery{Scope: akixi.Scope{PartitionGUID: part}})
	if err == nil || !strings.Contains(err.Error(), "same page twice") || len(got) != 100 {
		t.Fatalf("offset ignored: %d entries, %v", len(got), err)
	}
}

// TestAnswersAsARealServiceMayWriteThem: a <Response> inside a SOAP
// envelope, Result="success" in lower case, a declared windows-1252 body
// and an InvokeID echoed without its zero padding all decode.
func TestAnswersAsARealServiceMayWriteThem(t *testing.T) {
	s := sim.New(sim.Options{})
	guid := s.Put(akixi.Entry{Type: akixi.TypeDubber, Description: "Dubber – Sales €5 ‘UK’"})
	invoke := regexp.MustCompile(`<InvokeID>0*(\d+)</InvokeID>`)
	c := answerRewriter(t, s, nil, func(b []byte) []byte {
		b = invoke.ReplaceAll(b, []byte("<InvokeID>$1</InvokeID>"))
		b = bytes.ReplaceAll(b, []byte(`Result="Success"`), []byte(`Result="success"`))
		b = bytes.ReplaceAll(b, []byte(`<Response`), []byte(`<Response xmlns="urn:akixi:wsapi"`))
		doc := `<?xml version="1.0" encoding="windows-1252"?>` +
			`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` + string(b) + `</soap:Body></soap:Envelope>`
		out, err := charmap.Windows1252.NewEncoder().Bytes([]byte(doc))
		if err != nil {
			t.Error(err)
		}
		return out
	})
	for range 12 { // past InvokeID 00010, where padding differs
		e, err := c.Info(ctx(t), guid)
		if err != nil {
			t.Fatal(err)
		}
		if e.Description != "Dubber – Sales €5 ‘UK’" {
			t.Fatalf("description %q", e.Description)
		}
	}
	page, err := c.List(ctx(t), akixi.ListQuery{})
	if err != nil || len(page.Entries) == 0 {
		t.Fatalf("list in an envelope: %+v, %v", page, err)
	}
}

// TestLogoutClosesTheSession: Logout ends the session on the service; a
// later operation opens a new one.
func TestLogoutClosesTheSession(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	if _, err := e.c.List(ctx(t), akixi.ListQuery{}); err != nil {
		t.Fatal(err)
	}
	if e.sim.OpenSessions() != 1 {
		t.Fatalf("%d open sessions", e.sim.OpenSessions())
	}
	if err := e.c.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if e.sim.OpenSessions() != 0 || e.sim.LoggedOut() != 1 {
		t.Fatalf("after Logout: %d open, %d logged out", e.sim.OpenSessions(), e.sim.LoggedOut())
	}
	if err := e.c.Logout(ctx(t)); err != nil { // nothing open: nothing sent
		t.Fatal(err)
	}
	if len(e.rec.find(akixi.OpLogout)) != 1 {
		t.Fatalf("%d Logout requests", len(e.rec.find(akixi.OpLogout)))
	}
	if _, err := e.c.List(ctx(t), akixi.ListQuery{}); err != nil || e.sim.SessionsCreated() != 2 {
		t.Fatalf("after Logout, a new session: %v, %d created", err, e.sim.SessionsCreated())
	}
}
