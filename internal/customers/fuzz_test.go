package customers

import (
	"errors"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/fault"
)

// FuzzNormalizePhone: an accepted phone comes out in E.164 (+ and digits), normalising it
// again changes nothing, and it is the library's answer (the fast path for Chinese mobiles
// agrees with it); a refused one is a field error naming phone.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+8613812345678", "138 1234 5678", "+86 138-1234-5678", "010-12345678",
		"+14155552671", "17901234567", "11012345678", "+86179012345678", "１３８１２３４５６７８", "13812345678\x00", "+", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizePhone(s)
		if err != nil {
			var fe *fault.FieldError
			if !errors.As(err, &fe) || fe.Field != "phone" {
				t.Fatalf("NormalizePhone(%q): %v, want a field error naming phone", s, err)
			}
			return
		}
		if s == "" {
			if got != "" {
				t.Fatalf("NormalizePhone(\"\") = %q", got)
			}
			return
		}
		if len(got) < 2 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, got)
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, normalised again %q, %v", s, got, again, err)
		}
		if want, ok := libraryPhone(s); !ok || want != got {
			t.Fatalf("NormalizePhone(%q) = %q; the library says %q, %v", s, got, want, ok)
		}
	})
}
