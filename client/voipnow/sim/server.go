package sim

import (
	crand "crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recdeck/recdeck/client/voipnow"
)

// Demo credentials: "demo" for every secret, as in the core's simulator.
const (
	DemoClientID     = "demo"
	DemoClientSecret = "demo"
)

// Error messages. The pc_* texts are seed 002's, verbatim (its typo
// "identfied" included); the others are the simulator's own wording.
const (
	MsgRecFormatInvalid     = "Value supplied in recFormat parameter is missing or invalid. The parameter must be set to one of the following value: wav or wav49."
	MsgPhoneCallInvalid     = "Value supplied in phoneCallId from the URI-Fragment is invalid. The parameter must be set to an alpha-numeric value and reference an existing phone call."
	MsgPhoneCallViewInvalid = "Value supplied in phoneCallViewId parameter is missing or invalid. The parameter must reference a view of the phone call identfied by the phoneCallId given in the URI-Fragment."
	MsgUserInvalid          = "Value supplied in userId from the URI-Fragment is invalid. It must be @me, @viewer, @owner or the id of an existing User."
	MsgExtensionInvalid     = "Value supplied in extension from the URI-Fragment is invalid. It must be @self or the number of an Extension of the User."
	MsgAccessDenied         = "The access token is missing, invalid or expired."
	MsgAccessDeniedUser     = "The App is not allowed to access the resources of this User."
	MsgInternal             = "The server encountered an internal error. Please retry the request."
	MsgRecordingDisabled    = "The Call recording function is not enabled for this Extension in the Phone Terminal Setup page."
)

// CodeRequestInvalid is the simulator's own code for a body that is not a
// PhoneCallAction, an unknown or unsimulated action, or a bad filter.
const CodeRequestInvalid = "request_invalid"

// Options configure a Server. The zero value is the demo.
type Options struct {
	// Now is the clock (default time.Now). Tests pass a fake one to move
	// calls through their states and to expire tokens.
	Now func() time.Time
	// Location of the timestamps the PBX writes (default: Now's).
	Location *time.Location
	// Seed makes the call generator reproducible.
	Seed int64
	// LiveCalls is how many generated calls are kept live; 0 gives 6, and
	// a negative value generates none (only the seed's call and AddCall's).
	LiveCalls int
	// TokenTTL is the access tokens' lifetime (default 1 h, as VoipNow's).
	TokenTTL time.Duration
	// ClientID and ClientSecret default to the demo's ("demo").
	ClientID, ClientSecret string
	// NoContentOnAction answers StartRecording/StopRecording with 204 and
	// no body, the other success the UAPI documents, instead of 200 and
	// the PhoneCall.
	NoContentOnAction bool
}

// Stats counts what the simulator served, for tests.
type Stats struct {
	TokensIssued int
	APIRequests  int
	Unauthorized int
}

// Server is the simulated VoipNow UAPI. It starts no goroutines: calls move
// through their states as the clock moves, computed on each request.
type Server struct {
	mu        sync.Mutex
	opts      Options
	rng       *rand.Rand
	users     map[string]*user
	appUser   *user
	exts      map[string]*extension
	calls     []*call
	nextSpawn time.Time
	tokens    map[string]time.Time // token -> expiry
	failNext  int
	stats     Stats
}

// New builds a simulator at opts.Now() with the seed's call and, unless
// opts.LiveCalls < 0, a few generated live calls.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LiveCalls == 0 {
		opts.LiveCalls = 6
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.ClientID == "" {
		opts.ClientID = DemoClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DemoClientSecret
	}
	now := opts.Now()
	if opts.Location == nil {
		opts.Location = now.Location()
	}
	s := &Server{
		opts:   opts,
		rng:    newRand(opts.Seed),
		exts:   map[string]*extension{},
		tokens: map[string]time.Time{},
	}
	s.buildPBX(now)
	if opts.LiveCalls > 0 {
		// Start with a full board: calls that began up to a minute ago.
		for range opts.LiveCalls {
			s.spawn(now.Add(-time.Duration(s.rng.IntN(60)) * time.Second))
		}
		s.nextSpawn = now
	}
	return s
}

// Register adds the simulator's routes to mux: the token endpoint and the
// phoneCalls routes under their real paths. Only specific patterns are used,
// so the mux can be shared with the other simulators.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+voipnow.DefaultTokenPath, s.handleToken)
	mux.HandleFunc("GET /uapi/phoneCalls/{user}/{ext}", s.handleList)
	mux.HandleFunc("GET /uapi/phoneCalls/{user}/{ext}/{id}", s.handleList)
	mux.HandleFunc("PUT /uapi/phoneCalls/{user}/{ext}/{id}", s.handleAction)
	// Seed 002 writes the path in the singular (a typo, DESIGN.md); it is
	// served too so the seed's request works verbatim.
	mux.HandleFunc("PUT /uapi/phoneCall/{user}/{ext}/{id}", s.handleAction)
}

// Handler returns a handler serving only this simulator.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// RevokeTokens forgets every issued token, as a PBX restart would: the next
// API request answers 401 access_denied.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// FailNext makes the next n API requests answer 500 internal_server_error.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// AddCall puts a call on extension ext (one of the demo extensions) that
// arrived now, rings for ring and lasts talk after it is answered (talk <= 0:
// it never ends). It returns the call's id, or "" for an unknown extension.
func (s *Server) AddCall(ext string, flow voipnow.Flow, remote string, ring, talk time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.exts[ext]
	if e == nil {
		return ""
	}
	return s.addCall(s.opts.Now(), e, flow, remote, ring, talk).id
}

// SetCallRecording switches an extension's "Call recording" function.
func (s *Server) SetCallRecording(ext string, on bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.exts[ext]
	if e != nil {
		e.recording = on
	}
	return e != nil
}

// handleToken is POST /oauth/token.php: the client-credentials grant with
// type=unifiedapi. Errors use the OAuth 2.0 form (RFC 6749 §5.2).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a readable form.")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials.")
		return
	case f.Get("type") != "unifiedapi":
		oauthError(w, http.StatusBadRequest, "invalid_request", "type must be unifiedapi.")
		return
	case !equal(f.Get("client_id"), s.opts.ClientID) || !equal(f.Get("client_secret"), s.opts.ClientSecret):
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The client credentials are invalid.")
		return
	}
	buf := make([]byte, 20)
	_, _ = crand.Read(buf) // never fails
	tok := hex.EncodeToString(buf)

	s.mu.Lock()
	now := s.opts.Now()
	for t, exp := range s.tokens { // bounded: expired tokens leave
		if !now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = now.Add(s.opts.TokenTTL)
	s.stats.TokensIssued++
	ttl := int(s.opts.TokenTTL / time.Second)
	s.mu.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": max(ttl, 1)})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// apiError writes the UAPI's error body.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, voipnow.ErrorBody{Error: voipnow.ErrorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "John Doe <3333>" as the seed writes it
	_ = enc.Encode(v)
}

// begin does what every API request does first, under s.mu: count it,
// check the bearer token, apply an injected fault, move the PBX to now and
// resolve the path into the calls it names (requested). It writes the
// error and returns false when the request must stop.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) (time.Time, []*call, bool) {
	now := s.opts.Now()
	s.stats.APIRequests++
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[strings.TrimSpace(tok)]
	if !ok || !known || !now.Before(exp) {
		s.stats.Unauthorized++
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		apiError(w, http.StatusUnauthorized, voipnow.CodeAccessDenied, MsgAccessDenied)
		return now, nil, false
	}
	if s.failNext > 0 {
		s.failNext--
		apiError(w, http.StatusInternalServerError, voipnow.CodeInternal, MsgInternal)
		return now, nil, false
	}
	s.advance(now)
	calls, ok := s.requested(w, r)
	return now, calls, ok
}

var reExtension = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\*[0-9]+)?$`) })

// scope resolves the {user} and {ext} path parts into the extensions the
// request may see, answering user_invalid, access_denied or
// extension_invalid as the UAPI does.
func (s *Server) scope(w http.ResponseWriter, userSeg, extSeg string) (map[*extension]bool, bool) {
	var u *user // nil: @owner, any user the app may act for
	switch userSeg {
	case voipnow.UserMe, voipnow.UserViewer:
		u = s.appUser
	case voipnow.UserOwner:
	default:
		u = s.users[userSeg]
		if u == nil {
			apiError(w, http.StatusBadRequest, voipnow.CodeUserInvalid, MsgUserInvalid)
			return nil, false
		}
		if !s.accessible(u) {
			apiError(w, http.StatusForbidden, voipnow.CodeAccessDenied, MsgAccessDeniedUser)
			return nil, false
		}
	}
	set := map[*extension]bool{}
	for _, e := range s.exts {
		if (u == nil && s.accessible(e.owner)) || e.owner == u {
			if extSeg == voipnow.ExtSelf || extSeg == e.number {
				set[e] = true
			}
		}
	}
	if extSeg != voipnow.ExtSelf && len(set) == 0 {
		if e := s.exts[extSeg]; e != nil && u == nil && !s.accessible(e.owner) {
			apiError(w, http.StatusForbidden, voipnow.CodeAccessDenied, MsgAccessDeniedUser)
			return nil, false
		}
		apiError(w, http.StatusBadRequest, voipnow.CodeExtensionInvalid, MsgExtensionInvalid)
		return nil, false
	}
	return set, true
}

// visible lists the calls with a view on one of the extensions, by publish time.
func (s *Server) visible(set map[*extension]bool) []*call {
	var out []*call
	for _, c := range s.calls {
		for _, v := range c.views {
			if set[v.ext] {
				out = append(out, c)
				break
			}
		}
	}
	sortCalls(out)
	return out
}

func selfBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleList is GET /uapi/phoneCalls/{user}/{ext}[/{id}] with count,
// startIndex, filterBy, filterOp and filterValue. No calls: 204.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, calls, ok := s.begin(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	calls, err := filter(calls, q.Get("filterBy"), q.Get("filterOp"), q.Get("filterValue"), s.opts.Location)
	if err != nil {
		apiError(w, http.StatusBadRequest, CodeRequestInvalid, err.Error())
		return
	}
	count, start := 20, 0 // the UAPI's defaults
	if v := q.Get("count"); v != "" {
		if count, err = strconv.Atoi(v); err != nil || count < 1 {
			apiError(w, http.StatusBadRequest, CodeRequestInvalid, "count must be a number from 1 to 5000.")
			return
		}
	}
	if v := q.Get("startIndex"); v != "" {
		if start, err = strconv.Atoi(v); err != nil || start < 0 {
			apiError(w, http.StatusBadRequest, CodeRequestInvalid, "startIndex must be a number from 0 to 5000.")
			return
		}
	}
	switch q.Get("sortOrder") {
	case "", "ascending": // the calls are kept oldest first
	case "descending":
		calls = slices.Clone(calls)
		slices.Reverse(calls)
	default:
		apiError(w, http.StatusBadRequest, CodeRequestInvalid, "sortOrder must be ascending or descending.")
		return
	}
	count, start = min(count, voipnow.MaxCount), min(start, voipnow.MaxStartIndex)
	total := len(calls)
	page := calls[min(start, total):min(start+count, total)]
	if len(page) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := voipnow.PhoneCallList{StartIndex: start, ItemsPerPage: len(page), TotalResults: total}
	base := selfBase(r)
	for _, c := range page {
		out.Calls = append(out.Calls, c.wire(now, s.opts.Location, base))
	}
	if f := q.Get("fields"); f != "" {
		writeJSON(w, http.StatusOK, onlyFields(out, strings.Split(f, ",")))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// requested resolves the {user}, {ext} and optional {id} path parts into
// the calls the request is about (only the {id} one when it is given),
// answering user_invalid, access_denied, extension_invalid or
// pc_phonecall_invalid as the UAPI does.
func (s *Server) requested(w http.ResponseWriter, r *http.Request) ([]*call, bool) {
	set, ok := s.scope(w, r.PathValue("user"), r.PathValue("ext"))
	if !ok {
		return nil, false
	}
	calls := s.visible(set)
	id := r.PathValue("id")
	if id == "" {
		return calls, true
	}
	c := s.find(id)
	if c == nil || !contains(calls, c) {
		apiError(w, http.StatusBadRequest, voipnow.CodePhoneCallInvalid, MsgPhoneCallInvalid)
		return nil, false
	}
	return []*call{c}, true
}

func contains(cs []*call, c *call) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// filter applies filterBy id|published with filterOp (default equals).
func filter(cs []*call, by, op, value string, loc *time.Location) ([]*call, error) {
	if by == "" {
		return cs, nil
	}
	if op == "" {
		op = "equals"
	}
	var when time.Time
	if by == "published" && op != "present" {
		t, ok := voipnow.Timestamp(value).Time()
		if !ok {
			return nil, errors.New("filterValue must be a date-time such as 2012-06-27T16:08:50+02:00 when filtering by published.")
		}
		when = t
	} else if by != "id" && by != "published" {
		return nil, errors.New("filterBy must be id or published.")
	}
	var out []*call
	for _, c := range cs {
		var keep bool
		switch by {
		case "id":
			switch op {
			case "equals":
				keep = c.id == value || c.alias == value
			case "startsWith":
				keep = strings.HasPrefix(c.id, value)
			case "contains":
				keep = strings.Contains(c.id, value)
			case "present":
				keep = true
			case "inArray":
				for _, v := range strings.Split(value, ",") {
					if v = strings.TrimSpace(v); v != "" && (c.id == v || c.alias == v) {
						keep = true
					}
				}
			default:
				return nil, errors.New("filterOp " + op + " does not apply to id.")
			}
		case "published":
			p, _ := voipnow.NewTimestamp(c.created.In(loc)).Time() // to the second, as written
			switch op {
			case "equals":
				keep = p.Equal(when)
			case "greaterThan":
				keep = p.After(when)
			case "lessThan":
				keep = p.Before(when)
			case "present":
				keep = true
			default:
				return nil, errors.New("filterOp " + op + " does not apply to published.")
			}
		}
		if keep {
			out = append(out, c)
		}
	}
	return out, nil
}

// handleAction is PUT /uapi/phoneCalls/{user}/{ext}/{id} with a
// PhoneCallAction: StartRecording and StopRecording are simulated.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	// The body is read before the lock is taken, so a slow client cannot
	// stall every other request; its error is answered after the token
	// and path checks, as a real PBX would order them.
	var a voipnow.PhoneCallAction
	bodyErr := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&a)
	s.mu.Lock()
	defer s.mu.Unlock()
	now, calls, ok := s.begin(w, r)
	if !ok {
		return
	}
	if r.PathValue("id") == "" { // the mux routes no such PUT here; be sure
		apiError(w, http.StatusBadRequest, voipnow.CodePhoneCallInvalid, MsgPhoneCallInvalid)
		return
	}
	c := calls[0]
	if bodyErr != nil {
		apiError(w, http.StatusBadRequest, CodeRequestInvalid, "The request body is not a PhoneCallAction JSON object.")
		return
	}
	var v *view
	for _, x := range c.views {
		if x.id == a.PhoneCallViewID {
			v = x
		}
	}
	switch a.Action {
	case voipnow.ActionStartRecording:
		if a.Format != "" && a.Format != voipnow.FormatWAV && a.Format != voipnow.FormatWAV49 {
			apiError(w, http.StatusBadRequest, voipnow.CodeRecFormatInvalid, MsgRecFormatInvalid)
			return
		}
		if v == nil {
			apiError(w, http.StatusBadRequest, voipnow.CodePhoneCallViewInvalid, MsgPhoneCallViewInvalid)
			return
		}
		if !v.ext.recording {
			apiError(w, http.StatusBadRequest, voipnow.CodeRecordingDisabled, MsgRecordingDisabled)
			return
		}
		if st := c.status(v, now); st != voipnow.StatusOnCall {
			apiError(w, http.StatusBadRequest, voipnow.CodePhoneCallViewInvalid,
				"The phone call view "+v.id+" is "+st.String()+", not on call: only an answered call can be recorded.")
			return
		}
		if v.recording == "" { // already recording: unchanged
			v.recording = voipnow.NewTimestamp(now.In(s.opts.Location))
		}
	case voipnow.ActionStopRecording:
		if v == nil {
			apiError(w, http.StatusBadRequest, voipnow.CodePhoneCallViewInvalid, MsgPhoneCallViewInvalid)
			return
		}
		v.recording = "" // not recording: nothing to do, still 200
	case "Park", "UnPark", "Transfer", "OnHold", "OffHold", "PickUp", "BargeIn", "Monitor", "Whisper":
		apiError(w, http.StatusBadRequest, CodeRequestInvalid, "The action "+a.Action+" is not simulated.")
		return
	default:
		apiError(w, http.StatusBadRequest, CodeRequestInvalid, "The action is missing or unknown.")
		return
	}
	if s.opts.NoContentOnAction {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, c.wire(now, s.opts.Location, selfBase(r)))
}

// onlyFields writes a list with each call cut down to the named fields (the
// UAPI's fields parameter); id is always kept.
func onlyFields(l voipnow.PhoneCallList, fields []string) any {
	keep := map[string]bool{"id": true}
	for _, f := range fields {
		keep[strings.TrimSpace(f)] = true
	}
	entries := make([]map[string]json.RawMessage, 0, len(l.Calls))
	for _, c := range l.Calls {
		b, _ := json.Marshal(c)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		for k := range m {
			if !keep[k] {
				delete(m, k)
			}
		}
		entries = append(entries, m)
	}
	return map[string]any{"startIndex": l.StartIndex, "itemsPerPage": l.ItemsPerPage, "totalResults": l.TotalResults, "entry": entries}
}
