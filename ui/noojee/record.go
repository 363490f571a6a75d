package noojeepane

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// Auditor is where the pane writes its write-ahead audit records of start
// and stop; *audit.Log satisfies it.
type Auditor interface {
	Begin(audit.Record) (*audit.Attempt, error)
}

// recordMsg is the answer to a start or stop.
type recordMsg struct {
	start  bool
	req    noojee.RecordRequest
	answer noojee.Answer
	err    error
}

// parseRecordRequest reads the start/stop prompt: an extension or unique
// id, then optional "tag=T" and "agent=NAME" (agentLoginName), e.g.
// "410 tag=PCI-1 agent=Fred".
func parseRecordRequest(s string) (noojee.RecordRequest, error) {
	var r noojee.RecordRequest
	for i, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case i == 0 && !ok:
			r.ExtenOrUniqueID = f
		case ok && strings.EqualFold(k, "tag"):
			r.Tag = v
		case ok && (strings.EqualFold(k, "agent") || strings.EqualFold(k, "agentLoginName")):
			r.AgentLoginName = v
		default:
			return r, fmt.Errorf("%q: want an extension or unique id first, then tag=T and agent=NAME", f)
		}
	}
	if r.ExtenOrUniqueID == "" {
		return r, errors.New("type an extension (e.g. 410) or a unique id, then optionally tag=T agent=NAME")
	}
	return r, nil
}

// openRecordPrompt asks what to start or stop recording, prefilled with
// the selected call's unique id when a call is shown.
func (p *Pane) openRecordPrompt(start bool) {
	value := ""
	if p.view == viewLegs && p.sel < len(p.rows) {
		value = p.calls[p.rows[p.sel].call].UniqueID
	}
	what, kind := "Stop", promptStop
	if start {
		what, kind = "Start", promptStart
	}
	p.openPrompt(kind, what+" recording: extension or unique id [tag=T] [agent=NAME]", "e.g. 410 tag=PCI-1 agent=Fred", value,
		func(s string) error { _, err := parseRecordRequest(s); return err })
}

// askStop confirms a stop before it is sent (a stop ends what the PCI
// pause or the agent relies on).
func (p *Pane) askStop(r noojee.RecordRequest) {
	p.pendingStop = &r
	q := "Stop recording " + safetext.Printable(r.ExtenOrUniqueID)
	if r.AgentLoginName != "" {
		q += " as " + safetext.Printable(r.AgentLoginName)
	}
	p.prompt = components.NewConfirm(q + "? (y/n)")
	p.promptKind = promptConfirmStop
}

// record sends start or stop in a tea.Cmd, between an audit attempt and
// its outcome.
func (p *Pane) record(start bool, r noojee.RecordRequest) tea.Cmd {
	c, timeout := p.opts.Client, p.opts.RequestTimeout
	action := "recording stop"
	p.busy = "Stopping recording on " + safetext.Printable(r.ExtenOrUniqueID) + "…"
	if start {
		action = "recording start"
		p.busy = "Starting recording on " + safetext.Printable(r.ExtenOrUniqueID) + "…"
	}
	aud, o := p.opts.Audit, p.opts
	return func() tea.Msg {
		var att *audit.Attempt
		if aud != nil {
			att, _ = aud.Begin(audit.Record{Vendor: "noojee", Server: o.Server, Profile: o.Profile, Requester: o.Requester,
				Source: "console", Action: action, Target: safetext.Out(r.ExtenOrUniqueID)})
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		m := recordMsg{start: start, req: r}
		if start {
			m.answer, m.err = c.StartRecording(ctx, r)
		} else {
			m.answer, m.err = c.StopRecording(ctx, r)
		}
		_ = att.End(outcomeOf(m.err), func(rec *audit.Record) {
			if m.err != nil {
				rec.ErrorMessage = safetext.Out(m.err.Error())
			}
		})
		return m
	}
}

// outcomeOf is the audit outcome: unknown when the request may have
// reached the server without an answer coming back.
// A request never sent (refused, DNS, TLS, no timeStamp) is failed: the
// server never saw it.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return audit.OutcomeOK
	case noojee.IsUnknownOutcome(err):
		return audit.OutcomeUnknown
	}
	return audit.OutcomeFailed
}

func (p *Pane) onRecord(m recordMsg) tea.Cmd {
	p.busy = ""
	target := safetext.Printable(m.req.ExtenOrUniqueID)
	verb := "stop recording"
	if m.start {
		verb = "start recording"
	}
	if noojee.IsUnknownOutcome(m.err) {
		// Neither ok nor failed, and nothing to re-read: Noojee has no
		// method that tells whether a call is being recorded now.
		return p.report(ui.ToastWarning, "? %s on %s unknown: the answer was lost; Noojee offers no way to read it back (%s)",
			verb, target, safetext.Out(m.err.Error()))
	}
	if m.err != nil {
		return p.report(ui.ToastError, "%s on %s failed: %s", verb, target, safetext.Out(m.err.Error()))
	}
	done := "recording stopped on " + target
	if m.start {
		done = "recording started on " + target
	}
	if msg := safetext.Printable(m.answer.Message); msg != "" && !strings.EqualFold(msg, "OK") {
		done += " (server: " + msg + ")"
	}
	return p.report(ui.ToastSuccess, "%s", done)
}
