package anywhere365

import "time"

// SessionKey names one call session: a UCC and a correlation id.
type SessionKey struct {
	// Server names the followed server (its profile) when a console follows several; a tracker never sets it.
	Server        string
	UCC           string
	CorrelationID string
}

// Session is a snapshot of one tracked call, as the tracker hands it to the
// TUI and `recdeck watch`. It is a value: consumers may keep it.
type Session struct {
	Key       SessionKey
	Recording RecordingState
	Marking   MarkingState
	Saving    SavingState

	// Confirmed is false from the moment an event was applied optimistically
	// until a GET has returned the authoritative state.
	Confirmed bool
	// Gone is set when the server no longer knows the session (the call ended).
	Gone bool
	// Stale is set while the hub is not connected: no event can arrive, so
	// the row is only as fresh as its last periodic GET (the screen says
	// so in words and a symbol). It clears when a GET answers with the hub
	// connected again.
	Stale bool
	// Final is set when the server refused the session for good (a
	// Validation answer such as an unknown UCC, or an id refused before
	// sending): it is not retried, and LastError says why. A new event or
	// Watch asks again; Tracker.Remove forgets it.
	Final bool
	// LastAction is the most recent action seen (by event or by our own set).
	LastAction   Action
	LastActionAt time.Time
	// StateSince is when Recording last changed.
	StateSince time.Time
	// FirstSeen is when the tracker first learnt of the session.
	FirstSeen time.Time
	// Version increases on every change to this session, so a renderer can
	// cache by (key, version).
	Version uint64
	// LastError is the last reconcile failure, if any (shown, never fatal);
	// with Final, the server's reason.
	LastError string
}

// HistoryKind says what a HistoryEntry records.
type HistoryKind int

// History kinds.
const (
	HistoryEvent     HistoryKind = iota // a hub event (hint)
	HistoryConfirmed                    // a GET confirmed a state
	HistoryAction                       // an action this console sent, with its outcome
)

// HistoryEntry is one line of a session's history: the detail pane lists
// them and draws the recording timeline bar from their states.
type HistoryEntry struct {
	At        time.Time
	Kind      HistoryKind
	Action    Action         // for events and actions
	Recording RecordingState // state after the entry (as known then)
	Result    string         // "" for success, else the error text
}

// ConnPhase is the event listener's connection phase.
type ConnPhase int

// Connection phases.
const (
	ConnConnecting ConnPhase = iota
	ConnConnected
	ConnReconnecting
	ConnClosed
)

func (p ConnPhase) String() string {
	switch p {
	case ConnConnecting:
		return "connecting"
	case ConnConnected:
		return "connected"
	case ConnReconnecting:
		return "reconnecting"
	case ConnClosed:
		return "closed"
	}
	return "unknown"
}

// ConnState is the event listener's connection state as shown in the header.
type ConnState struct {
	Phase     ConnPhase
	Attempt   int    // reconnect attempt count while reconnecting
	LastError string // last connection error, secrets already removed
	Since     time.Time
}
