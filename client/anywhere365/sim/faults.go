package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are failures the simulator injects into the vendor API routes
// (/attendantservice/api/...) and the hub. They never touch the /sim/
// control routes or the token endpoint, so a test can always read the
// truth. The zero value (POST /sim/faults with {} or DELETE /sim/faults)
// clears them all. Rates are probabilities from 0 to 1, drawn per request
// from a generator seeded by Options.Seed.
type Faults struct {
	// DropHub closes every live hub websocket once, when set; clients may
	// reconnect at once. It is an action, not a state: reads report false.
	DropHub bool `json:"dropHub,omitempty"`
	// HubDown refuses new hub connections (503) while set.
	HubDown bool `json:"hubDown,omitempty"`
	// HTTPErrorRate answers that share of requests with a bare HTTP 500
	// and a plain-text body, before anything is done.
	HTTPErrorRate float64 `json:"httpErrorRate,omitempty"`
	// LatencyMs delays every vendor request by this many milliseconds.
	LatencyMs int `json:"latencyMs,omitempty"`
	// RecorderUnavailable answers every state and set request with the
	// Configuration error "Recorder was not available, command could not be
	// executed" (after the UCC, requester and session checks).
	RecorderUnavailable bool `json:"recorderUnavailable,omitempty"`
	// ProcessingErrorRate answers that share of requests with a Processing
	// (type 3) ErrorMessage; nothing is changed.
	ProcessingErrorRate float64 `json:"processingErrorRate,omitempty"`
	// MalformedRate replaces that share of response bodies by broken JSON
	// (the command itself was carried out, as when a proxy garbles a reply).
	MalformedRate float64 `json:"malformedRate,omitempty"`
	// TruncatedRate cuts that share of response bodies in half (the command
	// was carried out; Content-Length matches the cut body).
	TruncatedRate float64 `json:"truncatedRate,omitempty"`
	// OversizedRate pads that share of response bodies with whitespace to
	// OversizedBytes (4 MiB), streamed, so the body is still valid JSON:
	// only a client that bounds what it reads refuses it. The command was
	// carried out.
	OversizedRate float64 `json:"oversizedRate,omitempty"`
}

// OversizedBytes is the length of a body the OversizedRate fault pads,
// four times the 1 MiB the client reads at most.
const OversizedBytes = 4 << 20

// maxLatency bounds LatencyMs so a typo cannot hang a client for hours.
const maxLatency = 60 * time.Second

// Validate reports a fault setting that makes no sense.
func (f Faults) Validate() error {
	rates := []struct {
		name string
		r    float64
	}{
		{"httpErrorRate", f.HTTPErrorRate}, {"processingErrorRate", f.ProcessingErrorRate},
		{"malformedRate", f.MalformedRate}, {"truncatedRate", f.TruncatedRate},
		{"oversizedRate", f.OversizedRate},
	}
	for _, x := range rates {
		if math.IsNaN(x.r) || x.r < 0 || x.r > 1 {
			return fmt.Errorf("%s must be between 0 and 1, got %v", x.name, x.r)
		}
	}
	if f.LatencyMs < 0 || time.Duration(f.LatencyMs)*time.Millisecond > maxLatency {
		return fmt.Errorf("latencyMs must be between 0 and %d, got %d", maxLatency.Milliseconds(), f.LatencyMs)
	}
	return nil
}

// requestFaults is what the draw decided for one request.
type requestFaults struct {
	latency             time.Duration
	httpError           bool
	recorderUnavailable bool
	processing          bool
	malformed           bool
	truncated           bool
	oversized           bool
}

type faultState struct {
	mu  sync.Mutex
	cur Faults
	rng *rand.Rand
}

func newFaultState(seed int64) *faultState {
	return &faultState{rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed_fa17))}
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.cur
}

// draw decides the faults for one vendor request. Each rate is drawn only
// when it is set, so clearing faults leaves the sequence of the others
// unchanged.
func (fs *faultState) draw() requestFaults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.cur
	hit := func(rate float64) bool { return rate > 0 && fs.rng.Float64() < rate }
	return requestFaults{
		latency:             time.Duration(f.LatencyMs) * time.Millisecond,
		httpError:           hit(f.HTTPErrorRate),
		recorderUnavailable: f.RecorderUnavailable,
		processing:          hit(f.ProcessingErrorRate),
		malformed:           hit(f.MalformedRate),
		truncated:           hit(f.TruncatedRate),
		oversized:           hit(f.OversizedRate),
	}
}

// SetFaults replaces the current faults (the zero value clears them). An
// invalid setting is refused with an error by the control API; here it is
// clamped into range.
func (s *Server) SetFaults(f Faults) {
	f.HTTPErrorRate = clamp01(f.HTTPErrorRate)
	f.ProcessingErrorRate = clamp01(f.ProcessingErrorRate)
	f.MalformedRate = clamp01(f.MalformedRate)
	f.TruncatedRate = clamp01(f.TruncatedRate)
	f.OversizedRate = clamp01(f.OversizedRate)
	f.LatencyMs = max(0, min(f.LatencyMs, int(maxLatency.Milliseconds())))
	drop := f.DropHub
	f.DropHub = false
	s.faults.mu.Lock()
	s.faults.cur = f
	s.faults.mu.Unlock()
	if drop {
		s.hub.drop()
	}
	s.logf("anywhere365 sim: faults set to %+v (dropHub %v)", f, drop)
}

// CurrentFaults returns the faults in force.
func (s *Server) CurrentFaults() Faults { return s.faults.get() }

func clamp01(r float64) float64 {
	if math.IsNaN(r) || r < 0 {
		return 0
	}
	return min(r, 1)
}
