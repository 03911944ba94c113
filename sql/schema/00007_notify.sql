-- +goose Up
-- Notifications (templates, the send log, in-app messages, consumer preferences, quiet hours)
-- and tenant webhooks (endpoints with rotating secrets, the delivery log).

CREATE TABLE notification_templates (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  event_type  text NOT NULL CHECK (event_type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  channel     text NOT NULL CHECK (channel IN ('sms', 'email', 'in_app')),
  locale      text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
  subject     text NOT NULL DEFAULT '' CHECK (length(subject) <= 500),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, event_type, channel, locale)
);
COMMENT ON TABLE notification_templates IS 'A tenant''s template for one event, channel and locale, overriding the shipped default.';

CREATE TABLE notification_settings (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  quiet_start  text NOT NULL DEFAULT '' CHECK (quiet_start = '' OR quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_end    text NOT NULL DEFAULT '' CHECK (quiet_end = '' OR quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE notification_settings IS 'Per tenant: quiet hours (in the tenant''s time zone) during which non-urgent SMS and email wait.';

CREATE TABLE notification_preferences (
  tenant_id    uuid NOT NULL,
  customer_id  uuid NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('sms', 'email', 'in_app', '*')),
  event_class  text NOT NULL CHECK (event_class ~ '^([a-z_]+|\*)$'),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id, channel, event_class),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE notification_preferences IS 'A customer''s opt-outs: one row per (channel, event class) they do not want; * means all.';

CREATE TABLE notification_sends (
  tenant_id            uuid NOT NULL,
  id                   uuid NOT NULL,
  event_id             uuid NOT NULL,
  event_type           text NOT NULL,
  subject_id           uuid,
  channel              text NOT NULL CHECK (channel IN ('sms', 'email', 'in_app')),
  recipient_key        text NOT NULL,
  recipient_kind       text NOT NULL CHECK (recipient_kind IN ('customer', 'user')),
  customer_id          uuid,
  user_id              uuid,
  consumer_id          uuid,
  address              text NOT NULL DEFAULT '',
  locale               text NOT NULL,
  subject              text NOT NULL DEFAULT '',
  body                 text NOT NULL DEFAULT '',
  status               text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
  attempts             integer NOT NULL DEFAULT 0,
  provider_message_id  text NOT NULL DEFAULT '',
  error                text NOT NULL DEFAULT '',
  scheduled_at         timestamptz NOT NULL DEFAULT now(),
  claimed_at           timestamptz,
  sent_at              timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, event_id, recipient_key, channel),
  FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id)
);
CREATE INDEX notification_sends_list_idx ON notification_sends (tenant_id, created_at DESC, id DESC);
CREATE INDEX notification_sends_subject_idx ON notification_sends (tenant_id, subject_id);
COMMENT ON TABLE notification_sends IS 'The send log: one row per (event, recipient, channel), claimed before the provider is called.';

CREATE TABLE inbox_messages (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  send_id      uuid NOT NULL,
  user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
  consumer_id  uuid REFERENCES consumers (id) ON DELETE CASCADE,
  event_type   text NOT NULL,
  subject_id   uuid,
  title        text NOT NULL DEFAULT '',
  body         text NOT NULL,
  read_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, send_id),
  FOREIGN KEY (tenant_id, send_id) REFERENCES notification_sends (tenant_id, id) ON DELETE CASCADE,
  CHECK ((user_id IS NULL) <> (consumer_id IS NULL))
);
CREATE INDEX inbox_messages_user_idx ON inbox_messages (tenant_id, user_id, id DESC) WHERE user_id IS NOT NULL;
CREATE INDEX inbox_messages_consumer_idx ON inbox_messages (tenant_id, consumer_id, id DESC) WHERE consumer_id IS NOT NULL;
COMMENT ON TABLE inbox_messages IS 'In-app messages of staff users and consumers.';

CREATE TABLE webhook_endpoints (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  id                    uuid NOT NULL,
  url                   text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  events                text[] NOT NULL DEFAULT '{}',
  description           text NOT NULL DEFAULT '',
  enabled               boolean NOT NULL DEFAULT true,
  secret                text NOT NULL,
  previous_secret       text,
  previous_expires_at   timestamptz,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  failing_since         timestamptz,
  disabled_at           timestamptz,
  disabled_reason       text NOT NULL DEFAULT '',
  version               integer NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
COMMENT ON TABLE webhook_endpoints IS 'A tenant''s webhook receiver: URL, chosen events, signing secret (and the previous one until it expires).';

CREATE TABLE webhook_deliveries (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  endpoint_id     uuid NOT NULL,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  redelivery_of   uuid,
  payload         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
  attempts        integer NOT NULL DEFAULT 0,
  response_code   integer,
  latency_ms      integer,
  response_body   text NOT NULL DEFAULT '',
  error           text NOT NULL DEFAULT '',
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  claimed_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX webhook_deliveries_once_idx ON webhook_deliveries (tenant_id, endpoint_id, event_id) WHERE redelivery_of IS NULL;
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id DESC);
COMMENT ON TABLE webhook_deliveries IS 'One delivery of an event to an endpoint (or a manual redelivery), with its last response.';

ALTER TABLE notification_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_templates
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_preferences
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE notification_sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_sends FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_sends
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE inbox_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbox_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbox_messages
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON notification_templates, notification_settings, notification_preferences,
  notification_sends, inbox_messages, webhook_endpoints, webhook_deliveries TO aftersales_app;

-- +goose Down
DROP TABLE webhook_deliveries, webhook_endpoints, inbox_messages, notification_sends, notification_preferences,
  notification_settings, notification_templates;
