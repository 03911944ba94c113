-- +goose Up
-- Warranty claims (docs/claims.md): an audited in-warranty order done by an outlet, or by a
-- partner under an agreement (a handed-off job), becomes a claim to its payer. Claim lines
-- snapshot the price, the coverage share and the agreement terms they were made under, and
-- name who pays each (maker, carrier, platform, plan). Partner work is claimed by messages:
-- the claimant (the provider) and the payer (the principal) each keep their own copy under
-- the same id (side), never a shared row; an outlet's claim lives in its brand's tenant
-- (side internal).

CREATE TABLE warranty_claims (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  id                      uuid NOT NULL,
  side                    text NOT NULL CHECK (side IN ('claimant', 'payer', 'internal')),
  number                  text NOT NULL,
  order_id                uuid NOT NULL,
  outlet_id               uuid,
  job_id                  uuid,
  agreement_id            uuid,
  counterparty_tenant_id  uuid,
  counterparty_name       text NOT NULL DEFAULT '',
  serial                  text NOT NULL DEFAULT '',
  currency                char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status                  text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'adjusted', 'rejected', 'accepted', 'disputed')),
  lines                   jsonb NOT NULL DEFAULT '[]',
  terms                   jsonb NOT NULL DEFAULT '{}',
  terms_version           integer NOT NULL DEFAULT 0,
  claimed                 bigint NOT NULL DEFAULT 0 CHECK (claimed >= 0),
  approved                bigint NOT NULL DEFAULT 0 CHECK (approved >= 0),
  reason                  text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
  response                text NOT NULL DEFAULT '' CHECK (length(response) <= 1000),
  version                 integer NOT NULL DEFAULT 1,
  submitted_at            timestamptz,
  reviewed_at             timestamptz,
  responded_at            timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, side, order_id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, agreement_id) REFERENCES partner_agreements (tenant_id, id),
  CHECK ((side = 'internal') = (agreement_id IS NULL)),
  CHECK ((agreement_id IS NULL) = (counterparty_tenant_id IS NULL))
);
CREATE INDEX warranty_claims_list_idx ON warranty_claims (tenant_id, side, status, id DESC);
CREATE INDEX warranty_claims_serial_idx ON warranty_claims (tenant_id, serial) WHERE serial <> '';
COMMENT ON TABLE warranty_claims IS 'A warranty claim as this tenant keeps it: claimant (we did the work), payer (a partner claims from us) or internal (our outlet''s work); lines with their payer, price, coverage share and the terms they were made under, in minor units.';
COMMENT ON COLUMN warranty_claims.lines IS 'Claim lines (claims.Line): kind, quantity, unit price, amount, the customer''s share, payer and the payer''s amount, faulty and replacement serials, and the review''s adjustment.';
COMMENT ON COLUMN warranty_claims.terms IS 'The agreement terms (or the tenant''s rates) the lines were priced under, as they were at the claim''s making.';

ALTER TABLE warranty_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE warranty_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON warranty_claims
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT, UPDATE, DELETE ON warranty_claims TO aftersales_app;

-- +goose Down
DROP TABLE warranty_claims;
