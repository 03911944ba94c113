-- +goose Up
-- Claim settlement (docs/claims.md): approved warranty claims gather into monthly statements
-- per counterparty, payable at the payer (to a partner tenant, or to its own outlet) and
-- receivable at the claimant; payments are recorded against a statement, each a ledger
-- entry. A partner's statement is kept in both tenants under the same id (the payer's
-- changes travel as network messages), never a shared row.

CREATE TABLE claim_statements (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  id                      uuid NOT NULL,
  direction               text NOT NULL CHECK (direction IN ('receivable', 'payable')),
  number                  text NOT NULL,
  period                  date NOT NULL CHECK (extract(day FROM period) = 1),
  agreement_id            uuid,
  counterparty_tenant_id  uuid,
  outlet_id               uuid,
  counterparty_name       text NOT NULL DEFAULT '',
  currency                char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount                  bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
  paid                    bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
  claims                  integer NOT NULL DEFAULT 0 CHECK (claims >= 0),
  status                  text NOT NULL CHECK (status IN ('open', 'partly_paid', 'paid')),
  version                 integer NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, agreement_id) REFERENCES partner_agreements (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (paid <= amount),
  CHECK ((agreement_id IS NULL) = (counterparty_tenant_id IS NULL)),
  CHECK ((agreement_id IS NULL) <> (outlet_id IS NULL)),
  CHECK (outlet_id IS NULL OR direction = 'payable')
);
CREATE UNIQUE INDEX claim_statements_partner_key ON claim_statements (tenant_id, agreement_id, direction, period, currency)
  WHERE agreement_id IS NOT NULL;
CREATE UNIQUE INDEX claim_statements_outlet_key ON claim_statements (tenant_id, outlet_id, period, currency)
  WHERE outlet_id IS NOT NULL;
CREATE INDEX claim_statements_list_idx ON claim_statements (tenant_id, direction, period DESC, id DESC);
COMMENT ON TABLE claim_statements IS 'A month''s approved warranty claims with one counterparty (应收 receivable at the claimant, 应付 payable at the payer), with what was paid, in minor units.';

CREATE TABLE claim_statement_lines (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  claim_id      uuid NOT NULL,
  statement_id  uuid NOT NULL,
  order_id      uuid NOT NULL,
  number        text NOT NULL,
  amount        bigint NOT NULL CHECK (amount >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, claim_id),
  FOREIGN KEY (tenant_id, statement_id) REFERENCES claim_statements (tenant_id, id),
  FOREIGN KEY (tenant_id, claim_id) REFERENCES warranty_claims (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id)
);
CREATE INDEX claim_statement_lines_statement_idx ON claim_statement_lines (tenant_id, statement_id);
CREATE INDEX claim_statement_lines_order_idx ON claim_statement_lines (tenant_id, order_id);
COMMENT ON TABLE claim_statement_lines IS 'A claim settled in a statement, at its approved amount; a claim is in one statement at most.';

CREATE TABLE claim_statement_payments (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  statement_id  uuid NOT NULL,
  reference     text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
  amount        bigint NOT NULL CHECK (amount > 0),
  paid_on       date NOT NULL,
  note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  recorded_by   text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, statement_id, reference),
  FOREIGN KEY (tenant_id, statement_id) REFERENCES claim_statements (tenant_id, id)
);
COMMENT ON TABLE claim_statement_payments IS 'A payment against a claim statement (bank reference, amount in minor units, date), recorded by the payer and received as a message by a partner claimant.';

ALTER TABLE claim_statements ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_statements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON claim_statements
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE claim_statement_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_statement_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON claim_statement_lines
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE claim_statement_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_statement_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON claim_statement_payments
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT, UPDATE ON claim_statements TO aftersales_app;
GRANT SELECT, INSERT ON claim_statement_lines, claim_statement_payments TO aftersales_app;

-- The ledger's claim settlement movements: paid out by the payer, received by the claimant.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('payment', 'refund', 'compensation', 'credit',
  'dispute', 'platform_fee', 'refund_failed', 'credit_redeemed', 'credit_expired', 'claim_payment', 'claim_receipt'));

-- +goose Down
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('payment', 'refund', 'compensation', 'credit',
  'dispute', 'platform_fee', 'refund_failed', 'credit_redeemed', 'credit_expired'));
DROP TABLE claim_statement_payments;
DROP TABLE claim_statement_lines;
DROP TABLE claim_statements;
