package anywhere365

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
)

func TestValidateGUID(t *testing.T) {
	ok := []string{seedID, strings.ToUpper(seedID), "2ed153b4-f632-4766-b846-5b2a769b36d1"}
	for _, s := range ok {
		if err := ValidateGUID(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := map[string]string{
		"abc":                                  `correlation id "abc" is not a GUID (want 8-4-4-4-12 hex digits, e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)`,
		"":                                     "correlation id is empty (want 8-4-4-4-12 hex digits, e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)",
		"{" + seedID + "}":                     `correlation id "{1d6c6a58-6739-4f0c-98ff-0968292c8c30}" is not a GUID: remove the braces (e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)`,
		" " + seedID:                           `correlation id " 1d6c6a58-6739-4f0c-98ff-0968292c8c30" is not a GUID: remove the surrounding spaces`,
		strings.Repeat("z", 99):                `correlation id "` + strings.Repeat("z", 40) + `..." is not a GUID (want 8-4-4-4-12 hex digits, e.g. 1d6c6a58-6739-4f0c-98ff-0968292c8c30)`,
		"1d6c6a58673940f98ff0968292c8c30abcd":  "",
		"1d6c6a58-6739-4f0c-98ff-0968292c8c3g": "",
	}
	for s, want := range bad {
		err := ValidateGUID(s)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q accepted", s)
			continue
		}
		if want != "" && err.Error() != want {
			t.Errorf("%q:\n got  %s\n want %s", s, err, want)
		}
	}
}

func TestValidateSIPURI(t *testing.T) {
	ok := []string{"sip:agent@domain.com", "sips:supervisor@domain.com", "SIP:a.b+c@10.0.0.1:5061", "sip:x@[2001:db8::1]", "sip:x@host;transport=tls"}
	for _, s := range ok {
		if err := ValidateSIPURI(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := map[string]string{
		"agent@domain.com":                  `requester SIP URI "agent@domain.com" does not start with sip: or sips: (want sip:user@host, e.g. sip:agent@domain.com)`,
		"sip:agent":                         `requester SIP URI "sip:agent" has no user@host (want sip:user@host, e.g. sip:agent@domain.com)`,
		"sip:@domain.com":                   `requester SIP URI "sip:@domain.com" has no user before @ (want sip:user@host, e.g. sip:agent@domain.com)`,
		"sip:agent@":                        `requester SIP URI "sip:agent@" has no valid host after @ (want sip:user@host, e.g. sip:agent@domain.com)`,
		"sip:agent @domain.com":             `requester SIP URI "sip:agent @domain.com" contains spaces or control characters (want sip:user@host, e.g. sip:agent@domain.com)`,
		"":                                  "requester SIP URI is empty (want sip:user@host, e.g. sip:agent@domain.com)",
		"tel:+15551234":                     "",
		"sip:a@" + strings.Repeat("h", 300): "",
		"sip:a@-bad-":                       "",
	}
	for s, want := range bad {
		err := ValidateSIPURI(s)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q accepted", s)
			continue
		}
		if want != "" && err.Error() != want {
			t.Errorf("%q:\n got  %s\n want %s", s, err, want)
		}
	}
}

func TestValidateUCC(t *testing.T) {
	for _, s := range []string{"ucc-demo-name", "payments", "ucc_", "a.b", "ücc"} {
		if err := ValidateUCC(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := map[string]string{
		"":                       "UCC name is empty (want the technical UCC name, e.g. ucc-demo-name)",
		"a b":                    `UCC name "a b" contains spaces or control characters (want the technical UCC name, e.g. ucc-demo-name)`,
		"a/b":                    `UCC name "a/b" contains "/" (want the technical UCC name, e.g. ucc-demo-name)`,
		"..":                     "",
		"sip:ucc@x":              `UCC name "sip:ucc@x" is a SIP address: give only the part between "sip:" and "@" (want the technical UCC name, e.g. ucc-demo-name)`,
		strings.Repeat("u", 257): "",
		"a\x00b":                 "",
	}
	for s, want := range bad {
		err := ValidateUCC(s)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q accepted", s)
			continue
		}
		if want != "" && err.Error() != want {
			t.Errorf("%q:\n got  %s\n want %s", s, err, want)
		}
	}
}

// FuzzValidators checks the validators never panic, that what they accept
// is safe to put in a URL path segment or a JSON body, and that their error
// text stays bounded whatever the input.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{seedID, "{" + seedID + "}", "abc", "sip:agent@domain.com", "sips:supervisor@domain.com",
		"ucc-demo-name", "ucc_", "a/b", "sip:x@[::1]:5060;transport=tls", "", " ", "\x00", "sip:@", "%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []func(string) error{ValidateGUID, ValidateSIPURI, ValidateUCC} {
			err := v(s)
			if err == nil {
				if strings.ContainsAny(s, "/") && !strings.HasPrefix(strings.ToLower(s), "sip") {
					t.Fatalf("accepted %q with a slash", s)
				}
				if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
					t.Fatalf("accepted %q with spaces or control characters", s)
				}
				if s == "" || len(s) > 256 {
					t.Fatalf("accepted %q", s)
				}
				continue
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%T is not a *ValidationError", err)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error text unbounded: %d bytes", len(err.Error()))
			}
		}
	})
}

// roundTripFunc answers requests in memory, so the fuzzer needs no sockets.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzResponseDecoding feeds arbitrary statuses and bodies to GetState,
// Set and Capabilities: they must not panic, and must give either a
// response or one of the documented error classes.
func FuzzResponseDecoding(f *testing.F) {
	f.Add(200, seedFoundBody)
	f.Add(200, seedErrBody(2, "No Audio session with correlation Id:'"+seedID+"' was found."))
	f.Add(200, seedErrBody(1, "Recorder was not available, command could not be executed"))
	f.Add(200, seedErrBody(3, "glitch"))
	f.Add(200, `{"AgentCanEditRecordings":true,"ErrorMessage":null,"UCCName":"ucc_"}`)
	f.Add(200, `{"AgentCanEditRecordings":false,"ErrorMessage":{"ErrorType":2,"Message":"Ucc with name:'ucc-demo-name' not found."},"UCCName":"ucc-demo-name"}`)
	f.Add(200, `{"CorrelationId":"x","RecordingState":"Paused","MarkingState":"Mark","SavingState":"Delete","ErrorMessage":{"ErrorType":"Validation","Message":"m"}}`)
	f.Add(500, "<html>oops</html>")
	f.Add(503, "")
	f.Add(401, "")
	f.Add(403, seedErrBody(1, "no"))
	f.Add(200, "null")
	f.Add(200, `{"ErrorMessage":{"ErrorType":99}}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			status = 200
		}
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
		})
		c, err := New(Config{BaseURL: "http://fuzz", HTTPClient: &http.Client{Transport: rt}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(ok bool, err error) {
			if err == nil {
				if !ok {
					t.Fatal("nil error and nil response")
				}
				return
			}
			var ae *APIError
			var re *ResponseError
			var au *AuthError
			switch {
			case errors.As(err, &ae):
				if !ok {
					t.Fatal("APIError without its response")
				}
			case errors.As(err, &re), errors.As(err, &au):
			default:
				t.Fatalf("unclassified error %T %v", err, err)
			}
		}
		s, err := c.GetState(ctx, seedUCC, seedID)
		check(s != nil, err)
		s, err = c.Set(ctx, SetParams{UCC: seedUCC, CorrelationID: seedID, RequesterSIP: "sip:agent@domain.com", Action: ActionMark})
		check(s != nil, err)
		cp, err := c.Capabilities(ctx, seedUCC)
		check(cp != nil, err)
	})
}

func TestNormalizeGUID(t *testing.T) {
	up := strings.ToUpper(seedID)
	cases := []struct{ in, want string }{
		{seedID, seedID},
		{up, seedID},
		{"{" + up + "}", seedID},
		{"  {" + seedID + "}\t", seedID},
		{"{ " + up + " }", seedID},
		{" " + seedID + " ", seedID},
		{"", ""},
		{"{}", ""},
		{"{{" + seedID + "}}", "{" + seedID + "}"}, // one pair only: still refused
		{"{" + seedID, "{" + seedID},               // unbalanced: left for ValidateGUID
		{"ABC", "abc"},
	}
	for _, c := range cases {
		got := NormalizeGUID(c.in)
		if got != c.want {
			t.Errorf("NormalizeGUID(%q) = %q, want %q", c.in, got, c.want)
		}
		if (ValidateGUID(got) == nil) != (c.want == seedID) {
			t.Errorf("ValidateGUID(NormalizeGUID(%q)) = %v", c.in, ValidateGUID(got))
		}
		if (ValidateTypedGUID(c.in) == nil) != (c.want == seedID) {
			t.Errorf("ValidateTypedGUID(%q) = %v", c.in, ValidateTypedGUID(c.in))
		}
	}
}

// A refused typed id is shown as typed, with the reason.
func TestValidateTypedGUIDShowsInput(t *testing.T) {
	err := ValidateTypedGUID("{{" + seedID + "}}")
	if err == nil || !strings.Contains(err.Error(), `"{{1d6c6a58`) {
		t.Fatalf("got %v", err)
	}
	if err := ValidateTypedGUID(""); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("empty: %v", err)
	}
}
