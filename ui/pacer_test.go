package ui_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/recdeck/recdeck/ui"
)

type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Pins the pacer to the Bubble Tea in go.mod: it finds the renderer's
// ticker in a running program, slows it down once nothing is drawn, tunes
// its screen writer, and a changed screen brings it back to full rate and
// reaches the output.
func TestRenderPacerSlowsTheIdleRenderer(t *testing.T) {
	pacer := ui.NewRenderPacer()
	pacer.IdleInterval = time.Minute // longer than waitFor's 5 s: only the flush after a drawn frame writes in time
	m := ui.New(ui.Options{Pacer: pacer}, &clockPane{})
	out := &lockedWriter{}
	prog := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(),
		tea.WithWindowSize(80, 24), tea.WithColorProfile(colorprofile.Ascii))
	pacer.Attach(prog)
	done := make(chan error, 1)
	go func() { _, err := prog.Run(); done <- err }()
	defer func() {
		prog.Quit()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	waitFor(t, "the pacer to find the renderer's ticker and slow it down", func() bool {
		return pacer.Paced() && !pacer.Fast()
	})
	if !pacer.Watching() {
		t.Fatal("the pacer cannot see what the renderer wrote (its fields mu and lastView)")
	}
	if !pacer.Tuned() {
		t.Fatal("the pacer did not tune the renderer's screen writer (its fields scr and hardTabs)")
	}
	prog.Send(ui.ToastMsg{Text: "paced toast", For: time.Minute})
	waitFor(t, "the change to reach the output", func() bool { return strings.Contains(out.String(), "paced toast") })
	waitFor(t, "the renderer to slow down again", func() bool { return !pacer.Fast() })
}
