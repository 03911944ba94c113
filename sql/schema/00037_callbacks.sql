-- +goose Up
-- Callbacks (回访) and satisfaction surveys (docs/callbacks.md): the tenant's survey
-- templates, its sampling settings and agents' shift roster, the callback tasks sampled each
-- day from completed orders, the one survey answer per order (from the agent on the call or
-- the consumer through a tokenized link), and the rectification case a poor answer opens.

CREATE TABLE survey_templates (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  questions   jsonb NOT NULL,
  poor_at     double precision NOT NULL DEFAULT 2 CHECK (poor_at >= 1 AND poor_at < 5),
  is_default  boolean NOT NULL DEFAULT false,
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX survey_templates_default_idx ON survey_templates (tenant_id) WHERE is_default;
COMMENT ON TABLE survey_templates IS 'A tenant''s satisfaction survey (回访模板): questions on dimensions with scales, NPS and free text; an overall score at or below poor_at is a poor result.';

CREATE TABLE callback_settings (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  ratio_bp        integer NOT NULL DEFAULT 1000 CHECK (ratio_bp BETWEEN 0 AND 10000),
  type_ratios     jsonb NOT NULL DEFAULT '{}',
  outlet_ratios   jsonb NOT NULL DEFAULT '{}',
  excluded_types  text[] NOT NULL DEFAULT '{internal,claim_only}',
  cap_surveys     integer NOT NULL DEFAULT 1 CHECK (cap_surveys BETWEEN 0 AND 100),
  cap_days        integer NOT NULL DEFAULT 90 CHECK (cap_days BETWEEN 1 AND 366),
  due_minutes     integer NOT NULL DEFAULT 2880 CHECK (due_minutes BETWEEN 1 AND 525600),
  rectify_hours   integer NOT NULL DEFAULT 72 CHECK (rectify_hours BETWEEN 1 AND 8760),
  shifts          jsonb NOT NULL DEFAULT '[]',
  version         integer NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE callback_settings IS 'How a tenant samples completed orders for a callback (抽样比例): ratios in basis points by outlet, order type and default; types never called; a cap of surveys per customer per period; the agents'' shift roster (排班); the rectification deadline.';

CREATE TABLE callback_tasks (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  order_id      uuid NOT NULL,
  order_number  text NOT NULL,
  order_type    text NOT NULL DEFAULT '',
  outlet_id     uuid,
  customer_id   uuid NOT NULL,
  engineer_id   uuid,
  reason        text NOT NULL CHECK (reason IN ('sampled', 'repeat', 'poor_rating', 'complaint')),
  sample_day    date NOT NULL,
  template_id   uuid NOT NULL,
  assignee_id   uuid,
  due_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'unreachable', 'cancelled')),
  attempts      integer NOT NULL DEFAULT 0,
  note          text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  token_hash    text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_id),
  UNIQUE (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES survey_templates (tenant_id, id)
);
CREATE INDEX callback_tasks_queue_idx ON callback_tasks (tenant_id, status, due_at, id);
CREATE INDEX callback_tasks_assignee_idx ON callback_tasks (tenant_id, assignee_id, status, due_at);
CREATE INDEX callback_tasks_customer_idx ON callback_tasks (tenant_id, customer_id, created_at);
COMMENT ON TABLE callback_tasks IS 'A callback (回访) of one completed order: why it was chosen, the agent on shift it went to and its due time (the callback SLA target), its outcome; one per order.';

CREATE TABLE survey_responses (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  order_id     uuid NOT NULL,
  task_id      uuid,
  template_id  uuid NOT NULL,
  outlet_id    uuid,
  customer_id  uuid NOT NULL,
  engineer_id  uuid,
  channel      text NOT NULL CHECK (channel IN ('call', 'link', 'portal')),
  answers      jsonb NOT NULL,
  score        double precision NOT NULL CHECK (score BETWEEN 1 AND 5),
  nps          smallint CHECK (nps BETWEEN 0 AND 10),
  comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  poor         boolean NOT NULL,
  answered_by  text NOT NULL DEFAULT '',
  answered_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, task_id) REFERENCES callback_tasks (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES survey_templates (tenant_id, id)
);
CREATE INDEX survey_responses_answered_idx ON survey_responses (tenant_id, answered_at);
COMMENT ON TABLE survey_responses IS 'The satisfaction survey of one order (满意度调查), answered on the callback or by the consumer from the link or portal: one per order, whatever the channel.';

CREATE TABLE rectifications (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL,
  response_id     uuid NOT NULL,
  order_id        uuid NOT NULL,
  order_number    text NOT NULL,
  outlet_id       uuid,
  engineer_id     uuid,
  owner_id        uuid,
  deadline        timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'approved')),
  actions         text NOT NULL DEFAULT '' CHECK (length(actions) <= 4000),
  recontacted_at  timestamptz,
  recontact_note  text NOT NULL DEFAULT '' CHECK (length(recontact_note) <= 2000),
  review_note     text NOT NULL DEFAULT '' CHECK (length(review_note) <= 2000),
  submitted_by    text NOT NULL DEFAULT '',
  approved_by     text NOT NULL DEFAULT '',
  approved_at     timestamptz,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, response_id),
  FOREIGN KEY (tenant_id, response_id) REFERENCES survey_responses (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id)
);
CREATE INDEX rectifications_status_idx ON rectifications (tenant_id, status, id DESC);
COMMENT ON TABLE rectifications IS 'The rectification case (整改) a poor survey result opens: owner, deadline, actions taken, the customer recontacted, the manager''s approval.';

CREATE TABLE callback_runs (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  day         date NOT NULL,
  candidates  integer NOT NULL DEFAULT 0,
  created     integer NOT NULL DEFAULT 0,
  ran_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day)
);
COMMENT ON TABLE callback_runs IS 'The daily sampling runs of a tenant: the day sampled, the completed orders it looked at and the tasks it created (the last run).';

ALTER TABLE survey_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_templates
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE callback_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callback_settings
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE callback_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callback_runs
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE callback_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callback_tasks
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE survey_responses ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_responses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_responses
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER TABLE rectifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rectifications
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));

GRANT SELECT, INSERT, UPDATE ON survey_templates, callback_settings, callback_tasks, rectifications, callback_runs TO aftersales_app;
GRANT SELECT, INSERT ON survey_responses TO aftersales_app;

-- A poor or good survey result is a pay line of its own (cause callback).
ALTER TABLE pay_entries DROP CONSTRAINT pay_entries_cause_check;
ALTER TABLE pay_entries ADD CONSTRAINT pay_entries_cause_check
  CHECK (cause IN ('audit', 'audit_reversed', 'refund', 'breach', 'compensation', 'callback'));

-- +goose Down
ALTER TABLE pay_entries DROP CONSTRAINT pay_entries_cause_check;
ALTER TABLE pay_entries ADD CONSTRAINT pay_entries_cause_check
  CHECK (cause IN ('audit', 'audit_reversed', 'refund', 'breach', 'compensation'));
DROP TABLE callback_runs;
DROP TABLE rectifications;
DROP TABLE survey_responses;
DROP TABLE callback_tasks;
DROP TABLE callback_settings;
DROP TABLE survey_templates;
