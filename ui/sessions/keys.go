package sessions

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// KeyMap is the sessions pane's bindings. Every one can be rebound from the
// config file's "keys:" map by the name Bindings gives it; the footer hints
// and the ? help are generated from these same bindings.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Detail, Back                            key.Binding

	Start, Pause, Stop, Mark, Unmark, Save, Delete key.Binding

	Filter, Sort, SortReverse, Add, Remove key.Binding
	Payment, PaymentToggle                 key.Binding

	// Alerts opens the compliance alerts view; in it AlertAck acknowledges
	// the alert under the cursor and AlertResumeAll resumes every overdue
	// pause after one confirmation.
	Alerts, AlertAck, AlertResumeAll key.Binding

	// Command opens command mode (":sort age", ":goto 1d6c", ...).
	Command key.Binding
	// Pick picks a row for a bulk action (bulk.go).
	Pick key.Binding
	// Columns opens the column chooser (columns.go).
	Columns key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, label, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown"}, "pgdn", "page down"),
		Top:      b([]string{"g", "home"}, "g", "first row"),
		Bottom:   b([]string{"G", "end"}, "G", "last row"),
		Detail:   b([]string{"enter"}, "enter", "detail"),
		Back:     b([]string{"esc"}, "esc", "back / clear filter"),

		Start:  b([]string{"s"}, "s", "start/resume"),
		Pause:  b([]string{"p"}, "p", "pause"),
		Stop:   b([]string{"x"}, "x", "stop (confirm)"),
		Mark:   b([]string{"m"}, "m", "mark"),
		Unmark: b([]string{"u"}, "u", "unmark"),
		Save:   b([]string{"v"}, "v", "save"),
		Delete: b([]string{"d"}, "d", "delete (confirm)"),

		Filter:      b([]string{"/"}, "/", "filter (!inverts)"),
		Sort:        b([]string{"o"}, "o", "cycle sort"),
		SortReverse: b([]string{"O"}, "O", "reverse sort"),
		Add:         b([]string{"a"}, "a", "add session"),
		// Capital D, apart from d (delete the recording), and confirmed.
		Remove: b([]string{"D"}, "D", "remove from list"),

		Payment:       b([]string{"P"}, "P", "payment mode"),
		PaymentToggle: b([]string{"space"}, "space", "pause/resume"),

		Alerts:         b([]string{"!"}, "!", "compliance alerts"),
		AlertAck:       b([]string{"c"}, "c", "acknowledge alert"),
		AlertResumeAll: b([]string{"R"}, "R", "resume all overdue (confirm)"),

		Command: b([]string{":"}, ":", "command"),
		// Not space: that is payment mode's pause/resume in the same pane.
		Pick:    b([]string{"V"}, "V", "pick row (bulk action)"),
		Columns: b([]string{"C"}, "C", "choose columns"),
	}
}

// Bindings lists the bindings by their config names.
func (k *KeyMap) Bindings() []ui.NamedBinding {
	return []ui.NamedBinding{
		{Name: "up", Binding: &k.Up}, {Name: "down", Binding: &k.Down},
		{Name: "page_up", Binding: &k.PageUp}, {Name: "page_down", Binding: &k.PageDown},
		{Name: "top", Binding: &k.Top}, {Name: "bottom", Binding: &k.Bottom},
		{Name: "detail", Binding: &k.Detail}, {Name: "back", Binding: &k.Back},
		{Name: "start", Binding: &k.Start}, {Name: "pause", Binding: &k.Pause},
		{Name: "stop", Binding: &k.Stop}, {Name: "mark", Binding: &k.Mark},
		{Name: "unmark", Binding: &k.Unmark}, {Name: "save", Binding: &k.Save},
		{Name: "delete", Binding: &k.Delete},
		{Name: "filter", Binding: &k.Filter}, {Name: "sort", Binding: &k.Sort},
		{Name: "sort_reverse", Binding: &k.SortReverse}, {Name: "add", Binding: &k.Add},
		{Name: "remove", Binding: &k.Remove},
		{Name: "payment", Binding: &k.Payment}, {Name: "payment_toggle", Binding: &k.PaymentToggle},
		{Name: "alerts", Binding: &k.Alerts}, {Name: "alert_ack", Binding: &k.AlertAck},
		{Name: "alert_resume_all", Binding: &k.AlertResumeAll},
		{Name: "command", Binding: &k.Command}, {Name: "pick", Binding: &k.Pick},
		{Name: "columns", Binding: &k.Columns},
	}
}

// KeyBindings gives the pane's key map, so the console rebinds it with the
// frame's and the other panes' in one pass (ui.RebindAll).
func (p *Pane) KeyBindings() ui.Bindable { return p.keys }

// Rebind applies "keys:" entries naming this pane's bindings.
func (k *KeyMap) Rebind(keys map[string][]string) error { return ui.Rebind(keys, k) }

// tableKeys is the help.KeyMap of the table and detail views.
type tableKeys struct{ k *KeyMap }

func (t tableKeys) ShortHelp() []key.Binding {
	k := t.k
	return []key.Binding{k.Pause, k.Start, k.Stop, k.Detail, k.Filter, k.Remove, k.Payment, k.Alerts, k.Command}
}

func (t tableKeys) FullHelp() [][]key.Binding {
	k := t.k
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Detail, k.Back},
		{k.Start, k.Pause, k.Stop, k.Mark, k.Unmark, k.Save, k.Delete},
		// PaymentToggle (space) is payment mode's only: its help lists it.
		{k.Filter, k.Sort, k.SortReverse, k.Add, k.Remove, k.Payment},
		{k.Alerts, k.AlertAck, k.AlertResumeAll, k.Command, k.Pick, k.Columns},
	}
}

// detailKeys is the help.KeyMap of the detail view: enter and esc lead
// back to the list there.
type detailKeys struct{ k *KeyMap }

func (d detailKeys) ShortHelp() []key.Binding {
	k := d.k
	back := k.Back
	back.SetHelp(keyNames(k.Back, k.Detail), "back to the list")
	return []key.Binding{back, k.Pause, k.Start, k.Stop, k.Payment} // the way back first: it must never be cut
}

func (d detailKeys) FullHelp() [][]key.Binding { return tableKeys(d).FullHelp() }

// keyNames joins the help labels of bindings: "esc/enter".
func keyNames(bs ...key.Binding) string {
	var names []string
	for _, b := range bs {
		names = append(names, b.Help().Key)
	}
	return strings.Join(names, "/")
}

// paymentKeys is the help.KeyMap of payment mode: only what an agent needs
// during a card payment.
type paymentKeys struct{ k *KeyMap }

func (p paymentKeys) ShortHelp() []key.Binding {
	back := p.k.Back
	back.SetHelp(back.Help().Key, "leave payment mode")
	return []key.Binding{p.k.PaymentToggle, back}
}

func (p paymentKeys) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// remover is the optional part of a Source that forgets a session:
// *anywhere365.Tracker has it (Remove also stops the session's retries).
type remover interface {
	Remove(key anywhere365.SessionKey) bool
}

// askRemove asks, with one key, to take the selected session off the list
// (a typo watched with "a", a refused id, a call no longer of interest).
func (p *Pane) askRemove() tea.Cmd {
	rm, ok := p.cfg.Source.(remover)
	if !ok {
		return toast(ui.ToastWarning, "This session store cannot remove sessions")
	}
	s, ok := p.tbl.selected()
	if !ok {
		return toast(ui.ToastWarning, "No session selected")
	}
	k, name := s.Key, label(s.Key)
	q := "Remove " + name + " from the list? (the server is not asked to do anything; a new hub event lists it again)"
	p.ask(components.NewConfirm(q), "Remove "+name+" cancelled", func(string) tea.Cmd {
		if !rm.Remove(k) {
			return toast(ui.ToastInfo, name+" was already gone from the list")
		}
		p.mode = modeTable
		p.pull(true)
		return toast(ui.ToastSuccess, "Removed "+name+" from the list")
	})
	return nil
}
