package voipnow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// Defaults of Config.
const (
	DefaultTokenPath         = "/oauth/token.php"
	DefaultTimeout           = 10 * time.Second
	DefaultMaxBodyBytes      = 4 << 20 // a full page of 5000 calls is about 3 MiB
	DefaultTokenExpiryMargin = 30 * time.Second
	// DefaultPageSize is what ListAllCalls asks for per request.
	DefaultPageSize = 500
)

// Config says where the PBX is and how to authenticate.
type Config struct {
	// BaseURL is the PBX, e.g. https://uapi.voipnow.com (no trailing path).
	BaseURL string
	// TokenURL defaults to BaseURL + /oauth/token.php.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// HTTPClient defaults to one that verifies TLS. Its own Timeout, if
	// any, applies on top of Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request, token fetch included (default 10 s).
	Timeout time.Duration
	// MaxBodyBytes bounds every response body (default 4 MiB).
	MaxBodyBytes int64
	// TokenExpiryMargin is how long before expiry a token is renewed
	// (default 30 s).
	TokenExpiryMargin time.Duration
	// Now is the clock used for token expiry (default time.Now).
	Now func() time.Time
}

// Client talks to one PBX's UAPI. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	timeout time.Duration
	maxBody int64
	tokens  *tokenCache
}

// New checks cfg and returns a client. Nothing is sent until the first call.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, &ValidationError{Field: "VoipNow base URL", Value: urlForError(cfg.BaseURL), Reason: "is not valid: use https://host"}
	}
	if base.User != nil {
		return nil, &ValidationError{Field: "VoipNow base URL", Reason: "must not carry a user name or password"}
	}
	if cfg.ClientID == "" {
		return nil, &ValidationError{Field: "VoipNow client id", Reason: "is required (--client-id or voipnow.client_id)"}
	}
	if cfg.ClientSecret == "" {
		return nil, &ValidationError{Field: "VoipNow client secret", Reason: "is required (RECDECK_VOIPNOW_CLIENT_SECRET or voipnow.client_secret)"}
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = base.String() + DefaultTokenPath
	} else if u, err := url.Parse(cfg.TokenURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ValidationError{Field: "VoipNow token URL", Value: urlForError(cfg.TokenURL), Reason: "is not valid: use https://host/oauth/token.php"}
	} else if u.User != nil {
		// The URL is named in errors: a password in it would leak there.
		return nil, &ValidationError{Field: "VoipNow token URL", Reason: "must not carry a user name or password"}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.TokenExpiryMargin <= 0 {
		cfg.TokenExpiryMargin = DefaultTokenExpiryMargin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// No credential or command follows a redirect elsewhere (httpsafe);
	// the token cache hands the same client to oauth2.
	hc := httpsafe.Client(cfg.HTTPClient)
	// The one redactor removes the secret, in any form or fragment, from
	// every error and output of the process.
	safetext.AddSecret(cfg.ClientSecret)
	return &Client{
		base:    base,
		hc:      hc,
		timeout: cfg.Timeout,
		maxBody: cfg.MaxBodyBytes,
		tokens:  newTokenCache(cfg, hc),
	}, nil
}

// ListParams selects phone calls for List PhoneCalls.
type ListParams struct {
	UserID    string // @me (default), @viewer, @owner or an id
	Extension string // @self (default) or a number such as 0003*210
	// Count is the page size (1..5000; 0: the server's default).
	Count      int
	StartIndex int
	// FilterBy is "id" or "published"; FilterValue what to match, FilterOp
	// how (empty: equals; inArray takes a comma-separated list of values).
	FilterBy, FilterValue, FilterOp string
	// Fields asks for only these PhoneCall fields (the UAPI's fields
	// parameter, sent comma-separated); empty: every field. recdeck always
	// adds id so calls can be told apart.
	Fields []string
	// SortOrder is "ascending" or "descending" (empty: the server's order).
	SortOrder string
}

func (p ListParams) userID() string    { return orDefault(p.UserID, UserMe) }
func (p ListParams) extension() string { return orDefault(p.Extension, ExtSelf) }

// RecordParams names the call view to start or stop recording.
type RecordParams struct {
	UserID      string // @me (default), @viewer, @owner or an id
	Extension   string // @self (default) or the extension number
	PhoneCallID string
	ViewID      string // the phoneCallView subject to the update, e.g. "01"
	Format      Format // StartRecording only; empty means wav
}

func (r RecordParams) userID() string    { return orDefault(r.UserID, UserMe) }
func (r RecordParams) extension() string { return orDefault(r.Extension, ExtSelf) }

// ListCalls fetches one page of live calls. HTTP 204 (no calls) gives an
// empty list and no error.
func (c *Client) ListCalls(ctx context.Context, p ListParams) (PhoneCallList, error) {
	if err := p.Validate(); err != nil {
		return PhoneCallList{}, err
	}
	q := url.Values{}
	if p.Count > 0 {
		q.Set("count", strconv.Itoa(p.Count))
	}
	if p.StartIndex > 0 {
		q.Set("startIndex", strconv.Itoa(p.StartIndex))
	}
	if len(p.Fields) > 0 {
		fields := p.Fields
		if !slices.Contains(fields, "id") {
			fields = append([]string{"id"}, fields...)
		}
		q.Set("fields", strings.Join(fields, ","))
	}
	if p.SortOrder != "" {
		q.Set("sortOrder", p.SortOrder)
	}
	if p.FilterBy != "" {
		q.Set("filterBy", p.FilterBy)
		if p.FilterOp != "" {
			q.Set("filterOp", p.FilterOp)
		}
		if p.FilterValue != "" {
			q.Set("filterValue", p.FilterValue)
		}
	}
	status, body, err := c.do(ctx, http.MethodGet, c.callsPath(p.userID(), p.extension(), ""), q, nil)
	if err != nil {
		return PhoneCallList{}, err
	}
	if status == http.StatusNoContent {
		return PhoneCallList{StartIndex: p.StartIndex}, nil
	}
	l, err := DecodePhoneCallList(body)
	if err != nil {
		return PhoneCallList{}, &ResponseError{Status: status, Reason: "unexpected phone call list (" + safetext.Clean(err.Error(), 100) + ")", Excerpt: safetext.Clean(string(body), 80)}
	}
	return l, nil
}

// DefaultListLimit is how many calls ListAllCalls collects at most when
// asked for no limit: count and startIndex are each at most 5000, so the
// UAPI can page to 10,000 calls.
const DefaultListLimit = MaxStartIndex + MaxCount

// CallListing is what ListAllCalls read.
type CallListing struct {
	// Start is the index of the first call (the StartIndex asked for).
	Start int
	Calls []PhoneCall
	// Total is the PBX's totalResults (0: it gave none).
	Total int
	// Complete says the PBX said there is no more: the total was reached,
	// or a page came back empty or short.
	Complete bool
	// Limited says recdeck's own limit (max, or the UAPI's startIndex
	// ceiling) stopped the listing while the PBX may have had more.
	Limited bool
	// Repeated says the PBX answered a page it had already given (it
	// ignores startIndex): the listing stopped there rather than loop.
	Repeated bool
}

// Summary says how much was listed: "12 calls", "showing 500 of 1200
// calls", "500 calls, more not fetched".
func (l CallListing) Summary() string {
	n := len(l.Calls)
	noun := "calls"
	if n == 1 && (l.Total == 0 || l.Total == 1) {
		noun = "call"
	}
	switch {
	case l.Start > 0 && l.Total > 0:
		return fmt.Sprintf("showing %d-%d of %d calls", l.Start+1, l.Start+n, l.Total)
	case l.Start > 0:
		return fmt.Sprintf("showing %d-%d, more not fetched", l.Start+1, l.Start+n)
	case l.Total > n:
		return fmt.Sprintf("showing %d of %d calls", n, l.Total)
	case !l.Complete && l.Repeated:
		return fmt.Sprintf("%d %s; the PBX repeated a page (it may ignore startIndex): more not fetched", n, noun)
	case !l.Complete:
		return fmt.Sprintf("%d %s, more not fetched", n, noun)
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// ListAllCalls pages through List PhoneCalls from p.StartIndex until the
// PBX says there is no more, or max calls are collected (max <= 0:
// DefaultListLimit). Filters in p apply; p.Count is the page size (0: 500). The PBX says there is no more when totalResults is reached, or a
// page comes back empty, or (only when it gives no total) a page is
// shorter than asked for and the next one is empty; a PBX that caps pages
// below count is so still read to the end. A page whose calls were all seen
// already means the PBX ignores startIndex: the listing stops there, marked
// Repeated. Calls listed twice (they moved between pages) are kept once.
// Requests are bounded: at most max/pageSize+3. Calls that start or end
// between two pages may be missed (the UAPI has no snapshot).
func (c *Client) ListAllCalls(ctx context.Context, p ListParams, max int) (CallListing, error) {
	if max <= 0 {
		max = DefaultListLimit
	}
	if p.Count <= 0 {
		p.Count = DefaultPageSize
	}
	p.Count = min(p.Count, max, MaxCount)
	if p.StartIndex < 0 || p.StartIndex > MaxStartIndex {
		return CallListing{}, &ValidationError{Field: "start index", Value: itoa(p.StartIndex), Reason: "is out of range: use 0 to 5000"}
	}
	out := CallListing{Start: p.StartIndex}
	seen := map[ID]bool{}
	for range max/p.Count + 3 {
		l, err := c.ListCalls(ctx, p)
		if err != nil {
			return CallListing{}, err
		}
		if l.TotalResults > out.Total {
			out.Total = l.TotalResults
		}
		got, fresh := len(l.Calls), 0
		for _, call := range l.Calls {
			if seen[call.ID] {
				continue
			}
			seen[call.ID] = true
			fresh++
			if len(out.Calls) < max {
				out.Calls = append(out.Calls, call)
			} else {
				out.Limited = true
			}
		}
		switch {
		case got == 0:
			out.Complete = true
		case fresh == 0:
			out.Repeated = true
		case out.Total > 0 && p.StartIndex+got >= out.Total:
			out.Complete = true
		}
		if out.Complete || out.Repeated || out.Limited {
			break
		}
		if len(out.Calls) >= max {
			// The limit is reached: one more call would be over it. Say
			// whether the PBX had more (its total, or an unknown).
			out.Limited = out.Total == 0 || out.Total > len(out.Calls)
			out.Complete = !out.Limited
			break
		}
		p.StartIndex += got
		if p.StartIndex > MaxStartIndex {
			out.Limited = true // the UAPI cannot page further
			break
		}
	}
	if out.Total > 0 && out.Start+len(out.Calls) >= out.Total {
		out.Complete, out.Limited = true, false
	}
	return out, nil
}

// GetCall fetches one phone call by id.
func (c *Client) GetCall(ctx context.Context, userID, extension, phoneCallID string) (PhoneCall, error) {
	p := ListParams{UserID: userID, Extension: extension}
	if err := p.Validate(); err != nil {
		return PhoneCall{}, err
	}
	if err := ValidatePhoneCallID(phoneCallID); err != nil {
		return PhoneCall{}, err
	}
	status, body, err := c.do(ctx, http.MethodGet, c.callsPath(p.userID(), p.extension(), phoneCallID), nil, nil)
	if err != nil {
		return PhoneCall{}, err
	}
	l, err := DecodePhoneCallList(body)
	if err != nil {
		return PhoneCall{}, &ResponseError{Status: status, Reason: "unexpected phone call (" + safetext.Clean(err.Error(), 100) + ")", Excerpt: safetext.Clean(string(body), 80)}
	}
	for _, call := range l.Calls {
		if string(call.ID) == phoneCallID {
			return call, nil
		}
	}
	if len(l.Calls) == 1 { // an alias id: the PBX answered the call it means
		return l.Calls[0], nil
	}
	return PhoneCall{}, &APIError{Status: status, Code: CodePhoneCallInvalid, Message: "no phone call " + phoneCallID + " in the answer"}
}

// StartRecording starts recording one view of a call, in r.Format (wav by
// default). It returns the PhoneCall the PBX answers with, whose view shows
// the recording's start time.
func (c *Client) StartRecording(ctx context.Context, r RecordParams) (PhoneCall, error) {
	if err := r.Validate(true); err != nil {
		return PhoneCall{}, err
	}
	f, _ := ParseFormat(string(r.Format))
	return c.action(ctx, r, PhoneCallAction{Action: ActionStartRecording, Format: f, PhoneCallViewID: r.ViewID})
}

// StopRecording stops recording one view of a call and returns the updated
// PhoneCall.
func (c *Client) StopRecording(ctx context.Context, r RecordParams) (PhoneCall, error) {
	if err := r.Validate(false); err != nil {
		return PhoneCall{}, err
	}
	return c.action(ctx, r, PhoneCallAction{Action: ActionStopRecording, PhoneCallViewID: r.ViewID})
}

func (c *Client) action(ctx context.Context, r RecordParams, a PhoneCallAction) (PhoneCall, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return PhoneCall{}, err
	}
	status, resp, err := c.do(ctx, http.MethodPut, c.callsPath(r.userID(), r.extension(), r.PhoneCallID), nil, body)
	if err != nil {
		return PhoneCall{}, err
	}
	if status == http.StatusNoContent || len(bytes.TrimSpace(resp)) == 0 {
		// 204 is a documented success with no body ("200 ... 204" on the
		// StartRecording/StopRecording pages): read the call again so the
		// caller sees what the PBX now says.
		call, err := c.GetCall(ctx, r.userID(), r.extension(), r.PhoneCallID)
		if err != nil {
			return PhoneCall{}, &ConfirmError{Action: a.Action, Err: err}
		}
		return call, nil
	}
	call, err := DecodePhoneCall(resp)
	if err != nil {
		// A 2xx that is not a PhoneCall (garbled, cut short): the PBX
		// may have applied the action, its answer is lost.
		return PhoneCall{}, lostAnswer(http.MethodPut, true, &ResponseError{Status: status, Reason: "unexpected answer to " + a.Action + " (" + safetext.Clean(err.Error(), 100) + ")", Excerpt: safetext.Clean(string(resp), 80)})
	}
	return call, nil
}

// callsPath builds /uapi/phoneCalls/{user}/{ext}[/{id}], escaping each part
// but leaving "*" and "@" literal, as the seed writes them (0003*210, @me).
func (c *Client) callsPath(user, ext, id string) string {
	parts := []string{"uapi", "phoneCalls", user, ext}
	if id != "" {
		parts = append(parts, id)
	}
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(url.PathEscape(p), "%2A", "*")
	}
	return "/" + strings.Join(parts, "/")
}

// do sends one request with a bearer token and returns a 2xx status and its
// bounded body. A 401 makes it forget the token and try once more with a
// fresh one; a second 401 is an AuthError. Error statuses become APIError
// (with the PBX's body) or ResponseError.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + path
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = q.Encode()
	target := u.String()

	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return 0, nil, err
		}
		// The trace covers this send only (not the token fetch above), so
		// it says whether this request reached the PBX.
		sctx, sent := httpsafe.TraceSend(ctx)
		status, resp, err := c.send(sctx, method, target, tok, body)
		if err != nil {
			// Lost after it was written: no retry, the PUT may be applied.
			return 0, nil, lostAnswer(method, sent.Wrote(), err)
		}
		if status == http.StatusUnauthorized {
			// The PBX answered (refused the token): nothing was applied,
			// so sending once more is safe.
			c.tokens.invalidate(tok)
			if attempt == 0 {
				continue // the token expired or was revoked early: once more
			}
			apiErr := errorFromBody(status, resp)
			return 0, nil, &AuthError{Status: status, Msg: "the PBX refused a freshly issued token: " + apiErr.Error(), Err: apiErr}
		}
		if status < 200 || status > 299 {
			return 0, nil, lostAnswer(method, true, errorFromBody(status, resp))
		}
		if d, ok := DecodeErrorBody(resp); ok {
			// The PBX's error inside a 2xx is its error all the same.
			return 0, nil, &APIError{Status: status, Code: safetext.Clean(d.Code, 60), Message: safetext.Clean(d.Message, 300)}
		}
		return status, resp, nil
	}
}

// send performs one HTTP exchange and reads at most maxBody bytes.
func (c *Client) send(ctx context.Context, method, target, tok string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, &ValidationError{Field: "request", Reason: safetext.Clean(err.Error(), 120)}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL we already name
		}
		return 0, nil, &TransportError{Method: method, URL: redactQuery(target), Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, c.maxBody+1))
	if err != nil {
		return 0, nil, &TransportError{Method: method, URL: redactQuery(target), Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if int64(len(data)) > c.maxBody {
		return 0, nil, &ResponseError{Status: res.StatusCode, Reason: fmt.Sprintf("answer larger than %d bytes refused (ask for fewer calls)", c.maxBody), Excerpt: safetext.Clean(string(data[:min(len(data), 16<<10)]), 80)}
	}
	return res.StatusCode, data, nil
}

// errorFromBody builds an APIError from the PBX's error body, or a
// ResponseError when the body is not one.
func errorFromBody(status int, body []byte) error {
	if d, ok := DecodeErrorBody(body); ok {
		return &APIError{Status: status, Code: safetext.Clean(d.Code, 60), Message: safetext.Clean(d.Message, 300)}
	}
	return &ResponseError{Status: status, Reason: "unexpected error answer", Excerpt: safetext.Clean(string(body), 80)}
}

// urlForError shows a URL the user gave in an error without any password
// it carries (https://user:pass@host becomes https://***@host).
func urlForError(s string) string {
	if u, err := url.Parse(s); err == nil {
		if u.User != nil {
			u.User = url.User("***")
			s = u.String()
		}
	} else if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = "***" + s[i:] // unparseable: drop everything before the host
	}
	return safetext.Clean(s, 80)
}

// redactQuery keeps URLs in errors short; the query holds no secrets but
// filter values are the user's, and the path says what was asked. The
// path goes through the one redactor all the same.
func redactQuery(target string) string {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	return safetext.Redact(target)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
