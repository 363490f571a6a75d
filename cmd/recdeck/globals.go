package main

import (
	"crypto/tls"
	"net/http"

	"github.com/spf13/cobra"
)

// globals holds the flags every subcommand shares and the profile they
// resolve to. bind registers them as persistent flags on the root.
//
// OWNER: the core CLI work (issue 2) completes this file and config.go.
type globals struct {
	profileName string
	baseURL     string
	api         string
	hubURL      string
	sip         string
	tenant      string
	tokenURL    string
	username    string
	jsonOut     bool
	insecure    bool
}

func (g *globals) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.profileName, "profile", "", "named profile from the config file")
	f.StringVar(&g.baseURL, "base-url", "", "server base URL, e.g. https://fqdn")
	f.StringVar(&g.api, "api", "", "Anywhere365 API version: v1 (no auth) or v2 (bearer token)")
	f.StringVar(&g.hubURL, "hub-url", "", "SignalR hub URL (default {base}/attendantservice/hubs/recording)")
	f.StringVar(&g.sip, "sip", "", "requester SIP URI, e.g. sip:agent@domain.com")
	f.StringVar(&g.tenant, "tenant", "", "AnywhereNow tenant id (v2 token realm)")
	f.StringVar(&g.tokenURL, "token-url", "", "token endpoint URL (v2)")
	f.StringVar(&g.username, "username", "", "user name for the token (v2); password from RECDECK_PASSWORD")
	f.BoolVar(&g.jsonOut, "json", false, "print the API's JSON")
	f.BoolVar(&g.insecure, "insecure-skip-verify", false, "do not verify TLS certificates (shown in the header while active)")
}

// profile returns the selected profile from the config file with the flags
// laid over it. Vendor subcommands read their section from it.
func (g *globals) profile() (Profile, error) {
	p := Profile{}
	g.overlay(&p)
	return p, nil
}

// overlay lays the flags that were given over p.
func (g *globals) overlay(p *Profile) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.BaseURL, g.baseURL)
	set(&p.API, g.api)
	set(&p.HubURL, g.hubURL)
	set(&p.SIP, g.sip)
	set(&p.Tenant, g.tenant)
	set(&p.TokenURL, g.tokenURL)
	set(&p.Username, g.username)
	if g.insecure {
		p.InsecureSkipVerify = true
	}
}

// httpClient returns the HTTP client every vendor client should use: TLS is
// verified unless the user opted out with --insecure-skip-verify.
func (g *globals) httpClient(p Profile) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if p.InsecureSkipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit user opt-out, shown in the header
	}
	return &http.Client{Transport: t}
}
