package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/safetext"
)

// This file holds what the vendor subcommands and panes (voipnow.go,
// noojee.go, akixi.go) share; each vendor's own rules stay in its file.

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

// setIfGiven replaces *dst with v unless v is empty: a flag or an
// environment variable that was given wins over the profile's setting, one
// that was not leaves it alone.
func setIfGiven(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// exitFor gives a vendor client's error its exit status: nil stays nil, an
// error that already carries a status keeps it, and any other gets
// classify(err). Each vendor's classify is its own table of error types
// (input refused before sending -> exitUsage, and so on).
func exitFor(err error, classify func(error) int) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return withExit(classify(err), err)
}

// printVendorJSON prints v indented, for --json (Noojee and Akixi; VoipNow
// keeps <, > and & unescaped, see voipnowPrintJSON). A value that cannot be
// encoded is exit status 1.
//
// The one JSON writer (safetext.MarshalJSON) escapes control, C1 and bidi
// characters, which encoding/json leaves raw.
func printVendorJSON(w io.Writer, v any) error {
	b, err := safetext.MarshalJSON(v, "  ", true)
	if err != nil {
		return withExit(exitAPI, err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// signalContext is the command's context, cancelled by SIGINT (Ctrl+C) or
// SIGTERM, so a pending request, a download or a question ends cleanly
// (no partial file, nothing half done) instead of the process being
// killed mid-way. The caller defers stop.
func signalContext(cmd *cobra.Command) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}
