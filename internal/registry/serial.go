package registry

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeSerial is the one form of a serial number (or IMEI) the product stores, looks up
// and rate-limits by: Unicode NFKC (full-width ＫＦＲ１２ is KFR12), with every space and
// invisible formatting character removed (labels print serials in groups, "35 209900
// 176148 1"; a pasted serial brings zero-width spaces). Letter case is kept: serials are
// compared exactly, and a model's serial format may be case-sensitive.
//
// Every path by which a serial enters (registration, imports, order intake, the coverage
// checks, the public check's rate limit) passes it through here, so two spellings of one
// unit can neither make two registrations nor count as two serials against a limit.
func NormalizeSerial(s string) string {
	if plainSerial(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Cc) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}

// plainSerial reports whether s is printable ASCII without spaces: already normal (the
// common case, kept cheap for bulk imports).
func plainSerial(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
