package sim

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// The load driver is the part of the /sim/ control API that the process
// benchmarks (cmd/recdeck/bench_process_test.go) use to put a console in a
// known situation: many known sessions (populate), a steady event rate
// spread over them (rate), a state change on one call whose arrival on
// screen is timed (toggle), and every call ending (end-all). Every request
// is bounded in size and time, so a typo cannot pin the CPU for long.

// PopulateRequest is the body of POST /sim/populate: answer Calls calls on
// UCC (default ucc-demo-name), each announcing its recorder's start.
type PopulateRequest struct {
	Calls int    `json:"calls"`
	UCC   string `json:"ucc,omitempty"`
}

// RateRequest is the body of POST /sim/rate: for Seconds, make Rate real
// state changes a second (Pause / Start), round robin over the first Calls
// active API calls of UCC ("" = any) whose recorder runs or is paused, in
// answer order. The request returns when the time is up or the client
// goes away.
type RateRequest struct {
	Rate    int     `json:"rate"`
	Calls   int     `json:"calls"`
	Seconds float64 `json:"seconds"`
	UCC     string  `json:"ucc,omitempty"`
}

// RateResponse says what a rate run did: events made, over how long, and
// the longest the driver fell behind its schedule (a loaded machine).
type RateResponse struct {
	Events  int     `json:"events"`
	Seconds float64 `json:"seconds"`
	Calls   int     `json:"calls"`
	LagMs   float64 `json:"lagMs"`
}

// StatsResponse is GET /sim/stats: what a benchmark in another process
// polls for.
type StatsResponse struct {
	HubConnections int    `json:"hubConnections"`
	Events         uint64 `json:"events"`
	ActiveCalls    int    `json:"activeCalls"`
	// StateGets counts GET requests for a session's state (REST
	// re-reads), v1 and v2, since the simulator started.
	StateGets uint64 `json:"stateGets"`
}

// Bounds of the driver.
const (
	maxPopulate   = 200_000
	maxRate       = 50_000
	maxRateTime   = 600 // seconds
	rateTick      = 5 * time.Millisecond
	populateBatch = 512
)

// driverPaths are the driver's own paths, which Mount claims on a shared
// mux (toggle is under /sim/calls/, already claimed).
var driverPaths = []string{"/sim/populate", "/sim/rate", "/sim/end-all", "/sim/stats"}

func (s *Server) driverRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /sim/populate", s.handlePopulate)
	mux.HandleFunc("POST /sim/rate", s.handleRate)
	mux.HandleFunc("POST /sim/end-all", s.handleEndAll)
	mux.HandleFunc("POST /sim/calls/{id}/toggle", s.handleToggle)
	mux.HandleFunc("GET /sim/stats", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		st := StatsResponse{HubConnections: s.HubConnections(), Events: s.events, ActiveCalls: len(s.sessions), StateGets: s.StateGets()}
		s.mu.Unlock()
		writeJSONStatus(w, http.StatusOK, st)
	})
}

// Populate answers n calls on ucc and announces them; it returns how many
// it made.
func (s *Server) Populate(n int, ucc string) (int, error) {
	if ucc == "" {
		ucc = "ucc-demo-name"
	}
	if _, ok := s.uccs[ucc]; !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownUCC, ucc)
	}
	made := 0
	for made < n {
		var evs []event
		s.mu.Lock()
		for i := 0; i < populateBatch && made < n; i++ {
			_, answered, err := s.answerLocked(ucc, "", true, false)
			if err != nil {
				s.mu.Unlock()
				return made, err
			}
			evs = append(evs, answered...)
			made++
		}
		s.unlockAndPublish(evs...)
	}
	return made, nil
}

func (s *Server) handlePopulate(w http.ResponseWriter, r *http.Request) {
	var req PopulateRequest
	if !readControlJSON(w, r, &req) {
		return
	}
	if req.Calls <= 0 || req.Calls > maxPopulate {
		writeJSONStatus(w, http.StatusBadRequest, controlError{fmt.Sprintf("calls must be between 1 and %d, got %d", maxPopulate, req.Calls)})
		return
	}
	n, err := s.Populate(req.Calls, req.UCC)
	if err != nil {
		writeJSONStatus(w, http.StatusBadRequest, controlError{err.Error()})
		return
	}
	writeJSONStatus(w, http.StatusOK, PopulateRequest{Calls: n, UCC: req.UCC})
}

// rateTargets returns the first n calls the rate driver may toggle.
func (s *Server) rateTargetsLocked(n int, ucc string) []*session {
	var out []*session
	for _, sess := range s.sessions {
		st := &sess.state
		if st.Api && (ucc == "" || st.UCCName == ucc) &&
			(st.RecordingState == anywhere365.RecordingStarted || st.RecordingState == anywhere365.RecordingPaused) {
			out = append(out, sess)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].state.Seq < out[j].state.Seq })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// toggleLocked pauses a running recorder and resumes a paused one.
func (s *Server) toggleLocked(sess *session) (event, bool) {
	a := anywhere365.ActionPause
	if sess.state.RecordingState == anywhere365.RecordingPaused {
		a = anywhere365.ActionStart
	}
	ev, em := s.transitionLocked(sess, a, "")
	return ev, em == nil
}

func (s *Server) handleRate(w http.ResponseWriter, r *http.Request) {
	var req RateRequest
	if !readControlJSON(w, r, &req) {
		return
	}
	switch {
	case req.Rate <= 0 || req.Rate > maxRate:
		writeJSONStatus(w, http.StatusBadRequest, controlError{fmt.Sprintf("rate must be between 1 and %d, got %d", maxRate, req.Rate)})
		return
	case req.Seconds <= 0 || req.Seconds > maxRateTime:
		writeJSONStatus(w, http.StatusBadRequest, controlError{fmt.Sprintf("seconds must be above 0 and at most %d, got %v", maxRateTime, req.Seconds)})
		return
	case req.Calls <= 0 || req.Calls > maxPopulate:
		writeJSONStatus(w, http.StatusBadRequest, controlError{fmt.Sprintf("calls must be between 1 and %d, got %d", maxPopulate, req.Calls)})
		return
	}
	s.mu.Lock()
	targets := s.rateTargetsLocked(req.Calls, req.UCC)
	s.mu.Unlock()
	if len(targets) == 0 {
		writeJSONStatus(w, http.StatusConflict, controlError{"no active API call with a running or paused recorder to drive"})
		return
	}
	// Events are made on a fine clock (every 5 ms, as many as are due), so
	// the rate is steady rather than one burst a second; after a stall the
	// driver catches up at most one tick's worth at a time.
	start := time.Now()
	d := time.Duration(req.Seconds * float64(time.Second))
	tick := time.NewTicker(rateTick)
	defer tick.Stop()
	sent, next := 0, 0
	var lag time.Duration
	perTick := max(1, req.Rate*int(rateTick)/int(time.Second)*4)
	for {
		var now time.Time
		select {
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			writeJSONStatus(w, http.StatusServiceUnavailable, controlError{"simulator closed"})
			return
		case now = <-tick.C:
		}
		el := min(now.Sub(start), d)
		due := int(float64(req.Rate)*el.Seconds()) - sent
		if behind := time.Duration(float64(due) / float64(req.Rate) * float64(time.Second)); behind > lag {
			lag = behind
		}
		due = min(due, perTick)
		if due > 0 {
			evs := make([]event, 0, due)
			s.mu.Lock()
			for tries := 0; len(evs) < due && tries < 2*due; tries++ {
				sess := targets[next%len(targets)]
				next++
				if s.sessions[sess.state.CorrelationId] != sess {
					continue // ended since: skip it
				}
				if ev, ok := s.toggleLocked(sess); ok {
					evs = append(evs, ev)
				}
			}
			s.unlockAndPublish(evs...)
			if len(evs) == 0 {
				writeJSONStatus(w, http.StatusConflict, controlError{"every driven call ended"})
				return
			}
			sent += len(evs)
		}
		if el >= d {
			break
		}
	}
	writeJSONStatus(w, http.StatusOK, RateResponse{
		Events: sent, Seconds: time.Since(start).Seconds(), Calls: len(targets),
		LagMs: float64(lag) / float64(time.Millisecond),
	})
}

// handleToggle pauses or resumes one call's recorder and answers its new
// state: a benchmark times how long the change takes to reach a screen.
func (s *Server) handleToggle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sess, ok := s.sessions[r.PathValue("id")]
	var ev event
	if ok {
		ev, ok = s.toggleLocked(sess)
	}
	var st CallState
	if ok {
		st = sess.state
	}
	if !ok {
		s.mu.Unlock()
		writeJSONStatus(w, http.StatusNotFound, controlError{"no active call with a running or paused recorder with correlation id " + r.PathValue("id")})
		return
	}
	s.unlockAndPublish(ev)
	writeJSONStatus(w, http.StatusOK, st)
}

// EndAll ends every active call the generator does not drive and returns
// how many ended.
func (s *Server) EndAll() int {
	n := 0
	for {
		var evs []event
		batch := 0
		s.mu.Lock()
		for _, sess := range s.sessions {
			if sess.state.Generated {
				continue
			}
			evs = append(evs, s.endLocked(sess)...)
			if batch++; batch >= populateBatch {
				break
			}
		}
		s.unlockAndPublish(evs...)
		if n += batch; batch == 0 {
			return n
		}
	}
}

func (s *Server) handleEndAll(w http.ResponseWriter, r *http.Request) {
	writeJSONStatus(w, http.StatusOK, map[string]int{"ended": s.EndAll()})
}
