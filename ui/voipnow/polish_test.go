package voipnowpane

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/client/voipnow/sim"
)

// The count in the status line matches the rows below it: an ended call
// still listed is counted (and said to be ended), not left out.
func TestCallCountMatchesRowsShown(t *testing.T) {
	h := newHarness(t, Options{EndedLinger: time.Minute})
	h.sim.AddCall(sim.ExtReception, voipnow.FlowOutgoing, "0722000222", 0, 5*time.Second)
	h.sim.AddCall(sim.ExtReception, voipnow.FlowIncoming, "0722000333", 0, time.Hour)
	h.sim.AddCall(sim.ExtReception, voipnow.FlowIncoming, "0722000444", 0, time.Hour)
	h.init()
	h.clock.Add(10 * time.Second)
	h.send(pollMsg{})
	view := h.p.View()
	if !strings.Contains(view, "ended") {
		t.Fatalf("no ended row:\n%s", view)
	}
	head := strings.Split(view, "\n")[0]
	m := regexp.MustCompile(` · (\d+) (calls?|rows?)\b`).FindStringSubmatch(head)
	if m == nil {
		t.Fatalf("no count in %q", head)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(h.p.rows) || len(h.p.rows) < 2 {
		t.Fatalf("status line %q counts %d, the table shows %d rows:\n%s", head, n, len(h.p.rows), view)
	}
	if !strings.Contains(head, "1 ended") {
		t.Fatalf("status line %q does not say one has ended", head)
	}
}
