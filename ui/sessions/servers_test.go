package sessions

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/uitest"
)

// fleetScene is a pane following two servers, east and west, each with
// its own store, API, guard and compliance book. Both list a call with
// the same UCC and correlation id (id4), which must stay two rows that
// each act on their own server.
type fleetScene struct {
	*harness
	east, west       *fakeSource
	eastAPI, westAPI *fakeAPI
	switched         []string
}

func newFleetScene(t *testing.T) *fleetScene {
	t.Helper()
	clock := newClock()
	east, west := newSource(clock), newSource(clock)
	east.add("sales", id1, anywhere365.RecordingStarted, 30*time.Second)
	east.add("sales", id4, anywhere365.RecordingStarted, 20*time.Second)
	west.add("sales", id4, anywhere365.RecordingPaused, 10*time.Second)
	west.add("helpdesk", id3, anywhere365.RecordingStarted, 5*time.Second)
	sc := &fleetScene{east: east, west: west,
		eastAPI: &fakeAPI{src: east}, westAPI: &fakeAPI{src: west}}
	aud := &fakeAudit{}
	var panePtr atomic.Pointer[Pane]
	server := func(name string, src *fakeSource, api *fakeAPI) Server {
		book := anywhere365.NewCompliance(mustPolicies(t))
		g := startGuard(t, src, clock, Config{Compliance: book}, func(ctx context.Context, k anywhere365.SessionKey, trig string) (*anywhere365.StateResponse, error) {
			k.Server = name // as the console's guards do
			return panePtr.Load().AutoResume(ctx, k, trig)
		})
		return Server{Name: name, URL: "http://" + name + ".example", Source: src, API: api, Guard: g, Compliance: book}
	}
	cfg := Config{
		Servers:   []Server{server("east", east, sc.eastAPI), server("west", west, sc.westAPI)},
		Audit:     aud,
		Requester: "sip:agent@domain.com",
		Now:       clock.Now,
		Profiles:  []string{"east", "lab", "west"},
	}
	cfg.SwitchProfile = func(names []string) ([]Server, ui.SetServerMsg, error) {
		sc.switched = names
		if names[0] != "lab" {
			return nil, ui.SetServerMsg{}, errors.New(`profile "` + names[0] + `" not found`)
		}
		lab := newSource(clock)
		lab.add("lab-ucc", id2, anywhere365.RecordingStarted, time.Second)
		return []Server{{Name: "", Profile: "lab", URL: "http://lab.example", Source: lab, API: &fakeAPI{src: lab}}},
			ui.SetServerMsg{Server: "http://lab.example", Profile: "lab", APIVersion: "v1"}, nil
	}
	pane := New(cfg)
	panePtr.Store(pane)
	frame := ui.New(ui.Options{Server: "2 servers: east, west", APIVersion: "v1", Now: clock.Now, Tick: -1}, pane)
	h := &harness{t: t, clock: clock, src: east, api: sc.eastAPI, aud: aud, pane: pane, frame: frame}
	h.d = &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	h.d.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	h.d.Exec(frame.Init())
	h.tick()
	h.tick()
	sc.harness = h
	return sc
}

func mustPolicies(t *testing.T) anywhere365.Policies {
	t.Helper()
	ps, err := anywhere365.NewPolicies(anywhere365.DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestTwoServersShareOneTable(t *testing.T) {
	sc := newFleetScene(t)
	rows := sc.pane.tbl.rows
	if len(rows) != 4 {
		t.Fatalf("want the 4 sessions of both servers listed, got %d:\n%s", len(rows), sc.plain())
	}
	servers := map[string]int{}
	for _, r := range rows {
		servers[sc.pane.tbl.snap[r].Key.Server]++
	}
	if servers["east"] != 2 || servers["west"] != 2 {
		t.Fatalf("rows per server = %v, want east 2, west 2", servers)
	}
	// The same call id on both servers is two rows, each in its own state.
	eastKey := anywhere365.SessionKey{Server: "east", UCC: "sales", CorrelationID: id4}
	westKey := anywhere365.SessionKey{Server: "west", UCC: "sales", CorrelationID: id4}
	s, _, ok := sc.pane.cfg.Source.Session(westKey)
	if !ok || s.Recording != anywhere365.RecordingPaused || s.Key != westKey {
		t.Fatalf("west's copy of %s: %+v %v, want Paused and stamped west", id4, s, ok)
	}
	// A SERVER column says where each row comes from.
	if scr := sc.plain(); !strings.Contains(scr, "SERVER") || !regexpMatch(`east +sales +`+id4[:8], scr) || !regexpMatch(`west +sales +`+id4[:8], scr) {
		t.Fatalf("want a SERVER column naming east and west for %s:\n%s", id4[:8], scr)
	}
	// The header names each server with its own connection state.
	sc.west.mu.Lock()
	sc.west.conn = anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 3, LastError: "dial tcp 10.0.0.9:443: connect: connection refused"}
	sc.west.ver++
	sc.west.mu.Unlock()
	sc.tick()
	screen := sc.plain()
	if !strings.Contains(screen, "east ●") || !strings.Contains(screen, "west ↻3") {
		t.Fatalf("header should show each server's state (east ●, west ↻3):\n%s", screen)
	}
	if !strings.Contains(sc.toastTexts(), "Hub west:") {
		t.Fatalf("the failing server's reason should be toasted under its name, toasts:\n%s", sc.toastTexts())
	}

	// Pause east's copy: only east's API is asked, with the unstamped key,
	// and the audit record names east.
	sc.selectKey(eastKey)
	sc.d.Press("p")
	sc.tick()
	if got := sc.eastAPI.setCalls(); len(got) != 1 || got[0].CorrelationID != id4 || got[0].Action != anywhere365.ActionPause {
		t.Fatalf("east's API calls = %+v, want one Pause of %s", got, id4)
	}
	if got := sc.westAPI.setCalls(); len(got) != 0 {
		t.Fatalf("west's API was called for east's session: %+v", got)
	}
	recs := sc.aud.records()
	if len(recs) == 0 || recs[len(recs)-1].Profile != "east" {
		t.Fatalf("audit records = %+v, want the last one for profile east", recs)
	}
	if got := sc.east.recordedActions(); len(got) != 1 {
		t.Fatalf("east's store should record the action once, got %v", got)
	}
	if got := sc.west.recordedActions(); len(got) != 0 {
		t.Fatalf("west's store recorded east's action: %v", got)
	}

	// Resume west's paused copy with s: west's API.
	sc.selectKey(westKey)
	sc.d.Press("s")
	sc.tick()
	if got := sc.westAPI.setCalls(); len(got) != 1 || got[0].Action != anywhere365.ActionStart {
		t.Fatalf("west's API calls = %+v, want one Start", got)
	}
}

func TestProfileCommandSwitchesServers(t *testing.T) {
	sc := newFleetScene(t)
	// An action awaiting its answer belongs to the current servers: the
	// switch is refused until it has one.
	block := make(chan struct{})
	sc.eastAPI.block = block
	sc.selectKey(anywhere365.SessionKey{Server: "east", UCC: "sales", CorrelationID: id1})
	cmd := sc.pane.act(anywhere365.ActionPause, "")
	sc.d.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	sc.d.Type("profile lab")
	sc.d.Press("enter")
	if !strings.Contains(sc.lastToast().Text, "refused") || sc.switched != nil {
		t.Fatalf("switch with an action pending: toast %q, switched %v", sc.lastToast().Text, sc.switched)
	}
	close(block)
	sc.d.Exec(cmd)
	sc.tick()

	// Tab completes the profile names.
	sc.d.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	sc.d.Type("profile l")
	sc.d.Press("tab")
	if v := sc.pane.prompt.Value(); v != "profile lab" {
		t.Fatalf("completion = %q, want %q", v, "profile lab")
	}
	sc.d.Press("esc")

	// An unknown profile: an error, nothing changes.
	sc.d.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	sc.d.Type("profile nowhere")
	sc.d.Press("enter")
	if sc.lastToast().Level != ui.ToastError || !strings.Contains(sc.lastToast().Text, "not found") || len(sc.pane.tbl.rows) != 4 {
		t.Fatalf("unknown profile: toast %+v, %d rows", sc.lastToast(), len(sc.pane.tbl.rows))
	}

	sc.d.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
	sc.d.Type("profile lab")
	sc.d.Press("enter")
	sc.tick()
	screen := sc.plain()
	if len(sc.pane.tbl.rows) != 1 || !strings.Contains(screen, "lab-ucc") || strings.Contains(screen, "helpdesk") {
		t.Fatalf("after :profile lab the table should list lab's one call only:\n%s", screen)
	}
	if strings.Contains(screen, "SERVER") {
		t.Fatalf("one server: the SERVER column should be hidden:\n%s", screen)
	}
	if !strings.Contains(screen, "http://lab.example (profile lab)") || strings.Contains(screen, "2 servers") {
		t.Fatalf("the header should name the new server:\n%s", screen)
	}
	if !strings.Contains(sc.toastTexts(), "Following lab (http://lab.example)") {
		t.Fatalf("toasts:\n%s", sc.toastTexts())
	}
	if k := sc.selected(); k.Server != "" || k.UCC != "lab-ucc" {
		t.Fatalf("selected %+v, want lab's call, unstamped (one server)", k)
	}
}

// A guard on the second server resumes through the pane with a stamped
// key: the resume goes to that server's API, never the first's.
func TestGuardResumeRoutesToItsServer(t *testing.T) {
	sc := newFleetScene(t)
	key := anywhere365.SessionKey{Server: "west", UCC: "sales", CorrelationID: id4}
	resp, err := sc.pane.AutoResume(context.Background(), key, "payment mode limit")
	if err != nil || resp == nil || resp.RecordingState != anywhere365.RecordingStarted {
		t.Fatalf("AutoResume = %+v, %v", resp, err)
	}
	if got := sc.westAPI.setCalls(); len(got) != 1 || got[0].CorrelationID != id4 {
		t.Fatalf("west's API calls = %+v", got)
	}
	if got := sc.eastAPI.setCalls(); len(got) != 0 {
		t.Fatalf("east's API got west's resume: %+v", got)
	}
	recs := sc.aud.all()
	if len(recs) == 0 || recs[len(recs)-1].Profile != "west" {
		t.Fatalf("audit = %+v, want west's profile", recs)
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// A payment pause on its way to west is registered with west's guard (with
// the key as west knows it), so the exit path waits for it there.
func TestPauseOnItsWayRegisteredWithItsServer(t *testing.T) {
	sc := newFleetScene(t)
	key := anywhere365.SessionKey{Server: "west", UCC: "sales", CorrelationID: id4}
	guards := map[string]*anywhere365.PauseGuard{}
	for _, s := range sc.pane.Servers() {
		guards[s.Name] = s.Guard.(*anywhere365.PauseGuard)
	}
	sc.pane.cfg.Guard.Arm(key)
	done := sc.pane.cfg.Guard.(pauseSender).Sending(key)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if got := guards["west"].WaitSent(ctx); len(got) != 1 || got[0] != strip(key) {
		t.Fatalf("west waits for %v, want %v", got, strip(key))
	}
	if got := guards["east"].WaitSent(context.Background()); got != nil {
		t.Fatalf("east waits for %v", got)
	}
	done()
	if got := guards["west"].WaitSent(context.Background()); got != nil {
		t.Fatalf("west still waits for %v after the request was over", got)
	}
}
