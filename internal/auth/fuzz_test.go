package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/fault"
)

// FuzzNormalizeDestination: a consumer's sign-in destination normalises idempotently to a
// phone in E.164 or a lower-case email; a phone comes out as the customer records store it
// (customers.NormalizePhone), or the consumer who signs in with it would not be linked to
// their records; a refused one is a field error naming destination.
func FuzzNormalizeDestination(f *testing.F) {
	for _, s := range []string{"13812345678", " +86 138-1234-5678 ", "Li.Lei@Example.COM", "a@b", "<a@b.c>", "Li Lei <li@b.c>",
		"+14155552671", "17901234567", "１３８１２３４５６７８", "@", "a@b@c", "\x00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		channel, dest, err := NormalizeDestination(s)
		if err != nil {
			var fe *fault.FieldError
			if !errors.As(err, &fe) || fe.Field != "destination" {
				t.Fatalf("NormalizeDestination(%q): %v, want a field error naming destination", s, err)
			}
			return
		}
		c2, d2, err := NormalizeDestination(dest)
		if err != nil || c2 != channel || d2 != dest {
			t.Fatalf("NormalizeDestination(%q) = %s %q, again %s %q, %v", s, channel, dest, c2, d2, err)
		}
		switch channel {
		case "email":
			if dest != strings.ToLower(dest) || !strings.Contains(dest, "@") {
				t.Fatalf("NormalizeDestination(%q) = email %q", s, dest)
			}
		case "sms":
			if p, err := customers.NormalizePhone(dest); err != nil || p != dest {
				t.Fatalf("NormalizeDestination(%q) = %q, but a customer's phone %q is %q, %v", s, dest, dest, p, err)
			}
		default:
			t.Fatalf("NormalizeDestination(%q): channel %q", s, channel)
		}
	})
}
