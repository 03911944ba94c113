package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Slot is an appointment window of an outlet with the places left in it.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Free  int       `json:"free"`
}

// Appointment is a booked (or earlier, moved or cancelled) window of an order.
type Appointment struct {
	ID        uuid.UUID `json:"id"`
	OrderID   uuid.UUID `json:"order_id"`
	OutletID  uuid.UUID `json:"outlet_id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Status    string    `json:"status"`
	BookedVia string    `json:"booked_via"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func appointmentFromRow(r db.Appointment) Appointment {
	return Appointment{ID: r.ID, OrderID: r.OrderID, OutletID: r.OutletID, Start: r.StartsAt, End: r.EndsAt, Status: r.Status,
		BookedVia: r.BookedVia, Reason: r.Reason, CreatedAt: r.CreatedAt}
}

// Limits tells when an order must be reached at the latest (its SLA), so a booking past it
// can be warned about. NoLimits knows none.
type Limits interface {
	VisitDue(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (time.Time, bool, error)
}

// NoLimits reports no time limit.
type NoLimits struct{}

// VisitDue reports none.
func (NoLimits) VisitDue(context.Context, *tenants.Tx, uuid.UUID) (time.Time, bool, error) {
	return time.Time{}, false, nil
}

// maxSlotDays bounds how far ahead slots are listed and booked.
const maxSlotDays = 60

// windows cuts the outlet calendar's working hours of [from, from+days) into windows of the
// tenant's slot length, with the places left in each.
func (s *Service) windows(ctx context.Context, tx *tenants.Tx, outletID uuid.UUID, from time.Time, days int) ([]Slot, error) {
	cal, err := tenants.EffectiveCalendar(ctx, tx, outletID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cal.Timezone)
	if err != nil {
		return nil, fmt.Errorf("calendar timezone %q: %w", cal.Timezone, err)
	}
	set, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	y, m, d := from.In(loc).Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, days-1)
	exc, err := tenants.ListCalendarDays(ctx, tx, cal.ID, first, last)
	if err != nil {
		return nil, err
	}
	exceptions := map[string]tenants.CalendarDay{}
	for _, e := range exc {
		exceptions[e.Day] = e
	}
	startLocal := time.Date(y, m, d, 0, 0, 0, 0, loc)
	booked, err := tx.Q.BookedInRange(ctx, tx, db.BookedInRangeParams{TenantID: tx.Scope.TenantID, OutletID: outletID, FromAt: startLocal,
		ToAt: startLocal.AddDate(0, 0, days)})
	if err != nil {
		return nil, fmt.Errorf("booked appointments: %w", err)
	}
	taken := map[int64]int{}
	for _, b := range booked {
		taken[b.StartsAt.Unix()] = int(b.Booked)
	}
	length := time.Duration(set.SlotMinutes) * time.Minute
	var out []Slot
	for i := range days {
		day := first.AddDate(0, 0, i)
		dy, dm, dd := day.Date()
		for _, iv := range cal.HoursOn(day, exceptions) {
			start, end := clockOn(dy, dm, dd, iv.Start, loc), clockOn(dy, dm, dd, iv.End, loc)
			for t := start; !t.Add(length).After(end); t = t.Add(length) {
				if t.Before(from) {
					continue
				}
				out = append(out, Slot{Start: t, End: t.Add(length), Free: max(0, set.SlotCapacity-taken[t.Unix()])})
			}
		}
	}
	return out, nil
}

// clockOn is the instant of "15:04" (or "24:00") on a date in loc.
func clockOn(y int, m time.Month, d int, hhmm string, loc *time.Location) time.Time {
	var h, mm int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &mm)
	return time.Date(y, m, d, h, mm, 0, 0, loc)
}

// Slots lists the open windows of the order's outlet from from for days days.
func (s *Service) Slots(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, from time.Time, days int) ([]Slot, error) {
	o, err := Get(ctx, tx, orderID)
	if err != nil {
		return nil, err
	}
	if o.OutletID == nil {
		return nil, &fault.ConflictError{Detail: "order " + o.Number + " has no outlet yet; dispatch it first"}
	}
	if days < 1 || days > maxSlotDays {
		return nil, fault.Invalid("days", fmt.Sprintf("must be 1 to %d", maxSlotDays))
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return nil, err
	}
	if from.Before(now) {
		from = now
	}
	return s.windows(ctx, tx, *o.OutletID, from, days)
}

// BookingInput books (or moves) an order's appointment to the window starting at Start.
type BookingInput struct {
	Start  time.Time `json:"start" doc:"Start of a window listed by the slots endpoint"`
	Reason string    `json:"reason,omitempty" maxLength:"1000" doc:"Required to reschedule"`
}

// Booking is a booked appointment with any warning about the order's time limit.
type Booking struct {
	Appointment Appointment `json:"appointment"`
	Rescheduled bool        `json:"rescheduled"`
	Warnings    []string    `json:"warnings"`
}

// Book books the window for the order, or moves the current appointment there (a
// reschedule: it needs a reason and is counted). An on-site order that was dispatched is
// then scheduled. A window past the order's time limit is booked with a warning.
func (s *Service) Book(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, version int32, in BookingInput, via string, limits Limits) (Booking, error) {
	r, err := lock(ctx, tx, orderID, version)
	if err != nil {
		return Booking{}, err
	}
	if !IsOpen(r.Status) {
		return Booking{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; appointments are for open orders", r.Number, r.Status)}
	}
	if !r.OutletID.Valid {
		return Booking{}, &fault.ConflictError{Detail: "order " + r.Number + " has no outlet yet; dispatch it first"}
	}
	if err := tx.Q.LockOutletBookings(ctx, tx, r.OutletID.UUID.String()); err != nil {
		return Booking{}, fmt.Errorf("lock bookings: %w", err)
	}
	cur, err := tx.Q.CurrentAppointment(ctx, tx, db.CurrentAppointmentParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	reschedule := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Booking{}, fmt.Errorf("current appointment: %w", err)
	}
	if reschedule && strings.TrimSpace(in.Reason) == "" {
		return Booking{}, fault.Invalid("reason", "give a reason to reschedule")
	}
	if reschedule && cur.StartsAt.Equal(in.Start) {
		return Booking{}, &fault.ConflictError{Detail: "the order is already booked in this window"}
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return Booking{}, err
	}
	if in.Start.Before(now) {
		return Booking{}, fault.Invalid("start", "is in the past")
	}
	slots, err := s.windows(ctx, tx, r.OutletID.UUID, in.Start, 1)
	if err != nil {
		return Booking{}, err
	}
	var slot *Slot
	for i := range slots {
		if slots[i].Start.Equal(in.Start) {
			slot = &slots[i]
		}
	}
	if slot == nil {
		return Booking{}, fault.Invalid("start", "is not the start of an appointment window of the outlet")
	}
	if slot.Free < 1 {
		return Booking{}, &fault.ConflictError{Detail: "the window is full; pick another"}
	}
	if reschedule {
		if err := tx.Q.EndAppointment(ctx, tx, db.EndAppointmentParams{TenantID: tx.Scope.TenantID,
			ID: cur.ID, Status: "moved"}); err != nil {
			return Booking{}, fmt.Errorf("move appointment: %w", err)
		}
	}
	row, err := tx.Q.CreateAppointment(ctx, tx, db.CreateAppointmentParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), OrderID: orderID,
		OutletID: r.OutletID.UUID, StartsAt: slot.Start, EndsAt: slot.End, BookedVia: via, Reason: in.Reason})
	if err != nil {
		return Booking{}, fault.DBError(err, "the order already has an appointment", "")
	}
	b := Booking{Appointment: appointmentFromRow(row), Rescheduled: reschedule, Warnings: []string{}}
	if limits == nil {
		limits = NoLimits{}
	}
	due, ok, err := limits.VisitDue(ctx, tx, orderID)
	if err != nil {
		return Booking{}, err
	}
	if ok && slot.Start.After(due) {
		b.Warnings = append(b.Warnings, fmt.Sprintf("the window starts after the order's time limit (%s): the limit will be breached",
			due.Format(time.RFC3339)))
	}
	data := map[string]any{"start": slot.Start, "end": slot.End, "via": via}
	kind, event := "booked", "appointment.booked"
	if reschedule {
		kind, event = "rescheduled", "appointment.changed"
		data["previous_start"] = cur.StartsAt
	}
	if len(b.Warnings) > 0 {
		data["warnings"] = b.Warnings
	}
	if err := record(ctx, tx, orderID, Entry{Kind: "appointment", To: kind, Reason: in.Reason, Public: true, Data: data}); err != nil {
		return Booking{}, err
	}
	if r, err = tx.Q.BumpOrder(ctx, tx, db.BumpOrderParams{TenantID: tx.Scope.TenantID, ID: orderID, Rescheduled: reschedule}); err != nil {
		return Booking{}, fmt.Errorf("bump order: %w", err)
	}
	if err := s.meet(ctx, tx, orderID, sla.Appointment); err != nil {
		return Booking{}, err
	}
	o := orderFromRow(r)
	if r.Flow == FlowOnSite && r.Status == StatusDispatched {
		if o, err = s.move(ctx, tx, r, StatusScheduled, "appointment booked", nil); err != nil {
			return Booking{}, err
		}
	}
	if err := s.emit(ctx, tx, o, event, map[string]any{"start": slot.Start, "end": slot.End, "reason": in.Reason},
		notice{vars: map[string]string{"appointment_window": windowText(ctx, tx, slot.Start, slot.End)}}); err != nil {
		return Booking{}, err
	}
	return b, tx.Audit(ctx, "appointment."+kind, "service_order", orderID, nil, data)
}

// Appointments lists the order's appointments, the current one last.
func Appointments(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Appointment, error) {
	rows, err := tx.Q.ListAppointments(ctx, tx, db.ListAppointmentsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	out := make([]Appointment, len(rows))
	for i, r := range rows {
		out[i] = appointmentFromRow(r)
	}
	return out, nil
}

// AppointmentStatuses are the states of an appointment (Appointment.Status), in the order the API documents them.
var AppointmentStatuses = []string{"booked", "moved", "cancelled"}

// AppointmentSources are who booked an appointment (Appointment.BookedVia), in the order the API documents them.
var AppointmentSources = []string{"staff", "portal"}
