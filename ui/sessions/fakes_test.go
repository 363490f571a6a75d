package sessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/uitest"
)

// fakeClock is an injected clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeSource is an in-memory session store with the tracker's contract.
type fakeSource struct {
	mu       sync.Mutex
	clock    *fakeClock
	ver      uint64
	sessions []anywhere365.Session
	hist     map[anywhere365.SessionKey][]anywhere365.HistoryEntry
	conn     anywhere365.ConnState
	events   uint64
	watched  []anywhere365.SessionKey
	recorded []string
}

func newSource(clock *fakeClock) *fakeSource {
	return &fakeSource{clock: clock, hist: map[anywhere365.SessionKey][]anywhere365.HistoryEntry{},
		conn: anywhere365.ConnState{Phase: anywhere365.ConnConnected}}
}

// add lists a session, confirmed, in state r, that entered it age ago.
func (f *fakeSource) add(ucc, id string, r anywhere365.RecordingState, age time.Duration) anywhere365.SessionKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	f.ver++
	k := anywhere365.SessionKey{UCC: ucc, CorrelationID: id}
	f.sessions = append(f.sessions, anywhere365.Session{Key: k, Recording: r, Confirmed: true,
		StateSince: now.Add(-age), FirstSeen: now.Add(-age), Version: f.ver})
	f.hist[k] = append(f.hist[k], anywhere365.HistoryEntry{At: now.Add(-age), Kind: anywhere365.HistoryConfirmed, Recording: r})
	return k
}

// update changes a session in place (as an event would).
func (f *fakeSource) update(k anywhere365.SessionKey, fn func(s *anywhere365.Session)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.sessions {
		if f.sessions[i].Key == k {
			fn(&f.sessions[i])
			f.ver++
			f.sessions[i].Version = f.ver
		}
	}
}

func (f *fakeSource) Version() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ver
}

func (f *fakeSource) Snapshot(dst []anywhere365.Session) []anywhere365.Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append(dst[:0], f.sessions...)
}

func (f *fakeSource) Session(k anywhere365.SessionKey) (anywhere365.Session, []anywhere365.HistoryEntry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sessions {
		if s.Key == k {
			return s, append([]anywhere365.HistoryEntry(nil), f.hist[k]...), true
		}
	}
	return anywhere365.Session{}, nil, false
}

func (f *fakeSource) ConnState() anywhere365.ConnState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn
}

func (f *fakeSource) EventCount() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events
}

func (f *fakeSource) Watch(k anywhere365.SessionKey) {
	f.mu.Lock()
	f.watched = append(f.watched, k)
	f.mu.Unlock()
	f.add(k.UCC, k.CorrelationID, anywhere365.RecordingUninitialized, 0)
}

func (f *fakeSource) RecordAction(k anywhere365.SessionKey, a anywhere365.Action, resp *anywhere365.StateResponse, err error) {
	f.mu.Lock()
	f.recorded = append(f.recorded, fmt.Sprintf("%s %s ok=%v", k.UCC, a, err == nil))
	f.mu.Unlock()
	now := f.clock.Now()
	f.update(k, func(s *anywhere365.Session) {
		s.LastAction, s.LastActionAt = a, now
		if err == nil && resp != nil {
			if s.Recording != resp.RecordingState {
				s.StateSince = now
			}
			s.Recording, s.Marking, s.Saving, s.Confirmed = resp.RecordingState, resp.MarkingState, resp.SavingState, true
		}
	})
	f.mu.Lock()
	s := ""
	if err != nil {
		s = err.Error()
	}
	var rec anywhere365.RecordingState
	for _, x := range f.sessions {
		if x.Key == k {
			rec = x.Recording
		}
	}
	f.hist[k] = append(f.hist[k], anywhere365.HistoryEntry{At: now, Kind: anywhere365.HistoryAction, Action: a, Recording: rec, Result: s})
	f.mu.Unlock()
}

func (f *fakeSource) recordedActions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.recorded...)
}

// fakeAPI answers Set with the recorder's state rules, against the source's
// current state, and Capabilities from a table.
type fakeAPI struct {
	mu      sync.Mutex
	src     *fakeSource
	denied  map[string]bool
	calls   []anywhere365.SetParams
	failSet error // when set, Set returns it
	block   chan struct{}
}

func (a *fakeAPI) Set(ctx context.Context, p anywhere365.SetParams) (*anywhere365.StateResponse, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if a.block != nil {
		select {
		case <-a.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	a.mu.Lock()
	a.calls = append(a.calls, p)
	fail := a.failSet
	a.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	s, _, ok := a.src.Session(anywhere365.SessionKey{UCC: p.UCC, CorrelationID: p.CorrelationID})
	if !ok {
		return nil, &anywhere365.APIError{Type: anywhere365.ErrorValidation,
			Message: "No Audio session with correlation Id:'" + p.CorrelationID + "' was found."}
	}
	r := &anywhere365.StateResponse{CorrelationId: p.CorrelationID, UCCName: p.UCC,
		RecordingState: s.Recording, MarkingState: s.Marking, SavingState: s.Saving}
	refuse := func(verb string) (*anywhere365.StateResponse, error) {
		return nil, &anywhere365.APIError{Type: anywhere365.ErrorValidation,
			Message: "Recorder state is " + s.Recording.String() + ", this state cannot be " + verb}
	}
	switch p.Action {
	case anywhere365.ActionStart: // the simulator's rules: Start also resumes
		if s.Recording != anywhere365.RecordingUninitialized && s.Recording != anywhere365.RecordingPaused {
			return refuse("started")
		}
		r.RecordingState = anywhere365.RecordingStarted
	case anywhere365.ActionPause:
		if s.Recording != anywhere365.RecordingStarted {
			return refuse("paused")
		}
		r.RecordingState = anywhere365.RecordingPaused
	case anywhere365.ActionStop:
		if s.Recording != anywhere365.RecordingStarted && s.Recording != anywhere365.RecordingPaused {
			return refuse("stopped")
		}
		r.RecordingState = anywhere365.RecordingStopped
	case anywhere365.ActionMark:
		r.MarkingState = anywhere365.MarkingMark
	case anywhere365.ActionUnMark:
		r.MarkingState = anywhere365.MarkingUnmark
	case anywhere365.ActionSave:
		r.SavingState = anywhere365.SavingSave
	case anywhere365.ActionDelete:
		r.SavingState = anywhere365.SavingDelete
	}
	return r, nil
}

func (a *fakeAPI) Capabilities(ctx context.Context, ucc string) (*anywhere365.CapabilitiesResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &anywhere365.CapabilitiesResponse{AgentCanEditRecordings: !a.denied[ucc], UCCName: ucc}, nil
}

func (a *fakeAPI) setCalls() []anywhere365.SetParams {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]anywhere365.SetParams(nil), a.calls...)
}

// fakeAudit keeps records in memory.
type fakeAudit struct {
	mu   sync.Mutex
	recs []audit.Record
	err  error
}

func (a *fakeAudit) Append(r audit.Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.recs = append(a.recs, r)
	return nil
}

// records are the outcome records (and the disabled ones): what the
// screen reported. The write-ahead attempts are in all.
func (a *fakeAudit) records() []audit.Record {
	var out []audit.Record
	for _, r := range a.all() {
		if r.Phase != audit.PhaseAttempt {
			out = append(out, r)
		}
	}
	return out
}

func (a *fakeAudit) all() []audit.Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]audit.Record(nil), a.recs...)
}

// IDs of the seed document's form.
const (
	id1 = "1d6c6a58-6739-4f0c-98ff-0968292c8c30"
	id2 = "2e7d7b69-7840-4a1d-89aa-1979303d9d41"
	id3 = "3f8e8c7a-8951-4b2e-9abb-2a8a414eae52"
	id4 = "4a9f9d8b-9a62-4c3f-8bcc-3b9b525fbf63"
)

// harness is a sessions pane in a frame with fakes around it.
type harness struct {
	t     *testing.T
	clock *fakeClock
	src   *fakeSource
	api   *fakeAPI
	aud   *fakeAudit
	pane  *Pane
	frame *ui.Model
	d     *uitest.Driver
}

type harnessOpt func(*Config)

func withRequester(s string) harnessOpt { return func(c *Config) { c.Requester = s } }

// newHarness builds the standard scene: four calls on two UCCs, one of
// which (helpdesk) does not let agents edit recordings.
func newHarness(t *testing.T, w, h int, opts ...harnessOpt) *harness {
	t.Helper()
	clock := newClock()
	src := newSource(clock)
	src.add("ucc-demo-name", id1, anywhere365.RecordingStarted, 95*time.Second)
	src.add("sales", id2, anywhere365.RecordingPaused, 12*time.Second)
	src.add("helpdesk", id3, anywhere365.RecordingStarted, 3*time.Minute)
	src.add("sales", id4, anywhere365.RecordingStopped, time.Hour+2*time.Minute)
	api := &fakeAPI{src: src, denied: map[string]bool{"helpdesk": true}}
	aud := &fakeAudit{}
	cfg := Config{Source: src, API: api, Audit: aud, Requester: "sip:agent@domain.com", Profile: "test", Now: clock.Now}
	for _, o := range opts {
		o(&cfg)
	}
	pane := guardedPane(t, cfg, src, clock)
	frame := ui.New(ui.Options{Server: "http://127.0.0.1:8080", APIVersion: "v1", Demo: true, Now: clock.Now, Tick: -1}, pane)
	hs := &harness{t: t, clock: clock, src: src, api: api, aud: aud, pane: pane, frame: frame}
	hs.d = &uitest.Driver{TB: t, Update: func(m tea.Msg) tea.Cmd { _, c := frame.Update(m); return c }}
	hs.d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.d.Exec(frame.Init()) // no ticker (Tick: -1): only the panes' Init
	hs.tick()
	hs.tick() // the second tick lets capability answers land
	return hs
}

// guardedPane builds the pane with a running PauseGuard (unless cfg has
// one) whose resumes go through the pane's AutoResume, as the console does.
func guardedPane(t *testing.T, cfg Config, src *fakeSource, clock *fakeClock) *Pane {
	var panePtr atomic.Pointer[Pane]
	if cfg.Guard == nil {
		cfg.Guard = startGuard(t, src, clock, cfg, func(ctx context.Context, k anywhere365.SessionKey, trig string) (*anywhere365.StateResponse, error) {
			return panePtr.Load().AutoResume(ctx, k, trig)
		})
	}
	pane := New(cfg)
	panePtr.Store(pane)
	return pane
}

// startGuard runs a real PauseGuard over the fake source, on the fake
// clock, polling every 2 ms until the test ends; its policy's maximum is
// cfg.PaymentMax (default 3m) and it feeds cfg.Compliance when that is an
// *anywhere365.Compliance.
func startGuard(t *testing.T, src *fakeSource, clock *fakeClock, cfg Config, resume anywhere365.ResumeFunc) *anywhere365.PauseGuard {
	pol := anywhere365.DefaultPolicy()
	if cfg.PaymentMax > 0 {
		pol.MaxPause = cfg.PaymentMax
	}
	ps, err := anywhere365.NewPolicies(pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	if book, ok := cfg.Compliance.(*anywhere365.Compliance); ok && cfg.PaymentMax == 0 {
		ps = book.Policies()
	}
	gc := anywhere365.GuardConfig{Source: src, Resume: resume, Policies: ps, Now: clock.Now, Poll: 2 * time.Millisecond}
	if book, ok := cfg.Compliance.(*anywhere365.Compliance); ok {
		gc.Compliance = book
	}
	g := anywhere365.NewPauseGuard(gc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return g
}

var tickSeq uint64

// tick delivers one frame tick at the fake clock's time.
func (h *harness) tick() {
	h.t.Helper()
	tickSeq++
	h.d.Send(ui.TickMsg{At: h.clock.Now(), Seq: tickSeq})
}

func (h *harness) screen() string { return h.frame.Render() }

// plain is the screen without ANSI styling, for assertions on text.
func (h *harness) plain() string { return stripANSI(h.screen()) }

func (h *harness) lastToast() ui.ToastMsg {
	ts := h.frame.Toasts()
	if len(ts) == 0 {
		return ui.ToastMsg{}
	}
	return ts[len(ts)-1]
}

func (h *harness) toastTexts() string {
	var b strings.Builder
	for _, t := range h.frame.Toasts() {
		b.WriteString(t.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// selectedUCC is the UCC and short id of the row under the cursor.
func (h *harness) selected() anywhere365.SessionKey {
	s, ok := h.pane.tbl.selected()
	if !ok {
		return anywhere365.SessionKey{}
	}
	return s.Key
}

// selectKey moves the cursor onto k with the down key, from the top.
func (h *harness) selectKey(k anywhere365.SessionKey) {
	h.t.Helper()
	h.d.Press("g")
	for i := 0; i < 100 && h.selected() != k; i++ {
		h.d.Press("j")
	}
	if h.selected() != k {
		h.t.Fatalf("could not select %v", k)
	}
}

func stripANSI(s string) string { return ansi.Strip(s) }

var errBoom = errors.New("connection reset by peer")
