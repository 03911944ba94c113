-- +goose Up
-- Money made right (docs/billing.md): nothing bought twice, payments of the wrong amount
-- flagged for finance, refund failures and dispute outcomes followed, credits spent and
-- expired, and compensations seen only by the outlet of the breached order.

-- 1. Compensations belong to the breached order's outlet: staff confined to an outlet see
--    only theirs (as purchases, migration 00015).
ALTER TABLE compensations ADD COLUMN outlet_id uuid;
ALTER TABLE compensations ADD CONSTRAINT compensations_outlet_fkey FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id);
UPDATE compensations c SET outlet_id = o.outlet_id
FROM service_orders o
WHERE o.tenant_id = c.tenant_id AND o.id = c.order_id AND c.outlet_id IS NULL AND o.outlet_id IS NOT NULL;
ALTER POLICY tenant_isolation ON compensations
  USING (tenant_id = app.tenant_id() AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id()));
ALTER TABLE compensations DROP CONSTRAINT compensations_status_check;
ALTER TABLE compensations ADD CONSTRAINT compensations_status_check CHECK (status IN ('pending', 'issued', 'failed'));

-- 2. One active upgrade per order and product: a second identical upgrade is refused (its
--    payment is refunded). Plans on one unit follow each other (the later one's term starts
--    after the earlier one's end); their activation locks the unit's registration.
CREATE UNIQUE INDEX purchases_one_active_upgrade ON purchases (tenant_id, order_id, product_id)
  WHERE kind = 'per_incident' AND status = 'active';
ALTER TABLE purchases ADD COLUMN credit_applied bigint NOT NULL DEFAULT 0 CHECK (credit_applied >= 0);
COMMENT ON COLUMN purchases.credit_applied IS 'Customer credit spent on this purchase (minor units): amount is what Stripe charges, amount + credit_applied the price.';

-- 3. Refunds of flagged payments, refund failures, and the ledger's new movements.
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check CHECK (reason IN ('cancellation', 'compensation', 'duplicate', 'wrong_amount'));
ALTER TABLE refunds ADD COLUMN failure_reason text NOT NULL DEFAULT '';
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('payment', 'refund', 'compensation', 'credit',
  'dispute', 'platform_fee', 'refund_failed', 'credit_redeemed', 'credit_expired'));

CREATE TABLE payment_flags (
  tenant_id                 uuid NOT NULL REFERENCES tenants (id),
  id                        uuid NOT NULL,
  purchase_id               uuid NOT NULL,
  kind                      text NOT NULL CHECK (kind IN ('wrong_amount', 'duplicate')),
  stripe_payment_intent_id  text NOT NULL,
  stripe_charge_id          text NOT NULL DEFAULT '',
  expected_amount           bigint NOT NULL,
  expected_currency         char(3) NOT NULL,
  received_amount           bigint NOT NULL,
  received_currency         char(3) NOT NULL,
  status                    text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'refunding', 'refunded', 'accepted')),
  resolution                text NOT NULL DEFAULT '',
  refund_id                 uuid,
  resolved_by               uuid,
  resolved_at               timestamptz,
  version                   integer NOT NULL DEFAULT 1,
  created_at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, stripe_payment_intent_id),
  FOREIGN KEY (tenant_id, purchase_id) REFERENCES purchases (tenant_id, id),
  FOREIGN KEY (tenant_id, refund_id) REFERENCES refunds (tenant_id, id)
);
CREATE INDEX payment_flags_status_idx ON payment_flags (tenant_id, status, id);
COMMENT ON TABLE payment_flags IS 'Payments that activated nothing (wrong amount, a second payment for what is already bought): recorded, then refunded or accepted by finance.';

-- 4. Disputes and their outcome.
CREATE TABLE disputes (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  stripe_dispute_id  text NOT NULL,
  purchase_id        uuid NOT NULL,
  amount             bigint NOT NULL,
  currency           char(3) NOT NULL,
  reason             text NOT NULL DEFAULT '',
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  closed_at          timestamptz,
  PRIMARY KEY (tenant_id, stripe_dispute_id),
  FOREIGN KEY (tenant_id, purchase_id) REFERENCES purchases (tenant_id, id)
);
COMMENT ON TABLE disputes IS 'Card disputes of purchases: open until Stripe closes them won (funds and entitlement back) or lost.';

-- 5. Credits: spent on the customer's next purchase, expiring per the tenant's terms.
CREATE TABLE billing_settings (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  credit_validity_days  integer NOT NULL DEFAULT 365 CHECK (credit_validity_days BETWEEN 1 AND 3650),
  version               integer NOT NULL DEFAULT 1,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE billing_settings IS 'A tenant''s money terms: how many days a credit stays spendable.';

CREATE TABLE credits (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  customer_id      uuid NOT NULL,
  compensation_id  uuid,
  currency         char(3) NOT NULL,
  amount           bigint NOT NULL CHECK (amount > 0),
  remaining        bigint NOT NULL CHECK (remaining >= 0),
  issued_on        date NOT NULL,
  expires_on       date NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'spent', 'expired')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, compensation_id),
  CHECK (remaining <= amount),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, compensation_id) REFERENCES compensations (tenant_id, id)
);
CREATE INDEX credits_open_idx ON credits (tenant_id, customer_id, currency, expires_on) WHERE status = 'open';
CREATE INDEX credits_expiry_idx ON credits (tenant_id, expires_on) WHERE status = 'open';
COMMENT ON TABLE credits IS 'Credit a customer holds with the tenant (e.g. a broken promise''s compensation), spendable until expires_on (the tenant''s day).';

CREATE TABLE credit_redemptions (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  credit_id    uuid NOT NULL,
  purchase_id  uuid NOT NULL,
  amount       bigint NOT NULL CHECK (amount > 0),
  status       text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'redeemed', 'released')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, credit_id, purchase_id),
  FOREIGN KEY (tenant_id, credit_id) REFERENCES credits (tenant_id, id),
  FOREIGN KEY (tenant_id, purchase_id) REFERENCES purchases (tenant_id, id)
);
CREATE INDEX credit_redemptions_purchase_idx ON credit_redemptions (tenant_id, purchase_id);
COMMENT ON TABLE credit_redemptions IS 'Credit spent on a purchase: reserved when it starts, redeemed when it is paid, released if it expires unpaid.';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['payment_flags', 'disputes', 'billing_settings', 'credits', 'credit_redemptions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
-- A consumer sees only their own credits (their purchases spend them).
ALTER POLICY tenant_isolation ON credits
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
GRANT SELECT, INSERT, UPDATE ON payment_flags, disputes, billing_settings, credits, credit_redemptions TO aftersales_app;

-- +goose Down
DROP TABLE credit_redemptions, credits, billing_settings, disputes, payment_flags;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('payment', 'refund', 'compensation', 'credit', 'dispute', 'platform_fee'));
ALTER TABLE refunds DROP COLUMN failure_reason;
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check CHECK (reason IN ('cancellation', 'compensation'));
ALTER TABLE purchases DROP COLUMN credit_applied;
DROP INDEX purchases_one_active_upgrade;
ALTER TABLE compensations DROP CONSTRAINT compensations_status_check;
ALTER TABLE compensations ADD CONSTRAINT compensations_status_check CHECK (status IN ('pending', 'issued'));
ALTER POLICY tenant_isolation ON compensations
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE compensations DROP CONSTRAINT compensations_outlet_fkey;
ALTER TABLE compensations DROP COLUMN outlet_id;
