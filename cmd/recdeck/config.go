package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// Profile is one named profile of the YAML config file
// (os.UserConfigDir()/recdeck/config.yaml, or $RECDECK_CONFIG). Flags
// override it; RECDECK_PASSWORD and RECDECK_CLIENT_SECRET override its
// secrets. Each vendor keeps its settings in its own section, typed in that
// vendor's file.
type Profile struct {
	BaseURL            string `yaml:"base_url"`
	API                string `yaml:"api"`
	HubURL             string `yaml:"hub_url"`
	SIP                string `yaml:"sip"`
	Tenant             string `yaml:"tenant"`
	TokenURL           string `yaml:"token_url"`
	Username           string `yaml:"username"`
	Password           string `yaml:"password"`
	ClientSecret       string `yaml:"client_secret"`
	GrantType          string `yaml:"grant_type"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
	Theme              string `yaml:"theme"`
	// Keys rebinds TUI keys: binding name -> keys, e.g. pause: ["p", "space"].
	Keys map[string][]string `yaml:"keys"`
	// Columns are the console table's columns, in order (hidden: absent),
	// e.g. [ucc, correlation, recording, age]; the column chooser (C)
	// writes it back (columns.go).
	Columns []string `yaml:"columns"`

	// UCC is the default UCC for get, set and caps when --ucc is not given.
	UCC string `yaml:"ucc"`
	// ActionByName sends set actions by name ("Mark") instead of by id.
	ActionByName bool `yaml:"action_by_name"`
	// Timeout bounds each HTTP request, e.g. "10s" (default 10 s).
	Timeout time.Duration `yaml:"timeout"`
	// The compliance policy (client/anywhere365/policy.go), overridable per
	// UCC under ucc_policy. MaxPause is how long a recording may stay
	// paused, e.g. "2m" (default 3m; --max-pause overrides): payment mode
	// resumes at it and a longer pause is flagged overdue. PaymentMax is
	// its old name, still accepted (max_pause wins when both are set).
	MaxPause   time.Duration `yaml:"max_pause"`
	PaymentMax time.Duration `yaml:"payment_max"`
	// EnforceMaxPause resumes every pause older than MaxPause, whoever
	// made it (default off; --enforce-max-pause turns it on).
	EnforceMaxPause *bool `yaml:"enforce_max_pause"`
	// StartGrace is how long a new call may stay unrecorded before it is
	// flagged "not recording" (default 15s).
	StartGrace time.Duration `yaml:"start_grace"`
	// RecordsByDefault says the UCCs start recording when a call is
	// answered (default on); Bell rings on a new alert (default on).
	RecordsByDefault *bool `yaml:"records_by_default"`
	Bell             *bool `yaml:"bell"`
	// UCCPolicy overrides the policy per UCC (technical name).
	UCCPolicy map[string]UCCPolicy `yaml:"ucc_policy"`

	// Hub tunes the Anywhere365 SignalR listener.
	Hub HubProfile `yaml:"hub"`

	VoipNow VoipNowProfile `yaml:"voipnow"`
	Noojee  NoojeeProfile  `yaml:"noojee"`
	Akixi   AkixiProfile   `yaml:"akixi"`
}

// HubProfile is a profile's hub section.
type HubProfile struct {
	// MaxMessageSize is the largest hub message accepted, in bytes
	// (default 1 MiB, anywhere365.DefaultMaxMessageSize). A larger one is
	// skipped and reported; one over 64 times it closes the connection.
	MaxMessageSize uint `yaml:"max_message_size"`
	// ReadBudget is how many REST re-reads of call states a second the
	// console may send (default 50, anywhere365.DefaultReadBudget;
	// negative: no limit). With 100,000 calls, the default takes half an
	// hour to see them all end.
	ReadBudget float64 `yaml:"read_budget"`
	// KeepAlive is how long the console stays silent on the hub before it
	// pings (default 15s, anywhere365.DefaultKeepAlive: the ASP.NET Core
	// client's). A hub drops a client silent for its ClientTimeoutInterval
	// (30 s by default): for one configured shorter, set at most half.
	KeepAlive time.Duration `yaml:"keep_alive"`
}

// UCCPolicy is one UCC's policy override: keys left out keep the profile's.
type UCCPolicy struct {
	MaxPause         *time.Duration `yaml:"max_pause"`
	PaymentMax       *time.Duration `yaml:"payment_max"`
	EnforceMaxPause  *bool          `yaml:"enforce_max_pause"`
	StartGrace       *time.Duration `yaml:"start_grace"`
	RecordsByDefault *bool          `yaml:"records_by_default"`
}

// configFile is the whole YAML file.
//
//	default_profile: prod          # or a list: [prod, lab]
//	profiles:
//	  prod: {base_url: https://fqdn, api: v2, tenant: ..., username: ...}
//
// default_profile may list several profiles: the console then follows
// all of their servers at once (like repeating --profile), and the
// commands that talk to one server use the first.
type configFile struct {
	DefaultProfile nameList           `yaml:"default_profile"`
	Profiles       map[string]Profile `yaml:"profiles"`
}

// nameList is one name or a list of names in YAML.
type nameList []string

func (l *nameList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = nil
		if n.Value != "" {
			*l = nameList{n.Value}
		}
		return nil
	}
	var names []string
	if err := n.Decode(&names); err != nil {
		return fmt.Errorf("line %d: default_profile must be a profile name or a list of them", n.Line)
	}
	*l = names
	return nil
}

// maxConfigBytes bounds the config file read: a config is a few KiB.
const maxConfigBytes = 1 << 20

// configPath returns the config file's path and whether the user named it
// explicitly (RECDECK_CONFIG), in which case it must exist.
func configPath() (string, bool, error) {
	if p := os.Getenv("RECDECK_CONFIG"); p != "" {
		return p, true, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", false, err
	}
	return filepath.Join(dir, "recdeck", "config.yaml"), false, nil
}

// loadConfig reads and decodes the config file. A missing file is an empty
// config unless explicit. The second result names the secret keys found
// when the file is readable by group or others (for the warning).
func loadConfig(path string, explicit bool) (*configFile, []string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return &configFile{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > maxConfigBytes {
		return nil, nil, fmt.Errorf("config file %s: larger than %d bytes", path, maxConfigBytes)
	}
	cfg, secrets, err := decodeConfig(data)
	if err != nil {
		return nil, nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var exposed []string
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		exposed = secrets
	}
	return cfg, exposed, nil
}

// openConfigDir returns the directory holding the config file when anyone
// may write to it (world-writable; "" otherwise, or when it does not
// exist). A group-writable directory is left alone: with user-private
// groups (umask 002) that group is the user alone.
// Whoever can write there can replace the config, or create one where none
// is yet, and point base_url or token_url at their own server: the next run
// would send RECDECK_PASSWORD there. The file's own mode cannot prevent
// that, so the directory is checked like the file. The sticky bit (as on
// /tmp) stops others replacing or renaming a file the user owns, but not
// creating a missing one: it silences the warning only while the config
// exists and is the user's own.
func openConfigDir(path string) string {
	if path == "" {
		return ""
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm()&0o002 == 0 {
		return ""
	}
	if st.Mode()&os.ModeSticky != 0 && ownFile(path) {
		return ""
	}
	return dir
}

// ownFile reports whether path is a regular file (not a link) owned by
// this process's user.
func ownFile(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	sys, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid()
}

// The regular expressions are compiled on first use, not when the package
// loads: most runs never need them (a missing or empty config file, no
// decoding error), and compiling them cost every start of the binary.
var unknownFieldRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^line (\d+): field (\S+) not found in type main\.(\w+)$`)
})

// decodeConfig decodes a config file strictly (unknown keys are errors)
// and lists the keys that hold secrets, as "profile.key" paths.
func decodeConfig(data []byte) (*configFile, []string, error) {
	cfg := &configFile{}
	if len(data) == 0 {
		// An empty file is an empty config: skip the two YAML passes
		// (their first use costs a start-up a noticeable share).
		return cfg, nil, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, friendlyYAMLError(err)
	}
	for name := range cfg.Profiles {
		if name == "" {
			return nil, nil, errors.New("a profile has an empty name")
		}
	}
	for _, name := range cfg.DefaultProfile {
		if _, ok := cfg.Profiles[name]; !ok {
			return nil, nil, fmt.Errorf("default_profile %q is not among the profiles (%s)", name, profileNames(cfg))
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, friendlyYAMLError(err)
	}
	var secrets []string
	findSecrets(&root, "", &secrets)
	sort.Strings(secrets)
	return cfg, secrets, nil
}

// friendlyYAMLError rewrites yaml.v3's "field x not found in type
// main.Profile" as `unknown key "x" (in profile)`, keeping the line.
func friendlyYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		if g := unknownFieldRe().FindStringSubmatch(m); g != nil {
			where := map[string]string{"configFile": "at the top level (want default_profile, profiles)", "Profile": "in a profile"}[g[3]]
			if where == "" {
				where = "in the " + strings.ToLower(strings.TrimSuffix(g[3], "Profile")) + " section"
			}
			m = fmt.Sprintf("line %s: unknown key %q %s", g[1], g[2], where)
		}
		msgs = append(msgs, m)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// secretKeyRe matches key names that hold secrets in any section, so the
// permission warning covers vendor sections too.
var secretKeyRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(password|secret|api_?key|(^|_)token$)`)
})

func findSecrets(n *yaml.Node, path string, out *[]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			findSecrets(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if v.Kind == yaml.ScalarNode && v.Value != "" && secretKeyRe().MatchString(k.Value) {
				*out = append(*out, p)
			}
			findSecrets(v, p, out)
		}
	}
}

func profileNames(cfg *configFile) string {
	if len(cfg.Profiles) == 0 {
		return "none defined"
	}
	names := make([]string, 0, len(cfg.Profiles))
	for n := range cfg.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// pickProfile chooses the profile: the one named (--profile), else
// default_profile, else one called "default", else an empty profile.
func pickProfile(cfg *configFile, name, path string) (Profile, error) {
	if name == "" && len(cfg.DefaultProfile) > 0 {
		name = cfg.DefaultProfile[0]
	}
	if name == "" {
		return cfg.Profiles["default"], nil
	}
	p, ok := cfg.Profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("profile %q not found in %s (profiles: %s)", name, path, profileNames(cfg))
	}
	return p, nil
}
