package safetext

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// leaks returns the fragments of minFragment bytes of any form of secret
// found in out (empty when none; a piece of the "[redacted]" marker is
// not a leak).
func leaks(out, secret string) []string {
	var found []string
	for _, f := range forms(secret) {
		for i := 0; i+minFragment <= len(f); i++ {
			if g := f[i : i+minFragment]; strings.Contains(out, g) && !strings.Contains(redacted, g) {
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
	got := Sprintf("%s|%v|%q|%d|%s|%d|%s\n", "x\x1b[2J", fmt.Errorf("e s3cret-password \u202e"), name("n\u009b"), 7, []byte("b\r"), time.Second, time.Second)
	if want := "x [2J|e [redacted]  |\"n \"|7|b |1000000000|1s\n"; got != want {
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

// FuzzRedact: whatever the secret and the text around it, cut anywhere,
// what Redact returns holds no fragment of minFragment bytes of any form
// of the secret.
func FuzzRedact(f *testing.F) {
	f.Add(hostileSecret, "error: ", " end", 30)
	f.Add("d]ab[redact", "x[re", "ed]y", 12)
	f.Add("s3cret-value", `{"e":"`, `"}`, 9)
	f.Fuzz(func(t *testing.T, secret, before, after string, cut int) {
		if len(secret) < minFragment || len(secret) > 64 || len(before)+len(after) > 256 {
			return
		}
		forgetSecrets()
		defer forgetSecrets()
		AddSecret(secret)
		for _, form := range forms(secret) {
			text := before + form + after
			text = text[:min(len(text), max(cut, 0))]
			if l := leaks(Redact(text), secret); len(l) > 0 {
				t.Fatalf("Redact(%q) with secret %q leaves %q", text, secret, l)
			}
		}
	})
}

// FuzzMarshalJSON: any string is written as valid JSON that reads back
// as encoding/json's own output does (invalid UTF-8 as U+FFFD) and holds no raw character Printable
// would replace.
func FuzzMarshalJSON(f *testing.F) {
	f.Add("a\u202eb\u009b\x1b]0;t\x07")
	f.Add("<&>\xff\U000e0041")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := MarshalJSON(map[string]string{"k": s}, "  ", false)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]string
		std, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(std, &want) // what encoding/json itself reads back
		if err := json.Unmarshal(b, &back); err != nil || back["k"] != want {
			t.Fatalf("%q: %v, read back %q", b, err, back["k"])
		}
		if strings.IndexFunc(string(b), func(r rune) bool { return r != '\n' && unsafeRune(r) }) >= 0 {
			t.Fatalf("raw control in %q", b)
		}
	})
}
