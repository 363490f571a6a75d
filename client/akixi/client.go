package akixi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// Defaults for Config fields left zero.
const (
	// DefaultPath is the WS API endpoint under the base URL. ASSUMPTION: the
	// real path is not public; the simulator serves this one.
	DefaultPath = "/CCS/WSAPI"
	// DefaultTimeout bounds each HTTP request.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxBodyBytes bounds each response body: a full page of 1000
	// entries with every property is about 0.7 MiB (BenchmarkDecodeFullPage).
	DefaultMaxBodyBytes = 4 << 20
	// DefaultLimit is the service's page size when a List sends no Limit.
	DefaultLimit = 1000
	// DefaultMaxEntries bounds ListAll.
	DefaultMaxEntries = 100_000
	// DefaultUserProperty and DefaultPasswordProperty name CreateSession's
	// credentials. ASSUMPTION: CreateSession's payload is not in the seed.
	DefaultUserProperty     = "UserName"
	DefaultPasswordProperty = "Password"
)

// DefaultRenewCodes are the Fail codes after which the client opens a new
// session and retries once: the session is unknown (10301) or expired
// (10302).
var DefaultRenewCodes = []int{CodeSessionInvalid, CodeSessionExpired}

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	// BaseURL is the Akixi Service, e.g. "https://akixi.example.com".
	BaseURL string
	// Path is the WS API endpoint under BaseURL (DefaultPath).
	Path string
	// Username and Password open the session (CreateSession). They are kept
	// in memory only and never appear in errors.
	Username, Password string
	// UserProperty and PasswordProperty name the credentials' properties in
	// CreateSession's payload.
	UserProperty, PasswordProperty string
	// HTTPClient is used when set (it decides TLS); otherwise a client with
	// the default, verifying, transport.
	HTTPClient *http.Client
	// Timeout bounds each HTTP request.
	Timeout time.Duration
	// FailNames are the element names of a Fail answer's error.
	FailNames FailNames
	// MaxBodyBytes bounds each response body.
	MaxBodyBytes int64
	// PageSize is the Limit ListAll asks for on each page (DefaultLimit).
	PageSize int
	// MaxEntries bounds ListAll (DefaultMaxEntries).
	MaxEntries int
	// RenewCodes are the Fail codes that mean "open a new session and retry
	// once" (DefaultRenewCodes).
	RenewCodes []int
	// LogoutOperation closes a session (OpLogout). "-" sends none: the
	// session is then left to expire on the service.
	LogoutOperation string
}

// Client speaks the Akixi WS API's Call Recording Integration operations.
// It opens a session on first use, renews it once when the service reports
// it invalid or expired, and numbers requests with a zero-padded
// incrementing InvokeID ("00000", "00001", ... "99999", "00000"). It is safe
// for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	hc       *http.Client

	invoke   atomic.Uint64
	sessions atomic.Int64 // sessions opened, for diagnostics and tests

	login chan struct{} // one CreateSession at a time
	mu    sync.Mutex
	sid   string
}

// New checks cfg and builds a Client. No request is sent.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ValidationError{Field: "base URL", Value: clip(cfg.BaseURL, 60), Reason: `must be an http:// or https:// URL, e.g. "https://akixi.example.com"`}
	}
	if u.User != nil {
		return nil, &ValidationError{Field: "base URL", Reason: "must not carry credentials: give the user name and password separately"}
	}
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if !strings.HasPrefix(cfg.Path, "/") || strings.ContainsAny(cfg.Path, "?# ") {
		return nil, &ValidationError{Field: "endpoint path", Value: clip(cfg.Path, 60), Reason: `must start with "/" and hold no query`}
	}
	if cfg.Username == "" {
		return nil, &ValidationError{Field: "Akixi user name", Reason: "is required"}
	}
	if cfg.Password == "" {
		return nil, &ValidationError{Field: "Akixi password", Reason: "is required"}
	}
	if err := validateText("Akixi user name", cfg.Username, maxIDLen); err != nil {
		return nil, err
	}
	if cfg.UserProperty == "" {
		cfg.UserProperty = DefaultUserProperty
	}
	if cfg.PasswordProperty == "" {
		cfg.PasswordProperty = DefaultPasswordProperty
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultLimit
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.RenewCodes == nil {
		cfg.RenewCodes = DefaultRenewCodes
	}
	if cfg.LogoutOperation == "" {
		cfg.LogoutOperation = OpLogout
	}
	cfg.FailNames = cfg.FailNames.withDefaults()
	// Every WS API call is a POST carrying the password or a session id:
	// no redirect is followed (httpsafe). The one redactor removes the
	// password from every error and output of the process.
	hc := httpsafe.Client(cfg.HTTPClient)
	safetext.AddSecret(cfg.Password)
	u.RawQuery, u.Fragment = "", ""
	return &Client{
		cfg:      cfg,
		endpoint: strings.TrimRight(u.String(), "/") + cfg.Path,
		hc:       hc,
		login:    make(chan struct{}, 1),
	}, nil
}

// Endpoint is the URL requests are POSTed to.
func (c *Client) Endpoint() string { return c.endpoint }

// SessionsOpened counts successful CreateSession calls so far.
func (c *Client) SessionsOpened() int { return int(c.sessions.Load()) }

// Login opens a new session now, replacing any current one. Operations
// open one on first use anyway; Login checks the credentials early.
func (c *Client) Login(ctx context.Context) error {
	c.mu.Lock()
	old := c.sid
	c.mu.Unlock()
	c.dropSession(old)
	_, err := c.session(ctx)
	return err
}

// Logout closes the current session, if one is open, so it does not linger
// on the service until it expires (sessions are meant to be closed: the
// REST API has an explicit Logout). The session is forgotten whatever the
// answer; a later operation opens a new one. A Fail answer saying the
// session was already invalid or expired is not an error.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	sid := c.sid
	c.sid = ""
	c.mu.Unlock()
	if sid == "" || c.cfg.LogoutOperation == "-" {
		return nil
	}
	req := &Request{Operation: c.cfg.LogoutOperation, SessionID: sid, Payload: &Container{}}
	resp, status, err := c.roundTrip(ctx, req)
	if err != nil {
		return err
	}
	if resp.Result == ResultSuccess {
		return nil
	}
	code, codeText, msg := resp.Fail(c.cfg.FailNames)
	if slices.Contains(c.cfg.RenewCodes, code) {
		return nil // already gone
	}
	return &APIError{Operation: req.Operation, Code: code, CodeText: safetext.Clean(c.redact(codeText, sid), 40),
		Message: safetext.Clean(c.redact(msg, sid), 300), Group: GroupOf(code), Status: status}
}

// Add creates an entry (CallRecIntAdd) and returns its GUID. The seed's
// answer carries no GUID, so unless the service sends one, the client
// looks the new entry up by its description in its scope; the GUID is ""
// when that lookup does not find exactly one entry (the entry was still
// added).
func (c *Client) Add(ctx context.Context, e Entry) (string, error) {
	if err := ValidateNew(e); err != nil {
		return "", err
	}
	RegisterSecrets(e)
	names := map[string]bool{}
	for _, p := range Properties {
		if !p.ReadOnly && *p.field(&e) != "" {
			names[p.Name] = true
		}
	}
	names[PropType] = true
	req := &Request{Operation: OpAdd, Payload: payload(e, names)}
	resp, err := c.call(ctx, req)
	if err != nil {
		return "", err
	}
	if g, ok := resp.Success.Property(PropGUID); ok && strings.TrimSpace(g) != "" {
		return strings.TrimSpace(g), nil
	}
	found, err := c.ListAll(ctx, ListQuery{Scope: e.Scope()})
	if err != nil {
		return "", nil
	}
	guid := ""
	for _, f := range found {
		if strings.TrimSpace(f.Description) == strings.TrimSpace(e.Description) {
			if guid != "" {
				return "", nil
			}
			guid = f.GUID
		}
	}
	return guid, nil
}

// Change changes the given properties of an entry (CallRecIntChange).
// CallRecIntGUID and CallRecIntType cannot be changed after creation:
// naming them is refused before anything is sent.
func (c *Client) Change(ctx context.Context, guid string, ch Changes) error {
	if err := ValidateGUID(PropGUID, guid); err != nil {
		return err
	}
	if err := ch.Validate(); err != nil {
		return err
	}
	e := Entry{GUID: guid}
	names := map[string]bool{PropGUID: true}
	for name, v := range ch {
		if IsSecret(name) && v != "" {
			safetext.AddSecret(v)
		}
		p, _ := LookupProperty(name)
		*p.field(&e) = v
		names[p.Name] = true
	}
	_, err := c.call(ctx, &Request{Operation: OpChange, Payload: payload(e, names)})
	return err
}

// Delete deletes an entry (CallRecIntDelete). It cannot be undone.
func (c *Client) Delete(ctx context.Context, guid string) error {
	if err := ValidateGUID(PropGUID, guid); err != nil {
		return err
	}
	p := &Container{}
	p.Add(PropGUID, guid)
	_, err := c.call(ctx, &Request{Operation: OpDelete, Payload: p})
	return err
}

// Info returns every property of an entry (CallRecIntInfo).
func (c *Client) Info(ctx context.Context, guid string) (Entry, error) {
	if err := ValidateGUID(PropGUID, guid); err != nil {
		return Entry{}, err
	}
	p := &Container{}
	p.Add(PropGUID, guid)
	resp, err := c.call(ctx, &Request{Operation: OpInfo, Payload: p})
	if err != nil {
		return Entry{}, err
	}
	if resp.Success == nil {
		return Entry{}, &ResponseError{Operation: OpInfo, Status: http.StatusOK, Reason: "the answer is Success but carries no entry"}
	}
	e := EntryFromContainer(resp.Success)
	if e.GUID == "" {
		e.GUID = guid
	}
	RegisterSecrets(e)
	return e, nil
}

// ListQuery is a CallRecIntList request.
type ListQuery struct {
	// Scope picks the entries: by PartitionGUID, or TelSysID (+
	// PartIDInTelSys); zero for application-wide entries.
	Scope Scope
	// Offset is how many entries to skip.
	Offset int
	// Limit is how many to return; 0 sends none (the service's default,
	// 1000).
	Limit int
	// Fields are extra properties to return besides CallRecIntGUID and
	// Description (CallRecIntFields).
	Fields []string
}

// Page is one CallRecIntList answer.
type Page struct {
	Entries []Entry
	Offset  int
	Limit   int // the Limit asked for, or DefaultLimit
}

// Full reports whether the page is as long as its limit, so that more
// entries may follow.
func (p Page) Full() bool { return len(p.Entries) >= p.Limit }

// List returns one page of entries (CallRecIntList).
func (c *Client) List(ctx context.Context, q ListQuery) (Page, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return Page{}, &ValidationError{Field: "Offset and Limit", Reason: "must not be negative"}
	}
	if err := q.Scope.Validate(); err != nil {
		return Page{}, err
	}
	if err := validateFields(q.Fields); err != nil {
		return Page{}, err
	}
	req := &Request{Operation: OpList, Payload: &Container{}}
	if q.Offset > 0 || q.Limit > 0 {
		req.Offset = strconv.Itoa(q.Offset)
	}
	if q.Limit > 0 {
		req.Limit = strconv.Itoa(q.Limit)
	}
	if len(q.Fields) > 0 {
		req.Payload.Add(PropFields, strings.Join(q.Fields, ", "))
	}
	q.Scope.payloadInto(req.Payload)
	resp, err := c.call(ctx, req)
	if err != nil {
		return Page{}, err
	}
	page := Page{Offset: q.Offset, Limit: q.Limit}
	if page.Limit == 0 {
		page.Limit = DefaultLimit
	}
	if resp.Success != nil {
		for i := range resp.Success.Containers {
			e := EntryFromContainer(&resp.Success.Containers[i])
			RegisterSecrets(e)
			page.Entries = append(page.Entries, e)
		}
	}
	return page, nil
}

// ErrTooManyEntries is returned by ListAll past Config.MaxEntries.
var ErrTooManyEntries = errors.New("too many entries: narrow the scope, or page with Offset and Limit")

// ListAll pages through every entry of the query's scope from its Offset,
// PageSize entries at a time (the query's Limit, when set, is the page
// size), until a page comes back empty: a service may cap its pages below
// the Limit asked for, so a short page is not the end. A page whose entries
// were all listed already means the service ignores Offset: that is an
// error rather than a loop. Past Config.MaxEntries it stops with
// ErrTooManyEntries and the entries read so far.
func (c *Client) ListAll(ctx context.Context, q ListQuery) ([]Entry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = c.cfg.PageSize
	}
	var all []Entry
	seen := map[string]bool{}
	offset := q.Offset
	for {
		page, err := c.List(ctx, ListQuery{Scope: q.Scope, Offset: offset, Limit: limit, Fields: q.Fields})
		if err != nil {
			return all, err
		}
		if len(page.Entries) == 0 {
			return all, nil
		}
		fresh := 0
		for _, e := range page.Entries {
			if e.GUID == "" || !seen[e.GUID] {
				fresh++
			}
		}
		if fresh == 0 {
			return all, &ResponseError{Operation: OpList, Status: http.StatusOK, Reason: "the service returned the same page twice (is Offset ignored?)"}
		}
		for _, e := range page.Entries {
			if e.GUID != "" {
				if seen[e.GUID] {
					continue
				}
				seen[e.GUID] = true
			}
			all = append(all, e)
		}
		if len(all) >= c.cfg.MaxEntries {
			return all, fmt.Errorf("%s: more than %d entries: %w", OpList, c.cfg.MaxEntries, ErrTooManyEntries)
		}
		offset += len(page.Entries)
	}
}

// call sends req with a session (except CreateSession) and returns a
// Success answer. A Fail answer with a renew code makes it open a new
// session and try once more: the service refused before doing anything.
func (c *Client) call(ctx context.Context, req *Request) (*Response, error) {
	needSession := req.Operation != OpCreateSession
	for attempt := 0; ; attempt++ {
		if needSession {
			sid, err := c.session(ctx)
			if err != nil {
				return nil, err
			}
			req.SessionID = sid
		}
		resp, status, err := c.roundTrip(ctx, req)
		if err != nil {
			return nil, err
		}
		if resp.Result == ResultSuccess {
			return resp, nil
		}
		code, codeText, msg := resp.Fail(c.cfg.FailNames)
		apiErr := &APIError{Operation: req.Operation, Code: code, CodeText: safetext.Clean(c.redact(codeText, req.SessionID), 40),
			Message: safetext.Clean(c.redact(msg, req.SessionID), 300), Group: GroupOf(code), Status: status}
		if needSession && attempt == 0 && slices.Contains(c.cfg.RenewCodes, code) {
			c.dropSession(req.SessionID)
			continue
		}
		return nil, apiErr
	}
}

// session returns the current session, opening one if there is none. Only
// one CreateSession runs at a time; the others wait for it (or for their
// context).
func (c *Client) session(ctx context.Context) (string, error) {
	c.mu.Lock()
	sid := c.sid
	c.mu.Unlock()
	if sid != "" {
		return sid, nil
	}
	select {
	case c.login <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.login }()
	c.mu.Lock()
	sid = c.sid
	c.mu.Unlock()
	if sid != "" {
		return sid, nil
	}
	p := &Container{}
	p.Add(c.cfg.UserProperty, c.cfg.Username)
	p.Add(c.cfg.PasswordProperty, c.cfg.Password)
	resp, err := c.call(ctx, &Request{Operation: OpCreateSession, Payload: p})
	if err != nil {
		return "", err
	}
	sid = resp.SessionID
	if v, ok := resp.Success.Property("SessionID"); ok && strings.TrimSpace(v) != "" {
		sid = strings.TrimSpace(v)
	}
	if sid == "" || len(sid) > 256 || strings.IndexFunc(sid, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", &ResponseError{Operation: OpCreateSession, Status: http.StatusOK, Reason: "the answer is Success but carries no usable SessionID"}
	}
	safetext.AddToken(sid) // a session id is a credential while it lives
	c.mu.Lock()
	c.sid = sid
	c.mu.Unlock()
	c.sessions.Add(1)
	return sid, nil
}

// dropSession forgets sid if it is still the current session, so that a
// burst of requests refused for the same expired session opens only one
// new session.
func (c *Client) dropSession(sid string) {
	c.mu.Lock()
	if c.sid == sid {
		c.sid = ""
	}
	c.mu.Unlock()
}

// redact hides the password and the session ID in text from the service
// (an error excerpt or message could echo the request) before it is shown
// or cut. Both are registered with the one redactor (safetext), which
// finds them in any encoding and any fragment; a session id too short to
// register is replaced whole here.
func (c *Client) redact(text, sid string) string {
	if len(sid) >= 3 {
		text = strings.ReplaceAll(text, sid, "[redacted]")
	}
	return safetext.Redact(text)
}

// nextInvokeID returns "00000", "00001", ... wrapping after "99999", the
// form Akixi recommends.
func (c *Client) nextInvokeID() string {
	return fmt.Sprintf("%05d", (c.invoke.Add(1)-1)%100000)
}

// sameInvokeID compares an echoed InvokeID with the one sent: exactly, or
// as numbers, since a service may echo "00042" as "42".
func sameInvokeID(got, sent string) bool {
	if got == sent {
		return true
	}
	g, err1 := strconv.ParseUint(got, 10, 64)
	w, err2 := strconv.ParseUint(sent, 10, 64)
	return err1 == nil && err2 == nil && g == w
}

// roundTrip POSTs one request and decodes the answer.
func (c *Client) roundTrip(ctx context.Context, req *Request) (*Response, int, error) {
	req.InvokeID = c.nextInvokeID()
	body, err := Encode(req)
	if err != nil {
		return nil, 0, &ValidationError{Reason: "cannot encode the request: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, &TransportError{Operation: req.Operation, URL: c.endpoint, Err: err}
	}
	hreq.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hreq.Header.Set("Accept", "text/xml, application/xml")
	res, err := c.hc.Do(hreq)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in TransportError already
		}
		return nil, 0, &TransportError{Operation: req.Operation, URL: c.endpoint, Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, res.StatusCode, &TransportError{Operation: req.Operation, URL: c.endpoint, Err: err}
	}
	if int64(len(data)) > c.cfg.MaxBodyBytes {
		return nil, res.StatusCode, &ResponseError{Operation: req.Operation, Status: res.StatusCode,
			Reason: fmt.Sprintf("the answer is larger than %d bytes", c.cfg.MaxBodyBytes)}
	}
	resp, derr := DecodeResponse(data)
	if derr != nil {
		reason := "the answer is not a WS API XML Response"
		switch {
		case res.StatusCode == http.StatusNotFound:
			reason = "no WS API at " + c.endpoint + " (check the base URL and the endpoint path)"
		case res.StatusCode < 200 || res.StatusCode > 299:
			reason = "unexpected answer"
		}
		re := &ResponseError{Operation: req.Operation, Status: res.StatusCode, Reason: reason, Excerpt: clip(c.redact(string(data), req.SessionID), 120)}
		if req.Operation == OpCreateSession {
			re.Excerpt = "" // it may hold a session ID
		}
		return nil, res.StatusCode, re
	}
	if resp.InvokeID != "" && !sameInvokeID(resp.InvokeID, req.InvokeID) {
		return nil, res.StatusCode, &ResponseError{Operation: req.Operation, Status: res.StatusCode,
			Reason: fmt.Sprintf("the answer's InvokeID %q does not match the request's %q", clip(resp.InvokeID, 20), req.InvokeID)}
	}
	return resp, res.StatusCode, nil
}
