package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// outletNeed is what the order asks of an outlet, for dispatch; category is the model's
// when the caller knows it already.
func (s *Service) outletNeed(ctx context.Context, tx *tenants.Tx, o Order, category uuid.NullUUID) (dispatch.OutletNeed, error) {
	need := dispatch.OutletNeed{Area: dispatch.Area(o.Location.ProvinceCode, o.Location.CityCode, o.Location.DistrictCode),
		PostalCode: o.Location.PostalCode, Type: o.Type, Category: category}
	if o.ModelID != nil && !category.Valid {
		m, err := catalog.GetModel(ctx, tx, *o.ModelID)
		if err != nil {
			return need, err
		}
		need.Category = uuid.NullUUID{UUID: m.CategoryID, Valid: true}
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return need, err
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return need, err
	}
	y, m, d := now.In(loc).Date()
	need.Day = time.Date(y, m, d, 0, 0, 0, 0, loc)
	promises, err := dispatch.PaidPromises(ctx, tx, []uuid.UUID{o.ID}, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return need, err
	}
	need.Promises = promises[o.ID]
	return need, nil
}

// tenantToday is the tenant's calendar day at now, as a UTC midnight (how plan terms are
// stored).
func tenantToday(ctx context.Context, tx *tenants.Tx, now time.Time) (time.Time, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// ProposeOutlets lists the outlets that cover the order, best first, with reasons.
func (s *Service) ProposeOutlets(ctx context.Context, tx *tenants.Tx, id uuid.UUID) ([]dispatch.OutletCandidate, error) {
	o, err := Get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	need, err := s.outletNeed(ctx, tx, o, uuid.NullUUID{})
	if err != nil {
		return nil, err
	}
	return dispatch.ProposeOutlets(ctx, tx, need)
}

// proposeOutlets ranks the outlets covering the order (none without a known area).
func (s *Service) proposeOutlets(ctx context.Context, tx *tenants.Tx, o Order, category uuid.NullUUID) ([]dispatch.OutletCandidate, error) {
	need, err := s.outletNeed(ctx, tx, o, category)
	if err != nil {
		return nil, err
	}
	return dispatch.ProposeOutlets(ctx, tx, need)
}

// dispatchEntry is the timeline row of the outlet proposal at intake: the outlet chosen
// with its reasons and the runners-up, or why none was.
func dispatchEntry(cands []dispatch.OutletCandidate) Entry {
	if len(cands) == 0 || !cands[0].Eligible {
		return Entry{Kind: "dispatch", Reason: "no eligible outlet covers the address; dispatch by hand",
			Data: map[string]any{"candidates": cands}}
	}
	return Entry{Kind: "dispatch", To: cands[0].Code, Reason: strings.Join(cands[0].Reasons, "; "),
		Data: map[string]any{"outlet_id": cands[0].OutletID, "runners_up": cands[1:]}}
}

// OutletChange moves an order to another outlet by hand.
type OutletChange struct {
	OutletID uuid.UUID `json:"outlet_id"`
	Reason   string    `json:"reason" minLength:"1" maxLength:"1000" doc:"Why (a manual override is audited)"`
}

// SetOutlet assigns the order to an outlet by hand, recording why.
func (s *Service) SetOutlet(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in OutletChange) (Order, error) {
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Order{}, err
	}
	if !IsOpen(r.Status) {
		return Order{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; only open orders move between outlets", r.Number, r.Status)}
	}
	out, err := tenants.GetOutlet(ctx, tx, in.OutletID)
	if err != nil {
		return Order{}, fieldPrefix(notFoundAsField(err, "is not an outlet of this tenant"), "outlet_id")
	}
	row, err := tx.Q.SetOrderOutlet(ctx, tx, db.SetOrderOutletParams{TenantID: tx.Scope.TenantID, ID: id, Version: r.Version,
		OutletID: uuid.NullUUID{UUID: out.ID, Valid: true}})
	if err != nil {
		return Order{}, fault.StaleIfMissing(err)
	}
	o := orderFromRow(row)
	if err := record(ctx, tx, id, Entry{Kind: "dispatch", To: out.Code, Reason: "manual: " + in.Reason,
		Data: map[string]any{"outlet_id": out.ID, "previous": idPtr(r.OutletID)}}); err != nil {
		return Order{}, err
	}
	return o, tx.Audit(ctx, "order.outlet_override", "service_order", id,
		map[string]any{"outlet_id": idPtr(r.OutletID)}, map[string]any{"outlet_id": out.ID, "reason": in.Reason})
}

// engineerNeed is what the order asks of an engineer.
func (s *Service) engineerNeed(ctx context.Context, tx *tenants.Tx, r db.ServiceOrder) (dispatch.EngineerNeed, error) {
	if !r.OutletID.Valid {
		return dispatch.EngineerNeed{}, &fault.ConflictError{Detail: "order " + r.Number + " has no outlet yet; dispatch it to an outlet first"}
	}
	typ, err := typeFor(ctx, tx, r.TypeCode)
	if err != nil {
		typ = Type{Code: r.TypeCode} // a type retired since intake keeps its orders serviceable
	}
	set, err := GetSettings(ctx, tx)
	if err != nil {
		return dispatch.EngineerNeed{}, err
	}
	need := dispatch.EngineerNeed{Outlet: r.OutletID.UUID, Customer: r.CustomerID, Designated: r.DesignatedEngineer,
		Skill: typ.Skill, MinLevel: typ.MinLevel, Lat: r.Latitude, Lon: r.Longitude, MaxOpen: set.MaxOpenPerEngineer,
		Area:  dispatch.Area(r.ProvinceCode, r.CityCode, r.DistrictCode),
		Rules: set.EngineerRules}
	engs, err := tx.Q.ListOrderEngineers(ctx, tx, db.ListOrderEngineersParams{TenantID: tx.Scope.TenantID, OrderID: r.ID})
	if err != nil {
		return need, fmt.Errorf("order engineers: %w", err)
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return need, err
	}
	day, err := tenantToday(ctx, tx, now)
	if err != nil {
		return need, err
	}
	promises, err := dispatch.PaidPromises(ctx, tx, []uuid.UUID{r.ID}, day)
	if err != nil {
		return need, err
	}
	need.Promises = promises[r.ID]
	for _, e := range engs {
		if e.State == "declined" || e.State == "offered" || e.State == "accepted" {
			need.Exclude = append(need.Exclude, e.UserID)
		}
	}
	return need, nil
}

// ProposeEngineers ranks the engineers of the order's outlet by the tenant's rules.
func (s *Service) ProposeEngineers(ctx context.Context, tx *tenants.Tx, id uuid.UUID) ([]dispatch.EngineerCandidate, error) {
	r, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return nil, fault.DBError(err, "", "")
	}
	need, err := s.engineerNeed(ctx, tx, r)
	if err != nil {
		return nil, err
	}
	return dispatch.ProposeEngineers(ctx, tx, need)
}

// EngineerRoles are the roles of an engineer on an order: one lead, any assistants.
var EngineerRoles = []string{"lead", "assistant"}

// Assignment puts an engineer on an order. Without a user the proposal is taken.
type Assignment struct {
	UserID *uuid.UUID `json:"user_id,omitempty" doc:"Default: the engineer dispatch proposes"`
	Role   string     `json:"role"` // one of EngineerRoles
	Reason string     `json:"reason,omitempty" maxLength:"1000" doc:"Required when overriding the proposal"`
}

// OrderEngineer is an engineer on an order.
type OrderEngineer struct {
	UserID      uuid.UUID  `json:"user_id"`
	Name        string     `json:"name"`
	Role        string     `json:"role"` // one of EngineerRoles
	State       string     `json:"state"`
	Rule        string     `json:"rule,omitempty" doc:"The dispatch rule that chose them, or manual"`
	Reason      string     `json:"reason,omitempty"`
	AssignedAt  time.Time  `json:"assigned_at"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
}

// Engineers lists the engineers on an order.
func Engineers(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]OrderEngineer, error) {
	rows, err := tx.Q.ListOrderEngineers(ctx, tx, db.ListOrderEngineersParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("order engineers: %w", err)
	}
	out := make([]OrderEngineer, len(rows))
	for i, r := range rows {
		out[i] = OrderEngineer{UserID: r.UserID, Name: r.UserName, Role: r.Role, State: r.State, Rule: r.Rule, Reason: r.Reason,
			AssignedAt: r.AssignedAt, RespondedAt: r.RespondedAt}
	}
	return out, nil
}

// Assign offers the order to an engineer of its outlet. A lead on an accepted on-site order
// dispatches it.
func (s *Service) Assign(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in Assignment) (Order, error) {
	r, err := lock(ctx, tx, id, 0)
	if err != nil {
		return Order{}, err
	}
	if !IsOpen(r.Status) {
		return Order{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; engineers are assigned to open orders", r.Number, r.Status)}
	}
	need, err := s.engineerNeed(ctx, tx, r)
	if err != nil {
		return Order{}, err
	}
	cands, err := dispatch.ProposeEngineers(ctx, tx, need)
	if err != nil {
		return Order{}, err
	}
	var chosen *dispatch.EngineerCandidate
	if len(cands) > 0 && cands[0].Eligible {
		chosen = &cands[0]
	}
	var rule string
	switch {
	case in.UserID == nil && chosen == nil:
		return Order{}, &fault.ConflictError{Detail: "no eligible engineer at the outlet; name one"}
	case in.UserID == nil:
		rule = chosen.Rule
		in.UserID = &chosen.UserID
	case chosen != nil && chosen.UserID == *in.UserID:
		rule = chosen.Rule
	default:
		rule = "manual"
		if strings.TrimSpace(in.Reason) == "" {
			return Order{}, fault.Invalid("reason", "give a reason to override the proposed engineer")
		}
		if _, err := tx.Q.EngineerMembership(ctx, tx, db.EngineerMembershipParams{TenantID: tx.Scope.TenantID,
			UserID: *in.UserID, OutletID: r.OutletID}); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return Order{}, fault.Invalid("user_id", "is not an engineer of the order's outlet")
			}
			return Order{}, fmt.Errorf("engineer membership: %w", err)
		}
	}
	if _, err := tx.Q.UpsertOrderEngineer(ctx, tx, db.UpsertOrderEngineerParams{TenantID: tx.Scope.TenantID,
		OrderID: id, UserID: *in.UserID, Role: in.Role,
		Rule: rule}); err != nil {
		return Order{}, fault.DBError(err, "", "user_id")
	}
	data := map[string]any{"user_id": *in.UserID, "role": in.Role, "rule": rule}
	if rule == "manual" {
		data["reason"] = in.Reason
		if chosen != nil {
			data["proposed"] = chosen.UserID
		}
	} else if len(cands) > 1 {
		data["runners_up"] = cands[1:min(len(cands), 4)]
	}
	if err := record(ctx, tx, id, Entry{Kind: "assignment", To: in.Role, Reason: rule, Public: in.Role == "lead", Data: data}); err != nil {
		return Order{}, err
	}
	if err := tx.Audit(ctx, "order.assign", "service_order", id, nil, data); err != nil {
		return Order{}, err
	}
	if in.Role == "lead" {
		if err := s.meet(ctx, tx, id, sla.Dispatch); err != nil {
			return Order{}, err
		}
	}
	var o Order
	if in.Role == "lead" && r.Flow == FlowOnSite && r.Status == StatusAccepted {
		if o, err = s.move(ctx, tx, r, StatusDispatched, "engineer assigned", nil); err != nil {
			return Order{}, err
		}
	} else if r, err = tx.Q.BumpOrder(ctx, tx, db.BumpOrderParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
		return Order{}, fmt.Errorf("bump order: %w", err)
	} else {
		o = orderFromRow(r)
	}
	return o, s.emit(ctx, tx, o, "order.engineer_assigned", map[string]any{"engineer_id": *in.UserID, "role": in.Role},
		notice{users: []uuid.UUID{*in.UserID}})
}

// Answer is an engineer's reply to an offered order.
type Answer struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Required to decline"`
}

// Answer records an engineer accepting or declining an order offered to them. A declined
// lead goes back to dispatch: the next engineer by the rules (excluding those who declined)
// is offered the order, if there is one.
func (s *Service) Answer(ctx context.Context, tx *tenants.Tx, id, userID uuid.UUID, in Answer) (Order, error) {
	if _, err := lock(ctx, tx, id, 0); err != nil {
		return Order{}, err
	}
	state := "accepted"
	if !in.Accept {
		state = "declined"
		if strings.TrimSpace(in.Reason) == "" {
			return Order{}, fault.Invalid("reason", "give a reason to decline")
		}
	}
	e, err := tx.Q.AnswerOrderEngineer(ctx, tx, db.AnswerOrderEngineerParams{TenantID: tx.Scope.TenantID,
		OrderID: id, UserID: userID, State: state,
		Reason: in.Reason, FromStates: []string{"offered"}})
	if errors.Is(err, pgx.ErrNoRows) {
		return Order{}, &fault.ConflictError{Detail: "the order is not offered to you (already answered, or not yours)"}
	}
	if err != nil {
		return Order{}, fmt.Errorf("answer: %w", err)
	}
	if err := record(ctx, tx, id, Entry{Kind: "assignment", From: "offered", To: state, Reason: in.Reason,
		Data: map[string]any{"user_id": userID, "role": e.Role}}); err != nil {
		return Order{}, err
	}
	r, err := tx.Q.BumpOrder(ctx, tx, db.BumpOrderParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Order{}, fmt.Errorf("bump order: %w", err)
	}
	o := orderFromRow(r)
	if in.Accept && e.Role == "lead" && s.Jobs != nil {
		now, err := s.now(ctx, tx)
		if err != nil {
			return Order{}, err
		}
		if err := sla.SetEngineer(ctx, tx, s.Jobs, id, userID, now); err != nil {
			return Order{}, err
		}
	}
	if in.Accept || e.Role != "lead" {
		return o, nil
	}
	if r.Flow == FlowOnSite && r.Status == StatusDispatched {
		if o, err = s.move(ctx, tx, r, StatusAccepted, "lead engineer declined: "+in.Reason, nil); err != nil {
			return Order{}, err
		}
	}
	need, err := s.engineerNeed(ctx, tx, r)
	if err != nil {
		return Order{}, err
	}
	cands, err := dispatch.ProposeEngineers(ctx, tx, need)
	if err != nil {
		return Order{}, err
	}
	if len(cands) == 0 || !cands[0].Eligible {
		return o, record(ctx, tx, id, Entry{Kind: "dispatch", Reason: "no other eligible engineer; dispatch by hand"})
	}
	next := cands[0].UserID
	return s.Assign(ctx, tx, id, Assignment{UserID: &next, Role: "lead"})
}

// EngineerStates are the states of an engineer's assignment to an order (OrderEngineer.State), in the order the API documents them.
var EngineerStates = []string{"offered", "accepted", "declined", "removed"}
