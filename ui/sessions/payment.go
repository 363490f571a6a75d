package sessions

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// triggerAutoResume marks the Start payment mode sends when a pause has
// lasted PaymentMax (in toasts and in the audit record).
const triggerAutoResume = "payment-mode auto-resume"

// payment is payment mode's state: one call, full screen, one key to pause
// and resume, and a countdown to an automatic resume so a forgotten pause
// never leaves the rest of the call unrecorded.
type payment struct {
	key anywhere365.SessionKey
	// pausedAt is when payment mode first saw the call paused; zero while
	// it is not paused.
	pausedAt   time.Time
	autoFired  bool   // the automatic resume was sent for this pause
	autoFailed string // and it failed: shown until the next pause/resume
	last       string // the last action's outcome on this call
	lastLevel  ui.ToastLevel
	lastAt     time.Time
}

func (pm *payment) noteOutcome(now time.Time, level ui.ToastLevel, text string) {
	pm.last, pm.lastLevel, pm.lastAt = text, level, now
}

func (p *Pane) enterPayment() tea.Cmd {
	s, ok := p.tbl.selected()
	if !ok {
		return toast(ui.ToastWarning, "Payment mode: no session selected")
	}
	p.mode = modePayment
	p.pay = payment{key: s.Key}
	return tea.Batch(p.paymentTick(), toast(ui.ToastInfo, "Payment mode on "+label(s.Key)+": space pauses and resumes, esc leaves"))
}

func (p *Pane) paymentKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.PaymentToggle):
		s, _, ok := p.cfg.Source.Session(p.pay.key)
		if !ok {
			return toast(ui.ToastWarning, "Payment mode: the session is no longer listed")
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
		return toast(ui.ToastInfo, "Left payment mode")
	case msg.String() == "q":
		return toast(ui.ToastWarning, "In payment mode: press esc to leave it first")
	}
	return nil
}

// paymentTick runs the countdown: when the call has been paused for
// PaymentMax, it sends a normal Start, whose outcome is shown like any
// other action's.
func (p *Pane) paymentTick() tea.Cmd {
	s, _, ok := p.cfg.Source.Session(p.pay.key)
	if !ok || s.Recording != anywhere365.RecordingPaused {
		p.pay.pausedAt, p.pay.autoFired = time.Time{}, false
		return nil
	}
	if p.pay.pausedAt.IsZero() {
		p.pay.pausedAt = p.now
	}
	if p.pay.autoFired || p.now.Sub(p.pay.pausedAt) < p.cfg.PaymentMax {
		return nil
	}
	if _, busy := p.pending[p.pay.key]; busy {
		return nil
	}
	p.pay.autoFired = true
	return p.act(anywhere365.ActionStart, triggerAutoResume)
}

// remaining is the time left before the automatic resume.
func (p *Pane) remaining() time.Duration {
	return max(0, p.cfg.PaymentMax-p.now.Sub(p.pay.pausedAt))
}

func (p *Pane) paymentLines() []string {
	st := p.st
	s, _, ok := p.cfg.Source.Session(p.pay.key)
	lines := []string{
		st.Badge.Render("PAYMENT MODE") + " " + st.Text.Render(p.pay.key.UCC) + st.Muted.Render(" / ") + st.Text.Render(p.pay.key.CorrelationID),
	}
	if !ok {
		return append(lines, st.Warning.Render("⚠ The session is no longer listed (esc: back)"))
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
	lines = append(lines, "  "+style.Render(sub), "")

	if s.Recording == anywhere365.RecordingPaused && !p.pay.pausedAt.IsZero() {
		left := p.remaining()
		cd := fmt.Sprintf("%d:%02d", int(left/time.Minute), int(left%time.Minute/time.Second))
		cstyle := st.Text
		msg := "Recording resumes automatically in " + cd
		if left <= p.cfg.PaymentWarn {
			cstyle = st.Warning
			msg = "⚠ Recording resumes automatically in " + cd + " – finish the payment or press space"
		}
		if p.pay.autoFailed != "" {
			cstyle = st.Error
			msg = "✗ Automatic resume failed – press space to resume (reason below)"
		}
		lines = append(lines, p.big(cd, cstyle)...)
		lines = append(lines, "  "+cstyle.Render(msg))
	}
	lines = append(lines, "  "+st.HelpKey.Render(p.keys.PaymentToggle.Help().Key)+st.HelpDesc.Render(" pause / resume   ")+
		st.HelpKey.Render(p.keys.Back.Help().Key)+st.HelpDesc.Render(" leave payment mode"))
	if p.pay.last != "" {
		lst, sym, _ := st.Level(p.pay.lastLevel)
		lines = append(lines, "  "+st.Muted.Render("last: ")+lst.Render(sym+" "+p.pay.last)+st.Muted.Render(" at "+clock(p.pay.lastAt)))
	}
	return lines
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
