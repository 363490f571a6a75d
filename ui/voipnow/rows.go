package voipnowpane

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/voipnow"
)

// row is one call view on screen.
type row struct {
	callID, viewID string
	call           voipnow.PhoneCall
	view           voipnow.PhoneCallView
	endedAt        time.Time // set when the call left the PBX's list
}

func (r row) key() string { return r.callID + "/" + r.viewID }

func splitKey(k string) (callID, viewID string) {
	callID, viewID, _ = strings.Cut(k, "/")
	return callID, viewID
}

// describe names the view for toasts: "0003*210 (call b817d261…, view 01)".
// Like every PBX-supplied text on screen it goes through safe.
func (r row) describe() string {
	return safe(fmt.Sprintf("%s (call %s, view %s)", r.view.Extension, shortID(r.callID), r.viewID))
}

// safe removes control characters from text that came from the PBX (a
// caller id is chosen by whoever calls): an escape sequence would repaint
// the terminal and a newline would break the layout.
func safe(s string) string { return voipnow.Printable(s) }

func shortID(id string) string {
	if len(id) > 10 {
		return id[:8] + "…"
	}
	return id
}

// merge replaces the rows with the PBX's list, in its order. Views that
// left the list stay as "ended", near their old place, for EndedLinger; the
// selection follows its row. seq is the number of the fetch that produced
// the list: a view a recording action answered for after that fetch started
// keeps the action's answer (see recent).
func (p *Pane) merge(calls []voipnow.PhoneCall, seq int) {
	now := p.opts.Now()
	var selKey string
	if r := p.selected(); r != nil {
		selKey = r.key()
	}
	fresh := make([]row, 0, len(calls)+1)
	present := map[string]bool{}
	for _, c := range calls {
		for _, v := range c.Views {
			r := row{callID: string(c.ID), viewID: string(v.ID), call: c, view: v}
			if present[r.key()] {
				continue // a duplicate view id: show it once
			}
			present[r.key()] = true
			if a, ok := p.recent[r.key()]; ok && seq <= a.seq {
				r.view = a.view // the list may predate the action's answer
			}
			fresh = append(fresh, r)
		}
	}
	for k, a := range p.recent {
		if seq > a.seq { // this list was asked for after the answer: it is the truth
			delete(p.recent, k)
		}
	}
	for i, old := range p.rows {
		if present[old.key()] {
			continue
		}
		if old.endedAt.IsZero() {
			old.endedAt = now
		}
		if now.Sub(old.endedAt) < p.opts.EndedLinger {
			// Keep it about where it was, so rows do not jump.
			at := min(i, len(fresh))
			fresh = append(fresh[:at], append([]row{old}, fresh[at:]...)...)
		}
	}
	p.rows = fresh
	p.sel = 0
	for i, r := range p.rows {
		if r.key() == selKey {
			p.sel = i
		}
	}
	p.clampScroll()
}

// applyCall updates the rows of a call from a PhoneCall the PBX returned.
func (p *Pane) applyCall(c voipnow.PhoneCall) {
	for i := range p.rows {
		r := &p.rows[i]
		if r.callID != string(c.ID) {
			continue
		}
		if v, ok := c.View(r.viewID); ok {
			r.call, r.view = c, v
			// Lists already on their way were asked for before this
			// answer: merge keeps it over theirs.
			p.recent[r.key()] = recentAnswer{view: v, seq: p.fetchSeq}
		}
	}
}

// Layout of the body: a status line, the table head (headLines), the rows,
// and a line for the selection or the open prompt.
const (
	headLines   = 2
	chromeLines = headLines + 1
)

func (p *Pane) listHeight() int { return max(p.height-chromeLines, 0) }

// View renders exactly width x height: only the rows on screen are drawn.
func (p *Pane) View() string {
	if p.width <= 0 || p.height <= 0 {
		return ""
	}
	s := p.styles
	lines := make([]string, 0, p.height)
	lines = append(lines, p.statusLine())
	lines = append(lines, s.TableHead.Render(p.fit("  "+p.columns("STATUS", "DIR", "EXT", "CALLER", "FROM → TO", "TIME", "RECORDING"))))
	h := p.listHeight()
	switch {
	case p.setupErr != "":
		lines = append(lines, s.Muted.Render(p.fit("Fix the voipnow section of the config profile (or the environment) and restart recdeck.")))
	case len(p.rows) == 0 && !p.loaded && p.lastErr == "":
		lines = append(lines, s.Muted.Render(p.fit("Loading calls…")))
	case len(p.rows) == 0 && p.loaded:
		lines = append(lines, s.Muted.Render(p.fit("No live calls on "+p.opts.UserID+"/"+p.opts.Extension+".")))
	}
	now := p.opts.Now()
	vis := p.visible()
	if len(vis) == 0 && len(p.rows) > 0 {
		lines = append(lines, s.Muted.Render(p.fit("No call matches the filter \""+safe(p.filter)+"\" ("+p.keys.Filter.Help().Key+" to change it).")))
	}
	for j := p.offset; j < len(vis) && j < p.offset+h; j++ {
		lines = append(lines, p.renderRow(vis[j], now))
	}
	for len(lines) < p.height-1 {
		lines = append(lines, strings.Repeat(" ", p.width))
	}
	lines = append(lines[:min(len(lines), p.height-1)], p.bottomLine())
	return strings.Join(lines[:p.height], "\n")
}

func (p *Pane) statusLine() string {
	s := p.styles
	head := fmt.Sprintf("VoipNow · %s/%s · %s", p.opts.UserID, p.opts.Extension, shownCount(p.rows))
	if p.filter != "" {
		head += fmt.Sprintf(" · filter %q: %d shown", safe(p.filter), len(p.visible()))
	}
	if n := countRecording(p.rows); n > 0 {
		head += fmt.Sprintf(" (%d recording)", n)
	}
	if p.shown != "" {
		head += " · " + p.shown
	}
	var tail string
	switch {
	case p.setupErr != "":
		return s.Error.Render(p.fit("VoipNow · not available: " + p.setupErr))
	case p.lastErr != "":
		return s.Error.Render(p.fit(head + " · refresh FAILED, retrying every " + p.opts.PollInterval.String() + ": " + p.lastErr))
	case p.fetching && !p.loaded:
		tail = " · loading…"
	case !p.updatedAt.IsZero():
		tail = " · updated " + p.updatedAt.Format("15:04:05") + " (every " + p.opts.PollInterval.String() + ")"
		if p.fetching {
			tail += " · refreshing…"
		}
	}
	return s.Title.Render(p.fit(head + tail))
}

func (p *Pane) bottomLine() string {
	s := p.styles
	if p.ask != nil {
		return p.fit(strings.Split(p.ask.View(p.width, s), "\n")[0])
	}
	if pr := p.prompt; pr != nil {
		what := "the call"
		if r := p.find(pr.key); r != nil {
			what = r.describe()
		}
		wav, wav49 := " wav ", " wav49 "
		if pr.format == voipnow.FormatWAV {
			wav = "[wav]"
		} else {
			wav49 = "[wav49]"
		}
		return s.Input.Render(p.fit(fmt.Sprintf("Start recording %s as: %s %s  ←/→ choose · enter start · esc cancel", what, wav, wav49)))
	}
	// The hints name the keys as bound now (the profile may rebind them).
	rec, stop := p.keys.Record.Help().Key+" start recording", p.keys.Stop.Help().Key+" stop"
	r := p.selected()
	if r == nil {
		return s.Muted.Render(p.fit(rec + " · " + stop + " · " + p.keys.Refresh.Help().Key + " refresh"))
	}
	return s.Muted.Render(p.fit("Selected: " + r.describe() + " · " + rec + " · " + stop))
}

// columns lays out the cells; CALLER and FROM → TO share what is left.
// Below 100 columns the direction goes and the status is shortened, so
// caller and route stay readable at 80x24.
func (p *Pane) columns(status, dir, ext, caller, route, dur, rec string) string {
	statusW, dirW := 20, 9
	if p.width < 100 {
		statusW, dirW = 14, 0
	}
	fixed := statusW + dirW + 10 + 8 + 16 + 2 // 16: "not recording"; 2: the ▸ marker
	flex := max(p.width-fixed, 10)
	cw := flex * 3 / 5
	rw := flex - cw
	return cell(status, statusW) + cell(dir, dirW) + cell(ext, 10) + cell(caller, cw) + cell(route, rw) + cell(dur, 8) + rec
}

// cell fits s into a column of width w, keeping one space before the next.
func cell(s string, w int) string {
	if w <= 1 {
		return pad("", w)
	}
	return pad(ansi.Truncate(s, w-1, "…"), w)
}

func (p *Pane) renderRow(i int, now time.Time) string {
	s := p.styles
	r := p.rows[i]
	v := r.view
	status := v.Status.String()
	switch {
	case !r.endedAt.IsZero():
		status = "ended"
	case bool(v.Parked):
		status += " (parked)"
	case bool(v.OnHold):
		status += " (on hold)"
	}
	rec := "not recording"
	if v.IsRecording() {
		rec = "● REC"
		if t, ok := v.Recording.Time(); ok {
			rec += " " + duration(now.Sub(t))
		}
	}
	if st := p.pending[r.key()]; st != "" {
		rec = st + "…"
	}
	// The selected row is marked with ▸, not only by its colours (which
	// --no-color and some terminals do not show).
	marker := "  "
	if i == p.sel {
		marker = "▸ "
	}
	line := p.fit(marker + p.columns(status, v.Flow.String(), safe(v.Extension), safe(v.CallerID),
		safe(strings.Join(v.Source, ",")+" → "+strings.Join(v.Destination, ",")), callTime(r, now), rec))
	switch {
	case i == p.sel:
		return s.RowSel.Render(line)
	case !r.endedAt.IsZero():
		return s.Muted.Render(line)
	case p.pending[r.key()] != "":
		return s.Warning.Render(line)
	case v.IsRecording():
		return s.StateStart.Render(line)
	case i%2 == 1:
		return s.RowAlt.Render(line)
	}
	return s.Row.Render(line)
}

// callTime is how long the view has been on call, or ringing.
func callTime(r row, now time.Time) string {
	if t, ok := r.view.Answered.Time(); ok {
		return duration(now.Sub(t))
	}
	if t, ok := r.call.Answered.Time(); ok {
		return duration(now.Sub(t))
	}
	if t, ok := r.call.Published.Time(); ok {
		return duration(now.Sub(t))
	}
	return "-"
}

func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int(d / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func countRecording(rows []row) int {
	n := 0
	for _, r := range rows {
		if r.endedAt.IsZero() && r.view.IsRecording() {
			n++
		}
	}
	return n
}

// fit cuts or pads a line to exactly the pane's width.
func (p *Pane) fit(s string) string { return pad(s, p.width) }

// pad cuts s to w cells (with "…") or pads it with spaces to w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := lipgloss.Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// shownCount counts what the table shows: one row per call view, ended
// calls included while they linger, so the number matches the rows below
// it; when a call has several views, or some have ended, it says so.
func shownCount(rows []row) string {
	live, ended := countCalls(rows), 0
	for _, r := range rows {
		if !r.endedAt.IsZero() {
			ended++
		}
	}
	var s string
	if live+ended == len(rows) { // one row per call
		s = plural(len(rows), "call", "calls")
		if ended > 0 {
			s += fmt.Sprintf(" (%d ended)", ended)
		}
		return s
	}
	s = plural(len(rows), "row", "rows") + ": " + plural(live, "live call", "live calls")
	if ended > 0 {
		s += fmt.Sprintf(", %d ended", ended)
	}
	return s
}
