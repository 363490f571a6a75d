package main

import (
	"net/http"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/ui"
)

// AkixiProfile is the Akixi section of a config profile.
//
// OWNER: the Akixi work completes this file (subcommand, sim mount, pane).
type AkixiProfile struct{}

func newAkixiCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "akixi", Short: "Akixi (not built yet)", Hidden: true}
}

// mountAkixiSim registers the Akixi simulator on the shared mux.
func mountAkixiSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	return nil, func() {}
}

// newAkixiPane builds the Akixi TUI pane, or nil when it cannot be shown.
func newAkixiPane(env vendorEnv) ui.Pane { return nil }
