package voipnowpane

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// Client is what the pane needs from the VoipNow client; *voipnow.Client
// satisfies it, and tests may fake it.
type Client interface {
	ListAllCalls(ctx context.Context, p voipnow.ListParams, max int) (voipnow.CallListing, error)
	StartRecording(ctx context.Context, r voipnow.RecordParams) (voipnow.PhoneCall, error)
	StopRecording(ctx context.Context, r voipnow.RecordParams) (voipnow.PhoneCall, error)
	// GetCall reads one call again after an action of unknown outcome.
	GetCall(ctx context.Context, userID, extension, phoneCallID string) (voipnow.PhoneCall, error)
}

// Defaults of Options.
const (
	DefaultPollInterval   = 2 * time.Second
	DefaultRequestTimeout = 10 * time.Second
	DefaultEndedLinger    = 5 * time.Second
	DefaultMaxCalls       = 1000
)

// Options configure the pane.
type Options struct {
	Client Client
	// UserID and Extension scope the calls shown and acted on
	// (default @me and @self).
	UserID, Extension string
	// PollInterval is how often the call list is fetched: the UAPI pushes
	// no events (default 2 s).
	PollInterval time.Duration
	// RequestTimeout bounds each request the pane makes (default 10 s).
	RequestTimeout time.Duration
	// DefaultFormat is preselected in the format prompt (default wav).
	DefaultFormat voipnow.Format
	// MaxCalls caps the calls fetched per refresh (default 1000); a list
	// it cuts says "showing N of M calls".
	MaxCalls int
	// EndedLinger is how long a call that left the PBX stays listed as
	// "ended" (default 5 s).
	EndedLinger time.Duration
	// Now is the clock for durations (default time.Now).
	Now func() time.Time
	// Tick schedules the next poll (default tea.Tick). Tests replace it to
	// drive polling by hand.
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// SetupError, when set, is why VoipNow cannot be used although it is
	// configured (no client secret, a bad URL...): the pane shows it in
	// place of calls, sends nothing, and answers every action with it.
	SetupError error
	// Audit receives a write-ahead record of every StartRecording and
	// StopRecording (nil: not audited); Server, Profile and Requester go
	// into them.
	Audit                      Auditor
	Server, Profile, Requester string
}

// Pane is the VoipNow tab: the PBX's live calls, one row per call view,
// with start (wav or wav49) and stop recording on the selected view.
type Pane struct {
	opts   Options
	keys   KeyMap
	styles *ui.Styles
	width  int
	height int

	rows    []row
	sel     int // index into rows
	offset  int // first row on screen
	pending map[string]string

	loaded    bool
	fetching  bool
	tickArmed bool
	updatedAt time.Time
	failing   bool
	lastErr   string

	prompt *prompt

	// fetchSeq numbers the list requests; recent holds the views recording
	// actions answered with, until a list asked for after the answer
	// arrives (a poll already in flight could otherwise undo them).
	fetchSeq int
	recent   map[string]recentAnswer

	setupErr string // Options.SetupError's text
	shown    string // "showing N of M calls" when the last list was not complete
	more     bool   // the PBX has calls past the window shown
	window   int    // index of the first call listed (paging by MaxCalls)

	filter  string             // rows shown must match it (extension, caller, number)
	ask     *components.Prompt // the filter, scope or stop question, when open
	askKind askKind
	stopKey string // the row a stop question is about
}

// recentAnswer is a view as a recording action's answer left it; seq is
// the last fetch started before the answer arrived.
type recentAnswer struct {
	view voipnow.PhoneCallView
	seq  int
}

// prompt is the open "record as wav / wav49" question.
type prompt struct {
	key    string // the row it is about
	format voipnow.Format
}

// Messages the pane sends itself (unexported: no other pane can match them).
type (
	pollMsg  struct{}
	callsMsg struct {
		listing voipnow.CallListing
		err     error
		manual  bool
		seq     int // the fetch's number
	}
	actionMsg struct {
		key    string
		target string // words naming the call view, for the toast
		start  bool
		format voipnow.Format
		call   voipnow.PhoneCall
		err    error
		// att is the action's audit attempt, kept for the confirmed
		// record after an unknown outcome (nil: not audited).
		att *audit.Attempt
	}
	// rereadMsg is the call read again after an action of unknown outcome.
	rereadMsg struct {
		actionMsg
		err error // the re-read's own error (the action's is in actionMsg)
	}
)

// New builds the pane. It fetches nothing until Init.
func New(opts Options) *Pane {
	if opts.UserID == "" {
		opts.UserID = voipnow.UserMe
	}
	if opts.Extension == "" {
		opts.Extension = voipnow.ExtSelf
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if f, err := voipnow.ParseFormat(string(opts.DefaultFormat)); err == nil {
		opts.DefaultFormat = f
	} else {
		opts.DefaultFormat = voipnow.DefaultFormat
	}
	if opts.MaxCalls <= 0 {
		opts.MaxCalls = DefaultMaxCalls
	}
	if opts.EndedLinger <= 0 {
		opts.EndedLinger = DefaultEndedLinger
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	p := &Pane{opts: opts, keys: DefaultKeyMap(), styles: &ui.Styles{}, pending: map[string]string{}, recent: map[string]recentAnswer{}}
	if opts.SetupError != nil {
		p.setupErr = safe(opts.SetupError.Error())
	}
	return p
}

// Title is the tab's label.
func (p *Pane) Title() string { return "VoipNow" }

// Init starts the first fetch; polling re-arms itself on every result.
func (p *Pane) Init() tea.Cmd {
	if p.setupErr != "" {
		return nil
	}
	return p.fetch(false)
}

// SetSize sets the body's size.
func (p *Pane) SetSize(width, height int) {
	p.width, p.height = max(width, 0), max(height, 0)
	p.clampScroll()
}

// SetStyles sets the theme's styles.
func (p *Pane) SetStyles(s *ui.Styles) {
	if s != nil {
		p.styles = s
	}
}

// KeyMap gives the bindings for the footer and the help screen.
func (p *Pane) KeyMap() help.KeyMap {
	if p.ask != nil {
		return p.ask
	}
	return helpKeys{k: p.keys, prompt: p.prompt != nil}
}

// KeyBindings gives the pane's key map, so the console rebinds it with the
// frame's and the other panes' in one pass (ui.RebindAll).
func (p *Pane) KeyBindings() ui.Bindable { return &p.keys }

// Capturing is true while the format prompt or a question is open.
func (p *Pane) Capturing() bool { return p.prompt != nil || p.ask != nil }

// Update handles keys, poll ticks and request results. It never waits on
// the network: every request runs in a tea.Cmd with a timeout.
func (p *Pane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.prompt != nil {
			return p, p.promptKey(msg)
		}
		if p.ask != nil {
			return p, p.askKey(msg)
		}
		return p, p.key(msg)
	case tea.MouseClickMsg: // coordinates are relative to the body
		if m := msg.Mouse(); m.Button == tea.MouseLeft {
			i := p.offset + m.Y - headLines
			if vis := p.visible(); m.Y >= headLines && m.Y < headLines+p.listHeight() && i < len(vis) {
				p.sel = vis[i]
			}
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			p.move(-1)
		case tea.MouseWheelDown:
			p.move(1)
		}
	case pollMsg:
		p.tickArmed = false
		return p, p.fetch(false)
	case callsMsg:
		return p, p.gotCalls(msg)
	case actionMsg:
		return p, p.gotAction(msg)
	case rereadMsg:
		return p, p.gotReread(msg)
	}
	return p, nil
}

func (p *Pane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	page := max(p.listHeight()-1, 1)
	if p.setupErr != "" && (key.Matches(msg, k.Refresh) || key.Matches(msg, k.Record) || key.Matches(msg, k.Stop)) {
		return ui.Toast(ui.ToastError, "VoipNow is not available: %s", p.setupErr)
	}
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.PageUp):
		p.move(-page)
	case key.Matches(msg, k.PageDown):
		p.move(page)
	case key.Matches(msg, k.Top):
		p.move(-len(p.rows))
	case key.Matches(msg, k.Bottom):
		p.move(len(p.rows))
	case key.Matches(msg, k.Filter):
		p.openFilter()
	case key.Matches(msg, k.Scope):
		p.openScope()
	case key.Matches(msg, k.NextWindow):
		if !p.more {
			return ui.Toast(ui.ToastInfo, "VoipNow: no more calls past these")
		}
		p.window += p.opts.MaxCalls
		p.sel, p.offset = 0, 0
		return p.refetch()
	case key.Matches(msg, k.PrevWindow):
		if p.window == 0 {
			return ui.Toast(ui.ToastInfo, "VoipNow: these are the first calls")
		}
		p.window = max(p.window-p.opts.MaxCalls, 0)
		p.sel, p.offset = 0, 0
		return p.refetch()
	case key.Matches(msg, k.Refresh):
		if p.fetching {
			return ui.Toast(ui.ToastInfo, "VoipNow: a refresh is already running")
		}
		return p.fetch(true)
	case key.Matches(msg, k.Record):
		r, cmd := p.actionable("start recording")
		if r == nil {
			return cmd
		}
		p.prompt = &prompt{key: r.key(), format: p.opts.DefaultFormat}
	case key.Matches(msg, k.Stop):
		r, cmd := p.actionable("stop recording")
		if r == nil {
			return cmd
		}
		return p.askStopFor(r)
	}
	return nil
}

// refetch lists again now, dropping an answer already on its way (it is
// for the window or scope left behind).
func (p *Pane) refetch() tea.Cmd {
	p.fetchSeq++
	p.fetching = false
	return p.fetch(true)
}

// actionable returns the selected row if an action may be sent for it, or
// a toast saying why not.
func (p *Pane) actionable(what string) (*row, tea.Cmd) {
	r := p.selected()
	switch {
	case r == nil:
		return nil, ui.Toast(ui.ToastWarning, "VoipNow: no call selected to %s", what)
	case !r.endedAt.IsZero():
		return nil, ui.Toast(ui.ToastWarning, "VoipNow: cannot %s: the call on %s has ended", what, r.view.Extension)
	case p.pending[r.key()] != "":
		return nil, ui.Toast(ui.ToastWarning, "VoipNow: %s is already %s", r.describe(), p.pending[r.key()])
	}
	return r, nil
}

func (p *Pane) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Cancel):
		p.prompt = nil
		return ui.Toast(ui.ToastInfo, "VoipNow: start recording cancelled")
	case key.Matches(msg, k.Choose):
		if p.prompt.format == voipnow.FormatWAV {
			p.prompt.format = voipnow.FormatWAV49
		} else {
			p.prompt.format = voipnow.FormatWAV
		}
	case key.Matches(msg, k.Confirm):
		pr := p.prompt
		p.prompt = nil
		r := p.find(pr.key)
		if r == nil || !r.endedAt.IsZero() {
			return ui.Toast(ui.ToastWarning, "VoipNow: cannot start recording: the call has ended")
		}
		return p.act(r, true, pr.format)
	}
	return nil
}

// act sends StartRecording or StopRecording for row r in a tea.Cmd.
func (p *Pane) act(r *row, start bool, format voipnow.Format) tea.Cmd {
	k := r.key()
	if start {
		p.pending[k] = "starting"
	} else {
		p.pending[k] = "stopping"
	}
	params := voipnow.RecordParams{
		UserID: p.opts.UserID, Extension: p.opts.Extension,
		PhoneCallID: r.callID, ViewID: r.viewID, Format: format,
	}
	c, timeout, target := p.opts.Client, p.opts.RequestTimeout, r.describe()
	action := "recording stop"
	if start {
		action = "recording start"
	}
	return func() tea.Msg {
		att := p.auditStart(action, params.PhoneCallID+"/"+params.ViewID)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		m := actionMsg{key: k, target: target, start: start, format: format}
		if start {
			m.call, m.err = c.StartRecording(ctx, params)
		} else {
			m.call, m.err = c.StopRecording(ctx, params)
		}
		m.att = att
		_ = att.End(auditOutcome(m.err), func(rec *audit.Record) {
			if m.err != nil {
				rec.ErrorMessage = safetext.Out(m.err.Error())
			} else if v, ok := m.call.View(params.ViewID); ok {
				rec.State = map[bool]string{true: "recording", false: "not recording"}[v.IsRecording()]
			}
		})
		return m
	}
}

func (p *Pane) gotAction(m actionMsg) tea.Cmd {
	delete(p.pending, m.key)
	verb := "Stop recording"
	if m.start {
		verb = "Start recording"
	}
	if voipnow.IsUnknownOutcome(m.err) {
		// Neither ok nor failed: say so, and read the call again.
		return tea.Batch(
			ui.Toast(ui.ToastWarning, "? %s on %s unknown: the answer was lost; re-reading (%s)", verb, m.target, safe(m.err.Error())),
			p.reread(m))
	}
	var ce *voipnow.ConfirmError
	if errors.As(m.err, &ce) {
		// Accepted (204), its effect not read back: not a failure either.
		return ui.Toast(ui.ToastWarning, "? %s on %s accepted, but the call could not be read again: %s", verb, m.target, safe(m.err.Error()))
	}
	if m.err != nil {
		return ui.Toast(ui.ToastError, "%s failed on %s: %s", verb, m.target, safe(m.err.Error()))
	}
	p.applyCall(m.call)
	_, viewID := splitKey(m.key)
	v, ok := m.call.View(viewID)
	switch {
	case !ok:
		return ui.Toast(ui.ToastWarning, "%s: the PBX answered without view %s of %s", verb, viewID, m.target)
	case m.start && !v.IsRecording():
		return ui.Toast(ui.ToastWarning, "Start recording: the PBX accepted it but %s shows no recording", m.target)
	case m.start:
		return ui.Toast(ui.ToastSuccess, "Recording %s (%s) since %s", m.target, m.format, clockTime(v.Recording))
	case v.IsRecording():
		return ui.Toast(ui.ToastWarning, "Stop recording: the PBX accepted it but %s is still recording", m.target)
	}
	return ui.Toast(ui.ToastSuccess, "Recording stopped on %s", m.target)
}

// reread reads the call of an action of unknown outcome again (GetCall)
// and audits what it shows as the confirmed state.
func (p *Pane) reread(m actionMsg) tea.Cmd {
	c, timeout, user, ext := p.opts.Client, p.opts.RequestTimeout, p.opts.UserID, p.opts.Extension
	p.pending[m.key] = "re-reading"
	return func() tea.Msg {
		callID, viewID := splitKey(m.key)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		call, err := c.GetCall(ctx, user, ext, callID)
		r := rereadMsg{actionMsg: m, err: err}
		r.call = call
		if err != nil {
			_ = m.att.End(audit.OutcomeUnknown, func(rec *audit.Record) {
				rec.ErrorMessage = "re-read failed: " + safetext.Out(err.Error())
			})
			return r
		}
		v, ok := call.View(viewID)
		applied := ok && v.IsRecording() == m.start
		_ = m.att.End(audit.OutcomeConfirmed, func(rec *audit.Record) {
			rec.State, rec.Applied = recordingWord(ok, v), &applied
		})
		return r
	}
}

// recordingWord is a view's recording state for the audit log and toasts.
func recordingWord(ok bool, v voipnow.PhoneCallView) string {
	switch {
	case !ok:
		return "view gone"
	case v.IsRecording():
		return "recording"
	}
	return "not recording"
}

// gotReread shows what the call read again says after an unknown outcome
// (as the sessions pane words it): a success when the view shows the
// action's effect, a warning when not or when it cannot be read; never
// "failed", since the action itself was never answered.
func (p *Pane) gotReread(m rereadMsg) tea.Cmd {
	delete(p.pending, m.key)
	verb := "Stop recording"
	if m.start {
		verb = "Start recording"
	}
	if m.err != nil {
		return ui.Toast(ui.ToastWarning, "? %s on %s unknown; re-read failed: %s", verb, m.target, safe(m.err.Error()))
	}
	p.applyCall(m.call)
	_, viewID := splitKey(m.key)
	v, ok := m.call.View(viewID)
	took, level := "it did not take effect", ui.ToastWarning
	if ok && v.IsRecording() == m.start {
		took, level = "it took effect", ui.ToastSuccess
	}
	return ui.Toast(level, "%s on %s re-read after its lost answer: now %s (%s)", verb, m.target, recordingWord(ok, v), took)
}

// fetch starts a list request unless one is running.
func (p *Pane) fetch(manual bool) tea.Cmd {
	if p.fetching {
		return nil
	}
	p.fetching = true
	p.fetchSeq++
	c, timeout, max, seq := p.opts.Client, p.opts.RequestTimeout, p.opts.MaxCalls, p.fetchSeq
	params := voipnow.ListParams{UserID: p.opts.UserID, Extension: p.opts.Extension, StartIndex: p.window}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		listing, err := c.ListAllCalls(ctx, params, max)
		return callsMsg{listing: listing, err: err, manual: manual, seq: seq}
	}
}

func (p *Pane) gotCalls(m callsMsg) tea.Cmd {
	if m.seq != p.fetchSeq {
		return nil // asked for before the scope or window changed
	}
	p.fetching = false
	var cmds []tea.Cmd
	if !p.tickArmed { // exactly one poll is ever scheduled
		p.tickArmed = true
		cmds = append(cmds, p.opts.Tick(p.opts.PollInterval, func(time.Time) tea.Msg { return pollMsg{} }))
	}
	if m.err != nil {
		p.lastErr = safe(m.err.Error())
		switch {
		case m.manual:
			cmds = append(cmds, ui.Toast(ui.ToastError, "VoipNow refresh failed: %s", p.lastErr))
		case !p.failing: // one toast when polling starts failing, not one per poll
			cmds = append(cmds, ui.Toast(ui.ToastWarning, "VoipNow: cannot list calls (retrying every %s): %s", p.opts.PollInterval, p.lastErr))
		}
		p.failing = true
		return tea.Batch(cmds...)
	}
	if p.failing {
		cmds = append(cmds, ui.Toast(ui.ToastInfo, "VoipNow: call list is updating again"))
	}
	p.failing, p.lastErr, p.loaded = false, "", true
	p.updatedAt = p.opts.Now()
	p.merge(m.listing.Calls, m.seq)
	// Nothing cut short silently: a list the limit (or the PBX) stopped says so.
	p.shown, p.more = "", !m.listing.Complete && !m.listing.Repeated
	if !m.listing.Complete || m.listing.Start > 0 {
		p.shown = m.listing.Summary()
		if p.more {
			p.shown += " (" + p.keys.NextWindow.Help().Key + " next)"
		}
	}
	if m.manual {
		cmds = append(cmds, ui.Toast(ui.ToastSuccess, "VoipNow: %d live call(s)", countCalls(p.rows)))
	}
	return tea.Batch(cmds...)
}

func (p *Pane) selected() *row {
	if p.sel < 0 || p.sel >= len(p.rows) || !p.rows[p.sel].matches(p.filter) {
		return nil
	}
	return &p.rows[p.sel]
}

func (p *Pane) find(k string) *row {
	for i := range p.rows {
		if p.rows[i].key() == k {
			return &p.rows[i]
		}
	}
	return nil
}

// move moves the selection among the rows the filter shows.
func (p *Pane) move(d int) {
	vis := p.visible()
	if len(vis) == 0 {
		return
	}
	at := 0
	for i, r := range vis {
		if r <= p.sel {
			at = i
		}
	}
	p.sel = vis[min(max(at+d, 0), len(vis)-1)]
	p.clampScroll()
}

// clampScroll keeps the selection on screen; offset counts visible rows.
func (p *Pane) clampScroll() {
	vis := p.visible()
	h := max(p.listHeight(), 1)
	at := 0
	for i, r := range vis {
		if r <= p.sel {
			at = i
		}
	}
	if at < p.offset {
		p.offset = at
	}
	if at >= p.offset+h {
		p.offset = at - h + 1
	}
	p.offset = max(min(p.offset, len(vis)-h), 0)
}

// clockTime shows a PBX timestamp's time of day, in the PBX's zone.
func clockTime(t voipnow.Timestamp) string {
	if tm, ok := t.Time(); ok {
		return tm.Format("15:04:05")
	}
	return string(t)
}

var _ ui.Pane = (*Pane)(nil)

func countCalls(rows []row) int {
	seen := map[string]bool{}
	for _, r := range rows {
		if r.endedAt.IsZero() {
			seen[r.callID] = true
		}
	}
	return len(seen)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
