package safetext

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Leaks returns the fragments of minFragment bytes of any form of secret
// found in out (empty when none): the check every leak test makes.
func leaks(out, secret string) []string {
	var found []string
	for _, f := range forms(secret) {
		for i := 0; i+minFragment <= len(f); i++ {
			if g := f[i : i+minFragment]; strings.Contains(out, g) {
				found = append(found, g)
			}
		}
	}
	return found
}

const hostileSecret = `Zq7<Pw&"d/+=%é9kX'r`

func TestRedactEveryFormAndCut(t *testing.T) {
	forgetSecrets()
	t.Cleanup(forgetSecrets)
	AddSecret(hostileSecret)
	user := "agent"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + hostileSecret))
	echoes := map[string]string{"basic": "Authorization: Basic " + basic}
	for i, f := range forms(hostileSecret) {
		echoes[fmt.Sprintf("form%d", i)] = f
	}
	for name, echo := range echoes {
		body := `{"error":"invalid_grant","error_description":"bad credentials for ` + echo + ` (request password=` + echo + `)"}`
		for cut := 0; cut <= min(120, len(body)); cut++ {
			got := Clean(body[:cut], 80)
			if l := leaks(got, hostileSecret); len(l) > 0 {
				t.Fatalf("%s cut %d: %q leaks %q", name, cut, got, l)
			}
		}
	}
}

func TestRedactKeepsOrdinaryText(t *testing.T) {
	forgetSecrets()
	t.Cleanup(forgetSecrets)
	AddSecret("k3y-s3cret-value")
	AddSecret("demo") // too short: never registered
	for in, want := range map[string]string{
		"nothing secret here":               "nothing secret here",
		"key=k3y-s3cret-value&x=1":          "key=[redacted]&x=1",
		"cut s3cret-v":                      "cut [redacted]",
		"cut s3cre":                         "cut s3cre", // 5 bytes: below the fragment size
		"Dubber demo simulator":             "Dubber demo simulator",
		"k3y-s3cret-value k3y-s3cret-value": "[redacted] [redacted]",
		"k3y%2Ds3cret-value":                "[redacted]",
		"a &#107;&#51;&#121;&#45;&#115; b":  "a [redacted] b",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddTokenIsBounded(t *testing.T) {
	forgetSecrets()
	t.Cleanup(forgetSecrets)
	AddSecret("fixed-secret-0001")
	first := "token-first-aaaaaaaaaa"
	AddToken(first)
	for i := range maxTokens {
		AddToken(fmt.Sprintf("tok%04dabcdefghij", i))
	}
	if got := Redact("fixed-secret-0001"); got != redacted {
		t.Errorf("fixed secret forgotten: %q", got)
	}
	if got := Redact("tok0031abcdefghij"); got != redacted {
		t.Errorf("newest token not redacted: %q", got)
	}
	if got := Redact(first); got != first {
		t.Errorf("oldest token still redacted after %d newer ones: %q", maxTokens, got)
	}
}

func TestJSONEscapesControls(t *testing.T) {
	v := map[string]string{"u": "a\u202eb\u009b31m\x1b]0;t\x07\x7f\u2028<&>\U000e0041ok\xff"}
	for _, html := range []bool{true, false} {
		b, err := MarshalJSON(v, "  ", html)
		if err != nil {
			t.Fatal(err)
		}
		if p := Printable(string(b)); p != strings.ReplaceAll(string(b), "\n", " ") {
			t.Fatalf("MarshalJSON left a raw control: %q", b)
		}
		var back map[string]string
		if err := json.Unmarshal(b, &back); err != nil || back["u"] != strings.ToValidUTF8(v["u"], "\ufffd") {
			t.Fatalf("round trip: %v %q", err, back["u"])
		}
		if strings.Contains(string(b), "<") == html {
			t.Errorf("escapeHTML=%v: %s", html, b)
		}
	}
}

func TestSprintfGatesArguments(t *testing.T) {
	forgetSecrets()
	t.Cleanup(forgetSecrets)
	AddSecret("s3cret-password")
	type name string
	got := Sprintf("%s|%v|%q|%d|%s\n", "x\x1b[2J", fmt.Errorf("e s3cret-password \u202e"), name("n\u009b"), 7, []byte("b\r"))
	if want := "x [2J|e [redacted]  |\"n \"|7|b \n"; got != want {
		t.Errorf("Sprintf = %q, want %q", got, want)
	}
}

// BenchmarkRedact4KiB10Secrets: a 4 KiB error body against ten registered
// secrets (must stay well under 1 ms an operation).
func BenchmarkRedact4KiB10Secrets(b *testing.B) {
	forgetSecrets()
	b.Cleanup(forgetSecrets)
	for i := range 10 {
		AddSecret(fmt.Sprintf("secret-%02d-%s", i, strings.Repeat("xY9&", 8)))
	}
	body := strings.Repeat(`{"error":"invalid_client","error_description":"The client could not be authenticated"} `, 48)[:4096]
	body = body[:2000] + "secret-03-xY9&xY9" + body[2017:]
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		if !strings.Contains(Redact(body), redacted) {
			b.Fatal("not redacted")
		}
	}
}
