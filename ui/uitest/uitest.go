package uitest

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Key returns the key press whose String() is name.
func Key(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
	}
	switch name {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	if r, ok := special[name]; ok {
		return tea.KeyPressMsg{Code: r}
	}
	runes := []rune(name)
	if len(runes) != 1 {
		panic(fmt.Sprintf("uitest.Key: unknown key %q", name))
	}
	return tea.KeyPressMsg{Code: runes[0], Text: name}
}

// Keys returns one key press per rune of s (for typing text).
func Keys(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		if r == ' ' {
			out = append(out, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// Driver feeds messages to an update function and runs the commands it
// returns, recording every message that came back.
type Driver struct {
	TB     testing.TB
	Update func(tea.Msg) tea.Cmd
	// Seen holds every message produced by a command, in order.
	Seen []tea.Msg
	// Quit is set when a command returned tea.QuitMsg.
	Quit bool
	// CmdTimeout bounds one command (default 10 s): a command that sleeps
	// longer (a timer) fails the test, since tests must not wait on clocks.
	CmdTimeout time.Duration
}

// Send delivers msg and runs what follows from it to completion.
func (d *Driver) Send(msg tea.Msg) {
	d.TB.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			d.TB.Fatal("uitest: more than 10000 messages from one Send")
		}
		m := queue[0]
		queue = queue[1:]
		if _, ok := m.(tea.QuitMsg); ok {
			d.Quit = true
			continue
		}
		cmd := d.Update(m)
		queue = append(queue, d.run(cmd)...)
	}
}

// Exec runs cmd and delivers its messages (and theirs) like Send.
func (d *Driver) Exec(cmd tea.Cmd) {
	d.TB.Helper()
	for _, m := range d.run(cmd) {
		d.Send(m)
	}
}

// Press sends the named keys one after another.
func (d *Driver) Press(names ...string) {
	d.TB.Helper()
	for _, n := range names {
		d.Send(Key(n))
	}
}

// Type sends one key press per rune of s.
func (d *Driver) Type(s string) {
	d.TB.Helper()
	for _, k := range Keys(s) {
		d.Send(k)
	}
}

// run executes cmd (and batches within it) and returns the messages.
func (d *Driver) run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	timeout := d.CmdTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(timeout):
		d.TB.Fatalf("uitest: a command ran longer than %s", timeout)
	}
	switch m := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, d.run(c)...)
		}
		return out
	case tea.QuitMsg:
		d.Quit = true
		return nil
	}
	d.Seen = append(d.Seen, msg)
	return []tea.Msg{msg}
}
