package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/recdeck/recdeck/themes"
)

// NewStyles builds the one Styles value every pane draws with from a theme.
// With noColor (--no-color or NO_COLOR) no style carries a colour: the
// selected row is shown in reverse video, badges and titles in bold, and
// every state and level still has its word and symbol.
func NewStyles(t themes.Theme, noColor bool) *Styles {
	c := t.Colors
	// fg and bg leave the style alone for the terminal's default colour
	// ("") and under noColor.
	fg := func(s lipgloss.Style, col string) lipgloss.Style {
		if noColor || col == "" {
			return s
		}
		return s.Foreground(lipgloss.Color(col))
	}
	bg := func(s lipgloss.Style, col string) lipgloss.Style {
		if noColor || col == "" {
			return s
		}
		return s.Background(lipgloss.Color(col))
	}
	plain := lipgloss.NewStyle()
	st := &Styles{
		NoColor:   noColor,
		ThemeName: t.Name,

		App:       bg(fg(plain, c.Text), c.Background),
		Header:    bg(fg(plain.Bold(true), c.HeaderFg), c.HeaderBg),
		Badge:     bg(fg(plain.Bold(true).Padding(0, 1), c.BadgeFg), c.BadgeBg),
		TabActive: bg(fg(plain.Bold(true).Padding(0, 1), c.TabActiveFg), c.TabActiveBg),
		TabIdle:   fg(plain.Padding(0, 1), c.TabIdleFg),
		Footer:    fg(plain, c.Muted),
		HelpKey:   fg(plain.Bold(true), c.HelpKey),
		HelpDesc:  fg(plain, c.HelpDesc),
		Title:     fg(plain.Bold(true), c.Accent),
		Border:    fg(plain, c.Border),
		TableHead: fg(plain.Bold(true), c.Accent),
		Row:       fg(plain, c.Text),
		RowAlt:    fg(plain, c.Text),
		RowSel:    bg(fg(plain.Bold(true), c.SelectedFg), c.SelectedBg),
		RowFlash:  bg(fg(plain, c.FlashFg), c.FlashBg),
		Muted:     fg(plain, c.Muted),
		Text:      fg(plain, c.Text),
		Success:   fg(plain.Bold(true), c.Success),
		Warning:   fg(plain.Bold(true), c.Warning),
		Error:     fg(plain.Bold(true), c.Error),
		Info:      fg(plain, c.Info),
		Input:     fg(plain, c.Accent),
		Bar:       fg(plain, c.Bar),
		BarEmpty:  fg(plain, c.BarEmpty),
		Accent:    fg(plain, c.Accent),

		StateStart: fg(plain, c.StateStarted),
		StatePause: fg(plain, c.StatePaused),
		StateStop:  fg(plain, c.StateStopped),
		StateNone:  fg(plain, c.StateNone),
	}
	if noColor {
		// Without colour, emphasis comes from attributes only.
		st.Badge = plain.Bold(true).Reverse(true).Padding(0, 1)
		st.TabActive = plain.Bold(true).Reverse(true).Padding(0, 1)
		st.RowSel = plain.Reverse(true)
		st.RowFlash = plain.Bold(true)
		st.Header = plain.Bold(true)
	}
	return st
}

// HelpStyles returns bubbles' help styles drawn from s, for a help.Model.
func (s *Styles) HelpStyles() help.Styles {
	return help.Styles{
		Ellipsis:       s.Muted,
		ShortKey:       s.HelpKey,
		ShortDesc:      s.HelpDesc,
		ShortSeparator: s.Muted,
		FullKey:        s.HelpKey,
		FullDesc:       s.HelpDesc,
		FullSeparator:  s.Muted,
	}
}

// Level returns how a toast level is shown: its style, a symbol and a word,
// so that the level never depends on colour alone.
func (s *Styles) Level(l ToastLevel) (style lipgloss.Style, symbol, word string) {
	switch l {
	case ToastSuccess:
		return s.Success, "✓", "ok"
	case ToastWarning:
		return s.Warning, "⚠", "warning"
	case ToastError:
		return s.Error, "✗", "error"
	}
	return s.Info, "ℹ", "info"
}
