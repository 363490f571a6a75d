package sim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recdeck/recdeck/client/akixi"
)

// Defaults for Options fields left zero.
const (
	DefaultSessionTTL       = 20 * time.Minute
	DefaultGeneratedEntries = 45
	maxRequestBytes         = 1 << 20
	maxSessions             = 10_000
)

// Options configures a Server.
type Options struct {
	// Path is the WS API endpoint (akixi.DefaultPath).
	Path string
	// SessionTTL is how long a session lives without use.
	SessionTTL time.Duration
	// Seed makes generated GUIDs and entries repeatable.
	Seed int64
	// FailNames are the element names of Fail answers.
	FailNames akixi.FailNames
	// GeneratedEntries is how many extra entries partition 2/Sales gets, for
	// paging (DefaultGeneratedEntries; negative for none).
	GeneratedEntries int
	// Now is the clock (time.Now).
	Now func() time.Time
}

type session struct {
	user     string
	lastUsed time.Time
	expired  bool
}

type fault struct {
	op    string // "" for any operation
	code  int
	count int
}

type entry struct {
	akixi.Entry
	seq int
}

// Server is the simulated Akixi WS API. It starts no goroutines: sessions
// expire lazily when used. It is safe for concurrent use.
type Server struct {
	opt   Options
	names akixi.FailNames

	mu              sync.Mutex
	sessions        map[string]*session
	entries         map[string]*entry
	seq             int
	guids           *guidMaker
	faults          []fault
	featureDisabled bool
	maintenance     bool
	sessionsCreated int
	loggedOut       int
	requests        int
}

// OpenSessions is how many sessions are open (created, not logged out;
// expired ones count until used).
func (s *Server) OpenSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// LoggedOut is how many sessions were closed with Logout.
func (s *Server) LoggedOut() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggedOut
}

// New builds a simulator with the seed's entries, the demonstration entry,
// and opt.GeneratedEntries more in partition 2/Sales.
func New(opt Options) *Server {
	if opt.Path == "" {
		opt.Path = akixi.DefaultPath
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = DefaultSessionTTL
	}
	if opt.GeneratedEntries == 0 {
		opt.GeneratedEntries = DefaultGeneratedEntries
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	rng := mrand.New(mrand.NewPCG(uint64(opt.Seed), 0xa41c5))
	s := &Server{
		opt:      opt,
		names:    opt.FailNames,
		sessions: map[string]*session{},
		entries:  map[string]*entry{},
		guids:    newGUIDMaker(rng),
	}
	for _, e := range seedEntries() {
		s.put(e)
	}
	ms := opt.Now().UnixMilli()
	for i := 1; i <= opt.GeneratedEntries; i++ {
		s.put(akixi.Entry{GUID: s.guids.next(ms), Type: akixi.TypeDubber, TelSysID: "2", PartIDInTelSys: "Sales",
			PartitionGUID: salesGUID, Description: fmt.Sprintf("Dubber Sales team %02d", i),
			IPAddrOrHost1: "api.dubber.net/uk1", AuthUserID1: fmt.Sprintf("sales%02d", i)})
	}
	return s
}

func (s *Server) put(e akixi.Entry) {
	s.seq++
	s.entries[e.GUID] = &entry{Entry: e, seq: s.seq}
}

// Path is the endpoint the simulator answers on.
func (s *Server) Path() string { return s.opt.Path }

// Register adds the endpoint and the control routes to mux:
//
//	POST {Path}                          the WS API
//	POST /sim/akixi/expire-sessions      expire every open session
//	POST /sim/akixi/fault?code=N[&count=N][&op=Operation]
//	                                     fail the next count requests with code
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle(s.opt.Path, s)
	mux.HandleFunc("POST /sim/akixi/expire-sessions", func(w http.ResponseWriter, r *http.Request) {
		n := s.ExpireSessions()
		fmt.Fprintf(w, "expired %d sessions\n", n)
	})
	mux.HandleFunc("POST /sim/akixi/fault", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code, err := strconv.Atoi(q.Get("code"))
		if err != nil || code <= 0 {
			http.Error(w, "code must be a positive number, e.g. ?code=10104", http.StatusBadRequest)
			return
		}
		count := 1
		if c := q.Get("count"); c != "" {
			if count, err = strconv.Atoi(c); err != nil || count <= 0 || count > 1000 {
				http.Error(w, "count must be 1..1000", http.StatusBadRequest)
				return
			}
		}
		s.InjectFault(q.Get("op"), code, count)
		fmt.Fprintf(w, "the next %d requests fail with %d\n", count, code)
	})
}

// Handler serves the endpoint and the control routes, for tests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// ExpireSessions expires every open session and returns how many there were.
func (s *Server) ExpireSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ss := range s.sessions {
		if !ss.expired {
			ss.expired = true
			n++
		}
	}
	return n
}

// InjectFault makes the next count requests for op ("" for any, other than
// CreateSession) fail with code.
func (s *Server) InjectFault(op string, code, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{op: op, code: code, count: count})
}

// SetFeatureEnabled turns the Call Recording Integration feature off
// (every CallRecInt operation then fails with 10700) or back on.
func (s *Server) SetFeatureEnabled(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.featureDisabled = !on
}

// SetMaintenance makes every request fail with 10105 while on.
func (s *Server) SetMaintenance(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maintenance = on
}

// SessionsCreated counts successful CreateSession requests.
func (s *Server) SessionsCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionsCreated
}

// Requests counts the WS API requests answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Entry returns a copy of a stored entry.
func (s *Server) Entry(guid string) (akixi.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[guid]
	if !ok {
		return akixi.Entry{}, false
	}
	return e.Entry, true
}

// Put stores e as it is, bypassing the WS API's checks (a GUID in the
// seed's shape is made when e has none), and returns its GUID: for tests
// and demos that need data the API itself would refuse, e.g. a description
// holding a newline.
func (s *Server) Put(e akixi.Entry) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.GUID == "" {
		e.GUID = s.guids.next(s.opt.Now().UnixMilli())
	}
	s.put(e)
	return e.GUID
}

// Entries returns every stored entry in creation order.
func (s *Server) Entries() []akixi.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]akixi.Entry, 0, len(s.entries))
	for _, e := range s.sorted() {
		out = append(out, e.Entry)
	}
	return out
}

func (s *Server) sorted() []*entry {
	out := make([]*entry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int { return a.seq - b.seq })
	return out
}

// ServeHTTP answers the WS API endpoint. Every WS API answer is HTTP 200
// with a <Response>, Fail included; only non-POST methods, other paths and
// oversized bodies get plain HTTP errors.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.opt.Path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "the Akixi WS API takes POST requests with an XML body", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if len(body) > maxRequestBytes {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	resp := s.handle(body)
	out, err := akixi.Encode(resp)
	if err != nil {
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(out)
}

// handle turns one request body into its answer.
func (s *Server) handle(body []byte) *akixi.Response {
	req, err := akixi.DecodeRequest(body)
	if err != nil {
		return s.fail("", akixi.CodeBadOperation)
	}
	if req.InvokeID == "" {
		return s.fail("", akixi.CodeNoInvokeID)
	}
	if req.Operation != akixi.OpCreateSession && req.Operation != akixi.OpLogout && !slices.Contains(akixi.Operations, req.Operation) {
		return s.fail(req.InvokeID, akixi.CodeBadOperation)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if code := s.takeFault(req.Operation); code != 0 {
		return s.fail(req.InvokeID, code)
	}
	if s.maintenance {
		return s.fail(req.InvokeID, akixi.CodeMaintenance)
	}
	props := flatten(req.Payload)
	if req.Operation == akixi.OpCreateSession {
		return s.createSession(req.InvokeID, props)
	}
	u, code := s.checkSession(req.SessionID)
	if code != 0 {
		return s.fail(req.InvokeID, code)
	}
	if req.Operation == akixi.OpLogout {
		delete(s.sessions, req.SessionID)
		s.loggedOut++
		return &akixi.Response{Result: akixi.ResultSuccess, InvokeID: req.InvokeID}
	}
	if s.featureDisabled {
		return s.fail(req.InvokeID, akixi.CodeFeatureDisabled)
	}
	c := &call{s: s, u: u, props: props}
	var success *akixi.Container
	switch req.Operation {
	case akixi.OpAdd:
		code = c.add()
	case akixi.OpChange:
		code = c.change()
	case akixi.OpDelete:
		code = c.delete()
	case akixi.OpInfo:
		success, code = c.info()
	case akixi.OpList:
		success, code = c.list(req.Offset, req.Limit)
	}
	if code != 0 {
		return s.fail(req.InvokeID, code)
	}
	return &akixi.Response{Result: akixi.ResultSuccess, InvokeID: req.InvokeID, Success: success}
}

func (s *Server) fail(invokeID string, code int) *akixi.Response {
	return &akixi.Response{Result: akixi.ResultFail, InvokeID: invokeID,
		Other: []akixi.Node{s.names.FailNode(code, message(code))}}
}

func (s *Server) takeFault(op string) int {
	if op == akixi.OpCreateSession {
		return 0
	}
	for i := range s.faults {
		f := &s.faults[i]
		if f.op == "" || f.op == op {
			code := f.code
			if f.count--; f.count <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return code
		}
	}
	return 0
}

// props is a request payload's properties by name, nested containers
// (APICommunicationSettings) flattened in. Later duplicates win.
type props map[string]string

func flatten(c *akixi.Container) props {
	p := props{}
	var walk func(c *akixi.Container, depth int)
	walk = func(c *akixi.Container, depth int) {
		for _, pr := range c.Properties {
			p[pr.Name] = strings.TrimSpace(pr.Value)
		}
		if depth < 3 {
			for i := range c.Containers {
				walk(&c.Containers[i], depth+1)
			}
		}
	}
	if c != nil {
		walk(c, 0)
	}
	return p
}

func (p props) has(name string) bool { _, ok := p[name]; return ok }

func (s *Server) createSession(invokeID string, p props) *akixi.Response {
	name := p[akixi.DefaultUserProperty]
	u, ok := users[name]
	if !ok || p[akixi.DefaultPasswordProperty] != Demo {
		return s.fail(invokeID, akixi.CodeBadCredentials)
	}
	if u.loginCode != 0 {
		return s.fail(invokeID, u.loginCode)
	}
	now := s.opt.Now()
	if len(s.sessions) >= maxSessions {
		for id, ss := range s.sessions {
			if ss.expired || now.Sub(ss.lastUsed) > s.opt.SessionTTL {
				delete(s.sessions, id)
			}
		}
		if len(s.sessions) >= maxSessions {
			return s.fail(invokeID, akixi.CodeResourceUnresolved)
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := strings.ToUpper(hex.EncodeToString(b[:]))
	s.sessions[id] = &session{user: name, lastUsed: now}
	s.sessionsCreated++
	success := &akixi.Container{}
	success.Add("SessionID", id)
	return &akixi.Response{Result: akixi.ResultSuccess, InvokeID: invokeID, Success: success}
}

func (s *Server) checkSession(id string) (user, int) {
	ss, ok := s.sessions[id]
	if id == "" || !ok {
		return user{}, akixi.CodeSessionInvalid
	}
	now := s.opt.Now()
	if ss.expired || now.Sub(ss.lastUsed) > s.opt.SessionTTL {
		ss.expired = true
		return user{}, akixi.CodeSessionExpired
	}
	ss.lastUsed = now
	return users[ss.user], 0
}

// call is one CallRecInt operation by one user. Its methods run with s.mu
// held and return 0 or a Fail code.
type call struct {
	s     *Server
	u     user
	props props
}

// resolve turns scope properties into a normalised scope: PartitionGUID
// wins; else TelSysID (+ PartIDInTelSys); else application-wide.
func (c *call) resolve(pg, ts, pid string) (akixi.Scope, int) {
	if pg != "" {
		for _, p := range partitions {
			if p.guid == pg {
				return akixi.Scope{PartitionGUID: p.guid, TelSysID: strconv.Itoa(p.telSys), PartIDInTelSys: p.id}, 0
			}
		}
		return akixi.Scope{}, akixi.CodePartitionGUIDUnknown
	}
	if ts == "" {
		if pid != "" {
			return akixi.Scope{}, akixi.CodePartitionNeedsTelSys
		}
		return akixi.Scope{}, 0
	}
	n, err := strconv.Atoi(ts)
	if err != nil || n <= 0 {
		return akixi.Scope{}, akixi.CodeTelSysInvalid
	}
	i := slices.IndexFunc(telSystems, func(t telSys) bool { return t.id == n })
	if i < 0 {
		return akixi.Scope{}, akixi.CodeTelSysUnknown
	}
	if telSystems[i].disabled {
		return akixi.Scope{}, akixi.CodeTelSysDisabled
	}
	if pid == "" {
		return akixi.Scope{TelSysID: strconv.Itoa(n)}, 0
	}
	for _, p := range partitions {
		if p.telSys == n && p.id == pid {
			return akixi.Scope{PartitionGUID: p.guid, TelSysID: strconv.Itoa(n), PartIDInTelSys: p.id}, 0
		}
	}
	return akixi.Scope{}, akixi.CodePartitionIDUnknown
}

// allowed checks that the user's own scope covers sc.
func (c *call) allowed(sc akixi.Scope) int {
	u := c.u
	if u.telSys == 0 && u.partition == "" {
		return 0
	}
	if sc.IsApplicationWide() {
		return akixi.CodeNotAppWide
	}
	if sc.TelSysID != strconv.Itoa(u.telSys) {
		return akixi.CodeNoServerAccess
	}
	if u.partition != "" && sc.PartitionGUID != u.partition {
		return akixi.CodeNoPartitionAccess
	}
	return 0
}

// lookup finds the entry the request's CallRecIntGUID names.
func (c *call) lookup() (*entry, int) {
	guid := c.props[akixi.PropGUID]
	if guid == "" {
		return nil, akixi.CodeEntryGUIDMissing
	}
	if !akixi.ValidGUID(guid) {
		return nil, akixi.CodeInvalidValue
	}
	e, ok := c.s.entries[guid]
	if !ok {
		return nil, akixi.CodeEntryUnknown
	}
	if code := c.allowed(e.Scope()); code != 0 {
		return nil, code
	}
	return e, 0
}

// descriptionTaken reports whether another entry of the scope has desc.
func (c *call) descriptionTaken(sc akixi.Scope, desc, except string) bool {
	for _, e := range c.s.entries {
		if e.GUID != except && e.Scope() == sc && strings.EqualFold(e.Description, desc) {
			return true
		}
	}
	return false
}

func (c *call) add() int {
	if !c.u.admin {
		return akixi.CodeNotAdmin
	}
	p := c.props
	sc, code := c.resolve(p[akixi.PropPartitionGUID], p[akixi.PropTelSysID], p[akixi.PropPartIDInTelSys])
	if code != 0 {
		return code
	}
	if code := c.allowed(sc); code != 0 {
		return code
	}
	if !strings.EqualFold(p[akixi.PropType], akixi.TypeDubber) {
		return akixi.CodeTypeUnsupported
	}
	desc := p[akixi.PropDescription]
	if desc == "" || c.descriptionTaken(sc, desc, "") {
		return akixi.CodeDescriptionBad
	}
	e := akixi.Entry{GUID: c.s.guids.next(c.s.opt.Now().UnixMilli()), Type: akixi.TypeDubber}
	for _, pi := range akixi.Properties {
		if !pi.ReadOnly && pi.Container == akixi.ContainerAPI {
			e.Set(pi.Name, p[pi.Name])
		}
	}
	e.Description = desc
	e.PartitionGUID, e.TelSysID, e.PartIDInTelSys = sc.PartitionGUID, sc.TelSysID, sc.PartIDInTelSys
	c.s.put(e)
	return 0
}

func (c *call) change() int {
	if !c.u.admin {
		return akixi.CodeNotAdmin
	}
	old, code := c.lookup()
	if code != 0 {
		return code
	}
	p := c.props
	e := old.Entry
	// CallRecIntGUID names the entry and CallRecIntType is read-only: both
	// are ignored as changes, as the seed says.
	for _, pi := range akixi.Properties {
		if !pi.ReadOnly && pi.Container == akixi.ContainerAPI && p.has(pi.Name) {
			e.Set(pi.Name, p[pi.Name])
		}
	}
	if p.has(akixi.PropDescription) {
		e.Description = p[akixi.PropDescription]
	}
	sc := old.Scope()
	if p.has(akixi.PropPartitionGUID) || p.has(akixi.PropTelSysID) || p.has(akixi.PropPartIDInTelSys) {
		if pg := p[akixi.PropPartitionGUID]; pg != "" {
			sc, code = c.resolve(pg, "", "")
		} else {
			ts, pid := e.TelSysID, e.PartIDInTelSys
			if p.has(akixi.PropTelSysID) {
				ts = p[akixi.PropTelSysID]
			}
			if p.has(akixi.PropPartIDInTelSys) {
				pid = p[akixi.PropPartIDInTelSys]
			}
			sc, code = c.resolve("", ts, pid)
		}
		if code != 0 {
			return code
		}
		if code := c.allowed(sc); code != 0 {
			return code
		}
	}
	if e.Description == "" || c.descriptionTaken(sc, e.Description, e.GUID) {
		return akixi.CodeDescriptionBad
	}
	e.PartitionGUID, e.TelSysID, e.PartIDInTelSys = sc.PartitionGUID, sc.TelSysID, sc.PartIDInTelSys
	old.Entry = e
	return 0
}

func (c *call) delete() int {
	if !c.u.admin {
		return akixi.CodeNotAdmin
	}
	e, code := c.lookup()
	if code != 0 {
		return code
	}
	delete(c.s.entries, e.GUID)
	return 0
}

// info answers with the properties the seed's Info example shows:
// CallRecIntGUID, CallRecIntType, TelSysID, PartIDInTelSys, Description
// and the APICommunicationSettings container; empty values are left out.
func (c *call) info() (*akixi.Container, int) {
	e, code := c.lookup()
	if code != 0 {
		return nil, code
	}
	fields := []string{akixi.PropType, akixi.PropTelSysID, akixi.PropPartIDInTelSys}
	for _, pi := range akixi.Properties {
		if pi.Container == akixi.ContainerAPI {
			fields = append(fields, pi.Name)
		}
	}
	return render(e.Entry, fields), 0
}

// render writes an entry's CallRecIntGUID, Description and the named
// fields, in the property table's order, API settings in their container;
// empty values are left out.
func render(e akixi.Entry, fields []string) *akixi.Container {
	return e.Container(func(pi akixi.PropertyInfo, v string) bool {
		return v != "" && (pi.Name == akixi.PropGUID || pi.Name == akixi.PropDescription || slices.Contains(fields, pi.Name))
	})
}

func (c *call) list(offsetText, limitText string) (*akixi.Container, int) {
	offset, limit := 0, akixi.DefaultLimit
	var err error
	if offsetText != "" {
		if offset, err = strconv.Atoi(offsetText); err != nil || offset < 0 {
			return nil, akixi.CodeInvalidValue
		}
	}
	if limitText != "" {
		if limit, err = strconv.Atoi(limitText); err != nil || limit < 0 {
			return nil, akixi.CodeInvalidValue
		}
	}
	p := c.props
	sc, code := c.resolve(p[akixi.PropPartitionGUID], p[akixi.PropTelSysID], p[akixi.PropPartIDInTelSys])
	if code != 0 {
		return nil, code
	}
	if code := c.allowed(sc); code != 0 {
		return nil, code
	}
	fields := akixi.ParseFields(p[akixi.PropFields])
	out := &akixi.Container{}
	i := 0
	for _, e := range c.s.sorted() {
		if e.Scope() != sc {
			continue
		}
		if i >= offset && len(out.Containers) < limit {
			out.Containers = append(out.Containers, *render(e.Entry, fields))
		}
		i++
	}
	return out, 0
}
