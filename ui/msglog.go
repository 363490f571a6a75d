package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// The message log (key L) lists the recent toasts whole, newest first: the
// toast line shows only the newest, cut at the screen's edge, and says
// "(+N more)" of the others; the log is where they can be read.

// logKeep bounds the log: a console runs all day.
const logKeep = 200

// logEntry is one toast as it was shown.
type logEntry struct {
	at  time.Time
	msg ToastMsg
}

// logNavKeys move through the log; any other key but quit is ignored.
var logNavKeys = struct{ up, down, pgUp, pgDown, top, bottom key.Binding }{
	up:     key.NewBinding(key.WithKeys("up", "k")),
	down:   key.NewBinding(key.WithKeys("down", "j")),
	pgUp:   key.NewBinding(key.WithKeys("pgup")),
	pgDown: key.NewBinding(key.WithKeys("pgdown", "space")),
	top:    key.NewBinding(key.WithKeys("g", "home")),
	bottom: key.NewBinding(key.WithKeys("G", "end")),
}

func (m *Model) logToast(t ToastMsg, now time.Time) {
	m.msgLog = append(m.msgLog, logEntry{at: now, msg: t})
	if len(m.msgLog) > logKeep {
		m.msgLog = append(m.msgLog[:0], m.msgLog[len(m.msgLog)-logKeep:]...)
	}
}

// Messages returns the message log's texts, newest first (tests and the
// end-to-end driver).
func (m *Model) Messages() []ToastMsg {
	out := make([]ToastMsg, 0, len(m.msgLog))
	for i := len(m.msgLog) - 1; i >= 0; i-- {
		out = append(out, m.msgLog[i].msg)
	}
	return out
}

// logLines renders the log, newest first, each message wrapped to the
// width so nothing is cut.
func (m *Model) logLines(w int) []string {
	st := m.styles
	var out []string
	for i := len(m.msgLog) - 1; i >= 0; i-- {
		e := m.msgLog[i]
		s, sym, word := st.Level(e.msg.Level)
		head := st.Muted.Render(e.at.Format("15:04:05")+" ") + s.Render(sym+" "+word+":") + " "
		indent := ansi.StringWidth(head)
		text := strings.Join(strings.Fields(e.msg.Text), " ")
		for j, l := range strings.Split(ansi.Wrap(text, max(10, w-indent), " "), "\n") {
			if j == 0 {
				out = append(out, head+st.Text.Render(l))
			} else {
				out = append(out, strings.Repeat(" ", indent)+st.Text.Render(l))
			}
		}
	}
	return out
}

// logView is the log's body: a title and the lines from the scroll offset.
func (m *Model) logView(w, h int) string {
	lines := m.logLines(w)
	title := m.styles.Title.Render("Messages") + m.styles.Muted.Render("  (newest first; ↑/↓ pgup/pgdn scroll, esc or L closes)")
	if len(lines) == 0 {
		return title + "\n\n" + m.styles.Muted.Render("  No messages yet: toasts are kept here.")
	}
	room := max(1, h-1)
	m.logOff = max(0, min(m.logOff, len(lines)-room))
	end := min(len(lines), m.logOff+room)
	return title + "\n" + strings.Join(lines[m.logOff:end], "\n")
}
