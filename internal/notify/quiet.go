package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// QuietHours are a tenant's quiet hours for notifications. They run from QuietStart to
// QuietEnd ("22:00" to "08:00" spans midnight) in the tenant's time zone; non-urgent SMS and
// email created in them wait until QuietEnd. Both empty: no quiet hours.
type QuietHours struct {
	QuietStart string `json:"quiet_start" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"22:00"`
	QuietEnd   string `json:"quiet_end" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"08:00"`
	Version    int32  `json:"version" readOnly:"true"`
}

// GetQuietHours returns the tenant's settings (version 1 until first saved).
func GetQuietHours(ctx context.Context, tx *tenants.Tx) (QuietHours, error) {
	r, err := tx.Q.GetNotificationSettings(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		if err := fault.DBError(err, "", ""); errors.Is(err, fault.ErrNotFound) {
			return QuietHours{Version: 1}, nil
		}
		return QuietHours{}, fmt.Errorf("notification settings: %w", err)
	}
	return QuietHours{QuietStart: r.QuietStart, QuietEnd: r.QuietEnd, Version: r.Version}, nil
}

// PutQuietHours saves the settings if version is current (1 for never saved).
func PutQuietHours(ctx context.Context, tx *tenants.Tx, version int32, in QuietHours) (QuietHours, error) {
	if (in.QuietStart == "") != (in.QuietEnd == "") {
		return QuietHours{}, fault.Invalid("quiet_end", "set both quiet_start and quiet_end, or neither")
	}
	if in.QuietStart != "" && in.QuietStart == in.QuietEnd {
		return QuietHours{}, fault.Invalid("quiet_end", "must differ from quiet_start")
	}
	before, err := GetQuietHours(ctx, tx)
	if err != nil {
		return QuietHours{}, err
	}
	if before.Version != version {
		return QuietHours{}, fault.ErrStale
	}
	r, err := tx.Q.UpsertNotificationSettings(ctx, tx, db.UpsertNotificationSettingsParams{TenantID: tx.Scope.TenantID,
		QuietStart: in.QuietStart, QuietEnd: in.QuietEnd, Version: version})
	if err != nil {
		return QuietHours{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := QuietHours{QuietStart: r.QuietStart, QuietEnd: r.QuietEnd, Version: r.Version}
	return after, tx.Audit(ctx, "notification_settings.update", "tenant", tx.Scope.TenantID, before, after)
}

// QuietUntil returns when a non-urgent message created at now may be sent: now outside the
// quiet hours, else the next end of the quiet hours, as wall time in loc (so a DST change
// moves it with the clock). start and end are "HH:MM"; empty means no quiet hours.
func QuietUntil(now time.Time, loc *time.Location, start, end string) time.Time {
	if start == "" || end == "" || start == end {
		return now
	}
	s, err1 := minutes(start)
	e, err2 := minutes(end)
	if err1 != nil || err2 != nil {
		return now
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	y, mo, d := local.Date()
	at := func(dayOffset, minute int) time.Time {
		return time.Date(y, mo, d+dayOffset, minute/60, minute%60, 0, 0, loc)
	}
	if s < e { // same day, e.g. 12:00-14:00
		if m >= s && m < e {
			return at(0, e)
		}
		return now
	}
	// Spans midnight, e.g. 22:00-08:00.
	switch {
	case m >= s:
		return at(1, e)
	case m < e:
		return at(0, e)
	}
	return now
}

func minutes(hhmm string) (int, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}
