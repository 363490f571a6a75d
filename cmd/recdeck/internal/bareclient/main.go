// Command bareclient is the floor of the process benchmarks
// (cmd/recdeck/bench_process_test.go): a bare philippseith/signalr client
// on the recording hub, configured as the console's listener is (WebSockets
// only, the library's reconnecting connector, a silent logger) and doing
// nothing with an event but count it. For an event whose CorrelationId
// starts with the probe prefix it prints "<id> <unix ns>" on stdout, so the
// benchmark can time a state change to its arrival here as it times it to
// the console's screen. It runs until SIGTERM or SIGINT.
//
//	bareclient HUB_URL [PROBE_PREFIX]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/philippseith/signalr"

	"github.com/recdeck/recdeck/client/anywhere365"
)

type receiver struct {
	prefix string
	mu     sync.Mutex
}

func (r *receiver) RecordingStateChangedEvent(ev anywhere365.RecordingStateChangedEvent) {
	if r.prefix == "" || !strings.HasPrefix(ev.CorrelationId, r.prefix) {
		return
	}
	at := time.Now().UnixNano()
	r.mu.Lock()
	fmt.Printf("%s %d\n", ev.CorrelationId, at)
	r.mu.Unlock()
}

type nopLogger struct{}

func (nopLogger) Log(...any) error { return nil }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bareclient HUB_URL [PROBE_PREFIX]")
		os.Exit(2)
	}
	hubURL := os.Args[1]
	recv := &receiver{}
	if len(os.Args) > 2 {
		recv.prefix = os.Args[2]
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	client, err := signalr.NewClient(ctx,
		signalr.WithConnector(func() (signalr.Connection, error) {
			return signalr.NewHTTPConnection(ctx, hubURL, signalr.WithTransports(signalr.TransportWebSockets))
		}),
		signalr.WithReceiver(recv),
		signalr.Logger(nopLogger{}, false),
		signalr.MaximumReceiveMessageSize(1<<20),
		// The console's keep-alive (ASP.NET Core's 15 s), so the floor
		// pings as often as the console does.
		signalr.KeepAliveInterval(15*time.Second),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareclient:", err)
		os.Exit(1)
	}
	client.Start()
	<-ctx.Done()
	client.Stop()
}
