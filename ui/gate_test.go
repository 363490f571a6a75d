package ui_test

import (
	"strings"
	"testing"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
)

// TestFrameGatesToastsAndHeader: whatever a pane or the command line puts
// in a toast or the header (a server's text quoting escape sequences, C1
// and bidi characters, or a secret) is shown printable and redacted: the
// frame is the output gate of the console.
func TestFrameGatesToastsAndHeader(t *testing.T) {
	safetext.ForgetAll()
	t.Cleanup(safetext.ForgetAll)
	const secret = "frame-secret-Qz81"
	safetext.AddSecret(secret)
	hostile := "a\x1b]0;pwned\x07\x1b[2J\u009b31m\u202edesrever\r\n\u2066"
	m, _, _, d, _ := setup(t, ui.Options{Server: "https://core.example/" + hostile, Profile: "p" + hostile, APIVersion: "v2" + hostile})
	d.Send(ui.ToastMsg{Level: ui.ToastError, Text: "refused " + hostile + " for " + secret})
	raw := m.Render()
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\x07", "\u009b", "\u202e", "\u2066", "\r", "frame-"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the frame shows %q raw:\n%q", bad, raw)
		}
	}
	if !strings.Contains(plain(m), "desrever") {
		t.Errorf("the server's text is not shown at all:\n%s", plain(m))
	}
	for _, tm := range m.Toasts() {
		if safetext.Printable(tm.Text) != tm.Text || strings.Contains(tm.Text, "secret-Q") {
			t.Errorf("toast kept raw: %q", tm.Text)
		}
	}
}
