package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Clock statuses.
const (
	Running   = "running"
	Paused    = "paused"
	Met       = "met"
	Breached  = "breached"
	Cancelled = "cancelled"
)

// ClockStatuses lists the clock statuses.
var ClockStatuses = []string{Running, Paused, Met, Breached, Cancelled}

// Inserter inserts jobs in the caller's transaction (*river.Client[pgx.Tx] is one): the
// clocks' wakes and their events' dispatch, queued for the commit (tenants.Tx.Job).
type Inserter = events.Inserter

// Clock is one target's clock of an order.
type Clock struct {
	OrderID         uuid.UUID  `json:"order_id"`
	OrderNumber     string     `json:"order_number"`
	Target          string     `json:"target"` // one of Kinds
	Status          string     `json:"status"` // one of ClockStatuses
	Business        bool       `json:"business" doc:"Business time on the outlet's calendar; false: clock time (24x7)"`
	Minutes         int        `json:"minutes"`
	StartedAt       time.Time  `json:"started_at"`
	DueAt           *time.Time `json:"due_at,omitempty" doc:"Absent while paused"`
	WarnAt          *time.Time `json:"warn_at,omitempty"`
	WarnedAt        *time.Time `json:"warned_at,omitempty"`
	MetAt           *time.Time `json:"met_at,omitempty" doc:"Also set when a breached target was reached late"`
	BreachedAt      *time.Time `json:"breached_at,omitempty"`
	StoppedAt       *time.Time `json:"stopped_at,omitempty"`
	Pauses          []Pause    `json:"pauses"`
	EscalationLevel int        `json:"escalation_level"`
	OutletID        *uuid.UUID `json:"outlet_id,omitempty"`
	EngineerID      *uuid.UUID `json:"engineer_id,omitempty"`
	TierCode        string     `json:"tier_code"`
	OrderType       string     `json:"order_type"`
	Version         int32      `json:"version"`

	duration time.Duration
}

// Change is what happened to one clock, for the order's timeline.
type Change struct {
	Target string     `json:"target"`
	From   string     `json:"from"` // "" when the clock started
	To     string     `json:"to"`
	At     time.Time  `json:"at"`
	DueAt  *time.Time `json:"due_at,omitempty"`
	Reason string     `json:"reason,omitempty"`
	Late   bool       `json:"late,omitempty"` // reached after its breach
}

func clockFromRow(r db.SlaClock) (Clock, error) {
	c := Clock{OrderID: r.OrderID, OrderNumber: r.OrderNumber, Target: r.Target, Status: r.Status, Business: r.Business,
		Minutes: int(r.DurationMs / 60000), StartedAt: r.StartedAt, DueAt: r.DueAt, WarnAt: r.WarnAt, WarnedAt: r.WarnedAt,
		MetAt: r.MetAt, BreachedAt: r.BreachedAt, StoppedAt: r.StoppedAt, EscalationLevel: int(r.EscalationLevel),
		TierCode: r.TierCode, OrderType: r.OrderType, Version: r.Version, duration: time.Duration(r.DurationMs) * time.Millisecond}
	if r.OutletID.Valid {
		c.OutletID = &r.OutletID.UUID
	}
	if r.EngineerID.Valid {
		c.EngineerID = &r.EngineerID.UUID
	}
	if err := json.Unmarshal(r.Pauses, &c.Pauses); err != nil {
		return c, fmt.Errorf("clock %s/%s pauses: %w", r.OrderID, r.Target, err)
	}
	if c.Pauses == nil {
		c.Pauses = []Pause{}
	}
	return c, nil
}

// Clocks lists an order's clocks; an order with none (or another tenant's) gives an empty list.
func Clocks(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Clock, error) {
	rows, err := tx.Q.ListSLAClocks(ctx, tx, db.ListSLAClocksParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("list clocks: %w", err)
	}
	out := make([]Clock, 0, len(rows))
	for _, r := range rows {
		c, err := clockFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// StartInput starts an order's clocks.
type StartInput struct {
	OrderID     uuid.UUID
	OrderNumber string    // SO-2026-000123, for messages
	OutletID    uuid.UUID // whose calendar business time follows (uuid.Nil: the tenant's)
	EngineerID  uuid.UUID // optional
	TierCode    string
	OrderType   string
	Targets     []Target // from Targets(tier, express); only these clocks start
	At          time.Time
}

// Start starts a clock per target, due by the outlet's calendar (or 24x7), with its warning
// and breach wakes queued in the same transaction. A target whose clock exists already is
// left as it is, so Start may be repeated (a retried request). It returns the clocks
// started.
func Start(ctx context.Context, tx *tenants.Tx, jobs Inserter, in StartInput) ([]Change, error) {
	p, err := Prepare(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	return p.Start(ctx, tx, jobs, in.OrderNumber)
}

// Prepared clocks have their due and warning times computed (the calendars read) and are
// not stored yet: order intake prepares them before it takes the order's number, which
// holds the tenant's number counter until commit, and starts them after.
type Prepared struct {
	in     StartInput
	clocks []db.InsertSLAClockParams
}

// Prepare computes the clocks Start would start, reading the settings and calendars.
func Prepare(ctx context.Context, tx *tenants.Tx, in StartInput) (Prepared, error) {
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Prepared{}, err
	}
	return prepare(in, settings, newCalendars(ctx, tx, in.OutletID))
}

// Starter starts the clocks of many orders in one transaction (a day's callbacks, say): the
// SLA settings are read once, when it is made, and each outlet's calendar once, by its
// first order, instead of both again for every order. Made for one transaction: it keeps
// what it read for the transaction's life.
type Starter struct {
	settings Settings
	cals     map[uuid.UUID]*calendars
}

// NewStarter reads the tenant's SLA settings for the starts to come in tx.
func NewStarter(ctx context.Context, tx *tenants.Tx) (*Starter, error) {
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &Starter{settings: settings, cals: map[uuid.UUID]*calendars{}}, nil
}

// Start is Start of the package with the settings and calendars read before.
func (s *Starter) Start(ctx context.Context, tx *tenants.Tx, jobs Inserter, in StartInput) ([]Change, error) {
	cals, ok := s.cals[in.OutletID]
	if !ok {
		cals = newCalendars(ctx, tx, in.OutletID)
		s.cals[in.OutletID] = cals
	}
	p, err := prepare(in, s.settings, cals)
	if err != nil {
		return nil, err
	}
	return p.Start(ctx, tx, jobs, in.OrderNumber)
}

func prepare(in StartInput, settings Settings, cals *calendars) (Prepared, error) {
	var clocks []db.InsertSLAClockParams
	// The longest business target first: its window of calendar days covers the others,
	// so the days are read once.
	longest := -1
	for i, t := range in.Targets {
		if t.Business && (longest < 0 || t.Duration > in.Targets[longest].Duration) {
			longest = i
		}
	}
	if longest >= 0 && in.Targets[longest].Duration > 0 {
		if _, _, err := cals.due(in.At, in.Targets[longest].Duration, true, nil, settings.WarnPercent); err != nil {
			return Prepared{}, err
		}
	}
	for _, t := range in.Targets {
		if !slices.Contains(Kinds, t.Kind) || t.Duration <= 0 {
			return Prepared{}, fmt.Errorf("sla: invalid target %q of %s", t.Kind, t.Duration)
		}
		due, warn, err := cals.due(in.At, t.Duration, t.Business, nil, settings.WarnPercent)
		if err != nil {
			return Prepared{}, err
		}
		if due.IsZero() {
			return Prepared{}, fmt.Errorf("sla: target %s cannot be met: the calendar has no working time", t.Kind)
		}
		clocks = append(clocks, db.InsertSLAClockParams{OrderID: in.OrderID, Target: t.Kind, OutletID: nullID(in.OutletID),
			EngineerID: nullID(in.EngineerID), TierCode: in.TierCode, OrderType: in.OrderType, Business: t.Business,
			DurationMs: t.Duration.Milliseconds(), StartedAt: in.At, DueAt: &due, WarnAt: &warn})
	}
	return Prepared{in: in, clocks: clocks}, nil
}

// Start stores the prepared clocks of the order numbered orderNumber (for messages) and
// queues their wakes, in tx.
func (pr Prepared) Start(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderNumber string) ([]Change, error) {
	in := pr.in
	if len(pr.clocks) == 0 {
		return nil, nil
	}
	// One statement for all the clocks; a clock started before returns no row and stays.
	var ins tenants.MultiInsert
	for _, p := range pr.clocks {
		p.TenantID, p.OrderNumber = tx.Scope.TenantID, orderNumber
		if err := tx.Q.InsertSLAClock(ctx, &ins, p); err != nil {
			return nil, err
		}
	}
	started, err := ins.SendQuery(ctx, tx)
	if err != nil {
		return nil, fault.DBError(err, "", "outlet_id")
	}
	// RETURNING * lists the columns in the order of db.SlaClock's fields.
	rows, err := pgx.CollectRows(started, pgx.RowToStructByPos[db.SlaClock])
	if err != nil {
		return nil, fault.DBError(err, "", "outlet_id")
	}
	var changes []Change
	var steps []time.Time
	for _, t := range in.Targets { // in the targets' order, whatever the rows'
		for _, r := range rows {
			if r.Target != t.Kind {
				continue
			}
			c, err := clockFromRow(r)
			if err != nil {
				return nil, err
			}
			steps = append(steps, stepsOf(c)...)
			changes = append(changes, Change{Target: t.Kind, To: Running, At: in.At, DueAt: c.DueAt})
		}
	}
	return changes, queue(ctx, tx, jobs, steps)
}

// Meet records that an order reached a target at at. A clock that was due before at is
// breached first (once; its breach event is emitted here if no wake did it yet) and then
// marked reached late, which stops its escalation. A paused clock's pause ends at at. A met
// clock keeps its due time (a paused one's as if it had resumed at at), so that how early it
// was met stays readable.
func Meet(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, at time.Time) ([]Change, error) {
	return change(ctx, tx, jobs, orderID, at, func(c *Clock, cals *calendars, s Settings) (Change, bool, error) {
		if c.Target != target {
			return Change{}, false, nil
		}
		from := c.Status
		switch c.Status {
		case Running, Paused:
			closePause(c, at)
			if c.DueAt == nil {
				due, _, err := cals.due(c.StartedAt, c.duration, c.Business, c.Pauses, s.WarnPercent)
				if err != nil {
					return Change{}, false, err
				}
				if !due.IsZero() {
					c.DueAt = &due
				}
			}
			c.Status, c.MetAt, c.StoppedAt, c.WarnAt = Met, &at, &at, nil
			return Change{Target: c.Target, From: from, To: Met, At: at, DueAt: c.DueAt}, true, nil
		case Breached:
			if c.MetAt != nil {
				return Change{}, false, nil
			}
			c.MetAt = &at
			return Change{Target: c.Target, From: from, To: Breached, At: at, Late: true, Reason: "reached after the breach"}, true, nil
		}
		return Change{}, false, nil
	})
}

// PauseOrder stops the order's running clocks at at for reason (an order status such as
// waiting_parts); their wakes find nothing to do. Due times return on ResumeOrder.
func PauseOrder(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, reason string, at time.Time) ([]Change, error) {
	return change(ctx, tx, jobs, orderID, at, func(c *Clock, _ *calendars, _ Settings) (Change, bool, error) {
		if c.Status != Running {
			return Change{}, false, nil
		}
		c.Pauses = append(c.Pauses, Pause{From: at, Reason: reason})
		c.Status, c.DueAt, c.WarnAt = Paused, nil, nil
		return Change{Target: c.Target, From: Running, To: Paused, At: at, Reason: reason}, true, nil
	})
}

// ResumeOrder restarts the order's paused clocks at at, with due and warning times recomputed
// from their start without the paused time, and their wakes queued.
func ResumeOrder(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, at time.Time) ([]Change, error) {
	return change(ctx, tx, jobs, orderID, at, func(c *Clock, cals *calendars, s Settings) (Change, bool, error) {
		if c.Status != Paused {
			return Change{}, false, nil
		}
		reason := closePause(c, at)
		due, warn, err := cals.due(c.StartedAt, c.duration, c.Business, c.Pauses, s.WarnPercent)
		if err != nil {
			return Change{}, false, err
		}
		if due.IsZero() {
			return Change{}, false, fmt.Errorf("sla: target %s cannot be met: the calendar has no working time", c.Target)
		}
		c.Status, c.DueAt, c.WarnAt = Running, &due, &warn
		return Change{Target: c.Target, From: Paused, To: Running, At: at, DueAt: &due, Reason: reason}, true, nil
	})
}

// CancelOrder stops all of an order's clocks (the order was cancelled). Breached clocks stay
// breached for the reports but escalate no further.
func CancelOrder(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, at time.Time) ([]Change, error) {
	return change(ctx, tx, jobs, orderID, at, func(c *Clock, _ *calendars, _ Settings) (Change, bool, error) {
		switch c.Status {
		case Running, Paused:
			from := c.Status
			closePause(c, at)
			c.Status, c.StoppedAt, c.DueAt, c.WarnAt = Cancelled, &at, nil, nil
			return Change{Target: c.Target, From: from, To: Cancelled, At: at}, true, nil
		case Breached:
			if c.StoppedAt == nil {
				c.StoppedAt = &at
				return Change{Target: c.Target, From: Breached, To: Breached, At: at, Reason: "order cancelled: escalation stopped"}, true, nil
			}
		}
		return Change{}, false, nil
	})
}

// ApplyStatus pauses the order's clocks when status is one of the tenant's pause statuses
// and resumes them otherwise: orders call it on every status change.
func ApplyStatus(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, status string, at time.Time) ([]Change, error) {
	s, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	if slices.Contains(s.PauseStatuses, status) {
		return PauseOrder(ctx, tx, jobs, orderID, status, at)
	}
	return ResumeOrder(ctx, tx, jobs, orderID, at)
}

// SetEngineer attributes the order's unfinished clocks to an engineer (reports, escalation).
func SetEngineer(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID, engineerID uuid.UUID, at time.Time) error {
	_, err := change(ctx, tx, jobs, orderID, at, func(c *Clock, _ *calendars, _ Settings) (Change, bool, error) {
		if c.Status == Met || c.Status == Cancelled || (c.EngineerID != nil && *c.EngineerID == engineerID) {
			return Change{}, false, nil
		}
		c.EngineerID = &engineerID
		return Change{}, true, nil
	})
	return err
}

// Retarget applies new targets to an order from at (an express plan bought mid-order):
// per unfinished clock the new target wins if it would end earlier than the current one
// (counted from at, so a promise bought later runs from its purchase); targets the order
// had no clock for start at at. Met, breached and cancelled clocks are left as they are.
func Retarget(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, targets []Target, at time.Time) ([]Change, error) {
	byKind := map[string]Target{}
	for _, t := range targets {
		byKind[t.Kind] = t
	}
	var tmpl *Clock
	changes, err := change(ctx, tx, jobs, orderID, at, func(c *Clock, cals *calendars, s Settings) (Change, bool, error) {
		if tmpl == nil {
			cc := *c
			tmpl = &cc
		}
		t, ok := byKind[c.Target]
		if !ok {
			return Change{}, false, nil
		}
		delete(byKind, c.Target)
		if c.Status != Running && c.Status != Paused {
			return Change{}, false, nil
		}
		// Compare both as if running from now.
		cur := c.Pauses
		if c.Status == Paused {
			cur = slices.Clone(c.Pauses)
			cur[len(cur)-1].To = at
		}
		oldDue, _, err := cals.due(c.StartedAt, c.duration, c.Business, cur, s.WarnPercent)
		if err != nil {
			return Change{}, false, err
		}
		newDue, newWarn, err := cals.due(at, t.Duration, t.Business, nil, s.WarnPercent)
		if err != nil {
			return Change{}, false, err
		}
		if newDue.IsZero() || !newDue.Before(oldDue) {
			return Change{}, false, nil
		}
		c.StartedAt, c.duration, c.Business, c.WarnedAt = at, t.Duration, t.Business, nil
		c.Minutes = t.Minutes()
		if c.Status == Paused {
			c.Pauses = []Pause{{From: at, Reason: c.Pauses[len(c.Pauses)-1].Reason}}
			return Change{Target: c.Target, From: Paused, To: Paused, At: at, Reason: "retargeted"}, true, nil
		}
		c.Pauses = []Pause{}
		c.DueAt, c.WarnAt = &newDue, &newWarn
		return Change{Target: c.Target, From: Running, To: Running, At: at, DueAt: &newDue, Reason: "retargeted"}, true, nil
	})
	if err != nil {
		return nil, err
	}
	if tmpl == nil {
		return nil, fault.ErrNotFound
	}
	var rest []Target
	for _, k := range Kinds {
		if t, ok := byKind[k]; ok {
			rest = append(rest, t)
		}
	}
	if len(rest) > 0 {
		in := StartInput{OrderID: orderID, OrderNumber: tmpl.OrderNumber, TierCode: tmpl.TierCode, OrderType: tmpl.OrderType, Targets: rest, At: at}
		if tmpl.OutletID != nil {
			in.OutletID = *tmpl.OutletID
		}
		if tmpl.EngineerID != nil {
			in.EngineerID = *tmpl.EngineerID
		}
		started, err := Start(ctx, tx, jobs, in)
		if err != nil {
			return nil, err
		}
		changes = append(changes, started...)
	}
	return changes, nil
}

// CalendarChanged is the reason of the clock changes Retime makes.
const CalendarChanged = "calendar changed"

// retimeBatch bounds the orders Retime reads at a time.
const retimeBatch = 500

// Retime re-times the running business-time clocks that follow calendar cal (an outlet's
// own: that outlet's clocks; the tenant's: the clocks of outlets without their own) after
// a change of its hours or days, in tx: each due and warning time is computed again from
// the clock's recorded start and pauses on the calendar as it now is, at at. A clock whose
// new due time has passed is breached by its wake at once. Paused clocks get their due
// time when they resume; met, breached and cancelled clocks keep their history. It
// returns the changes by order, for the orders' timelines.
func Retime(ctx context.Context, tx *tenants.Tx, jobs Inserter, cal tenants.Calendar, at time.Time) (map[uuid.UUID][]Change, error) {
	out := map[uuid.UUID][]Change{}
	var after uuid.NullUUID
	for {
		ids, err := tx.Q.OrdersOnCalendar(ctx, tx, db.OrdersOnCalendarParams{TenantID: tx.Scope.TenantID,
			OutletID: ptrID(cal.OutletID), After: after, Lim: retimeBatch})
		if err != nil {
			return nil, fmt.Errorf("clocks on calendar %s: %w", cal.ID, err)
		}
		for _, id := range ids {
			ch, err := change(ctx, tx, jobs, id, at, func(c *Clock, cals *calendars, s Settings) (Change, bool, error) {
				if c.Status != Running || !c.Business || c.DueAt == nil {
					return Change{}, false, nil
				}
				due, warn, err := cals.due(c.StartedAt, c.duration, true, c.Pauses, s.WarnPercent)
				if err != nil || due.IsZero() || due.Equal(*c.DueAt) {
					return Change{}, false, err
				}
				c.DueAt, c.WarnAt = &due, &warn
				return Change{Target: c.Target, From: Running, To: Running, At: at, DueAt: &due, Reason: CalendarChanged}, true, nil
			})
			if err != nil {
				return nil, err
			}
			if len(ch) > 0 {
				out[id] = ch
			}
		}
		if len(ids) < retimeBatch {
			return out, nil
		}
		after = uuid.NullUUID{UUID: ids[len(ids)-1], Valid: true}
	}
}

// Restore returns an order's unfinished clocks to the targets its remaining entitlements give
// after a paid promise ended (an upgrade refunded or disputed): a running or paused clock
// whose target is among targets counts again from starts[target] (the order's intake for the
// tier's targets, a remaining upgrade's payment for its own) with that target; a clock that
// no remaining entitlement gives is cancelled. Met, breached and cancelled clocks stay as they
// are. A restored clock already past its due time breaches at its next wake.
func Restore(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, targets []Target, starts map[string]time.Time,
	at time.Time) ([]Change, error) {
	byKind := map[string]Target{}
	for _, t := range targets {
		byKind[t.Kind] = t
	}
	const why = "paid promise ended"
	return change(ctx, tx, jobs, orderID, at, func(c *Clock, cals *calendars, s Settings) (Change, bool, error) {
		if c.Status != Running && c.Status != Paused {
			return Change{}, false, nil
		}
		from := c.Status
		t, ok := byKind[c.Target]
		if !ok {
			closePause(c, at)
			c.Status, c.StoppedAt, c.DueAt, c.WarnAt = Cancelled, &at, nil, nil
			return Change{Target: c.Target, From: from, To: Cancelled, At: at, Reason: why}, true, nil
		}
		start, ok := starts[c.Target]
		if !ok || start.IsZero() {
			start = c.StartedAt
		}
		if c.duration == t.Duration && c.Business == t.Business && c.StartedAt.Equal(start) {
			return Change{}, false, nil
		}
		c.StartedAt, c.duration, c.Business, c.WarnedAt = start, t.Duration, t.Business, nil
		c.Minutes = t.Minutes()
		if c.Status == Paused {
			c.Pauses = []Pause{{From: at, Reason: c.Pauses[len(c.Pauses)-1].Reason}}
			return Change{Target: c.Target, From: Paused, To: Paused, At: at, Reason: why}, true, nil
		}
		c.Pauses = []Pause{}
		due, warn, err := cals.due(start, t.Duration, t.Business, nil, s.WarnPercent)
		if err != nil {
			return Change{}, false, err
		}
		c.DueAt, c.WarnAt = &due, &warn
		return Change{Target: c.Target, From: Running, To: Running, At: at, DueAt: &due, Reason: why}, true, nil
	})
}

// closePause ends the open pause at at and returns its reason.
func closePause(c *Clock, at time.Time) string {
	if n := len(c.Pauses); n > 0 && c.Pauses[n-1].To.IsZero() {
		c.Pauses[n-1].To = at
		return c.Pauses[n-1].Reason
	}
	return ""
}

// change locks an order's clocks and applies fn to each; a running clock already due at at
// is breached first (so no change can hide a breach). Changed clocks are written with a
// new version and their wakes queued. It returns the changes for the timeline.
func change(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, at time.Time,
	fn func(c *Clock, cals *calendars, s Settings) (Change, bool, error)) ([]Change, error) {
	rows, err := tx.Q.LockSLAClocks(ctx, tx, db.LockSLAClocksParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("lock clocks: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	var cals *calendars
	if rows[0].OutletID.Valid {
		cals = newCalendars(ctx, tx, rows[0].OutletID.UUID)
	} else {
		cals = newCalendars(ctx, tx, uuid.Nil)
	}
	var changes []Change
	var steps []time.Time
	for _, r := range rows {
		if r.Status == Running && r.DueAt != nil && !r.DueAt.After(at) {
			b, ok, esc, err := breach(ctx, tx, jobs, r.OrderID, r.Target, at, false)
			if err != nil {
				return nil, err
			}
			steps = append(steps, esc...)
			if ok {
				r = b
				changes = append(changes, Change{Target: r.Target, From: Running, To: Breached, At: *r.BreachedAt, DueAt: r.DueAt})
			}
		}
		c, err := clockFromRow(r)
		if err != nil {
			return nil, err
		}
		ch, changed, err := fn(&c, cals, settings)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		escalateAt := r.EscalateAt
		if c.MetAt != nil || c.StoppedAt != nil {
			escalateAt = nil
		}
		pauses, _ := json.Marshal(c.Pauses)
		w, err := tx.Q.UpdateSLAClock(ctx, tx, db.UpdateSLAClockParams{Status: c.Status, Business: c.Business,
			DurationMs: c.duration.Milliseconds(), StartedAt: c.StartedAt, DueAt: c.DueAt, WarnAt: c.WarnAt, WarnedAt: c.WarnedAt,
			MetAt: c.MetAt, StoppedAt: c.StoppedAt, Pauses: pauses, EngineerID: ptrID(c.EngineerID), EscalateAt: escalateAt,
			TenantID: tx.Scope.TenantID, OrderID: c.OrderID, Target: c.Target, Version: r.Version})
		if err != nil {
			return nil, fault.DBError(fault.StaleIfMissing(err), "", "")
		}
		nc, err := clockFromRow(w)
		if err != nil {
			return nil, err
		}
		steps = append(steps, stepsOf(nc)...)
		if ch.Target != "" {
			changes = append(changes, ch)
		}
	}
	return changes, queue(ctx, tx, jobs, steps)
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

func ptrID(id *uuid.UUID) uuid.NullUUID {
	if id == nil {
		return uuid.NullUUID{}
	}
	return nullID(*id)
}

// Projected returns when a target of an order falls due: a running clock's due time, a
// paused clock's as if it resumed at now; zero for a clock that stopped (met, breached,
// cancelled) or does not exist. Dispatch uses it to warn when an appointment or its
// reschedule would break a time limit (an appointment after it is late).
func Projected(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, target string, now time.Time) (time.Time, error) {
	r, err := tx.Q.GetSLAClock(ctx, tx, db.GetSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target})
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read clock: %w", err)
	}
	c, err := clockFromRow(r)
	if err != nil {
		return time.Time{}, err
	}
	switch c.Status {
	case Running:
		return *c.DueAt, nil
	case Paused:
		closePause(&c, now)
		s, err := GetSettings(ctx, tx)
		if err != nil {
			return time.Time{}, err
		}
		due, _, err := newCalendars(ctx, tx, ptrID(c.OutletID).UUID).due(c.StartedAt, c.duration, c.Business, c.Pauses, s.WarnPercent)
		return due, err
	}
	return time.Time{}, nil
}

// VisitLimits tells appointment booking when an order must be reached at the latest: the
// projected due time of its arrival clock, else of its appointment clock. It satisfies
// service orders' Limits interface (VisitDue) without either package importing the other.
type VisitLimits struct {
	// Now is the time paused clocks are projected from; the tenant's now (tenants.Tx.Now)
	// when nil.
	Now func() time.Time
}

// VisitDue returns the due time of the order's visit and whether it has one.
func (l VisitLimits) VisitDue(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (_ time.Time, _ bool, err error) {
	var now time.Time
	if l.Now != nil {
		now = l.Now()
	} else if now, err = tx.Now(ctx); err != nil {
		return time.Time{}, false, err
	}
	for _, target := range []string{Arrival, Appointment} {
		due, err := Projected(ctx, tx, orderID, target, now)
		if err != nil || !due.IsZero() {
			return due, err == nil && !due.IsZero(), err
		}
	}
	return time.Time{}, false, nil
}
