package sim

import (
	"sort"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// The call generator keeps a demo lively: calls arrive on the UCCs, are
// answered (the recorder starts where UseAudioRecording is on), agents
// pause and resume for card payments, mark, save or stop, and calls end
// after a while (SaveRecordingByDefault applies). It only drives the calls
// it made. Every decision comes from the seeded generator, so the same seed
// and the same number of steps give the same calls and ids.

// ticks converts a duration to generator steps (at least one).
func (s *Server) ticks(d time.Duration) int {
	return max(1, int(d/s.opts.GeneratorTick))
}

// holdForHumanLocked leaves a generated call to the person who just acted
// on it through the API, for Options.HumanHold.
func (s *Server) holdForHumanLocked(sess *session) {
	if sess.state.Generated {
		sess.humanTicks = s.ticks(s.opts.HumanHold)
	}
}

func (s *Server) startGenerator() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.opts.GeneratorTick)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.step()
			}
		}
	}()
}

// step advances the generator once: ends calls whose time is up, lets a
// call arrive while below the target, and has one agent act on one call.
func (s *Server) step() {
	s.mu.Lock()
	var evs []event
	var active []*session
	for _, sess := range s.sessions {
		if sess.state.Generated {
			active = append(active, sess)
		}
	}
	// Map order is random: sort so the same seed makes the same choices.
	sort.Slice(active, func(i, j int) bool { return active[i].state.Seq < active[j].state.Seq })

	live := active[:0]
	var agentCalls []*session // calls a simulated agent may act on
	for _, sess := range active {
		sess.ticksLeft--
		if sess.humanTicks > 0 {
			sess.humanTicks-- // a person is working on it: it stays up
		} else if sess.ticksLeft <= 0 {
			evs = append(evs, s.endLocked(sess)...)
			continue
		}
		live = append(live, sess)
		if sess.humanTicks == 0 {
			agentCalls = append(agentCalls, sess)
		}
	}

	target := s.opts.Calls
	if len(live) < target && (len(live) < (target+1)/2 || s.rng.IntN(3) == 0) {
		ucc := s.uccList[s.rng.IntN(len(s.uccList))]
		sess, answered, err := s.answerLocked(ucc, "", true, true)
		if err == nil {
			minTicks, maxTicks := s.ticks(s.opts.MinCallLife), s.ticks(s.opts.MaxCallLife)
			sess.ticksLeft = minTicks + s.rng.IntN(maxTicks-minTicks+1)
			evs = append(evs, answered...)
			live = append(live, sess)
			agentCalls = append(agentCalls, sess)
		}
	}

	if len(agentCalls) > 0 {
		sess := agentCalls[s.rng.IntN(len(agentCalls))]
		a := agentAction(sess.state, s.rng.IntN(100))
		if a != 0 && s.uccs[sess.state.UCCName].AgentCanEditAudioRecording {
			if ev, em := s.transitionLocked(sess, a, DemoAgent); em == nil {
				evs = append(evs, ev)
			}
		}
	}
	s.unlockAndPublish(evs...)
}

// agentAction picks what a simulated agent does to a call, given a roll
// from 0 to 99; 0 means nothing this step.
func agentAction(st CallState, roll int) anywhere365.Action {
	switch st.RecordingState {
	case anywhere365.RecordingStarted:
		switch {
		case roll < 8:
			return anywhere365.ActionPause // a card payment starts (PCI)
		case roll < 20:
			if st.MarkingState == anywhere365.MarkingMark {
				return anywhere365.ActionUnMark
			}
			return anywhere365.ActionMark
		case roll < 24:
			return anywhere365.ActionSave
		case roll < 25:
			return anywhere365.ActionDelete
		case roll < 26:
			return anywhere365.ActionStop
		}
	case anywhere365.RecordingPaused:
		// With 12 calls a call is picked about every 1.2 s, so a pause
		// lasts about 12 s: long enough to read, like a card payment.
		switch {
		case roll < 10:
			return anywhere365.ActionStart // payment done: resume
		case roll < 11:
			return anywhere365.ActionStop
		}
	case anywhere365.RecordingUninitialized:
		if roll < 30 {
			return anywhere365.ActionStart
		}
	case anywhere365.RecordingStopped:
		if roll < 5 {
			return anywhere365.ActionSave
		}
	}
	return 0
}
