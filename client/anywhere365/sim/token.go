package sim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// tokenIssuer issues and checks the simulator's bearer tokens. A token is
// "<kind>.<payload>.<mac>": base64url JSON {tenant, expiry, nonce} signed
// with HMAC-SHA256. It is opaque to clients; being signed rather than
// remembered, it stays valid across a restart with the same key, as a
// Keycloak JWT does when the API behind it restarts.
type tokenIssuer struct {
	key             []byte
	now             func() time.Time
	lifetime        time.Duration
	refreshLifetime time.Duration
	// nonce, if set, replaces the random nonce (fuzz tests need the same
	// token in every worker process).
	nonce func() []byte
}

type tokenPayload struct {
	Tenant string `json:"t"`
	Exp    int64  `json:"e"` // Unix milliseconds
	Nonce  string `json:"n"`
}

const (
	kindAccess  = "at"
	kindRefresh = "rt"
)

var b64 = base64.RawURLEncoding

func (ti *tokenIssuer) issue(kind, tenant string, life time.Duration) string {
	nonce := make([]byte, 12)
	if ti.nonce != nil {
		nonce = ti.nonce()
	} else {
		_, _ = rand.Read(nonce) // crypto/rand.Read never fails on Linux
	}
	p, _ := json.Marshal(tokenPayload{Tenant: tenant, Exp: ti.now().Add(life).UnixMilli(), Nonce: b64.EncodeToString(nonce)})
	body := kind + "." + b64.EncodeToString(p)
	return body + "." + b64.EncodeToString(ti.mac(body))
}

func (ti *tokenIssuer) mac(body string) []byte {
	m := hmac.New(sha256.New, ti.key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// check reports whether tok is a well-signed, unexpired token of kind, and
// for which tenant it was issued.
func (ti *tokenIssuer) check(kind, tok string) (tenant string, ok bool) {
	if len(tok) > 4096 {
		return "", false
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != kind {
		return "", false
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, ti.mac(parts[0]+"."+parts[1])) {
		return "", false
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var p tokenPayload
	if json.Unmarshal(raw, &p) != nil || ti.now().UnixMilli() >= p.Exp {
		return "", false
	}
	return p.Tenant, true
}

// bearer extracts the token of an "Authorization: Bearer ..." header, or,
// for websockets (browsers cannot set headers), the access_token query.
func bearer(r *http.Request, allowQuery bool) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	if allowQuery {
		return r.URL.Query().Get("access_token")
	}
	return ""
}

// authorized reports whether r carries a valid access token.
func (s *Server) authorized(r *http.Request, allowQuery bool) bool {
	tok := bearer(r, allowQuery)
	if tok == "" {
		return false
	}
	_, ok := s.tokens.check(kindAccess, tok)
	return ok
}

// unauthorized answers as ASP.NET's bearer handler does: 401, a
// WWW-Authenticate challenge and no body.
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	w.WriteHeader(http.StatusUnauthorized)
}

// tokenResponse is Keycloak's token response.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	TokenType        string `json:"token_type"`
	NotBeforePolicy  int    `json:"not-before-policy"`
	Scope            string `json:"scope"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// maxFormBody bounds the token request body.
const maxFormBody = 64 << 10

// handleToken is POST /auth/realms/{tenant}/protocol/openid-connect/token.
// It accepts the password grant (what Keycloak issues user tokens with),
// client_credentials (what the vendor page names) and refresh_token (what
// golang.org/x/oauth2 sends once it holds a refresh token). Client
// credentials may come in the form or as HTTP Basic auth. Nothing here is
// logged but the outcome: never a secret.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if _, err := uuid.Parse(tenant); err != nil {
		writeJSONStatus(w, http.StatusNotFound, oauthError{Error: "Realm does not exist"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		writeJSONStatus(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Request body could not be read as a form"})
		return
	}
	form := r.PostForm
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = form.Get("client_id"), form.Get("client_secret")
	}
	grant := form.Get("grant_type")
	if grant == "" {
		writeJSONStatus(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Missing form parameter: grant_type"})
		return
	}
	if !equal(clientID, DemoClientID) || !equal(secret, s.opts.ClientSecret) {
		s.logf("anywhere365 sim: token refused: bad client credentials")
		writeJSONStatus(w, http.StatusUnauthorized, oauthError{Error: "invalid_client", Description: "Invalid client or Invalid client credentials"})
		return
	}
	user, pass := form.Get("username"), form.Get("password")
	badUser := !equal(user, s.opts.Username) || !equal(pass, s.opts.Password)
	withRefresh := false
	switch grant {
	case "password":
		if badUser {
			s.logf("anywhere365 sim: token refused: bad user credentials")
			writeJSONStatus(w, http.StatusUnauthorized, oauthError{Error: "invalid_grant", Description: "Invalid user credentials"})
			return
		}
		withRefresh = true
	case "client_credentials":
		// The vendor page sends username and password with this grant;
		// Keycloak would ignore them, but wrong ones are a mistake worth
		// reporting, so they are checked when present.
		if (user != "" || pass != "") && badUser {
			s.logf("anywhere365 sim: token refused: bad user credentials")
			writeJSONStatus(w, http.StatusUnauthorized, oauthError{Error: "invalid_grant", Description: "Invalid user credentials"})
			return
		}
	case "refresh_token":
		rtTenant, ok := s.tokens.check(kindRefresh, form.Get("refresh_token"))
		if !ok || rtTenant != tenant {
			writeJSONStatus(w, http.StatusBadRequest, oauthError{Error: "invalid_grant", Description: "Invalid refresh token"})
			return
		}
		withRefresh = true
	default:
		writeJSONStatus(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type", Description: "Unsupported grant_type"})
		return
	}
	resp := tokenResponse{
		AccessToken: s.tokens.issue(kindAccess, tenant, s.tokens.lifetime),
		ExpiresIn:   int64(s.tokens.lifetime / time.Second),
		TokenType:   "Bearer",
		Scope:       "profile email",
	}
	if withRefresh {
		resp.RefreshToken = s.tokens.issue(kindRefresh, tenant, s.tokens.refreshLifetime)
		resp.RefreshExpiresIn = int64(s.tokens.refreshLifetime / time.Second)
	}
	s.logf("anywhere365 sim: token issued (grant %s, tenant %s)", grant, tenant)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSONStatus(w, http.StatusOK, resp)
}

// equal compares secrets in constant time.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
