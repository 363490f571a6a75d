package main

// The compliance watch through the assembled console (newConsole: real
// client, tracker, hub listener, pause guard and compliance book) against
// a simulator over loopback, driven through Update and View.

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
	"github.com/recdeck/recdeck/ui/uitest"
)

func (s *tfSim) state(t *testing.T, k anywhere365.SessionKey) anywhere365.RecordingState {
	t.Helper()
	c, ok := s.truth(k.CorrelationID)
	if !ok {
		t.Fatalf("no call %s", k.CorrelationID)
	}
	return c.RecordingState
}

// A pause made by someone else through the REST API is flagged overdue
// after --max-pause (row mark and word, header count), and the alerts view
// resumes it through the usual, audited action flow.
func TestConsoleOverduePauseResumedFromAlerts(t *testing.T) {
	home := isolate(t)
	s := startTFSim(t, 31)
	x := newTFConsole(t, "--base-url", s.url(), "--sip", sim.DemoSupervisor, "--max-pause", "1s")
	x.connected(s)
	k := s.newCall("ucc-demo-name")
	short := k.CorrelationID[:8]
	x.until("the call listed", tfSetup, func(scr string) bool { return strings.Contains(scr, short) })
	s.otherSupervisor(k, anywhere365.ActionPause)
	x.until("the overdue flag", tfSetup, func(scr string) bool {
		return strings.Contains(scr, "⚠ 1 overdue") && strings.Contains(lineWith(scr, short), "overdue")
	})
	if st := s.state(t, k); st != anywhere365.RecordingPaused {
		t.Fatalf("resumed without enforcement: %v", st)
	}
	x.d.Press("!")
	scr := x.screen()
	if !strings.Contains(scr, "Compliance alerts") || !strings.Contains(lineWith(scr, "⚠ overdue"), short) {
		t.Fatalf("alerts view:\n%s", scr)
	}
	x.d.Press("s")
	x.until("the resume confirmed", tfSetup, func(scr string) bool {
		return s.state(t, k) == anywhere365.RecordingStarted && !strings.Contains(scr, "⚠ 1 overdue")
	})
	data, err := os.ReadFile(filepath.Join(home, "state", "recdeck", "audit.log"))
	if err != nil || !strings.Contains(string(data), `"correlation_id":"`+k.CorrelationID+`","action":"Start","requester":"sip:supervisor@domain.com","outcome":"ok"`) {
		t.Fatalf("audit log %s (%v)", data, err)
	}
}

// With --enforce-max-pause the console resumes such a pause by itself and
// audits it as a policy resume.
func TestConsoleEnforcesMaxPause(t *testing.T) {
	home := isolate(t)
	s := startTFSim(t, 32)
	x := newTFConsole(t, "--base-url", s.url(), "--sip", sim.DemoSupervisor, "--max-pause", "1s", "--enforce-max-pause")
	x.connected(s)
	k := s.newCall("payments")
	x.until("the call listed", tfSetup, func(scr string) bool { return strings.Contains(scr, k.CorrelationID[:8]) })
	s.otherSupervisor(k, anywhere365.ActionPause)
	paused := time.Now()
	x.until("the policy resume", tfSetup, func(scr string) bool {
		return s.state(t, k) == anywhere365.RecordingStarted && strings.Contains(scr, "policy auto-resume: resumed")
	})
	if took := time.Since(paused); took > 1*time.Second+5*time.Second {
		t.Fatalf("resumed %v after the pause, past the maximum + 5 s", took)
	}
	data, _ := os.ReadFile(filepath.Join(home, "state", "recdeck", "audit.log"))
	if !strings.Contains(string(data), `"trigger":"policy auto-resume"`) {
		t.Fatalf("no policy resume in the audit log:\n%s", data)
	}
}

// A payment pause still under way when the console exits (q then y, a
// second ctrl+c, SIGTERM, SIGHUP) is resumed by the exit path.
func TestConsoleExitResumesPaymentPause(t *testing.T) {
	isolate(t)
	s := startTFSim(t, 33)
	x := newTFConsole(t, "--base-url", s.url(), "--sip", sim.DemoAgent)
	x.connected(s)
	k := s.newCall("payments")
	x.selectCall(k)
	x.d.Press("P", "space")
	x.until("paused", tfSetup, func(string) bool { return s.state(t, k) == anywhere365.RecordingPaused })
	x.until("guarded", tfSetup, func(string) bool { return len(x.c.guard.OpenPayment()) == 1 })
	x.d.Press("esc", "ctrl+c")
	if x.d.Quit {
		t.Fatal("ctrl+c quit at once during a payment pause")
	}
	x.d.Press("ctrl+c") // asked already: quit anyway
	if !x.d.Quit {
		t.Fatal("a second ctrl+c did not quit")
	}
	if err := resumeOnExit(x.c, exitResumeWait); err != nil {
		t.Fatal(err)
	}
	if st := s.state(t, k); st != anywhere365.RecordingStarted {
		t.Fatalf("state after the exit path: %v", st)
	}
}

// A payment pause still on its way to the server when the console quits
// (the server is slow: it applies the pause after the quit) is waited for
// by the exit path, confirmed with the server and resumed, not left on.
func TestConsoleExitResumesAPaymentPauseStillOnItsWay(t *testing.T) {
	s, x, k, sent := quitWithAPauseOnItsWay(t, 34)
	exited := make(chan error, 1)
	go func() { exited <- resumeOnExit(x.c, exitResumeWait) }()
	select {
	case err := <-exited:
		t.Fatalf("the exit path ended (%v) while the payment pause was still on its way", err)
	case <-time.After(300 * time.Millisecond):
	}
	s.release() // the server applies the pause now, after the quit
	select {
	case err := <-exited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(exitResumeWait + 5*time.Second):
		t.Fatal("the exit path never ended")
	}
	sent.Wait()
	if st := s.state(t, k); st != anywhere365.RecordingStarted {
		t.Fatalf("state after the exit path: %v, want Started", st)
	}
}

// A pause still on its way when the exit path's time is up is reported
// (the console then exits 3), not passed over in silence.
func TestConsoleExitReportsAPaymentPauseStillOnItsWay(t *testing.T) {
	s, x, k, sent := quitWithAPauseOnItsWay(t, 35)
	err := resumeOnExit(x.c, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "payment pause still on its way, not confirmed: payments/"+k.CorrelationID) {
		t.Fatalf("exit path: %v", err)
	}
	s.release()
	sent.Wait()
}

// A pause whose state the server will not tell after the quit (every
// answer garbled: the pause itself carried out) is reported, naming the
// call, not taken as resumed.
func TestConsoleExitReportsAPauseItCannotCheck(t *testing.T) {
	s, x, k, sent := quitWithAPauseOnItsWay(t, 36)
	s.sim().SetFaults(sim.Faults{MalformedRate: 1})
	s.release()
	err := resumeOnExit(x.c, 3*time.Second)
	if err == nil || !strings.Contains(err.Error(), "payment pause sent on payments/"+k.CorrelationID+", its state not confirmed") {
		t.Fatalf("exit path: %v", err)
	}
	if strings.ContainsRune(err.Error(), 0x1b) {
		t.Fatalf("raw escape in the exit error: %q", err)
	}
	sent.Wait()
}

// quitWithAPauseOnItsWay puts a call in payment mode, sends its pause to a
// simulator that holds it, and quits the console while it is held. sent is
// done once the pause's command has ended.
func quitWithAPauseOnItsWay(t *testing.T, seed int64) (*tfSim, *tfConsole, anywhere365.SessionKey, *sync.WaitGroup) {
	t.Helper()
	isolate(t)
	s := startTFSim(t, seed)
	x := newTFConsole(t, "--base-url", s.url(), "--sip", sim.DemoAgent)
	x.connected(s)
	k := s.newCall("payments")
	x.selectCall(k)
	x.d.Press("P")
	s.holdRequests()
	t.Cleanup(s.release)
	// The pause's command runs on its own, as Bubble Tea would run it; its
	// answer goes to a console that has quit.
	pause := x.d.Update(uitest.Key("space"))
	sent := &sync.WaitGroup{}
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		defer sent.Done()
		if cmd == nil {
			return
		}
		if batch, ok := cmd().(tea.BatchMsg); ok {
			for _, c := range batch {
				sent.Add(1)
				go run(c)
			}
		}
	}
	sent.Add(1)
	go run(pause)
	deadline := time.Now().Add(10 * time.Second)
	for s.waiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the pause never reached the server")
		}
		time.Sleep(5 * time.Millisecond)
	}
	x.d.Press("ctrl+c") // no pause is open yet: the console quits at once
	if !x.d.Quit {
		t.Fatal("ctrl+c did not quit")
	}
	return s, x, k, sent
}

// lineWith is the first screen line containing sub, or "".
func lineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
