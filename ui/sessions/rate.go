package sessions

import "time"

// rateSamples is how many one-second rates the sparkline keeps.
const rateSamples = 60

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
