-- +goose Up
-- Service orders from intake to close: numbering, the order with its entitlement snapshot,
-- the timeline, engineers, quotes, attachments, disputes; dispatch (outlet coverage,
-- authorizations, engineer profiles) and appointments.

CREATE TABLE order_settings (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  repeat_window_days  integer NOT NULL DEFAULT 90 CHECK (repeat_window_days BETWEEN 1 AND 3650),
  engineer_rules      text[] NOT NULL DEFAULT '{designated,outlet_default,most_served,most_recent,nearest}',
  max_open_per_engineer integer NOT NULL DEFAULT 8 CHECK (max_open_per_engineer BETWEEN 1 AND 1000),
  slot_minutes        integer NOT NULL DEFAULT 120 CHECK (slot_minutes BETWEEN 15 AND 720),
  slot_capacity       integer NOT NULL DEFAULT 4 CHECK (slot_capacity BETWEEN 1 AND 1000),
  version             integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE order_settings IS 'Per-tenant order rules: repeat-repair window, engineer dispatch rule order, appointment slots.';

CREATE TABLE order_types (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  code       text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  flow       text NOT NULL CHECK (flow IN ('carry_in', 'on_site')),
  skill      text NOT NULL DEFAULT '',
  min_level  integer NOT NULL DEFAULT 0 CHECK (min_level BETWEEN 0 AND 10),
  active     boolean NOT NULL DEFAULT true,
  version    integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code)
);
COMMENT ON TABLE order_types IS 'Order types of a tenant (installation, repair, ...); the built-in list applies until a tenant edits one.';

CREATE TABLE order_counters (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  year       integer NOT NULL,
  last       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, year)
);
COMMENT ON TABLE order_counters IS 'Last order number per tenant and year; taken in the creating transaction, so numbers have no gaps.';

CREATE TABLE service_orders (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  number               text NOT NULL,
  type_code            text NOT NULL,
  flow                 text NOT NULL CHECK (flow IN ('carry_in', 'on_site')),
  channel              text NOT NULL CHECK (channel IN ('carry_in', 'on_site', 'phone', 'web', 'mail_in', 'api')),
  urgent               boolean NOT NULL DEFAULT false,
  priority             integer NOT NULL DEFAULT 0,
  status               text NOT NULL,
  customer_id          uuid NOT NULL,
  registration_id      uuid,
  model_id             uuid,
  serial               text NOT NULL DEFAULT '',
  unregistered         boolean NOT NULL DEFAULT false,
  outlet_id            uuid,
  province_code        text NOT NULL DEFAULT '',
  city_code            text NOT NULL DEFAULT '',
  district_code        text NOT NULL DEFAULT '',
  postal_code          text NOT NULL DEFAULT '',
  address              text NOT NULL DEFAULT '',
  latitude             double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude            double precision CHECK (longitude BETWEEN -180 AND 180),
  fault_description    text NOT NULL DEFAULT '',
  fault_code           text NOT NULL DEFAULT '',
  component            text NOT NULL DEFAULT '',
  entitlement          jsonb NOT NULL DEFAULT '{}',
  entitlement_class    text NOT NULL DEFAULT '',
  tier_code            text NOT NULL DEFAULT '',
  designated_engineer  uuid,
  repeat_of            uuid,
  is_repeat            boolean NOT NULL DEFAULT false,
  reopen_count         integer NOT NULL DEFAULT 0,
  reschedule_count     integer NOT NULL DEFAULT 0,
  completion           jsonb,
  result               text NOT NULL DEFAULT '' CHECK (result IN ('', 'fixed', 'not_fixed', 'needs_parts', 'exchange')),
  cancel_reason        text NOT NULL DEFAULT '',
  tracking_hash        bytea NOT NULL,
  version              integer NOT NULL DEFAULT 1,
  created_by           text NOT NULL DEFAULT '',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  completed_at         timestamptz,
  closed_at            timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
  FOREIGN KEY (tenant_id, model_id) REFERENCES product_models (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id)
);
-- Lists are newest first by id (UUIDv7: time-ordered), so each filter has an index ending in id.
CREATE INDEX service_orders_status_idx ON service_orders (tenant_id, status, id DESC);
CREATE INDEX service_orders_outlet_idx ON service_orders (tenant_id, outlet_id, id DESC);
CREATE INDEX service_orders_unit_idx ON service_orders (tenant_id, registration_id, id DESC);
CREATE INDEX service_orders_serial_idx ON service_orders (tenant_id, serial) WHERE serial <> '';
CREATE INDEX service_orders_customer_idx ON service_orders (tenant_id, customer_id, id DESC);
CREATE INDEX service_orders_created_idx ON service_orders (tenant_id, created_at);
COMMENT ON TABLE service_orders IS 'Service orders (工单): one job for one unit, from intake to close; status is the current state of the timeline.';

CREATE TABLE order_events (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  order_id     uuid NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_kind   text NOT NULL,
  actor_id     uuid,
  actor_label  text NOT NULL DEFAULT '',
  kind         text NOT NULL,
  from_status  text NOT NULL DEFAULT '',
  to_status    text NOT NULL DEFAULT '',
  reason       text NOT NULL DEFAULT '',
  public       boolean NOT NULL DEFAULT false,
  data         jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_events_order_idx ON order_events (tenant_id, order_id, id);
COMMENT ON TABLE order_events IS 'The timeline of an order: every change with who, when, from, to and why; public rows are shown to the customer.';

CREATE TABLE order_engineers (
  tenant_id     uuid NOT NULL,
  order_id      uuid NOT NULL,
  user_id       uuid NOT NULL,
  role          text NOT NULL CHECK (role IN ('lead', 'assistant')),
  state         text NOT NULL DEFAULT 'offered' CHECK (state IN ('offered', 'accepted', 'declined', 'removed')),
  rule          text NOT NULL DEFAULT '',
  reason        text NOT NULL DEFAULT '',
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  responded_at  timestamptz,
  PRIMARY KEY (tenant_id, order_id, user_id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_engineers_user_idx ON order_engineers (tenant_id, user_id, state);
COMMENT ON TABLE order_engineers IS 'Engineers on an order with their role (lead, assistant) and answer (accepted, declined with reason).';

CREATE TABLE order_quotes (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  order_id         uuid NOT NULL,
  status           text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'approved', 'declined', 'superseded')),
  currency         char(3) NOT NULL,
  lines            jsonb NOT NULL,
  total_charged    bigint NOT NULL CHECK (total_charged >= 0),
  token_hash       bytea NOT NULL,
  decided_at       timestamptz,
  decided_channel  text NOT NULL DEFAULT '' CHECK (decided_channel IN ('', 'link', 'portal', 'staff')),
  decided_by       text NOT NULL DEFAULT '',
  created_by       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_quotes_order_idx ON order_quotes (tenant_id, order_id, created_at);
COMMENT ON TABLE order_quotes IS 'Quotes for charged work: lines covered or charged per the entitlement, and the customer''s answer.';

CREATE TABLE order_attachments (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL,
  order_id      uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('photo', 'signature', 'evidence')),
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  content       bytea NOT NULL,
  sha256        bytea NOT NULL,
  public        boolean NOT NULL DEFAULT false,
  uploaded_by   text NOT NULL DEFAULT '',
  uploaded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_attachments_order_idx ON order_attachments (tenant_id, order_id);
COMMENT ON TABLE order_attachments IS 'Photos, the customer''s signature and evidence of an order.';

CREATE TABLE order_disputes (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL,
  order_id       uuid NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'overturned')),
  statement      text NOT NULL CHECK (length(statement) BETWEEN 1 AND 4000),
  exclusion      text NOT NULL DEFAULT '',
  decision_note  text NOT NULL DEFAULT '',
  decided_by     text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  decided_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX order_disputes_open_idx ON order_disputes (tenant_id, order_id) WHERE status = 'open';
COMMENT ON TABLE order_disputes IS 'A consumer''s dispute of an exclusion (misuse, liquid damage): reviewed by the brand.';

-- Dispatch.

ALTER TABLE outlets ADD COLUMN daily_capacity integer NOT NULL DEFAULT 0 CHECK (daily_capacity >= 0);
COMMENT ON COLUMN outlets.daily_capacity IS 'Orders the outlet takes per day; 0 means no limit.';

CREATE TABLE outlet_coverage (
  tenant_id      uuid NOT NULL,
  id             uuid NOT NULL,
  outlet_id      uuid NOT NULL,
  region_code    text NOT NULL CHECK (region_code ~ '^[0-9]{2}([0-9]{2}){0,2}$'),
  postal_prefix  text NOT NULL DEFAULT '' CHECK (postal_prefix ~ '^[0-9]{0,6}$'),
  order_types    text[] NOT NULL DEFAULT '{}',
  category_ids   uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX outlet_coverage_outlet_idx ON outlet_coverage (tenant_id, outlet_id);
COMMENT ON TABLE outlet_coverage IS 'Regions an outlet serves (province/city/district code prefix, optional postal prefix), per order type and category; empty lists mean all.';

CREATE TABLE outlet_authorizations (
  tenant_id    uuid NOT NULL,
  outlet_id    uuid NOT NULL,
  category_id  uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, outlet_id, category_id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, category_id) REFERENCES product_categories (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE outlet_authorizations IS 'The brand''s authorization of an outlet to service a product category.';

CREATE TABLE engineer_profiles (
  tenant_id    uuid NOT NULL,
  user_id      uuid NOT NULL REFERENCES users (id),
  outlet_id    uuid NOT NULL,
  skills       text[] NOT NULL DEFAULT '{}',
  level        integer NOT NULL DEFAULT 1 CHECK (level BETWEEN 0 AND 10),
  is_default   boolean NOT NULL DEFAULT false,
  active       boolean NOT NULL DEFAULT true,
  latitude     double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude    double precision CHECK (longitude BETWEEN -180 AND 180),
  position_at  timestamptz,
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX engineer_profiles_outlet_idx ON engineer_profiles (tenant_id, outlet_id);
COMMENT ON TABLE engineer_profiles IS 'An engineer''s outlet, skills, certification level and last known position, for dispatch.';

CREATE TABLE appointments (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  order_id    uuid NOT NULL,
  outlet_id   uuid NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  status      text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'moved', 'cancelled')),
  booked_via  text NOT NULL CHECK (booked_via IN ('staff', 'portal')),
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX appointments_current_idx ON appointments (tenant_id, order_id) WHERE status = 'booked';
CREATE INDEX appointments_outlet_idx ON appointments (tenant_id, outlet_id, starts_at) WHERE status = 'booked';
COMMENT ON TABLE appointments IS 'Appointment windows of orders; one booked per order, earlier ones kept as moved or cancelled.';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['order_settings', 'order_types', 'order_counters', 'service_orders', 'order_events', 'order_engineers',
                           'order_quotes', 'order_attachments', 'order_disputes', 'outlet_coverage', 'outlet_authorizations',
                           'engineer_profiles', 'appointments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO aftersales_app', t);
  END LOOP;
  -- Tables an outlet owns rows of: outlet staff see their outlet's rows only.
  FOREACH t IN ARRAY ARRAY['service_orders', 'outlet_coverage', 'outlet_authorizations', 'engineer_profiles', 'appointments'] LOOP
    EXECUTE format('CREATE POLICY tenant_isolation ON %I
      USING (tenant_id = (SELECT app.tenant_id()) AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))
      WITH CHECK (tenant_id = (SELECT app.tenant_id()) AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['order_settings', 'order_types', 'order_counters', 'order_events', 'order_engineers',
                           'order_quotes', 'order_attachments', 'order_disputes'] LOOP
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
REVOKE UPDATE, DELETE ON order_events FROM aftersales_app;

-- +goose Down
DROP TABLE appointments, engineer_profiles, outlet_authorizations, outlet_coverage, order_disputes, order_attachments,
  order_quotes, order_engineers, order_events, service_orders, order_counters, order_types, order_settings;
ALTER TABLE outlets DROP COLUMN daily_capacity;
