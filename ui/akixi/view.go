package akixipane

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/safetext"
)

// View renders the body, exactly the size SetSize gave.
func (p *Pane) View() string {
	var lines []string
	switch {
	case p.o.Unavailable != "" || p.o.API == nil:
		reason := p.o.Unavailable
		if reason == "" {
			reason = "no client configured"
		}
		lines = []string{p.st.Title.Render("Akixi call recording integration"), "",
			p.st.Error.Render("✗ Akixi is not available: " + reason)}
	case p.mode == modeDetail:
		lines = p.detailView()
	case p.mode == modeForm:
		lines = p.formView()
	default:
		lines = p.listView()
	}
	return frame(lines, p.w, p.h)
}

// statusLine says the last outcome in words, with a symbol.
func (p *Pane) statusLine() string {
	if p.status == "" {
		return ""
	}
	status := akixi.Printable(p.status)              // it may quote the service
	style, symbol, word := p.st.Level(p.statusLevel) // the frame's wording, so pane and toasts agree
	return style.Render(symbol + " " + word + ": " + status)
}

func (p *Pane) listView() []string {
	title := "Akixi call recording integration · scope: " + p.scope.String()
	if p.loading {
		title += " · loading…"
	}
	out := []string{p.st.Title.Render(title)}

	// Columns: description takes what is left.
	guidW, typeW, scopeW := 44, 8, 16
	if p.w < 100 {
		guidW = 0
	}
	descW := max(p.w-2-typeW-scopeW-guidW-3, 10)
	row := func(desc, typ, scope, guid string) string {
		s := pad(desc, descW) + " " + pad(typ, typeW) + " " + pad(scope, scopeW)
		if guidW > 0 {
			s += " " + pad(guid, guidW)
		}
		return s
	}
	out = append(out, p.st.TableHead.Render("  "+row("DESCRIPTION", "TYPE", "SCOPE", "GUID")))

	// Rows below the header, leaving room for the prompt and status lines.
	bottom := p.bottomLines()
	room := max(p.h-len(out)-len(bottom), 1)
	switch {
	case len(p.rows) == 0 && p.loading:
		out = append(out, p.st.Muted.Render("  Loading entries…"))
	case len(p.rows) == 0 && p.loadErr != "":
		out = append(out, p.st.Error.Render("  ✗ Could not load the entries (see below); r retries"))
	case len(p.rows) == 0 && p.loadedOnce:
		out = append(out, p.st.Muted.Render("  No entries in this scope. a adds one, s picks another scope."))
	}
	start := 0
	if p.cursor >= room {
		start = p.cursor - room + 1
	}
	for i := start; i < len(p.rows) && i < start+room; i++ {
		e := printable(p.rows[i])
		desc := e.Description
		if e.IsDemo() {
			desc += " (demo)"
		}
		text := row(desc, e.Type, e.Scope().Short(), e.GUID)
		switch {
		case i == p.cursor:
			out = append(out, p.st.RowSel.Render("▸ "+text)) // as every pane: shows without colour
		case i%2 == 1:
			out = append(out, p.st.RowAlt.Render("  "+text))
		default:
			out = append(out, p.st.Row.Render("  "+text))
		}
	}
	// Fill, then the bottom lines at the bottom.
	for len(out) < p.h-len(bottom) {
		out = append(out, "")
	}
	return append(out, bottom...)
}

// bottomLines are the prompt (scope or delete) and the status lines.
func (p *Pane) bottomLines() []string {
	var out []string
	switch p.mode {
	case modeScope:
		out = append(out, p.st.Input.Render("Scope ("+akixi.ScopeSyntax+"):"),
			p.st.Input.Render("> ")+p.scopeIn.View())
		if p.scopeErr != "" {
			out = append(out, p.st.Error.Render("✗ "+p.scopeErr)+p.st.Muted.Render("  (enter: retry · esc: cancel)"))
		} else {
			out = append(out, p.st.Muted.Render("enter: show · esc: cancel"))
		}
	case modeConfirm:
		out = append(out, p.confirmLines()...)
	}
	if s := p.statusLine(); s != "" {
		out = append(out, s)
	}
	if p.o.Hint != "" && p.mode == modeList {
		out = append(out, p.st.Muted.Render(p.o.Hint))
	}
	return out
}

func (p *Pane) confirmLines() []string {
	c := p.confirm
	e := printable(c.entry)
	if c.deleting {
		return []string{p.st.Warning.Render(fmt.Sprintf("Deleting %q (%s)…", e.Description, e.GUID))}
	}
	if c.warnDemo {
		return []string{
			p.st.Warning.Render("! WARNING: " + e.Description + " is the demonstration-simulator entry."),
			p.st.Warning.Render("  Akixi creates it to play back example recordings for demo reports and advises not to delete it."),
			p.st.Warning.Render("? Continue to delete it anyway?") + " " + p.answerHint("continue"),
		}
	}
	return []string{
		p.st.Warning.Render(fmt.Sprintf("? Delete %q?", e.Description)),
		p.st.Text.Render("  GUID " + e.GUID + " · " + e.Scope().String()),
		p.st.Warning.Render("  This cannot be undone: a deleted entry cannot be restored."),
		p.answerHint(p.keys.Yes.Help().Desc),
	}
}

// answerHint is the delete question's keys, in the footer's words (the
// same bindings, so a rebinding shows in both).
func (p *Pane) answerHint(yes string) string {
	y, n := p.keys.Yes.Help(), p.keys.No.Help()
	return p.st.HelpKey.Render(y.Key) + p.st.Muted.Render(" "+yes+" · ") + p.st.HelpKey.Render(n.Key) + p.st.Muted.Render(" "+n.Desc)
}

func (p *Pane) detailView() []string {
	e := printable(p.detail)
	if !p.reveal {
		e = e.Masked()
	}
	out := []string{p.st.Title.Render("Akixi entry · " + e.Description), ""}
	for _, prop := range akixi.Properties {
		v := e.Get(prop.Name)
		if v == "" {
			v = "-"
		}
		label := fmt.Sprintf("%-24s %-16s", prop.Label, prop.Name)
		line := p.st.Muted.Render(label) + " " + p.st.Text.Render(v)
		if prop.ReadOnly {
			line += p.st.Muted.Render("  (read-only)")
		}
		out = append(out, line)
	}
	out = append(out, "", p.st.Text.Render("Scope: "+e.Scope().String()),
		p.st.Muted.Render("GUID and Type are read-only: they "+akixi.ReadOnlyReason+"."))
	if !p.reveal {
		out = append(out, p.st.Muted.Render("Dubber credentials are masked: "+p.keys.Reveal.Help().Key+" shows them."))
	}
	if e.IsDemo() {
		out = append(out, p.st.Warning.Render("! This is the demonstration-simulator entry: Akixi advises not to delete it."))
	}
	bottom := p.bottomLines()
	for len(out) < p.h-len(bottom) {
		out = append(out, "")
	}
	return append(out, bottom...)
}

func (p *Pane) formView() []string {
	f := p.form
	orig := printable(f.orig)
	title := "Add a call recording integration entry"
	if !f.adding {
		title = "Change entry " + orig.GUID
	}
	out := []string{p.st.Title.Render(title)}
	if !f.adding {
		for _, n := range []string{akixi.PropGUID, akixi.PropType} {
			prop, _ := akixi.LookupProperty(n)
			out = append(out, p.st.Muted.Render(fmt.Sprintf("  %-*s ", labelWidth, prop.Label+" ("+n+")"))+
				p.st.Text.Render(orig.Get(n))+p.st.Muted.Render("  (read-only)"))
		}
		out = append(out, p.st.Muted.Render("  GUID and Type are read-only: they "+akixi.ReadOnlyReason+"."))
	}
	var fieldLines []string
	for i, fld := range f.fields {
		marker := "  "
		if i == f.focus {
			marker = "▸ "
		}
		label := fmt.Sprintf("%-*s ", labelWidth, fld.prop.Label+" ("+fld.prop.Name+")")
		fieldLines = append(fieldLines, marker+p.st.Input.Render(label)+fld.in.View())
	}
	var tail []string
	switch {
	case f.saving:
		tail = append(tail, p.st.Muted.Render("Saving…"))
	case f.err != "":
		tail = append(tail, p.st.Error.Render("✗ Not saved: "+f.err))
	}
	tail = append(tail, p.st.Muted.Render("tab/↓ next · shift+tab/↑ previous · enter on the last field or ctrl+s: save · esc: cancel"))
	if s := p.statusLine(); s != "" && !f.saving && f.err == "" {
		tail = append(tail, s)
	}
	// Keep the focused field on screen when the form is taller than the body.
	room := max(p.h-len(out)-len(tail), 1)
	start := 0
	if f.focus >= room {
		start = f.focus - room + 1
	}
	end := min(start+room, len(fieldLines))
	out = append(out, fieldLines[start:end]...)
	for len(out) < p.h-len(tail) {
		out = append(out, "")
	}
	return append(out, tail...)
}

// printable is e with every property safe to show (akixi.Printable); the
// pane keeps the entry as read for what it sends.
func printable(e akixi.Entry) akixi.Entry {
	for _, prop := range akixi.Properties {
		if akixi.IsSecret(prop.Name) {
			// A Dubber credential is masked unless the user asked to see it
			// (x); then the redactor, which knows it as a secret, must not
			// hide it again. It is still made printable.
			e.Set(prop.Name, safetext.Printable(e.Get(prop.Name)))
			continue
		}
		e.Set(prop.Name, akixi.Printable(e.Get(prop.Name)))
	}
	return e
}

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// frame makes exactly h lines of exactly w cells.
func frame(lines []string, w, h int) string {
	var expanded []string
	for _, l := range lines {
		expanded = append(expanded, strings.Split(l, "\n")...)
	}
	if len(expanded) > h {
		expanded = expanded[:h]
	}
	for len(expanded) < h {
		expanded = append(expanded, "")
	}
	for i, l := range expanded {
		expanded[i] = pad(l, w)
	}
	return strings.Join(expanded, "\n")
}
