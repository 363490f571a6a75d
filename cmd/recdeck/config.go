package main

// Profile is one named profile of the YAML config file
// (~/.config/recdeck/config.yaml). Flags override it. Each vendor keeps its
// settings in its own section, typed in that vendor's file.
//
// OWNER: the core CLI work (issue 2) completes loading, merging and the
// world-readable-secrets warning.
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

	VoipNow VoipNowProfile `yaml:"voipnow"`
	Noojee  NoojeeProfile  `yaml:"noojee"`
	Akixi   AkixiProfile   `yaml:"akixi"`
}
