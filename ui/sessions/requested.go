package sessions

import "github.com/recdeck/recdeck/client/anywhere365"

// lastActor is the newest action this console sent for key and who asked
// for it (the requester SIP URI, or the automatic resume that sent it as
// that URI): the detail view's "Requested by" line. Hub events do not name
// who acted, so only the console's own actions have one.
func (p *Pane) lastActor(key anywhere365.SessionKey) (actorNote, bool) {
	p.actorMu.Lock()
	defer p.actorMu.Unlock()
	l := p.actors[key]
	if len(l) == 0 {
		return actorNote{}, false
	}
	best := l[0]
	for _, n := range l[1:] {
		if !n.at.Before(best.at) {
			best = n
		}
	}
	return best, true
}
