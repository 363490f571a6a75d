package anywhere365

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// Token settings of seed 001 (AnywhereNow Authentication, a Keycloak realm).
const (
	// CoreAPIClientID is the fixed client_id of the Core API.
	CoreAPIClientID = "coreapi"
	// DefaultTokenURLTemplate is the token endpoint, %s being the tenant id.
	DefaultTokenURLTemplate = "https://login.anywhere365.cloud/auth/realms/%s/protocol/openid-connect/token"
	// GrantPassword is the Keycloak password grant (the default: a grant
	// that carries a username and password is a password grant in Keycloak).
	GrantPassword = "password"
	// GrantClientCredentials is what seed 001 literally names.
	GrantClientCredentials = "client_credentials"
	// DefaultTokenExpiryMargin is how long before expiry a token is renewed.
	DefaultTokenExpiryMargin = 30 * time.Second
)

// tokenSource fetches bearer tokens for v2, keeps the current one in memory
// only, renews it before expiry (oauth2.ReuseTokenSourceWithExpiry) and can
// be told that the server rejected a token, so the next call fetches anew.
type tokenSource struct {
	fetch  oauth2.TokenSource // always asks the token endpoint
	margin time.Duration

	mu   sync.Mutex
	pool oauth2.TokenSource // caching wrapper around fetch; replaced by invalidate
	last string             // access token pool handed out last
}

// fetchFunc adapts a context-taking token call to oauth2.TokenSource.
type fetchFunc func() (*oauth2.Token, error)

func (f fetchFunc) Token() (*oauth2.Token, error) { return f() }

func newTokenSource(cfg Config, hc *http.Client) (*tokenSource, error) {
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = fmt.Sprintf(DefaultTokenURLTemplate, url.PathEscape(cfg.Tenant))
	}
	// The library reads its HTTP client from the context; the client has
	// the request timeout, so a token fetch is bounded even though
	// oauth2.TokenSource takes no context.
	thc := *httpsafe.Client(hc) // the redirect policy, even for a caller's client
	thc.Timeout = cfg.Timeout
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &thc)

	var fetch func() (*oauth2.Token, error)
	switch cfg.GrantType {
	case GrantClientCredentials:
		params := url.Values{}
		if cfg.Username != "" {
			params.Set("username", cfg.Username)
		}
		if cfg.Password != "" {
			params.Set("password", cfg.Password)
		}
		cc := &clientcredentials.Config{
			ClientID: CoreAPIClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL,
			EndpointParams: params, AuthStyle: oauth2.AuthStyleInParams,
		}
		fetch = func() (*oauth2.Token, error) { return cc.Token(ctx) }
	default: // GrantPassword
		oc := &oauth2.Config{
			ClientID: CoreAPIClientID, ClientSecret: cfg.ClientSecret,
			// In params, as the seed's form lists client_id and client_secret.
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}
		fetch = func() (*oauth2.Token, error) { return oc.PasswordCredentialsToken(ctx, cfg.Username, cfg.Password) }
	}
	ts := &tokenSource{margin: cfg.TokenExpiryMargin}
	// The one redactor (safetext) removes them, in any form or fragment,
	// from every error and output of the process.
	safetext.AddSecret(cfg.Password)
	safetext.AddSecret(cfg.ClientSecret)
	ts.fetch = fetchFunc(func() (*oauth2.Token, error) {
		tok, err := fetch()
		if err != nil {
			return nil, err
		}
		safetext.AddToken(tok.AccessToken)
		safetext.AddToken(tok.RefreshToken)
		// A token living less than twice the margin would be renewed on
		// every request; renew it at half its life instead. Expiry is
		// only read by the reuse wrapper, so moving it is safe.
		if life := time.Until(tok.Expiry); !tok.Expiry.IsZero() && life < 2*ts.margin {
			tok.Expiry = tok.Expiry.Add(ts.margin - life/2)
		}
		return tok, nil
	})
	ts.pool = oauth2.ReuseTokenSourceWithExpiry(nil, ts.fetch, ts.margin)
	return ts, nil
}

// token returns a valid access token, fetching one when needed. Errors are
// *AuthError, scrubbed of secrets.
func (t *tokenSource) token() (string, error) {
	t.mu.Lock()
	pool := t.pool
	t.mu.Unlock()
	tok, err := pool.Token()
	if err != nil {
		return "", t.authError(err)
	}
	if tok.AccessToken == "" {
		return "", &AuthError{Msg: "token endpoint returned no access_token"}
	}
	t.mu.Lock()
	t.last = tok.AccessToken
	t.mu.Unlock()
	return tok.AccessToken, nil
}

// invalidate drops the cached token if it is still rejected, so the next
// token() asks the endpoint. Concurrent callers rejected with the same
// token cause one fetch, not one each.
func (t *tokenSource) invalidate(rejected string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == rejected {
		t.pool = oauth2.ReuseTokenSourceWithExpiry(nil, t.fetch, t.margin)
		t.last = ""
	}
}

// authError turns a token-endpoint failure into an *AuthError whose text
// holds no secret: the oauth2 library's own error may quote the body, and
// a hostile endpoint may echo the form in any encoding. Everything the
// endpoint said is redacted (safetext) before it is cut to an excerpt.
func (t *tokenSource) authError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		msg := fmt.Sprintf("token request refused (HTTP %d)", status)
		if re.ErrorCode != "" {
			msg += ": " + safetext.Clean(re.ErrorCode, 60)
			if re.ErrorDescription != "" {
				msg += " (" + safetext.Clean(re.ErrorDescription, 200) + ")"
			}
		} else if ex := excerpt(re.Body, 120); ex != "" {
			msg += ": " + fmt.Sprintf("%q", ex)
		}
		return &AuthError{Status: status, Msg: msg}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		cause := ue.Err
		if !httpsafe.IsRedirect(cause) { // its text is already safe
			cause = errors.New(safetext.Redact(cause.Error()))
		}
		te := &TransportError{Method: http.MethodPost, URL: safetext.Redact(redactURL(ue.URL)), Err: cause}
		return &AuthError{Msg: "token endpoint unreachable: " + te.Error(), Err: te}
	}
	return &AuthError{Msg: "token request failed: " + safetext.Redact(err.Error())}
}

// redactURL removes user info from a URL for display.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	return u.String()
}
