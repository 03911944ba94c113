package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// Token prefixes tell credential kinds apart at a glance (and to secret scanners).
const (
	prefixSession    = "ses_"
	prefixAPIKey     = "ask_"
	prefixInvitation = "inv_"
)

var b64 = base64.RawURLEncoding

// ErrBadToken means a credential is malformed, unknown, expired or revoked. Callers do not learn which.
var ErrBadToken = errors.New("invalid credential")

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS RNG failing is unrecoverable
	}
	return b
}

// HashToken is the stored form of an opaque token or secret.
func HashToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// newSessionToken returns a session token and its stored hash.
func newSessionToken() (string, []byte) {
	t := prefixSession + b64.EncodeToString(randomBytes(32))
	return t, HashToken(t)
}

// scopedToken is a credential that names its tenant and record, so it can be looked up
// inside that tenant's scope (row-level security applies) and then verified.
//
//	prefix + base64url(tenant id | record id | 24-byte secret)
func newScopedToken(prefix string, tenantID, id uuid.UUID) (string, []byte) {
	secret := randomBytes(24)
	raw := make([]byte, 0, 56)
	raw = append(append(append(raw, tenantID[:]...), id[:]...), secret...)
	return prefix + b64.EncodeToString(raw), HashToken(string(secret))
}

func parseScopedToken(prefix, tok string) (tenantID, id uuid.UUID, secretHash []byte, err error) {
	if !strings.HasPrefix(tok, prefix) {
		return uuid.Nil, uuid.Nil, nil, ErrBadToken
	}
	raw, err := b64.DecodeString(tok[len(prefix):])
	if err != nil || len(raw) != 56 {
		return uuid.Nil, uuid.Nil, nil, ErrBadToken
	}
	copy(tenantID[:], raw[:16])
	copy(id[:], raw[16:32])
	return tenantID, id, HashToken(string(raw[32:])), nil
}

func equalHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// NewLinkToken returns a bearer token for a link sent to a customer (order tracking, quote
// approval): it names its tenant and record, so it is looked up inside that tenant's scope,
// and only a hash of its secret part is stored. prefix tells link kinds apart ("trk_").
func NewLinkToken(prefix string, tenantID, id uuid.UUID) (token string, secretHash []byte) {
	return newScopedToken(prefix, tenantID, id)
}

// ParseLinkToken splits a link token made by NewLinkToken; ErrBadToken when malformed.
func ParseLinkToken(prefix, tok string) (tenantID, id uuid.UUID, secretHash []byte, err error) {
	return parseScopedToken(prefix, tok)
}

// SameHash compares two stored hashes in constant time.
func SameHash(a, b []byte) bool { return equalHash(a, b) }
