package tenants

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail is the one form of a staff user's email address the product stores, looks
// up and rate-limits sign-ins by: Unicode NFKC (full-width ａｄｍｉｎ＠ is admin@), without
// surrounding spaces, lower case (addresses are matched case-insensitively). Sign-in
// (auth.Login), invitations and onboarding all pass addresses through it, so two spellings
// of one account can neither make two users nor count as two accounts against a limit.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}
