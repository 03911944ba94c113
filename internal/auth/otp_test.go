package auth

import "testing"

// TestNormalizeDestination: every spelling of one phone or address is one destination, so
// one code, one consumer and one rate limit.
func TestNormalizeDestination(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, channel, dest string }{
		{"13812345678", "sms", "+8613812345678"},
		{" +8613812345678 ", "sms", "+8613812345678"},
		{"+86 138 1234 5678", "sms", "+8613812345678"},
		{"１３８１２３４５６７８", "sms", "+8613812345678"}, // full-width digits
		{"＋８６１３８１２３４５６７８", "sms", "+8613812345678"},
		{"Li@Example.COM", "email", "li@example.com"},
		{" ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ ", "email", "li@example.com"},
	} {
		ch, dest, err := NormalizeDestination(c.in)
		if err != nil || ch != c.channel || dest != c.dest {
			t.Errorf("NormalizeDestination(%q) = %q %q %v, want %q %q", c.in, ch, dest, err, c.channel, c.dest)
		}
	}
	for _, bad := range []string{"", "12345", "not an address", "Li Lei <li@example.com>"} {
		if _, _, err := NormalizeDestination(bad); err == nil {
			t.Errorf("NormalizeDestination(%q) accepted", bad)
		}
	}
}
