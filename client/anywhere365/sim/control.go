package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The /sim/ control API is the simulator's own, clearly not the vendor's:
// it creates and ends calls, shows the true state, drives bursts and sets
// faults. Faults never apply to it. Errors are {"error": "..."}.

// NewCallRequest is the body of POST /sim/calls.
type NewCallRequest struct {
	UCCName       string `json:"UCCName"`
	CorrelationId string `json:"CorrelationId,omitempty"` // "" = generated
	Api           *bool  `json:"Api,omitempty"`           // default true
}

// BurstRequest is the body of POST /sim/burst; BurstResponse its answer.
type BurstRequest struct {
	Events int `json:"events"`
}

// BurstResponse says how many events a burst made.
type BurstResponse struct {
	Events int `json:"events"`
}

// maxBurst bounds one burst so a typo cannot pin the CPU for minutes.
const maxBurst = 1_000_000

type controlError struct {
	Error string `json:"error"`
}

func (s *Server) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /sim/calls", s.handleNewCall)
	mux.HandleFunc("GET /sim/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSONStatus(w, http.StatusOK, s.Calls())
	})
	mux.HandleFunc("GET /sim/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.call(r.PathValue("id"))
		if !ok {
			writeJSONStatus(w, http.StatusNotFound, controlError{"no call with correlation id " + r.PathValue("id")})
			return
		}
		writeJSONStatus(w, http.StatusOK, st)
	})
	mux.HandleFunc("DELETE /sim/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.endCall(r.PathValue("id"))
		if err != nil {
			writeJSONStatus(w, http.StatusNotFound, controlError{err.Error()})
			return
		}
		writeJSONStatus(w, http.StatusOK, st)
	})
	mux.HandleFunc("GET /sim/calldetail", func(w http.ResponseWriter, r *http.Request) {
		writeJSONStatus(w, http.StatusOK, s.CallDetail())
	})
	mux.HandleFunc("POST /sim/burst", s.handleBurst)
	mux.HandleFunc("GET /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSONStatus(w, http.StatusOK, s.CurrentFaults())
	})
	mux.HandleFunc("POST /sim/faults", s.handleFaults)
	s.driverRoutes(mux) // driver.go: populate, rate, toggle, end-all, stats
	mux.HandleFunc("DELETE /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.SetFaults(Faults{})
		writeJSONStatus(w, http.StatusOK, s.CurrentFaults())
	})
}

// readControlJSON decodes a bounded JSON body into v, refusing unknown
// fields so a misspelt fault name is reported rather than ignored.
func readControlJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		writeJSONStatus(w, http.StatusBadRequest, controlError{"reading body: " + err.Error()})
		return false
	}
	if len(body) > maxJSONBody {
		writeJSONStatus(w, http.StatusRequestEntityTooLarge, controlError{fmt.Sprintf("body larger than %d bytes", maxJSONBody)})
		return false
	}
	if strings.TrimSpace(string(body)) == "" {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSONStatus(w, http.StatusBadRequest, controlError{"body is not valid JSON for this route: " + shortJSONError(err)})
		return false
	}
	return true
}

func (s *Server) handleNewCall(w http.ResponseWriter, r *http.Request) {
	var req NewCallRequest
	if !readControlJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.UCCName) == "" {
		writeJSONStatus(w, http.StatusBadRequest, controlError{"UCCName is required (one of " + strings.Join(s.uccList, ", ") + ")"})
		return
	}
	api := req.Api == nil || *req.Api
	st, err := s.CreateCall(req.UCCName, req.CorrelationId, api)
	switch {
	case errors.Is(err, ErrUnknownUCC):
		writeJSONStatus(w, http.StatusNotFound, controlError{err.Error() + " (one of " + strings.Join(s.uccList, ", ") + ")"})
	case errors.Is(err, ErrDuplicate):
		writeJSONStatus(w, http.StatusConflict, controlError{err.Error()})
	case err != nil:
		writeJSONStatus(w, http.StatusInternalServerError, controlError{err.Error()})
	default:
		writeJSONStatus(w, http.StatusCreated, st)
	}
}

func (s *Server) handleBurst(w http.ResponseWriter, r *http.Request) {
	var req BurstRequest
	if !readControlJSON(w, r, &req) {
		return
	}
	if req.Events <= 0 || req.Events > maxBurst {
		writeJSONStatus(w, http.StatusBadRequest, controlError{fmt.Sprintf("events must be between 1 and %d, got %d", maxBurst, req.Events)})
		return
	}
	writeJSONStatus(w, http.StatusOK, BurstResponse{Events: s.Burst(req.Events)})
}

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if !readControlJSON(w, r, &f) {
		return
	}
	if err := f.Validate(); err != nil {
		writeJSONStatus(w, http.StatusBadRequest, controlError{err.Error()})
		return
	}
	s.SetFaults(f)
	writeJSONStatus(w, http.StatusOK, s.CurrentFaults())
}
