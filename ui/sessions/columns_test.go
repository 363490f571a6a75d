package sessions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
)

// columnHeader is the table's column header line on screen (not the
// chooser's lines).
func columnHeader(t *testing.T, screen string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "RECORDING") && !strings.Contains(l, "[") {
			return l
		}
	}
	t.Fatalf("no column header on screen:\n%s", screen)
	return ""
}

// titlesIn lists the column titles of a header line, in order.
func titlesIn(head string) []string {
	var out []string
	for _, c := range []column{colServer, colUCC, colCorr, colState, colMark, colSave, colAge, colLast} {
		if i := strings.Index(head, colSpecs[c].title); i >= 0 {
			out = append(out, fmt.Sprintf("%04d%s", i, colSpecs[c].title))
		}
	}
	slices.Sort(out)
	for i := range out {
		out[i] = out[i][4:]
	}
	return out
}

// pulled ticks until cond holds: the pane pulls a changed store on a tick
// unless its throttle holds the pull back (longer under -race).
func (h *harness) pulled(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not pulled within 5s", what)
		}
		time.Sleep(time.Millisecond)
		h.tick()
	}
}

// saver is a fake Config.OnColumns that records what it is handed.
type saver struct {
	mu    sync.Mutex
	calls [][]string
	err   error
}

func (s *saver) save(names []string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, slices.Clone(names))
	return "/home/u/.config/recdeck/config.yaml", s.err
}

func (s *saver) last() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return nil
	}
	return s.calls[len(s.calls)-1]
}

// C opens the chooser; space hides a column, K/J and shift+↑/↓ move one,
// and the table under it follows at once; RECORDING cannot be hidden;
// enter closes it and hands the choice to OnColumns once.
func TestColumnChooserHidesAndMovesColumns(t *testing.T) {
	sv := &saver{}
	h := newHarness(t, 120, 30, func(c *Config) { c.OnColumns = sv.save })
	before := titlesIn(columnHeader(t, h.plain()))
	if want := []string{"UCC", "CORRELATION", "RECORDING", "MARKING", "SAVING", "IN STATE", "LAST ACTION"}; !slices.Equal(before, want) {
		t.Fatalf("default columns %v", before)
	}
	h.d.Press("C")
	if !h.pane.Capturing() {
		t.Fatal("C does not open the chooser")
	}
	scr := h.plain()
	mustContain(t, scr, "Columns", selPointer+" [x] SERVER", "listed only while several servers are followed",
		"[x] RECORDING", "always shown", "close and save")
	// Hide MARKING (the fifth line: SERVER UCC CORRELATION RECORDING MARKING).
	h.d.Press("j", "j", "j", "j", "space")
	mustContain(t, h.plain(), "[ ] MARKING")
	if got := titlesIn(columnHeader(t, h.plain())); slices.Contains(got, "MARKING") {
		t.Fatalf("MARKING still shown: %v", got)
	}
	// RECORDING cannot be hidden.
	h.d.Press("k", "space")
	mustContain(t, h.lastToast().Text, "RECORDING is always shown")
	mustContain(t, h.plain(), "[x] RECORDING")
	// Move RECORDING left twice (K, then shift+up): it leads the table.
	h.d.Press("K")
	h.d.Send(tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModShift})
	got := titlesIn(columnHeader(t, h.plain()))
	if want := []string{"RECORDING", "UCC", "CORRELATION", "SAVING", "IN STATE", "LAST ACTION"}; !slices.Equal(got, want) {
		t.Fatalf("after moving RECORDING: %v", got)
	}
	// J moves it back right one place.
	h.d.Press("J")
	if got := titlesIn(columnHeader(t, h.plain())); got[0] != "UCC" || got[1] != "RECORDING" {
		t.Fatalf("after J: %v", got)
	}
	if len(sv.calls) != 0 {
		t.Fatalf("saved before the chooser closed: %v", sv.calls)
	}
	h.d.Press("enter")
	if h.pane.Capturing() {
		t.Fatal("enter does not close the chooser")
	}
	want := []string{"server", "ucc", "recording", "correlation", "saving", "age", "last"}
	if !slices.Equal(sv.last(), want) || len(sv.calls) != 1 {
		t.Fatalf("saved %v", sv.calls)
	}
	tt := h.lastToast()
	if tt.Level != ui.ToastSuccess || !strings.Contains(tt.Text, "saved in /home/u/.config/recdeck/config.yaml") ||
		!strings.Contains(tt.Text, strings.Join(want, ", ")) {
		t.Fatalf("toast %+v", tt)
	}
	// The rows follow the header: the state cell sits under RECORDING.
	scr = h.plain()
	head := columnHeader(t, scr)
	row := lineWith(scr, shortID(id2))
	if i := strings.Index(head, "RECORDING"); i < 0 || !strings.HasPrefix(string([]rune(row)[len([]rune(head[:i])):]), "‖ Paused") {
		t.Fatalf("row does not follow the header:\n%s\n%s", head, row)
	}
	// Opened and closed with no change: nothing saved again.
	h.d.Press("C", "esc")
	if len(sv.calls) != 1 || h.pane.Capturing() {
		t.Fatalf("esc with no change saved again: %v", sv.calls)
	}
	// The sort cycle follows the chosen columns: o goes past no hidden one.
	for range 10 {
		h.d.Press("o")
		if h.pane.tbl.sortCol == colMark || h.pane.tbl.sortCol == colServer {
			t.Fatalf("o sorted by a hidden column: %s", h.pane.tbl.sortDesc())
		}
	}
}

// Saving that fails, or no config to save in, keeps the choice for the
// run and says so; the error text is shown through safetext.
func TestColumnChooserSaveFailsOrNoConfig(t *testing.T) {
	sv := &saver{err: errors.New("open /etc/recdeck.yaml: permission denied\x1b[2J")}
	h := newHarness(t, 120, 30, func(c *Config) { c.OnColumns = sv.save })
	h.d.Press("C", "j", "space", "esc") // hide UCC
	tt := h.lastToast()
	if tt.Level != ui.ToastWarning || !strings.Contains(tt.Text, "for this run only, not saved: open /etc/recdeck.yaml: permission denied") ||
		strings.Contains(tt.Text, "\x1b") {
		t.Fatalf("toast %q", tt.Text)
	}
	if got := titlesIn(columnHeader(t, h.plain())); slices.Contains(got, "UCC") {
		t.Fatalf("the choice is not kept after a failed save: %v", got)
	}

	h = newHarness(t, 120, 30) // no OnColumns: the demo without a config file
	h.d.Press("C", "j", "space", "enter")
	mustContain(t, h.lastToast().Text, "kept for this run only: no config file")
	if got := titlesIn(columnHeader(t, h.plain())); slices.Contains(got, "UCC") {
		t.Fatalf("the choice is not applied: %v", got)
	}
}

// A save that runs after a newer one (Bubble Tea runs commands
// concurrently) does not undo it.
func TestColumnSavesInOrder(t *testing.T) {
	sv := &saver{}
	h := newHarness(t, 120, 30, func(c *Config) { c.OnColumns = sv.save })
	p := h.pane
	p.chooser.shown[colMark] = false
	first := p.saveColumns()
	p.chooser.shown[colSave] = false
	second := p.saveColumns()
	if m := second(); m == nil {
		t.Fatal("the newer save did not run")
	}
	if m := first(); m != nil {
		t.Fatalf("the older save ran after the newer one: %v", m)
	}
	if len(sv.calls) != 1 || slices.Contains(sv.last(), "saving") {
		t.Fatalf("saved %v", sv.calls)
	}
}

// Config.Columns sets the columns and their order from the start; a bad
// list (only possible from a caller that did not check it) shows every
// column and says why.
func TestColumnsFromConfig(t *testing.T) {
	h := newHarness(t, 120, 30, func(c *Config) { c.Columns = []string{"recording", "UCC", "age"} })
	if got := titlesIn(columnHeader(t, h.plain())); !slices.Equal(got, []string{"RECORDING", "UCC", "IN STATE"}) {
		t.Fatalf("columns %v", got)
	}
	// The hidden ones are listed after the shown ones in the chooser.
	h.d.Press("C")
	scr := h.plain()
	if a, b := strings.Index(scr, "[x] IN STATE"), strings.Index(scr, "[ ] SERVER"); a < 0 || b < a {
		t.Fatalf("chooser order:\n%s", scr)
	}
	h.d.Press("C") // C closes it too
	if h.pane.Capturing() {
		t.Fatal("C does not close the chooser")
	}

	h = newHarness(t, 120, 30, func(c *Config) { c.Columns = []string{"ucc", "colour"} })
	if got := titlesIn(columnHeader(t, h.plain())); len(got) != 7 {
		t.Fatalf("columns %v", got)
	}
	mustContain(t, h.toastTexts(), `unknown column "colour"`, "all columns shown")
}

func TestParseColumns(t *testing.T) {
	got, err := ParseColumns([]string{"UCC", " recording ", "server"})
	if err != nil || !slices.Equal(got, []string{"ucc", "recording", "server"}) {
		t.Fatalf("%v %v", got, err)
	}
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"ucc", "colour", "recording"}, `unknown column "colour" (valid: server, ucc, correlation, recording, marking, saving, age, last)`},
		{[]string{"ucc", "recording", "ucc"}, "ucc is listed twice"},
		{[]string{"ucc", "age"}, "recording must be listed"},
		{nil, "none given"},
		{[]string{"\x1b]0;pwned\x07", "recording"}, "]0;pwned"},
	} {
		if _, err := ParseColumns(c.in); err == nil || !strings.Contains(err.Error(), c.want) || strings.ContainsAny(err.Error(), "\x1b\x07") {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}

// :columns opens the chooser, or sets the columns from names; a bad name
// is refused and changes nothing.
func TestColumnsCommand(t *testing.T) {
	sv := &saver{}
	h := newHarness(t, 120, 30, func(c *Config) { c.OnColumns = sv.save })
	h.command("columns")
	if !h.pane.chooser.open {
		t.Fatal(":columns does not open the chooser")
	}
	h.d.Press("esc")
	h.command("columns age,recording ucc")
	if got := titlesIn(columnHeader(t, h.plain())); !slices.Equal(got, []string{"IN STATE", "RECORDING", "UCC"}) {
		t.Fatalf("columns %v", got)
	}
	if !slices.Equal(sv.last(), []string{"age", "recording", "ucc"}) {
		t.Fatalf("saved %v", sv.calls)
	}
	h.command("columns ucc nonsense recording")
	mustContain(t, h.lastToast().Text, `unknown column "nonsense"`)
	if got := titlesIn(columnHeader(t, h.plain())); len(got) != 3 || len(sv.calls) != 1 {
		t.Fatalf("a bad :columns changed something: %v %v", got, sv.calls)
	}
	// Tab completes the names.
	h.d.Press(":")
	h.d.Type("columns ser")
	h.d.Press("tab")
	if got := h.pane.prompt.Raw(); got != "columns server " {
		t.Fatalf("completion %q", got)
	}
	h.d.Press("esc")
}

// The SERVER column is listed only once a session names its server (the
// console follows several); it sorts, filters and is exported.
func TestServerColumn(t *testing.T) {
	h := newHarness(t, 120, 30)
	if got := titlesIn(columnHeader(t, h.plain())); slices.Contains(got, "SERVER") {
		t.Fatalf("SERVER shown with one server: %v", got)
	}
	h.src.mu.Lock()
	for i := range h.src.sessions {
		h.src.sessions[i].Key.Server = []string{"prod-b", "prod-a"}[i%2]
	}
	h.src.ver++
	h.src.mu.Unlock()
	h.pulled("the server names", func() bool { return h.pane.tbl.servers })
	scr := h.plain()
	got := titlesIn(columnHeader(t, scr))
	if len(got) == 0 || got[0] != "SERVER" {
		t.Fatalf("SERVER not first with two servers: %v\n%s", got, scr)
	}
	if l := lineWith(scr, shortID(id1)); !strings.Contains(l, "prod-b") {
		t.Fatalf("row without its server: %q", l)
	}
	h.command("sort server")
	if h.pane.tbl.sortDesc() != "server (ascending)" {
		t.Fatalf("sort %q", h.pane.tbl.sortDesc())
	}
	mustContain(t, columnHeader(t, h.plain()), "SERVER▲")
	var servers []string
	for _, r := range h.pane.tbl.rows {
		servers = append(servers, h.pane.tbl.snap[r].Key.Server)
	}
	if !slices.Equal(servers, []string{"prod-a", "prod-a", "prod-b", "prod-b"}) {
		t.Fatalf("sorted by server: %v", servers)
	}
	h.command("filter prod-a")
	if len(h.pane.tbl.rows) != 2 {
		t.Fatalf("filter on the server: %d rows", len(h.pane.tbl.rows))
	}
	file := filepath.Join(t.TempDir(), "s.csv")
	h.command("export " + file)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 3 || recs[0][0] != "server" || recs[1][0] != "prod-a" || recs[2][0] != "prod-a" {
		t.Fatalf("csv %v %v", recs, err)
	}
	// The chooser hides it like any other column.
	h.d.Press("C", "space", "enter")
	if got := titlesIn(columnHeader(t, h.plain())); slices.Contains(got, "SERVER") {
		t.Fatalf("SERVER still shown after hiding it: %v", got)
	}
}

// A server name from the config or a session never reaches the terminal
// raw.
func TestServerColumnIsSafeText(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.src.mu.Lock()
	h.src.sessions[0].Key.Server = "evil\x1b]0;title\x07"
	h.src.ver++
	h.src.mu.Unlock()
	h.pulled("the server name", func() bool { return h.pane.tbl.servers })
	if scr := h.screen(); strings.Contains(scr, "\x1b]0;") || strings.Contains(scr, "\x07") {
		t.Fatalf("raw escape on screen: %q", scr)
	}
	mustContain(t, columnHeader(t, h.plain()), "SERVER")
}

// Packed sort keys order the SERVER column as comparing the sessions does,
// including servers longer than the packed part and equal ones.
func TestServerSortKeysAgreeWithCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	servers := []string{"", "a", "prod-eu-west-1-primary-a", "prod-eu-west-1-primary-b", "b"}
	var snap []anywhere365.Session
	for i := range 500 {
		snap = append(snap, anywhere365.Session{Key: anywhere365.SessionKey{
			Server: servers[rng.IntN(len(servers))], UCC: []string{"sales", "help"}[rng.IntN(2)],
			CorrelationID: fmt.Sprintf("%08x-0000-0000-0000-%012x", rng.IntN(20), i%40)}})
	}
	for _, desc := range []bool{false, true} {
		tb := table{snap: snap, sortCol: colServer, desc: desc}
		tb.init()
		for i := range snap {
			tb.rows = append(tb.rows, int32(i))
		}
		tb.sort()
		for i := 1; i < len(tb.rows); i++ {
			a, b := &snap[tb.rows[i-1]], &snap[tb.rows[i]]
			c := compareBy(colServer, a, b)
			if c == 0 {
				c = compareKeys(a, b)
			}
			if desc {
				c = -c
			}
			if c > 0 {
				t.Fatalf("desc %v: %v before %v", desc, a.Key, b.Key)
			}
		}
	}
}

// The detail view names who requested this console's last action on the
// session, above the history, so it shows on a short screen and whatever
// the history holds; a session no action was sent for has no such line.
func TestDetailShowsRequester(t *testing.T) {
	h := newHarness(t, 120, 22, withRequester("sip:alice@example.com"))
	k := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	h.selectKey(k)
	h.d.Press("enter")
	if strings.Contains(h.plain(), "Requested by") {
		t.Fatalf("a requester shown before any action:\n%s", h.plain())
	}
	h.d.Press("esc", "s") // resume the paused call
	h.clock.Advance(2 * time.Second)
	h.d.Press("m")
	// Many events after it push the action out of the history on screen.
	for range 30 {
		h.src.mu.Lock()
		h.src.hist[k] = append(h.src.hist[k], anywhere365.HistoryEntry{At: h.clock.Now(), Kind: anywhere365.HistoryEvent,
			Action: anywhere365.ActionMark, Recording: anywhere365.RecordingStarted})
		h.src.mu.Unlock()
	}
	h.pulled("the events", func() bool { return h.pane.tbl.version == h.src.Version() })
	h.d.Press("enter")
	scr := h.plain()
	l := lineWith(scr, "Requested by")
	if !strings.Contains(l, "sip:alice@example.com") || !strings.Contains(l, "Mark sent by this console at 12:00:02") {
		t.Fatalf("requested by line %q in\n%s", l, scr)
	}
	if strings.Contains(scr, "  action ") {
		t.Fatalf("the test meant the action to be scrolled out of the history:\n%s", scr)
	}
	// Other sessions have none.
	h.d.Press("esc")
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	h.d.Press("enter")
	if strings.Contains(h.plain(), "Requested by") {
		t.Fatal("another session shows a requester")
	}
}

// A requester that carries control characters (it comes from the config
// file) is shown through safetext, in the detail line and the history.
func TestDetailRequesterIsSafeText(t *testing.T) {
	h := newHarness(t, 120, 30)
	k := anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}
	h.pane.noteActor(k, anywhere365.ActionPause, h.clock.Now(), "sip:a@b\x1b[2J\x07")
	h.selectKey(k)
	h.d.Press("enter")
	scr := h.screen()
	if strings.Contains(scr, "\x1b[2J") || strings.Contains(scr, "\x07") {
		t.Fatalf("raw control characters on screen: %q", scr)
	}
	mustContain(t, h.plain(), "Requested by", "sip:a@b")
}
