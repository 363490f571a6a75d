package sessions

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
)

// column is one column of the sessions table.
type column int

const (
	colUCC column = iota
	colCorr
	colState
	colMark
	colSave
	colAge
	colLast
	// colServer is the followed server's profile name: listed only while
	// some session has one (the console follows several servers).
	colServer
	numCols
)

// colSpec describes a column: its title, width (the minimum for the UCC
// column, which takes the spare room; every width leaves a cell for the
// title's sort indicator, ▲ or ▼) and priority: on a narrow terminal
// columns are dropped highest priority number first. State is never
// dropped (nor hidden with the column chooser).
type colSpec struct {
	title string
	width int
	prio  int
}

var colSpecs = [numCols]colSpec{
	colUCC:    {"UCC", 14, 10},
	colCorr:   {"CORRELATION", 12, 20},
	colState:  {"RECORDING", 17, 0},
	colMark:   {"MARKING", 8, 40},
	colSave:   {"SAVING", 8, 50},
	colAge:    {"IN STATE", 9, 30},
	colLast:   {"LAST ACTION", 12, 60},
	colServer: {"SERVER", 10, 35},
}

// defaultOrder is the columns' order when the config names none: the
// server first, as it scopes the rest.
var defaultOrder = []column{colServer, colUCC, colCorr, colState, colMark, colSave, colAge, colLast}

// sortNames say in a toast what the table is sorted by.
var sortNames = [numCols]string{"UCC", "correlation id", "recording state", "marking", "saving", "time in state", "last action", "server"}

// markerWidth is the leading column: the selection pointer (▸), then a
// spinner while an action is pending, ⊘ when actions are disabled for the
// UCC, – when the call has ended.
const markerWidth = 3

// selPointer marks the selected row in text, not only in colour or reverse
// video: with --no-color on a terminal that drops attributes (TERM=dumb), to
// a screen reader, or in a plain screen capture, it is all that shows which
// row the action keys apply to.
const selPointer = "▸"

// maxUCCWidth keeps a long UCC name from pushing the states off screen.
const maxUCCWidth = 40

// table is the filtered, sorted view of the store's snapshot and the
// cursor over it. It renders only the rows on screen and caches each by
// what it depends on, so a frame costs the same at 100 or 100,000 rows.
type table struct {
	snap    []anywhere365.Session
	rows    []int32 // indexes into snap, filtered and sorted
	keys    []sortKey
	version uint64
	pulled  bool
	// rowsAll is true when rows holds every index of the snapshot it was
	// built from (no filter): the next rebuild may then keep its order.
	rowsAll bool
	sorts   int // full sorts done (tests)

	// The pull throttle: a rebuild (filter + sort) is O(N log N), so with
	// very many sessions pulls are spaced to a few times its cost, keeping
	// the event loop free for keys.
	lastPull  time.Time
	pullEvery time.Duration
	pullCost  time.Duration // the last pull's cost (wall time)

	counts      [4]int // live calls per RecordingState 0..3
	other       int    // live calls in states outside the documented four
	gone        int    // ended calls still listed
	unconfirmed int
	stale       int // rows not kept live by the hub (it is down)
	final       int // rows the server refused for good

	cursor  int // index into rows
	offset  int // first row on screen
	visible int // rows on screen
	sel     anywhere365.SessionKey
	hasSel  bool
	// chosen is true once the user has put the cursor on a row (a key, a
	// click, "a"): until then it stays on the first row of the sorted
	// table as sessions arrive, instead of following the first one seen.
	chosen bool
	// want is a session to select as soon as it is listed (one just added
	// with "a", which the store lists once it has fetched it).
	want    anywhere365.SessionKey
	hasWant bool

	sortCol column
	desc    bool
	filter  string

	width int
	cols  []column // the columns drawn, in order
	// order is the user's choice of columns, in order (the column
	// chooser, the config's columns:); nil is defaultOrder.
	order []column
	// servers is true while some session names its server: the SERVER
	// column is listed only then.
	servers bool
	colW    [numCols]int
	colX    [numCols][2]int

	// cache holds the rendered rows of the last frame; seen the version
	// each had, so a change between two frames flashes the row.
	cache    map[anywhere365.SessionKey]cachedRow
	next     map[anywhere365.SessionKey]cachedRow
	flash    map[anywhere365.SessionKey]time.Time
	styleGen int

	paints    paints
	paintGen  int
	hasPaints bool

	// flags is each flagged session's worst compliance flag: its word
	// replaces the last action (the marker column carries its mark).
	flags map[anywhere365.SessionKey]anywhere365.FlagKind

	// status is the pane's status line as last drawn (view.go).
	status statusCache
}

// statusCache is the status line and the key it was drawn for; next is a
// spare buffer for the next key.
type statusCache struct {
	key, next []byte
	line      string
	ok        bool
}

// cachedRow is a rendered row and everything its text depends on.
type cachedRow struct {
	version  uint64
	width    int
	styleGen int
	selected bool
	flash    bool
	marker   string
	age      string
	text     string
	// ageAt and ageLen are where the age cell's text is in text (ageAt
	// -1: not in one piece), so a row whose age alone changed (every row,
	// every second) is spliced rather than drawn again.
	ageAt, ageLen int
}

func (t *table) init() {
	t.cache = map[anywhere365.SessionKey]cachedRow{}
	t.next = map[anywhere365.SessionKey]cachedRow{}
	t.flash = map[anywhere365.SessionKey]time.Time{}
}

// forget drops every session and the cursor (the pane follows other
// servers now); sort, filter, columns and size stay.
func (t *table) forget() {
	t.snap, t.rows, t.keys = t.snap[:0], t.rows[:0], t.keys[:0]
	t.version, t.pulled, t.lastPull = 0, false, time.Time{}
	t.cursor, t.offset, t.hasSel, t.chosen, t.hasWant = 0, 0, false, false, false
	t.counts, t.other, t.gone, t.unconfirmed, t.stale, t.final = [4]int{}, 0, 0, 0, 0, 0
	clear(t.cache)
	clear(t.next)
	clear(t.flash)
	t.flags = nil
}

// invalidate drops the rendered rows (theme change).
func (t *table) invalidate() {
	t.styleGen++
	clear(t.cache)
}

func (t *table) dueForPull() bool {
	return time.Since(t.lastPull) >= t.pullEvery
}

// pullFrom copies the store's snapshot and rebuilds the view of it.
func (t *table) pullFrom(src Source, v uint64) {
	start := time.Now()
	t.snap = src.Snapshot(t.snap)
	t.version, t.pulled = v, true
	t.rebuild()
	cost := time.Since(start)
	t.lastPull = time.Now()
	// Spend at most about a fifth of the time rebuilding, and refresh at
	// least once a second. The cost is wall time: on a busy machine one
	// pull may take many times its work (the process was not running), so
	// the smaller of the last two costs counts, or one such pull would
	// hold the next ones (and every change on screen) back.
	t.pullEvery = min(4*min(cost, t.pullCost), time.Second)
	t.pullCost = cost
}

// rebuild filters and sorts the snapshot, counts states, and keeps the
// cursor on the same session.
//
// Most pulls under load change sessions' states, not which sessions there
// are, and under the default sort (UCC) or any sort the changes did not
// disturb, the last order is still right: when rows held every index of
// a snapshot of the same length and is still in order, it is kept, and a
// pull costs one linear check instead of a sort (which was a third of the
// console's CPU at 1,000 events/s over 10,000 sessions).
func (t *table) rebuild() {
	needle, invert := parseFilter(t.filter)
	keep := needle == "" && t.rowsAll && len(t.rows) == len(t.snap) && t.inOrder()
	if !keep {
		t.rows = t.rows[:0]
	}
	t.counts = [4]int{}
	t.other, t.gone, t.unconfirmed, t.stale, t.final = 0, 0, 0, 0, 0
	servers := false
	for i := range t.snap {
		s := &t.snap[i]
		servers = servers || s.Key.Server != ""
		switch r := s.Recording; {
		case s.Gone:
			t.gone++ // an ended call no longer counts in its last state
		case r >= 0 && int(r) < len(t.counts):
			t.counts[r]++
		default:
			t.other++
		}
		if !s.Confirmed && !s.Final {
			t.unconfirmed++
		}
		if s.Stale {
			t.stale++
		}
		if s.Final {
			t.final++
		}
		if keep || (needle != "" && matches(s, needle) == invert) {
			continue
		}
		t.rows = append(t.rows, int32(i))
	}
	if servers != t.servers {
		t.servers = servers
		t.relayout() // the SERVER column comes or goes
	}
	if !keep {
		t.sort()
	}
	t.rowsAll = needle == ""
	t.reselect()
}

// inOrder reports whether rows is in the order sort would give it: every
// pair of neighbours compared as sort compares them (without the packed
// keys, which only speed that order up). rows must index snap.
func (t *table) inOrder() bool {
	col, desc, snap := t.sortCol, t.desc, t.snap
	for i := 1; i < len(t.rows); i++ {
		a, b := &snap[t.rows[i-1]], &snap[t.rows[i]]
		c := compareBy(col, a, b)
		if c == 0 {
			c = compareKeys(a, b)
		}
		if desc {
			c = -c
		}
		if c > 0 {
			return false
		}
	}
	return true
}

// sortKey is a row's place in the order, packed so that most comparisons
// are three integer compares on a small, contiguous slice instead of string
// compares through pointers into the (large) snapshot: at 100,000 sessions
// that is what keeps a rebuild in the tens of milliseconds. Only rows whose
// packed keys tie fall back to comparing the sessions themselves.
type sortKey struct {
	a, b, c uint64
	idx     int32
}

func (t *table) sort() {
	t.sorts++
	col, desc, snap := t.sortCol, t.desc, t.snap
	keys := t.keys[:0]
	for _, r := range t.rows {
		keys = append(keys, packKey(col, &snap[r], r))
	}
	t.keys = keys
	slices.SortFunc(keys, func(x, y sortKey) int {
		c := cmp.Compare(x.a, y.a)
		if c == 0 {
			c = cmp.Compare(x.b, y.b)
		}
		if c == 0 {
			c = cmp.Compare(x.c, y.c)
		}
		if c == 0 {
			c = compareBy(col, &snap[x.idx], &snap[y.idx])
		}
		if c == 0 {
			// Keys are unique, so the order is total and stable between pulls.
			c = compareKeys(&snap[x.idx], &snap[y.idx])
		}
		if desc {
			c = -c
		}
		return c
	})
	for i, k := range keys {
		t.rows[i] = k.idx
	}
}

// packKey packs the fields a column sorts by, most significant first, so
// that comparing packed keys agrees with compareBy then compareKeys
// whenever they differ.
func packKey(col column, s *anywhere365.Session, idx int32) sortKey {
	k := sortKey{idx: idx}
	ucc, id := s.Key.UCC, s.Key.CorrelationID
	switch col {
	case colUCC:
		k.a, k.b, k.c = prefix8(ucc, 0), prefix8(ucc, 8), prefix8(id, 0)
		if len(ucc) > 16 {
			k.c = 0 // the UCC is not fully packed: let the fallback decide
		}
	case colCorr:
		k.a, k.b, k.c = prefix8(id, 0), prefix8(id, 8), prefix8(id, 16)
	case colState:
		k.a, k.b, k.c = uint64(s.Recording), prefix8(ucc, 0), prefix8(ucc, 8)
	case colMark:
		k.a, k.b, k.c = uint64(s.Marking), prefix8(ucc, 0), prefix8(ucc, 8)
	case colSave:
		k.a, k.b, k.c = uint64(s.Saving), prefix8(ucc, 0), prefix8(ucc, 8)
	case colAge:
		// Ascending is the shortest time in the state first: the newest
		// StateSince; an unknown one (zero) last.
		k.a, k.b, k.c = ^orderedTime(s.StateSince), prefix8(ucc, 0), prefix8(ucc, 8)
	case colLast:
		k.a, k.b, k.c = uint64(s.LastAction), ^orderedTime(s.LastActionAt), prefix8(ucc, 0)
	case colServer:
		srv := s.Key.Server
		k.a, k.b, k.c = prefix8(srv, 0), prefix8(srv, 8), prefix8(ucc, 0)
		if len(srv) > 16 {
			k.c = 0 // the server is not fully packed: let the fallback decide
		}
	}
	// Enum values are compared as unsigned: map negative (unknown) values
	// below every documented one, as cmp.Compare on the ints does.
	if col == colState || col == colMark || col == colSave || col == colLast {
		k.a ^= 1 << 63
	}
	return k
}

// prefix8 is s[off:off+8] as a big-endian number, zero-padded: comparing
// two of them orders like comparing the strings, up to ties.
func prefix8(s string, off int) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v <<= 8
		if off+i < len(s) {
			v |= uint64(s[off+i])
		}
	}
	return v
}

// orderedTime maps a time to an unsigned number in the same order.
func orderedTime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano()) ^ 1<<63
}

func compareKeys(a, b *anywhere365.Session) int {
	if c := strings.Compare(a.Key.UCC, b.Key.UCC); c != 0 {
		return c
	}
	if c := strings.Compare(a.Key.CorrelationID, b.Key.CorrelationID); c != 0 {
		return c
	}
	return strings.Compare(a.Key.Server, b.Key.Server) // keys are unique only with it
}

func compareBy(col column, a, b *anywhere365.Session) int {
	switch col {
	case colCorr:
		return strings.Compare(a.Key.CorrelationID, b.Key.CorrelationID)
	case colState:
		return cmp.Compare(a.Recording, b.Recording)
	case colMark:
		return cmp.Compare(a.Marking, b.Marking)
	case colSave:
		return cmp.Compare(a.Saving, b.Saving)
	case colAge:
		// Shortest in its state first, as the column shows durations: the
		// newest StateSince.
		return b.StateSince.Compare(a.StateSince)
	case colLast:
		if c := cmp.Compare(a.LastAction, b.LastAction); c != 0 {
			return c
		}
		return b.LastActionAt.Compare(a.LastActionAt)
	case colServer:
		return strings.Compare(a.Key.Server, b.Key.Server)
	}
	return 0 // colUCC: the key order decides
}

// reselect puts the cursor back on the selected session after a rebuild;
// if it is filtered out or gone, the cursor stays at the same position.
func (t *table) reselect() {
	if t.hasWant {
		for _, r := range t.rows {
			if t.snap[r].Key == t.want {
				t.sel, t.hasSel, t.hasWant = t.want, true, false
				break
			}
		}
	}
	if !t.chosen {
		t.place(0)
		return
	}
	if t.hasSel {
		for i, r := range t.rows {
			if t.snap[r].Key == t.sel {
				t.cursor = i
				t.scroll()
				return
			}
		}
	}
	t.place(t.cursor)
}

// selected returns the session under the cursor.
func (t *table) selected() (*anywhere365.Session, bool) {
	if t.cursor < 0 || t.cursor >= len(t.rows) {
		return nil, false
	}
	return &t.snap[t.rows[t.cursor]], true
}

func (t *table) move(d int) { t.moveTo(t.cursor + d) }

// moveTo is the user's move: from now on the cursor follows the session
// under it.
func (t *table) moveTo(i int) {
	t.hasWant = false // the user moved: forget a selection still waited for
	t.chosen = true
	t.place(i)
}

// place puts the cursor on row i (clamped) and selects its session.
func (t *table) place(i int) {
	t.cursor = max(0, min(i, len(t.rows)-1))
	if s, ok := t.selected(); ok {
		t.sel, t.hasSel = s.Key, true
	}
	t.scroll()
}

// selectKey moves the cursor to key if it is listed, and otherwise
// remembers it so the cursor jumps there when it appears.
func (t *table) selectKey(k anywhere365.SessionKey) {
	// The store keys sessions by the normalised id (lower case): a GUID
	// typed in upper case must still find its row.
	k.CorrelationID = anywhere365.NormalizeGUID(k.CorrelationID)
	t.want, t.hasWant, t.chosen = k, true, true
	t.reselect()
}

func (t *table) scroll() {
	if t.visible <= 0 {
		return
	}
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.visible {
		t.offset = t.cursor - t.visible + 1
	}
	t.offset = max(0, min(t.offset, len(t.rows)-t.visible))
}

func (t *table) setFilter(f string) {
	if f == t.filter {
		return
	}
	t.filter = f
	t.rebuild()
}

// cycleSort sorts by the next listed column (in the chosen order; one
// that is off screen for lack of width too).
func (t *table) cycleSort() {
	cols := t.listed()
	i := slices.Index(cols, t.sortCol)
	t.sortCol = cols[(i+1)%len(cols)]
	t.desc = false
	t.rebuild()
}

func (t *table) reverseSort() {
	t.desc = !t.desc
	t.rebuild()
}

func (t *table) sortDesc() string {
	dir := "ascending"
	if t.desc {
		dir = "descending"
	}
	return sortNames[t.sortCol] + " (" + dir + ")"
}

// sortByX sorts by the column under a click on the header (a second click
// reverses).
func (t *table) sortByX(x int) {
	for _, c := range t.cols {
		if x >= t.colX[c][0] && x < t.colX[c][1] {
			if t.sortCol == c {
				t.desc = !t.desc
			} else {
				t.sortCol, t.desc = c, false
			}
			t.rebuild()
			return
		}
	}
}

// parseFilter reads the filter: case-insensitive text; a leading "!"
// inverts it.
func parseFilter(f string) (needle string, invert bool) {
	f = strings.TrimSpace(f)
	if strings.HasPrefix(f, "!") {
		invert, f = true, strings.TrimSpace(f[1:])
	}
	return strings.ToLower(f), invert
}

// matches reports whether any shown field contains needle (lower-case),
// without allocating: it runs once per session per rebuild.
func matches(s *anywhere365.Session, needle string) bool {
	return containsFold(s.Key.UCC, needle) ||
		containsFold(s.Key.Server, needle) ||
		containsFold(s.Key.CorrelationID, needle) ||
		containsFold(s.Recording.String(), needle) ||
		containsFold(s.Marking.String(), needle) ||
		containsFold(s.Saving.String(), needle) ||
		(s.LastAction != 0 && containsFold(s.LastAction.String(), needle))
}

// containsFold is strings.Contains(strings.ToLower(s), needle) for an
// already lower-case needle, ASCII-folded in place.
func containsFold(s, needle string) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	for i := 0; i < len(needle); i++ {
		if needle[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), needle)
		}
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == needle[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// setSize lays the columns out for width and fixes how many rows show.
func (t *table) setSize(width, rows int) {
	t.visible = rows
	if width == t.width && len(t.cols) > 0 {
		t.scroll()
		return
	}
	t.width = width
	t.layout()
	t.scroll()
}

// listed is the columns the table lists, in order: the chosen ones, less
// SERVER while no session names a server. The recording state is always
// among them.
func (t *table) listed() []column {
	order := t.order
	if len(order) == 0 {
		order = defaultOrder
	}
	out := make([]column, 0, len(order)+1)
	for _, c := range order {
		if c != colServer || t.servers {
			out = append(out, c)
		}
	}
	if !slices.Contains(out, colState) {
		out = append(out, colState)
	}
	return out
}

// setOrder applies the user's choice of columns.
func (t *table) setOrder(cols []column) {
	t.order = slices.Clone(cols)
	t.relayout()
}

// relayout lays the columns out again at the current width (the listed
// columns changed).
func (t *table) relayout() {
	if t.width > 0 {
		t.layout()
		t.scroll()
	}
}

// layout fits the listed columns to the width: it drops columns, least
// important first, until the rest fit, and gives the UCC the spare room.
func (t *table) layout() {
	width := t.width
	want := t.listed()
	shown := map[column]bool{}
	for _, c := range want {
		shown[c] = true
	}
	need := func() int {
		n := markerWidth
		for c := range numCols {
			if shown[c] {
				n += colSpecs[c].width + 1
			}
		}
		return n
	}
	for need() > width {
		worst, wp := column(-1), -1
		for c := range numCols {
			if shown[c] && colSpecs[c].prio > wp && colSpecs[c].prio > 0 {
				worst, wp = c, colSpecs[c].prio
			}
		}
		if worst < 0 {
			break
		}
		shown[worst] = false
	}
	t.cols = t.cols[:0]
	for _, c := range want {
		if shown[c] {
			t.cols = append(t.cols, c)
			t.colW[c] = colSpecs[c].width
		}
	}
	if shown[colUCC] {
		t.colW[colUCC] += max(0, min(width-need(), maxUCCWidth-colSpecs[colUCC].width))
	}
	x := markerWidth
	for _, c := range t.cols {
		t.colX[c] = [2]int{x, x + t.colW[c]}
		x += t.colW[c] + 1
	}
	clear(t.cache)
}

// header renders the column titles, marking the sort column.
func (t *table) header(st *ui.Styles) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", markerWidth))
	for i, c := range t.cols {
		title := fit(colSpecs[c].title, t.colW[c])
		if c == t.sortCol {
			// The indicator is never the part cut off.
			arrow := "▲"
			if t.desc {
				arrow = "▼"
			}
			title = fit(strings.TrimRight(fit(colSpecs[c].title, t.colW[c]-1), " ")+arrow, t.colW[c])
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(title)
	}
	return st.TableHead.Render(b.String())
}

// stateCell is the recording state as symbol and word, never colour
// alone, with "?" while the state is not yet confirmed by a GET and "~"
// while the row is stale (the hub is down: only REST polls keep it). A
// session the server refused for good has no state to show.
func stateCell(s *anywhere365.Session) string {
	if s.Final {
		return markFinal + " refused"
	}
	sym, word := stateSymbol(s.Recording), s.Recording.String()
	mark := ""
	if !s.Confirmed {
		mark += "?"
	}
	if s.Stale {
		mark += markStale
	}
	if mark != "" {
		return sym + " " + word + " " + mark
	}
	return sym + " " + word
}

// stateSymbol gives each recording state its own shape.
func stateSymbol(r anywhere365.RecordingState) string {
	switch r {
	case anywhere365.RecordingStarted:
		return "●"
	case anywhere365.RecordingPaused:
		return "‖"
	case anywhere365.RecordingStopped:
		return "■"
	case anywhere365.RecordingUninitialized:
		return "○"
	}
	return "◇"
}

func stateStyle(r anywhere365.RecordingState, st *ui.Styles) interface{ Render(...string) string } {
	switch r {
	case anywhere365.RecordingStarted:
		return st.StateStart
	case anywhere365.RecordingPaused:
		return st.StatePause
	case anywhere365.RecordingStopped:
		return st.StateStop
	}
	return st.StateNone
}

func markingCell(m anywhere365.MarkingState) string {
	switch m {
	case anywhere365.MarkingNone:
		return "·"
	case anywhere365.MarkingMark:
		return "★ Mark"
	case anywhere365.MarkingUnmark:
		return "☆ Unmark"
	}
	return m.String()
}

func savingCell(s anywhere365.SavingState) string {
	switch s {
	case anywhere365.SavingNone:
		return "·"
	case anywhere365.SavingSave:
		return "✓ Save"
	case anywhere365.SavingDelete:
		return "✗ Delete"
	}
	return s.String()
}

// shortID is a correlation id's first block: unique enough on screen; the
// detail view shows it whole.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 && i <= 12 {
		return id[:i]
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// fmtAge is a compact duration: 9s, 3m04s, 1h02m, 2d03h.
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return strconv.Itoa(s) + "s"
	case s < 3600:
		return strconv.Itoa(s/60) + "m" + pad2(s%60) + "s"
	case s < 86400:
		return strconv.Itoa(s/3600) + "h" + pad2(s/60%60) + "m"
	}
	return strconv.Itoa(s/86400) + "d" + pad2(s/3600%24) + "h"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// fit cuts s to w cells (with …) or pads it with spaces. ui.StringWidth
// is ansi.StringWidth without grapheme segmentation for what rows are made
// of (ASCII, colour codes, lone symbols): fit runs for every cell of every
// row drawn, and segmentation was most of an idle frame's cost.
func fit(s string, w int) string {
	n := ui.StringWidth(s)
	switch {
	case n == w:
		return s
	case n > w:
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// ageChangeIn is how soon what rowAge shows for s next changes by itself,
// at least a second (ages are drawn at most once a second), or zero when
// it never does (ended, unknown) or the column is not on screen. An age
// in minutes changes once a minute, in hours once an hour: a console
// whose rows are all that old draws that seldom.
func (t *table) ageChangeIn(s *anywhere365.Session, now time.Time) time.Duration {
	if s.Gone || s.StateSince.IsZero() || !slices.Contains(t.cols, colAge) {
		return 0
	}
	d := now.Sub(s.StateSince)
	var step time.Duration
	switch {
	case d < time.Hour:
		return time.Second
	case d < 24*time.Hour:
		step = time.Minute // fmtAge: 1h02m
	default:
		step = time.Hour // fmtAge: 2d03h
	}
	return max(step-d%step, time.Second)
}

// rowAge is what the IN STATE column shows.
func rowAge(s *anywhere365.Session, now time.Time) string {
	if s.Gone {
		return "ended"
	}
	if s.StateSince.IsZero() {
		return "–"
	}
	return fmtAge(now.Sub(s.StateSince))
}

// paint is a style reduced to the escape codes around its text, so a row
// is drawn by joining strings instead of a lipgloss Render per cell (which
// costs microseconds each). paintOf checks the reduction is exact.
type paint struct{ pre, post string }

func paintOf(st interface{ Render(...string) string }) paint {
	const probe = "X" // no escape sequence contains it
	out := st.Render(probe)
	i := strings.Index(out, probe)
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+len(probe):]}
}

func (p paint) wrap(b *strings.Builder, s string) {
	b.WriteString(p.pre)
	b.WriteString(s)
	b.WriteString(p.post)
}

// paints are the styles a row uses, reduced once per theme.
type paints struct {
	row, muted, sel, flash, accent, err paint
	state                               [5]paint // per RecordingState, [4] for unknown
}

func newPaints(st *ui.Styles) paints {
	return paints{
		row: paintOf(st.Row), muted: paintOf(st.Muted), sel: paintOf(st.RowSel), flash: paintOf(st.RowFlash),
		accent: paintOf(st.Accent), err: paintOf(st.Error),
		state: [5]paint{paintOf(st.StateNone), paintOf(st.StateStart), paintOf(st.StateStop), paintOf(st.StatePause), paintOf(st.StateNone)},
	}
}

func (p *paints) forState(r anywhere365.RecordingState) paint {
	if r >= 0 && int(r) < 4 {
		return p.state[r]
	}
	return p.state[4]
}

// renderRow draws one row, from the cache when nothing it shows changed.
func (t *table) renderRow(s *anywhere365.Session, selected, flash bool, marker, age string, st *ui.Styles) string {
	if c, ok := t.cache[s.Key]; ok && c.version == s.Version && c.width == t.width &&
		c.styleGen == t.styleGen && c.selected == selected && c.flash == flash &&
		c.marker == marker && (c.age == age || c.ageAt >= 0) {
		if c.age != age {
			cell := fit(age, t.colW[colAge])
			c.text = c.text[:c.ageAt] + cell + c.text[c.ageAt+c.ageLen:]
			c.age, c.ageLen = age, len(cell)
		}
		t.next[s.Key] = c
		return c.text
	}
	if t.paintGen != t.styleGen || !t.hasPaints {
		t.paints, t.paintGen, t.hasPaints = newPaints(st), t.styleGen, true
	}
	pt := &t.paints
	var line strings.Builder
	line.Grow(t.width + 64)
	ptr := " "
	if selected {
		ptr = selPointer
	}
	line.WriteString(ptr)
	line.WriteString(fit(marker, markerWidth-1))
	stateFrom, stateTo := -1, -1
	ageFrom, ageTo := -1, -1
	for i, c := range t.cols {
		if i > 0 {
			line.WriteByte(' ')
		}
		var v string
		switch c {
		case colUCC:
			v = s.Key.UCC
		case colCorr:
			v = shortID(s.Key.CorrelationID)
		case colState:
			v = stateCell(s)
		case colMark:
			v = markingCell(s.Marking)
		case colSave:
			v = savingCell(s.Saving)
		case colAge:
			v = age
		case colServer:
			v = safetext.Out(s.Key.Server)
		case colLast:
			if s.Final {
				v = safetext.Out(finalReason(s.LastError)) // why, where the eye already is
			} else if f, ok := t.flags[s.Key]; ok {
				v = f.Short()
			} else if s.LastAction != 0 {
				v = s.LastAction.String()
			} else {
				v = "·"
			}
		}
		from := line.Len()
		line.WriteString(fit(v, t.colW[c]))
		switch c {
		case colState:
			stateFrom, stateTo = from, line.Len()
		case colAge:
			ageFrom, ageTo = from, line.Len()
		}
	}
	plain := fit(line.String(), t.width)
	var b strings.Builder
	b.Grow(len(plain) + 96)
	// ageAt follows where the age cell lands in b: wrap a piece of plain,
	// noting the age cell's place when the piece holds all of it.
	ageAt := -1
	if ageFrom < 0 || ageTo > len(plain) || plain[ageFrom:ageTo] != fit(age, t.colW[colAge]) {
		ageFrom = -1 // not shown, or cut by a narrow screen
	}
	wrap := func(p paint, from, to int) {
		if ageFrom >= from && ageTo <= to {
			ageAt = b.Len() + len(p.pre) + ageFrom - from
		}
		p.wrap(&b, plain[from:to])
	}
	switch {
	case selected:
		// Selected and flashing rows are drawn in one style: nested colours
		// would be cut by the inner reset. The state keeps its word and
		// symbol, so nothing is lost.
		wrap(pt.sel, 0, len(plain))
	case flash:
		wrap(pt.flash, 0, len(plain))
	default:
		base := pt.row
		if s.Gone {
			base = pt.muted
		}
		mw := len(ptr) + len(fit(marker, markerWidth-1))
		markerPaint := pt.accent
		switch marker {
		case markDisabled:
			markerPaint = pt.err
		case markGone:
			markerPaint = pt.muted
		case markFinal:
			markerPaint = pt.err
		}
		wrap(markerPaint, 0, mw)
		if stateFrom >= 0 && !s.Gone && stateTo <= len(plain) {
			wrap(base, mw, stateFrom)
			wrap(pt.forState(s.Recording), stateFrom, stateTo)
			wrap(base, stateTo, len(plain))
		} else {
			wrap(base, mw, len(plain))
		}
	}
	text := b.String()
	ageLen := 0
	if ageAt >= 0 {
		ageLen = ageTo - ageFrom
	}
	t.next[s.Key] = cachedRow{version: s.Version, width: t.width, styleGen: t.styleGen,
		selected: selected, flash: flash, marker: marker, age: age, text: text, ageAt: ageAt, ageLen: ageLen}
	return text
}

// Markers of the leading column (markFinal also in the state cell) and
// the stale mark of the state cell.
const (
	markDisabled = "⊘"
	markGone     = "–"
	markFinal    = "⊠"
	markStale    = "~"
)

// finalReason is the server's reason for a final answer without the
// "Validation error: " prefix every one of them has: the column is narrow.
func finalReason(lastError string) string {
	if _, rest, ok := strings.Cut(lastError, " error: "); ok {
		return rest
	}
	return lastError
}

// endFrame swaps the cache so it holds exactly the rows just drawn:
// memory stays proportional to the screen, not to the store.
func (t *table) endFrame() {
	t.cache, t.next = t.next, t.cache
	clear(t.next)
}
