package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "time/tzdata" // Australia/Sydney everywhere

	"github.com/recdeck/recdeck/client/noojee"
)

// DemoAPIKey is the apiKey the simulator accepts unless told otherwise.
const DemoAPIKey = "demo"

// DefaultZone is the simulator's time zone unless Config.Location says
// otherwise: a demo client reads zone-less times in it.
const DefaultZone = "Australia/Sydney"

// Control routes (the simulator's own, not Noojee's).
const (
	CallsPath  = "/sim/noojee/calls"
	FaultsPath = "/sim/noojee/faults"
)

// Config shapes a simulator. The zero value is a demo: seed 0, real clock.
type Config struct {
	Seed int64
	// Now is the clock for the generated history, hash validity and the
	// rate limit (tests move it). Default time.Now.
	Now func() time.Time
	// Location is the server's zone. Default DefaultZone.
	Location *time.Location
	// APIKeys accepted. Default {DemoAPIKey}.
	APIKeys []string
	// ByHourInterval is retrieveMetaDataByHour's limit. Default one minute.
	ByHourInterval time.Duration
	// SampleRate of the generated WAVs (16-bit mono). Default 8000.
	SampleRate int
	// Throttle slows audio to this many bytes a second (0: full speed), so
	// a demo's progress bar can be seen moving.
	Throttle int64
	// CallsMin and CallsMax bound the calls generated for each hour.
	// Default 2 and 6.
	CallsMin, CallsMax int
}

// Server is the simulator: an http.Handler (via Register or Handler).
type Server struct {
	cfg Config

	mu         sync.Mutex
	calls      []*call
	byUID      map[string]*call
	byHour     map[string][]*call // "yyyy/MM/dd H" of a leg's end (server time) -> calls with a leg ending then
	gen        *generator
	hashUses   map[string]time.Time // apiKey:timeStamp -> first use
	lastByHour map[string]time.Time // apiKey -> last counted call
	recording  map[string]activeRec // extenOrUniqueId -> since
	cutNext    int64                // cut the next audio after this many bytes; <0 none
	requests   map[string]int       // API method -> requests answered
	startStops []StartStop
}

type activeRec struct {
	tag, agent string
	since      time.Time
}

// New builds a simulator and generates its calls.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation(DefaultZone)
		if err != nil {
			loc = time.FixedZone("AEST", 10*3600)
		}
		cfg.Location = loc
	}
	if len(cfg.APIKeys) == 0 {
		cfg.APIKeys = []string{DemoAPIKey}
	}
	if cfg.ByHourInterval <= 0 {
		cfg.ByHourInterval = time.Minute
	}
	if cfg.SampleRate <= 0 {
		cfg.SampleRate = 8000
	}
	if cfg.CallsMin <= 0 {
		cfg.CallsMin = 2
	}
	if cfg.CallsMax < cfg.CallsMin {
		cfg.CallsMax = max(cfg.CallsMin, 6)
	}
	s := &Server{cfg: cfg, byUID: map[string]*call{}, byHour: map[string][]*call{}, hashUses: map[string]time.Time{},
		lastByHour: map[string]time.Time{}, recording: map[string]activeRec{}, cutNext: -1,
		requests: map[string]int{}}
	s.gen = newGenerator(cfg.Seed)
	for _, c := range exampleCalls(cfg.Location) {
		s.add(c)
	}
	s.gen.nextHour = hourStart(cfg.Now(), cfg.Location).Add(-historyHours * time.Hour)
	s.mu.Lock()
	s.catchUpLocked()
	s.mu.Unlock()
	return s
}

// add files a call under its unique id and its hour. Call with s.mu held
// (or before the server is shared).
func (s *Server) add(c *call) {
	s.calls = append(s.calls, c)
	s.byUID[c.uniqueID] = c
	for _, l := range c.legs {
		s.fileLeg(c, l)
	}
}

// fileLeg files a leg under the hour it ENDED in, as the vendor does
// ("returns the legs that ended in that hour"): a call crossing the hour
// has legs in two lists. Call with s.mu held.
func (s *Server) fileLeg(c *call, l leg) {
	k := hourKey(l.end(), s.cfg.Location)
	if cs := s.byHour[k]; len(cs) == 0 || cs[len(cs)-1] != c {
		s.byHour[k] = append(s.byHour[k], c)
	}
}

// hourKey is the by-hour index's key of t: its date and hour in loc, as
// retrieveMetaDataByHour asks for them.
func hourKey(t time.Time, loc *time.Location) string {
	d, h := noojee.HourOf(t, loc)
	return d + " " + strconv.Itoa(h)
}

// catchUpLocked keeps the history current as the clock moves: it
// generates every clock hour up to the current one (at most the last
// historyHours before it, after a long pause) and files the calls that
// have ended. A long-running `recdeck sim` so keeps recordings in every
// one of the last 24 hours. Call with s.mu held.
func (s *Server) catchUpLocked() {
	now := s.cfg.Now()
	thisHour := hourStart(now, s.cfg.Location)
	g := s.gen
	if oldest := thisHour.Add(-historyHours * time.Hour); g.nextHour.Before(oldest) {
		g.nextHour = oldest
	}
	for !g.nextHour.After(thisHour) {
		g.pending = append(g.pending, g.hour(g.nextHour, s.cfg.CallsMin, s.cfg.CallsMax)...)
		g.nextHour = g.nextHour.Add(time.Hour)
	}
	kept := g.pending[:0]
	for _, c := range g.pending {
		if c.end().After(now) {
			kept = append(kept, c) // still going: not a recording to list yet
			continue
		}
		s.add(c)
	}
	clear(g.pending[len(kept):])
	g.pending = kept
}

// Location is the simulator's zone: clients should read zone-less times in it.
func (s *Server) Location() *time.Location { return s.cfg.Location }

// Register adds the simulator's routes to mux: both APIs' methods and the
// /sim/noojee/ control routes. Patterns are exact paths, never "/".
func (s *Server) Register(mux *http.ServeMux) {
	for _, base := range []string{noojee.DefaultRecordingAPIPath, noojee.DefaultCallManagementPath} {
		old := base == noojee.DefaultCallManagementPath
		for _, op := range []string{"retrieveMetaData", "retrieveMetaDataByUniqueId", "retrieveMetaDataByHour"} {
			mux.Handle(base+"/"+op, s.api(op, old, false, s.metadata))
		}
		mux.Handle(base+"/"+noojee.DefaultRecordingMethod, s.api(noojee.DefaultRecordingMethod, old, false, s.audio))
	}
	for _, op := range []string{"start", "stop"} {
		// Start and stop take the apiKey, or a timeStamp and hash instead.
		mux.Handle(noojee.DefaultCallManagementPath+"/"+op, s.api(op, false, true, s.startStop))
	}
	// The document's "POST .../Time" is read both ways.
	mux.Handle(noojee.DefaultTimePath, s.postOnly("Time", s.timeStamp))
	mux.Handle(noojee.DefaultCallManagementPath+"/Time", s.postOnly("Time", s.timeStamp))
	mux.HandleFunc(CallsPath, s.listCalls)
	mux.HandleFunc(FaultsPath, s.faults)
}

// Handler is a mux with only the simulator's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// Requests is how many requests of an API method (e.g.
// "retrieveMetaDataByHour") reached the simulator.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// CutNextDownload makes the next audio answer stop after n bytes of its body
// (the connection is dropped), to test interrupted downloads.
func (s *Server) CutNextDownload(n int64) {
	s.mu.Lock()
	s.cutNext = n
	s.mu.Unlock()
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// postOnly answers anything but POST with 405 ("The API will only accept
// POST requests.") and parses the parameters (query or form body).
func (s *Server) postOnly(op string, h func(w http.ResponseWriter, r *http.Request, op string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[op]++
		s.catchUpLocked()
		s.mu.Unlock()
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			text(w, http.StatusMethodNotAllowed, "The API will only accept POST requests.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			text(w, http.StatusBadRequest, "Malformed parameters.")
			return
		}
		h(w, r, op)
	})
}

// api is postOnly plus authentication. A request carries either the
// apiKey, or a timeStamp and hash INSTEAD of it (the older form: "the
// API-Key is never exposed"), the key being the one whose hash matches. On
// the older API's metadata methods (old) the pair is required. The
// CallManagementAPI (old, or start/stop: status) answers its refusals as
// the real one does, HTTP 200 with {"Message":...,"Code":-1}; the
// RecordingAPI answers 401.
func (s *Server) api(op string, old, status bool, h func(w http.ResponseWriter, r *http.Request, op string)) http.Handler {
	return s.postOnly(op, func(w http.ResponseWriter, r *http.Request, op string) {
		refuse := func(msg string) {
			if old || status {
				answer(w, msg, -1)
				return
			}
			text(w, http.StatusUnauthorized, msg)
		}
		key := r.Form.Get("apiKey")
		ts, hash := r.Form.Get("timeStamp"), r.Form.Get("hash")
		if ts == "" && hash == "" {
			if old {
				refuse("Missing timeStamp or hash.")
				return
			}
			if !slices.Contains(s.cfg.APIKeys, key) {
				refuse("Invalid apiKey.")
				return
			}
			h(w, r, op)
			return
		}
		if key != "" && !slices.Contains(s.cfg.APIKeys, key) {
			refuse("Invalid apiKey.")
			return
		}
		if msg := s.checkHash(key, ts, hash); msg != "" {
			refuse(msg)
			return
		}
		h(w, r, op)
	})
}

// answer writes the CallManagementAPI's status body, HTTP 200 whatever the
// outcome: {"Message":"...","Code":0} on success, a non-zero Code on failure.
func answer(w http.ResponseWriter, msg string, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(struct {
		Message string `json:"Message"`
		Code    int    `json:"Code"`
	}{msg, code})
}

// checkHash applies the older API's rule: hash = hex(sha256(apiKey:timeStamp))
// for one of the accepted keys (the given one, if any); a pair is valid 10 s
// after the timestamp was issued if unused, then one hour from its first
// use. Past that the answer is the vendor's "Expired TimeStamp".
func (s *Server) checkHash(key, ts, hash string) string {
	if ts == "" || hash == "" {
		return "Missing timeStamp or hash."
	}
	keys := s.cfg.APIKeys
	if key != "" {
		keys = []string{key}
	}
	matched := ""
	for _, k := range keys {
		if strings.EqualFold(hash, noojee.Hash(k, ts)) {
			matched = k
			break
		}
	}
	if matched == "" {
		return "Invalid hash."
	}
	key = matched
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "Invalid timeStamp."
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := key + ":" + ts
	if first, used := s.hashUses[id]; used {
		if now.Sub(first) >= noojee.HashLifetime {
			return ExpiredTimeStamp
		}
		return ""
	}
	issued := time.UnixMilli(ms)
	if d := now.Sub(issued); d > noojee.HashFreshFor || d < -noojee.HashFreshFor {
		return ExpiredTimeStamp
	}
	if len(s.hashUses) > 10000 { // bound the memory: forget expired pairs
		for k, t := range s.hashUses {
			if now.Sub(t) >= noojee.HashLifetime {
				delete(s.hashUses, k)
			}
		}
	}
	s.hashUses[id] = now
	return ""
}

// ExpiredTimeStamp is the vendor's message for a pair past its validity.
const ExpiredTimeStamp = "Expired TimeStamp"

// timeStamp answers the server's time in milliseconds, as text.
func (s *Server) timeStamp(w http.ResponseWriter, r *http.Request, op string) {
	text(w, http.StatusOK, strconv.FormatInt(s.cfg.Now().UnixMilli(), 10))
}

// metadata answers the three retrieveMetaData methods: it picks the calls
// (by tag, unique id or hour) and writes every leg of each, in the form
// the method uses.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request, op string) {
	var pick func() []*call // run with s.mu held
	var keep func(leg) bool // nil: every leg of a picked call
	wire := (*call).wire
	switch op {
	case "retrieveMetaData":
		tag := strings.TrimSpace(r.Form.Get("tag"))
		if tag == "" {
			text(w, http.StatusBadRequest, "Missing parameter: tag.")
			return
		}
		pick = func() []*call {
			var calls []*call
			for _, c := range s.calls {
				if c.tag == tag {
					calls = append(calls, c)
				}
			}
			return calls
		}
	case "retrieveMetaDataByUniqueId":
		uid := strings.TrimSpace(r.Form.Get("uniqueId"))
		if uid == "" {
			text(w, http.StatusBadRequest, "Missing parameter: uniqueId.")
			return
		}
		pick = func() []*call {
			if c, ok := s.byUID[uid]; ok {
				return []*call{c}
			}
			return nil
		}
	case "retrieveMetaDataByHour":
		hour, err := noojee.ParseHour(r.Form.Get("hour"))
		if err != nil {
			text(w, http.StatusBadRequest, "Invalid hour: expected 0-23.")
			return
		}
		date, err := noojee.CheckDateHour(r.Form.Get("date"), hour)
		if err != nil {
			text(w, http.StatusBadRequest, "Invalid date: expected yyyy/MM/dd.")
			return
		}
		if wait := s.takeByHourSlot(r.Form.Get("apiKey")); wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			text(w, http.StatusTooManyRequests, fmt.Sprintf(
				"Rate limit exceeded: retrieveMetaDataByHour may be called once a minute. Try again in %d seconds.", secs))
			return
		}
		wire = (*call).wireByHour
		key := date + " " + strconv.Itoa(hour)
		pick = func() []*call { return s.byHour[key] }
		keep = func(l leg) bool { return hourKey(l.end(), s.cfg.Location) == key }
	}
	out := []noojee.WireLeg{} // no match is [], not null
	s.mu.Lock()
	for _, c := range pick() {
		for _, l := range c.legs {
			if keep == nil || keep(l) {
				out = append(out, wire(c, l))
			}
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// takeByHourSlot counts a by-hour call for key, or says how long to wait.
func (s *Server) takeByHourSlot(key string) time.Duration {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.lastByHour[key]; ok {
		if next := last.Add(s.cfg.ByHourInterval); now.Before(next) {
			return next.Sub(now)
		}
	}
	s.lastByHour[key] = now
	return 0
}

// startStop: start remembers that a target is being recorded; stop ends it
// and files the recording as a new leg (of the call, when the target is a
// known unique id) or as a new one-leg call, findable by its tag.
func (s *Server) startStop(w http.ResponseWriter, r *http.Request, op string) {
	target := strings.TrimSpace(r.Form.Get("extenOrUniqueId"))
	tag := strings.TrimSpace(r.Form.Get("tag"))
	agent := strings.TrimSpace(r.Form.Get("agentLoginName"))
	if target == "" {
		answer(w, "Missing parameter: extenOrUniqueId.", -1)
		return
	}
	now := s.cfg.Now().In(s.cfg.Location).Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startStops = append(s.startStops, StartStop{Op: op, Target: target, Tag: tag, AgentLoginName: agent})
	rec, active := s.recording[target]
	if op == "start" {
		if active {
			answer(w, "Recording already in progress for "+target+".", -1)
			return
		}
		s.recording[target] = activeRec{tag: tag, agent: agent, since: now}
		answer(w, "Recording started for "+target+".", 0)
		return
	}
	if !active {
		answer(w, "No recording in progress for "+target+".", -1)
		return
	}
	// agentLoginName on stop decides permission: only the owner (or a
	// start without one) may stop it.
	if agent != "" && rec.agent != "" && !strings.EqualFold(agent, rec.agent) {
		answer(w, "User "+agent+" may not stop this recording.", -1)
		return
	}
	delete(s.recording, target)
	if tag == "" {
		tag = rec.tag
	}
	user := "Administrator"
	if rec.agent != "" {
		user = rec.agent
	}
	dur := max(1, int(now.Sub(rec.since)/time.Second))
	s.gen.recordID++
	l := leg{start: rec.since, dur: dur, source: target, dest: target, username: user,
		recordID: strconv.Itoa(s.gen.recordID)}
	if c, ok := s.byUID[target]; ok {
		last := c.legs[len(c.legs)-1]
		l.n, l.source, l.dest = len(c.legs)+1, last.source, last.dest
		c.legs = append(c.legs, l)
		s.fileLeg(c, l)
		if tag != "" {
			c.tag = tag
		}
	} else {
		l.n = 1
		c := &call{uniqueID: fmt.Sprintf("%d.%d", rec.since.Unix(), s.gen.seq), tag: tag,
			direction: noojee.Internal, did: "internal", legs: []leg{l}}
		s.gen.seq++
		s.add(c)
	}
	answer(w, "Recording stopped for "+target+".", 0)
}

// StartStop is one start or stop request the simulator received.
type StartStop struct {
	Op, Target, Tag, AgentLoginName string
}

// StartStops lists the start and stop requests received, oldest first.
func (s *Server) StartStops() []StartStop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.startStops)
}

// Recording reports whether a target (extension or unique id) is being recorded.
func (s *Server) Recording(target string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.recording[target]
	return ok
}

// CallInfo describes a generated call, for tests and the demo banner.
type CallInfo struct {
	UniqueID string           `json:"uniqueId"`
	Tag      string           `json:"tag,omitempty"`
	Start    time.Time        `json:"start"`
	Legs     []noojee.WireLeg `json:"legs"`
}

// Calls lists every call, oldest first, legs in the metadata form.
func (s *Server) Calls() []CallInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catchUpLocked()
	out := make([]CallInfo, 0, len(s.calls))
	for _, c := range s.calls {
		ci := CallInfo{UniqueID: c.uniqueID, Tag: c.tag, Start: c.start()}
		for _, l := range c.legs {
			ci.Legs = append(ci.Legs, c.wire(l))
		}
		out = append(out, ci)
	}
	slices.SortStableFunc(out, func(a, b CallInfo) int { return a.Start.Compare(b.Start) })
	return out
}

// listCalls (GET /sim/noojee/calls) lists calls to search for, newest first.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	calls := s.Calls()
	slices.Reverse(calls)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(calls)
}

// faults (POST /sim/noojee/faults?cut=N) cuts the next audio after N bytes.
func (s *Server) faults(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		text(w, http.StatusMethodNotAllowed, "POST only.")
		return
	}
	n, err := strconv.ParseInt(r.URL.Query().Get("cut"), 10, 64)
	if err != nil || n < 0 {
		text(w, http.StatusBadRequest, "cut must be a byte count.")
		return
	}
	s.CutNextDownload(n)
	text(w, http.StatusOK, "OK")
}

// CallLegs gives every leg of a call in the metadata form (for tests).
func (s *Server) CallLegs(uniqueID string) ([]noojee.WireLeg, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byUID[uniqueID]
	if !ok {
		return nil, fmt.Errorf("no call %s", uniqueID)
	}
	out := make([]noojee.WireLeg, 0, len(c.legs))
	for _, l := range c.legs {
		out = append(out, c.wire(l))
	}
	return out, nil
}
