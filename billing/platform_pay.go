package billing

// Paying and managing the platform subscription: Stripe Checkout in subscription mode for a
// tenant's first payment, the Stripe customer portal for its card, plan and invoices, the
// invoices kept with their PDF links, the month's metered usage, and the notices to the
// tenant's admins and finance when a payment fails and before the grace period ends.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// SubscriptionLink is a Stripe page for the tenant's admin to open: a Checkout Session that
// pays the first invoice of a plan, or a customer portal session that manages it.
type SubscriptionLink struct {
	URL       string `json:"url" doc:"The Stripe page to open"`
	SessionID string `json:"session_id"`
}

// Usage is the platform usage of the tenant's current month with its price.
type Usage struct {
	PeriodStart time.Time   `json:"period_start" doc:"The month counted (UTC), as the metered price counts it"`
	PeriodEnd   time.Time   `json:"period_end"`
	PlanCode    string      `json:"plan_code,omitempty"`
	Currency    string      `json:"currency,omitempty"`
	Items       []UsageItem `json:"items"`
	Amount      int64       `json:"amount" doc:"Minor units: the metered amount so far (excludes the monthly fee)"`
	MonthlyFee  int64       `json:"monthly_fee" doc:"Minor units: the plan's monthly fee"`
}

// UsageItem is one metered counter.
type UsageItem struct {
	Metric     string `json:"metric" doc:"orders: service orders taken this month"`
	Count      int64  `json:"count"`
	Reported   int64  `json:"reported" doc:"The count last reported to Stripe"`
	UnitAmount int64  `json:"unit_amount" doc:"Minor units per unit"`
	Amount     int64  `json:"amount"`
}

// subscriptionReturnURL is where Stripe sends the admin back to: the staff app's platform
// subscription screen.
func (s *Service) subscriptionReturnURL(result string) string {
	u := strings.TrimRight(s.cfg.PublicURL, "/") + "/console/finance/subscription"
	if result != "" {
		u += "?checkout=" + result
	}
	return u
}

// StartSubscriptionCheckout opens a Stripe Checkout Session in subscription mode for the
// plan: the tenant's admin pays the first invoice there (the card is then kept for the next
// ones). The tenant's Stripe customer is created once and recorded, the session and the
// customer route to the tenant, and the completed session binds the subscription
// (checkout.session.completed). A tenant already paying for a plan manages it in the portal.
func (s *Service) StartSubscriptionCheckout(ctx context.Context, scope tenants.Scope, planCode string) (SubscriptionLink, error) {
	plan, t, existing, err := s.planContext(ctx, scope, planCode)
	if err != nil {
		return SubscriptionLink{}, err
	}
	if existing != nil && existing.StripeSubscriptionID != "" && paying(existing.Status) {
		return SubscriptionLink{}, &fault.ConflictError{Detail: "the tenant already pays for plan " + existing.PlanCode +
			"; change the plan or the card in the billing portal"}
	}
	sc, err := s.api()
	if err != nil {
		return SubscriptionLink{}, err
	}
	if err := s.ensurePlatformPrices(ctx, &plan); err != nil {
		return SubscriptionLink{}, err
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
			return SubscriptionLink{}, stripeError(err)
		}
		err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
			r, err := tx.Q.EnsureSubscriptionCustomer(ctx, tx, db.EnsureSubscriptionCustomerParams{TenantID: tx.Scope.TenantID,
				PlanCode: planCode, StripeCustomerID: c.ID})
			customerID = r.StripeCustomerID
			return err
		})
		if err != nil {
			return SubscriptionLink{}, err
		}
	}
	items := []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(plan.StripePriceID), Quantity: stripe.Int64(1)}}
	if plan.StripeMeteredPriceID != "" {
		items = append(items, &stripe.CheckoutSessionLineItemParams{Price: stripe.String(plan.StripeMeteredPriceID)})
	}
	p := &stripe.CheckoutSessionParams{Mode: stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer: stripe.String(customerID), LineItems: items,
		SuccessURL: stripe.String(s.subscriptionReturnURL("done")), CancelURL: stripe.String(s.subscriptionReturnURL("cancelled")),
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{Metadata: map[string]string{"tenant_id": tenant, "plan_code": planCode}}}
	p.AddMetadata("tenant_id", tenant)
	p.AddMetadata("plan_code", planCode)
	// One session per tenant, plan and minute: a retried request gets the same page.
	p.SetIdempotencyKey(fmt.Sprintf("platform-checkout:%s:%s:%d", tenant, planCode, time.Now().Unix()/60))
	p.Context = ctx
	sess, err := sc.CheckoutSessions.New(p)
	if err != nil {
		return SubscriptionLink{}, stripeError(err)
	}
	if err := s.routeToTenant(ctx, scope.TenantID, customerID, sess.ID); err != nil {
		return SubscriptionLink{}, err
	}
	out := SubscriptionLink{URL: sess.URL, SessionID: sess.ID}
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.Audit(ctx, "platform_subscription.checkout", "tenant", scope.TenantID, nil,
			map[string]string{"plan": planCode, "session": sess.ID})
	})
	return out, err
}

// paying reports whether a subscription status means the tenant has a plan it pays (or
// must pay) for, rather than none.
func paying(status string) bool {
	switch status {
	case "active", "trialing", "past_due", "unpaid", "paused":
		return true
	}
	return false
}

// PortalSession opens the Stripe customer portal for the tenant's customer, where the admin
// changes the card, the plan (as the portal is configured), and sees and pays invoices.
func (s *Service) PortalSession(ctx context.Context, scope tenants.Scope) (SubscriptionLink, error) {
	var customerID string
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		r, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		customerID = r.StripeCustomerID
		return nil
	})
	if err != nil {
		return SubscriptionLink{}, err
	}
	if customerID == "" {
		return SubscriptionLink{}, &fault.ConflictError{Detail: "the tenant is not a Stripe customer yet: subscribe to a plan first"}
	}
	sc, err := s.api()
	if err != nil {
		return SubscriptionLink{}, err
	}
	p := &stripe.BillingPortalSessionParams{Customer: stripe.String(customerID), ReturnURL: stripe.String(s.subscriptionReturnURL(""))}
	p.Context = ctx
	sess, err := sc.BillingPortalSessions.New(p)
	if err != nil {
		return SubscriptionLink{}, stripeError(err)
	}
	return SubscriptionLink{URL: sess.URL, SessionID: sess.ID}, nil
}

// routeToTenant records Stripe objects the platform created for the tenant, so their events
// route to it even without metadata.
func (s *Service) routeToTenant(ctx context.Context, tenant uuid.UUID, ids ...string) error {
	return s.DB.Platform(ctx, "platform billing: route subscription", uuid.Nil, func(tx *tenants.Tx) error {
		for _, id := range ids {
			if id == "" {
				continue
			}
			if err := tx.Q.PutStripeRoute(ctx, tx, db.PutStripeRouteParams{ObjectID: id, Tenant: tenant}); err != nil {
				return err
			}
		}
		return nil
	})
}

// applySubscriptionCheckout binds the subscription a completed subscription-mode Checkout
// created: it reads the subscription (with its first invoice) from Stripe, records it for
// the tenant with its metered item, stores the invoice, and an active subscription lifts a
// grace period or read-only state.
func (s *Service) applySubscriptionCheckout(ctx context.Context, tx *tenants.Tx, cs stripe.CheckoutSession, at time.Time) (string, []string, error) {
	if cs.Subscription == nil || cs.Subscription.ID == "" {
		return "subscription checkout without a subscription: awaiting it", nil, nil
	}
	planCode := cs.Metadata["plan_code"]
	plan, err := tx.Q.GetPlatformPlan(ctx, tx, planCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, &mismatchError{"names platform plan " + planCode + ", which does not exist"}
	}
	if err != nil {
		return "", nil, err
	}
	sc, err := s.api()
	if err != nil {
		return "", nil, err
	}
	gp := &stripe.SubscriptionParams{}
	gp.AddExpand("latest_invoice")
	gp.Context = ctx
	sub, err := sc.Subscriptions.Get(cs.Subscription.ID, gp)
	if err != nil {
		return "", nil, fmt.Errorf("read subscription %s: %w", cs.Subscription.ID, err)
	}
	customer := ""
	if cs.Customer != nil {
		customer = cs.Customer.ID
	}
	if customer == "" && sub.Customer != nil {
		customer = sub.Customer.ID
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
	status := subscriptionStatus(string(sub.Status))
	if _, err := tx.Q.UpsertPlatformSubscription(ctx, tx, db.UpsertPlatformSubscriptionParams{TenantID: tx.Scope.TenantID,
		PlanCode: planCode, StripeCustomerID: customer, StripeSubscriptionID: sub.ID, MeteredItemID: metered,
		Status: status, CurrentPeriodEnd: pe}); err != nil {
		return "", nil, err
	}
	if inv := sub.LatestInvoice; inv != nil && inv.ID != "" {
		if err := storeInvoice(ctx, tx, *inv, inv.Status == stripe.InvoiceStatusPaid); err != nil {
			return "", nil, err
		}
	}
	if err := tx.Audit(ctx, "platform_subscription.create", "tenant", tx.Scope.TenantID, nil,
		map[string]string{"plan": planCode, "subscription": sub.ID, "via": "checkout"}); err != nil {
		return "", nil, err
	}
	routes := []string{sub.ID, customer}
	if status == "active" || status == "trialing" {
		return "subscription checkout completed: " + status, routes, restore(ctx, tx)
	}
	return "subscription checkout completed: " + status, routes, nil
}

// storeInvoice records an invoice as Stripe shows it, with its hosted page and PDF.
func storeInvoice(ctx context.Context, tx *tenants.Tx, inv stripe.Invoice, paid bool) error {
	status := string(inv.Status)
	if paid {
		status = "paid"
	}
	if status == "" {
		status = "open"
	}
	var ps, pe *time.Time
	if inv.PeriodStart > 0 {
		v := time.Unix(inv.PeriodStart, 0).UTC()
		ps = &v
	}
	if inv.PeriodEnd > 0 {
		v := time.Unix(inv.PeriodEnd, 0).UTC()
		pe = &v
	}
	return tx.Q.StorePlatformInvoice(ctx, tx, db.StorePlatformInvoiceParams{TenantID: tx.Scope.TenantID,
		StripeInvoiceID: inv.ID, Status: status, Currency: strings.ToUpper(string(inv.Currency)), AmountDue: inv.AmountDue,
		AmountPaid: inv.AmountPaid, HostedUrl: inv.HostedInvoiceURL, InvoicePdf: inv.InvoicePDF, PeriodStart: ps, PeriodEnd: pe})
}

// billingRecipients are who hears about the platform bill: the tenant's admins and finance.
func billingRecipients() []notify.Recipient {
	return []notify.Recipient{notify.Role(string(access.TenantAdmin), uuid.Nil), notify.Role(string(access.Finance), uuid.Nil)}
}

// notifyPaymentFailed tells the tenant's admins and finance that a platform payment failed,
// until when they can pay, and where.
func (s *Service) notifyPaymentFailed(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, inv stripe.Invoice) error {
	if jobs == nil {
		return nil
	}
	sub, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return fault.DBError(err, "", "")
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return err
	}
	vars := map[string]string{"amount": notify.FormatMoney(inv.AmountDue, strings.ToUpper(string(inv.Currency))),
		"grace_until": graceText(sub.GraceUntil, t.Timezone), "pay_link": s.payLink(inv.HostedInvoiceURL)}
	_, err = events.Emit(ctx, tx, jobs, notify.PlatformPaymentFailed, "tenant", tx.Scope.TenantID, uuid.Nil, notify.Payload{
		Recipients: billingRecipients(), Vars: vars, Urgent: true})
	return err
}

// payLink is the invoice's hosted page, else the staff app's subscription screen (where the
// portal opens).
func (s *Service) payLink(hosted string) string {
	if hosted != "" {
		return hosted
	}
	return s.subscriptionReturnURL("")
}

func graceText(until *time.Time, tz string) string {
	if until == nil {
		return "-"
	}
	return notify.FormatTime(*until, tz)
}

// graceReminder is how long before the end of a grace period its admins are reminded:
// the configured lead, at most half the grace period.
func (s *Service) graceReminder() time.Duration {
	lead := s.cfg.GraceReminder
	if lead <= 0 {
		lead = 48 * time.Hour
	}
	if half := s.cfg.Grace / 2; lead > half {
		lead = half
	}
	return lead
}

// remindGrace reminds the tenant's admins and finance, once per grace period, that the
// tenant becomes read-only at the end of it unless the bill is paid.
func (s *Service) remindGrace(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, sub db.PlatformSubscription, now time.Time) error {
	if jobs == nil || sub.GraceUntil == nil || !now.Before(*sub.GraceUntil) || sub.GraceUntil.Sub(now) > s.graceReminder() {
		return nil
	}
	n, err := tx.Q.MarkGraceReminded(ctx, tx, tx.Scope.TenantID)
	if err != nil || n == 0 {
		return err
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return err
	}
	link := ""
	if invs, err := tx.Q.ListPlatformInvoices(ctx, tx, db.ListPlatformInvoicesParams{TenantID: tx.Scope.TenantID, Lim: 10}); err == nil {
		for _, i := range invs {
			if i.Status != "paid" && i.HostedUrl != "" && link == "" {
				link = i.HostedUrl
			}
		}
	}
	_, err = events.Emit(ctx, tx, jobs, notify.PlatformGraceEnding, "tenant", tx.Scope.TenantID, uuid.Nil, notify.Payload{
		Recipients: billingRecipients(), Vars: map[string]string{"grace_until": graceText(sub.GraceUntil, t.Timezone),
			"pay_link": s.payLink(link)}, Urgent: true})
	return err
}

// CurrentUsage is the tenant's metered usage of the current month (UTC, as reported to
// Stripe): the month's service orders as stored or counted, whichever is more, with the
// plan's price per order.
func CurrentUsage(ctx context.Context, tx *tenants.Tx, now time.Time) (Usage, error) {
	month := monthOf(now)
	out := Usage{PeriodStart: month, PeriodEnd: month.AddDate(0, 1, 0), Items: []UsageItem{}}
	n, err := tx.Q.CountOrdersInMonth(ctx, tx, db.CountOrdersInMonthParams{TenantID: tx.Scope.TenantID,
		FromAt: out.PeriodStart, ToAt: out.PeriodEnd})
	if err != nil {
		return out, fmt.Errorf("count the month's orders: %w", err)
	}
	item := UsageItem{Metric: "orders", Count: n}
	u, err := tx.Q.GetUsage(ctx, tx, db.GetUsageParams{TenantID: tx.Scope.TenantID, Metric: "orders", Month: month})
	if err == nil {
		item.Count, item.Reported = max(item.Count, u.Count), u.Reported
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return out, err
	}
	sub, err := tx.Q.GetPlatformSubscription(ctx, tx, tx.Scope.TenantID)
	if err == nil {
		if plan, perr := tx.Q.GetPlatformPlan(ctx, tx, sub.PlanCode); perr == nil {
			out.PlanCode, out.Currency, out.MonthlyFee = plan.Code, plan.Currency, plan.MonthlyAmount
			item.UnitAmount = plan.PerOrderAmount
		} else if !errors.Is(perr, pgx.ErrNoRows) {
			return out, perr
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return out, err
	}
	item.Amount = item.Count * item.UnitAmount
	out.Items = append(out.Items, item)
	out.Amount = item.Amount
	return out, nil
}
