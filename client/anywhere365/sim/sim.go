package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// Demo credentials. They are fixed and documented so that `recdeck` with no
// configuration, the tests and a person trying curl all use the same ones.
const (
	DemoUsername     = "demo"
	DemoPassword     = "demo"
	DemoClientSecret = "demo"
	// DemoClientID is the fixed client_id the vendor document names.
	DemoClientID = "coreapi"
	// DemoTenant is the example tenant GUID of seed 001; any GUID is accepted.
	DemoTenant = "2ed153b4-f632-4766-b846-5b2a769b36d1"
)

// Default members of every default UCC.
const (
	DemoAgent      = "sip:agent@domain.com"
	DemoSupervisor = "sip:supervisor@domain.com"
)

// UCC is one simulated Unified Contact Center with the three settings the
// recording API depends on.
type UCC struct {
	Name string
	// UseAudioRecording: the recorder starts when a call is answered.
	// Without it the recorder exists but stays Uninitialized until a Start.
	UseAudioRecording bool
	// AgentCanEditAudioRecording: recording/set is allowed and capabilities
	// report AgentCanEditRecordings true.
	AgentCanEditAudioRecording bool
	// SaveRecordingByDefault: SavingState becomes Save when the call ends,
	// unless the recording was deleted.
	SaveRecordingByDefault bool
	// Members are the SIP URIs of its agents and supervisors.
	Members []string
}

// DefaultUCCs is the data the simulator starts with unless Options.UCCs is
// set: ucc-demo-name and payments with every setting on, helpdesk with
// AgentCanEditAudioRecording off; the demo agent and supervisor belong to all.
func DefaultUCCs() []UCC {
	members := []string{DemoAgent, DemoSupervisor}
	return []UCC{
		{Name: "ucc-demo-name", UseAudioRecording: true, AgentCanEditAudioRecording: true, SaveRecordingByDefault: true, Members: members},
		{Name: "payments", UseAudioRecording: true, AgentCanEditAudioRecording: true, SaveRecordingByDefault: true, Members: members},
		{Name: "helpdesk", UseAudioRecording: true, AgentCanEditAudioRecording: false, SaveRecordingByDefault: true, Members: members},
	}
}

// Options configure a Server. The zero value is a working simulator with the
// default data, no call generator and 300 s tokens.
type Options struct {
	Seed          int64                            // deterministic: same seed, same calls and ids
	Calls         int                              // call generator target concurrent calls; 0 = generator off
	TokenLifetime time.Duration                    // default 300s
	Now           func() time.Time                 // default time.Now
	Logf          func(format string, args ...any) // optional; default discards

	// UCCs replaces DefaultUCCs when not nil.
	UCCs []UCC
	// HubPath is where the SignalR hub is served; default
	// anywhere365.DefaultHubPath.
	HubPath string
	// HubRequiresToken makes the hub refuse (401) a connection without a
	// valid bearer token (Authorization header or access_token query). Off
	// by default: no document says the hub is protected.
	HubRequiresToken bool
	// ErrorsAs200 answers every vendor error body with HTTP 200 instead of
	// the simulator's chosen status codes (see doc.go), for clients that
	// must cope with a server that always says 200.
	ErrorsAs200 bool
	// GeneratorTick is the call generator's step interval; default 100ms.
	GeneratorTick time.Duration
	// MinCallLife and MaxCallLife bound how long a generated call lasts;
	// defaults 20s and 2m, long enough to pick a call and act on it.
	MinCallLife, MaxCallLife time.Duration
	// HumanHold is how long the generator leaves a call alone after a
	// person acted on it through the API: no simulated agent actions, and
	// the call does not end before then. Default 5m, longer than payment
	// mode's automatic resume (180s), so a demo PCI pause is not undone.
	HumanHold time.Duration
	// RefreshLifetime is the lifetime of refresh tokens (password grant);
	// default 1800s, Keycloak's default.
	RefreshLifetime time.Duration
	// TokenKey signs the bearer tokens. Default: derived from Seed, so a
	// simulator restarted with the same seed accepts tokens issued before
	// the restart, as a real API accepts signed tokens after its restart.
	TokenKey []byte
	// Username, Password and ClientSecret are the credentials the token
	// endpoint accepts; each defaults to its Demo* constant. Tests set
	// distinctive values to prove no secret reaches any output.
	Username, Password, ClientSecret string
}

// Server is the simulated Anywhere365 Core REST Recording API: vendor
// routes (v1 and v2), the token endpoint, the SignalR hub, the call
// generator and the /sim/ control API. It is safe for concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	logf    func(string, ...any)
	uccs    map[string]*UCC
	uccList []string // names in configuration order
	mux     *http.ServeMux
	hub     *hub

	pubMu    sync.Mutex // held while publishing: see unlockAndPublish
	mu       sync.Mutex // guards everything below
	rng      *rand.Rand // ids and generator decisions
	seq      int64
	sessions map[string]*session // active sessions by correlation id
	ended    []CallState         // most recent ended sessions, oldest first
	cdr      []CallDetailRecord
	events   uint64 // events published so far

	// stateGets counts GET requests for a session's state (v1 and v2,
	// answered or not): the REST re-reads a console makes.
	stateGets atomic.Uint64

	faults *faultState
	tokens *tokenIssuer

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // generator
	once   sync.Once
}

// Bounds on what the simulator keeps, so a demo left running for days
// does not grow without limit.
const (
	maxEnded = 500
	maxCDR   = 10000
)

// New builds a simulator and, if opts.Calls > 0, starts its call generator.
// Call Close to stop it.
func New(opts Options) *Server {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 300 * time.Second
	}
	if opts.RefreshLifetime <= 0 {
		opts.RefreshLifetime = 1800 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.UCCs == nil {
		opts.UCCs = DefaultUCCs()
	}
	if opts.HubPath == "" {
		opts.HubPath = anywhere365.DefaultHubPath
	}
	if opts.GeneratorTick <= 0 {
		opts.GeneratorTick = 100 * time.Millisecond
	}
	if opts.MinCallLife <= 0 {
		opts.MinCallLife = 20 * time.Second
	}
	if opts.MaxCallLife < opts.MinCallLife {
		opts.MaxCallLife = max(2*time.Minute, opts.MinCallLife)
	}
	if opts.HumanHold <= 0 {
		opts.HumanHold = 5 * time.Minute
	}
	if opts.Username == "" {
		opts.Username = DemoUsername
	}
	if opts.Password == "" {
		opts.Password = DemoPassword
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DemoClientSecret
	}
	if len(opts.TokenKey) == 0 {
		k := sha256.Sum256([]byte("recdeck-anywhere365-sim-token-key:" + strconv.FormatInt(opts.Seed, 10)))
		opts.TokenKey = k[:]
	}

	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(opts.Seed))
	s := &Server{
		opts:     opts,
		now:      opts.Now,
		logf:     opts.Logf,
		uccs:     make(map[string]*UCC),
		rng:      rand.New(rand.NewChaCha8(seed)),
		sessions: make(map[string]*session),
		faults:   newFaultState(opts.Seed),
		tokens:   &tokenIssuer{key: opts.TokenKey, now: opts.Now, lifetime: opts.TokenLifetime, refreshLifetime: opts.RefreshLifetime},
	}
	for i := range opts.UCCs {
		u := opts.UCCs[i]
		u.Members = append([]string(nil), u.Members...)
		s.uccs[u.Name] = &u
		s.uccList = append(s.uccList, u.Name)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.hub = newHub(s.ctx, opts.HubPath, opts.Logf)
	s.mux = s.routes()
	if opts.Calls > 0 {
		s.startGenerator()
	}
	return s
}

// Handler serves every route: /attendantservice/..., /auth/realms/...,
// and the /sim/ control routes.
func (s *Server) Handler() http.Handler { return s.mux }

// Mount registers the simulator's patterns on a shared mux (the one
// `recdeck sim` serves every vendor's simulator on). It claims only its own
// prefixes, never "/" nor all of "/sim/".
func (s *Server) Mount(mux *http.ServeMux) {
	for _, p := range []string{
		"/attendantservice/",
		"/auth/realms/",
		"/sim/calls",
		"/sim/calls/",
		"/sim/calldetail",
		"/sim/burst",
		"/sim/faults",
	} {
		mux.Handle(p, s.mux)
	}
	for _, p := range driverPaths { // driver.go
		mux.Handle(p, s.mux)
	}
	if !strings.HasPrefix(s.opts.HubPath, "/attendantservice/") {
		mux.Handle(s.opts.HubPath, s.mux)
		mux.Handle(s.opts.HubPath+"/negotiate", s.mux)
	}
}

// Close stops the call generator and the hub (closing every websocket). It
// is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.hub.close()
	})
}

// HubPath is the path the hub is served on.
func (s *Server) HubPath() string { return s.opts.HubPath }

// TokenPath is the token endpoint's path for a tenant ("" = DemoTenant).
func TokenPath(tenant string) string {
	if tenant == "" {
		tenant = DemoTenant
	}
	return "/auth/realms/" + tenant + "/protocol/openid-connect/token"
}

// EventsPublished is how many RecordingStateChangedEvents the simulator has
// handed to the hub so far.
// StateGets returns how many GET requests for a session's state (GET
// .../recording/{ucc}/{id}, v1 and v2, whatever the answer) the simulator
// has received.
func (s *Server) StateGets() uint64 { return s.stateGets.Load() }

func (s *Server) EventsPublished() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events
}
