package anywhere365

// The journal: the live sessions a console knows, kept on disk so that a
// restart does not lose them. The API cannot list calls, and a call that
// sends no more hub events would otherwise vanish from the console until
// its next event, which may never come. On start the console reads the
// journal and Watches every session in it before the first event, so the
// rows are re-read (and those that ended are seen as Gone and leave the
// journal at its next write).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recdeck/recdeck/internal/beat"
)

// Journal defaults.
const (
	// DefaultJournalEvery is the least time between two writes: the file
	// is written at most this often, and only when the set of live
	// sessions changed.
	DefaultJournalEvery = 5 * time.Second
	// JournalMaxAge: a journal older than this is ignored on load (no call
	// lasts a day; re-reading its sessions would only spend the budget).
	JournalMaxAge = 24 * time.Hour
	// maxJournalBytes bounds what is read (100,000 sessions take ~8 MB).
	maxJournalBytes = 64 << 20
	journalFormat   = 1
)

// journalFile is the file's JSON form.
type journalFile struct {
	Format   int            `json:"format"`
	Saved    time.Time      `json:"saved"`
	Sessions []journalEntry `json:"sessions"`
}

type journalEntry struct {
	UCC string `json:"ucc"`
	ID  string `json:"id"`
}

// JournalDamagedError reports a journal that could not be read as one: it
// was renamed to SetAside (when that worked) and the console starts
// without it. Never fatal.
type JournalDamagedError struct {
	Path     string
	SetAside string // "" if renaming failed too
	Reason   string
}

func (e *JournalDamagedError) Error() string {
	if e.SetAside == "" {
		return fmt.Sprintf("session journal %s is damaged (%s) and could not be set aside", e.Path, e.Reason)
	}
	return fmt.Sprintf("session journal %s is damaged (%s): set aside as %s, starting without it", e.Path, e.Reason, filepath.Base(e.SetAside))
}

// StateDir is recdeck's state directory: $XDG_STATE_HOME/recdeck, else
// ~/.local/state/recdeck (the XDG base directory default).
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "recdeck"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory for the session journal: %w", err)
	}
	return filepath.Join(home, ".local", "state", "recdeck"), nil
}

// JournalPath is the journal of one server in the state directory:
// sessions-<first 16 hex digits of SHA-256 of the base URL>.json. The URL
// is hashed, not written, so no user info or query in it reaches the
// disk; trailing slashes and case of the scheme and host do not matter.
func JournalPath(baseURL string) (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sessions-"+journalHash(baseURL)+".json"), nil
}

func journalHash(baseURL string) string {
	u := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		host, path, _ := strings.Cut(rest, "/")
		u = strings.ToLower(scheme) + "://" + strings.ToLower(host)
		if path != "" {
			u += "/" + path
		}
	}
	sum := sha256.Sum256([]byte(u))
	return hex.EncodeToString(sum[:8])
}

// LoadJournal reads the journal at path. A missing file, or one older than
// JournalMaxAge, gives no sessions and no error. A damaged one (not JSON,
// an unknown format, an invalid key, too large) is renamed to
// path+".damaged" and reported as a *JournalDamagedError, with no sessions.
func LoadJournal(path string) ([]SessionKey, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session journal: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxJournalBytes+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("session journal: %w", err)
	}
	keys, reason := parseJournal(data)
	if reason != "" {
		return nil, setAside(path, reason)
	}
	return keys, nil
}

// parseJournal decodes and checks a journal; reason says what is wrong.
func parseJournal(data []byte) ([]SessionKey, string) {
	if len(data) > maxJournalBytes {
		return nil, fmt.Sprintf("larger than %d MiB", maxJournalBytes>>20)
	}
	var jf journalFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jf); err != nil {
		return nil, "not a journal: " + truncate(err.Error(), 80)
	}
	if dec.More() {
		return nil, "data after the journal"
	}
	if jf.Format != journalFormat {
		return nil, fmt.Sprintf("unknown format %d", jf.Format)
	}
	if !jf.Saved.IsZero() && time.Since(jf.Saved) > JournalMaxAge {
		return nil, ""
	}
	keys := make([]SessionKey, 0, len(jf.Sessions))
	seen := make(map[SessionKey]bool, len(jf.Sessions))
	for i, s := range jf.Sessions {
		k := SessionKey{UCC: s.UCC, CorrelationID: NormalizeGUID(s.ID)}
		if ValidateUCC(k.UCC) != nil || !isGUID(k.CorrelationID) {
			return nil, fmt.Sprintf("entry %d is not a valid session", i+1)
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, ""
}

// setAside renames a damaged journal out of the way.
func setAside(path, reason string) error {
	aside := path + ".damaged"
	if err := os.Rename(path, aside); err != nil {
		aside = ""
	}
	return &JournalDamagedError{Path: path, SetAside: aside, Reason: reason}
}

// WriteJournal writes keys to path atomically: a temporary file in the same
// directory, synced, then renamed over the old journal, so a crash leaves
// the old journal or the new one, never half of one. The directory is
// created (0700) and the file is 0600: it names calls.
func WriteJournal(path string, keys []SessionKey) error {
	jf := journalFile{Format: journalFormat, Saved: time.Now().UTC(), Sessions: make([]journalEntry, len(keys))}
	for i, k := range keys {
		jf.Sessions[i] = journalEntry{UCC: k.UCC, ID: k.CorrelationID}
	}
	data, err := json.Marshal(jf)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("session journal: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".sessions-*.tmp")
	if err != nil {
		return fmt.Errorf("session journal: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if _, err = tmp.Write(append(data, '\n')); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("session journal: %w", err)
	}
	return nil
}

// keysHash is a hash of a list of keys, in order.
func keysHash(seed maphash.Seed, keys []SessionKey) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, k := range keys {
		maphash.WriteComparable(&h, k)
	}
	return h.Sum64()
}

// RunJournal keeps the journal at path in step with t until ctx is done:
// at most once per every (default DefaultJournalEvery), and only when the
// live sessions (LiveKeys: not Gone, no final answer) changed, it writes
// them; a last write follows ctx's end. onErr, if not nil, hears of a
// failed write (once per new error text; the next success clears it).
// It returns once the last write is done.
func RunJournal(ctx context.Context, path string, t *Tracker, every time.Duration, onErr func(error)) {
	if every <= 0 {
		every = DefaultJournalEvery
	}
	// What was written is kept as a hash, and the keys only while they
	// are written: with 100,000 calls two lists of keys would hold 7 MB.
	seed := maphash.MakeSeed()
	var written uint64
	var lastVer uint64
	var lastErr string
	first := true
	save := func() {
		v := t.Version()
		if !first && v == lastVer {
			return
		}
		lastVer = v
		cur := t.LiveKeys(nil)
		sum := keysHash(seed, cur)
		if !first && sum == written {
			return
		}
		if err := WriteJournal(path, cur); err != nil {
			if err.Error() != lastErr && onErr != nil {
				onErr(err)
			}
			lastErr = err.Error()
			return
		}
		first, lastErr = false, ""
		written = sum
	}
	// On the grid of every (internal/beat): the journal's look wakes the
	// process with its other timers of that period, not on its own.
	tick := time.NewTimer(beat.Until(time.Now(), every))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			save()
			return
		case <-tick.C:
			save()
			tick.Reset(beat.Until(time.Now(), every))
		}
	}
}
