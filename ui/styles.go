package ui

import (
	"fmt"

	"charm.land/lipgloss/v2"
)

// Styles is built once from the active theme (see themes/) and passed down
// to every pane through Pane.SetStyles. Panes use these rather than making
// their own colours, so a theme change restyles everything.
type Styles struct {
	// NoColor is true under --no-color or NO_COLOR: styles carry no colour,
	// so meaning must come from words and symbols (it always must).
	NoColor bool
	// ThemeName is the theme the styles were built from; renderers include
	// it in their cache keys.
	ThemeName string

	App        lipgloss.Style // whole-screen background / foreground
	Header     lipgloss.Style // the top bar
	Badge      lipgloss.Style // e.g. DEMO, TLS-INSECURE
	TabActive  lipgloss.Style
	TabIdle    lipgloss.Style
	Footer     lipgloss.Style // key hints
	HelpKey    lipgloss.Style
	HelpDesc   lipgloss.Style
	Title      lipgloss.Style // a section title inside a pane
	Border     lipgloss.Style // boxes, detail pane frame
	TableHead  lipgloss.Style
	Row        lipgloss.Style
	RowAlt     lipgloss.Style
	RowSel     lipgloss.Style // the selected row
	RowFlash   lipgloss.Style // a row that just changed
	Muted      lipgloss.Style
	Text       lipgloss.Style
	Success    lipgloss.Style
	Warning    lipgloss.Style
	Error      lipgloss.Style
	Info       lipgloss.Style
	Input      lipgloss.Style // text inputs and prompts
	Bar        lipgloss.Style // progress and share-of-duration bars (filled part)
	BarEmpty   lipgloss.Style
	StateStart lipgloss.Style // recording Started
	StatePause lipgloss.Style // recording Paused
	StateStop  lipgloss.Style // recording Stopped
	StateNone  lipgloss.Style // Uninitialized / unknown
	Accent     lipgloss.Style // highlights (sort column, key names in text)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
