package auth

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestPasswordHashing(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if ok, _ := VerifyPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("salt not random")
	}
	if ok, _ := VerifyPassword(dummyHash, "anything"); ok {
		t.Fatal("dummy hash matched")
	}
	if _, err := VerifyPassword("$bcrypt$x", "x"); err == nil {
		t.Fatal("foreign hash format accepted")
	}
	// The tests' cheap hash is a real argon2id hash that the same check verifies.
	cheap, err := HashPasswordForTests("correct horse battery")
	if err != nil || !strings.HasPrefix(cheap, "$argon2id$v=19$m=8,t=1,p=1$") {
		t.Fatalf("test hash: %s %v", cheap, err)
	}
	if ok, err := VerifyPassword(cheap, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password rejected by the test hash: %v", err)
	}
	if ok, _ := VerifyPassword(cheap, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted by the test hash")
	}
}

func TestScopedTokens(t *testing.T) {
	t.Parallel()
	tenant, id := uuid.New(), uuid.New()
	tok, hash := newScopedToken(prefixAPIKey, tenant, id)
	gotTenant, gotID, gotHash, err := parseScopedToken(prefixAPIKey, tok)
	if err != nil || gotTenant != tenant || gotID != id || !equalHash(gotHash, hash) {
		t.Fatalf("round trip: %v %v %v %v", err, gotTenant, gotID, equalHash(gotHash, hash))
	}
	// Another prefix, truncation and a flipped secret byte all fail or change the hash.
	if _, _, _, err := parseScopedToken(prefixInvitation, tok); err == nil {
		t.Fatal("token accepted under another prefix")
	}
	if _, _, _, err := parseScopedToken(prefixAPIKey, tok[:len(tok)-3]); err == nil {
		t.Fatal("truncated token accepted")
	}
	// A character inside the secret, not the last one: the last base64 character carries
	// padding bits, and flipping only those leaves the decoded secret as it was.
	i := len(tok) - 5
	c := "A"
	if tok[i] == 'A' {
		c = "B"
	}
	flipped := tok[:i] + c + tok[i+1:]
	if _, _, h, err := parseScopedToken(prefixAPIKey, flipped); err == nil && equalHash(h, hash) {
		t.Fatal("tampered secret still matches")
	}
	s1, h1 := newSessionToken()
	s2, _ := newSessionToken()
	if s1 == s2 || !strings.HasPrefix(s1, "ses_") || !equalHash(h1, HashToken(s1)) {
		t.Fatal("session tokens")
	}
}
