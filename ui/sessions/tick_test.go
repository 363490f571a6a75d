package sessions

import (
	"slices"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
)

// The pane asks the frame for ticks only while something it shows moves by
// itself: ages in whole seconds once a second, a flashing row at the frame
// rate, and nothing at all once every listed call has ended and the event
// rate has settled at zero.
func TestPaneWantsTicksOnlyWhileSomethingMoves(t *testing.T) {
	h := newHarness(t, 120, 20)
	h.screen() // rows drawn once, so a change to one of them flashes
	if got := h.pane.TickWanted(); got != time.Second {
		t.Fatalf("ages on screen: TickWanted = %v, want 1s", got)
	}

	// A change flashes its row: a tick when the flash is over.
	h.src.update(anywhere365.SessionKey{UCC: "sales", CorrelationID: id2}, func(s *anywhere365.Session) {
		s.Recording = anywhere365.RecordingStarted
	})
	h.tick()
	h.screen() // the frame that notices the new version starts the flash
	if got := h.pane.TickWanted(); got <= 0 || got > DefaultFlashFor+time.Millisecond {
		t.Fatalf("a row flashing: TickWanted = %v, want the flash's end (within %v)", got, DefaultFlashFor)
	}
	h.clock.Advance(2 * DefaultFlashFor)
	h.tick()
	h.screen()
	if got := h.pane.TickWanted(); got != time.Second {
		t.Fatalf("flash over: TickWanted = %v, want 1s", got)
	}

	// Every call ends: "ended" does not count up, so no tick is wanted.
	for _, id := range []string{id1, id2, id3, id4} {
		for _, ucc := range []string{"ucc-demo-name", "sales", "helpdesk"} {
			h.src.update(anywhere365.SessionKey{UCC: ucc, CorrelationID: id}, func(s *anywhere365.Session) { s.Gone = true })
		}
	}
	h.clock.Advance(2 * DefaultFlashFor)
	h.tick()
	h.screen()
	h.clock.Advance(2 * DefaultFlashFor)
	h.tick()
	h.screen()
	// A flash of a row that is not on screen (scrolled away, filtered out)
	// needs no frame.
	h.pane.tbl.flash[anywhere365.SessionKey{UCC: "elsewhere", CorrelationID: "off-screen"}] = h.clock.Now().Add(time.Hour)
	if got := h.pane.TickWanted(); got != 0 {
		t.Fatalf("nothing moves: TickWanted = %v, want 0\n%s", got, h.plain())
	}

	// Events counted since the last sample: a tick a second until the rate
	// and its sparkline have settled at zero again.
	h.src.mu.Lock()
	h.src.events += 50
	h.src.mu.Unlock()
	if got := h.pane.TickWanted(); got != time.Second {
		t.Fatalf("events to sample: TickWanted = %v, want 1s", got)
	}
	for range sparkWidth + 2 {
		h.clock.Advance(time.Second)
		h.tick()
	}
	if got := h.pane.TickWanted(); got != 0 {
		t.Fatalf("rate settled: TickWanted = %v, want 0 (rates %v)", got, h.pane.rate.history())
	}
}

// The pull buffers follow the store down: after most sessions are gone
// they no longer hold the peak's capacity.
func TestPullBuffersShrinkAfterThePeak(t *testing.T) {
	p, src, _ := benchPane(t, 20_000)
	if c := cap(p.tbl.snap); c < 20_000 {
		t.Fatalf("snapshot capacity %d at the peak", c)
	}
	src.mu.Lock()
	src.sessions = src.sessions[:100]
	src.ver++
	src.mu.Unlock()
	p.pull(true)
	if len(p.tbl.rows) != 100 {
		t.Fatalf("%d rows after the drop", len(p.tbl.rows))
	}
	if c := cap(p.tbl.snap); c > 1000 {
		t.Errorf("snapshot buffer kept %d sessions' room for 100", c)
	}
	if c := cap(p.tbl.rows); c > 1000 {
		t.Errorf("row index kept %d entries' room for 100", c)
	}
}

// A tick whose news is about sessions off screen leaves the body as it
// was (BodyChanged false, so the frame may draw it later); news about a
// row on screen, or a new row count, changes it.
func TestBodyChangedOnlyForRowsOnScreen(t *testing.T) {
	p, src, clock := benchPane(t, 200)
	seq := uint64(0)
	tick := func() {
		seq++
		clock.Advance(time.Second)
		deadline := time.Now().Add(5 * time.Second)
		for !p.tbl.dueForPull() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // the pull throttle spaces pulls in real time
		}
		p.Update(ui.TickMsg{At: clock.Now(), Seq: seq})
	}
	bump := func(row int) {
		src.mu.Lock()
		src.ver++
		src.sessions[p.tbl.rows[row]].Version = src.ver
		src.mu.Unlock()
	}
	tick()
	bump(len(p.tbl.rows) - 1) // the last row: far below the screen
	tick()
	if p.tbl.version != src.Version() {
		t.Fatal("the tick did not pull the change")
	}
	if p.BodyChanged() {
		t.Fatal("a change off screen changed the body")
	}
	bump(p.tbl.offset + 1)
	tick()
	if !p.BodyChanged() {
		t.Fatal("a change to a row on screen did not change the body")
	}
	src.add("ucc-new", "ffffffff-6739-4f0c-98ff-000000000001", anywhere365.RecordingStarted, time.Second)
	tick()
	if !p.BodyChanged() {
		t.Fatal("a new session (row count) did not change the body")
	}
	tick()
	if p.BodyChanged() {
		t.Fatal("a tick with no news changed the body")
	}
	// The hub dropping (no row changed yet) is drawn at once, and so is
	// its return: whether the rows can be trusted is news.
	for _, phase := range []anywhere365.ConnPhase{anywhere365.ConnReconnecting, anywhere365.ConnConnected} {
		src.mu.Lock()
		src.conn = anywhere365.ConnState{Phase: phase, Attempt: 1}
		src.ver++
		src.mu.Unlock()
		tick()
		if !p.BodyChanged() {
			t.Fatalf("the hub going %v did not change the body", phase)
		}
	}
}

// Ages tick at the pace of their text: every second while they show
// seconds (under an hour), at the next minute once they all show hours
// and minutes, at the next hour once they all show days; and not at all
// while the IN STATE column is not on screen.
func TestAgesTickAtThePaceOfTheirText(t *testing.T) {
	p, src, clock := benchPane(t, 3)
	now := clock.Now()
	src.mu.Lock()
	src.sessions[0].StateSince = now.Add(-(2*time.Hour + 10*time.Second)) // 2h00m: next change in 50 s
	src.sessions[1].StateSince = now.Add(-(3*time.Hour + 45*time.Second)) // 3h00m: in 15 s
	src.sessions[2].StateSince = now.Add(-(50*time.Hour + 30*time.Minute))
	for i := range src.sessions {
		src.ver++
		src.sessions[i].Version = src.ver
	}
	src.mu.Unlock()
	p.pull(true)
	p.rate.started = true // no events to sample
	p.View()
	if got := p.TickWanted(); got != 15*time.Second {
		t.Fatalf("ages in hours and minutes: TickWanted = %v, want 15s (the soonest minute)", got)
	}
	src.mu.Lock()
	src.sessions[1].StateSince = now.Add(-(59*time.Minute + 59*time.Second + 500*time.Millisecond))
	src.ver++
	src.sessions[1].Version = src.ver
	src.mu.Unlock()
	p.pull(true)
	if got := p.TickWanted(); got != time.Second {
		t.Fatalf("an age in seconds: TickWanted = %v, want 1s", got)
	}
	p.SetSize(40, 40) // too narrow for the IN STATE column
	if slices.Contains(p.tbl.cols, colAge) {
		t.Fatalf("columns at width 40: %v", p.tbl.cols)
	}
	if got := p.TickWanted(); got != 0 {
		t.Fatalf("ages not on screen: TickWanted = %v, want 0", got)
	}
}
