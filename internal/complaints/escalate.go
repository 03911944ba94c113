package complaints

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Escalation of missed deadlines. A complaint's deadline (first response, report,
// resolution) that passes unmet while the complaint is open escalates it one level further
// along its severity's chain (ComplaintRules.Escalation): a step "escalated" on its timeline,
// the event complaint.escalated (a notification to the level's role and person, urgent) and
// the deadline recorded in escalations, so that it fires once. The SLA wakes run it
// (sla.Timers.Also, Waker): a wake is queued at each due time, the sweep catches the rest
// every minute, and a sandbox tenant's clock advance stops at each due time.
//
// Never while the complaint waits for the customer: its status is not open, and its due
// times move by the pause when the wait ends (a customer's reply through any channel ends
// it). Only in the hours of the calendar in force at its outlet: a wake that finds a
// deadline passed outside them (after an outage, or a deadline at closing time found late)
// leaves it to the first wake in hours.

// escalateBatch bounds the complaints one transaction escalates.
const escalateBatch = 100

// Waker is the complaints' escalation as the SLA wakes run it (sla.Timers.Also).
func Waker(d *tenants.DB) sla.Waker {
	return func(ctx context.Context, jobs sla.Inserter, tenant uuid.UUID, now time.Time) (int, error) {
		return (&Service{Jobs: jobs}).Escalate(ctx, d, tenant, now)
	}
}

// Escalate fires the escalations of the tenant's complaints due at now, in the system's
// scope (which sees confidential complaints), and returns the number of events emitted.
// It is idempotent: a deadline escalates once, and complaints another transaction holds
// are left to the next wake.
func (s *Service) Escalate(ctx context.Context, d *tenants.DB, tenant uuid.UUID, now time.Time) (int, error) {
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor, Confidential: true}
	n := 0
	for {
		got, fired := 0, 0
		err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
			rows, err := tx.Q.DueComplaintEscalations(ctx, tx, db.DueComplaintEscalationsParams{TenantID: tenant, Now: now, Lim: escalateBatch})
			if err != nil {
				return fmt.Errorf("due complaint escalations: %w", err)
			}
			got = len(rows)
			if got == 0 {
				return nil
			}
			rules, _, err := GetRules(ctx, tx)
			if err != nil {
				return err
			}
			for _, r := range rows {
				c, err := fromRow(r, now)
				if err != nil {
					return err
				}
				k, err := s.escalate(ctx, tx, rules, c, now)
				if err != nil {
					return fmt.Errorf("escalate complaint %s: %w", c.ID, err)
				}
				fired += k
			}
			return nil
		})
		n += fired
		if err != nil {
			return n, err
		}
		if got < escalateBatch || fired == 0 {
			return n, nil
		}
	}
}

// inHours reports whether now is in the working hours of the calendar (the minute before or
// after it counts: a deadline that falls at closing time escalates then).
func inHours(cal sla.Calendar, now time.Time) bool {
	return sla.Elapsed(now.Add(-time.Minute), now.Add(time.Minute), cal, nil) > 0
}

// escalate fires the escalations of one locked complaint whose deadlines passed, in order.
func (s *Service) escalate(ctx context.Context, tx *tenants.Tx, rules ComplaintRules, c Complaint, now time.Time) (int, error) {
	cal, err := sla.LoadCalendar(ctx, tx, outletOf(c.OutletID), now.Add(-48*time.Hour), now.Add(48*time.Hour))
	if err != nil {
		return 0, fmt.Errorf("complaint calendar: %w", err)
	}
	if !inHours(cal, now) {
		return 0, nil
	}
	n := 0
	for _, dl := range c.Deadlines {
		if !dl.Overdue || dl.Escalated {
			continue
		}
		chain := rules.chain(c.Severity)
		if len(chain) == 0 {
			continue
		}
		level := len(c.row.Escalations) + 1
		lvl := chain[min(level, len(chain))-1]
		st := Step{Kind: "escalated", From: dl.Name, To: lvl.Role, Note: "level " + strconv.Itoa(level)}
		next, err := s.apply(ctx, tx, c, 0, now, st, func(r *db.Complaint) error {
			r.Escalations = append(slices.Clone(r.Escalations), dl.Name)
			if lvl.UserID != nil && !slices.Contains(r.HandlerIds, *lvl.UserID) {
				r.HandlerIds = append(slices.Clone(r.HandlerIds), *lvl.UserID)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		c = next
		outlet := outletOf(c.OutletID)
		recipients := []notify.Recipient{notify.Role(lvl.Role, uuid.Nil)}
		if lvl.Role == "outlet_manager" && outlet != uuid.Nil {
			recipients = []notify.Recipient{notify.Role(lvl.Role, outlet)}
		}
		if lvl.UserID != nil {
			recipients = append(recipients, notify.User(*lvl.UserID))
		}
		var due time.Time
		if dl.DueAt != nil {
			due = *dl.DueAt
		}
		if err := s.emit(ctx, tx, EventEscalated, c, map[string]any{
			"deadline": dl.Name, "due_at": due, "level": level, "role": lvl.Role, "user_id": lvl.UserID,
			"recipients": recipients, "urgent": true,
			"vars": map[string]string{"complaint_number": c.Number, "deadline": dl.Name, "level": strconv.Itoa(level),
				"role": lvl.Role, "due_time": due.In(cal.Location()).Format("2006-01-02 15:04")},
		}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// queueWakes queues the SLA wakes at the due times of a complaint's deadlines still to be
// met and escalated, so that each escalates at its time (none without Jobs).
func (s *Service) queueWakes(ctx context.Context, tx *tenants.Tx, c Complaint) error {
	if s.Jobs == nil || !open(c.Status) {
		return nil
	}
	var at []time.Time
	for _, d := range c.Deadlines {
		if d.DueAt != nil && d.MetAt == nil && !d.Escalated {
			at = append(at, *d.DueAt)
		}
	}
	return sla.QueueWakes(ctx, tx, s.Jobs, at)
}
