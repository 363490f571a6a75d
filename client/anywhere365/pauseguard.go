package anywhere365

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/internal/beat"
)

// PauseGuard owns pause deadlines outside the screen, so that no pause
// outlives its limit whatever view the agent is in.
//
// The rule (what a PCI auditor expects, and what Genesys PureConnect's
// secure pause does): a pause's deadline counts from the pause itself (the
// tracker's StateSince when it shows the recording Paused; for our own
// Pause, the time its answer was applied), and it is kept per session until
// the pause ends. Pressing P again, leaving and re-entering payment mode, or
// the tracker flickering on an out-of-order event never moves it: only a
// confirmed resume (or stop, or the call's end) closes the pause. A fresh
// pause after a confirmed resume is a new pause and gets a fresh limit; each
// is audited on its own, so a string of short pauses is visible in the log.
//
// At the deadline the guard resumes the recording (a Start) through the
// ResumeFunc it was given (which audits), and on failure retries with a
// capped backoff until it succeeds, the call ends, or the server shows the
// recording no longer paused. A "cannot be started" answer (another console
// or the agent resumed first) counts as resolved, so two consoles enforcing
// the same server never fight. With the policy's EnforceMaxPause, every
// pause older than MaxPause is handled the same way, payment mode or not.
//
// Everything runs on the guard's goroutine (Run) and one goroutine per
// request in flight; the screen reads Status copies. The clock (Now) is
// injectable; the loop itself polls on a real timer: every Poll while
// something is timed (a pause open, armed or seen anywhere, a call that may
// still be flagged "not recording"), and every IdlePoll otherwise, on the
// process's shared grid (internal/beat), so an idle console is not woken
// four times a second for nothing, nor at an instant of its own.

// Audit triggers of automatic resumes: the same strings the console's audit
// log uses (ui/audit), so the report can tell who ended a pause.
const (
	TriggerPaymentMode = "payment-mode auto-resume"
	TriggerPolicy      = "policy auto-resume"
)

// Pause outcomes (PauseStatus.Outcome).
const (
	PauseResumed         = "resumed"
	PauseResumedElswhere = "resumed elsewhere"
	PauseStopped         = "stopped while paused"
	PauseCallEnded       = "the call ended while paused"
	PauseUnlisted        = "the session is no longer listed"
)

// GuardSource is what the guard needs of the session store:
// *Tracker satisfies it.
type GuardSource interface {
	Snapshot(dst []Session) []Session
	Session(key SessionKey) (Session, []HistoryEntry, bool)
	RecordAction(key SessionKey, a Action, resp *StateResponse, err error)
}

// ResumeFunc sends a Start for key (audited by the caller's implementation,
// with trigger naming why) and returns the answer.
type ResumeFunc func(ctx context.Context, key SessionKey, trigger string) (*StateResponse, error)

// Guard defaults.
const (
	DefaultGuardPoll     = 250 * time.Millisecond
	DefaultGuardRetryMin = 500 * time.Millisecond
	// DefaultGuardRetryMax caps the wait between failed resumes: a server
	// back from an outage is noticed within 4 s, and one console sends at
	// most one resume per paused call every 4 s while it fails.
	DefaultGuardRetryMax = 4 * time.Second
	// keepResolved is how long a resolved pause stays in Status (the
	// payment screen says how the pause ended).
	keepResolved = 2 * time.Minute
)

// GuardConfig configures a PauseGuard.
type GuardConfig struct {
	Source   GuardSource
	Resume   ResumeFunc
	Policies Policies
	// Compliance, when set, is updated from the same snapshot every poll.
	Compliance *Compliance
	Now        func() time.Time
	// Poll is the loop's period while anything is timed: a pause (open,
	// armed, or seen in the store short of its MaxPause) or a call
	// Uninitialized within its StartGrace. IdlePoll (default 4*Poll, 1 s
	// with the default Poll) is its period otherwise: how late a flag that
	// needs no clock (a confirmed Stop, a Delete mark) or a new pause can
	// be seen; its deadline still counts from the pause itself.
	Poll, IdlePoll time.Duration
	// RetryMin and RetryMax shape the backoff between failed resumes.
	RetryMin, RetryMax time.Duration
	// RequestTimeout bounds one resume (default 10 s).
	RequestTimeout time.Duration
}

// PauseStatus is what the screen shows of one guarded pause.
type PauseStatus struct {
	Key SessionKey
	// Payment is true for a payment-mode pause; false for one the policy
	// (EnforceMaxPause) took over.
	Payment  bool
	PausedAt time.Time
	Deadline time.Time
	// Attempts counts resumes sent; LastError is the last one's failure.
	Attempts    int
	LastError   string
	NextAttempt time.Time
	InFlight    bool
	Resolved    bool
	Outcome     string // one of the Pause* outcomes once Resolved
	ResolvedAt  time.Time
}

type guardedPause struct {
	PauseStatus
	trigger string
}

// PauseGuard enforces pause deadlines; see the comment at the top of
// pauseguard.go. All methods are safe for concurrent use.
type PauseGuard struct {
	cfg GuardConfig

	mu     sync.Mutex
	pauses map[SessionKey]*guardedPause
	armed  map[SessionKey]bool
	// sending counts the payment pauses on their way to the server
	// (Sending), per key.
	sending map[SessionKey]int
	ctx     context.Context // Run's, for requests
	snap    []Session       // the Source's sessions, when it cannot range over them
	over    []Session       // scratch: paused past the policy's maximum

	wake chan struct{}
	wg   sync.WaitGroup
}

// NewPauseGuard returns a guard; call Run to start it.
func NewPauseGuard(cfg GuardConfig) *PauseGuard {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultGuardPoll
	}
	if cfg.IdlePoll < cfg.Poll {
		cfg.IdlePoll = 4 * cfg.Poll
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = DefaultGuardRetryMin
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(DefaultGuardRetryMax, cfg.RetryMin)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	return &PauseGuard{
		cfg:     cfg,
		pauses:  map[SessionKey]*guardedPause{},
		armed:   map[SessionKey]bool{},
		sending: map[SessionKey]int{},
		wake:    make(chan struct{}, 1),
	}
}

// Sending tells the guard that a pause of key is on its way to the server;
// done, called once its request is over whatever the answer, ends it. It
// matters for payment-armed keys only (for others done does nothing): the
// console may stop listening before the answer comes (a quit while the
// pause is in flight), and the server may apply the pause after the exit
// path looked for open pauses. WaitSent lets the exit path wait for them.
func (g *PauseGuard) Sending(key SessionKey) (done func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.armed[key] {
		return func() {}
	}
	g.sending[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.sending[key]--; g.sending[key] <= 0 {
				delete(g.sending, key)
			}
		})
	}
}

// WaitSent waits until no payment pause is on its way to the server, or
// ctx is done, and returns the keys whose pause was on its way when it was
// called: their answers may never have reached the store, so the caller
// asks the server.
func (g *PauseGuard) WaitSent(ctx context.Context) []SessionKey {
	g.mu.Lock()
	keys := make([]SessionKey, 0, len(g.sending))
	for k := range g.sending {
		keys = append(keys, k)
	}
	g.mu.Unlock()
	if len(keys) == 0 {
		return nil
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		g.mu.Lock()
		n := len(g.sending)
		g.mu.Unlock()
		if n == 0 {
			return keys
		}
		select {
		case <-ctx.Done():
			return keys
		case <-t.C:
		}
	}
}

// Policies is the policy set the guard applies.
func (g *PauseGuard) Policies() Policies { return g.cfg.Policies }

// Run polls until ctx is done, then waits for requests in flight.
func (g *PauseGuard) Run(ctx context.Context) {
	g.mu.Lock()
	g.ctx = ctx
	g.mu.Unlock()
	t := time.NewTimer(g.cfg.Poll)
	defer t.Stop()
	defer g.wg.Wait()
	for {
		// Idle, the poll lands on the grid of IdlePoll (internal/beat),
		// with the process's other timers of that period: one wake-up.
		d := beat.Until(time.Now(), g.cfg.IdlePoll)
		if g.step() {
			d = g.cfg.Poll
		}
		t.Reset(d)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-g.wake:
		}
	}
}

func (g *PauseGuard) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Arm puts key under payment mode: its pause (the current one, or the next)
// gets the policy's deadline. Arming again never moves a deadline.
func (g *PauseGuard) Arm(key SessionKey) {
	g.mu.Lock()
	g.armed[key] = true
	if p, ok := g.pauses[key]; ok && !p.Resolved && !p.Payment {
		p.Payment, p.trigger = true, TriggerPaymentMode
	}
	g.mu.Unlock()
	g.poke()
}

// Disarm says payment mode left key: a pause under way keeps its deadline
// (leaving the screen never cancels the resume); later pauses are not
// payment pauses.
func (g *PauseGuard) Disarm(key SessionKey) {
	g.mu.Lock()
	delete(g.armed, key)
	g.mu.Unlock()
}

// Armed reports whether key is under payment mode.
func (g *PauseGuard) Armed(key SessionKey) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.armed[key]
}

// ResumeNow brings the deadline of key's open pause forward to now (never
// later) with trigger for the audit, or, if the guard has none open but the
// store shows it paused, opens one due now. It reports whether a resume is
// on its way.
func (g *PauseGuard) ResumeNow(key SessionKey, trigger string) bool {
	now := g.cfg.Now()
	g.mu.Lock()
	p, ok := g.pauses[key]
	if !ok || p.Resolved {
		s, _, found := g.cfg.Source.Session(key)
		if !found || s.Gone || s.Recording != RecordingPaused {
			g.mu.Unlock()
			return false
		}
		p = g.open(key, s, now, g.armed[key])
	}
	if p.Deadline.After(now) {
		p.Deadline = now
	}
	p.NextAttempt = time.Time{}
	p.trigger = trigger
	g.mu.Unlock()
	g.poke()
	return true
}

// OpenPayment lists the payment pauses not yet resolved.
func (g *PauseGuard) OpenPayment() []PauseStatus {
	now := g.cfg.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.openArmed(now)
	var out []PauseStatus
	for _, p := range g.pauses {
		if p.Payment && !p.Resolved {
			out = append(out, p.PauseStatus)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Deadline.Before(out[j].Deadline) })
	return out
}

// ResumeAll resumes every open payment pause now and waits until each is
// resolved or ctx is done (then it names those left paused). Run must be
// running. The console calls it before exiting.
func (g *PauseGuard) ResumeAll(ctx context.Context) error {
	for _, p := range g.OpenPayment() {
		g.ResumeNow(p.Key, TriggerPaymentMode)
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		open := g.OpenPayment()
		if len(open) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			var names []string
			for _, p := range open {
				s := p.Key.UCC + "/" + p.Key.CorrelationID
				if p.LastError != "" {
					s += " (" + p.LastError + ")"
				}
				names = append(names, s)
			}
			return fmt.Errorf("still paused: %s", strings.Join(names, ", "))
		case <-t.C:
		}
	}
}

// Status is the guard's view of key's pause: the open one, or the last
// resolved one for a while after.
func (g *PauseGuard) Status(key SessionKey) (PauseStatus, bool) {
	now := g.cfg.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.armed[key] {
		g.openArmed(now)
	}
	p, ok := g.pauses[key]
	if !ok {
		return PauseStatus{}, false
	}
	return p.PauseStatus, true
}

// Statuses lists every pause the guard holds, open ones first.
func (g *PauseGuard) Statuses() []PauseStatus {
	g.mu.Lock()
	out := make([]PauseStatus, 0, len(g.pauses))
	for _, p := range g.pauses {
		out = append(out, p.PauseStatus)
	}
	g.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Resolved != out[j].Resolved {
			return !out[i].Resolved
		}
		return out[i].Deadline.Before(out[j].Deadline)
	})
	return out
}

// openArmed guards the pause of every payment-armed session from its start
// (g.mu held). It runs on every poll, and before OpenPayment and Status
// answer, so a pause made a moment ago is never missed (an exit right after
// the pause must still resume it).
func (g *PauseGuard) openArmed(now time.Time) {
	for key := range g.armed {
		p := g.pauses[key]
		if p != nil && !p.Resolved {
			continue
		}
		s, _, ok := g.cfg.Source.Session(key)
		if ok && !s.Gone && s.Recording == RecordingPaused && !sameResolvedPause(p, s) {
			g.open(key, s, now, true)
		}
	}
}

// open starts guarding the pause s shows (g.mu held).
func (g *PauseGuard) open(key SessionKey, s Session, now time.Time, payment bool) *guardedPause {
	at := s.StateSince
	if at.IsZero() || at.After(now) {
		at = now
	}
	p := &guardedPause{PauseStatus: PauseStatus{
		Key: key, Payment: payment, PausedAt: at,
		Deadline: at.Add(g.cfg.Policies.For(key.UCC).MaxPause),
	}, trigger: TriggerPolicy}
	if payment {
		p.trigger = TriggerPaymentMode
	}
	g.pauses[key] = p
	return p
}

// sameResolvedPause is true when p already resolved the pause s shows (a
// store that has not caught up yet must not open it again).
func sameResolvedPause(p *guardedPause, s Session) bool {
	return p != nil && p.Resolved && !s.StateSince.After(p.PausedAt)
}

func (g *PauseGuard) resolve(p *guardedPause, outcome string, now time.Time) {
	p.Resolved, p.Outcome, p.ResolvedAt, p.InFlight = true, outcome, now, false
	p.NextAttempt = time.Time{}
	if outcome == PauseCallEnded && g.cfg.Compliance != nil {
		g.cfg.Compliance.NotePaused(p.Key)
	}
}

// step is one poll: follow the open pauses, open new ones, send what is
// due, and update the compliance flags. It reports whether anything is
// timed (see Poll), so the next poll must come at Poll.
func (g *PauseGuard) step() (timed bool) {
	now := g.cfg.Now()
	// One pass over the sessions: the pauses past the policy's maximum,
	// and the compliance flags. A Source that can range over its sessions
	// (the Tracker) is not copied: with 100,000 sessions a copy is 19 MB
	// held for good, besides the screen's own.
	over := g.over[:0]
	check := func(s *Session) {
		if s.Gone {
			return
		}
		if s.Recording == RecordingUninitialized && !timed {
			// Flagged "not recording" once past StartGrace: on time.
			pol := g.cfg.Policies.For(s.Key.UCC)
			timed = pol.RecordsByDefault && !s.FirstSeen.IsZero() && now.Sub(s.FirstSeen) <= pol.StartGrace
		}
		if s.Recording != RecordingPaused {
			return
		}
		pol := g.cfg.Policies.For(s.Key.UCC)
		// Flagged overdue, and resumed where enforced, at MaxPause: on
		// time (an open pause keeps the poll fast past it, below).
		timed = timed || (!s.StateSince.IsZero() && now.Sub(s.StateSince) <= pol.MaxPause)
		if pol.EnforceMaxPause && !s.StateSince.IsZero() && now.Sub(s.StateSince) >= pol.MaxPause {
			over = append(over, *s)
		}
	}
	comp := g.cfg.Compliance
	if r, ok := g.cfg.Source.(sessionRanger); ok {
		if comp != nil {
			comp.UpdateFrom(func(add func(*Session)) {
				r.RangeSessions(func(s *Session) { check(s); add(s) })
			}, now)
		} else {
			r.RangeSessions(check)
		}
	} else {
		g.snap = g.cfg.Source.Snapshot(g.snap)
		for i := range g.snap {
			check(&g.snap[i])
		}
		if comp != nil {
			comp.Update(g.snap, now)
		}
	}
	g.mu.Lock()
	g.openArmed(now)
	// The policy: every pause past its maximum where it is enforced.
	for i := range over {
		s := &over[i]
		if p := g.pauses[s.Key]; (p != nil && !p.Resolved) || sameResolvedPause(p, *s) {
			continue
		}
		g.open(s.Key, *s, now, false)
	}
	clear(over)
	g.over = shrink(over)
	var due []*guardedPause
	for key, p := range g.pauses {
		if p.Resolved {
			if now.Sub(p.ResolvedAt) > keepResolved && !g.armed[key] {
				delete(g.pauses, key)
			}
			continue
		}
		timed = true // followed, resumed, retried at Poll
		s, _, ok := g.cfg.Source.Session(key)
		switch {
		case !ok:
			g.resolve(p, PauseUnlisted, now)
		case s.Gone:
			g.resolve(p, PauseCallEnded, now)
		case p.InFlight:
		case s.Confirmed && s.Recording == RecordingStarted && s.StateSince.After(p.PausedAt):
			g.resolve(p, PauseResumedElswhere, now)
		case s.Confirmed && s.Recording == RecordingStopped:
			g.resolve(p, PauseStopped, now)
		case !now.Before(p.Deadline) && !now.Before(p.NextAttempt) && g.ctx != nil:
			p.InFlight = true
			p.Attempts++
			due = append(due, p)
		}
	}
	// An armed session's next pause is guarded from its start.
	timed = timed || len(g.armed) > 0
	ctx := g.ctx
	g.mu.Unlock()
	for _, p := range due {
		g.send(ctx, p.Key, p.trigger)
	}
	return timed
}

// sessionRanger is a GuardSource that can show its sessions one by one
// without copying them all: *Tracker.
type sessionRanger interface {
	RangeSessions(f func(s *Session))
}

// send runs one resume on its own goroutine.
func (g *PauseGuard) send(ctx context.Context, key SessionKey, trigger string) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		rctx, cancel := context.WithTimeout(ctx, g.cfg.RequestTimeout)
		resp, err := g.cfg.Resume(rctx, key, trigger)
		cancel()
		if err == nil && resp != nil && resp.ErrorMessage != nil {
			err = &APIError{Type: resp.ErrorMessage.ErrorType, Message: resp.ErrorMessage.Message, Response: resp}
		}
		if ctx.Err() == nil {
			g.cfg.Source.RecordAction(key, ActionStart, resp, err)
		}
		g.finish(key, resp, err)
	}()
}

// finish records a resume's outcome.
func (g *PauseGuard) finish(key SessionKey, resp *StateResponse, err error) {
	now := g.cfg.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.pauses[key]
	if !ok || p.Resolved {
		return
	}
	p.InFlight = false
	var ae *APIError
	switch {
	case err == nil:
		p.LastError = ""
		g.resolve(p, PauseResumed, now)
	case isGone(resp, err):
		g.resolve(p, PauseCallEnded, now)
	case errors.As(err, &ae) && strings.Contains(ae.Message, "cannot be started"):
		// Another console, the agent or the payment system got there first
		// (or stopped it): the recording is not paused any more.
		p.LastError = ""
		outcome := PauseResumedElswhere
		if strings.Contains(ae.Message, "Stopped") {
			outcome = PauseStopped
		}
		g.resolve(p, outcome, now)
	default:
		p.LastError = ShortError(err)
		back := g.cfg.RetryMin << min(p.Attempts-1, 16)
		p.NextAttempt = now.Add(min(back, g.cfg.RetryMax))
	}
}

// ShortError is an error for one line on screen: the HTTP status or the
// API's message, without the request's method and URL, passed through the
// output gate (the server's text never reaches a terminal raw).
func ShortError(err error) string { return safetext.Out(shortError(err)) }

func shortError(err error) string {
	var ae *APIError
	var re *ResponseError
	switch {
	case errors.As(err, &ae):
		return ae.Type.String() + ": " + truncate(safetext.Out(ae.Message), 120)
	case errors.As(err, &re):
		return fmt.Sprintf("HTTP %d", re.Status)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i > 8 {
		s = s[i+2:]
	}
	return truncate(s, 120)
}
