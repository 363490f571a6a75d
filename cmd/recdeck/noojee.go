package main

import (
	"net/http"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/ui"
)

// NoojeeProfile is the Noojee section of a config profile.
//
// OWNER: the Noojee work completes this file (subcommand, sim mount, pane).
type NoojeeProfile struct{}

func newNoojeeCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "noojee", Short: "Noojee (not built yet)", Hidden: true}
}

// mountNoojeeSim registers the Noojee simulator on the shared mux.
func mountNoojeeSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	return nil, func() {}
}

// newNoojeePane builds the Noojee TUI pane, or nil when it cannot be shown.
func newNoojeePane(env vendorEnv) ui.Pane { return nil }
