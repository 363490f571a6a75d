package ui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/internal/beat"
	"github.com/recdeck/recdeck/themes"
)

// TickMsg is the frame's clock: a frame is due. It is forwarded to every
// pane, active or not, and panes pull their data on it (a snapshot when its
// version changed) instead of receiving one message per event, so a burst
// of events costs at most one redraw per frame.
//
// The frame sleeps when nothing changes: a TickMsg comes when the data
// source signals a change (Options.Wake), no sooner than FrameFloor after
// the previous one, and otherwise only as often as some pane asks through
// TickWanter (a spinner, an age in seconds, a countdown) or a toast expires.
type TickMsg struct {
	At  time.Time // the frame's clock (injected in tests)
	Seq uint64    // increases by one per tick: spinners use it as their frame
}

// FrameRate is the tick interval for animation: a spinner's frames.
const FrameRate = 100 * time.Millisecond

// FrameFloor is the least time between two frames driven by data: at most
// 33 frames a second however many events arrive. With the RenderPacer a
// drawn frame is written at once, so a change on the server is on screen
// within about FrameFloor (plus one renderer frame, 16.7 ms, without it).
const FrameFloor = 30 * time.Millisecond

// StatusEvery is how often the status line is redrawn for news that
// changed nothing else on screen (counts of sessions off screen). Every
// frame drawn costs Bubble Tea's renderer a parse and diff of the whole
// screen, and with ages on screen a frame comes every second anyway: at
// a second, the counts ride on it instead of adding up to four frames a
// second under load (about a tenth of the console's CPU at 100 events/s).
const StatusEvery = time.Second

// BodyChanger is implemented by a pane that can tell whether the last
// TickMsg changed its body (rows on screen, their order, the cursor, the
// bar under them): when it did not, a frame for new data is drawn later,
// with the status line's news (see StatusEvery).
type BodyChanger interface {
	BodyChanged() bool
}

// DataPender is implemented by a pane that may hold new data back on a
// tick (a throttle on expensive pulls): while it reports data pending
// after a frame, the frame tries again FrameFloor later, as after a Wake.
type DataPender interface {
	DataPending() bool
}

// TickWanter is implemented by a pane whose body changes with time alone.
// TickWanted says how soon it needs the next TickMsg: zero when nothing it
// shows moves by itself (it then waits for data, input or a result), a
// second for ages shown in whole seconds, FrameRate for a spinner. The
// frame asks after every message, so the answer may change at any time.
type TickWanter interface {
	TickWanted() time.Duration
}

// StatusLiner is implemented by a pane that has something to say in the
// header's second line on every tab (the Anywhere365 pane: connection state,
// events per second, counts per recording state). The frame shows the first
// such pane's line.
type StatusLiner interface {
	StatusLine(width int) string
}

// HeaderSegmenter is implemented by a pane that has a short alert for the
// header's first line on every tab (the Anywhere365 pane: the compliance
// counts, "⚠ 2 overdue"). The frame shows every such pane's segment; an
// empty one shows nothing.
type HeaderSegmenter interface {
	HeaderSegment() string
}

// QuitGuard is implemented by a pane that must be asked before the console
// quits (payment mode: a pause is under way). GuardQuit returns true when
// the pane took the quit request over (it opened a question); the frame
// then shows that pane. It returns false to let the console quit, e.g.
// when its question is already open and the user asks to quit again.
type QuitGuard interface {
	GuardQuit() (tea.Cmd, bool)
}

// Options configure the frame.
type Options struct {
	// Server is what the header names: the server's URL or the profile.
	Server     string
	Profile    string
	APIVersion string // "v1" or "v2"
	Demo       bool   // shows the DEMO badge
	Insecure   bool   // TLS verification is off: shows TLS-INSECURE
	// Themes is the list "t" cycles through; Theme is the index of the
	// active one. Empty means the built-in themes, starting at dark.
	Themes  []themes.Theme
	Theme   int
	NoColor bool
	// ThemeConfigured is true when Theme was asked for (--theme, the
	// profile): the terminal's background then does not change it.
	// ThemeRemembered is true when it is the theme last chosen with t: it
	// is kept if it can be read on the terminal's background. Otherwise
	// the frame starts with the first theme that matches the background
	// (tea.BackgroundColorMsg), and t cycles only through readable ones.
	ThemeConfigured bool
	ThemeRemembered bool
	// OnTheme is called with the theme chosen with t, to remember it
	// (cmd/recdeck writes themes.Remember); nil remembers nothing. An
	// error is shown in a toast.
	OnTheme func(themes.Theme) error
	Keys    *KeyMap // nil means DefaultKeyMap()
	// Now is the frame's clock; nil means time.Now.
	Now func() time.Time
	// Tick is the least time between two frames driven by Wake; zero
	// means FrameFloor. A negative value turns the frame's clock off
	// (tests then send TickMsg themselves).
	Tick time.Duration
	// Wake is the data source's "something changed" signal (a channel of
	// capacity 1 that never blocks its sender, e.g. the tracker's
	// Changed()): each value asks for a frame. Nil: only input, results
	// and TickWanter wake the frame.
	Wake <-chan struct{}
	// Done stops the goroutine waiting on Wake (the console's context).
	Done <-chan struct{}
	// Pacer, when set, slows Bubble Tea's renderer down while nothing is
	// drawn (see RenderPacer); the caller attaches it to the program.
	Pacer *RenderPacer
	// ToastFor is how long a toast stays; zero means 5 s.
	ToastFor time.Duration
	// Startup toasts are shown on the first frame (e.g. a bad theme file).
	Startup []ToastMsg
	// AuditLog is where actions are audited, shown on the help screen.
	AuditLog string
}

// toast is a ToastMsg on screen until its deadline.
type toast struct {
	ToastMsg
	until time.Time
}

// headerLines, tabLines, toastLines and footerLines make up the frame
// around the body; the body gets the rest of the height.
const (
	headerLines = 2
	tabLines    = 1
	toastLines  = 1
	footerLines = 1
	chromeLines = headerLines + tabLines + toastLines + footerLines
)

// Model is the root Bubble Tea model: the frame holding the panes.
type Model struct {
	opts   Options
	panes  []Pane
	active int
	keys   KeyMap
	help   help.Model
	styles *Styles
	themes []themes.Theme
	theme  int

	width, height int
	showHelp      bool
	toasts        []toast
	tickSeq       uint64

	// The frame's clock (see TickMsg): when the panes last got a TickMsg,
	// whether a Wake came since, whether a goroutine waits on Wake, and
	// the deadline of the one timer that counts (older timers are ignored).
	lastFrame time.Time
	dirty     bool
	waiting   bool
	timerAt   time.Time
	// statusAt is when the status line's deferred news is drawn (zero:
	// nothing deferred).
	statusAt time.Time
	// chrome holds the header, tabs and footer lines as last drawn: they
	// change with the size, theme, tab or key bindings, not every frame.
	chrome   struct{ header, tabs, footer cachedLine }
	styleGen int // counts theme changes
	// view is the last frame drawn; it is drawn again only after a message
	// that may have changed something (Bubble Tea asks after every one).
	view      tea.View
	viewValid bool
	// The message log (msglog.go): every toast, shown whole on L.
	showLog bool
	msgLog  []logEntry
	logOff  int
	// tabX holds each tab's [start, end) column, for mouse clicks.
	tabX [][2]int
	// bgKnown and bgDark are the terminal's background, once it answered.
	bgKnown, bgDark bool
}

// New builds the frame around panes; the first pane is shown first.
func New(opts Options, panes ...Pane) *Model {
	m := &Model{opts: opts, panes: panes, help: help.New()}
	if opts.Keys != nil {
		m.keys = *opts.Keys
	} else {
		m.keys = DefaultKeyMap()
	}
	m.themes = opts.Themes
	if len(m.themes) == 0 {
		m.themes = themes.Builtin()
	}
	if opts.Theme >= 0 && opts.Theme < len(m.themes) {
		m.theme = opts.Theme
	}
	m.applyTheme()
	now := m.now()
	for _, t := range opts.Startup {
		m.addToast(t, now)
	}
	return m
}

func (m *Model) now() time.Time {
	if m.opts.Now != nil {
		return m.opts.Now()
	}
	return time.Now()
}

func (m *Model) applyTheme() {
	m.styleGen++
	m.styles = NewStyles(m.themes[m.theme], m.opts.NoColor)
	m.help.Styles = m.styles.HelpStyles()
	for _, p := range m.panes {
		p.SetStyles(m.styles)
	}
}

// Styles returns the active styles.
func (m *Model) Styles() *Styles { return m.styles }

// Active returns the index of the pane on screen.
func (m *Model) Active() int { return m.active }

// Panes returns the frame's panes.
func (m *Model) Panes() []Pane { return m.panes }

// Init starts every pane and the frame's clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	m.lastFrame = m.now()
	cmds = append(cmds, m.wait(), m.schedule(m.lastFrame))
	return tea.Batch(cmds...)
}

// wakeMsg is a value from Options.Wake; frameTimerMsg a timer the frame
// set for a frame due at at.
type (
	wakeMsg       struct{}
	frameTimerMsg struct{ at time.Time }
)

// wait returns the command that waits for the next Wake (one at a time:
// the channel holds a change that comes meanwhile).
func (m *Model) wait() tea.Cmd {
	if m.opts.Tick < 0 || m.opts.Wake == nil || m.waiting {
		return nil
	}
	m.waiting = true
	wake, done := m.opts.Wake, m.opts.Done
	return func() tea.Msg {
		select {
		case <-wake:
			return wakeMsg{}
		case <-done:
			return nil
		}
	}
}

func (m *Model) floor() time.Duration {
	if m.opts.Tick > 0 {
		return m.opts.Tick
	}
	return FrameFloor
}

// nextFrame is when the frame next has something to do: a frame after a
// Wake (FrameFloor after the last one), whatever moves by itself
// (timeDue), the status line's deferred news (statusAt). The pacer keeps
// its own timer.
func (m *Model) nextFrame() time.Time {
	next := m.timeDue()
	soonest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	soonest(m.dataDue())
	soonest(m.statusAt)
	return next
}

// dataDue is when a frame for a Wake is due (zero: none came).
func (m *Model) dataDue() time.Time {
	if !m.dirty {
		return time.Time{}
	}
	return m.lastFrame.Add(m.floor())
}

// timeDue is when something on screen moves by itself: the soonest a pane
// asks for (TickWanter), or a toast's end.
func (m *Model) timeDue() time.Time {
	var next time.Time
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, p := range m.panes {
		if w, ok := p.(TickWanter); ok {
			if d := w.TickWanted(); d > 0 {
				soonest(frameDue(m.lastFrame, d))
			}
		}
	}
	for _, t := range m.toasts {
		soonest(t.until)
	}
	return next
}

// frameDue is when a change d after the last frame is drawn. One a
// second or more away (ages) is drawn on the last whole second at or
// before it is due (at most a second sooner): the process's
// 1 s beat (internal/beat), so the frame wakes the process with its other
// once-a-second timers, and each frame shows what is true when it is
// drawn. A sooner one (a spinner, the end of a flash) is drawn when due.
func frameDue(last time.Time, d time.Duration) time.Time {
	if d < time.Second {
		return last.Add(d)
	}
	return beat.Next(last.Add(d-time.Second), time.Second)
}

// schedule sets a timer for the next frame unless one that fires no later
// is already set.
func (m *Model) schedule(now time.Time) tea.Cmd {
	if m.opts.Tick < 0 {
		return nil
	}
	at := m.nextFrame()
	if at.IsZero() || (!m.timerAt.IsZero() && !at.Before(m.timerAt)) {
		return nil
	}
	m.timerAt = at
	return tea.Tick(max(at.Sub(now), 0), func(time.Time) tea.Msg { return frameTimerMsg{at: at} })
}

// frame sends the panes a TickMsg and re-arms the wait on Wake; Update
// then plans the next one. A frame for new data (dataOnly) that changed
// nothing in the active pane's body (BodyChanger) is not drawn at once:
// what changed is then only the status line's counts, which are drawn
// within StatusEvery. Drawing (and Bubble Tea's renderer, which parses the
// whole screen for every frame drawn) is most of a busy console's CPU,
// and events on sessions that are not on screen are most events.
func (m *Model) frame(now time.Time, dataOnly bool) tea.Cmd {
	m.tickSeq++
	m.lastFrame, m.dirty = now, false
	cmd := tea.Batch(m.onTick(TickMsg{At: now, Seq: m.tickSeq}), m.wait())
	for _, p := range m.panes {
		if dp, ok := p.(DataPender); ok && dp.DataPending() {
			m.dirty = true // held back: try again at the floor, as for a Wake
		}
	}
	if bc, ok := m.activeBody(); dataOnly && m.viewValid && ok && !bc.BodyChanged() {
		if m.statusAt.IsZero() {
			m.statusAt = beat.Next(now, StatusEvery) // with the ages' frame
		}
		return cmd
	}
	m.viewValid, m.statusAt = false, time.Time{}
	return cmd
}

func (m *Model) activeBody() (BodyChanger, bool) {
	if m.showHelp || len(m.panes) == 0 {
		return nil, false
	}
	bc, ok := m.panes[m.active].(BodyChanger)
	return bc, ok
}

func (m *Model) bodyHeight() int {
	h := m.height - chromeLines
	if h < 1 {
		h = 1
	}
	return h
}

// Update handles global keys, mouse routing, toasts and ticks, and passes
// everything else to the panes.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	now := m.now()
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case wakeMsg:
		m.waiting, m.dirty = false, true
		if !now.Before(m.lastFrame.Add(m.floor())) {
			cmd = m.frame(now, true)
		} // else within the floor: the timer brings the frame
	case frameTimerMsg:
		if !msg.at.Equal(m.timerAt) {
			return m, nil // superseded by an earlier timer
		}
		m.timerAt = time.Time{}
		due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
		switch {
		case due(m.timeDue()):
			cmd = m.frame(now, false)
		case due(m.dataDue()):
			cmd = m.frame(now, true)
		case due(m.statusAt):
			m.statusAt, m.viewValid = time.Time{}, false // the status line's news
		} // else what wanted it is gone or later
	default:
		m.viewValid = false
		_, cmd = m.update(msg)
	}
	if m.opts.Pacer != nil {
		// Draw now rather than when Bubble Tea asks (right after this), so
		// the pacer knows whether the screen changed before the next frame
		// is planned.
		m.View()
	}
	// Whatever happened may have started or stopped something that moves
	// (a pending action's spinner, a toast): re-plan the next frame.
	return m, tea.Batch(cmd, m.schedule(now))
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		for _, p := range m.panes {
			p.SetSize(m.width, m.bodyHeight())
		}
		return m, nil
	case TickMsg:
		return m, m.onTick(msg)
	case ToastMsg:
		m.addToast(msg, m.now())
		return m, nil
	case tea.BackgroundColorMsg:
		m.onBackground(msg.IsDark())
		return m, nil
	case SetThemeMsg:
		m.setTheme(msg.Name)
		return m, nil
	case SetServerMsg:
		// The console now follows other servers (":profile"): the header
		// names them.
		m.opts.Server, m.opts.Profile, m.opts.APIVersion, m.opts.Demo = msg.Server, msg.Profile, msg.APIVersion, msg.Demo
		m.chrome.header = cachedLine{}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseClickMsg:
		return m, m.mouseClick(msg)
	case tea.MouseWheelMsg:
		mm := msg.Mouse()
		if m.showLog {
			if mm.Button == tea.MouseWheelUp {
				m.logOff = max(0, m.logOff-3)
			} else {
				m.logOff += 3 // the view clamps it
			}
			return m, nil
		}
		if m.showHelp || len(m.panes) == 0 {
			return m, nil
		}
		mm.Y -= headerLines + tabLines
		return m, m.updatePane(m.active, tea.MouseWheelMsg(mm))
	case tea.MouseMsg:
		return m, nil // motion and release: nothing to do
	}
	return m, m.broadcast(msg)
}

func (m *Model) onTick(msg TickMsg) tea.Cmd {
	m.expireToasts(msg.At)
	return m.broadcast(msg)
}

// broadcast passes a non-input message to every pane: background work
// (results, polls) must reach hidden panes too.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i := range m.panes {
		cmds = append(cmds, m.updatePane(i, msg))
	}
	return tea.Batch(cmds...)
}

func (m *Model) updatePane(i int, msg tea.Msg) tea.Cmd {
	p, cmd := m.panes[i].Update(msg)
	if p != nil {
		m.panes[i] = p
	}
	return cmd
}

// quit asks every QuitGuard pane first: the first that takes the request
// over is shown; if none does, the console quits.
func (m *Model) quit() tea.Cmd {
	for i, p := range m.panes {
		if g, ok := p.(QuitGuard); ok {
			if cmd, held := g.GuardQuit(); held {
				m.active, m.showHelp = i, false
				return cmd
			}
		}
	}
	return tea.Quit
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return m.quit() // whatever is focused; a QuitGuard may ask first
	}
	var pane Pane
	if len(m.panes) > 0 {
		pane = m.panes[m.active]
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case key.Matches(msg, m.keys.Help), msg.String() == "esc":
			m.showHelp = false
		}
		return nil
	}
	if m.showLog {
		nav := logNavKeys
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case key.Matches(msg, m.keys.Log), msg.String() == "esc":
			m.showLog = false
		case key.Matches(msg, nav.up):
			m.logOff--
		case key.Matches(msg, nav.down):
			m.logOff++
		case key.Matches(msg, nav.pgUp):
			m.logOff -= m.bodyHeight() - 1
		case key.Matches(msg, nav.pgDown):
			m.logOff += m.bodyHeight() - 1
		case key.Matches(msg, nav.top):
			m.logOff = 0
		case key.Matches(msg, nav.bottom):
			m.logOff = len(m.logLines(m.width))
		}
		m.logOff = max(0, m.logOff) // the view clamps the other end
		return nil
	}
	if pane != nil && pane.Capturing() {
		return m.updatePane(m.active, msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Log):
		m.showLog, m.logOff = true, 0
		return nil
	case key.Matches(msg, m.keys.NextPane):
		m.switchPane(m.active + 1)
		return nil
	case key.Matches(msg, m.keys.PrevPane):
		m.switchPane(m.active - 1 + len(m.panes))
		return nil
	case key.Matches(msg, m.keys.GotoPane):
		for i, k := range m.keys.GotoPane.Keys() {
			if k == msg.String() && i < len(m.panes) {
				m.switchPane(i)
			}
		}
		return nil
	case key.Matches(msg, m.keys.Theme):
		m.nextTheme()
		return nil
	}
	if pane == nil {
		return nil
	}
	return m.updatePane(m.active, msg)
}

func (m *Model) switchPane(i int) {
	if len(m.panes) == 0 {
		return
	}
	m.active = i % len(m.panes)
}

func (m *Model) mouseClick(msg tea.MouseClickMsg) tea.Cmd {
	mm := msg.Mouse()
	if m.showHelp || m.showLog || len(m.panes) == 0 {
		return nil
	}
	switch {
	case mm.Y == headerLines: // the tabs
		for i, r := range m.tabX {
			if mm.X >= r[0] && mm.X < r[1] {
				m.switchPane(i)
			}
		}
		return nil
	case mm.Y > headerLines && mm.Y < headerLines+tabLines+m.bodyHeight():
		// Panes get coordinates relative to their body's top-left corner.
		mm.Y -= headerLines + tabLines
		return m.updatePane(m.active, tea.MouseClickMsg(mm))
	}
	return nil
}

func (m *Model) addToast(t ToastMsg, now time.Time) {
	// The output gate: a toast often quotes a server (an error message,
	// a caller id), so secrets are removed and control, escape and bidi
	// characters replaced before it is kept or drawn.
	t.Text = safetext.Out(t.Text)
	d := t.For
	if d <= 0 {
		d = m.opts.ToastFor
	}
	if d <= 0 {
		d = 5 * time.Second
	}
	m.toasts = append(m.toasts, toast{ToastMsg: t, until: now.Add(d)})
	m.logToast(t, now)
	// Keep a bounded history: only the newest is drawn anyway.
	if len(m.toasts) > 20 {
		m.toasts = append(m.toasts[:0], m.toasts[len(m.toasts)-20:]...)
	}
}

func (m *Model) expireToasts(now time.Time) {
	kept := m.toasts[:0]
	for _, t := range m.toasts {
		if now.Before(t.until) {
			kept = append(kept, t)
		}
	}
	m.toasts = kept
}

// Toasts returns the texts of the toasts on screen, newest last (for tests
// and the end-to-end driver).
func (m *Model) Toasts() []ToastMsg {
	out := make([]ToastMsg, len(m.toasts))
	for i, t := range m.toasts {
		out[i] = t.ToastMsg
	}
	return out
}

// View draws the frame. It is cheap: the panes cache their rows, and the
// frame only joins a handful of lines.
func (m *Model) View() tea.View {
	if m.viewValid {
		return m.view
	}
	v := tea.NewView(m.Render())
	if m.opts.Pacer != nil && v.Content != m.view.Content {
		m.opts.Pacer.drew(v.Content)
	}
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "recdeck"
	// A theme with its own background (high-contrast) sets the terminal's
	// default colours, so unstyled cells match it; the others keep the
	// terminal's.
	if c := m.themes[m.theme].Colors; !m.opts.NoColor && c.Background != "" {
		v.BackgroundColor = lipgloss.Color(c.Background)
		if c.Text != "" {
			v.ForegroundColor = lipgloss.Color(c.Text)
		}
	}
	m.view, m.viewValid = v, true
	return v
}

// Render returns the screen as a string of exactly the window's size.
func (m *Model) Render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return "recdeck: starting…"
	}
	var b strings.Builder
	b.Grow(w * h * 2)
	line := func(s string) {
		b.WriteString(fitLine(s, w))
		b.WriteByte('\n')
	}
	line(m.chrome.header.get(m.headerKey(w), func() string { return fitLine(m.headerLine(w), w) }))
	line(m.statusLine(w))
	line(m.chrome.tabs.get(m.tabsKey(w), func() string { return fitLine(m.tabsLine(w), w) }))
	bh := m.bodyHeight()
	var body string
	switch {
	case m.showHelp:
		body = m.helpView(w, bh)
	case m.showLog:
		body = m.logView(w, bh)
	case len(m.panes) > 0:
		body = m.panes[m.active].View()
	}
	lines := strings.Split(body, "\n")
	for i := 0; i < bh; i++ {
		if i < len(lines) {
			line(lines[i])
		} else {
			line("")
		}
	}
	line(m.toastLine(w))
	b.WriteString(m.chrome.footer.get(m.footerKey(w), func() string { return fitLine(m.footerLine(w), w) }))
	if h < chromeLines+1 {
		// Too short for the whole frame: keep the top lines, so the
		// screen never scrolls.
		lines := strings.SplitN(b.String(), "\n", h+1)
		return strings.Join(lines[:h], "\n")
	}
	return b.String()
}

// cachedLine is a line of the frame kept until what it depends on (its
// key) changes.
type cachedLine struct {
	key, text string
	ok        bool
}

func (c *cachedLine) get(key string, draw func() string) string {
	if !c.ok || c.key != key {
		c.key, c.text, c.ok = key, draw(), true
	}
	return c.text
}

// headerKey is chromeKey and the panes' header segments (the compliance
// counts change without anything else in the header changing).
func (m *Model) headerKey(w int) string {
	key := m.chromeKey(w)
	for _, p := range m.panes {
		if hs, ok := p.(HeaderSegmenter); ok {
			key += "\x00" + hs.HeaderSegment()
		}
	}
	return key
}

// chromeKey identifies a width and a theme.
func (m *Model) chromeKey(w int) string {
	return strconv.Itoa(w) + "\x00" + strconv.Itoa(m.styleGen)
}

func (m *Model) tabsKey(w int) string {
	var b strings.Builder
	b.WriteString(m.chromeKey(w))
	b.WriteString("\x00" + strconv.Itoa(m.active) + strconv.FormatBool(m.showHelp) + strconv.FormatBool(m.showLog))
	for _, p := range m.panes {
		b.WriteString("\x00" + p.Title())
	}
	return b.String()
}

// footerKey is everything the footer shows: the keys' help texts (a pane
// switches them with its mode), whether the pane captures the keyboard.
func (m *Model) footerKey(w int) string {
	var b strings.Builder
	b.WriteString(m.chromeKey(w))
	b.WriteString("\x00" + strconv.FormatBool(m.showHelp) + strconv.FormatBool(m.showLog))
	bindings := m.keys.ShortHelp()
	if len(m.panes) > 0 {
		b.WriteString(strconv.FormatBool(m.panes[m.active].Capturing()))
		bindings = append(bindings, m.panes[m.active].KeyMap().ShortHelp()...)
	}
	for _, k := range bindings {
		h := k.Help()
		b.WriteString("\x00" + strconv.FormatBool(k.Enabled()) + h.Key + "\x01" + h.Desc)
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// fitLine cuts or pads a styled line to exactly w cells.
func fitLine(s string, w int) string {
	n := StringWidth(s)
	switch {
	case n == w:
		return s
	case n > w:
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

func (m *Model) headerLine(w int) string {
	st := m.styles
	parts := []string{st.Header.Render(" recdeck ")}
	if m.opts.Demo {
		parts = append(parts, st.Badge.Render("DEMO"))
	}
	if m.opts.Insecure {
		parts = append(parts, st.Error.Render("⚠")+st.Badge.Render("TLS-INSECURE"))
	}
	// Server and profile come from the config or flags (a URL may carry
	// user info or a pasted escape): through the output gate.
	where := safetext.Out(m.opts.Server)
	if m.opts.Profile != "" {
		where += " (profile " + safetext.Out(m.opts.Profile) + ")"
	}
	if where != "" {
		parts = append(parts, st.Header.Render(" "+where+" "))
	}
	if m.opts.APIVersion != "" {
		parts = append(parts, st.Header.Render(" API "+safetext.Out(m.opts.APIVersion)+" "))
	}
	for _, p := range m.panes {
		if hs, ok := p.(HeaderSegmenter); ok {
			if seg := hs.HeaderSegment(); seg != "" {
				parts = append(parts, seg)
			}
		}
	}
	s := strings.Join(parts, " ")
	if pad := w - StringWidth(s); pad > 0 {
		s += st.Header.Render(strings.Repeat(" ", pad))
	}
	return s
}

func (m *Model) statusLine(w int) string {
	for _, p := range m.panes {
		if sl, ok := p.(StatusLiner); ok {
			return sl.StatusLine(w)
		}
	}
	return ""
}

func (m *Model) tabsLine(w int) string {
	var b strings.Builder
	m.tabX = m.tabX[:0]
	x := 0
	for i, p := range m.panes {
		label := strconv.Itoa(i+1) + " " + p.Title()
		st := m.styles.TabIdle
		if i == m.active {
			st = m.styles.TabActive
			label = "▸" + label
		} else {
			label = " " + label
		}
		s := st.Render(label)
		n := StringWidth(s)
		m.tabX = append(m.tabX, [2]int{x, x + n})
		x += n + 1
		b.WriteString(s)
		b.WriteByte(' ')
	}
	if m.showHelp {
		b.WriteString(m.styles.Title.Render("  Help"))
	} else if m.showLog {
		b.WriteString(m.styles.Title.Render("  Messages"))
	}
	return b.String()
}

func (m *Model) toastLine(w int) string {
	if len(m.toasts) == 0 {
		return ""
	}
	t := m.toasts[len(m.toasts)-1]
	st, sym, word := m.styles.Level(t.Level)
	text := strings.Join(strings.Fields(t.Text), " ") // one line, whatever the pane sent
	more := ""
	if n := len(m.toasts) - 1; n > 0 {
		more = m.styles.Muted.Render(" (+" + strconv.Itoa(n) + " more: " + m.keys.Log.Help().Key + ")")
	}
	// A long text is cut before the count, so the count and the key to
	// the message log (which has the whole text) always show.
	head := st.Render(sym+" "+word+":") + " "
	if room := w - ansi.StringWidth(head) - ansi.StringWidth(more); ansi.StringWidth(text) > room {
		text = ansi.Truncate(text, max(1, room), "…")
	}
	return head + m.styles.Text.Render(text) + more
}

// forceQuit is the footer's hint while a pane captures the keyboard:
// ctrl+c quits whatever has the focus (see key).
var forceQuit = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))

// combinedKeys merges the active pane's bindings with the frame's.
type combinedKeys struct {
	pane  help.KeyMap
	frame KeyMap
}

func (c combinedKeys) ShortHelp() []key.Binding {
	var out []key.Binding
	if c.pane != nil {
		out = append(out, c.pane.ShortHelp()...)
	}
	return append(out, c.frame.ShortHelp()...)
}

func (c combinedKeys) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	if c.pane != nil {
		out = append(out, c.pane.FullHelp()...)
	}
	return append(out, c.frame.FullHelp()...)
}

func (m *Model) keyMap() combinedKeys {
	c := combinedKeys{frame: m.keys}
	if len(m.panes) > 0 {
		c.pane = m.panes[m.active].KeyMap()
	}
	return c
}

func (m *Model) footerLine(w int) string {
	if m.showHelp {
		return m.styles.Footer.Render("? or esc: close help · q: quit")
	}
	if m.showLog {
		return m.styles.Footer.Render("↑/↓ pgup/pgdn g/G: scroll · " + m.keys.Log.Help().Key + " or esc: close · q: quit")
	}
	// The frame's own hints (help, quit) always show; the pane's get the
	// rest of the line and are cut with "…" when it is too narrow. While
	// the pane captures the keyboard (a prompt, a filter, payment mode) the
	// frame's keys go to the pane, so the footer says only what works then:
	// the pane's keys and ctrl+c.
	global := m.help.ShortHelpView(m.keys.ShortHelp())
	var paneKeys []key.Binding
	if len(m.panes) > 0 {
		paneKeys = m.panes[m.active].KeyMap().ShortHelp()
		if m.panes[m.active].Capturing() {
			global = m.help.ShortHelpView([]key.Binding{forceQuit})
		}
	}
	hm := m.help
	hm.SetWidth(0)
	sep := m.styles.Muted.Render(" • ")
	room := w - StringWidth(global) - StringWidth(sep)
	local := ""
	for n := len(paneKeys); n > 0; n-- {
		local = hm.ShortHelpView(paneKeys[:n])
		if n < len(paneKeys) {
			local += sep + m.styles.Muted.Render("…")
		}
		if StringWidth(local) <= room {
			break
		}
		local = ""
	}
	if local == "" {
		return global
	}
	return local + m.styles.Muted.Render(" • ") + global
}

func (m *Model) helpView(w, h int) string {
	km := m.keyMap()
	title := m.styles.Title.Render("Keys") + m.styles.Muted.Render("  (rebind them under keys: in the config file)")
	// Columns go side by side while they fit the width, then on a new
	// block below, so nothing is cut at 80 columns.
	hm := m.help
	hm.SetWidth(0) // measure unclipped
	blocks := []string{title}
	var row [][]key.Binding
	for _, g := range km.FullHelp() {
		try := append(append([][]key.Binding(nil), row...), g)
		if len(row) > 0 && ansi.StringWidth(firstLine(hm.FullHelpView(try))) > w {
			blocks = append(blocks, "", m.help.FullHelpView(row))
			row = [][]key.Binding{g}
			continue
		}
		row = try
	}
	if len(row) > 0 {
		blocks = append(blocks, "", m.help.FullHelpView(row))
	}
	if m.opts.AuditLog != "" {
		blocks = append(blocks, "", m.styles.Muted.Render("Audit log: "+m.opts.AuditLog))
	}
	return lipgloss.JoinVertical(lipgloss.Left, blocks...)
}
