package anywhere365

import (
	"context"
	"net/http"
	"sync"
)

// Hub is where the listener connects and what it sends: *Client satisfies
// it (HubURL from the config or BaseURL + DefaultHubPath; HubHeaders with
// the v2 bearer token).
type Hub interface {
	HubURL() string
	HubHeaders(ctx context.Context) (http.Header, error)
}

// tokenInvalidator is the optional part of a Hub that drops a token the
// hub refused (*Client has it), so the next attempt fetches a new one.
type tokenInvalidator interface{ InvalidateToken() }

// Monitor runs the tracker's reconciler and a hub listener feeding it, until
// ctx is done; then it returns nil once both have stopped. A hub URL that
// can never work is an error returned at once, before anything starts. Events go to
// t.HandleEvent, undecodable messages are counted as invalid, connection
// states to t.SetConnState, and every (re)connect triggers t.Resync.
//
// cfg may set HTTPClient, backoff and timeouts; its HubURL overrides
// hub.HubURL() when set, and Headers defaults to hub.HubHeaders. Its
// callbacks, when set, are called after the tracker's.
//
// The usual wiring (the TUI, `recdeck watch`):
//
//	client, _ := anywhere365.New(cfg)
//	tracker := anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: client})
//	go anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{HTTPClient: hc})
func Monitor(ctx context.Context, hub Hub, t *Tracker, cfg ListenerConfig) error {
	if cfg.HubURL == "" {
		cfg.HubURL = hub.HubURL()
	}
	if cfg.Headers == nil {
		cfg.Headers = hub.HubHeaders
	}
	if _, err := checkHubURL(cfg.HubURL); err != nil {
		return err
	}
	onEvent, onInvalid, onState, onResync, onAuth := cfg.OnEvent, cfg.OnInvalid, cfg.OnState, cfg.OnResync, cfg.OnAuthFailure
	cfg.OnEvent = func(ev RecordingStateChangedEvent) {
		t.HandleEvent(ev)
		if onEvent != nil {
			onEvent(ev)
		}
	}
	cfg.OnInvalid = func(err error) {
		t.countInvalid()
		if onInvalid != nil {
			onInvalid(err)
		}
	}
	cfg.OnState = func(s ConnState) {
		t.SetConnState(s)
		if onState != nil {
			onState(s)
		}
	}
	cfg.OnResync = func() {
		t.Resync()
		if onResync != nil {
			onResync()
		}
	}
	cfg.OnAuthFailure = func() {
		if ti, ok := hub.(tokenInvalidator); ok {
			ti.InvalidateToken()
		}
		if onAuth != nil {
			onAuth()
		}
	}

	l := NewListener(cfg)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { t.Run(ctx) })
	err := l.Run(ctx) // returns when ctx is done (the URL was checked above)
	cancel()
	wg.Wait()
	return err
}
