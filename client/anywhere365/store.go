package anywhere365

// The store: the Tracker's sessions, what events, actions, the user and
// the connection state do to them, and the snapshots the screen copies.
// What decides when to re-read a session over REST is in reconciler.go.
//
// Events are hints and the REST state is the truth (DESIGN.md, "How data
// flows"): an event is applied at once, optimistically and marked
// unconfirmed, and a reconcile GET fetches the authoritative state.
//
// HandleEvent is the hot path (the target is 50,000 events/s on one core
// with 10,000 live sessions): one mutex, one map lookup, no allocation for
// a known session, and a work queue that holds each session at most once.

import (
	"context"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/internal/beat"
)

// StateGetter is what the tracker needs of the REST client: *Client
// satisfies it. The API's ErrorMessage must come back as an *APIError (as
// the Client returns it) or in the response: "No Audio session ... was
// found." marks the session Gone.
type StateGetter interface {
	GetState(ctx context.Context, ucc, correlationID string) (*StateResponse, error)
}

// Tracker defaults.
const (
	DefaultTrackerConcurrency = 8
	DefaultHistoryLimit       = 16
	DefaultGoneTTL            = 30 * time.Second
	DefaultRequestTimeout     = 10 * time.Second
	DefaultRetryMin           = 250 * time.Millisecond
	// DefaultRetryMax is short so that, once a fault ends, the console
	// shows the server's truth within about two seconds. The server is
	// protected by Concurrency (at most that many GETs in flight), not by
	// long waits.
	DefaultRetryMax   = 1 * time.Second
	DefaultMinRefetch = 100 * time.Millisecond
	// DefaultReadBudget is the REST re-read budget: GETs a second for
	// every reason together (events, periodic re-reads, resync, retries).
	// 50 a second is a light load for one console against a shared
	// server, and confirms events within about a second up to 50 events
	// a second on distinct calls.
	DefaultReadBudget = 50.0
	// DefaultPeriodicShare of the budget is what periodic re-reads may
	// use while the hub is connected: 25 GETs a second by default.
	DefaultPeriodicShare = 0.5
	// DefaultPeriodicInterval is the target time between two re-reads of
	// one live session while the hub is connected: an ended call that
	// sent no final event is seen as ended within 1.1 times it (a session
	// read by an event in the last tenth of it waits one more lap) plus
	// the queue and one GET, so within 30 s, for up to
	// ReadBudget*PeriodicShare*PeriodicInterval = 625 sessions by default;
	// with more, the interval stretches evenly (n/25 s).
	DefaultPeriodicInterval = 25 * time.Second
	// DefaultDownInterval is the same target while the hub is down,
	// within the whole budget: 5 s for up to 250 sessions by default.
	DefaultDownInterval = 5 * time.Second
	// maxHistoryLimit keeps the ring index in a uint16 and memory bounded.
	maxHistoryLimit = 1024
	// maxKeyLen bounds the ids of a hub event; longer ones are invalid.
	maxKeyLen = 256
)

// TrackerConfig configures a Tracker. Zero values take the defaults.
type TrackerConfig struct {
	Getter       StateGetter
	Concurrency  int              // max GETs in flight overall (default 8)
	Now          func() time.Time // default time.Now
	HistoryLimit int              // entries kept per session (default 16)
	GoneTTL      time.Duration    // how long an ended session stays listed (default 30s)

	// RequestTimeout bounds one reconcile GET (default 10s).
	RequestTimeout time.Duration
	// RetryMin and RetryMax shape the capped exponential backoff (with
	// jitter) after a failed GET (defaults 500ms and 30s). A failing
	// session is retried forever: it is never dropped for an error.
	RetryMin, RetryMax time.Duration
	// MinRefetch is the least time between the starts of two GETs of one
	// session caused by events (default 100ms; negative: no limit), so a
	// session flooded with events costs at most 1/MinRefetch GETs a
	// second. Watch, Resync and RecordAction are not held back.
	MinRefetch time.Duration

	// ReadBudget is how many reconcile GETs a second the tracker may send,
	// for every reason together (default DefaultReadBudget, 50; negative:
	// no limit).
	ReadBudget float64
	// PeriodicShare is the share of ReadBudget periodic re-reads may use
	// while the hub is connected (default 0.5; they only use what events
	// leave free).
	PeriodicShare float64
	// PeriodicInterval and DownInterval are the target times between two
	// periodic re-reads of one session while the hub is connected (default
	// 25 s) and while it is not (default 5 s). See PacePlan.
	PeriodicInterval, DownInterval time.Duration
}

// Tracker keeps every known call session, reconciles hub hints with the
// REST truth and hands consistent snapshots to the TUI and `recdeck watch`.
// All methods are safe for concurrent use.
type Tracker struct {
	cfg TrackerConfig

	mu sync.Mutex
	// The sessions by key: by a hash of the key (16 bytes a slot instead
	// of 40, a tenth of the tracker's memory at 100,000 sessions), and
	// the rare session whose hash another already holds by its key.
	m     map[uint64]*entry
	clash map[SessionKey]*entry
	seed  maphash.Seed
	// hashOf replaces the hash in tests (to make keys clash).
	hashOf func(SessionKey) uint64
	mPeak  int               // most entries m held since it was last rebuilt
	names  map[string]string // interned UCC names (a handful per console)
	order  []*entry          // sessions in the order first seen (Snapshot's order)
	queue  fifo              // sessions waiting for a GET, each at most once
	gone   []goneItem        // sessions that went Gone, oldest first (for GoneTTL)
	ver    uint64            // last version handed out; guarded by mu, mirrored in version

	version atomic.Uint64 // for Version() without the lock
	events  atomic.Uint64 // hub events received, valid or not
	invalid atomic.Uint64 // hub events ignored as invalid
	gets    atomic.Uint64 // reconcile GETs sent

	connMu sync.Mutex
	conn   ConnState

	hubDown  bool  // the last SetConnState was not connected; guarded by mu
	cursor   int   // the pacer's position in order; guarded by mu
	lastStep int64 // mono time of the pacer's last visit; guarded by mu
	yieldAt  int   // queue length at which the pacer gives way to events

	wake     chan struct{} // the dispatcher should look at the queue
	paceWake chan struct{} // the pacer should look again (first session, hub down)
	goneWake chan struct{} // the sweeper should look again (a first session went Gone)
	changed  chan struct{} // capacity 1: the UI's "dirty" signal
	running  atomic.Bool
}

// entry is one session, packed: a console may know 100,000 of them and
// must stay under 100 MB as a whole (issue 15), so the Session the UI
// gets (168 bytes, three 24-byte times) is built on demand by session();
// here the times are unix nanoseconds and the states 32-bit, 160 bytes
// in all with the reconciler's bookkeeping.
type entry struct {
	key          SessionKey
	firstSeen    int64 // unix nanoseconds (see nanos and unixTime)
	stateSince   int64
	lastActionAt int64
	version      uint64
	lastError    string
	hist         []histEntry // ring of at most HistoryLimit entries
	retry        *time.Timer // pending GET after a failure or MinRefetch, if any
	lastGet      int64       // monotonic time the last GET started (see mono)
	readAt       int64       // monotonic time the last GET ended, for the pacer
	goneAt       int64       // unix nanos when Gone was set
	// The server's states; a value outside int32 (none is documented
	// beyond 0-3) is kept as the nearest int32.
	rec, mark, save int32
	histNext        uint16 // next slot to overwrite once hist is full
	lastAction      uint8  // Action (1-7; 0 for none or out of range)
	failures        uint8  // consecutive failed GETs, for the backoff
	// Session's flags.
	confirmed, gone, stale, final bool
	queued                        bool // in the work queue
	inflight                      bool // a GET is running
	dirty                         bool // something happened while the GET ran: GET again
	dropped                       bool // removed from the map (GoneTTL); ignore late work
}

// session is the entry as the UI sees it.
func (e *entry) session() Session {
	return Session{
		Key:          e.key,
		Recording:    RecordingState(e.rec),
		Marking:      MarkingState(e.mark),
		Saving:       SavingState(e.save),
		Confirmed:    e.confirmed,
		Gone:         e.gone,
		Stale:        e.stale,
		Final:        e.final,
		LastAction:   Action(e.lastAction),
		LastActionAt: unixTime(e.lastActionAt),
		StateSince:   unixTime(e.stateSince),
		FirstSeen:    unixTime(e.firstSeen),
		Version:      e.version,
		LastError:    e.lastError,
	}
}

func (e *entry) recording() RecordingState { return RecordingState(e.rec) }

func (e *entry) setLastAction(a Action, now time.Time) {
	if a < 0 || a > 255 {
		a = 0
	}
	e.lastAction, e.lastActionAt = uint8(a), nanos(now)
}

// int32Of is v, or the nearest int32 when v is outside that range.
func int32Of[T ~int](v T) int32 {
	return int32(min(max(int64(v), math.MinInt32), math.MaxInt32))
}

// noTime is how an entry stores the zero time.Time.
const noTime = math.MinInt64

// nanos packs a time as unix nanoseconds (its monotonic reading and
// location are dropped: the UI computes ages and prints local clocks).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixNano()
}

func unixTime(n int64) time.Time {
	if n == noTime {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// histEntry is HistoryEntry packed into 24 bytes (the enums as bytes, the
// time as unix nanoseconds), so 16 of them stay well inside the
// 1 KiB-per-session budget.
type histEntry struct {
	at     int64   // unix nanoseconds
	result *string // nil for success
	kind   uint8   // HistoryKind
	action uint8   // Action
	rec    uint8   // RecordingState; 255 stands for any value above 254
}

// goneItem is a session in the GoneTTL queue, with the time it went Gone
// then (the session may have come back and gone again since).
type goneItem struct {
	e  *entry
	at int64
}

// NewTracker returns a tracker; call Run to start its reconciler.
func NewTracker(cfg TrackerConfig) *Tracker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultTrackerConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if cfg.HistoryLimit > maxHistoryLimit {
		cfg.HistoryLimit = maxHistoryLimit
	}
	if cfg.GoneTTL <= 0 {
		cfg.GoneTTL = DefaultGoneTTL
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = DefaultRetryMin
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(DefaultRetryMax, cfg.RetryMin)
	}
	if cfg.MinRefetch == 0 {
		cfg.MinRefetch = DefaultMinRefetch
	}
	if cfg.ReadBudget == 0 {
		cfg.ReadBudget = DefaultReadBudget
	}
	if cfg.PeriodicShare <= 0 || cfg.PeriodicShare > 1 {
		cfg.PeriodicShare = DefaultPeriodicShare
	}
	if cfg.PeriodicInterval <= 0 {
		cfg.PeriodicInterval = DefaultPeriodicInterval
	}
	if cfg.DownInterval <= 0 {
		cfg.DownInterval = DefaultDownInterval
	}
	// The pacer adds work only while the queue holds less than half a
	// second of it.
	yieldAt := cfg.Concurrency * 4
	if cfg.ReadBudget > 0 {
		yieldAt = max(cfg.Concurrency, int(cfg.ReadBudget/2))
	}
	return &Tracker{
		cfg:      cfg,
		m:        make(map[uint64]*entry),
		seed:     maphash.MakeSeed(),
		yieldAt:  yieldAt,
		wake:     make(chan struct{}, 1),
		paceWake: make(chan struct{}, 1),
		goneWake: make(chan struct{}, 1),
		changed:  make(chan struct{}, 1),
	}
}

// HandleEvent applies a hub event optimistically and queues a reconcile.
// It never blocks on the network; it only takes the tracker's lock.
// Invalid events (empty or overlong ids, unknown action) are counted and
// ignored.
func (t *Tracker) HandleEvent(ev RecordingStateChangedEvent) {
	t.events.Add(1)
	problem, upper := eventCheck(ev)
	if problem != "" {
		t.invalid.Add(1)
		return
	}
	now := t.cfg.Now()
	key := SessionKey{UCC: ev.UccName, CorrelationID: ev.CorrelationId}
	if upper {
		key.CorrelationID = strings.ToLower(key.CorrelationID) // a user's Watch is lower-cased too
	}

	t.mu.Lock()
	e := t.getOrCreate(key, now)
	if !e.gone {
		// A Gone session stays Gone until a GET says otherwise: a late,
		// reordered event must not bring an ended call back to life.
		applyAction(e, ev.StateAction, now)
		e.confirmed = false
	}
	e.setLastAction(ev.StateAction, now)
	t.addHistory(e, now, HistoryEvent, ev.StateAction, nil)
	t.touch(e)
	wake := t.schedule(e)
	t.mu.Unlock()
	t.wakeAndNotify(wake)
}

// eventProblem says what is wrong with an event, or "" when it is usable:
// a printable UCC name of bounded length, a GUID correlation id, a
// documented action. The listener (DecodeEvent) and the tracker share it,
// so whatever one accepts the other takes. It does not allocate.
func eventProblem(ev RecordingStateChangedEvent) string {
	p, _ := eventCheck(ev)
	return p
}

// eventCheck is eventProblem that also says whether the correlation id
// has upper-case digits (checked in the same pass).
func eventCheck(ev RecordingStateChangedEvent) (problem string, upper bool) {
	ok, upper := scanGUID(ev.CorrelationId)
	switch {
	case ev.UccName == "":
		return "without UccName", false
	case len(ev.UccName) > maxKeyLen:
		return "with a UccName longer than 256 bytes", false
	case !printableName(ev.UccName):
		return "with control or unprintable characters in its UccName", false
	case !ok:
		return "whose CorrelationId is not a GUID", false
	case !ev.StateAction.Valid():
		return "with an unknown StateAction (want 1-7)", false
	}
	return "", upper
}

// printableName refuses control, escape and bidi characters: a UCC name
// from the hub is put on the supervisor's screen as it is.
func printableName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		} else if c >= 0x80 {
			return printableRunes(s[i:])
		}
	}
	return true
}

func printableRunes(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Resync re-fetches every known session, as after a reconnect: events may
// have been missed, so each session is unconfirmed until its GET returns.
// Sessions with a final answer (Session.Final) are left alone.
func (t *Tracker) Resync() {
	t.mu.Lock()
	wake := false
	for _, e := range t.order {
		if e.final {
			continue
		}
		if e.confirmed && !e.gone {
			e.confirmed = false
			t.touch(e)
		}
		if t.scheduleNow(e) {
			wake = true
		}
	}
	t.mu.Unlock()
	t.wakeAndNotify(wake)
}

// SetConnState records the listener's connection state (shown in the
// header). While it is anything but connected, no event can be trusted to
// arrive: every row is marked Stale and the pacer re-reads the sessions
// faster (DownInterval, the whole budget). When the hub is back, stale
// rows are re-read at once (as Resync does) and lose the mark when their
// GET answers.
func (t *Tracker) SetConnState(s ConnState) {
	t.connMu.Lock()
	t.conn = s
	t.connMu.Unlock()
	down := s.Phase != ConnConnected
	wake := false
	t.mu.Lock()
	if down != t.hubDown {
		t.hubDown = down
		for _, e := range t.order {
			switch {
			case down && !e.stale && !e.gone:
				e.stale = true
				t.touch(e)
			case !down && e.stale && !e.final:
				if t.scheduleNow(e) {
					wake = true
				}
			}
		}
	}
	t.ver++
	t.version.Store(t.ver)
	t.mu.Unlock()
	if wake {
		t.signalWork()
	}
	t.pokePacer()
	t.notify()
}

// pokePacer makes the pacer look again at once.
func (t *Tracker) pokePacer() {
	select {
	case t.paceWake <- struct{}{}:
	default:
	}
}

// ConnState returns the last state given to SetConnState.
func (t *Tracker) ConnState() ConnState {
	t.connMu.Lock()
	defer t.connMu.Unlock()
	return t.conn
}

// Watch adds a session the user typed in and fetches its state. The
// correlation id is normalised (NormalizeGUID), so "{1D6C...}" matches the
// hub's "1d6c...". Keys with an empty or overlong part are ignored (the UI
// validates input first). Watching a session again asks the server again,
// even after a final answer.
func (t *Tracker) Watch(key SessionKey) {
	key = normalKey(key)
	if key.UCC == "" || key.CorrelationID == "" || len(key.UCC) > maxKeyLen || len(key.CorrelationID) > maxKeyLen {
		t.invalid.Add(1)
		return
	}
	now := t.cfg.Now()
	t.mu.Lock()
	known := t.lookup(key) != nil
	e := t.getOrCreate(key, now)
	if !known {
		t.touch(e)
	}
	wake := t.scheduleNow(e)
	t.mu.Unlock()
	t.wakeAndNotify(wake)
}

// Remove forgets a session (the user removed a typo, or a call they no
// longer care about) and stops its retries. It reports whether the
// session was known. A later hub event for it lists it again.
func (t *Tracker) Remove(key SessionKey) bool {
	key = normalKey(key)
	t.mu.Lock()
	e := t.lookup(key)
	if e == nil {
		t.mu.Unlock()
		return false
	}
	t.drop(e)
	t.order = removeEntry(t.order, e)
	t.compact()
	t.ver++
	t.version.Store(t.ver)
	t.mu.Unlock()
	t.notify()
	return true
}

// drop takes e out of the map and stops its timer; the caller removes it
// from order. Work still queued or in flight for it is ignored.
func (t *Tracker) drop(e *entry) {
	e.dropped = true
	if e.retry != nil {
		e.retry.Stop()
		e.retry = nil
	}
	if h := t.hash(e.key); t.m[h] == e {
		delete(t.m, h)
	} else {
		delete(t.clash, e.key)
	}
}

// removeEntry removes e from order, keeping the order of the rest.
func removeEntry(order []*entry, e *entry) []*entry {
	for i, x := range order {
		if x == e {
			copy(order[i:], order[i+1:])
			order[len(order)-1] = nil
			return order[:len(order)-1]
		}
	}
	return order
}

// LiveKeys appends the keys of the sessions still live (not Gone, no
// final answer), in the order first seen, to dst[:0]: what the journal
// keeps.
func (t *Tracker) LiveKeys(dst []SessionKey) []SessionKey {
	dst = dst[:0]
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.order {
		if !e.gone && !e.final {
			dst = append(dst, e.key)
		}
	}
	return dst
}

// normalKey is a key as the tracker stores it: the correlation id
// normalised (lower case, no braces or spaces).
func normalKey(k SessionKey) SessionKey {
	k.CorrelationID = NormalizeGUID(k.CorrelationID)
	return k
}

// RecordAction records an action this console sent and its outcome. On
// success resp is applied as confirmed state; either way a reconcile GET
// follows, so the row ends on the server's truth. A "No Audio session"
// answer marks the session Gone.
func (t *Tracker) RecordAction(key SessionKey, a Action, resp *StateResponse, err error) {
	key = normalKey(key)
	if key.UCC == "" || key.CorrelationID == "" {
		return
	}
	now := t.cfg.Now()
	var result *string
	failed := err != nil || (resp != nil && resp.ErrorMessage != nil)
	if failed {
		msg := ""
		if err != nil {
			msg = err.Error()
		} else {
			msg = safetext.Out(resp.ErrorMessage.Message) // shown in the detail view
		}
		if msg == "" {
			msg = "failed"
		}
		msg = truncate(msg, 300)
		result = &msg
	}

	t.mu.Lock()
	e := t.getOrCreate(key, now)
	e.setLastAction(a, now)
	switch {
	case isGone(resp, err):
		t.markGone(e, now)
	case !failed && resp != nil:
		t.applyConfirmed(e, resp, now)
	case !failed:
		applyAction(e, a, now)
		e.confirmed = false
	}
	t.addHistory(e, now, HistoryAction, a, result)
	t.touch(e)
	wake := t.scheduleNow(e)
	t.mu.Unlock()
	t.wakeAndNotify(wake)
}

// Version bumps on any change (sessions or connection state): a cheap
// dirty check.
func (t *Tracker) Version() uint64 { return t.version.Load() }

// Changed delivers one value after any change (capacity 1, never blocks
// the sender): the UI's single "dirty" signal. Read it, then Snapshot.
func (t *Tracker) Changed() <-chan struct{} { return t.changed }

// Snapshot appends a consistent copy of every session, in the order they
// were first seen, to dst[:0] and returns it (history is left out: see
// Session). A session that dst already holds at the same place and
// version (the caller's previous snapshot) is left as it is: a pull
// with 100,000 sessions and a few changes writes only those.
func (t *Tracker) Snapshot(dst []Session) []Session {
	t.mu.Lock()
	n := len(t.order)
	if cap(dst) < n {
		dst = append(make([]Session, 0, n+n/16), dst...) // 1 MB of room at 100,000
	}
	old := min(len(dst), n)
	dst = dst[:n]
	for i, e := range t.order {
		// A version is given to one session only, so an equal version
		// and key mean an equal session.
		if i < old && dst[i].Version == e.version && e.version != 0 && dst[i].Key == e.key {
			continue
		}
		dst[i] = e.session()
	}
	t.mu.Unlock()
	return dst
}

// RangeSessions calls f with each session, in Snapshot's order and as
// consistent as a snapshot, without a copy of them all (the pause guard's
// four passes a second over 100,000 sessions would otherwise hold a 19 MB
// copy). f runs under the tracker's lock: it must be quick, must not keep
// s, and must not call the tracker.
func (t *Tracker) RangeSessions(f func(s *Session)) {
	s := new(Session) // one for the pass: f may make it escape
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.order {
		*s = e.session()
		f(s)
	}
}

// Session returns one session and its history, oldest entry first.
func (t *Tracker) Session(key SessionKey) (Session, []HistoryEntry, bool) {
	key = normalKey(key)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.lookup(key)
	if e == nil {
		return Session{}, nil, false
	}
	n := len(e.hist)
	hist := make([]HistoryEntry, 0, n)
	start := 0
	if n == t.cfg.HistoryLimit {
		start = int(e.histNext)
	}
	for i := range n {
		h := e.hist[(start+i)%n]
		he := HistoryEntry{At: time.Unix(0, h.at), Kind: HistoryKind(h.kind), Action: Action(h.action), Recording: RecordingState(h.rec)}
		if h.result != nil {
			he.Result = *h.result
		}
		hist = append(hist, he)
	}
	return e.session(), hist, true
}

// EventCount is the number of hub events received, valid or not.
func (t *Tracker) EventCount() uint64 { return t.events.Load() }

// InvalidCount is the number of events (and Watch keys) ignored as invalid.
func (t *Tracker) InvalidCount() uint64 { return t.invalid.Load() }

// GetCount is the number of reconcile GETs sent so far.
func (t *Tracker) GetCount() uint64 { return t.gets.Load() }

// Len is the number of sessions listed (Gone ones included until GoneTTL).
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.order)
}

// countInvalid is how the listener reports a hub message it could not decode.
func (t *Tracker) countInvalid() {
	t.events.Add(1)
	t.invalid.Add(1)
}

// --- internals; the caller holds t.mu unless said otherwise ---

func (t *Tracker) getOrCreate(key SessionKey, now time.Time) *entry {
	h := t.hash(key)
	if e := t.m[h]; e != nil && e.key == key {
		return e
	}
	if e := t.clash[key]; e != nil {
		return e
	}
	// The key is kept for the session's life: its own copy of the id (a
	// decoder's string may share a large buffer) and one shared copy of
	// each UCC name (100,000 calls are on a handful of UCCs).
	key.UCC = t.intern(key.UCC)
	key.CorrelationID = strings.Clone(key.CorrelationID)
	at := nanos(now)
	e := &entry{key: key, firstSeen: at, stateSince: at, lastActionAt: noTime, stale: t.hubDown}
	if t.m[h] == nil {
		t.m[h] = e
	} else {
		if t.clash == nil {
			t.clash = make(map[SessionKey]*entry)
		}
		t.clash[key] = e
	}
	t.mPeak = max(t.mPeak, len(t.m))
	t.order = append(t.order, e)
	if len(t.order) == 1 {
		t.pokePacer() // it sleeps while there is nothing to re-read
	}
	return e
}

func (t *Tracker) hash(k SessionKey) uint64 {
	if t.hashOf != nil {
		return t.hashOf(k)
	}
	return maphash.Comparable(t.seed, k)
}

// lookup finds a session by its key (normalised), or nil.
func (t *Tracker) lookup(k SessionKey) *entry {
	if e := t.m[t.hash(k)]; e != nil && e.key == k {
		return e
	}
	if len(t.clash) > 0 {
		return t.clash[k]
	}
	return nil
}

// maxNames bounds the interned UCC names: a hub sending ever new names
// cannot grow the table; later names are simply not shared.
const maxNames = 1024

// intern returns the tracker's copy of a UCC name.
func (t *Tracker) intern(name string) string {
	if s, ok := t.names[name]; ok {
		return s
	}
	name = strings.Clone(name)
	if t.names == nil {
		t.names = make(map[string]string)
	}
	if len(t.names) < maxNames {
		t.names[name] = name
	}
	return name
}

// compactMin is the capacity below which the tracker's tables are not
// worth shrinking.
const compactMin = 4096

// compact gives memory back after many sessions were dropped (the calls
// of a busy hour ended): a Go map never shrinks by itself, and the order,
// GoneTTL and work queues keep their peak capacity. Each table is rebuilt
// at its current size once it uses under a quarter of its peak, so the
// cost is amortised over the removals.
func (t *Tracker) compact() {
	if t.mPeak >= compactMin && len(t.m) <= t.mPeak/4 {
		m := make(map[uint64]*entry, len(t.m))
		for h, e := range t.m {
			m[h] = e
		}
		t.m, t.mPeak = m, len(m)
	}
	t.order = shrink(t.order)
	t.gone = shrink(t.gone)
	t.queue.compact()
}

// shrink returns s in a backing array of its own size once it uses under
// a quarter of a large one.
func shrink[T any](s []T) []T {
	if cap(s) < compactMin || len(s) >= cap(s)/4 {
		return s
	}
	return append(make([]T, 0, len(s)+len(s)/4), s...)
}

// touch gives e a new version; Version() follows.
func (t *Tracker) touch(e *entry) {
	t.ver++
	e.version = t.ver
	t.version.Store(t.ver)
}

// applyAction is the optimistic effect of an action (events carry the
// action, not the resulting state).
func applyAction(e *entry, a Action, now time.Time) {
	rec := e.rec
	switch a {
	case ActionStart:
		rec = int32(RecordingStarted)
	case ActionPause:
		rec = int32(RecordingPaused)
	case ActionStop:
		rec = int32(RecordingStopped)
	case ActionMark:
		e.mark = int32(MarkingMark)
	case ActionUnMark:
		e.mark = int32(MarkingUnmark)
	case ActionSave:
		e.save = int32(SavingSave)
	case ActionDelete:
		e.save = int32(SavingDelete)
	}
	if rec != e.rec {
		e.rec = rec
		e.stateSince = nanos(now)
	}
}

// applyConfirmed sets the authoritative state from a GET or a set answer.
// It reports whether anything shown changed.
func (t *Tracker) applyConfirmed(e *entry, r *StateResponse, now time.Time) bool {
	rec, mark, save := int32Of(r.RecordingState), int32Of(r.MarkingState), int32Of(r.SavingState)
	changed := !e.confirmed || e.gone || e.lastError != "" ||
		e.rec != rec || e.mark != mark || e.save != save
	if e.rec != rec {
		e.stateSince = nanos(now)
	}
	if e.final || (e.stale && !t.hubDown) {
		changed = true
	}
	e.rec, e.mark, e.save = rec, mark, save
	e.confirmed, e.gone, e.lastError, e.final = true, false, "", false
	if !t.hubDown {
		e.stale = false // known from a GET with the hub up: events keep it true
	}
	e.failures = 0
	// Events can arrive out of order, so the last one received may not be
	// the last one applied. A recording state has exactly one action that
	// produces it: if the shown recording action contradicts the confirmed
	// state, the server's order wins.
	if want, ok := recordingActionFor(r.RecordingState); ok && isRecordingAction(Action(e.lastAction)) && Action(e.lastAction) != want {
		e.lastAction = uint8(want)
		changed = true
	}
	return changed
}

// recordingActionFor is the action that leaves a recorder in state rs.
func recordingActionFor(rs RecordingState) (Action, bool) {
	switch rs {
	case RecordingStarted:
		return ActionStart, true
	case RecordingPaused:
		return ActionPause, true
	case RecordingStopped:
		return ActionStop, true
	}
	return 0, false
}

func isRecordingAction(a Action) bool {
	return a == ActionStart || a == ActionPause || a == ActionStop
}

// markGone records that the server no longer knows the session.
func (t *Tracker) markGone(e *entry, now time.Time) {
	if !e.gone {
		e.gone = true
		e.goneAt = now.UnixNano()
		t.gone = append(t.gone, goneItem{e: e, at: e.goneAt})
		if len(t.gone) == 1 {
			t.pokeSweeper() // it sleeps while nothing is Gone
		}
	}
	// An ended call is settled: not stale, not refused.
	e.confirmed, e.lastError, e.stale, e.final = true, "", false, false
	e.failures = 0
}

func (t *Tracker) addHistory(e *entry, now time.Time, kind HistoryKind, a Action, result *string) {
	h := histEntry{at: now.UnixNano(), result: result, kind: uint8(kind), action: uint8(a), rec: uint8(min(max(e.rec, 0), 255))}
	if len(e.hist) < t.cfg.HistoryLimit {
		// append grows the ring 1, 2, 4, 8...: most of 100,000 known
		// calls have one or two entries.
		e.hist = append(e.hist, h)
		return
	}
	e.hist[e.histNext] = h
	e.histNext = uint16((int(e.histNext) + 1) % t.cfg.HistoryLimit)
}

// --- GoneTTL ---

// sweeper drops the sessions Gone for GoneTTL. It sleeps while no session
// is Gone (an idle console is not woken every second for nothing), and
// otherwise looks every GoneTTL/4, at most every second: the configured
// clock may be a test's, so the wait is not computed from it.
func (t *Tracker) sweeper(ctx context.Context) {
	every := min(t.cfg.GoneTTL/4, time.Second)
	every = max(every, 10*time.Millisecond)
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		var tick <-chan time.Time
		if t.anyGone() {
			timer.Reset(beat.Until(time.Now(), every)) // on the process's grid (internal/beat)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-t.goneWake:
			timer.Stop()
			continue
		case <-tick:
		}
		if t.sweep(t.cfg.Now()) {
			t.notify()
		}
	}
}

func (t *Tracker) anyGone() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.gone) > 0
}

// pokeSweeper wakes the sweeper (a first session went Gone).
func (t *Tracker) pokeSweeper() {
	select {
	case t.goneWake <- struct{}{}:
	default:
	}
}

// sweep drops sessions Gone for longer than GoneTTL. It reports whether
// any was dropped.
func (t *Tracker) sweep(now time.Time) bool {
	cutoff := now.Add(-t.cfg.GoneTTL).UnixNano()
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for n < len(t.gone) && t.gone[n].at <= cutoff {
		n++
	}
	if n == 0 {
		return false
	}
	dropped := 0
	for _, g := range t.gone[:n] {
		e := g.e
		// An entry revived by a GET (Gone=false), or gone again later (a
		// newer goneAt, queued again), is not due here.
		if e.gone && e.goneAt == g.at && !e.dropped {
			t.drop(e)
			dropped++
		}
	}
	m := copy(t.gone, t.gone[n:])
	clear(t.gone[m:])
	t.gone = t.gone[:m]
	if dropped > 0 {
		kept := t.order[:0]
		for _, e := range t.order {
			if !e.dropped {
				kept = append(kept, e)
			}
		}
		clear(t.order[len(kept):])
		t.order = kept
		t.compact()
		t.ver++
		t.version.Store(t.ver)
	}
	return dropped > 0
}

// fifo is a queue of sessions that reuses its backing array: no
// allocation per event once it has grown to the working size.
type fifo struct {
	buf  []*entry
	head int
}

func (q *fifo) push(e *entry) {
	if q.head > 0 && len(q.buf) == cap(q.buf) && q.head >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf = q.buf[:n]
		q.head = 0
	}
	q.buf = append(q.buf, e)
}

func (q *fifo) pop() *entry {
	if q.head == len(q.buf) {
		return nil
	}
	e := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head == len(q.buf) {
		q.buf = q.buf[:0]
		q.head = 0
		if cap(q.buf) >= 4*compactMin {
			q.buf = nil // a burst's worth (100,000 sessions: 1 MB), not kept
		}
	}
	return e
}

func (q *fifo) len() int { return len(q.buf) - q.head }

// compact moves the queue into a backing array of its size once it uses
// under a quarter of a large one.
func (q *fifo) compact() {
	if cap(q.buf) < compactMin || q.len() >= cap(q.buf)/4 {
		return
	}
	q.buf = append(make([]*entry, 0, q.len()+q.len()/4), q.buf[q.head:]...)
	q.head = 0
}

// wakeAndNotify follows a change made under the lock: it wakes a worker
// when a GET was queued and tells the UI something changed.
func (t *Tracker) wakeAndNotify(wake bool) {
	if wake {
		t.signalWork()
	}
	t.notify()
}
