package noojeepane

import (
	"charm.land/bubbles/v2/key"

	"github.com/recdeck/recdeck/ui"
)

// KeyMap is the pane's bindings: one table drives the keys, the footer hints
// and the ? help. The frame's global keys (q, tab, 1-9, t, ?) are not used.
type KeyMap struct {
	SearchTag, SearchID, ByHour   key.Binding
	Up, Down, Top, Bottom         key.Binding
	Open, Back                    key.Binding
	Fetch, FetchAll, Folder, Stop key.Binding
	// StartRec and StopRec start and stop recording a call (by extension
	// or unique id, optional tag and agentLoginName); stop asks first.
	StartRec, StopRec key.Binding
	// Shown while a prompt is open (the prompt handles them itself).
	Accept, Dismiss key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		SearchTag: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "find by tag")),
		SearchID:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "find by unique id")),
		ByHour:    key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "list an hour")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open call's legs")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to hour list")),
		Fetch:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fetch leg")),
		FetchAll:  key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "fetch all legs")),
		Folder:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "download folder")),
		Stop:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel fetch")),
		StartRec:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "start recording")),
		StopRec:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop recording")),
		Accept:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "accept")),
		Dismiss:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Bindings lists the rebindable bindings by their config names, making the
// key map a ui.Bindable: the movement keys use the names every pane shares
// (up, down, top, bottom), the pane's own actions are prefixed "noojee_" so
// they cannot clash with another pane's.
func (k *KeyMap) Bindings() []ui.NamedBinding {
	return []ui.NamedBinding{
		{Name: "noojee_tag", Binding: &k.SearchTag}, {Name: "noojee_unique_id", Binding: &k.SearchID},
		{Name: "noojee_hour", Binding: &k.ByHour}, {Name: "up", Binding: &k.Up},
		{Name: "down", Binding: &k.Down}, {Name: "top", Binding: &k.Top},
		{Name: "bottom", Binding: &k.Bottom}, {Name: "noojee_open", Binding: &k.Open},
		{Name: "noojee_back", Binding: &k.Back}, {Name: "noojee_fetch", Binding: &k.Fetch},
		{Name: "noojee_fetch_all", Binding: &k.FetchAll}, {Name: "noojee_folder", Binding: &k.Folder},
		{Name: "noojee_cancel", Binding: &k.Stop},
		{Name: "noojee_start_recording", Binding: &k.StartRec}, {Name: "noojee_stop_recording", Binding: &k.StopRec},
	}
}

// helpKeys is the help.KeyMap the pane hands the frame; it follows what
// the pane is showing.
type helpKeys struct {
	k        KeyMap
	prompt   bool
	hourView bool
	fetching bool
	fromHour bool
}

func (h helpKeys) ShortHelp() []key.Binding {
	if h.prompt {
		return []key.Binding{h.k.Accept, h.k.Dismiss}
	}
	if h.hourView {
		return []key.Binding{h.k.Open, h.k.FetchAll, h.k.ByHour, h.k.SearchTag, h.k.SearchID, h.k.StartRec, h.k.StopRec, h.k.Up, h.k.Down}
	}
	b := []key.Binding{h.k.SearchTag, h.k.SearchID, h.k.ByHour, h.k.Fetch, h.k.FetchAll, h.k.Folder, h.k.StartRec, h.k.StopRec}
	if h.fetching {
		b = append(b, h.k.Stop)
	}
	if h.fromHour {
		b = append(b, h.k.Back)
	}
	return b
}

func (h helpKeys) FullHelp() [][]key.Binding {
	if h.prompt {
		return [][]key.Binding{h.ShortHelp()}
	}
	return [][]key.Binding{
		{h.k.SearchTag, h.k.SearchID, h.k.ByHour, h.k.Open, h.k.Back},
		{h.k.Fetch, h.k.FetchAll, h.k.Folder, h.k.Stop},
		{h.k.StartRec, h.k.StopRec},
		{h.k.Up, h.k.Down, h.k.Top, h.k.Bottom},
	}
}
