package main

// tui.go is `recdeck` with no subcommand: the full-screen supervisor
// console (package ui). With no server configured it is a demo: every
// simulator starts in-process on 127.0.0.1 (a random port) with the
// Anywhere365 call generator, and the console connects to it through real
// HTTP and SignalR like it would to a real server, with a DEMO badge.
//
// newConsole assembles the console (profile, theme, client, tracker, hub
// listener, audit log, panes) and runTUI runs it in the terminal; tests
// (tui_faults_test.go, tui_security_test.go) drive the same assembly
// through Update and View with no terminal. --insecure-skip-verify shows a
// TLS-INSECURE badge in the header while active, and the warning about a
// config file others can read is shown on screen as well as on stderr.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
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
	f.Duration("payment-max", sessions.DefaultPaymentMax, "old name of --max-pause (payment mode resumes a paused recording after this long)")
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
	if p.PaymentMax != 0 {
		s.paymentMax = p.PaymentMax
	}
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
	if f.Changed("payment-max") {
		s.paymentMax, _ = f.GetDuration("payment-max")
	}
	if s.paymentMax <= 0 {
		return s, fmt.Errorf("the payment mode maximum (--payment-max or payment_max) must be positive, got %v", s.paymentMax)
	}
	return s, nil
}

// auditFailure stands in for the audit log when it cannot be opened: every
// action then reports, visibly, that it was not audited.
type auditFailure struct{ err error }

func (a auditFailure) Append(audit.Record) error { return a.err }

// consoleOptions are what tests change in the console's wiring.
type consoleOptions struct {
	// tick is the frame's interval: 0 is ui.FrameRate; negative turns the
	// ticker off (tests send ui.TickMsg themselves).
	tick time.Duration
}

// console is the assembled TUI: the model Bubble Tea runs and what runs
// behind it (simulators in the demo, the hub listener and tracker, the
// audit log). runTUI runs it in a terminal; tests drive its model through
// Update and View with no terminal at all.
type console struct {
	model   *monitored
	frame   *ui.Model
	pacer   *ui.RenderPacer
	pane    *sessions.Pane
	client  *anywhere365.Client
	tracker *anywhere365.Tracker
	guard   *anywhere365.PauseGuard
	cancel  context.CancelFunc
	mon     *monitorResult
	closers []func()
	once    sync.Once
}

// close stops the listener and tracker (waiting at most 2 s: the terminal
// is already restored and a stuck connection may not delay the exit more),
// then the audit log and the demo's simulators.
func (c *console) close() {
	c.once.Do(func() {
		c.cancel()
		select {
		case <-c.mon.done:
		case <-time.After(2 * time.Second):
		}
		for i := len(c.closers) - 1; i >= 0; i-- {
			c.closers[i]()
		}
	})
}

// exitCloseWait bounds the clean-up after the screen has closed: the
// process is exiting, every audit line is already fsynced, and the OS
// closes whatever sockets remain, so a quit never hangs on, say, the demo
// hub waiting for websocket handlers.
const exitCloseWait = time.Second

// closeWithin closes the console, waiting at most d for it to finish.
func closeWithin(c *console, d time.Duration) {
	done := make(chan struct{})
	go func() {
		c.close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// exitResumeWait bounds the resume of payment pauses on exit (q after y,
// ctrl+c twice, SIGTERM, SIGHUP): long enough for a few retries, short
// enough for a service manager's stop timeout.
const exitResumeWait = 8 * time.Second

// resumeOnExit resumes every payment pause still under way before the
// console exits, waiting at most d; it says on stderr what it did.
func resumeOnExit(c *console, d time.Duration) error {
	if c.guard == nil || len(c.guard.OpenPayment()) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := c.guard.ResumeAll(ctx); err != nil {
		return fmt.Errorf("payment pause not resumed before exiting: %w", err)
	}
	fmt.Fprintln(os.Stderr, "recdeck: payment pause resumed before exiting")
	return nil
}

func runTUI(cmd *cobra.Command, g *globals) error {
	// Nothing may write to the terminal behind Bubble Tea's back: the
	// standard logger (used by net/http's server in the demo) is silenced
	// while the console runs.
	prevLog := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(prevLog)

	c, err := newConsole(cmd.Context(), cmd, g, consoleOptions{})
	if err != nil {
		return err
	}
	prog := tea.NewProgram(c.model, tea.WithContext(cmd.Context()))
	c.pacer.Attach(prog) // the renderer sleeps while the screen does not change
	// SIGHUP (the terminal went away) ends the program like q; Bubble Tea
	// turns SIGTERM into a quit itself (catching it here too would race its
	// handler, which then blocks its shutdown for ever). Either way the
	// exit path below resumes any payment pause first.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP)
	stopSigs := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			prog.Quit()
		case <-stopSigs:
		}
	}()
	_, runErr := prog.Run()
	close(stopSigs)
	resumeErr := resumeOnExit(c, exitResumeWait)
	signal.Stop(sigs)
	closeWithin(c, exitCloseWait)
	if resumeErr != nil {
		return withExit(exitNetwork, resumeErr)
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrInterrupted) && !errors.Is(runErr, tea.ErrProgramKilled) &&
		!errors.Is(runErr, context.Canceled) {
		return withExit(exitUsage, fmt.Errorf("console: %w", runErr))
	}
	return nil
}

// newConsole resolves the profile and settings and builds the console: on
// error nothing is left running.
func newConsole(parent context.Context, cmd *cobra.Command, g *globals, opts consoleOptions) (c *console, err error) {
	// A config file holding secrets that others can read is reported on
	// stderr by profile(); the console's alternate screen would hide that
	// line, so it is also shown on screen (it names keys, never values).
	var warned bytes.Buffer
	errOut := cmd.ErrOrStderr()
	cmd.SetErr(io.MultiWriter(errOut, &warned))
	p, err := g.profile()
	cmd.SetErr(errOut)
	if err != nil {
		return nil, err
	}
	var startup []ui.ToastMsg
	for _, line := range strings.Split(strings.TrimSpace(warned.String()), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			startup = append(startup, ui.ToastMsg{Level: ui.ToastWarning, Text: screenWarning(line), For: 30 * time.Second})
		}
	}
	set, err := readTUISettings(cmd, p)
	if err != nil {
		return nil, withExit(exitUsage, err)
	}

	// Themes: the built-in ones and the user's; a bad user file is reported
	// on screen unless it is the one asked for, which is an error.
	list, themeErrs := themes.LoadAll(themes.UserDir())
	for _, e := range themeErrs {
		startup = append(startup, ui.ToastMsg{Level: ui.ToastWarning, Text: e.Error(), For: 15 * time.Second})
	}
	// No theme asked for: the one last chosen with t, if it still exists;
	// else the frame picks one that matches the terminal's background.
	configured, remembered := set.theme != "", false
	if !configured {
		if name := themes.Remembered(); name != "" {
			if _, err := themes.Select(list, name); err == nil {
				set.theme, remembered = name, true
			}
		}
	}
	th, err := themes.Select(list, set.theme)
	if err != nil {
		return nil, withExit(exitUsage, err)
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

	ctx, cancel := context.WithCancel(parent)
	c = &console{cancel: cancel, mon: &monitorResult{done: make(chan struct{})}}
	// built, not c: an error return sets c to nil before this runs.
	built := c
	defer func() {
		if err != nil {
			close(built.mon.done) // the monitor never started
			built.close()
		}
	}()

	demo := p.BaseURL == ""
	if demo {
		st, err := startSims("127.0.0.1:0", demoSeed, demoCalls)
		if err != nil {
			return nil, withExit(exitNetwork, err)
		}
		c.closers = append(c.closers, st.Close)
		p = st.CoreProfile(p)
	}
	client, err := g.coreClient(p)
	if err != nil {
		return nil, err
	}

	var aud sessions.Auditor
	auditPath := "not written"
	var vendorAudit vendorAuditor // the vendor panes' actions go to the same log
	if path, err := audit.DefaultPath(); err != nil {
		aud = auditFailure{err}
		startup = append(startup, ui.ToastMsg{Level: ui.ToastError, Text: err.Error(), For: 30 * time.Second})
	} else if l, err := audit.Open(path); err != nil {
		aud = auditFailure{err}
		startup = append(startup, ui.ToastMsg{Level: ui.ToastError, Text: err.Error() + ": actions will not be audited", For: 30 * time.Second})
	} else {
		c.closers = append(c.closers, func() { l.Close() })
		aud = l
		auditPath = path
		vendorAudit = l
	}

	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client, ReadBudget: p.Hub.ReadBudget}) // its retry cap (1 s) keeps the screen within 2 s of the truth after an outage
	if l, ok := aud.(*audit.Log); ok {
		if t := reportDangling(l, client.BaseURL(), tracker); t != nil {
			startup = append(startup, *t)
		}
	}
	if !demo {
		// The journal of the live sessions known for this server: they are
		// re-read before the first event (the demo's simulator is new on
		// every run, so it keeps none).
		startup = append(startup, startJournal(ctx, c, p.BaseURL, tracker)...)
	}

	// The compliance policy, its flags and alerts, and the pause guard that
	// owns pause deadlines (payment mode's and the policy's) outside the
	// screen. --payment-max is the old name of --max-pause.
	if cmd.Flags().Changed("payment-max") && g.maxPause == 0 {
		g.maxPause = set.paymentMax
	}
	policies, err := g.policies(p)
	if err != nil {
		return nil, err
	}
	book := anywhere365.NewCompliance(policies)
	var paneRef atomic.Pointer[sessions.Pane]
	guard := anywhere365.NewPauseGuard(anywhere365.GuardConfig{
		Source: tracker, Policies: policies, Compliance: book,
		Resume: func(ctx context.Context, key anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error) {
			return paneRef.Load().AutoResume(ctx, key, trigger)
		},
	})

	profileName := g.profileName
	if demo {
		profileName = "demo"
	}
	var themeNames []string // what ":theme" completes
	for _, t := range list {
		themeNames = append(themeNames, t.Name)
	}
	pane := sessions.New(sessions.Config{
		ThemeNames: themeNames,
		Source:     tracker,
		API:        client,
		Requester:  p.SIP,
		Profile:    profileName,
		Audit:      aud,
		PaymentMax: policies.Base().MaxPause,
		Guard:      guard,
		Compliance: book,
		Bell:       policies.Base().Bell,
	})
	paneRef.Store(pane)
	panes := []ui.Pane{pane}
	env := vendorEnv{BaseURL: p.BaseURL, Demo: demo, Profile: p, HTTPClient: g.httpClient(p),
		Audit: vendorAudit, ProfileName: profileName, Requester: p.SIP,
		AddCloser: func(f func()) { c.closers = append(c.closers, f) }}
	for _, newPane := range []func(vendorEnv) ui.Pane{newVoipnowPane, newNoojeePane, newAkixiPane} {
		if vp := newPane(env); vp != nil {
			panes = append(panes, vp)
		}
	}
	// The profile's keys: map rebinds the frame and every pane in one pass,
	// once they all exist: a name any of them knows is accepted, and a bad
	// entry is refused before the screen opens (and before the hub listener
	// starts, so nothing is left running).
	frameKeys := ui.DefaultKeyMap()
	if err := ui.RebindAll(p.Keys, &frameKeys, panes...); err != nil {
		return nil, withExit(exitUsage, fmt.Errorf("config profile: %w", err))
	}

	pacer := ui.NewRenderPacer()
	go releaseAfterDrops(ctx, tracker.Len, 5*time.Second, freeOSMemory) // memory.go: flat after the calls end
	mon := c.mon
	guardDone := make(chan struct{})
	go func() {
		guard.Run(ctx)
		close(guardDone)
	}()
	c.closers = append(c.closers, func() { <-guardDone }) // ctx is cancelled first
	go func() {
		mon.err = anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{
			HTTPClient: g.httpClient(p), MaxMessageSize: p.Hub.MaxMessageSize})
		close(mon.done)
	}()
	frame := ui.New(ui.Options{
		Server:     displayURL(p.BaseURL), // watch.go's: no user info or query on screen
		Profile:    g.profileName,
		APIVersion: client.APIVersion(),
		Demo:       demo,
		Insecure:   p.InsecureSkipVerify,
		Themes:     list,
		Theme:      themeIdx,
		NoColor:    set.noColor,
		// Remembered in a state file: the config file is never rewritten.
		ThemeConfigured: configured,
		ThemeRemembered: remembered,
		OnTheme:         func(t themes.Theme) error { return themes.Remember(t.Name) },
		Keys:            &frameKeys,
		Startup:         startup,
		Tick:            opts.tick,
		AuditLog:        auditPath,
		Wake:            tracker.Changed(), // a frame when the sessions change, not on a fixed tick
		Done:            ctx.Done(),
		Pacer:           pacer,
	}, panes...)
	c.model = &monitored{Model: frame, mon: mon}
	c.frame, c.pane, c.client, c.tracker, c.guard, c.pacer = frame, pane, client, tracker, guard, pacer
	return c, nil
}

// startJournal loads the session journal of baseURL into tracker (Watch,
// so each is re-read) and keeps it written until ctx ends; the console's
// close waits for the last write. A damaged journal is set aside and
// reported, never fatal.
func startJournal(ctx context.Context, c *console, baseURL string, tracker *anywhere365.Tracker) []ui.ToastMsg {
	var toasts []ui.ToastMsg
	path, err := anywhere365.JournalPath(baseURL)
	if err != nil {
		return append(toasts, ui.ToastMsg{Level: ui.ToastWarning, Text: err.Error() + ": known sessions will not survive a restart", For: 15 * time.Second})
	}
	keys, err := anywhere365.LoadJournal(path)
	if err != nil {
		toasts = append(toasts, ui.ToastMsg{Level: ui.ToastWarning, Text: err.Error(), For: 30 * time.Second})
	}
	for _, k := range keys {
		tracker.Watch(k)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		anywhere365.RunJournal(ctx, path, tracker, 0, nil)
	}()
	c.closers = append(c.closers, func() { <-done })
	return toasts
}

// exposedConfig matches profile()'s warning about a config file others can
// read (globals.go).
var exposedConfig = regexp.MustCompile(`^config file (.+) holds secrets \((.+)\) and is readable by group or others; run: (chmod 600 .+)$`)

// screenWarning turns a warning line from stderr into a toast's text: the
// toast line is one line, so what matters (which secrets, what to do) comes
// before the path, which may be long.
func screenWarning(line string) string {
	line = strings.TrimPrefix(strings.TrimPrefix(line, "recdeck: "), "warning: ")
	if m := exposedConfig.FindStringSubmatch(line); m != nil {
		return "secrets (" + m[2] + ") in a config file others can read: run " + m[3]
	}
	return line
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

// reportDangling finds the attempts the last run left without an outcome
// (the console or `recdeck set` was killed between sending and recording
// the answer), records their outcome as unknown so they are reported once,
// has the tracker re-read those of this server, and returns the toast that
// says so (nil when there are none).
func reportDangling(l *audit.Log, server string, tracker *anywhere365.Tracker) *ui.ToastMsg {
	recs, err := audit.ReadTail(l.Path(), audit.DanglingTailBytes)
	if err != nil {
		return &ui.ToastMsg{Level: ui.ToastWarning, Text: "audit log not read: " + err.Error(), For: 30 * time.Second}
	}
	dangling := audit.Dangling(recs)
	if len(dangling) == 0 {
		return nil
	}
	for _, d := range dangling {
		r := d
		r.Time, r.Phase, r.Outcome = time.Time{}, audit.PhaseOutcome, audit.OutcomeUnknown
		r.Source = audit.SourceConsole
		r.ErrorMessage = "no outcome recorded: the program ended after sending; reported and re-read at the next start"
		_ = l.Append(r) // best effort: at worst it is reported again next time
		if (r.Vendor == "" || r.Vendor == "anywhere365") && (r.Server == "" || r.Server == server) && r.CorrelationID != "" {
			tracker.Watch(anywhere365.SessionKey{UCC: r.UCC, CorrelationID: r.CorrelationID})
		}
	}
	text := fmt.Sprintf("%d actions from the last run have no recorded outcome: re-reading", len(dangling))
	if len(dangling) == 1 {
		d := dangling[0]
		text = fmt.Sprintf("1 action from the last run has no recorded outcome (%s %s/%s): re-reading",
			safetext.Out(d.Action), safetext.Out(d.UCC), safetext.Out(d.CorrelationID)) // the log is a file anyone with access may have edited
	}
	return &ui.ToastMsg{Level: ui.ToastWarning, Text: text, For: time.Minute}
}
