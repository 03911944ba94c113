-- +goose Up
-- Domain events: what happened to a tenant's data, written in the same transaction as the
-- change. Consumers (notifications, tenant webhooks, billing) react to them through jobs.

CREATE TABLE events (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  type        text NOT NULL CHECK (type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  subject     text NOT NULL DEFAULT '',
  subject_id  uuid,
  outlet_id   uuid,
  payload     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_subject_idx ON events (tenant_id, subject_id, created_at);
COMMENT ON TABLE events IS 'Domain events (order.created, sla.breached, ...) consumed by notifications, webhooks and billing.';
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
GRANT SELECT, INSERT ON events TO aftersales_app;

-- +goose Down
DROP TABLE events;
