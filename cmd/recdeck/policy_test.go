package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The policy comes from the profile (max_pause, or its old name
// payment_max), with per-UCC overrides, and the flags apply to every UCC.
func TestPolicyFromConfigAndFlags(t *testing.T) {
	home := isolate(t)
	writeConfig(t, home, `profiles:
  default:
    base_url: http://127.0.0.1:1
    payment_max: 2m
    start_grace: 20s
    bell: false
    ucc_policy:
      payments:
        max_pause: 90s
        enforce_max_pause: true
      legacy:
        payment_max: 45s
      quiet:
        records_by_default: false
`)
	pol := func(args ...string) (func(string) (time.Duration, bool), error) {
		root := &cobra.Command{Use: "recdeck"}
		g := &globals{}
		g.bind(root)
		if err := root.PersistentFlags().Parse(args); err != nil {
			t.Fatal(err)
		}
		p, err := g.profile()
		if err != nil {
			return nil, err
		}
		ps, err := g.policies(p)
		if err != nil {
			return nil, err
		}
		if b := ps.Base(); b.Bell || b.StartGrace != 20*time.Second {
			t.Fatalf("base policy %+v", b)
		}
		if ps.For("quiet").RecordsByDefault || !ps.For("other").RecordsByDefault {
			t.Fatal("records_by_default not applied per UCC")
		}
		return func(ucc string) (time.Duration, bool) {
			p := ps.For(ucc)
			return p.MaxPause, p.EnforceMaxPause
		}, nil
	}
	f, err := pol()
	if err != nil {
		t.Fatal(err)
	}
	for ucc, want := range map[string]struct {
		d  time.Duration
		on bool
	}{"other": {2 * time.Minute, false}, "payments": {90 * time.Second, true}, "legacy": {45 * time.Second, false}} {
		if d, on := f(ucc); d != want.d || on != want.on {
			t.Errorf("%s: max %v enforce %v, want %v %v", ucc, d, on, want.d, want.on)
		}
	}
	f, err = pol("--max-pause", "30s", "--enforce-max-pause")
	if err != nil {
		t.Fatal(err)
	}
	for _, ucc := range []string{"other", "payments", "legacy"} {
		if d, on := f(ucc); d != 30*time.Second || !on {
			t.Errorf("%s with flags: %v %v", ucc, d, on)
		}
	}
	if _, err := pol("--max-pause", "-5s"); err == nil || !strings.Contains(err.Error(), "max_pause must be positive") {
		t.Fatalf("a negative --max-pause: %v", err)
	}
}
