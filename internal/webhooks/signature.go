// Package webhooks delivers a tenant's events to the HTTP endpoints it registers: signed
// (HMAC-SHA256 over timestamp + "." + body), retried with exponential backoff for more
// than 24 hours, logged per attempt, redeliverable by hand, and disabled automatically
// after sustained failure (with a webhook.disabled event that notifies the tenant admins).
package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the signature: "t=<unix seconds>,v1=<hex>[,v1=<hex>]". During a
// secret rotation there is one v1 per valid secret (the new one first).
const SignatureHeader = "Aftersales-Signature"

// Verification errors.
var (
	ErrNoSignature    = errors.New("webhooks: signature header missing or malformed")
	ErrStaleTimestamp = errors.New("webhooks: timestamp outside the tolerance")
	ErrBadSignature   = errors.New("webhooks: no signature matches")
)

// Sign returns the header value for body signed at t with each secret.
func Sign(t time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a received webhook: header is the Aftersales-Signature value, body the raw
// request body, secret the endpoint's secret as shown when it was created or rotated. The
// timestamp must be within tolerance of now (replays of old deliveries are rejected; 5
// minutes is a good tolerance). Any v1 value may match, so a receiver holding either the
// new or the previous secret accepts deliveries during a rotation.
func Verify(secret, header string, body []byte, tolerance time.Duration) error {
	return verifyAt(time.Now(), secret, header, body, tolerance)
}

func verifyAt(now time.Time, secret, header string, body []byte, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrStaleTimestamp
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}
