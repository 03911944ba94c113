-- +goose Up
-- Complaints and other contacts (docs/complaints.md): every contact that is not an order
-- (a consultation, praise, a suggestion, a complaint) is a row of the contact log, by
-- channel, linked to the customer, unit, order, outlet and engineer it is about. A complaint
-- is a case of its own: topic, severity (from the channel by the tenant's rules, raisable by
-- staff), status, deadlines on the tenant's business calendar, its handlers and its
-- timeline. A critical complaint is confidential (保密原则): its row, and the rows of the
-- contacts linked to it, are visible only to its named handlers and to scopes that see every
-- confidential case (tenant admins, the system's escalation). Row-level security says so,
-- with app.every_confidential(), a setting of the transaction (tenants.Scope.Confidential).

-- +goose StatementBegin
CREATE FUNCTION app.every_confidential() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('app.confidential', true), '') = 'all' $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.every_confidential() IS
  'Whether the transaction sees every confidential (critical) complaint, not only those it is a named handler of.';
GRANT EXECUTE ON FUNCTION app.every_confidential() TO aftersales_app;

CREATE TABLE complaints (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  id                    uuid NOT NULL,
  number                text NOT NULL,
  topic                 text NOT NULL CHECK (topic IN ('quality', 'attitude', 'cycle_time', 'price', 'other')),
  channel               text NOT NULL CHECK (channel IN ('phone', 'portal', 'store', 'wechat', 'email', 'maker', '12315', 'carrier', 'media', 'government')),
  severity              text NOT NULL CHECK (severity IN ('general', 'serious', 'critical')),
  severity_reason       text NOT NULL DEFAULT '' CHECK (length(severity_reason) <= 1000),
  status                text NOT NULL CHECK (status IN ('open', 'waiting_customer', 'resolved', 'closed', 'reopened')),
  summary               text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  customer_id           uuid,
  registration_id       uuid,
  order_id              uuid,
  outlet_id             uuid,
  engineer_id           uuid,
  restricted            boolean NOT NULL DEFAULT false,
  handler_ids           uuid[] NOT NULL DEFAULT '{}',
  merged_into           uuid,
  parent_id             uuid,
  pauses                jsonb NOT NULL DEFAULT '[]',
  first_response_due    timestamptz,
  report_due            timestamptz,
  resolution_due        timestamptz,
  first_responded_at    timestamptz,
  reported_at           timestamptz,
  resolved_at           timestamptz,
  closed_at             timestamptz,
  close_kind            text NOT NULL DEFAULT '' CHECK (close_kind IN ('', 'customer', 'override', 'merged')),
  close_reason          text NOT NULL DEFAULT '' CHECK (length(close_reason) <= 1000),
  escalations           text[] NOT NULL DEFAULT '{}',
  reopened              integer NOT NULL DEFAULT 0,
  steps                 jsonb NOT NULL DEFAULT '[]',
  created_by            uuid,
  version               integer NOT NULL DEFAULT 1,
  opened_at             timestamptz NOT NULL,
  resolution_from       timestamptz NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, merged_into) REFERENCES complaints (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES complaints (tenant_id, id),
  CHECK (restricted = (severity = 'critical')),
  CHECK (merged_into IS NULL OR merged_into <> id),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX complaints_list_idx ON complaints (tenant_id, id DESC);
CREATE INDEX complaints_open_idx ON complaints (tenant_id, status) WHERE status IN ('open', 'reopened', 'waiting_customer');
CREATE INDEX complaints_parent_idx ON complaints (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
COMMENT ON TABLE complaints IS 'A complaint (投诉): topic, severity from the channel by the tenant''s rules or raised with a reason, status, deadlines on the business calendar (paused while waiting for the customer), handlers, merges and parent case, and the timeline of its steps.';
COMMENT ON COLUMN complaints.restricted IS 'A critical complaint: visible only to its handlers and to scopes that see every confidential case.';
COMMENT ON COLUMN complaints.pauses IS 'Spans waiting for the customer (sla.Pause), which the deadlines do not count.';
COMMENT ON COLUMN complaints.resolution_from IS 'Where the resolution deadline counts from: the opening, or the last reopening.';
COMMENT ON COLUMN complaints.escalations IS 'The deadlines (first_response, report, resolution) whose escalation has fired.';
COMMENT ON COLUMN complaints.steps IS 'The complaint''s timeline (complaints.Step): who did what, when, with what note.';

CREATE TABLE contact_log (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('consultation', 'praise', 'suggestion', 'complaint')),
  channel           text NOT NULL CHECK (channel IN ('phone', 'portal', 'store', 'wechat', 'email', 'maker', '12315', 'carrier', 'media', 'government')),
  direction         text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  summary           text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  customer_id       uuid,
  registration_id   uuid,
  order_id          uuid,
  outlet_id         uuid,
  engineer_id       uuid,
  complaint_id      uuid,
  restricted        boolean NOT NULL DEFAULT false,
  handler_ids       uuid[] NOT NULL DEFAULT '{}',
  created_by        uuid,
  occurred_at       timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id)
);
CREATE INDEX contact_log_list_idx ON contact_log (tenant_id, id DESC);
CREATE INDEX contact_log_complaint_idx ON contact_log (tenant_id, complaint_id) WHERE complaint_id IS NOT NULL;
COMMENT ON TABLE contact_log IS 'Every non-order contact (consultation, praise, suggestion, complaint) by channel and direction; a contact linked to a complaint is part of its timeline, and an inbound one is the customer''s reply.';
COMMENT ON COLUMN contact_log.restricted IS 'Linked to a critical complaint: visible as the complaint is (its handlers copied).';

CREATE TABLE complaint_settings (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  rules       jsonb NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE complaint_settings IS 'A tenant''s complaint rules (complaints.Rules): severity per channel and deadlines per severity; absent, the defaults of seed 001.';

ALTER TABLE complaints ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON complaints
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (NOT restricted OR app.every_confidential() OR app.user_id() = ANY (handler_ids)))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE contact_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_log
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (NOT restricted OR app.every_confidential() OR app.user_id() = ANY (handler_ids)))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE complaint_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON complaint_settings
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT, UPDATE ON complaints, contact_log TO aftersales_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON complaint_settings TO aftersales_app;

-- +goose Down
DROP TABLE complaint_settings;
DROP TABLE contact_log;
DROP TABLE complaints;
DROP FUNCTION app.every_confidential();
