package themes

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"charm.land/lipgloss/v2"
)

// ReadableOn reports whether t can be read on a terminal whose background
// is dark (darkBg) or light: a theme that paints its own background (as
// high-contrast does) or leaves the text in the terminal's own colour reads
// on either; otherwise its text must be light on a dark background and
// dark on a light one (light text on white is about 1.2:1).
func ReadableOn(t Theme, darkBg bool) bool {
	c := t.Colors
	if c.Background != "" || c.Text == "" {
		return true
	}
	return isLight(lipgloss.Color(c.Text)) == darkBg
}

// isLight is true for a colour whose relative luminance is over the middle.
func isLight(c color.Color) bool {
	if c == nil {
		return false
	}
	r, g, b, _ := c.RGBA() // 16-bit channels
	// Rec. 709 luma on the gamma-encoded values: enough to tell light text
	// from dark.
	y := 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
	return y/65535 > 0.5
}

// StateFile is where the console remembers the theme last chosen with "t"
// (or :theme): $XDG_STATE_HOME/recdeck/theme, else ~/.local/state/recdeck/theme.
// It is a state file, not the config: the config file is never rewritten.
// "" when there is no home directory.
func StateFile() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "recdeck", "theme")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "recdeck", "theme")
}

// Remembered returns the theme name last chosen, or "" (none, unreadable,
// or not a plausible name: the file is the user's to edit).
func Remembered() string {
	f := StateFile()
	if f == "" {
		return ""
	}
	b, err := os.ReadFile(f)
	if err != nil || len(b) > 256 {
		return ""
	}
	name := strings.TrimSpace(string(b))
	if strings.ContainsAny(name, "\x00\n\r/\\") {
		return ""
	}
	return name
}

// Remember writes the theme name chosen, for the next start.
func Remember(name string) error {
	f := StateFile()
	if f == "" {
		return errors.New("no state directory to remember the theme in")
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		return err
	}
	tmp := f + ".tmp"
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f)
}
