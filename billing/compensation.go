package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
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
	OutletID   *uuid.UUID `json:"outlet_id,omitempty" doc:"The breached order's outlet"`
	CreatedAt  time.Time  `json:"created_at"`
	IssuedAt   *time.Time `json:"issued_at,omitempty"`
}

func compensationFromRow(r db.Compensation) CompensationView {
	return CompensationView{ID: r.ID, PurchaseID: r.PurchaseID, OrderID: r.OrderID, Target: r.Target, Kind: r.Kind, Amount: r.Amount,
		Currency: r.Currency, Status: r.Status, OutletID: idPtr(r.OutletID), CreatedAt: r.CreatedAt, IssuedAt: r.IssuedAt}
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

// Compensate pays every paid promise that covers the breached order: the order's per-incident
// upgrades and the plans of its unit valid on the day of the breach, whatever product carries
// the promise. Each pays once per breach (the order's clock for one target) however often the
// breach is reported: a unique row per purchase and breach decides, and a Stripe refund carries
// an idempotency key derived from both. A credit is recorded in the ledger at once; a refund
// is recorded when Stripe confirms it (charge.refunded).
func (s *Service) Compensate(ctx context.Context, jobs events.Inserter, ev events.Event) error {
	var b Breach
	if err := json.Unmarshal(ev.Data, &b); err != nil || b.OrderID == uuid.Nil {
		s.Log.WarnContext(ctx, "sla.breached without an order", "event", ev.ID)
		return nil
	}
	breachKey := b.OrderID.String() + ":" + b.Target
	scope := tenants.Scope{TenantID: ev.TenantID, Actor: tenants.Actor{Kind: "system", Label: "billing compensation"}}
	type pending struct {
		comp     db.Compensation
		refund   db.Refund
		purchase db.Purchase
	}
	var refunds []pending
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var unit uuid.NullUUID
		// The compensation belongs to the breached order's outlet: staff confined to an
		// outlet see only theirs (row-level security on compensations).
		outlet := nullID(b.OutletID)
		if o, err := orders.Get(ctx, tx, b.OrderID); err == nil {
			if o.RegistrationID != nil {
				unit = uuid.NullUUID{UUID: *o.RegistrationID, Valid: true}
			}
			if o.OutletID != nil {
				outlet = nullID(*o.OutletID)
			}
		} else if !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		// The plans valid on the day the promise was due, in the tenant's time zone (their
		// validity is in the tenant's days).
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return err
		}
		due := b.DueAt
		if due.IsZero() {
			if due, err = tx.Now(ctx); err != nil {
				return err
			}
		}
		y, m, d := due.In(loc).Date()
		on := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		promises, err := tx.Q.PaidPromisesForOrder(ctx, tx, db.PaidPromisesForOrderParams{TenantID: tx.Scope.TenantID,
			OrderID: nullID(b.OrderID), RegistrationID: unit, OnDate: on})
		if err != nil {
			return err
		}
		for _, r := range promises {
			var promise Compensation
			if err := json.Unmarshal(r.Compensation, &promise); err != nil {
				return err
			}
			if promise.Kind == "none" || promise.Kind == "" {
				continue
			}
			p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: r.ID})
			if err != nil {
				return err
			}
			c, refund, needRefund, err := compensateOne(ctx, tx, jobs, p, promise, b, breachKey, outlet)
			if err != nil {
				return err
			}
			if needRefund {
				refunds = append(refunds, pending{c, refund, p})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range refunds {
		// The refund row is committed before Stripe is asked; the key makes a retry safe.
		// The compensation is issued (and the consumer told) when Stripe confirms the
		// refund (charge.refunded, applyRefunds), not before.
		if err := s.requestRefund(ctx, scope, r.purchase, r.refund); err != nil {
			return err
		}
	}
	return nil
}

// compensateOne records one purchase's compensation for one breach, once: a credit is
// recorded and issued at once; a refund row is made (needRefund) for Stripe to be asked.
func compensateOne(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase, promise Compensation, b Breach,
	breachKey string, outlet uuid.NullUUID) (db.Compensation, db.Refund, bool, error) {
	var comp db.Compensation
	var refund db.Refund
	amount := p.Amount
	kind := "refund"
	switch promise.Kind {
	case "refund_partial":
		amount = p.Amount * int64(promise.Percent) / 100
	case "credit":
		kind = "credit"
		amount = p.Amount * int64(promise.Percent) / 100
	}
	existing, err := tx.Q.GetCompensationOfBreach(ctx, tx, db.GetCompensationOfBreachParams{TenantID: tx.Scope.TenantID,
		PurchaseID: p.ID, BreachKey: breachKey})
	switch {
	case err == nil:
		comp = existing
	case errors.Is(err, pgx.ErrNoRows):
		if kind == "refund" {
			// Refunds never exceed what is left of the payment (earlier breaches, cancellations).
			refunds, err := tx.Q.ListRefundsOfPurchase(ctx, tx, db.ListRefundsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID})
			if err != nil {
				return comp, refund, false, err
			}
			asked := p.RefundedAmount
			var recorded int64
			for _, r := range purchaseRefunds(refunds) {
				if r.Status != "failed" {
					recorded += r.Amount
				}
			}
			amount = min(amount, p.Amount-max(asked, recorded))
		}
		if amount <= 0 {
			return comp, refund, false, nil
		}
		var refundID uuid.NullUUID
		if kind == "refund" {
			refund, err = tx.Q.CreateRefund(ctx, tx, db.CreateRefundParams{TenantID: tx.Scope.TenantID,
				ID: platform.NewID(), PurchaseID: p.ID, Reason: "compensation",
				Amount: amount, Currency: p.Currency, IdempotencyKey: compensationKey(p.ID, breachKey)})
			if err != nil {
				return comp, refund, false, err
			}
			refundID = uuid.NullUUID{UUID: refund.ID, Valid: true}
		}
		comp, err = tx.Q.CreateCompensation(ctx, tx, db.CreateCompensationParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), PurchaseID: p.ID,
			OrderID: b.OrderID, BreachKey: breachKey, Target: b.Target, Kind: kind, Amount: amount, Currency: p.Currency, RefundID: refundID,
			OutletID: outlet})
		if err != nil {
			return comp, refund, false, err
		}
	default:
		return comp, refund, false, err
	}
	if comp.Status == "issued" {
		return comp, refund, false, nil
	}
	if comp.Kind == "credit" {
		now, err := tx.Now(ctx)
		if err != nil {
			return comp, refund, false, err
		}
		if err := ledger(ctx, tx, "credit", p.ID, -comp.Amount, comp.Currency, "", "credit:"+comp.ID.String(),
			"credit for the broken promise of "+p.ProductCode, now); err != nil {
			return comp, refund, false, err
		}
		// The customer can spend it on their next purchase until the tenant's terms end it.
		if err := issueCredit(ctx, tx, comp, p); err != nil {
			return comp, refund, false, err
		}
		return comp, refund, false, issued(ctx, tx, jobs, comp, p)
	}
	if comp.RefundID.Valid && refund.ID == uuid.Nil {
		refunds, err := tx.Q.ListRefundsOfPurchase(ctx, tx, db.ListRefundsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID})
		if err != nil {
			return comp, refund, false, err
		}
		for _, r := range refunds {
			if r.ID == comp.RefundID.UUID {
				refund = r
			}
		}
	}
	return comp, refund, comp.RefundID.Valid, nil
}

// compensationKey is the idempotency key of a compensation refund: one per purchase and
// breach, so a retried job never refunds a breach twice.
func compensationKey(purchase uuid.UUID, breachKey string) string {
	return "compensation:" + purchase.String() + ":" + breachKey
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
		// Every variable in the message's language: the tenant's locale decides both the
		// template and the reason's wording.
		t, err := tenants.GetTenant(ctx, tx)
		if err != nil {
			return err
		}
		locale := notify.LocaleZH // as the notifier picks it: zh-CN unless the tenant speaks English
		if strings.HasPrefix(t.Locale, "en") {
			locale = notify.LocaleEN
		}
		data["recipients"] = []notify.Recipient{notify.Customer(customer)}
		data["locale"] = locale
		data["vars"] = map[string]string{"order_number": number, "amount": notify.FormatMoney(comp.Amount, comp.Currency),
			"reason": breachReason(comp.Target, locale)}
	}
	_, err = events.Emit(ctx, tx, jobs, EventCompensationIssued, "compensation", comp.ID, p.OutletID.UUID, data)
	return err
}

// breachReason says which promise was broken, in the message's locale.
func breachReason(target, locale string) string {
	zh := map[string]string{"accept": "未在承诺时限内受理", "arrival": "未按承诺时间上门", "resolution": "未在承诺时限内修复",
		"completion": "未在承诺时限内完成维修", "return": "未在承诺时限内送还", "callback": "未在承诺时限内回访"}
	en := map[string]string{"accept": "not accepted within the promised time", "arrival": "not on site at the promised time",
		"resolution": "not repaired within the promised time", "completion": "not repaired within the promised time",
		"return": "not returned within the promised time", "callback": "no callback within the promised time"}
	if locale == notify.LocaleZH {
		if r, ok := zh[target]; ok {
			return r
		}
		return "未履行付费服务承诺"
	}
	if r, ok := en[target]; ok {
		return r
	}
	return "a paid service promise was broken"
}

// PayoutKinds are how a compensation is paid (CompensationView.Kind), in the order the API documents them.
var PayoutKinds = []string{"refund", "credit"}

// CompensationStatuses are the states of a compensation (CompensationView.Status), in the order the API documents them.
var CompensationStatuses = []string{"pending", "issued", "failed"}
