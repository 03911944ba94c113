package customers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libraryPhone is NormalizePhone without the fast path: the library's answer.
func libraryPhone(s string) (string, bool) {
	n, err := phonenumbers.Parse(s, "CN")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// TestNormalizePhoneFastPathAgreesWithLibrary checks the fast path against the library on
// every 5-digit prefix of 11-digit numbers starting with 1 (random endings), bare and
// after +86.
func TestNormalizePhoneFastPathAgreesWithLibrary(t *testing.T) {
	t.Parallel()
	if cnMobilePattern() == nil {
		t.Fatal("no pattern of Chinese mobile numbers in the library's metadata")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for prefix := 10000; prefix < 20000; prefix++ {
		for range 3 {
			d := fmt.Sprintf("%d%06d", prefix, rng.IntN(1_000_000))
			for _, s := range []string{d, "+86" + d} {
				want, wantOK := libraryPhone(s)
				got, err := NormalizePhone(s)
				if got != want || (err == nil) != wantOK {
					t.Fatalf("NormalizePhone(%q) = %q, %v; the library says %q, %v", s, got, err, want, wantOK)
				}
				if _, ok := cnMobile(s); ok {
					fast++
				}
			}
		}
	}
	if fast < 10000 {
		t.Fatalf("only %d numbers took the fast path", fast)
	}
}

func TestNormalizePhoneOtherForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"13812345678": "+8613812345678", "+8613812345678": "+8613812345678", "138 1234 5678": "+8613812345678",
		"+86 138-1234-5678": "+8613812345678", "8613812345678": "+8613812345678", "010-12345678": "+861012345678",
		"+14155552671": "+14155552671", "17401234567": "+8617401234567", "": "",
	} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"12345", "1381234567", "138123456789", "+8612345678901", "phone", "12012345678"} {
		if got, err := NormalizePhone(in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
		}
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := NormalizePhone(fmt.Sprintf("137%08d", i%100_000_000)); err != nil {
			b.Fatal(err)
		}
	}
}
