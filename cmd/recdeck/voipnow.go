package main

import (
	"net/http"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/ui"
)

// VoipNowProfile is the VoipNow section of a config profile.
//
// OWNER: the VoipNow work completes this file (subcommand, sim mount, pane).
type VoipNowProfile struct{}

func newVoipnowCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "voipnow", Short: "VoipNow (not built yet)", Hidden: true}
}

// mountVoipnowSim registers the VoipNow simulator on the shared mux.
func mountVoipnowSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	return nil, func() {}
}

// newVoipnowPane builds the VoipNow TUI pane, or nil when it cannot be shown.
func newVoipnowPane(env vendorEnv) ui.Pane { return nil }
