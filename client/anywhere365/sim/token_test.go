package sim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func demoForm(grant string) url.Values {
	return url.Values{
		"client_id": {DemoClientID}, "client_secret": {DemoClientSecret},
		"username": {DemoUsername}, "password": {DemoPassword}, "grant_type": {grant},
	}
}

func TestTokenFlowAndExpiry(t *testing.T) {
	clk := newClock()
	r := start(t, Options{Now: clk.Now, TokenLifetime: 60 * time.Second})
	c := httpc(t)
	mustCall(t, r.Server, "ucc-demo-name", seedID, true)
	v2 := r.URL + "/attendantservice/api/v2/recording/ucc-demo-name/" + seedID

	// No token, a made-up token: 401 with a Bearer challenge and no body.
	for _, auth := range []string{"", "Bearer made-up", "Bearer at.e30.AAAA", "Basic ZGVtbzpkZW1v"} {
		hdr := map[string]string{}
		if auth != "" {
			hdr["Authorization"] = auth
		}
		rep := do(t, c, "GET", v2, "", hdr)
		if rep.status != http.StatusUnauthorized || !strings.HasPrefix(rep.header.Get("WWW-Authenticate"), "Bearer") || len(rep.body) != 0 {
			t.Errorf("auth %q: %d %q %s", auth, rep.status, rep.header.Get("WWW-Authenticate"), rep.body)
		}
	}
	// v1 needs no token.
	if rep := do(t, c, "GET", r.URL+"/attendantservice/api/recording/ucc-demo-name/"+seedID, "", nil); rep.status != 200 {
		t.Errorf("v1: %d", rep.status)
	}

	rep := postForm(t, c, r.TokenURL, demoForm("password"))
	if rep.status != 200 || rep.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %s", rep.status, rep.header, rep.body)
	}
	tok := decode[tokenResponse](t, rep.body)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 60 || tok.RefreshToken == "" || tok.RefreshExpiresIn != 1800 || tok.AccessToken == "" {
		t.Fatalf("token response %+v", tok)
	}
	sameKeys(t, rep.body, "access_token", "expires_in", "refresh_expires_in", "refresh_token", "token_type", "not-before-policy", "scope")
	bearer := map[string]string{"Authorization": "Bearer " + tok.AccessToken}
	if rep := do(t, c, "GET", v2, "", bearer); rep.status != 200 {
		t.Fatalf("v2 with token: %d %s", rep.status, rep.body)
	}
	// A refresh token is not an access token.
	if rep := do(t, c, "GET", v2, "", map[string]string{"Authorization": "Bearer " + tok.RefreshToken}); rep.status != 401 {
		t.Errorf("refresh token accepted as access token: %d", rep.status)
	}

	clk.Add(59 * time.Second)
	if rep := do(t, c, "GET", v2, "", bearer); rep.status != 200 {
		t.Errorf("token refused before expiry: %d", rep.status)
	}
	clk.Add(time.Second)
	if rep := do(t, c, "GET", v2, "", bearer); rep.status != 401 {
		t.Errorf("expired token accepted: %d", rep.status)
	}

	// The refresh grant gives a fresh access token.
	rep = postForm(t, c, r.TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	if rep.status != 200 {
		t.Fatalf("refresh: %d %s", rep.status, rep.body)
	}
	fresh := decode[tokenResponse](t, rep.body)
	if rep := do(t, c, "GET", v2, "", map[string]string{"Authorization": "Bearer " + fresh.AccessToken}); rep.status != 200 {
		t.Errorf("refreshed token refused: %d", rep.status)
	}
	// An expired refresh token, or one for another tenant, is refused.
	other := strings.Replace(r.TokenURL, DemoTenant, "0f8fad5b-d9cb-469f-a165-70867728950e", 1)
	rep = postForm(t, c, other, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	if rep.status != 400 || decode[oauthError](t, rep.body).Error != "invalid_grant" {
		t.Errorf("refresh for another tenant: %d %s", rep.status, rep.body)
	}
	clk.Add(1801 * time.Second)
	rep = postForm(t, c, r.TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	if rep.status != 400 {
		t.Errorf("expired refresh token: %d %s", rep.status, rep.body)
	}
}

func sameKeys(t *testing.T, body []byte, keys ...string) {
	t.Helper()
	m := decode[map[string]any](t, body)
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, body)
		}
	}
	if len(m) != len(keys) {
		t.Errorf("keys of %s, want %v", body, keys)
	}
}

func TestTokenErrors(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	mod := func(grant string, f func(url.Values)) url.Values {
		v := demoForm(grant)
		f(v)
		return v
	}
	cases := []struct {
		name   string
		url    string
		form   url.Values
		status int
		body   string
	}{
		{"client_credentials ok", r.TokenURL, demoForm("client_credentials"), 200, ""},
		{"client_credentials without user", r.TokenURL, mod("client_credentials", func(v url.Values) { v.Del("username"); v.Del("password") }), 200, ""},
		{"wrong password", r.TokenURL, mod("password", func(v url.Values) { v.Set("password", "nope") }), 401, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`},
		{"wrong user with client_credentials", r.TokenURL, mod("client_credentials", func(v url.Values) { v.Set("username", "eve") }), 401, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`},
		{"missing password", r.TokenURL, mod("password", func(v url.Values) { v.Del("password") }), 401, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`},
		{"wrong secret", r.TokenURL, mod("password", func(v url.Values) { v.Set("client_secret", "nope") }), 401, `{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`},
		{"wrong client", r.TokenURL, mod("password", func(v url.Values) { v.Set("client_id", "other") }), 401, `{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`},
		{"unsupported grant", r.TokenURL, mod("authorization_code", func(url.Values) {}), 400, `{"error":"unsupported_grant_type","error_description":"Unsupported grant_type"}`},
		{"missing grant", r.TokenURL, mod("", func(v url.Values) { v.Del("grant_type") }), 400, `{"error":"invalid_request","error_description":"Missing form parameter: grant_type"}`},
		{"bad refresh token", r.TokenURL, mod("refresh_token", func(v url.Values) { v.Set("refresh_token", "rt.x.y") }), 400, `{"error":"invalid_grant","error_description":"Invalid refresh token"}`},
		{"tenant not a GUID", r.URL + TokenPath("not-a-guid"), demoForm("password"), 404, `{"error":"Realm does not exist"}`},
		{"any tenant GUID", r.URL + TokenPath("0f8fad5b-d9cb-469f-a165-70867728950e"), demoForm("password"), 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := postForm(t, c, tc.url, tc.form)
			if rep.status != tc.status {
				t.Fatalf("status %d, want %d: %s", rep.status, tc.status, rep.body)
			}
			if tc.body != "" {
				sameJSON(t, rep.body, tc.body)
			}
			// Secrets never come back.
			if strings.Contains(string(rep.body), "nope") {
				t.Errorf("secret echoed: %s", rep.body)
			}
		})
	}
	// Basic auth client credentials (HTTP Basic, as golang.org/x/oauth2 sends them).
	req, _ := http.NewRequest("POST", r.TokenURL, strings.NewReader("grant_type=password&username=demo&password=demo"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DemoClientID, DemoClientSecret)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	eq(t, resp.StatusCode, 200)
}

// The well-kept client libraries obtain and use tokens from the simulator.
func TestTokenWithOAuth2Library(t *testing.T) {
	r := start(t, Options{})
	c := httpc(t)
	mustCall(t, r.Server, "ucc-demo-name", seedID, true)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, c)

	pw := oauth2.Config{ClientID: DemoClientID, ClientSecret: DemoClientSecret, Endpoint: oauth2.Endpoint{TokenURL: r.TokenURL}}
	tok, err := pw.PasswordCredentialsToken(ctx, DemoUsername, DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Errorf("token %+v", tok)
	}
	cc := clientcredentials.Config{ClientID: DemoClientID, ClientSecret: DemoClientSecret, TokenURL: r.TokenURL,
		EndpointParams: url.Values{"username": {DemoUsername}, "password": {DemoPassword}}}
	authed := cc.Client(ctx)
	resp, err := authed.Get(r.URL + "/attendantservice/api/v2/recording/ucc-demo-name/" + seedID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	eq(t, resp.StatusCode, 200)
}

// Signed tokens survive a restart with the same seed, not with another.
func TestTokenSurvivesRestart(t *testing.T) {
	r1, err := Listen("127.0.0.1:0", Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	c := httpc(t)
	tok := token(t, c, r1)
	addr := r1.Addr
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		seed int64
		want int
	}{{5, 200}, {6, 401}} {
		r2, err := Listen(addr, Options{Seed: tc.seed})
		if err != nil {
			t.Fatal(err)
		}
		rep := do(t, c, "GET", r2.URL+"/attendantservice/api/v2/recording/capabilities/payments", "", map[string]string{"Authorization": "Bearer " + tok})
		if rep.status != tc.want {
			t.Errorf("seed %d: %d, want %d", tc.seed, rep.status, tc.want)
		}
		if err := r2.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
