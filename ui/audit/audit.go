package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
)

// EnvPath names the environment variable that overrides the log's path.
const EnvPath = "RECDECK_AUDIT_LOG"

// Outcomes of an attempted action.
const (
	OutcomeOK       = "ok"       // the API accepted it
	OutcomeFailed   = "failed"   // the API refused it or the request failed
	OutcomeDisabled = "disabled" // refused before sending: the UCC does not allow it
	// OutcomeUnknown: the request reached the server but its answer was
	// lost; the action may or may not have been applied. A later record of
	// the same ID gives the confirmed state once it was re-read.
	OutcomeUnknown = "unknown"
)

// OutcomeConfirmed is the record written after an unknown outcome, once
// the session was re-read: State is the recording state the server then
// gave, Applied whether the state shows the action's effect.
const OutcomeConfirmed = "confirmed"

// Triggers: what started an action that was not a key press. A record
// without a Trigger is a person's action ("manual" in reports).
// They are the pause guard's own (client/anywhere365), so the guard, the
// console and `recdeck report` can never disagree on the words.
const (
	TriggerPaymentMode = anywhere365.TriggerPaymentMode // payment mode's countdown ran out
	TriggerPolicy      = anywhere365.TriggerPolicy      // enforce_max_pause resumed an overdue pause
)

// ActionCallEnded is the Action of a record the console writes when a call
// it watched ended while its recording was paused (the tail of the call was
// not recorded). Its Outcome is OutcomeOK.
const ActionCallEnded = "CallEnded"

// Sources: which program wrote a record.
const (
	SourceConsole = "console"
	SourceCLI     = "cli"
)

// Phases of a write-ahead pair: an attempt record is written (and fsynced)
// before the request leaves; the outcome record with the same ID after.
const (
	PhaseAttempt = "attempt"
	PhaseOutcome = "outcome"
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

	// Vendor is the recording system: "anywhere365" (also when empty, in
	// logs written before the field existed), "voipnow", "noojee", "akixi".
	Vendor string `json:"vendor,omitempty"`
	// Server is the base URL the action was sent to.
	Server string `json:"server,omitempty"`
	// Target names what a vendor action acted on when it is not an
	// Anywhere365 session (a VoipNow call id, a Noojee extension or unique
	// id, an Akixi entry GUID).
	Target string `json:"target,omitempty"`
	// ID links an attempt record with its outcome record(s).
	ID string `json:"id,omitempty"`
	// Phase is PhaseAttempt or PhaseOutcome for write-ahead records.
	Phase string `json:"phase,omitempty"`
	// Source says which program wrote the record: "console", "cli".
	Source string `json:"source,omitempty"`
	// Applied, on an OutcomeConfirmed record, says whether the re-read
	// state shows the action's effect (a pause: the recording is Paused).
	Applied *bool `json:"applied,omitempty"`
}

// Appender is anything that makes a record durable: *Log, or a stand-in
// that reports why the log cannot be written.
type Appender interface {
	Append(Record) error
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
	r.Server = serverOnly(r.Server)
	// The output gate: an error message quotes a server, which may echo a
	// secret or a terminal escape; the log is read on terminals too.
	r.ErrorMessage = safetext.Out(r.ErrorMessage)
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

// serverOnly keeps scheme, host, port and path of a server URL: a base URL
// may carry a user and password (or a key in its query), and the log must
// hold no secret whoever wrote the record.
func serverOnly(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(unparsable server URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = nil, "", "", "", false
	return u.String()
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
// error is an error. Attempt records (no outcome yet) are records.
func Read(r io.Reader) (records []Record, skipped int, err error) {
	err = Scan(r, func(rec Record) { records = append(records, rec) }, func(int, string) { skipped++ })
	return records, skipped, err
}

// Scan reads a log line by line: each whole record goes to rec, each
// damaged line to bad with its line number (from 1) and why. Blank lines
// are neither. Only a read error is an error.
func Scan(r io.Reader, rec func(Record), bad func(line int, reason string)) error {
	br := bufio.NewReaderSize(r, MaxLineBytes)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) { // skip to the line's end
				_, err = br.ReadSlice('\n')
			}
			bad(n, fmt.Sprintf("line longer than %d bytes", MaxLineBytes))
			line = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var r Record
			if jerr := json.Unmarshal(line, &r); jerr != nil {
				bad(n, "not a JSON record: "+jerr.Error())
			} else if !r.valid() {
				bad(n, "a record without action or outcome")
			} else {
				rec(r)
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("audit log: %w", err)
		}
	}
}

// valid: a record has an action and either an outcome or the attempt phase.
func (r *Record) valid() bool {
	return r.Action != "" && (r.Outcome != "" || r.Phase == PhaseAttempt)
}

// Dangling returns the attempt records (in log order) that no outcome
// record with the same ID follows: actions whose process died, or lost its
// log, between sending and recording the answer. Their outcome is not
// known; the session should be re-read.
func Dangling(records []Record) []Record {
	ended := make(map[string]bool)
	for _, r := range records {
		if r.Phase == PhaseOutcome && r.ID != "" {
			ended[r.ID] = true
		}
	}
	var out []Record
	for _, r := range records {
		if r.Phase == PhaseAttempt && r.ID != "" && !ended[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Attempt is an action whose attempt record is on disk and whose outcome
// is not yet; End writes the outcome. A nil *Attempt (the log could not be
// written) is safe to End.
type Attempt struct {
	log Appender
	rec Record
}

var attemptSeq atomic.Uint64

// newID returns an id unique within this log: time and a counter.
func newID(now time.Time) string {
	return fmt.Sprintf("%x-%x", now.UnixNano(), attemptSeq.Add(1))
}

// Begin writes r as an attempt record (Phase attempt, a fresh ID, no
// outcome), fsynced, before the caller sends the request: a process killed
// after the server acted but before the answer still leaves the attempt.
func (l *Log) Begin(r Record) (*Attempt, error) { return Begin(l, r) }

// Begin is (*Log).Begin for any Appender. On error the returned *Attempt
// is nil (End on it does nothing): the caller reports that the action is
// not audited, and may still send it.
func Begin(l Appender, r Record) (*Attempt, error) {
	if l == nil {
		return nil, errors.New("audit log: none")
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	if r.ID == "" {
		r.ID = newID(r.Time)
	}
	r.Phase, r.Outcome = PhaseAttempt, ""
	if err := l.Append(r); err != nil {
		return nil, err
	}
	return &Attempt{log: l, rec: r}, nil
}

// Record is the attempt record as written.
func (a *Attempt) Record() Record {
	if a == nil {
		return Record{}
	}
	return a.rec
}

// End writes the outcome record: the attempt's fields, with outcome and
// whatever set changes (State, ErrorType, ErrorMessage...). It may be
// called more than once (unknown, then the confirmed state).
func (a *Attempt) End(outcome string, set func(*Record)) error {
	if a == nil || a.log == nil {
		return nil
	}
	r := a.rec
	r.Time, r.Phase, r.Outcome = time.Now(), PhaseOutcome, outcome
	if set != nil {
		set(&r)
	}
	return a.log.Append(r)
}

// Outcomes keeps the records that say how an action ended (it leaves out
// write-ahead attempt records), in log order.
func Outcomes(recs []Record) []Record {
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		if r.Phase != PhaseAttempt {
			out = append(out, r)
		}
	}
	return out
}
