package sessions

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
)

// The column chooser (key C, or :columns): a list of the table's columns
// where space shows or hides one and K/J (or shift+↑/↓) move it; the table
// below follows at once. RECORDING cannot be hidden: it is what the console
// is for. Closing it (enter or esc) hands the choice to Config.OnColumns,
// which saves it in the config file (cmd/recdeck); without one, or when
// saving fails, the choice holds for this run and a toast says so.

// ColumnNames are the names of the table's columns, in their default
// order: what the config's columns: list and :columns take.
func ColumnNames() []string {
	names := make([]string, len(defaultOrder))
	for i, c := range defaultOrder {
		names[i] = sortColumns[c]
	}
	return names
}

// ParseColumns checks a list of column names (the config's columns:) and
// returns it in lower case: every name known, none twice, and recording
// among them (it cannot be hidden). The error names the valid ones.
func ParseColumns(names []string) ([]string, error) {
	cols, err := parseColumns(names)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = sortColumns[c]
	}
	return out, nil
}

func parseColumns(names []string) ([]column, error) {
	valid := strings.Join(ColumnNames(), ", ")
	if len(names) == 0 {
		return nil, fmt.Errorf("columns: none given (valid: %s)", valid)
	}
	var cols []column
	for _, n := range names {
		c := slices.Index(sortColumns[:], strings.ToLower(strings.TrimSpace(n)))
		if c < 0 {
			return nil, fmt.Errorf("columns: unknown column %q (valid: %s)", safetext.Out(n), valid)
		}
		if slices.Contains(cols, column(c)) {
			return nil, fmt.Errorf("columns: %s is listed twice", sortColumns[c])
		}
		cols = append(cols, column(c))
	}
	if !slices.Contains(cols, colState) {
		return nil, fmt.Errorf("columns: recording must be listed: the recording state is always shown (valid: %s)", valid)
	}
	return cols, nil
}

// columnChooser is the chooser's state.
type columnChooser struct {
	open bool
	cur  int
	// list is every column in the chooser's order, shown or not: a hidden
	// column keeps its place, so showing it again puts it back there.
	list  []column
	shown map[column]bool
	// before is the choice when the chooser opened: closing saves only a
	// change.
	before []column
	// badConfig is why Config.Columns was not used (told once, at Init).
	badConfig string

	// seq numbers the saves; written is the newest one handed to
	// OnColumns, so a save that runs late does not undo a newer one.
	seq     uint64
	mu      sync.Mutex
	written uint64
}

// initColumns applies Config.Columns.
func (p *Pane) initColumns() {
	c := &p.chooser
	c.shown = map[column]bool{}
	order := defaultOrder
	if p.cfg.Columns != nil {
		cols, err := parseColumns(p.cfg.Columns)
		if err != nil {
			c.badConfig = err.Error()
		} else {
			order = cols
		}
	}
	for _, col := range order {
		c.shown[col] = true
	}
	c.list = slices.Clone(order)
	for _, col := range defaultOrder {
		if !c.shown[col] {
			c.list = append(c.list, col)
		}
	}
	p.tbl.order = order
}

// columnsWarning reports columns from the config the pane could not use
// (cmd/recdeck checks them first: this is for other callers).
func (p *Pane) columnsWarning() tea.Cmd {
	if p.chooser.badConfig == "" {
		return nil
	}
	return toast(ui.ToastWarning, p.chooser.badConfig+": all columns shown")
}

// chosen is the chooser's choice: the shown columns in its order.
func (c *columnChooser) chosen() []column {
	var out []column
	for _, col := range c.list {
		if c.shown[col] {
			out = append(out, col)
		}
	}
	return out
}

func (p *Pane) openChooser() tea.Cmd {
	if p.mode != modeTable && p.mode != modeDetail {
		return nil
	}
	p.mode = modeTable // the chooser shows the table it changes
	c := &p.chooser
	c.open, c.cur, c.before = true, 0, c.chosen()
	return nil
}

// chooserKeyMap is the chooser's keys: fixed, like the message log's
// (the pane's up, down and columns bindings work too, as rebound).
var chooserKeyMap = struct {
	up, down, toggle, moveUp, moveDown, close key.Binding
}{
	up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
	down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
	toggle:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "show/hide")),
	moveUp:   key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K/shift+↑", "move left")),
	moveDown: key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J/shift+↓", "move right")),
	close:    key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "close and save")),
}

// chooserKeys is the help.KeyMap while the chooser is open.
type chooserKeys struct{}

func (chooserKeys) ShortHelp() []key.Binding {
	k := chooserKeyMap
	return []key.Binding{k.close, k.toggle, k.moveUp, k.moveDown, k.up, k.down}
}

func (c chooserKeys) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }

func (p *Pane) chooserKey(msg tea.KeyPressMsg) tea.Cmd {
	c, k := &p.chooser, chooserKeyMap
	switch {
	case key.Matches(msg, k.up, p.keys.Up):
		c.cur = max(0, c.cur-1)
	case key.Matches(msg, k.down, p.keys.Down):
		c.cur = min(len(c.list)-1, c.cur+1)
	case key.Matches(msg, k.toggle):
		col := c.list[c.cur]
		if col == colState {
			return toast(ui.ToastInfo, "RECORDING is always shown")
		}
		c.shown[col] = !c.shown[col]
		p.tbl.setOrder(c.chosen())
	case key.Matches(msg, k.moveUp), key.Matches(msg, k.moveDown):
		to := c.cur - 1
		if key.Matches(msg, k.moveDown) {
			to = c.cur + 1
		}
		if to < 0 || to >= len(c.list) {
			return nil
		}
		c.list[c.cur], c.list[to] = c.list[to], c.list[c.cur]
		c.cur = to
		p.tbl.setOrder(c.chosen())
	case key.Matches(msg, k.close, p.keys.Columns):
		c.open = false
		if slices.Equal(c.before, c.chosen()) {
			return nil
		}
		return p.saveColumns()
	}
	return nil
}

// cmdColumns is :columns: with no names the chooser, else these columns in
// this order, saved as the chooser saves.
func (p *Pane) cmdColumns(names []string) tea.Cmd {
	if len(names) == 0 {
		return p.openChooser()
	}
	// "ucc,recording" as well as "ucc recording".
	var split []string
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if part = strings.TrimSpace(part); part != "" {
				split = append(split, part)
			}
		}
	}
	cols, err := parseColumns(split)
	if err != nil {
		return toast(ui.ToastWarning, strings.TrimPrefix(err.Error(), "columns: "))
	}
	c := &p.chooser
	before := c.chosen()
	clear(c.shown)
	for _, col := range cols {
		c.shown[col] = true
	}
	c.list = slices.Clone(cols)
	for _, col := range defaultOrder {
		if !c.shown[col] {
			c.list = append(c.list, col)
		}
	}
	p.tbl.setOrder(cols)
	if slices.Equal(before, cols) {
		return toast(ui.ToastInfo, "Columns unchanged: "+strings.Join(columnNames(cols), ", "))
	}
	return p.saveColumns()
}

func columnNames(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = sortColumns[c]
	}
	return out
}

// saveColumns hands the choice to Config.OnColumns off the event loop (it
// writes a file) and says in a toast where it went, or that it holds for
// this run only.
func (p *Pane) saveColumns() tea.Cmd {
	c := &p.chooser
	names := columnNames(c.chosen())
	list := strings.Join(names, ", ")
	save := p.cfg.OnColumns
	if save == nil {
		return toast(ui.ToastInfo, "Columns kept for this run only: no config file to save them in ("+list+")")
	}
	c.seq++
	seq := c.seq
	return func() tea.Msg {
		c.mu.Lock()
		defer c.mu.Unlock()
		if seq < c.written {
			return nil // a newer choice is saved already
		}
		c.written = seq
		where, err := save(names)
		if err != nil {
			return ui.ToastMsg{Level: ui.ToastWarning,
				Text: "Columns kept for this run only, not saved: " + safetext.Out(err.Error()) + " (" + list + ")"}
		}
		return ui.ToastMsg{Level: ui.ToastSuccess, Text: "Columns saved in " + safetext.Out(where) + ": " + list}
	}
}

// chooserLines draws the chooser above the table.
func (p *Pane) chooserLines() []string {
	st, c, t := p.st, &p.chooser, &p.tbl
	lines := []string{st.Title.Render(" Columns") +
		st.Muted.Render("   space: show/hide · K/J: move · enter/esc: close and save")}
	for i, col := range c.list {
		ptr, box := "  ", "[ ]"
		if i == c.cur {
			ptr = " " + selPointer
		}
		if c.shown[col] {
			box = "[x]"
		}
		note := ""
		switch {
		case col == colState:
			note = "always shown"
		case col == colServer && !t.servers:
			note = "listed only while several servers are followed"
		case c.shown[col] && !slices.Contains(t.cols, col):
			note = "no room at this width"
		}
		line := fmt.Sprintf("%s %s %-12s", ptr, box, colSpecs[col].title)
		if i == c.cur {
			line = st.RowSel.Render(line)
		} else {
			line = st.Text.Render(line)
		}
		if note != "" {
			line += " " + st.Muted.Render(note)
		}
		lines = append(lines, line)
	}
	return append(lines, "")
}
