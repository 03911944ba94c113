package commission

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// outletEvent is what ChargeOutlet reads of sla.breached and compensation.issued.
type outletEvent struct {
	OrderID        uuid.UUID `json:"order_id"`
	Target         string    `json:"target"`
	CompensationID uuid.UUID `json:"compensation_id"`
	Amount         int64     `json:"amount"`
	Currency       string    `json:"currency"`
	Kind           string    `json:"kind"`
}

// ChargeOutlet charges the outlet of an order for a broken promise, once per breach or
// compensation however often the event is delivered:
//   - sla.breached: the breach rule of the rules in force that day (期限扣费), a fixed
//     amount per breached target (kind breach);
//   - compensation.issued: what the brand paid the consumer for the broken promise, carried
//     back to the outlet that broke it (kind compensation).
//
// An order without an outlet charges nobody. It returns what it did.
func ChargeOutlet(ctx context.Context, tx *tenants.Tx, ev events.Event) (string, error) {
	var in outletEvent
	if err := json.Unmarshal(ev.Data, &in); err != nil || in.OrderID == uuid.Nil {
		return "no order", nil
	}
	t := tx.Scope.TenantID
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: t, ID: in.OrderID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "no such order", nil
	}
	if err != nil {
		return "", fmt.Errorf("order: %w", err)
	}
	if !o.OutletID.Valid {
		return "order has no outlet", nil
	}
	now, day, err := today(ctx, tx)
	if err != nil {
		return "", err
	}
	cur, err := currency(ctx, tx)
	if err != nil {
		return "", err
	}
	p := db.InsertPayLineParams{TenantID: t, ID: platform.NewID(), PartyKind: PartyOutlet, PartyID: o.OutletID.UUID, OutletID: o.OutletID,
		OrderID: o.ID, OrderNumber: o.Number, Currency: cur, AccruedOn: &day}
	switch ev.Type {
	case "sla.breached":
		versions, err := versionsInForce(ctx, tx)
		if err != nil {
			return "", err
		}
		v, ok := InForce(versions, day)
		if !ok {
			return "no pay rules in force", nil
		}
		amount, charged := v.Rules.Breach.Charge(in.Target)
		if !charged {
			return "the rules charge no breach of " + in.Target, nil
		}
		p.Kind, p.Rule, p.RuleVersion, p.Cause, p.Amount = KindBreach, v.Rules.Breach.ID, int32(v.Number), CauseBreach, -amount
		p.Detail = fmt.Sprintf("%s target of order %s breached: %s", in.Target, o.Number, money(amount))
		p.EffectKey = fmt.Sprintf("breach:%s:%s", o.ID, in.Target)
	case "compensation.issued":
		if in.CompensationID == uuid.Nil || in.Amount <= 0 {
			return "no compensation", nil
		}
		if in.Currency != "" && in.Currency != cur {
			return fmt.Sprintf("compensation in %s, pay is kept in %s: not carried", in.Currency, cur), nil
		}
		p.Kind, p.Rule, p.Cause, p.Amount = KindCompensate, "compensation", CauseCompensation, -in.Amount
		p.Detail = fmt.Sprintf("%s compensation paid to the consumer for the %s promise of order %s: %s", in.Kind, in.Target, o.Number, money(in.Amount))
		p.EffectKey = "compensation:" + in.CompensationID.String()
	default:
		return "not an outlet charge", nil
	}
	if err := insertLines(ctx, tx, []db.InsertPayLineParams{p}, now); err != nil {
		return "", err
	}
	return p.Kind + " charged", nil
}
