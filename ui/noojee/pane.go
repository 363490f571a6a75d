package noojeepane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// Client is what the pane needs from the Noojee client; *noojee.Client
// satisfies it, and tests may fake it.
type Client interface {
	Legs(ctx context.Context, tag string) ([]noojee.Leg, error)
	LegsByUniqueID(ctx context.Context, uniqueID string) ([]noojee.Leg, error)
	ByHour(ctx context.Context, date string, hour int) ([]noojee.Leg, error)
	NextByHour() time.Time
	DownloadLeg(ctx context.Context, uniqueID string, leg int, dir string, opt noojee.DownloadOptions) (noojee.Download, error)
	StartRecording(ctx context.Context, r noojee.RecordRequest) (noojee.Answer, error)
	StopRecording(ctx context.Context, r noojee.RecordRequest) (noojee.Answer, error)
}

// DefaultRequestTimeout bounds each search the pane makes.
const DefaultRequestTimeout = 20 * time.Second

// Options configure the pane.
type Options struct {
	Client Client
	// Dir is the download folder to start with (default:
	// noojee.DefaultDownloadDir, a per-user data directory; never the
	// working directory). The user changes it with the folder key.
	Dir string
	// Location is the server's zone: times are shown in it and the by-hour
	// prompt is prefilled with its current hour (default time.Local).
	Location *time.Location
	// RequestTimeout bounds each search (default DefaultRequestTimeout).
	// Downloads have no overall bound (a long leg takes long); the client
	// cuts one that stalls.
	RequestTimeout time.Duration
	// Hint is shown before the first search, e.g. "try tag 1234".
	Hint string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Unavailable, when set, is why the pane cannot talk to Noojee (e.g.
	// no apiKey, an unknown time zone): the pane shows it and every action
	// answers with it. Client may then be nil.
	Unavailable string
	// Audit receives a write-ahead record of every start and stop (nil:
	// not audited); Server, Profile and Requester go into them.
	Audit                      Auditor
	Server, Profile, Requester string
}

type viewKind int

const (
	viewLegs viewKind = iota
	viewHour
)

type promptKind int

const (
	promptTag promptKind = iota
	promptID
	promptHour
	promptFolder
	promptStart
	promptStop
	promptConfirmStop
)

// legRef points at one leg of p.calls.
type legRef struct{ call, leg int }

// Pane is the Noojee tab: find a call by tag or unique id, see its legs in
// order with each one's share of the call, fetch one leg or all into a
// folder with a progress bar, and list an hour's calls.
type Pane struct {
	opts   Options
	keys   KeyMap
	styles *ui.Styles
	width  int
	height int
	now    time.Time // the last frame tick (or the clock)

	view viewKind

	// Legs view.
	query    string // what the shown legs were found by, in words
	calls    []noojee.Call
	rows     []legRef
	sel      int
	offset   int // first line of the table on screen
	fromHour bool

	// Hour view. The list holds the legs that ENDED in the hour: a call is
	// looked up whole (by unique id) before it is opened or fetched.
	hourPartial bool // the hour is not over (or just over): more legs may come
	hourLabel   string
	hourCalls   []noojee.Call
	hourSel     int
	hourOffset  int

	seq     int    // id of the latest search; older answers are dropped
	busy    string // what is being searched, while it runs
	status  string // the last outcome, in words
	statusL ui.ToastLevel

	prompt     *components.Prompt
	promptKind promptKind

	dir    string
	job    *fetchJob
	jobSeq int

	pendingStop *noojee.RecordRequest // the stop awaiting confirmation
}

// fetchJob is a running download of one or more legs. The downloading
// command writes the atomics; the pane copies them on each frame tick, so
// progress costs no message per chunk.
type fetchJob struct {
	id     int
	dir    string
	legs   []noojee.Leg
	cancel context.CancelFunc

	index atomic.Int32 // leg being fetched (into legs)
	done  atomic.Int64
	total atomic.Int64

	// Copied from the atomics on tick, for View.
	shownIndex             int
	shownDone, shownTotal  int64
	cancelling             bool
	started                time.Time
	savedBytes, savedCount int64
}

// Messages the pane sends itself (unexported: no other pane can match them).
type (
	legsMsg struct {
		seq   int
		query string
		legs  []noojee.Leg
		err   error
		// From the hour list: the whole call looked up by unique id;
		// hourCall is the hour's part of it, shown if the lookup fails.
		fromHour bool
		hourCall *noojee.Call
		fetchAll bool // fetch every leg once the call is known
	}
	hourMsg struct {
		seq     int
		label   string
		legs    []noojee.Leg
		err     error
		partial bool
	}
	fetchDoneMsg struct {
		id      int
		saved   []noojee.Download
		skipped []string // files that already existed
		err     error
		failed  int // leg number that failed (0: none)
	}
)

// New builds the pane. It sends nothing until the user searches.
func New(opts Options) *Pane {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir := opts.Dir
	if dir == "" {
		if d, err := noojee.DefaultDownloadDir(); err == nil {
			dir = d
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return &Pane{opts: opts, keys: DefaultKeyMap(), styles: &ui.Styles{}, dir: dir, now: opts.Now()}
}

// Title is the tab's label.
func (p *Pane) Title() string { return "Noojee" }

// Init starts nothing: the pane waits for a search.
func (p *Pane) Init() tea.Cmd { return nil }

// SetSize sets the body's size.
func (p *Pane) SetSize(w, h int) { p.width, p.height = w, h }

// SetStyles sets the styles.
func (p *Pane) SetStyles(s *ui.Styles) {
	if s != nil {
		p.styles = s
	}
}

// KeyMap gives the bindings that apply now, for the footer and ? help.
func (p *Pane) KeyMap() help.KeyMap {
	return helpKeys{k: p.keys, prompt: p.prompt != nil, hourView: p.view == viewHour,
		fetching: p.job != nil, fromHour: p.fromHour && p.view == viewLegs}
}

// KeyBindings gives the pane's key map, so the console rebinds it with the
// frame's and the other panes' in one pass (ui.RebindAll).
func (p *Pane) KeyBindings() ui.Bindable { return &p.keys }

// Capturing is true while a prompt is open.
func (p *Pane) Capturing() bool { return p.prompt != nil }

// Dir is the download folder.
func (p *Pane) Dir() string { return p.dir }

// TickWanted asks for the frame's tick (ui.TickWanter) only while a
// download runs: its progress is pulled on the tick.
func (p *Pane) TickWanted() time.Duration {
	if p.job != nil {
		return ui.FrameRate
	}
	return 0
}

// Update handles keys, mouse, ticks and the answers of its own commands.
func (p *Pane) Update(msg tea.Msg) (ui.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case ui.TickMsg:
		p.now = msg.At
		p.pullProgress()
		return p, nil
	case tea.KeyPressMsg:
		if p.prompt != nil {
			return p, p.promptKey(msg)
		}
		return p, p.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			p.move(-1)
		case tea.MouseWheelDown:
			p.move(1)
		}
		return p, nil
	case legsMsg:
		return p, p.onLegs(msg)
	case hourMsg:
		return p, p.onHour(msg)
	case fetchDoneMsg:
		return p, p.onFetchDone(msg)
	case recordMsg:
		return p, p.onRecord(msg)
	}
	if p.prompt != nil {
		return p, p.prompt.UpdateOther(msg)
	}
	return p, nil
}

func (p *Pane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	if p.unavailable() != "" {
		for _, b := range []key.Binding{k.SearchTag, k.SearchID, k.ByHour, k.Fetch, k.FetchAll, k.Folder, k.StartRec, k.StopRec} {
			if key.Matches(msg, b) {
				return p.report(ui.ToastError, "not available: %s", p.unavailable())
			}
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.SearchTag):
		p.openPrompt(promptTag, "Find by tag", "e.g. 1234", "", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("type a tag")
			}
			return nil
		})
	case key.Matches(msg, k.SearchID):
		p.openPrompt(promptID, "Find by unique id", "e.g. 1392271611.238", "", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("type a unique id")
			}
			return nil
		})
	case key.Matches(msg, k.ByHour):
		date, hour := noojee.HourOf(p.opts.Now(), p.opts.Location)
		q := fmt.Sprintf("Hour to list, server time (yyyy/MM/dd H; %s)", p.nextByHourWords())
		p.openPrompt(promptHour, q, "2021/09/14 15", fmt.Sprintf("%s %d", date, hour), func(s string) error {
			_, _, err := parseDateHour(s)
			return err
		})
	case key.Matches(msg, k.Folder):
		p.openPrompt(promptFolder, "Download folder", "e.g. ~/recordings", p.dir, checkFolder)
	case key.Matches(msg, k.StartRec):
		p.openRecordPrompt(true)
	case key.Matches(msg, k.StopRec):
		p.openRecordPrompt(false)
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Top):
		p.move(-1 << 30)
	case key.Matches(msg, k.Bottom):
		p.move(1 << 30)
	case p.view == viewHour && key.Matches(msg, k.Open):
		return p.openHourCall(false)
	case p.view == viewHour && key.Matches(msg, k.FetchAll):
		// The hour holds only the legs that ended in it: the whole call is
		// looked up first, then every leg fetched.
		if p.hourSel >= len(p.hourCalls) {
			return p.report(ui.ToastWarning, "nothing to fetch: this hour has no recordings")
		}
		return p.openHourCall(true)
	case p.view == viewHour && key.Matches(msg, k.Fetch):
		return p.report(ui.ToastWarning, "pick a leg first: %s opens the call's legs (%s fetches them all)",
			k.Open.Help().Key, k.FetchAll.Help().Key)
	case p.view == viewLegs && p.fromHour && key.Matches(msg, k.Back):
		p.view = viewHour
	case p.view == viewLegs && key.Matches(msg, k.Fetch):
		return p.fetch(false)
	case p.view == viewLegs && key.Matches(msg, k.FetchAll):
		return p.fetch(true)
	case p.job != nil && key.Matches(msg, k.Stop):
		if !p.job.cancelling {
			p.job.cancelling = true
			p.job.cancel()
		}
	}
	return nil
}

func (p *Pane) openPrompt(kind promptKind, question, placeholder, value string, validate func(string) error) {
	p.prompt = components.NewInput(question, placeholder, 256, validate)
	if value != "" {
		p.prompt.SetValue(value)
	}
	p.promptKind = kind
}

func (p *Pane) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	res, cmd := p.prompt.Update(msg)
	switch res {
	case components.PromptCancelled:
		p.prompt = nil
		if p.promptKind == promptConfirmStop {
			p.pendingStop = nil
			return p.report(ui.ToastInfo, "stop cancelled: nothing was sent")
		}
		return nil
	case components.PromptAccepted:
		v := p.prompt.Value()
		kind := p.promptKind
		p.prompt = nil
		return p.submit(kind, v)
	}
	return cmd
}

// submit acts on an accepted prompt.
func (p *Pane) submit(kind promptKind, v string) tea.Cmd {
	c, timeout := p.opts.Client, p.opts.RequestTimeout
	switch kind {
	case promptTag, promptID:
		p.seq++
		seq := p.seq
		query := "tag " + v
		if kind == promptID {
			query = "unique id " + v
		}
		p.busy = "Searching " + query + "…"
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			var legs []noojee.Leg
			var err error
			if kind == promptTag {
				legs, err = c.Legs(ctx, v)
			} else {
				legs, err = c.LegsByUniqueID(ctx, v)
			}
			return legsMsg{seq: seq, query: query, legs: legs, err: err}
		}
	case promptHour:
		date, hour, err := parseDateHour(v)
		if err != nil { // the validator already refused this; kept for safety
			return ui.Toast(ui.ToastError, "%v", err)
		}
		p.seq++
		seq := p.seq
		label := fmt.Sprintf("%s %02d:00–%02d:59", date, hour, hour)
		p.busy = "Listing " + label + "…"
		loc, now := p.opts.Location, p.opts.Now
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			legs, err := c.ByHour(ctx, date, hour)
			return hourMsg{seq: seq, label: label, legs: legs, err: err, partial: !noojee.HourComplete(date, hour, loc, now())}
		}
	case promptStart, promptStop:
		r, err := parseRecordRequest(v)
		if err != nil { // the validator already refused this; kept for safety
			return ui.Toast(ui.ToastError, "%v", err)
		}
		if kind == promptStop {
			p.askStop(r)
			return nil
		}
		return p.record(true, r)
	case promptConfirmStop:
		r := p.pendingStop
		p.pendingStop = nil
		if r == nil {
			return nil
		}
		return p.record(false, *r)
	case promptFolder:
		dir := expandHome(v)
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		p.dir = dir
		note := ""
		if _, err := os.Stat(dir); err != nil {
			note = " (created on the first fetch)"
		}
		return p.report(ui.ToastSuccess, "Download folder: %s%s", dir, note)
	}
	return nil
}

// report sets the status line and returns the matching toast.
func (p *Pane) report(level ui.ToastLevel, format string, args ...any) tea.Cmd {
	p.status = fmt.Sprintf(format, args...)
	p.statusL = level
	return ui.Toast(level, "Noojee: %s", p.status)
}

func (p *Pane) onLegs(msg legsMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil // a newer search was started: this answer is stale
	}
	p.busy = ""
	if msg.fromHour {
		return p.onHourCall(msg)
	}
	if msg.err != nil {
		return p.report(levelOf(msg.err), "finding %s failed: %v", msg.query, msg.err)
	}
	p.view = viewLegs
	p.fromHour = false
	p.query = msg.query
	p.setCalls(noojee.GroupCalls(msg.legs))
	if len(msg.legs) == 0 {
		return p.report(ui.ToastWarning, "no recording found for %s", msg.query)
	}
	return p.report(ui.ToastSuccess, "%s: %s, %s%s", msg.query, plural(len(p.calls), "call"), plural(len(msg.legs), "leg"), timeNote(msg.legs))
}

// timeNote says when some times could not be read (a zone outside the
// client's table): they are shown as the server wrote them.
func timeNote(legs []noojee.Leg) string {
	if pr := noojee.TimeProblems(legs); len(pr) > 0 {
		return "; some times shown as the server wrote them (" + safetext.Printable(pr[0]) + ")"
	}
	return ""
}

func (p *Pane) onHour(msg hourMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil
	}
	p.busy = ""
	if msg.err != nil {
		return p.report(levelOf(msg.err), "listing %s failed: %v", msg.label, msg.err)
	}
	p.view = viewHour
	p.hourLabel = msg.label
	p.hourPartial = msg.partial
	p.hourCalls = noojee.GroupCalls(msg.legs)
	p.hourSel, p.hourOffset = 0, 0
	partial := ""
	if msg.partial {
		partial = " (partial: the hour is not over; ask again a few minutes after it)"
	}
	if len(p.hourCalls) == 0 {
		return p.report(ui.ToastWarning, "no recordings in %s%s", msg.label, partial)
	}
	return p.report(ui.ToastSuccess, "%s: %s%s%s", msg.label, plural(len(p.hourCalls), "call"), partial, timeNote(msg.legs))
}

// openHourCall opens the selected call of the hour list. The list holds
// only the legs that ENDED in the hour (the vendor's rule: a call crossing
// the hour is split over two lists), so the whole call is looked up by its
// unique id first; fetchAll then fetches every leg of it.
func (p *Pane) openHourCall(fetchAll bool) tea.Cmd {
	if p.hourSel >= len(p.hourCalls) {
		return nil
	}
	hc := p.hourCalls[p.hourSel]
	c, timeout := p.opts.Client, p.opts.RequestTimeout
	p.seq++
	seq := p.seq
	p.busy = "Reading the whole call " + safetext.Printable(hc.UniqueID) + "…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		legs, err := c.LegsByUniqueID(ctx, hc.UniqueID)
		return legsMsg{seq: seq, query: "call " + hc.UniqueID, legs: legs, err: err, fromHour: true, hourCall: &hc, fetchAll: fetchAll}
	}
}

// onHourCall shows the call looked up from the hour list; when the lookup
// failed or found nothing, the hour's legs of it, saying they may not be
// all (and fetching nothing: "all legs" would not be all).
func (p *Pane) onHourCall(msg legsMsg) tea.Cmd {
	p.view = viewLegs
	p.fromHour = true
	p.query = msg.query + " (from " + p.hourLabel + ")"
	var calls []noojee.Call
	for _, c := range noojee.GroupCalls(msg.legs) {
		if c.UniqueID == msg.hourCall.UniqueID {
			calls = append(calls, c)
		}
	}
	if msg.err != nil || len(calls) == 0 {
		p.setCalls([]noojee.Call{*msg.hourCall})
		why := "not found by its unique id"
		if msg.err != nil {
			why = "could not be read whole: " + msg.err.Error()
		}
		what := "showing"
		if msg.fetchAll {
			what = "nothing fetched; showing"
		}
		return p.report(ui.ToastWarning, "call %s %s; %s only the %s that ended in %s",
			safetext.Printable(msg.hourCall.UniqueID), why, what, plural(len(msg.hourCall.Legs), "leg"), p.hourLabel)
	}
	p.setCalls(calls)
	if msg.fetchAll {
		return p.fetch(true)
	}
	extra := ""
	if n, m := len(calls[0].Legs), len(msg.hourCall.Legs); n > m {
		extra = fmt.Sprintf(" (%d ended in %s, the others in another hour)", m, p.hourLabel)
	}
	return p.report(ui.ToastSuccess, "%s: %s%s", msg.query, plural(len(calls[0].Legs), "leg"), extra)
}

func (p *Pane) setCalls(calls []noojee.Call) {
	p.calls = calls
	p.rows = p.rows[:0]
	for ci, c := range calls {
		for li := range c.Legs {
			p.rows = append(p.rows, legRef{ci, li})
		}
	}
	p.sel, p.offset = 0, 0
}

func (p *Pane) move(d int) {
	clamp := func(v, n int) int { return max(0, min(v, n-1)) }
	if p.view == viewHour {
		p.hourSel = clamp(p.hourSel+d, len(p.hourCalls))
		return
	}
	p.sel = clamp(p.sel+d, len(p.rows))
}

// fetch starts downloading the selected leg, or all legs of its call.
func (p *Pane) fetch(all bool) tea.Cmd {
	if len(p.rows) == 0 {
		return p.report(ui.ToastWarning, "nothing to fetch: find a call first (%s or %s)",
			p.keys.SearchTag.Help().Key, p.keys.SearchID.Help().Key)
	}
	if p.job != nil {
		return p.report(ui.ToastWarning, "a fetch is already running (%s cancels it)", p.keys.Stop.Help().Key)
	}
	ref := p.rows[p.sel]
	call := p.calls[ref.call]
	legs := []noojee.Leg{call.Legs[ref.leg]}
	if all {
		legs = call.Legs
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.jobSeq++
	job := &fetchJob{id: p.jobSeq, dir: p.dir, legs: legs, cancel: cancel, started: p.opts.Now()}
	job.total.Store(-1)
	p.job = job
	c := p.opts.Client
	return func() tea.Msg {
		defer cancel()
		msg := fetchDoneMsg{id: job.id}
		for i, l := range job.legs {
			job.index.Store(int32(i))
			job.done.Store(0)
			job.total.Store(-1)
			d, err := c.DownloadLeg(ctx, l.UniqueID, l.Leg, job.dir, noojee.DownloadOptions{
				Progress: func(done, total int64) { job.done.Store(done); job.total.Store(total) },
			})
			if errors.Is(err, noojee.ErrExists) {
				msg.skipped = append(msg.skipped, noojee.LegFileName(l.UniqueID, l.Leg, ".wav"))
				continue
			}
			if err != nil {
				msg.err, msg.failed = err, l.Leg
				return msg
			}
			msg.saved = append(msg.saved, d)
		}
		return msg
	}
}

// pullProgress copies the running download's counters for View.
func (p *Pane) pullProgress() {
	if j := p.job; j != nil {
		j.shownIndex = int(j.index.Load())
		j.shownDone = j.done.Load()
		j.shownTotal = j.total.Load()
	}
}

func (p *Pane) onFetchDone(msg fetchDoneMsg) tea.Cmd {
	if p.job == nil || msg.id != p.job.id {
		return nil
	}
	job := p.job
	p.job = nil
	var bytes int64
	for _, d := range msg.saved {
		bytes += d.Bytes
	}
	saved := plural(len(msg.saved), "leg") + " saved (" + humanBytes(bytes) + ")"
	switch len(msg.saved) {
	case 0:
		saved = "nothing saved"
	case 1:
		saved = "saved " + msg.saved[0].Path + " (" + humanBytes(bytes) + ")"
	}
	skipped := ""
	if len(msg.skipped) > 0 {
		skipped = fmt.Sprintf("; %s already there, not overwritten", plural(len(msg.skipped), "file"))
	}
	switch {
	case msg.err != nil && errors.Is(msg.err, context.Canceled):
		return p.report(ui.ToastWarning, "fetch cancelled at leg %d: %s%s; no partial file kept", msg.failed, saved, skipped)
	case msg.err != nil:
		return p.report(ui.ToastError, "fetch failed at leg %d: %v (%s%s; no partial file kept)", msg.failed, msg.err, saved, skipped)
	case len(msg.saved) == 0:
		return p.report(ui.ToastWarning, "nothing fetched%s", skipped)
	case len(msg.skipped) > 0:
		return p.report(ui.ToastWarning, "%s into %s%s", saved, job.dir, skipped)
	}
	if len(msg.saved) == 1 {
		return p.report(ui.ToastSuccess, "%s", saved)
	}
	return p.report(ui.ToastSuccess, "%s into %s", saved, job.dir)
}

// levelOf picks a toast level: the rate limit and bad input are warnings
// (nothing broke), everything else an error.
func levelOf(err error) ui.ToastLevel {
	var rl *noojee.RateLimitError
	var ie *noojee.InputError
	if errors.As(err, &rl) || errors.As(err, &ie) {
		return ui.ToastWarning
	}
	return ui.ToastError
}

// parseDateHour reads "yyyy/MM/dd H" (or "yyyy/MM/dd HH:mm", minutes ignored).
func parseDateHour(s string) (string, int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return "", 0, errors.New("type a date and an hour, e.g. 2021/09/14 15")
	}
	h, _, _ := strings.Cut(f[1], ":")
	hour, err := noojee.ParseHour(h)
	if err != nil {
		return "", 0, err
	}
	date, err := noojee.CheckDateHour(f[0], hour)
	if err != nil {
		return "", 0, err
	}
	return date, hour, nil
}

// checkFolder refuses a path that exists but is not a folder.
func checkFolder(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("type a folder")
	}
	if fi, err := os.Stat(expandHome(s)); err == nil && !fi.IsDir() {
		return fmt.Errorf("%s is a file, not a folder", s)
	}
	return nil
}

func expandHome(s string) string {
	s = strings.TrimSpace(s)
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, s[1:])
		}
	}
	return s
}

// unavailable is why the pane cannot talk to Noojee, or "".
func (p *Pane) unavailable() string {
	if p.opts.Unavailable != "" {
		return p.opts.Unavailable
	}
	if p.opts.Client == nil {
		return "no Noojee client configured"
	}
	return ""
}

// nextByHourWords says when the by-hour list may next be asked for.
func (p *Pane) nextByHourWords() string {
	if p.opts.Client == nil {
		return "not available"
	}
	next := p.opts.Client.NextByHour()
	now := p.opts.Now()
	if !next.After(now) {
		return "allowed now"
	}
	wait := next.Sub(now).Round(time.Second)
	if wait < time.Second {
		wait = time.Second
	}
	// The user's clock (as the client's rate-limit error gives it), not
	// the server's zone: it is when the user may try again.
	return fmt.Sprintf("next allowed in %s, at %s", wait, next.Format("15:04:05"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
