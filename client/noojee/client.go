package noojee

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	_ "time/tzdata" // time_zone settings (e.g. Australia/Sydney) work on hosts without a zone database

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// AuthStyle chooses how requests are authenticated, and so which API they go to.
type AuthStyle string

// Authentication styles.
const (
	// AuthAPIKey is the newer API: /njadmin/rest/RecordingAPI/... with an
	// apiKey query parameter.
	AuthAPIKey AuthStyle = "apikey"
	// AuthHash is the older API: /servicemanager/rest/CallManagementAPI/...
	// with timeStamp and hash = hex(sha256(apiKey + ":" + timeStamp)) (and the
	// apiKey), the timeStamp coming from POST /servicemanager/rest/Time.
	AuthHash AuthStyle = "hash"
)

// ParseAuthStyle reads "apikey" or "hash" (case-insensitive); empty means apikey.
func ParseAuthStyle(s string) (AuthStyle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "apikey", "api_key", "api-key":
		return AuthAPIKey, nil
	case "hash", "timestamp":
		return AuthHash, nil
	}
	return "", &InputError{Field: "auth", Problem: fmt.Sprintf("unknown style %q (want apikey or hash)", excerpt(s, 20))}
}

// Default paths. RecordingPath is an assumption: the audio method is not public.
const (
	DefaultRecordingAPIPath   = "/njadmin/rest/RecordingAPI"
	DefaultCallManagementPath = "/servicemanager/rest/CallManagementAPI"
	DefaultTimePath           = "/servicemanager/rest/Time"
	// DefaultRecordingMethod is appended to the API path of the auth style
	// when Config.RecordingPath is empty.
	DefaultRecordingMethod = "retrieveRecording"
)

// Defaults of the limits in Config.
const (
	DefaultTimeout        = 20 * time.Second
	DefaultMaxJSONBytes   = 4 << 20
	DefaultMaxAudioBytes  = 1 << 30
	DefaultByHourInterval = time.Minute
	// HashFreshFor is how long a new timeStamp/hash pair stays valid before
	// its first use; HashLifetime how long it stays valid after it.
	HashFreshFor = 10 * time.Second
	HashLifetime = time.Hour
)

// API method names, used in paths and in errors.
const (
	opMetaData       = "retrieveMetaData"
	opMetaDataByUID  = "retrieveMetaDataByUniqueId"
	opMetaDataByHour = "retrieveMetaDataByHour"
	opTime           = "Time"
	opStart          = "start"
	opStop           = "stop"
)

// Config says where the server is and how to talk to it. Only BaseURL and
// APIKey are required.
type Config struct {
	BaseURL string // e.g. https://pbx.example.com (a path prefix is kept)
	APIKey  string
	Auth    AuthStyle // default AuthAPIKey

	// HTTPClient defaults to a client that verifies TLS.
	HTTPClient *http.Client
	// Timeout bounds each metadata and start/stop request, and, for audio,
	// the wait for the first byte and any stall between bytes.
	Timeout time.Duration
	// Location is the server's zone, used for times written without one
	// (the metadata form). Default time.Local.
	Location *time.Location

	RecordingAPIPath   string // default DefaultRecordingAPIPath
	CallManagementPath string // default DefaultCallManagementPath
	TimePath           string // default DefaultTimePath
	// RecordingPath is the audio method's full path (ASSUMPTION: the real
	// one is not public). Default: the auth style's API path +
	// "/retrieveRecording".
	RecordingPath string

	MaxJSONBytes   int64         // default DefaultMaxJSONBytes
	MaxAudioBytes  int64         // default DefaultMaxAudioBytes
	ByHourInterval time.Duration // default DefaultByHourInterval

	// Now is the clock (tests move it). Default time.Now.
	Now func() time.Time
}

// Client talks to one Noojee server. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	hc   *http.Client

	hashMu sync.Mutex
	pair   hashPair

	rateMu     sync.Mutex
	nextByHour time.Time
}

// New checks cfg and returns a client. It sends nothing.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, &InputError{Field: "apiKey", Problem: "missing (set RECDECK_NOOJEE_API_KEY or noojee.api_key in the config profile)"}
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthAPIKey
	}
	if cfg.Auth != AuthAPIKey && cfg.Auth != AuthHash {
		return nil, &InputError{Field: "auth", Problem: fmt.Sprintf("unknown style %q (want apikey or hash)", excerpt(string(cfg.Auth), 20))}
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.RecordingAPIPath, DefaultRecordingAPIPath)
	def(&cfg.CallManagementPath, DefaultCallManagementPath)
	def(&cfg.TimePath, DefaultTimePath)
	if cfg.RecordingPath == "" {
		cfg.RecordingPath = strings.TrimRight(apiPath(cfg), "/") + "/" + DefaultRecordingMethod
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.MaxJSONBytes <= 0 {
		cfg.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if cfg.MaxAudioBytes <= 0 {
		cfg.MaxAudioBytes = DefaultMaxAudioBytes
	}
	if cfg.ByHourInterval <= 0 {
		cfg.ByHourInterval = DefaultByHourInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	// Every Noojee call is a POST carrying the apiKey or a hash: no
	// redirect is followed (httpsafe). The one redactor removes the key
	// from every error and output of the process.
	hc = httpsafe.Client(hc)
	safetext.AddSecret(cfg.APIKey)
	return &Client{cfg: cfg, base: base, hc: hc}, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, &InputError{Field: "base URL", Problem: "missing (e.g. https://pbx.example.com)"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &InputError{Field: "base URL", Problem: fmt.Sprintf("%q is not an http(s) URL with a host", excerpt(stripQuery(raw), 60))}
	}
	if u.User != nil {
		return nil, &InputError{Field: "base URL", Problem: "must not hold a user or password"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &InputError{Field: "base URL", Problem: "must not have a query or fragment"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// apiPath is the metadata API of the configured auth style.
func apiPath(cfg Config) string {
	if cfg.Auth == AuthHash {
		return cfg.CallManagementPath
	}
	return cfg.RecordingAPIPath
}

// Auth is the configured authentication style.
func (c *Client) Auth() AuthStyle { return c.cfg.Auth }

// Location is the zone used for times written without one.
func (c *Client) Location() *time.Location { return c.cfg.Location }

// Legs finds the recording legs of the calls with this tag (retrieveMetaData).
func (c *Client) Legs(ctx context.Context, tag string) ([]Leg, error) {
	tag, err := checkTag(tag)
	if err != nil {
		return nil, err
	}
	return c.metadata(ctx, opMetaData, url.Values{"tag": {tag}})
}

// LegsByUniqueID finds the recording legs of one call (retrieveMetaDataByUniqueId).
func (c *Client) LegsByUniqueID(ctx context.Context, uniqueID string) ([]Leg, error) {
	uniqueID, err := checkID("unique id", uniqueID)
	if err != nil {
		return nil, err
	}
	return c.metadata(ctx, opMetaDataByUID, url.Values{"uniqueId": {uniqueID}})
}

// ByHour lists the recording legs of one hour (retrieveMetaDataByHour). date
// is yyyy/MM/dd and hour 0-23, in the server's zone. The API allows one call
// a minute: a second call inside the minute is refused here, without
// sending, with a *RateLimitError saying when to try again.
func (c *Client) ByHour(ctx context.Context, date string, hour int) ([]Leg, error) {
	date, err := CheckDateHour(date, hour)
	if err != nil {
		return nil, err
	}
	c.rateMu.Lock()
	now := c.cfg.Now()
	if now.Before(c.nextByHour) {
		e := &RateLimitError{Op: opMetaDataByHour, RetryAt: c.nextByHour, Wait: c.nextByHour.Sub(now)}
		c.rateMu.Unlock()
		return nil, e
	}
	// The slot is taken before sending: two concurrent calls must not both go.
	prev := c.nextByHour
	taken := now.Add(c.cfg.ByHourInterval)
	c.nextByHour = taken
	c.rateMu.Unlock()

	legs, err := c.metadata(ctx, opMetaDataByHour, url.Values{"date": {date}, "hour": {strconv.Itoa(hour)}})
	var rl *RateLimitError
	switch {
	case errors.As(err, &rl) && rl.Op == opMetaDataByHour:
		// The server did not count a refused call: its Retry-After is the truth.
		c.rateMu.Lock()
		c.nextByHour = rl.RetryAt
		c.rateMu.Unlock()
	case neverSent(err):
		// The request never reached the server: a retry (once the network
		// or the Time method is fixed) need not wait a minute.
		c.rateMu.Lock()
		if c.nextByHour.Equal(taken) {
			c.nextByHour = prev
		}
		c.rateMu.Unlock()
	}
	return legs, err
}

// neverSent reports an error that means the request did not reach the
// server: no connection could be made, or (older API) no timeStamp/hash
// could be had, so the request itself was never sent.
func neverSent(err error) bool {
	var te *TransportError
	var ae *APIError
	var rl *RateLimitError
	var oe *net.OpError
	switch {
	case errors.As(err, &ae) && ae.Op == opTime,
		errors.As(err, &te) && te.Op == opTime,
		errors.As(err, &rl) && rl.Op == opTime:
		return true
	case errors.As(err, &oe) && oe.Op == "dial":
		return true
	}
	return false
}

// NextByHour is when ByHour may next be called (zero or past: now).
func (c *Client) NextByHour() time.Time {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	return c.nextByHour
}

// RecordRequest names the call to start or stop recording
// (CallManagementAPI/start and /stop): an extension ("410") or a unique call
// id ("3412341214.123"), an optional tag (written to the call record as its
// "External Reference") and an optional agentLoginName (a Noojee Contact
// username: on start it owns the recording leg, on stop it decides whether
// the user may stop it).
type RecordRequest struct {
	ExtenOrUniqueID string
	Tag             string
	AgentLoginName  string
}

// StartRecording starts recording a call (CallManagementAPI/start). The
// server answers HTTP 200 either way; a non-zero Code or an error field in
// its body is a *CallError with the server's message.
func (c *Client) StartRecording(ctx context.Context, r RecordRequest) (Answer, error) {
	return c.startStop(ctx, opStart, r)
}

// StopRecording stops recording a call (CallManagementAPI/stop), as
// StartRecording.
func (c *Client) StopRecording(ctx context.Context, r RecordRequest) (Answer, error) {
	return c.startStop(ctx, opStop, r)
}

func (c *Client) startStop(ctx context.Context, op string, r RecordRequest) (Answer, error) {
	target, err := checkID("extension or unique id", r.ExtenOrUniqueID)
	if err != nil {
		return Answer{}, err
	}
	params := url.Values{"extenOrUniqueId": {target}}
	if strings.TrimSpace(r.Tag) != "" {
		tag, err := checkTag(r.Tag)
		if err != nil {
			return Answer{}, err
		}
		params.Set("tag", tag)
	}
	if strings.TrimSpace(r.AgentLoginName) != "" {
		name, err := checkTag(r.AgentLoginName)
		if err != nil {
			return Answer{}, &InputError{Field: "agentLoginName", Problem: err.(*InputError).Problem}
		}
		params.Set("agentLoginName", name)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	// Never retried once sent: exchange and post send again only after the
	// server answered (a refused timeStamp/hash), never after a lost
	// answer, which lostAnswer reports as an unknown outcome.
	a, err := c.startStopAnswer(ctx, op, params)
	return a, lostAnswer(err)
}

func (c *Client) startStopAnswer(ctx context.Context, op string, params url.Values) (Answer, error) {
	resp, body, _, err := c.exchange(ctx, op, c.cfg.CallManagementPath+"/"+op, params, 64<<10)
	if err != nil {
		return Answer{}, err
	}
	if resp.StatusCode/100 != 2 {
		// A status body in an error status still says what went wrong.
		if a, ok := ParseAnswer(body); ok && !a.OK() && resp.StatusCode != http.StatusTooManyRequests &&
			resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			return a, c.callError(op, a)
		}
		return Answer{}, c.statusError(op, resp, body)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		// The page documents "the standard HTTP status '200' on success"
		// and nothing more: an empty 200 is success.
		return Answer{Message: "OK"}, nil
	}
	a, ok := ParseAnswer(body)
	if !ok {
		return Answer{}, &APIError{Op: op, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: `unexpected body (want {"Message":...,"Code":...})`, Excerpt: c.excerpt(body)}
	}
	if !a.OK() {
		return a, c.callError(op, a)
	}
	a.Message = oneLine([]byte(a.Message), 200, c.cfg.APIKey, url.QueryEscape(c.cfg.APIKey))
	return a, nil
}

// callError makes the server's refusal an error, its message made safe.
func (c *Client) callError(op string, a Answer) *CallError {
	return &CallError{Op: op, Code: a.Code, Message: oneLine([]byte(a.Text()), 200, c.cfg.APIKey, url.QueryEscape(c.cfg.APIKey))}
}

// exchange sends one request and reads its answer (at most limit bytes).
// With the hash style, an answer refusing the timeStamp/hash pair
// ("Expired TimeStamp", HTTP 200 with a non-zero Code) drops the pair and
// the request is sent once more with a fresh one; post does the same for a
// 401.
func (c *Client) exchange(ctx context.Context, op, path string, params url.Values, limit int64) (*http.Response, []byte, bool, error) {
	for attempt := 0; ; attempt++ {
		resp, ts, err := c.post(ctx, op, path, params)
		if err != nil {
			return nil, nil, false, err
		}
		body, tooBig, rerr := readLimited(resp.Body, limit)
		resp.Body.Close()
		if rerr != nil {
			if resp.StatusCode/100 != 2 {
				return resp, body, tooBig, nil // the status says enough
			}
			return nil, nil, false, &TransportError{Op: op, Err: redactErr(rerr), Sent: true}
		}
		if c.cfg.Auth == AuthHash && attempt == 0 {
			if a, ok := ParseAnswer(body); ok && pairRejected(a) {
				c.dropPair(ts)
				continue
			}
		}
		return resp, body, tooBig, nil
	}
}

// metadata runs one of the retrieveMetaData methods and decodes the legs.
func (c *Client) metadata(ctx context.Context, op string, params url.Values) ([]Leg, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, body, tooBig, err := c.exchange(ctx, op, apiPath(c.cfg)+"/"+op, params, c.cfg.MaxJSONBytes)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.statusError(op, resp, body)
	}
	if tooBig {
		return nil, &APIError{Op: op, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: fmt.Sprintf("response larger than %d bytes: refused", c.cfg.MaxJSONBytes)}
	}
	// A status body ({"Message":"Expired TimeStamp","Code":-1}) is not a
	// leg: a failure is the server's error, a success with nothing else
	// is no legs.
	if a, ok := ParseAnswer(body); ok {
		if !a.OK() {
			return nil, c.callError(op, a)
		}
		return nil, nil
	}
	legs, err := DecodeLegs(body, c.cfg.Location)
	if err != nil {
		return nil, &APIError{Op: op, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: "unexpected body: " + err.Error(), Excerpt: c.excerpt(body)}
	}
	return legs, nil
}

// statusError turns a non-2xx answer into an error; 429 into a RateLimitError.
func (c *Client) statusError(op string, resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusTooManyRequests {
		now := c.cfg.Now()
		wait := c.cfg.ByHourInterval
		// Retry-After is seconds or an HTTP date (RFC 9110); anything else,
		// or an absurd value, leaves the method's own interval.
		ra := strings.TrimSpace(resp.Header.Get("Retry-After"))
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 && s <= 24*3600 {
			wait = time.Duration(s) * time.Second
		} else if at, err := http.ParseTime(ra); err == nil {
			if d := at.Sub(now); d >= 0 && d <= 24*time.Hour {
				wait = d
			}
		}
		return &RateLimitError{Op: op, RetryAt: now.Add(wait), Wait: wait, FromServer: true}
	}
	return &APIError{Op: op, StatusCode: resp.StatusCode, Status: resp.Status, Excerpt: c.excerpt(body)}
}

// excerpt is a short, one-line excerpt of a body with the apiKey and any
// hash blanked. It must not take hashMu: fetchTimeStamp runs under that
// lock and reports a failed Time request through statusError.
func (c *Client) excerpt(body []byte) string {
	return oneLine(body, 200, c.cfg.APIKey, url.QueryEscape(c.cfg.APIKey))
}

// post sends one authenticated POST (the API accepts nothing else) with the
// parameters in the query, as the document's examples do. The apiKey style
// sends the apiKey; the hash style sends timeStamp and hash INSTEAD of it
// ("the API-Key is never exposed"). With the hash style, a 401 drops the
// cached pair and the request is tried once more with a fresh one (the
// server may have restarted and forgotten it). ts is the timeStamp sent.
func (c *Client) post(ctx context.Context, op, path string, params url.Values) (resp *http.Response, ts string, err error) {
	for attempt := 0; ; attempt++ {
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		ts = ""
		if c.cfg.Auth == AuthHash {
			var hash string
			ts, hash, err = c.hashPairFor(ctx)
			if err != nil {
				return nil, "", err
			}
			q.Set("timeStamp", ts)
			q.Set("hash", hash)
		} else {
			q.Set("apiKey", c.cfg.APIKey)
		}
		u := *c.base
		u.Path = c.base.Path + path
		u.RawQuery = q.Encode()
		// The trace covers this request only (not the Time request of
		// hashPairFor), so Sent says whether it reached the server.
		sctx, sent := httpsafe.TraceSend(ctx)
		req, err := http.NewRequestWithContext(sctx, http.MethodPost, u.String(), http.NoBody)
		if err != nil {
			return nil, "", &TransportError{Op: op, Err: redactErr(err)}
		}
		req.Header.Set("Accept", "application/json, audio/*;q=0.9, */*;q=0.1")
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, "", &TransportError{Op: op, Err: redactErr(err), Sent: sent.Wrote()}
		}
		if resp.StatusCode == http.StatusUnauthorized && c.cfg.Auth == AuthHash && attempt == 0 {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			c.dropPair(ts)
			continue
		}
		return resp, ts, nil
	}
}

// readLimited reads at most limit bytes; tooBig says the body was longer.
func readLimited(r io.Reader, limit int64) (body []byte, tooBig bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, err
	}
	return body, false, err
}

// Input checks. Values are trimmed; anything else wrong is refused.

var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@/+*#-]{0,127}$`) })

func checkID(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &InputError{Field: field, Problem: "missing"}
	}
	if !idPattern().MatchString(s) {
		return "", &InputError{Field: field, Problem: fmt.Sprintf("%q is not an id (letters, digits and . _ : @ / + * # -, up to 128)", excerpt(s, 40))}
	}
	return s, nil
}

func checkTag(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", &InputError{Field: "tag", Problem: "missing"}
	case !utf8.ValidString(s):
		return "", &InputError{Field: "tag", Problem: "not valid UTF-8"}
	case utf8.RuneCountInString(s) > 128:
		return "", &InputError{Field: "tag", Problem: "longer than 128 characters"}
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", &InputError{Field: "tag", Problem: "has control characters"}
	}
	return s, nil
}

// CheckDateHour validates a by-hour query: date as yyyy/MM/dd (a real date)
// and hour 0-23. It returns the date trimmed. The simulator uses it too.
func CheckDateHour(date string, hour int) (string, error) {
	date = strings.TrimSpace(date)
	if _, err := time.Parse("2006/01/02", date); err != nil || len(date) != 10 {
		return "", &InputError{Field: "date", Problem: fmt.Sprintf("%q is not a date as yyyy/MM/dd (e.g. 2021/09/14)", excerpt(date, 20))}
	}
	if hour < 0 || hour > 23 {
		return "", &InputError{Field: "hour", Problem: fmt.Sprintf("%d is not an hour 0-23", hour)}
	}
	return date, nil
}

// ParseHour reads an hour 0-23 from text.
func ParseHour(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 23 {
		return 0, &InputError{Field: "hour", Problem: fmt.Sprintf("%q is not an hour 0-23", excerpt(s, 10))}
	}
	return n, nil
}

// HourSettle is how long after an hour ends its by-hour list is taken as
// complete: the vendor says to ask "a few minutes" after the hour, as legs
// still being written are not in it yet.
const HourSettle = 5 * time.Minute

// HourComplete reports whether the by-hour list of (date, hour) in loc can
// be complete at now: the hour is over and HourSettle has passed. A list
// asked for earlier is partial.
func HourComplete(date string, hour int, loc *time.Location, now time.Time) bool {
	if loc == nil {
		loc = time.Local
	}
	d, err := time.ParseInLocation("2006/01/02", strings.TrimSpace(date), loc)
	if err != nil {
		return true // not a date: nothing to say
	}
	end := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc).Add(time.Hour)
	return !now.Before(end.Add(HourSettle))
}

// HourOf gives the by-hour query (date, hour) of t in loc.
func HourOf(t time.Time, loc *time.Location) (date string, hour int) {
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format("2006/01/02"), t.Hour()
}

// LoadLocation reads a time_zone setting: an IANA name ("Australia/Sydney"),
// "Local", "UTC", or a fixed offset ("+10:00", "-0530").
func LoadLocation(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "local") {
		return time.Local, nil
	}
	if s[0] == '+' || s[0] == '-' {
		for _, layout := range []string{"-07:00", "-0700", "-07"} {
			if t, err := time.Parse(layout, s); err == nil {
				_, off := t.Zone()
				return time.FixedZone(s, off), nil
			}
		}
		return nil, &InputError{Field: "time zone", Problem: fmt.Sprintf("%q is not an offset like +10:00", excerpt(s, 20))}
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, &InputError{Field: "time zone", Problem: fmt.Sprintf("unknown zone %q (want e.g. Australia/Sydney, UTC, +10:00)", excerpt(s, 40))}
	}
	return loc, nil
}
