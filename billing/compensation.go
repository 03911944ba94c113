package billing

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Breach is the payload of sla.breached that billing reads.
type Breach struct {
	OrderID  uuid.UUID `json:"order_id"`
	Target   string    `json:"target"`
	DueAt    time.Time `json:"due_at"`
	OutletID uuid.UUID `json:"outlet_id"`
}

// CompensationView is an issued (or issuing) compensation, visible to the brand.
type CompensationView struct {
	ID         uuid.UUID  `json:"id"`
	PurchaseID uuid.UUID  `json:"purchase_id"`
	OrderID    uuid.UUID  `json:"order_id"`
	Target     string     `json:"target"`
	Kind       string     `json:"kind"`
	Amount     int64      `json:"amount"`
	Currency   string     `json:"currency"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	IssuedAt   *time.Time `json:"issued_at,omitempty"`
}

func compensationFromRow(r db.Compensation) CompensationView {
	return CompensationView{ID: r.ID, PurchaseID: r.PurchaseID, OrderID: r.OrderID, Target: r.Target, Kind: r.Kind, Amount: r.Amount,
		Currency: r.Currency, Status: r.Status, CreatedAt: r.CreatedAt, IssuedAt: r.IssuedAt}
}

// ListCompensations lists the tenant's compensations by id.
func ListCompensations(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]CompensationView, error) {
	rows, err := tx.Q.ListCompensations(ctx, tx, db.ListCompensationsParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]CompensationView, len(rows))
	for i, r := range rows {
		out[i] = compensationFromRow(r)
	}
	return out, nil
}

// Consumer returns the events consumer "billing": on sla.breached it issues the broken
// promise's compensation. Given to jobs.NewClient, it also registers billing's jobs.
func (s *Service) Consumer() events.Consumer { return consumer{s} }

type consumer struct{ s *Service }

func (c consumer) AddWorkers(w *river.Workers)        { c.s.AddWorkers(w) }
func (c consumer) PeriodicJobs() []*river.PeriodicJob { return c.s.PeriodicJobs() }

func (consumer) Name() string                { return "billing" }
func (consumer) Wants(eventType string) bool { return eventType == "sla.breached" }
func (c consumer) Handle(ctx context.Context, ev events.Event) error {
	jobs, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return err
	}
	return c.s.Compensate(ctx, jobs, ev)
}

// Compensate issues the compensation promised by the order's paid express upgrade, exactly
// once per purchase however often breaches are reported: a unique row per purchase decides,
// and the Stripe refund carries an idempotency key derived from it. A credit is recorded in
// the ledger at once; a refund is recorded when Stripe confirms it (charge.refunded).
func (s *Service) Compensate(ctx context.Context, jobs events.Inserter, ev events.Event) error {
	var b Breach
	if err := json.Unmarshal(ev.Data, &b); err != nil || b.OrderID == uuid.Nil {
		s.Log.WarnContext(ctx, "sla.breached without an order", "event", ev.ID)
		return nil
	}
	scope := tenants.Scope{TenantID: ev.TenantID, Actor: tenants.Actor{Kind: "system", Label: "billing compensation"}}
	var comp db.Compensation
	var refund db.Refund
	var purchase db.Purchase
	needRefund := false
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		r, err := tx.Q.ActiveExpressForOrder(ctx, tx, db.ActiveExpressForOrderParams{TenantID: tx.Scope.TenantID,
			OrderID: nullID(b.OrderID)})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // no paid promise on this order
		}
		if err != nil {
			return err
		}
		var promise Compensation
		if err := json.Unmarshal(r.Compensation, &promise); err != nil {
			return err
		}
		if promise.Kind == "none" || promise.Kind == "" {
			return nil
		}
		p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: r.ID})
		if err != nil {
			return err
		}
		purchase = p
		amount := p.Amount
		kind := "refund"
		switch promise.Kind {
		case "refund_partial":
			amount = p.Amount * int64(promise.Percent) / 100
		case "credit":
			kind = "credit"
			amount = p.Amount * int64(promise.Percent) / 100
		}
		if kind == "refund" {
			amount = min(amount, p.Amount-p.RefundedAmount)
		}
		if amount <= 0 {
			return nil
		}
		existing, err := tx.Q.GetCompensationOfPurchase(ctx, tx, db.GetCompensationOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID})
		switch {
		case err == nil:
			comp = existing
		case errors.Is(err, pgx.ErrNoRows):
			var refundID uuid.NullUUID
			if kind == "refund" {
				refund, err = tx.Q.CreateRefund(ctx, tx, db.CreateRefundParams{TenantID: tx.Scope.TenantID,
					ID: platform.NewID(), PurchaseID: p.ID, Reason: "compensation",
					Amount: amount, Currency: p.Currency, IdempotencyKey: "compensation:" + p.ID.String()})
				if err != nil {
					return err
				}
				refundID = uuid.NullUUID{UUID: refund.ID, Valid: true}
			}
			comp, err = tx.Q.CreateCompensation(ctx, tx, db.CreateCompensationParams{TenantID: tx.Scope.TenantID,
				ID: platform.NewID(), PurchaseID: p.ID,
				OrderID: b.OrderID, BreachKey: ev.ID.String(), Target: b.Target, Kind: kind, Amount: amount, Currency: p.Currency, RefundID: refundID})
			if err != nil {
				return err
			}
		default:
			return err
		}
		if comp.Status == "issued" {
			return nil
		}
		if comp.Kind == "credit" {
			if err := ledger(ctx, tx, "credit", p.ID, -comp.Amount, comp.Currency, "", "credit:"+comp.ID.String(),
				"credit for the broken promise of "+p.ProductCode, time.Now()); err != nil {
				return err
			}
			return issued(ctx, tx, jobs, comp, p)
		}
		if comp.RefundID.Valid && refund.ID == uuid.Nil {
			refunds, err := tx.Q.ListRefundsOfPurchase(ctx, tx, db.ListRefundsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID})
			if err != nil {
				return err
			}
			for _, r := range refunds {
				if r.ID == comp.RefundID.UUID {
					refund = r
				}
			}
		}
		needRefund = true
		return nil
	})
	if err != nil || !needRefund {
		return err
	}
	// The refund row is committed before Stripe is asked; the key makes a retry safe.
	if err := s.requestRefund(ctx, scope, purchase, refund); err != nil {
		return err
	}
	return s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return issued(ctx, tx, jobs, comp, purchase)
	})
}

// issued marks the compensation issued and tells the consumer (notifications) once.
func issued(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, comp db.Compensation, p db.Purchase) error {
	n, err := tx.Q.IssueCompensation(ctx, tx, db.IssueCompensationParams{TenantID: tx.Scope.TenantID, ID: comp.ID})
	if err != nil || n == 0 {
		return err
	}
	data := map[string]any{
		"compensation_id": comp.ID, "purchase_id": p.ID, "order_id": comp.OrderID, "customer_id": idPtr(p.CustomerID),
		"target": comp.Target, "kind": comp.Kind, "amount": comp.Amount, "currency": comp.Currency}
	// The customer (the buyer, else the order's customer) is told: notify's
	// compensation.issued templates.
	customer, number := p.CustomerID.UUID, ""
	if o, err := orders.Get(ctx, tx, comp.OrderID); err == nil {
		number = o.Number
		if customer == uuid.Nil {
			customer = o.CustomerID
		}
	}
	if customer != uuid.Nil {
		data["recipients"] = []notify.Recipient{notify.Customer(customer)}
		data["vars"] = map[string]string{"order_number": number, "amount": notify.FormatMoney(comp.Amount, comp.Currency),
			"reason": "service time limit (" + comp.Target + ") missed"}
	}
	_, err = events.Emit(ctx, tx, jobs, EventCompensationIssued, "compensation", comp.ID, p.OutletID.UUID, data)
	return err
}

// PayoutKinds are how a compensation is paid (CompensationView.Kind), in the order the API documents them.
var PayoutKinds = []string{"refund", "credit"}

// CompensationStatuses are the states of a compensation (CompensationView.Status), in the order the API documents them.
var CompensationStatuses = []string{"pending", "issued"}
