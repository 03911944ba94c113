package callbacks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Rectification statuses: open (the owner works on it), submitted (actions taken and the
// customer recontacted, waiting for the manager), approved (closed). A case the manager
// returns goes back to open with the reason.
const (
	RectOpen      = "open"
	RectSubmitted = "submitted"
	RectApproved  = "approved"
)

// RectStatuses lists the rectification statuses.
var RectStatuses = []string{RectOpen, RectSubmitted, RectApproved}

// Rectification is the case a poor survey result opens (整改).
type Rectification struct {
	ID            uuid.UUID  `json:"id"`
	ResponseID    uuid.UUID  `json:"response_id"`
	OrderID       uuid.UUID  `json:"order_id"`
	OrderNumber   string     `json:"order_number"`
	OutletID      *uuid.UUID `json:"outlet_id,omitempty"`
	EngineerID    *uuid.UUID `json:"engineer_id,omitempty"`
	OwnerID       *uuid.UUID `json:"owner_id,omitempty" doc:"Who carries it out: the outlet's manager (none: the tenant's admins)"`
	Deadline      time.Time  `json:"deadline"`
	Overdue       bool       `json:"overdue"`
	Status        string     `json:"status" enum:"open,submitted,approved"`
	Actions       string     `json:"actions,omitempty" doc:"What was done about it"`
	RecontactedAt *time.Time `json:"recontacted_at,omitempty" doc:"When the customer was contacted again"`
	RecontactNote string     `json:"recontact_note,omitempty" doc:"What the customer said"`
	ReviewNote    string     `json:"review_note,omitempty" doc:"The manager's reason when returning it, or remark when approving"`
	SubmittedBy   string     `json:"submitted_by,omitempty"`
	ApprovedBy    string     `json:"approved_by,omitempty"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	Version       int32      `json:"version"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Response      *Response  `json:"response,omitempty" doc:"The survey answer that opened it (one case only)"`
}

func rectFromRow(r db.Rectification, now time.Time) Rectification {
	return Rectification{ID: r.ID, ResponseID: r.ResponseID, OrderID: r.OrderID, OrderNumber: r.OrderNumber, OutletID: ptr(r.OutletID),
		EngineerID: ptr(r.EngineerID), OwnerID: ptr(r.OwnerID), Deadline: r.Deadline, Overdue: r.Status == RectOpen && r.Deadline.Before(now),
		Status: r.Status, Actions: r.Actions, RecontactedAt: r.RecontactedAt, RecontactNote: r.RecontactNote, ReviewNote: r.ReviewNote,
		SubmittedBy: r.SubmittedBy, ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt, Version: r.Version, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt}
}

// openRectification opens the case of a poor answer: owned by the outlet's manager, due
// in the tenant's rectify_hours; rectification.opened tells the owner (or the tenant's
// admins when the order has no outlet manager).
func (s *Service) openRectification(ctx context.Context, tx *tenants.Tx, r db.CallbackTask, resp Response, now time.Time) (Rectification, error) {
	t := tx.Scope.TenantID
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Rectification{}, err
	}
	owner := uuid.NullUUID{}
	if r.OutletID.Valid {
		u, err := tx.Q.OutletManagerOf(ctx, tx, db.OutletManagerOfParams{TenantID: t, OutletID: r.OutletID})
		switch {
		case err == nil:
			owner = nullID(u)
		case !errors.Is(err, pgx.ErrNoRows):
			return Rectification{}, fmt.Errorf("outlet manager: %w", err)
		}
	}
	deadline := now.Add(time.Duration(settings.RectifyHours) * time.Hour)
	row, err := tx.Q.InsertRectification(ctx, tx, db.InsertRectificationParams{TenantID: t, ID: platform.NewID(), ResponseID: resp.ID,
		OrderID: r.OrderID, OrderNumber: r.OrderNumber, OutletID: r.OutletID, EngineerID: r.EngineerID, OwnerID: owner, Deadline: deadline,
		Now: now})
	if err != nil {
		return Rectification{}, fault.DBError(err, "", "")
	}
	out := rectFromRow(row, now)
	to := []notify.Recipient{notify.Role("tenant_admin", uuid.Nil)}
	if owner.Valid {
		to = []notify.Recipient{notify.User(owner.UUID)}
	}
	if err := s.emitRect(ctx, tx, EventRectOpened, out, to, map[string]string{"score": fmt.Sprintf("%.2f", resp.Score),
		"deadline": notify.FormatTime(deadline, tzName(ctx, tx))}); err != nil {
		return Rectification{}, err
	}
	return out, tx.Audit(ctx, "rectification.open", subjectRectificatn, out.ID, nil, out)
}

func tzName(ctx context.Context, tx *tenants.Tx) string {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return "UTC"
	}
	return loc.String()
}

func (s *Service) emitRect(ctx context.Context, tx *tenants.Tx, typ string, r Rectification, to []notify.Recipient, vars map[string]string) error {
	if s.Jobs == nil {
		return nil
	}
	vars["order_number"] = r.OrderNumber
	outlet := uuid.Nil
	if r.OutletID != nil {
		outlet = *r.OutletID
	}
	_, err := events.Emit(ctx, tx, s.Jobs, typ, subjectRectificatn, r.ID, outlet, map[string]any{
		"recipients": to, "vars": vars, "order_id": r.OrderID, "order_number": r.OrderNumber, "status": r.Status,
		"engineer_id": r.EngineerID, "response_id": r.ResponseID,
	})
	return err
}

// RectFilter narrows the rectification list; zero values do not filter.
type RectFilter struct {
	Status string
	Outlet uuid.NullUUID
	Owner  uuid.NullUUID
	After  uuid.NullUUID
	Limit  int32
}

// Rectifications lists the cases, newest first (outlet staff: their outlet's).
func Rectifications(ctx context.Context, tx *tenants.Tx, f RectFilter) ([]Rectification, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListRectifications(ctx, tx, db.ListRectificationsParams{TenantID: tx.Scope.TenantID, Status: optText(f.Status),
		OutletID: f.Outlet, OwnerID: f.Owner, After: f.After, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("rectifications: %w", err)
	}
	out := make([]Rectification, len(rows))
	for i, r := range rows {
		out[i] = rectFromRow(r, now)
	}
	return out, nil
}

// GetRectification reads a case with the answer that opened it.
func GetRectification(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Rectification, error) {
	r, err := tx.Q.GetRectification(ctx, tx, db.GetRectificationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Rectification{}, fault.DBError(err, "", "")
	}
	return withResponse(ctx, tx, r)
}

func withResponse(ctx context.Context, tx *tenants.Tx, r db.Rectification) (Rectification, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return Rectification{}, err
	}
	out := rectFromRow(r, now)
	resp, err := tx.Q.GetSurveyResponse(ctx, tx, db.GetSurveyResponseParams{TenantID: tx.Scope.TenantID, ID: r.ResponseID})
	if err != nil {
		return Rectification{}, fmt.Errorf("survey answer of the case: %w", err)
	}
	rr, err := responseFromRow(resp)
	if err != nil {
		return Rectification{}, err
	}
	out.Response = &rr
	return out, nil
}

// SubmitInput is the owner's report: what was done and how the customer was recontacted.
type SubmitInput struct {
	Actions       string    `json:"actions" minLength:"1" maxLength:"4000" doc:"What was done about it"`
	RecontactedAt time.Time `json:"recontacted_at" doc:"When the customer was contacted again"`
	RecontactNote string    `json:"recontact_note" minLength:"1" maxLength:"2000" doc:"What the customer said"`
}

// Submit sends an open case to the manager: the actions taken and the customer recontacted
// (not in the future) are required.
func (s *Service) Submit(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in SubmitInput) (Rectification, error) {
	cur, err := tx.Q.LockRectification(ctx, tx, db.LockRectificationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Rectification{}, fault.DBError(err, "", "")
	}
	if version != 0 && cur.Version != version {
		return Rectification{}, fault.ErrStale
	}
	if cur.Status != RectOpen {
		return Rectification{}, &fault.ConflictError{Detail: "this rectification is " + cur.Status}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Rectification{}, err
	}
	switch {
	case in.Actions == "":
		return Rectification{}, fault.Invalid("actions", "say what was done")
	case in.RecontactNote == "":
		return Rectification{}, fault.Invalid("recontact_note", "say what the customer said when recontacted")
	case in.RecontactedAt.IsZero() || in.RecontactedAt.After(now.Add(time.Minute)):
		return Rectification{}, fault.Invalid("recontacted_at", "must be when the customer was recontacted, not in the future")
	case in.RecontactedAt.Before(cur.CreatedAt.Add(-time.Minute)):
		return Rectification{}, fault.Invalid("recontacted_at", "must be after the case was opened")
	}
	row, err := tx.Q.SubmitRectification(ctx, tx, db.SubmitRectificationParams{TenantID: tx.Scope.TenantID, ID: id, Actions: in.Actions,
		RecontactedAt: &in.RecontactedAt, RecontactNote: in.RecontactNote, SubmittedBy: actorKey(tx), Now: now})
	if err != nil {
		return Rectification{}, fault.StaleIfMissing(err)
	}
	out := rectFromRow(row, now)
	outlet := uuid.Nil
	if out.OutletID != nil {
		outlet = *out.OutletID
	}
	to := []notify.Recipient{notify.Role("tenant_admin", uuid.Nil)}
	if outlet != uuid.Nil {
		to = append(to, notify.Role("outlet_manager", outlet))
	}
	if err := s.emitRect(ctx, tx, EventRectSubmitted, out, to, map[string]string{}); err != nil {
		return Rectification{}, err
	}
	if err := tx.Audit(ctx, "rectification.submit", subjectRectificatn, id, rectFromRow(cur, now), out); err != nil {
		return Rectification{}, err
	}
	return withResponse(ctx, tx, row)
}

// RectReviewInput is the manager's decision.
type RectReviewInput struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty" maxLength:"2000" doc:"Required when returning the case: what is still missing"`
}

// actorKey names the acting person in the submitted_by and approved_by columns: the user id
// (the data layer compares the two), else the actor's label.
func actorKey(tx *tenants.Tx) string {
	if tx.Scope.UserID != uuid.Nil {
		return tx.Scope.UserID.String()
	}
	return tx.Scope.Actor.Label
}

// Review approves a submitted case or returns it to open with a reason. Only a manager of
// the case's outlet or a tenant admin may, and not the person who submitted it: the UPDATE
// checks the reviewer's membership, so a refused person gets fault.ErrForbidden whatever
// the handler.
func (s *Service) Review(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in RectReviewInput) (Rectification, error) {
	cur, err := tx.Q.LockRectification(ctx, tx, db.LockRectificationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Rectification{}, fault.DBError(err, "", "")
	}
	if version != 0 && cur.Version != version {
		return Rectification{}, fault.ErrStale
	}
	if cur.Status != RectSubmitted {
		return Rectification{}, &fault.ConflictError{Detail: "only a submitted rectification is reviewed; this one is " + cur.Status}
	}
	if !in.Approve && in.Note == "" {
		return Rectification{}, fault.Invalid("note", "say what is still missing")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Rectification{}, err
	}
	status := RectApproved
	if !in.Approve {
		status = RectOpen
	}
	row, err := tx.Q.ReviewRectification(ctx, tx, db.ReviewRectificationParams{TenantID: tx.Scope.TenantID, ID: id, Status: status,
		ReviewNote: in.Note, Reviewer: actorKey(tx), ReviewerID: tx.Scope.UserID, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return Rectification{}, fmt.Errorf("%w: a manager of the outlet or a tenant admin, other than who submitted it, reviews a rectification",
			fault.ErrForbidden)
	}
	if err != nil {
		return Rectification{}, fmt.Errorf("review rectification: %w", err)
	}
	out := rectFromRow(row, now)
	to := []notify.Recipient{notify.Role("tenant_admin", uuid.Nil)}
	if out.OwnerID != nil {
		to = []notify.Recipient{notify.User(*out.OwnerID)}
	}
	outcome := "approved 已通过"
	if !in.Approve {
		outcome = "returned 已退回: " + in.Note
	}
	if err := s.emitRect(ctx, tx, EventRectReviewed, out, to, map[string]string{"outcome": outcome}); err != nil {
		return Rectification{}, err
	}
	if err := tx.Audit(ctx, "rectification.review", subjectRectificatn, id, rectFromRow(cur, now), out); err != nil {
		return Rectification{}, err
	}
	return withResponse(ctx, tx, row)
}
