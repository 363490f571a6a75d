package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// pendingAction is an action sent and not answered yet: its row shows a
// spinner.
type pendingAction struct {
	action anywhere365.Action
	since  time.Time
}

// actionResultMsg is an action's outcome, after the audit record is on disk.
type actionResultMsg struct {
	key      anywhere365.SessionKey
	action   anywhere365.Action
	trigger  string
	prev     anywhere365.RecordingState
	resp     *anywhere365.StateResponse
	err      error
	auditErr error
	disabled string // non-empty: refused before sending, for this reason
	// att is the write-ahead record of the action, ended once more with
	// the confirmed state after an unknown outcome.
	att *audit.Attempt
	// reread, when set, makes this message the re-read that follows an
	// unknown outcome (one message type, so Update needs no new case).
	reread *rereadMsg
}

// rereadMsg is the state re-read after an action of unknown outcome.
type rereadMsg struct {
	res      actionResultMsg // the action whose answer was lost
	resp     *anywhere365.StateResponse
	err      error
	auditErr error
	tries    int
}

// stateGetter is the part of the REST client the pane uses to re-read a
// session after an unknown outcome (*anywhere365.Client has it); it is
// optional so fakes of RecordingAPI need not have it.
type stateGetter interface {
	GetState(ctx context.Context, ucc, correlationID string) (*anywhere365.StateResponse, error)
}

// rereadTries bounds the pane's own re-reads after an unknown outcome;
// the store keeps re-reading the session on its own after that.
const rereadTries = 3

// rereadDelay is the wait before re-read try n+1 (1 s, 2 s).
func rereadDelay(n int) time.Duration { return time.Second << (n - 1) }

// capsState is what the pane knows of a UCC's capabilities.
type capsState int

const (
	capsPending capsState = iota
	capsAllowed
	capsDenied
	capsUnknown // the request failed; actions stay enabled, the server decides
)

type capsEntry struct {
	state   capsState
	reason  string // why actions are disabled, or why caps are unknown
	retryAt time.Time
}

// uccKey names a UCC on one server: capabilities are per UCC and server.
type uccKey struct{ server, ucc string }

func uccOf(k anywhere365.SessionKey) uccKey { return uccKey{k.Server, k.UCC} }

type capsMsg struct {
	ucc  uccKey
	resp *anywhere365.CapabilitiesResponse
	err  error
}

// maxCapsInFlight bounds capability requests: they are fetched for the
// UCCs on screen, once each.
const maxCapsInFlight = 4

// capsRetry is how long a failed capabilities request waits to be retried.
const capsRetry = 30 * time.Second

// disabledReason is why actions on key's UCC are refused, or "".
func (p *Pane) disabledReason(key anywhere365.SessionKey) string {
	if c, ok := p.caps[uccOf(key)]; ok && c.state == capsDenied {
		return c.reason
	}
	return ""
}

// fetchCaps starts capability requests for the UCCs on screen (and the
// payment-mode call) that have none yet.
func (p *Pane) fetchCaps() []tea.Cmd {
	var cmds []tea.Cmd
	want := func(key anywhere365.SessionKey) {
		api := p.apiFor(key)
		if api == nil || p.capsBusy >= maxCapsInFlight {
			return
		}
		ucc := uccOf(key)
		c, ok := p.caps[ucc]
		if ok && !(c.state == capsUnknown && !p.now.Before(c.retryAt)) {
			return
		}
		p.caps[ucc] = &capsEntry{state: capsPending}
		p.capsBusy++
		timeout := p.cfg.ActionTimeout
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			resp, err := api.Capabilities(ctx, ucc.ucc)
			return capsMsg{ucc: ucc, resp: resp, err: err}
		})
	}
	if p.mode == modePayment {
		want(p.pay.key)
	}
	t := &p.tbl
	for i := t.offset; i < t.offset+t.visible && i < len(t.rows); i++ {
		want(t.snap[t.rows[i]].Key)
	}
	return cmds
}

func (p *Pane) onCaps(m capsMsg) {
	p.capsBusy = max(0, p.capsBusy-1)
	e := &capsEntry{}
	switch {
	case m.err != nil:
		e.state, e.reason, e.retryAt = capsUnknown, shortConnError(errText(m.err)), p.now.Add(capsRetry)
	case m.resp == nil:
		e.state, e.reason, e.retryAt = capsUnknown, "no answer", p.now.Add(capsRetry)
	case m.resp.ErrorMessage != nil:
		e.state, e.reason, e.retryAt = capsUnknown, m.resp.ErrorMessage.ErrorType.String()+": "+safetext.Out(m.resp.ErrorMessage.Message), p.now.Add(capsRetry)
	case m.resp.AgentCanEditRecordings:
		e.state = capsAllowed
	default:
		e.state = capsDenied
		e.reason = "agents cannot edit recordings on UCC " + m.ucc.ucc + " (AgentCanEditRecordings is false)"
	}
	p.caps[m.ucc] = e
	p.tbl.invalidateRowsOf(m.ucc)
}

// target is the session an action applies to: the payment-mode call, or
// the row under the cursor.
func (p *Pane) target() (anywhere365.SessionKey, anywhere365.RecordingState, bool) {
	if p.mode == modePayment {
		s, _, ok := p.cfg.Source.Session(p.pay.key)
		return p.pay.key, s.Recording, ok
	}
	s, ok := p.tbl.selected()
	if !ok {
		return anywhere365.SessionKey{}, 0, false
	}
	return s.Key, s.Recording, true
}

// act starts an action on the target session: it checks capabilities, asks
// for the requester SIP URI if unknown and for confirmation of stop and
// delete, then sends it. Every path ends in a toast.
func (p *Pane) act(a anywhere365.Action, trigger string) tea.Cmd {
	if trigger == "" && p.mode == modeTable && len(p.picked) > 0 {
		return p.bulkAct(a) // rows are picked: the action is for all of them
	}
	key, prev, ok := p.target()
	if !ok {
		return toast(ui.ToastWarning, a.String()+": no session selected")
	}
	name := label(key)
	if a == anywhere365.ActionStop && prev == anywhere365.RecordingStopped {
		// Nothing to ask or send: the server would refuse it.
		return toast(ui.ToastInfo, "The recording of "+name+" is already stopped: nothing sent")
	}
	if reason := p.disabledReason(key); reason != "" {
		return p.refuse(key, a, trigger, reason)
	}
	if pa, busy := p.pending[key]; busy {
		return toast(ui.ToastWarning, fmt.Sprintf("%s %s: %s is still pending", a, name, pa.action))
	}
	if p.apiFor(key) == nil {
		return toast(ui.ToastError, a.String()+" "+name+": not connected to a server")
	}
	if p.requester == "" {
		p.ask(components.NewInput("Your SIP URI (sent as the requester)", "sip:agent@domain.com",
			anywhere365.MaxSIPURILen, anywhere365.ValidateSIPURI),
			a.String()+" cancelled: no requester SIP URI",
			func(v string) tea.Cmd {
				p.requester = v
				return tea.Batch(toast(ui.ToastInfo, "Requester set to "+v), p.act(a, trigger))
			})
		return nil
	}
	if trigger == "" && (a == anywhere365.ActionStop || a == anywhere365.ActionDelete) {
		q := "Stop the recording of " + name + "?"
		if a == anywhere365.ActionDelete {
			q = "Delete the recording of " + name + "? It will not be kept."
		}
		p.ask(components.NewConfirm(q), a.String()+" "+name+" cancelled", func(string) tea.Cmd {
			return p.send(key, a, trigger, prev)
		})
		return nil
	}
	return p.send(key, a, trigger, prev)
}

// refuse reports an action refused before sending because the UCC does
// not allow it; the attempt is audited like any other.
func (p *Pane) refuse(key anywhere365.SessionKey, a anywhere365.Action, trigger, reason string) tea.Cmd {
	rec := p.record(key, a, trigger)
	rec.Outcome, rec.ErrorMessage = audit.OutcomeDisabled, reason
	aud := p.cfg.Audit
	return func() tea.Msg {
		var auditErr error
		if aud != nil {
			auditErr = aud.Append(rec)
		}
		return actionResultMsg{key: key, action: a, trigger: trigger, disabled: reason, auditErr: auditErr}
	}
}

func (p *Pane) record(key anywhere365.SessionKey, a anywhere365.Action, trigger string) audit.Record {
	r := audit.Record{
		Time: p.now, Profile: p.profileFor(key), UCC: key.UCC, CorrelationID: key.CorrelationID,
		Action: a.String(), Requester: p.requester, Trigger: trigger,
		Vendor: "anywhere365", Source: audit.SourceConsole,
	}
	if b, ok := p.apiFor(key).(interface{ BaseURL() string }); ok {
		r.Server = b.BaseURL() // with several servers, says where the action went
	}
	return r
}

// send runs the action in a tea.Cmd: the attempt record (fsynced) before
// the request leaves, the request (with a timeout), then the outcome
// record, written before the result reaches the screen. An action is sent
// even when its attempt cannot be recorded (a PCI pause must not wait on a
// full disk): the screen then says it was not audited.
func (p *Pane) send(key anywhere365.SessionKey, a anywhere365.Action, trigger string, prev anywhere365.RecordingState) tea.Cmd {
	p.pending[key] = pendingAction{action: a, since: p.now}
	p.noteActor(key, a, p.now, p.requester) // the detail view names who asked (requested.go)
	p.tbl.invalidateRow(key)
	api, aud, timeout, now := p.apiFor(key), p.cfg.Audit, p.cfg.ActionTimeout, p.cfg.Now
	rec := p.record(key, a, trigger)
	params := anywhere365.SetParams{UCC: key.UCC, CorrelationID: key.CorrelationID, RequesterSIP: p.requester, Action: a}
	sent := func() {}
	if s, ok := p.cfg.Guard.(pauseSender); ok && a == anywhere365.ActionPause {
		// A payment pause in flight is the exit path's to wait for: the
		// console may quit before its answer comes (pauseSender).
		sent = s.Sending(key)
	}
	return func() tea.Msg {
		defer sent()
		var att *audit.Attempt
		var auditErr error
		if aud != nil {
			rec.Time = now()
			att, auditErr = audit.Begin(aud, rec)
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		resp, err := api.Set(ctx, params)
		cancel()
		if err == nil && resp != nil && resp.ErrorMessage != nil {
			// A client may hand back the body without an error: treat the
			// ErrorMessage as the refusal it is.
			err = &anywhere365.APIError{Type: resp.ErrorMessage.ErrorType, Message: resp.ErrorMessage.Message, Response: resp}
		}
		outcome, set := audit.OutcomeOK, func(r *audit.Record) {
			r.Time = now()
			if resp != nil {
				r.State = resp.RecordingState.String()
			}
		}
		switch {
		case anywhere365.IsUnknownOutcome(err):
			outcome, set = audit.OutcomeUnknown, func(r *audit.Record) { r.Time, r.ErrorMessage = now(), errText(err) }
		case err != nil:
			outcome, set = audit.OutcomeFailed, func(r *audit.Record) {
				r.Time, r.ErrorMessage = now(), errText(err)
				var ae *anywhere365.APIError
				if errors.As(err, &ae) {
					r.ErrorType, r.ErrorMessage = ae.Type.String(), ae.Message
				}
			}
		}
		if att != nil {
			auditErr = att.End(outcome, set)
		}
		return actionResultMsg{key: key, action: a, trigger: trigger, prev: prev, resp: resp, err: err, auditErr: auditErr, att: att}
	}
}

// pauseSender is a PauseGuard that is told of pauses on their way to the
// server (*anywhere365.PauseGuard, and fleetGuard for several servers): a
// payment pause whose answer never reached the screen (the console quit
// while it was in flight) is then confirmed with the server and resumed by
// the exit path, instead of being applied after the console has gone.
type pauseSender interface {
	Sending(key anywhere365.SessionKey) (done func())
}

// reread GETs the session after an unknown outcome, records what the
// server confirmed against the action's attempt, and reports it.
func (p *Pane) reread(m actionResultMsg, tries int) tea.Cmd {
	getter, ok := p.apiFor(m.key).(stateGetter)
	if !ok {
		return nil // the store's own re-read updates the row
	}
	timeout, now := p.cfg.ActionTimeout, p.cfg.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		resp, err := getter.GetState(ctx, m.key.UCC, m.key.CorrelationID)
		cancel()
		var auditErr error
		switch {
		case err == nil && resp != nil:
			applied := anywhere365.Shows(m.action, resp)
			auditErr = m.att.End(audit.OutcomeConfirmed, func(r *audit.Record) {
				r.Time, r.State, r.Applied = now(), resp.RecordingState.String(), &applied
			})
		case tries >= rereadTries:
			if err == nil {
				err = errors.New("no answer")
			}
			auditErr = m.att.End(audit.OutcomeUnknown, func(r *audit.Record) {
				r.Time, r.ErrorMessage = now(), "re-read: "+errText(err)
			})
		}
		return actionResultMsg{reread: &rereadMsg{res: m, resp: resp, err: err, auditErr: auditErr, tries: tries}}
	}
}

// onReread reports the state confirmed after an unknown outcome, or tries
// again a little later.
func (p *Pane) onReread(m rereadMsg) tea.Cmd {
	name := label(m.res.key)
	var cmds []tea.Cmd
	if m.auditErr != nil {
		cmds = append(cmds, toast(ui.ToastWarning, "Audit log not written: "+m.auditErr.Error()))
	}
	if m.err != nil || m.resp == nil {
		if m.tries < rereadTries {
			next := p.reread(m.res, m.tries+1)
			return tea.Batch(append(cmds, tea.Tick(rereadDelay(m.tries), func(time.Time) tea.Msg { return next() }))...)
		}
		text := fmt.Sprintf("? %s %s still unknown: could not re-read it (%s); the row shows its state once the server answers",
			m.res.action, name, shortConnError(errText(m.err)))
		p.noteUnknown(m.res, ui.ToastWarning, text, false)
		return tea.Batch(append(cmds, toast(ui.ToastWarning, text))...)
	}
	applied := anywhere365.Shows(m.res.action, m.resp)
	took := "it took effect"
	level := ui.ToastSuccess
	if !applied {
		took, level = "it did not take effect", ui.ToastWarning
	}
	text := fmt.Sprintf("%s %s re-read after its lost answer: now %s (%s)", m.res.action, name, m.resp.RecordingState, took)
	p.noteUnknown(m.res, level, text, applied)
	return tea.Batch(append(cmds, toast(level, text))...)
}

// noteUnknown tells payment mode about an action of unknown outcome on its
// call: an automatic resume that did not (yet) take effect stays shown.
func (p *Pane) noteUnknown(m actionResultMsg, level ui.ToastLevel, text string, applied bool) {
	if m.trigger != "" {
		text = m.trigger + ": " + text
	}
	if m.key != p.pay.key {
		return
	}
	p.pay.noteOutcome(p.now, level, text)
	if m.trigger == triggerAutoResume {
		if applied {
			p.pay.autoFailed = ""
		} else {
			p.pay.autoFailed = text
		}
	}
}

func (p *Pane) onActionResult(m actionResultMsg) tea.Cmd {
	if m.reread != nil {
		return p.onReread(*m.reread)
	}
	var cmds []tea.Cmd
	if m.auditErr != nil {
		cmds = append(cmds, toast(ui.ToastWarning, "Audit log not written: "+m.auditErr.Error()))
	}
	name := label(m.key)
	if m.disabled != "" {
		text := fmt.Sprintf("%s %s is disabled: %s", m.action, name, m.disabled)
		if m.key == p.pay.key {
			p.pay.noteOutcome(p.now, ui.ToastError, text)
			if m.trigger == triggerAutoResume {
				p.pay.autoFailed = text
			}
		}
		return tea.Batch(append(cmds, toast(ui.ToastError, text))...)
	}
	delete(p.pending, m.key)
	p.tbl.invalidateRow(m.key)
	if p.cfg.Source != nil {
		p.cfg.Source.RecordAction(m.key, m.action, m.resp, m.err)
	}
	p.pull(true)
	if anywhere365.IsUnknownOutcome(m.err) {
		// Not a failure: the server may have applied it. Say so, and
		// re-read at once (the store re-reads too: RecordAction above).
		text := fmt.Sprintf("? %s %s unknown: the request reached the server but its answer was lost: re-reading", m.action, name)
		p.noteUnknown(m, ui.ToastWarning, text, false)
		if m.trigger != "" {
			text = m.trigger + ": " + text
		}
		return tea.Batch(append(cmds, toast(ui.ToastWarning, text), p.reread(m, 1))...)
	}
	var level ui.ToastLevel
	var text string
	if m.err != nil {
		level = ui.ToastError
		var ae *anywhere365.APIError
		if errors.As(m.err, &ae) {
			text = fmt.Sprintf("%s: %s (%s %s)", ae.Type, safetext.Out(ae.Message), m.action, name)
		} else {
			text = fmt.Sprintf("%s %s failed: %s", m.action, name, shortConnError(errText(m.err)))
		}
	} else {
		level = ui.ToastSuccess
		text = pastTense(m.action, m.prev) + " " + name
		if m.resp != nil {
			text += " (now " + changedState(m.action, m.resp) + ")"
		}
	}
	if m.trigger != "" {
		text = m.trigger + ": " + text
	}
	if m.key == p.pay.key {
		p.pay.noteOutcome(p.now, level, text)
		if m.err != nil && m.trigger == triggerAutoResume {
			p.pay.autoFailed = text
		}
	}
	return tea.Batch(append(cmds, toast(level, text))...)
}

// changedState is the state the action changed, as the server reports it:
// marking for Mark and UnMark, saving for Save and Delete, else recording.
func changedState(a anywhere365.Action, r *anywhere365.StateResponse) string {
	switch a {
	case anywhere365.ActionMark, anywhere365.ActionUnMark:
		return r.MarkingState.String()
	case anywhere365.ActionSave, anywhere365.ActionDelete:
		return r.SavingState.String()
	}
	return r.RecordingState.String()
}

// pastTense names a done action: "Paused", "Resumed" (Start on a paused
// recording), ...
func pastTense(a anywhere365.Action, prev anywhere365.RecordingState) string {
	switch a {
	case anywhere365.ActionStart:
		if prev == anywhere365.RecordingPaused {
			return "Resumed"
		}
		return "Started"
	case anywhere365.ActionStop:
		return "Stopped"
	case anywhere365.ActionPause:
		return "Paused"
	case anywhere365.ActionSave:
		return "Saved"
	case anywhere365.ActionDelete:
		return "Deleted"
	case anywhere365.ActionMark:
		return "Marked"
	case anywhere365.ActionUnMark:
		return "Unmarked"
	}
	return a.String() + " done:"
}

// label names a session in toasts: "ucc-demo-name/1d6c6a58".
func label(k anywhere365.SessionKey) string {
	if k.Server != "" { // several servers: say which one
		return safetext.Out(k.Server) + ":" + k.UCC + "/" + shortID(k.CorrelationID)
	}
	return k.UCC + "/" + shortID(k.CorrelationID)
}

// errText is an error for the screen: one line, bounded.
func errText(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// askAdd asks for a UCC and a correlation id, validating each before
// anything is sent, then has the store watch that session.
func (p *Pane) askAdd() tea.Cmd {
	p.ask(components.NewInput("Watch session: UCC name", "ucc-demo-name", anywhere365.MaxUCCLen, anywhere365.ValidateUCC),
		"Add session cancelled",
		func(ucc string) tea.Cmd {
			p.ask(components.NewInput("Watch session "+ucc+": correlation id", "1d6c6a58-6739-4f0c-98ff-0968292c8c30", 64, anywhere365.ValidateTypedGUID),
				"Add session cancelled",
				func(id string) tea.Cmd {
					// Typed ids may come in braces or upper case (as .NET logs print them).
					key := anywhere365.SessionKey{UCC: ucc, CorrelationID: anywhere365.NormalizeGUID(id)}
					p.cfg.Source.Watch(key)
					p.tbl.selectKey(key)
					p.pull(true)
					return toast(ui.ToastSuccess, "Watching "+label(key)+": fetching its state")
				})
			return nil
		})
	return nil
}

// invalidateRow forces a row to be drawn again (its marker changed).
func (t *table) invalidateRow(k anywhere365.SessionKey) { delete(t.cache, k) }

// invalidateRowsOf forces the rows of one UCC to be drawn again.
func (t *table) invalidateRowsOf(ucc uccKey) {
	for k := range t.cache {
		if uccOf(k) == ucc {
			delete(t.cache, k)
		}
	}
}
