package main

// tui.go is `recdeck` with no subcommand: the full-screen supervisor
// console (package ui). With no server configured it is a demo: every
// simulator starts in-process on 127.0.0.1 (a random port) with the
// Anywhere365 call generator, and the console connects to it through real
// HTTP and SignalR like it would to a real server, with a DEMO badge.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/sessions"
)

// Demo settings: the simulator's seed (same seed, same calls) and how many
// calls its generator keeps going.
const (
	demoSeed  = 1
	demoCalls = 12
)

// bindTUIFlags registers the console's flags on the root command:
// --theme, --no-color and --payment-max. runTUI reads them back by name,
// so a root without them (in tests) simply gets the defaults.
func bindTUIFlags(root *cobra.Command) {
	f := root.Flags()
	f.String("theme", "", "console theme: dark (default), light, high-contrast, colorblind, a user theme's name, or a .yaml file")
	f.Bool("no-color", false, "draw without colour (also when NO_COLOR is set); states keep their words and symbols")
	f.Duration("payment-max", sessions.DefaultPaymentMax, "payment mode resumes a paused recording after this long")
}

// tuiSettings are the console's own settings, from flags, the profile and
// the environment.
type tuiSettings struct {
	theme      string
	noColor    bool
	paymentMax time.Duration
}

func readTUISettings(cmd *cobra.Command, p Profile) (tuiSettings, error) {
	s := tuiSettings{theme: p.Theme, paymentMax: sessions.DefaultPaymentMax}
	f := cmd.Flags()
	if v, err := f.GetString("theme"); err == nil && v != "" {
		s.theme = v
	}
	if v, err := f.GetBool("no-color"); err == nil {
		s.noColor = v
	}
	if os.Getenv("NO_COLOR") != "" { // https://no-color.org: any non-empty value
		s.noColor = true
	}
	if v, err := f.GetDuration("payment-max"); err == nil {
		if v <= 0 {
			return s, fmt.Errorf("--payment-max must be positive, got %v", v)
		}
		s.paymentMax = v
	}
	return s, nil
}

// auditFailure stands in for the audit log when it cannot be opened: every
// action then reports, visibly, that it was not audited.
type auditFailure struct{ err error }

func (a auditFailure) Append(audit.Record) error { return a.err }

func runTUI(cmd *cobra.Command, g *globals) error {
	p, err := g.profile()
	if err != nil {
		return err
	}
	set, err := readTUISettings(cmd, p)
	if err != nil {
		return withExit(exitUsage, err)
	}

	// Themes: the built-in ones and the user's; a bad user file is reported
	// on screen unless it is the one asked for, which is an error.
	var startup []ui.ToastMsg
	list, themeErrs := themes.LoadAll(themes.UserDir())
	for _, e := range themeErrs {
		startup = append(startup, ui.ToastMsg{Level: ui.ToastWarning, Text: e.Error(), For: 15 * time.Second})
	}
	th, err := themes.Select(list, set.theme)
	if err != nil {
		return withExit(exitUsage, err)
	}
	themeIdx := -1
	for i, t := range list {
		if t.Name == th.Name && t.Source == th.Source {
			themeIdx = i
		}
	}
	if themeIdx < 0 { // a file given by path: cycle through it too
		list = append(list, th)
		themeIdx = len(list) - 1
	}

	paneKeys, frameKeys := sessions.DefaultKeyMap(), ui.DefaultKeyMap()
	if err := ui.Rebind(p.Keys, &paneKeys, &frameKeys); err != nil {
		return withExit(exitUsage, fmt.Errorf("config profile: %w", err))
	}

	// Nothing may write to the terminal behind Bubble Tea's back: the
	// standard logger (used by net/http's server in the demo) is silenced
	// while the console runs.
	prevLog := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(prevLog)

	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()

	demo := p.BaseURL == ""
	if demo {
		st, err := startSims("127.0.0.1:0", demoSeed, demoCalls)
		if err != nil {
			return withExit(exitNetwork, err)
		}
		defer st.Close()
		p = st.CoreProfile(p)
	}
	client, err := g.coreClient(p)
	if err != nil {
		return err
	}

	var aud sessions.Auditor
	if path, err := audit.DefaultPath(); err != nil {
		aud = auditFailure{err}
		startup = append(startup, ui.ToastMsg{Level: ui.ToastError, Text: err.Error(), For: 30 * time.Second})
	} else if l, err := audit.Open(path); err != nil {
		aud = auditFailure{err}
		startup = append(startup, ui.ToastMsg{Level: ui.ToastError, Text: err.Error() + ": actions will not be audited", For: 30 * time.Second})
	} else {
		defer l.Close()
		aud = l
	}

	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client})
	mon := &monitorResult{done: make(chan struct{})}
	go func() {
		mon.err = anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{HTTPClient: g.httpClient(p)})
		close(mon.done)
	}()

	profileName := g.profileName
	if demo {
		profileName = "demo"
	}
	pane := sessions.New(sessions.Config{
		Source:     tracker,
		API:        client,
		Requester:  p.SIP,
		Profile:    profileName,
		Audit:      aud,
		Keys:       &paneKeys,
		PaymentMax: set.paymentMax,
	})
	panes := []ui.Pane{pane}
	env := vendorEnv{BaseURL: p.BaseURL, Demo: demo, Profile: p, HTTPClient: g.httpClient(p)}
	for _, newPane := range []func(vendorEnv) ui.Pane{newVoipnowPane, newNoojeePane, newAkixiPane} {
		if vp := newPane(env); vp != nil {
			panes = append(panes, vp)
		}
	}
	frame := ui.New(ui.Options{
		Server:     displayURL(p.BaseURL), // watch.go's: no user info or query on screen
		Profile:    g.profileName,
		APIVersion: client.APIVersion(),
		Demo:       demo,
		Insecure:   p.InsecureSkipVerify,
		Themes:     list,
		Theme:      themeIdx,
		NoColor:    set.noColor,
		Keys:       &frameKeys,
		Startup:    startup,
	}, panes...)

	prog := tea.NewProgram(&monitored{Model: frame, mon: mon}, tea.WithContext(ctx))
	_, runErr := prog.Run()
	cancel()
	// Let the listener and tracker stop (they end with ctx); the terminal
	// is already restored, and a stuck connection may not delay the exit
	// by more than this.
	select {
	case <-mon.done:
	case <-time.After(2 * time.Second):
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrInterrupted) && !errors.Is(runErr, tea.ErrProgramKilled) &&
		!errors.Is(runErr, context.Canceled) {
		return withExit(exitUsage, fmt.Errorf("console: %w", runErr))
	}
	return nil
}

// monitored wraps the frame to report, as a toast, a hub listener that
// stopped on its own (e.g. a hub URL that can never work); the header then
// shows the connection closed.
type monitored struct {
	*ui.Model
	mon *monitorResult
}

// monitorResult is Monitor's outcome: err is set before done is closed.
type monitorResult struct {
	done chan struct{}
	err  error
}

type monitorStoppedMsg struct{ err error }

func (m *monitored) Init() tea.Cmd {
	return tea.Batch(m.Model.Init(), func() tea.Msg {
		<-m.mon.done
		return monitorStoppedMsg{m.mon.err}
	})
}

func (m *monitored) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(monitorStoppedMsg); ok {
		if s.err == nil {
			return m, nil
		}
		msg = ui.ToastMsg{Level: ui.ToastError, Text: "hub listener stopped: " + s.err.Error(), For: time.Minute}
	}
	_, cmd := m.Model.Update(msg)
	return m, cmd
}
