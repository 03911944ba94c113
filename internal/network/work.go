package network

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// States of a part a job carries.
const (
	PartUsed     = "used"     // the partner reports it used on its order
	PartReserved = "reserved" // the sender held it for the order; released at the hand-off
	PartIssued   = "issued"   // the sender issued it to the order before the hand-off; it stays issued there
)

// JobPartStates lists the states of a part a job carries.
var JobPartStates = []string{PartUsed, PartReserved, PartIssued}

// JobPart is a part on a handed-off job: one the partner used (reported back), or one the
// sender held or issued for the order before it handed the order off (carried out).
type JobPart struct {
	Code      string `json:"code" doc:"The part number"`
	Name      string `json:"name,omitempty"`
	Quantity  int    `json:"quantity"`
	OldSerial string `json:"old_serial,omitempty" doc:"Serial of the part taken out"`
	NewSerial string `json:"new_serial,omitempty" doc:"Serial of the part put in"`
	State     string `json:"state" doc:"used: the partner used it; reserved: the sender held it and released it at the hand-off; issued: the sender issued it before the hand-off"`
}

// EngineerShare is one of the partner's engineers on its order and their share of the job,
// by the partner's pay rules (role weights) in force: the shares add up to 10000.
type EngineerShare struct {
	Name        string `json:"name"`
	Role        string `json:"role" doc:"lead or assistant"`
	BasisPoints int    `json:"basis_points" doc:"The engineer's share of the job in 1/100 of a percent (10000: all of it)"`
}

// carriedParts releases the sender's reservations of an order being handed off and lists
// them, with the parts already issued to it, for the partner. The rule (docs/network.md): a
// part held for the order goes back to what the sender's warehouse has available, because
// the partner works from its own stock; a part issued is in the unit already and stays
// issued. Both travel with the job so the partner knows what the sender meant to use.
func (s *Service) carriedParts(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]JobPart, error) {
	rs, err := tx.Q.ListOrderReservations(ctx, tx, db.ListOrderReservationsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("reservations of the order: %w", err)
	}
	ps, err := tx.Q.ListOrderParts(ctx, tx, db.ListOrderPartsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("parts of the order: %w", err)
	}
	names := map[uuid.UUID]db.Part{}
	part := func(id uuid.UUID) (db.Part, error) {
		if p, ok := names[id]; ok {
			return p, nil
		}
		p, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: id})
		if err != nil {
			return p, fmt.Errorf("part %s: %w", id, err)
		}
		names[id] = p
		return p, nil
	}
	st := &stock.Service{Orders: s.Orders}
	var out []JobPart
	for _, r := range rs {
		if r.Status != "open" && r.Status != "waiting" {
			continue
		}
		p, err := part(r.PartID)
		if err != nil {
			return nil, err
		}
		if _, err := st.Release(ctx, tx, r.ID); err != nil {
			return nil, fmt.Errorf("release reservation %s: %w", r.ID, err)
		}
		out = append(out, JobPart{Code: p.PartNo, Name: p.NameZh, Quantity: int(r.Qty), State: PartReserved})
	}
	for _, op := range ps {
		if op.Status != "issued" {
			continue
		}
		p, err := part(op.PartID)
		if err != nil {
			return nil, err
		}
		out = append(out, JobPart{Code: p.PartNo, Name: p.NameZh, Quantity: int(op.Qty), OldSerial: op.OldSerial,
			NewSerial: op.NewSerial, State: PartIssued})
	}
	return out, nil
}

// usedParts are the parts of the partner's completion report.
func usedParts(ps []orders.Part) []JobPart {
	out := make([]JobPart, len(ps))
	for i, p := range ps {
		out[i] = JobPart{Code: p.Code, Name: p.Name, Quantity: p.Quantity, OldSerial: p.OldSerial, NewSerial: p.NewSerial, State: PartUsed}
	}
	return out
}

// shares are the engineers on the provider's order (not declined or removed) and their
// shares of the job by the role weights of the provider's pay rules in force on day (evenly
// when no rules weigh their roles). The basis points add up to 10000 exactly: what the
// rounding leaves goes to the first engineers, the lead first.
func shares(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, day time.Time) ([]EngineerShare, error) {
	engs, err := tx.Q.ListOrderEngineers(ctx, tx, db.ListOrderEngineersParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("engineers of order %s: %w", orderID, err)
	}
	var on []db.ListOrderEngineersRow
	for _, e := range engs {
		if e.State != "declined" && e.State != "removed" {
			on = append(on, e)
		}
	}
	if len(on) == 0 {
		return nil, nil
	}
	// The lead first: the remainder of the division goes to it.
	for i, e := range on {
		if e.Role == "lead" && i > 0 {
			on[0], on[i] = on[i], on[0]
			break
		}
	}
	versions, err := commission.Versions(ctx, tx)
	if err != nil {
		return nil, err
	}
	weights := map[string]int{}
	d := day.Format(time.DateOnly)
	for _, v := range versions {
		if v.EffectiveFrom <= d {
			weights = v.Rules.Shares
		}
	}
	w := make([]int, len(on))
	total := 0
	for i, e := range on {
		w[i] = weights[e.Role]
		total += w[i]
	}
	if total == 0 {
		for i := range w {
			w[i] = 1
		}
		total = len(w)
	}
	out := make([]EngineerShare, len(on))
	given := 0
	for i, e := range on {
		out[i] = EngineerShare{Name: e.UserName, Role: e.Role, BasisPoints: w[i] * 10000 / total}
		given += out[i].BasisPoints
	}
	for i := 0; given < 10000; i = (i + 1) % len(out) {
		if w[i] > 0 {
			out[i].BasisPoints++
			given++
		}
	}
	return out, nil
}

// workOf decodes the partner's work as the sender's job keeps it.
func workOf(r db.NetworkJob) ([]JobPart, []EngineerShare, error) {
	parts, shares := []JobPart{}, []EngineerShare{}
	if len(r.PartnerParts) > 0 {
		if err := json.Unmarshal(r.PartnerParts, &parts); err != nil {
			return nil, nil, fmt.Errorf("job %s parts: %w", r.ID, err)
		}
	}
	if len(r.PartnerShares) > 0 {
		if err := json.Unmarshal(r.PartnerShares, &shares); err != nil {
			return nil, nil, fmt.Errorf("job %s shares: %w", r.ID, err)
		}
	}
	return parts, shares, nil
}
