package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/ui"
)

// commentedConfig is a config as a user keeps it: comments above and
// beside keys, aligned; blank lines between sections; flow and block
// styles; two profiles.
const commentedConfig = `# recdeck: my console
# (kept by hand)

default_profile: prod

profiles:
  # production, on call
  prod:
    base_url: https://anywhere.example.com
    api: v2
    sip: "sip:alice@example.com"  # the requester of every action
    timeout: 10s                  # slow VPN
    ucc_policy:                   # per-UCC overrides
      payments: {max_pause: 90s, enforce_max_pause: true}
    keys:
      pause: ["p", "space"]

  # the lab
  lab:
    base_url: http://127.0.0.1:8365
    columns:          # what I look at
      - ucc
      - recording
# end
`

// commentLines are the comments and the aligned lines that must survive a
// rewrite byte for byte.
var commentLines = []string{
	"# recdeck: my console", "# (kept by hand)", "  # production, on call",
	`    sip: "sip:alice@example.com"  # the requester of every action`,
	"    timeout: 10s                  # slow VPN",
	"    ucc_policy:                   # per-UCC overrides",
	"      payments: {max_pause: 90s, enforce_max_pause: true}",
	"  # the lab", "# end",
}

func mustFileHave(t *testing.T, path string, wants ...string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for _, w := range wants {
		if !slices.Contains(lines, w) {
			t.Errorf("the file lost the line %q:\n%s", w, b)
		}
	}
	return string(b)
}

// Saving columns sets them in the profile in use and changes nothing else:
// comments (with their alignment), blank lines, other keys and profiles,
// the file's mode; a symlinked config stays a symlink; no temporary file is
// left behind.
func TestSaveColumnsKeepsTheRestOfTheFile(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "recdeck.yaml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	writeCoreConfig(t, real, commentedConfig, 0o640)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	before, _, err := decodeConfig([]byte(commentedConfig))
	if err != nil {
		t.Fatal(err)
	}

	if err := saveColumns(link, "", []string{"server", "ucc", "recording", "age"}); err != nil {
		t.Fatal(err)
	}
	body := mustFileHave(t, real, append(commentLines, "    columns: [server, ucc, recording, age]", "")...)
	if n := strings.Count(body, "\n\n"); n != 3 {
		t.Errorf("blank lines: %d, want 3:\n%s", n, body)
	}
	after, _, err := decodeConfig([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	p := before.Profiles["prod"]
	p.Columns = []string{"server", "ucc", "recording", "age"}
	before.Profiles["prod"] = p
	if !slices.Equal(after.DefaultProfile, nameList{"prod"}) || !slices.Equal(after.Profiles["prod"].Columns, p.Columns) ||
		after.Profiles["prod"].Timeout != 10*time.Second || !slices.Equal(after.Profiles["lab"].Columns, []string{"ucc", "recording"}) {
		t.Fatalf("decoded %+v", after)
	}
	if fi, err := os.Stat(real); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}

	// The lab profile (--profile lab): its block list is replaced, keeping
	// its style and its comment; a second save replaces the first.
	for _, cols := range [][]string{{"correlation", "recording"}, {"recording", "last"}} {
		if err := saveColumns(link, "lab", cols); err != nil {
			t.Fatal(err)
		}
	}
	body = mustFileHave(t, real, append(commentLines, "    columns:          # what I look at", "      - recording", "      - last")...)
	if strings.Count(body, "columns:") != 2 || strings.Contains(body, "correlation") {
		t.Fatalf("columns written twice or the old list kept:\n%s", body)
	}
	entries, _ := os.ReadDir(filepath.Dir(real))
	if len(entries) != 1 {
		t.Fatalf("left in the directory: %v", entries)
	}
}

// A profile the file does not have yet (the flags alone named it, or
// "default") is added; an empty file gets profiles: too.
func TestSaveColumnsAddsTheProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeCoreConfig(t, path, "", 0o600)
	if err := saveColumns(path, "", []string{"recording"}); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := decodeConfig(mustBytes(t, path))
	if err != nil || !slices.Equal(cfg.Profiles["default"].Columns, []string{"recording"}) {
		t.Fatalf("%+v %v", cfg, err)
	}
	if err := saveColumns(path, "night", []string{"ucc", "recording"}); err != nil {
		t.Fatal(err)
	}
	cfg, _, _ = decodeConfig(mustBytes(t, path))
	if len(cfg.Profiles) != 2 || !slices.Equal(cfg.Profiles["night"].Columns, []string{"ucc", "recording"}) {
		t.Fatalf("%+v", cfg)
	}
}

func mustBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What cannot be saved is refused with a reason, and the file is left as
// it was: no config file, a directory the console may not write to, a file
// broken since the console started, a profile that is an alias of another.
func TestSaveColumnsRefusals(t *testing.T) {
	dir := t.TempDir()
	if err := saveColumns(filepath.Join(dir, "none.yaml"), "", []string{"recording"}); err == nil ||
		!strings.Contains(err.Error(), "no config file at") {
		t.Fatalf("no file: %v", err)
	}

	t.Run("unwritable directory", func(t *testing.T) {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o700); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(ro, "config.yaml")
		writeCoreConfig(t, path, commentedConfig, 0o600)
		lockDir(t, ro)
		err := saveColumns(path, "", []string{"recording"})
		if err == nil {
			t.Fatal("saved into a directory it may not write")
		}
		if got := string(mustBytes(t, path)); got != commentedConfig {
			t.Fatalf("the file changed:\n%s", got)
		}
	})

	for _, c := range []struct{ name, body, want string }{
		{"broken since start", "profiles:\n  prod: [\n", "did not find"},
		{"unknown key since start", "profiles:\n  prod:\n    colums: [ucc]\n", `unknown key "colums"`},
		{"alias", "base: &b {api: v2}\nprofiles:\n  prod: *b\n", "alias"},
		{"not a mapping", "profiles: [a, b]\n", "cannot unmarshal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			writeCoreConfig(t, path, c.body, 0o600)
			err := saveColumns(path, "prod", []string{"recording"})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if got := string(mustBytes(t, path)); got != c.body {
				t.Fatalf("the file changed:\n%s", got)
			}
		})
	}
}

// lockDir makes dir unwritable for this process: chmod for a normal user,
// the immutable attribute for root (whom permissions do not stop).
func lockDir(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root and chattr +i fails (%v: %s): cannot make a directory unwritable", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// A bad columns: entry stops the console before it starts, naming the
// valid columns.
func TestTUIRefusesBadColumns(t *testing.T) {
	for _, c := range []struct{ columns, want string }{
		{"[ucc, colour, recording]", `unknown column "colour" (valid: server, ucc, correlation, recording, marking, saving, age, last)`},
		{"[ucc, age]", "recording must be listed"},
		{"[ucc, recording, ucc]", "ucc is listed twice"},
		{"[]", "none given"},
		{"ucc", "cannot unmarshal"},
	} {
		home := isolate(t)
		writeConfig(t, home, "default_profile: p\nprofiles:\n  p:\n    columns: "+c.columns+"\n")
		var out, errOut bytes.Buffer
		code := run(context.Background(), nil, &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("columns %s: exit %d, stderr %q", c.columns, code, errOut.String())
		}
	}
}

// The whole loop through the console: the chooser's choice is saved in the
// config file (comments and mode kept, the toast says where), and the next
// console starts with it.
func TestConsoleSavesColumnsAndTheNextStartReadsThem(t *testing.T) {
	home := isolate(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	path := filepath.Join(home, "config.yaml")
	// No base_url: the demo, on its own simulators.
	body := "# mine\ndefault_profile: p\nprofiles:\n  p:\n    theme: dark     # on purpose\n"
	writeCoreConfig(t, path, body, 0o640)
	t.Setenv("RECDECK_CONFIG", path)

	x := newTFConsole(t)
	head := consoleHeader(t, x)
	if !strings.Contains(head, "MARKING") || !strings.Contains(head, "CORRELATION") {
		t.Fatalf("default header %q", head)
	}
	from := len(x.d.Seen)
	// SERVER, UCC, CORRELATION: hide CORRELATION; MARKING: hide it too.
	x.d.Press("C", "j", "j", "space", "j", "j", "space", "enter")
	var saved ui.ToastMsg
	for _, tm := range x.toastsSince(from) {
		if strings.HasPrefix(tm.Text, "Columns ") {
			saved = tm
		}
	}
	if saved.Level != ui.ToastSuccess || !strings.Contains(saved.Text, "saved in "+path) {
		t.Fatalf("toast %+v", saved)
	}
	want := "    columns: [server, ucc, recording, saving, age, last]"
	mustFileHave(t, path, "# mine", "    theme: dark     # on purpose", want)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	// The directory becomes unwritable: the next choice holds for the run,
	// the toast says it was not saved, and the file keeps the last one.
	saved1 := string(mustBytes(t, path))
	t.Run("unwritable", func(t *testing.T) {
		lockDir(t, home)
		from := len(x.d.Seen)
		x.d.Press("C", "j", "j", "j", "j", "j", "space", "enter") // SAVING hidden
		var failed ui.ToastMsg
		for _, tm := range x.toastsSince(from) {
			if strings.HasPrefix(tm.Text, "Columns ") {
				failed = tm
			}
		}
		if failed.Level != ui.ToastWarning || !strings.Contains(failed.Text, "for this run only, not saved") {
			t.Fatalf("toast %+v", failed)
		}
		if strings.Contains(consoleHeader(t, x), "SAVING") {
			t.Fatal("the choice is not applied")
		}
		if got := string(mustBytes(t, path)); got != saved1 {
			t.Fatalf("the file changed:\n%s", got)
		}
	})
	x.c.close()

	y := newTFConsole(t)
	head = consoleHeader(t, y)
	if strings.Contains(head, "MARKING") || strings.Contains(head, "CORRELATION") || !strings.Contains(head, "SAVING") {
		t.Fatalf("the next start does not read the columns: %q", head)
	}
	y.c.close()
}

// consoleHeader is the sessions table's column header on the console's
// screen.
func consoleHeader(t *testing.T, x *tfConsole) string {
	t.Helper()
	var head string
	x.until("the column header", tfSetup, func(scr string) bool {
		for _, l := range strings.Split(scr, "\n") {
			if strings.Contains(l, "RECORDING") && strings.Contains(l, "UCC") {
				head = l
				return true
			}
		}
		return false
	})
	return head
}
