package sim

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkBurst measures state changes per second with no hub client.
func BenchmarkBurst(b *testing.B) {
	s := New(Options{})
	defer s.Close()
	s.Burst(1)
	start := time.Now()
	n := 0
	for b.Loop() {
		n += s.Burst(1000)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkBurstToHubClient measures events delivered per second to one
// real signalr client over loopback WebSockets.
func BenchmarkBurstToHubClient(b *testing.B) {
	r := start(b, Options{})
	_, rcv := dialHub(b, r, nil)
	r.Server.Burst(1)
	waitFor(b, "first event", 5*time.Second, func() bool { return rcv.count() == 1 })
	const per = 2000
	start := time.Now()
	sent := 1
	for b.Loop() {
		sent += r.Server.Burst(per)
		waitFor(b, "burst delivered", 30*time.Second, func() bool { return rcv.count() == sent })
	}
	b.ReportMetric(float64(sent-1)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkSetHTTP measures POST recording/set round trips over loopback.
func BenchmarkSetHTTP(b *testing.B) {
	r := start(b, Options{})
	c := httpc(b)
	id := "bench"
	if _, err := r.Server.CreateCall("payments", id, true); err != nil {
		b.Fatal(err)
	}
	actions := []string{"Pause", "Start"}
	i := 0
	for b.Loop() {
		body := fmt.Sprintf(`{"Action":%q,"RequesterSipUri":"sip:agent@domain.com","CorrelationId":%q,"UCCName":"payments"}`, actions[i%2], id)
		if rep := do(b, c, "POST", r.URL+"/attendantservice/api/recording/set", body, nil); rep.status != http.StatusOK {
			b.Fatalf("%d %s", rep.status, rep.body)
		}
		i++
	}
}
