package commission

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// Consumer is the events consumer "commission": when an order's status changes (its audit
// approved, the order closed or reopened) it brings the order's pay in line with it
// (PayOrder), and it charges outlets for breaches and compensation (ChargeOutlet). Each
// delivery runs in its own transaction of the event's tenant; a delivery repeated by River
// finds the pay already in line and the lines' keys taken, so nothing is paid twice.
type Consumer struct {
	DB  *tenants.DB
	Log *slog.Logger
}

// Name keys the consumer's deliveries.
func (Consumer) Name() string { return "commission" }

// Wants the order status events (the audit arrives as order.status_changed, a reopening as
// order.reopened), SLA breaches, compensation issued and survey answers (the callback
// score's deduction or reward, ScoreOrder).
func (Consumer) Wants(eventType string) bool {
	switch eventType {
	case "order.status_changed", "order.closed", "order.reopened", "sla.breached", "compensation.issued", "survey.answered":
		return true
	}
	return false
}

// WantsIn says whether the tenant has pay rules (events.TenantFilter): without a version
// there is nothing to pay or charge, so the dispatch queues no delivery for its events.
func (Consumer) WantsIn(ctx context.Context, tx *tenants.Tx, _ string) (bool, error) {
	last, err := tx.Q.LastCommissionVersion(ctx, tx, tx.Scope.TenantID)
	return last > 0, err
}

// Handle applies one event.
func (c Consumer) Handle(ctx context.Context, ev events.Event) error {
	scope := tenants.Scope{TenantID: ev.TenantID, Actor: tenants.Actor{Kind: "system", Label: "commission"}}
	return c.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		switch ev.Type {
		case "sla.breached", "compensation.issued":
			_, err := ChargeOutlet(ctx, tx, ev)
			return err
		case "survey.answered":
			var d struct {
				OrderID  uuid.UUID `json:"order_id"`
				PayScore int       `json:"pay_score"`
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return fmt.Errorf("survey.answered %s: %w", ev.ID, err)
			}
			_, err := ScoreOrder(ctx, tx, d.OrderID, d.PayScore)
			return err
		}
		what, err := PayOrder(ctx, tx, ev.SubjectID)
		if err == nil && c.Log != nil {
			c.Log.DebugContext(ctx, "order pay", "order", ev.SubjectID, "event", ev.ID, "outcome", what)
		}
		return err
	})
}
