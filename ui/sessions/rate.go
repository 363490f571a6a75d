package sessions

import "time"

// rateSamples is how many one-second rates the sparkline keeps.
const rateSamples = 60

// sparkWidth is how many samples the status line's sparkline shows
// (StatusLine in view.go).
const sparkWidth = 12

// eventRate turns the store's event counter into events per second, one
// sample per second of the pane's clock.
type eventRate struct {
	count   uint64
	at      time.Time
	started bool
	rates   []float64
}

func (r *eventRate) sample(count uint64, now time.Time) {
	if !r.started {
		r.count, r.at, r.started = count, now, true
		return
	}
	el := now.Sub(r.at)
	if el < time.Second {
		return
	}
	d := float64(0)
	if count >= r.count {
		d = float64(count - r.count)
	}
	r.rates = append(r.rates, d/el.Seconds())
	if len(r.rates) > rateSamples {
		r.rates = append(r.rates[:0], r.rates[len(r.rates)-rateSamples:]...)
	}
	r.count, r.at = count, now
}

func (r *eventRate) last() float64 {
	if len(r.rates) == 0 {
		return 0
	}
	return r.rates[len(r.rates)-1]
}

func (r *eventRate) history() []float64 { return r.rates }

// moving reports whether what the status line shows of the rate still
// changes by itself: a rate above zero, or a non-zero sample still in the
// sparkline's window. The pane then wants a tick a second to sample it.
func (r *eventRate) moving() bool {
	if !r.started {
		return true // the first sample is taken on the next tick
	}
	for _, v := range r.rates[max(0, len(r.rates)-sparkWidth):] {
		if v > 0 {
			return true
		}
	}
	return false
}
