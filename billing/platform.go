package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// PlatformPlan is a plan the platform sells to root tenants.
type PlatformPlan struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Currency       string `json:"currency"`
	MonthlyAmount  int64  `json:"monthly_amount" doc:"Minor units per month"`
	PerOrderAmount int64  `json:"per_order_amount" doc:"Minor units per service order (metered)"`
	MaxOutlets     int    `json:"max_outlets" doc:"0: unlimited"`
}

// Subscription is the tenant's platform subscription.
type Subscription struct {
	PlanCode         string     `json:"plan_code"`
	Status           string     `json:"status"`
	CurrentPeriodEnd *time.Time `json:"current_period_end,omitempty"`
	GraceUntil       *time.Time `json:"grace_until,omitempty" doc:"After this, with payment still failing, the tenant becomes read-only"`
	TenantStatus     string     `json:"tenant_status"` // one of tenants.Statuses
	// LatestInvoice is, on creation, the subscription's first invoice: its hosted page pays it.
	LatestInvoice *Invoice `json:"latest_invoice,omitempty" doc:"On creation: the first invoice; pay it on its hosted page, or through Checkout"`
}

// Invoice is a platform invoice of the tenant.
type Invoice struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Currency    string     `json:"currency"`
	AmountDue   int64      `json:"amount_due"`
	AmountPaid  int64      `json:"amount_paid"`
	HostedURL   string     `json:"hosted_url,omitempty" doc:"Stripe's page of the invoice, where an open one is paid"`
	PDFURL      string     `json:"pdf_url,omitempty" doc:"The invoice as a PDF"`
	PeriodStart *time.Time `json:"period_start,omitempty"`
	PeriodEnd   *time.Time `json:"period_end,omitempty"`
}

// UpsertPlatformPlan defines a platform plan (platform operators; demo seed).
func UpsertPlatformPlan(ctx context.Context, tx *tenants.Tx, p PlatformPlan) error {
	_, err := tx.Q.UpsertPlatformPlan(ctx, tx, db.UpsertPlatformPlanParams{Code: p.Code, Name: p.Name, Currency: p.Currency,
		MonthlyAmount: p.MonthlyAmount, PerOrderAmount: p.PerOrderAmount, MaxOutlets: int32(p.MaxOutlets)})
	return err
}

// PlatformPlans lists the plans on sale.
func PlatformPlans(ctx context.Context, tx *tenants.Tx) ([]PlatformPlan, error) {
	rows, err := tx.Q.ListPlatformPlans(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]PlatformPlan, len(rows))
	for i, r := range rows {
		out[i] = PlatformPlan{Code: r.Code, Name: r.Name, Currency: r.Currency, MonthlyAmount: r.MonthlyAmount,
			PerOrderAmount: r.PerOrderAmount, MaxOutlets: int(r.MaxOutlets)}
	}
	return out, nil
}

// GetSubscription returns the tenant's subscription (ErrNotFound without one).
func GetSubscription(ctx context.Context, tx *tenants.Tx) (Subscription, error) {
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Subscription{}, err
	}
	r, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return Subscription{TenantStatus: t.Status}, fault.DBError(err, "", "")
	}
	return Subscription{PlanCode: r.PlanCode, Status: r.Status, CurrentPeriodEnd: r.CurrentPeriodEnd, GraceUntil: r.GraceUntil,
		TenantStatus: t.Status}, nil
}

// ListInvoices returns the tenant's latest platform invoices.
func ListInvoices(ctx context.Context, tx *tenants.Tx, limit int32) ([]Invoice, error) {
	rows, err := tx.Q.ListPlatformInvoices(ctx, tx, db.ListPlatformInvoicesParams{TenantID: tx.Scope.TenantID, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Invoice, len(rows))
	for i, r := range rows {
		out[i] = Invoice{ID: r.StripeInvoiceID, Status: r.Status, Currency: r.Currency, AmountDue: r.AmountDue, AmountPaid: r.AmountPaid,
			HostedURL: r.HostedUrl, PDFURL: r.InvoicePdf, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd}
	}
	return out, nil
}

// planContext reads what subscribing the scope's tenant to planCode starts from: the plan (a
// 422 at plan_code when there is none), the tenant, and its subscription if it has one.
func (s *Service) planContext(ctx context.Context, scope tenants.Scope, planCode string) (db.PlatformPlan, tenants.Tenant, *db.PlatformSubscription, error) {
	var plan db.PlatformPlan
	var t tenants.Tenant
	var existing *db.PlatformSubscription
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		if plan, err = tx.Q.GetPlatformPlan(ctx, tx, planCode); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fault.Invalid("plan_code", "is not a platform plan")
			}
			return err
		}
		if t, err = tenants.GetTenant(ctx, tx); err != nil {
			return err
		}
		r, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
		if err == nil {
			existing = &r
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	return plan, t, existing, err
}

// Subscribe subscribes the scope's tenant to a platform plan: a Stripe customer and a
// subscription with the monthly price and the metered price per order, both tagged with
// the tenant. Its state then follows the subscription and invoice webhooks.
func (s *Service) Subscribe(ctx context.Context, scope tenants.Scope, planCode string) (Subscription, error) {
	sc, err := s.api()
	if err != nil {
		return Subscription{}, err
	}
	plan, t, existing, err := s.planContext(ctx, scope, planCode)
	if err != nil {
		return Subscription{}, err
	}
	if existing != nil && existing.Status != "canceled" && existing.Status != "incomplete_expired" && existing.PlanCode == planCode {
		return Subscription{}, &fault.ConflictError{Detail: "the tenant already subscribes to this plan"}
	}
	if err := s.ensurePlatformPrices(ctx, &plan); err != nil {
		return Subscription{}, err
	}
	tenant := scope.TenantID.String()
	customerID := ""
	if existing != nil {
		customerID = existing.StripeCustomerID
	}
	if customerID == "" {
		cp := &stripe.CustomerParams{Name: stripe.String(t.Name)}
		cp.AddMetadata("tenant_id", tenant)
		cp.SetIdempotencyKey("customer:" + tenant)
		cp.Context = ctx
		c, err := sc.Customers.New(cp)
		if err != nil {
			return Subscription{}, stripeError(err)
		}
		customerID = c.ID
	}
	items := []*stripe.SubscriptionItemsParams{{Price: stripe.String(plan.StripePriceID)}}
	if plan.StripeMeteredPriceID != "" {
		items = append(items, &stripe.SubscriptionItemsParams{Price: stripe.String(plan.StripeMeteredPriceID)})
	}
	sp := &stripe.SubscriptionParams{Customer: stripe.String(customerID), Items: items,
		PaymentBehavior: stripe.String("default_incomplete")}
	sp.AddExpand("latest_invoice")
	sp.AddMetadata("tenant_id", tenant)
	sp.AddMetadata("plan_code", planCode)
	sp.SetIdempotencyKey(fmt.Sprintf("subscription:%s:%s:%d", tenant, planCode, time.Now().Unix()/86400))
	sp.Context = ctx
	sub, err := sc.Subscriptions.New(sp)
	if err != nil {
		return Subscription{}, stripeError(err)
	}
	metered := ""
	if sub.Items != nil {
		for _, it := range sub.Items.Data {
			if it.Price != nil && it.Price.ID == plan.StripeMeteredPriceID {
				metered = it.ID
			}
		}
	}
	var pe *time.Time
	if sub.CurrentPeriodEnd > 0 {
		v := time.Unix(sub.CurrentPeriodEnd, 0).UTC()
		pe = &v
	}
	var out Subscription
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := tx.Q.UpsertPlatformSubscription(ctx, tx, db.UpsertPlatformSubscriptionParams{TenantID: tx.Scope.TenantID,
			PlanCode: planCode, StripeCustomerID: customerID,
			StripeSubscriptionID: sub.ID, MeteredItemID: metered, Status: subscriptionStatus(string(sub.Status)), CurrentPeriodEnd: pe}); err != nil {
			return err
		}
		if inv := sub.LatestInvoice; inv != nil && inv.ID != "" {
			// The first invoice is the tenant's to pay: listed at once, not only once its events come.
			if err := storeInvoice(ctx, tx, *inv, inv.Status == stripe.InvoiceStatusPaid); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, "platform_subscription.create", "tenant", scope.TenantID, nil, map[string]string{"plan": planCode}); err != nil {
			return err
		}
		out, err = GetSubscription(ctx, tx)
		if err == nil && sub.LatestInvoice != nil && sub.LatestInvoice.ID != "" {
			var got []Invoice
			if got, err = ListInvoices(ctx, tx, 100); err == nil {
				for i := range got {
					if got[i].ID == sub.LatestInvoice.ID {
						out.LatestInvoice = &got[i]
					}
				}
			}
		}
		return err
	})
	if err != nil {
		return out, err
	}
	// Events about this customer and subscription route to the tenant even without metadata.
	err = s.DB.Platform(ctx, "platform billing: route subscription", uuid.Nil, func(tx *tenants.Tx) error {
		for _, id := range []string{customerID, sub.ID} {
			if err := tx.Q.PutStripeRoute(ctx, tx, db.PutStripeRouteParams{ObjectID: id, Tenant: scope.TenantID}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func subscriptionStatus(s string) string {
	switch s {
	case "incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused":
		return s
	}
	return "incomplete"
}

// ensurePlatformPrices creates a plan's Stripe product and prices on first use.
func (s *Service) ensurePlatformPrices(ctx context.Context, plan *db.PlatformPlan) error {
	if plan.StripePriceID != "" && (plan.PerOrderAmount == 0 || plan.StripeMeteredPriceID != "") {
		return nil
	}
	sc, err := s.api()
	if err != nil {
		return err
	}
	pp := &stripe.ProductParams{Name: stripe.String("aftersales " + plan.Name)}
	pp.SetIdempotencyKey("platform-product:" + plan.Code)
	pp.AddMetadata("platform_plan", plan.Code)
	pp.Context = ctx
	prod, err := sc.Products.New(pp)
	if err != nil {
		return stripeError(err)
	}
	cur := strings.ToLower(plan.Currency)
	base := &stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String(cur), UnitAmount: stripe.Int64(plan.MonthlyAmount),
		Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month")}}
	base.SetIdempotencyKey("platform-price:" + plan.Code)
	base.Context = ctx
	bp, err := sc.Prices.New(base)
	if err != nil {
		return stripeError(err)
	}
	plan.StripePriceID = bp.ID
	if plan.PerOrderAmount > 0 {
		mp := &stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String(cur), UnitAmount: stripe.Int64(plan.PerOrderAmount),
			Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month"), UsageType: stripe.String("metered"),
				AggregateUsage: stripe.String("last_during_period")}}
		mp.SetIdempotencyKey("platform-metered-price:" + plan.Code)
		mp.Context = ctx
		m, err := sc.Prices.New(mp)
		if err != nil {
			return stripeError(err)
		}
		plan.StripeMeteredPriceID = m.ID
	}
	return s.DB.Platform(ctx, "platform billing: store plan prices", uuid.Nil, func(tx *tenants.Tx) error {
		return tx.Q.SetPlatformPlanPrices(ctx, tx, db.SetPlatformPlanPricesParams{Code: plan.Code, StripePriceID: plan.StripePriceID,
			StripeMeteredPriceID: plan.StripeMeteredPriceID})
	})
}

// applySubscription follows the subscription's status; an event older than the last one
// applied changes nothing.
func (s *Service) applySubscription(ctx context.Context, tx *tenants.Tx, status string, periodEnd int64, at time.Time) (string, error) {
	var pe *time.Time
	if periodEnd > 0 {
		v := time.Unix(periodEnd, 0).UTC()
		pe = &v
	}
	_, err := tx.Q.ApplySubscriptionState(ctx, tx, db.ApplySubscriptionStateParams{TenantID: tx.Scope.TenantID,
		Status: subscriptionStatus(status), CurrentPeriodEnd: pe, EventAt: &at})
	if errors.Is(err, pgx.ErrNoRows) {
		return "older than the state applied, or no subscription: ignored", nil
	}
	if err != nil {
		return "", err
	}
	switch status {
	case "active", "trialing":
		return "subscription " + status, restore(ctx, tx)
	case "past_due", "unpaid", "canceled", "incomplete_expired":
		return "subscription " + status + ": grace period", s.startGrace(ctx, tx)
	}
	return "subscription " + status, nil
}

// applyInvoice records a platform invoice (with its hosted page and PDF); paid restores the
// tenant, failed starts grace and tells the tenant's admins and finance.
func (s *Service) applyInvoice(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, inv stripe.Invoice, paid bool, at time.Time) (string, error) {
	was, err := tx.Q.GetPlatformInvoice(ctx, tx, db.GetPlatformInvoiceParams{TenantID: tx.Scope.TenantID, StripeInvoiceID: inv.ID})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	if err := storeInvoice(ctx, tx, inv, paid); err != nil {
		return "", err
	}
	if paid {
		if inv.AmountPaid > 0 {
			if err := ledger(ctx, tx, "platform_fee", uuid.Nil, -inv.AmountPaid, string(inv.Currency), inv.ID, "invoice:"+inv.ID,
				"platform subscription", at); err != nil {
				return "", err
			}
		}
		return "invoice paid", restore(ctx, tx)
	}
	if was.Status == "paid" {
		return "payment failure of an invoice since paid: ignored", nil
	}
	if err := s.startGrace(ctx, tx); err != nil {
		return "", err
	}
	return "invoice payment failed: grace period; admins told", s.notifyPaymentFailed(ctx, tx, jobs, inv)
}

// startGrace starts the grace period once; after it the tenant becomes read-only
// (EnforceGrace, or at once when the grace period is already over).
func (s *Service) startGrace(ctx context.Context, tx *tenants.Tx) error {
	sub, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	until := sub.GraceUntil
	if until == nil {
		v := time.Now().Add(s.cfg.Grace).UTC()
		until = &v
		if _, err := tx.Q.SetSubscriptionGrace(ctx, tx, db.SetSubscriptionGraceParams{TenantID: tx.Scope.TenantID,
			GraceUntil: until}); err != nil {
			return err
		}
	}
	if time.Now().After(*until) {
		return readOnly(ctx, tx)
	}
	return nil
}

func readOnly(ctx context.Context, tx *tenants.Tx) error {
	tx.Forget()
	n, err := tx.Q.SetTenantStatus(ctx, tx, db.SetTenantStatusParams{ID: tx.Scope.TenantID, Status: "read_only", FromStatus: "active"})
	if err != nil || n == 0 {
		return err
	}
	return tx.Audit(ctx, "tenant.read_only", "tenant", tx.Scope.TenantID, nil, map[string]string{"reason": "platform payment failed; grace period over"})
}

// restore ends the grace period and lifts read-only.
func restore(ctx context.Context, tx *tenants.Tx) error {
	if _, err := tx.Q.SetSubscriptionGrace(ctx, tx, db.SetSubscriptionGraceParams{TenantID: tx.Scope.TenantID,
		GraceUntil: nil}); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	tx.Forget()
	n, err := tx.Q.SetTenantStatus(ctx, tx, db.SetTenantStatusParams{ID: tx.Scope.TenantID, Status: "active", FromStatus: "read_only"})
	if err != nil || n == 0 {
		return err
	}
	return tx.Audit(ctx, "tenant.restored", "tenant", tx.Scope.TenantID, nil, map[string]string{"reason": "platform payment received"})
}

// EnforceGrace makes tenants whose grace period is over read-only, and reminds the admins
// and finance of a tenant whose grace period ends soon (once per grace period); jobs
// dispatches the reminders.
func (s *Service) EnforceGrace(ctx context.Context, jobs events.Inserter) error {
	return s.eachTenant(ctx, func(tx *tenants.Tx) error {
		sub, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if sub.GraceUntil != nil && time.Now().After(*sub.GraceUntil) {
			return readOnly(ctx, tx)
		}
		return s.remindGrace(ctx, tx, jobs, sub, time.Now())
	})
}

func (s *Service) eachTenant(ctx context.Context, fn func(tx *tenants.Tx) error) error {
	after := uuid.NullUUID{}
	for {
		list, err := s.DB.ListTenants(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, t := range list {
			if err := s.DB.Tx(ctx, tenants.Scope{TenantID: t.ID, Actor: tenants.SystemActor}, fn); err != nil {
				return err
			}
		}
		if len(list) < 200 {
			return nil
		}
		after = uuid.NullUUID{UUID: list[len(list)-1].ID, Valid: true}
	}
}

// CountOrder counts one unit of this month's metered usage for the scope's tenant. Service
// orders need not call it: ReportUsage counts the month's stored orders and reports the
// greater of the two; it is for usage that leaves no order row.
func CountOrder(ctx context.Context, tx *tenants.Tx, at time.Time) error {
	return tx.Q.CountUsage(ctx, tx, db.CountUsageParams{TenantID: tx.Scope.TenantID, Metric: "orders", Month: monthOf(at), N: 1})
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ReportUsage sets this month's order count on each subscription's metered item (action
// "set", so a repeat reports the same total, never adds).
func (s *Service) ReportUsage(ctx context.Context) error {
	sc, err := s.api()
	if err != nil {
		return nil // nothing to report to
	}
	month := monthOf(time.Now())
	return s.eachTenant(ctx, func(tx *tenants.Tx) error {
		sub, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (sub.MeteredItemID == "" || sub.Status == "canceled")) {
			return nil
		}
		if err != nil {
			return err
		}
		// The month's service orders as stored are the usage (CountOrder may only add to it).
		n, err := tx.Q.CountOrdersInMonth(ctx, tx, db.CountOrdersInMonthParams{TenantID: tx.Scope.TenantID,
			FromAt: month, ToAt: month.AddDate(0, 1, 0)})
		if err != nil {
			return err
		}
		if err := tx.Q.RaiseUsage(ctx, tx, db.RaiseUsageParams{TenantID: tx.Scope.TenantID,
			Metric: "orders", Month: month, N: n}); err != nil {
			return err
		}
		u, err := tx.Q.GetUsage(ctx, tx, db.GetUsageParams{TenantID: tx.Scope.TenantID, Metric: "orders", Month: month})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && u.Count <= u.Reported) {
			return nil
		}
		if err != nil {
			return err
		}
		p := &stripe.UsageRecordParams{SubscriptionItem: stripe.String(sub.MeteredItemID), Quantity: stripe.Int64(u.Count),
			Action: stripe.String("set"), Timestamp: stripe.Int64(time.Now().Unix())}
		p.SetIdempotencyKey(fmt.Sprintf("usage:%s:%s:%d", tx.Scope.TenantID, month.Format("2006-01"), u.Count))
		p.Context = ctx
		if _, err := sc.UsageRecords.New(p); err != nil {
			s.Log.WarnContext(ctx, "report usage", "tenant", tx.Scope.TenantID, "err", err)
			return nil
		}
		return tx.Q.MarkUsageReported(ctx, tx, db.MarkUsageReportedParams{TenantID: tx.Scope.TenantID,
			Metric: "orders", Month: month, Reported: u.Count})
	})
}

// Periodic jobs of billing.

// GraceArgs asks for grace periods to be enforced.
type GraceArgs struct{}

// Kind names the job.
func (GraceArgs) Kind() string { return "billing_grace" }

// UsageArgs asks for metered usage to be reported.
type UsageArgs struct{}

// Kind names the job.
func (UsageArgs) Kind() string { return "billing_usage" }

// ReconcileArgs asks for yesterday's ledger of every tenant to be reconciled.
type ReconcileArgs struct{}

// Kind names the job.
func (ReconcileArgs) Kind() string { return "billing_reconcile" }

type graceWorker struct {
	river.WorkerDefaults[GraceArgs]
	s *Service
}

func (w *graceWorker) Work(ctx context.Context, _ *river.Job[GraceArgs]) error {
	jobs, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("grace: no job client: %w", err)
	}
	return w.s.EnforceGrace(ctx, jobs)
}

type usageWorker struct {
	river.WorkerDefaults[UsageArgs]
	s *Service
}

func (w *usageWorker) Work(ctx context.Context, _ *river.Job[UsageArgs]) error {
	return w.s.ReportUsage(ctx)
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	s *Service
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	if !w.s.Configured() {
		return nil
	}
	to := time.Now().UTC().Truncate(24 * time.Hour)
	from := to.Add(-24 * time.Hour)
	tenantsList, err := w.s.DB.ListTenants(ctx, uuid.NullUUID{}, 10000)
	if err != nil {
		return err
	}
	for _, t := range tenantsList {
		if _, err := w.s.Reconcile(ctx, tenants.Scope{TenantID: t.ID, Actor: tenants.SystemActor}, from, to); err != nil {
			w.s.Log.WarnContext(ctx, "reconcile", "tenant", t.ID, "err", err)
		}
	}
	return nil
}

// AddWorkers registers billing's workers (webhook events, grace, usage, reconciliation).
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &Worker{Service: s})
	river.AddWorker(w, &graceWorker{s: s})
	river.AddWorker(w, &usageWorker{s: s})
	river.AddWorker(w, &reconcileWorker{s: s})
	s.addMoneyWorkers(w)
}

// PeriodicJobs are billing's periodic jobs.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return append(moneyPeriodicJobs(),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return GraceArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return UsageArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) { return ReconcileArgs{}, nil }, nil),
	)
}
