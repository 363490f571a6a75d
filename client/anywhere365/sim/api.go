package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// Error message texts of seeds 000 and 001, reproduced exactly.
const (
	msgUCCNotRecognized = "Ucc name (%s) was not recognized"
	msgNoAudioSession   = "No Audio session with correlation Id:'%s' was found."
	msgNoAPISession     = "No Api Audio session with correlation Id:'%s' was found."
	msgNoAction         = "No action was detected in command"
	msgInvalidRequester = "Requester with SipUri:'%s' is invalid."
	msgNotMember        = "Requester with SipUri:'%s' is not an agent or supervisor for Ucc with name: '%s'."
	msgEditDisabled     = "Ucc with name:'%s' AgentCanEditAudioRecording setting is disabled."
	msgRecorderDown     = "Recorder was not available, command could not be executed"
	msgCapsUCCNotFound  = "Ucc with name:'%s' not found."
)

// The simulator's own texts, for situations the documents do not cover.
const (
	msgProcessing = "Command processing failed unexpectedly (simulated fault), it may be retried"
	msgBadBody    = "Request body could not be read as a recording command: %s"
	msgBigBody    = "Request body is larger than %d bytes"
)

// maxJSONBody bounds every JSON request body the simulator reads.
const maxJSONBody = 1 << 20

// Status codes of error bodies. The documents do not give them (the client
// trusts the body whatever the status); Options.ErrorsAs200 turns them all
// into 200.
const (
	statusNotFound    = http.StatusNotFound            // unknown UCC or session
	statusBadRequest  = http.StatusBadRequest          // malformed command, no action, invalid requester
	statusForbidden   = http.StatusForbidden           // Configuration: setting disabled, not a member
	statusConflict    = http.StatusConflict            // refused state transition
	statusUnavailable = http.StatusServiceUnavailable  // recorder not available
	statusProcessing  = http.StatusInternalServerError // Processing error
)

// routes builds the mux behind Handler.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, v := range []struct {
		prefix string
		v2     bool
	}{
		{"/attendantservice/api/recording", false},
		{"/attendantservice/api/v2/recording", true},
	} {
		mux.Handle("GET "+v.prefix+"/capabilities/{ucc}", s.vendor(v.v2, s.handleCapabilities))
		getState := s.vendor(v.v2, s.handleGetState)
		mux.Handle("GET "+v.prefix+"/{ucc}/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.stateGets.Add(1) // counted before faults and auth: every re-read sent
			getState.ServeHTTP(w, r)
		}))
		mux.Handle("POST "+v.prefix+"/set", s.vendor(v.v2, s.handleSet))
	}
	hubH := http.HandlerFunc(s.handleHub)
	mux.Handle(s.opts.HubPath, hubH)
	mux.Handle(s.opts.HubPath+"/negotiate", hubH)
	mux.HandleFunc("POST /auth/realms/{tenant}/protocol/openid-connect/token", s.handleToken)
	s.controlRoutes(mux)
	return mux
}

// vendorFunc handles one vendor API request given the faults drawn for it
// and returns the status and the JSON body.
type vendorFunc func(r *http.Request, f requestFaults) (int, any)

// vendor wraps a vendor route: faults, bearer check (v2), JSON encoding.
func (s *Server) vendor(v2 bool, h vendorFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.faults.draw()
		if f.latency > 0 && !s.sleep(r.Context(), f.latency) {
			return // client gone or simulator closing
		}
		if f.httpError {
			s.logf("anywhere365 sim: %s %s -> 500 (injected)", r.Method, r.URL.Path)
			http.Error(w, "simulated fault: internal server error", http.StatusInternalServerError)
			return
		}
		if v2 && !s.authorized(r, false) {
			s.logf("anywhere365 sim: %s %s -> 401", r.Method, r.URL.Path)
			unauthorized(w)
			return
		}
		status, body := h(r, f)
		if s.opts.ErrorsAs200 {
			status = http.StatusOK
		}
		b, err := json.Marshal(body)
		if err != nil { // our own types always marshal; keep the reply honest anyway
			http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
			return
		}
		pad := 0
		switch {
		case f.malformed:
			b = malform(b)
		case f.truncated:
			b = b[:len(b)/2]
		case f.oversized:
			pad = max(OversizedBytes-len(b), 0)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)+pad))
		w.WriteHeader(status)
		_, _ = w.Write(b)
		writePadding(w, pad)
		s.logf("anywhere365 sim: %s %s -> %d", r.Method, r.URL.Path, status)
	})
}

// malform breaks a JSON body in a way that still looks like JSON.
func malform(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		out := append([]byte(nil), b...)
		out[i] = '='
		return out
	}
	return append([]byte("{"), b...)
}

// padChunk is the whitespace writePadding sends at a time, so an
// oversized body never sits in the simulator's memory whole. Made on first
// use: every start of the binary (recdeck get included) paid for it.
var padChunk = sync.OnceValue(func() []byte { return bytes.Repeat([]byte(" "), 32<<10) })

// writePadding streams n bytes of JSON whitespace, stopping early when the
// client stops reading (as a client that bounds its reads does).
func writePadding(w io.Writer, n int) {
	for n > 0 {
		pad := padChunk()
		k := min(n, len(pad))
		if _, err := w.Write(pad[:k]); err != nil {
			return
		}
		n -= k
	}
}

// sleep waits d, or less if the request or the simulator ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

func errMsg(t anywhere365.ErrorType, format string, args ...any) *anywhere365.ErrorMessage {
	return &anywhere365.ErrorMessage{ErrorType: t, Message: fmt.Sprintf(format, args...)}
}

// fill copies a session's state into a response.
func fill(resp *anywhere365.StateResponse, st CallState) {
	resp.RecordingState = st.RecordingState
	resp.MarkingState = st.MarkingState
	resp.SavingState = st.SavingState
}

// apiSessionLocked finds the session the API may control, or the error
// (with its status) that says why not. The caller holds s.mu.
func (s *Server) apiSessionLocked(ucc, id string) (*session, int, *anywhere365.ErrorMessage) {
	sess, ok := s.sessions[id]
	if !ok || sess.state.UCCName != ucc {
		return nil, statusNotFound, errMsg(anywhere365.ErrorValidation, msgNoAudioSession, id)
	}
	if !sess.state.Api {
		return nil, statusNotFound, errMsg(anywhere365.ErrorValidation, msgNoAPISession, id)
	}
	return sess, 0, nil
}

// handleGetState is GET .../recording/{ucc}/{id}.
func (s *Server) handleGetState(r *http.Request, f requestFaults) (int, any) {
	ucc, id := r.PathValue("ucc"), r.PathValue("id")
	resp := anywhere365.StateResponse{CorrelationId: id, UCCName: ucc}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.uccs[ucc]; !ok {
		resp.ErrorMessage = errMsg(anywhere365.ErrorValidation, msgUCCNotRecognized, ucc)
		return statusNotFound, resp
	}
	sess, status, em := s.apiSessionLocked(ucc, id)
	if em != nil {
		resp.ErrorMessage = em
		return status, resp
	}
	fill(&resp, sess.state)
	switch {
	case f.recorderUnavailable:
		resp.ErrorMessage = errMsg(anywhere365.ErrorConfiguration, msgRecorderDown)
		return statusUnavailable, resp
	case f.processing:
		resp.ErrorMessage = errMsg(anywhere365.ErrorProcessing, msgProcessing)
		return statusProcessing, resp
	}
	return http.StatusOK, resp
}

// handleCapabilities is GET .../recording/capabilities/{ucc}.
func (s *Server) handleCapabilities(r *http.Request, f requestFaults) (int, any) {
	ucc := r.PathValue("ucc")
	resp := anywhere365.CapabilitiesResponse{UCCName: ucc}
	u, ok := s.uccs[ucc] // UCCs never change after New: no lock needed
	switch {
	case !ok:
		resp.ErrorMessage = errMsg(anywhere365.ErrorValidation, msgCapsUCCNotFound, ucc)
		return statusNotFound, resp
	case f.processing:
		resp.ErrorMessage = errMsg(anywhere365.ErrorProcessing, msgProcessing)
		return statusProcessing, resp
	}
	resp.AgentCanEditRecordings = u.AgentCanEditAudioRecording
	return http.StatusOK, resp
}

// handleSet is POST .../recording/set. Checks run from the cheapest to the
// one that needs the session, and the first failure answers:
// body, UCC, action, requester form, AgentCanEditAudioRecording,
// membership, session, API control, recorder, Processing fault, state rule.
func (s *Server) handleSet(r *http.Request, f requestFaults) (int, any) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return statusBadRequest, anywhere365.StateResponse{ErrorMessage: errMsg(anywhere365.ErrorValidation, msgBadBody, "read failed")}
	}
	if len(body) > maxJSONBody {
		return http.StatusRequestEntityTooLarge, anywhere365.StateResponse{ErrorMessage: errMsg(anywhere365.ErrorValidation, msgBigBody, maxJSONBody)}
	}
	cmd, err := decodeSetRequest(body)
	if err != nil {
		return statusBadRequest, anywhere365.StateResponse{ErrorMessage: errMsg(anywhere365.ErrorValidation, msgBadBody, err)}
	}
	resp := anywhere365.StateResponse{CorrelationId: cmd.CorrelationId, UCCName: cmd.UCCName}
	fail := func(status int, em *anywhere365.ErrorMessage) (int, any) {
		resp.ErrorMessage = em
		return status, resp
	}
	u, ok := s.uccs[cmd.UCCName]
	switch {
	case !ok:
		return fail(statusNotFound, errMsg(anywhere365.ErrorValidation, msgUCCNotRecognized, cmd.UCCName))
	case !cmd.Action.Valid():
		return fail(statusBadRequest, errMsg(anywhere365.ErrorValidation, msgNoAction))
	case !validSipURI(cmd.RequesterSipUri):
		return fail(statusBadRequest, errMsg(anywhere365.ErrorValidation, msgInvalidRequester, cmd.RequesterSipUri))
	case !u.AgentCanEditAudioRecording:
		return fail(statusForbidden, errMsg(anywhere365.ErrorConfiguration, msgEditDisabled, cmd.UCCName))
	case !isMember(u, cmd.RequesterSipUri):
		return fail(statusForbidden, errMsg(anywhere365.ErrorConfiguration, msgNotMember, cmd.RequesterSipUri, cmd.UCCName))
	}

	s.mu.Lock()
	sess, status, em := s.apiSessionLocked(cmd.UCCName, cmd.CorrelationId)
	if em != nil {
		s.mu.Unlock()
		return fail(status, em)
	}
	switch {
	case f.recorderUnavailable:
		status, em = statusUnavailable, errMsg(anywhere365.ErrorConfiguration, msgRecorderDown)
	case f.processing:
		status, em = statusProcessing, errMsg(anywhere365.ErrorProcessing, msgProcessing)
	}
	var ev event
	if em == nil {
		ev, em = s.transitionLocked(sess, cmd.Action, cmd.RequesterSipUri)
		status = statusConflict
		s.holdForHumanLocked(sess)
	}
	fill(&resp, sess.state)
	if em != nil {
		s.mu.Unlock()
		return fail(status, em)
	}
	s.unlockAndPublish(ev)
	return http.StatusOK, resp
}

// handleHub guards the hub: the HubDown fault and, if configured, the
// bearer token.
func (s *Server) handleHub(w http.ResponseWriter, r *http.Request) {
	if s.faults.get().HubDown {
		http.Error(w, "simulated fault: hub down", http.StatusServiceUnavailable)
		return
	}
	if s.opts.HubRequiresToken && !s.authorized(r, true) {
		unauthorized(w)
		return
	}
	s.hub.ServeHTTP(w, r)
}

// setCommand is a decoded POST .../recording/set body. Action is 0 when
// the body names no valid action.
type setCommand struct {
	Action          anywhere365.Action
	RequesterSipUri string
	CorrelationId   string
	UCCName         string
}

// decodeSetRequest reads a recording/set body as the vendor's API does:
// field names case-insensitively; the action as a number (1..7), a name
// ("Mark", any case) or a number in a string. A missing, null, zero,
// unknown or otherwise unusable action leaves Action 0, which the caller
// answers with "No action was detected in command". A body that is not a
// JSON object is an error.
func decodeSetRequest(body []byte) (setCommand, error) {
	trimmed := bytes.Trim(body, " \t\r\n") // JSON's whitespace only
	if len(trimmed) == 0 {
		return setCommand{}, errors.New("empty body")
	}
	if trimmed[0] != '{' {
		return setCommand{}, errors.New("not a JSON object")
	}
	var raw struct {
		Action          json.RawMessage
		RequesterSipUri string
		CorrelationId   string
		UCCName         string
	}
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return setCommand{}, errors.New(shortJSONError(err))
	}
	return setCommand{
		Action:          parseAction(raw.Action),
		RequesterSipUri: strings.TrimSpace(raw.RequesterSipUri),
		CorrelationId:   strings.TrimSpace(raw.CorrelationId),
		UCCName:         strings.TrimSpace(raw.UCCName),
	}, nil
}

// shortJSONError keeps a decoder error readable and bounded.
func shortJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s must be a %s, got %s", te.Field, te.Type, te.Value)
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "..."
	}
	return msg
}

func parseAction(raw json.RawMessage) anywhere365.Action {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	text := string(raw)
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		text = strings.TrimSpace(s)
		for _, a := range anywhere365.Actions {
			if strings.EqualFold(a.String(), text) {
				return a
			}
		}
	}
	n, err := strconv.Atoi(text)
	if err != nil || !anywhere365.Action(n).Valid() {
		return 0
	}
	return anywhere365.Action(n)
}

// sipURI is the simulator's notion of a valid requester: sip:user@host,
// host a DNS name or IPv4 address with an optional port.
var sipURI = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^sip:[^@\s:;<>"]+@[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)
})

func validSipURI(s string) bool { return len(s) <= 512 && sipURI().MatchString(s) }

func isMember(u *UCC, sip string) bool {
	for _, m := range u.Members {
		if strings.EqualFold(m, sip) {
			return true
		}
	}
	return false
}

// writeJSONStatus writes v as JSON with status.
func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
