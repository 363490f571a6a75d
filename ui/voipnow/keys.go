package voipnowpane

import (
	"charm.land/bubbles/v2/key"

	"github.com/recdeck/recdeck/ui"
)

// KeyMap is the pane's bindings: one table drives the keys, the footer hints
// and the ? help. The frame's global keys (q, tab, 1-9, t, ?) are not used.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Record, Stop, Refresh                   key.Binding
	// Filter narrows the rows (extension, caller, number); Scope switches
	// the user and extension listed; NextWindow and PrevWindow page past
	// the calls one refresh lists (MaxCalls).
	Filter, Scope, NextWindow, PrevWindow key.Binding
	// In the format prompt.
	Choose, Confirm, Cancel key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first call")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last call")),
		Record:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "start recording (wav/wav49)")),
		Stop:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop recording")),
		Refresh:    key.NewBinding(key.WithKeys("ctrl+r", "f5"), key.WithHelp("ctrl+r", "refresh now")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Scope:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "user/extension")),
		NextWindow: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next calls")),
		PrevWindow: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous calls")),
		Choose:     key.NewBinding(key.WithKeys("left", "right", "h", "l", "tab", "shift+tab"), key.WithHelp("←/→", "wav or wav49")),
		Confirm:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Bindings lists the rebindable bindings by their config names, making the
// key map a ui.Bindable: the movement keys use the names every pane shares
// (up, down, page_up, page_down, top, bottom), the pane's own actions are
// prefixed "voipnow_" (the sessions pane has its own "stop").
func (k *KeyMap) Bindings() []ui.NamedBinding {
	return []ui.NamedBinding{
		{Name: "up", Binding: &k.Up}, {Name: "down", Binding: &k.Down},
		{Name: "page_up", Binding: &k.PageUp}, {Name: "page_down", Binding: &k.PageDown},
		{Name: "top", Binding: &k.Top}, {Name: "bottom", Binding: &k.Bottom},
		{Name: "voipnow_record", Binding: &k.Record}, {Name: "voipnow_stop", Binding: &k.Stop},
		{Name: "voipnow_refresh", Binding: &k.Refresh},
		{Name: "voipnow_filter", Binding: &k.Filter}, {Name: "voipnow_scope", Binding: &k.Scope},
		{Name: "voipnow_next_calls", Binding: &k.NextWindow}, {Name: "voipnow_previous_calls", Binding: &k.PrevWindow},
	}
}

// helpKeys is the help.KeyMap the pane hands the frame: it shows the
// prompt's keys while the format prompt is open.
type helpKeys struct {
	k      KeyMap
	prompt bool
}

func (h helpKeys) ShortHelp() []key.Binding {
	if h.prompt {
		return []key.Binding{h.k.Choose, h.k.Confirm, h.k.Cancel}
	}
	return []key.Binding{h.k.Record, h.k.Stop, h.k.Up, h.k.Down, h.k.Filter, h.k.Scope, h.k.Refresh}
}

func (h helpKeys) FullHelp() [][]key.Binding {
	if h.prompt {
		return [][]key.Binding{h.ShortHelp()}
	}
	return [][]key.Binding{
		{h.k.Record, h.k.Stop, h.k.Refresh},
		{h.k.Filter, h.k.Scope, h.k.NextWindow, h.k.PrevWindow},
		{h.k.Up, h.k.Down, h.k.PageUp, h.k.PageDown, h.k.Top, h.k.Bottom},
	}
}
