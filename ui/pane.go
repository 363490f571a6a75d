package ui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// Pane is one tab of the console: the Anywhere365 sessions pane and each
// vendor's pane satisfy it, and the root model (the frame) holds a list of
// them. The frame owns the header, tabs, footer, toasts and global keys; a
// pane owns its body.
//
// The frame forwards every message to the active pane, and tea.WindowSizeMsg
// is replaced by SetSize with the body's size. Background work a pane started
// (polling, downloads) keeps running while it is hidden: the frame also
// forwards messages that are not key or mouse input to inactive panes.
//
// Mouse clicks and wheel events go to the active pane with their Y made
// relative to the top of the pane's body (X is unchanged); clicks outside
// the body are the frame's. Every pane also receives TickMsg, the frame's
// clock (when data changed, at most every FrameFloor, or when a pane asked
// for it through TickWanter): pull data on it rather than sending one
// message per event.
type Pane interface {
	// Title is the tab's label, e.g. "Anywhere365".
	Title() string
	Init() tea.Cmd
	Update(msg tea.Msg) (Pane, tea.Cmd)
	// View renders the body: exactly the size given by SetSize.
	View() string
	SetSize(width, height int)
	// SetStyles is called at start and whenever the theme changes.
	SetStyles(*Styles)
	// KeyMap gives the pane's bindings for the footer hints and the ? help.
	KeyMap() help.KeyMap
	// Capturing is true while the pane has a text input or a confirmation
	// prompt focused: the frame then passes every key to the pane and does
	// not act on its global keys (q, tab, 1-9, t, ?).
	Capturing() bool
}

// ToastLevel is how a toast is coloured; it also carries a word and symbol,
// so the level is never shown by colour alone.
type ToastLevel int

// Toast levels.
const (
	ToastInfo ToastLevel = iota
	ToastSuccess
	ToastWarning
	ToastError
)

// ToastMsg asks the frame to show a toast. Panes return it from a tea.Cmd to
// report an action's outcome: every action a user triggers ends in one.
type ToastMsg struct {
	Level ToastLevel
	Text  string
	// For is how long it stays; zero means the frame's default.
	For time.Duration
}

// Toast returns a command that shows a toast.
func Toast(level ToastLevel, format string, args ...any) tea.Cmd {
	text := format
	if len(args) > 0 {
		text = sprintf(format, args...)
	}
	return func() tea.Msg { return ToastMsg{Level: level, Text: text} }
}
