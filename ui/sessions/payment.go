package sessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// triggerAutoResume marks the Start payment mode's guard sends when a pause
// reached its maximum (in toasts and in the audit record).
const triggerAutoResume = anywhere365.TriggerPaymentMode

// quitResumeWait bounds how long "resume, then quit" waits for the server.
const quitResumeWait = 10 * time.Second

// payment is payment mode's screen state: one call, full screen, one key to
// pause and resume. The pause's deadline is not here: the PauseGuard owns
// it, so leaving the screen, pressing P again or quitting never changes it.
type payment struct {
	key        anywhere365.SessionKey
	autoFailed string // set by actions.go when a triggered resume failed
	last       string // the last action's outcome on this call
	lastLevel  ui.ToastLevel
	lastAt     time.Time
}

func (pm *payment) noteOutcome(now time.Time, level ui.ToastLevel, text string) {
	pm.last, pm.lastLevel, pm.lastAt = text, level, now
}

// enterPayment opens payment mode on the selected call, unless its UCC
// forbids editing recordings or the call has ended (the reason is said).
func (p *Pane) enterPayment() tea.Cmd {
	s, ok := p.tbl.selected()
	if !ok {
		return toast(ui.ToastWarning, "Payment mode: no session selected")
	}
	if p.cfg.Guard == nil {
		return toast(ui.ToastError, "Payment mode is not available: no pause guard is running")
	}
	if reason := p.disabledReason(s.Key); reason != "" {
		return toast(ui.ToastError, "Payment mode refused on "+label(s.Key)+": "+reason)
	}
	if s.Gone {
		return toast(ui.ToastWarning, "Payment mode refused on "+label(s.Key)+": the call has ended")
	}
	if p.pay.key != s.Key {
		p.pay = payment{key: s.Key}
	}
	p.mode = modePayment
	p.cfg.Guard.Arm(s.Key)
	msg := "Payment mode on " + label(s.Key) + ": space pauses and resumes, esc leaves"
	if st, ok := p.cfg.Guard.Status(s.Key); ok && !st.Resolved {
		msg = "Payment mode on " + label(s.Key) + ": the pause under way keeps its deadline (" + clock(st.Deadline) + ")"
	}
	return toast(ui.ToastInfo, msg)
}

func (p *Pane) paymentKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.PaymentToggle):
		s, _, ok := p.cfg.Source.Session(p.pay.key)
		if !ok {
			return toast(ui.ToastWarning, "Payment mode: the session is no longer listed")
		}
		if s.Gone {
			return toast(ui.ToastWarning, "Payment mode: the call has ended")
		}
		if reason := p.disabledReason(p.pay.key); reason != "" {
			return toast(ui.ToastError, "Payment mode: "+reason)
		}
		if st, ok := p.cfg.Guard.Status(p.pay.key); ok && st.InFlight {
			return toast(ui.ToastInfo, "Payment mode: the automatic resume is on its way")
		}
		p.pay.autoFailed = ""
		if s.Recording == anywhere365.RecordingPaused || s.Recording == anywhere365.RecordingStopped ||
			s.Recording == anywhere365.RecordingUninitialized {
			return p.act(anywhere365.ActionStart, "")
		}
		return p.act(anywhere365.ActionPause, "")
	case key.Matches(msg, p.keys.Back):
		p.mode = modeTable
		p.tbl.selectKey(p.pay.key)
		p.cfg.Guard.Disarm(p.pay.key)
		if st, ok := p.cfg.Guard.Status(p.pay.key); ok && !st.Resolved {
			return toast(ui.ToastInfo, "Left payment mode: the pause still resumes automatically in "+countdown(st.Deadline.Sub(p.now)))
		}
		return toast(ui.ToastInfo, "Left payment mode")
	case msg.String() == "q":
		// A stray q must not end a card payment: with a pause under way it
		// asks, otherwise esc comes first.
		if cmd, held := p.GuardQuit(); held {
			return cmd
		}
		return toast(ui.ToastWarning, "In payment mode: press esc to leave it first")
	}
	return nil
}

// GuardQuit asks before the console quits while a payment pause is under
// way: y resumes every payment pause, then quits; any other key stays. A
// second quit request while the question is open quits (the exit path
// still resumes, with a bounded wait).
func (p *Pane) GuardQuit() (tea.Cmd, bool) {
	if p.cfg.Guard == nil {
		return nil, false
	}
	open := p.cfg.Guard.OpenPayment()
	if len(open) == 0 || (p.prompt != nil && p.prompt == p.quitPrompt) {
		return nil, false
	}
	q := "A payment pause is under way on " + label(open[0].Key) + ": resume the recording, then quit?"
	if len(open) > 1 {
		q = fmt.Sprintf("%d payment pauses are under way: resume their recordings, then quit?", len(open))
	}
	p.quitPrompt = components.NewConfirm(q)
	p.quitPrompt.AcceptHelp, p.quitPrompt.CancelHelp = "resume, then quit", "stay"
	p.ask(p.quitPrompt, "Quit cancelled: the payment pause goes on", func(string) tea.Cmd {
		guard := p.cfg.Guard
		return tea.Batch(toast(ui.ToastInfo, "Resuming before quitting…"), func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), quitResumeWait)
			defer cancel()
			return quitResumedMsg{err: guard.ResumeAll(ctx)}
		})
	})
	return nil, true
}

// quitResumedMsg ends "resume, then quit".
type quitResumedMsg struct{ err error }

func (p *Pane) onQuitResumed(m quitResumedMsg) tea.Cmd {
	if m.err != nil {
		return toast(ui.ToastError, "Not quitting: "+m.err.Error()+" (ctrl+c twice quits anyway)")
	}
	return tea.Quit
}

// mirrorRequester publishes the requester for the guard's goroutine.
func (p *Pane) mirrorRequester() {
	if cur := p.requesterMirror.Load(); cur == nil || *cur != p.requester {
		r := p.requester
		p.requesterMirror.Store(&r)
	}
}

// errNoRequester is an automatic resume with no requester SIP URI to send.
var errNoRequester = errors.New("no requester SIP URI: set sip in the profile (or act once to be asked)")

// AutoResume is the anywhere365.ResumeFunc the console's PauseGuard sends
// its automatic resumes with: a Start as the console's requester, with a
// write-ahead audit record naming trigger. It runs on the guard's goroutine.
func (p *Pane) AutoResume(ctx context.Context, key anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error) {
	req := ""
	if r := p.requesterMirror.Load(); r != nil {
		req = *r
	}
	rec := audit.Record{
		Time: p.cfg.Now(), Profile: p.profileFor(key), UCC: key.UCC, CorrelationID: key.CorrelationID,
		Action: anywhere365.ActionStart.String(), Requester: req, Trigger: trigger, Vendor: "anywhere365", Source: "console",
	}
	api := p.apiFor(key)
	if b, ok := api.(interface{ BaseURL() string }); ok {
		rec.Server = b.BaseURL()
	}
	if req == "" {
		// Nothing is sent, so nothing is audited (the guard retries every
		// few seconds: one record each would flood the log); the screen
		// says why the pause is not ended.
		return nil, errNoRequester
	}
	if api == nil {
		return nil, errors.New("not connected to a server")
	}
	resp, err := auditedSet(ctx, api, p.cfg.Audit, rec,
		anywhere365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: req, Action: anywhere365.ActionStart})
	if err == nil {
		p.noteActor(key, anywhere365.ActionStart, p.cfg.Now(), "recdeck ("+trigger+") as "+req)
	}
	return resp, err
}

// beginner is an audit log with write-ahead records (*audit.Log).
type beginner interface {
	Begin(audit.Record) (*audit.Attempt, error)
}

// auditedSet sends one set with its audit record: write-ahead (attempt,
// then outcome) when the log supports it, else one record after.
func auditedSet(ctx context.Context, api RecordingAPI, aud Auditor, rec audit.Record, params anywhere365.SetParams) (*anywhere365.StateResponse, error) {
	var att *audit.Attempt
	if b, ok := aud.(beginner); ok && aud != nil {
		var err error
		if att, err = b.Begin(rec); err != nil {
			return nil, fmt.Errorf("audit log not written, %s not sent: %w", params.Action, err)
		}
	}
	resp, err := api.Set(ctx, params)
	if err == nil && resp != nil && resp.ErrorMessage != nil {
		err = &anywhere365.APIError{Type: resp.ErrorMessage.ErrorType, Message: resp.ErrorMessage.Message, Response: resp}
	}
	outcome := audit.OutcomeOK
	fill := func(r *audit.Record) {
		var ae *anywhere365.APIError
		switch {
		case errors.As(err, &ae):
			r.ErrorType, r.ErrorMessage = ae.Type.String(), ae.Message
		case err != nil:
			r.ErrorMessage = errText(err)
		case resp != nil:
			r.State = resp.RecordingState.String()
		}
	}
	if err != nil {
		outcome = audit.OutcomeFailed
		if anywhere365.IsNetwork(err) {
			outcome = audit.OutcomeUnknown // the Start may have taken effect
		}
	}
	switch {
	case att != nil:
		_ = att.End(outcome, fill)
	case aud != nil:
		rec.Time, rec.Outcome = time.Now(), outcome
		fill(&rec)
		_ = aud.Append(rec)
	}
	return resp, err
}

// actorNote says who sent an action this console knows of.
type actorNote struct {
	at     time.Time
	action anywhere365.Action
	who    string
}

// maxActorKeys bounds the sessions whose actors are remembered.
const maxActorKeys = 2000

func (p *Pane) noteActor(key anywhere365.SessionKey, a anywhere365.Action, at time.Time, who string) {
	p.actorMu.Lock()
	defer p.actorMu.Unlock()
	if p.actors == nil {
		p.actors = map[anywhere365.SessionKey][]actorNote{}
	}
	if len(p.actors) >= maxActorKeys {
		clear(p.actors)
	}
	l := append(p.actors[key], actorNote{at: at, action: a, who: who})
	if len(l) > 16 {
		l = l[len(l)-16:]
	}
	p.actors[key] = l
}

// actorOf names who sent the action of a history entry, when this console
// sent it (the closest note of the same action within 5 s).
func (p *Pane) actorOf(key anywhere365.SessionKey, h anywhere365.HistoryEntry) string {
	p.actorMu.Lock()
	defer p.actorMu.Unlock()
	best, bestD := "", 5*time.Second
	for _, n := range p.actors[key] {
		d := n.at.Sub(h.At)
		if d < 0 {
			d = -d
		}
		if n.action == h.Action && d <= bestD {
			best, bestD = n.who, d
		}
	}
	return best
}

// countdown is m:ss.
func countdown(d time.Duration) string {
	d = max(0, d)
	d = (d + time.Second - 1) / time.Second * time.Second // 0:01 until it is over
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// maxPause is the policy's maximum for key's UCC on its server.
func (p *Pane) maxPause(key anywhere365.SessionKey) time.Duration {
	if g := p.guardFor(key); g != nil {
		return g.Policies().For(key.UCC).MaxPause
	}
	return p.cfg.PaymentMax
}

func (p *Pane) paymentLines() []string {
	st := p.st
	s, _, ok := p.cfg.Source.Session(p.pay.key)
	lines := []string{
		st.Badge.Render("PAYMENT MODE") + " " + st.Text.Render(p.pay.key.UCC) + st.Muted.Render(" / ") + st.Text.Render(p.pay.key.CorrelationID),
		"  " + p.paymentHealth(s, ok),
	}
	if !ok {
		return append(lines, st.Warning.Render("⚠ The session is no longer listed (esc: back)"))
	}
	gs, guarded := anywhere365.PauseStatus{}, false
	if p.cfg.Guard != nil {
		gs, guarded = p.cfg.Guard.Status(p.pay.key)
	}
	if s.Gone {
		lines = append(lines, p.big("CALL ENDED", st.Muted)...)
		if s.Recording == anywhere365.RecordingPaused || (guarded && gs.Outcome == anywhere365.PauseCallEnded) {
			lines = append(lines, "  "+st.Error.Render("⚑ the call ended while paused: its last part was not recorded"))
		} else {
			lines = append(lines, "  "+st.Muted.Render("The call has ended (esc: back)"))
		}
		return p.paymentFooter(lines)
	}
	word := map[anywhere365.RecordingState]string{
		anywhere365.RecordingStarted:       "RECORDING",
		anywhere365.RecordingPaused:        "PAUSED",
		anywhere365.RecordingStopped:       "STOPPED",
		anywhere365.RecordingUninitialized: "NOT STARTED",
	}[s.Recording]
	if word == "" {
		word = strings.ToUpper(s.Recording.String())
	}
	style := stateStyle(s.Recording, st)
	lines = append(lines, p.big(word, style)...)
	sub := stateSymbol(s.Recording) + " " + s.Recording.String()
	if !s.Confirmed {
		sub += "  ? unconfirmed: waiting for the server"
	} else {
		sub += "  (confirmed by the server)"
	}
	if pa, busy := p.pending[p.pay.key]; busy {
		sub += "   " + spinFrames[int(p.tickSeq%uint64(len(spinFrames)))] + " " + pa.action.String() + " sent, waiting…"
	}
	lines = append(lines, "  "+style.Render(sub))
	if r := p.disabledReason(p.pay.key); r != "" {
		lines = append(lines, "  "+st.Error.Render("⊘ Payment mode cannot pause this call: "+r))
	} else if c := p.caps[uccOf(p.pay.key)]; c == nil || c.state == capsPending {
		lines = append(lines, "  "+st.Muted.Render("checking whether this UCC lets agents pause…"))
	}
	lines = append(lines, "")

	if s.Recording == anywhere365.RecordingPaused {
		deadline := s.StateSince.Add(p.maxPause(p.pay.key)) // until the guard has taken it up
		if guarded && !gs.Resolved {
			deadline = gs.Deadline
		}
		left := deadline.Sub(p.now)
		cd := countdown(left)
		cstyle := st.Text
		msg := "Recording resumes automatically in " + cd
		switch {
		case guarded && !gs.Resolved && gs.InFlight:
			cstyle, msg = st.Warning, "↻ Resuming the recording now…"
		case guarded && !gs.Resolved && gs.LastError != "":
			cstyle = st.Error
			msg = fmt.Sprintf("✗ automatic resume failed (%s), retrying in %s – or press space", gs.LastError, fmtRetry(gs.NextAttempt.Sub(p.now)))
		case left <= 0:
			cstyle, msg = st.Warning, "↻ Resuming the recording now…"
		case left <= p.cfg.PaymentWarn:
			cstyle = st.Warning
			msg = "⚠ Recording resumes automatically in " + cd + " – finish the payment or press space"
		}
		lines = append(lines, p.big(cd, cstyle)...)
		lines = append(lines, "  "+cstyle.Render(msg))
	} else if guarded && gs.Resolved && gs.Attempts > 0 && gs.Outcome == anywhere365.PauseResumed {
		lines = append(lines, "  "+st.Success.Render(fmt.Sprintf("✓ resumed automatically at %s, after %s paused", clock(gs.ResolvedAt), fmtAge(gs.ResolvedAt.Sub(gs.PausedAt)))))
	}
	return p.paymentFooter(lines)
}

func (p *Pane) paymentFooter(lines []string) []string {
	st := p.st
	lines = append(lines, "  "+st.HelpKey.Render(p.keys.PaymentToggle.Help().Key)+st.HelpDesc.Render(" pause / resume   ")+
		st.HelpKey.Render(p.keys.Back.Help().Key)+st.HelpDesc.Render(" leave payment mode (the pause keeps its deadline)"))
	if p.pay.last != "" {
		lst, sym, _ := st.Level(p.pay.lastLevel)
		lines = append(lines, "  "+st.Muted.Render("last: ")+lst.Render(sym+" "+p.pay.last)+st.Muted.Render(" at "+clock(p.pay.lastAt)))
	}
	return lines
}

// paymentHealth is payment mode's own line on the hub and the REST API:
// the agent must know whether the screen is live.
func (p *Pane) paymentHealth(s anywhere365.Session, ok bool) string {
	st := p.st
	cs := p.connOf(p.pay.key)
	hub := st.Success.Render("hub ● connected")
	switch cs.Phase {
	case anywhere365.ConnConnecting:
		hub = st.Info.Render("hub ◌ connecting")
	case anywhere365.ConnReconnecting:
		hub = st.Warning.Render(fmt.Sprintf("hub ↻ reconnecting (attempt %d)", cs.Attempt))
	case anywhere365.ConnClosed:
		hub = st.Error.Render("hub ✗ closed")
	}
	rest := st.Success.Render("REST ✓ state confirmed")
	switch {
	case !ok:
		rest = st.Warning.Render("REST ? session unknown")
	case s.LastError != "":
		rest = st.Error.Render("REST ✗ " + shortConnError(s.LastError))
	case !s.Confirmed:
		rest = st.Warning.Render("REST ? waiting for the server")
	}
	return hub + st.Muted.Render(" · ") + rest
}

// fmtRetry is a wait before the next attempt: "4s", never negative.
func fmtRetry(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second))
}

// big draws text in block letters, centred, or as one bold line when the
// body is too narrow.
func (p *Pane) big(text string, style interface{ Render(...string) string }) []string {
	if components.BigWidth(text)+4 > p.width || p.height < 16 {
		return []string{"  " + style.Render(text)}
	}
	rows := components.BigText(text)
	pad := strings.Repeat(" ", (p.width-components.BigWidth(text))/2)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = pad + style.Render(r)
	}
	return out
}

// guardTick runs on every frame tick: it reports, once each, what the
// guard did (a pause resumed automatically, a first failure), rings the
// bell for a new alert and refreshes the compliance marks and header.
func (p *Pane) guardTick() []tea.Cmd {
	var cmds []tea.Cmd
	if g := p.cfg.Guard; g != nil {
		for _, s := range g.Statuses() {
			cmds = append(cmds, p.reportGuard(s))
		}
	}
	cmds = append(cmds, p.complianceTick()...)
	return cmds
}

// guardSeen remembers what was already said about a guarded pause.
type guardSeen struct {
	pausedAt time.Time
	failed   bool
	resolved bool
}

func (p *Pane) reportGuard(s anywhere365.PauseStatus) tea.Cmd {
	if p.al.seen == nil {
		p.al.seen = map[anywhere365.SessionKey]guardSeen{}
	}
	seen := p.al.seen[s.Key]
	if !seen.pausedAt.Equal(s.PausedAt) {
		seen = guardSeen{pausedAt: s.PausedAt}
	}
	defer func() { p.al.seen[s.Key] = seen }()
	trigger := anywhere365.TriggerPolicy
	if s.Payment {
		trigger = anywhere365.TriggerPaymentMode
	}
	switch {
	case s.Resolved && !seen.resolved:
		seen.resolved = true
		if s.Attempts == 0 && s.Outcome != anywhere365.PauseCallEnded {
			return nil
		}
		text := fmt.Sprintf("%s: %s %s after %s paused", trigger, s.Outcome, label(s.Key), fmtAge(s.ResolvedAt.Sub(s.PausedAt)))
		level := ui.ToastSuccess
		if s.Outcome == anywhere365.PauseCallEnded {
			text, level = label(s.Key)+": the call ended while paused: its last part was not recorded", ui.ToastWarning
		}
		if s.Key == p.pay.key {
			p.pay.noteOutcome(p.now, level, text)
		}
		return toast(level, text)
	case !s.Resolved && s.LastError != "" && !seen.failed:
		seen.failed = true
		text := fmt.Sprintf("%s of %s failed (%s): retrying", trigger, label(s.Key), s.LastError)
		if s.Key == p.pay.key {
			p.pay.noteOutcome(p.now, ui.ToastError, text)
		}
		return toast(ui.ToastError, text)
	}
	return nil
}
