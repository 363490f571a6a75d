package main

import (
	"fmt"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// policies builds the compliance policy from the profile (max_pause, its
// old name payment_max, enforce_max_pause, start_grace, records_by_default,
// bell, and the ucc_policy overrides), then the flags --max-pause and
// --enforce-max-pause, which apply to every UCC: a flag is this run's
// explicit request. A bad value is a usage error.
func (g *globals) policies(p Profile) (anywhere365.Policies, error) {
	base := anywhere365.DefaultPolicy()
	if p.PaymentMax != 0 {
		base.MaxPause = p.PaymentMax
	}
	if p.MaxPause != 0 {
		base.MaxPause = p.MaxPause
	}
	if p.EnforceMaxPause != nil {
		base.EnforceMaxPause = *p.EnforceMaxPause
	}
	if p.StartGrace != 0 {
		base.StartGrace = p.StartGrace
	}
	if p.RecordsByDefault != nil {
		base.RecordsByDefault = *p.RecordsByDefault
	}
	if p.Bell != nil {
		base.Bell = *p.Bell
	}
	flags := func(o *anywhere365.PolicyOverride) {
		if g.maxPause != 0 {
			d := g.maxPause
			o.MaxPause = &d
		}
		if g.enforceMaxPause {
			on := true
			o.EnforceMaxPause = &on
		}
	}
	var top anywhere365.PolicyOverride
	flags(&top)
	base = top.Apply(base)
	over := map[string]anywhere365.PolicyOverride{}
	for ucc, u := range p.UCCPolicy {
		o := anywhere365.PolicyOverride{MaxPause: u.MaxPause, EnforceMaxPause: u.EnforceMaxPause,
			StartGrace: u.StartGrace, RecordsByDefault: u.RecordsByDefault}
		if o.MaxPause == nil {
			o.MaxPause = u.PaymentMax
		}
		flags(&o)
		over[ucc] = o
	}
	ps, err := anywhere365.NewPolicies(base, over)
	if err != nil {
		return anywhere365.Policies{}, withExit(exitUsage, fmt.Errorf("policy: %w (max_pause, --max-pause, start_grace)", err))
	}
	return ps, nil
}
