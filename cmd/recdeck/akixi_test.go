package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/akixi"
	akixisim "github.com/recdeck/recdeck/client/akixi/sim"
	"github.com/recdeck/recdeck/ui/audit"
)

// The akixi subcommand runs in-process against the Akixi simulator on
// 127.0.0.1.

// akixiServe serves a simulator and returns it with its URL.
func akixiServe(t *testing.T) (*akixisim.Server, string) {
	t.Helper()
	s := akixisim.New(akixisim.Options{Seed: 3})
	return s, serveLoopback(t, s.Handler())
}

// akixiRun runs recdeck with args and stdin; it returns the exit status,
// stdout and stderr. Unlike vendorRun it builds the root command itself:
// main's run takes no stdin, and the delete question reads one.
func akixiRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK, out.String(), errb.String()
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, out.String(), errb.String() + err.Error()
	}
	return exitUsage, out.String(), errb.String() + err.Error()
}

func TestAkixiFlagNames(t *testing.T) {
	want := map[string]string{
		"CallRecIntGUID": "guid", "CallRecIntType": "type", "PartitionGUID": "partition-guid", "TelSysID": "tel-sys-id",
		"PartIDInTelSys": "part-id-in-tel-sys", "Description": "description", "IPAddrOrHost1": "ip-addr-or-host1",
		"IPAddrOrHost2": "ip-addr-or-host2", "AuthUserID1": "auth-user-id1", "AuthUserID2": "auth-user-id2",
		"APIParameter1": "api-parameter1", "APIParameter2": "api-parameter2",
	}
	for _, p := range akixi.Properties {
		if got := akixiFlagName(p.Name); got != want[p.Name] {
			t.Errorf("%s: flag %q, want %q", p.Name, got, want[p.Name])
		}
	}
	if got := akixiKebab("CallRecIntFields"); got != "call-rec-int-fields" {
		t.Errorf("CallRecIntFields: %q", got)
	}
}

func TestAkixiCommandsEndToEnd(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	s, url := akixiServe(t)
	base := []string{"akixi", "--base-url", url, "--username", "demo"}
	cmd := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return akixiRun(t, stdin, append(append([]string{}, base...), args...)...)
	}

	code, out, errs := cmd("", "list", "--tel-sys-id", "2", "--part-id-in-tel-sys", "Sales")
	if code != exitOK || !strings.Contains(out, "45 entries in partition Sales of telephony server 2") || !strings.Contains(out, "Dubber Sales team 45") {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	code, out, _ = cmd("", "--json", "list", "--tel-sys-id", "2", "--part-id-in-tel-sys", "Sales", "--offset", "40", "--limit", "10", "--fields", "CallRecIntType")
	var page []akixi.Entry
	if code != exitOK || json.Unmarshal([]byte(out), &page) != nil || len(page) != 5 || page[0].Type != "Dubber" || page[0].Description != "Dubber Sales team 41" {
		t.Fatalf("list --json page: %d %s", code, out)
	}
	code, out, _ = cmd("", "list", "--partition-guid", akixisim.SeedPartitionGUID, "--call-rec-int-fields", "TelSysID, PartIDInTelSys")
	if code != exitOK || !strings.Contains(out, "PartIDInTelSys") || !strings.Contains(out, "Dubber demo simulator 2") {
		t.Errorf("list with fields: %s", out)
	}
	code, out, _ = cmd("", "list")
	if code != exitOK || !strings.Contains(out, akixi.DemoEntryDescription) || !strings.Contains(out, "1 entry in application-wide") {
		t.Errorf("list app-wide: %s", out)
	}

	code, out, _ = cmd("", "--json", "--show-secrets", "info", "--guid", akixisim.SeedListGUID2)
	var info akixi.Entry
	want, _ := s.Entry(akixisim.SeedListGUID2)
	want.PartitionGUID = "" // Info shows the seed's properties
	if code != exitOK || json.Unmarshal([]byte(out), &info) != nil || info != want {
		t.Errorf("info --json --show-secrets: %d %s", code, out)
	}
	// The Dubber credentials are masked unless asked for.
	code, out, _ = cmd("", "--json", "info", "--guid", akixisim.SeedListGUID2)
	if code != exitOK || json.Unmarshal([]byte(out), &info) != nil || info != want.Masked() || strings.Contains(out, want.APIParameter2) {
		t.Errorf("info --json: %d %s", code, out)
	}
	code, out, _ = cmd("", "info", "--guid", akixisim.SeedListGUID2)
	if code != exitOK || !strings.Contains(out, "CallRecIntType") || !strings.Contains(out, "(read-only after creation)") ||
		strings.Contains(out, "param2") || !strings.Contains(out, akixi.Mask) {
		t.Errorf("info: %s", out)
	}

	// A Dubber credential on the command line is refused before anything is sent.
	sentBefore := s.Requests()
	code, _, errs = cmd("", "add", "--tel-sys-id", "1", "--description", "Team X", "--auth-user-id1", "abc")
	if code != exitUsage || !strings.Contains(errs, "never taken from a flag") || strings.Contains(errs, "abc") || s.Requests() != sentBefore {
		t.Fatalf("secret flag: %d %s", code, errs)
	}
	t.Setenv(akixiSecretEnv(akixi.PropAuthUserID1), "abc-user-77")
	t.Setenv(akixiSecretEnv(akixi.PropAPIParameter2), "p2-secret-88")
	code, out, errs = cmd("", "add", "--tel-sys-id", "1", "--part-id-in-tel-sys", "2", "--description", "Team A",
		"--ip-addr-or-host1", "api.dubber.net/uk1", "--secret", "auth-user-id1", "--secret", "api-parameter2")
	if code != exitOK || !strings.Contains(out, `Added "Team A" in partition 2 of telephony server 1: `) {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	guid := strings.TrimSpace(out[strings.LastIndex(out, ": ")+2:])
	added, ok := s.Entry(guid)
	if !ok || added.AuthUserID1 != "abc-user-77" || added.APIParameter2 != "p2-secret-88" || added.Type != "Dubber" {
		t.Fatalf("added %q: %+v", guid, added)
	}
	if strings.Contains(out+errs, "abc-user-77") || strings.Contains(out+errs, "p2-secret-88") {
		t.Fatalf("a secret on screen: %s %s", out, errs)
	}

	t.Setenv(akixiSecretEnv(akixi.PropAPIParameter2), "")
	code, out, _ = cmd("", "change", "--guid", guid, "--description", "Team A (renamed)", "--secret", "api-parameter2")
	if code != exitOK || !strings.Contains(out, "Changed "+guid+": Description, APIParameter2") {
		t.Errorf("change: %d %s", code, out)
	}
	if e, _ := s.Entry(guid); e.Description != "Team A (renamed)" || e.APIParameter2 != "" || e.AuthUserID1 != "abc-user-77" {
		t.Errorf("after change: %+v", e)
	}
	sent := s.Requests()
	code, _, errs = cmd("", "change", "--guid", guid, "--type", "Other")
	if code != exitUsage || !strings.Contains(errs, "cannot be changed after the entry is created") {
		t.Errorf("change --type: %d %s", code, errs)
	}
	code, _, errs = cmd("", "change", "--guid", guid)
	if code != exitUsage || !strings.Contains(errs, "nothing to change") {
		t.Errorf("change without flags: %d %s", code, errs)
	}
	if s.Requests() != sent {
		t.Error("refused changes were sent")
	}

	// delete asks; only yes deletes.
	code, _, errs = cmd("n\n", "delete", "--guid", guid)
	if code != exitUsage || !strings.Contains(errs, "cannot be undone") || !strings.Contains(errs, "not deleted") {
		t.Errorf("delete refused: %d %s", code, errs)
	}
	if _, ok := s.Entry(guid); !ok {
		t.Fatal("deleted without a yes")
	}
	code, _, errs = cmd("", "delete", "--guid", guid)
	if code != exitUsage || !strings.Contains(errs, "no answer") {
		t.Errorf("delete with no answer: %d %s", code, errs)
	}
	code, out, _ = cmd("yes\n", "delete", "--guid", guid)
	if code != exitOK || !strings.Contains(out, `Deleted "Team A (renamed)"`) {
		t.Errorf("delete: %d %s", code, out)
	}
	if _, ok := s.Entry(guid); ok {
		t.Error("still there")
	}
	// The demonstration entry gets a warning first; --yes skips asking.
	code, _, errs = cmd("n\n", "delete", "--guid", akixi.DemoEntryGUID)
	if code != exitUsage || !strings.Contains(errs, "WARNING") || !strings.Contains(errs, "advises not to delete it") {
		t.Errorf("demo delete: %d %s", code, errs)
	}
	code, out, errs = cmd("", "--json", "delete", "--yes", "--guid", akixisim.SeedListGUID1)
	if code != exitOK || errs != "" || !strings.Contains(out, `"deleted"`) {
		t.Errorf("delete --yes: %d %s %s", code, out, errs)
	}
	code, _, errs = cmd("", "delete", "--yes", "--guid", akixi.DemoEntryGUID)
	if code != exitOK || !strings.Contains(errs, "WARNING: deleting "+akixi.DemoEntryDescription) {
		t.Errorf("demo delete --yes: %d %s", code, errs)
	}
	if _, ok := s.Entry(akixi.DemoEntryGUID); ok {
		t.Error("demo entry still there after delete --yes")
	}
}

func TestAkixiExitStatuses(t *testing.T) {
	vendorIsolate(t, "")
	s, url := akixiServe(t)
	base := []string{"akixi", "--base-url", url, "--username", "demo"}
	run := func(args ...string) (int, string) {
		t.Helper()
		code, _, errs := akixiRun(t, "", append(append([]string{}, base...), args...)...)
		return code, errs
	}
	if code, errs := run("list"); code != exitUsage || !strings.Contains(errs, akixiPasswordEnv) {
		t.Errorf("no password: %d %s", code, errs)
	}
	t.Setenv(akixiPasswordEnv, "wrong-secret")
	if code, errs := run("list"); code != exitNetwork || !strings.Contains(errs, "user name or password was not accepted") || strings.Contains(errs, "wrong-secret") {
		t.Errorf("wrong password: %d %s", code, errs)
	}
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	if code, errs := run("info", "--guid", "0000000000000001:1:1:1"); code != exitAPI || !strings.Contains(errs, "11401") {
		t.Errorf("unknown entry: %d %s", code, errs)
	}
	sent := s.Requests()
	for _, args := range [][]string{
		{"info", "--guid", "nope"},
		{"info"},
		{"add", "--description", "x", "--tel-sys-id", "one"},
		{"add", "--tel-sys-id", "1"},
		{"list", "--part-id-in-tel-sys", "2"},
		{"list", "--limit", "-1"},
		{"list", "extra-arg"},
	} {
		if code, errs := run(args...); code != exitUsage {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
	if s.Requests() != sent {
		t.Error("refused input was sent")
	}
	if code, _, errs := akixiRun(t, "", "akixi", "--base-url", url, "--username", "viewer", "add", "--description", "x"); code != exitAPI || !strings.Contains(errs, "may not administer") {
		t.Errorf("viewer add: %d %s", code, errs)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if code, _, errs := akixiRun(t, "", "akixi", "--base-url", dead.URL, "--username", "demo", "list"); code != exitNetwork {
		t.Errorf("no server: %d %s", code, errs)
	}
	if code, _, errs := akixiRun(t, "", "akixi", "--username", "demo", "list"); code != exitUsage || !strings.Contains(errs, "no Akixi server") {
		t.Errorf("no base URL: %d %s", code, errs)
	}
}

func TestAkixiProfileSection(t *testing.T) {
	_, url := akixiServe(t)
	vendorIsolate(t, "profiles:\n  default:\n    base_url: http://127.0.0.1:1\n    akixi:\n      base_url: "+url+
		"\n      username: demo\n      password: demo\n      path: /CCS/WSAPI\n")
	code, out, errs := akixiRun(t, "", "akixi", "list", "--tel-sys-id", "2")
	if code != exitOK || !strings.Contains(out, "Dubber London") {
		t.Errorf("from the profile: %d %s %s", code, out, errs)
	}
}

func TestAkixiSimMountAndPane(t *testing.T) {
	srv, banner := serveMount(t, mountAkixiSim, 1)
	if len(banner) == 0 || !strings.Contains(banner[0], srv.URL+akixi.DefaultPath) {
		t.Errorf("banner %q", banner)
	}
	// The demo pane talks to the mounted simulator as demo.
	t.Setenv(akixiPasswordEnv, "")
	pane := newAkixiPane(vendorEnv{BaseURL: srv.URL, Demo: true, HTTPClient: srv.Client()})
	if pane == nil || pane.Title() != "Akixi" {
		t.Fatal("no demo pane")
	}
	pane.SetSize(120, 20)
	pane, _ = pane.Update(pane.Init()())
	if v := pane.View(); !strings.Contains(v, akixi.DemoEntryDescription) {
		t.Errorf("demo pane view:\n%s", v)
	}
	// Outside the demo: nothing configured, no pane; no password, a pane saying so.
	// Not configured: the tab stays and says what to configure (it sends
	// nothing); the Anywhere365 base URL is never used for it.
	if p := newAkixiPane(vendorEnv{Profile: Profile{BaseURL: srv.URL}}); p == nil || p.Init() != nil {
		t.Error("no pane, or one that sends, without settings outside the demo")
	} else if p.SetSize(160, 6); !strings.Contains(p.View(), "not configured") || !strings.Contains(p.View(), "akixi.base_url") {
		t.Errorf("the unconfigured tab does not say what to set:\n%s", p.View())
	}
	p := newAkixiPane(vendorEnv{Profile: Profile{Akixi: AkixiProfile{BaseURL: srv.URL, Username: "demo"}}})
	if p == nil || p.Init() != nil {
		t.Fatal("no pane, or it sends without a password")
	}
	p.SetSize(100, 5)
	if v := p.View(); !strings.Contains(v, "no Akixi password") {
		t.Errorf("view %q", v)
	}
	if p := newAkixiPane(vendorEnv{Profile: Profile{Akixi: AkixiProfile{BaseURL: srv.URL, Username: "demo", Password: "demo", Scope: "x/"}}}); p == nil ||
		!strings.Contains(p.View(), "akixi.scope") {
		t.Error("a bad scope in the profile is not reported")
	}
}

// TestAkixiConfirmDeleteInterrupted: Ctrl+C (the command's context) ends
// the delete question at once instead of waiting for a line that never
// comes; nothing is deleted.
func TestAkixiConfirmDeleteInterrupted(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close() // frees the reader left waiting
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var prompt bytes.Buffer
	go func() {
		done <- akixiConfirmDelete(ctx, r, &prompt, akixi.Entry{GUID: akixisim.SeedListGUID1, Description: "x"})
	}()
	cancel()
	select {
	case err := <-done:
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "not deleted: interrupted") {
			t.Errorf("interrupted question: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the delete question ignored the interrupt")
	}
	if !strings.Contains(prompt.String(), "This cannot be undone") {
		t.Errorf("prompt %q", prompt.String())
	}
}

// TestAkixiListPagesAndOddText: one page says where the next one starts;
// text from the service with newlines or terminal controls prints as
// plain text, one row a line.
func TestAkixiListPagesAndOddText(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	s, url := akixiServe(t)
	base := []string{"akixi", "--base-url", url, "--username", "demo"}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return akixiRun(t, "", append(append([]string{}, base...), args...)...)
	}
	code, out, errs := run("list", "--tel-sys-id", "2", "--part-id-in-tel-sys", "Sales", "--limit", "10")
	if code != exitOK || !strings.Contains(out, "10 entries in partition Sales of telephony server 2; more may follow: --offset 10") {
		t.Errorf("first page: %d %s %s", code, out, errs)
	}
	code, out, _ = run("list", "--tel-sys-id", "2", "--part-id-in-tel-sys", "Sales", "--offset", "40", "--limit", "10")
	if code != exitOK || !strings.Contains(out, "5 entries in partition Sales of telephony server 2 from offset 40\n") {
		t.Errorf("last page: %d %s", code, out)
	}
	code, out, _ = run("list", "--tel-sys-id", "2", "--part-id-in-tel-sys", "Sales", "--offset", "45")
	if code != exitOK || !strings.Contains(out, "No entries in partition Sales of telephony server 2 from offset 45.") {
		t.Errorf("past the end: %d %s", code, out)
	}

	guid := s.Put(akixi.Entry{Type: akixi.TypeDubber, TelSysID: "1", Description: "two\nlines \u009b31m", AuthUserID1: "a\tb"}) // XML carries no ESC
	code, out, _ = run("--show-secrets", "list", "--tel-sys-id", "1", "--fields", "AuthUserID1")
	if code != exitOK || !strings.Contains(out, "two lines  31m") || strings.ContainsAny(out, "\u009b\t") {
		t.Errorf("list of odd text: %d %q", code, out)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 { // header, the one row, the count
		t.Errorf("list of odd text is %d lines: %q", len(lines), out)
	}
	code, out, _ = run("info", "--guid", guid)
	if code != exitOK || !strings.Contains(out, "two lines") || strings.ContainsAny(out, "\u009b\t") {
		t.Errorf("info of odd text: %d %q", code, out)
	}
	// --json keeps the data as it is, escaped by JSON.
	code, out, _ = run("--json", "--show-secrets", "info", "--guid", guid)
	var e akixi.Entry
	if code != exitOK || json.Unmarshal([]byte(out), &e) != nil || e.Description != "two\nlines \u009b31m" || e.AuthUserID1 != "a\tb" {
		t.Errorf("info --json of odd text: %d %q", code, out)
	}
}

// TestAkixiSessionsClosedAndActionsAudited: every command closes the
// session it opened; add, change and delete are audited; --json failures
// print one error object.
func TestAkixiSessionsClosedAndActionsAudited(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	s, url := akixiServe(t)
	base := []string{"akixi", "--base-url", url, "--username", "demo"}
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return akixiRun(t, stdin, append(append([]string{}, base...), args...)...)
	}
	if code, out, errs := run("", "list"); code != exitOK {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	code, out, errs := run("", "add", "--tel-sys-id", "1", "--description", "Audited")
	if code != exitOK {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	guid := strings.TrimSpace(out[strings.LastIndex(out, ": ")+2:])
	if code, out, errs := run("", "delete", "--guid", guid, "--yes"); code != exitOK {
		t.Fatalf("delete: %d %s %s", code, out, errs)
	}
	code, out, _ = run("", "--json", "info", "--guid", guid)
	if je := jsonErrorOf(t, out); code != exitAPI || je.Kind != "api" || je.Code == "" {
		t.Fatalf("info of a deleted entry: %d %+v", code, je)
	}
	if n := s.OpenSessions(); n != 0 || s.LoggedOut() != 4 {
		t.Fatalf("%d sessions left open, %d logged out (want 0 and 4)", n, s.LoggedOut())
	}
	recs := readAudit(t)
	if len(recs) != 2 || recs[0].Vendor != "akixi" || recs[0].Action != "entry add" || recs[0].Target != guid ||
		recs[1].Action != "entry delete" || recs[1].Outcome != audit.OutcomeOK {
		t.Fatalf("audit: %+v", recs)
	}
}

// TestAkixiPaneSessionClosedWithTheConsole: the pane's session is closed
// (Logout) when the console ends.
func TestAkixiPaneSessionClosedWithTheConsole(t *testing.T) {
	vendorIsolate(t, "")
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	s, url := akixiServe(t)
	var closers []func()
	env := vendorEnv{Profile: Profile{Akixi: AkixiProfile{BaseURL: url, Username: "demo"}},
		AddCloser: func(f func()) { closers = append(closers, f) }}
	pane := newAkixiPane(env)
	pane.SetSize(120, 20)
	pane, _ = pane.Update(pane.Init()())
	if s.OpenSessions() != 1 || len(closers) != 1 {
		t.Fatalf("%d sessions open, %d closers", s.OpenSessions(), len(closers))
	}
	for _, f := range closers {
		f()
	}
	if s.OpenSessions() != 0 || s.LoggedOut() != 1 {
		t.Fatalf("after the console ended: %d open, %d logged out", s.OpenSessions(), s.LoggedOut())
	}
}

// TestAkixiDubberSecretsFromProfileOrPrompt: --secret takes a Dubber
// credential from the environment, else the profile's akixi.dubber
// section, else a prompt; the value never shows.
func TestAkixiDubberSecretsFromProfileOrPrompt(t *testing.T) {
	s, url := akixiServe(t)
	vendorIsolate(t, "default_profile: ak\nprofiles:\n  ak:\n    akixi:\n      base_url: "+url+"\n      username: demo\n      dubber:\n        auth_user_id1: from-profile-31\n")
	t.Setenv(akixiPasswordEnv, akixisim.Demo)
	code, out, errs := akixiRun(t, "typed-at-prompt-42\n", "akixi", "add", "--tel-sys-id", "1", "--description", "Prompted",
		"--secret", "auth-user-id1", "--secret", "api-parameter1")
	if code != exitOK {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	guid := strings.TrimSpace(out[strings.LastIndex(out, ": ")+2:])
	e, _ := s.Entry(guid)
	if e.AuthUserID1 != "from-profile-31" || e.APIParameter1 != "typed-at-prompt-42" {
		t.Fatalf("entry %+v", e)
	}
	if !strings.Contains(errs, "APIParameter1 ("+akixiSecretEnv(akixi.PropAPIParameter1)+" is not set): ") ||
		strings.Contains(out+errs, "from-profile-31") || strings.Contains(out+errs, "typed-at-prompt-42") {
		t.Fatalf("prompt or leak: %q %q", out, errs)
	}
}
