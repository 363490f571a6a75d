package noojeepane

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/noojee/sim"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

// TestMain checks that no download or search goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a fake clock shared by the simulator, the client and the pane.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness runs the pane the way Bubble Tea does: each command in its own
// goroutine, its message fed back to Update, until a condition holds.
type harness struct {
	t      *testing.T
	p      *Pane
	sim    *sim.Server
	clock  *fakeClock
	dir    string
	msgs   chan tea.Msg
	toasts []ui.ToastMsg
}

func newHarness(t *testing.T, simCfg sim.Config, apiKey string) *harness {
	t.Helper()
	ck := &fakeClock{t: time.Date(2021, 9, 14, 5, 30, 0, 0, time.UTC)}
	simCfg.Now = ck.Now
	if simCfg.Seed == 0 {
		simCfg.Seed = 7
	}
	s := sim.New(simCfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: apiKey, HTTPClient: &http.Client{Transport: tr},
		Location: s.Location(), Now: ck.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := New(Options{Client: c, Dir: dir, Location: s.Location(), Now: ck.Now})
	p.SetStyles(&ui.Styles{})
	p.SetSize(120, 24)
	return &harness{t: t, p: p, sim: s, clock: ck, dir: dir, msgs: make(chan tea.Msg, 64)}
}

func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

func (h *harness) send(msg tea.Msg) {
	p, cmd := h.p.Update(msg)
	h.p = p.(*Pane)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { h.msgs <- cmd() }()
	}
}

func (h *harness) press(names ...string) {
	for _, n := range names {
		h.send(keyPress(n))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) handle(msg tea.Msg) {
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			h.run(c)
		}
	case ui.ToastMsg:
		h.toasts = append(h.toasts, m)
	default:
		h.send(m)
	}
}

// waitFor handles messages until cond holds, sending a frame tick every
// 20 ms (as the frame would), for at most 10 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case m := <-h.msgs:
			h.handle(m)
		case <-tick.C:
			h.send(ui.TickMsg{At: h.clock.Now()})
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.p.View())
		}
	}
}

// waitToast waits for the next toast and returns it.
func (h *harness) waitToast() ui.ToastMsg {
	h.t.Helper()
	n := len(h.toasts)
	h.waitFor("a toast", func() bool { return len(h.toasts) > n })
	return h.toasts[n]
}

func TestSearchByTagShowsLegsAndFetchesAllByteForByte(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.press("/")
	if !h.p.Capturing() {
		t.Fatal("the tag prompt does not capture keys")
	}
	h.typeText("1234")
	h.press("enter")
	if h.p.Capturing() || !strings.Contains(h.p.View(), "Searching tag 1234") {
		t.Fatalf("no visible search in progress:\n%s", h.p.View())
	}
	toast := h.waitToast()
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "tag 1234: 1 call, 3 legs") {
		t.Fatalf("toast %+v", toast)
	}
	screen := h.p.View()
	for _, want := range []string{
		"Internal call 1392271611.238 · tag 1234 · 3 legs · 1:41",
		"▸ 1    2014-02-13 17:06:52     0:04", "Fred", "400 → 401", "internal",
		"   4%", "  61%", "  35%", "Mary", "✓ ok:",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}

	h.press("F")
	if h.p.job == nil || !strings.Contains(h.p.View(), "Fetching leg") {
		t.Fatalf("no visible fetch:\n%s", h.p.View())
	}
	toast = h.waitToast()
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "3 legs saved") {
		t.Fatalf("fetch toast %+v", toast)
	}
	for leg := 1; leg <= 3; leg++ {
		want, err := h.sim.Audio(sim.ExampleUniqueID, leg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(h.dir, noojee.LegFileName(sim.ExampleUniqueID, leg, ".wav")))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("leg %d: %d bytes, %v; want the simulator's %d", leg, len(got), err, len(want))
		}
	}

	// Fetching again does not overwrite, and says so.
	h.press("F")
	toast = h.waitToast()
	if toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "3 files already there") {
		t.Fatalf("refetch toast %+v", toast)
	}
}

func TestFetchOneLegIntoAChosenFolder(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.press("u")
	h.typeText(sim.ExampleUniqueID2)
	h.press("enter")
	h.waitToast()
	h.press("j", "j")
	if !strings.Contains(h.p.View(), "▸ 3 ") {
		t.Fatalf("leg 3 not selected:\n%s", h.p.View())
	}
	sub := filepath.Join(h.dir, "chosen")
	h.press("o", "ctrl+u")
	h.typeText(sub)
	h.press("enter")
	if toast := h.waitToast(); !strings.Contains(toast.Text, "Download folder: "+sub+" (created on the first fetch)") {
		t.Fatalf("folder toast %+v", toast)
	}
	h.press("f")
	toast := h.waitToast()
	path := filepath.Join(sub, noojee.LegFileName(sim.ExampleUniqueID2, 3, ".wav"))
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "saved "+path) {
		t.Fatalf("toast %+v", toast)
	}
	ents, _ := os.ReadDir(sub)
	if len(ents) != 1 {
		t.Fatalf("%d files in the folder, want 1", len(ents))
	}
}

func TestCancelAFetchLeavesNothing(t *testing.T) {
	h := newHarness(t, sim.Config{Throttle: 32 << 10}, sim.DemoAPIKey)
	h.press("u")
	h.typeText(sim.ExampleUniqueID2)
	h.press("enter")
	h.waitToast()
	h.press("F")
	h.waitFor("progress on screen", func() bool {
		s := h.p.View()
		return strings.Contains(s, "Fetching leg 1 (1 of 4)") && strings.Contains(s, "KB of 344 KB")
	})
	if !strings.Contains(h.p.View(), "x: cancel") {
		t.Fatalf("no cancel hint:\n%s", h.p.View())
	}
	h.press("x")
	toast := h.waitToast()
	if toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "fetch cancelled at leg 1") || !strings.Contains(toast.Text, "no partial file kept") {
		t.Fatalf("toast %+v", toast)
	}
	ents, _ := os.ReadDir(h.dir)
	if len(ents) != 0 {
		t.Fatalf("files left after cancelling: %v", ents)
	}
	if h.p.job != nil || strings.Contains(h.p.View(), "Fetching") {
		t.Fatal("the fetch still shows")
	}
}

func TestByHourListOpensACallAndShowsTheRateLimit(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	date, hour := noojee.HourOf(h.clock.Now().Add(-3*time.Hour), h.sim.Location())
	h.press("h")
	if !strings.Contains(h.p.View(), "allowed now") {
		t.Fatalf("prompt does not say the request is allowed:\n%s", h.p.View())
	}
	h.press("ctrl+u")
	h.typeText(date + " " + strconv.Itoa(hour))
	h.press("enter")
	toast := h.waitToast()
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, "call") {
		t.Fatalf("toast %+v", toast)
	}
	screen := h.p.View()
	for _, want := range []string{"By-hour requests: next allowed in 1m0s", "START", "DIRECTION", "▸ "} {
		if !strings.Contains(screen, want) {
			t.Fatalf("hour list lacks %q:\n%s", want, screen)
		}
	}
	h.clock.Advance(15 * time.Second)
	h.send(ui.TickMsg{At: h.clock.Now()})
	if !strings.Contains(h.p.View(), "next allowed in 45s") {
		t.Fatalf("countdown not updated:\n%s", h.p.View())
	}

	first := h.p.hourCalls[0]
	h.press("enter")
	h.waitToast()
	if h.p.view != viewLegs || !strings.Contains(h.p.View(), "call "+first.UniqueID) {
		t.Fatalf("enter did not open the call:\n%s", h.p.View())
	}
	// The whole call is read by unique id: the hour holds only the legs
	// that ended in it.
	if n := h.sim.Requests("retrieveMetaDataByUniqueId"); n != 1 {
		t.Fatalf("opening a listed call sent %d by-unique-id requests, want 1", n)
	}
	h.press("esc")
	if h.p.view != viewHour {
		t.Fatal("esc did not go back to the hour list")
	}

	// A second listing inside the minute is refused by the client, visibly.
	h.press("h", "enter")
	toast = h.waitToast()
	if toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "try again at") {
		t.Fatalf("rate-limit toast %+v", toast)
	}
	if !strings.Contains(h.p.View(), "⚠ warning:") {
		t.Fatalf("status line does not show the refusal:\n%s", h.p.View())
	}
	if n := h.sim.Requests("retrieveMetaDataByHour"); n != 1 {
		t.Fatalf("%d by-hour requests reached the server, want 1", n)
	}
}

func TestBadInputKeepsThePromptOpen(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.press("h", "ctrl+u")
	h.typeText("2021-09-14 3")
	h.press("enter")
	if !h.p.Capturing() || !strings.Contains(h.p.View(), "not a date as yyyy/MM/dd") || !strings.Contains(h.p.View(), "2021-09-14 3") {
		t.Fatalf("bad date: prompt closed or input lost:\n%s", h.p.View())
	}
	h.press("esc")
	if h.p.Capturing() {
		t.Fatal("esc did not close the prompt")
	}
	h.press("/", "enter")
	if !h.p.Capturing() || !strings.Contains(h.p.View(), "type a tag") {
		t.Fatalf("empty tag accepted:\n%s", h.p.View())
	}
	h.press("esc", "f")
	if toast := h.waitToast(); toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "nothing to fetch") {
		t.Fatalf("fetch with nothing shown: %+v", toast)
	}
}

func TestSearchFailureIsShown(t *testing.T) {
	h := newHarness(t, sim.Config{}, "wrong-key")
	h.press("/")
	h.typeText("1234")
	h.press("enter")
	toast := h.waitToast()
	if toast.Level != ui.ToastError || !strings.Contains(toast.Text, "401") || strings.Contains(toast.Text, "wrong-key") {
		t.Fatalf("toast %+v", toast)
	}
	if !strings.Contains(h.p.View(), "✗ error: finding tag 1234 failed") {
		t.Fatalf("status line:\n%s", h.p.View())
	}
}

func TestStaleSearchAnswerIsDropped(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.p.seq = 2
	h.send(legsMsg{seq: 1, query: "tag old", legs: []noojee.Leg{{Leg: 1, UniqueID: "1.1"}}})
	if len(h.p.calls) != 0 || len(h.toasts) != 0 {
		t.Fatal("a stale answer replaced the screen")
	}
}

func TestViewIsExactlyTheGivenSize(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	check := func(what string) {
		for _, sz := range [][2]int{{120, 24}, {80, 10}, {40, 5}, {10, 3}, {200, 60}} {
			h.p.SetSize(sz[0], sz[1])
			lines := strings.Split(h.p.View(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%s at %v: %d lines", what, sz, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Fatalf("%s at %v: line %d is %d wide: %q", what, sz, i, w, l)
				}
			}
		}
	}
	check("empty")
	h.press("/")
	h.typeText(sim.SharedTag)
	h.press("enter")
	h.waitToast()
	check("legs")
	h.press("G", "/")
	check("legs with prompt")
	h.press("esc")
	// Scrolling keeps the selected leg on screen.
	h.p.SetSize(120, 6)
	h.press("G")
	if !strings.Contains(h.p.View(), "▸ ") {
		t.Fatalf("selected row scrolled off:\n%s", h.p.View())
	}
}

func TestHourListFetchesAllLegsOfTheSelectedCall(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	date, hour := noojee.HourOf(h.clock.Now().Add(-2*time.Hour), h.sim.Location())
	h.press("h", "ctrl+u")
	h.typeText(date + " " + strconv.Itoa(hour))
	h.press("enter")
	h.waitToast()
	hinted := false
	for _, b := range h.p.KeyMap().ShortHelp() {
		hinted = hinted || b.Help().Key == "F"
	}
	if !hinted {
		t.Error("the hour list's key hints do not offer F")
	}
	h.press("j")
	call := h.p.hourCalls[h.p.hourSel]

	// f needs a leg: it says how to get one, and fetches nothing.
	h.press("f")
	if toast := h.waitToast(); toast.Level != ui.ToastWarning || !strings.Contains(toast.Text, "enter opens the call's legs") {
		t.Fatalf("f in the hour list: %+v", toast)
	}
	// The hour holds the legs that ENDED in it: F looks the whole call up
	// by its unique id first, then fetches every leg of it.
	whole, err := h.sim.CallLegs(call.UniqueID)
	if err != nil {
		t.Fatal(err)
	}
	h.press("F")
	toast := h.waitToast()
	if h.p.view != viewLegs || !strings.Contains(h.p.View(), "call "+call.UniqueID) {
		t.Fatalf("F did not open the call:\n%s", h.p.View())
	}
	if toast.Level != ui.ToastSuccess || !strings.Contains(toast.Text, plural(len(whole), "leg")+" saved") {
		t.Fatalf("toast %+v", toast)
	}
	if n := h.sim.Requests("retrieveMetaDataByUniqueId"); n != 1 {
		t.Errorf("fetching a listed call sent %d by-unique-id requests, want 1", n)
	}
	for _, l := range call.Legs {
		want, err := h.sim.Audio(l.UniqueID, l.Leg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(h.dir, noojee.LegFileName(l.UniqueID, l.Leg, ".wav")))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("leg %d: %d bytes, %v; want the simulator's %d", l.Leg, len(got), err, len(want))
		}
	}
	h.press("esc")
	if h.p.view != viewHour {
		t.Fatal("esc did not go back to the hour list")
	}
}

func TestUnavailableSaysWhy(t *testing.T) {
	const why = "no apiKey: set RECDECK_NOOJEE_API_KEY or noojee.api_key in the config profile"
	p := New(Options{Unavailable: why})
	p.SetStyles(&ui.Styles{})
	p.SetSize(160, 8)
	if v := p.View(); !strings.Contains(v, "✗ error: Noojee is not available: "+why) {
		t.Fatalf("view does not say why:\n%s", v)
	}
	for _, k := range []string{"/", "u", "h", "f", "F", "o"} {
		_, cmd := p.Update(keyPress(k))
		if cmd == nil {
			t.Fatalf("%s: no answer", k)
		}
		toast, ok := cmd().(ui.ToastMsg)
		if !ok || toast.Level != ui.ToastError || !strings.Contains(toast.Text, why) {
			t.Fatalf("%s: %+v", k, toast)
		}
		if p.Capturing() {
			t.Fatalf("%s opened a prompt", k)
		}
	}
	// Moving about does nothing and breaks nothing.
	for _, k := range []string{"j", "k", "x", "enter", "esc"} {
		p.Update(keyPress(k))
	}
	if lines := strings.Split(p.View(), "\n"); len(lines) != 8 {
		t.Fatalf("%d lines", len(lines))
	}
}

// TestRetryTimeAgreesWithTheRefusal: the hour list and the client's
// refusal give the same time to try again (both on the user's clock).
func TestRetryTimeAgreesWithTheRefusal(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.press("h", "enter")
	h.waitToast()
	at := h.p.opts.Client.NextByHour().Format("15:04:05")
	if !strings.Contains(h.p.View(), "next allowed in 1m0s, at "+at) {
		t.Fatalf("hour list does not say %s:\n%s", at, h.p.View())
	}
	h.press("h", "enter")
	if toast := h.waitToast(); !strings.Contains(toast.Text, "try again at "+at) {
		t.Fatalf("refusal %q does not say %s", toast.Text, at)
	}
}

// A server's text never drives the terminal: a Username, DID or unique id
// carrying escape sequences (clear screen, bidi override) is shown as plain
// text, while the legs are still listed.
func TestHostileLegTextIsShownSafely(t *testing.T) {
	const hostile = `[{"Source":"400\u001b[2J","Leg":"1","Start":"2014-02-13 17:06:52.0","Tag":"1234","Duration":"4",` +
		`"Username":"Fred\u001b]0;owned\u0007\u202e","CallRecordId":"198348","UniqueId":"1392271611.238\u001b[H",` +
		`"DID":"internal\r\n","Direction":"2","Destination":"401"}]`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(hostile))
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	ck := &fakeClock{t: time.Date(2021, 9, 14, 5, 30, 0, 0, time.UTC)}
	c, err := noojee.New(noojee.Config{BaseURL: srv.URL, APIKey: "k", HTTPClient: &http.Client{Transport: tr},
		Location: time.UTC, Now: ck.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Client: c, Dir: t.TempDir(), Location: time.UTC, Now: ck.Now})
	p.SetStyles(&ui.Styles{})
	p.SetSize(120, 24)
	h := &harness{t: t, p: p, clock: ck, msgs: make(chan tea.Msg, 64)}

	h.press("/")
	h.typeText("1234")
	h.press("enter")
	h.waitFor("the legs", func() bool { return strings.Contains(h.p.View(), "Fred") })
	screen := h.p.View()
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\r"} {
		if strings.Contains(screen, bad) {
			t.Fatalf("screen carries %q from the server:\n%q", bad, screen)
		}
	}
	for _, want := range []string{"1392271611.238", "400", "internal"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

// TestRebindThroughTheSharedPass: the pane's own actions answer to their
// noojee_ names and moving to the names every pane shares, with the help
// following the new keys.
func TestRebindThroughTheSharedPass(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	if err := ui.RebindAll(map[string][]string{"noojee_hour": {"H"}, "down": {"n"}}, nil, h.p); err != nil {
		t.Fatal(err)
	}
	if k := h.p.keys.ByHour.Help().Key; k != "H" {
		t.Errorf("help label %q", k)
	}
	h.press("h")
	if h.p.Capturing() {
		t.Fatal("h still opens the by-hour prompt")
	}
	h.press("H", "ctrl+u")
	if !h.p.Capturing() {
		t.Fatal("H does not open the by-hour prompt")
	}
	date, hour := noojee.HourOf(h.clock.Now().Add(-2*time.Hour), h.sim.Location())
	h.typeText(date + " " + strconv.Itoa(hour))
	h.press("enter")
	h.waitToast()
	if len(h.p.hourCalls) < 2 || h.p.hourSel != 0 {
		t.Fatalf("%d calls listed, selection %d", len(h.p.hourCalls), h.p.hourSel)
	}
	h.press("j")
	if h.p.hourSel != 0 {
		t.Error("j still moves down")
	}
	h.press("n")
	if h.p.hourSel != 1 {
		t.Errorf("n should move down: selection %d", h.p.hourSel)
	}
}

// With a colour theme the rows keep their styling intact: sanitising the
// server's text must not eat the escape codes of the pane's own colours
// (which would leave "[38;2;...m" fragments on screen).
func TestColouredRowsShowNoEscapeFragments(t *testing.T) {
	h := newHarness(t, sim.Config{}, sim.DemoAPIKey)
	h.p.SetStyles(ui.NewStyles(themes.Builtin()[0], false))
	h.press("/")
	h.typeText("1234")
	h.press("enter")
	h.waitFor("the legs", func() bool { return strings.Contains(ansi.Strip(h.p.View()), "Fred") })
	view := h.p.View()
	if !strings.Contains(view, "\x1b[") {
		t.Fatal("the theme drew no colour: the test would prove nothing")
	}
	if plain := ansi.Strip(view); strings.Contains(plain, "[38;") || strings.Contains(plain, "[m") {
		t.Fatalf("escape fragments on screen:\n%s", plain)
	}
}
