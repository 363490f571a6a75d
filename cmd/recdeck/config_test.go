package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const coreTestConfig = `# recdeck config
default_profile: demo
profiles:
  demo:
    base_url: BASE
    ucc: helpdesk
    sip: sip:agent@domain.com
    timeout: 5s
  prod:
    base_url: https://fqdn.example
    api: v2
    tenant: 2ed153b4-f632-4766-b846-5b2a769b36d1
    username: alice
    password: file-password-value
    client_secret: file-secret-value
    grant_type: password
    action_by_name: true
    keys:
      pause: [p, space]
`

func writeCoreConfig(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile keeps an existing file's mode
		t.Fatal(err)
	}
}

func TestConfigProfilesAndOverrides(t *testing.T) {
	path := coreEnv(t)
	st := coreSim(t)
	writeCoreConfig(t, path, strings.Replace(coreTestConfig, "BASE", st.URL, 1), 0o600)

	// default_profile gives the server and the default UCC.
	code, out, errOut := coreRun(t, "caps")
	if code != exitOK || out != "helpdesk AgentCanEditRecordings=false\n" || errOut != "" {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	// Flags override the profile.
	code, out, _ = coreRun(t, "caps", "--ucc", "payments")
	if code != exitOK || out != "payments AgentCanEditRecordings=true\n" {
		t.Fatalf("code %d out %q", code, out)
	}

	g := &globals{profileName: "prod", username: "bob"}
	p, err := g.profile()
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseURL != "https://fqdn.example" || p.API != "v2" || p.Username != "bob" || p.Password != "file-password-value" ||
		p.ClientSecret != "file-secret-value" || !p.ActionByName || len(p.Keys["pause"]) != 2 {
		t.Fatalf("profile %+v", p)
	}
	// Environment secrets override the file's.
	t.Setenv("RECDECK_PASSWORD", "env-password")
	t.Setenv("RECDECK_CLIENT_SECRET", "env-secret")
	g = &globals{profileName: "prod", timeout: time.Second}
	if p, err = g.profile(); err != nil || p.Password != "env-password" || p.ClientSecret != "env-secret" || p.Timeout != time.Second {
		t.Fatalf("profile %+v %v", p, err)
	}
	g = &globals{}
	if p, err = g.profile(); err != nil || p.Timeout != 5*time.Second || p.UCC != "helpdesk" {
		t.Fatalf("default profile %+v %v", p, err)
	}

	code, _, errOut = coreRun(t, "caps", "--profile", "staging")
	if code != exitUsage || errOut != "recdeck: profile \"staging\" not found in "+path+" (profiles: demo, prod)\n" {
		t.Fatalf("code %d err %q", code, errOut)
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	path := coreEnv(t)
	cases := []struct {
		body string
		want string
	}{
		{"profiles:\n  a:\n    base_url: x\n    bogus: 1\n", `line 4: unknown key "bogus" in a profile`},
		{"profile:\n  a: {}\n", `line 1: unknown key "profile" at the top level (want default_profile, profiles)`},
		{"profiles:\n  a:\n    base_url: [\n", "line 3: did not find expected node content"},
		{"profiles:\n  a:\n    timeout: soon\n", "line 3: cannot unmarshal !!str `soon` into time.Duration"},
		{"default_profile: x\nprofiles:\n  a: {}\n", `default_profile "x" is not among the profiles (a)`},
		{"\tprofiles: {}\n", "found character that cannot start any token"},
	}
	for _, tc := range cases {
		writeCoreConfig(t, path, tc.body, 0o600)
		code, _, errOut := coreRun(t, "caps", "--ucc", "x")
		if code != exitUsage || !strings.HasPrefix(errOut, "recdeck: config file "+path+": ") || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: code %d err %q, want %q", tc.body, code, errOut, tc.want)
		}
	}
	// A named config file must exist; the default one need not.
	t.Setenv("RECDECK_CONFIG", path+".missing")
	if code, _, errOut := coreRun(t, "caps", "--ucc", "x"); code != exitUsage || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing explicit config: code %d err %q", code, errOut)
	}
	t.Setenv("RECDECK_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if code, _, errOut := coreRun(t, "caps", "--ucc", "x"); code != exitUsage || !strings.Contains(errOut, "no server given") {
		t.Fatalf("no config: code %d err %q", code, errOut)
	}
}

func TestConfigReadableSecretsWarn(t *testing.T) {
	path := coreEnv(t)
	st := coreSim(t)
	body := strings.Replace(coreTestConfig, "BASE", st.URL, 1)
	writeCoreConfig(t, path, body, 0o644)
	code, out, errOut := coreRun(t, "caps")
	want := "recdeck: warning: config file " + path + " holds secrets (profiles.prod.client_secret, profiles.prod.password) and is readable by group or others; run: chmod 600 " + path + "\n"
	if code != exitOK || out == "" || errOut != want {
		t.Fatalf("code %d out %q err %q", code, out, errOut)
	}
	if strings.Contains(errOut, "file-password-value") || strings.Contains(errOut, "file-secret-value") {
		t.Fatal("warning shows a secret")
	}
	writeCoreConfig(t, path, body, 0o600)
	if _, _, errOut = coreRun(t, "caps"); errOut != "" {
		t.Fatalf("0600 file warned: %q", errOut)
	}
	// No secret in the file: no warning, whatever the mode.
	writeCoreConfig(t, path, "profiles:\n  default:\n    base_url: "+st.URL+"\n    ucc: payments\n    token_url: http://x/token\n", 0o644)
	if code, _, errOut = coreRun(t, "caps"); code != exitOK || errOut != "" {
		t.Fatalf("code %d err %q", code, errOut)
	}
}

// FuzzDecodeConfig: the config decoder never panics, and whatever it
// accepts names only existing profiles as default.
func FuzzDecodeConfig(f *testing.F) {
	f.Add(coreTestConfig)
	f.Add("")
	f.Add("profiles:\n  a:\n    bogus: 1\n")
	f.Add("default_profile: a\nprofiles:\n  a: {base_url: x, timeout: 3s, keys: {quit: [q]}}\n")
	f.Add("profiles: [1, 2]\n")
	f.Add("profiles:\n  a: &x {password: p}\n  b: *x\n")
	f.Add("profiles:\n  ? [a]\n  : {}\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, secrets, err := decodeConfig([]byte(s))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, name := range cfg.DefaultProfile {
			if _, ok := cfg.Profiles[name]; !ok {
				t.Fatalf("default_profile %q accepted without a profile", name)
			}
		}
		for _, k := range secrets {
			if !secretKeyRe().MatchString(k[strings.LastIndex(k, ".")+1:]) {
				t.Fatalf("%q reported as a secret", k)
			}
		}
	})
}

// TestDecodeConfigEmpty: an empty file skips YAML decoding and means what
// YAML says it means, an empty config with no secrets.
func TestDecodeConfigEmpty(t *testing.T) {
	for _, data := range [][]byte{nil, {}} {
		cfg, secrets, err := decodeConfig(data)
		if err != nil || cfg == nil || len(cfg.DefaultProfile) != 0 || len(cfg.Profiles) != 0 || len(secrets) != 0 {
			t.Fatalf("decodeConfig(%q) = %+v, %v, %v; want an empty config", data, cfg, secrets, err)
		}
	}
	// What the YAML library makes of a file with nothing in it.
	var viaYAML configFile
	if err := yaml.Unmarshal(nil, &viaYAML); err != nil || len(viaYAML.DefaultProfile) != 0 || len(viaYAML.Profiles) != 0 {
		t.Fatalf("yaml: %+v, %v", viaYAML, err)
	}
}
