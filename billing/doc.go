// Package billing will hold payments with Stripe: tenants' express-service products and
// plans, consumer checkout, webhooks, compensation on broken promises and platform
// subscriptions (see the billing issue). It holds no code yet.
package billing
