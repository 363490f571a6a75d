package akixipane

import (
	"charm.land/bubbles/v2/key"

	"github.com/recdeck/recdeck/ui"
)

// KeyMap is the pane's bindings: one table drives the keys, the footer
// hints and the ? help. Bindings that do nothing in the current view are
// disabled, so the hints show only what works. The frame's global keys (q,
// tab, 1-9, t, ?) are not used outside forms and prompts.
type KeyMap struct {
	Up, Down           key.Binding
	PrevPage, NextPage key.Binding
	Open, Back         key.Binding
	Add, Change        key.Binding
	Delete             key.Binding
	Scope, Refresh     key.Binding
	// Reveal shows or hides the Dubber credentials (masked by default).
	Reveal key.Binding
	// In forms.
	NextField, PrevField, Save, Cancel key.Binding
	// In the delete confirmation.
	Yes, No key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PrevPage:  key.NewBinding(key.WithKeys("pgup", "["), key.WithHelp("[/pgup", "previous page")),
		NextPage:  key.NewBinding(key.WithKeys("pgdown", "]"), key.WithHelp("]/pgdown", "next page")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add entry")),
		Change:    key.NewBinding(key.WithKeys("c", "e"), key.WithHelp("c", "change entry")),
		Delete:    key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete entry")),
		Scope:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scope")),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Reveal:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "show/hide Dubber credentials")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		// The question's own line says the same: "y delete · any other key keep it".
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "delete")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("any other key", "keep it")),
	}
}

// ShortHelp gives the footer hints.
func (k *KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Add, k.Change, k.Delete, k.Scope, k.NextPage, k.PrevPage,
		k.Refresh, k.Reveal, k.Back, k.NextField, k.Save, k.Cancel, k.Yes, k.No}
}

// FullHelp gives the ? help, by column.
func (k *KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PrevPage, k.NextPage, k.Open, k.Back},
		{k.Add, k.Change, k.Delete, k.Scope, k.Refresh, k.Reveal},
		{k.NextField, k.PrevField, k.Save, k.Cancel, k.Yes, k.No},
	}
}

// Bindings lists the rebindable bindings by their config names, making the
// key map a ui.Bindable: moving the selection uses the names every pane
// shares (up, down); the pane's own actions are prefixed "akixi_" so they
// cannot clash with another pane's. Paging is akixi_prev_page and
// akixi_next_page rather than page_up/page_down: it reads another page
// from the server, it does not move within the rows shown.
func (k *KeyMap) Bindings() []ui.NamedBinding {
	return []ui.NamedBinding{
		{Name: "up", Binding: &k.Up}, {Name: "down", Binding: &k.Down},
		{Name: "akixi_prev_page", Binding: &k.PrevPage}, {Name: "akixi_next_page", Binding: &k.NextPage},
		{Name: "akixi_open", Binding: &k.Open}, {Name: "akixi_back", Binding: &k.Back},
		{Name: "akixi_add", Binding: &k.Add}, {Name: "akixi_change", Binding: &k.Change},
		{Name: "akixi_delete", Binding: &k.Delete}, {Name: "akixi_scope", Binding: &k.Scope},
		{Name: "akixi_refresh", Binding: &k.Refresh}, {Name: "akixi_save", Binding: &k.Save},
		{Name: "akixi_reveal", Binding: &k.Reveal},
	}
}

// enableFor turns on the bindings that work in mode m.
func (k *KeyMap) enableFor(m mode, hasRows, hasPrev, hasNext bool) {
	all := []*key.Binding{&k.Up, &k.Down, &k.PrevPage, &k.NextPage, &k.Open, &k.Back, &k.Add, &k.Change,
		&k.Delete, &k.Scope, &k.Refresh, &k.Reveal, &k.NextField, &k.PrevField, &k.Save, &k.Cancel, &k.Yes, &k.No}
	for _, b := range all {
		b.SetEnabled(false)
	}
	on := func(bs ...*key.Binding) {
		for _, b := range bs {
			b.SetEnabled(true)
		}
	}
	switch m {
	case modeList:
		on(&k.Add, &k.Scope, &k.Refresh)
		if hasRows {
			on(&k.Up, &k.Down, &k.Open, &k.Change, &k.Delete)
		}
		if hasPrev {
			on(&k.PrevPage)
		}
		if hasNext {
			on(&k.NextPage)
		}
	case modeDetail:
		on(&k.Back, &k.Change, &k.Delete, &k.Refresh, &k.Reveal)
	case modeForm:
		on(&k.NextField, &k.PrevField, &k.Save, &k.Cancel)
	case modeScope:
		on(&k.Cancel)
	case modeConfirm:
		on(&k.Yes, &k.No)
	}
}
