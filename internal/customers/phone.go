package customers

import (
	"regexp"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"

	"github.com/aftersales/aftersales/internal/fault"
)

// NormalizePhone returns a phone number in E.164 (Chinese numbers may omit +86): the one
// form of a phone the product stores, looks up and rate-limits by. Input is read after
// Unicode NFKC (full-width digits are digits) and without surrounding spaces.
//
// Mainland mobile numbers, bare or after +86, take a fast path (bulk imports check one per
// row, and the library's parse costs some 13 µs): the library's own pattern of Chinese
// mobile numbers, matched against the 11 digits, gives the library's answer. Anything else
// goes through the library.
func NormalizePhone(s string) (string, error) {
	if e164, ok := cnMobile(s); ok {
		return e164, nil
	}
	s = strings.TrimSpace(norm.NFKC.String(s))
	if s == "" {
		return "", nil
	}
	if e164, ok := cnMobile(s); ok {
		return e164, nil
	}
	n, err := phonenumbers.Parse(s, "CN")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", fault.Invalid("phone", "is not a valid phone number")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// cnMobile recognises a valid Chinese mobile number written as 11 digits, with or without
// +86, and returns it in E.164. It answers only where the library would parse the same 11
// digits as the national number: numbers starting 11, 12 or 179 may lose a carrier prefix
// in the library's parse (CN's national prefix for parsing), so they are left to it.
func cnMobile(s string) (string, bool) {
	d := s
	if len(d) == 14 && d[:3] == "+86" {
		d = d[3:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[:3] == "179" {
		return "", false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return "", false
		}
	}
	re := cnMobilePattern()
	if re == nil || !re.MatchString(d) {
		return "", false
	}
	return "+86" + d, true
}

// cnMobilePattern is the library's pattern of Chinese mobile numbers (national number,
// anchored), or nil if its metadata has none.
var cnMobilePattern = sync.OnceValue(func() *regexp.Regexp {
	c, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	for _, m := range c.GetMetadata() {
		if m.GetId() != "CN" {
			continue
		}
		mobile := m.GetMobile()
		if mobile.GetNationalNumberPattern() == "" || len(mobile.GetPossibleLength()) != 1 || mobile.GetPossibleLength()[0] != 11 {
			return nil
		}
		re, err := regexp.Compile("^(?:" + mobile.GetNationalNumberPattern() + ")$")
		if err != nil {
			return nil
		}
		return re
	}
	return nil
})
