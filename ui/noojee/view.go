package noojeepane

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/ui"
)

// View renders the body at exactly the size given by SetSize.
func (p *Pane) View() string {
	w, h := p.width, p.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := p.styles
	top := []string{p.titleLine(), p.statusLine()}
	var bottom []string
	if p.prompt != nil {
		bottom = strings.Split(p.prompt.View(w, st), "\n")
	}
	if p.job != nil {
		bottom = append([]string{p.progressLine()}, bottom...)
	}
	avail := max(0, h-len(top)-len(bottom))
	var table []string
	if p.view == viewHour {
		table = p.hourTable(avail)
	} else {
		table = p.legsTable(avail)
	}
	lines := append(top, table...)
	for len(lines) < h-len(bottom) {
		lines = append(lines, "")
	}
	lines = append(lines, bottom...)
	if len(lines) > h {
		lines = lines[len(lines)-h:] // keep the prompt visible on a tiny screen
	}
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return strings.Join(lines, "\n")
}

// fit cuts or pads a (styled) line to exactly w cells.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

func (p *Pane) titleLine() string {
	st := p.styles
	what := "no search yet"
	switch {
	case p.view == viewHour && p.hourPartial:
		what = "hour " + p.hourLabel + " (server time) · PARTIAL: the hour is not over"
	case p.view == viewHour:
		what = "hour " + p.hourLabel + " (server time)"
	case p.query != "":
		what = p.query
	}
	return st.Title.Render("Noojee recordings") + st.Muted.Render(" · ") + st.Text.Render(what) +
		st.Muted.Render("   folder: ") + st.Text.Render(p.dir)
}

// statusLine says what is going on, in words (the colour only repeats it).
func (p *Pane) statusLine() string {
	st := p.styles
	level := func(l ui.ToastLevel, text string) string {
		style, symbol, word := st.Level(l) // the frame's wording, so pane and toasts agree
		return style.Render(symbol + " " + word + ": " + text)
	}
	switch {
	case p.unavailable() != "":
		return level(ui.ToastError, "Noojee is not available: "+p.unavailable())
	case p.busy != "":
		return st.Info.Render("… " + p.busy)
	case p.status != "":
		return level(p.statusL, p.status)
	case p.opts.Hint != "":
		return st.Muted.Render(p.opts.Hint)
	}
	return st.Muted.Render(fmt.Sprintf("%s find by tag · %s by unique id · %s list an hour",
		p.keys.SearchTag.Help().Key, p.keys.SearchID.Help().Key, p.keys.ByHour.Help().Key))
}

// bar renders a fraction as a bar of width cells, in the theme's bar colours.
func (p *Pane) bar(frac float64, width int, percent bool) string {
	opts := []progress.Option{
		progress.WithWidth(width),
		progress.WithFillCharacters('█', '░'),
		progress.WithColors(p.styles.Bar.GetForeground()),
	}
	if !percent {
		opts = append(opts, progress.WithoutPercentage())
	}
	m := progress.New(opts...)
	m.EmptyColor = p.styles.BarEmpty.GetForeground()
	return m.ViewAs(max(0, min(1, frac)))
}

func (p *Pane) progressLine() string {
	j := p.job
	st := p.styles
	l := j.legs[min(j.shownIndex, len(j.legs)-1)]
	what := fmt.Sprintf("⇣ Fetching leg %d (%d of %d) of call %s", l.Leg, j.shownIndex+1, len(j.legs), l.UniqueID)
	if j.cancelling {
		what = "⇣ Cancelling the fetch…"
	}
	amount := humanBytes(j.shownDone)
	frac := 0.0
	if j.shownTotal > 0 {
		amount += " of " + humanBytes(j.shownTotal)
		frac = float64(j.shownDone) / float64(j.shownTotal)
	}
	return st.Info.Render(what) + "  " + p.bar(frac, 24, true) + "  " + st.Text.Render(amount) +
		st.Muted.Render(fmt.Sprintf("  (%s: cancel)", p.keys.Stop.Help().Key))
}

// line is one table line; sel marks the selected row's line.
type line struct {
	text string
	sel  bool
}

// window returns the lines to show in avail rows, scrolling *offset so the
// selected line stays on screen.
func window(lines []line, avail int, offset *int) []string {
	selAt := -1
	for i, l := range lines {
		if l.sel {
			selAt = i
		}
	}
	if selAt >= 0 {
		if selAt < *offset {
			*offset = selAt
		}
		if selAt >= *offset+avail {
			*offset = selAt - avail + 1
		}
	}
	*offset = max(0, min(*offset, len(lines)-avail))
	out := []string{}
	for i := *offset; i < len(lines) && len(out) < avail; i++ {
		out = append(out, lines[i].text)
	}
	return out
}

// row styles table row i: striped, and the selected one marked with ▸ (so
// the selection does not rest on colour alone).
func (p *Pane) row(i int, selected bool, text string) line {
	st := p.styles
	style, marker := st.Row, "  "
	if i%2 == 1 {
		style = st.RowAlt
	}
	if selected {
		style, marker = st.RowSel, "▸ "
	}
	return line{text: style.Render(marker + text), sel: selected}
}

const legCols = "  %-4s %-19s %8s  %-17s %-14s %-26s %s"

func (p *Pane) legsTable(avail int) []string {
	st := p.styles
	if avail <= 0 {
		return nil
	}
	if len(p.calls) == 0 {
		return []string{"", st.Muted.Render("  No legs to show.")}
	}
	head := st.TableHead.Render(fmt.Sprintf(legCols, "LEG", "START", "LENGTH", "SHARE OF CALL", "USER", "FROM → TO", "DID"))
	var lines []line
	row := 0
	for ci, c := range p.calls {
		if ci > 0 {
			lines = append(lines, line{})
		}
		lines = append(lines, line{text: st.Title.Render(p.callHeading(c))})
		for li, l := range c.Legs {
			share := c.Share(li)
			lines = append(lines, p.row(row, row == p.sel, fmt.Sprintf(legCols[2:], fmt.Sprint(l.Leg),
				p.when(l.Start, l.Raw.Start), clock(l.Duration), p.bar(share, 12, false)+fmt.Sprintf(" %3.0f%%", share*100),
				cut(safe(l.Username), 14), cut(safe(l.Source+" → "+l.Destination), 26), safe(l.DID))))
			row++
		}
	}
	return append([]string{head}, window(lines, avail-1, &p.offset)...)
}

func (p *Pane) callHeading(c noojee.Call) string {
	parts := []string{c.Direction().String() + " call " + c.UniqueID}
	if t := c.Tag(); t != "" {
		parts = append(parts, "tag "+t)
	}
	parts = append(parts, plural(len(c.Legs), "leg"), clock(c.Duration()))
	if s := c.Start(); !s.IsZero() {
		parts = append(parts, p.when(s, "")+" "+s.In(p.opts.Location).Format("MST"))
	}
	return "■ " + noojee.Printable(strings.Join(parts, " · "))
}

const hourCols = "  %-8s %-22s %-9s %4s %8s  %-12s %s"

func (p *Pane) hourTable(avail int) []string {
	st := p.styles
	if avail <= 0 {
		return nil
	}
	out := []string{st.Muted.Render("  By-hour requests: " + p.nextByHourWords() + " (the API allows one a minute)")}
	if len(p.hourCalls) == 0 {
		return append(out, "", st.Muted.Render("  No recordings in this hour."))
	}
	out = append(out, st.TableHead.Render(fmt.Sprintf(hourCols, "START", "CALL", "DIRECTION", "LEGS", "LENGTH", "TAG", "AGENTS")))
	var lines []line
	for i, c := range p.hourCalls {
		start := "?"
		if s := c.Start(); !s.IsZero() {
			start = s.In(p.opts.Location).Format("15:04:05")
		}
		lines = append(lines, p.row(i, i == p.hourSel, fmt.Sprintf(hourCols[2:], start, cut(safe(c.UniqueID), 22),
			c.Direction().String(), fmt.Sprint(len(c.Legs)), clock(c.Duration()), cut(safe(c.Tag()), 12), safe(agents(c)))))
	}
	return append(out, window(lines, avail-len(out), &p.hourOffset)...)
}

// agents lists who owned the call's legs, in order, without repeats in a row.
func agents(c noojee.Call) string {
	var names []string
	for _, l := range c.Legs {
		if l.Username != "" && (len(names) == 0 || names[len(names)-1] != l.Username) {
			names = append(names, l.Username)
		}
	}
	return strings.Join(names, " → ")
}

// when shows a time in the server's zone, or the raw text if unreadable.
func (p *Pane) when(t time.Time, raw string) string {
	if t.IsZero() {
		if raw == "" {
			return "?"
		}
		return cut(safe(raw), 19)
	}
	return t.In(p.opts.Location).Format("2006-01-02 15:04:05")
}

// safe makes a server's text printable before it joins a row: control,
// escape and bidi characters could otherwise drive the terminal. (Whole
// rows are not filtered: they carry the pane's own styling.)
func safe(s string) string { return noojee.Printable(s) }

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func cut(s string, n int) string { return ansi.Truncate(s, n, "…") }
