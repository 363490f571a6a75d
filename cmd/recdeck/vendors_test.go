package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/client/noojee"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/client/voipnow"
	"github.com/recdeck/recdeck/ui/audit"
)

// Helpers shared by the vendor subcommand tests (voipnow_test.go,
// noojee_test.go, akixi_test.go), and tests of vendors.go.

// vendorIsolate keeps a test away from the user's config and secrets:
// config goes to a fresh file that RECDECK_CONFIG names, and every vendor's
// secret variable is cleared (a test sets the one it needs afterwards).
func vendorIsolate(t *testing.T, config string) {
	t.Helper()
	safetext.ForgetAll() // no earlier test's secrets redact this one's words
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RECDECK_CONFIG", path)
	for _, env := range []string{voipnowSecretEnv, noojeeKeyEnv, akixiPasswordEnv} {
		t.Setenv(env, "")
	}
	// Audited CLI actions write here, never to the user's own log; default
	// download folders go under a temporary data home.
	t.Setenv(audit.EnvPath, filepath.Join(t.TempDir(), "audit.log"))
	t.Setenv("XDG_DATA_HOME", t.TempDir())
}

// readAudit reads the audit log vendorIsolate set up.
func readAudit(t *testing.T) []audit.Record {
	t.Helper()
	f, err := os.Open(os.Getenv(audit.EnvPath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, _, err := audit.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	// Write-ahead: every outcome follows an attempt record with its ID.
	attempted := map[string]bool{}
	for _, r := range recs {
		switch {
		case r.Phase == audit.PhaseAttempt:
			attempted[r.ID] = true
		case !attempted[r.ID]:
			t.Fatalf("outcome record without an earlier attempt: %+v", r)
		}
	}
	return audit.Outcomes(recs)
}

// jsonErrorOf decodes the one JSON error object a failed --json command
// printed on stdout.
func jsonErrorOf(t *testing.T, out string) jsonErrorBody {
	t.Helper()
	var o jsonErrorObject
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON error object: %v\n%s", err, out)
	}
	if o.Error.Kind == "" || o.Error.Message == "" || o.Error.ExitStatus == 0 {
		t.Fatalf("incomplete error object: %+v", o.Error)
	}
	return o.Error
}

// vendorRun runs recdeck in-process through main's run (so errors print as
// "recdeck: ..."), for 20 s at most, and returns the exit status, stdout
// and stderr.
func vendorRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// serveLoopback serves h on 127.0.0.1 until the test ends and returns its
// URL.
func serveLoopback(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// serveMount mounts one vendor's simulator on a fresh mux served on
// 127.0.0.1, the way `recdeck sim` mounts it, until the test ends. It
// returns the server and the vendor's banner lines.
func serveMount(t *testing.T, mount simMount, seed int64) (*httptest.Server, []string) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	banner, stop := mount(mux, srv.URL, seed)
	t.Cleanup(stop)
	return srv, banner
}

func TestVendorSetIfGiven(t *testing.T) {
	v := "from the profile"
	setIfGiven(&v, "")
	if v != "from the profile" {
		t.Errorf("an empty value replaced the setting: %q", v)
	}
	setIfGiven(&v, "from a flag")
	if v != "from a flag" {
		t.Errorf("a given value did not win: %q", v)
	}
}

func TestVendorExitFor(t *testing.T) {
	called := 0
	classify := func(error) int { called++; return exitAPI }
	if err := exitFor(nil, classify); err != nil {
		t.Errorf("nil became %v", err)
	}
	usage := withExit(exitUsage, errors.New("refused before sending"))
	if err := exitFor(usage, classify); err != usage {
		t.Errorf("an error with a status was changed: %v", err)
	}
	if called != 0 {
		t.Errorf("classify ran %d times for nil and an error with a status", called)
	}
	err := exitFor(errors.New("boom"), classify)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitAPI || err.Error() != "boom" || called != 1 {
		t.Errorf("got %v (called %d)", err, called)
	}
}

// TestVendorExitStatuses pins each vendor's table of error types to exit
// statuses, error by error.
func TestVendorExitStatuses(t *testing.T) {
	other := errors.New("something else")
	for _, tc := range []struct {
		name string
		exit func(error) error
		err  error
		want int
	}{
		{"voipnow validation", voipnowExit, &voipnow.ValidationError{Field: "extension", Reason: "is not valid"}, exitUsage},
		{"voipnow auth", voipnowExit, &voipnow.AuthError{Msg: "invalid_client"}, exitNetwork},
		{"voipnow api", voipnowExit, &voipnow.APIError{Status: 400, Code: "pc_phonecall_invalid"}, exitAPI},
		{"voipnow response", voipnowExit, &voipnow.ResponseError{Status: 200, Reason: "not JSON"}, exitNetwork},
		{"voipnow other", voipnowExit, other, exitNetwork},

		{"noojee input", noojeeExit, &noojee.InputError{Field: "tag", Problem: "missing"}, exitUsage},
		{"noojee rate limit", noojeeExit, &noojee.RateLimitError{Op: "retrieveMetaDataByHour"}, exitAPI},
		{"noojee 401", noojeeExit, &noojee.APIError{Op: "retrieveMetaData", StatusCode: 401, Status: "401 Unauthorized"}, exitNetwork},
		{"noojee transport", noojeeExit, &noojee.TransportError{Op: "retrieveMetaData", Err: other}, exitNetwork},
		{"noojee 200 unusable", noojeeExit, &noojee.APIError{Op: "retrieveMetaData", StatusCode: 200, Status: "200 OK", Problem: "unexpected body"}, exitNetwork},
		{"noojee 500", noojeeExit, &noojee.APIError{Op: "retrieveMetaData", StatusCode: 500, Status: "500 Internal Server Error"}, exitAPI},
		{"noojee other", noojeeExit, other, exitAPI},

		{"akixi validation", akixiExit, &akixi.ValidationError{Field: "--guid", Reason: "is missing"}, exitUsage},
		{"akixi auth", akixiExit, &akixi.APIError{Operation: akixi.OpCreateSession, Code: 10301, Group: akixi.GroupAuthentication}, exitNetwork},
		{"akixi api", akixiExit, &akixi.APIError{Operation: akixi.OpInfo, Code: 11401}, exitAPI},
		{"akixi too many", akixiExit, fmt.Errorf("list: %w", akixi.ErrTooManyEntries), exitAPI},
		{"akixi response", akixiExit, &akixi.ResponseError{Operation: akixi.OpInfo, Status: 404, Reason: "no WS API"}, exitNetwork},
		{"akixi other", akixiExit, other, exitNetwork},
	} {
		err := tc.exit(tc.err)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want exit %d wrapping the error", tc.name, err, tc.want)
		}
		if tc.exit(nil) != nil {
			t.Errorf("%s: nil is an error", tc.name)
		}
	}
	// A refused apiKey says where the key comes from.
	if err := noojeeExit(&noojee.APIError{Op: "retrieveMetaData", StatusCode: 403, Status: "403 Forbidden"}); !strings.Contains(err.Error(), "check "+noojeeKeyEnv+" or noojee.api_key") {
		t.Errorf("403: %v", err)
	}
}

func TestVendorPrintJSON(t *testing.T) {
	var b bytes.Buffer
	if err := printVendorJSON(&b, map[string]any{"ok": true, "tag": "a<b"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"ok\": true,\n  \"tag\": \"a\\u003cb\"\n}\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	err := printVendorJSON(&b, func() {})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitAPI {
		t.Errorf("an unencodable value: %v", err)
	}
}

// TestVendorSignalContext: the context follows the command's (a signal
// cancels it too, but a test must not send itself SIGINT), and stop
// releases it.
func TestVendorSignalContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	cmd := &cobra.Command{}
	cmd.SetContext(parent)
	ctx, stop := signalContext(cmd)
	defer stop()
	if ctx.Err() != nil {
		t.Fatal("cancelled at once")
	}
	cancel()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the command's cancellation did not reach the context")
	}
	cmd.SetContext(context.Background())
	ctx2, stop2 := signalContext(cmd)
	stop2()
	if ctx2.Err() == nil {
		t.Error("stop left the context running")
	}
}

// TestWriteJSONErrorShape: every vendor's failure is one object of the same
// shape, with the server's code and status when it gave them, and no
// secret in it.
func TestWriteJSONErrorShape(t *testing.T) {
	for _, tc := range []struct {
		name, kind, code string
		err              error
		status           int
	}{
		{"noojee refusal", "api", "-1", noojeeExit(&noojee.CallError{Op: "stop", Code: -1, Message: "No recording in progress"}), 0},
		{"voipnow error in a 200", "api", "pc_phonecall_invalid", voipnowExit(&voipnow.APIError{Status: 200, Code: "pc_phonecall_invalid", Message: "gone"}), 200},
		{"akixi fail", "api", "11401", akixiExit(&akixi.APIError{Operation: "CallRecIntInfo", Code: 11401, Message: "not found", Status: 200}), 200},
		{"usage", "usage", "", withExit(exitUsage, errors.New("give --tag")), 0},
		{"network", "network", "", withExit(exitNetwork, errors.New("connection refused")), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeJSONError(&b, tc.err); err != nil {
				t.Fatal(err)
			}
			je := jsonErrorOf(t, b.String())
			if je.Kind != tc.kind || je.Code != tc.code || je.HTTPStatus != tc.status || je.Message == "" {
				t.Fatalf("%+v", je)
			}
		})
	}
}
