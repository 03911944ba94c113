package sla

import (
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/notify"
)

// TestDueTimeAsNotify: messages print due times as notify.FormatTime does.
func TestDueTimeAsNotify(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	for _, tz := range []string{"Asia/Shanghai", "Europe/Berlin", "UTC", "", "Nowhere/Land"} {
		if got, want := at.In(location(tz)).Format(dueTimeLayout), notify.FormatTime(at, tz); got != want {
			t.Errorf("%q: %s, notify %s", tz, got, want)
		}
	}
}
