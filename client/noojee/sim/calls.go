package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
)

// The seed document's examples, which the simulator serves verbatim.
const (
	// ExampleTag finds the call whose first leg is the example response.
	ExampleTag = "1234"
	// ExampleUniqueID is that call's unique id.
	ExampleUniqueID = "1392271611.238"
	// ExampleUniqueID2 is the unique id in the document's
	// retrieveMetaDataByUniqueId example URL.
	ExampleUniqueID2 = "12341232.12"
	// SharedTag is a tag two generated calls share (tags are free text and
	// may repeat), so a tag search can find more than one call.
	SharedTag = "ACME-77"
)

// call is one recorded call; each leg is one recording.
type call struct {
	uniqueID  string
	tag       string
	direction noojee.Direction
	did       string
	legs      []leg
}

type leg struct {
	n        int
	start    time.Time // second precision, in the sim's zone
	dur      int       // seconds
	source   string
	dest     string
	username string
	recordID string
}

func (c *call) start() time.Time { return c.legs[0].start }

func (l leg) end() time.Time { return l.start.Add(time.Duration(l.dur) * time.Second) }

func (c *call) end() time.Time {
	l := c.legs[len(c.legs)-1]
	return l.start.Add(time.Duration(l.dur) * time.Second)
}

// wire writes a leg as the metadata form does: times as Java's
// Timestamp.toString, Direction as its number.
func (c *call) wire(l leg) noojee.WireLeg {
	return noojee.WireLeg{
		Source: l.source, Leg: strconv.Itoa(l.n), Start: noojee.FormatTimestamp(l.start),
		Tag: c.tag, Duration: strconv.Itoa(l.dur), Username: l.username, CallRecordID: l.recordID,
		UniqueID: c.uniqueID, DID: c.did, Direction: c.direction.Code(), Destination: l.dest,
	}
}

// wireByHour writes a leg as the by-hour form does: times as Java's
// Date.toString, Direction as a word, plus the call's end.
func (c *call) wireByHour(l leg) noojee.WireLeg {
	w := c.wire(l)
	w.Start = noojee.FormatJavaDate(l.start)
	w.Direction = c.direction.String()
	w.CallEnd = noojee.FormatJavaDate(c.end())
	return w
}

type agent struct{ ext, name string }

var agents = []agent{
	{"401", "Fred"}, {"402", "Mary"}, {"403", "Ahmed"}, {"404", "Priya"},
	{"405", "Liam"}, {"406", "Chen"}, {"407", "Sofia"}, {"408", "Noah"},
}

var (
	queues = []string{"8000", "8001"} // sales, support
	dids   = []string{"0290001234", "0290001235", "1300555010"}
)

// exampleCalls are the document's examples, at their own dates.
func exampleCalls(loc *time.Location) []*call {
	t0 := time.Date(2014, 2, 13, 17, 6, 52, 0, loc)
	ex := &call{uniqueID: ExampleUniqueID, tag: ExampleTag, direction: noojee.Internal, did: "internal",
		legs: []leg{
			// Leg 1 is the document's example response, field for field (its
			// Destination is elided there; 401 is Fred's extension).
			{n: 1, start: t0, dur: 4, source: "400", dest: "401", username: "Fred", recordID: "198348"},
			{n: 2, start: t0.Add(4 * time.Second), dur: 62, source: "400", dest: "401", username: "Fred", recordID: "198349"},
			{n: 3, start: t0.Add(66 * time.Second), dur: 35, source: "400", dest: "402", username: "Mary", recordID: "198351"},
		}}
	t1 := time.UnixMilli(1447887370175).In(loc).Truncate(time.Second)
	ex2 := &call{uniqueID: ExampleUniqueID2, direction: noojee.Inbound, did: "0290001234",
		legs: []leg{
			{n: 1, start: t1, dur: 22, source: "0412555019", dest: "8001", username: "Administrator", recordID: "203117"},
			{n: 2, start: t1.Add(22 * time.Second), dur: 140, source: "0412555019", dest: "403", username: "Ahmed", recordID: "203118"},
			{n: 3, start: t1.Add(163 * time.Second), dur: 75, source: "0412555019", dest: "404", username: "Priya", recordID: "203121"},
			{n: 4, start: t1.Add(238 * time.Second), dur: 31, source: "0412555019", dest: "403", username: "Ahmed", recordID: "203124"},
		}}
	return []*call{ex, ex2}
}

// generator makes realistic calls from a seeded random source.
type generator struct {
	r        *rand.Rand
	seq      int
	recordID int
	tags     map[string]bool

	// nextHour is the start of the first clock hour not generated yet;
	// pending holds generated calls that have not ended by the clock.
	nextHour time.Time
	pending  []*call
}

func newGenerator(seed int64) *generator {
	return &generator{r: rand.New(rand.NewPCG(uint64(seed), 0x6e6f6f6a6565)), seq: 239, recordID: 210000,
		tags: map[string]bool{ExampleTag: true}}
}

func (g *generator) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *generator) phone(prefix string) string {
	return prefix + fmt.Sprintf("%08d", g.r.IntN(100000000))
}

func (g *generator) agent(not string) agent {
	for {
		a := agents[g.r.IntN(len(agents))]
		if a.ext != not {
			return a
		}
	}
}

func (g *generator) tag() string {
	switch {
	case g.seq == 249 || g.seq == 269: // two calls of the history, whatever the seed
		return SharedTag
	case g.r.IntN(10) < 4:
		return "" // many calls carry no tag
	}
	for {
		var t string
		if g.r.IntN(2) == 0 {
			t = fmt.Sprintf("CR-%05d", g.r.IntN(100000))
		} else {
			t = strconv.Itoa(g.between(10000, 99999))
		}
		if !g.tags[t] {
			g.tags[t] = true
			return t
		}
	}
}

// call makes one call starting at start, split into legs at each transition.
func (g *generator) call(start time.Time) *call {
	c := &call{uniqueID: fmt.Sprintf("%d.%d", start.Unix(), g.seq), tag: g.tag()}
	g.seq++
	// The first leg starts a moment after the call (the document's "small delay").
	t := start.Add(time.Duration(g.between(0, 2)) * time.Second)
	add := func(dur int, source, dest, user string) {
		g.recordID += g.between(1, 3)
		c.legs = append(c.legs, leg{n: len(c.legs) + 1, start: t, dur: dur, source: source, dest: dest,
			username: user, recordID: strconv.Itoa(g.recordID)})
		t = t.Add(time.Duration(dur+g.between(0, 1)) * time.Second)
	}
	switch p := g.r.IntN(10); {
	case p < 6: // inbound: queue, answer, then transfers
		c.direction, c.did = noojee.Inbound, dids[g.r.IntN(len(dids))]
		caller := g.phone("04")
		add(g.between(5, 90), caller, queues[g.r.IntN(len(queues))], "Administrator")
		a := g.agent("")
		add(g.between(30, 400), caller, a.ext, a.name)
		for i := 0; i < 3 && g.r.IntN(10) < 7-2*i; i++ {
			a = g.agent(a.ext)
			add(g.between(20, 300), caller, a.ext, a.name)
		}
	case p < 9: // outbound: dialling, answered, maybe handed on
		c.direction, c.did = noojee.Outbound, ""
		a := g.agent("")
		dialled := g.phone("02")
		add(g.between(3, 20), a.ext, dialled, a.name)
		add(g.between(30, 600), a.ext, dialled, a.name)
		if g.r.IntN(10) < 4 {
			b := g.agent(a.ext)
			add(g.between(20, 240), a.ext, dialled, b.name)
		}
	default: // internal
		c.direction, c.did = noojee.Internal, "internal"
		a, b := g.agent(""), g.agent("")
		for b.ext == a.ext {
			b = g.agent(a.ext)
		}
		add(g.between(2, 10), a.ext, b.ext, b.name)
		add(g.between(20, 300), a.ext, b.ext, b.name)
		if g.r.IntN(2) == 0 {
			x := g.agent(b.ext)
			add(g.between(20, 200), a.ext, x.ext, x.name)
		}
	}
	return c
}

// historyHours is how many whole clock hours before the current one the
// simulator keeps filled with recordings.
const historyHours = 24

// hourStart is the start of t's clock hour in loc.
func hourStart(t time.Time, loc *time.Location) time.Time {
	n := t.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), 0, 0, 0, loc)
}

// hour makes the calls of the clock hour starting at start:
// callsMin..callsMax of them, at random moments, in order.
func (g *generator) hour(start time.Time, callsMin, callsMax int) []*call {
	k := g.between(callsMin, callsMax)
	offsets := make([]int, k)
	for i := range offsets {
		offsets[i] = g.r.IntN(3600)
	}
	slices.Sort(offsets)
	calls := make([]*call, 0, k)
	for _, off := range offsets {
		calls = append(calls, g.call(start.Add(time.Duration(off)*time.Second)))
	}
	return calls
}
