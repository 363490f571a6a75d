package ui

import (
	"strings"

	"github.com/recdeck/recdeck/themes"
)

// SetThemeMsg asks the frame for a theme by name (a pane's ":theme NAME").
type SetThemeMsg struct{ Name string }

// SetServerMsg tells the frame which servers the console now follows (a
// pane's ":profile NAME"): what its header names.
type SetServerMsg struct {
	Server, Profile, APIVersion string
	Demo                        bool
}

// ThemeNames are the themes the frame can switch to, in cycling order.
func (m *Model) ThemeNames() []string {
	names := make([]string, len(m.themes))
	for i, t := range m.themes {
		names[i] = t.Name
	}
	return names
}

// setTheme switches to the named theme (an explicit choice: even one hard
// to read on this background, which the toast then says) and remembers it.
func (m *Model) setTheme(name string) {
	for i, t := range m.themes {
		if strings.EqualFold(t.Name, name) {
			m.useTheme(i)
			if !m.readable(i) {
				m.addToast(ToastMsg{Level: ToastWarning, Text: "Theme " + t.Name + " may be hard to read on this terminal's background"}, m.now())
			}
			return
		}
	}
	m.addToast(ToastMsg{Level: ToastWarning, Text: "Unknown theme " + name + " (available: " + strings.Join(m.ThemeNames(), ", ") + ")"}, m.now())
}

// readable reports whether theme i can be read on the terminal's
// background. A terminal that does not answer the question (some
// multiplexers) is taken to be dark, as the default theme is: t then skips
// the light themes, which ":theme light" or --theme still choose.
func (m *Model) readable(i int) bool {
	return themes.ReadableOn(m.themes[i], !m.bgKnown || m.bgDark)
}

// onBackground starts with a theme that matches the terminal's background
// (tea.BackgroundColorMsg), unless one was asked for, or the remembered one
// can be read on it.
func (m *Model) onBackground(dark bool) {
	m.bgKnown, m.bgDark = true, dark
	if m.opts.ThemeConfigured || m.readable(m.theme) {
		return
	}
	for i := range m.themes {
		if m.readable(i) {
			m.theme = i
			m.applyTheme()
			bg := "light"
			if dark {
				bg = "dark"
			}
			m.addToast(ToastMsg{Level: ToastInfo, Text: "Theme: " + m.themes[i].Name + ", to match the terminal's " + bg + " background (t: next theme)"}, m.now())
			return
		}
	}
}

// nextTheme is t: the next theme that can be read on the terminal's
// background, remembered for the next start.
func (m *Model) nextTheme() {
	next := m.theme
	for step := 1; step <= len(m.themes); step++ {
		if i := (m.theme + step) % len(m.themes); m.readable(i) {
			next = i
			break
		}
	}
	m.useTheme(next)
}

// useTheme switches to theme i, announces it and remembers it.
func (m *Model) useTheme(i int) {
	m.theme = i
	m.applyTheme()
	t := m.themes[m.theme]
	desc := t.Name
	if t.Source != "built-in" {
		desc += " (" + t.Source + ")"
	}
	m.addToast(ToastMsg{Level: ToastInfo, Text: "Theme: " + desc}, m.now())
	if m.opts.OnTheme != nil {
		if err := m.opts.OnTheme(t); err != nil {
			m.addToast(ToastMsg{Level: ToastWarning, Text: "Theme not remembered for the next start: " + err.Error()}, m.now())
		}
	}
}

// Theme returns the active theme.
func (m *Model) Theme() themes.Theme { return m.themes[m.theme] }
