package anywhere365

// The reconciler: every REST re-read the tracker makes goes through it.
//
// Why re-read at all: events are hints and the REST state is the truth
// (DESIGN.md, "How data flows"). Four things ask for a GET of a session:
// a hub event (the optimistic row waits, Confirmed false, for its GET), an
// explicit request (Watch, Resync after a reconnect, an action of ours), a
// retry after a failure, and the periodic pacer, which re-reads every
// known live session on a schedule spread over time because an ended call
// may send no final event (the API cannot list calls, so a GET answering
// "No Audio session" is the only way to learn that a call is over).
//
// All of them share one budget (TrackerConfig.ReadBudget GETs a second,
// golang.org/x/time/rate) and at most Concurrency GETs in flight. Per
// session at most one GET is queued or in flight; events that arrive while
// it runs set a dirty flag so exactly one more GET follows, however many
// events came. The queue holds each session once, in FIFO order, so when
// events come slower than the budget every session is confirmed within
// about a second of its last event (the queue never holds more than a
// second of work). The pacer only adds to the queue while it holds less
// than half a second of work, so periodic re-reads use what events leave
// free, up to PeriodicShare of the budget.

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/internal/beat"
)

// Run runs the reconciler (a dispatcher holding the budget, Concurrency
// workers, the periodic pacer) and the GoneTTL sweeper until ctx is done.
// Without Run the tracker still records events, but never GETs. Monitor
// calls Run; do not call it as well. A second Run while one is running
// does nothing but wait for its ctx. Run may be called again after it
// returned (work left queued is picked up).
func (t *Tracker) Run(ctx context.Context) {
	if !t.running.CompareAndSwap(false, true) {
		<-ctx.Done()
		return
	}
	defer t.running.Store(false)
	if t.cfg.Getter == nil {
		<-ctx.Done()
		return
	}
	lim := rate.NewLimiter(t.budgetLimit(), t.budgetBurst())
	jobs := make(chan job)
	slots := make(chan struct{}, t.cfg.Concurrency)
	var wg sync.WaitGroup
	for range t.cfg.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				t.fetch(ctx, j)
				<-slots
			}
		})
	}
	wg.Go(func() {
		defer close(jobs)
		t.dispatch(ctx, lim, jobs, slots)
	})
	wg.Go(func() { t.pacer(ctx) })
	wg.Go(func() { t.sweeper(ctx) })
	t.signalWork() // work queued before Run
	wg.Wait()
	t.stopRetries()
}

// budgetLimit is the rate of GETs (rate.Inf for a negative ReadBudget).
func (t *Tracker) budgetLimit() rate.Limit {
	if t.cfg.ReadBudget < 0 {
		return rate.Inf
	}
	return rate.Limit(t.cfg.ReadBudget)
}

// budgetBurst lets a few GETs go at once after a quiet spell (a Resync of
// a handful of sessions is not spread over seconds) while keeping any
// second's count near the budget: a tenth of a second's worth, at least
// one per worker.
func (t *Tracker) budgetBurst() int {
	if t.cfg.ReadBudget < 0 {
		return t.cfg.Concurrency
	}
	return max(1, min(t.cfg.Concurrency, int(math.Ceil(t.cfg.ReadBudget))), int(t.cfg.ReadBudget/10))
}

// job is one GET handed from the dispatcher to a worker.
type job struct {
	e   *entry
	key SessionKey
}

// dispatch takes sessions off the queue at the budget's pace, each once a
// worker is free, and hands them over. A session stays queued (not in
// flight) while it waits for the budget, so an event meanwhile costs no
// extra GET.
func (t *Tracker) dispatch(ctx context.Context, lim *rate.Limiter, jobs chan<- job, slots chan struct{}) {
	for {
		if !t.hasWork() {
			select {
			case <-ctx.Done():
				return
			case <-t.wake:
				continue
			}
		}
		if lim.Wait(ctx) != nil {
			return
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		e, key := t.take()
		if e == nil {
			<-slots
			continue
		}
		jobs <- job{e, key}
	}
}

func (t *Tracker) hasWork() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.queue.len() > 0
}

// fetch runs one GET and applies its answer.
func (t *Tracker) fetch(ctx context.Context, j job) {
	rctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	t.gets.Add(1)
	resp, err := t.cfg.Getter.GetState(rctx, j.key.UCC, j.key.CorrelationID)
	cancel()
	if ctx.Err() != nil {
		t.abandon(j.e)
		return
	}
	t.finish(j.e, resp, err)
}

// signalWork wakes the dispatcher.
func (t *Tracker) signalWork() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// notify is the non-blocking "something changed" signal.
func (t *Tracker) notify() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// take pops the next session to GET and marks it in flight.
func (t *Tracker) take() (*entry, SessionKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		e := t.queue.pop()
		if e == nil {
			return nil, SessionKey{}
		}
		e.queued = false
		if e.dropped {
			continue
		}
		e.inflight = true
		e.dirty = false
		e.lastGet = mono()
		return e, e.key
	}
}

// abandon puts back a session whose GET was cut short by Run ending, so a
// later Run fetches it.
func (t *Tracker) abandon(e *entry) {
	t.mu.Lock()
	e.inflight = false
	if !e.dropped && !e.queued {
		t.enqueue(e)
	}
	t.mu.Unlock()
}

// finish applies a GET's answer.
func (t *Tracker) finish(e *entry, resp *StateResponse, err error) {
	now := t.cfg.Now()
	t.mu.Lock()
	e.inflight = false
	e.readAt = mono()
	if e.dropped {
		t.mu.Unlock()
		return
	}
	wake := false
	changed := false
	switch {
	case e.dirty:
		// Something happened while the GET ran, so its answer may predate
		// it: do not show it; fetch once more (a burst costs one more GET).
		e.dirty = false
		wake = t.schedule(e)
	case isGone(resp, err):
		if !e.gone || !e.confirmed || e.lastError != "" || e.stale || e.final {
			t.markGone(e, now)
			t.addHistory(e, now, HistoryConfirmed, 0, nil)
			changed = true
		}
	case err != nil || resp == nil || resp.ErrorMessage != nil:
		msg := errorText(resp, err)
		if e.lastError != msg {
			e.lastError = msg
			changed = true
		}
		switch {
		case isNoAPISession(resp, err):
			// A call the API may not control: retrying cannot help, and
			// the pacer's periodic re-reads learn when it ends.
			e.failures = 0
		case isFinal(resp, err):
			// The server (or the client, before sending) refused this
			// session for good: an unknown UCC, a malformed id. Retrying
			// would ask the same question forever; the row says why. A
			// new event or an explicit Watch asks again.
			e.failures = 0
			if !e.final {
				e.final = true
				changed = true
			}
		default:
			if e.final {
				// Asked again (an event, a Watch) and the answer is no
				// longer final: retry like any transient failure.
				e.final = false
				changed = true
			}
			if e.failures < 255 {
				e.failures++
			}
			t.retryLater(e)
		}
	default:
		wasUnconfirmed := !e.confirmed
		changed = t.applyConfirmed(e, resp, now)
		if changed || wasUnconfirmed {
			t.addHistory(e, now, HistoryConfirmed, 0, nil)
		}
	}
	if changed {
		t.touch(e)
	}
	t.mu.Unlock()
	if wake {
		t.signalWork()
	}
	if changed {
		t.notify()
	}
}

// isFinal reports an answer that no retry can change: input refused
// before sending (*ValidationError), or a Validation ErrorMessage (an
// unknown UCC, ...). Processing, Configuration ("Recorder was not
// available"), transport, response and auth failures are transient.
func isFinal(resp *StateResponse, err error) bool {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return true
	}
	typ, _, ok := apiMessage(resp, err)
	return ok && typ == ErrorValidation
}

// schedule asks for a GET of e. It reports whether a worker must be woken.
// While a retry backoff is pending, a plain event does not cut it short:
// the server just failed, and the retry will fetch the latest state anyway.
// A session fetched less than MinRefetch ago is fetched when that has
// passed (all events until then share that one GET).
func (t *Tracker) schedule(e *entry) bool {
	switch {
	case e.inflight:
		e.dirty = true
		return false
	case e.queued, e.retry != nil:
		return false
	}
	if e.lastGet != 0 && t.cfg.MinRefetch > 0 {
		if wait := t.cfg.MinRefetch - time.Duration(mono()-e.lastGet); wait > 0 {
			t.later(e, wait)
			return false
		}
	}
	return t.enqueue(e)
}

func (t *Tracker) enqueue(e *entry) bool {
	e.queued = true
	t.queue.push(e)
	return true
}

// monoBase anchors mono, a monotonic clock for MinRefetch (the configured
// Now may be a test's fake clock, and wall time can jump).
var monoBase = time.Now()

func mono() int64 { return int64(time.Since(monoBase)) + 1 }

// scheduleNow is schedule for explicit requests (Resync, Watch, an action
// of ours): a pending retry is brought forward and MinRefetch ignored.
func (t *Tracker) scheduleNow(e *entry) bool {
	switch {
	case e.inflight:
		e.dirty = true
		return false
	case e.queued:
		return false
	}
	if e.retry != nil {
		e.retry.Stop()
		e.retry = nil
	}
	return t.enqueue(e)
}

// --- periodic re-reads ---

// PacePlan is the periodic schedule for n known sessions re-read at most
// perSec times a second with a target interval: interval is the time
// between two re-reads of one session (target while n <= perSec*target,
// then stretched evenly to n/perSec), step the time between two re-reads.
// perSec <= 0 or +Inf means no limit.
func PacePlan(n int, perSec float64, target time.Duration) (interval, step time.Duration) {
	if n <= 0 {
		return target, 0
	}
	interval = target
	if perSec > 0 && !math.IsInf(perSec, 1) {
		if need := time.Duration(float64(n) / perSec * float64(time.Second)); need > interval {
			interval = need
		}
	}
	return interval, max(interval/time.Duration(n), time.Millisecond)
}

// pacer re-reads known sessions one at a time, spread evenly over the
// interval PacePlan gives: PeriodicInterval within PeriodicShare of the
// budget while the hub is connected, DownInterval within the whole budget
// while it is not (nothing else then keeps the rows true).
func (t *Tracker) pacer(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d, wake := t.paceStep()
		if wake {
			t.signalWork()
		}
		var tick <-chan time.Time
		if d > 0 {
			timer.Reset(d)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-t.paceWake:
		}
	}
}

// maxPaceSleep bounds the pacer's sleep, so a step computed for a few
// sessions (25 s for one) is recomputed soon when many more arrive. A
// quiet pacer sleeps until its next batch instead (paceBatch: at most
// maxPaceBatch), so many new sessions change its plan within 2 s.
const maxPaceSleep = time.Second

// An idle console re-reads its few sessions a step apart (40 sessions
// over 25 s: one every 625 ms), and each re-read on a timer of its own is
// a wake-up of the whole process at an instant of its own. When the step
// is at least minBeatStep (at most ten re-reads a second: an idle or
// quiet console; a busy one is awake anyway) and the interval at least
// two beats (so no session comes up twice in one beat), the pacer instead
// wakes on the process's 1 s grid (internal/beat, with the ages' frame and
// the pause guard) and makes the visits whose slots passed since its last
// wake-up: the same re-reads a second, each at most a batch late.
//
// It wakes every paceBatch beats, not every beat: the ages' frame wakes
// the process each second anyway, but a re-read keeps it awake for the
// server's answer (the Go runtime's monitor thread polling all the while),
// so re-reads sent together every few seconds cost the console less than
// the same re-reads a beat apart (measured with 40 sessions: see
// paceBatch).
const (
	paceBeat    = time.Second
	minBeatStep = 100 * time.Millisecond
	// maxPaceBatch and maxBatchVisits bound a batch: at most 2 s apart
	// (each re-read at most that late, so an ended call is still seen
	// within 30 s with the defaults: 1.1 intervals of 25 s and a batch) and
	// at most ten re-reads together (a server sees no burst larger than a
	// busy console's second).
	maxPaceBatch   = 2 * time.Second
	maxBatchVisits = 10
)

// paceBatch is how far apart a quiet console's batches of periodic
// re-reads go out for a plan's interval and step: whole beats, at most
// maxPaceBatch and maxBatchVisits steps, and at most half the interval (no
// session twice in one batch). With the defaults and 40 sessions: 3 or 4
// re-reads every other beat. On the project's machine, an idle console
// with 40 sessions measured 0.06 % of a core less (0.21 % against 0.28 %,
// median of 8 paired 30 s windows) than with the same re-reads a beat
// apart; batches of up to 5 s saved little more (0.20 %).
func paceBatch(interval, step time.Duration) time.Duration {
	b := min(maxPaceBatch, interval/2, maxBatchVisits*step)
	return max(b.Truncate(paceBeat), paceBeat)
}

// paceStep queues the next due sessions, if any, and says when to look
// again (0: no sessions, wait for one).
func (t *Tracker) paceStep() (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.order)
	if n == 0 {
		return 0, false
	}
	now := mono()
	perSec, target := t.cfg.ReadBudget*t.cfg.PeriodicShare, t.cfg.PeriodicInterval
	if t.hubDown {
		perSec, target = t.cfg.ReadBudget, t.cfg.DownInterval
	}
	if t.cfg.ReadBudget < 0 {
		perSec = math.Inf(1)
	}
	interval, step := PacePlan(n, perSec, target)
	onBeat := step >= minBeatStep && interval >= 2*paceBeat
	sleep := min(step, maxPaceSleep)
	batch := paceBeat
	if onBeat {
		batch = paceBatch(interval, step)
		sleep = beat.Until(time.Now(), batch)
	}
	behind := time.Duration(now - t.lastStep)
	if t.lastStep != 0 && behind < step {
		if onBeat {
			return sleep, false
		}
		return min(step-behind, maxPaceSleep), false // woken early (a poke, or a capped sleep)
	}
	if t.queue.len() >= t.yieldAt {
		// Event-driven GETs use the budget now: give way, so they are
		// confirmed promptly.
		return sleep, false
	}
	visits := 1
	switch {
	case !onBeat || t.lastStep == 0:
		t.lastStep = now
	default:
		// The slots that passed since the last visit, each a step after
		// the one before, so the rate is the plan's exactly; after a
		// stall or a yield the pacer starts afresh rather than catching up.
		visits = int(behind / step)
		t.lastStep += int64(visits) * int64(step)
		if behind > 2*batch {
			visits, t.lastStep = max(int(batch/step), 1), now
		}
	}
	wake := false
	for range visits {
		wake = t.visitNext(now, interval) || wake
	}
	return sleep, wake
}

// visitNext is the pacer's visit of the next session in order: it queues
// a GET unless one is due anyway. One session per visit, in order: each is
// visited exactly once per lap of n visits, that is once per interval, so
// no session waits longer than that however the others fare. Called with
// t.mu held.
func (t *Tracker) visitNext(now int64, interval time.Duration) bool {
	if t.cursor >= len(t.order) {
		t.cursor = 0
	}
	e := t.order[t.cursor]
	t.cursor++
	if e.gone || e.final || e.queued || e.inflight || e.retry != nil {
		return false
	}
	// Read very recently (an event's GET): skip it this lap. The next
	// visit is one interval later, so the gap between two reads stays
	// under 1.1 intervals.
	if e.readAt != 0 && time.Duration(now-e.readAt) < interval/10 {
		return false
	}
	return t.enqueue(e)
}

// retryLater schedules a GET after a capped exponential backoff with jitter.
func (t *Tracker) retryLater(e *entry) {
	d := t.cfg.RetryMin << min(e.failures-1, 20)
	if d > t.cfg.RetryMax || d <= 0 {
		d = t.cfg.RetryMax
	}
	d = d/2 + rand.N(d/2+1) // jitter: sessions that failed together do not retry together
	t.later(e, d)
}

// later queues a GET of e after d (e.retry marks it pending).
func (t *Tracker) later(e *entry, d time.Duration) {
	var timer *time.Timer
	timer = time.AfterFunc(d, func() {
		t.mu.Lock()
		if e.retry != timer {
			t.mu.Unlock() // stopped too late and replaced: not ours any more
			return
		}
		e.retry = nil
		wake := false
		if !e.dropped && !e.inflight && !e.queued {
			wake = t.enqueue(e)
		}
		t.mu.Unlock()
		if wake {
			t.signalWork()
		}
	})
	e.retry = timer
}

// stopRetries cancels pending retry timers when Run ends (their sessions
// are queued instead, for a later Run).
func (t *Tracker) stopRetries() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.order {
		if e.retry != nil && e.retry.Stop() {
			e.retry = nil
			if !e.queued {
				t.enqueue(e)
			}
		}
	}
}

// errorText is what a failed GET shows in Session.LastError.
func errorText(resp *StateResponse, err error) string {
	switch {
	case err != nil:
		return truncate(err.Error(), 200)
	case resp == nil:
		return "no response"
	default:
		return truncate(resp.ErrorMessage.ErrorType.String()+" error: "+safetext.Out(resp.ErrorMessage.Message), 200)
	}
}

// The two "not found" answers (seed 001). The first means the call is over
// (or never was): the session is Gone. The second means the call exists
// but is not under API control: the hub still reports it, so it stays
// listed with the message as its error, and is not retried.
const (
	msgNoSession    = "No Audio session with correlation Id:"
	msgNoAPISession = "No Api Audio session with correlation Id:"
)

// apiMessage returns the API's ErrorMessage, whether the getter returned it
// as an *APIError (the Client does) or in the response.
func apiMessage(resp *StateResponse, err error) (ErrorType, string, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Type, ae.Message, true
	}
	if err == nil && resp != nil && resp.ErrorMessage != nil {
		return resp.ErrorMessage.ErrorType, resp.ErrorMessage.Message, true
	}
	return 0, "", false
}

// isGone reports the API's "No Audio session ... was found." answer.
func isGone(resp *StateResponse, err error) bool {
	typ, msg, ok := apiMessage(resp, err)
	return ok && typ == ErrorValidation && strings.HasPrefix(msg, msgNoSession)
}

// isNoAPISession reports "No Api Audio session ... was found.".
func isNoAPISession(resp *StateResponse, err error) bool {
	typ, msg, ok := apiMessage(resp, err)
	return ok && typ == ErrorValidation && strings.HasPrefix(msg, msgNoAPISession)
}
