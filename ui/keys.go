package ui

import (
	"fmt"
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

// Rebind applies the config file's "keys:" map (binding name -> keys) to
// every key map given, e.g. {"pause": ["p", "space"]}. It refuses, naming
// the binding, an unknown name, an empty key list or a key that would then
// trigger two bindings; on error nothing is changed. The help text follows
// the new keys, so the footer and the ? screen show them.
func Rebind(keys map[string][]string, maps ...Bindable) error {
	if len(keys) == 0 {
		return nil
	}
	byName := map[string]*key.Binding{}
	var order []string
	for _, m := range maps {
		for _, nb := range m.Bindings() {
			byName[nb.Name] = nb.Binding
			order = append(order, nb.Name)
		}
	}
	// Check everything first, so a bad entry changes nothing.
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	sort.Strings(names)
	final := map[string][]string{}
	for _, n := range order {
		final[n] = byName[n].Keys()
	}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			known := append([]string(nil), order...)
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
		final[n] = ks
	}
	owner := map[string]string{}
	for _, n := range order {
		for _, k := range final[n] {
			if o, dup := owner[k]; dup {
				return fmt.Errorf("keys: %q would trigger both %s and %s", k, o, n)
			}
			owner[k] = n
		}
	}
	for _, n := range names {
		b := byName[n]
		b.SetKeys(keys[n]...)
		b.SetHelp(keyLabel(keys[n]), b.Help().Desc)
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
	}
}

// Rebind applies the "keys:" entries that name the frame's bindings; any
// other name is an error (use the package-level Rebind to rebind the frame
// and the panes together).
func (k *KeyMap) Rebind(keys map[string][]string) error { return Rebind(keys, k) }

// ShortHelp is the footer's share of the global keys: the way to the
// full help and out; the others are listed there.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit}
}

// FullHelp is the global column of the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.NextPane, k.PrevPane, k.GotoPane, k.Theme, k.Help, k.Quit}}
}
