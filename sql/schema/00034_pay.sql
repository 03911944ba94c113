-- +goose Up
-- Pay computed from the rules (docs/commission.md): what each audited order is worth to its
-- engineers, what each outlet is charged for broken promises, and the monthly statements
-- that gather them.
--
-- pay_orders is the state of one order's pay: computed once per audit under one version of
-- the rules (round counts the audits that were paid), reversed when the audit no longer
-- stands. pay_entries are the lines, append-only: a reversal is a new, negative line, never
-- an edit. Each line's effect_key makes its write happen once however often the job that
-- writes it is delivered. pay_statements gather an engineer's or an outlet's lines per
-- month; a statement is open until the outlet manager approves it, then finance approves it,
-- and it is paid; lines written after it was approved go to the party's next open month.
-- Everything belongs to an outlet (the order's, the engineer's), so outlet staff see only
-- their outlet's.

CREATE TABLE pay_orders (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  order_id      uuid NOT NULL,
  outlet_id     uuid,
  state         text NOT NULL CHECK (state IN ('computed', 'reversed')),
  rule_version  integer NOT NULL CHECK (rule_version > 0),
  round         integer NOT NULL DEFAULT 1 CHECK (round > 0),
  labour_net    bigint NOT NULL DEFAULT 0,
  computed_at   timestamptz NOT NULL,
  reversed_at   timestamptz,
  PRIMARY KEY (tenant_id, order_id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, rule_version) REFERENCES commission_rule_versions (tenant_id, version)
);
COMMENT ON TABLE pay_orders IS 'Whether an audited order''s pay is computed (under which rules version, which audit round) or reversed.';

CREATE TABLE pay_statements (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  party_kind           text NOT NULL CHECK (party_kind IN ('engineer', 'outlet')),
  party_id             uuid NOT NULL,
  outlet_id            uuid,
  month                date NOT NULL CHECK (extract(day FROM month) = 1),
  currency             char(3) NOT NULL,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'manager_approved', 'approved', 'paid')),
  total                bigint NOT NULL DEFAULT 0,
  lines                integer NOT NULL DEFAULT 0,
  manager_approved_by  text NOT NULL DEFAULT '',
  manager_approver     uuid,
  manager_approved_at  timestamptz,
  finance_approved_by  text NOT NULL DEFAULT '',
  finance_approved_at  timestamptz,
  paid_on              date,
  paid_reference       text NOT NULL DEFAULT '' CHECK (length(paid_reference) <= 200),
  paid_by              text NOT NULL DEFAULT '',
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, party_kind, party_id, month),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (status <> 'paid' OR paid_on IS NOT NULL)
);
CREATE INDEX pay_statements_month_idx ON pay_statements (tenant_id, month, id);
COMMENT ON TABLE pay_statements IS 'An engineer''s or outlet''s pay lines of one month: open, approved by the outlet manager, then by finance (locked), then paid.';

CREATE TABLE pay_entries (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  party_kind        text NOT NULL CHECK (party_kind IN ('engineer', 'outlet')),
  party_id          uuid NOT NULL,
  outlet_id         uuid,
  order_id          uuid NOT NULL,
  order_number      text NOT NULL DEFAULT '',
  related_order_id  uuid,
  kind              text NOT NULL CHECK (kind IN ('commission', 'late', 'repeat', 'complaint', 'poor_score', 'good_score', 'praise',
                                                  'breach', 'compensation')),
  rule              text NOT NULL,
  rule_version      integer NOT NULL DEFAULT 0,
  round             integer NOT NULL DEFAULT 0,
  cause             text NOT NULL CHECK (cause IN ('audit', 'audit_reversed', 'refund', 'breach', 'compensation')),
  amount            bigint NOT NULL,
  currency          char(3) NOT NULL,
  detail            text NOT NULL DEFAULT '',
  reverses          boolean NOT NULL DEFAULT false,
  effect_key        text NOT NULL,
  accrued_on        date,
  statement_id      uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, effect_key),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, statement_id) REFERENCES pay_statements (tenant_id, id),
  CHECK (statement_id IS NULL OR accrued_on IS NOT NULL)
);
CREATE INDEX pay_entries_order_idx ON pay_entries (tenant_id, order_id, id);
CREATE INDEX pay_entries_statement_idx ON pay_entries (tenant_id, statement_id, id) WHERE statement_id IS NOT NULL;
CREATE INDEX pay_entries_held_idx ON pay_entries (tenant_id, order_id) WHERE accrued_on IS NULL;
COMMENT ON TABLE pay_entries IS 'Lines of pay: commission, deductions, rewards of engineers and outlets'' penalties, each naming its rule and order; append-only, reversed by negative lines.';
COMMENT ON COLUMN pay_entries.accrued_on IS 'The tenant''s day the line is earned; NULL while commission waits for the customer''s money (accrual on money received).';

ALTER TABLE pay_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE pay_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pay_orders
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE pay_statements ENABLE ROW LEVEL SECURITY;
ALTER TABLE pay_statements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pay_statements
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE pay_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE pay_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pay_entries
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
GRANT SELECT, INSERT, UPDATE ON pay_orders, pay_statements TO aftersales_app;
GRANT SELECT, INSERT, UPDATE ON pay_entries TO aftersales_app;

-- Deposits at check-in (docs/billing.md): money taken before there is a bill is a credit of
-- the order's customer, which issuing the bill spends like any credit.
ALTER TABLE credits
  ADD COLUMN deposit_order_id uuid,
  ADD COLUMN deposit_method text NOT NULL DEFAULT '' CHECK (deposit_method IN ('', 'cash', 'card')),
  ADD COLUMN deposit_reference text NOT NULL DEFAULT '' CHECK (length(deposit_reference) <= 100),
  ADD COLUMN taken_by text NOT NULL DEFAULT '',
  ADD FOREIGN KEY (tenant_id, deposit_order_id) REFERENCES service_orders (tenant_id, id),
  ADD CHECK ((deposit_order_id IS NULL) = (deposit_method = ''));
COMMENT ON COLUMN credits.deposit_order_id IS 'A deposit taken at the counter when this order was checked in; the order''s bill spends it.';

-- +goose Down
ALTER TABLE credits DROP COLUMN taken_by, DROP COLUMN deposit_reference, DROP COLUMN deposit_method, DROP COLUMN deposit_order_id;
DROP TABLE pay_entries, pay_statements, pay_orders;
