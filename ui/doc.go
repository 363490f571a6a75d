// Package ui is recdeck's Bubble Tea console: the root model (the frame that
// holds the header, the pane tabs, the footer of key hints, the help screen
// and toasts), the Pane contract every tab satisfies, the key map, and the
// Styles built from the active theme.
//
// ui never speaks HTTP: each pane reaches its recording system through a
// small interface that cmd/recdeck fills with a client from client/..., and
// that tests fill with fakes or with a client pointed at a simulator.
package ui
