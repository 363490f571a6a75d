package sessions

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// Bulk actions: V picks (or unpicks) the row under the cursor, shown by
// markPicked in the row's marker cell; while rows are picked, an action key
// (s p x m u v d) applies to every picked session after one confirmation,
// each sent, audited (one write-ahead record per session) and reported
// (one toast per session, all kept in the message log) as a single action
// would be. esc clears the picks.

// markPicked marks a picked row (in text, so it shows without colour).
const markPicked = "✓"

// togglePick picks or unpicks the selected session and moves down, so
// several rows are picked by pressing V on each.
func (p *Pane) togglePick() tea.Cmd {
	s, ok := p.tbl.selected()
	if !ok {
		return toast(ui.ToastWarning, "No session selected")
	}
	if p.picked == nil {
		p.picked = map[anywhere365.SessionKey]bool{}
	}
	if p.picked[s.Key] {
		delete(p.picked, s.Key)
	} else {
		p.picked[s.Key] = true
	}
	p.tbl.invalidateRow(s.Key)
	p.tbl.move(1)
	return nil
}

// clearPicks forgets every pick.
func (p *Pane) clearPicks() {
	for k := range p.picked {
		p.tbl.invalidateRow(k)
	}
	clear(p.picked)
}

// pickedKeys are the picked sessions still in the store, in table order.
func (p *Pane) pickedKeys() []anywhere365.SessionKey {
	var out []anywhere365.SessionKey
	for _, r := range p.tbl.rows {
		if k := p.tbl.snap[r].Key; p.picked[k] {
			out = append(out, k)
		}
	}
	return out
}

// bulkAct asks once, then sends a to every picked session. Sessions that
// cannot take it (already stopped, an action pending) are left out and
// named; disabled UCCs are refused and audited one by one, as single
// actions are.
func (p *Pane) bulkAct(a anywhere365.Action) tea.Cmd {
	keys := p.pickedKeys()
	if len(keys) == 0 {
		p.clearPicks()
		return toast(ui.ToastWarning, a.String()+": the picked sessions are no longer listed")
	}
	if p.apiFor(keys[0]) == nil {
		return toast(ui.ToastError, a.String()+": not connected to a server")
	}
	if p.requester == "" {
		p.ask(components.NewInput("Your SIP URI (sent as the requester)", "sip:agent@domain.com",
			anywhere365.MaxSIPURILen, anywhere365.ValidateSIPURI),
			a.String()+" cancelled: no requester SIP URI",
			func(v string) tea.Cmd {
				p.requester = v
				return tea.Batch(toast(ui.ToastInfo, "Requester set to "+v), p.bulkAct(a))
			})
		return nil
	}
	type target struct {
		key  anywhere365.SessionKey
		prev anywhere365.RecordingState
	}
	var send []target
	var skipped []string
	for _, k := range keys {
		s, _, ok := p.cfg.Source.Session(k)
		switch {
		case !ok:
			skipped = append(skipped, label(k)+" (gone)")
		case a == anywhere365.ActionStop && s.Recording == anywhere365.RecordingStopped:
			skipped = append(skipped, label(k)+" (already stopped)")
		default:
			if _, busy := p.pending[k]; busy {
				skipped = append(skipped, label(k)+" (an action is pending)")
				continue
			}
			send = append(send, target{k, s.Recording})
		}
	}
	if len(send) == 0 {
		return toast(ui.ToastInfo, a.String()+": nothing to send: "+strings.Join(skipped, ", "))
	}
	names := make([]string, len(send))
	for i, t := range send {
		names[i] = label(t.key)
	}
	// What is left out comes first: the names after it may be cut.
	q := fmt.Sprintf("%s %s", a, plural(len(send), "session"))
	if len(skipped) > 0 {
		q += " (left out: " + listShort(skipped, 1) + ")"
	}
	q += "? " + listShort(names, 3)
	if a == anywhere365.ActionDelete {
		q += " The recordings will not be kept."
	}
	p.ask(components.NewConfirm(q), a.String()+" of "+plural(len(send), "session")+" cancelled", func(string) tea.Cmd {
		cmds := []tea.Cmd{toast(ui.ToastInfo, fmt.Sprintf("%s sent for %s: each outcome follows (L lists them)", a, plural(len(send), "session")))}
		for _, t := range send {
			if reason := p.disabledReason(t.key); reason != "" {
				cmds = append(cmds, p.refuse(t.key, a, "", reason))
				continue
			}
			cmds = append(cmds, p.send(t.key, a, "", t.prev))
		}
		p.clearPicks()
		return tea.Batch(cmds...)
	})
	return nil
}

// listShort names the first n items and counts the rest.
func listShort(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(slices.Clone(items[:n]), ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
