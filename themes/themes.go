package themes

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Default is the theme used when none is chosen.
const Default = "dark"

// MaxFileSize bounds a theme file: a theme is a few dozen lines, so anything
// much larger is a mistake (a wrong file picked), refused with a clear error.
const MaxFileSize = 64 << 10

//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinOrder is the order "t" cycles through the built-in themes.
var builtinOrder = []string{"dark", "light", "high-contrast", "colorblind"}

// Colors gives every role on screen a colour: "#rrggbb", an ANSI colour
// number "0".."255", or "" for the terminal's own default colour.
type Colors struct {
	Text       string
	Muted      string
	Background string
	Accent     string
	Success    string
	Warning    string
	Error      string
	Info       string

	HeaderFg    string
	HeaderBg    string
	BadgeFg     string
	BadgeBg     string
	TabActiveFg string
	TabActiveBg string
	TabIdleFg   string

	SelectedFg string
	SelectedBg string
	FlashFg    string
	FlashBg    string
	Border     string
	Bar        string
	BarEmpty   string

	StateStarted string
	StatePaused  string
	StateStopped string
	StateNone    string

	HelpKey  string
	HelpDesc string
}

// role is one key of a theme file's "colors" map and the field it sets.
type role struct {
	key string
	p   *string
}

// roles lists the keys a theme file may set under "colors", in file order.
func (c *Colors) roles() []role {
	return []role{
		{"text", &c.Text}, {"muted", &c.Muted}, {"background", &c.Background},
		{"accent", &c.Accent}, {"success", &c.Success}, {"warning", &c.Warning},
		{"error", &c.Error}, {"info", &c.Info},
		{"header_fg", &c.HeaderFg}, {"header_bg", &c.HeaderBg},
		{"badge_fg", &c.BadgeFg}, {"badge_bg", &c.BadgeBg},
		{"tab_active_fg", &c.TabActiveFg}, {"tab_active_bg", &c.TabActiveBg},
		{"tab_idle_fg", &c.TabIdleFg},
		{"selected_fg", &c.SelectedFg}, {"selected_bg", &c.SelectedBg},
		{"flash_fg", &c.FlashFg}, {"flash_bg", &c.FlashBg},
		{"border", &c.Border}, {"bar", &c.Bar}, {"bar_empty", &c.BarEmpty},
		{"state_started", &c.StateStarted}, {"state_paused", &c.StatePaused},
		{"state_stopped", &c.StateStopped}, {"state_none", &c.StateNone},
		{"help_key", &c.HelpKey}, {"help_desc", &c.HelpDesc},
	}
}

// RoleKeys lists the keys of a theme file's "colors" map.
func RoleKeys() []string {
	var c Colors
	var keys []string
	for _, r := range c.roles() {
		keys = append(keys, r.key)
	}
	return keys
}

// Theme is a parsed theme with every colour resolved.
type Theme struct {
	Name        string
	Description string
	// Source is "built-in" or the path of the user's file.
	Source string
	Colors Colors
}

// Error is a bad theme file: it names the file, the key and its line.
type Error struct {
	File string
	Key  string // e.g. "colors.warning"; "" for the file as a whole
	Line int    // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("theme file ")
	b.WriteString(e.File)
	if e.Key != "" {
		b.WriteString(": key ")
		b.WriteString(e.Key)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// validName reports whether s is a theme or palette name: a lower-case
// letter or digit, then at most 39 more of those, "-" or "_" (what the
// regular expression ^[a-z0-9][a-z0-9_-]{0,39}$ says). Written out rather
// than compiled from a regular expression at package initialisation, which
// every start of the binary paid for, theme or not.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// hexColour reports whether s is "#rgb" or "#rrggbb" in hex digits of
// either case (^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$).
func hexColour(s string) bool {
	if (len(s) != 4 && len(s) != 7) || s[0] != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Parse decodes one theme file. file names it in errors (a path or, for the
// built-in ones, "builtin/dark.yaml"). A theme with "base: NAME" starts from
// that built-in theme; one without a base starts from the default theme, so
// a user's file may set only the roles it changes.
func Parse(file string, data []byte) (Theme, error) {
	return parse(file, data, true)
}

func parse(file string, data []byte, allowBase bool) (Theme, error) {
	fail := func(key string, line int, format string, args ...any) (Theme, error) {
		return Theme{}, &Error{File: file, Key: key, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxFileSize {
		return fail("", 0, "file is %d bytes, more than the %d a theme may have", len(data), MaxFileSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fail("", 0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return fail("", 0, "file is empty (want name, palette and colors keys)")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fail("", root.Line, "want a mapping with the keys name, description, base, palette, colors")
	}

	var (
		name, desc, base string
		baseLine         int
		palette          = map[string]string{}
		colours          []*yaml.Node // key, value pairs from "colors"
	)
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fail("", k.Line, "keys must be plain words")
		}
		if seen[k.Value] {
			return fail(k.Value, k.Line, "given twice")
		}
		seen[k.Value] = true
		switch k.Value {
		case "name", "description", "base":
			if v.Kind != yaml.ScalarNode {
				return fail(k.Value, v.Line, "want a single value")
			}
			switch k.Value {
			case "name":
				if !validName(v.Value) {
					return fail("name", v.Line, "%q is not a theme name (want lower-case letters, digits, - or _, at most 40)", clip(v.Value))
				}
				name = v.Value
			case "description":
				desc = clip(v.Value)
			case "base":
				base, baseLine = v.Value, v.Line
			}
		case "palette":
			if v.Kind != yaml.MappingNode {
				return fail("palette", v.Line, "want a mapping of colour names to colours")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := v.Content[j], v.Content[j+1]
				key := "palette." + clip(pk.Value)
				if pk.Kind != yaml.ScalarNode || !validName(pk.Value) {
					return fail(key, pk.Line, "not a colour name (want lower-case letters, digits, - or _)")
				}
				if _, dup := palette[pk.Value]; dup {
					return fail(key, pk.Line, "given twice")
				}
				if pv.Kind != yaml.ScalarNode {
					return fail(key, pv.Line, "want a colour such as \"#e69f00\" or 214")
				}
				c, ok := literal(pv.Value)
				if !ok {
					return fail(key, pv.Line, "%q is not a colour (want #rrggbb, #rgb, an ANSI number 0-255, or default)", clip(pv.Value))
				}
				palette[pk.Value] = c
			}
		case "colors":
			if v.Kind != yaml.MappingNode {
				return fail("colors", v.Line, "want a mapping of roles (%s) to colours", strings.Join(RoleKeys(), ", "))
			}
			colours = v.Content
		default:
			return fail(clip(k.Value), k.Line, "unknown key (want name, description, base, palette, colors)")
		}
	}

	t := Theme{Name: name, Description: desc}
	switch {
	case base != "" && !allowBase:
		return fail("base", baseLine, "a built-in theme cannot have a base")
	case base != "":
		b, ok := builtinByName(base)
		if !ok {
			return fail("base", baseLine, "unknown built-in theme %q (want one of %s)", clip(base), strings.Join(builtinOrder, ", "))
		}
		t.Colors = b.Colors
	case allowBase:
		b, _ := builtinByName(Default)
		t.Colors = b.Colors
	}

	byKey := map[string]*string{}
	for _, r := range t.Colors.roles() {
		byKey[r.key] = r.p
	}
	set := map[string]bool{}
	for j := 0; j+1 < len(colours); j += 2 {
		ck, cv := colours[j], colours[j+1]
		key := "colors." + clip(ck.Value)
		p, ok := byKey[ck.Value]
		if ck.Kind != yaml.ScalarNode || !ok {
			return fail(key, ck.Line, "unknown role (want one of %s)", strings.Join(RoleKeys(), ", "))
		}
		if set[ck.Value] {
			return fail(key, ck.Line, "given twice")
		}
		set[ck.Value] = true
		if cv.Kind != yaml.ScalarNode {
			return fail(key, cv.Line, "want a colour or a palette name")
		}
		if c, ok := palette[cv.Value]; ok {
			*p = c
			continue
		}
		c, ok := literal(cv.Value)
		if !ok {
			return fail(key, cv.Line, "%q is neither a colour (#rrggbb, #rgb, 0-255, default) nor a name in the palette", clip(cv.Value))
		}
		*p = c
	}
	if !allowBase {
		// A built-in theme must be complete: it is the base of the others.
		for _, r := range t.Colors.roles() {
			if !set[r.key] {
				return fail("colors."+r.key, root.Line, "missing (a built-in theme must set every role)")
			}
		}
	}
	if t.Name == "" {
		n := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(file), ".yaml"), ".yml")
		if !validName(n) {
			return fail("name", 0, "missing, and the file name %q cannot serve as one", clip(n))
		}
		t.Name = n
	}
	return t, nil
}

// literal reads a colour value: "#rgb" / "#rrggbb" (returned lower-case
// "#rrggbb"), an ANSI number, or "default"/"none" for the terminal's colour
// (returned as "").
func literal(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "default", "none":
		return "", true
	}
	if hexColour(s) {
		s = strings.ToLower(s)
		if len(s) == 4 {
			s = "#" + strings.Repeat(s[1:2], 2) + strings.Repeat(s[2:3], 2) + strings.Repeat(s[3:4], 2)
		}
		return s, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 && s == strconv.Itoa(n) {
		return s, true
	}
	return "", false
}

// clip keeps values quoted in errors short and on one line.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len([]rune(s)) > 40 {
		return string([]rune(s)[:40]) + "..."
	}
	return s
}

// builtins are parsed on first use rather than by an init function: four
// YAML files cost every start of the binary a few milliseconds, and most
// subcommands (get, set, watch) never draw a theme. Built-in themes have
// no base, so parsing them never looks builtins up (no recursion).
var (
	builtinsOnce sync.Once
	builtinList  []Theme
)

func builtins() []Theme {
	builtinsOnce.Do(func() {
		for _, n := range builtinOrder {
			file := "builtin/" + n + ".yaml"
			data, err := builtinFS.ReadFile(file)
			if err != nil {
				panic(err) // go:embed guarantees the files; a test covers this
			}
			t, err := parse(file, data, false)
			if err != nil {
				panic(err) // a broken built-in theme is a bug caught by the tests
			}
			t.Source = "built-in"
			builtinList = append(builtinList, t)
		}
	})
	return builtinList
}

func builtinByName(name string) (Theme, bool) {
	for _, t := range builtins() {
		if t.Name == name {
			return t, true
		}
	}
	return Theme{}, false
}

// Builtin returns the built-in themes: dark, light, high-contrast, colorblind.
func Builtin() []Theme { return append([]Theme(nil), builtins()...) }

// UserDir is where users put their own theme files:
// <UserConfigDir>/recdeck/themes ("" when the system has no config dir).
func UserDir() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "recdeck", "themes")
}

// LoadAll returns the built-in themes followed by the user's files in dir
// (*.yaml and *.yml, in name order). A user theme named like a built-in one
// takes its place in the list. Files that cannot be used are left out and
// reported in errs, each naming the file and key, so one bad file does not
// stop the console. A missing dir is not an error.
func LoadAll(dir string) (list []Theme, errs []error) {
	list = Builtin()
	if dir == "" {
		return list, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("theme directory %s: %w", dir, err))
		}
		return list, errs
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			files = append(files, filepath.Join(dir, n))
		}
	}
	sort.Strings(files)
	for _, f := range files {
		t, err := LoadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		replaced := false
		for i := range list {
			if list[i].Name == t.Name {
				list[i], replaced = t, true
				break
			}
		}
		if !replaced {
			list = append(list, t)
		}
	}
	return list, errs
}

// LoadFile reads and parses one theme file.
func LoadFile(path string) (Theme, error) {
	f, err := os.Open(path)
	if err != nil {
		return Theme{}, &Error{File: path, Msg: err.Error()}
	}
	defer f.Close()
	// Read one byte more than allowed, so Parse can say the file is too big.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Theme{}, &Error{File: path, Msg: err.Error()}
	}
	t, err := Parse(path, data)
	if err != nil {
		return Theme{}, err
	}
	t.Source = path
	return t, nil
}

// Select picks a theme by name from list. A name that looks like a path
// (contains a separator or ends in .yaml/.yml) loads that file instead.
func Select(list []Theme, name string) (Theme, error) {
	if name == "" {
		name = Default
	}
	if strings.ContainsRune(name, filepath.Separator) || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		return LoadFile(name)
	}
	var names []string
	for _, t := range list {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Theme{}, fmt.Errorf("unknown theme %q (available: %s; user themes go in %s)", clip(name), strings.Join(names, ", "), userDirHint())
}

func userDirHint() string {
	if d := UserDir(); d != "" {
		return d
	}
	return "<config dir>/recdeck/themes"
}
