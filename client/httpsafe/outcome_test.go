package httpsafe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTraceSend: Wrote is false when the connection is refused (the server
// never saw the request) and true when the request was written and the
// server then hung up or answered.
func TestTraceSend(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // read it all: the request arrived
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}))
	defer hangup.Close()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") }))
	defer ok.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	for _, c := range []struct {
		url       string
		wrote, ok bool
	}{{dead, false, false}, {hangup.URL, true, false}, {ok.URL, true, true}} {
		ctx, st := TraceSend(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, c.url, strings.NewReader(`{"action":"x"}`))
		res, err := hc.Do(req)
		if res != nil {
			res.Body.Close()
		}
		if st.Wrote() != c.wrote || (err == nil) != c.ok {
			t.Errorf("%s: wrote %v err %v, want wrote %v", c.url, st.Wrote(), err, c.wrote)
		}
	}
}

// TestUnknownOutcomeError: its text leads with what it means, it wraps its
// cause, and IsUnknownOutcome finds it (or any error saying it is one)
// through wrapping.
func TestUnknownOutcomeError(t *testing.T) {
	cause := errors.New("read: connection reset")
	err := fmt.Errorf("vendor: %w", &UnknownOutcomeError{Err: cause})
	if !IsUnknownOutcome(err) || !errors.Is(err, cause) ||
		!strings.Contains(err.Error(), UnknownOutcomeText+": read: connection reset") {
		t.Fatalf("%v", err)
	}
	if (&UnknownOutcomeError{}).Error() != UnknownOutcomeText {
		t.Fatal("no cause: text only")
	}
	if IsUnknownOutcome(cause) || IsUnknownOutcome(nil) || IsUnknownOutcome(notUnknown{}) {
		t.Fatal("a plain error is not unknown")
	}
}

type notUnknown struct{}

func (notUnknown) Error() string        { return "x" }
func (notUnknown) UnknownOutcome() bool { return false }
