package ui_test

import (
	"image/color"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

var (
	black = color.RGBA{0, 0, 0, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// On a dark terminal t cycles only through themes that read on it, and
// each choice is handed to OnTheme to be remembered; on a light terminal
// the console starts with the light theme.
func TestThemeFollowsTheTerminalBackground(t *testing.T) {
	var chosen []string
	m, _, _, d, _ := setup(t, ui.Options{OnTheme: func(th themes.Theme) error { chosen = append(chosen, th.Name); return nil }})
	d.Send(tea.BackgroundColorMsg{Color: black})
	if m.Theme().Name != "dark" {
		t.Fatalf("dark terminal: theme %s", m.Theme().Name)
	}
	var seen []string
	for range 8 {
		d.Press("t")
		seen = append(seen, m.Theme().Name)
		if m.Theme().Name == "light" {
			t.Fatalf("t cycled into the light theme on a dark terminal: %v", seen)
		}
	}
	if len(chosen) != 8 || chosen[7] != seen[7] {
		t.Fatalf("remembered %v, chosen %v", chosen, seen)
	}

	m, _, _, d, _ = setup(t, ui.Options{})
	d.Send(tea.BackgroundColorMsg{Color: white})
	if m.Theme().Name != "light" {
		t.Fatalf("light terminal: theme %s", m.Theme().Name)
	}
	for range 6 {
		d.Press("t")
		if n := m.Theme().Name; n == "dark" || n == "colorblind" {
			t.Fatalf("t cycled into %s on a light terminal", n)
		}
	}
}

// A terminal that does not say its background is taken to be dark: t
// never cycles into the light theme there.
func TestThemeCycleOnASilentTerminal(t *testing.T) {
	m, _, _, d, _ := setup(t, ui.Options{})
	for range 8 {
		d.Press("t")
		if m.Theme().Name == "light" {
			t.Fatal("t cycled into the light theme on a terminal that did not answer")
		}
	}
	d.Send(ui.SetThemeMsg{Name: "light"}) // an explicit choice is honoured
	if m.Theme().Name != "light" {
		t.Fatalf("theme %s", m.Theme().Name)
	}
}

// A configured theme is kept whatever the background; a remembered one is
// kept when it reads on it, and replaced when it does not.
func TestConfiguredAndRememberedThemes(t *testing.T) {
	light := 1 // builtin order: dark, light, high-contrast, colorblind
	m, _, _, d, _ := setup(t, ui.Options{Theme: light, ThemeConfigured: true})
	d.Send(tea.BackgroundColorMsg{Color: black})
	if m.Theme().Name != "light" {
		t.Fatalf("configured light replaced by %s", m.Theme().Name)
	}
	m, _, _, d, _ = setup(t, ui.Options{Theme: 3, ThemeRemembered: true})
	d.Send(tea.BackgroundColorMsg{Color: black})
	if m.Theme().Name != "colorblind" {
		t.Fatalf("remembered colorblind replaced by %s", m.Theme().Name)
	}
	m, _, _, d, _ = setup(t, ui.Options{Theme: 3, ThemeRemembered: true})
	d.Send(tea.BackgroundColorMsg{Color: white})
	if m.Theme().Name != "light" {
		t.Fatalf("remembered colorblind on a light terminal: %s", m.Theme().Name)
	}
}
