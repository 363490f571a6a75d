package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// EnvPath names the environment variable that overrides the log's path.
const EnvPath = "RECDECK_AUDIT_LOG"

// Outcomes of an attempted action.
const (
	OutcomeOK       = "ok"       // the API accepted it
	OutcomeFailed   = "failed"   // the API refused it or the request failed
	OutcomeDisabled = "disabled" // refused before sending: the UCC does not allow it
)

// Record is one line of the log.
type Record struct {
	Time          time.Time `json:"time"`
	Profile       string    `json:"profile,omitempty"`
	UCC           string    `json:"ucc"`
	CorrelationID string    `json:"correlation_id"`
	Action        string    `json:"action"`
	Requester     string    `json:"requester"`
	Outcome       string    `json:"outcome"`
	// ErrorType is the API's ErrorType name ("Validation") when it refused.
	ErrorType    string `json:"error_type,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	// Trigger says what started the action when it was not a key press
	// (e.g. "payment-mode auto-resume").
	Trigger string `json:"trigger,omitempty"`
	// State is the recording state the server answered, on success.
	State string `json:"state,omitempty"`
}

// DefaultPath returns where the log goes: $RECDECK_AUDIT_LOG, else
// $XDG_STATE_HOME/recdeck/audit.log, else ~/.local/state/recdeck/audit.log.
func DefaultPath() (string, error) {
	if p := os.Getenv(EnvPath); p != "" {
		return p, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "recdeck", "audit.log"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("audit log: no home directory (set %s): %w", EnvPath, err)
	}
	return filepath.Join(home, ".local", "state", "recdeck", "audit.log"), nil
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Open opens (creating it and its directory if needed) the log at path for
// appending. If the file does not end in a newline, one is added first.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	l := &Log{f: f, path: path}
	if err := l.closeTornLine(); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// closeTornLine ends a last line a crash left without its newline.
func (l *Log) closeTornLine() error {
	r, err := os.Open(l.path)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if st.Size() == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, st.Size()-1); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("audit log: %w", err)
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := l.f.Write([]byte{'\n'}); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// Path is the file the log writes to.
func (l *Log) Path() string { return l.path }

// Append writes one record as a JSON line and fsyncs it. It returns only
// once the line is on disk (or failed).
func (l *Log) Append(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("audit log: closed")
	}
	// One write per record: with O_APPEND the line lands whole at the end.
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: fsync: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// MaxLineBytes bounds one line Read accepts; a record is a few hundred
// bytes, so a longer line is not one of ours.
const MaxLineBytes = 64 << 10

// Read decodes a log written by Append: one Record per line. A line that
// is not a whole record (the torn last line a crash left, which the next
// Open closes with a newline; or a line too long to be one) is skipped and
// counted, so one bad line never hides the records after it. Only a read
// error is an error.
func Read(r io.Reader) (records []Record, skipped int, err error) {
	br := bufio.NewReaderSize(r, MaxLineBytes)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) { // skip to the line's end
				_, err = br.ReadSlice('\n')
			}
			skipped++
			line = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var rec Record
			if json.Unmarshal(line, &rec) == nil && rec.Action != "" && rec.Outcome != "" {
				records = append(records, rec)
			} else {
				skipped++
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return records, skipped, nil
		case err != nil:
			return records, skipped, fmt.Errorf("audit log: %w", err)
		}
	}
}
