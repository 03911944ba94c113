-- +goose Up
-- Customer billing at the counter (docs/billing.md, "Bills"): a bill per service order built
-- from its approved quote and completion, with each line's payer from the warranty decision
-- (only the customer's share is billed), a discount that stays pending above the giver's
-- limit until a manager approves it, the customer's credit, and 发票 data; payments at the
-- counter (cash, card terminal) and online (Stripe Checkout from a pay link), partial ones
-- and refunds, each with its receipt. Every payment and refund is a ledger entry naming its
-- bill. A bill belongs to its order's outlet: outlet staff see their outlet's bills only.

CREATE TABLE bills (
  tenant_id              uuid NOT NULL REFERENCES tenants (id),
  id                     uuid NOT NULL,
  order_id               uuid NOT NULL,
  outlet_id              uuid,
  customer_id            uuid NOT NULL,
  quote_id               uuid,
  number                 text NOT NULL,
  currency               char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'paid', 'void')),
  lines                  jsonb NOT NULL DEFAULT '[]',
  subtotal               bigint NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
  discount               bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
  discount_reason        text NOT NULL DEFAULT '',
  discount_status        text NOT NULL DEFAULT 'none' CHECK (discount_status IN ('none', 'approved', 'pending', 'rejected')),
  discount_requested_by  text NOT NULL DEFAULT '',
  discount_decided_by    text NOT NULL DEFAULT '',
  credit_applied         bigint NOT NULL DEFAULT 0 CHECK (credit_applied >= 0),
  credits                jsonb NOT NULL DEFAULT '[]',
  total                  bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
  paid                   bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
  refunded               bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  buyer_name             text NOT NULL DEFAULT '' CHECK (length(buyer_name) <= 200),
  buyer_tax_id           text NOT NULL DEFAULT '' CHECK (buyer_tax_id ~ '^([0-9A-Z]{15,20})?$'),
  pay_token_hash         bytea,
  release_reason         text NOT NULL DEFAULT '',
  released_by            text NOT NULL DEFAULT '',
  released_at            timestamptz,
  receipts               integer NOT NULL DEFAULT 0,
  version                integer NOT NULL DEFAULT 1,
  issued_at              timestamptz,
  settled_at             timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_id),
  CHECK (refunded <= paid),
  CHECK (discount + credit_applied <= subtotal),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, quote_id) REFERENCES order_quotes (tenant_id, id)
);
CREATE INDEX bills_open_idx ON bills (tenant_id, id DESC) WHERE status = 'issued';
CREATE INDEX bills_customer_idx ON bills (tenant_id, customer_id);
COMMENT ON TABLE bills IS 'A service order''s bill to its customer: lines with their payer, discount, credit, totals and what was paid and refunded, in minor units.';

CREATE TABLE bill_payments (
  tenant_id                 uuid NOT NULL REFERENCES tenants (id),
  id                        uuid NOT NULL,
  bill_id                   uuid NOT NULL,
  outlet_id                 uuid,
  kind                      text NOT NULL CHECK (kind IN ('payment', 'refund')),
  method                    text NOT NULL CHECK (method IN ('cash', 'card', 'online')),
  amount                    bigint NOT NULL CHECK (amount > 0),
  currency                  char(3) NOT NULL,
  status                    text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'expired')),
  reference                 text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
  reason                    text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
  refund_of                 uuid,
  receipt_number            text,
  stripe_session_id         text NOT NULL DEFAULT '',
  stripe_payment_intent_id  text NOT NULL DEFAULT '',
  stripe_charge_id          text NOT NULL DEFAULT '',
  stripe_refund_id          text NOT NULL DEFAULT '',
  taken_by                  text NOT NULL DEFAULT '',
  created_at                timestamptz NOT NULL DEFAULT now(),
  settled_at                timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, receipt_number),
  FOREIGN KEY (tenant_id, bill_id) REFERENCES bills (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, refund_of) REFERENCES bill_payments (tenant_id, id),
  CHECK ((kind = 'refund') = (refund_of IS NOT NULL)),
  CHECK (method <> 'card' OR kind = 'refund' OR reference <> '')
);
CREATE INDEX bill_payments_bill_idx ON bill_payments (tenant_id, bill_id, created_at);
CREATE INDEX bill_payments_intent_idx ON bill_payments (tenant_id, stripe_payment_intent_id) WHERE stripe_payment_intent_id <> '';
CREATE INDEX bill_payments_day_idx ON bill_payments (tenant_id, settled_at) WHERE status = 'succeeded';
COMMENT ON TABLE bill_payments IS 'Money taken for a bill (cash, card terminal, online) or given back, each with its receipt number once it succeeded.';

-- The ledger names the bill of a payment or refund.
ALTER TABLE ledger_entries ADD COLUMN bill_id uuid;
ALTER TABLE ledger_entries ADD FOREIGN KEY (tenant_id, bill_id) REFERENCES bills (tenant_id, id);

-- Money terms of the counter: labour by order type, the visit fee, discount limits per role.
ALTER TABLE billing_settings
  ADD COLUMN labour_rates jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN visit_fee bigint NOT NULL DEFAULT 0 CHECK (visit_fee >= 0),
  ADD COLUMN discount_limits jsonb NOT NULL DEFAULT '{}';

ALTER TABLE bills ENABLE ROW LEVEL SECURITY;
ALTER TABLE bills FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bills
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));
ALTER TABLE bill_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE bill_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bill_payments
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()) AND app.every_consumer())
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()) AND app.every_consumer());
GRANT SELECT, INSERT, UPDATE ON bills, bill_payments TO aftersales_app;

-- +goose Down
ALTER TABLE billing_settings DROP COLUMN discount_limits, DROP COLUMN visit_fee, DROP COLUMN labour_rates;
ALTER TABLE ledger_entries DROP COLUMN bill_id;
DROP TABLE bill_payments, bills;
