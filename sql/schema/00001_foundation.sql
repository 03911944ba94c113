-- +goose Up
-- Foundation: tenants, outlets, calendars, identities, memberships, API keys, sessions,
-- consumers and customers, audit log, idempotency records.
--
-- Isolation model (see docs/tenancy.md):
--   * every tenant-owned table has tenant_id leading its primary, unique and foreign keys;
--   * RLS is ENABLEd and FORCEd on every such table, with policies on app.tenant_id()
--     (and app.outlet_id() for outlet-scoped rows);
--   * the server connects as a member of the NOLOGIN group role aftersales_app, which owns
--     nothing and cannot bypass RLS; migrations run as the owner role.

-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aftersales_app') THEN
    CREATE ROLE aftersales_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
-- +goose StatementEnd

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Helpers read by row-level security policies.';

-- +goose StatementBegin
CREATE FUNCTION app.tenant_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.tenant_id() IS 'Tenant of the current transaction; NULL (no rows) when unset.';

-- +goose StatementBegin
CREATE FUNCTION app.outlet_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.outlet_id', true), '')::uuid $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.outlet_id() IS 'Outlet the current principal is confined to; NULL for tenant-wide roles.';

-- +goose StatementBegin
CREATE FUNCTION app.user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.user_id() IS 'Authenticated staff user of the current transaction, if any.';

-- Global tables (no tenant_id): small, reference-like, Citus reference tables.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind        text NOT NULL CHECK (kind IN ('brand', 'distributor', 'carrier', 'service_provider')),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'read_only')),
  timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
  currency    char(3) NOT NULL DEFAULT 'CNY',
  locale      text NOT NULL DEFAULT 'zh-CN',
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tenants IS 'Root tenants: brands, distributors, carriers, service providers.';

CREATE TABLE users (
  id                uuid PRIMARY KEY,
  email             text NOT NULL,
  name              text NOT NULL,
  phone             text,
  password_hash     text NOT NULL,
  is_platform_admin boolean NOT NULL DEFAULT false,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
COMMENT ON TABLE users IS 'Global staff identities; access to a tenant comes from memberships.';

CREATE TABLE consumers (
  id          uuid PRIMARY KEY,
  phone       text UNIQUE,
  email       text UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
COMMENT ON TABLE consumers IS 'Global consumer identities (by phone or email), linked to per-tenant customers.';

CREATE TABLE sessions (
  id            uuid PRIMARY KEY,
  token_hash    bytea NOT NULL UNIQUE,
  user_id       uuid REFERENCES users (id) ON DELETE CASCADE,
  consumer_id   uuid REFERENCES consumers (id) ON DELETE CASCADE,
  ip            text NOT NULL DEFAULT '',
  user_agent    text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  CHECK ((user_id IS NULL) <> (consumer_id IS NULL))
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;
COMMENT ON TABLE sessions IS 'Login sessions of staff users and consumers; only the token hash is stored.';

CREATE TABLE otp_codes (
  id           uuid PRIMARY KEY,
  destination  text NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('sms', 'email')),
  code_hash    bytea NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz
);
CREATE INDEX otp_codes_destination_idx ON otp_codes (destination, created_at DESC);
COMMENT ON TABLE otp_codes IS 'One-time login codes sent to consumers; only a hash of the code is stored.';

-- Tenant-owned tables.

CREATE TABLE outlets (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  code           text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind           text NOT NULL CHECK (kind IN ('service_center', 'authorized_outlet', 'carrier_store', 'warehouse')),
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  phone          text NOT NULL DEFAULT '',
  province_code  text NOT NULL DEFAULT '',
  city_code      text NOT NULL DEFAULT '',
  district_code  text NOT NULL DEFAULT '',
  address        text NOT NULL DEFAULT '',
  postal_code    text NOT NULL DEFAULT '',
  latitude       double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude      double precision CHECK (longitude BETWEEN -180 AND 180),
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code)
);
COMMENT ON TABLE outlets IS 'Service outlets: sub-tenants of a root tenant (repair centres, shops, stores, warehouses).';

CREATE TABLE business_calendars (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  outlet_id     uuid,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  timezone      text NOT NULL,
  weekly_hours  jsonb NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX business_calendars_scope_key ON business_calendars (tenant_id, outlet_id) NULLS NOT DISTINCT;
COMMENT ON TABLE business_calendars IS 'Working hours per weekday; one per tenant, optionally overridden per outlet.';

CREATE TABLE calendar_days (
  tenant_id    uuid NOT NULL,
  calendar_id  uuid NOT NULL,
  day          date NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name         text NOT NULL DEFAULT '',
  hours        jsonb,
  PRIMARY KEY (tenant_id, calendar_id, day),
  FOREIGN KEY (tenant_id, calendar_id) REFERENCES business_calendars (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE calendar_days IS 'Exceptions to a calendar: public holidays and make-up working days (调休).';

CREATE TABLE memberships (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  outlet_id   uuid,
  role        text NOT NULL CHECK (role IN ('tenant_admin', 'agent', 'outlet_manager', 'engineer', 'finance', 'auditor')),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, user_id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK ((role IN ('outlet_manager', 'engineer')) = (outlet_id IS NOT NULL))
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
COMMENT ON TABLE memberships IS 'A user''s role in a tenant, optionally confined to one outlet.';

CREATE TABLE invitations (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  email        text NOT NULL,
  role         text NOT NULL,
  outlet_id    uuid,
  token_hash   bytea NOT NULL,
  invited_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id)
);
COMMENT ON TABLE invitations IS 'Invitations to join a tenant with a role; accepted with a single-use token.';

CREATE TABLE api_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role          text NOT NULL,
  outlet_id     uuid,
  scopes        text[] NOT NULL DEFAULT '{}',
  secret_hash   bytea NOT NULL,
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id)
);
COMMENT ON TABLE api_keys IS 'Machine credentials of a tenant; the secret is shown once and stored hashed.';

CREATE TABLE customers (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  consumer_id    uuid REFERENCES consumers (id),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  phone          text NOT NULL DEFAULT '',
  email          text NOT NULL DEFAULT '',
  province_code  text NOT NULL DEFAULT '',
  city_code      text NOT NULL DEFAULT '',
  district_code  text NOT NULL DEFAULT '',
  address        text NOT NULL DEFAULT '',
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_phone_idx ON customers (tenant_id, phone);
CREATE INDEX customers_consumer_idx ON customers (tenant_id, consumer_id);
COMMENT ON TABLE customers IS 'A tenant''s record of an end customer, linked to a global consumer identity when known.';

CREATE TABLE audit_log (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'consumer', 'platform', 'system')),
  actor_id     uuid,
  actor_label  text NOT NULL DEFAULT '',
  action       text NOT NULL,
  entity       text NOT NULL,
  entity_id    uuid,
  outlet_id    uuid,
  before       jsonb,
  after        jsonb,
  ip           text NOT NULL DEFAULT '',
  user_agent   text NOT NULL DEFAULT '',
  request_id   text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity, entity_id);
COMMENT ON TABLE audit_log IS 'Append-only record of logins and every change to tenant data.';

CREATE TABLE idempotency_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  key           text NOT NULL,
  principal     text NOT NULL,
  operation     text NOT NULL,
  request_hash  bytea NOT NULL,
  status        integer,
  response      bytea,
  content_type  text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (tenant_id, key)
);
COMMENT ON TABLE idempotency_keys IS 'First responses of creating POSTs, replayed for a repeated Idempotency-Key.';

-- Row-level security: tenant-wide policy on every tenant table.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outlets', 'business_calendars', 'calendar_days', 'memberships', 'invitations',
                           'api_keys', 'customers', 'audit_log', 'idempotency_keys'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

CREATE POLICY tenant_isolation ON outlets
  USING (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR id = (SELECT app.outlet_id())))
  WITH CHECK (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR id = (SELECT app.outlet_id())));
CREATE POLICY tenant_isolation ON business_calendars
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));
CREATE POLICY tenant_isolation ON calendar_days
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));
-- A user sees their own memberships in every tenant (to pick a tenant); writes stay tenant-scoped.
CREATE POLICY tenant_isolation ON memberships
  USING (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))
  WITH CHECK (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())));
CREATE POLICY own_memberships ON memberships FOR SELECT
  USING (user_id = (SELECT app.user_id()));
CREATE POLICY tenant_isolation ON invitations
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));
CREATE POLICY tenant_isolation ON customers
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));
CREATE POLICY tenant_isolation ON audit_log
  USING (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))
  WITH CHECK (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())));
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (tenant_id = (SELECT app.tenant_id()))
  WITH CHECK (tenant_id = (SELECT app.tenant_id()));

-- Privileges of the application role: no ownership, no DDL, audit log append-only.
GRANT USAGE ON SCHEMA app TO aftersales_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO aftersales_app;
GRANT SELECT, INSERT, UPDATE ON tenants, users, consumers, sessions, otp_codes TO aftersales_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON outlets, business_calendars, calendar_days, memberships,
  invitations, api_keys, customers, idempotency_keys TO aftersales_app;
GRANT DELETE ON sessions, otp_codes TO aftersales_app;
GRANT SELECT, INSERT ON audit_log TO aftersales_app;

-- +goose Down
DROP TABLE idempotency_keys, audit_log, customers, api_keys, invitations, memberships,
  calendar_days, business_calendars, outlets, otp_codes, sessions, consumers, users, tenants;
DROP SCHEMA app CASCADE;
