package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// globals holds the flags every subcommand shares and the profile they
// resolve to. bind registers them as persistent flags on the root.
type globals struct {
	// profileNames are the --profile flags (the console may follow several
	// servers); profileName is the one profile() resolved.
	profileNames []string
	profileName  string
	// noAudit is the vendor commands' --no-audit (set and pci have their own).
	noAudit      bool
	baseURL      string
	api          string
	hubURL       string
	sip          string
	tenant       string
	tokenURL     string
	username     string
	grantType    string
	actionByName bool
	timeout      time.Duration
	jsonOut      bool
	insecure     bool
	// maxPause and enforceMaxPause are the policy flags (policy.go).
	maxPause        time.Duration
	enforceMaxPause bool

	root      *cobra.Command // for its stderr (warnings)
	loaded    *Profile       // profile() result, computed once
	warned    bool
	dirWarned bool
}

func (g *globals) bind(root *cobra.Command) {
	g.root = root
	f := root.PersistentFlags()
	f.StringArrayVar(&g.profileNames, "profile", nil, "named profile from the config file ($RECDECK_CONFIG or <user config dir>/recdeck/config.yaml); the console follows several servers when repeated")
	f.StringVar(&g.baseURL, "base-url", "", "server base URL, e.g. https://fqdn")
	f.StringVar(&g.api, "api", "", "Anywhere365 API version: v1 (no auth) or v2 (bearer token)")
	f.StringVar(&g.hubURL, "hub-url", "", "SignalR hub URL (default {base}/attendantservice/hubs/recording)")
	f.StringVar(&g.sip, "sip", "", "requester SIP URI, e.g. sip:agent@domain.com")
	f.StringVar(&g.tenant, "tenant", "", "AnywhereNow tenant id (v2 token realm)")
	f.StringVar(&g.tokenURL, "token-url", "", "token endpoint URL (v2; default from --tenant)")
	f.StringVar(&g.username, "username", "", "user name for the token (v2); password from RECDECK_PASSWORD")
	f.StringVar(&g.grantType, "grant-type", "", "v2 token grant: password (default) or client_credentials")
	f.BoolVar(&g.actionByName, "action-by-name", false, `send set actions by name ("Mark") instead of by id (6)`)
	f.DurationVar(&g.timeout, "timeout", 0, "timeout of each HTTP request (default 10s)")
	f.BoolVar(&g.jsonOut, "json", false, "print the API's JSON")
	f.BoolVar(&g.insecure, "insecure-skip-verify", false, "do not verify TLS certificates (shown in the header while active)")
	f.DurationVar(&g.maxPause, "max-pause", 0, "longest a recording may stay paused: payment mode and pci resume at it, longer pauses are flagged overdue (default 3m; config max_pause)")
	f.BoolVar(&g.enforceMaxPause, "enforce-max-pause", false, "resume every pause older than --max-pause, whoever made it (config enforce_max_pause)")
}

// profile returns the selected profile from the config file, with
// RECDECK_PASSWORD / RECDECK_CLIENT_SECRET and then the flags laid over it.
// Vendor subcommands read their section from it. Errors are usage errors
// (exit status 2). A config file holding secrets that group or others can
// read gives a warning on stderr, naming the keys, never their values.
func (g *globals) profile() (Profile, error) {
	if g.loaded != nil {
		return *g.loaded, nil
	}
	if len(g.profileNames) > 1 {
		return Profile{}, withExit(exitUsage, fmt.Errorf("--profile given %d times: only the console (recdeck with no command) follows several servers", len(g.profileNames)))
	}
	cfg, path, err := g.config()
	if err != nil {
		return Profile{}, err
	}
	if len(g.profileNames) == 1 {
		g.profileName = g.profileNames[0]
	}
	p, err := g.resolve(cfg, path, g.profileName)
	if err != nil {
		return Profile{}, err
	}
	g.loaded = &p
	return p, nil
}

// namedProfile is a resolved profile and the name it was chosen by.
type namedProfile struct {
	Name string
	Profile
}

// consoleProfiles are the profiles the console follows: every --profile
// given, else default_profile's list, else the one profile() picks. With
// several, the flags that name one server (--base-url, --hub-url) are
// refused: they would point every profile at the same server.
func (g *globals) consoleProfiles() ([]namedProfile, error) {
	names := g.profileNames
	var cfg *configFile
	var path string
	if len(names) == 0 {
		var err error
		if cfg, path, err = g.config(); err != nil {
			return nil, err
		}
		if len(cfg.DefaultProfile) > 1 {
			names = cfg.DefaultProfile
		}
	}
	if len(names) <= 1 {
		p, err := g.profile()
		return []namedProfile{{Name: g.profileName, Profile: p}}, err
	}
	if g.baseURL != "" || g.hubURL != "" {
		return nil, withExit(exitUsage, errors.New("--base-url and --hub-url name one server: with several profiles, set base_url in each profile"))
	}
	if cfg == nil {
		var err error
		if cfg, path, err = g.config(); err != nil {
			return nil, err
		}
	}
	out, err := g.byNames(cfg, path, names)
	if err != nil {
		return nil, err
	}
	g.profileName = out[0].Name
	g.loaded = &out[0].Profile
	return out, nil
}

// switchProfiles resolves the profiles ":profile" names. The flags that
// name one server are refused (they would point every profile at it).
func (g *globals) switchProfiles(names []string) ([]namedProfile, error) {
	if g.baseURL != "" || g.hubURL != "" {
		return nil, errSwitchFlags
	}
	cfg, path, err := g.config()
	if err != nil {
		return nil, err
	}
	return g.byNames(cfg, path, names)
}

// configProfiles are the config file's profile names, sorted (what
// ":profile" completes); none when it cannot be read.
func (g *globals) configProfiles() []string {
	cfg, _, err := g.config()
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(cfg.Profiles))
	for n := range cfg.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// byNames resolves each named profile once, in order.
func (g *globals) byNames(cfg *configFile, path string, names []string) ([]namedProfile, error) {
	var out []namedProfile
	seen := map[string]bool{}
	for _, name := range names {
		if name == "" || seen[name] {
			continue // a profile followed twice is followed once
		}
		seen[name] = true
		p, err := g.resolve(cfg, path, name)
		if err != nil {
			return nil, err
		}
		out = append(out, namedProfile{Name: name, Profile: p})
	}
	if len(out) == 0 {
		return nil, withExit(exitUsage, errors.New("no profile named"))
	}
	return out, nil
}

// config reads the config file (none: an empty one), warning once on
// stderr about one that others can read or replace.
func (g *globals) config() (*configFile, string, error) {
	path, explicit, err := configPath()
	if err != nil {
		// No config directory (no $HOME): run on flags alone.
		path, explicit = "", false
	}
	cfg := &configFile{}
	var exposed []string
	if path != "" {
		if cfg, exposed, err = loadConfig(path, explicit); err != nil {
			return nil, "", withExit(exitUsage, err)
		}
	}
	if len(exposed) > 0 && !g.warned {
		g.warned = true
		// Our own words and the user's path: made printable, not redacted
		// (a key name such as client_secret may share six letters with a
		// secret).
		pp := safetext.Printable(path)
		fmt.Fprintf(g.stderr(), "recdeck: warning: config file %s holds secrets (%s) and is readable by group or others; run: chmod 600 %s\n",
			pp, safetext.Printable(strings.Join(exposed, ", ")), pp)
	}
	if dir := openConfigDir(path); dir != "" && !g.dirWarned {
		g.dirWarned = true
		dp := safetext.Printable(dir)
		fmt.Fprintf(g.stderr(), "recdeck: warning: config directory %s is writable by anyone: others can replace the config (and send your credentials to their server); run: chmod o-w %s\n",
			dp, dp)
	}
	return cfg, path, nil
}

// resolve picks the profile called name (see pickProfile) and lays
// RECDECK_PASSWORD / RECDECK_CLIENT_SECRET and then the flags over it.
func (g *globals) resolve(cfg *configFile, path, name string) (Profile, error) {
	p, err := pickProfile(cfg, name, path)
	if err != nil {
		return Profile{}, withExit(exitUsage, err)
	}
	if v := os.Getenv("RECDECK_PASSWORD"); v != "" {
		p.Password = v
	}
	if v := os.Getenv("RECDECK_CLIENT_SECRET"); v != "" {
		p.ClientSecret = v
	}
	registerSecrets(p)
	g.overlay(&p)
	// overlay ignores a negative --timeout: refuse it (and one from the
	// file) rather than silently use the default.
	for _, d := range []time.Duration{g.timeout, p.Timeout} {
		if d < 0 {
			return Profile{}, withExit(exitUsage, fmt.Errorf("timeout must not be negative, got %v", d))
		}
	}
	return p, nil
}

func (g *globals) stderr() io.Writer {
	if g.root != nil {
		return g.root.ErrOrStderr()
	}
	return os.Stderr
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
	set(&p.GrantType, g.grantType)
	if g.actionByName {
		p.ActionByName = true
	}
	if g.timeout > 0 {
		p.Timeout = g.timeout
	}
	if g.insecure {
		p.InsecureSkipVerify = true
	}
}

// httpClient returns the HTTP client every vendor client should use: TLS is
// verified unless the user opted out with --insecure-skip-verify, and the
// one redirect policy (httpsafe) keeps credentials and commands from
// following a redirect elsewhere. Clients that copy it (the hub's
// negotiate client, oauth2 token requests) inherit the policy.
func (g *globals) httpClient(p Profile) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = anywhere365.IdleConnsPerHost // no connection churn under the tracker's concurrent GETs
	if p.InsecureSkipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit user opt-out, shown in the header
	}
	return httpsafe.Client(&http.Client{Transport: t})
}

// registerSecrets gives every secret of the profile (config file and
// environment, including the vendor sections and their variables, which
// the vendor files lay over the profile later) to the one redactor, as
// soon as it enters the process: from then on no error, output or log line
// of recdeck shows any of them, in any encoding, or any 6-character piece
// of one.
func registerSecrets(p Profile) {
	for _, s := range []string{p.Password, p.ClientSecret, p.VoipNow.ClientSecret, p.Noojee.APIKey, p.Akixi.Password,
		os.Getenv(voipnowSecretEnv), os.Getenv(noojeeKeyEnv), os.Getenv(akixiPasswordEnv)} {
		safetext.AddSecret(s)
	}
}

// errNoBaseURL is what the core commands say when no server is configured.
var errNoBaseURL = errors.New("no server given: use --base-url (or base_url in a config profile); `recdeck sim` serves a local simulator")

// coreClient builds the Anywhere365 REST client from a resolved profile.
// Watch and the TUI use it too. A bad profile is a usage error (exit 2).
func (g *globals) coreClient(p Profile) (*anywhere365.Client, error) {
	if p.BaseURL == "" {
		return nil, withExit(exitUsage, errNoBaseURL)
	}
	c, err := anywhere365.New(anywhere365.Config{
		BaseURL:            p.BaseURL,
		APIVersion:         p.API,
		HubURL:             p.HubURL,
		ActionByName:       p.ActionByName,
		Timeout:            p.Timeout,
		HTTPClient:         g.httpClient(p),
		InsecureSkipVerify: p.InsecureSkipVerify,
		TokenURL:           p.TokenURL,
		Tenant:             p.Tenant,
		Username:           p.Username,
		Password:           p.Password,
		ClientSecret:       p.ClientSecret,
		GrantType:          p.GrantType,
	})
	if err != nil {
		return nil, withExit(exitUsage, err)
	}
	return c, nil
}

// coreExit maps an Anywhere365 client error to the CLI's exit statuses:
// input refused before sending -> 2, an ErrorMessage from the API -> 1,
// anything else (no answer, an unusable answer, authentication) -> 3.
func coreExit(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	var ve *anywhere365.ValidationError
	var ae *anywhere365.APIError
	switch {
	case errors.As(err, &ee):
		return err
	case errors.As(err, &ve):
		return withExit(exitUsage, err)
	case errors.As(err, &ae):
		return withExit(exitAPI, err)
	default:
		return withExit(exitNetwork, err)
	}
}
