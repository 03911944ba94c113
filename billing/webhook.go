package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// ErrBadSignature means the webhook request is not signed by Stripe with our secret (or is too old).
var ErrBadSignature = errors.New("billing: invalid Stripe signature")

// Handled are the Stripe event types billing acts on; others are stored as ignored.
var Handled = []string{
	"checkout.session.completed", "checkout.session.expired", "payment_intent.succeeded", "payment_intent.payment_failed",
	"charge.refunded", "charge.refund.updated", "refund.updated", "refund.failed",
	"charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated", "charge.dispute.closed",
	"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
	"invoice.paid", "invoice.payment_failed",
}

// unmarshal decodes an event's object.
func unmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }

func handled(t string) bool {
	for _, h := range Handled {
		if h == t {
			return true
		}
	}
	return false
}

// Receipt says what happened to a delivered event.
type Receipt struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	Duplicate bool   `json:"duplicate" doc:"Seen before: nothing was done again"`
	Ignored   bool   `json:"ignored" doc:"A type billing does not act on"`
}

// ProcessArgs asks for one stored Stripe event to be applied.
type ProcessArgs struct {
	EventID string `json:"event_id"`
}

// Kind names the job.
func (ProcessArgs) Kind() string { return "stripe_event" }

// ProcessArgs has no uniqueness: the inbox already stores each event once, and running an
// event twice changes nothing (its outcome is checked first, its effects are idempotent), so
// a wake-up for a deferred event is never swallowed by a job still finishing.

// hints are the routing facts of an event's object.
type hints struct {
	object        string
	id            string
	metadata      map[string]string
	paymentIntent string
	charge        string
	customer      string
	subscription  string
	clientRef     string
}

func (h hints) keys() []string {
	var out []string
	for _, k := range []string{h.id, h.paymentIntent, h.charge, h.customer, h.subscription} {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// idOf reads an id that Stripe sends either as a string or as an expanded object.
func idOf(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

func hintsOf(raw json.RawMessage) hints {
	var o struct {
		Object              string            `json:"object"`
		ID                  string            `json:"id"`
		Metadata            map[string]string `json:"metadata"`
		PaymentIntent       json.RawMessage   `json:"payment_intent"`
		Charge              json.RawMessage   `json:"charge"`
		Customer            json.RawMessage   `json:"customer"`
		Subscription        json.RawMessage   `json:"subscription"`
		ClientReferenceID   string            `json:"client_reference_id"`
		SubscriptionDetails struct {
			Metadata map[string]string `json:"metadata"`
		} `json:"subscription_details"`
	}
	_ = json.Unmarshal(raw, &o)
	h := hints{object: o.Object, id: o.ID, metadata: o.Metadata, paymentIntent: idOf(o.PaymentIntent), charge: idOf(o.Charge),
		customer: idOf(o.Customer), subscription: idOf(o.Subscription), clientRef: o.ClientReferenceID}
	if h.metadata == nil {
		h.metadata = o.SubscriptionDetails.Metadata
	}
	switch o.Object {
	case "payment_intent":
		h.paymentIntent = o.ID
	case "charge":
		h.charge = o.ID
	case "subscription":
		h.subscription = o.ID
	}
	return h
}

// madeObject is an object of the platform's making that an event names: its route key and
// the words for it in a mismatch.
type madeObject struct {
	key, what string
	id        uuid.UUID
}

// madeObjects are the objects the platform made that an event names (its purchase, a bill's
// payment, a loan's deposit): each was recorded as its tenant's when it was made.
func madeObjects(purchase uuid.UUID, h hints) []madeObject {
	var out []madeObject
	if purchase != uuid.Nil {
		out = append(out, madeObject{purchaseKey(purchase), "purchase", purchase})
	}
	if bp := h.billPayment(); bp != uuid.Nil {
		out = append(out, madeObject{billPaymentKey(bp), "bill payment", bp})
	}
	if l := h.loan(); l != uuid.Nil {
		out = append(out, madeObject{loanKey(l), "loan", l})
	}
	return out
}

// paid is what a payment event says came in for a payment the platform started.
type paid struct {
	intent, charge, currency string
	amount                   int64
}

// paymentEvent reads the two events that confirm a payment the platform started (a bill's
// payment, a loan's deposit): checkout.session.completed and payment_intent.succeeded. ok is
// false for any other type. With ok, p is what came in (nil when nothing did yet: a session
// awaiting payment, an object that does not decode, as eff says), and eff carries the routes
// the event teaches.
func paymentEvent(ev stripe.Event, h hints, t uuid.UUID) (p *paid, eff effect, ok bool) {
	eff = effect{routes: []route{{h.paymentIntent, t, uuid.Nil}}}
	switch ev.Type {
	case "checkout.session.completed":
		var cs stripe.CheckoutSession
		if err := unmarshal(ev.Data.Raw, &cs); err != nil {
			return nil, effect{outcome: "ignored", detail: "undecodable session"}, true
		}
		eff.routes = append(eff.routes, route{cs.ID, t, uuid.Nil})
		if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			eff.detail = "awaiting payment (" + string(cs.PaymentStatus) + ")"
			return nil, eff, true
		}
		return &paid{intent: h.paymentIntent, amount: cs.AmountTotal, currency: string(cs.Currency)}, eff, true
	case "payment_intent.succeeded":
		var pi stripe.PaymentIntent
		if err := unmarshal(ev.Data.Raw, &pi); err != nil {
			return nil, effect{outcome: "ignored", detail: "undecodable payment intent"}, true
		}
		charge, amount := received(pi)
		eff.routes = append(eff.routes, route{charge, t, uuid.Nil})
		return &paid{intent: pi.ID, charge: charge, amount: amount, currency: string(pi.Currency)}, eff, true
	}
	return nil, eff, false
}

// refundEvent reads the events that tell how a refund the platform asked for went (a bill
// payment's, a loan deposit's): charge.refund.updated, refund.updated and refund.failed. ok
// is false for any other type. With ok, rf is the refund (nil when it does not decode, as
// eff says), and eff carries the refund's route.
func refundEvent(ev stripe.Event, t uuid.UUID) (rf *stripe.Refund, eff effect, ok bool) {
	switch ev.Type {
	case "charge.refund.updated", "refund.updated", "refund.failed":
	default:
		return nil, effect{}, false
	}
	var r stripe.Refund
	if err := unmarshal(ev.Data.Raw, &r); err != nil {
		return nil, effect{outcome: "ignored", detail: "undecodable refund"}, true
	}
	return &r, effect{routes: []route{{r.ID, t, uuid.Nil}}}, true
}

// received is a succeeded payment intent's charge and the amount Stripe received.
func received(pi stripe.PaymentIntent) (charge string, amount int64) {
	if pi.LatestCharge != nil {
		charge = pi.LatestCharge.ID
	}
	amount = pi.AmountReceived
	if amount == 0 {
		amount = pi.Amount
	}
	return charge, amount
}

// paidMoment is when money Stripe reports (at Stripe's moment, at) came in for the tenant: a
// sandbox tenant's payments land at its test clock, since the wall clock means nothing to its
// terms and cooling-off periods.
func paidMoment(ctx context.Context, tx *tenants.Tx, at time.Time) (time.Time, error) {
	sandbox, err := tx.Sandbox(ctx)
	if err != nil || !sandbox {
		return at, err
	}
	return tx.Now(ctx)
}

func (h hints) tenant() uuid.UUID {
	id, _ := uuid.Parse(h.metadata["tenant_id"])
	return id
}

func (h hints) purchase() uuid.UUID {
	id, _ := uuid.Parse(h.metadata["purchase_id"])
	if id == uuid.Nil {
		id, _ = uuid.Parse(h.clientRef)
	}
	return id
}

// Receive verifies a webhook delivery, stores the event once (by id) and queues its
// processing in the same transaction. It does no other work, so Stripe gets its 2xx fast.
// A bad signature is ErrBadSignature; an unhandled type is stored as ignored (and logged).
func (s *Service) Receive(ctx context.Context, jobs events.Inserter, payload []byte, signature string) (Receipt, error) {
	if s.cfg.WebhookSecret == "" {
		return Receipt{}, ErrNotConfigured
	}
	ev, err := webhook.ConstructEvent(payload, signature, s.cfg.WebhookSecret)
	if err != nil {
		s.Log.WarnContext(ctx, "stripe webhook rejected", "err", err)
		return Receipt{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	rec := Receipt{EventID: ev.ID, Type: string(ev.Type), Ignored: !handled(string(ev.Type))}
	if ev.ID == "" || ev.Data == nil {
		return Receipt{}, fmt.Errorf("%w: no event id or data", ErrBadSignature)
	}
	h := hintsOf(ev.Data.Raw)
	if rec.Ignored {
		s.Log.InfoContext(ctx, "stripe event type ignored", "event", ev.ID, "type", ev.Type)
	}
	err = s.DB.Platform(ctx, "stripe event: record", uuid.Nil, func(tx *tenants.Tx) error {
		n, err := tx.Q.InsertStripeEvent(ctx, tx, db.InsertStripeEventParams{ID: ev.ID, Type: string(ev.Type), Livemode: ev.Livemode,
			Created: time.Unix(ev.Created, 0), Payload: payload, TargetTenant: nullID(h.tenant()), ObjectKeys: h.keys()})
		if err != nil {
			return err
		}
		rec.Duplicate = n == 0
		if rec.Duplicate {
			return nil
		}
		if rec.Ignored {
			return tx.Q.FinishStripeEvent(ctx, tx, db.FinishStripeEventParams{ID: ev.ID, Outcome: "ignored", Detail: "type not handled"})
		}
		_, err = tx.Insert(ctx, jobs, ProcessArgs{EventID: ev.ID}, nil)
		return err
	})
	return rec, err
}

// route is a learned owner of a Stripe object.
type route struct {
	object   string
	tenant   uuid.UUID
	purchase uuid.UUID
}

// effect is what applying an event did.
type effect struct {
	outcome string // applied, ignored, deferred
	detail  string
	routes  []route
	keys    []string // deferred: the objects whose owner is awaited
}

// Process applies one stored event. The inbox is read on the platform path; the effects run
// in the addressed tenant's own transaction. An event whose tenant cannot be known yet (a
// charge seen before its payment) is deferred and re-run when its owner becomes known.
func (s *Service) Process(ctx context.Context, jobs events.Inserter, id string) error {
	var row db.StripeEvent
	err := s.DB.Platform(ctx, "stripe event: load", uuid.Nil, func(tx *tenants.Tx) (err error) {
		row, err = tx.Q.GetStripeEvent(ctx, tx, id)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	switch row.Outcome {
	case "applied", "ignored", "unknown_tenant", "mismatch":
		return nil
	}
	var ev stripe.Event
	if err := json.Unmarshal(row.Payload, &ev); err != nil || ev.Data == nil {
		return s.finish(ctx, jobs, id, uuid.Nil, effect{outcome: "ignored", detail: "undecodable payload"})
	}
	h := hintsOf(ev.Data.Raw)
	tenant, purchase, err := s.resolve(ctx, h)
	if err != nil {
		return err
	}
	if tenant == uuid.Nil {
		s.Log.InfoContext(ctx, "stripe event deferred: owner unknown yet", "event", id, "type", ev.Type)
		return s.finish(ctx, jobs, id, uuid.Nil, effect{outcome: "deferred", detail: "no tenant known for " + strings.Join(h.keys(), ","), keys: h.keys()})
	}
	var exists bool
	if err := s.DB.Platform(ctx, "stripe event: tenant exists", uuid.Nil, func(tx *tenants.Tx) (err error) {
		exists, err = tx.Q.TenantExists(ctx, tx, tenant)
		return err
	}); err != nil {
		return err
	}
	if !exists {
		s.Log.WarnContext(ctx, "stripe event for an unknown tenant ignored", "event", id, "type", ev.Type, "tenant", tenant)
		return s.finish(ctx, jobs, id, uuid.Nil, effect{outcome: "unknown_tenant", detail: "tenant " + tenant.String() + " does not exist"})
	}
	for _, o := range madeObjects(purchase, h) {
		// An object the platform made belongs to the tenant it made it for, whatever the
		// event's metadata says.
		owner, known, err := s.ownerOf(ctx, o.key)
		if err != nil {
			return err
		}
		if known && owner.Tenant != tenant {
			return s.mismatch(ctx, jobs, id, string(ev.Type), tenant, fmt.Sprintf("names %s %s of tenant %s, metadata says tenant %s",
				o.what, o.id, owner.Tenant, tenant))
		}
	}
	foreign, err := s.routedElsewhere(ctx, tenant, h.keys())
	if err != nil {
		return err
	}
	if foreign {
		// The event names this tenant, but Stripe objects it carries are another tenant's:
		// nothing is applied, no route is learned.
		return s.mismatch(ctx, jobs, id, string(ev.Type), tenant, "its objects belong to another tenant")
	}
	var eff effect
	err = s.DB.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.Actor{Kind: "system", Label: "stripe " + id}}, func(tx *tenants.Tx) (err error) {
		eff, err = s.apply(ctx, tx, jobs, ev, h, purchase)
		return err
	})
	var mm *mismatchError
	if errors.As(err, &mm) {
		return s.mismatch(ctx, jobs, id, string(ev.Type), tenant, mm.detail)
	}
	if err != nil {
		return err
	}
	switch eff.outcome {
	case "":
		eff.outcome = "applied"
	case "ignored":
		eff.routes = nil // an event that changed nothing teaches no owner
	}
	s.Log.InfoContext(ctx, "stripe event processed", "event", id, "type", ev.Type, "tenant", tenant, "outcome", eff.outcome, "detail", eff.detail)
	return s.finish(ctx, jobs, id, tenant, eff)
}

// mismatchError aborts applying an event whose objects disagree with what the platform
// recorded (a purchase already paid by another payment intent): nothing of it is applied.
type mismatchError struct{ detail string }

func (e *mismatchError) Error() string { return "stripe event mismatch: " + e.detail }

// mismatch records an event whose owner disagrees with the platform's record: nothing is
// applied, no route is learned, the inbox keeps it as "mismatch" and an alert is logged
// (level ERROR, alert=billing_stripe_mismatch) for a person to look at.
func (s *Service) mismatch(ctx context.Context, jobs events.Inserter, id, typ string, tenant uuid.UUID, detail string) error {
	s.Log.ErrorContext(ctx, "stripe event does not match the platform's records: not applied", "alert", "billing_stripe_mismatch",
		"event", id, "type", typ, "tenant", tenant, "detail", detail)
	return s.finish(ctx, jobs, id, tenant, effect{outcome: "mismatch", detail: "refused: " + detail})
}

// ownerOf returns the recorded owner of a Stripe object or purchase key.
func (s *Service) ownerOf(ctx context.Context, key string) (db.StripeRoute, bool, error) {
	var r db.StripeRoute
	err := s.DB.Platform(ctx, "stripe event: recorded owner", uuid.Nil, func(tx *tenants.Tx) (err error) {
		r, err = tx.Q.GetStripeRouteOf(ctx, tx, key)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// routedElsewhere reports whether any of an event's objects is known to belong to a tenant
// other than the one the event is for.
func (s *Service) routedElsewhere(ctx context.Context, tenant uuid.UUID, keys []string) (bool, error) {
	if len(keys) == 0 {
		return false, nil
	}
	var owners []uuid.UUID
	err := s.DB.Platform(ctx, "stripe event: owners of its objects", uuid.Nil, func(tx *tenants.Tx) (err error) {
		owners, err = tx.Q.StripeRouteOwners(ctx, tx, keys)
		return err
	})
	for _, o := range owners {
		if o != tenant {
			return true, err
		}
	}
	return false, err
}

// resolve finds the tenant (and purchase) of an event: our metadata on the object, else a
// route learned earlier, else the payment intent re-read from Stripe.
func (s *Service) resolve(ctx context.Context, h hints) (uuid.UUID, uuid.UUID, error) {
	if t := h.tenant(); t != uuid.Nil {
		return t, h.purchase(), nil
	}
	keys := h.keys()
	if len(keys) > 0 {
		var r db.StripeRoute
		err := s.DB.Platform(ctx, "stripe event: route to tenant", uuid.Nil, func(tx *tenants.Tx) (err error) {
			r, err = tx.Q.GetStripeRoute(ctx, tx, keys)
			return err
		})
		if err == nil {
			return r.Tenant, r.Purchase.UUID, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return uuid.Nil, uuid.Nil, err
		}
	}
	if h.paymentIntent != "" && s.Configured() {
		pi, err := s.stripe.PaymentIntents.Get(h.paymentIntent, &stripe.PaymentIntentParams{Params: stripe.Params{Context: ctx}})
		if err == nil && pi.Metadata != nil {
			t, _ := uuid.Parse(pi.Metadata["tenant_id"])
			p, _ := uuid.Parse(pi.Metadata["purchase_id"])
			return t, p, nil
		}
	}
	return uuid.Nil, uuid.Nil, nil
}

// finish records the outcome, the routes learned, and re-queues deferred events they unblock.
func (s *Service) finish(ctx context.Context, jobs events.Inserter, id string, tenant uuid.UUID, eff effect) error {
	return s.DB.Platform(ctx, "stripe event: finish", uuid.Nil, func(tx *tenants.Tx) error {
		if err := tx.Q.LockStripeRoutes(ctx, tx); err != nil {
			return err
		}
		if eff.outcome == "deferred" && len(eff.keys) > 0 {
			// The owner may have become known since resolve looked: then run again now.
			if _, err := tx.Q.GetStripeRoute(ctx, tx, eff.keys); err == nil {
				eff.outcome, eff.detail = "received", "owner known: retrying"
				if _, err := tx.Insert(ctx, jobs, ProcessArgs{EventID: id}, nil); err != nil {
					return err
				}
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var keys []string
		for _, r := range eff.routes {
			if r.object == "" {
				continue
			}
			if err := tx.Q.PutStripeRoute(ctx, tx, db.PutStripeRouteParams{ObjectID: r.object, Tenant: r.tenant, Purchase: nullID(r.purchase)}); err != nil {
				return err
			}
			keys = append(keys, r.object)
		}
		if err := tx.Q.FinishStripeEvent(ctx, tx, db.FinishStripeEventParams{ID: id, Outcome: eff.outcome, Detail: eff.detail,
			TargetTenant: nullID(tenant)}); err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		waiting, err := tx.Q.DeferredStripeEvents(ctx, tx, keys)
		if err != nil {
			return err
		}
		for _, w := range waiting {
			if _, err := tx.Insert(ctx, jobs, ProcessArgs{EventID: w}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// apply runs an event's effects in its tenant's transaction.
func (s *Service) apply(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, ev stripe.Event, h hints, purchase uuid.UUID) (effect, error) {
	if l := h.loan(); l != uuid.Nil && purchase == uuid.Nil {
		return s.applyLoanDeposit(ctx, tx, ev, h, l)
	}
	if bp := h.billPayment(); bp != uuid.Nil && purchase == uuid.Nil {
		return s.applyBill(ctx, tx, ev, h, bp)
	}
	at := time.Unix(ev.Created, 0).UTC()
	t := tx.Scope.TenantID
	raw := ev.Data.Raw
	switch ev.Type {
	case "checkout.session.completed":
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(raw, &cs); err != nil {
			return effect{outcome: "ignored", detail: "undecodable session"}, nil
		}
		eff := effect{routes: []route{{cs.ID, t, purchase}, {h.paymentIntent, t, purchase}}}
		if purchase == uuid.Nil && cs.Mode == stripe.CheckoutSessionModeSubscription {
			// The tenant paid for its platform plan (platform_pay.go).
			d, ids, err := s.applySubscriptionCheckout(ctx, tx, cs, at)
			for _, id := range ids {
				eff.routes = append(eff.routes, route{id, t, uuid.Nil})
			}
			eff.detail = d
			return eff, err
		}
		if purchase == uuid.Nil {
			eff.outcome, eff.detail = "ignored", "session without a purchase"
			return eff, nil
		}
		if err := requireTenantsPurchase(ctx, tx, purchase); err != nil {
			return effect{}, err
		}
		if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			if err := tx.Q.SetPurchaseStripeRefs(ctx, tx, db.SetPurchaseStripeRefsParams{TenantID: tx.Scope.TenantID,
				ID: purchase, SessionID: cs.ID, PaymentIntentID: h.paymentIntent}); err != nil {
				return eff, err
			}
			eff.detail = "awaiting payment (" + string(cs.PaymentStatus) + ")"
			return eff, nil
		}
		var err error
		eff.detail, err = activate(ctx, tx, jobs, purchase, h.paymentIntent, "", cs.AmountTotal, string(cs.Currency), at)
		return eff, err

	case "checkout.session.expired":
		eff := effect{routes: []route{{h.id, t, purchase}}}
		if purchase == uuid.Nil {
			eff.outcome, eff.detail = "ignored", "session without a purchase"
			return eff, nil
		}
		if err := requireTenantsPurchase(ctx, tx, purchase); err != nil {
			return effect{}, err
		}
		n, err := tx.Q.ExpirePurchase(ctx, tx, db.ExpirePurchaseParams{TenantID: tx.Scope.TenantID, ID: purchase})
		if err != nil {
			return eff, err
		}
		eff.detail = "checkout expired unpaid: purchase expired"
		if n == 0 {
			eff.detail = "checkout expired; purchase was not pending (a payment or an end wins)"
			return eff, nil
		}
		// Credit it reserved is the customer's again. (A payment Stripe still confirms
		// afterwards activates it at the reduced price without taking the credit again: a
		// known gap, docs/billing.md.)
		return eff, releaseCredit(ctx, tx, db.Purchase{ID: purchase})

	case "payment_intent.succeeded":
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(raw, &pi); err != nil {
			return effect{outcome: "ignored", detail: "undecodable payment intent"}, nil
		}
		charge, amount := received(pi)
		eff := effect{routes: []route{{pi.ID, t, purchase}, {charge, t, purchase}}}
		if purchase == uuid.Nil {
			eff.outcome, eff.detail = "ignored", "payment intent without a purchase"
			return eff, nil
		}
		if err := requireTenantsPurchase(ctx, tx, purchase); err != nil {
			return effect{}, err
		}
		var err error
		eff.detail, err = activate(ctx, tx, jobs, purchase, pi.ID, charge, amount, string(pi.Currency), at)
		return eff, err

	case "payment_intent.payment_failed":
		eff := effect{routes: []route{{h.paymentIntent, t, purchase}}}
		if purchase == uuid.Nil {
			eff.outcome, eff.detail = "ignored", "payment intent without a purchase"
			return eff, nil
		}
		if err := requireTenantsPurchase(ctx, tx, purchase); err != nil {
			return effect{}, err
		}
		n, err := tx.Q.FailPurchase(ctx, tx, db.FailPurchaseParams{TenantID: tx.Scope.TenantID, ID: purchase})
		eff.detail = "payment failed"
		if n == 0 {
			eff.detail = "payment failed; purchase was not pending (a later success or end wins)"
		}
		return eff, err

	case "charge.refunded":
		var ch stripe.Charge
		if err := json.Unmarshal(raw, &ch); err != nil {
			return effect{outcome: "ignored", detail: "undecodable charge"}, nil
		}
		if h.paymentIntent != "" {
			// A flagged payment (wrong amount, duplicate) is refunded on its own, never
			// counted against the purchase it did not pay for.
			f, err := tx.Q.GetPaymentFlagByIntent(ctx, tx, db.GetPaymentFlagByIntentParams{TenantID: tx.Scope.TenantID,
				PaymentIntentID: h.paymentIntent})
			if err == nil {
				eff := effect{routes: []route{{ch.ID, t, f.PurchaseID}}}
				eff.detail, err = applyFlagRefund(ctx, tx, jobs, f, ch.AmountRefunded, ch.ID, at)
				return eff, err
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return effect{}, err
			}
		}
		p, ok, err := purchaseOf(ctx, tx, purchase, h.paymentIntent)
		if err != nil || !ok {
			return effect{outcome: "ignored", detail: "no purchase for this charge"}, err
		}
		eff := effect{routes: []route{{ch.ID, t, p.ID}}}
		eff.detail, err = applyRefunds(ctx, tx, jobs, p.ID, ch.AmountRefunded, ch.ID, string(ch.Currency), at)
		return eff, err

	case "charge.refund.updated", "refund.updated", "refund.failed":
		var rf stripe.Refund
		if err := json.Unmarshal(raw, &rf); err != nil {
			return effect{outcome: "ignored", detail: "undecodable refund"}, nil
		}
		if rf.Status != stripe.RefundStatusFailed && rf.Status != stripe.RefundStatusCanceled {
			return effect{outcome: "ignored", detail: "refund " + string(rf.Status) + ": charge.refunded confirms refunds"}, nil
		}
		d, err := refundFailed(ctx, tx, jobs, rf)
		return effect{detail: d}, err

	case "charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated", "charge.dispute.closed":
		var d stripe.Dispute
		if err := json.Unmarshal(raw, &d); err != nil {
			return effect{outcome: "ignored", detail: "undecodable dispute"}, nil
		}
		p, ok, err := purchaseOf(ctx, tx, purchase, h.paymentIntent)
		if err != nil || !ok {
			return effect{outcome: "ignored", detail: "no purchase for this dispute"}, err
		}
		dd, err := dispute(ctx, tx, jobs, string(ev.Type), d, p, at)
		return effect{detail: dd, routes: []route{{d.ID, t, p.ID}}}, err

	case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted":
		var sub stripe.Subscription
		if err := json.Unmarshal(raw, &sub); err != nil {
			return effect{outcome: "ignored", detail: "undecodable subscription"}, nil
		}
		status := string(sub.Status)
		if ev.Type == "customer.subscription.deleted" {
			status = "canceled"
		}
		d, err := s.applySubscription(ctx, tx, status, sub.CurrentPeriodEnd, at)
		return effect{detail: d, routes: []route{{sub.ID, t, uuid.Nil}, {h.customer, t, uuid.Nil}}}, err

	case "invoice.paid", "invoice.payment_failed":
		var inv stripe.Invoice
		if err := json.Unmarshal(raw, &inv); err != nil {
			return effect{outcome: "ignored", detail: "undecodable invoice"}, nil
		}
		d, err := s.applyInvoice(ctx, tx, jobs, inv, ev.Type == "invoice.paid", at)
		return effect{detail: d, routes: []route{{h.customer, t, uuid.Nil}}}, err
	}
	return effect{outcome: "ignored", detail: "type not handled"}, nil
}

// requireTenantsPurchase is a mismatch unless the tenant of tx has purchase id: an event
// naming a purchase the tenant does not have (another tenant's, or nobody's) applies nothing.
func requireTenantsPurchase(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	_, ok, err := purchaseOf(ctx, tx, id, "")
	if err == nil && !ok {
		return &mismatchError{"names purchase " + id.String() + ", which the tenant does not have"}
	}
	return err
}

// purchaseOf finds the purchase an event names, by id or by payment intent.
func purchaseOf(ctx context.Context, tx *tenants.Tx, id uuid.UUID, paymentIntent string) (db.Purchase, bool, error) {
	var p db.Purchase
	var err error
	switch {
	case id != uuid.Nil:
		p, err = tx.Q.GetPurchase(ctx, tx, db.GetPurchaseParams{TenantID: tx.Scope.TenantID, ID: id})
	case paymentIntent != "":
		p, err = tx.Q.GetPurchaseByIntent(ctx, tx, db.GetPurchaseByIntentParams{TenantID: tx.Scope.TenantID,
			PaymentIntentID: paymentIntent})
	default:
		return p, false, nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}

// applyRefunds applies a charge's cumulative refunded amount. Our own refunds (cancellation,
// compensation) are confirmed oldest first as far as the amount covers them; anything more
// was refunded outside the product and is recorded as such. The refunded amount only grows,
// so an older event delivered late changes nothing. A confirmed cancellation, or a full
// refund, ends the entitlement.
func applyRefunds(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, purchaseID uuid.UUID, refunded int64, charge, currency string, at time.Time) (string, error) {
	p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: purchaseID})
	if err != nil {
		return "", err
	}
	refunds, err := tx.Q.ListRefundsOfPurchase(ctx, tx, db.ListRefundsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID})
	if err != nil {
		return "", err
	}
	var confirmed, compensated int64
	cancelled := false
	refunds = purchaseRefunds(refunds)
	for _, r := range refunds {
		if r.Status == "succeeded" {
			confirmed += r.Amount
			cancelled = cancelled || r.Reason == "cancellation"
			if r.Reason == "compensation" {
				compensated += r.Amount
			}
		}
	}
	for _, r := range refunds {
		if r.Status == "succeeded" || r.Status == "failed" || confirmed+r.Amount > refunded {
			continue
		}
		if _, err := tx.Q.ConfirmRefund(ctx, tx, db.ConfirmRefundParams{TenantID: tx.Scope.TenantID, ID: r.ID}); err != nil {
			return "", err
		}
		confirmed += r.Amount
		kind := "refund"
		if r.Reason == "compensation" {
			kind = "compensation"
			compensated += r.Amount
		} else {
			cancelled = true
		}
		if err := ledger(ctx, tx, kind, p.ID, -r.Amount, r.Currency, firstNonEmpty(r.StripeRefundID, charge), "refund:"+r.ID.String(),
			r.Reason+" refund of "+p.ProductCode, at); err != nil {
			return "", err
		}
		if r.Reason == "compensation" {
			// Stripe confirmed the compensation refund: only now is it issued and the
			// consumer told.
			comp, err := tx.Q.GetCompensationByRefund(ctx, tx, db.GetCompensationByRefundParams{TenantID: tx.Scope.TenantID,
				RefundID: uuid.NullUUID{UUID: r.ID, Valid: true}})
			if err == nil {
				err = issued(ctx, tx, jobs, comp, p)
			} else if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
			if err != nil {
				return "", err
			}
		}
	}
	recorded, err := tx.Q.SumRefundLedgerOfPurchase(ctx, tx, db.SumRefundLedgerOfPurchaseParams{TenantID: tx.Scope.TenantID,
		PurchaseID: nullID(p.ID)})
	if err != nil {
		return "", err
	}
	if refunded > recorded {
		if err := ledger(ctx, tx, "refund", p.ID, -(refunded - recorded), currency, charge, fmt.Sprintf("refund:%s:%d", charge, refunded),
			"refund made outside the product", at); err != nil {
			return "", err
		}
	}
	if err := tx.Q.SetPurchaseRefunded(ctx, tx, db.SetPurchaseRefundedParams{TenantID: tx.Scope.TenantID,
		ID: p.ID, RefundedAmount: refunded}); err != nil {
		return "", err
	}
	// A compensation refund, even a full one, leaves the upgrade in force for its order; a
	// cancellation, or a full refund made beyond it, ends the entitlement.
	if cancelled || (refunded >= p.Amount && refunded > compensated) {
		return fmt.Sprintf("refunded %d of %d: entitlement ended", refunded, p.Amount), end(ctx, tx, jobs, p, StatusRefunded)
	}
	return fmt.Sprintf("refunded %d of %d", refunded, p.Amount), nil
}

// Worker applies stored events.
type Worker struct {
	river.WorkerDefaults[ProcessArgs]
	Service *Service
}

// Work applies one event.
func (w *Worker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	return w.Service.Process(ctx, river.ClientFromContext[pgx.Tx](ctx), job.Args.EventID)
}
