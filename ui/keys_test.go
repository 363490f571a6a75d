package ui_test

import (
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/recdeck/recdeck/ui"
)

// testKeys is a pane's key map for these tests: named bindings, as a
// pane's KeyMap.Bindings gives them.
type testKeys struct {
	names []string
	bs    []key.Binding
}

func newTestKeys(pairs ...string) *testKeys {
	k := &testKeys{}
	for i := 0; i < len(pairs); i += 2 {
		k.names = append(k.names, pairs[i])
		k.bs = append(k.bs, key.NewBinding(key.WithKeys(pairs[i+1]), key.WithHelp(pairs[i+1], pairs[i])))
	}
	return k
}

func (k *testKeys) Bindings() []ui.NamedBinding {
	out := make([]ui.NamedBinding, len(k.bs))
	for i := range k.bs {
		out[i] = ui.NamedBinding{Name: k.names[i], Binding: &k.bs[i]}
	}
	return out
}

// keysOf returns the keys of the binding called name.
func (k *testKeys) keysOf(t *testing.T, name string) []string {
	t.Helper()
	i := slices.Index(k.names, name)
	if i < 0 {
		t.Fatalf("no binding %s", name)
	}
	return k.bs[i].Keys()
}

func (k *testKeys) helpOf(name string) string {
	return k.bs[slices.Index(k.names, name)].Help().Key
}

// binderPane is a stubPane that hands its keys to RebindAll.
type binderPane struct {
	stubPane
	k *testKeys
}

func (p *binderPane) KeyBindings() ui.Bindable { return p.k }

// Two panes like the console's: "s" starts in one and stops in the other,
// and both move with the shared names.
func twoPanes() (sessions, vendor *testKeys) {
	return newTestKeys("up", "k", "down", "j", "start", "s", "mark", "m"),
		newTestKeys("up", "k", "down", "j", "vendor_stop", "s", "vendor_record", "r")
}

func TestRebindPanesSharedNameAppliesToEveryPane(t *testing.T) {
	frame := ui.DefaultKeyMap()
	a, b := twoPanes()
	if err := ui.RebindPanes(map[string][]string{"down": {"n", "down"}, "vendor_record": {"R"}}, &frame, a, b); err != nil {
		t.Fatal(err)
	}
	for _, k := range []*testKeys{a, b} {
		if got := k.keysOf(t, "down"); !slices.Equal(got, []string{"n", "down"}) {
			t.Errorf("down = %v", got)
		}
		if got := k.helpOf("down"); got != "n/↓" {
			t.Errorf("down's help label %q", got)
		}
	}
	if got := b.keysOf(t, "vendor_record"); !slices.Equal(got, []string{"R"}) || b.helpOf("vendor_record") != "R" {
		t.Errorf("vendor_record = %v (%s)", got, b.helpOf("vendor_record"))
	}
	if got := a.keysOf(t, "start"); !slices.Equal(got, []string{"s"}) {
		t.Errorf("start changed: %v", got)
	}
}

func TestRebindPanesSameKeyInTwoPanesIsAccepted(t *testing.T) {
	frame := ui.DefaultKeyMap()
	a, b := twoPanes()
	// "x" for start here and for stop there: never on screen together.
	if err := ui.RebindPanes(map[string][]string{"start": {"x"}, "vendor_stop": {"x"}}, &frame, a, b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.keysOf(t, "start"), []string{"x"}) || !slices.Equal(b.keysOf(t, "vendor_stop"), []string{"x"}) {
		t.Errorf("start %v, vendor_stop %v", a.keysOf(t, "start"), b.keysOf(t, "vendor_stop"))
	}
}

func TestRebindPanesRefusesAConflictNamingBoth(t *testing.T) {
	cases := []struct {
		name  string
		keys  map[string][]string
		names []string
	}{
		{"two bindings of one pane", map[string][]string{"mark": {"s"}}, []string{`"s"`, "start", "mark"}},
		{"a pane's and the frame's", map[string][]string{"vendor_record": {"q"}}, []string{`"q"`, "quit", "vendor_record"}},
		{"a shared name onto a pane's key", map[string][]string{"down": {"r"}}, []string{`"r"`, "vendor_record", "down"}},
		{"two new keys in one pane", map[string][]string{"start": {"z"}, "mark": {"z"}}, []string{`"z"`, "start", "mark"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frame := ui.DefaultKeyMap()
			a, b := twoPanes()
			err := ui.RebindPanes(c.keys, &frame, a, b)
			if err == nil || !strings.Contains(err.Error(), "would trigger both") {
				t.Fatalf("err = %v", err)
			}
			for _, want := range c.names {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not name %s", err, want)
				}
			}
			// Nothing changed.
			if !slices.Equal(a.keysOf(t, "down"), []string{"j"}) || !slices.Equal(a.keysOf(t, "start"), []string{"s"}) ||
				!slices.Equal(b.keysOf(t, "vendor_record"), []string{"r"}) || !slices.Equal(frame.Quit.Keys(), []string{"q", "ctrl+c"}) {
				t.Error("a refused rebind changed keys")
			}
		})
	}
}

func TestRebindPanesRefusesUnknownAndBadEntries(t *testing.T) {
	frame := ui.DefaultKeyMap()
	a, b := twoPanes()
	err := ui.RebindPanes(map[string][]string{"paws": {"p"}, "down": {"n"}}, &frame, a, b)
	if err == nil || !strings.Contains(err.Error(), `unknown binding "paws"`) {
		t.Fatalf("err = %v", err)
	}
	// The known names are every map's, each once.
	for _, name := range []string{"quit", "start", "vendor_stop", "vendor_record", "down"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%q does not list %s", err, name)
		}
	}
	if strings.Count(err.Error(), "down") != 1 {
		t.Errorf("%q lists down more than once", err)
	}
	if !slices.Equal(a.keysOf(t, "down"), []string{"j"}) {
		t.Error("a refused rebind changed down")
	}
	for _, bad := range []map[string][]string{{"down": {}}, {"down": {" n"}}, {"down": {""}}} {
		if err := ui.RebindPanes(bad, &frame, a, b); err == nil || !strings.Contains(err.Error(), "down") {
			t.Errorf("%v: err = %v", bad, err)
		}
	}
}

func TestRebindAllUsesThePanesThatHandOverTheirKeys(t *testing.T) {
	frame := ui.DefaultKeyMap()
	a, b := twoPanes()
	panes := []ui.Pane{&binderPane{k: a}, &stubPane{title: "no keys to rebind"}, &binderPane{k: b}}
	if err := ui.RebindAll(map[string][]string{"vendor_record": {"R"}, "help": {"h"}}, &frame, panes...); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.keysOf(t, "vendor_record"), []string{"R"}) || !slices.Equal(frame.Help.Keys(), []string{"h"}) {
		t.Errorf("vendor_record %v, help %v", b.keysOf(t, "vendor_record"), frame.Help.Keys())
	}
	if err := ui.RebindAll(map[string][]string{"vendor_stop": {"t"}}, &frame, panes...); err == nil ||
		!strings.Contains(err.Error(), `"t" would trigger both theme and vendor_stop`) {
		t.Errorf("conflict with the frame: %v", err)
	}
	// With no pane only the frame's names are known.
	if err := ui.RebindAll(map[string][]string{"start": {"z"}}, &frame); err == nil || !strings.Contains(err.Error(), `unknown binding "start"`) {
		t.Errorf("err = %v", err)
	}
}

// Rebind keeps its meaning for its callers: the maps given are on screen
// together, so a key may trigger only one binding across all of them.
func TestRebindTreatsItsMapsAsOne(t *testing.T) {
	a, b := twoPanes()
	if err := ui.Rebind(map[string][]string{"vendor_stop": {"x"}}, a, b); err != nil {
		t.Fatal(err)
	}
	if err := ui.Rebind(map[string][]string{"mark": {"x"}}, a, b); err == nil || !strings.Contains(err.Error(), `"x" would trigger both`) {
		t.Errorf("err = %v", err)
	}
	frame := ui.DefaultKeyMap()
	if err := frame.Rebind(map[string][]string{"quit": {"Q"}}); err != nil || frame.Quit.Help().Key != "Q" {
		t.Errorf("frame rebind: %v, label %q", err, frame.Quit.Help().Key)
	}
}
