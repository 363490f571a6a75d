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
	"github.com/recdeck/recdeck/themes"
)

// TickMsg is the frame's clock: it arrives at most at FrameRate and is
// forwarded to every pane, active or not. Panes pull their data on it (a
// snapshot when its version changed) instead of receiving one message per
// event, so a burst of events costs at most one redraw per tick.
type TickMsg struct {
	At  time.Time // the frame's clock (injected in tests)
	Seq uint64    // increases by one per tick: spinners use it as their frame
}

// FrameRate is the default tick interval: 10 frames a second is smooth for
// a table of live states and leaves the CPU to the network.
const FrameRate = 100 * time.Millisecond

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
	// Tick is the frame interval; zero means FrameRate. A negative value
	// turns the ticker off (tests then send TickMsg themselves).
	Tick time.Duration
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
	// The message log (msglog.go): every toast, shown whole on L.
	showLog bool
	msgLog  []logEntry
	logOff  int
	tickSeq uint64
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

// Init starts the ticker and every pane.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick(), tea.RequestBackgroundColor}
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	return tea.Batch(cmds...)
}

func (m *Model) tick() tea.Cmd {
	if m.opts.Tick < 0 {
		return nil
	}
	d := m.opts.Tick
	if d == 0 {
		d = FrameRate
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return frameTickMsg{} })
}

// frameTickMsg is the timer's raw message; the frame turns it into a
// TickMsg carrying its own clock.
type frameTickMsg struct{}

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
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		for _, p := range m.panes {
			p.SetSize(m.width, m.bodyHeight())
		}
		return m, nil
	case frameTickMsg:
		m.tickSeq++
		return m, tea.Batch(m.onTick(TickMsg{At: m.now(), Seq: m.tickSeq}), m.tick())
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
	v := tea.NewView(m.Render())
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
	line(m.headerLine(w))
	line(m.statusLine(w))
	line(m.tabsLine(w))
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
	b.WriteString(fitLine(m.footerLine(w), w))
	if h < chromeLines+1 {
		// Too short for the whole frame: keep the top lines, so the
		// screen never scrolls.
		lines := strings.SplitN(b.String(), "\n", h+1)
		return strings.Join(lines[:h], "\n")
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
	n := ansi.StringWidth(s)
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
	if pad := w - ansi.StringWidth(s); pad > 0 {
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
		n := ansi.StringWidth(s)
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
	room := w - ansi.StringWidth(global) - ansi.StringWidth(sep)
	local := ""
	for n := len(paneKeys); n > 0; n-- {
		local = hm.ShortHelpView(paneKeys[:n])
		if n < len(paneKeys) {
			local += sep + m.styles.Muted.Render("…")
		}
		if ansi.StringWidth(local) <= room {
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
