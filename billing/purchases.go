package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Purchase statuses. Only active purchases grant anything; refunded and disputed are final.
const (
	StatusPending  = "pending"
	StatusFailed   = "failed"
	StatusActive   = "active"
	StatusRefunded = "refunded"
	StatusDisputed = "disputed"
	// StatusExpired: the checkout session expired unpaid. A payment Stripe still confirms
	// afterwards activates it (the money wins, as over a failure).
	StatusExpired = "expired"
)

// PurchaseStatuses lists the purchase statuses.
var PurchaseStatuses = []string{StatusPending, StatusFailed, StatusActive, StatusRefunded, StatusDisputed, StatusExpired}

// Event types billing emits.
const (
	EventPurchaseActivated  = "purchase.activated"
	EventPurchaseRefunded   = "purchase.refunded"
	EventCompensationIssued = "compensation.issued"
)

// Purchase is a consumer's purchase of an express product or plan: its receipt.
type Purchase struct {
	ID              uuid.UUID  `json:"id"`
	ProductID       uuid.UUID  `json:"product_id"`
	ProductCode     string     `json:"product_code"`
	Kind            string     `json:"kind"` // one of Kinds
	Channel         string     `json:"channel"`
	CustomerID      *uuid.UUID `json:"customer_id,omitempty"`
	RegistrationID  *uuid.UUID `json:"registration_id,omitempty"`
	OrderID         *uuid.UUID `json:"order_id,omitempty"`
	OutletID        *uuid.UUID `json:"outlet_id,omitempty"`
	Currency        string     `json:"currency"`
	Amount          int64      `json:"amount" doc:"Minor units"`
	RefundedAmount  int64      `json:"refunded_amount"`
	Status          string     `json:"status"` // one of PurchaseStatuses
	PaidAt          *time.Time `json:"paid_at,omitempty"`
	ValidFrom       string     `json:"valid_from,omitempty"`
	ValidUntil      string     `json:"valid_until,omitempty"`
	GrantID         *uuid.UUID `json:"grant_id,omitempty"`
	CreditApplied   int64      `json:"credit_applied" doc:"Customer credit spent on it (minor units); amount is what is charged"`
	CancelRequested bool       `json:"cancel_requested"`
	ProductName     string     `json:"product_name,omitempty" doc:"The product's name (receipts and lists)"`
	CoolingOffUntil *time.Time `json:"cooling_off_until,omitempty" doc:"Paid purchases: until when cancelling refunds everything"`
	PaymentIntentID string     `json:"stripe_payment_intent_id,omitempty"`
	Version         int32      `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func purchaseFromRow(r db.Purchase) Purchase {
	return Purchase{ID: r.ID, ProductID: r.ProductID, ProductCode: r.ProductCode, Kind: r.Kind, Channel: r.Channel,
		CustomerID: idPtr(r.CustomerID), RegistrationID: idPtr(r.RegistrationID), OrderID: idPtr(r.OrderID), OutletID: idPtr(r.OutletID),
		Currency: r.Currency, Amount: r.Amount, RefundedAmount: r.RefundedAmount, Status: r.Status, PaidAt: r.PaidAt,
		ValidFrom: dateText(r.ValidFrom), ValidUntil: dateText(r.ValidUntil), GrantID: idPtr(r.GrantID), CreditApplied: r.CreditApplied,
		CancelRequested: r.CancelRequestedAt != nil, PaymentIntentID: r.StripePaymentIntentID, Version: r.Version, CreatedAt: r.CreatedAt}
}

// PurchaseIDPlaceholder in a Checkout success or cancel URL is replaced by the new
// purchase's id, so that the page Stripe returns to can show that purchase.
const PurchaseIDPlaceholder = "{PURCHASE_ID}"

// BuyInput asks to buy a product.
type BuyInput struct {
	ProductID      uuid.UUID
	Currency       string
	RegistrationID uuid.UUID // plans: the unit covered
	OrderID        uuid.UUID // per-incident upgrades: the service order upgraded
	CustomerID     uuid.UUID
	ConsumerID     uuid.UUID
	OutletID       uuid.UUID // counter sales
	SuccessURL     string
	CancelURL      string
}

// Checkout is a started purchase: the consumer pays at URL (Checkout) or with ClientSecret
// (a PaymentIntent confirmed at the counter's terminal or page).
type Checkout struct {
	Purchase     Purchase `json:"purchase"`
	URL          string   `json:"url,omitempty" doc:"Stripe Checkout page (checkout channel)"`
	ClientSecret string   `json:"client_secret,omitempty" doc:"PaymentIntent client secret (counter channel)"`
}

func (s *Service) newPurchase(ctx context.Context, tx *tenants.Tx, in BuyInput, channel string) (Product, Price, db.Purchase, error) {
	if err := checkReturnURL("success_url", in.SuccessURL); err != nil {
		return Product{}, Price{}, db.Purchase{}, err
	}
	if err := checkReturnURL("cancel_url", in.CancelURL); err != nil {
		return Product{}, Price{}, db.Purchase{}, err
	}
	if err := checkParties(ctx, tx, &in); err != nil {
		return Product{}, Price{}, db.Purchase{}, err
	}
	p, err := GetProduct(ctx, tx, in.ProductID)
	if err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return p, Price{}, db.Purchase{}, fault.Invalid("product_id", "is not a product on sale")
		}
		return p, Price{}, db.Purchase{}, err
	}
	if p.Status != "active" {
		return p, Price{}, db.Purchase{}, fault.Invalid("product_id", "is not a product on sale")
	}
	if in.Currency == "" {
		t, err := tenants.GetTenant(ctx, tx)
		if err != nil {
			return p, Price{}, db.Purchase{}, err
		}
		in.Currency = t.Currency
	}
	pr, ok := p.ActivePrice(in.Currency)
	if !ok {
		return p, Price{}, db.Purchase{}, fault.Invalid("currency", "the product has no price in "+in.Currency)
	}
	switch p.Kind {
	case PerIncident:
		if in.OrderID == uuid.Nil {
			return p, pr, db.Purchase{}, fault.Invalid("order_id", "a per-incident upgrade is bought for a service order")
		}
		// The same upgrade is not sold twice for one order (refused again, under concurrency,
		// when the payment activates it).
		if _, err := tx.Q.ActiveUpgradeOfOrder(ctx, tx, db.ActiveUpgradeOfOrderParams{TenantID: tx.Scope.TenantID,
			OrderID: nullID(in.OrderID), ProductID: p.ID, ID: uuid.Nil}); err == nil {
			return p, pr, db.Purchase{}, fault.Invalid("order_id", "the order already has this upgrade, paid")
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return p, pr, db.Purchase{}, err
		}
	case Plan:
		if in.RegistrationID == uuid.Nil {
			return p, pr, db.Purchase{}, fault.Invalid("registration_id", "a plan is bought for a registered unit")
		}
	}
	if err := CheckEligible(ctx, tx, p, in.RegistrationID, "registration_id"); err != nil {
		return p, pr, db.Purchase{}, err
	}
	// The customer's credit pays part of the price: reserved now, spent when Stripe confirms
	// the payment, given back if the purchase ends unpaid.
	spends, credit, err := creditFor(ctx, tx, in.CustomerID, pr.Currency, pr.UnitAmount)
	if err != nil {
		return p, pr, db.Purchase{}, err
	}
	row, err := tx.Q.CreatePurchase(ctx, tx, db.CreatePurchaseParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), ProductID: p.ID, PriceID: pr.ID, Kind: p.Kind,
		ProductCode: p.Code, Channel: channel, CustomerID: nullID(in.CustomerID), ConsumerID: nullID(in.ConsumerID),
		RegistrationID: nullID(in.RegistrationID), OrderID: nullID(in.OrderID), OutletID: nullID(in.OutletID),
		Currency: pr.Currency, Amount: pr.UnitAmount - credit, CreditApplied: credit})
	if err != nil {
		return p, pr, db.Purchase{}, fault.DBError(err, "", purchaseRefField(err))
	}
	return p, pr, row, reserveCredit(ctx, tx, row.ID, spends)
}

// recordOwner records, on the platform path, the tenant the platform created a purchase for:
// webhook events are checked against this record, never routed by their metadata alone
// (docs/billing.md). Written before Stripe is asked, so no event can precede it.
func (s *Service) recordOwner(ctx context.Context, tenant, purchase uuid.UUID) error {
	return s.DB.Platform(ctx, "stripe route: purchase created", uuid.Nil, func(ptx *tenants.Tx) error {
		return ptx.Q.PutStripeRoute(ctx, ptx, db.PutStripeRouteParams{ObjectID: purchaseKey(purchase), Tenant: tenant,
			Purchase: nullID(purchase)})
	})
}

// purchaseKey is the stripe_routes key of a purchase the platform created.
func purchaseKey(id uuid.UUID) string { return "purchase:" + id.String() }

// purchaseRefField names the input field whose reference a failed purchase insert did not
// find, from the foreign key that refused it (an unknown customer is not the outlet's fault).
func purchaseRefField(err error) string {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return ""
	}
	for _, f := range []string{"customer_id", "registration_id", "order_id", "outlet_id", "product_id", "price_id"} {
		if strings.Contains(pgErr.ConstraintName, "_"+f+"_") {
			if f == "price_id" {
				return "currency"
			}
			return f
		}
	}
	return ""
}

func metadata(tenant, purchase uuid.UUID) map[string]string {
	return map[string]string{"tenant_id": tenant.String(), "purchase_id": purchase.String()}
}

// StartCheckout creates a pending purchase and a Stripe Checkout Session (one-time payment)
// for it. Nothing is granted until Stripe confirms the payment by webhook.
// The input is checked before the payment provider's configuration: a request that could
// never succeed says why (422), not that payments are unavailable (503).
func (s *Service) StartCheckout(ctx context.Context, tx *tenants.Tx, in BuyInput) (Checkout, error) {
	p, pr, row, err := s.newPurchase(ctx, tx, in, "checkout")
	if err != nil {
		return Checkout{}, err
	}
	sc, err := s.api()
	if err != nil {
		return Checkout{}, err
	}
	if err := s.recordOwner(ctx, tx.Scope.TenantID, row.ID); err != nil {
		return Checkout{}, err
	}
	priceID, err := s.ensureStripePrice(ctx, tx, p, pr)
	if err != nil {
		return Checkout{}, err
	}
	md := metadata(tx.Scope.TenantID, row.ID)
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Checkout{}, err
	}
	success, cancel := s.returnURLs(in, row.ID, t.Slug)
	item := &stripe.CheckoutSessionLineItemParams{Price: stripe.String(priceID), Quantity: stripe.Int64(1)}
	if row.CreditApplied > 0 {
		// Credit paid part of the price: the consumer pays the rest, as an ad-hoc amount of
		// the same Stripe product.
		prod, err := GetProduct(ctx, tx, p.ID)
		if err != nil {
			return Checkout{}, err
		}
		item = &stripe.CheckoutSessionLineItemParams{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
			Currency: stripe.String(lower(row.Currency)), Product: stripe.String(prod.StripeProductID), UnitAmount: stripe.Int64(row.Amount)}}
	}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(row.ID.String()),
		SuccessURL:        stripe.String(success),
		CancelURL:         stripe.String(cancel),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{item},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: md},
	}
	params.Metadata = md
	params.SetIdempotencyKey("checkout:" + row.ID.String())
	params.Context = ctx
	sess, err := sc.CheckoutSessions.New(params)
	if err != nil {
		return Checkout{}, stripeError(err)
	}
	if err := tx.Q.SetPurchaseStripeRefs(ctx, tx, db.SetPurchaseStripeRefsParams{TenantID: tx.Scope.TenantID,
		ID: row.ID, SessionID: sess.ID}); err != nil {
		return Checkout{}, err
	}
	row.StripeCheckoutSessionID = sess.ID
	out := Checkout{Purchase: purchaseFromRow(row), URL: sess.URL}
	return out, tx.Audit(ctx, "purchase.checkout", "purchase", row.ID, nil, out.Purchase)
}

// returnURLs are the pages Checkout returns to after paying and after giving up for
// purchase id: the caller's, with PurchaseIDPlaceholder replaced by id (the caller cannot
// know it before asking), else the portal's receipt page of the purchase in the brand of
// slug (web/app's /my/{tenant}/purchases/{id}).
func (s *Service) returnURLs(in BuyInput, id uuid.UUID, slug string) (success, cancel string) {
	success = strings.ReplaceAll(in.SuccessURL, PurchaseIDPlaceholder, id.String())
	cancel = strings.ReplaceAll(in.CancelURL, PurchaseIDPlaceholder, id.String())
	receipt := strings.TrimRight(s.cfg.PublicURL, "/") + "/my/" + url.PathEscape(slug) + "/purchases/" + id.String()
	if success == "" {
		success = receipt + "?paid=1"
	}
	if cancel == "" {
		cancel = receipt + "?cancelled=1"
	}
	return success, cancel
}

// StartCounter creates a pending purchase paid at an outlet's counter with a PaymentIntent.
// As StartCheckout, it checks the input before the payment provider's configuration.
func (s *Service) StartCounter(ctx context.Context, tx *tenants.Tx, in BuyInput) (Checkout, error) {
	if in.OutletID == uuid.Nil {
		return Checkout{}, fault.Invalid("outlet_id", "a counter sale names the outlet")
	}
	if err := checkCounter(tx.Scope, in.OutletID); err != nil {
		return Checkout{}, err
	}
	_, _, row, err := s.newPurchase(ctx, tx, in, "counter")
	if err != nil {
		return Checkout{}, err
	}
	sc, err := s.api()
	if err != nil {
		return Checkout{}, err
	}
	if err := s.recordOwner(ctx, tx.Scope.TenantID, row.ID); err != nil {
		return Checkout{}, err
	}
	params := &stripe.PaymentIntentParams{Amount: stripe.Int64(row.Amount), Currency: stripe.String(lower(row.Currency)),
		AutomaticPaymentMethods: &stripe.PaymentIntentAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)}}
	params.Metadata = metadata(tx.Scope.TenantID, row.ID)
	params.SetIdempotencyKey("counter:" + row.ID.String())
	params.Context = ctx
	pi, err := sc.PaymentIntents.New(params)
	if err != nil {
		return Checkout{}, stripeError(err)
	}
	if err := tx.Q.SetPurchaseStripeRefs(ctx, tx, db.SetPurchaseStripeRefsParams{TenantID: tx.Scope.TenantID,
		ID: row.ID, PaymentIntentID: pi.ID}); err != nil {
		return Checkout{}, err
	}
	row.StripePaymentIntentID = pi.ID
	out := Checkout{Purchase: purchaseFromRow(row), ClientSecret: pi.ClientSecret}
	return out, tx.Audit(ctx, "purchase.counter", "purchase", row.ID, nil, out.Purchase)
}

// GetPurchase returns one purchase.
func GetPurchase(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Purchase, error) {
	r, err := tx.Q.GetPurchase(ctx, tx, db.GetPurchaseParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Purchase{}, fault.DBError(err, "", "")
	}
	out := []Purchase{purchaseFromRow(r)}
	if err := describe(ctx, tx, out); err != nil {
		return Purchase{}, err
	}
	return out[0], nil
}

// describe fills in each purchase's product name and, once paid, the end of its cooling-off
// period (as QuoteCancel counts it: paid_at plus the product's cooling-off days). A product
// the scope cannot see leaves both empty.
func describe(ctx context.Context, tx *tenants.Tx, ps []Purchase) error {
	products := map[uuid.UUID]*db.ExpressProduct{}
	for i := range ps {
		p := &ps[i]
		prod, seen := products[p.ProductID]
		if !seen {
			r, err := tx.Q.GetExpressProduct(ctx, tx, db.GetExpressProductParams{TenantID: tx.Scope.TenantID, ID: p.ProductID})
			switch {
			case err == nil:
				prod = &r
			case !errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound):
				return err
			}
			products[p.ProductID] = prod
		}
		if prod == nil {
			continue
		}
		p.ProductName = prod.Name
		if p.PaidAt != nil && prod.CoolingOffDays > 0 {
			until := p.PaidAt.AddDate(0, 0, int(prod.CoolingOffDays))
			p.CoolingOffUntil = &until
		}
	}
	return nil
}

// PurchaseFilter narrows a purchase list.
type PurchaseFilter struct {
	After                               uuid.NullUUID
	RegistrationID, OrderID, CustomerID uuid.NullUUID
	Status                              *string
	Limit                               int32
}

// ListPurchases lists purchases by id.
func ListPurchases(ctx context.Context, tx *tenants.Tx, f PurchaseFilter) ([]Purchase, error) {
	rows, err := tx.Q.ListPurchases(ctx, tx, db.ListPurchasesParams{TenantID: tx.Scope.TenantID,
		After: f.After, RegistrationID: f.RegistrationID,
		OrderID: f.OrderID, CustomerID: f.CustomerID, Status: f.Status, Lim: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Purchase, len(rows))
	for i, r := range rows {
		out[i] = purchaseFromRow(r)
	}
	return out, describe(ctx, tx, out)
}

// ExpressTargets returns the SLA targets a paid, active per-incident upgrade sets on a
// service order; ok is false when the order has none. The orders and SLA code call it when
// they start the order's clocks.
func ExpressTargets(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (map[string]warranty.Target, bool, error) {
	r, err := tx.Q.ActiveExpressForOrder(ctx, tx, db.ActiveExpressForOrderParams{TenantID: tx.Scope.TenantID, OrderID: nullID(orderID)})
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return nil, false, nil
		}
		return nil, false, err
	}
	var t map[string]warranty.Target
	if err := json.Unmarshal(r.Targets, &t); err != nil {
		return nil, false, fmt.Errorf("decode express targets: %w", err)
	}
	return t, len(t) > 0, nil
}

// RefundQuote is what cancelling a purchase now would refund.
type RefundQuote struct {
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	CoolingOff bool   `json:"within_cooling_off"`
	Basis      string `json:"basis"`
}

// QuoteCancel computes the refund for cancelling p at now under its product's terms:
// in the cooling-off period everything not yet refunded; after it, the unused share of a
// plan (pro_rata) or nothing.
func QuoteCancel(p Purchase, prod Product, now time.Time) RefundQuote {
	q := RefundQuote{Currency: p.Currency, Basis: "none"}
	left := p.Amount - p.RefundedAmount
	if p.PaidAt == nil || left <= 0 {
		return q
	}
	if now.Before(p.PaidAt.AddDate(0, 0, prod.CoolingOffDays)) {
		q.CoolingOff, q.Basis, q.Amount = true, "full", left
		return q
	}
	from, ferr := time.Parse(time.DateOnly, p.ValidFrom)
	until, uerr := time.Parse(time.DateOnly, p.ValidUntil)
	if prod.AfterCoolingOff != "pro_rata" || p.Kind != Plan || ferr != nil || uerr != nil {
		return q
	}
	total := until.Sub(from).Hours()/24 + 1
	used := now.Sub(from).Hours() / 24
	if used < 0 {
		used = 0
	}
	share := (total - float64(int(used))) / total
	if share <= 0 {
		return q
	}
	q.Basis = "pro_rata"
	q.Amount = min(left, int64(float64(p.Amount)*share))
	return q
}

// Cancel asks Stripe to refund an active purchase per its terms. The entitlement ends when
// Stripe confirms the refund (charge.refunded), not before.
func (s *Service) Cancel(ctx context.Context, scope tenants.Scope, id uuid.UUID) (Purchase, RefundQuote, error) {
	if _, err := s.api(); err != nil {
		return Purchase{}, RefundQuote{}, err
	}
	var refund db.Refund
	var row db.Purchase
	var q RefundQuote
	// The refund is recorded and committed before Stripe is asked, so the webhook that
	// confirms it always finds it.
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		row, err = tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
		if err != nil {
			return fault.DBError(err, "", "")
		}
		if row.Status != StatusActive {
			return &fault.ConflictError{Detail: "only an active purchase can be cancelled (this one is " + row.Status + ")"}
		}
		prod, err := GetProduct(ctx, tx, row.ProductID)
		if err != nil {
			return err
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		q = QuoteCancel(purchaseFromRow(row), prod, now)
		if q.Amount <= 0 {
			return &fault.ConflictError{Detail: "the cooling-off period is over and the product's terms give no refund"}
		}
		// A cancellation whose refund failed may be asked again: each attempt has its own key.
		key := "cancel:" + id.String()
		failed, err := tx.Q.CountFailedRefunds(ctx, tx, db.CountFailedRefundsParams{TenantID: tx.Scope.TenantID, PurchaseID: id, Reason: "cancellation"})
		if err != nil {
			return err
		}
		if failed > 0 {
			key += ":" + strconv.FormatInt(failed, 10)
		}
		refund, err = tx.Q.CreateRefund(ctx, tx, db.CreateRefundParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), PurchaseID: id, Reason: "cancellation",
			Amount: q.Amount, Currency: row.Currency, IdempotencyKey: key})
		if err != nil {
			return err
		}
		if err := tx.Q.RequestPurchaseCancel(ctx, tx, db.RequestPurchaseCancelParams{TenantID: tx.Scope.TenantID, ID: id, Now: now}); err != nil {
			return err
		}
		return tx.Audit(ctx, "purchase.cancel", "purchase", id, nil, q)
	})
	if err != nil {
		return Purchase{}, q, err
	}
	if err := s.requestRefund(ctx, scope, row, refund); err != nil {
		return Purchase{}, q, err
	}
	var out Purchase
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		out, err = GetPurchase(ctx, tx, id)
		return err
	})
	return out, q, err
}

// requestRefund asks Stripe for a recorded refund of a purchase's payment with the refund's
// idempotency key, so a retry (of the request or of the job) never refunds twice.
func (s *Service) requestRefund(ctx context.Context, scope tenants.Scope, p db.Purchase, r db.Refund) error {
	return s.askRefund(ctx, scope, p.ID, p.StripePaymentIntentID, r)
}

func lower(c string) string {
	b := []byte(c)
	for i := range b {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// StripeError is a failure reported by Stripe; the API answers 502 with its message.
type StripeError struct{ Msg string }

func (e *StripeError) Error() string { return "payment provider: " + e.Msg }

func stripeError(err error) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		if se.HTTPStatusCode == 400 || se.HTTPStatusCode == 402 {
			return &StripeError{Msg: se.Msg}
		}
		return &StripeError{Msg: "unavailable, retry later"}
	}
	if errors.Is(err, ErrNotConfigured) {
		return err
	}
	return &StripeError{Msg: "unavailable, retry later"}
}

// emit records an event in the tenant's transaction.
func emit(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, typ string, p db.Purchase, data any) error {
	_, err := events.Emit(ctx, tx, jobs, typ, "purchase", p.ID, p.OutletID.UUID, data)
	return err
}

// activate makes a paid purchase active: a plan's validity and coverage grant start, the
// ledger records the payment, purchase.activated is emitted. Idempotent, and a no-op for a
// purchase already ended (refunded or disputed): state only moves forward. A payment of the
// wrong amount, or one for an upgrade the order already has, activates nothing: it is
// recorded and flagged for finance (payment_flags).
func activate(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, purchaseID uuid.UUID, paymentIntent, charge string,
	amount int64, currency string, paidAt time.Time) (string, error) {
	return activatePayment(ctx, tx, jobs, payment{purchase: purchaseID, paid: paid{intent: paymentIntent, charge: charge, amount: amount,
		currency: currency}, at: paidAt})
}

// payment is one confirmed payment of a purchase; accepted is finance's word that a flagged
// payment counts for the purchase despite its amount.
type payment struct {
	paid
	purchase uuid.UUID
	at       time.Time
	accepted bool
}

func activatePayment(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, pay payment) (string, error) {
	paymentIntent, charge, paidAt := pay.intent, pay.charge, pay.at
	p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: pay.purchase})
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return "no such purchase in the tenant", nil
		}
		return "", err
	}
	paidAt, err = paidMoment(ctx, tx, paidAt)
	if err != nil {
		return "", err
	}
	if p.StripePaymentIntentID != "" && paymentIntent != "" && p.StripePaymentIntentID != paymentIntent {
		return "", &mismatchError{fmt.Sprintf("payment intent %s paid for purchase %s, which is paid by %s", paymentIntent, p.ID, p.StripePaymentIntentID)}
	}
	if !pay.accepted && paymentIntent != "" {
		// A payment flagged before (wrong amount, duplicate) stays with finance, however often
		// Stripe reports it.
		if f, err := tx.Q.GetPaymentFlagByIntent(ctx, tx, db.GetPaymentFlagByIntentParams{TenantID: tx.Scope.TenantID,
			PaymentIntentID: paymentIntent}); err == nil {
			return "payment flagged for finance (" + f.Kind + ", " + f.Status + "): not activated", nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return "", err
		}
		if amount := pay.amount; amount != p.Amount || !equalFold(pay.currency, p.Currency) {
			return flagPayment(ctx, tx, jobs, p, pay, FlagWrongAmount)
		}
	}
	pending := p.Status == StatusPending || p.Status == StatusFailed || p.Status == StatusExpired
	if pending && p.Kind == PerIncident && p.OrderID.Valid {
		// One active upgrade per order and product: the order's row lock serializes
		// activations, the unique index purchases_one_active_upgrade backs it.
		if err := tx.Q.LockOrderForPurchase(ctx, tx, db.LockOrderForPurchaseParams{TenantID: tx.Scope.TenantID, ID: p.OrderID.UUID}); err != nil {
			return "", err
		}
		_, err := tx.Q.ActiveUpgradeOfOrder(ctx, tx, db.ActiveUpgradeOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: p.OrderID,
			ProductID: p.ProductID, ID: p.ID})
		if err == nil {
			return flagPayment(ctx, tx, jobs, p, pay, FlagDuplicate)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", err
		}
	}
	if err := tx.Q.SetPurchaseStripeRefs(ctx, tx, db.SetPurchaseStripeRefsParams{TenantID: tx.Scope.TenantID,
		ID: p.ID, PaymentIntentID: paymentIntent, ChargeID: charge}); err != nil {
		return "", err
	}
	// The money arrived whatever the purchase's state: the ledger records it once.
	if err := ledger(ctx, tx, "payment", p.ID, pay.amount, pay.currency, firstNonEmpty(charge, paymentIntent), "payment:"+paymentIntent,
		"payment of "+p.ProductCode, paidAt); err != nil {
		return "", err
	}
	if !pending {
		return "purchase is already " + p.Status, nil
	}
	prod, err := GetProduct(ctx, tx, p.ProductID)
	if err != nil {
		return "", err
	}
	var from, until *time.Time
	var grant uuid.NullUUID
	if p.Kind == Plan {
		// One basis for the term and the cooling-off period: the payment. The term starts on
		// the day Stripe confirmed the payment (in the tenant's time zone), however late the
		// event is applied; cooling-off counts from the same moment (QuoteCancel).
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return "", err
		}
		y, m, d := paidAt.In(loc).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		// Plans on one unit follow each other: a plan bought while another runs extends the
		// unit's cover, its term starting the day after the last one ends. The unit's row
		// lock serializes concurrent activations.
		if p.RegistrationID.Valid {
			if err := tx.Q.LockRegistrationForPlan(ctx, tx, db.LockRegistrationForPlanParams{TenantID: tx.Scope.TenantID,
				ID: p.RegistrationID.UUID}); err != nil {
				return "", err
			}
			last, err := tx.Q.LastPlanDayOfUnit(ctx, tx, db.LastPlanDayOfUnitParams{TenantID: tx.Scope.TenantID,
				RegistrationID: p.RegistrationID, ID: p.ID})
			if err != nil {
				return "", err
			}
			if !last.Before(today) {
				today = last.AddDate(0, 0, 1)
			}
		}
		end := today.AddDate(0, prod.TermMonths, -1)
		from, until = &today, &end
		if c := prod.Coverage; c != nil && p.RegistrationID.Valid {
			covered, _ := json.Marshal(c.Covered)
			g, err := tx.Q.CreateGrant(ctx, tx, db.CreateGrantParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
				RegistrationID: p.RegistrationID.UUID, Kind: c.Kind, Component: c.Component, ValidFrom: today, ValidUntil: end,
				Covered: covered, Source: "purchase " + p.ID.String(), PlanCode: p.ProductCode})
			if err != nil {
				return "", err
			}
			grant = uuid.NullUUID{UUID: g.ID, Valid: true}
		}
	}
	row, err := tx.Q.ActivatePurchase(ctx, tx, db.ActivatePurchaseParams{TenantID: tx.Scope.TenantID,
		ID: p.ID, PaidAt: &paidAt, ValidFrom: from, ValidUntil: until, GrantID: grant})
	if err != nil {
		return "", err
	}
	if err := redeemCredit(ctx, tx, row, paidAt); err != nil {
		return "", err
	}
	if err := retargetOrder(ctx, tx, jobs, row, paidAt); err != nil {
		return "", err
	}
	return "activated", emit(ctx, tx, jobs, EventPurchaseActivated, row, map[string]any{"purchase_id": row.ID, "product_code": row.ProductCode,
		"kind": row.Kind, "order_id": idPtr(row.OrderID), "registration_id": idPtr(row.RegistrationID), "amount": row.Amount, "currency": row.Currency})
}

// retargetOrder applies a paid upgrade's promise to its order's SLA clocks, from the payment
// on (a stricter target replaces the tier's), with the change on the order's timeline.
func retargetOrder(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase, paidAt time.Time) error {
	if p.Kind != PerIncident || !p.OrderID.Valid {
		return nil
	}
	targets, ok, err := ExpressTargets(ctx, tx, p.OrderID.UUID)
	if err != nil || !ok {
		return err
	}
	clockTargets := orders.ExpressClockTargets(targets)
	ch, err := sla.Retarget(ctx, tx, jobs, p.OrderID.UUID, clockTargets, paidAt)
	if errors.Is(err, fault.ErrNotFound) {
		// The order runs no clocks yet (its tier sets no targets): the promise starts them.
		o, gerr := orders.Get(ctx, tx, p.OrderID.UUID)
		if errors.Is(gerr, fault.ErrNotFound) {
			return nil // no such order in the tenant: nothing to time
		}
		if gerr != nil {
			return gerr
		}
		if clockTargets, err = orders.FlowClockTargets(ctx, tx, o.Flow, clockTargets); err != nil || len(clockTargets) == 0 {
			return err
		}
		in := sla.StartInput{OrderID: o.ID, OrderNumber: o.Number, TierCode: o.TierCode, OrderType: o.Type, Targets: clockTargets, At: paidAt}
		if o.OutletID != nil {
			in.OutletID = *o.OutletID
		}
		ch, err = sla.Start(ctx, tx, jobs, in)
	}
	if err != nil {
		return fmt.Errorf("apply %s to the order's time limits: %w", p.ProductCode, err)
	}
	return orders.RecordClockChanges(ctx, tx, p.OrderID.UUID, ch)
}

// restoreOrder returns the order of an ended upgrade to what its remaining entitlements give:
// its tier's targets counted from intake, a remaining paid upgrade's counted from its payment,
// and no clock that none of them gives. Nobody paid for the ended promise any more, so it
// neither times the order nor compensates its breach.
func restoreOrder(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase) error {
	if p.Kind != PerIncident || !p.OrderID.Valid || jobs == nil {
		return nil
	}
	o, err := orders.Get(ctx, tx, p.OrderID.UUID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var tier warranty.Tier
	if o.TierCode != "" {
		tiers, err := coverage.Tiers(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tiers {
			if t.Code == o.TierCode {
				tier = t
			}
		}
	}
	var express map[string]warranty.Target
	var paidAt time.Time
	if r, err := tx.Q.ActiveExpressForOrder(ctx, tx, db.ActiveExpressForOrderParams{TenantID: tx.Scope.TenantID, OrderID: p.OrderID}); err == nil {
		if err := json.Unmarshal(r.Targets, &express); err != nil {
			return fmt.Errorf("decode express targets: %w", err)
		}
		if r.PaidAt != nil {
			paidAt = *r.PaidAt
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	// The callback clock is the callback task's (package callbacks): restoring leaves it be.
	targets := slices.DeleteFunc(sla.Targets(tier, express), func(t sla.Target) bool { return t.Kind == sla.Callback })
	fromTier := map[string]sla.Target{}
	for _, t := range sla.Targets(tier, nil) {
		fromTier[t.Kind] = t
	}
	starts := map[string]time.Time{}
	for _, t := range targets {
		starts[t.Kind] = o.CreatedAt
		if ft, ok := fromTier[t.Kind]; (!ok || ft != t) && !paidAt.IsZero() {
			starts[t.Kind] = paidAt
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	ch, err := sla.Restore(ctx, tx, jobs, o.ID, targets, starts, now)
	if err != nil {
		return fmt.Errorf("restore the time limits of %s after %s ended: %w", o.Number, p.ProductCode, err)
	}
	return orders.RecordClockChanges(ctx, tx, o.ID, ch)
}

// end ends an active (or not yet active) purchase for good: its coverage grant is cancelled
// and purchase.refunded is emitted when it had been active.
func end(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase, status string) error {
	wasActive := p.Status == StatusActive
	row, err := tx.Q.EndPurchase(ctx, tx, db.EndPurchaseParams{TenantID: tx.Scope.TenantID, ID: p.ID, Status: status})
	if err != nil {
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return nil // already ended
		}
		return err
	}
	if row.GrantID.Valid {
		if _, err := tx.Q.CancelGrant(ctx, tx, db.CancelGrantParams{TenantID: tx.Scope.TenantID, ID: row.GrantID.UUID}); err != nil &&
			!errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return err
		}
	}
	if wasActive {
		if err := restoreOrder(ctx, tx, jobs, row); err != nil {
			return err
		}
	} else if err := releaseCredit(ctx, tx, row); err != nil {
		return err // never paid: its reserved credit is the customer's again
	}
	if !wasActive || status != StatusRefunded {
		return nil
	}
	return emit(ctx, tx, jobs, EventPurchaseRefunded, row, map[string]any{"purchase_id": row.ID, "product_code": row.ProductCode,
		"order_id": idPtr(row.OrderID), "registration_id": idPtr(row.RegistrationID), "refunded_amount": row.RefundedAmount, "currency": row.Currency})
}

func equalFold(a, b string) bool { return lower(a) == lower(b) }

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// Channels are where a purchase was made (Purchase.Channel), in the order the API documents them.
var Channels = []string{"checkout", "counter"}

// RefundBases are how a cancellation's refund is computed (RefundQuote.Basis), in the order the API documents them.
var RefundBases = []string{"full", "pro_rata", "none"}
