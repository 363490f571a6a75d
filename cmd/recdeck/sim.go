package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/anywhere365/sim"
)

// defaultSimAddr is where `recdeck sim` listens unless --addr says otherwise.
const defaultSimAddr = "127.0.0.1:8365"

func newSimCmd(g *globals) *cobra.Command {
	var (
		addr  string
		seed  int64
		calls int
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve every simulator of the project (Anywhere365, VoipNow, Noojee, Akixi) on one listener",
		Long: `Serve the simulators of every recording API recdeck speaks on one HTTP
listener, until SIGINT or SIGTERM. Point recdeck (or curl) at the printed URL.
The Anywhere365 simulator serves API v1 and v2, the token endpoint and the
SignalR hub; its call generator keeps --calls calls going.`,
		Example: `  recdeck sim
  recdeck sim --addr 127.0.0.1:9000 --seed 7 --calls 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if calls < 0 {
				return withExit(exitUsage, fmt.Errorf("--calls must be 0 or more, got %d", calls))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			st, err := startSims(addr, seed, calls)
			if err != nil {
				return withExit(exitNetwork, err)
			}
			out := cmd.OutOrStdout()
			for _, l := range st.Banner {
				fmt.Fprintln(out, l)
			}
			select {
			case <-ctx.Done():
			case err = <-st.served:
			}
			st.Close()
			if err != nil {
				return withExit(exitNetwork, fmt.Errorf("simulator stopped: %w", err))
			}
			fmt.Fprintln(out, "recdeck sim stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultSimAddr, "listen address (host:port; port 0 picks a free one)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the simulators' generators (same seed, same calls)")
	cmd.Flags().IntVar(&calls, "calls", 6, "calls the Anywhere365 generator keeps going (0: none, create them with POST /sim/calls)")
	return cmd
}

// simStack is every simulator served on one listener, as `recdeck sim` and
// the TUI demo (in-process on 127.0.0.1:0) run it.
type simStack struct {
	URL      string // http://host:port
	HubURL   string // Anywhere365 SignalR hub
	TokenURL string // Anywhere365 token endpoint (demo tenant)
	// Banner is what `recdeck sim` prints: the listening line first, then
	// the Anywhere365 URLs and demo credentials, then each vendor's lines.
	// Set, like Anywhere365, when startSims returns, unless the simulators
	// were held (holdSims): then once they are built.
	Banner []string
	// Anywhere365 is the simulator itself, for tests and the demo
	// (CreateCall, SetFaults...).
	Anywhere365 *sim.Server

	l         net.Listener
	srv       *http.Server  // nil until built
	served    chan error    // Serve's result, if it ends early
	started   chan struct{} // closed once built and served, or abandoned
	abandon   chan struct{} // closed by Close: a held build never starts
	stops     []func()
	closeOnce sync.Once
}

// simMounts are the vendor hooks, in banner order.
var simMounts = []simMount{mountVoipnowSim, mountNoojeeSim, mountAkixiSim}

// simsHold, while set, holds back the simulators startSims starts: see
// holdSims.
var simsHold atomic.Pointer[simHold]

type simHold struct{ release <-chan struct{} }

// simsHoldMax bounds a hold: a console that never draws a whole frame (a
// terminal that reports no size) still gets its simulators.
const simsHoldMax = 250 * time.Millisecond

// holdSims makes the simulators startSims starts from now until unhold is
// called listen at once but be built and served only once release is
// closed (or simsHoldMax later). The console holds its demo's simulators
// until its first frame is on screen (tui.go): building them (four
// simulators, their routes and call generators) and answering the first
// requests (the hub's handshake, the vendor panes' first lists) took CPU
// from that frame on a two-core machine. Clients see nothing of it but a
// few milliseconds: their connections wait in the listen backlog.
func holdSims(release <-chan struct{}) (unhold func()) {
	h := &simHold{release: release}
	simsHold.Store(h)
	return func() { simsHold.CompareAndSwap(h, nil) }
}

// startSims listens on addr and serves every simulator on one mux (held
// back while holdSims says so; the addresses are known at once).
func startSims(addr string, seed int64, calls int) (*simStack, error) {
	st, err := listenSims(addr)
	if err != nil {
		return nil, err
	}
	h := simsHold.Load()
	if h == nil {
		st.start(seed, calls)
		return st, nil
	}
	go func() {
		t := time.NewTimer(simsHoldMax)
		defer t.Stop()
		select {
		case <-h.release:
		case <-t.C:
		case <-st.abandon:
			close(st.started)
			return
		}
		st.start(seed, calls)
	}()
	return st, nil
}

// listenSims listens on addr. The stack's addresses are known from here on
// (the Anywhere365 simulator's paths are its defaults); its simulators are
// not built yet.
func listenSims(addr string) (*simStack, error) {
	// Plain TCP: Go listens with Multipath TCP by default, which costs a
	// probe of the kernel's support first and does nothing for a loopback
	// simulator (the demo's start-up paid for it).
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	l, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	base := "http://" + l.Addr().String()
	return &simStack{
		URL:      base,
		HubURL:   base + anywhere365.DefaultHubPath, // sim.New's default HubPath
		TokenURL: base + sim.TokenPath(""),
		l:        l,
		served:   make(chan error, 1),
		started:  make(chan struct{}),
		abandon:  make(chan struct{}),
	}, nil
}

// start builds every simulator on one mux and serves them on the stack's
// listener.
func (st *simStack) start(seed int64, calls int) {
	defer close(st.started)
	base := st.URL
	mux := http.NewServeMux()
	// The vendors' simulators are built while the Anywhere365 one is, on
	// other goroutines (each registers its own paths: the mux is safe for
	// that).
	type mounted struct {
		banner []string
		stop   func()
	}
	vendors := make([]mounted, len(simMounts))
	var wg sync.WaitGroup
	for i, m := range simMounts {
		wg.Go(func() {
			banner, stop := m(mux, base, seed)
			vendors[i] = mounted{banner, stop}
		})
	}
	a := sim.New(sim.Options{Seed: seed, Calls: calls})
	a.Mount(mux)
	st.Anywhere365 = a
	st.stops = []func(){a.Close}
	st.Banner = []string{
		"recdeck sim listening on " + base,
		"anywhere365: REST v1 " + base + "/attendantservice/api/recording/..., v2 " + base + "/attendantservice/api/v2/recording/...",
		"anywhere365: hub " + st.HubURL,
		"anywhere365: token " + st.TokenURL,
		fmt.Sprintf("anywhere365: demo credentials username=%s password=%s client_secret=%s tenant=%s", sim.DemoUsername, sim.DemoPassword, sim.DemoClientSecret, sim.DemoTenant),
		fmt.Sprintf("anywhere365: UCCs ucc-demo-name, payments, helpdesk (no agent edits); requesters %s, %s", sim.DemoAgent, sim.DemoSupervisor),
	}
	wg.Wait()
	for _, v := range vendors {
		st.Banner = append(st.Banner, v.banner...)
		if v.stop != nil {
			st.stops = append(st.stops, v.stop)
		}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	st.srv = srv
	go func() {
		if err := srv.Serve(st.l); !errors.Is(err, http.ErrServerClosed) {
			st.served <- err
		}
	}()
}

// CoreProfile lays the Anywhere365 simulator's address and demo
// credentials over p (API v1 unless p asks for v2), for the demo.
func (st *simStack) CoreProfile(p Profile) Profile {
	p.BaseURL, p.HubURL, p.TokenURL = st.URL, st.HubURL, st.TokenURL
	if p.API == "" {
		p.API = anywhere365.APIv1
	}
	p.Username, p.Password, p.ClientSecret = sim.DemoUsername, sim.DemoPassword, sim.DemoClientSecret
	if p.SIP == "" {
		p.SIP = sim.DemoAgent
	}
	if p.UCC == "" {
		p.UCC = "ucc-demo-name"
	}
	return p
}

// Close stops the simulators (closing hub websockets, which the HTTP
// server's Shutdown does not wait for) and then the listener. Safe to call
// more than once.
func (st *simStack) Close() {
	st.closeOnce.Do(func() {
		close(st.abandon)
		<-st.started
		if st.srv == nil { // held and never built: only the listener is open
			_ = st.l.Close()
			return
		}
		for _, stop := range st.stops {
			stop()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.srv.Shutdown(ctx); err != nil {
			_ = st.srv.Close()
		}
	})
}
