package complaints

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
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// ComplaintLinks are what a contact or complaint is about; each is optional.
type ComplaintLinks struct {
	CustomerID     *uuid.UUID `json:"customer_id,omitempty" format:"uuid"`
	RegistrationID *uuid.UUID `json:"registration_id,omitempty" format:"uuid" doc:"The unit (its registration)"`
	OrderID        *uuid.UUID `json:"order_id,omitempty" format:"uuid"`
	OutletID       *uuid.UUID `json:"outlet_id,omitempty" format:"uuid"`
	EngineerID     *uuid.UUID `json:"engineer_id,omitempty" format:"uuid" doc:"The engineer (a staff user) it is about"`
}

// NewContact is a contact to log. A complaint contact either continues a complaint
// (complaint_id) or opens one (topic given, no complaint_id).
type NewContact struct {
	Kind        string     `json:"kind" enum:"consultation,praise,suggestion,complaint"`
	Channel     string     `json:"channel" enum:"phone,portal,store,wechat,email,maker,12315,carrier,media,government"`
	Direction   string     `json:"direction,omitempty" enum:"inbound,outbound" doc:"inbound (from the customer, the default) or outbound"`
	Summary     string     `json:"summary" minLength:"1" maxLength:"4000"`
	OccurredAt  *time.Time `json:"occurred_at,omitempty" doc:"When it happened; default now"`
	ComplaintID *uuid.UUID `json:"complaint_id,omitempty" format:"uuid" doc:"The complaint it continues (kind complaint)"`
	Topic       string     `json:"topic,omitempty" enum:"quality,attitude,cycle_time,price,other" doc:"Opens a complaint with this topic (kind complaint, no complaint_id)"`
	ComplaintLinks
}

// NewComplaint opens a complaint; its first contact is logged with it.
type NewComplaint struct {
	Topic      string      `json:"topic" enum:"quality,attitude,cycle_time,price,other"`
	Channel    string      `json:"channel" enum:"phone,portal,store,wechat,email,maker,12315,carrier,media,government"`
	Summary    string      `json:"summary" minLength:"1" maxLength:"4000"`
	Severity   string      `json:"severity,omitempty" enum:"general,serious,critical" doc:"Raise above the channel's rule (never below); needs severity_reason"`
	Reason     string      `json:"severity_reason,omitempty" maxLength:"1000"`
	HandlerIDs []uuid.UUID `json:"handler_ids,omitempty" maxItems:"20" doc:"Named handlers; whoever opens a critical complaint is one"`
	OpenedAt   *time.Time  `json:"opened_at,omitempty" doc:"When the customer complained; default now"`
	ComplaintLinks
}

// Open opens a complaint with its first (inbound) contact.
func (s *Service) Open(ctx context.Context, tx *tenants.Tx, in NewComplaint) (Complaint, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return Complaint{}, err
	}
	at := now
	if in.OpenedAt != nil {
		if in.OpenedAt.After(now) {
			return Complaint{}, fault.Invalid("body.opened_at", "must not be in the future")
		}
		at = *in.OpenedAt
	}
	rules, _, err := GetRules(ctx, tx)
	if err != nil {
		return Complaint{}, err
	}
	severity := rules.Severity[in.Channel]
	if in.Severity != "" && in.Severity != severity {
		if severityRank(in.Severity) < severityRank(severity) {
			return Complaint{}, fault.Invalid("body.severity", "a complaint through "+in.Channel+" is at least "+severity)
		}
		if in.Reason == "" {
			return Complaint{}, fault.Invalid("body.severity_reason", "raising the severity needs a reason")
		}
		severity = in.Severity
	}
	reason := ""
	if severity != rules.Severity[in.Channel] {
		reason = in.Reason
	}
	handlers := dedupe(in.HandlerIDs)
	if err := checkMembers(ctx, tx, handlers, "body.handler_ids"); err != nil {
		return Complaint{}, err
	}
	if a := actor(tx); severity == SeverityCritical && a != nil && !slices.Contains(handlers, *a) {
		handlers = append(handlers, *a)
	}
	first, report, resolution, err := deadlines(ctx, tx, rules.Deadlines[severity], outletOf(in.OutletID), at, at, nil)
	if err != nil {
		return Complaint{}, err
	}
	id := platform.NewID()
	steps, _ := json.Marshal([]Step{{At: now, Kind: "opened", ActorID: actor(tx), To: severity, Note: reason}})
	r, err := tx.Q.InsertComplaint(ctx, tx, db.InsertComplaintParams{TenantID: tx.Scope.TenantID, ID: id, Number: number(id, at),
		Topic: in.Topic, Channel: in.Channel, Severity: severity, SeverityReason: reason, Summary: in.Summary,
		CustomerID: nullID(in.CustomerID), RegistrationID: nullID(in.RegistrationID), OrderID: nullID(in.OrderID),
		OutletID: nullID(in.OutletID), EngineerID: nullID(in.EngineerID), Restricted: severity == SeverityCritical,
		HandlerIds: handlers, FirstResponseDue: first, ReportDue: report, ResolutionDue: resolution, Steps: steps,
		CreatedBy: nullID(actor(tx)), OpenedAt: at})
	if err != nil {
		return Complaint{}, dbErr(err)
	}
	if _, err := tx.Q.InsertContact(ctx, tx, db.InsertContactParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Kind: KindComplaint, Channel: in.Channel, Direction: DirectionInbound, Summary: in.Summary,
		CustomerID: nullID(in.CustomerID), RegistrationID: nullID(in.RegistrationID), OrderID: nullID(in.OrderID),
		OutletID: nullID(in.OutletID), EngineerID: nullID(in.EngineerID), ComplaintID: uuid.NullUUID{UUID: id, Valid: true},
		Restricted: r.Restricted, HandlerIds: handlers, CreatedBy: nullID(actor(tx)), OccurredAt: at, CreatedAt: now}); err != nil {
		return Complaint{}, dbErr(err)
	}
	c, err := fromRow(r, now)
	if err != nil {
		return Complaint{}, err
	}
	if err := s.queueWakes(ctx, tx, c); err != nil {
		return Complaint{}, err
	}
	return c, s.emit(ctx, tx, EventOpened, c, map[string]any{})
}

// emit queues a complaint event (none without Jobs). A confidential complaint's event says
// no more than its number, severity and status: the payload travels to webhooks and
// notifications outside the row's protection.
func (s *Service) emit(ctx context.Context, tx *tenants.Tx, event string, c Complaint, extra map[string]any) error {
	if s.Jobs == nil {
		return nil
	}
	data := map[string]any{"complaint_id": c.ID, "complaint_number": c.Number, "severity": c.Severity, "status": c.Status,
		"channel": c.Channel, "topic": c.Topic, "confidential": c.Confidential, "handler_ids": c.HandlerIDs}
	for k, v := range extra {
		data[k] = v
	}
	_, err := events.Emit(ctx, tx, s.Jobs, event, "complaint", c.ID, outletOf(c.OutletID), data)
	return err
}

// LogContact logs a contact. A complaint contact with complaint_id joins that complaint's
// timeline: inbound, the customer's reply, which resumes the clock of a complaint waiting for
// the customer; outbound, a response, which meets the first-response deadline. A complaint
// contact with a topic and no complaint_id opens a complaint.
func (s *Service) LogContact(ctx context.Context, tx *tenants.Tx, in NewContact) (ContactEntry, error) {
	if in.Direction == "" {
		in.Direction = DirectionInbound
	}
	if in.Kind != KindComplaint && (in.ComplaintID != nil || in.Topic != "") {
		return ContactEntry{}, fault.Invalid("body.kind", "only a complaint contact names a complaint or a topic")
	}
	if in.Kind == KindComplaint && in.ComplaintID == nil {
		if in.Topic == "" {
			return ContactEntry{}, fault.Invalid("body.topic", "a complaint contact continues a complaint (complaint_id) or opens one (topic)")
		}
		c, err := s.Open(ctx, tx, NewComplaint{Topic: in.Topic, Channel: in.Channel, Summary: in.Summary, OpenedAt: in.OccurredAt, ComplaintLinks: in.ComplaintLinks})
		if err != nil {
			return ContactEntry{}, err
		}
		rows, err := tx.Q.ListComplaintContacts(ctx, tx, db.ListComplaintContactsParams{TenantID: tx.Scope.TenantID, ComplaintID: uuid.NullUUID{UUID: c.ID, Valid: true}})
		if err != nil || len(rows) == 0 {
			return ContactEntry{}, fmt.Errorf("complaint %s contact: %w", c.ID, err)
		}
		return contactFromRow(rows[0]), nil
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return ContactEntry{}, err
	}
	at := now
	if in.OccurredAt != nil {
		if in.OccurredAt.After(now) {
			return ContactEntry{}, fault.Invalid("body.occurred_at", "must not be in the future")
		}
		at = *in.OccurredAt
	}
	restricted, handlers := false, []uuid.UUID{}
	var c *Complaint
	if in.ComplaintID != nil {
		got, err := s.lock(ctx, tx, *in.ComplaintID, "body.complaint_id")
		if err != nil {
			return ContactEntry{}, err
		}
		c = &got
		restricted, handlers = got.Confidential, got.HandlerIDs
		// The complaint's links fill those not given.
		for _, l := range []struct{ given, of **uuid.UUID }{{&in.CustomerID, &got.CustomerID}, {&in.RegistrationID, &got.RegistrationID},
			{&in.OrderID, &got.OrderID}, {&in.OutletID, &got.OutletID}, {&in.EngineerID, &got.EngineerID}} {
			if *l.given == nil {
				*l.given = *l.of
			}
		}
	}
	r, err := tx.Q.InsertContact(ctx, tx, db.InsertContactParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Kind: in.Kind, Channel: in.Channel, Direction: in.Direction, Summary: in.Summary, CustomerID: nullID(in.CustomerID),
		RegistrationID: nullID(in.RegistrationID), OrderID: nullID(in.OrderID), OutletID: nullID(in.OutletID),
		EngineerID: nullID(in.EngineerID), ComplaintID: nullID(in.ComplaintID), Restricted: restricted, HandlerIds: handlers,
		CreatedBy: nullID(actor(tx)), OccurredAt: at, CreatedAt: now})
	if err != nil {
		return ContactEntry{}, dbErr(err)
	}
	if c != nil {
		if _, err := s.contactStep(ctx, tx, *c, in.Direction, in.Channel, now); err != nil {
			return ContactEntry{}, err
		}
	}
	return contactFromRow(r), nil
}

// contactStep applies a contact to its complaint: an inbound one resumes a complaint waiting
// for the customer; an outbound one is a response.
func (s *Service) contactStep(ctx context.Context, tx *tenants.Tx, c Complaint, direction, channel string, now time.Time) (Complaint, error) {
	if c.Status == StatusClosed || c.Status == StatusResolved {
		return c.addStep(ctx, tx, s, Step{At: now, Kind: "contact", ActorID: actor(tx), Note: direction + " " + channel}, c.Version)
	}
	if direction == DirectionInbound {
		if c.Status == StatusWaitingCustomer {
			return s.apply(ctx, tx, c, c.Version, now, Step{Kind: "customer_replied", Note: channel}, func(r *db.Complaint) error {
				return resume(r, now)
			})
		}
		return c.addStep(ctx, tx, s, Step{At: now, Kind: "customer_replied", ActorID: actor(tx), Note: channel}, c.Version)
	}
	return s.apply(ctx, tx, c, c.Version, now, Step{Kind: "responded", Note: channel}, func(r *db.Complaint) error {
		if r.FirstRespondedAt == nil {
			r.FirstRespondedAt = &now
		}
		return nil
	})
}

// addStep records a step without changing the complaint's state.
func (c Complaint) addStep(ctx context.Context, tx *tenants.Tx, s *Service, st Step, version int32) (Complaint, error) {
	return s.apply(ctx, tx, c, version, st.At, st, func(*db.Complaint) error { return nil })
}

// lock reads a complaint for update; one the scope does not see is ErrNotFound (field: a
// field error on it instead).
func (s *Service) lock(ctx context.Context, tx *tenants.Tx, id uuid.UUID, field string) (Complaint, error) {
	r, err := tx.Q.GetComplaintForUpdate(ctx, tx, db.GetComplaintForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		if field != "" {
			return Complaint{}, fault.Invalid(field, "no such complaint")
		}
		return Complaint{}, fault.ErrNotFound
	}
	if err != nil {
		return Complaint{}, fmt.Errorf("complaint %s: %w", id, err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Complaint{}, err
	}
	return fromRow(r, now)
}

// Get reads a complaint with its contacts, children and the complaints merged into it.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Complaint, error) {
	r, err := tx.Q.GetComplaint(ctx, tx, db.GetComplaintParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Complaint{}, fault.DBError(err, "", "")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Complaint{}, err
	}
	c, err := fromRow(r, now)
	if err != nil {
		return Complaint{}, err
	}
	contacts, err := tx.Q.ListComplaintContacts(ctx, tx, db.ListComplaintContactsParams{TenantID: tx.Scope.TenantID, ComplaintID: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return Complaint{}, fmt.Errorf("complaint contacts: %w", err)
	}
	c.Contacts = make([]ContactEntry, 0, len(contacts))
	for _, k := range contacts {
		c.Contacts = append(c.Contacts, contactFromRow(k))
	}
	children, err := tx.Q.ListChildComplaints(ctx, tx, db.ListChildComplaintsParams{TenantID: tx.Scope.TenantID, ParentID: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return Complaint{}, fmt.Errorf("complaint children: %w", err)
	}
	for _, k := range children {
		c.Children = append(c.Children, brief(k))
	}
	merged, err := tx.Q.ListMergedComplaints(ctx, tx, db.ListMergedComplaintsParams{TenantID: tx.Scope.TenantID, MergedInto: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return Complaint{}, fmt.Errorf("merged complaints: %w", err)
	}
	for _, k := range merged {
		c.MergedFrom = append(c.MergedFrom, brief(k))
	}
	return c, nil
}

// Filter narrows the list of complaints.
type Filter struct {
	Status, Severity, Topic string
	OutletID, ParentID      uuid.UUID
	Overdue                 bool
	After                   uuid.UUID
	Limit                   int
}

func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// List lists the complaints the scope sees, newest first.
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]Complaint, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListComplaints(ctx, tx, db.ListComplaintsParams{TenantID: tx.Scope.TenantID, After: nullID(&f.After),
		Status: optText(f.Status), Severity: optText(f.Severity), Topic: optText(f.Topic), OutletID: nullID(&f.OutletID),
		ParentID: nullID(&f.ParentID), Overdue: f.Overdue, Now: now, Lim: int32(f.Limit)})
	if err != nil {
		return nil, fmt.Errorf("list complaints: %w", err)
	}
	out := make([]Complaint, 0, len(rows))
	for _, r := range rows {
		c, err := fromRow(r, now)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ContactFilter narrows the contact log.
type ContactFilter struct {
	Kind, Channel         string
	CustomerID, Complaint uuid.UUID
	After                 uuid.UUID
	Limit                 int
}

// Contacts lists the contact log the scope sees, newest first.
func Contacts(ctx context.Context, tx *tenants.Tx, f ContactFilter) ([]ContactEntry, error) {
	tx.PlanForValues()
	rows, err := tx.Q.ListContacts(ctx, tx, db.ListContactsParams{TenantID: tx.Scope.TenantID, After: nullID(&f.After),
		Kind: optText(f.Kind), Channel: optText(f.Channel), CustomerID: nullID(&f.CustomerID), ComplaintID: nullID(&f.Complaint),
		Lim: int32(f.Limit)})
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out := make([]ContactEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, contactFromRow(r))
	}
	return out, nil
}

// GetContact reads one contact.
func GetContact(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (ContactEntry, error) {
	r, err := tx.Q.GetContact(ctx, tx, db.GetContactParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return ContactEntry{}, fault.DBError(err, "", "")
	}
	return contactFromRow(r), nil
}

// apply changes a locked complaint with change, checks its version (0: any), records the
// step, recomputes the deadlines and writes it; the contacts follow its confidentiality.
func (s *Service) apply(ctx context.Context, tx *tenants.Tx, c Complaint, version int32, now time.Time, st Step, change func(r *db.Complaint) error) (Complaint, error) {
	if version != 0 && version != c.Version {
		return Complaint{}, fault.ErrStale
	}
	r := c.row
	before := r
	if err := change(&r); err != nil {
		return Complaint{}, err
	}
	st.At = now
	if st.ActorID == nil {
		st.ActorID = actor(tx)
	}
	steps := append(slices.Clone(c.Steps), st)
	stepsJSON, err := json.Marshal(steps)
	if err != nil {
		return Complaint{}, err
	}
	r.Restricted = r.Severity == SeverityCritical
	var pauses []sla.Pause
	if err := json.Unmarshal(r.Pauses, &pauses); err != nil {
		return Complaint{}, err
	}
	if r.Severity != before.Severity || r.ResolutionFrom != before.ResolutionFrom || string(r.Pauses) != string(before.Pauses) {
		rules, _, err := GetRules(ctx, tx)
		if err != nil {
			return Complaint{}, err
		}
		first, report, resolution, err := deadlines(ctx, tx, rules.Deadlines[r.Severity], outletOf(idPtr(r.OutletID)), r.OpenedAt, r.ResolutionFrom, pauses)
		if err != nil {
			return Complaint{}, err
		}
		if first != nil || resolution != nil { // paused: the due times stand until the clock resumes
			r.FirstResponseDue, r.ReportDue, r.ResolutionDue = first, report, resolution
		}
	}
	if r.HandlerIds == nil {
		r.HandlerIds = []uuid.UUID{}
	}
	if r.Escalations == nil {
		r.Escalations = []string{}
	}
	out, err := tx.Q.UpdateComplaint(ctx, tx, db.UpdateComplaintParams{TenantID: tx.Scope.TenantID, ID: r.ID, Version: c.Version,
		Topic: r.Topic, Severity: r.Severity, SeverityReason: r.SeverityReason, Status: r.Status, Restricted: r.Restricted,
		HandlerIds: r.HandlerIds, MergedInto: r.MergedInto, ParentID: r.ParentID, Pauses: r.Pauses,
		FirstResponseDue: r.FirstResponseDue, ReportDue: r.ReportDue, ResolutionDue: r.ResolutionDue,
		FirstRespondedAt: r.FirstRespondedAt, ReportedAt: r.ReportedAt, ResolvedAt: r.ResolvedAt, ClosedAt: r.ClosedAt,
		CloseKind: r.CloseKind, CloseReason: r.CloseReason, ResolutionFrom: r.ResolutionFrom, Escalations: r.Escalations,
		Reopened: r.Reopened, Steps: stepsJSON, UpdatedAt: now})
	if err != nil {
		return Complaint{}, dbErr(fault.StaleIfMissing(err))
	}
	if out.Restricted != before.Restricted || !slices.Equal(out.HandlerIds, before.HandlerIds) {
		if err := tx.Q.LinkComplaintContacts(ctx, tx, db.LinkComplaintContactsParams{TenantID: tx.Scope.TenantID,
			FromID: uuid.NullUUID{UUID: out.ID, Valid: true}, ToID: uuid.NullUUID{UUID: out.ID, Valid: true},
			Restricted: out.Restricted, HandlerIds: out.HandlerIds}); err != nil {
			return Complaint{}, fmt.Errorf("complaint contacts: %w", err)
		}
	}
	done, err := fromRow(out, now)
	if err != nil {
		return Complaint{}, err
	}
	if out.Status != before.Status || !sameTime(out.FirstResponseDue, before.FirstResponseDue) ||
		!sameTime(out.ReportDue, before.ReportDue) || !sameTime(out.ResolutionDue, before.ResolutionDue) {
		if err := s.queueWakes(ctx, tx, done); err != nil {
			return Complaint{}, err
		}
	}
	event := EventChanged
	if done.Status == StatusClosed && before.Status != StatusClosed {
		event = EventClosed
	}
	if st.Kind == "escalated" {
		return done, nil // the escalation emits its own event
	}
	return done, s.emit(ctx, tx, event, done, map[string]any{"step": st.Kind, "from": before.Status})
}

// resume ends the open pause of a complaint waiting for the customer.
func resume(r *db.Complaint, now time.Time) error {
	var pauses []sla.Pause
	if err := json.Unmarshal(r.Pauses, &pauses); err != nil {
		return err
	}
	for i := range pauses {
		if pauses[i].To.IsZero() {
			pauses[i].To = now
		}
	}
	b, err := json.Marshal(pauses)
	if err != nil {
		return err
	}
	r.Pauses = b
	r.Status = StatusOpen
	if r.Reopened > 0 {
		r.Status = StatusReopened
	}
	return nil
}

// sameTime reports whether two optional times are equal.
func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}
