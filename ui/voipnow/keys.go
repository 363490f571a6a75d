package voipnowpane

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the pane's bindings: one table drives the keys, the footer hints
// and the ? help. The frame's global keys (q, tab, 1-9, t, ?) are not used.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Record, Stop, Refresh                   key.Binding
	// In the format prompt.
	Choose, Confirm, Cancel key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first call")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last call")),
		Record:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "start recording (wav/wav49)")),
		Stop:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop recording")),
		Refresh:  key.NewBinding(key.WithKeys("ctrl+r", "f5"), key.WithHelp("ctrl+r", "refresh now")),
		Choose:   key.NewBinding(key.WithKeys("left", "right", "h", "l", "tab", "shift+tab"), key.WithHelp("←/→", "wav or wav49")),
		Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Rebind replaces the keys of the named bindings (config `keys:`), e.g.
// {"record": ["R"], "stop": ["x"]}. Names: up, down, page_up, page_down,
// top, bottom, record, stop, refresh. Unknown names are returned.
func (k *KeyMap) Rebind(m map[string][]string) (unknown []string) {
	byName := map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown,
		"top": &k.Top, "bottom": &k.Bottom, "record": &k.Record, "stop": &k.Stop, "refresh": &k.Refresh,
	}
	for name, keys := range m {
		b, ok := byName[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if len(keys) == 0 {
			continue
		}
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	return unknown
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
	return []key.Binding{h.k.Record, h.k.Stop, h.k.Refresh, h.k.Up, h.k.Down}
}

func (h helpKeys) FullHelp() [][]key.Binding {
	if h.prompt {
		return [][]key.Binding{h.ShortHelp()}
	}
	return [][]key.Binding{
		{h.k.Record, h.k.Stop, h.k.Refresh},
		{h.k.Up, h.k.Down, h.k.PageUp, h.k.PageDown, h.k.Top, h.k.Bottom},
	}
}
