package main

// pci.go is `recdeck pci`: an agent's one-shot payment pause, for a hotkey
// or a payment page's hook. It pauses the call's recording, counts down
// (a progress bar when stdout is a terminal, plain lines otherwise), and
// resumes on Enter, at --max (default: the policy's max_pause), and before
// exiting on ctrl+c, SIGTERM or SIGHUP. The resume is the console's pause
// guard (client/anywhere365): a failed resume is retried with backoff until
// it succeeds or the call ends, and a "cannot be started" answer (someone
// resumed first) counts as resolved. Exit status 0 only when the recording
// was resumed and a GET confirmed it Started. Both actions are written to
// the audit log, write-ahead (attempt, then outcome), unless --no-audit.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui/audit"
)

// pciSignalWait bounds the resume after a signal: a service manager's stop
// timeout is usually 10 s or more.
const pciSignalWait = 8 * time.Second

// pciPlainEvery is how often the plain (non-terminal) output prints the
// time left.
const pciPlainEvery = 10 * time.Second

// pciRefresh is how often the paused call is re-read (the tracker has no
// hub listener in pci).
const pciRefresh = 2 * time.Second

// pciSignalsForTest replaces the process's signals in in-process tests.
var pciSignalsForTest <-chan os.Signal

// pciOptions are the command's inputs; tests set signals and poll.
type pciOptions struct {
	ucc, call string
	max       time.Duration
	noAudit   bool
	// signals delivers the signals that end the pause; nil subscribes to
	// SIGINT, SIGTERM and SIGHUP.
	signals <-chan os.Signal
	// poll is the guard's poll interval (default 100 ms).
	poll time.Duration
}

func newPCICmd(g *globals) *cobra.Command {
	var o pciOptions
	cmd := &cobra.Command{
		Use:   "pci --ucc UCC --call CORRELATION_ID [--max D]",
		Short: "Pause a call's recording for a card payment, then resume it (Enter, --max, or on exit)",
		Long: `Pause the recording of one call while the customer gives card details, then
resume it: on Enter, when --max has passed (default: the policy's max_pause),
or before exiting on ctrl+c, SIGTERM or SIGHUP. A failed resume is retried with
backoff until it succeeds or the call ends. Exit status: 0 when the recording
was resumed and a GET confirmed it Started; 1 when the API refused (or the call
ended while paused); 2 on bad input; 3 when the server could not be reached or
the resume could not be confirmed. Both actions go to the audit log unless
--no-audit.`,
		Example: `  recdeck pci --ucc payments --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30 --sip sip:agent@domain.com
  recdeck pci --ucc payments --call 1d6c6a58-6739-4f0c-98ff-0968292c8c30 --max 90s < /dev/null > pci.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.signals == nil {
				o.signals = pciSignalsForTest
			}
			return runPCI(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ucc, "ucc", "", "technical UCC name (default: the profile's ucc)")
	f.StringVar(&o.call, "call", "", "correlation id of the call (a GUID)")
	f.DurationVar(&o.max, "max", 0, "resume after this long at most (default: the policy's max_pause, 3m)")
	f.BoolVar(&o.noAudit, "no-audit", false, "do not write the pause and the resume to the audit log")
	return cmd
}

func runPCI(cmd *cobra.Command, g *globals, o pciOptions) error {
	p, c, err := coreSetup(g)
	if err != nil {
		return err
	}
	if o.ucc == "" {
		o.ucc = p.UCC
	}
	o.call = anywhere365.NormalizeGUID(o.call) // "{1D6C...}" as .NET logs print it
	if err := needFlags("--ucc", o.ucc, "--call", o.call, "--sip", p.SIP); err != nil {
		return err
	}
	for _, check := range []error{anywhere365.ValidateUCC(o.ucc), anywhere365.ValidateGUID(o.call), anywhere365.ValidateSIPURI(p.SIP)} {
		if check != nil {
			return withExit(exitUsage, check)
		}
	}
	if o.max < 0 {
		return withExit(exitUsage, fmt.Errorf("--max must be positive, got %v", o.max))
	}
	policies, err := g.policies(p)
	if err != nil {
		return err
	}
	pol := policies.For(o.ucc)
	if o.max > 0 {
		pol.MaxPause = o.max
	}
	ps, err := anywhere365.NewPolicies(pol, nil)
	if err != nil {
		return withExit(exitUsage, err)
	}

	var log *audit.Log
	if !o.noAudit {
		path, err := audit.DefaultPath()
		if err == nil {
			log, err = audit.Open(path)
		}
		if err != nil {
			return withExit(exitUsage, fmt.Errorf("audit log: %w (--no-audit runs without it)", err))
		}
		defer log.Close()
	}
	profile := g.profileName
	base := audit.Record{Profile: profile, UCC: o.ucc, CorrelationID: o.call, Requester: p.SIP,
		Vendor: "anywhere365", Server: displayURL(p.BaseURL), Source: "cli"}
	out := cmd.OutOrStdout()
	key := anywhere365.SessionKey{UCC: o.ucc, CorrelationID: o.call}

	// Signals are caught from before the pause: one arriving between the
	// pause and the countdown must still resume.
	sigs := o.signals
	if sigs == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(ch)
		sigs = ch
	}

	resp, err := pciSet(cmd.Context(), c, log, base, anywhere365.ActionPause, "")
	if err != nil {
		return coreExit(fmt.Errorf("pause %s/%s: %w", o.ucc, o.call, err))
	}
	fmt.Fprintf(out, "paused %s/%s: the recording resumes on Enter, in %s at most (%s), or when this command is stopped\n",
		safetext.Out(o.ucc), o.call, fmtDur(pol.MaxPause), time.Now().Add(pol.MaxPause).Format("15:04:05"))

	// The guard runs on its own context: ctrl+c cancels the command's, and
	// the resume must still go out.
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: c})
	tracker.RecordAction(key, anywhere365.ActionPause, resp, nil)
	poll := o.poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	guard := anywhere365.NewPauseGuard(anywhere365.GuardConfig{
		Source: tracker, Policies: ps, Poll: poll,
		Resume: func(ctx context.Context, _ anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error) {
			return pciSet(ctx, c, log, base, anywhere365.ActionStart, trigger)
		},
	})
	guard.Arm(key)
	// Open the guarded pause now, while the tracker shows the server's
	// Paused answer: once the tracker runs, its first GET may find the
	// call already ended, and a pause the guard never saw open would never
	// resolve (pci waited for ever).
	guard.Status(key)
	wg.Go(func() { tracker.Run(runCtx) })
	wg.Go(func() { guard.Run(runCtx) })

	enter := make(chan struct{}, 1)
	go readEnter(cmd.InOrStdin(), enter) // ends with its input; a terminal's stays open until exit

	// No hub listener here: the call is re-read every pciRefresh, so a call
	// that ends during the pause is noticed.
	refresh := func() { tracker.Watch(key) }
	st, err := pciWait(out, guard, key, pol.MaxPause, enter, sigs, refresh, isTerminal(out))
	if err != nil {
		return err
	}
	switch st.Outcome {
	case anywhere365.PauseCallEnded, anywhere365.PauseUnlisted:
		return withExit(exitAPI, errors.New("the call ended while paused: its last part was not recorded"))
	case anywhere365.PauseStopped:
		return withExit(exitAPI, errors.New("the recording was stopped while paused: it was not resumed"))
	}
	// Confirm with the server: exit 0 only for a recording seen Started.
	ctx, cancelGet := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelGet()
	got, err := c.GetState(ctx, o.ucc, o.call)
	if err != nil {
		if anywhere365.IsSessionNotFound(err) {
			return withExit(exitAPI, errors.New("the call ended before the resume was confirmed"))
		}
		return withExit(exitNetwork, fmt.Errorf("resume sent but not confirmed: %w", err))
	}
	if got.RecordingState != anywhere365.RecordingStarted {
		return withExit(exitAPI, fmt.Errorf("the recording is %s after the resume, not Started", got.RecordingState))
	}
	fmt.Fprintf(out, "recording resumed and confirmed (Started) after %s paused\n", fmtDur(st.ResolvedAt.Sub(st.PausedAt)))
	return nil
}

// pciWait runs the countdown until the guard has resolved the pause; Enter
// or a signal brings the resume forward. After a signal it waits at most
// pciSignalWait.
func pciWait(out io.Writer, guard *anywhere365.PauseGuard, key anywhere365.SessionKey, maxPause time.Duration,
	enter <-chan struct{}, sigs <-chan os.Signal, refresh func(), tty bool) (anywhere365.PauseStatus, error) {
	every := time.Second
	if tty {
		every = 100 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var bar progress.Model
	if tty {
		bar = progress.New(progress.WithWidth(40), progress.WithoutPercentage())
	}
	var giveUpAt, lastPlain, lastRefresh time.Time
	lastErr := ""
	start := time.Now()
	clearBar := func() {
		if tty {
			fmt.Fprint(out, "\r\x1b[K")
		}
	}
	for {
		st, ok := guard.Status(key)
		if ok && st.Resolved {
			clearBar()
			return st, nil
		}
		if ok && st.LastError != "" && st.LastError != lastErr {
			lastErr = st.LastError
			clearBar()
			fmt.Fprintf(out, "automatic resume failed (%s), retrying in %s\n", safetext.Out(st.LastError), fmtDur(max(0, time.Until(st.NextAttempt)).Round(time.Second)))
		}
		select {
		case <-enter:
			clearBar()
			fmt.Fprintln(out, "resuming (Enter)")
			guard.ResumeNow(key, "")
		case sig := <-sigs:
			clearBar()
			if !giveUpAt.IsZero() {
				return st, withExit(exitNetwork, fmt.Errorf("%v again: exiting with the recording still paused", sig))
			}
			fmt.Fprintf(out, "resuming before exiting (%v)\n", sig)
			guard.ResumeNow(key, anywhere365.TriggerPaymentMode)
			giveUpAt = time.Now().Add(pciSignalWait)
		case now := <-tick.C:
			if now.Sub(lastRefresh) >= pciRefresh {
				lastRefresh = now
				refresh()
			}
			if !giveUpAt.IsZero() && now.After(giveUpAt) {
				clearBar()
				reason := "no answer"
				if st.LastError != "" {
					reason = st.LastError
				}
				return st, withExit(exitNetwork, fmt.Errorf("recording still paused after %s trying to resume (%s)", pciSignalWait, reason))
			}
			left := maxPause - now.Sub(start)
			if ok && !st.Deadline.IsZero() {
				left = st.Deadline.Sub(now)
			}
			left = max(0, left)
			if tty {
				frac := float64(left) / float64(maxPause)
				fmt.Fprintf(out, "\r%s %s left  (Enter: resume now)", bar.ViewAs(frac), countdownText(left))
			} else if lastPlain.IsZero() || now.Sub(lastPlain) >= pciPlainEvery {
				lastPlain = now
				fmt.Fprintf(out, "paused %s, resumes in %s\n", fmtDur(now.Sub(start).Round(time.Second)), countdownText(left))
			}
		}
	}
}

// readEnter signals each line read (Enter) until the input ends.
func readEnter(r io.Reader, enter chan<- struct{}) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		select {
		case enter <- struct{}{}:
		default:
		}
	}
}

// pciSet sends one action with its write-ahead audit records.
func pciSet(ctx context.Context, c *anywhere365.Client, log *audit.Log, rec audit.Record, a anywhere365.Action, trigger string) (*anywhere365.StateResponse, error) {
	rec.Time, rec.Action, rec.Trigger = time.Now(), a.String(), trigger
	var att *audit.Attempt
	if log != nil {
		var err error
		if att, err = log.Begin(rec); err != nil {
			return nil, fmt.Errorf("audit log not written, %s not sent: %w", a, err)
		}
	}
	resp, err := c.Set(ctx, anywhere365.SetParams{UCC: rec.UCC, CorrelationID: rec.CorrelationID, RequesterSIP: rec.Requester, Action: a})
	outcome := audit.OutcomeOK
	var ae *anywhere365.APIError
	switch {
	case errors.As(err, &ae):
		outcome = audit.OutcomeFailed
	case err != nil && anywhere365.IsNetwork(err):
		outcome = audit.OutcomeUnknown // the command may have taken effect
	case err != nil:
		outcome = audit.OutcomeFailed
	}
	_ = att.End(outcome, func(r *audit.Record) {
		switch {
		case ae != nil:
			r.ErrorType, r.ErrorMessage = ae.Type.String(), ae.Message
		case err != nil:
			r.ErrorMessage = err.Error()
		case resp != nil:
			r.State = resp.RecordingState.String()
		}
	})
	return resp, err
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// countdownText is m:ss.
func countdownText(d time.Duration) string {
	d = (max(0, d) + time.Second - 1) / time.Second * time.Second
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// fmtDur is a duration without sub-second noise: "2m30s", "800ms".
func fmtDur(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	return strings.TrimSuffix(d.String(), "0s0ms")
}
