package main

import (
	"net/http"
)

// vendorEnv is what a vendor's subcommand, simulator mount and TUI pane are
// given: where the server is, whether this is the demo (simulators started
// in-process), the resolved profile, and an HTTP client that honours the
// TLS choice.
type vendorEnv struct {
	BaseURL    string
	Demo       bool
	Profile    Profile
	HTTPClient *http.Client
}

// simMount registers one vendor's simulator routes on the shared mux that
// `recdeck sim` and the demo serve. baseURL is the listener's URL. It returns
// the lines the sim banner prints for that vendor (URLs, demo credentials)
// and a stop function.
type simMount func(mux *http.ServeMux, baseURL string, seed int64) (banner []string, stop func())
