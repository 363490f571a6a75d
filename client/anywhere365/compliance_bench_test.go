package anywhere365_test

import (
	"fmt"
	"testing"
	"time"

	a365 "github.com/recdeck/recdeck/client/anywhere365"
)

// BenchmarkComplianceUpdate10k is one pass of the compliance book over a
// snapshot of 10,000 live sessions (the pause guard runs one every poll,
// 250 ms by default), a tenth of them flagged.
func BenchmarkComplianceUpdate10k(b *testing.B) {
	now := time.Now()
	snap := make([]a365.Session, 10000)
	for i := range snap {
		s := &snap[i]
		s.Key = a365.SessionKey{UCC: fmt.Sprintf("ucc-%d", i%20), CorrelationID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", i)}
		s.Recording, s.Confirmed, s.StateSince, s.FirstSeen = a365.RecordingStarted, true, now.Add(-time.Minute), now.Add(-time.Minute)
		if i%10 == 0 {
			s.Recording, s.StateSince = a365.RecordingPaused, now.Add(-10*time.Minute)
		}
	}
	c := a365.NewCompliance(a365.Policies{})
	c.Update(snap, now)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.Update(snap, now)
	}
	if n := c.Counts()[a365.FlagOverdue]; n != 1000 {
		b.Fatalf("%d overdue, want 1000", n)
	}
}
