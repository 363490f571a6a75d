package sessions

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// The alerts view: every flagged session (overdue pause, not recording,
// ended while paused, marked for delete), worst first, with how long. From
// it a supervisor resumes one overdue pause (s: the usual, audited action
// flow), resumes all overdue pauses after one confirmation (R), or
// acknowledges an alert (c). The compliance book itself (flags, alerts,
// counts) lives in client/anywhere365 and is updated by the pause guard's
// goroutine; this file only reads copies on the frame's tick.

// alertsView is the alerts view's state and the compliance data pulled on
// the last tick.
type alertsView struct {
	cursor  int
	list    []anywhere365.Alert
	version uint64
	pulled  bool
	flags   map[anywhere365.SessionKey]anywhere365.FlagKind // worst active flag per session
	header  string
	raised  uint64
	bellSet bool
	seen    map[anywhere365.SessionKey]guardSeen
	// endedAudited: calls whose "ended while paused" is in the audit log.
	endedAudited map[anywhere365.SessionKey]bool
}

func (p *Pane) enterAlerts() tea.Cmd {
	if p.cfg.Compliance == nil {
		return toast(ui.ToastWarning, "Compliance alerts are not available")
	}
	p.mode = modeAlerts
	p.al.cursor = 0
	p.pullAlerts(true)
	return nil
}

// pullAlerts copies the alerts when the book changed (or force).
func (p *Pane) pullAlerts(force bool) bool {
	c := p.cfg.Compliance
	v := c.Version()
	if !force && p.al.pulled && v == p.al.version {
		return false
	}
	p.al.version, p.al.pulled = v, true
	p.al.list = c.Alerts(p.now)
	if p.al.cursor >= len(p.al.list) {
		p.al.cursor = max(0, len(p.al.list)-1)
	}
	return true
}

// complianceTick refreshes the row marks and header counts when the book
// changed, re-sorts the open alerts view (durations move) and rings the
// bell once for new alerts.
func (p *Pane) complianceTick() []tea.Cmd {
	c := p.cfg.Compliance
	if c == nil {
		return nil
	}
	changed := p.pullAlerts(p.mode == modeAlerts && p.tickSeq%10 == 0)
	if changed {
		// Acknowledged alerts leave the list, not the rows: the flag stays
		// on the row while the condition holds.
		flags := make(map[anywhere365.SessionKey]anywhere365.FlagKind, len(p.al.flags))
		for _, f := range c.Active() {
			if k, ok := flags[f.Key]; !ok || f.Kind < k {
				flags[f.Key] = f.Kind
			}
		}
		p.al.flags = flags
		p.tbl.flags = flags
		p.tbl.invalidate()
		p.al.header = p.headerSegment(c.Counts())
		p.auditEndedWhilePaused(c.Active())
	}
	var cmds []tea.Cmd
	if r := c.Raised(); r != p.al.raised {
		if r > p.al.raised && p.cfg.Bell {
			cmds = append(cmds, tea.Raw("\a"))
		}
		p.al.raised = r
	}
	return cmds
}

// auditEndedWhilePaused writes one audit record per call that ended while
// its recording was paused (`recdeck report` closes that pause with
// resumed_by call-ended): the evidence that the tail of the call was not
// recorded, whoever paused it.
func (p *Pane) auditEndedWhilePaused(active []anywhere365.Flag) {
	if p.cfg.Audit == nil {
		return
	}
	for _, f := range active {
		if f.Kind != anywhere365.FlagEndedPaused || p.al.endedAudited[f.Key] {
			continue
		}
		if p.al.endedAudited == nil {
			p.al.endedAudited = map[anywhere365.SessionKey]bool{}
		}
		p.al.endedAudited[f.Key] = true
		rec := p.record(f.Key, 0, "")
		rec.Action, rec.Outcome, rec.State, rec.Requester = audit.ActionCallEnded, audit.OutcomeOK, anywhere365.RecordingPaused.String(), ""
		_ = p.cfg.Audit.Append(rec) // a failing log is reported by the next action's toast
	}
}

// headerSegment is the header's compliance counts: "⚠ 2 overdue · ✗ 1 not
// recording"; empty when nothing is flagged.
func (p *Pane) headerSegment(counts map[anywhere365.FlagKind]int) string {
	if p.st == nil {
		return ""
	}
	var parts []string
	for _, k := range anywhere365.FlagKinds {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d %s", k.Mark(), n, k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return p.st.Error.Render(" " + strings.Join(parts, " · ") + " ")
}

// HeaderSegment is the compliance counts for the frame's header (every
// tab): see ui.HeaderSegmenter.
func (p *Pane) HeaderSegment() string { return p.al.header }

func (p *Pane) alertsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	n := len(p.al.list)
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Alerts):
		p.mode = modeTable
	case key.Matches(msg, k.Up):
		p.al.cursor = max(0, p.al.cursor-1)
	case key.Matches(msg, k.Down):
		p.al.cursor = min(max(0, n-1), p.al.cursor+1)
	case key.Matches(msg, k.Top):
		p.al.cursor = 0
	case key.Matches(msg, k.Bottom):
		p.al.cursor = max(0, n-1)
	case key.Matches(msg, k.AlertAck):
		a, ok := p.alertAt()
		if !ok {
			return toast(ui.ToastWarning, "No alert selected")
		}
		p.cfg.Compliance.Ack(a.Key, a.Kind)
		p.pullAlerts(true)
		return toast(ui.ToastInfo, "Acknowledged: "+a.Kind.String()+" on "+label(a.Key))
	case key.Matches(msg, k.Start), key.Matches(msg, k.PaymentToggle):
		a, ok := p.alertAt()
		if !ok {
			return toast(ui.ToastWarning, "No alert selected")
		}
		if a.Kind != anywhere365.FlagOverdue && a.Kind != anywhere365.FlagNotRecording {
			return toast(ui.ToastWarning, "Nothing to resume: "+label(a.Key)+" is "+a.Kind.String())
		}
		return p.actOn(a.Key, anywhere365.ActionStart)
	case key.Matches(msg, k.AlertResumeAll):
		return p.askResumeAll()
	case key.Matches(msg, k.Detail):
		a, ok := p.alertAt()
		if !ok {
			return nil
		}
		p.tbl.selectKey(a.Key)
		if s, ok := p.tbl.selected(); ok && s.Key == a.Key {
			p.mode = modeDetail
			return nil
		}
		return toast(ui.ToastWarning, label(a.Key)+" is not in the list (ended, or hidden by the filter)")
	}
	return nil
}

func (p *Pane) alertAt() (anywhere365.Alert, bool) {
	if p.al.cursor < 0 || p.al.cursor >= len(p.al.list) {
		return anywhere365.Alert{}, false
	}
	return p.al.list[p.al.cursor], true
}

// actOn runs the usual action flow (capabilities, requester, audit,
// toast) on key: the table's cursor is moved onto it first, since actions
// apply to the selected row.
func (p *Pane) actOn(k anywhere365.SessionKey, a anywhere365.Action) tea.Cmd {
	p.tbl.selectKey(k)
	if s, ok := p.tbl.selected(); !ok || s.Key != k {
		if p.tbl.filter != "" {
			p.tbl.setFilter("")
			p.tbl.selectKey(k)
		}
		if s, ok := p.tbl.selected(); !ok || s.Key != k {
			return toast(ui.ToastWarning, a.String()+" "+label(k)+": the session is no longer listed")
		}
	}
	return p.act(a, "")
}

// askResumeAll resumes every overdue pause after one confirmation; each
// is sent and audited like a single resume.
func (p *Pane) askResumeAll() tea.Cmd {
	var keys []anywhere365.SessionKey
	for _, a := range p.al.list {
		if a.Kind == anywhere365.FlagOverdue && a.Active {
			keys = append(keys, a.Key)
		}
	}
	if len(keys) == 0 {
		return toast(ui.ToastInfo, "No overdue pause to resume")
	}
	if p.apiFor(keys[0]) == nil {
		return toast(ui.ToastError, "Resume all: not connected to a server")
	}
	run := func() tea.Cmd {
		var cmds []tea.Cmd
		var refused []string
		for _, k := range keys {
			if r := p.disabledReason(k); r != "" {
				refused = append(refused, label(k))
				cmds = append(cmds, p.refuse(k, anywhere365.ActionStart, "", r))
				continue
			}
			if _, busy := p.pending[k]; busy {
				continue
			}
			cmds = append(cmds, p.send(k, anywhere365.ActionStart, "", anywhere365.RecordingPaused))
		}
		msg := fmt.Sprintf("Resuming %d overdue pause(s)", len(keys)-len(refused))
		if len(refused) > 0 {
			msg += "; not allowed on " + strings.Join(refused, ", ")
		}
		return tea.Batch(append(cmds, toast(ui.ToastInfo, msg))...)
	}
	q := fmt.Sprintf("Resume the recording of %d overdue call(s)?", len(keys))
	p.ask(components.NewConfirm(q), "Resume all cancelled", func(string) tea.Cmd {
		if p.requester == "" {
			p.ask(components.NewInput("Your SIP URI (sent as the requester)", "sip:agent@domain.com",
				anywhere365.MaxSIPURILen, anywhere365.ValidateSIPURI),
				"Resume all cancelled: no requester SIP URI",
				func(v string) tea.Cmd {
					p.requester = v
					return run()
				})
			return nil
		}
		return run()
	})
	return nil
}

// alertsLines draws the alerts view.
func (p *Pane) alertsLines() []string {
	st := p.st
	lines := []string{st.Title.Render(" Compliance alerts") + st.Muted.Render(fmt.Sprintf("   %d listed, worst first (esc: back)", len(p.al.list)))}
	if len(p.al.list) == 0 {
		return append(lines, "", "  "+st.Success.Render("✓ Nothing flagged: no overdue pause, unrecorded call, call ended while paused or recording marked for delete."))
	}
	lines = append(lines, st.Muted.Render(fmt.Sprintf("   %-20s %-14s %-11s %-9s %s", "FLAG", "UCC", "CALL", "FOR", "STATUS")))
	room := max(1, p.height-3-len(lines))
	off := 0
	if p.al.cursor >= room {
		off = p.al.cursor - room + 1
	}
	for i := off; i < len(p.al.list) && i < off+room; i++ {
		a := p.al.list[i]
		ptr := " "
		if i == p.al.cursor {
			ptr = selPointer
		}
		status := p.alertStatus(a)
		text := fmt.Sprintf("%s %s %-18s %-14s %-11s %-9s %s", ptr, a.Kind.Mark(), a.Kind, fit(a.Key.UCC, 14), shortID(a.Key.CorrelationID), fmtAge(a.For(p.now)), status)
		style := st.Error
		switch {
		case i == p.al.cursor:
			style = st.RowSel
		case !a.Active:
			style = st.Muted
		case a.Kind == anywhere365.FlagDelete:
			style = st.Warning
		}
		lines = append(lines, style.Render(text))
	}
	return lines
}

// alertStatus says what is being done about an alert.
func (p *Pane) alertStatus(a anywhere365.Alert) string {
	if _, busy := p.pending[a.Key]; busy {
		return "resume sent, waiting…"
	}
	if !a.Active {
		return "call ended (c: acknowledge)"
	}
	if g := p.guardFor(a.Key); a.Kind == anywhere365.FlagOverdue && g != nil {
		if gs, ok := g.Status(strip(a.Key)); ok && !gs.Resolved {
			who := "policy"
			if gs.Payment {
				who = "payment mode"
			}
			switch {
			case gs.InFlight:
				return who + ": resuming…"
			case gs.LastError != "":
				return fmt.Sprintf("%s: resume failed (%s), retrying in %s", who, gs.LastError, fmtRetry(gs.NextAttempt.Sub(p.now)))
			default:
				return who + ": resumes at " + clock(gs.Deadline)
			}
		}
		return "paused since " + clock(a.Since)
	}
	return "since " + clock(a.Since)
}

// alertKeys is the help.KeyMap of the alerts view.
type alertKeys struct{ k *KeyMap }

func (a alertKeys) ShortHelp() []key.Binding {
	k := a.k
	start := k.Start
	start.SetHelp(k.Start.Help().Key, "resume")
	back := k.Back
	back.SetHelp(back.Help().Key, "back to the list")
	return []key.Binding{start, k.AlertResumeAll, k.AlertAck, k.Detail, back}
}

func (a alertKeys) FullHelp() [][]key.Binding {
	k := a.k
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, a.ShortHelp()}
}

// flagMarker is the row marker of a flagged session, or "".
func (p *Pane) flagMarker(k anywhere365.SessionKey) string {
	if f, ok := p.al.flags[k]; ok {
		return f.Mark()
	}
	return ""
}

var _ ui.HeaderSegmenter = (*Pane)(nil)
var _ ui.QuitGuard = (*Pane)(nil)
