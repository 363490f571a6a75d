package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// NamedBinding is one rebindable key binding and the name the config
// file's "keys:" map uses for it (e.g. "pause").
type NamedBinding struct {
	Name    string
	Binding *key.Binding
}

// Bindable is a key map whose bindings can be rebound by name.
type Bindable interface {
	Bindings() []NamedBinding
}

// KeyBinder is implemented by a pane whose keys the config file's "keys:"
// map can rebind: it hands over its key map, so the console rebinds every
// pane in one pass (RebindAll) after building them all.
type KeyBinder interface {
	KeyBindings() Bindable
}

// Rebind applies the config file's "keys:" map to key maps that are on
// screen together, as one set: a key may trigger only one binding across
// all of them. It is RebindPanes with no frame and the maps as one pane.
func Rebind(keys map[string][]string, maps ...Bindable) error {
	return RebindPanes(keys, nil, joined(maps))
}

// joined is several key maps seen as one.
type joined []Bindable

func (j joined) Bindings() []NamedBinding {
	var all []NamedBinding
	for _, m := range j {
		all = append(all, m.Bindings()...)
	}
	return all
}

// RebindAll rebinds the frame's keys and those of every pane that is a
// KeyBinder (see RebindPanes).
func RebindAll(keys map[string][]string, frame Bindable, panes ...Pane) error {
	var maps []Bindable
	for _, p := range panes {
		if kb, ok := p.(KeyBinder); ok {
			maps = append(maps, kb.KeyBindings())
		}
	}
	return RebindPanes(keys, frame, maps...)
}

// RebindPanes applies the config file's "keys:" map (binding name -> keys,
// e.g. {"pause": ["p", "space"]}) to the frame's key map and every pane's,
// in one pass. frame may be nil.
//
// Every name must be known by the frame or by some pane. A name several
// maps share is one action: the movement names (up, down, page_up,
// page_down, top, bottom) are the same in every pane, so rebinding "down"
// rebinds it wherever it exists. A key may trigger only one binding of the
// frame plus any ONE pane, the keys that can act at the same moment; the
// same key may mean different things in different panes ("s" starts a
// recording in one and stops one in another).
//
// It refuses, naming the binding, an unknown name (listing the known
// ones), an empty key list, a blank key or a key that would then trigger
// two bindings; on error nothing is changed. The help text follows the new
// keys, so the footer and the ? screen show them.
func RebindPanes(keys map[string][]string, frame Bindable, panes ...Bindable) error {
	if len(keys) == 0 {
		return nil
	}
	// groups are the sets of bindings live at the same moment: the frame's
	// with each pane's (or the frame's alone).
	var frameBs []NamedBinding
	if frame != nil {
		frameBs = frame.Bindings()
	}
	groups := [][]NamedBinding{frameBs}
	if len(panes) > 0 {
		groups = groups[:0]
		for _, p := range panes {
			groups = append(groups, append(append([]NamedBinding(nil), frameBs...), p.Bindings()...))
		}
	}
	byName := map[string][]*key.Binding{}
	for _, g := range groups {
		for _, nb := range g {
			if !slices.Contains(byName[nb.Name], nb.Binding) {
				byName[nb.Name] = append(byName[nb.Name], nb.Binding)
			}
		}
	}

	// Check everything first, so a bad entry changes nothing.
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			known := make([]string, 0, len(byName))
			for k := range byName {
				known = append(known, k)
			}
			sort.Strings(known)
			return fmt.Errorf("keys: unknown binding %q (known: %s)", n, strings.Join(known, ", "))
		}
		ks := keys[n]
		if len(ks) == 0 {
			return fmt.Errorf("keys: %s: no keys given", n)
		}
		for _, k := range ks {
			if strings.TrimSpace(k) == "" || strings.TrimSpace(k) != k {
				return fmt.Errorf("keys: %s: %q is not a key name (e.g. \"p\", \"ctrl+p\", \"space\", \"pgdown\")", n, k)
			}
		}
	}
	for _, g := range groups {
		owner := map[string]string{}
		for _, nb := range g {
			final, ok := keys[nb.Name]
			if !ok {
				final = nb.Binding.Keys()
			}
			for _, k := range final {
				// The same name in the frame and a pane is one action.
				if o, dup := owner[k]; dup && o != nb.Name {
					return fmt.Errorf("keys: %q would trigger both %s and %s", k, o, nb.Name)
				}
				owner[k] = nb.Name
			}
		}
	}

	for _, n := range names {
		for _, b := range byName[n] {
			b.SetKeys(slices.Clone(keys[n])...) // each binding its own copy
			b.SetHelp(keyLabel(keys[n]), b.Help().Desc)
		}
	}
	return nil
}

// keyLabel is the footer's label for a list of keys: "p" or "j/down".
func keyLabel(keys []string) string {
	labels := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		case "left":
			k = "←"
		case "right":
			k = "→"
		}
		labels[i] = k
	}
	return strings.Join(labels, "/")
}

// KeyMap holds the frame's global keys. The frame acts on them unless the
// active pane is capturing input (a prompt or filter is open); ctrl+c
// always quits.
type KeyMap struct {
	NextPane key.Binding
	PrevPane key.Binding
	GotoPane key.Binding // "1".."9": the n-th key selects the n-th pane
	Theme    key.Binding
	Help     key.Binding
	Quit     key.Binding
	// Log opens the message log: recent toasts, whole, newest first.
	Log key.Binding
}

// DefaultKeyMap returns the frame's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		NextPane: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		GotoPane: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to pane")),
		Theme:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next theme")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Log:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log")),
	}
}

// Bindings lists the frame's bindings by their config names.
func (k *KeyMap) Bindings() []NamedBinding {
	return []NamedBinding{
		{"next_pane", &k.NextPane},
		{"prev_pane", &k.PrevPane},
		{"goto_pane", &k.GotoPane},
		{"theme", &k.Theme},
		{"help", &k.Help},
		{"quit", &k.Quit},
		{"message_log", &k.Log},
	}
}

// Rebind applies the "keys:" entries that name the frame's bindings; any
// other name is an error (the console uses RebindAll to rebind the frame
// and the panes together).
func (k *KeyMap) Rebind(keys map[string][]string) error { return Rebind(keys, k) }

// ShortHelp is the footer's share of the global keys: the way to the
// full help and out; the others are listed there.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Log, k.Help, k.Quit}
}

// FullHelp is the global column of the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.NextPane, k.PrevPane, k.GotoPane, k.Theme, k.Log, k.Help, k.Quit}}
}
