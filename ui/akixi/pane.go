package akixipane

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// API is what the pane needs from the Akixi WS API; *akixi.Client
// satisfies it, tests may fake it.
type API interface {
	List(ctx context.Context, q akixi.ListQuery) (akixi.Page, error)
	Info(ctx context.Context, guid string) (akixi.Entry, error)
	Add(ctx context.Context, e akixi.Entry) (string, error)
	Change(ctx context.Context, guid string, ch akixi.Changes) error
	Delete(ctx context.Context, guid string) error
}

// Defaults for Options fields left zero.
const (
	DefaultPageSize       = 20
	DefaultRequestTimeout = 20 * time.Second
	DefaultRefresh        = 30 * time.Second
)

// Options configures a Pane.
type Options struct {
	API API
	// Scope is the scope shown first (application-wide when zero).
	Scope akixi.Scope
	// PageSize is how many entries a page shows.
	PageSize int
	// RequestTimeout bounds each request the pane makes.
	RequestTimeout time.Duration
	// Refresh is how often the list is re-read while nothing else is
	// loading; negative turns it off.
	Refresh time.Duration
	// Hint is a line shown under the list (e.g. what to try in the demo).
	Hint string
	// Unavailable, when set, is why the pane cannot talk to Akixi (e.g. no
	// password configured); the pane then shows only that.
	Unavailable string
	// ShowSecrets shows the Dubber credentials (AuthUserID1/2,
	// APIParameter1/2) from the start; otherwise they are masked until the
	// Reveal key is pressed on an entry's details.
	ShowSecrets bool
	// Audit receives a write-ahead record of every add, change and delete
	// (nil: not audited). Server, Profile and Requester go into them.
	Audit                      Auditor
	Server, Profile, Requester string
}

// Auditor is where the pane writes its write-ahead audit records;
// *audit.Log satisfies it.
type Auditor interface {
	Begin(audit.Record) (*audit.Attempt, error)
}

// audited runs do between an attempt record and its outcome record.
func (p *Pane) audited(action, target string) func(err error, set func(*audit.Record)) {
	if p.o.Audit == nil {
		return func(error, func(*audit.Record)) {}
	}
	att, _ := p.o.Audit.Begin(audit.Record{Vendor: "akixi", Server: p.o.Server, Profile: p.o.Profile,
		Requester: p.o.Requester, Source: "console", Action: "entry " + action, Target: safetext.Out(target)})
	return func(err error, set func(*audit.Record)) {
		outcome := audit.OutcomeOK
		var te *akixi.TransportError
		switch {
		case errors.As(err, &te):
			outcome = audit.OutcomeUnknown
		case err != nil:
			outcome = audit.OutcomeFailed
		}
		_ = att.End(outcome, func(r *audit.Record) {
			if err != nil {
				r.ErrorMessage = safetext.Out(err.Error())
			}
			if set != nil {
				set(r)
			}
		})
	}
}

type mode int

const (
	modeList mode = iota
	modeDetail
	modeForm
	modeConfirm
	modeScope
)

// intent says what an Info answer is for.
type intent int

const (
	forDetail intent = iota
	forChange
)

// Messages: each carries what it answers, so stale answers are ignored.
type (
	listMsg struct {
		gen    int
		manual bool
		offset int
		page   akixi.Page
		err    error
		// selectGUID is the entry to select when the page arrives (one
		// just added).
		selectGUID string
	}
	infoMsg struct {
		guid   string
		intent intent
		entry  akixi.Entry
		err    error
	}
	savedMsg struct {
		op    string // "add", "change", "delete"
		guid  string
		desc  string
		scope akixi.Scope // add: the new entry's scope
		err   error
	}
	tickMsg struct{ gen int }
)

// listFields are the CallRecIntFields the table shows besides GUID and
// Description.
var listFields = []string{akixi.PropType, akixi.PropTelSysID, akixi.PropPartIDInTelSys, akixi.PropPartitionGUID}

// Pane is the Akixi admin pane: Call Recording Integration entries of one
// scope, a page at a time, with details, add and change forms, and delete
// with confirmation. All I/O runs in tea.Cmds; Update never waits.
type Pane struct {
	o    Options
	keys KeyMap
	st   *ui.Styles
	w, h int

	mode     mode
	lastMode mode // where a form or confirmation returns to
	scope    akixi.Scope
	offset   int
	rows     []akixi.Entry
	more     bool // a next page exists
	cursor   int
	gen      int // the current list load; older answers and ticks are ignored

	loading    bool
	loadedOnce bool
	loadErr    string

	status      string
	statusLevel ui.ToastLevel

	detail        akixi.Entry
	detailLoading string // GUID being read, "" when none
	form          *form
	confirm       *confirm
	scopeIn       textinput.Model
	scopeErr      string
	reveal        bool // the Dubber credentials are shown
}

// New builds the pane. It sends nothing until Init.
func New(o Options) *Pane {
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Refresh == 0 {
		o.Refresh = DefaultRefresh
	}
	p := &Pane{o: o, keys: DefaultKeyMap(), st: &ui.Styles{}, scope: o.Scope, w: 80, h: 24, reveal: o.ShowSecrets}
	p.syncKeys()
	return p
}

// Title is the tab's label.
func (p *Pane) Title() string { return "Akixi" }

// Init reads the first page.
func (p *Pane) Init() tea.Cmd {
	if p.o.Unavailable != "" || p.o.API == nil {
		return nil
	}
	return p.load(false)
}

// SetSize gives the body's size.
func (p *Pane) SetSize(w, h int) {
	p.w, p.h = max(w, 1), max(h, 1)
	if p.form != nil {
		p.form.setWidth(p.w)
	}
}

// SetStyles restyles the pane and its inputs.
func (p *Pane) SetStyles(s *ui.Styles) {
	if s == nil {
		s = &ui.Styles{}
	}
	p.st = s
	if p.form != nil {
		for i := range p.form.fields {
			styleInput(&p.form.fields[i].in, s)
		}
	}
	styleInput(&p.scopeIn, s)
}

// KeyMap gives the bindings that work now.
func (p *Pane) KeyMap() help.KeyMap { return &p.keys }

// KeyBindings gives the pane's key map, so the console rebinds it with the
// frame's and the other panes' in one pass (ui.RebindAll). Rebinding keeps
// which bindings are enabled: it changes only their keys and help.
func (p *Pane) KeyBindings() ui.Bindable { return &p.keys }

// Capturing is true while a form, the scope input or the delete
// confirmation has the keyboard.
func (p *Pane) Capturing() bool {
	return p.mode == modeForm || p.mode == modeConfirm || p.mode == modeScope
}

// Update handles one message.
func (p *Pane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	cmd := p.update(msg)
	p.syncKeys()
	return p, cmd
}

func (p *Pane) syncKeys() {
	p.keys.enableFor(p.mode, len(p.rows) > 0, p.offset > 0, p.more)
}

func (p *Pane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listMsg:
		return p.onList(msg)
	case infoMsg:
		return p.onInfo(msg)
	case savedMsg:
		return p.onSaved(msg)
	case tickMsg:
		if msg.gen != p.gen || p.loading || p.o.API == nil {
			return nil
		}
		return p.load(false)
	case tea.KeyPressMsg:
		if p.o.Unavailable != "" || p.o.API == nil {
			return nil
		}
		return p.onKey(msg)
	case tea.MouseWheelMsg:
		if p.mode == modeList {
			switch msg.Button {
			case tea.MouseWheelUp:
				p.move(-1)
			case tea.MouseWheelDown:
				p.move(1)
			}
		}
	case tea.PasteMsg:
		return p.toInput(msg)
	}
	return nil
}

// toInput passes a non-key message (paste) to the focused input.
func (p *Pane) toInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch p.mode {
	case modeForm:
		if !p.form.saving {
			f := &p.form.fields[p.form.focus]
			f.in, cmd = f.in.Update(msg)
		}
	case modeScope:
		p.scopeIn, cmd = p.scopeIn.Update(msg)
	}
	return cmd
}

// load re-reads the page shown. Manual loads report their outcome in a
// toast; automatic ones only on the status line.
func (p *Pane) load(manual bool) tea.Cmd { return p.loadAt(p.offset, manual) }

// loadAt reads the page that starts at offset. p.offset moves there only
// when the page arrives, so a failed load leaves the page shown and its
// number in agreement.
func (p *Pane) loadAt(offset int, manual bool) tea.Cmd {
	p.gen++
	p.loading = true
	gen, api, timeout := p.gen, p.o.API, p.o.RequestTimeout
	q := akixi.ListQuery{Scope: p.scope, Offset: offset, Limit: p.o.PageSize + 1, Fields: listFields}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		page, err := api.List(ctx, q)
		return listMsg{gen: gen, manual: manual, offset: offset, page: page, err: err}
	}
}

func (p *Pane) onList(m listMsg) tea.Cmd {
	if m.gen != p.gen {
		return nil // an older load; a newer one is under way
	}
	p.loading = false
	var cmds []tea.Cmd
	if p.o.Refresh > 0 {
		gen := p.gen
		cmds = append(cmds, tea.Tick(p.o.Refresh, func(time.Time) tea.Msg { return tickMsg{gen: gen} }))
	}
	if m.err != nil {
		p.loadErr = m.err.Error()
		p.setStatus(ui.ToastError, "Could not load entries: "+p.loadErr)
		if m.manual {
			cmds = append(cmds, ui.Toast(ui.ToastError, "Akixi: could not load entries: %s", p.loadErr))
		}
		return tea.Batch(cmds...)
	}
	if len(m.page.Entries) == 0 && m.offset > 0 {
		// The page emptied (its last entries were deleted): show the one before.
		return p.loadAt(max(m.offset-p.o.PageSize, 0), m.manual)
	}
	p.loadErr = ""
	p.loadedOnce = true
	p.offset = m.offset
	var selected string
	if p.cursor < len(p.rows) {
		selected = p.rows[p.cursor].GUID
	}
	rows := m.page.Entries
	p.more = len(rows) > p.o.PageSize
	if p.more {
		rows = rows[:p.o.PageSize]
	}
	p.rows = rows
	p.cursor = min(p.cursor, max(len(rows)-1, 0))
	if m.selectGUID != "" {
		selected = m.selectGUID
	}
	for i, r := range rows {
		if r.GUID == selected {
			p.cursor = i
		}
	}
	text := fmt.Sprintf("%d %s in %s (%s)", len(rows), plural(len(rows), "entry", "entries"), p.scope, p.pageWords())
	p.setStatus(ui.ToastInfo, "Loaded "+text)
	if m.manual {
		cmds = append(cmds, ui.Toast(ui.ToastSuccess, "Akixi: %s", text))
	}
	return tea.Batch(cmds...)
}

func (p *Pane) pageWords() string {
	first := p.offset + 1
	if len(p.rows) == 0 {
		return fmt.Sprintf("page %d, empty", p.offset/p.o.PageSize+1)
	}
	more := ""
	if p.more {
		more = ", more follow"
	}
	return fmt.Sprintf("page %d: %d-%d%s", p.offset/p.o.PageSize+1, first, p.offset+len(p.rows), more)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (p *Pane) setStatus(level ui.ToastLevel, text string) {
	p.status, p.statusLevel = text, level
}

func (p *Pane) move(d int) {
	if len(p.rows) == 0 {
		return
	}
	p.cursor = min(max(p.cursor+d, 0), len(p.rows)-1)
}

func (p *Pane) selected() (akixi.Entry, bool) {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return akixi.Entry{}, false
	}
	return p.rows[p.cursor], true
}

func (p *Pane) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch p.mode {
	case modeForm:
		return p.formKey(msg)
	case modeConfirm:
		return p.confirmKey(msg)
	case modeScope:
		return p.scopeKey(msg)
	case modeDetail:
		return p.detailKey(msg)
	}
	k := &p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.NextPage):
		p.cursor = 0
		return p.loadAt(p.offset+p.o.PageSize, false)
	case key.Matches(msg, k.PrevPage):
		p.cursor = 0
		return p.loadAt(max(p.offset-p.o.PageSize, 0), false)
	case key.Matches(msg, k.Refresh):
		return p.load(true)
	case key.Matches(msg, k.Scope):
		p.openScope()
	case key.Matches(msg, k.Add):
		p.openAdd()
	case key.Matches(msg, k.Open):
		if e, ok := p.selected(); ok {
			return p.readInfo(e.GUID, forDetail)
		}
	case key.Matches(msg, k.Change):
		if e, ok := p.selected(); ok {
			return p.readInfo(e.GUID, forChange)
		}
	case key.Matches(msg, k.Delete):
		if e, ok := p.selected(); ok {
			p.openConfirm(e)
		}
	}
	return nil
}

func (p *Pane) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &p.keys
	switch {
	case key.Matches(msg, k.Back):
		p.mode = modeList
	case key.Matches(msg, k.Refresh):
		return p.readInfo(p.detail.GUID, forDetail)
	case key.Matches(msg, k.Change):
		return p.readInfo(p.detail.GUID, forChange)
	case key.Matches(msg, k.Delete):
		p.openConfirm(p.detail)
	case key.Matches(msg, k.Reveal):
		p.reveal = !p.reveal
	}
	return nil
}

// showAdded reads the pages of the new entry's scope from the first until
// it finds the entry (bounded), and shows that page with it selected, so
// the supervisor sees what was added. Not found (a service that sorts
// differently, or a lookup that failed): the first page.
func (p *Pane) showAdded(guid string, sc akixi.Scope) tea.Cmd {
	p.scope, p.cursor = sc, 0
	p.gen++
	p.loading = true
	gen, api, timeout, size := p.gen, p.o.API, p.o.RequestTimeout, p.o.PageSize
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var first listMsg
		for i := range maxFindPages {
			q := akixi.ListQuery{Scope: sc, Offset: i * size, Limit: size + 1, Fields: listFields}
			page, err := api.List(ctx, q)
			m := listMsg{gen: gen, offset: q.Offset, page: page, err: err, selectGUID: guid}
			if i == 0 {
				first = m
			}
			if err != nil {
				return first
			}
			for _, e := range page.Entries[:min(len(page.Entries), size)] {
				if e.GUID == guid {
					return m
				}
			}
			if len(page.Entries) <= size {
				break
			}
		}
		return first
	}
}

// maxFindPages bounds showAdded's search.
const maxFindPages = 50

// readInfo reads an entry's every property, for its details or to change it.
func (p *Pane) readInfo(guid string, in intent) tea.Cmd {
	if p.detailLoading != "" {
		return nil // one at a time
	}
	p.detailLoading = guid
	p.setStatus(ui.ToastInfo, "Reading entry "+guid+"…")
	api, timeout := p.o.API, p.o.RequestTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		e, err := api.Info(ctx, guid)
		return infoMsg{guid: guid, intent: in, entry: e, err: err}
	}
}

func (p *Pane) onInfo(m infoMsg) tea.Cmd {
	if m.guid != p.detailLoading {
		return nil
	}
	p.detailLoading = ""
	if m.err != nil {
		p.setStatus(ui.ToastError, "Could not read the entry: "+m.err.Error())
		return ui.Toast(ui.ToastError, "Akixi: could not read entry %s: %s", akixi.Printable(m.guid), m.err)
	}
	p.setStatus(ui.ToastInfo, "Read entry "+m.guid)
	switch m.intent {
	case forChange:
		p.openChange(m.entry)
	default:
		p.detail = m.entry
		p.mode = modeDetail
	}
	return nil
}

// openScope asks for the scope to show.
func (p *Pane) openScope() {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = "all | 1 | 1/2 | partition GUID"
	in.CharLimit = 200
	styleInput(&in, p.st)
	in.SetValue(p.scope.Spec())
	in.CursorEnd()
	in.Focus()
	in.SetWidth(max(p.w-12, 10))
	p.scopeIn, p.scopeErr = in, ""
	p.mode = modeScope
}

func (p *Pane) scopeKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		p.mode = modeList
		return ui.Toast(ui.ToastInfo, "Akixi: scope unchanged (%s)", p.scope)
	case "enter":
		sc, err := akixi.ParseScope(p.scopeIn.Value())
		if err != nil {
			p.scopeErr = err.Error() // the text stays for correcting
			return nil
		}
		p.scope, p.offset, p.cursor, p.rows, p.more = sc, 0, 0, nil, false
		p.mode = modeList
		return p.load(true)
	}
	var cmd tea.Cmd
	p.scopeIn, cmd = p.scopeIn.Update(msg)
	p.scopeErr = ""
	return cmd
}

// openConfirm asks before deleting; the demonstration entry gets an extra
// warning first.
func (p *Pane) openConfirm(e akixi.Entry) {
	p.confirm = &confirm{entry: e, warnDemo: e.IsDemo()}
	p.lastMode, p.mode = p.mode, modeConfirm
}

func (p *Pane) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	c := p.confirm
	if c.deleting {
		return nil
	}
	if key.Matches(msg, p.keys.Yes) {
		if c.warnDemo {
			c.warnDemo = false // warned: now the usual question
			return nil
		}
		c.deleting = true
		e, api, timeout := c.entry, p.o.API, p.o.RequestTimeout
		p.setStatus(ui.ToastInfo, "Deleting "+e.GUID+"…")
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			end := p.audited("delete", e.GUID)
			err := api.Delete(ctx, e.GUID)
			end(err, nil)
			return savedMsg{op: "delete", guid: e.GUID, desc: e.Description, err: err}
		}
	}
	// Any other key keeps the entry.
	p.mode = p.returnMode()
	p.confirm = nil
	p.setStatus(ui.ToastInfo, "Delete cancelled: nothing was deleted")
	return ui.Toast(ui.ToastInfo, "Akixi: delete cancelled, %q kept", c.entry.Description)
}

// returnMode is where a closed prompt or form goes back to.
func (p *Pane) returnMode() mode {
	if p.detail.GUID != "" && p.lastMode == modeDetail {
		return modeDetail
	}
	return modeList
}

func (p *Pane) onSaved(m savedMsg) tea.Cmd {
	switch m.op {
	case "delete":
		p.confirm = nil
		if m.err != nil {
			p.mode = p.returnMode()
			p.setStatus(ui.ToastError, "Not deleted: "+m.err.Error())
			return ui.Toast(ui.ToastError, "Akixi: %q not deleted: %s", m.desc, m.err)
		}
		p.mode, p.detail, p.lastMode = modeList, akixi.Entry{}, modeList
		p.setStatus(ui.ToastSuccess, fmt.Sprintf("Deleted %q (%s)", m.desc, m.guid))
		return tea.Batch(ui.Toast(ui.ToastSuccess, "Akixi: deleted %q", m.desc), p.load(false))
	case "add", "change":
		if p.form == nil {
			return nil
		}
		p.form.saving = false
		if m.err != nil {
			p.form.err = m.err.Error() // the form stays as typed
			p.setStatus(ui.ToastError, "Not saved: "+m.err.Error())
			return ui.Toast(ui.ToastError, "Akixi: %s failed: %s", m.op, m.err)
		}
		p.form = nil
		p.mode = modeList
		what := "Added"
		if m.op == "change" {
			what = "Changed"
		}
		text := fmt.Sprintf("%s %q", what, m.desc)
		if m.guid != "" {
			text += " (" + m.guid + ")"
		}
		p.setStatus(ui.ToastSuccess, text)
		if m.op == "add" {
			// Show the new entry, selected, in its own scope.
			return tea.Batch(ui.Toast(ui.ToastSuccess, "Akixi: %s", text), p.showAdded(m.guid, m.scope))
		}
		cmds := []tea.Cmd{ui.Toast(ui.ToastSuccess, "Akixi: %s", text), p.load(false)}
		if m.op == "change" && p.lastMode == modeDetail {
			cmds = append(cmds, p.readInfo(m.guid, forDetail))
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// styleInput applies the theme to a text input: no colours of its own, a
// steady cursor (no blink timer).
func styleInput(in *textinput.Model, s *ui.Styles) {
	st := in.Styles()
	st.Focused.Text, st.Focused.Prompt, st.Focused.Placeholder = s.Input, s.Input, s.Muted
	st.Blurred.Text, st.Blurred.Prompt, st.Blurred.Placeholder = s.Text, s.Text, s.Muted
	st.Focused.Suggestion, st.Blurred.Suggestion = s.Muted, s.Muted
	st.Cursor.Blink = false
	in.SetStyles(st)
}

// confirm is the delete question.
type confirm struct {
	entry    akixi.Entry
	warnDemo bool // the extra warning for the demonstration entry is showing
	deleting bool
}
