// Package billing takes payments with Stripe: tenants' paid express-service products and
// plans, consumer checkout and counter sales, the webhook inbox, refunds and cancellation,
// compensation when a paid promise is broken, the per-tenant money ledger, and the
// platform's subscriptions of root tenants. docs/billing.md explains the design.
//
// Money is int64 minor units with an ISO 4217 currency. Every Stripe call that creates money
// movement carries a deterministic idempotency key, and every effect of a webhook event is
// guarded by a state check or a unique key in the same transaction, so Stripe's duplicate and
// out-of-order deliveries and River's retries change nothing twice.
//
// The package's API for the rest of the product:
//
//   - ExpressTargets: the SLA targets a paid per-incident upgrade sets on a service order;
//   - CountOrder: counts a service order towards the tenant's metered platform usage;
//   - Service.Consumer: the events consumer ("billing") that compensates on sla.breached.
package billing
