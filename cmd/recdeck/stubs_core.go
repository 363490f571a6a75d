package main

// Temporary stubs: the core CLI, watch and TUI work replace these by real
// files (sim.go, get.go, watch.go, tui.go) and delete this file.

import (
	"errors"

	"github.com/spf13/cobra"
)

var errNotBuilt = errors.New("not built yet")

func newSimCmd(g *globals) *cobra.Command   { return &cobra.Command{Use: "sim"} }
func newGetCmd(g *globals) *cobra.Command   { return &cobra.Command{Use: "get"} }
func newSetCmd(g *globals) *cobra.Command   { return &cobra.Command{Use: "set"} }
func newCapsCmd(g *globals) *cobra.Command  { return &cobra.Command{Use: "caps"} }
func newWatchCmd(g *globals) *cobra.Command { return &cobra.Command{Use: "watch"} }
func runTUI(cmd *cobra.Command, g *globals) error {
	return withExit(exitUsage, errNotBuilt)
}
