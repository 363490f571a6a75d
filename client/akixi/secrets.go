package akixi

import (
	"slices"
	"strconv"

	"github.com/recdeck/recdeck/client/safetext"
)

// SecretProperties are the Dubber account settings that are credentials in
// practice: AuthUserID1/2 and APIParameter1/2 (the Dubber API key and
// secret). The service returns them to any administrator, but recdeck
// treats them as secrets: they are never taken from a command-line flag
// (where every process on the host can read them), they are masked on
// screen, in `info` and in --json unless asked for explicitly, and every
// value seen is registered with safetext.AddSecret so no log, audit record
// or error message shows it.
var SecretProperties = []string{PropAuthUserID1, PropAuthUserID2, PropAPIParameter1, PropAPIParameter2}

// Mask is what a hidden secret value is shown as.
const Mask = "••••••"

// IsSecret reports whether a property is one of SecretProperties.
func IsSecret(name string) bool {
	p, ok := LookupProperty(name)
	return ok && slices.Contains(SecretProperties, p.Name)
}

// Masked returns e with every non-empty secret property replaced by Mask.
func (e Entry) Masked() Entry {
	for _, n := range SecretProperties {
		if e.Get(n) != "" {
			e.Set(n, Mask)
		}
	}
	return e
}

// RegisterSecrets hands e's secret values to the process-wide redactor.
func RegisterSecrets(e Entry) {
	for _, n := range SecretProperties {
		if v := e.Get(n); v != "" {
			safetext.AddSecret(v)
		}
	}
}

// ErrorCode gives the service's code (for --json error objects).
func (e *APIError) ErrorCode() string {
	if e.Code != 0 {
		return strconv.Itoa(e.Code)
	}
	return e.CodeText
}

// HTTPStatus gives the answer's status (for --json error objects).
func (e *APIError) HTTPStatus() int { return e.Status }

// HTTPStatus gives the answer's status (for --json error objects).
func (e *ResponseError) HTTPStatus() int { return e.Status }
