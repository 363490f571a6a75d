package akixipane

import (
	"net/http/httptest"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/akixi/sim"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is the pane with a real client against the simulator on loopback.
type harness struct {
	t   *testing.T
	sim *sim.Server
	c   *akixi.Client
	p   *Pane
	d   *uitest.Driver
}

func newHarness(t *testing.T, o Options, so sim.Options) *harness {
	t.Helper()
	s := sim.New(so)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c, err := akixi.New(akixi.Config{BaseURL: srv.URL, Username: "demo", Password: sim.Demo, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	o.API = c
	if o.Refresh == 0 {
		o.Refresh = -1 // no timers in tests; TestRefreshTick drives ticks by hand
	}
	p := New(o)
	p.SetSize(120, 30)
	p.SetStyles(&ui.Styles{})
	h := &harness{t: t, sim: s, c: c, p: p}
	h.d = &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, cmd := p.Update(m); return cmd }}
	h.d.Exec(p.Init())
	return h
}

// toast returns the last toast shown, failing when there was none.
func (h *harness) toast() ui.ToastMsg {
	h.t.Helper()
	for i := len(h.d.Seen) - 1; i >= 0; i-- {
		if m, ok := h.d.Seen[i].(ui.ToastMsg); ok {
			return m
		}
	}
	h.t.Fatal("no toast")
	return ui.ToastMsg{}
}

// wantToast checks the last toast's level and text, then forgets the
// messages seen so far.
func (h *harness) wantToast(level ui.ToastLevel, text string) {
	h.t.Helper()
	m := h.toast()
	if m.Level != level || !strings.Contains(m.Text, text) {
		h.t.Errorf("toast %d %q, want %d containing %q", m.Level, m.Text, level, text)
	}
	h.d.Seen = nil
}

func (h *harness) view() string { return h.p.View() }

func (h *harness) wantView(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range parts {
		if !strings.Contains(v, s) {
			h.t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}

// selectGUID moves the cursor to the row with guid.
func (h *harness) selectGUID(guid string) {
	h.t.Helper()
	for range len(h.p.rows) {
		h.d.Press("up")
	}
	for range len(h.p.rows) {
		if e, _ := h.p.selected(); e.GUID == guid {
			return
		}
		h.d.Press("down")
	}
	if e, _ := h.p.selected(); e.GUID != guid {
		h.t.Fatalf("no row %s", guid)
	}
}

// clearField empties the focused input (ctrl+u deletes before the cursor).
func (h *harness) clearField() {
	h.d.Send(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	h.d.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
}

func TestListAndPaging(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}}, sim.Options{})
	p := h.p
	if len(p.rows) != 20 || !p.more || p.offset != 0 {
		t.Fatalf("first page: %d rows, more %v", len(p.rows), p.more)
	}
	h.wantView("scope: partition Sales of telephony server 2", "Dubber Sales team 01", "Dubber Sales team 20",
		"page 1: 1-20, more follow", "TS 2/Sales")
	if strings.Contains(h.view(), "Dubber Sales team 21") {
		t.Error("page 1 shows the probe entry 21")
	}
	h.d.Press("]")
	h.wantView("Dubber Sales team 21", "page 2: 21-40")
	h.d.Press("pgdown")
	if len(p.rows) != 5 || p.more || !strings.Contains(h.view(), "page 3: 41-45") {
		t.Errorf("last page: %d rows, more %v", len(p.rows), p.more)
	}
	h.d.Press("]") // no next page: nothing happens
	if p.offset != 40 {
		t.Errorf("paged past the end: offset %d", p.offset)
	}
	h.d.Press("[", "[")
	if p.offset != 0 || len(p.rows) != 20 {
		t.Errorf("back to page 1: offset %d", p.offset)
	}
	// The cursor moves within the page and shows as a marker, not only a colour.
	h.d.Press("down", "down", "up")
	if p.cursor != 1 || !strings.Contains(h.view(), "▸ Dubber Sales team 02") {
		t.Errorf("cursor %d", p.cursor)
	}
	h.d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if p.cursor != 2 {
		t.Errorf("wheel: cursor %d", p.cursor)
	}
	// r reloads and confirms it.
	h.d.Seen = nil
	h.d.Press("r")
	h.wantToast(ui.ToastSuccess, "20 entries in partition Sales of telephony server 2")
}

func TestScopeChange(t *testing.T) {
	h := newHarness(t, Options{}, sim.Options{})
	h.wantView("scope: application-wide", akixi.DemoEntryDescription+" (demo)")
	h.d.Press("s")
	if !h.p.Capturing() {
		t.Fatal("scope prompt does not capture keys")
	}
	h.clearField()
	h.d.Type("x/")
	h.d.Press("enter")
	if !h.p.Capturing() || h.p.scopeErr == "" {
		t.Fatalf("bad scope accepted: %q", h.p.scopeErr)
	}
	h.wantView("✗", "x/")
	h.clearField()
	h.d.Type("1/2")
	h.d.Press("enter")
	if h.p.Capturing() || h.p.scope != (akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}) {
		t.Fatalf("scope %+v", h.p.scope)
	}
	h.wantToast(ui.ToastSuccess, "2 entries in partition 2 of telephony server 1")
	h.wantView("Dubber demo simulator 1", "Dubber demo simulator 2")
	// An unknown scope is the server's error, shown in words.
	h.d.Press("s")
	h.clearField()
	h.d.Type("9")
	h.d.Press("enter")
	h.wantToast(ui.ToastError, "no telephony server with that ID")
	h.wantView("✗ error: Could not load entries", "11011")
	// esc keeps the scope.
	h.d.Press("s", "esc")
	h.wantToast(ui.ToastInfo, "scope unchanged")
}

func TestAddFlow(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}}, sim.Options{})
	h.d.Press("a")
	if !h.p.Capturing() || h.p.mode != modeForm {
		t.Fatal("no add form")
	}
	h.wantView("Add a call recording integration entry", "Type (CallRecIntType)", "Dubber", "Description (Description)")
	// Without a description nothing is sent.
	sent := h.sim.Requests()
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if h.sim.Requests() != sent || h.p.form == nil || !strings.Contains(h.p.form.err, "Description is required") {
		t.Fatalf("empty description: err %q", h.p.form.err)
	}
	h.wantView("✗ Not saved: Description is required")
	// A description already used in the scope: the server refuses, the form stays.
	h.d.Press("tab")
	h.d.Type("Dubber demo simulator 1")
	h.d.Press("tab", "tab", "tab", "tab")
	h.d.Type("api.dubber.net/uk1")
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	h.wantToast(ui.ToastError, "11403")
	if h.p.form == nil || !strings.Contains(h.p.form.err, "already used") || h.p.form.edited().IPAddrOrHost1 != "api.dubber.net/uk1" {
		t.Fatalf("form after a refusal: %+v", h.p.form)
	}
	// Fix the description and save with enter on the last field.
	h.p.focusField(1)
	h.clearField()
	h.d.Type("Team A recordings")
	for range len(h.p.form.fields) {
		h.d.Press("enter")
		if h.p.form == nil {
			break
		}
	}
	if h.p.form != nil || h.p.Capturing() {
		t.Fatal("form still open after saving")
	}
	m := h.toast()
	if m.Level != ui.ToastSuccess || !strings.Contains(m.Text, `Added "Team A recordings"`) {
		t.Errorf("toast %+v", m)
	}
	var added akixi.Entry
	for _, e := range h.sim.Entries() {
		if e.Description == "Team A recordings" {
			added = e
		}
	}
	if added.TelSysID != "1" || added.PartIDInTelSys != "2" || added.Type != "Dubber" || added.IPAddrOrHost1 != "api.dubber.net/uk1" {
		t.Errorf("added %+v", added)
	}
	if !strings.Contains(m.Text, added.GUID) {
		t.Errorf("toast lacks the new GUID: %q", m.Text)
	}
	h.wantView("Team A recordings")
	// esc cancels a new form and says nothing was sent.
	h.d.Press("a", "esc")
	h.wantToast(ui.ToastInfo, "add cancelled, nothing was sent")
}

func TestChangeFlow(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}}, sim.Options{})
	before, _ := h.sim.Entry(sim.SeedListGUID2)
	h.selectGUID(sim.SeedListGUID2)
	h.d.Press("c")
	if h.p.mode != modeForm || h.p.form.adding {
		t.Fatal("no change form")
	}
	h.wantView("Change entry "+sim.SeedListGUID2, "GUID (CallRecIntGUID)", "read-only: they cannot be changed after the entry is created",
		"Type (CallRecIntType)", "••••")
	if strings.Contains(h.view(), "param2") {
		t.Errorf("the change form shows a Dubber credential:\n%s", h.view())
	}
	for _, f := range h.p.form.fields {
		if f.prop.ReadOnly {
			t.Errorf("read-only %s is editable", f.prop.Name)
		}
	}
	// Saving untouched sends nothing.
	sent := h.sim.Requests()
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	h.wantToast(ui.ToastInfo, "no changes")
	if h.sim.Requests() != sent {
		t.Error("an unchanged form was sent")
	}
	// A taken description is refused by the server; the form keeps the text.
	h.d.Press("c")
	h.clearField()
	h.d.Type("Dubber demo simulator 1")
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	h.wantToast(ui.ToastError, "already used")
	if h.p.form == nil || h.p.form.fields[0].in.Value() != "Dubber demo simulator 1" {
		t.Fatal("form lost after a refusal")
	}
	h.clearField()
	h.d.Type("Renamed entry")
	h.d.Press("down", "down", "down", "down", "down", "down", "down", "down") // to API parameter 1
	h.clearField()
	h.d.Type("new param")
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	h.wantToast(ui.ToastSuccess, `Changed "Renamed entry"`)
	after, _ := h.sim.Entry(sim.SeedListGUID2)
	want := before
	want.Description, want.APIParameter1 = "Renamed entry", "new param"
	if after != want {
		t.Errorf("after change\n got %+v\nwant %+v", after, want)
	}
	h.wantView("Renamed entry")
}

func TestDetailView(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}}, sim.Options{})
	h.selectGUID(sim.SeedListGUID2)
	h.d.Press("enter")
	if h.p.mode != modeDetail {
		t.Fatal("no details")
	}
	h.wantView("Akixi entry · Dubber demo simulator 2", "CallRecIntGUID", sim.SeedListGUID2, "API parameter 2", akixi.Mask,
		"(read-only)", "they cannot be changed after the entry is created", "Scope: partition 2 of telephony server 1",
		"Dubber credentials are masked: x shows them")
	if strings.Contains(h.view(), "param2") {
		t.Fatalf("a Dubber credential on screen before it was asked for:\n%s", h.view())
	}
	h.d.Press("x") // asked for explicitly
	h.wantView("param2")
	h.d.Press("x")
	if strings.Contains(h.view(), "param2") {
		t.Fatal("x did not hide the credentials again")
	}
	// Change from the details comes back to the details, re-read.
	h.d.Press("c")
	h.clearField()
	h.d.Type("From details")
	h.d.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if h.p.mode != modeList && h.p.mode != modeDetail {
		t.Fatalf("mode %d", h.p.mode)
	}
	if got, _ := h.sim.Entry(sim.SeedListGUID2); got.Description != "From details" {
		t.Errorf("not changed: %+v", got)
	}
	h.d.Press("esc")
	if h.p.mode != modeList {
		t.Errorf("esc: mode %d", h.p.mode)
	}
	// An entry deleted meanwhile: reading it fails in words.
	h.selectGUID(sim.SeedListGUID1)
	h.sim.InjectFault(akixi.OpInfo, akixi.CodeEntryUnknown, 1)
	h.d.Seen = nil
	h.d.Press("enter")
	h.wantToast(ui.ToastError, "was it deleted?")
	if h.p.mode != modeList {
		t.Errorf("mode %d after a failed read", h.p.mode)
	}
}

func TestDeleteFlow(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1", PartIDInTelSys: "2"}}, sim.Options{})
	h.selectGUID(sim.SeedListGUID1)
	h.d.Press("d")
	if !h.p.Capturing() {
		t.Fatal("confirmation does not capture keys")
	}
	h.wantView(`Delete "Dubber demo simulator 1"`, "This cannot be undone", sim.SeedListGUID1)
	h.d.Press("n")
	h.wantToast(ui.ToastInfo, "delete cancelled")
	if _, ok := h.sim.Entry(sim.SeedListGUID1); !ok {
		t.Fatal("deleted although refused")
	}
	// A failing delete says so and keeps the entry.
	h.sim.InjectFault(akixi.OpDelete, akixi.CodeNotAdmin, 1)
	h.d.Press("d", "y")
	h.wantToast(ui.ToastError, "may not administer")
	h.d.Press("d", "y")
	h.wantToast(ui.ToastSuccess, `deleted "Dubber demo simulator 1"`)
	if _, ok := h.sim.Entry(sim.SeedListGUID1); ok {
		t.Error("still there")
	}
	if len(h.p.rows) != 1 || h.p.Capturing() {
		t.Errorf("after delete: %d rows", len(h.p.rows))
	}
}

func TestDeleteDemoEntryWarnsFirst(t *testing.T) {
	h := newHarness(t, Options{}, sim.Options{})
	h.selectGUID(akixi.DemoEntryGUID)
	h.d.Press("d")
	h.wantView("WARNING", "demonstration-simulator entry", "advises not to delete it")
	if strings.Contains(h.view(), "cannot be undone") {
		t.Error("the usual question came before the warning")
	}
	h.d.Press("esc")
	h.wantToast(ui.ToastInfo, "delete cancelled")
	h.d.Press("d", "y")
	h.wantView("This cannot be undone")
	if _, ok := h.sim.Entry(akixi.DemoEntryGUID); !ok {
		t.Fatal("deleted after the warning alone")
	}
	h.d.Press("y")
	h.wantToast(ui.ToastSuccess, "deleted")
	if _, ok := h.sim.Entry(akixi.DemoEntryGUID); ok {
		t.Error("demo entry still there")
	}
	h.wantView("No entries in this scope.")
}

func TestSessionExpiryIsInvisible(t *testing.T) {
	h := newHarness(t, Options{}, sim.Options{})
	h.sim.ExpireSessions()
	h.d.Press("r")
	h.wantToast(ui.ToastSuccess, "1 entry in application-wide")
	if h.c.SessionsOpened() != 2 {
		t.Errorf("sessions %d", h.c.SessionsOpened())
	}
}

func TestRefreshTick(t *testing.T) {
	h := newHarness(t, Options{}, sim.Options{})
	p := h.p
	p.o.Refresh = DefaultRefresh // after Init: the Driver must not run the timer
	// The tick of the current load triggers a re-read; an old one does not.
	if _, cmd := p.Update(tickMsg{gen: p.gen - 1}); cmd != nil {
		t.Error("a stale tick started a load")
	}
	gen := p.gen
	_, cmd := p.Update(tickMsg{gen: gen})
	if cmd == nil || !p.loading || p.gen != gen+1 {
		t.Fatal("the tick did not reload")
	}
	msg := cmd().(listMsg)
	_, next := p.Update(msg)
	if next == nil || p.loading {
		t.Fatal("the answer did not re-arm the timer")
	}
	// A second tick while loading is ignored.
	p.loading = true
	if _, cmd := p.Update(tickMsg{gen: p.gen}); cmd != nil {
		t.Error("tick while loading")
	}
}

func TestViewIsExactlyTheSize(t *testing.T) {
	h := newHarness(t, Options{Hint: "Demo: try s then 2/Sales"}, sim.Options{})
	check := func(what string) {
		t.Helper()
		for _, size := range [][2]int{{120, 30}, {80, 24}, {40, 8}, {10, 3}} {
			h.p.SetSize(size[0], size[1])
			lines := strings.Split(h.view(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%s %v: %d lines", what, size, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Errorf("%s %v: line %d is %d wide", what, size, i, w)
				}
			}
		}
		h.p.SetSize(120, 30)
	}
	check("list")
	h.d.Press("enter")
	check("detail")
	h.d.Press("esc", "a")
	check("add form")
	h.d.Press("esc", "d")
	check("confirm")
	h.d.Press("n", "s")
	check("scope")
	h.d.Press("esc")
	if len(h.p.KeyMap().ShortHelp()) == 0 || len(h.p.KeyMap().FullHelp()) != 3 {
		t.Error("key map")
	}
}

func TestKeysFollowTheView(t *testing.T) {
	h := newHarness(t, Options{}, sim.Options{})
	if err := ui.RebindAll(map[string][]string{"akixi_add": {"+"}}, nil, h.p); err != nil {
		t.Fatal(err)
	}
	k := &h.p.keys
	if k.Add.Help().Key != "+" {
		t.Errorf("help label %q", k.Add.Help().Key)
	}
	if !k.Add.Enabled() || k.Yes.Enabled() || k.Save.Enabled() || k.NextPage.Enabled() {
		t.Error("list bindings")
	}
	h.d.Press("a")
	if h.p.mode != modeList {
		t.Fatal("a still adds after rebinding to +")
	}
	h.d.Press("+")
	if h.p.mode != modeForm || !k.Save.Enabled() || k.Add.Enabled() {
		t.Error("form bindings")
	}
	// Typing a letter bound elsewhere goes into the field.
	h.d.Type("rd")
	if got := h.p.form.fields[0].in.Value(); got != "Dubberrd" {
		t.Errorf("typed into the form: %q", got)
	}
}

func TestUnavailable(t *testing.T) {
	p := New(Options{Unavailable: "no Akixi password (RECDECK_AKIXI_PASSWORD)"})
	p.SetSize(80, 5)
	if p.Init() != nil {
		t.Error("Init sends without a client")
	}
	if _, cmd := p.Update(uitest.Key("r")); cmd != nil {
		t.Error("a key did something")
	}
	if v := p.View(); !strings.Contains(v, "Akixi is not available: no Akixi password") {
		t.Errorf("view %q", v)
	}
	if p.Title() != "Akixi" || p.Capturing() {
		t.Error("title or capture")
	}
}

// TestFailedPageKeepsThePage: a next page that cannot be read leaves the
// page shown, its number and the paging keys in agreement.
func TestFailedPageKeepsThePage(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}}, sim.Options{})
	h.sim.InjectFault(akixi.OpList, akixi.CodeDatabase, 1)
	h.d.Press("]")
	if h.p.offset != 0 || len(h.p.rows) != 20 || h.p.rows[0].Description != "Dubber Sales team 01" {
		t.Fatalf("after a failed next page: offset %d, %d rows", h.p.offset, len(h.p.rows))
	}
	h.wantView("✗ error: Could not load entries", "database is unavailable", "Dubber Sales team 01")
	if h.p.keys.PrevPage.Enabled() || !h.p.keys.NextPage.Enabled() {
		t.Error("paging keys do not match page 1")
	}
	h.d.Press("]")
	h.wantView("page 2: 21-40", "Dubber Sales team 21")
}

// TestDeletingTheLastEntryOfAPage goes back to the page before instead of
// showing an empty page with entries before it.
func TestDeletingTheLastEntryOfAPage(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}, PageSize: 20}, sim.Options{GeneratedEntries: 21})
	h.d.Press("]")
	if h.p.offset != 20 || len(h.p.rows) != 1 {
		t.Fatalf("page 2: offset %d, %d rows", h.p.offset, len(h.p.rows))
	}
	h.d.Press("d", "y")
	h.wantToast(ui.ToastSuccess, `deleted "Dubber Sales team 21"`)
	if h.p.offset != 0 || len(h.p.rows) != 20 || h.p.more {
		t.Errorf("after deleting page 2's only entry: offset %d, %d rows, more %v", h.p.offset, len(h.p.rows), h.p.more)
	}
	h.wantView("page 1: 1-20")
}

// TestOddTextStaysInItsRow: a description with a newline or a C1 control
// (text the API itself would refuse, stored straight into the simulator)
// is shown on one line, the view keeps its exact size, and what is sent
// back on change is the data as read.
func TestOddTextStaysInItsRow(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "1"}}, sim.Options{})
	guid := h.sim.Put(akixi.Entry{Type: akixi.TypeDubber, TelSysID: "1", Description: "two\nlines \u009b31m", AuthUserID1: "a\tb"})
	h.d.Press("r")
	lines := strings.Split(h.view(), "\n")
	if len(lines) != 30 || !strings.Contains(h.view(), "▸ two lines  31m") || strings.ContainsAny(h.view(), "\u009b\t") {
		t.Errorf("list view:\n%s", h.view())
	}
	h.d.Press("enter", "x")
	h.wantView("Akixi entry · two lines  31m", "a b")
	if strings.ContainsAny(h.view(), "\u009b\t") || len(strings.Split(h.view(), "\n")) != 30 {
		t.Errorf("detail view:\n%s", h.view())
	}
	h.d.Press("d")
	if strings.ContainsAny(h.view(), "\u009b\t") || !strings.Contains(h.view(), `Delete "two lines  31m"?`) {
		t.Errorf("confirm view:\n%s", h.view())
	}
	h.d.Press("n")
	if _, ok := h.sim.Entry(guid); !ok {
		t.Fatal("deleted on n")
	}
}

// TestRebindSharedAndOwnNames: "down" (the name every pane shares) and
// akixi_delete rebind this pane through the shared pass; n still answers
// the delete confirmation, where moving is off.
func TestRebindSharedAndOwnNames(t *testing.T) {
	h := newHarness(t, Options{Scope: akixi.Scope{TelSysID: "2", PartIDInTelSys: "Sales"}}, sim.Options{})
	if err := ui.RebindAll(map[string][]string{"down": {"n"}, "akixi_delete": {"D"}}, nil, h.p); err != nil {
		t.Fatal(err)
	}
	h.d.Press("n")
	if h.p.cursor != 1 {
		t.Fatalf("n should move down: cursor %d", h.p.cursor)
	}
	h.d.Press("d")
	if h.p.Capturing() {
		t.Fatal("d still deletes")
	}
	h.d.Press("D")
	if h.p.mode != modeConfirm {
		t.Fatalf("D does not ask to delete: mode %d", h.p.mode)
	}
	h.d.Press("n")
	h.wantToast(ui.ToastInfo, "delete cancelled")
	if h.p.mode != modeList || h.p.cursor != 1 {
		t.Errorf("after n: mode %d, cursor %d", h.p.mode, h.p.cursor)
	}
	if k := h.p.keys.Delete.Help().Key; k != "D" {
		t.Errorf("help label %q", k)
	}
}
