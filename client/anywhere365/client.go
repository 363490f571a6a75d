package anywhere365

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/recdeck/recdeck/client/httpsafe"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultMaxAttempts    = 3
	DefaultRetryBaseDelay = 200 * time.Millisecond
	DefaultRetryMaxDelay  = 2 * time.Second
	// MaxBodyBytes bounds every response body read; larger bodies are
	// refused with a *ResponseError. The documented bodies are < 1 KiB.
	MaxBodyBytes = 1 << 20
)

// API versions.
const (
	APIv1 = "v1" // /attendantservice/api/..., no authentication
	APIv2 = "v2" // /attendantservice/api/v2/..., bearer token
)

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	// BaseURL is the server, e.g. "https://fqdn" (a path prefix is kept).
	BaseURL string
	// APIVersion is "v1" (default) or "v2".
	APIVersion string
	// HubURL overrides BaseURL + DefaultHubPath for the SignalR hub.
	HubURL string
	// ActionByName sends the set action by name ("Mark") instead of by id (6).
	// The seed documents both forms.
	ActionByName bool

	// Timeout bounds each HTTP attempt (and each token request).
	Timeout time.Duration
	// MaxAttempts is the total number of attempts for a retryable failure
	// (1 disables retries).
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the capped exponential backoff
	// (with jitter) between attempts.
	RetryBaseDelay, RetryMaxDelay time.Duration

	// HTTPClient is used when set; it then decides TLS itself and
	// InsecureSkipVerify is ignored. Its Timeout, if any, also applies.
	HTTPClient *http.Client
	// InsecureSkipVerify turns off TLS certificate checks. Explicit opt-in only.
	InsecureSkipVerify bool

	// v2 credentials (seed 001). TokenURL defaults to
	// DefaultTokenURLTemplate with Tenant. GrantType is "password" (default)
	// or "client_credentials". Username and Password are required for the
	// password grant, ClientSecret for client_credentials.
	TokenURL, Tenant, Username, Password, ClientSecret, GrantType string
	// TokenExpiryMargin is how long before expiry a token is renewed
	// (default 30 s; capped at half the token's lifetime).
	TokenExpiryMargin time.Duration
}

// Client speaks the Core REST Recording API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string // BaseURL without trailing slash
	prefix string // "/attendantservice/api" or ".../api/v2"
	hc     *http.Client
	tokens *tokenSource // nil on v1
}

// IdleConnsPerHost is how many idle connections a client's transport keeps
// per server: more than the tracker's concurrent re-reads, so a steady
// stream of events reuses connections instead of dialing one per GET and
// leaving thousands of sockets in TIME-WAIT (net/http keeps 2 by default).
const IdleConnsPerHost = 32

// New validates cfg and returns a client. A bad config is a
// *ValidationError (Field "config"); New sends nothing.
func New(cfg Config) (*Client, error) {
	bad := func(format string, a ...any) error {
		return &ValidationError{Field: "config", Reason: fmt.Sprintf(format, a...)}
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("base URL %q is not an http(s) URL (want e.g. https://fqdn)", shown(redactURL(cfg.BaseURL)))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, bad("base URL %q must not have a query or fragment", shown(redactURL(cfg.BaseURL)))
	}
	if cfg.HubURL != "" {
		hu, err := url.Parse(cfg.HubURL)
		if err != nil || hu.Host == "" || !(hu.Scheme == "http" || hu.Scheme == "https" || hu.Scheme == "ws" || hu.Scheme == "wss") {
			return nil, bad("hub URL %q is not an http(s) URL", shown(redactURL(cfg.HubURL)))
		}
	}
	switch strings.ToLower(cfg.APIVersion) {
	case "", APIv1:
		cfg.APIVersion = APIv1
	case APIv2:
		cfg.APIVersion = APIv2
	default:
		return nil, bad("API version %q is not v1 or v2", shown(cfg.APIVersion))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if cfg.RetryMaxDelay < cfg.RetryBaseDelay {
		cfg.RetryMaxDelay = cfg.RetryBaseDelay
	}
	if cfg.TokenExpiryMargin <= 0 {
		cfg.TokenExpiryMargin = DefaultTokenExpiryMargin
	}

	hc := cfg.HTTPClient
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = IdleConnsPerHost
		if cfg.InsecureSkipVerify {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit opt-in
		}
		hc = &http.Client{Transport: t}
	}
	// No credential or command follows a redirect elsewhere (httpsafe);
	// the token source copies this client, so it inherits the policy.
	hc = httpsafe.Client(hc)
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), hc: hc, prefix: "/attendantservice/api"}

	if cfg.APIVersion == APIv2 {
		c.prefix += "/v2"
		switch cfg.GrantType {
		case "":
			cfg.GrantType = GrantPassword
		case GrantPassword, GrantClientCredentials:
		default:
			return nil, bad("grant type %q is not password or client_credentials", shown(cfg.GrantType))
		}
		if cfg.TokenURL == "" {
			if cfg.Tenant == "" {
				return nil, bad("API v2 needs a tenant id or a token URL")
			}
			if strings.ContainsAny(cfg.Tenant, "/?#") || strings.TrimSpace(cfg.Tenant) != cfg.Tenant {
				return nil, bad("tenant %q must not contain spaces, /, ? or #", shown(cfg.Tenant))
			}
		} else if tu, err := url.Parse(cfg.TokenURL); err != nil || (tu.Scheme != "http" && tu.Scheme != "https") || tu.Host == "" {
			return nil, bad("token URL %q is not an http(s) URL", shown(redactURL(cfg.TokenURL)))
		}
		if cfg.GrantType == GrantPassword && (cfg.Username == "" || cfg.Password == "") {
			return nil, bad("API v2 with the password grant needs a username and a password")
		}
		if cfg.GrantType == GrantClientCredentials && cfg.ClientSecret == "" {
			return nil, bad("API v2 with the client_credentials grant needs a client secret")
		}
		c.cfg.GrantType = cfg.GrantType
		ts, err := newTokenSource(cfg, hc)
		if err != nil {
			return nil, err
		}
		c.tokens = ts
	}
	return c, nil
}

// APIVersion returns "v1" or "v2".
func (c *Client) APIVersion() string { return c.cfg.APIVersion }

// BaseURL returns the configured base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// HubURL returns the SignalR hub URL: Config.HubURL, or BaseURL +
// DefaultHubPath (an ASSUMPTION: no public document names the path).
func (c *Client) HubURL() string {
	if c.cfg.HubURL != "" {
		return c.cfg.HubURL
	}
	return c.base + DefaultHubPath
}

// HubHeaders returns the headers the SignalR listener sends on each
// (re)connect: Authorization: Bearer on v2 (a fresh token when the cached
// one is near expiry), none on v1. Errors are *AuthError. ctx is checked
// first; a token fetch itself is bounded by Config.Timeout, as the oauth2
// token source takes no context.
func (c *Client) HubHeaders(ctx context.Context) (http.Header, error) {
	h := http.Header{}
	if c.tokens == nil {
		return h, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tok, err := c.tokens.token()
	if err != nil {
		return nil, err
	}
	h.Set("Authorization", "Bearer "+tok)
	return h, nil
}

// InvalidateToken tells the client the server rejected the current bearer
// token (e.g. the hub refused it), so the next request fetches a new one.
func (c *Client) InvalidateToken() {
	if c.tokens != nil {
		c.tokens.mu.Lock()
		last := c.tokens.last
		c.tokens.mu.Unlock()
		c.tokens.invalidate(last)
	}
}

// GetState asks for the recorder state of one call session. A session the
// server does not know gives an *APIError for which IsSessionNotFound holds.
func (c *Client) GetState(ctx context.Context, ucc, correlationID string) (*StateResponse, error) {
	if err := ValidateUCC(ucc); err != nil {
		return nil, err
	}
	if err := ValidateGUID(correlationID); err != nil {
		return nil, err
	}
	var resp StateResponse
	status, err := c.do(ctx, http.MethodGet, "/recording/"+url.PathEscape(ucc)+"/"+url.PathEscape(correlationID), nil, true, &resp)
	return stateResult(&resp, status, err)
}

// Set changes the recorder state. Every field of p is validated first.
// Set is retried only when the server answered a Processing ErrorMessage
// (it says the command did not finish); never on a transport error or an
// error status, where the command may have taken effect. A request
// written whole whose answer is lost (timeout, dropped connection, a cut or
// garbled 2xx) gives an *UnknownOutcomeError: see IsUnknownOutcome.
func (c *Client) Set(ctx context.Context, p SetParams) (*StateResponse, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var body any = SetRequest{Action: p.Action, RequesterSipUri: p.RequesterSIP, CorrelationId: p.CorrelationID, UCCName: p.UCC}
	if c.cfg.ActionByName {
		body = SetRequestByName{Action: p.Action.String(), RequesterSipUri: p.RequesterSIP, CorrelationId: p.CorrelationID, UCCName: p.UCC}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var resp StateResponse
	// A request that left whole and got no usable answer is an unknown
	// outcome, not a failure: the server may have applied it (outcome.go).
	ctx, sent := traceSend(ctx)
	status, err := c.do(ctx, http.MethodPost, "/recording/set", raw, false, &resp)
	return stateResult(&resp, status, sent.outcome(err))
}

// Capabilities asks whether agents of the UCC may edit recordings
// (AgentCanEditAudioRecording). An unknown UCC gives an *APIError.
func (c *Client) Capabilities(ctx context.Context, ucc string) (*CapabilitiesResponse, error) {
	if err := ValidateUCC(ucc); err != nil {
		return nil, err
	}
	var resp CapabilitiesResponse
	status, err := c.do(ctx, http.MethodGet, "/recording/capabilities/"+url.PathEscape(ucc), nil, true, &resp)
	if err != nil {
		return nil, err
	}
	if em := resp.ErrorMessage; em != nil {
		return &resp, &APIError{Type: em.ErrorType, Message: em.Message, Status: status, CapabilitiesResponse: &resp}
	}
	return &resp, nil
}

func stateResult(resp *StateResponse, status int, err error) (*StateResponse, error) {
	if err != nil {
		return nil, err
	}
	if em := resp.ErrorMessage; em != nil {
		return resp, &APIError{Type: em.ErrorType, Message: em.Message, Status: status, Response: resp}
	}
	return resp, nil
}

// errorCarrier is a response with an ErrorMessage, so do can see a
// Processing error and retry.
// reset clears it before each attempt, so nothing of an earlier answer
// survives a retry.
type errorCarrier interface {
	apiError() *ErrorMessage
	reset()
}

func (r *StateResponse) apiError() *ErrorMessage        { return r.ErrorMessage }
func (r *CapabilitiesResponse) apiError() *ErrorMessage { return r.ErrorMessage }
func (r *StateResponse) reset()                         { *r = StateResponse{} }
func (r *CapabilitiesResponse) reset()                  { *r = CapabilitiesResponse{} }

// do sends one API call with retries and decodes the JSON answer into out.
// It returns the last HTTP status. Retried: a Processing ErrorMessage
// (always), and for idempotent calls also transport errors and 502/503/504.
// On v2 a 401 makes it fetch a fresh token and try once more.
func (c *Client) do(ctx context.Context, method, path string, body []byte, idempotent bool, out errorCarrier) (int, error) {
	fullURL := c.base + c.prefix + path
	refreshed := false
	for attempt := 1; ; attempt++ {
		status, retry, err := c.once(ctx, method, fullURL, body, idempotent, out)
		if retry == retryAuth && !refreshed {
			refreshed = true
			attempt-- // the retry after a token refresh is not a backoff attempt
			continue
		}
		if retry != retryBackoff || attempt >= c.cfg.MaxAttempts {
			return status, err
		}
		if werr := c.wait(ctx, attempt); werr != nil {
			return status, err // give the caller the real failure, not "canceled"
		}
	}
}

type retryKind int

const (
	retryNone retryKind = iota
	retryBackoff
	retryAuth
)

// once makes a single attempt and says whether it may be retried.
func (c *Client) once(ctx context.Context, method, fullURL string, body []byte, idempotent bool, out errorCarrier) (int, retryKind, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, fullURL, rd)
	if err != nil {
		return 0, retryNone, &ValidationError{Field: "request", Reason: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var bearer string
	if c.tokens != nil {
		if bearer, err = c.tokens.token(); err != nil {
			return 0, retryNone, err
		}
		req.Header.Set("Authorization", "Bearer "+bearer)
	}

	res, err := c.hc.Do(req)
	if err != nil {
		te := &TransportError{Method: method, URL: redactURL(fullURL), Err: unwrapURLError(err)}
		if idempotent && ctx.Err() == nil {
			return 0, retryBackoff, te
		}
		return 0, retryNone, te
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, MaxBodyBytes+1))
	if err != nil {
		te := &TransportError{Method: method, URL: redactURL(fullURL), Err: fmt.Errorf("reading the response (HTTP %d): %w", res.StatusCode, unwrapURLError(err))}
		if idempotent && ctx.Err() == nil {
			return res.StatusCode, retryBackoff, te
		}
		return res.StatusCode, retryNone, te
	}
	if bearer != "" {
		// A server or proxy that quotes the request back (an error page
		// listing the headers) must not put our token in an error text.
		raw = bytes.ReplaceAll(raw, []byte(bearer), []byte("[redacted]"))
	}
	if len(raw) > MaxBodyBytes {
		return res.StatusCode, retryNone, &ResponseError{Status: res.StatusCode, Reason: fmt.Sprintf("response body larger than %d bytes refused", MaxBodyBytes), Excerpt: excerpt(raw, 80)}
	}

	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		if c.tokens != nil && res.StatusCode == http.StatusUnauthorized {
			c.tokens.invalidate(bearer)
			return res.StatusCode, retryAuth, &AuthError{Status: res.StatusCode, Msg: fmt.Sprintf("the API refused the bearer token (HTTP %d)", res.StatusCode)}
		}
		// A 403 may still carry a documented ErrorMessage: trust it.
		if decodeJSON(raw, out) != nil || out.apiError() == nil {
			return res.StatusCode, retryNone, &AuthError{Status: res.StatusCode, Msg: fmt.Sprintf("the API refused the request (HTTP %d)", res.StatusCode)}
		}
	}

	// The vendor does not document error statuses: a body with an
	// ErrorMessage is trusted whatever the status.
	if err := decodeJSON(raw, out); err != nil || (res.StatusCode/100 != 2 && out.apiError() == nil) {
		rerr := &ResponseError{Status: res.StatusCode, Reason: "unexpected response", Excerpt: excerpt(raw, 80)}
		switch res.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if idempotent {
				return res.StatusCode, retryBackoff, rerr
			}
		}
		return res.StatusCode, retryNone, rerr
	}
	if em := out.apiError(); em != nil && em.ErrorType == ErrorProcessing {
		return res.StatusCode, retryBackoff, nil
	}
	return res.StatusCode, retryNone, nil
}

// decodeJSON decodes a JSON object into out. It refuses anything but one
// object ("null", arrays, trailing data), so an HTML page or a proxy's text
// is never mistaken for an empty success.
func decodeJSON(raw []byte, out errorCarrier) error {
	out.reset()
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not a JSON object")
	}
	// json.Unmarshal refuses trailing data itself ("invalid character
	// after top-level value") and costs less than a Decoder.
	return json.Unmarshal(trimmed, out)
}

// wait sleeps before attempt+1: capped exponential backoff with jitter
// (a random delay in [d/2, d]), or returns early when ctx ends.
func (c *Client) wait(ctx context.Context, attempt int) error {
	d := c.cfg.RetryBaseDelay << min(attempt-1, 20)
	if d > c.cfg.RetryMaxDelay || d <= 0 {
		d = c.cfg.RetryMaxDelay
	}
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// unwrapURLError drops *url.Error's "Get "<url>":" prefix; TransportError
// names the method and URL itself.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
