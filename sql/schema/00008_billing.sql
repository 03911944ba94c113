-- +goose Up
-- Billing with Stripe (see docs/billing.md): tenants' paid express-service products and
-- plans, consumer purchases, refunds and compensation, a per-tenant money ledger, and the
-- platform's own subscriptions of root tenants.
--
-- Tenant tables follow the isolation model (tenant_id leads every key, RLS forced). Two
-- global tables hold platform data: platform_plans (what the platform sells to tenants) and
-- stripe_events (the webhook inbox). The inbox is readable only in a transaction without a
-- tenant (the platform path); its effects are applied inside the addressed tenant's own
-- transaction.

CREATE TABLE express_products (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  code               text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description        text NOT NULL DEFAULT '',
  kind               text NOT NULL CHECK (kind IN ('per_incident', 'plan')),
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  term_months        integer NOT NULL DEFAULT 0 CHECK (term_months BETWEEN 0 AND 120),
  targets            jsonb NOT NULL DEFAULT '{}',
  tier_code          text NOT NULL DEFAULT '',
  coverage           jsonb,
  eligibility        jsonb NOT NULL DEFAULT '{}',
  cooling_off_days   integer NOT NULL DEFAULT 7 CHECK (cooling_off_days BETWEEN 0 AND 365),
  after_cooling_off  text NOT NULL DEFAULT 'pro_rata' CHECK (after_cooling_off IN ('pro_rata', 'none')),
  compensation       jsonb NOT NULL DEFAULT '{"kind": "none"}',
  stripe_product_id  text NOT NULL DEFAULT '',
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code),
  CHECK ((kind = 'plan') = (term_months > 0))
);
COMMENT ON TABLE express_products IS 'Paid express-service products (per-incident upgrades) and fixed-term plans a root tenant sells.';

CREATE TABLE express_prices (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  product_id       uuid NOT NULL,
  currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  unit_amount      bigint NOT NULL CHECK (unit_amount > 0),
  active           boolean NOT NULL DEFAULT true,
  stripe_price_id  text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES express_products (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX express_prices_active_key ON express_prices (tenant_id, product_id, currency) WHERE active;
COMMENT ON TABLE express_prices IS 'Prices of a product per currency in minor units; a change adds a price, paid ones are never edited.';

CREATE TABLE purchases (
  tenant_id                   uuid NOT NULL REFERENCES tenants (id),
  id                          uuid NOT NULL,
  product_id                  uuid NOT NULL,
  price_id                    uuid NOT NULL,
  kind                        text NOT NULL CHECK (kind IN ('per_incident', 'plan')),
  product_code                text NOT NULL,
  channel                     text NOT NULL CHECK (channel IN ('checkout', 'counter')),
  customer_id                 uuid,
  consumer_id                 uuid,
  registration_id             uuid,
  order_id                    uuid,
  outlet_id                   uuid,
  currency                    char(3) NOT NULL,
  amount                      bigint NOT NULL CHECK (amount > 0),
  status                      text NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'failed', 'active', 'refunded', 'disputed', 'expired')),
  stripe_checkout_session_id  text NOT NULL DEFAULT '',
  stripe_payment_intent_id    text NOT NULL DEFAULT '',
  stripe_charge_id            text NOT NULL DEFAULT '',
  paid_at                     timestamptz,
  valid_from                  date,
  valid_until                 date,
  grant_id                    uuid,
  refunded_amount             bigint NOT NULL DEFAULT 0,
  cancel_requested_at         timestamptz,
  ended_at                    timestamptz,
  version                     integer NOT NULL DEFAULT 1,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES express_products (tenant_id, id),
  FOREIGN KEY (tenant_id, price_id) REFERENCES express_prices (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (kind <> 'plan' OR registration_id IS NOT NULL)
);
-- order_id references service_orders (tenant_id, id) once that table exists (orders issue).
CREATE INDEX purchases_order_idx ON purchases (tenant_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX purchases_registration_idx ON purchases (tenant_id, registration_id) WHERE registration_id IS NOT NULL;
CREATE INDEX purchases_customer_idx ON purchases (tenant_id, customer_id);
CREATE INDEX purchases_intent_idx ON purchases (tenant_id, stripe_payment_intent_id);
COMMENT ON TABLE purchases IS 'A consumer''s purchase of an express product or plan; active only after Stripe confirms payment.';

CREATE TABLE refunds (
  tenant_id         uuid NOT NULL,
  id                uuid NOT NULL,
  purchase_id       uuid NOT NULL,
  reason            text NOT NULL CHECK (reason IN ('cancellation', 'compensation')),
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          char(3) NOT NULL,
  idempotency_key   text NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'requested', 'succeeded', 'failed')),
  stripe_refund_id  text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  confirmed_at      timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, purchase_id) REFERENCES purchases (tenant_id, id)
);
CREATE INDEX refunds_purchase_idx ON refunds (tenant_id, purchase_id, created_at);
COMMENT ON TABLE refunds IS 'Refunds asked of Stripe (cancellation, compensation); succeeded when charge.refunded confirms them.';

CREATE TABLE compensations (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  purchase_id  uuid NOT NULL,
  order_id     uuid NOT NULL,
  breach_key   text NOT NULL,
  target       text NOT NULL DEFAULT '',
  kind         text NOT NULL CHECK (kind IN ('refund', 'credit')),
  amount       bigint NOT NULL CHECK (amount > 0),
  currency     char(3) NOT NULL,
  refund_id    uuid,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  issued_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, purchase_id),
  FOREIGN KEY (tenant_id, purchase_id) REFERENCES purchases (tenant_id, id),
  FOREIGN KEY (tenant_id, refund_id) REFERENCES refunds (tenant_id, id)
);
COMMENT ON TABLE compensations IS 'Compensation issued once per paid express promise that was broken (SLA breach).';

CREATE TABLE ledger_entries (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('payment', 'refund', 'compensation', 'credit', 'dispute', 'platform_fee')),
  purchase_id       uuid,
  amount            bigint NOT NULL,
  currency          char(3) NOT NULL,
  stripe_object_id  text NOT NULL DEFAULT '',
  effect_key        text NOT NULL,
  memo              text NOT NULL DEFAULT '',
  occurred_at       timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, effect_key)
);
CREATE INDEX ledger_entries_time_idx ON ledger_entries (tenant_id, occurred_at, id);
COMMENT ON TABLE ledger_entries IS 'Every money movement of a tenant (signed minor units: + to the tenant, - from it); effect_key makes each one recorded once.';

CREATE TABLE reconciliations (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  from_at      timestamptz NOT NULL,
  to_at        timestamptz NOT NULL,
  checked      integer NOT NULL,
  matched      integer NOT NULL,
  mismatches   jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
COMMENT ON TABLE reconciliations IS 'Results of checking the ledger against Stripe balance transactions.';

CREATE TABLE platform_subscriptions (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  plan_code               text NOT NULL,
  stripe_customer_id      text NOT NULL DEFAULT '',
  stripe_subscription_id  text NOT NULL DEFAULT '',
  metered_item_id         text NOT NULL DEFAULT '',
  status                  text NOT NULL DEFAULT 'incomplete'
                            CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')),
  current_period_end      timestamptz,
  grace_until             timestamptz,
  last_event_at           timestamptz,
  version                 integer NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE platform_subscriptions IS 'A root tenant''s subscription to a platform plan; payment failure starts a grace period, then read-only.';

CREATE TABLE platform_invoices (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  stripe_invoice_id  text NOT NULL,
  status             text NOT NULL,
  currency           char(3) NOT NULL,
  amount_due         bigint NOT NULL,
  amount_paid        bigint NOT NULL,
  hosted_url         text NOT NULL DEFAULT '',
  period_start       timestamptz,
  period_end         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stripe_invoice_id)
);
COMMENT ON TABLE platform_invoices IS 'Invoices of the platform subscription, as Stripe reported them.';

CREATE TABLE usage_counters (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  metric     text NOT NULL CHECK (metric IN ('orders')),
  month      date NOT NULL,
  count      bigint NOT NULL DEFAULT 0,
  reported   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, metric, month)
);
COMMENT ON TABLE usage_counters IS 'Metered usage per month (service orders), reported to Stripe for metered prices.';

-- Global (platform) tables.

CREATE TABLE platform_plans (
  code                     text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  name                     text NOT NULL,
  currency                 char(3) NOT NULL,
  monthly_amount           bigint NOT NULL CHECK (monthly_amount >= 0),
  per_order_amount         bigint NOT NULL DEFAULT 0 CHECK (per_order_amount >= 0),
  max_outlets              integer NOT NULL DEFAULT 0,
  stripe_price_id          text NOT NULL DEFAULT '',
  stripe_metered_price_id  text NOT NULL DEFAULT '',
  active                   boolean NOT NULL DEFAULT true,
  created_at               timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE platform_plans IS 'Plans the platform sells to root tenants (a monthly fee and a metered price per order).';

CREATE TABLE stripe_events (
  id             text PRIMARY KEY,
  type           text NOT NULL,
  livemode       boolean NOT NULL DEFAULT false,
  created        timestamptz NOT NULL,
  payload        jsonb NOT NULL,
  target_tenant  uuid,
  object_keys    text[] NOT NULL DEFAULT '{}',
  outcome        text NOT NULL DEFAULT 'received'
                   CHECK (outcome IN ('received', 'applied', 'ignored', 'unknown_tenant', 'deferred')),
  detail         text NOT NULL DEFAULT '',
  attempts       integer NOT NULL DEFAULT 0,
  received_at    timestamptz NOT NULL DEFAULT now(),
  processed_at   timestamptz
);
CREATE INDEX stripe_events_keys_idx ON stripe_events USING gin (object_keys) WHERE outcome = 'deferred';
COMMENT ON TABLE stripe_events IS 'Webhook inbox: each Stripe event once (by id). Platform data: readable only without a tenant.';

CREATE TABLE stripe_routes (
  object_id    text PRIMARY KEY,
  tenant       uuid NOT NULL,
  purchase     uuid,
  created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE stripe_routes IS 'Which tenant (and purchase) a Stripe object belongs to, for events that carry no metadata (charges, invoices).';

-- Row-level security on the tenant tables.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['express_products', 'express_prices', 'purchases', 'refunds', 'compensations', 'ledger_entries',
                           'reconciliations', 'platform_subscriptions', 'platform_invoices', 'usage_counters'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- The inbox and the routes are seen only on the platform path (no tenant in the transaction):
-- a tenant-scoped transaction, i.e. every request, reads and writes nothing there.
ALTER TABLE stripe_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_events FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON stripe_events
  USING ((SELECT app.tenant_id()) IS NULL) WITH CHECK ((SELECT app.tenant_id()) IS NULL);
ALTER TABLE stripe_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_routes FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON stripe_routes
  USING ((SELECT app.tenant_id()) IS NULL) WITH CHECK ((SELECT app.tenant_id()) IS NULL);

GRANT SELECT, INSERT, UPDATE, DELETE ON express_products, express_prices, platform_subscriptions, usage_counters TO aftersales_app;
GRANT SELECT, INSERT, UPDATE ON purchases, refunds, compensations, platform_invoices, stripe_events, stripe_routes TO aftersales_app;
GRANT SELECT, INSERT ON ledger_entries, reconciliations TO aftersales_app;
GRANT SELECT, INSERT, UPDATE ON platform_plans TO aftersales_app;

-- +goose Down
DROP TABLE stripe_routes, stripe_events, platform_plans, usage_counters, platform_invoices, platform_subscriptions,
  reconciliations, ledger_entries, compensations, refunds, purchases, express_prices, express_products;
