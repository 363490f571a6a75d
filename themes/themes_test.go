package themes

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBuiltinThemesAreCompleteAndOrdered(t *testing.T) {
	list := Builtin()
	want := []string{"dark", "light", "high-contrast", "colorblind"}
	if len(list) != len(want) {
		t.Fatalf("got %d built-in themes, want %d", len(list), len(want))
	}
	for i, th := range list {
		if th.Name != want[i] {
			t.Errorf("theme %d is %q, want %q", i, th.Name, want[i])
		}
		if th.Source != "built-in" || th.Description == "" {
			t.Errorf("%s: source %q description %q", th.Name, th.Source, th.Description)
		}
		// Every role but the background has a real colour in a built-in theme.
		for _, r := range th.Colors.roles() {
			if *r.p == "" && r.key != "background" {
				t.Errorf("%s: role %s has no colour", th.Name, r.key)
			}
		}
	}
}

func TestColorblindUsesOkabeIto(t *testing.T) {
	th, err := Select(Builtin(), "colorblind")
	if err != nil {
		t.Fatal(err)
	}
	okabeIto := map[string]bool{"#000000": true, "#e69f00": true, "#56b4e9": true, "#009e73": true,
		"#f0e442": true, "#0072b2": true, "#d55e00": true, "#cc79a7": true}
	for _, c := range []string{th.Colors.StateStarted, th.Colors.StatePaused, th.Colors.StateStopped, th.Colors.Success, th.Colors.Warning, th.Colors.Error} {
		if !okabeIto[c] {
			t.Errorf("state/level colour %s is not from the Okabe-Ito palette", c)
		}
	}
	if th.Colors.StateStarted == th.Colors.StatePaused || th.Colors.StatePaused == th.Colors.StateStopped {
		t.Error("recording states must have distinct colours")
	}
}

func TestParseResolvesPaletteAndLiterals(t *testing.T) {
	th, err := Parse("mine.yaml", []byte(`
name: mine
base: light
palette:
  pink: "#F0C"
colors:
  accent: pink
  error: 196
  background: none
`))
	if err != nil {
		t.Fatal(err)
	}
	light, _ := builtinByName("light")
	if th.Colors.Accent != "#ff00cc" || th.Colors.Error != "196" || th.Colors.Background != "" {
		t.Errorf("got accent %q error %q background %q", th.Colors.Accent, th.Colors.Error, th.Colors.Background)
	}
	if th.Colors.Text != light.Colors.Text {
		t.Errorf("unset role should come from the base: %q vs %q", th.Colors.Text, light.Colors.Text)
	}
}

func TestParseNameFromFile(t *testing.T) {
	th, err := Parse("/x/ocean.yaml", []byte("colors:\n  accent: \"#123456\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "ocean" {
		t.Errorf("name %q, want ocean", th.Name)
	}
	dark, _ := builtinByName("dark")
	if th.Colors.Text != dark.Colors.Text {
		t.Error("a theme without base starts from dark")
	}
}

func TestParseErrorsNameFileKeyAndLine(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"bad colour", "name: x\ncolors:\n  warning: \"zz\"\n", []string{"bad.yaml", "colors.warning", "line 3", `"zz"`}},
		{"unknown role", "colors:\n  warnin: \"#fff\"\n", []string{"colors.warnin", "line 2", "unknown role"}},
		{"unknown top key", "name: x\ncolours: {}\n", []string{"key colours", "line 2", "unknown key"}},
		{"bad palette", "palette:\n  red: \"#ff00\"\n", []string{"palette.red", "line 2"}},
		{"bad base", "base: neon\n", []string{"key base", "unknown built-in theme"}},
		{"dup", "name: a\nname: b\n", []string{"key name", "given twice"}},
		{"not yaml", "name: [\n", []string{"bad.yaml", "not valid YAML"}},
		{"empty", "", []string{"bad.yaml", "empty"}},
		{"list", "- a\n- b\n", []string{"want a mapping"}},
		{"bad name", "name: \"Has Spaces\"\n", []string{"key name", "not a theme name"}},
		{"colors not map", "colors: red\n", []string{"key colors", "want a mapping"}},
		{"colour is list", "colors:\n  text: [1, 2]\n", []string{"colors.text", "line 2"}},
		{"ansi out of range", "colors:\n  text: 256\n", []string{"colors.text", `"256"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseRefusesHugeFile(t *testing.T) {
	_, err := Parse("big.yaml", make([]byte, MaxFileSize+1))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadAllListsUserThemesBesideBuiltins(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ocean.yaml", "name: ocean\ncolors:\n  accent: \"#0077be\"\n")
	write("light.yml", "name: light\nbase: light\ncolors:\n  accent: \"#000000\"\n")
	write("broken.yaml", "colors:\n  accent: chartreuse\n")
	write("notes.txt", "ignored")

	list, errs := LoadAll(dir)
	var names []string
	for _, th := range list {
		names = append(names, th.Name)
	}
	if got := strings.Join(names, ","); got != "dark,light,high-contrast,colorblind,ocean" {
		t.Errorf("list %s", got)
	}
	if list[1].Colors.Accent != "#000000" || list[1].Source == "built-in" {
		t.Error("the user's light theme should replace the built-in one")
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "broken.yaml") || !strings.Contains(errs[0].Error(), "colors.accent") {
		t.Errorf("errs %v", errs)
	}
	var te *Error
	if !errors.As(errs[0], &te) || te.Line != 2 {
		t.Errorf("want *Error with line 2, got %#v", errs[0])
	}

	if _, errs := LoadAll(filepath.Join(dir, "missing")); len(errs) != 0 {
		t.Errorf("a missing dir is not an error: %v", errs)
	}
}

func TestSelect(t *testing.T) {
	list := Builtin()
	th, err := Select(list, "")
	if err != nil || th.Name != Default {
		t.Fatalf("default: %v %v", th.Name, err)
	}
	if _, err := Select(list, "neon"); err == nil || !strings.Contains(err.Error(), "dark, light, high-contrast, colorblind") {
		t.Errorf("unknown theme error %v", err)
	}
	p := filepath.Join(t.TempDir(), "file.yaml")
	if err := os.WriteFile(p, []byte("name: file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if th, err := Select(list, p); err != nil || th.Name != "file" || th.Source != p {
		t.Errorf("by path: %+v %v", th, err)
	}
	if _, err := Select(list, filepath.Join(t.TempDir(), "nope.yaml")); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzParse checks the theme decoder never panics, and that whatever it
// accepts is fully resolved (every colour a literal) and whatever it refuses
// is a *Error naming the file.
func FuzzParse(f *testing.F) {
	for _, n := range builtinOrder {
		data, err := builtinFS.ReadFile("builtin/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: mine\nbase: light\npalette:\n  pink: \"#F0C\"\ncolors:\n  accent: pink\n  error: 196\n"))
	f.Add([]byte("colors:\n  warning: zz\n"))
	f.Add([]byte("name: &a x\nbase: *a\n"))
	f.Add([]byte("palette: {a: \"#000\", a: \"#fff\"}\n"))
	f.Add([]byte("--- \n...\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Parse("fuzz.yaml", data)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || te.File != "fuzz.yaml" {
				t.Fatalf("error is not a *Error naming the file: %v", err)
			}
			return
		}
		if !validName(th.Name) {
			t.Fatalf("accepted bad name %q", th.Name)
		}
		for _, r := range th.Colors.roles() {
			if *r.p == "" {
				continue // the terminal's default colour
			}
			if c, ok := literal(*r.p); !ok || c != *r.p {
				t.Fatalf("role %s unresolved: %q", r.key, *r.p)
			}
		}
	})
}

// The dark themes read on a dark background, light on a light one, and
// high-contrast (its own background) on both.
func TestReadableOn(t *testing.T) {
	want := map[string][2]bool{ // [dark bg, light bg]
		"dark": {true, false}, "light": {false, true}, "high-contrast": {true, true}, "colorblind": {true, false},
	}
	for _, th := range Builtin() {
		w, ok := want[th.Name]
		if !ok {
			t.Fatalf("unexpected theme %s", th.Name)
		}
		if got := [2]bool{ReadableOn(th, true), ReadableOn(th, false)}; got != w {
			t.Errorf("%s: readable on dark/light %v, want %v", th.Name, got, w)
		}
	}
}

// The chosen theme is remembered in a state file under $XDG_STATE_HOME,
// not in the config.
func TestRememberTheChosenTheme(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	if got := Remembered(); got != "" {
		t.Fatalf("remembered %q before any choice", got)
	}
	if err := Remember("colorblind"); err != nil {
		t.Fatal(err)
	}
	if got := Remembered(); got != "colorblind" {
		t.Fatalf("remembered %q", got)
	}
	if StateFile() != filepath.Join(dir, "recdeck", "theme") {
		t.Fatalf("state file %s", StateFile())
	}
	if err := os.WriteFile(StateFile(), []byte("../../etc/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Remembered(); got != "" {
		t.Fatalf("a path was taken as a theme name: %q", got)
	}
}

// TestValidatorsMatchTheirRegexps pins validName and hexColour (written out
// so that no regular expression is compiled when the package loads) to the
// regular expressions they replace, on edge cases and on every string of up
// to three characters over an alphabet that straddles each class.
func TestValidatorsMatchTheirRegexps(t *testing.T) {
	nameRe := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	hexRe := regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	cases := []string{"", "dark", "high-contrast", "colorblind", "-x", "_x", "x-", "x_", "A", "aB", "a b", "é",
		strings.Repeat("a", 40), strings.Repeat("a", 41), "0" + strings.Repeat("-", 39), "a\n",
		"#fff", "#FFF", "#e69f00", "#E69F00", "#ggg", "#ffff", "#fffff", "#fffffff", "fff", "#", "#12345", "# 12"}
	alphabet := []byte("#aAfFgG09-_ .z/")
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		cases = append(cases, prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			walk(prefix+string(c), n-1)
		}
	}
	walk("", 3)
	walk("#", 6-3) // "#" and up to 3 more; 7-character colours are in cases
	for _, c := range []string{"#0a0B0c", "#0a0B0g", "#a0a0a0", "#-a0a0a"} {
		cases = append(cases, c)
	}
	for _, c := range cases {
		if got, want := validName(c), nameRe.MatchString(c); got != want {
			t.Errorf("validName(%q) = %v, the regexp says %v", c, got, want)
		}
		if got, want := hexColour(c), hexRe.MatchString(c); got != want {
			t.Errorf("hexColour(%q) = %v, the regexp says %v", c, got, want)
		}
	}
}
