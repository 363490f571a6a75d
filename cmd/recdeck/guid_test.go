package main

import (
	"strings"
	"testing"
)

// A correlation id typed as .NET logs print it (upper case, in braces,
// with spaces around) reaches the same call: --call is normalised where
// the flag is read (issue 11).
func TestGetNormalisesCallID(t *testing.T) {
	coreEnv(t)
	st := coreSim(t)
	for _, typed := range []string{"{" + strings.ToUpper(coreTestID) + "}", "  " + strings.ToUpper(coreTestID) + " ", " {" + coreTestID + "} "} {
		code, out, errOut := coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", typed)
		if code != exitOK || out != "ucc-demo-name "+coreTestID+" Recording=Started Marking=None Saving=None\n" || errOut != "" {
			t.Fatalf("--call %q: code %d out %q err %q", typed, code, out, errOut)
		}
	}
	code, out, errOut := coreRun(t, "set", "mark", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--sip", "sip:agent@domain.com",
		"--call", "{"+strings.ToUpper(coreTestID)+"}")
	if code != exitOK || !strings.Contains(out, "Marking=Mark") {
		t.Fatalf("set: code %d out %q err %q", code, out, errOut)
	}
	// Still refused: something that is not a GUID once normalised.
	if code, _, errOut := coreRun(t, "get", "--base-url", st.URL, "--ucc", "ucc-demo-name", "--call", "{{"+coreTestID+"}}"); code != exitUsage || !strings.Contains(errOut, "is not a GUID") {
		t.Fatalf("double braces: code %d err %q", code, errOut)
	}
}
