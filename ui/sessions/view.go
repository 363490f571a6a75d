package sessions

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"charm.land/bubbles/v2/spinner"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// spinFrames animate the marker of a row whose action is pending; the
// frame's tick counter picks the frame, so no extra timer runs.
var spinFrames = spinner.MiniDot.Frames

// View renders the body: exactly width x height.
func (p *Pane) View() string {
	if p.st == nil || p.width <= 0 || p.height <= 0 {
		return ""
	}
	var lines []string
	switch p.mode {
	case modeDetail:
		lines = p.detailLines()
	case modePayment:
		lines = p.paymentLines()
	case modeAlerts:
		lines = p.alertsLines()
	default:
		lines = p.tableLines()
		if p.chooser.open {
			lines = append(p.chooserLines(), lines...)
		}
	}
	bottom := p.bottomLines()
	bodyH := p.height - len(bottom)
	var b strings.Builder
	b.Grow(p.width * p.height * 2)
	for i := 0; i < bodyH; i++ {
		if i < len(lines) {
			b.WriteString(fit(lines[i], p.width))
		} else {
			b.WriteString(strings.Repeat(" ", p.width))
		}
		b.WriteByte('\n')
	}
	for i, l := range bottom {
		b.WriteString(fit(l, p.width))
		if i < len(bottom)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// tableLines draws the column header and the rows on screen, nothing more:
// the cost of a frame does not grow with the number of sessions.
func (p *Pane) tableLines() []string {
	t := &p.tbl
	lines := make([]string, 0, t.visible+1)
	lines = append(lines, t.header(p.st))
	if len(t.rows) == 0 {
		if len(t.snap) > 0 {
			msg := fmt.Sprintf("No session matches the filter %q (esc clears it).", t.filter)
			return append(lines, "", "  "+p.st.Muted.Render(msg))
		}
		// Calls may well be live on the server: say what the console can
		// and cannot see, so an empty table does not look broken.
		add := p.keys.Add.Help().Key
		lines = append(lines, "", "  "+p.st.Text.Render("No sessions known yet."))
		for _, para := range []string{
			"The Anywhere365 API cannot list the calls in progress, so the console sees a call only when the hub reports a recording event for it (its next start, pause, stop, ...).",
			"To follow a call now, press " + add + " and give its UCC name and correlation id.",
			"Calls seen before a restart come back from the journal.",
		} {
			for _, l := range strings.Split(ansi.Wrap(para, max(20, p.width-4), " "), "\n") {
				lines = append(lines, "  "+p.st.Muted.Render(l))
			}
		}
		return lines
	}
	for i := t.offset; i < t.offset+t.visible && i < len(t.rows); i++ {
		s := &t.snap[t.rows[i]]
		if c, ok := t.cache[s.Key]; ok && c.version != s.Version {
			t.flash[s.Key] = p.now.Add(p.cfg.FlashFor)
		}
		fl := false
		if until, ok := t.flash[s.Key]; ok {
			if p.now.Before(until) {
				fl = true
			} else {
				delete(t.flash, s.Key)
			}
		}
		lines = append(lines, t.renderRow(s, i == t.cursor, fl, p.marker(s), rowAge(s, p.now), p.st))
	}
	t.endFrame()
	if len(t.flash) > 4*t.visible+64 {
		for k, until := range t.flash {
			if !p.now.Before(until) {
				delete(t.flash, k)
			}
		}
	}
	return lines
}

// marker is the leading cell of a row: a picked row's ✓ before the rest.
func (p *Pane) marker(s *anywhere365.Session) string {
	m := p.rowMarker(s)
	if p.picked[s.Key] {
		return markPicked + m
	}
	return m
}

func (p *Pane) rowMarker(s *anywhere365.Session) string {
	if _, ok := p.pending[s.Key]; ok {
		return spinFrames[int(p.tickSeq%uint64(len(spinFrames)))]
	}
	if m := p.flagMarker(s.Key); m != "" {
		return m // a compliance flag: its word is in the row too
	}
	if s.Gone {
		return markGone // the call ended: actions no longer matter
	}
	if s.Final {
		return markFinal // the server refused the session for good
	}
	if p.disabledReason(s.Key) != "" {
		return markDisabled
	}
	return ""
}

// bottomLines is the two-line bar under the body: an open prompt or the
// filter input, else the list's position, filter and sort, and what
// concerns the selected row (pending action, disabled actions, last error).
func (p *Pane) bottomLines() []string {
	st := p.st
	switch {
	case p.prompt != nil:
		return twoLines(p.prompt.View(p.width, st))
	case p.filtering:
		return twoLines(p.filterIn.View(p.width, st))
	}
	t := &p.tbl
	if p.mode == modePayment {
		return []string{st.Muted.Render(fmt.Sprintf("payment mode: a pause is resumed automatically after %s, with a warning in the last %s",
			fmtAge(p.maxPause(p.pay.key)), fmtAge(p.cfg.PaymentWarn))), p.paymentPending()}
	}
	pos := "0 of 0"
	if len(t.rows) > 0 {
		pos = strconv.Itoa(t.cursor+1) + " of " + strconv.Itoa(len(t.rows))
	}
	first := st.Muted.Render("row " + pos)
	if t.filter != "" {
		first += st.Muted.Render(" · filter ") + st.Accent.Render(strconv.Quote(t.filter)) +
			st.Muted.Render(fmt.Sprintf(" (%d of %d)", len(t.rows), len(t.snap)))
	}
	first += st.Muted.Render(" · sort " + t.sortDesc())
	if n := len(p.picked); n > 0 {
		first += st.Accent.Render(fmt.Sprintf(" · %s %s picked: actions apply to all (%s picks, esc clears)",
			markPicked, plural(n, "session"), p.keys.Pick.Help().Key))
	}
	first += st.Muted.Render(" · ? = unconfirmed, ~ = stale, ⊠ = refused, ⊘ = actions disabled")

	second := ""
	var key anywhere365.SessionKey
	var have bool
	if s, ok := t.selected(); ok {
		key, have = s.Key, true
		switch {
		case s.Final:
			second = st.Error.Render("⊠ refused by the server, not asked again: ") + st.Text.Render(safetext.Out(finalReason(s.LastError))) +
				st.Muted.Render(" ("+p.keys.Remove.Help().Key+" removes it)")
		case s.LastError != "":
			second = st.Warning.Render("⚠ last refresh failed: ") + st.Text.Render(shortConnError(s.LastError))
		case s.Stale && !s.Gone:
			second = st.Warning.Render("~ stale: ") + st.Text.Render("the hub is down, so this row is kept by polling the server (it may lag a few seconds)")
		}
	}
	if have {
		if pa, ok := p.pending[key]; ok {
			second = st.Accent.Render(spinFrames[int(p.tickSeq%uint64(len(spinFrames)))]) +
				st.Text.Render(fmt.Sprintf(" %s %s sent %s ago, waiting for the server", pa.action, label(key), fmtAge(p.now.Sub(pa.since))))
		} else if r := p.disabledReason(key); r != "" {
			second = st.Error.Render("⊘ actions disabled: ") + st.Text.Render(r)
		}
	}
	if p.requester == "" && second == "" {
		second = st.Muted.Render("requester SIP URI not set: asked on the first action")
	}
	return []string{first, second}
}

// paymentPending is payment mode's second bottom line: the action in
// flight, if any.
func (p *Pane) paymentPending() string {
	if pa, ok := p.pending[p.pay.key]; ok {
		return p.st.Accent.Render(spinFrames[int(p.tickSeq%uint64(len(spinFrames)))]) +
			p.st.Text.Render(fmt.Sprintf(" %s sent %s ago, waiting for the server", pa.action, fmtAge(p.now.Sub(pa.since))))
	}
	return ""
}

func twoLines(s string) []string {
	l := strings.SplitN(s, "\n", 2)
	if len(l) == 1 {
		l = append(l, "")
	}
	return l
}

// StatusLine is the header's second line: connection, events per second,
// counts per recording state. The frame shows it on every tab. On a narrow
// screen it drops the words for the symbols (each state has its own) and
// moves the connection error to the end.
//
// The line is drawn again only when what it shows changed (a dozen styled
// parts: a fifth of an idle frame's cost otherwise, and it changes far
// less often than the ages under it).
func (p *Pane) StatusLine(width int) string {
	if p.st == nil || p.cfg.Source == nil {
		return ""
	}
	cs := p.cfg.Source.ConnState()
	c := &p.tbl.status
	c.next = p.statusKey(c.next[:0], width, cs)
	if c.ok && string(c.next) == string(c.key) {
		return c.line
	}
	c.key, c.next = c.next, c.key
	c.line, c.ok = p.statusLine(width, cs), true
	return c.line
}

// statusKey appends to b everything StatusLine's text depends on.
func (p *Pane) statusKey(b []byte, width int, cs anywhere365.ConnState) []byte {
	t := &p.tbl
	num := func(v int64) { b = strconv.AppendInt(b, v, 10); b = append(b, ',') }
	num(int64(width))
	num(int64(t.styleGen))
	num(int64(cs.Phase))
	num(int64(cs.Attempt))
	b = append(b, cs.LastError...)
	b = append(b, 0)
	if servers := p.Servers(); len(servers) > 1 { // each is named with its own state
		for _, s := range servers {
			scs := s.Source.ConnState()
			num(int64(scs.Phase))
			num(int64(scs.Attempt))
			b = append(b, scs.LastError...)
			b = append(b, 0)
		}
	}
	for _, n := range t.counts {
		num(int64(n))
	}
	for _, n := range []int{t.gone, t.unconfirmed, t.stale, t.final, len(t.snap)} {
		num(int64(n))
	}
	h := p.rate.history()
	h = h[max(0, len(h)-8):] // the sparkline's widest form shows 8
	num(int64(len(h)))
	for _, v := range h {
		num(int64(math.Float64bits(v)))
	}
	return b
}

// statusLine draws the status line (StatusLine caches it).
func (p *Pane) statusLine(width int, cs anywhere365.ConnState) string {
	st := p.st
	conn, reason := p.connWords(cs)
	t := &p.tbl
	c := t.counts
	// The ended and unconfirmed counts say how far the table can be
	// trusted: both forms keep them.
	extra := ""
	if t.gone > 0 {
		extra += fmt.Sprintf(", %d ended", t.gone)
	}
	if t.unconfirmed > 0 {
		extra += fmt.Sprintf(", %d unconfirmed", t.unconfirmed)
	}
	rate := st.Text.Render(fmt.Sprintf("%.1f ev/s ", p.rate.last())) + st.Accent.Render(components.Sparkline(p.rate.history(), 8))
	counts := st.StateStart.Render(fmt.Sprintf("● Started %d", c[anywhere365.RecordingStarted])) + " " +
		st.StatePause.Render(fmt.Sprintf("‖ Paused %d", c[anywhere365.RecordingPaused])) + " " +
		st.StateStop.Render(fmt.Sprintf("■ Stopped %d", c[anywhere365.RecordingStopped])) + " " +
		st.StateNone.Render(fmt.Sprintf("○ Uninit %d", c[anywhere365.RecordingUninitialized]))
	total := st.Muted.Render(plural(len(t.snap), "session") + extra)
	if t.stale > 0 {
		total += st.Warning.Render(fmt.Sprintf(", ~ %d stale (polled)", t.stale))
	}
	if t.final > 0 {
		total += st.Error.Render(fmt.Sprintf(", ⊠ %d refused", t.final))
	}
	sep := st.Muted.Render(" │ ")
	first := " " + conn
	line := strings.Join([]string{first, rate, counts, total}, sep)
	if reason != "" {
		// The reason goes beside the connection state when it fits whole.
		first += st.Muted.Render(": " + reason)
		line = strings.Join([]string{first, rate, counts, total}, sep)
	}
	if ansi.StringWidth(line) <= width {
		return line
	}
	counts = st.StateStart.Render(fmt.Sprintf("●%d", c[anywhere365.RecordingStarted])) + " " +
		st.StatePause.Render(fmt.Sprintf("‖%d", c[anywhere365.RecordingPaused])) + " " +
		st.StateStop.Render(fmt.Sprintf("■%d", c[anywhere365.RecordingStopped])) + " " +
		st.StateNone.Render(fmt.Sprintf("○%d", c[anywhere365.RecordingUninitialized]))
	rate = st.Text.Render(fmt.Sprintf("%.1f ev/s ", p.rate.last())) + st.Accent.Render(components.Sparkline(p.rate.history(), 6))
	sessions := st.Muted.Render(plural(len(t.snap), "session") + extra)
	if t.stale > 0 { // kept on a narrow screen: it says the rows may lag
		sessions += st.Warning.Render(", ~" + strconv.Itoa(t.stale) + " stale")
	}
	line = strings.Join([]string{" " + conn, counts, rate, sessions}, sep)
	if reason == "" {
		return line
	}
	room := func(l string) int { return width - ansi.StringWidth(l) - ansi.StringWidth(sep) }
	if room(line) < ansi.StringWidth(reason) {
		// During an outage the reason matters more than the event rate
		// (zero anyway), and a shorter attempt counter leaves it room.
		line = strings.Join([]string{" " + conn, counts, sessions}, sep)
		if room(line) < ansi.StringWidth(reason) && cs.Phase == anywhere365.ConnReconnecting && len(p.Servers()) == 1 {
			conn = st.Warning.Render("↻ reconnecting #" + strconv.Itoa(cs.Attempt))
			line = strings.Join([]string{" " + conn, counts, sessions}, sep)
		}
	}
	// Last, cut on a word boundary to the room left.
	if r := cutWords(reason, room(line)); r != "" {
		line += sep + st.Muted.Render(r)
	}
	return line
}

// connWords are the header's connection state and, when it is not
// connected, a short reason. Following several servers, each is named
// with its own state ("a ● b ↻3"), and the reason is the first failing
// server's, named.
func (p *Pane) connWords(cs anywhere365.ConnState) (conn, reason string) {
	st := p.st
	servers := p.Servers()
	if len(servers) > 1 {
		parts := make([]string, 0, len(servers))
		for _, s := range servers {
			scs := s.Source.ConnState()
			parts = append(parts, st.Text.Render(safetext.Out(s.Name))+" "+connMark(st, scs))
			if reason == "" && scs.Phase != anywhere365.ConnConnected && scs.LastError != "" {
				reason = safetext.Out(s.Name) + ": " + connReason(scs.LastError)
			}
		}
		return strings.Join(parts, "  "), reason
	}
	switch cs.Phase {
	case anywhere365.ConnConnected:
		conn = st.Success.Render("● connected")
	case anywhere365.ConnConnecting:
		conn = st.Info.Render("◌ connecting")
	case anywhere365.ConnReconnecting:
		conn = st.Warning.Render("↻ reconnecting (attempt " + strconv.Itoa(cs.Attempt) + ")")
	case anywhere365.ConnClosed:
		conn = st.Error.Render("✗ closed")
	}
	if cs.LastError != "" && cs.Phase != anywhere365.ConnConnected {
		// A short human reason; the toast and the message log (L) have
		// the whole error.
		reason = connReason(cs.LastError)
	}
	return conn, reason
}

// connMark is a connection state in one symbol (and the attempt number
// while reconnecting), for the header of several servers.
func connMark(st *ui.Styles, cs anywhere365.ConnState) string {
	switch cs.Phase {
	case anywhere365.ConnConnected:
		return st.Success.Render("●")
	case anywhere365.ConnConnecting:
		return st.Info.Render("◌")
	case anywhere365.ConnReconnecting:
		return st.Warning.Render("↻" + strconv.Itoa(cs.Attempt))
	}
	return st.Error.Render("✗")
}

// plural is "1 session", "2 sessions".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// requestPrefix is how Go's HTTP client (url.Error: `Post "https://host/
// path": `) and the REST client (`POST https://host/path: `) start an
// error: the method and the URL. The header already names the server, so
// on screen the reason comes first; the audit log keeps the whole text.
var requestPrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(?:[A-Z][a-z]+ "[a-z]+://[^"]*"|[A-Z]{3,7} [a-z]+://\S+): `)
})

// shortConnError is an error for the screen: one line, without the
// request's method and URL.
func shortConnError(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return requestPrefix().ReplaceAllString(s, "")
}

// detailLines is the detail view of the selected session: full ids,
// capabilities, the recording timeline and the history of events and
// actions.
func (p *Pane) detailLines() []string {
	st := p.st
	sel, ok := p.tbl.selected()
	if !ok {
		return []string{st.Muted.Render("No session selected (esc: back)")}
	}
	s, hist, found := p.cfg.Source.Session(sel.Key)
	if !found {
		s = *sel
	}
	field := func(name, value string) string {
		return st.Muted.Render(fmt.Sprintf(" %-15s", name)) + value
	}
	state := stateStyle(s.Recording, st).Render(stateSymbol(s.Recording) + " " + s.Recording.String())
	switch {
	case s.Final:
		state = st.Error.Render("⊠ refused by the server: ") + st.Text.Render(safetext.Out(finalReason(s.LastError))) +
			st.Muted.Render(" (not asked again; "+p.keys.Remove.Help().Key+" removes it)")
	case s.Confirmed:
		state += st.Muted.Render("  (confirmed by the server)")
	default:
		state += st.Warning.Render("  ? unconfirmed: waiting for the server's state")
	}
	if s.Stale && !s.Gone {
		state += st.Warning.Render("  ~ stale: the hub is down, kept by polling")
	}
	if s.Gone {
		state += st.Muted.Render("  – the call has ended")
	}
	var caps string
	switch c := p.caps[uccOf(s.Key)]; {
	case c == nil || c.state == capsPending:
		caps = st.Muted.Render("checking…")
	case c.state == capsAllowed:
		caps = st.Success.Render("✓ agents can edit recordings")
	case c.state == capsDenied:
		caps = st.Error.Render("⊘ "+c.reason) + st.Muted.Render(" – actions disabled")
	default:
		caps = st.Warning.Render("? unknown: ") + st.Text.Render(c.reason)
	}
	lines := []string{
		st.Title.Render(" Session") + st.Muted.Render("   (esc or enter: back to the list)"),
		field("UCC", st.Text.Render(s.Key.UCC)),
		field("Correlation id", st.Text.Render(s.Key.CorrelationID)),
		field("Recording", state),
		field("Marking", st.Text.Render(s.Marking.String()+"   ")) + st.Muted.Render("Saving  ") + st.Text.Render(s.Saving.String()),
		field("Capabilities", caps),
	}
	if s.LastAction != 0 {
		lines = append(lines, field("Last action", st.Text.Render(s.LastAction.String()+" at "+clock(s.LastActionAt))))
	}
	if n, ok := p.lastActor(s.Key); ok {
		// Above the history, so it shows however short the screen or
		// long the history.
		lines = append(lines, field("Requested by", st.Text.Render(safetext.Out(n.who))+
			st.Muted.Render("  ("+n.action.String()+" sent by this console at "+clock(n.at)+")")))
	}
	if s.LastError != "" && !s.Final {
		lines = append(lines, field("Last error", st.Warning.Render(shortConnError(s.LastError))))
	}

	// The timeline starts at the oldest history entry kept (the store keeps
	// a bounded history), or when the session was first seen.
	from := s.FirstSeen
	if len(hist) > 0 && (from.IsZero() || hist[0].At.After(from)) {
		from = hist[0].At
	}
	barW := max(10, p.width-18)
	spans := components.Spans(hist, from, p.now)
	if len(hist) == 0 {
		spans = []components.Span{{From: s.StateSince, To: p.now, State: s.Recording}}
	}
	lines = append(lines, "",
		field("Timeline", components.Timeline(spans, barW, st)),
		field("", st.Muted.Render(clock(spans[0].From)+" → now ("+fmtAge(p.now.Sub(spans[0].From))+")")),
		field("", components.TimelineLegend(st)),
		"",
		st.Title.Render(" History")+st.Muted.Render("  (newest first)"),
	)
	room := p.height - 2 - len(lines)
	for i := len(hist) - 1; i >= 0 && room > 0; i-- {
		lines = append(lines, p.historyLine(hist[i], s.Key))
		room--
	}
	if len(hist) == 0 {
		lines = append(lines, st.Muted.Render("  nothing yet"))
	}
	return lines
}

func (p *Pane) historyLine(h anywhere365.HistoryEntry, key anywhere365.SessionKey) string {
	st := p.st
	kind := "event"
	switch h.Kind {
	case anywhere365.HistoryConfirmed:
		kind = "confirmed"
	case anywhere365.HistoryAction:
		kind = "action"
	}
	act := ""
	if h.Action != 0 {
		act = h.Action.String()
	}
	line := st.Muted.Render("  "+clock(h.At)+"  ") + st.Text.Render(fmt.Sprintf("%-9s %-7s", kind, act)) + " → " +
		stateStyle(h.Recording, st).Render(stateSymbol(h.Recording)+" "+h.Recording.String())
	switch {
	case strings.HasPrefix(h.Result, anywhere365.UnknownOutcomeText): // not a failure: it may have been applied
		line += "  " + st.Warning.Render("? unknown: answer lost; re-read")
	case h.Result != "":
		line += "  " + st.Error.Render("✗ "+shortConnError(h.Result))
	case h.Kind == anywhere365.HistoryAction:
		line += "  " + st.Success.Render("✓ ok")
	}
	// Actions in the history are this console's: it knows who sent them.
	if h.Kind == anywhere365.HistoryAction {
		if who := p.actorOf(key, h); who != "" {
			line += st.Muted.Render("  by " + safetext.Out(who))
		} else if p.requester != "" {
			line += st.Muted.Render("  by " + safetext.Out(p.requester))
		}
	}
	return line
}

// clock is a time of day for the detail view.
func clock(t interface{ Format(string) string }) string { return t.Format("15:04:05") }

var _ ui.StatusLiner = (*Pane)(nil)
var _ ui.Pane = (*Pane)(nil)
