package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// The console re-reads the sessions of its journal before any event: a
// call still live shows confirmed though the hub never mentions it, one
// that ended while the console was away shows as ended and leaves the
// journal, which the console writes on its way out.
func TestConsoleLoadsAndKeepsTheJournal(t *testing.T) {
	isolate(t)
	leak := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leak) })
	s := startTFSim(t, 43)
	live, err := s.sim().CreateCall("payments", "", true)
	if err != nil {
		t.Fatal(err)
	}
	liveKey := anywhere365.SessionKey{UCC: "payments", CorrelationID: live.CorrelationId}
	endedKey := anywhere365.SessionKey{UCC: "payments", CorrelationID: "0badcafe-0000-4000-8000-000000000001"}
	path, err := anywhere365.JournalPath(s.url())
	if err != nil {
		t.Fatal(err)
	}
	if err := anywhere365.WriteJournal(path, []anywhere365.SessionKey{liveKey, endedKey}); err != nil {
		t.Fatal(err)
	}
	events := s.sim().EventsPublished()

	x := newTFConsole(t, tfArgs(s)...)
	x.until("the journal's sessions re-read", tfSetup, func(scr string) bool {
		return strings.Contains(lineWith(scr, shortOf(live.CorrelationId)), "● Started") &&
			strings.Contains(lineWith(scr, "0badcafe"), "ended")
	})
	if s.sim().EventsPublished() != events {
		t.Fatal("the test needs no hub event for these calls")
	}
	x.c.close()
	keys, err := anywhere365.LoadJournal(path)
	if err != nil || !slices.Equal(keys, []anywhere365.SessionKey{liveKey}) {
		t.Fatalf("journal after the console closed: %v %v", keys, err)
	}
}

// A damaged journal is set aside and reported on screen; the console starts.
func TestConsoleReportsADamagedJournal(t *testing.T) {
	isolate(t)
	s := startTFSim(t, 44)
	path, err := anywhere365.JournalPath(s.url())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not a journal"), 0o600); err != nil {
		t.Fatal(err)
	}
	x := newTFConsole(t, tfArgs(s)...)
	x.connected(s)
	found := false
	for _, ts := range x.c.frame.Toasts() {
		found = found || strings.Contains(ts.Text, "is damaged") && strings.Contains(ts.Text, ".damaged")
	}
	if !found {
		t.Fatalf("no toast about the damaged journal: %+v", x.c.frame.Toasts())
	}
	if _, err := os.Stat(path + ".damaged"); err != nil {
		t.Fatalf("not set aside: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		// The writer may already have written a fresh one: it must be valid.
		if _, err := anywhere365.LoadJournal(path); err != nil {
			t.Fatalf("fresh journal: %v", err)
		}
	}
}

func shortOf(id string) string { return id[:8] }
