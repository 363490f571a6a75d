package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/recdeck/recdeck/client/voipnow"
)

// The simulated PBX: two organizations, their users and extensions, and
// the live calls on them. Everything here is guarded by Server.mu.

type org struct {
	id, name string
}

type user struct {
	id, name string
	org      *org
}

type extension struct {
	number    string
	name      string
	owner     *user
	recording bool // the Phone Terminal Setup "Call recording" function
}

type view struct {
	id        string
	ext       *extension
	flow      voipnow.Flow
	callerID  string
	source    []string
	dest      []string
	originate bool // this side placed the call: "other side ringing" until answered
	recording voipnow.Timestamp
}

type call struct {
	id      string
	alias   string // another id the call answers to (the seed's request uses 444444)
	ext     *extension
	created time.Time
	answer  time.Time // when it is (or was) answered
	end     time.Time // zero: never ends
	views   []*view
	// verbatim keeps the seed call's view exactly as seed 002 prints it
	// (no flow field).
	verbatim bool
}

// The seed's example call: PUT /uapi/phoneCall/12/0003*210/444444 with
// phoneCallViewId 01 answers PhoneCall b817d2618fe6f1804333.
const (
	SeedCallID    = "b817d2618fe6f1804333"
	SeedCallAlias = "444444"
	SeedUserID    = "12"
	SeedExtension = "0003*210"
	SeedViewID    = "01"
)

// Demo extensions. ExtNoRecording has call recording switched off: recording
// a view on it answers pc_recording_disabled.
const (
	ExtReception   = "0003*210"
	ExtSales       = "0003*211"
	ExtNoRecording = "0003*212"
	ExtSupport     = "0003*213"
	ExtOtherOrg    = "0004*001"
	// AppUserID is the user the demo app is registered to (@me, @viewer).
	AppUserID = "12"
	// OtherOrgUserID is a user of another organization: access_denied.
	OtherOrgUserID = "14"
)

func (s *Server) buildPBX(now time.Time) {
	org3 := &org{id: "3", name: "Default Organization"}
	org4 := &org{id: "4", name: "Other Organization"}
	u12 := &user{id: "12", name: "Front Office", org: org3}
	u13 := &user{id: "13", name: "Support Team", org: org3}
	u14 := &user{id: "14", name: "Elsewhere Ltd", org: org4}
	s.appUser = u12
	s.users = map[string]*user{u12.id: u12, u13.id: u13, u14.id: u14}
	for _, e := range []*extension{
		{number: ExtReception, name: "Reception", owner: u12, recording: true},
		{number: ExtSales, name: "Sales Desk", owner: u12, recording: true},
		{number: ExtNoRecording, name: "Legal (no recording)", owner: u12, recording: false},
		{number: ExtSupport, name: "Support", owner: u13, recording: true},
		{number: ExtOtherOrg, name: "Elsewhere", owner: u14, recording: true},
	} {
		s.exts[e.number] = e
	}
	// Seed 002's example: answered 10 minutes before the simulator started.
	answered := now.Add(-10 * time.Minute)
	s.calls = append(s.calls, &call{
		id: SeedCallID, alias: SeedCallAlias, ext: s.exts[SeedExtension],
		created: answered.Add(-5 * time.Second), answer: answered, verbatim: true,
		views: []*view{{
			id: SeedViewID, ext: s.exts[SeedExtension], callerID: "John Doe <3333>",
			source: []string{"7778888"}, dest: []string{SeedExtension},
		}},
	})
}

// accessible reports whether the app's user may act for u: users of its own
// organization only.
func (s *Server) accessible(u *user) bool { return u.org == s.appUser.org }

var (
	firstNames = []string{"Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jon", "Kemal", "Lena"}
	lastNames  = []string{"Ionescu", "Smith", "Novak", "Okafor", "Rossi", "Tanaka", "Weber", "Silva", "Popescu", "Jensen"}
	// Extensions the generator puts calls on: the app user's, and one of
	// its organization's other user.
	generatedOn = []string{ExtReception, ExtSales, ExtNoRecording, ExtSupport}
)

// advance brings the PBX to now: ended calls leave, new ones arrive so that
// about opts.LiveCalls generated calls are live. It runs on every request
// (the simulator has no goroutines) and does a bounded amount of work.
func (s *Server) advance(now time.Time) {
	kept := s.calls[:0]
	for _, c := range s.calls {
		if c.end.IsZero() || now.Before(c.end) {
			kept = append(kept, c)
		}
	}
	for i := len(kept); i < len(s.calls); i++ {
		s.calls[i] = nil
	}
	s.calls = kept
	if s.opts.LiveCalls <= 0 {
		return
	}
	if now.Sub(s.nextSpawn) > 10*time.Minute { // idle for long: do not replay it all
		s.nextSpawn = now.Add(-time.Minute)
	}
	for i := 0; i < 200 && !s.nextSpawn.After(now); i++ {
		if s.generated(now) < s.opts.LiveCalls {
			s.spawn(s.nextSpawn)
		}
		s.nextSpawn = s.nextSpawn.Add(time.Duration(2+s.rng.IntN(6)) * time.Second)
	}
}

// generated counts the live calls that will end (generated ones).
func (s *Server) generated(now time.Time) int {
	n := 0
	for _, c := range s.calls {
		if !c.end.IsZero() && now.Before(c.end) {
			n++
		}
	}
	return n
}

// spawn adds a random call that arrived at t.
func (s *Server) spawn(t time.Time) {
	r := s.rng
	ext := s.exts[generatedOn[r.IntN(len(generatedOn))]]
	flows := []voipnow.Flow{voipnow.FlowIncoming, voipnow.FlowIncoming, voipnow.FlowOutgoing, voipnow.FlowLocal}
	flow := flows[r.IntN(len(flows))]
	ring := time.Duration(3+r.IntN(8)) * time.Second
	talk := time.Duration(20+r.IntN(100)) * time.Second
	s.addCall(t, ext, flow, "", ring, talk)
}

// addCall creates a call on ext; remote is the outside number (random when
// empty). talk <= 0 means the call never ends.
func (s *Server) addCall(t time.Time, ext *extension, flow voipnow.Flow, remote string, ring, talk time.Duration) *call {
	r := s.rng
	if remote == "" {
		remote = fmt.Sprintf("07%09d", r.IntN(1_000_000_000))
	}
	name := firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
	c := &call{id: s.newID(), ext: ext, created: t, answer: t.Add(ring)}
	if talk > 0 {
		c.end = c.answer.Add(talk)
	}
	switch flow {
	case voipnow.FlowOutgoing:
		c.views = []*view{{id: "01", ext: ext, flow: flow, originate: true,
			callerID: fmt.Sprintf("%s <%s>", ext.name, ext.number),
			source:   []string{ext.number}, dest: []string{remote}}}
	case voipnow.FlowLocal:
		var other *extension
		for _, n := range generatedOn {
			if e := s.exts[n]; e != ext && e.owner.org == ext.owner.org {
				if other == nil || r.IntN(2) == 0 {
					other = e
				}
			}
		}
		id := fmt.Sprintf("%s <%s>", ext.name, ext.number)
		c.views = []*view{
			{id: "01", ext: ext, flow: flow, originate: true, callerID: id, source: []string{ext.number}, dest: []string{other.number}},
			{id: "02", ext: other, flow: flow, callerID: id, source: []string{ext.number}, dest: []string{other.number}},
		}
	default: // incoming
		c.views = []*view{{id: "01", ext: ext, flow: voipnow.FlowIncoming,
			callerID: fmt.Sprintf("%s <%s>", name, remote),
			source:   []string{remote}, dest: []string{ext.number}}}
	}
	s.calls = append(s.calls, c)
	return c
}

// newID makes an id in the seed's style: 20 lower-case hex digits.
func (s *Server) newID() string {
	for {
		id := fmt.Sprintf("%08x%012x", s.rng.Uint32(), s.rng.Uint64()&(1<<48-1))
		if s.find(id) == nil {
			return id
		}
	}
}

func (s *Server) find(id string) *call {
	for _, c := range s.calls {
		if c.id == id || (c.alias != "" && c.alias == id) {
			return c
		}
	}
	return nil
}

// status of a view at now: ringing (or "other side ringing" for the side
// that dialled) until answered, then on call.
func (c *call) status(v *view, now time.Time) voipnow.Status {
	if now.Before(c.answer) {
		if v.originate {
			return voipnow.StatusOtherRinging
		}
		return voipnow.StatusRinging
	}
	return voipnow.StatusOnCall
}

// wire renders the call as the UAPI's PhoneCall at now.
func (c *call) wire(now time.Time, loc *time.Location, selfBase string) voipnow.PhoneCall {
	ts := func(t time.Time) voipnow.Timestamp { return voipnow.NewTimestamp(t.In(loc)) }
	pc := voipnow.PhoneCall{
		ID:        voipnow.ID(c.id),
		Extension: c.ext.number,
		OwnerID:   voipnow.ID(c.ext.owner.org.id),
		OwnerName: c.ext.owner.org.name,
		Published: ts(c.created),
		Link:      voipnow.Links{"self": selfBase + "/uapi/phoneCalls/" + c.ext.owner.id + "/" + c.ext.number + "/" + c.id},
	}
	answered := !now.Before(c.answer)
	if answered {
		pc.Answered = ts(c.answer)
	}
	for _, v := range c.views {
		wv := voipnow.PhoneCallView{
			ID: voipnow.ID(v.id), Extension: v.ext.number,
			Source: v.source, Destination: v.dest,
			Status: c.status(v, now), CallerID: v.callerID, Recording: v.recording,
		}
		if !c.verbatim {
			wv.Flow = v.flow
		}
		if answered {
			wv.Answered = pc.Answered
		}
		pc.Views = append(pc.Views, wv)
	}
	return pc
}

// sortCalls orders calls by publish time, as the UAPI always does.
func sortCalls(cs []*call) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].created.Before(cs[j].created) })
}

func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}
