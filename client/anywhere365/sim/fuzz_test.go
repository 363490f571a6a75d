package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
)

// FuzzDecodeSetRequest feeds the recording/set body decoder. Seeds are the
// documents' request bodies and their near misses.
func FuzzDecodeSetRequest(f *testing.F) {
	for _, s := range []string{
		`{"Action":1,"RequesterSipUri":"sip:agent@domain.com","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","UCCName":"ucc-demo-name"}`,
		`{"Action":"Mark","RequesterSipUri":"sip:agent@domain.com","CorrelationId":"1d6c6a58-6739-4f0c-98ff-0968292c8c30","UCCName":"ucc-demo-name"}`,
		"{\n   \"Action\":\"UnMark\",\n   \"RequesterSipUri\":\"sip:agent@domain.com\"\n}",
		`{"action":"7","ucCname":"payments"}`,
		`{"Action":null}`, `{"Action":0}`, `{"Action":8}`, `{"Action":1.5}`, `{"Action":-1}`, `{"Action":"Resume"}`,
		`{"Action":true}`, `{"Action":{}}`, `{"Action":[1]}`, `{"Action":"\u004dark"}`,
		`{"UCCName":5}`, `{}`, `[]`, `null`, ``, `{`, `{"Action":1}garbage`, `{"Action":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeSetRequest(body)
		if err != nil {
			if cmd != (setCommand{}) {
				t.Fatalf("error with a partial command: %+v", cmd)
			}
			return
		}
		if cmd.Action != 0 && !cmd.Action.Valid() {
			t.Fatalf("invalid action %d accepted", cmd.Action)
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		// Re-encoding the command and decoding it again gives the same command.
		again, err := decodeSetRequest(mustJSON(t, anywhere365.SetRequest{
			Action: cmd.Action, RequesterSipUri: cmd.RequesterSipUri, CorrelationId: cmd.CorrelationId, UCCName: cmd.UCCName,
		}))
		if err != nil || again != cmd {
			t.Fatalf("round trip: %+v -> %+v (%v)", cmd, again, err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzTokenCheck feeds the bearer token parser: nothing but a token the
// simulator signed is accepted, and nothing panics.
func FuzzTokenCheck(f *testing.F) {
	ti := &tokenIssuer{key: []byte("fuzz-key"), now: func() time.Time { return time.Unix(1700000000, 0) },
		lifetime: time.Hour, refreshLifetime: time.Hour, nonce: func() []byte { return []byte("fixed-nonce!") }}
	good := ti.issue(kindAccess, DemoTenant, time.Hour)
	for _, s := range []string{good, ti.issue(kindRefresh, DemoTenant, time.Hour), "", "at..", "at.e30.", "a.b.c.d",
		strings.Replace(good, "at.", "rt.", 1), good + "x", "at.%%%." + strings.Split(good, ".")[2]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		tenant, ok := ti.check(kindAccess, tok)
		// The signature covers the text before the last dot, so only the
		// signed text is accepted (the signature itself may be spelt in
		// another base64 form that decodes to the same bytes).
		if ok && tok[:strings.LastIndexByte(tok, '.')] != good[:strings.LastIndexByte(good, '.')] {
			t.Fatalf("accepted a token the simulator did not sign: %q", tok)
		}
		if ok && tenant != DemoTenant {
			t.Fatalf("tenant %q", tenant)
		}
	})
}
