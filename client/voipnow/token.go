package voipnow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/recdeck/recdeck/client/httpsafe"
	"github.com/recdeck/recdeck/client/safetext"
)

// tokenCache holds the bearer token in memory only, fetches it with the
// client-credentials grant (golang.org/x/oauth2 does the exchange), renews it
// before expiry and forgets it when the API refuses it. One fetch runs at a
// time; callers waiting for it give up when their context ends.
type tokenCache struct {
	cfg    clientcredentials.Config
	hc     *http.Client
	now    func() time.Time
	margin time.Duration

	sem     chan struct{} // a one-slot lock that respects contexts
	tok     string
	renewAt time.Time
}

func newTokenCache(c Config, hc *http.Client) *tokenCache {
	t := &tokenCache{
		cfg: clientcredentials.Config{
			ClientID:     c.ClientID,
			ClientSecret: c.ClientSecret,
			TokenURL:     c.TokenURL,
			// type=unifiedapi is part of VoipNow's token request.
			EndpointParams: url.Values{"type": {"unifiedapi"}},
			// The form carries client_id and client_secret (DESIGN.md).
			AuthStyle: oauth2.AuthStyleInParams,
		},
		hc:     hc,
		now:    c.Now,
		margin: c.TokenExpiryMargin,
		sem:    make(chan struct{}, 1),
	}
	safetext.AddSecret(c.ClientSecret)
	return t
}

// token returns a valid access token, fetching one if there is none or the
// cached one is about to expire.
func (t *tokenCache) token(ctx context.Context) (string, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", &TransportError{Method: http.MethodPost, URL: t.cfg.TokenURL, Err: ctx.Err()}
	}
	defer func() { <-t.sem }()
	if t.tok != "" && t.now().Before(t.renewAt) {
		return t.tok, nil
	}
	start := t.now()
	// oauth2 reads its HTTP client from the context: the redirect policy
	// keeps the secret from following a redirect (httpsafe).
	tok, err := t.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, httpsafe.Client(t.hc)))
	if err != nil {
		return "", t.authError(err)
	}
	t.tok = tok.AccessToken
	safetext.AddToken(tok.AccessToken)
	// Renew `margin` before expiry; a token living less than twice the
	// margin is renewed at half its life instead, so it is not fetched
	// on every request. No expires_in: assume the documented hour.
	// oauth2 turns expires_in into Expiry on the real clock; the lifetime
	// is read back from it (rounded, as expires_in is in seconds).
	life := time.Hour
	if !tok.Expiry.IsZero() {
		life = time.Until(tok.Expiry).Round(time.Second)
	}
	margin := min(t.margin, life/2)
	t.renewAt = start.Add(life - margin)
	return t.tok, nil
}

// invalidate forgets tok if it is still the cached one (the API refused it),
// so the next call fetches a new one.
func (t *tokenCache) invalidate(tok string) {
	t.sem <- struct{}{}
	if t.tok == tok {
		t.tok = ""
	}
	<-t.sem
}

// authError turns an oauth2 failure into an AuthError without secrets:
// everything the endpoint said goes through safetext.Clean, which redacts
// every registered secret before it cuts.
func (t *tokenCache) authError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		// 400 and 401 are how RFC 6749 refuses credentials; any other
		// status is the endpoint failing, which must not read as a wrong
		// secret (the supervisor would go and change a good one).
		msg := "the token endpoint refused the client id and secret"
		if status != 0 && status != http.StatusBadRequest && status != http.StatusUnauthorized {
			msg = fmt.Sprintf("the token endpoint failed (HTTP %d)", status)
		}
		if re.ErrorCode != "" {
			msg += " (" + re.ErrorCode
			if re.ErrorDescription != "" {
				msg += ": " + re.ErrorDescription
			}
			msg += ")"
		} else if len(re.Body) > 0 {
			msg += ": " + safetext.Clean(string(re.Body), 120)
		}
		return &AuthError{Status: status, Msg: safetext.Clean(msg, 300)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		cause := ue.Err
		if !httpsafe.IsRedirect(cause) { // its text is already safe
			cause = errors.New(safetext.Redact(cause.Error()))
		}
		te := &TransportError{Method: http.MethodPost, URL: safetext.Redact(t.cfg.TokenURL), Err: cause}
		return &AuthError{Msg: "could not reach the token endpoint: " + te.Error(), Err: te}
	}
	return &AuthError{Msg: safetext.Clean(err.Error(), 300)}
}
