package main

// tui.go is `recdeck` with no subcommand: the full-screen supervisor
// console (package ui). With no server configured it is a demo: every
// simulator starts in-process on 127.0.0.1 (a random port) with the
// Anywhere365 call generator, and the console connects to it through real
// HTTP and SignalR like it would to a real server, with a DEMO badge.
// runTUI holds the demo's simulators (listening, not yet built or serving)
// until the first whole frame is drawn, so the frame comes first.
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
	"slices"
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
	model *monitored
	frame *ui.Model
	pacer *ui.RenderPacer
	pane  *sessions.Pane
	// client, tracker and guard are the first followed server's.
	client  *anywhere365.Client
	tracker *anywhere365.Tracker
	guard   *anywhere365.PauseGuard
	cancel  context.CancelFunc
	closers []func()
	once    sync.Once

	// set is the servers followed now (follow.go); ":profile" replaces it.
	mu  sync.Mutex
	set []*followed
}

// followedSet is the servers followed now.
func (c *console) followedSet() []*followed {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set
}

// close stops every followed server (each waiting at most 2 s for its
// listener: the terminal is already restored and a stuck connection may
// not delay the exit more), then the audit log and the vendor panes'
// simulators.
func (c *console) close() {
	c.once.Do(func() {
		c.cancel()
		stopAll(c.followedSet())
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
// console exits, waiting at most d; it says on stderr what it did. A
// payment pause still on its way when the console quit is waited for
// first, and its state asked of the server (its answer went to a screen
// that had gone): paused, it is resumed like the others, so a pause the
// server applies just after the quit does not stay on for good.
func resumeOnExit(c *console, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var errs []error
	resumed := false
	for _, f := range c.followedSet() {
		if f.guard == nil {
			continue
		}
		sent := f.guard.WaitSent(ctx)
		if len(sent) > 0 && ctx.Err() != nil {
			var names []string
			for _, k := range sent {
				names = append(names, k.UCC+"/"+k.CorrelationID)
			}
			errs = append(errs, fmt.Errorf("payment pause still on its way, not confirmed: %s", strings.Join(names, ", ")))
			continue
		}
		for _, key := range sent {
			resp, err := f.client.GetState(ctx, key.UCC, key.CorrelationID)
			switch {
			case anywhere365.IsSessionNotFound(err): // the call ended: nothing left to resume
			case err != nil:
				errs = append(errs, fmt.Errorf("payment pause sent on %s/%s, its state not confirmed: %w", key.UCC, key.CorrelationID, err))
			case resp.RecordingState == anywhere365.RecordingPaused:
				f.tracker.RecordAction(key, anywhere365.ActionPause, resp, nil)
			}
		}
		if len(f.guard.OpenPayment()) == 0 {
			continue
		}
		resumed = true
		if err := f.guard.ResumeAll(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("payment pause not resumed before exiting: %w", err)
	}
	if resumed {
		fmt.Fprintln(os.Stderr, "recdeck: payment pause resumed before exiting")
	}
	return nil
}

func runTUI(cmd *cobra.Command, g *globals) error {
	// Nothing may write to the terminal behind Bubble Tea's back: the
	// standard logger (used by net/http's server in the demo) is silenced
	// while the console runs.
	prevLog := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(prevLog)

	// The demo's simulators listen at once but are built and served once
	// the first frame is on screen (sim.go's holdSims).
	firstFrame := make(chan struct{})
	unhold := holdSims(firstFrame)
	go settleProcs(cmd.Context(), firstFrame) // startup.go: one thread once the first frame is on screen
	c, err := newConsole(cmd.Context(), cmd, g, consoleOptions{})
	unhold()
	if err != nil {
		return err
	}
	c.model.firstFrame = firstFrame
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
	nps, err := g.consoleProfiles()
	cmd.SetErr(errOut)
	if err != nil {
		return nil, err
	}
	p := nps[0].Profile
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
	columns, err := profileColumns(p) // columns.go
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
	c = &console{cancel: cancel}
	// built, not c: an error return sets c to nil before this runs.
	built := c
	defer func() {
		if err != nil {
			built.close()
		}
	}()

	var aud sessions.Auditor
	auditPath := "not written"
	var auditLog *audit.Log // the vendor panes' actions go to the same log
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
		auditLog = l
	}

	// --payment-max is the old name of --max-pause.
	if cmd.Flags().Changed("payment-max") && g.maxPause == 0 {
		g.maxPause = set.paymentMax
	}
	// The servers followed: each with its own client, store, listener,
	// journal, guard and compliance book (follow.go).
	var paneRef atomic.Pointer[sessions.Pane]
	stopped := make(chan monitorStoppedMsg, 1)
	wake := make(chan struct{}, 1)
	env := followEnv{g: g, stopped: stopped, wake: wake,
		resume: func(ctx context.Context, key anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error) {
			return paneRef.Load().AutoResume(ctx, key, trigger)
		}}
	followSet, toasts, err := follow(ctx, env, nps, nil)
	if err != nil {
		return nil, err
	}
	c.set = followSet
	startup = append(startup, toasts...)
	if auditLog != nil {
		if t := reportDangling(auditLog, followSet); t != nil {
			startup = append(startup, *t)
		}
	}
	first := followSet[0]
	p = first.profile // the demo's simulator laid over: the vendor panes use it too
	demo := first.demo

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
		Servers:    servers(followSet),
		Requester:  p.SIP,
		Profile:    profileName,
		Audit:      aud,
		PaymentMax: first.policies.Base().MaxPause,
		Bell:       first.policies.Base().Bell,
		Profiles:   g.configProfiles(),
		SwitchProfile: func(names []string) ([]sessions.Server, ui.SetServerMsg, error) {
			return c.switchTo(ctx, env, names)
		},
		Columns:   columns,
		OnColumns: columnSaver(g.profileName),
	})
	paneRef.Store(pane)
	panes := []ui.Pane{pane}
	var vendorAudit vendorAuditor
	if auditLog != nil {
		vendorAudit = auditLog
	}
	venv := vendorEnv{BaseURL: p.BaseURL, Demo: demo, Profile: p, HTTPClient: g.httpClient(p),
		Audit: vendorAudit, ProfileName: profileName, Requester: p.SIP,
		AddCloser: func(f func()) { c.closers = append(c.closers, f) }}
	for _, newPane := range []func(vendorEnv) ui.Pane{newVoipnowPane, newNoojeePane, newAkixiPane} {
		if vp := newPane(venv); vp != nil {
			panes = append(panes, vp)
		}
	}
	// The profile's keys: map rebinds the frame and every pane in one pass,
	// once they all exist: a name any of them knows is accepted, and a bad
	// entry is refused before the screen opens.
	frameKeys := ui.DefaultKeyMap()
	if err := ui.RebindAll(p.Keys, &frameKeys, panes...); err != nil {
		return nil, withExit(exitUsage, fmt.Errorf("config profile: %w", err))
	}

	pacer := ui.NewRenderPacer()
	header := headerOf(followSet, g.profileName)
	frame := ui.New(ui.Options{
		Server:     header.Server, // watch.go's displayURL: no user info or query on screen
		Profile:    header.Profile,
		APIVersion: header.APIVersion,
		Demo:       header.Demo,
		Insecure:   p.InsecureSkipVerify,
		Themes:     list,
		Theme:      themeIdx,
		NoColor:    set.noColor,
		// Remembered in a state file: the config file is rewritten only for the columns chosen with C.
		ThemeConfigured: configured,
		ThemeRemembered: remembered,
		OnTheme:         func(t themes.Theme) error { return themes.Remember(t.Name) },
		Keys:            &frameKeys,
		Startup:         startup,
		Tick:            opts.tick,
		AuditLog:        auditPath,
		Wake:            wake, // a frame when the sessions change, not on a fixed tick
		Done:            ctx.Done(),
		Pacer:           pacer,
	}, panes...)
	c.model = &monitored{Model: frame, stopped: stopped}
	c.frame, c.pane, c.pacer = frame, pane, pacer
	c.client, c.tracker, c.guard = first.client, first.tracker, first.guard
	return c, nil
}

// switchTo makes the console follow the named profiles (":profile"):
// servers followed already go on as they are (their sessions stay), new
// ones start, the others stop in the background (a stuck listener may
// take 2 s), and the pane is handed the new set.
func (c *console) switchTo(ctx context.Context, env followEnv, names []string) ([]sessions.Server, ui.SetServerMsg, error) {
	nps, err := env.g.switchProfiles(names)
	if err != nil {
		return nil, ui.SetServerMsg{}, err
	}
	c.mu.Lock()
	old := c.set
	c.mu.Unlock()
	set, _, err := follow(ctx, env, nps, old)
	if err != nil {
		return nil, ui.SetServerMsg{}, err
	}
	c.mu.Lock()
	c.set = set
	c.mu.Unlock()
	var dropped []*followed
	for _, f := range old {
		if !slices.Contains(set, f) {
			dropped = append(dropped, f)
		}
	}
	go stopAll(dropped)
	profile := ""
	if len(set) == 1 {
		profile = set[0].name
	}
	return servers(set), headerOf(set, profile), nil
}

// startJournal loads the session journal of baseURL into f's tracker
// (Watch, so each is re-read) and keeps it written until ctx ends; f's
// stop waits for the last write. A damaged journal is set aside and
// reported, never fatal.
func startJournal(ctx context.Context, f *followed, baseURL string) []ui.ToastMsg {
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
		f.tracker.Watch(k)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		anywhere365.RunJournal(ctx, path, f.tracker, 0, nil)
	}()
	f.closers = append(f.closers, func() { <-done })
	return toasts
}

// exposedConfig matches profile()'s warning about a config file others can
// read (globals.go).
var exposedConfig = sync.OnceValue(func() *regexp.Regexp { // compiled on first use, not at every start
	return regexp.MustCompile(`^config file (.+) holds secrets \((.+)\) and is readable by group or others; run: (chmod 600 .+)$`)
})

// screenWarning turns a warning line from stderr into a toast's text: the
// toast line is one line, so what matters (which secrets, what to do) comes
// before the path, which may be long.
func screenWarning(line string) string {
	line = strings.TrimPrefix(strings.TrimPrefix(line, "recdeck: "), "warning: ")
	if m := exposedConfig().FindStringSubmatch(line); m != nil {
		return "secrets (" + m[2] + ") in a config file others can read: run " + m[3]
	}
	return line
}

// monitored wraps the frame to report, as a toast, a hub listener that
// stopped on its own (e.g. a hub URL that can never work); the header then
// shows the connection closed.
type monitored struct {
	*ui.Model
	stopped <-chan monitorStoppedMsg

	// firstFrame, when set (runTUI), is closed firstFrameFlush after the
	// first view drawn at the terminal's size.
	firstFrame chan struct{}
	sized      bool
	once       sync.Once
}

// firstFrameFlush is how long after the first whole frame is drawn it is
// taken to be on screen: the render pacer has Bubble Tea write a drawn
// frame about a millisecond later, and turning it into bytes takes the
// renderer a few more on the project's machine.
const firstFrameFlush = 5 * time.Millisecond

// View draws the frame and, the first time it is drawn at the terminal's
// size, arranges for firstFrame to close.
func (m *monitored) View() tea.View {
	v := m.Model.View()
	if m.sized && m.firstFrame != nil {
		m.once.Do(func() { time.AfterFunc(firstFrameFlush, func() { close(m.firstFrame) }) })
	}
	return v
}

type monitorStoppedMsg struct{ err error }

// waitStopped is a command that waits for the next listener to give up.
func (m *monitored) waitStopped() tea.Msg { return <-m.stopped }

func (m *monitored) Init() tea.Cmd {
	return tea.Batch(m.Model.Init(), m.waitStopped)
}

func (m *monitored) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.WindowSizeMsg); ok {
		m.sized = true
	}
	if s, ok := msg.(monitorStoppedMsg); ok {
		msg = ui.ToastMsg{Level: ui.ToastError, Text: "hub listener stopped: " + s.err.Error(), For: time.Minute}
		_, cmd := m.Model.Update(msg)
		return m, tea.Batch(cmd, m.waitStopped) // and wait for the next
	}
	_, cmd := m.Model.Update(msg)
	return m, cmd
}

// reportDangling finds the attempts the last run left without an outcome
// (the console or `recdeck set` was killed between sending and recording
// the answer), records their outcome as unknown so they are reported once,
// has the followed servers re-read their own, and returns the toast that
// says so (nil when there are none).
func reportDangling(l *audit.Log, set []*followed) *ui.ToastMsg {
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
		if (r.Vendor != "" && r.Vendor != "anywhere365") || r.CorrelationID == "" {
			continue
		}
		for _, f := range set {
			if r.Server == "" || r.Server == f.client.BaseURL() {
				f.tracker.Watch(anywhere365.SessionKey{UCC: r.UCC, CorrelationID: r.CorrelationID})
				break
			}
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
