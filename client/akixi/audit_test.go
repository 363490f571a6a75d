package akixi_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
)

// TestEveryOperationRenewsAnExpiredSession expires the session before each
// of the five operations: each one opens a new session, is sent again,
// and takes effect exactly once.
func TestEveryOperationRenewsAnExpiredSession(t *testing.T) {
	e := newEnv(t, sim.Options{GeneratedEntries: -1}, akixi.Config{})
	c := e.c
	if err := c.Login(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var guid string
	steps := []struct {
		op  string
		run func() error
	}{
		{akixi.OpAdd, func() (err error) {
			guid, err = c.Add(ctx(t), akixi.Entry{Type: akixi.TypeDubber, TelSysID: "2", PartIDInTelSys: "Sales", Description: "Renewed"})
			return err
		}},
		{akixi.OpChange, func() error { return c.Change(ctx(t), guid, akixi.Changes{akixi.PropAPIParameter1: "after renewal"}) }},
		{akixi.OpInfo, func() error {
			got, err := c.Info(ctx(t), guid)
			if err == nil && got.APIParameter1 != "after renewal" {
				t.Errorf("Info after the renewed Change: %+v", got)
			}
			return err
		}},
		{akixi.OpList, func() error {
			page, err := c.List(ctx(t), akixi.ListQuery{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}})
			if err == nil && (len(page.Entries) != 1 || page.Entries[0].GUID != guid) {
				t.Errorf("List after the renewed Add: %+v", page)
			}
			return err
		}},
		{akixi.OpDelete, func() error { return c.Delete(ctx(t), guid) }},
	}
	for i, st := range steps {
		before := len(e.rec.find(st.op))
		if n := e.sim.ExpireSessions(); n != 1 {
			t.Fatalf("%s: %d sessions expired, want 1", st.op, n)
		}
		if err := st.run(); err != nil {
			t.Fatalf("%s after expiry: %v", st.op, err)
		}
		if got := c.SessionsOpened(); got != i+2 {
			t.Errorf("%s: %d sessions opened, want %d", st.op, got, i+2)
		}
		// Sent twice (refused with 10302, then accepted); the Add's lookup
		// List is not counted for the Add.
		if n := len(e.rec.find(st.op)) - before; n != 2 {
			t.Errorf("%s sent %d times, want 2", st.op, n)
		}
	}
	if _, ok := e.sim.Entry(guid); ok {
		t.Error("the entry survived the renewed Delete")
	}
	if n := len(e.sim.Entries()); n != 6 {
		t.Errorf("%d entries at the end, want the 6 the simulator starts with", n)
	}
}

// TestServiceTextIsSafeToShow: a Fail message or a broken body that echoes
// the password or the session ID, or carries control characters, reaches
// the error text redacted and printable.
func TestServiceTextIsSafeToShow(t *testing.T) {
	const password = "pw-Secret-42"
	const sid = "ABCDEF0123456789ABCDEF0123456789"
	invoke := regexp.MustCompile(`<InvokeID>(\d+)</InvokeID>`)
	var answer string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := invoke.FindStringSubmatch(string(body))[1]
		if strings.Contains(string(body), `"CreateSession"`) {
			w.Write([]byte(`<Response Result="Success"><InvokeID>` + id + `</InvokeID><Success><Property Name="SessionID">` + sid + `</Property></Success></Response>`))
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(strings.ReplaceAll(answer, "{{id}}", id)))
	}))
	defer srv.Close()
	c, err := akixi.New(akixi.Config{BaseURL: srv.URL, Username: "demo", Password: password, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		msg := err.Error()
		if strings.Contains(msg, password) || strings.Contains(msg, sid) {
			t.Errorf("%s: a secret in %q", what, msg)
		}
		if strings.ContainsAny(msg, "\n\t\u009b\u202e") {
			t.Errorf("%s: control characters in %q", what, msg)
		}
	}

	answer = `<Response Result="Fail"><InvokeID>{{id}}</InvokeID><Fail><ErrorCode>11401</ErrorCode>` +
		`<ErrorDescription>no entry for session ` + sid + ` (password ` + password + `)&#10;&#x9b;31m&#x202e;</ErrorDescription></Fail></Response>`
	_, err = c.Info(ctx(t), sim.SeedListGUID1)
	check("Fail message", err)
	var ae *akixi.APIError
	if !errors.As(err, &ae) || ae.Code != akixi.CodeEntryUnknown || !strings.Contains(ae.Message, "[redacted]") {
		t.Errorf("Fail message: %#v", err)
	}

	answer = "<html>session=" + sid + "\npassword=" + password + "</html>"
	status = http.StatusInternalServerError
	_, err = c.Info(ctx(t), sim.SeedListGUID1)
	check("broken body", err)
	if !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("broken body: %v", err)
	}

	// A wrong path says where it looked, not just "404".
	status = http.StatusNotFound
	answer = "404 page not found"
	_, err = c.Info(ctx(t), sim.SeedListGUID1)
	if err == nil || !strings.Contains(err.Error(), "no WS API at "+srv.URL+akixi.DefaultPath) || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("404: %v", err)
	}
}

// TestAddFindsTheGUIDOfATrimmedDescription: the service trims what it
// stores, so the lookup after Add compares trimmed descriptions.
func TestAddFindsTheGUIDOfATrimmedDescription(t *testing.T) {
	e := newEnv(t, sim.Options{}, akixi.Config{})
	guid, err := e.c.Add(ctx(t), akixi.Entry{Type: akixi.TypeDubber, TelSysID: "1", Description: "  Spaced out  "})
	if err != nil || !akixi.ValidGUID(guid) {
		t.Fatalf("Add: %q %v", guid, err)
	}
	if got, _ := e.sim.Entry(guid); got.Description != "Spaced out" {
		t.Errorf("stored %+v", got)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain":               "plain",
		"two\nlines\ttab":     "two lines tab",
		"csi\u009b31m":        "csi 31m",
		"esc\x1b[2J":          "esc [2J",
		"rtl\u202eoverride":   "rtl override",
		"bad\xffutf8":         "bad?utf8",
		"[Dubber: Demo] café": "[Dubber: Demo] café",
	} {
		if got := akixi.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
