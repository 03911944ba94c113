-- +goose Up
-- SLA clocks: one per order and target (accept, dispatch, appointment, arrival, completion,
-- return, callback), in business or clock time, paused on the tenant's pause statuses;
-- breaches recorded per order and target for attainment reports; the tenant's settings
-- (warning threshold, pause statuses, escalation chain). Timers are River jobs inserted in
-- the same transaction as the clock change; every job re-checks the clock before acting.

CREATE TABLE sla_settings (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  warn_percent    integer NOT NULL DEFAULT 75 CHECK (warn_percent BETWEEN 1 AND 99),
  pause_statuses  text[] NOT NULL DEFAULT '{awaiting_customer_approval,waiting_parts}',
  escalation      jsonb NOT NULL DEFAULT '[]',
  version         integer NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE sla_settings IS 'A tenant''s SLA settings: warning threshold, statuses that pause clocks, escalation chain after a breach.';

CREATE TABLE sla_clocks (
  tenant_id         uuid NOT NULL,
  order_id          uuid NOT NULL,
  order_number      text NOT NULL DEFAULT '',
  target            text NOT NULL CHECK (target IN ('accept', 'dispatch', 'appointment', 'arrival', 'completion', 'return', 'callback')),
  outlet_id         uuid,
  engineer_id       uuid,
  tier_code         text NOT NULL DEFAULT '',
  order_type        text NOT NULL DEFAULT '',
  business          boolean NOT NULL,
  duration_ms       bigint NOT NULL CHECK (duration_ms > 0),
  status            text NOT NULL CHECK (status IN ('running', 'paused', 'met', 'breached', 'cancelled')),
  started_at        timestamptz NOT NULL,
  due_at            timestamptz,
  warn_at           timestamptz,
  warned_at         timestamptz,
  met_at            timestamptz,
  breached_at       timestamptz,
  stopped_at        timestamptz,
  pauses            jsonb NOT NULL DEFAULT '[]',
  escalation_level  integer NOT NULL DEFAULT 0,
  escalate_at       timestamptz,
  version           integer NOT NULL DEFAULT 1,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, order_id, target),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (status <> 'running' OR due_at IS NOT NULL)
);
CREATE INDEX sla_clocks_due_idx ON sla_clocks (tenant_id, due_at) WHERE status = 'running';
CREATE INDEX sla_clocks_warn_idx ON sla_clocks (tenant_id, warn_at) WHERE status = 'running' AND warned_at IS NULL;
CREATE INDEX sla_clocks_escalate_idx ON sla_clocks (tenant_id, escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX sla_clocks_outcome_idx ON sla_clocks (tenant_id, coalesce(met_at, breached_at)) WHERE status IN ('met', 'breached');
COMMENT ON TABLE sla_clocks IS 'One SLA clock per order and target; version grows with every change, so a stale timer is a no-op.';
COMMENT ON COLUMN sla_clocks.pauses IS 'Pauses as [{from, to, reason}], to absent while the pause lasts.';

CREATE TABLE sla_breaches (
  tenant_id    uuid NOT NULL,
  order_id     uuid NOT NULL,
  target       text NOT NULL,
  outlet_id    uuid,
  engineer_id  uuid,
  tier_code    text NOT NULL DEFAULT '',
  order_type   text NOT NULL DEFAULT '',
  due_at       timestamptz NOT NULL,
  breached_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, order_id, target),
  FOREIGN KEY (tenant_id, order_id, target) REFERENCES sla_clocks (tenant_id, order_id, target) ON DELETE CASCADE
);
CREATE INDEX sla_breaches_time_idx ON sla_breaches (tenant_id, breached_at);
COMMENT ON TABLE sla_breaches IS 'Breached targets, one row per order and target, for reports and compensation.';

-- Settings are tenant-wide; clocks and breaches belong to an order's outlet, so outlet
-- staff see only their outlet's.
ALTER TABLE sla_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_settings
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));

ALTER TABLE sla_clocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_clocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_clocks
  USING (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))
  WITH CHECK (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())));

ALTER TABLE sla_breaches ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_breaches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_breaches
  USING (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())))
  WITH CHECK (tenant_id = (SELECT app.tenant_id())
         AND ((SELECT app.outlet_id()) IS NULL OR outlet_id = (SELECT app.outlet_id())));

GRANT SELECT, INSERT, UPDATE, DELETE ON sla_settings, sla_clocks, sla_breaches TO aftersales_app;

-- +goose Down
DROP TABLE sla_breaches;
DROP TABLE sla_clocks;
DROP TABLE sla_settings;
