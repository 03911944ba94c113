-- +goose Up
-- Engineers' pay rules (docs/commission.md): versions of a tenant's commission rates, role
-- shares, deductions and rewards, each in force from its effective day until a later-starting
-- version begins. Versions are added, never changed, so pay computed under one can be
-- explained later. Tenant-wide: the rules are the brand's, not an outlet's.

CREATE TABLE commission_rule_versions (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  version         integer NOT NULL CHECK (version > 0),
  effective_from  date NOT NULL,
  rules           jsonb NOT NULL,
  note            text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  created_by      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);
COMMENT ON TABLE commission_rule_versions IS 'Versions of a tenant''s engineer pay rules (commission, deductions, rewards), each in force from its effective day.';

ALTER TABLE commission_rule_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE commission_rule_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON commission_rule_versions
  USING (tenant_id = app.tenant_id())
  WITH CHECK (tenant_id = app.tenant_id());
GRANT SELECT, INSERT ON commission_rule_versions TO aftersales_app;

-- +goose Down
DROP TABLE commission_rule_versions;
