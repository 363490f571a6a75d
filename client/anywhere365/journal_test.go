package anywhere365

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJournalPathPerServer(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	a, _ := JournalPath("https://core.example.com/")
	b, _ := JournalPath("HTTPS://Core.Example.com")
	c, _ := JournalPath("https://other.example.com")
	d, _ := JournalPath("https://user:secret@core.example.com/?k=v")
	if a != b || a == c || !strings.HasPrefix(a, "/state/recdeck/sessions-") || !strings.HasSuffix(a, ".json") {
		t.Fatalf("paths %q %q %q", a, b, c)
	}
	if strings.Contains(d, "secret") || strings.Contains(d, "user") {
		t.Fatalf("the URL's user info reached the path: %q", d)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := JournalPath("https://core.example.com"); !strings.HasPrefix(p, "/home/u/.local/state/recdeck/") {
		t.Fatalf("default path %q", p)
	}
}

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "sessions-x.json")
	if keys, err := LoadJournal(path); keys != nil || err != nil {
		t.Fatalf("missing journal: %v %v", keys, err)
	}
	keys := []SessionKey{trKey(1), trKey(2), {UCC: "payments", CorrelationID: trKey(3).CorrelationID}}
	if err := WriteJournal(path, keys); err != nil {
		t.Fatal(err)
	}
	got, err := LoadJournal(path)
	if err != nil || !slices.Equal(got, keys) {
		t.Fatalf("loaded %v, %v", got, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal mode %v (%v)", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".sessions-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	// Ids written by hand in another form are normalised on load.
	os.WriteFile(path, []byte(`{"format":1,"sessions":[{"ucc":"payments","id":"{`+strings.ToUpper(trKey(4).CorrelationID)+`}"}]}`), 0o600)
	if got, err := LoadJournal(path); err != nil || len(got) != 1 || got[0].CorrelationID != trKey(4).CorrelationID {
		t.Fatalf("normalised load %v %v", got, err)
	}
	// A journal a day old is ignored, not damaged.
	os.WriteFile(path, []byte(`{"format":1,"saved":"2020-01-01T00:00:00Z","sessions":[{"ucc":"payments","id":"`+trKey(4).CorrelationID+`"}]}`), 0o600)
	if got, err := LoadJournal(path); err != nil || len(got) != 0 {
		t.Fatalf("old journal %v %v", got, err)
	}
}

func TestJournalDamagedIsSetAside(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"garbage":   "\x1b[31mnot json",
		"truncated": `{"format":1,"sessions":[{"ucc":"payments","id":"` + trKey(1).CorrelationID,
		"format":    `{"format":9,"sessions":[]}`,
		"bad key":   `{"format":1,"sessions":[{"ucc":"pay ments","id":"x"}]}`,
		"unknown":   `{"format":1,"sessions":[],"extra":1}`,
		"trailing":  `{"format":1,"sessions":[]} {}`,
	} {
		path := filepath.Join(dir, "sessions-"+strings.ReplaceAll(name, " ", "")+".json")
		os.WriteFile(path, []byte(body), 0o600)
		keys, err := LoadJournal(path)
		var de *JournalDamagedError
		if !errors.As(err, &de) || keys != nil {
			t.Fatalf("%s: %v %v", name, keys, err)
		}
		if de.SetAside != path+".damaged" || !strings.Contains(err.Error(), "set aside") {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.ContainsRune(err.Error(), 0x1b) {
			t.Fatalf("%s: raw escape in the message %q", name, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: still in place", name)
		}
		if b, _ := os.ReadFile(path + ".damaged"); string(b) != body {
			t.Fatalf("%s: set-aside copy differs", name)
		}
		// The next start finds no journal and carries on.
		if keys, err := LoadJournal(path); keys != nil || err != nil {
			t.Fatalf("%s: after setting aside: %v %v", name, keys, err)
		}
	}
}

// RunJournal writes the live sessions when they change, at most once per
// interval; ended ones (Gone) and refused ones (Final) leave the journal;
// a last write follows the end of ctx.
func TestRunJournalKeepsLiveSessions(t *testing.T) {
	trLeakCheck(t)
	f := newFakeTruth()
	tr := NewTracker(TrackerConfig{Getter: f})
	for i := range 4 {
		f.set(trKey(i), RecordingStarted, MarkingNone, SavingNone)
		tr.Watch(trKey(i))
	}
	runTracker(t, tr)
	path := filepath.Join(t.TempDir(), "sessions-t.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { RunJournal(ctx, path, tr, 20*time.Millisecond, func(err error) { t.Error(err) }); close(done) }()
	defer func() { cancel(); <-done }()
	load := func() []SessionKey { k, _ := LoadJournal(path); return k }
	trWaitFor(t, "4 journaled", 2*time.Second, func() bool { return len(load()) == 4 })

	f.end(trKey(1))
	tr.Resync()
	f.fail(trKey(2), &APIError{Type: ErrorValidation, Message: "Ucc name (x) was not recognized"})
	tr.Watch(trKey(2))
	trWaitFor(t, "ended and refused left", 2*time.Second, func() bool {
		return slices.Equal(load(), []SessionKey{trKey(0), trKey(3)})
	})
	f.set(trKey(5), RecordingStarted, MarkingNone, SavingNone)
	tr.Watch(trKey(5))
	cancel()
	<-done
	if got := load(); !slices.Equal(got, []SessionKey{trKey(0), trKey(3), trKey(5)}) {
		t.Fatalf("after the last write: %v", got)
	}
	// A restart reloads them: a new tracker watches exactly these.
	tr2 := NewTracker(TrackerConfig{})
	for _, k := range load() {
		tr2.Watch(k)
	}
	if tr2.Len() != 3 {
		t.Fatalf("reloaded %d", tr2.Len())
	}
}
