package sessions

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// Source is the session store the pane reads: *anywhere365.Tracker
// satisfies it. The pane never waits on it for the network: every method is
// a quick, lock-protected read or a hand-off.
type Source interface {
	Version() uint64
	Snapshot(dst []anywhere365.Session) []anywhere365.Session
	Session(key anywhere365.SessionKey) (anywhere365.Session, []anywhere365.HistoryEntry, bool)
	ConnState() anywhere365.ConnState
	EventCount() uint64
	Watch(key anywhere365.SessionKey)
	RecordAction(key anywhere365.SessionKey, a anywhere365.Action, resp *anywhere365.StateResponse, err error)
}

// RecordingAPI is the part of the REST client the pane calls, always from a
// tea.Cmd with a timeout: *anywhere365.Client satisfies it.
type RecordingAPI interface {
	Set(ctx context.Context, p anywhere365.SetParams) (*anywhere365.StateResponse, error)
	Capabilities(ctx context.Context, ucc string) (*anywhere365.CapabilitiesResponse, error)
}

// Auditor receives one record per attempted action; *audit.Log satisfies
// it. Append must return only once the record is durable.
type Auditor interface {
	Append(audit.Record) error
}

// PauseGuard owns pause deadlines outside the screen:
// *anywhere365.PauseGuard satisfies it. Payment mode arms it; its
// automatic resumes go through the pane's AutoResume.
type PauseGuard interface {
	Arm(key anywhere365.SessionKey)
	Disarm(key anywhere365.SessionKey)
	Status(key anywhere365.SessionKey) (anywhere365.PauseStatus, bool)
	Statuses() []anywhere365.PauseStatus
	OpenPayment() []anywhere365.PauseStatus
	ResumeNow(key anywhere365.SessionKey, trigger string) bool
	ResumeAll(ctx context.Context) error
	Policies() anywhere365.Policies
}

// ComplianceBook holds the compliance flags and alerts:
// *anywhere365.Compliance satisfies it.
type ComplianceBook interface {
	Alerts(now time.Time) []anywhere365.Alert
	Ack(key anywhere365.SessionKey, kind anywhere365.FlagKind) bool
	Active() []anywhere365.Flag
	Counts() map[anywhere365.FlagKind]int
	Raised() uint64
	Version() uint64
}

// Defaults of Config.
const (
	DefaultPaymentMax    = 180 * time.Second
	DefaultPaymentWarn   = 30 * time.Second
	DefaultActionTimeout = 15 * time.Second
	DefaultFlashFor      = 1200 * time.Millisecond
)

// Config configures the pane.
type Config struct {
	// Servers are the servers the pane follows (servers.go). When empty,
	// Source, API, Guard, Compliance and Profile describe the only one.
	Servers []Server
	Source  Source
	API     RecordingAPI
	// Requester is the SIP URI actions are sent as; when empty the pane asks
	// for it on the first action and remembers it.
	Requester string
	// Profile is written in audit records.
	Profile string
	// Audit receives every attempted action; nil writes nothing.
	Audit Auditor
	// Keys are the pane's bindings; nil means DefaultKeyMap().
	Keys *KeyMap
	// Now is the pane's clock (injected in tests); nil means time.Now.
	Now func() time.Time
	// PaymentMax is the maximum shown when there is no Guard (its policy's
	// max_pause is used otherwise); PaymentWarn is the final stretch of a
	// payment pause shown as a warning (default 30 s).
	PaymentMax  time.Duration
	PaymentWarn time.Duration
	// Guard owns pause deadlines (payment mode's automatic resume and the
	// policy's); without one payment mode is refused.
	Guard PauseGuard
	// Compliance holds the flags and alerts; nil shows none.
	Compliance ComplianceBook
	// Bell rings the terminal bell once per new alert.
	Bell bool
	// ActionTimeout bounds one action's request (default 15 s).
	ActionTimeout time.Duration
	// FlashFor is how long a changed row is highlighted (default 1.2 s).
	FlashFor time.Duration
	// ThemeNames are what ":theme" completes (nil: the built-in themes).
	ThemeNames []string
	// Profiles are what ":profile" completes; SwitchProfile makes the
	// console follow the named profiles' servers instead of the current
	// ones (nil: ":profile" says it cannot). It must not wait on the
	// network: the new servers connect on their own.
	Profiles      []string
	SwitchProfile func(names []string) ([]Server, ui.SetServerMsg, error)
	// Columns are the table's columns, in order, by name (ColumnNames;
	// check them with ParseColumns); nil is all of them.
	Columns []string
	// OnColumns saves the columns chosen with the chooser (C, :columns),
	// off the event loop, and says where; nil keeps them for this run only.
	OnColumns func(names []string) (where string, err error)
}

type mode int

const (
	modeTable mode = iota
	modeDetail
	modePayment
	modeAlerts
)

// Pane is the Anywhere365 sessions pane: the live table, the detail view
// and payment mode. It implements ui.Pane and ui.StatusLiner.
type Pane struct {
	cfg    Config
	keys   *KeyMap
	st     *ui.Styles
	width  int
	height int
	now    time.Time

	tbl  table
	mode mode

	// filtering is true while the filter input has the keyboard.
	filtering bool
	filterIn  *components.Prompt

	// prompt is an open question (confirm, add session, requester) and
	// onAccept what happens when it is answered.
	prompt   *components.Prompt
	onAccept func(value string) tea.Cmd
	onCancel string // toast text when the prompt is cancelled ("": none)
	// cmdOpen is true while the prompt is the command line (command.go).
	cmdOpen bool
	// picked are the rows picked for a bulk action (bulk.go).
	picked map[anywhere365.SessionKey]bool
	// servers are the followed servers (servers.go); with several,
	// cfg.Source, cfg.Guard and cfg.Compliance are their merges. The
	// guard's goroutine reads it too (AutoResume), hence the atomic.
	servers atomic.Pointer[[]Server]
	// chooser is the column chooser (columns.go).
	chooser columnChooser

	requester string
	pending   map[anywhere365.SessionKey]pendingAction
	caps      map[uccKey]*capsEntry
	capsBusy  int

	pay payment
	// quitPrompt is the open "payment pause under way: quit?" question.
	quitPrompt *components.Prompt
	// requesterMirror is p.requester for the guard's goroutine.
	requesterMirror atomic.Pointer[string]

	al alertsView

	actorMu sync.Mutex
	actors  map[anywhere365.SessionKey][]actorNote

	tickSeq uint64
	rate    eventRate
	// bodyChanged is what BodyChanged reports for the last tick;
	// shownPhases the hub connection phases (connPhases) it saw.
	bodyChanged bool
	shownPhases uint64
	// connErr is the hub error last reported in a toast, per server: a new
	// reason is reported once, not on every reconnect attempt.
	connErr map[string]string
}

// New returns the pane; the frame calls SetStyles and SetSize before the
// first View.
func New(cfg Config) *Pane {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PaymentMax <= 0 {
		cfg.PaymentMax = DefaultPaymentMax
	}
	if cfg.PaymentWarn <= 0 {
		cfg.PaymentWarn = DefaultPaymentWarn
	}
	if cfg.ActionTimeout <= 0 {
		cfg.ActionTimeout = DefaultActionTimeout
	}
	if cfg.FlashFor <= 0 {
		cfg.FlashFor = DefaultFlashFor
	}
	keys := cfg.Keys
	if keys == nil {
		k := DefaultKeyMap()
		keys = &k
	}
	p := &Pane{
		cfg:       cfg,
		keys:      keys,
		requester: cfg.Requester,
		pending:   map[anywhere365.SessionKey]pendingAction{},
		caps:      map[uccKey]*capsEntry{},
		now:       cfg.Now(),
	}
	servers := cfg.Servers
	if len(servers) == 0 {
		servers = []Server{{Source: cfg.Source, API: cfg.API, Guard: cfg.Guard, Compliance: cfg.Compliance, Profile: cfg.Profile}}
	}
	p.setServers(servers)
	p.tbl.init()
	p.initColumns()
	p.mirrorRequester()
	return p
}

// Title is the tab's label.
func (p *Pane) Title() string { return "Anywhere365" }

// Init pulls the first snapshot, so rows show on the first frame if the
// store already has some.
func (p *Pane) Init() tea.Cmd {
	p.pull(true)
	return p.columnsWarning()
}

// SetSize is the body's size.
func (p *Pane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.tbl.setSize(w, p.tableRows())
}

// SetStyles is called at start and on theme changes.
func (p *Pane) SetStyles(st *ui.Styles) {
	p.st = st
	p.tbl.invalidate()
}

// Capturing is true while a prompt or the filter input is open, and in
// payment mode (so a stray q does not quit during a card payment).
func (p *Pane) Capturing() bool {
	return p.prompt != nil || p.filtering || p.mode == modePayment || p.chooser.open
}

// KeyMap gives the bindings of the current view for the footer and help:
// while a prompt or the filter is open, only the keys that answer it.
func (p *Pane) KeyMap() help.KeyMap {
	switch {
	case p.prompt != nil:
		return p.prompt
	case p.filtering:
		return p.filterIn
	case p.chooser.open:
		return chooserKeys{}
	}
	switch p.mode {
	case modePayment:
		return paymentKeys{p.keys}
	case modeAlerts:
		return alertKeys{p.keys}
	case modeDetail:
		return detailKeys{p.keys}
	}
	return tableKeys{p.keys}
}

// Selected returns the session under the cursor (tests and drivers use it
// to know which row an action key applies to).
func (p *Pane) Selected() (anywhere365.SessionKey, bool) {
	if p.mode == modePayment {
		return p.pay.key, true
	}
	s, ok := p.tbl.selected()
	if !ok {
		return anywhere365.SessionKey{}, false
	}
	return s.Key, true
}

// Requester is the SIP URI actions are sent as ("" until known).
func (p *Pane) Requester() string { return p.requester }

// tableRows is how many session rows fit: the body minus the column
// header and the two-line bottom bar.
func (p *Pane) tableRows() int {
	n := p.height - 3
	if n < 1 {
		n = 1
	}
	return n
}

// Update handles one message.
func (p *Pane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	p.now = p.cfg.Now()
	defer p.mirrorRequester()
	switch msg := msg.(type) {
	case quitResumedMsg:
		return p, p.onQuitResumed(msg)
	case ui.TickMsg:
		return p, p.onTick(msg)
	case actionResultMsg:
		return p, p.onActionResult(msg)
	case capsMsg:
		p.onCaps(msg)
		return p, nil
	case tea.KeyPressMsg:
		return p, p.onKey(msg)
	case tea.MouseClickMsg:
		p.onClick(msg.Mouse())
		return p, nil
	case tea.MouseWheelMsg:
		p.onWheel(msg.Mouse())
		return p, nil
	}
	// Anything else (paste, cursor) goes to an open input.
	switch {
	case p.prompt != nil:
		return p, p.prompt.UpdateOther(msg)
	case p.filtering:
		return p, p.filterIn.UpdateOther(msg)
	}
	return p, nil
}

func (p *Pane) onTick(msg ui.TickMsg) tea.Cmd {
	p.tickSeq = msg.Seq
	p.rate.sample(p.cfg.Source.EventCount(), p.now)
	before := p.bodyPrint()
	p.pull(false)
	// A hub that connects, drops or comes back is drawn at once, not with
	// the counts a second later: whether the rows can be trusted is news.
	phases := p.connPhases()
	p.bodyChanged = p.mode != modeTable || p.bodyPrint() != before || phases != p.shownPhases
	p.shownPhases = phases
	var cmds []tea.Cmd
	cmds = append(cmds, p.connToast())
	cmds = append(cmds, p.fetchCaps()...)
	cmds = append(cmds, p.guardTick()...)
	return tea.Batch(cmds...)
}

// BodyChanged reports whether the last tick changed what the table draws
// (ui.BodyChanger): the rows on screen (which sessions, in which order, at
// which version), the cursor, how many rows there are, or whether the hub
// is connected. When it did not, the store's change was to sessions off
// screen, and the frame draws it (in the status line's counts) a little
// later, with others.
func (p *Pane) BodyChanged() bool { return p.bodyChanged }

// connPhases packs the connection phase of the hub (with several servers,
// the merged one and each server's) into one number, for BodyChanged.
func (p *Pane) connPhases() uint64 {
	v := uint64(p.cfg.Source.ConnState().Phase)
	for _, s := range p.Servers() {
		v = v*31 + uint64(s.Source.ConnState().Phase) + 1
	}
	return v
}

// bodyPrint is a fingerprint of what the table draws from the store.
func (p *Pane) bodyPrint() uint64 {
	t := &p.tbl
	var h maphash.Hash
	h.SetSeed(printSeed)
	var b [8]byte
	num := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	num(uint64(t.offset))
	num(uint64(t.cursor))
	num(uint64(len(t.rows)))
	num(uint64(len(t.snap)))
	for i := t.offset; i < t.offset+t.visible && i < len(t.rows); i++ {
		s := &t.snap[t.rows[i]]
		h.WriteString(s.Key.UCC)
		h.WriteByte(0)
		h.WriteString(s.Key.CorrelationID)
		num(s.Version)
	}
	return h.Sum64()
}

var printSeed = maphash.MakeSeed()

// DataPending reports a change in the store that the pull throttle held
// back (ui.DataPender): the frame tries again at its floor.
func (p *Pane) DataPending() bool {
	src := p.cfg.Source
	return src != nil && p.tbl.pulled && src.Version() != p.tbl.version
}

// TickWanted tells the frame how soon the pane's screen changes with time
// alone (ui.TickWanter): the spinner of a pending action at the frame
// rate; the end of a flash on screen; ages in whole seconds, the payment countdown and the
// events-per-second figure once a second; otherwise never: new data wakes
// the frame itself.
func (p *Pane) TickWanted() time.Duration {
	t := &p.tbl
	if len(p.pending) > 0 {
		return ui.FrameRate
	}
	src := p.cfg.Source
	var want time.Duration
	soonest := func(d time.Duration) {
		if want == 0 || d < want {
			want = d
		}
	}
	if p.mode != modeTable || p.rate.moving() || (src != nil && src.EventCount() != p.rate.count) {
		soonest(time.Second)
	}
	for i := t.offset; i < t.offset+t.visible && i < len(t.rows); i++ {
		s := &t.snap[t.rows[i]]
		if until, ok := t.flash[s.Key]; ok && p.now.Before(until) {
			// A flash on screen ends: the frame after it (the map also
			// holds flashes of rows scrolled away, which need nothing).
			soonest(until.Sub(p.now) + time.Millisecond)
		}
		if d := t.ageChangeIn(s, p.now); d > 0 {
			soonest(d) // its age counts up
		}
	}
	return want
}

// connToast reports, once per new reason, why the hub connection failed:
// the header's status line has room for a few words of it at most, the
// toast line for the whole reason (a refused certificate, a token refused).
func (p *Pane) connToast() tea.Cmd {
	servers := p.Servers()
	if p.connErr == nil {
		p.connErr = map[string]string{}
	}
	var cmds []tea.Cmd
	for _, s := range servers {
		if s.Source == nil {
			continue
		}
		cs := s.Source.ConnState()
		if cs.Phase == anywhere365.ConnConnected {
			delete(p.connErr, s.Name)
			continue
		}
		detail := connDetail(cs.LastError)
		if detail == "" || detail == p.connErr[s.Name] {
			continue
		}
		p.connErr[s.Name] = detail
		hub := "Hub"
		if len(servers) > 1 {
			hub = "Hub " + safetext.Out(s.Name)
		}
		text := hub + ": " + detail
		if r := connReason(cs.LastError); r != detail {
			text = hub + ": " + r + " (" + detail + ")"
		}
		cmds = append(cmds, toast(ui.ToastWarning, text))
	}
	return tea.Batch(cmds...)
}

// pull takes a new snapshot when the store changed (and the adaptive
// throttle allows it), then filters and sorts it once.
func (p *Pane) pull(force bool) {
	src := p.cfg.Source
	if src == nil {
		return
	}
	v := src.Version()
	if !force && ((v == p.tbl.version && p.tbl.pulled) || !p.tbl.dueForPull()) {
		return
	}
	p.tbl.pullFrom(src, v)
	p.tbl.snap, p.tbl.rows, p.tbl.keys = shrunk(p.tbl.snap), shrunk(p.tbl.rows), shrunk(p.tbl.keys)
}

// shrunk returns s in a buffer of its own size once it uses under a
// quarter of a large one: the pull buffers are reused from frame to frame,
// and without this they would keep the peak's size (17 MB for 100,000
// sessions) after the calls end.
func shrunk[T any](s []T) []T {
	if cap(s) < 4096 || len(s) >= cap(s)/4 {
		return s
	}
	return append(make([]T, 0, len(s)+len(s)/4), s...)
}

func (p *Pane) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if p.prompt != nil {
		return p.promptKey(msg)
	}
	if p.filtering {
		return p.filterKey(msg)
	}
	if p.chooser.open {
		return p.chooserKey(msg)
	}
	if p.mode == modePayment {
		return p.paymentKey(msg)
	}
	if p.mode == modeAlerts {
		return p.alertsKey(msg)
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.tbl.move(-1)
	case key.Matches(msg, k.Down):
		p.tbl.move(1)
	case key.Matches(msg, k.PageUp):
		p.tbl.move(-p.tbl.visible)
	case key.Matches(msg, k.PageDown):
		p.tbl.move(p.tbl.visible)
	case key.Matches(msg, k.Top):
		p.tbl.moveTo(0)
	case key.Matches(msg, k.Bottom):
		p.tbl.moveTo(len(p.tbl.rows) - 1)
	case key.Matches(msg, k.Detail):
		if p.mode == modeDetail {
			p.mode = modeTable
		} else if _, ok := p.tbl.selected(); ok {
			p.mode = modeDetail
		} else {
			return toast(ui.ToastWarning, "No session selected")
		}
	case key.Matches(msg, k.Back):
		switch {
		case p.mode == modeDetail:
			p.mode = modeTable
		case len(p.picked) > 0:
			n := len(p.picked)
			p.clearPicks()
			return toast(ui.ToastInfo, "Picks cleared ("+plural(n, "session")+")")
		case p.tbl.filter != "":
			p.tbl.setFilter("")
			return toast(ui.ToastInfo, "Filter cleared")
		}
	case key.Matches(msg, k.Start):
		return p.act(anywhere365.ActionStart, "")
	case key.Matches(msg, k.Pause):
		return p.act(anywhere365.ActionPause, "")
	case key.Matches(msg, k.Stop):
		return p.act(anywhere365.ActionStop, "")
	case key.Matches(msg, k.Mark):
		return p.act(anywhere365.ActionMark, "")
	case key.Matches(msg, k.Unmark):
		return p.act(anywhere365.ActionUnMark, "")
	case key.Matches(msg, k.Save):
		return p.act(anywhere365.ActionSave, "")
	case key.Matches(msg, k.Delete):
		return p.act(anywhere365.ActionDelete, "")
	case key.Matches(msg, k.Filter):
		p.filtering = true
		p.filterIn = components.NewInput("Filter", "text to match; a leading ! shows the rows that do not match", 200, nil)
		p.filterIn.AcceptHelp, p.filterIn.CancelHelp = "keep filter", "clear filter"
		p.filterIn.SetValue(p.tbl.filter)
	case key.Matches(msg, k.Sort):
		p.tbl.cycleSort()
		return toast(ui.ToastInfo, "Sorted by "+p.tbl.sortDesc())
	case key.Matches(msg, k.SortReverse):
		p.tbl.reverseSort()
		return toast(ui.ToastInfo, "Sorted by "+p.tbl.sortDesc())
	case key.Matches(msg, k.Add):
		return p.askAdd()
	case key.Matches(msg, k.Remove):
		return p.askRemove()
	case key.Matches(msg, k.Payment):
		return p.enterPayment()
	case key.Matches(msg, k.Alerts):
		return p.enterAlerts()
	case key.Matches(msg, k.Command):
		return p.openCommand()
	case key.Matches(msg, k.Pick):
		return p.togglePick()
	case key.Matches(msg, k.Columns):
		return p.openChooser()
	}
	return nil
}

// filterKey edits the filter live: every key re-filters the snapshot.
func (p *Pane) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	res, cmd := p.filterIn.Update(msg)
	switch res {
	case components.PromptAccepted:
		p.filtering = false
		p.tbl.setFilter(p.filterIn.Value())
		return cmd
	case components.PromptCancelled:
		p.filtering = false
		p.tbl.setFilter("")
		return tea.Batch(cmd, toast(ui.ToastInfo, "Filter cleared"))
	}
	p.tbl.setFilter(p.filterIn.Value())
	return cmd
}

func (p *Pane) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	if p.cmdOpen && msg.String() == "tab" {
		p.commandTab()
		return nil
	}
	res, cmd := p.prompt.Update(msg)
	switch res {
	case components.PromptAccepted:
		v, next := p.prompt.Value(), p.onAccept
		p.prompt, p.onAccept, p.cmdOpen = nil, nil, false
		return tea.Batch(cmd, next(v))
	case components.PromptCancelled:
		text := p.onCancel
		p.prompt, p.onAccept, p.cmdOpen = nil, nil, false
		if text == "" {
			return cmd
		}
		return tea.Batch(cmd, toast(ui.ToastInfo, text))
	}
	return cmd
}

// ask opens a prompt; accept runs with the answer, cancelled is the toast
// shown if the user backs out (so no key press ends silently).
func (p *Pane) ask(pr *components.Prompt, cancelled string, accept func(string) tea.Cmd) {
	p.prompt, p.onAccept, p.onCancel = pr, accept, cancelled
}

func (p *Pane) onClick(m tea.Mouse) {
	if p.mode != modeTable || p.prompt != nil || p.chooser.open {
		return
	}
	switch {
	case m.Y == 0:
		p.tbl.sortByX(m.X)
	case m.Y >= 1 && m.Y <= p.tbl.visible:
		p.tbl.moveTo(p.tbl.offset + m.Y - 1)
	}
}

func (p *Pane) onWheel(m tea.Mouse) {
	switch m.Button {
	case tea.MouseWheelUp:
		p.tbl.move(-3)
	case tea.MouseWheelDown:
		p.tbl.move(3)
	}
}

// toast returns a command that shows a toast.
func toast(level ui.ToastLevel, text string) tea.Cmd {
	return func() tea.Msg { return ui.ToastMsg{Level: level, Text: text} }
}
