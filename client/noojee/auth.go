package noojee

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/recdeck/recdeck/client/safetext"
)

// hashPair is the older API's credential: a server timestamp and its hash.
// A pair is valid HashFreshFor after it was issued if unused, then
// HashLifetime from its first use; the client reuses it with a margin.
type hashPair struct {
	ts, hash string
	fetched  time.Time
	firstUse time.Time
}

// Margins so a pair is never sent just as it expires.
const (
	freshMargin    = 3 * time.Second
	lifetimeMargin = time.Minute
)

// Hash is the older API's hash of an apiKey and a timeStamp:
// hex(sha256(apiKey + ":" + timeStamp)).
func Hash(apiKey, timeStamp string) string {
	sum := sha256.Sum256([]byte(apiKey + ":" + timeStamp))
	return hex.EncodeToString(sum[:])
}

// usable says whether p may be sent at now.
func (p hashPair) usable(now time.Time) bool {
	if p.ts == "" {
		return false
	}
	if p.firstUse.IsZero() {
		return now.Sub(p.fetched) < HashFreshFor-freshMargin
	}
	return now.Sub(p.firstUse) < HashLifetime-lifetimeMargin
}

// hashPairFor returns the cached pair, or fetches a new timestamp. The lock
// is held while fetching so concurrent requests share one fetch.
func (c *Client) hashPairFor(ctx context.Context) (ts, hash string, err error) {
	c.hashMu.Lock()
	defer c.hashMu.Unlock()
	now := c.cfg.Now()
	if !c.pair.usable(now) {
		ts, err := c.fetchTimeStamp(ctx)
		if err != nil {
			return "", "", err
		}
		c.pair = hashPair{ts: ts, hash: Hash(c.cfg.APIKey, ts), fetched: c.cfg.Now()}
		safetext.AddToken(c.pair.hash) // a credential for an hour
	}
	if c.pair.firstUse.IsZero() {
		c.pair.firstUse = c.cfg.Now()
	}
	return c.pair.ts, c.pair.hash, nil
}

// dropPair forgets the cached pair if it is still the one that was refused.
func (c *Client) dropPair(ts string) {
	c.hashMu.Lock()
	defer c.hashMu.Unlock()
	if c.pair.ts == ts {
		c.pair = hashPair{}
	}
}

// fetchTimeStamp asks POST {TimePath} for the server's time in milliseconds.
// ASSUMPTION: it takes no parameters and answers the number as text (a JSON
// number or quoted string is accepted too).
func (c *Client) fetchTimeStamp(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	u := *c.base
	u.Path = c.base.Path + c.cfg.TimePath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), http.NoBody)
	if err != nil {
		return "", &TransportError{Op: opTime, Err: redactErr(err)}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", &TransportError{Op: opTime, Err: redactErr(err)}
	}
	defer resp.Body.Close()
	body, _, err := readLimited(resp.Body, 1024)
	if err != nil {
		return "", &TransportError{Op: opTime, Err: redactErr(err)}
	}
	if resp.StatusCode/100 != 2 {
		return "", c.statusError(opTime, resp, body)
	}
	ts, err := ParseTimeStamp(body)
	if err != nil {
		return "", &APIError{Op: opTime, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: err.Error(), Excerpt: oneLine(body, 80)}
	}
	return ts, nil
}

// ParseTimeStamp reads the Time method's answer: a millisecond Unix time as
// text ("1447887203341"), possibly as a JSON string or number. It returns
// the digits exactly as sent, since the hash is computed over that text.
func ParseTimeStamp(body []byte) (string, error) {
	s := bytes.TrimSpace(body)
	if len(s) > 0 && s[0] == '"' {
		var str string
		if err := json.Unmarshal(s, &str); err != nil {
			return "", fmt.Errorf("timestamp is not a number: %w", err)
		}
		s = bytes.TrimSpace([]byte(str))
	}
	if len(s) < 10 || len(s) > 16 {
		return "", fmt.Errorf("timestamp %q is not milliseconds since 1970", excerpt(string(s), 20))
	}
	for _, b := range s {
		if b < '0' || b > '9' {
			return "", fmt.Errorf("timestamp %q is not milliseconds since 1970", excerpt(string(s), 20))
		}
	}
	if _, err := strconv.ParseInt(string(s), 10, 64); err != nil {
		return "", fmt.Errorf("timestamp %q out of range", excerpt(string(s), 20))
	}
	return string(s), nil
}
