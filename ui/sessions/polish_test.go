package sessions

import (
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

// tableRows returns the screen's table rows (the lines holding a short
// correlation id), without styling.
func tableRows(h *harness) []string {
	var rows []string
	for _, l := range strings.Split(h.plain(), "\n") {
		for _, id := range []string{id1, id2, id3, id4} {
			if strings.Contains(l, " "+shortID(id)+" ") {
				rows = append(rows, l)
			}
		}
	}
	return rows
}

// The selected row is marked with ▸ in the text itself, so it shows
// without colour, on a terminal that drops attributes, and to a screen
// reader; under --no-color it is also in reverse video.
func TestSelectedRowIsMarkedWithoutColour(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		h := newHarness(t, 100, 20)
		h.pane.SetStyles(ui.NewStyles(themes.Builtin()[0], noColor))
		for _, k := range []anywhere365.SessionKey{{UCC: "sales", CorrelationID: id4}, {UCC: "helpdesk", CorrelationID: id3}} {
			h.selectKey(k)
			var marked []string
			for _, r := range tableRows(h) {
				if strings.HasPrefix(r, selPointer) {
					marked = append(marked, r)
				}
			}
			if len(marked) != 1 || !strings.Contains(marked[0], " "+shortID(k.CorrelationID)+" ") {
				t.Fatalf("no-color %v: rows marked %q, want only %s's", noColor, marked, shortID(k.CorrelationID))
			}
		}
		if noColor {
			for _, l := range strings.Split(h.screen(), "\n") {
				if strings.Contains(l, selPointer+"  helpdesk") && !strings.Contains(l, "\x1b[7m") {
					t.Errorf("--no-color: the selected row is not in reverse video: %q", l)
				}
			}
		}
	}
}

// While a prompt, the filter or payment mode has the keyboard, the footer
// offers only the keys that then work.
func TestFooterOffersOnlyTheKeysThatWork(t *testing.T) {
	h := newHarness(t, 120, 24)
	footer := func() string {
		lines := strings.Split(h.plain(), "\n")
		return lines[len(lines)-1]
	}
	if f := footer(); !strings.Contains(f, "p pause") || !strings.Contains(f, "? help") || !strings.Contains(f, "q quit") {
		t.Fatalf("table: %q", f)
	}
	cases := []struct {
		open, close string
		want        []string
	}{
		{"x", "n", []string{"y yes", "any other key no", "ctrl+c quit"}},
		{"/", "esc", []string{"enter keep filter", "esc clear filter", "ctrl+c quit"}},
		{"a", "esc", []string{"enter accept", "esc cancel", "ctrl+c quit"}},
		{"P", "esc", []string{"space pause/resume", "esc leave payment mode", "ctrl+c quit"}},
	}
	h.selectKey(anywhere365.SessionKey{UCC: "ucc-demo-name", CorrelationID: id1})
	for _, c := range cases {
		h.d.Press(c.open)
		f := footer()
		for _, w := range c.want {
			if !strings.Contains(f, w) {
				t.Errorf("after %s: footer %q lacks %q", c.open, f, w)
			}
		}
		for _, bad := range []string{"? help", "q quit", "p pause"} {
			if strings.Contains(f, bad) {
				t.Errorf("after %s: footer %q offers %q", c.open, f, bad)
			}
		}
		h.d.Press(c.close)
		if f := footer(); !strings.Contains(f, "q quit") {
			t.Errorf("after %s %s: footer %q", c.open, c.close, f)
		}
	}
}

func TestShortConnError(t *testing.T) {
	cases := map[string]string{
		`Post "https://core.example/attendantservice/hubs/recording/negotiate": tls: failed to verify certificate: x509: certificate signed by unknown authority`: "tls: failed to verify certificate: x509: certificate signed by unknown authority",
		"POST http://127.0.0.1:8365/attendantservice/api/recording/set: dial tcp 127.0.0.1:8365: connect: connection refused":                                     "dial tcp 127.0.0.1:8365: connect: connection refused",
		"hub credentials: authentication failed: token endpoint unreachable: POST https://login/x/token: EOF":                                                     "hub credentials: authentication failed: token endpoint unreachable: EOF",
		"Validation: Recorder state is Paused, this state cannot be paused":                                                                                       "Validation: Recorder state is Paused, this state cannot be paused",
		"two\nlines   and  spaces": "two lines and spaces",
	}
	for in, want := range cases {
		if got := shortConnError(in); got != want {
			t.Errorf("shortConnError(%q) = %q, want %q", in, got, want)
		}
	}
}

// A hub error is shown whole in a toast once per new reason (the status
// line has room for a few words of it), and again after a reconnection.
func TestHubErrorToastOncePerReason(t *testing.T) {
	h := newHarness(t, 120, 24)
	hubToasts := func() []string {
		var out []string
		for _, m := range h.d.Seen {
			if tm, ok := m.(ui.ToastMsg); ok && strings.HasPrefix(tm.Text, "Hub: ") {
				out = append(out, tm.Text)
			}
		}
		return out
	}
	set := func(cs anywhere365.ConnState) {
		h.src.mu.Lock()
		h.src.conn = cs
		h.src.mu.Unlock()
		h.tick()
	}
	tlsErr := `Post "https://core.example/attendantservice/hubs/recording/negotiate": tls: failed to verify certificate: x509: certificate signed by unknown authority`
	set(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 1, LastError: tlsErr})
	set(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 2, LastError: tlsErr})
	got := hubToasts()
	if len(got) != 1 || got[0] != "Hub: TLS certificate not trusted (tls: failed to verify certificate: x509: certificate signed by unknown authority)" {
		t.Fatalf("toasts %q", got)
	}
	if scr := h.plain(); strings.Contains(scr, `Post "https://`) || !strings.Contains(scr, "↻ reconnecting (attempt 2) │") {
		t.Fatalf("status line:\n%s", scr)
	}
	set(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 3, LastError: "dial tcp: connection refused"})
	set(anywhere365.ConnState{Phase: anywhere365.ConnConnected})
	set(anywhere365.ConnState{Phase: anywhere365.ConnReconnecting, Attempt: 1, LastError: "dial tcp: connection refused"})
	if got := hubToasts(); len(got) != 3 || got[1] != "Hub: connection refused (dial tcp: connection refused)" || got[2] != got[1] {
		t.Fatalf("toasts %q", got)
	}
}
