package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FormatTime formats t for a message as wall time in the time zone tz (the tenant's or the
// outlet calendar's): "2026-10-08 12:00". An unknown zone falls back to UTC.
func FormatTime(t time.Time, tz string) string {
	return t.In(location(tz)).Format("2006-01-02 15:04")
}

// FormatWindow formats an appointment window: "2026-10-08 09:00-12:00", or with both dates
// when it spans midnight: "2026-10-08 22:00-2026-10-09 01:00".
func FormatWindow(start, end time.Time, tz string) string {
	loc := location(tz)
	s, e := start.In(loc), end.In(loc)
	if s.Format(time.DateOnly) == e.Format(time.DateOnly) {
		return s.Format("2006-01-02 15:04") + "-" + e.Format("15:04")
	}
	return s.Format("2006-01-02 15:04") + "-" + e.Format("2006-01-02 15:04")
}

func location(tz string) *time.Location {
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		return loc
	}
	return time.UTC
}

// MissingVars lists the catalogue variables of eventType that vars lacks (sorted), so a
// producer can check its payload in its own tests: the shipped templates use all of them.
func MissingVars(eventType string, vars map[string]string) []string {
	info, ok := Lookup(eventType)
	if !ok {
		return nil
	}
	var out []string
	for k := range info.Vars {
		if _, ok := vars[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// FormatMoney formats an amount in minor units for a message: "¥350.00", "$12.50", or the
// ISO code for other currencies ("JPY 1200.00").
func FormatMoney(amount int64, currency string) string {
	currency = strings.ToUpper(currency)
	sym := map[string]string{"CNY": "¥", "USD": "$", "EUR": "€"}[currency]
	if sym == "" {
		sym = currency + " "
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, sym, amount/100, amount%100)
}
