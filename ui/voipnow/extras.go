package voipnowpane

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
	"github.com/recdeck/recdeck/ui/components"
)

// Auditor is where the pane writes its write-ahead audit records of
// StartRecording and StopRecording; *audit.Log satisfies it.
type Auditor interface {
	Begin(audit.Record) (*audit.Attempt, error)
}

// What the bottom line's prompt is for.
type askKind int

const (
	askFilter askKind = iota
	askScope
	askStop
)

// matches reports whether a row matches the filter: its extension, caller
// id, or a source or destination number contains it (any case).
func (r row) matches(f string) bool {
	if f == "" {
		return true
	}
	f = strings.ToLower(f)
	v := r.view
	for _, s := range append([]string{v.Extension, v.CallerID, r.call.Extension}, append(v.Source, v.Destination...)...) {
		if strings.Contains(strings.ToLower(s), f) {
			return true
		}
	}
	return false
}

// visible is the rows the filter lets through (all without one).
func (p *Pane) visible() []int {
	out := make([]int, 0, len(p.rows))
	for i, r := range p.rows {
		if r.matches(p.filter) {
			out = append(out, i)
		}
	}
	return out
}

// openAsk opens the bottom-line prompt.
func (p *Pane) openAsk(kind askKind, pr *components.Prompt) {
	p.ask, p.askKind = pr, kind
}

func (p *Pane) openFilter() {
	pr := components.NewInput("Filter calls (extension, caller, number)", "e.g. 0003*210 or John", 64, nil)
	pr.AcceptHelp, pr.CancelHelp = "apply", "clear"
	pr.SetValue(p.filter)
	p.openAsk(askFilter, pr)
}

func (p *Pane) openScope() {
	pr := components.NewInput("User and extension to show (user/extension)", "@me/@self, @owner/@self, 12/0003*210", 80, func(s string) error {
		_, _, err := parseScope(s)
		return err
	})
	pr.SetValue(p.opts.UserID + "/" + p.opts.Extension)
	p.openAsk(askScope, pr)
}

// parseScope reads "user/extension" (or a user alone: all its extensions).
func parseScope(s string) (user, ext string, err error) {
	s = strings.TrimSpace(s)
	user, ext, _ = strings.Cut(s, "/")
	user, ext = strings.TrimSpace(user), strings.TrimSpace(ext)
	if user == "" {
		return "", "", errors.New("type a user (@me, @owner or an id), then /extension")
	}
	if ext == "" {
		ext = voipnow.ExtSelf
	}
	if err := voipnow.ValidateUserID(user); err != nil {
		return "", "", err
	}
	if err := voipnow.ValidateExtension(ext); err != nil {
		return "", "", err
	}
	return user, ext, nil
}

// askKey handles a key while the bottom-line prompt is open.
func (p *Pane) askKey(msg tea.KeyPressMsg) tea.Cmd {
	res, cmd := p.ask.Update(msg)
	kind := p.askKind
	switch res {
	case components.PromptCancelled:
		p.ask = nil
		switch kind {
		case askFilter:
			p.setFilter("")
		case askStop:
			p.stopKey = ""
			return ui.Toast(ui.ToastInfo, "VoipNow: stop recording cancelled, nothing was sent")
		}
		return nil
	case components.PromptAccepted:
		v := p.ask.Value()
		p.ask = nil
		switch kind {
		case askFilter:
			p.setFilter(v)
		case askScope:
			user, ext, _ := parseScope(v)
			if user == p.opts.UserID && ext == p.opts.Extension {
				return nil
			}
			p.opts.UserID, p.opts.Extension = user, ext
			p.rows, p.sel, p.offset, p.window = nil, 0, 0, 0
			p.loaded, p.shown = false, ""
			p.fetchSeq++ // answers for the old scope are dropped
			p.fetching = false
			return tea.Batch(ui.Toast(ui.ToastInfo, "VoipNow: showing %s/%s", user, ext), p.fetch(true))
		case askStop:
			k := p.stopKey
			p.stopKey = ""
			r := p.find(k)
			if r == nil || !r.endedAt.IsZero() {
				return ui.Toast(ui.ToastWarning, "VoipNow: cannot stop recording: the call has ended")
			}
			return p.act(r, false, "")
		}
		return nil
	}
	if kind == askFilter { // live: the list narrows as it is typed
		p.setFilter(p.ask.Value())
	}
	return cmd
}

// setFilter applies a filter and keeps the selection on a visible row.
func (p *Pane) setFilter(f string) {
	p.filter = strings.TrimSpace(f)
	vis := p.visible()
	if len(vis) == 0 {
		p.sel = 0
		return
	}
	for _, i := range vis {
		if i == p.sel {
			p.clampScroll()
			return
		}
	}
	p.sel = vis[0]
	p.clampScroll()
}

// askStopFor confirms a stop: it ends the recording of a call someone may
// rely on (a PCI pause, a complaint). A view that is not recording is said
// so and nothing is sent.
func (p *Pane) askStopFor(r *row) tea.Cmd {
	if !r.view.IsRecording() {
		return ui.Toast(ui.ToastWarning, "VoipNow: %s is not being recorded: nothing to stop", r.describe())
	}
	p.stopKey = r.key()
	p.openAsk(askStop, components.NewConfirm("Stop recording "+r.describe()+"? (y/n)"))
	return nil
}

// auditStart writes the attempt record of a recording action (nil-safe).
func (p *Pane) auditStart(action, target string) *audit.Attempt {
	if p.opts.Audit == nil {
		return nil
	}
	att, _ := p.opts.Audit.Begin(audit.Record{Vendor: "voipnow", Server: p.opts.Server, Profile: p.opts.Profile,
		Requester: p.opts.Requester, Source: "console", Action: action, Target: safetext.Out(target)})
	return att
}

// auditOutcome is the outcome of a recording action for the audit log.
// Unknown: the answer was lost after the request was written, or a 204
// whose call could not be read again. A request that never left (refused,
// DNS, TLS) is failed: the PBX never saw it.
func auditOutcome(err error) string {
	var ce *voipnow.ConfirmError
	switch {
	case err == nil:
		return audit.OutcomeOK
	case voipnow.IsUnknownOutcome(err), errors.As(err, &ce):
		return audit.OutcomeUnknown
	}
	return audit.OutcomeFailed
}
