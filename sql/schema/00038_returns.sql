-- +goose Up
-- Returns and exchanges (三包 carried out, docs/returns.md): a case starts from a warranty
-- decision whose remedies allow it (or a manager's override with a reason), is reviewed, gets
-- the unit back (dropped at an outlet, collected by courier, or picked up when the
-- replacement is delivered), is inspected, and ends per line in a refund, an exchange or an
-- advance exchange (the replacement ships first against a deposit or a card hold, charged if
-- the old unit is not back by the tenant's deadline). A case may span several orders and
-- units; its lines, their outcomes and the case's steps are kept on the case.

CREATE TABLE return_settings (
  tenant_id                 uuid NOT NULL REFERENCES tenants (id),
  allow_personal            boolean NOT NULL DEFAULT false,
  personal_days             integer NOT NULL DEFAULT 7 CHECK (personal_days BETWEEN 0 AND 365),
  advance_deadline_days     integer NOT NULL DEFAULT 15 CHECK (advance_deadline_days BETWEEN 1 AND 365),
  returned_warehouse_id     uuid,
  replacement_warehouse_id  uuid,
  version                   integer NOT NULL DEFAULT 1,
  updated_at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  FOREIGN KEY (tenant_id, returned_warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, replacement_warehouse_id) REFERENCES warehouses (tenant_id, id)
);
COMMENT ON TABLE return_settings IS 'A tenant''s return terms: whether personal reasons are accepted (within personal_days of purchase), the advance exchange deadline, and the warehouses returned units go to and replacements leave from.';

CREATE TABLE return_cases (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  number            text NOT NULL,
  customer_id       uuid NOT NULL,
  outlet_id         uuid,
  reason            text NOT NULL CHECK (reason IN ('quality_fault', 'not_as_described', 'transport_damage', 'personal')),
  description       text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  status            text NOT NULL CHECK (status IN ('applied', 'approved', 'rejected', 'received', 'inspected', 'resolved', 'closed')),
  collection        text NOT NULL CHECK (collection IN ('drop_off', 'courier', 'pickup_delivery')),
  collection_ref    text NOT NULL DEFAULT '' CHECK (length(collection_ref) <= 200),
  override_reason   text NOT NULL DEFAULT '' CHECK (length(override_reason) <= 1000),
  overridden_by     text NOT NULL DEFAULT '',
  review_note       text NOT NULL DEFAULT '' CHECK (length(review_note) <= 1000),
  reviewed_by       text NOT NULL DEFAULT '',
  currency          char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  refunded          bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  difference        bigint NOT NULL DEFAULT 0,
  hold_kind         text NOT NULL DEFAULT '' CHECK (hold_kind IN ('', 'deposit', 'card_hold')),
  hold_amount       bigint NOT NULL DEFAULT 0 CHECK (hold_amount >= 0),
  hold_status       text NOT NULL DEFAULT '' CHECK (hold_status IN ('', 'held', 'released', 'charged')),
  hold_reference    text NOT NULL DEFAULT '',
  hold_due_at       timestamptz,
  lines             jsonb NOT NULL DEFAULT '[]',
  steps             jsonb NOT NULL DEFAULT '[]',
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  closed_at         timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK ((hold_kind = '') = (hold_status = ''))
);
CREATE INDEX return_cases_list_idx ON return_cases (tenant_id, status, id DESC);
CREATE INDEX return_cases_customer_idx ON return_cases (tenant_id, customer_id);
CREATE INDEX return_cases_held_idx ON return_cases (tenant_id, hold_due_at) WHERE hold_status = 'held';
COMMENT ON TABLE return_cases IS 'A return or exchange case (退换货): its customer, reason, how the units come back, its lines with their decisions and outcomes, the advance exchange hold, and the timeline of its steps; amounts in minor units.';
COMMENT ON COLUMN return_cases.lines IS 'Case lines (returns.Line): the unit, its order, what was paid and how, the remedy asked, the decision''s remedies, and the outcome (refund, exchange with the new unit, inspection result, stock movements).';
COMMENT ON COLUMN return_cases.difference IS 'What the customer owes (positive) or is owed (negative) for exchanges to other models, summed over the lines.';

ALTER TABLE return_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON return_settings
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

ALTER TABLE return_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON return_cases
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));

GRANT SELECT, INSERT, UPDATE ON return_settings, return_cases TO aftersales_app;

-- +goose Down
DROP TABLE return_cases, return_settings;
