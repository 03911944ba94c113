-- +goose Up
-- Warranty core: catalog, fault codes, registrations (三包档案), versioned warranty policies,
-- service tiers, extra coverage grants, bulk imports.

CREATE TABLE product_categories (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code)
);
COMMENT ON TABLE product_categories IS 'Product categories of a tenant (air conditioners, phones, ...).';

CREATE TABLE product_models (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL,
  category_id     uuid NOT NULL,
  sku             text NOT NULL CHECK (sku ~ '^[A-Za-z0-9._/-]{1,64}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  components      jsonb NOT NULL DEFAULT '[]',
  serial_pattern  text NOT NULL DEFAULT '',
  imei            boolean NOT NULL DEFAULT false,
  needs_install   boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, sku),
  FOREIGN KEY (tenant_id, category_id) REFERENCES product_categories (tenant_id, id)
);
COMMENT ON TABLE product_models IS 'Sellable models with their components (main parts flagged) and serial rules.';

CREATE TABLE fault_codes (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  code         text NOT NULL,
  name         text NOT NULL DEFAULT '',
  component    text NOT NULL DEFAULT '',
  merged_into  uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code),
  FOREIGN KEY (tenant_id, merged_into) REFERENCES fault_codes (tenant_id, id)
);
COMMENT ON TABLE fault_codes IS 'Fault-code dictionary; grows at entry time, duplicates merged by admins.';

ALTER TABLE customers
  ADD COLUMN lifetime_value bigint NOT NULL DEFAULT 0 CHECK (lifetime_value >= 0),
  ADD COLUMN contracts text[] NOT NULL DEFAULT '{}',
  ADD COLUMN tier_override text NOT NULL DEFAULT '',
  ADD COLUMN tier_override_reason text NOT NULL DEFAULT '';

CREATE TABLE registrations (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  model_id           uuid NOT NULL,
  serial             text NOT NULL CHECK (length(serial) BETWEEN 1 AND 64),
  purchase_date      date NOT NULL,
  invoice_no         text NOT NULL DEFAULT '',
  invoice_date       date,
  invoice_image      text NOT NULL DEFAULT '',
  has_warranty_card  boolean NOT NULL DEFAULT false,
  seller             text NOT NULL DEFAULT '',
  buyer_id           uuid,
  user_id            uuid,
  install_date       date,
  channel            text NOT NULL CHECK (channel IN ('staff', 'consumer', 'import', 'scan', 'api')),
  import_id          uuid,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, model_id, serial),
  FOREIGN KEY (tenant_id, model_id) REFERENCES product_models (tenant_id, id),
  FOREIGN KEY (tenant_id, buyer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX registrations_serial_idx ON registrations (tenant_id, serial);
CREATE INDEX registrations_buyer_idx ON registrations (tenant_id, buyer_id);
CREATE INDEX registrations_user_idx ON registrations (tenant_id, user_id);
COMMENT ON TABLE registrations IS 'One record per sold unit (三包档案): the facts coverage is derived from.';

CREATE TABLE warranty_policies (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category_ids  uuid[] NOT NULL DEFAULT '{}',
  model_ids     uuid[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
COMMENT ON TABLE warranty_policies IS 'A warranty policy applying to categories or models; its rules live in versions.';

CREATE TABLE policy_versions (
  tenant_id       uuid NOT NULL,
  policy_id       uuid NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  effective_from  date NOT NULL,
  body            jsonb NOT NULL,
  created_by      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, policy_id, version),
  UNIQUE (tenant_id, policy_id, effective_from),
  FOREIGN KEY (tenant_id, policy_id) REFERENCES warranty_policies (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE policy_versions IS 'Immutable versions of a policy; a unit is judged by the version in force on its purchase date.';

CREATE TABLE service_tiers (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  code        text NOT NULL CHECK (code ~ '^[a-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  rank        integer NOT NULL CHECK (rank BETWEEN 1 AND 100),
  targets     jsonb NOT NULL,
  on_site     boolean NOT NULL DEFAULT false,
  loaner      boolean NOT NULL DEFAULT false,
  is_default  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, code)
);
CREATE UNIQUE INDEX service_tiers_default_key ON service_tiers (tenant_id) WHERE is_default;
COMMENT ON TABLE service_tiers IS 'Service levels with SLA targets (gold, silver, standard, ...).';

CREATE TABLE tier_rules (
  tenant_id           uuid NOT NULL,
  id                  uuid NOT NULL,
  tier_code           text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('customer_value', 'contract', 'plan')),
  min_lifetime_value  bigint NOT NULL DEFAULT 0,
  match               text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, tier_code) REFERENCES service_tiers (tenant_id, code) ON DELETE CASCADE
);
COMMENT ON TABLE tier_rules IS 'Rules assigning customers to tiers by value, contract or purchased plan.';

CREATE TABLE coverage_grants (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  registration_id  uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('extended', 'accidental', 'repair_warranty')),
  component        text NOT NULL DEFAULT '*',
  valid_from       date NOT NULL,
  valid_until      date NOT NULL,
  covered          jsonb NOT NULL,
  source           text NOT NULL DEFAULT '',
  plan_code        text NOT NULL DEFAULT '',
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id) ON DELETE CASCADE,
  CHECK (valid_until >= valid_from)
);
CREATE INDEX coverage_grants_registration_idx ON coverage_grants (tenant_id, registration_id);
COMMENT ON TABLE coverage_grants IS 'Coverage beyond the manufacturer''s: extended warranty, accidental damage, repair warranty.';

CREATE TABLE imports (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('registrations')),
  filename      text NOT NULL DEFAULT '',
  format        text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  sha256        bytea NOT NULL,
  content       bytea NOT NULL,
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  rows_total    integer NOT NULL DEFAULT 0,
  rows_done     integer NOT NULL DEFAULT 0,
  rows_created  integer NOT NULL DEFAULT 0,
  rows_failed   integer NOT NULL DEFAULT 0,
  error         text NOT NULL DEFAULT '',
  created_by    text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, sha256)
);
COMMENT ON TABLE imports IS 'Bulk imports: the uploaded file, progress, and totals; a file imports once.';

CREATE TABLE import_errors (
  tenant_id  uuid NOT NULL,
  import_id  uuid NOT NULL,
  row_no     integer NOT NULL,
  field      text NOT NULL DEFAULT '',
  message    text NOT NULL,
  PRIMARY KEY (tenant_id, import_id, row_no, field),
  FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE import_errors IS 'Rows an import rejected, with the field and reason.';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['product_categories', 'product_models', 'fault_codes', 'registrations', 'warranty_policies',
                           'policy_versions', 'service_tiers', 'tier_rules', 'coverage_grants', 'imports', 'import_errors'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO aftersales_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE import_errors, imports, coverage_grants, tier_rules, service_tiers, policy_versions, warranty_policies,
  registrations, fault_codes, product_models, product_categories;
ALTER TABLE customers DROP COLUMN lifetime_value, DROP COLUMN contracts, DROP COLUMN tier_override,
  DROP COLUMN tier_override_reason;
