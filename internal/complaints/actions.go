package complaints

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// ComplaintAction is the body of a step on a complaint; which fields count depends on the step.
type ComplaintAction struct {
	Note       string      `json:"note,omitempty" maxLength:"2000" doc:"What was said or done; required to close (how the customer confirmed) and to report"`
	Reason     string      `json:"reason,omitempty" maxLength:"1000" doc:"Required to raise the severity, to close by override and to reopen"`
	Severity   string      `json:"severity,omitempty" enum:"general,serious,critical" doc:"raise: the new severity"`
	TargetID   *uuid.UUID  `json:"target_id,omitempty" format:"uuid" doc:"merge: the complaint to merge into; parent: the parent case (absent: no parent)"`
	HandlerIDs []uuid.UUID `json:"handler_ids,omitempty" maxItems:"20" doc:"handlers: the named handlers"`
}

// Step kinds a caller asks for (Do).
const (
	ActRespond  = "respond"
	ActWait     = "wait"
	ActResume   = "resume"
	ActReport   = "report"
	ActResolve  = "resolve"
	ActClose    = "close"
	ActOverride = "close_override"
	ActReopen   = "reopen"
	ActRaise    = "raise"
	ActMerge    = "merge"
	ActParent   = "parent"
	ActHandlers = "handlers"
)

// Do takes one step on a complaint at version (0: any). Which steps a caller may take is the
// route's permission (close_override, merge, parent and handlers are managers'); what the
// complaint allows is checked here. A complaint the scope does not see is ErrNotFound.
func (s *Service) Do(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, act string, in ComplaintAction) (Complaint, error) {
	c, err := s.lock(ctx, tx, id, "")
	if err != nil {
		return Complaint{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Complaint{}, err
	}
	if version != 0 && version != c.Version {
		return Complaint{}, fault.ErrStale
	}
	conflict := func(detail string) (Complaint, error) {
		return Complaint{}, &fault.ConflictError{Detail: detail}
	}
	if c.Status == StatusClosed && act != ActReopen {
		return conflict("the complaint is closed; reopen it first")
	}
	st := Step{Kind: act, Note: in.Note}
	switch act {
	case ActRespond:
		if c.Status == StatusResolved {
			return conflict("the complaint is resolved")
		}
		st.Kind = "responded"
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			if r.FirstRespondedAt == nil {
				r.FirstRespondedAt = &now
			}
			return nil
		})
	case ActWait:
		if !open(c.Status) {
			return conflict("only an open complaint waits for the customer")
		}
		st.Kind, st.From, st.To = "waiting", c.Status, StatusWaitingCustomer
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			pauses := append(slices.Clone(c.Pauses), sla.Pause{From: now, Reason: "waiting for the customer"})
			b, err := json.Marshal(pauses)
			r.Pauses, r.Status = b, StatusWaitingCustomer
			return err
		})
	case ActResume:
		if c.Status != StatusWaitingCustomer {
			return conflict("the complaint is not waiting for the customer")
		}
		st.Kind, st.From = "resumed", c.Status
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error { return resume(r, now) })
	case ActReport:
		if in.Note == "" {
			return Complaint{}, fault.Invalid("body.note", "the report's text is required")
		}
		st.Kind = "reported"
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			if r.ReportedAt == nil {
				r.ReportedAt = &now
			}
			return nil
		})
	case ActResolve:
		if c.Status == StatusResolved {
			return conflict("the complaint is resolved already")
		}
		st.Kind, st.From, st.To = "resolved", c.Status, StatusResolved
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			if r.Status == StatusWaitingCustomer {
				if err := resume(r, now); err != nil {
					return err
				}
			}
			r.Status, r.ResolvedAt = StatusResolved, &now
			if r.FirstRespondedAt == nil {
				r.FirstRespondedAt = &now
			}
			return nil
		})
	case ActClose:
		if c.Status != StatusResolved {
			return conflict("the customer confirms a resolved complaint; resolve it first, or a manager closes it by override")
		}
		if in.Note == "" {
			return Complaint{}, fault.Invalid("body.note", "say how the customer confirmed the resolution")
		}
		st.Kind, st.From, st.To = "closed", c.Status, StatusClosed
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			r.Status, r.ClosedAt, r.CloseKind, r.CloseReason = StatusClosed, &now, "customer", in.Note
			return nil
		})
	case ActOverride:
		if in.Reason == "" {
			return Complaint{}, fault.Invalid("body.reason", "closing without the customer's confirmation needs a reason")
		}
		st.Kind, st.From, st.To, st.Note = "closed", c.Status, StatusClosed, "override: "+in.Reason
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			if r.Status == StatusWaitingCustomer {
				if err := resume(r, now); err != nil {
					return err
				}
			}
			if r.ResolvedAt == nil {
				r.ResolvedAt = &now
			}
			r.Status, r.ClosedAt, r.CloseKind, r.CloseReason = StatusClosed, &now, "override", in.Reason
			return nil
		})
	case ActReopen:
		if c.Status != StatusResolved && c.Status != StatusClosed {
			return conflict("only a resolved or closed complaint is reopened")
		}
		if c.MergedInto != nil {
			return conflict("the complaint was merged into another; reopen that one")
		}
		if in.Reason == "" {
			return Complaint{}, fault.Invalid("body.reason", "reopening needs a reason")
		}
		st.Kind, st.From, st.To, st.Note = "reopened", c.Status, StatusReopened, in.Reason
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			r.Status, r.ResolvedAt, r.ClosedAt, r.CloseKind, r.CloseReason = StatusReopened, nil, nil, "", ""
			r.Reopened++
			r.ResolutionFrom = now
			r.Escalations = slices.DeleteFunc(slices.Clone(r.Escalations), func(e string) bool { return e == DeadlineResolution })
			return nil
		})
	case ActRaise:
		if severityRank(in.Severity) <= severityRank(c.Severity) {
			return Complaint{}, fault.Invalid("body.severity", "must be above "+c.Severity)
		}
		if in.Reason == "" {
			return Complaint{}, fault.Invalid("body.reason", "raising the severity needs a reason")
		}
		st.Kind, st.From, st.To, st.Note = "raised", c.Severity, in.Severity, in.Reason
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			r.Severity, r.SeverityReason = in.Severity, in.Reason
			if a := actor(tx); in.Severity == SeverityCritical && a != nil && !slices.Contains(r.HandlerIds, *a) {
				r.HandlerIds = append(slices.Clone(r.HandlerIds), *a)
			}
			return nil
		})
	case ActHandlers:
		handlers := dedupe(in.HandlerIDs)
		if err := checkMembers(ctx, tx, handlers, "body.handler_ids"); err != nil {
			return Complaint{}, err
		}
		if a := actor(tx); c.Confidential && !tx.Scope.Confidential && (a == nil || !slices.Contains(handlers, *a)) {
			return Complaint{}, fault.Invalid("body.handler_ids", "a confidential complaint keeps you among its handlers, or you could not see it")
		}
		if c.Confidential && len(handlers) == 0 {
			return Complaint{}, fault.Invalid("body.handler_ids", "a confidential complaint needs a handler")
		}
		st.Kind = "handlers"
		return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
			r.HandlerIds = handlers
			return nil
		})
	case ActParent:
		return s.setParent(ctx, tx, c, version, now, in)
	case ActMerge:
		return s.merge(ctx, tx, c, version, now, in)
	}
	return Complaint{}, fault.Invalid("action", "no such step")
}

// setParent puts a complaint under a parent case (a batch problem), or takes it out. One
// level: a parent has no parent, a complaint with children is no child.
func (s *Service) setParent(ctx context.Context, tx *tenants.Tx, c Complaint, version int32, now time.Time, in ComplaintAction) (Complaint, error) {
	st := Step{Kind: "parent_set", Note: in.Note}
	var parent uuid.NullUUID
	if in.TargetID != nil {
		if *in.TargetID == c.ID {
			return Complaint{}, fault.Invalid("body.target_id", "a complaint is not its own parent")
		}
		p, err := s.lock(ctx, tx, *in.TargetID, "body.target_id")
		if err != nil {
			return Complaint{}, err
		}
		if p.ParentID != nil {
			return Complaint{}, fault.Invalid("body.target_id", "the parent case is itself under "+p.ParentID.String()+": name that one")
		}
		if p.MergedInto != nil {
			return Complaint{}, fault.Invalid("body.target_id", "that complaint was merged into another")
		}
		children, err := tx.Q.ListChildComplaints(ctx, tx, db.ListChildComplaintsParams{TenantID: tx.Scope.TenantID, ParentID: uuid.NullUUID{UUID: c.ID, Valid: true}})
		if err != nil {
			return Complaint{}, err
		}
		if len(children) > 0 {
			return Complaint{}, &fault.ConflictError{Detail: "the complaint is a parent case itself"}
		}
		parent = uuid.NullUUID{UUID: p.ID, Valid: true}
		st.To = p.Number
	}
	return s.apply(ctx, tx, c, version, now, st, func(r *db.Complaint) error {
		r.ParentID = parent
		return nil
	})
}

// merge merges complaint c into the target: c is closed as merged, its contacts move to the
// target, and the target takes the higher severity and both sets of handlers.
func (s *Service) merge(ctx context.Context, tx *tenants.Tx, c Complaint, version int32, now time.Time, in ComplaintAction) (Complaint, error) {
	if in.TargetID == nil {
		return Complaint{}, fault.Invalid("body.target_id", "name the complaint to merge into")
	}
	if *in.TargetID == c.ID {
		return Complaint{}, fault.Invalid("body.target_id", "a complaint is not merged into itself")
	}
	into, err := s.lock(ctx, tx, *in.TargetID, "body.target_id")
	if err != nil {
		return Complaint{}, err
	}
	if into.Status == StatusClosed {
		return Complaint{}, fault.Invalid("body.target_id", "that complaint is closed")
	}
	merged, err := s.apply(ctx, tx, c, version, now, Step{Kind: "merged", To: into.Number, Note: in.Note}, func(r *db.Complaint) error {
		r.Status, r.ClosedAt, r.CloseKind, r.CloseReason = StatusClosed, &now, "merged", "merged into "+into.Number
		r.MergedInto = uuid.NullUUID{UUID: into.ID, Valid: true}
		if r.ResolvedAt == nil {
			r.ResolvedAt = &now
		}
		return nil
	})
	if err != nil {
		return Complaint{}, err
	}
	into, err = s.apply(ctx, tx, into, 0, now, Step{Kind: "merged_from", From: c.Number, Note: in.Note}, func(r *db.Complaint) error {
		if severityRank(c.Severity) > severityRank(r.Severity) {
			r.Severity, r.SeverityReason = c.Severity, "merged with "+c.Number
		}
		for _, h := range c.HandlerIDs {
			if !slices.Contains(r.HandlerIds, h) {
				r.HandlerIds = append(slices.Clone(r.HandlerIds), h)
			}
		}
		if a := actor(tx); r.Severity == SeverityCritical && a != nil && !slices.Contains(r.HandlerIds, *a) {
			r.HandlerIds = append(slices.Clone(r.HandlerIds), *a)
		}
		return nil
	})
	if err != nil {
		return Complaint{}, err
	}
	if err := tx.Q.LinkComplaintContacts(ctx, tx, db.LinkComplaintContactsParams{TenantID: tx.Scope.TenantID,
		FromID: uuid.NullUUID{UUID: c.ID, Valid: true}, ToID: uuid.NullUUID{UUID: into.ID, Valid: true},
		Restricted: into.Confidential, HandlerIds: into.HandlerIDs}); err != nil {
		return Complaint{}, err
	}
	return merged, nil
}
