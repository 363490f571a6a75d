package noojee_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
)

// TestUnknownZoneIsReported: a by-hour time in a zone outside the built-in
// table (and not the configured zone's) is reported on the leg, not left
// silently unread.
func TestUnknownZoneIsReported(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"Source":"0412","Leg":"1","Start":"Tue Sep 14 15:03:30 IST 2021","Duration":"4","UniqueId":"1.1","Direction":"Inbound","callend":"Tue Sep 14 15:03:34 IST 2021"},
			{"Source":"0412","Leg":"2","Start":"Tue Sep 14 15:03:34 AEST 2021","Duration":"4","UniqueId":"1.1","Direction":"Inbound"}]`)
	})
	legs, err := c.ByHour(context.Background(), "2021/09/14", 15)
	if err != nil || len(legs) != 2 {
		t.Fatalf("%d legs, %v", len(legs), err)
	}
	p := noojee.TimeProblems(legs)
	if len(p) != 1 || !strings.Contains(p[0], `unknown zone "IST"`) || legs[0].TimeProblem == "" || !legs[0].Start.IsZero() {
		t.Fatalf("problems %q, leg %+v", p, legs[0])
	}
	if legs[1].TimeProblem != "" || legs[1].Start.IsZero() {
		t.Fatalf("a readable leg marked: %+v", legs[1])
	}
}

// TestHourComplete: an hour's list is complete only a few minutes after
// the hour is over.
func TestHourComplete(t *testing.T) {
	loc := time.FixedZone("AEST", 10*3600)
	at := func(h, m int) time.Time { return time.Date(2021, 9, 14, h, m, 0, 0, loc) }
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{at(15, 30), false}, {at(16, 2), false}, {at(16, 5), true}, {at(18, 0), true}, {at(14, 0), false}} {
		if got := noojee.HourComplete("2021/09/14", 15, loc, tc.now); got != tc.want {
			t.Errorf("at %s: complete %v, want %v", tc.now.Format("15:04"), got, tc.want)
		}
	}
}
