package sessions

// servers.go lets one pane follow several servers at once (`recdeck
// --profile a --profile b`): each Server keeps its own session store, REST
// client, pause guard and compliance book, and the pane sees them through
// one merged Source, PauseGuard and ComplianceBook. The merge stamps each
// session key with its server's name on the way out (SessionKey.Server)
// and strips it on the way in, so the stores, guards and journals never
// see a stamped key, and routing an action, a re-read or a resume to the
// right server is a lookup by name. With one server nothing is wrapped:
// the pane talks to it directly, exactly as before.

import (
	"context"
	"errors"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// Server is one followed server.
type Server struct {
	// Name is the profile's name: the SERVER column and header show it, and
	// it is stamped on every session key from this server. Names must be
	// distinct when there are several.
	Name string
	// URL is the server's address as shown on screen (no user info).
	URL        string
	Source     Source
	API        RecordingAPI
	Guard      PauseGuard
	Compliance ComplianceBook
	// Profile is written in audit records (Name when empty).
	Profile string
}

// label is how the screen names the server: its profile, else its name.
func (s Server) label() string {
	if s.Profile != "" {
		return s.Profile
	}
	return s.Name
}

// setServers makes the pane follow servers (at least one): with several,
// the Source, Guard and Compliance the rest of the pane uses are merges.
// Everything shown from the previous set is dropped.
func (p *Pane) setServers(servers []Server) {
	p.servers.Store(&servers)
	if len(servers) == 1 {
		s := servers[0]
		p.cfg.Source, p.cfg.API, p.cfg.Guard, p.cfg.Compliance = s.Source, s.API, s.Guard, s.Compliance
		return
	}
	f := &fleet{servers: servers}
	p.cfg.Source, p.cfg.API = f, nil
	p.cfg.Guard, p.cfg.Compliance = nil, nil
	for _, s := range servers {
		if s.Guard != nil {
			p.cfg.Guard = fleetGuard{f}
		}
		if s.Compliance != nil {
			p.cfg.Compliance = fleetBook{f}
		}
	}
}

// Servers are the servers the pane follows, in the order given.
func (p *Pane) Servers() []Server { return *p.servers.Load() }

// serverOf is the server a (stamped) key belongs to, or nil.
func (p *Pane) serverOf(key anywhere365.SessionKey) *Server {
	servers := p.Servers()
	if len(servers) == 1 {
		return &servers[0]
	}
	for i := range servers {
		if servers[i].Name == key.Server {
			return &servers[i]
		}
	}
	return nil
}

// apiFor is the REST client that serves key's session (nil: none).
func (p *Pane) apiFor(key anywhere365.SessionKey) RecordingAPI {
	if s := p.serverOf(key); s != nil {
		return s.API
	}
	return nil
}

// guardFor is the pause guard of key's server (nil: none).
func (p *Pane) guardFor(key anywhere365.SessionKey) PauseGuard {
	if s := p.serverOf(key); s != nil {
		return s.Guard
	}
	return nil
}

// profileFor is the profile name audit records of key's server carry.
func (p *Pane) profileFor(key anywhere365.SessionKey) string {
	if s := p.serverOf(key); s != nil && s.Profile != "" {
		return s.Profile
	} else if s != nil && s.Name != "" {
		return s.Name
	}
	return p.cfg.Profile
}

// fleet merges several servers' stores into one Source.
type fleet struct {
	servers []Server
}

// stamp names key's server; strip takes the name off for the server's own
// store. route finds the server of a stamped key.
func stamp(key anywhere365.SessionKey, name string) anywhere365.SessionKey {
	key.Server = name
	return key
}

func strip(key anywhere365.SessionKey) anywhere365.SessionKey {
	key.Server = ""
	return key
}

func (f *fleet) route(key anywhere365.SessionKey) *Server {
	for i := range f.servers {
		if f.servers[i].Name == key.Server {
			return &f.servers[i]
		}
	}
	return nil
}

// Version changes when any store's does: each only grows, so the sum does.
func (f *fleet) Version() uint64 {
	var v uint64
	for _, s := range f.servers {
		v += s.Source.Version()
	}
	return v
}

// Snapshot lists every server's sessions, stamped, one server after the
// other (the table sorts them).
func (f *fleet) Snapshot(dst []anywhere365.Session) []anywhere365.Session {
	dst = dst[:0]
	for _, s := range f.servers {
		n := len(dst)
		// The server fills the free part of dst in place when it fits.
		part := s.Source.Snapshot(dst[n:n])
		dst = append(dst, part...)
		for i := n; i < len(dst); i++ {
			dst[i].Key.Server = s.Name
		}
	}
	return dst
}

func (f *fleet) Session(key anywhere365.SessionKey) (anywhere365.Session, []anywhere365.HistoryEntry, bool) {
	s := f.route(key)
	if s == nil {
		return anywhere365.Session{}, nil, false
	}
	sess, hist, ok := s.Source.Session(strip(key))
	sess.Key.Server = s.Name
	return sess, hist, ok
}

// ConnState is the worst of the servers' connections (the header shows
// each; this is for what needs one answer, like payment mode's hub health
// of a call, which asks its own server through connOf).
func (f *fleet) ConnState() anywhere365.ConnState {
	var worst anywhere365.ConnState
	for i, s := range f.servers {
		cs := s.Source.ConnState()
		if i == 0 || connRank(cs.Phase) > connRank(worst.Phase) {
			worst = cs
		}
	}
	return worst
}

// connRank orders connection phases from best to worst.
func connRank(p anywhere365.ConnPhase) int {
	switch p {
	case anywhere365.ConnConnected:
		return 0
	case anywhere365.ConnConnecting:
		return 1
	case anywhere365.ConnReconnecting:
		return 2
	}
	return 3
}

func (f *fleet) EventCount() uint64 {
	var n uint64
	for _, s := range f.servers {
		n += s.Source.EventCount()
	}
	return n
}

func (f *fleet) Watch(key anywhere365.SessionKey) {
	if s := f.route(key); s != nil {
		s.Source.Watch(strip(key))
	}
}

func (f *fleet) RecordAction(key anywhere365.SessionKey, a anywhere365.Action, resp *anywhere365.StateResponse, err error) {
	if s := f.route(key); s != nil {
		s.Source.RecordAction(strip(key), a, resp, err)
	}
}

// Remove forgets a session where its store can (see remover).
func (f *fleet) Remove(key anywhere365.SessionKey) bool {
	if s := f.route(key); s != nil {
		if r, ok := s.Source.(remover); ok {
			return r.Remove(strip(key))
		}
	}
	return false
}

// connOf is the connection state of key's own server.
func (p *Pane) connOf(key anywhere365.SessionKey) anywhere365.ConnState {
	if s := p.serverOf(key); s != nil && s.Source != nil {
		return s.Source.ConnState()
	}
	return p.cfg.Source.ConnState()
}

// fleetGuard merges the servers' pause guards.
type fleetGuard struct{ f *fleet }

func (g fleetGuard) guard(key anywhere365.SessionKey) PauseGuard {
	if s := g.f.route(key); s != nil {
		return s.Guard
	}
	return nil
}

func (g fleetGuard) Arm(key anywhere365.SessionKey) {
	if gd := g.guard(key); gd != nil {
		gd.Arm(strip(key))
	}
}

func (g fleetGuard) Disarm(key anywhere365.SessionKey) {
	if gd := g.guard(key); gd != nil {
		gd.Disarm(strip(key))
	}
}

func (g fleetGuard) Status(key anywhere365.SessionKey) (anywhere365.PauseStatus, bool) {
	gd := g.guard(key)
	if gd == nil {
		return anywhere365.PauseStatus{}, false
	}
	st, ok := gd.Status(strip(key))
	st.Key.Server = key.Server
	return st, ok
}

// Sending tells key's server's guard of a pause on its way (pauseSender).
func (g fleetGuard) Sending(key anywhere365.SessionKey) (done func()) {
	if s, ok := g.guard(key).(pauseSender); ok {
		return s.Sending(strip(key))
	}
	return func() {}
}

func (g fleetGuard) ResumeNow(key anywhere365.SessionKey, trigger string) bool {
	if gd := g.guard(key); gd != nil {
		return gd.ResumeNow(strip(key), trigger)
	}
	return false
}

func (g fleetGuard) Statuses() []anywhere365.PauseStatus {
	return g.each(PauseGuard.Statuses)
}

func (g fleetGuard) OpenPayment() []anywhere365.PauseStatus {
	return g.each(PauseGuard.OpenPayment)
}

func (g fleetGuard) each(list func(PauseGuard) []anywhere365.PauseStatus) []anywhere365.PauseStatus {
	var out []anywhere365.PauseStatus
	for _, s := range g.f.servers {
		if s.Guard == nil {
			continue
		}
		for _, st := range list(s.Guard) {
			st.Key.Server = s.Name
			out = append(out, st)
		}
	}
	return out
}

// ResumeAll resumes on every server; the errors are joined.
func (g fleetGuard) ResumeAll(ctx context.Context) error {
	var errs []error
	for _, s := range g.f.servers {
		if s.Guard != nil {
			if err := s.Guard.ResumeAll(ctx); err != nil {
				errs = append(errs, errors.New(s.Name+": "+err.Error()))
			}
		}
	}
	return errors.Join(errs...)
}

// Policies are the first guarded server's; the pane asks a call's own
// server through guardFor where the policy may differ.
func (g fleetGuard) Policies() anywhere365.Policies {
	for _, s := range g.f.servers {
		if s.Guard != nil {
			return s.Guard.Policies()
		}
	}
	return anywhere365.Policies{}
}

// fleetBook merges the servers' compliance books.
type fleetBook struct{ f *fleet }

func (b fleetBook) Alerts(now time.Time) []anywhere365.Alert {
	var out []anywhere365.Alert
	for _, s := range b.f.servers {
		if s.Compliance == nil {
			continue
		}
		for _, a := range s.Compliance.Alerts(now) {
			a.Key.Server = s.Name
			out = append(out, a)
		}
	}
	return out
}

func (b fleetBook) Ack(key anywhere365.SessionKey, kind anywhere365.FlagKind) bool {
	if s := b.f.route(key); s != nil && s.Compliance != nil {
		return s.Compliance.Ack(strip(key), kind)
	}
	return false
}

func (b fleetBook) Active() []anywhere365.Flag {
	var out []anywhere365.Flag
	for _, s := range b.f.servers {
		if s.Compliance == nil {
			continue
		}
		for _, fl := range s.Compliance.Active() {
			fl.Key.Server = s.Name
			out = append(out, fl)
		}
	}
	return out
}

func (b fleetBook) Counts() map[anywhere365.FlagKind]int {
	out := map[anywhere365.FlagKind]int{}
	for _, s := range b.f.servers {
		if s.Compliance == nil {
			continue
		}
		for k, n := range s.Compliance.Counts() {
			out[k] += n
		}
	}
	return out
}

func (b fleetBook) Raised() uint64 { return b.sum(ComplianceBook.Raised) }

func (b fleetBook) Version() uint64 { return b.sum(ComplianceBook.Version) }

func (b fleetBook) sum(f func(ComplianceBook) uint64) uint64 {
	var n uint64
	for _, s := range b.f.servers {
		if s.Compliance != nil {
			n += f(s.Compliance)
		}
	}
	return n
}
