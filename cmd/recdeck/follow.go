package main

// follow.go is what the console runs for each server it follows (`recdeck
// --profile a --profile b`, default_profile: [a, b], or ":profile a b"
// inside the console): its REST client, session store (tracker), hub
// listener, journal, compliance book and pause guard, with a context of
// their own so ":profile" can stop one set and start another without
// restarting the console. A profile without base_url is a demo server:
// its own simulator starts in-process.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/sessions"
)

// followed is one server the console follows.
type followed struct {
	name string // the profile's name ("" for the default profile)
	// stamp is what the pane stamps on this server's session keys: the
	// name when the console follows several servers, "" when one. It
	// changes when ":profile" keeps this server in a set of another size;
	// the guard's goroutine reads it.
	stamp    atomic.Pointer[string]
	baseURL  string  // as configured ("": a demo server)
	profile  Profile // resolved, the demo simulator's address laid over
	demo     bool
	client   *anywhere365.Client
	tracker  *anywhere365.Tracker
	guard    *anywhere365.PauseGuard
	book     *anywhere365.Compliance
	policies anywhere365.Policies

	cancel  context.CancelFunc
	monDone chan struct{}
	closers []func()
	once    sync.Once
}

// followEnv is what starting a server needs from the console.
type followEnv struct {
	g *globals
	// resume sends a guard's automatic resume through the pane (set once
	// the pane exists; a guard only resumes later).
	resume func(ctx context.Context, key anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error)
	// stopped receives a hub listener that gave up (the console shows it).
	stopped chan<- monitorStoppedMsg
	// wake wakes the frame when any followed store changes.
	wake chan struct{}
}

// follow starts following every profile in nps (their stamps are their
// names when there are several). A server of keep with the same profile
// name and address is kept as it is (its store, listener and guard go on),
// not started again. On error, nothing follow started is left running.
func follow(ctx context.Context, env followEnv, nps []namedProfile, keep []*followed) (set []*followed, toasts []ui.ToastMsg, err error) {
	var started []*followed
	defer func() {
		if err != nil {
			stopAll(started)
			set = nil
		}
	}()
	for i, np := range nps {
		stamp := ""
		if len(nps) > 1 {
			stamp = np.Name
		}
		if j := slices.IndexFunc(keep, func(f *followed) bool { return f.name == np.Name && f.baseURL == np.BaseURL }); j >= 0 {
			keep[j].stamp.Store(&stamp)
			set = append(set, keep[j])
			continue
		}
		f, t, err := startFollowing(ctx, env, np, stamp, demoSeed+int64(i))
		if err != nil {
			if len(nps) > 1 {
				err = fmt.Errorf("profile %s: %w", np.Name, err)
			}
			return set, toasts, err
		}
		set = append(set, f)
		started = append(started, f)
		toasts = append(toasts, t...)
	}
	return set, toasts, nil
}

// startFollowing starts one server's client, tracker, journal, guard and
// listener.
func startFollowing(parent context.Context, env followEnv, np namedProfile, stamp string, seed int64) (f *followed, toasts []ui.ToastMsg, err error) {
	ctx, cancel := context.WithCancel(parent)
	f = &followed{name: np.Name, baseURL: np.BaseURL, profile: np.Profile, cancel: cancel, monDone: make(chan struct{})}
	f.stamp.Store(&stamp)
	started := false
	defer func() {
		if err != nil {
			if !started {
				close(f.monDone)
			}
			f.stop()
		}
	}()
	p := np.Profile
	if f.demo = p.BaseURL == ""; f.demo {
		st, err := startSims("127.0.0.1:0", seed, demoCalls)
		if err != nil {
			return nil, nil, withExit(exitNetwork, err)
		}
		f.closers = append(f.closers, st.Close)
		p = st.CoreProfile(p)
		f.profile = p
	}
	g := env.g
	if f.client, err = g.coreClient(p); err != nil {
		return nil, nil, err
	}
	// Its retry cap (1 s) keeps the screen within 2 s of the truth after
	// an outage.
	f.tracker = anywhere365.NewTracker(anywhere365.TrackerConfig{Getter: f.client, ReadBudget: p.Hub.ReadBudget})
	if !f.demo {
		// The journal of the live sessions known for this server: they are
		// re-read before the first event (the demo's simulator is new on
		// every run, so it keeps none).
		toasts = append(toasts, startJournal(ctx, f, p.BaseURL)...)
	}
	// The compliance policy, its flags and alerts, and the pause guard
	// that owns pause deadlines (payment mode's and the policy's) outside
	// the screen.
	if f.policies, err = g.policies(p); err != nil {
		return nil, nil, err
	}
	f.book = anywhere365.NewCompliance(f.policies)
	f.guard = anywhere365.NewPauseGuard(anywhere365.GuardConfig{
		Source: f.tracker, Policies: f.policies, Compliance: f.book,
		Resume: func(ctx context.Context, key anywhere365.SessionKey, trigger string) (*anywhere365.StateResponse, error) {
			key.Server = *f.stamp.Load() // the pane routes by the stamped key
			return env.resume(ctx, key, trigger)
		},
	})
	started = true
	go releaseAfterDrops(ctx, f.tracker.Len, 5*time.Second, freeOSMemory) // memory.go: flat after the calls end
	if env.wake != nil {
		go forwardChanges(ctx, f.tracker.Changed(), env.wake)
	}
	guardDone := make(chan struct{})
	go func() {
		f.guard.Run(ctx)
		close(guardDone)
	}()
	f.closers = append(f.closers, func() { <-guardDone }) // ctx is cancelled first
	client, tracker, httpClient := f.client, f.tracker, g.httpClient(p)
	go func() {
		err := anywhere365.Monitor(ctx, client, tracker, anywhere365.ListenerConfig{
			HTTPClient: httpClient, MaxMessageSize: p.Hub.MaxMessageSize, KeepAlive: p.Hub.KeepAlive})
		close(f.monDone)
		if err != nil && ctx.Err() == nil && env.stopped != nil {
			if np.Name != "" {
				err = fmt.Errorf("%s: %w", np.Name, err)
			}
			select {
			case env.stopped <- monitorStoppedMsg{err}:
			default: // one report waiting is enough
			}
		}
	}()
	return f, toasts, nil
}

// forwardChanges passes each change of one store on to the frame's wake-up
// channel (shared by every followed store) until ctx ends.
func forwardChanges(ctx context.Context, changed <-chan struct{}, wake chan<- struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			select {
			case wake <- struct{}{}:
			default: // a wake-up is already waiting
			}
		}
	}
}

// server is f as the sessions pane sees it.
func (f *followed) server() sessions.Server {
	profile := f.name
	if f.demo && profile == "" {
		profile = "demo"
	}
	return sessions.Server{Name: *f.stamp.Load(), URL: displayURL(f.profile.BaseURL), Source: f.tracker, API: f.client,
		Guard: f.guard, Compliance: f.book, Profile: profile}
}

// stop stops the listener and tracker (waiting at most 2 s: a stuck
// connection may not delay a quit or a switch more), then the rest.
func (f *followed) stop() {
	f.once.Do(func() {
		f.cancel()
		select {
		case <-f.monDone:
		case <-time.After(2 * time.Second):
		}
		for i := len(f.closers) - 1; i >= 0; i-- {
			f.closers[i]()
		}
	})
}

// stopAll stops every server of a set, at the same time.
func stopAll(set []*followed) {
	var wg sync.WaitGroup
	for _, f := range set {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.stop()
		}()
	}
	wg.Wait()
}

// servers is a set as the sessions pane sees it.
func servers(set []*followed) []sessions.Server {
	out := make([]sessions.Server, len(set))
	for i, f := range set {
		out[i] = f.server()
	}
	return out
}

// headerOf is what the frame's header names for a set: the server and
// profile of one, the names of several.
func headerOf(set []*followed, profileName string) ui.SetServerMsg {
	if len(set) == 1 {
		f := set[0]
		return ui.SetServerMsg{Server: displayURL(f.profile.BaseURL), Profile: profileName,
			APIVersion: f.client.APIVersion(), Demo: f.demo}
	}
	var names, versions []string
	h := ui.SetServerMsg{}
	for _, f := range set {
		names = append(names, f.name)
		if v := f.client.APIVersion(); !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
		h.Demo = h.Demo || f.demo
	}
	h.Server = fmt.Sprintf("%d servers: %s", len(set), strings.Join(names, ", "))
	h.APIVersion = strings.Join(versions, "/")
	return h
}

// errSwitchFlags refuses ":profile" when a flag names the server: it would
// point every profile at it.
var errSwitchFlags = errors.New("--base-url or --hub-url was given: restart without them to switch profiles")
