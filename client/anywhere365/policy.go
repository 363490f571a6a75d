package anywhere365

import (
	"fmt"
	"time"
)

// The compliance policy: how long a recording may stay paused, whether the
// console itself ends a pause that outlived that, how long a new call may
// stay unrecorded, and whether an alert rings the terminal bell. One policy
// per profile, overridable per UCC (cmd/recdeck's config file). The policy
// is data: PauseGuard and Compliance apply it.

// Policy defaults.
const (
	// DefaultMaxPause is the longest a pause may last (payment mode's
	// automatic resume and the "overdue" flag): 3 minutes covers a card
	// payment taken over the phone with room to spare.
	DefaultMaxPause = 3 * time.Minute
	// DefaultStartGrace is how long a new call's recording may stay
	// Uninitialized on a UCC that records by default before it is flagged
	// "not recording" (answering and starting the recorder take a moment).
	DefaultStartGrace = 15 * time.Second
)

// Policy is the compliance policy of one UCC.
type Policy struct {
	// MaxPause is how long a recording may stay paused. A payment-mode
	// pause is resumed when it runs out; any other pause is flagged
	// overdue, and resumed too when EnforceMaxPause is on.
	MaxPause time.Duration
	// EnforceMaxPause makes the console resume every pause older than
	// MaxPause, whoever made it (audited as a policy-driven resume).
	EnforceMaxPause bool
	// StartGrace is how long a call's recording may stay Uninitialized
	// before it is flagged "not recording" (only where RecordsByDefault).
	StartGrace time.Duration
	// RecordsByDefault says the UCC starts its recorder when a call is
	// answered (the UCC setting UseAudioRecording). The API does not report
	// that setting, so it is policy: on unless the config says otherwise.
	RecordsByDefault bool
	// Bell rings the terminal bell once when a new alert appears.
	Bell bool
}

// DefaultPolicy is the policy when the config says nothing.
func DefaultPolicy() Policy {
	return Policy{MaxPause: DefaultMaxPause, StartGrace: DefaultStartGrace, RecordsByDefault: true, Bell: true}
}

// PolicyOverride is a partial Policy: nil fields keep the base's value.
type PolicyOverride struct {
	MaxPause         *time.Duration
	EnforceMaxPause  *bool
	StartGrace       *time.Duration
	RecordsByDefault *bool
	Bell             *bool
}

// Apply lays o over p.
func (o PolicyOverride) Apply(p Policy) Policy {
	if o.MaxPause != nil {
		p.MaxPause = *o.MaxPause
	}
	if o.EnforceMaxPause != nil {
		p.EnforceMaxPause = *o.EnforceMaxPause
	}
	if o.StartGrace != nil {
		p.StartGrace = *o.StartGrace
	}
	if o.RecordsByDefault != nil {
		p.RecordsByDefault = *o.RecordsByDefault
	}
	if o.Bell != nil {
		p.Bell = *o.Bell
	}
	return p
}

// Validate refuses durations that make no sense.
func (p Policy) Validate() error {
	if p.MaxPause <= 0 {
		return fmt.Errorf("max_pause must be positive, got %v", p.MaxPause)
	}
	if p.StartGrace < 0 {
		return fmt.Errorf("start_grace must not be negative, got %v", p.StartGrace)
	}
	return nil
}

// Policies is the profile's policy and its per-UCC overrides. The zero
// value is DefaultPolicy everywhere.
type Policies struct {
	Default Policy
	// PerUCC holds the UCCs whose policy differs (already merged over
	// Default), by technical UCC name.
	PerUCC map[string]Policy
	set    bool
}

// NewPolicies builds the policy set: base for every UCC, overrides merged
// over it per UCC. Every resulting policy is validated.
func NewPolicies(base Policy, overrides map[string]PolicyOverride) (Policies, error) {
	if err := base.Validate(); err != nil {
		return Policies{}, err
	}
	ps := Policies{Default: base, set: true}
	for ucc, o := range overrides {
		p := o.Apply(base)
		if err := p.Validate(); err != nil {
			return Policies{}, fmt.Errorf("UCC %s: %w", ucc, err)
		}
		if ps.PerUCC == nil {
			ps.PerUCC = map[string]Policy{}
		}
		ps.PerUCC[ucc] = p
	}
	return ps, nil
}

// For is the policy of one UCC.
func (ps Policies) For(ucc string) Policy {
	if p, ok := ps.PerUCC[ucc]; ok {
		return p
	}
	if !ps.set {
		return DefaultPolicy()
	}
	return ps.Default
}

// Base is the profile-wide policy (the bell, the default maximum).
func (ps Policies) Base() Policy {
	if !ps.set {
		return DefaultPolicy()
	}
	return ps.Default
}

// AnyEnforced reports whether some UCC enforces its maximum pause.
func (ps Policies) AnyEnforced() bool {
	if ps.Base().EnforceMaxPause {
		return true
	}
	for _, p := range ps.PerUCC {
		if p.EnforceMaxPause {
			return true
		}
	}
	return false
}
