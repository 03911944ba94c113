// Package complaints is the contact log and complaints (投诉): every contact that is not an
// order (a consultation, praise, a suggestion, a complaint) by channel, linked to the
// customer, unit, order, outlet and engineer it is about; and complaints as cases of their
// own, with a topic, a severity from the channel by the tenant's rules (raisable by staff
// with a reason), deadlines for the first response, the report and the resolution on the
// tenant's business calendar (paused while waiting for the customer), handlers, a timeline,
// merging and parent cases, and closure on the customer's confirmation or a manager's
// override.
//
// A critical complaint is confidential (保密原则): row-level security shows it, and the
// contacts linked to it, only to its named handlers and to scopes that see every
// confidential case (tenants.Scope.Confidential: tenant admins, the escalation job).
// Whoever makes a complaint critical is among its handlers, so no one loses sight of a case
// they are working. See docs/complaints.md.
package complaints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Kinds of contact.
var Kinds = []string{"consultation", "praise", "suggestion", KindComplaint}

// KindComplaint is the contact kind that opens or continues a complaint.
const KindComplaint = "complaint"

// Channels a contact or a complaint comes through.
var Channels = []string{"phone", "portal", "store", "wechat", "email", "maker", "12315", "carrier", "media", "government"}

// Directions of a contact: from the customer (inbound: a reply that resumes a complaint
// waiting for the customer) or to the customer (outbound: a response).
var Directions = []string{DirectionInbound, DirectionOutbound}

// The directions.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
)

// Topics of a complaint.
var Topics = []string{"quality", "attitude", "cycle_time", "price", "other"}

// Severities, from least to most severe (seed 001: 一般, 严重, 恶性).
const (
	SeverityGeneral  = "general"
	SeveritySerious  = "serious"
	SeverityCritical = "critical"
)

// Severities lists the severities in order.
var Severities = []string{SeverityGeneral, SeveritySerious, SeverityCritical}

// Complaint statuses.
const (
	StatusOpen            = "open"
	StatusWaitingCustomer = "waiting_customer"
	StatusResolved        = "resolved"
	StatusClosed          = "closed"
	StatusReopened        = "reopened"
)

// Statuses lists the complaint statuses.
var Statuses = []string{StatusOpen, StatusWaitingCustomer, StatusResolved, StatusClosed, StatusReopened}

// Deadline names, as in events and escalations.
const (
	DeadlineFirstResponse = "first_response"
	DeadlineReport        = "report"
	DeadlineResolution    = "resolution"
)

// Events of complaints (signed webhooks, notifications).
const (
	EventOpened    = "complaint.opened"
	EventChanged   = "complaint.changed"
	EventEscalated = "complaint.escalated"
	EventClosed    = "complaint.closed"
)

// Step is one entry of a complaint's timeline.
type Step struct {
	At      time.Time  `json:"at"`
	Kind    string     `json:"kind" doc:"opened, responded, waiting, resumed, customer_replied, reported, resolved, closed, reopened, raised, merged, merged_from, parent_set, handlers, escalated"`
	ActorID *uuid.UUID `json:"actor_id,omitempty" doc:"The staff user; absent for the system and API keys"`
	From    string     `json:"from,omitempty"`
	To      string     `json:"to,omitempty"`
	Note    string     `json:"note,omitempty"`
}

// Deadline is one of a complaint's deadlines as it stands.
type Deadline struct {
	Name      string     `json:"name" doc:"first_response, report or resolution"`
	DueAt     *time.Time `json:"due_at,omitempty" doc:"Absent when not asked (no report for general complaints)"`
	MetAt     *time.Time `json:"met_at,omitempty"`
	Overdue   bool       `json:"overdue" doc:"Past due and not met while the clock runs"`
	Escalated bool       `json:"escalated" doc:"Its escalation has fired"`
}

// ContactEntry is one entry of the contact log.
type ContactEntry struct {
	ID             uuid.UUID  `json:"id"`
	Kind           string     `json:"kind"`
	Channel        string     `json:"channel"`
	Direction      string     `json:"direction"`
	Summary        string     `json:"summary"`
	CustomerID     *uuid.UUID `json:"customer_id,omitempty"`
	RegistrationID *uuid.UUID `json:"registration_id,omitempty" doc:"The unit"`
	OrderID        *uuid.UUID `json:"order_id,omitempty"`
	OutletID       *uuid.UUID `json:"outlet_id,omitempty"`
	EngineerID     *uuid.UUID `json:"engineer_id,omitempty"`
	ComplaintID    *uuid.UUID `json:"complaint_id,omitempty"`
	Confidential   bool       `json:"confidential" doc:"Linked to a critical complaint: seen only by its handlers"`
	CreatedBy      *uuid.UUID `json:"created_by,omitempty"`
	OccurredAt     time.Time  `json:"occurred_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Complaint is a complaint as its handlers see it.
type Complaint struct {
	ID             uuid.UUID   `json:"id"`
	Number         string      `json:"number"`
	Topic          string      `json:"topic"`
	Channel        string      `json:"channel"`
	Severity       string      `json:"severity"`
	SeverityReason string      `json:"severity_reason,omitempty" doc:"Why staff raised it above the channel's rule"`
	Status         string      `json:"status"`
	Summary        string      `json:"summary"`
	CustomerID     *uuid.UUID  `json:"customer_id,omitempty"`
	RegistrationID *uuid.UUID  `json:"registration_id,omitempty" doc:"The unit"`
	OrderID        *uuid.UUID  `json:"order_id,omitempty"`
	OutletID       *uuid.UUID  `json:"outlet_id,omitempty"`
	EngineerID     *uuid.UUID  `json:"engineer_id,omitempty"`
	Confidential   bool        `json:"confidential" doc:"Critical: seen only by its handlers and tenant admins"`
	HandlerIDs     []uuid.UUID `json:"handler_ids"`
	MergedInto     *uuid.UUID  `json:"merged_into,omitempty"`
	ParentID       *uuid.UUID  `json:"parent_id,omitempty" doc:"The parent case (a batch problem)"`
	Deadlines      []Deadline  `json:"deadlines"`
	Overdue        bool        `json:"overdue"`
	Paused         bool        `json:"paused" doc:"Waiting for the customer: the deadlines do not count"`
	Pauses         []sla.Pause `json:"pauses"`
	ResolvedAt     *time.Time  `json:"resolved_at,omitempty"`
	ClosedAt       *time.Time  `json:"closed_at,omitempty"`
	CloseKind      string      `json:"close_kind,omitempty" doc:"customer (confirmed), override (a manager, with reason) or merged"`
	CloseReason    string      `json:"close_reason,omitempty"`
	Reopened       int         `json:"reopened"`
	Steps          []Step      `json:"steps"`
	CreatedBy      *uuid.UUID  `json:"created_by,omitempty"`
	Version        int32       `json:"version"`
	OpenedAt       time.Time   `json:"opened_at"`
	UpdatedAt      time.Time   `json:"updated_at"`

	// Contacts, Children and MergedFrom are filled by Get only.
	Contacts   []ContactEntry   `json:"contacts,omitempty" doc:"The contacts linked to it, oldest first (Get only)"`
	Children   []ComplaintBrief `json:"children,omitempty" doc:"Complaints under it as their parent case (Get only)"`
	MergedFrom []ComplaintBrief `json:"merged_from,omitempty" doc:"Complaints merged into it (Get only)"`

	row db.Complaint
}

// ComplaintBrief names a related complaint.
type ComplaintBrief struct {
	ID       uuid.UUID `json:"id"`
	Number   string    `json:"number"`
	Status   string    `json:"status"`
	Severity string    `json:"severity"`
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

func nullID(p *uuid.UUID) uuid.NullUUID {
	if p == nil || *p == uuid.Nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: *p, Valid: true}
}

func contactFromRow(r db.ContactLog) ContactEntry {
	return ContactEntry{ID: r.ID, Kind: r.Kind, Channel: r.Channel, Direction: r.Direction, Summary: r.Summary,
		CustomerID: idPtr(r.CustomerID), RegistrationID: idPtr(r.RegistrationID), OrderID: idPtr(r.OrderID),
		OutletID: idPtr(r.OutletID), EngineerID: idPtr(r.EngineerID), ComplaintID: idPtr(r.ComplaintID),
		Confidential: r.Restricted, CreatedBy: idPtr(r.CreatedBy), OccurredAt: r.OccurredAt, CreatedAt: r.CreatedAt}
}

// open reports whether a complaint's clock runs (open or reopened).
func open(status string) bool { return status == StatusOpen || status == StatusReopened }

func fromRow(r db.Complaint, now time.Time) (Complaint, error) {
	c := Complaint{ID: r.ID, Number: r.Number, Topic: r.Topic, Channel: r.Channel, Severity: r.Severity,
		SeverityReason: r.SeverityReason, Status: r.Status, Summary: r.Summary, CustomerID: idPtr(r.CustomerID),
		RegistrationID: idPtr(r.RegistrationID), OrderID: idPtr(r.OrderID), OutletID: idPtr(r.OutletID),
		EngineerID: idPtr(r.EngineerID), Confidential: r.Restricted, HandlerIDs: r.HandlerIds,
		MergedInto: idPtr(r.MergedInto), ParentID: idPtr(r.ParentID), Paused: r.Status == StatusWaitingCustomer,
		ResolvedAt: r.ResolvedAt, ClosedAt: r.ClosedAt, CloseKind: r.CloseKind, CloseReason: r.CloseReason,
		Reopened: int(r.Reopened), CreatedBy: idPtr(r.CreatedBy), Version: r.Version, OpenedAt: r.OpenedAt,
		UpdatedAt: r.UpdatedAt, row: r}
	if c.HandlerIDs == nil {
		c.HandlerIDs = []uuid.UUID{}
	}
	if err := json.Unmarshal(r.Pauses, &c.Pauses); err != nil {
		return c, fmt.Errorf("complaint %s pauses: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Steps, &c.Steps); err != nil {
		return c, fmt.Errorf("complaint %s steps: %w", r.ID, err)
	}
	if c.Pauses == nil {
		c.Pauses = []sla.Pause{}
	}
	if c.Steps == nil {
		c.Steps = []Step{}
	}
	for _, d := range []struct {
		name     string
		due, met *time.Time
	}{{DeadlineFirstResponse, r.FirstResponseDue, r.FirstRespondedAt}, {DeadlineReport, r.ReportDue, r.ReportedAt},
		{DeadlineResolution, r.ResolutionDue, r.ResolvedAt}} {
		dl := Deadline{Name: d.name, DueAt: d.due, MetAt: d.met, Escalated: slices.Contains(r.Escalations, d.name)}
		dl.Overdue = open(r.Status) && d.due != nil && d.met == nil && !d.due.After(now)
		c.Overdue = c.Overdue || dl.Overdue
		c.Deadlines = append(c.Deadlines, dl)
	}
	return c, nil
}

func brief(r db.Complaint) ComplaintBrief {
	return ComplaintBrief{ID: r.ID, Number: r.Number, Status: r.Status, Severity: r.Severity}
}

// severityRank orders the severities.
func severityRank(s string) int { return slices.Index(Severities, s) }

// Service opens and moves complaints; Jobs queues their events (nil: none).
type Service struct {
	Jobs events.Inserter
}

// actor is the scope's staff user, if any.
func actor(tx *tenants.Tx) *uuid.UUID {
	if tx.Scope.UserID == uuid.Nil {
		return nil
	}
	id := tx.Scope.UserID
	return &id
}

// deadlines computes a complaint's due times on the calendar in force at its outlet: first
// response and report from its opening, resolution from resolutionFrom, none of them
// counting the pauses (waiting for the customer). A pause still open gives no due times
// (nil): the clock stands until it ends.
func deadlines(ctx context.Context, tx *tenants.Tx, d Deadlines, outlet uuid.UUID, opened, resolutionFrom time.Time, pauses []sla.Pause) (first, report, resolution *time.Time, err error) {
	for _, p := range pauses {
		if p.To.IsZero() {
			return nil, nil, nil, nil
		}
	}
	longest := max(d.FirstResponseMinutes, d.ReportMinutes, d.ResolutionMinutes)
	var paused time.Duration
	for _, p := range pauses {
		paused += p.To.Sub(p.From)
	}
	// The window of calendar days: the business minutes as calendar days at 4 working hours
	// a day, plus the pauses and six weeks for holiday seasons; widened once if short.
	span := time.Duration(longest)*time.Minute*6 + paused + 42*24*time.Hour + resolutionFrom.Sub(opened)
	for range 3 {
		cal, err := sla.LoadCalendar(ctx, tx, outlet, opened, opened.Add(span))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("complaint calendar: %w", err)
		}
		due := func(from time.Time, minutes int) *time.Time {
			if minutes <= 0 {
				return nil
			}
			t := sla.Due(from, time.Duration(minutes)*time.Minute, cal, pauses)
			return &t
		}
		first, report, resolution = due(opened, d.FirstResponseMinutes), due(opened, d.ReportMinutes), due(resolutionFrom, d.ResolutionMinutes)
		ok := true
		for _, t := range []*time.Time{first, report, resolution} {
			if t != nil && (t.IsZero() || t.After(cal.Through())) {
				ok = false
			}
		}
		if ok {
			return first, report, resolution, nil
		}
		span *= 4
	}
	return nil, nil, nil, fmt.Errorf("complaint deadlines: no working time on the calendar")
}

func outletOf(c *uuid.UUID) uuid.UUID {
	if c == nil {
		return uuid.Nil
	}
	return *c
}

// checkMembers checks that the users are members of the tenant (as far as the scope sees).
func checkMembers(ctx context.Context, tx *tenants.Tx, ids []uuid.UUID, field string) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := tx.Q.CountTenantMembers(ctx, tx, db.CountTenantMembersParams{TenantID: tx.Scope.TenantID, UserIds: ids})
	if err != nil {
		return fmt.Errorf("complaint handlers: %w", err)
	}
	if int(n) != len(ids) {
		return fault.Invalid(field, "every handler must be a member of the tenant")
	}
	return nil
}

// dedupe returns ids without repeats, in their order.
func dedupe(ids []uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if id != uuid.Nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// number is a complaint's number: CP-, the day, and the id's last 8 hex digits (random in a
// UUIDv7; the first ones are the time and repeat within a minute).
func number(id uuid.UUID, at time.Time) string {
	return "CP-" + at.UTC().Format("20060102") + "-" + strings.ToUpper(strings.ReplaceAll(id.String(), "-", "")[24:])
}

// dbErr maps a database error of a complaint or contact write to a domain error: a link to
// a row that does not exist (or that the scope does not see) is a field error on that link.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		for _, f := range []string{"customer_id", "registration_id", "order_id", "outlet_id", "complaint_id", "merged_into", "parent_id"} {
			if strings.Contains(pgErr.ConstraintName, f) {
				return fault.Invalid("body."+f, "does not exist")
			}
		}
	}
	return fault.DBError(err, "", "body")
}
