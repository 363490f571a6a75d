package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
)

// `recdeck watch` prints the hub's RecordingStateChangedEvents as they
// arrive, in the order the hub sent them: one line per event on stdout (or
// one JSON object per line with --json), connection state changes on
// stderr. It ends after --count events (exit 0), on Ctrl-C (exit 0), or
// with exit 3 when --connect-timeout is set and the hub stays unreachable
// that long.

// watchBuffer is how many received events may wait for the printer; a
// slower consumer loses events beyond it rather than stalling the hub
// connection. A loss is reported where it happened: a stderr line with the
// count, and with --json a gap record ({"gap":{"dropped":N}}) in the stream
// between the events before and after it.
const watchBuffer = 1 << 16

// watchEvent is one received event with its arrival time and the number of
// events dropped just before it.
type watchEvent struct {
	at  time.Time
	ev  anywhere365.RecordingStateChangedEvent
	gap uint64
}

// watchGap is the --json record of a loss.
type watchGap struct {
	Gap struct {
		Dropped uint64 `json:"dropped"`
	} `json:"gap"`
}

// watchJSON is the --json line: the event as the API sends it (StateAction
// as its number) plus the arrival time and the action's name.
type watchJSON struct {
	Time          time.Time          `json:"Time"`
	UccName       string             `json:"UccName"`
	CorrelationId string             `json:"CorrelationId"`
	StateAction   anywhere365.Action `json:"StateAction"`
	ActionName    string             `json:"ActionName"`
}

func newWatchCmd(g *globals) *cobra.Command {
	var (
		count          int
		connectTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "watch [--count N]",
		Short: "Print recording events from the SignalR hub as they arrive",
		Long: `Connect to the recording hub and print each RecordingStateChangedEvent:
"15:04:05.000 UCC CORRELATION_ID ACTION", or one JSON object per line with --json.
Events are printed in the order the hub sent them. Connection changes
(connecting, connected, reconnecting with the attempt and the error) go to
stderr. If the output is too slow, events are dropped rather than stalling the
hub: each loss is reported where it happened, on stderr and, with --json, as a
{"gap":{"dropped":N}} line in the stream. The hub is {base}/attendantservice/hubs/recording unless
--hub-url says otherwise; with --api v2 the bearer token is sent on every
(re)connect. The listener reconnects forever, waiting from 250 ms up to 30 s
(with jitter) while the hub stays down.`,
		Example: `  recdeck watch --base-url http://127.0.0.1:8365
  recdeck watch --count 10 --json --hub-url https://fqdn/attendantservice/hubs/recording`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if count < 0 {
				return withExit(exitUsage, fmt.Errorf("--count must be 0 (no limit) or more, got %d", count))
			}
			if connectTimeout < 0 {
				return withExit(exitUsage, fmt.Errorf("--connect-timeout must not be negative, got %v", connectTimeout))
			}
			p, c, err := coreSetup(g)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := watcher{
				out:            cmd.OutOrStdout(),
				errOut:         cmd.ErrOrStderr(),
				json:           g.jsonOut,
				count:          count,
				connectTimeout: connectTimeout,
			}
			return w.run(ctx, c, anywhere365.ListenerConfig{HTTPClient: g.httpClient(p), MaxMessageSize: p.Hub.MaxMessageSize, KeepAlive: p.Hub.KeepAlive})
		},
	}
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many events (0: until Ctrl-C)")
	cmd.Flags().DurationVar(&connectTimeout, "connect-timeout", 0, "exit 3 when the hub stays unreachable this long, e.g. 30s (0: keep trying)")
	return cmd
}

// watcher prints events; run owns the listener.
type watcher struct {
	out, errOut    io.Writer
	json           bool
	count          int
	connectTimeout time.Duration
	buffer         int // events waiting for the printer (default watchBuffer)
	// dropped counts every event lost because the printer was behind.
	dropped atomic.Uint64
}

func (w *watcher) run(ctx context.Context, c *anywhere365.Client, cfg anywhere365.ListenerConfig) error {
	if w.buffer <= 0 {
		w.buffer = watchBuffer
	}
	events := make(chan watchEvent, w.buffer)
	states := make(chan anywhere365.ConnState, 64)
	// w.dropped counts every lost event (for the summary at exit); gap the
	// ones not reported yet. OnEvent runs on the listener's one reader
	// goroutine, in wire order; the event after a loss carries the gap, or
	// the printer takes it once the queue is empty (caughtUp), whichever
	// comes first: either way the gap sits between the events before and
	// after it. gapMu makes "queue empty, take the gap" one step; it is
	// never held while writing.
	var (
		gapMu sync.Mutex
		gap   uint64
	)
	caughtUp := func() uint64 {
		gapMu.Lock()
		defer gapMu.Unlock()
		if len(events) > 0 {
			return 0
		}
		g := gap
		gap = 0
		return g
	}
	cfg.HubURL = c.HubURL()
	cfg.Headers = c.HubHeaders
	cfg.OnAuthFailure = c.InvalidateToken
	cfg.OnEvent = func(ev anywhere365.RecordingStateChangedEvent) {
		gapMu.Lock()
		defer gapMu.Unlock()
		select {
		case events <- watchEvent{at: time.Now(), ev: ev, gap: gap}:
			gap = 0
		default:
			gap++
			w.dropped.Add(1)
		}
	}
	invalid := make(chan error, 16)
	var invalidLost atomic.Uint64
	cfg.OnInvalid = func(err error) {
		select {
		case invalid <- err:
		default:
			invalidLost.Add(1)
		}
	}
	cfg.OnState = func(s anywhere365.ConnState) {
		select {
		case states <- s:
		default: // the printer is behind; later states still get through
		}
	}
	l := anywhere365.NewListener(cfg)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ctx) }()
	listenerDone := false
	// finish stops the listener, waits for it, and reports drops.
	finish := func(err error) error {
		cancel()
		if !listenerDone {
			<-runErr
		}
		if n := w.dropped.Load(); n > 0 {
			fmt.Fprintf(w.errOut, "recdeck: watch: %d events dropped in all (output too slow)\n", n)
		}
		if n := invalidLost.Load(); n > 0 {
			fmt.Fprintf(w.errOut, "recdeck: watch: %d more invalid hub messages ignored\n", n)
		}
		return err
	}

	safetext.Fprintf(w.errOut, "recdeck: watch: hub %s\n", displayURL(cfg.HubURL))
	bw := bufio.NewWriter(w.out)
	defer bw.Flush()
	// reportGap writes a loss where it happened in the stream.
	reportGap := func(n uint64) error {
		if n == 0 {
			return nil
		}
		if w.json {
			var g watchGap
			g.Gap.Dropped = n
			if err := safetext.PrintJSON(bw, g, "", true); err != nil {
				return err
			}
		}
		// stdout first, so the two streams read in order on a terminal.
		if err := bw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w.errOut, "recdeck: watch: %d events dropped here (output too slow)\n", n)
		return nil
	}
	var (
		printed   int
		downTimer *time.Timer
		downC     <-chan time.Time
		lastErr   string
		last      = anywhere365.ConnState{Phase: anywhere365.ConnClosed, Attempt: -1}
	)
	if w.connectTimeout > 0 {
		downTimer = time.NewTimer(w.connectTimeout)
		defer downTimer.Stop()
		downC = downTimer.C
	}
	for {
		select {
		case <-ctx.Done():
			return finish(nil) // Ctrl-C: a normal end
		case err := <-runErr:
			// Run ends by itself only for a hub URL that can never work.
			listenerDone = true
			if err != nil {
				err = withExit(exitUsage, err)
			}
			return finish(err)
		case s := <-states:
			if s.Phase == last.Phase && s.Attempt == last.Attempt {
				continue
			}
			if s.LastError != "" {
				lastErr = s.LastError
			}
			safetext.Fprintf(w.errOut, "recdeck: watch: %s\n", describeConn(s)) // the hub's errors pass the output gate
			if downTimer != nil {
				switch {
				case s.Phase == anywhere365.ConnConnected:
					downTimer.Stop()
				case last.Phase == anywhere365.ConnConnected:
					downTimer.Reset(w.connectTimeout) // just lost it: the clock starts now
				}
			}
			last = s
		case err := <-invalid:
			// Only stderr: stdout stays one valid event per line.
			var sizeErr *anywhere365.MessageSizeError
			if errors.As(err, &sizeErr) {
				safetext.Fprintf(w.errOut, "recdeck: watch: %v\n", err)
			} else {
				safetext.Fprintf(w.errOut, "recdeck: watch: ignored a hub message: %v\n", err)
			}
		case <-downC:
			return finish(withExit(exitNetwork, fmt.Errorf("hub unreachable for %v: %s", w.connectTimeout, safetext.Out(orUnknown(lastErr)))))
		case e := <-events:
			err := reportGap(e.gap)
			switch {
			case err != nil:
			case w.json:
				err = safetext.PrintJSON(bw, watchJSON{Time: e.at, UccName: e.ev.UccName, CorrelationId: e.ev.CorrelationId,
					StateAction: e.ev.StateAction, ActionName: e.ev.StateAction.String()}, "", true)
			default:
				_, err = safetext.Fprintf(bw, "%s %s %s %s\n", e.at.Format("15:04:05.000"), e.ev.UccName, e.ev.CorrelationId, e.ev.StateAction)
			}
			printed++
			done := w.count > 0 && printed >= w.count
			// Flush when caught up (prompt when idle, batched in a burst)
			// and at the end; once caught up, report a loss no later
			// event has carried yet.
			if err == nil && (done || len(events) == 0) {
				err = bw.Flush()
				if err == nil && !done {
					err = reportGap(caughtUp())
				}
			}
			if err != nil {
				return finish(withExit(exitUsage, fmt.Errorf("writing output: %w", err)))
			}
			if done {
				return finish(nil)
			}
		}
	}
}

// describeConn is the stderr line for a connection state.
func describeConn(s anywhere365.ConnState) string {
	switch s.Phase {
	case anywhere365.ConnReconnecting:
		return fmt.Sprintf("hub reconnecting (attempt %d): %s", s.Attempt, orUnknown(s.LastError))
	case anywhere365.ConnClosed:
		if s.LastError != "" {
			return "hub closed: " + s.LastError
		}
		return "hub closed"
	default:
		return "hub " + s.Phase.String()
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown error"
	}
	return s
}

// displayURL shows a URL without user info, query or fragment, where
// credentials could hide.
func displayURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
