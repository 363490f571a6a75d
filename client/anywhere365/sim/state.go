package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// CallState is the true state of one session, as GET /sim/calls returns it.
type CallState struct {
	Seq            int64                      `json:"Seq"` // answer order, from 1
	UCCName        string                     `json:"UCCName"`
	CorrelationId  string                     `json:"CorrelationId"`
	RecordingState anywhere365.RecordingState `json:"RecordingState"`
	MarkingState   anywhere365.MarkingState   `json:"MarkingState"`
	SavingState    anywhere365.SavingState    `json:"SavingState"`
	// Api is false for a session the recording API may not control
	// ("No Api Audio session ...").
	Api bool `json:"Api"`
	// Generated is true for calls the call generator made and drives.
	Generated  bool               `json:"Generated"`
	Ended      bool               `json:"Ended"`
	LastAction anywhere365.Action `json:"LastAction"` // 0 until the first event
	AnsweredAt time.Time          `json:"AnsweredAt"`
	EndedAt    *time.Time         `json:"EndedAt,omitempty"`
}

// CallDetailRecord is one row the simulator writes to its UCC_CallDetail
// table: Mark and UnMark write RecorderSetToMarkByAgent and
// RecorderSetToUnMarkByAgent.
type CallDetailRecord struct {
	Time            time.Time `json:"Time"`
	UCCName         string    `json:"UCCName"`
	CorrelationId   string    `json:"CorrelationId"`
	RequesterSipUri string    `json:"RequesterSipUri"`
	Type            string    `json:"Type"`
}

// The record types the vendor document names.
const (
	CDRMark   = "RecorderSetToMarkByAgent"
	CDRUnMark = "RecorderSetToUnMarkByAgent"
)

// Errors of the in-process helpers (the /sim control API maps them to
// 404 and 409).
var (
	ErrUnknownUCC  = errors.New("unknown UCC")
	ErrUnknownCall = errors.New("no active call with that correlation id")
	ErrDuplicate   = errors.New("a call with that correlation id is active")
)

// session is one active call with its recorder.
type session struct {
	state CallState
	// generator bookkeeping: ticks left before the call ends, and ticks
	// left during which a person, not the generator, controls the call.
	ticksLeft  int
	humanTicks int
}

// event is one change to announce on the hub.
type event = anywhere365.RecordingStateChangedEvent

// newIDLocked makes a version-4 GUID from the seeded generator, so the same
// seed gives the same ids.
func (s *Server) newIDLocked() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], s.rng.Uint64())
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return uuid.UUID(b).String()
}

// transitionLocked is the one place a recorder changes state. It applies
// action a to sess following the state rules, writes call-detail records
// for Mark and UnMark, and returns the event to publish. On a refused
// transition it returns the Validation message and changes nothing.
// The caller holds s.mu and publishes the event after unlocking.
func (s *Server) transitionLocked(sess *session, a anywhere365.Action, requester string) (event, *anywhere365.ErrorMessage) {
	st := &sess.state
	refuse := func(verb string) *anywhere365.ErrorMessage {
		return &anywhere365.ErrorMessage{
			ErrorType: anywhere365.ErrorValidation,
			Message:   fmt.Sprintf("Recorder state is %s, this state cannot be %s", st.RecordingState, verb),
		}
	}
	switch a {
	case anywhere365.ActionStart: // also resumes a Paused recorder
		if st.RecordingState != anywhere365.RecordingUninitialized && st.RecordingState != anywhere365.RecordingPaused {
			return event{}, refuse("started")
		}
		st.RecordingState = anywhere365.RecordingStarted
	case anywhere365.ActionPause:
		if st.RecordingState != anywhere365.RecordingStarted {
			return event{}, refuse("paused")
		}
		st.RecordingState = anywhere365.RecordingPaused
	case anywhere365.ActionStop:
		if st.RecordingState != anywhere365.RecordingStarted && st.RecordingState != anywhere365.RecordingPaused {
			return event{}, refuse("stopped")
		}
		st.RecordingState = anywhere365.RecordingStopped
	case anywhere365.ActionSave:
		st.SavingState = anywhere365.SavingSave
	case anywhere365.ActionDelete:
		st.SavingState = anywhere365.SavingDelete
	case anywhere365.ActionMark:
		st.MarkingState = anywhere365.MarkingMark
		s.addCDRLocked(st, requester, CDRMark)
	case anywhere365.ActionUnMark:
		st.MarkingState = anywhere365.MarkingUnmark
		s.addCDRLocked(st, requester, CDRUnMark)
	default:
		return event{}, &anywhere365.ErrorMessage{ErrorType: anywhere365.ErrorValidation, Message: msgNoAction}
	}
	st.LastAction = a
	s.events++
	return event{UccName: st.UCCName, CorrelationId: st.CorrelationId, StateAction: a}, nil
}

func (s *Server) addCDRLocked(st *CallState, requester, typ string) {
	if len(s.cdr) >= maxCDR {
		s.cdr = append(s.cdr[:0], s.cdr[len(s.cdr)-maxCDR+1:]...)
	}
	s.cdr = append(s.cdr, CallDetailRecord{
		Time: s.now(), UCCName: st.UCCName, CorrelationId: st.CorrelationId,
		RequesterSipUri: requester, Type: typ,
	})
}

// unlockAndPublish releases s.mu and hands evs to the hub, in the order
// the state changed: pubMu is taken before s.mu is released (hand over
// hand), so two changes made one after the other under s.mu are published
// in that order even when two goroutines race to publish them. The hub
// itself keeps each connection's pushes in order (hub.go).
func (s *Server) unlockAndPublish(evs ...event) {
	s.pubMu.Lock()
	s.mu.Unlock()
	defer s.pubMu.Unlock()
	for _, ev := range evs {
		s.hub.send(ev)
	}
}

// answerLocked creates and answers a call; the recorder starts if the UCC
// uses audio recording.
func (s *Server) answerLocked(ucc, id string, api, generated bool) (*session, []event, error) {
	u, ok := s.uccs[ucc]
	if !ok {
		return nil, nil, fmt.Errorf("%w %q", ErrUnknownUCC, ucc)
	}
	if id == "" {
		id = s.newIDLocked()
	}
	if _, dup := s.sessions[id]; dup {
		return nil, nil, fmt.Errorf("%w: %s", ErrDuplicate, id)
	}
	s.seq++
	sess := &session{state: CallState{
		Seq: s.seq, UCCName: ucc, CorrelationId: id, Api: api, Generated: generated,
		AnsweredAt: s.now(),
	}}
	s.sessions[id] = sess
	var evs []event
	if u.UseAudioRecording {
		if ev, em := s.transitionLocked(sess, anywhere365.ActionStart, ""); em == nil {
			evs = append(evs, ev)
		}
	}
	return sess, evs, nil
}

// endLocked ends a call: a running or paused recorder stops, and
// SaveRecordingByDefault saves a recording nobody deleted. The session then
// leaves the vendor API (its GET says "No Audio session ...") and is kept
// in the ended list for /sim/calls.
func (s *Server) endLocked(sess *session) []event {
	var evs []event
	st := &sess.state
	if st.RecordingState == anywhere365.RecordingStarted || st.RecordingState == anywhere365.RecordingPaused {
		if ev, em := s.transitionLocked(sess, anywhere365.ActionStop, ""); em == nil {
			evs = append(evs, ev)
		}
	}
	if u := s.uccs[st.UCCName]; u != nil && u.SaveRecordingByDefault && st.SavingState == anywhere365.SavingNone {
		if ev, em := s.transitionLocked(sess, anywhere365.ActionSave, ""); em == nil {
			evs = append(evs, ev)
		}
	}
	now := s.now()
	st.Ended = true
	st.EndedAt = &now
	delete(s.sessions, st.CorrelationId)
	if len(s.ended) >= maxEnded {
		s.ended = append(s.ended[:0], s.ended[len(s.ended)-maxEnded+1:]...)
	}
	s.ended = append(s.ended, *st)
	return evs
}

// CreateCall creates a call on ucc and answers it. An empty correlationID
// gets a generated GUID; api false makes a session the recording API may
// not control. It returns the answered call.
func (s *Server) CreateCall(ucc, correlationID string, api bool) (CallState, error) {
	correlationID = strings.TrimSpace(correlationID)
	s.mu.Lock()
	sess, evs, err := s.answerLocked(ucc, correlationID, api, false)
	var st CallState
	if err == nil {
		st = sess.state
	}
	if err != nil {
		s.mu.Unlock()
		return CallState{}, err
	}
	s.unlockAndPublish(evs...)
	s.logf("anywhere365 sim: call %s answered on %s", st.CorrelationId, ucc)
	return st, nil
}

// EndCall ends an active call.
func (s *Server) EndCall(correlationID string) error {
	_, err := s.endCall(correlationID)
	return err
}

func (s *Server) endCall(correlationID string) (CallState, error) {
	s.mu.Lock()
	sess, ok := s.sessions[correlationID]
	if !ok {
		s.mu.Unlock()
		return CallState{}, fmt.Errorf("%w: %s", ErrUnknownCall, correlationID)
	}
	evs := s.endLocked(sess)
	st := sess.state
	s.unlockAndPublish(evs...)
	s.logf("anywhere365 sim: call %s ended", correlationID)
	return st, nil
}

// Calls is the true state of every session, active and recently ended, in
// answer order.
func (s *Server) Calls() []CallState {
	s.mu.Lock()
	out := make([]CallState, 0, len(s.ended)+len(s.sessions))
	out = append(out, s.ended...)
	for _, sess := range s.sessions {
		out = append(out, sess.state)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// call returns the true state of one session (active first, then ended).
func (s *Server) call(id string) (CallState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[id]; ok {
		return sess.state, true
	}
	for i := len(s.ended) - 1; i >= 0; i-- {
		if s.ended[i].CorrelationId == id {
			return s.ended[i], true
		}
	}
	return CallState{}, false
}

// CallDetail returns every call-detail record written so far, oldest first.
func (s *Server) CallDetail() []CallDetailRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(make([]CallDetailRecord, 0, len(s.cdr)), s.cdr...) // [] not null in JSON
}

// Burst performs n real state changes as fast as it can and broadcasts
// each one; it returns how many it made. It toggles Pause / Start on the
// active API sessions whose recorder runs or is paused, round robin. If
// there is none, it first answers one call on the first UCC that uses
// audio recording (that answer's Start counts as the first change); the
// call stays up, so later bursts reuse it.
func (s *Server) Burst(n int) int {
	done := 0
	for done < n {
		s.mu.Lock()
		var targets []*session
		for _, sess := range s.sessions {
			if sess.state.Api && (sess.state.RecordingState == anywhere365.RecordingStarted || sess.state.RecordingState == anywhere365.RecordingPaused) {
				targets = append(targets, sess)
			}
		}
		if len(targets) == 0 {
			evs := s.burstCallLocked()
			s.unlockAndPublish(evs...)
			if len(evs) == 0 {
				return done // no UCC records audio: nothing can change
			}
			done += len(evs)
			continue
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].state.Seq < targets[j].state.Seq })
		// Change a batch under one lock, then publish: fewer lock round trips.
		batch := make([]event, 0, min(n-done, 256))
		for len(batch) < cap(batch) {
			sess := targets[len(batch)%len(targets)]
			a := anywhere365.ActionPause
			if sess.state.RecordingState == anywhere365.RecordingPaused {
				a = anywhere365.ActionStart
			}
			ev, em := s.transitionLocked(sess, a, "")
			if em != nil {
				break
			}
			batch = append(batch, ev)
		}
		s.unlockAndPublish(batch...)
		if len(batch) == 0 {
			return done // cannot happen with the rules above; never spin
		}
		done += len(batch)
	}
	return done
}

func (s *Server) burstCallLocked() []event {
	for _, name := range s.uccList {
		if s.uccs[name].UseAudioRecording {
			_, evs, err := s.answerLocked(name, "", true, false)
			if err == nil {
				return evs
			}
		}
	}
	return nil
}
