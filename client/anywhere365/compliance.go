package anywhere365

import (
	"slices"
	"sync"
	"time"
)

// Compliance flags: what a supervisor must notice about a call's
// recording, derived from the tracker's sessions and the policy. Assess
// judges one session; Compliance keeps the alerts that come of it (raised
// once, listed until resolved or acknowledged) and the counts the console's
// header shows. PauseGuard updates it on its own goroutine; the screen only
// reads copies.

// FlagKind is one kind of compliance flag.
type FlagKind int

// Flag kinds, worst first (the alerts view sorts by this order, then by
// how long).
const (
	// FlagOverdue: Paused longer than the policy's MaxPause.
	FlagOverdue FlagKind = iota + 1
	// FlagNotRecording: Uninitialized past StartGrace on a UCC that records
	// by default, or Stopped (confirmed) while the call is live.
	FlagNotRecording
	// FlagEndedPaused: the call ended while its recording was paused, so
	// its last part was not recorded.
	FlagEndedPaused
	// FlagDelete: the recording is marked for Delete (it will not be kept).
	FlagDelete
)

// FlagKinds lists every kind, worst first.
var FlagKinds = []FlagKind{FlagOverdue, FlagNotRecording, FlagEndedPaused, FlagDelete}

// String is the flag's word, shown beside its mark (never colour alone).
func (k FlagKind) String() string {
	switch k {
	case FlagOverdue:
		return "overdue"
	case FlagNotRecording:
		return "not recording"
	case FlagEndedPaused:
		return "ended while paused"
	case FlagDelete:
		return "marked for delete"
	}
	return "flag"
}

// Short is the flag's word where room is tight (a table cell of 11).
func (k FlagKind) Short() string {
	switch k {
	case FlagNotRecording:
		return "unrecorded"
	case FlagEndedPaused:
		return "end paused"
	case FlagDelete:
		return "to delete"
	}
	return k.String()
}

// Mark is the flag's one-cell symbol.
func (k FlagKind) Mark() string {
	switch k {
	case FlagOverdue:
		return "⚠"
	case FlagNotRecording:
		return "✗"
	case FlagEndedPaused:
		return "⚑"
	case FlagDelete:
		return "⊗"
	}
	return "!"
}

// Flag is one compliance finding about one session.
type Flag struct {
	Key  SessionKey
	Kind FlagKind
	// Since is when the condition began (the pause, the call's arrival,
	// the stop), as far as the tracker knows.
	Since time.Time
}

// Assess returns the flags of one session at now under policy p.
// lastLive is the recording state last seen while the call was live
// (confirmed, or a Pause event not yet confirmed)
// (the tracker applies the Stop a call's end causes before it learns the
// call is gone, so a call that ended paused often shows Stopped at the
// end); pass ok false when unknown.
func Assess(s Session, p Policy, now time.Time, lastLive RecordingState, ok bool) []Flag {
	var out []Flag
	add := func(k FlagKind, since time.Time) { out = append(out, Flag{Key: s.Key, Kind: k, Since: since}) }
	if !s.Gone {
		switch s.Recording {
		case RecordingPaused:
			if !s.StateSince.IsZero() && now.Sub(s.StateSince) > p.MaxPause {
				add(FlagOverdue, s.StateSince)
			}
		case RecordingUninitialized:
			if p.RecordsByDefault && !s.FirstSeen.IsZero() && now.Sub(s.FirstSeen) > p.StartGrace {
				add(FlagNotRecording, s.FirstSeen)
			}
		case RecordingStopped:
			// Confirmed only: the Stop a call's end causes arrives as an
			// event just before the call is known to be gone.
			if s.Confirmed {
				add(FlagNotRecording, s.StateSince)
			}
		}
	} else if s.Recording == RecordingPaused || (ok && lastLive == RecordingPaused) {
		add(FlagEndedPaused, s.StateSince)
	}
	if s.Saving == SavingDelete {
		add(FlagDelete, s.LastActionAt)
	}
	return out
}

// Alert is a flag as the alerts view lists it.
type Alert struct {
	Flag
	// Raised is when this console first saw the flag.
	Raised time.Time
	// Active is true while the condition holds; an alert whose session has
	// left the tracker stays listed (inactive) until acknowledged when it
	// is about an ended call (ended while paused, marked for delete).
	Active bool
	Acked  bool
}

// For is how long the condition has lasted (from Since, else Raised).
func (a Alert) For(now time.Time) time.Duration {
	from := a.Since
	if from.IsZero() {
		from = a.Raised
	}
	return max(0, now.Sub(from))
}

type alertKey struct {
	key  SessionKey
	kind FlagKind
}

// maxStickyAlerts bounds the inactive alerts kept for acknowledgement.
const maxStickyAlerts = 1000

// Compliance keeps the alerts of a console. All methods are safe for
// concurrent use.
type Compliance struct {
	mu       sync.Mutex
	policies Policies
	alerts   map[alertKey]*Alert
	// paused holds the sessions listed whose recording was last seen
	// Paused while the call was live (the only last live state Assess
	// needs), with the Update generation that last listed them. Not one
	// entry per session: a console may list 100,000.
	paused map[SessionKey]uint64
	// listed holds the sessions with an alert, with the generation that
	// last listed them (an alert whose session left the tracker is kept
	// until acknowledged, or resolved).
	listed  map[SessionKey]uint64
	gen     uint64
	active  map[alertKey]bool // scratch for Update
	raised  uint64
	version uint64
	counts  map[FlagKind]int
}

// NewCompliance returns an empty alert book applying policies.
func NewCompliance(policies Policies) *Compliance {
	return &Compliance{
		policies: policies,
		alerts:   map[alertKey]*Alert{},
		paused:   map[SessionKey]uint64{},
		listed:   map[SessionKey]uint64{},
		active:   map[alertKey]bool{},
		counts:   map[FlagKind]int{},
	}
}

// Policies is the policy set applied.
func (c *Compliance) Policies() Policies { return c.policies }

// Update assesses every session of a tracker snapshot at now.
func (c *Compliance) Update(snap []Session, now time.Time) {
	c.UpdateFrom(func(add func(*Session)) {
		for i := range snap {
			add(&snap[i])
		}
	}, now)
}

// UpdateFrom is Update over the sessions each passes to add (such as
// Tracker.RangeSessions, which needs no copy of them all).
func (c *Compliance) UpdateFrom(each func(add func(*Session)), now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.active)
	changed := false
	each(func(s *Session) {
		if c.assess(s, now) {
			changed = true
		}
	})
	c.finish(changed)
}

// assess is one session of an update; it reports whether an alert
// changed.
func (c *Compliance) assess(s *Session, now time.Time) bool {
	changed := false
	_, wasPaused := c.paused[s.Key]
	// A Pause event counts before its GET confirms it (a call may end
	// first); the unconfirmed Stop a call's end causes does not.
	switch {
	case !s.Gone && s.Recording == RecordingPaused:
		c.paused[s.Key] = c.gen
	case !s.Gone && s.Confirmed:
		if wasPaused {
			delete(c.paused, s.Key)
		}
	case wasPaused:
		c.paused[s.Key] = c.gen // still listed
	}
	if len(c.listed) > 0 {
		if _, ok := c.listed[s.Key]; ok {
			c.listed[s.Key] = c.gen
		}
	}
	for _, f := range Assess(*s, c.policies.For(s.Key.UCC), now, RecordingPaused, wasPaused) {
		k := alertKey{f.Key, f.Kind}
		c.active[k] = true
		c.listed[s.Key] = c.gen
		a, ok := c.alerts[k]
		if !ok {
			a = &Alert{Flag: f, Raised: now}
			c.alerts[k] = a
			c.raised++
			changed = true
		}
		if !a.Active || a.Since != f.Since {
			changed = true
		}
		a.Active, a.Since = true, f.Since
	}
	return changed
}

// finish ends an update: sessions no longer listed are forgotten, alerts
// no longer active resolved (or kept until acknowledged).
func (c *Compliance) finish(changed bool) {
	for k, gen := range c.paused {
		if gen != c.gen {
			delete(c.paused, k)
		}
	}
	sticky := 0
	for k, a := range c.alerts {
		if c.active[k] {
			continue
		}
		listed := c.listed[k.key] == c.gen
		if !listed && (k.kind == FlagEndedPaused || k.kind == FlagDelete) && !a.Acked {
			if a.Active {
				a.Active = false
				changed = true
			}
			sticky++
			continue
		}
		delete(c.alerts, k) // resolved
		changed = true
	}
	if sticky > maxStickyAlerts {
		c.trimSticky(sticky - maxStickyAlerts)
	}
	for k, gen := range c.listed {
		if gen != c.gen && !c.hasAlert(k) {
			delete(c.listed, k)
		}
	}
	if changed {
		c.version++
		clear(c.counts)
		for _, a := range c.alerts {
			if a.Active || !a.Acked {
				c.counts[a.Kind]++
			}
		}
	}
}

// NotePaused records that key's recording was paused when the guard last
// knew it (the guard saw the call end during a pause it held, perhaps
// before any poll of this book saw the pause).
func (c *Compliance) NotePaused(key SessionKey) {
	c.mu.Lock()
	c.paused[key] = c.gen
	c.mu.Unlock()
}

// hasAlert reports whether key has an alert of any kind.
func (c *Compliance) hasAlert(key SessionKey) bool {
	for _, k := range FlagKinds {
		if _, ok := c.alerts[alertKey{key, k}]; ok {
			return true
		}
	}
	return false
}

// trimSticky drops the n oldest inactive alerts.
func (c *Compliance) trimSticky(n int) {
	var old []alertKey
	for k, a := range c.alerts {
		if !a.Active {
			old = append(old, k)
		}
	}
	slices.SortFunc(old, func(x, y alertKey) int { return c.alerts[x].Raised.Compare(c.alerts[y].Raised) })
	for _, k := range old[:min(n, len(old))] {
		delete(c.alerts, k)
	}
}

// Alerts lists the alerts not acknowledged, worst kind first, then the
// longest-lasting first.
func (c *Compliance) Alerts(now time.Time) []Alert {
	c.mu.Lock()
	out := make([]Alert, 0, len(c.alerts))
	for _, a := range c.alerts {
		if !a.Acked {
			out = append(out, *a)
		}
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(x, y Alert) int {
		if x.Kind != y.Kind {
			return int(x.Kind - y.Kind)
		}
		if d := y.For(now) - x.For(now); d != 0 {
			if d > 0 {
				return 1
			}
			return -1
		}
		if x.Key.UCC != y.Key.UCC {
			if x.Key.UCC < y.Key.UCC {
				return -1
			}
			return 1
		}
		if x.Key.CorrelationID < y.Key.CorrelationID {
			return -1
		}
		if x.Key.CorrelationID > y.Key.CorrelationID {
			return 1
		}
		return 0
	})
	return out
}

// Ack acknowledges an alert: it leaves the list (an inactive one is
// forgotten; an active one comes back only if it clears and recurs).
func (c *Compliance) Ack(key SessionKey, kind FlagKind) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.alerts[alertKey{key, kind}]
	if !ok || a.Acked {
		return false
	}
	a.Acked = true
	if !a.Active {
		delete(c.alerts, alertKey{key, kind})
		c.counts[kind]--
	}
	c.version++
	return true
}

// Flags is the active flags of one session (for the row's mark).
func (c *Compliance) Flags(key SessionKey) []FlagKind {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []FlagKind
	for _, k := range FlagKinds {
		if a, ok := c.alerts[alertKey{key, k}]; ok && a.Active {
			out = append(out, k)
		}
	}
	return out
}

// Active lists the flags whose condition holds now, acknowledged or not
// (the rows' marks).
func (c *Compliance) Active() []Flag {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Flag
	for _, a := range c.alerts {
		if a.Active {
			out = append(out, a.Flag)
		}
	}
	return out
}

// Counts is how many sessions carry each flag now (inactive alerts count
// until acknowledged).
func (c *Compliance) Counts() map[FlagKind]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[FlagKind]int, len(c.counts))
	for k, n := range c.counts {
		if n > 0 {
			out[k] = n
		}
	}
	return out
}

// Raised counts the alerts raised so far: the console rings the bell when
// it grows.
func (c *Compliance) Raised() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.raised
}

// Version changes whenever the alerts or counts do.
func (c *Compliance) Version() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}
