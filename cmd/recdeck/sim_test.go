package main

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// runSimCmd starts `recdeck sim` in-process on a free port and waits for
// its banner. It returns the base URL, the output and the exit channel.
func runSimCmd(t *testing.T, ctx context.Context) (string, *lockedBuffer, chan int) {
	t.Helper()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"sim", "--addr", "127.0.0.1:0", "--calls", "2"}, &out, &errb) }()
	const prefix = "recdeck sim listening on "
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, "\n") {
			first := s[:strings.Index(s, "\n")]
			if !strings.HasPrefix(first, prefix) {
				t.Fatalf("first line %q", first)
			}
			return strings.TrimPrefix(first, prefix), &out, done
		}
		select {
		case code := <-done:
			t.Fatalf("sim exited %d: %s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("no banner")
	return "", nil, nil
}

func TestSimCommandServesAndStopsOnCancel(t *testing.T) {
	coreEnv(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, out, done := runSimCmd(t, ctx)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base %q", base)
	}
	banner := out.String()
	for _, want := range []string{
		"anywhere365: hub " + base + "/attendantservice/hubs/recording",
		"anywhere365: token " + base + "/auth/realms/2ed153b4-f632-4766-b846-5b2a769b36d1/protocol/openid-connect/token",
		"username=demo password=demo client_secret=demo",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	// It serves: caps against it succeeds.
	code, capsOut, errOut := coreRun(t, "caps", "--base-url", base, "--ucc", "payments")
	if code != exitOK || capsOut != "payments AgentCanEditRecordings=true\n" {
		t.Fatalf("caps: code %d out %q err %q", code, capsOut, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK || !strings.HasSuffix(out.String(), "recdeck sim stopped\n") {
			t.Fatalf("code %d out %q", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop")
	}
	// The port is free again.
	if code, _, _ := coreRun(t, "caps", "--base-url", base, "--ucc", "payments", "--timeout", "1s"); code != exitNetwork {
		t.Fatalf("still serving after stop: code %d", code)
	}
}

func TestSimCommandStopsOnSIGTERM(t *testing.T) {
	coreEnv(t)
	_, out, done := runSimCmd(t, context.Background())
	// The command registered for SIGTERM before printing its banner.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK || !strings.HasSuffix(out.String(), "recdeck sim stopped\n") {
			t.Fatalf("code %d out %q", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop on SIGTERM")
	}
}

func TestSimCommandBadAddr(t *testing.T) {
	coreEnv(t)
	code, _, errOut := coreRun(t, "sim", "--addr", "256.0.0.1:bad")
	if code != exitNetwork || !strings.HasPrefix(errOut, "recdeck: simulator: listen tcp") {
		t.Fatalf("code %d err %q", code, errOut)
	}
	code, _, errOut = coreRun(t, "sim", "--calls", "-1")
	if code != exitUsage || errOut != "recdeck: --calls must be 0 or more, got -1\n" {
		t.Fatalf("code %d err %q", code, errOut)
	}
}
