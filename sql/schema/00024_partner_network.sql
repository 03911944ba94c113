-- +goose Up
-- One repair network across tenants (docs/network.md). Work between tenants is messages:
-- each side keeps its own copy of a partner agreement and of a handed-off job, and a message
-- travels from the sender's outbox (written in the sender's transaction) to the receiver's
-- inbox (written by the one audited platform path, `network: deliver message`) where the
-- receiver's own transaction applies it. No row names two tenants' data; no transaction
-- touches two tenants' rows.

CREATE TABLE partner_agreements (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,
  partner_tenant_id uuid NOT NULL REFERENCES tenants (id),
  partner_name      text NOT NULL DEFAULT '',
  role              text NOT NULL CHECK (role IN ('principal', 'provider')),
  status            text NOT NULL CHECK (status IN ('proposed', 'active', 'rejected', 'suspended')),
  terms             jsonb NOT NULL DEFAULT '{}',
  terms_version     integer NOT NULL DEFAULT 0,
  valid_from        date,
  valid_until       date,
  pending_terms     jsonb,
  pending_version   integer,
  pending_by        text CHECK (pending_by IN ('self', 'partner')),
  status_reason     text NOT NULL DEFAULT '',
  next_seq_out      bigint NOT NULL DEFAULT 0,
  applied_seq_in    bigint NOT NULL DEFAULT 0,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (partner_tenant_id <> tenant_id),
  CHECK ((pending_terms IS NULL) = (pending_version IS NULL) AND (pending_terms IS NULL) = (pending_by IS NULL))
);
CREATE INDEX partner_agreements_partner_idx ON partner_agreements (tenant_id, partner_tenant_id, id DESC);
COMMENT ON TABLE partner_agreements IS 'This tenant''s copy of an agreement with a partner tenant (same id on both sides): role, accepted terms and their version, a pending proposal, the message sequence numbers of each direction.';
COMMENT ON COLUMN partner_agreements.role IS 'principal: this tenant sends work under the agreement; provider: it receives and does the work.';
COMMENT ON COLUMN partner_agreements.next_seq_out IS 'The last sequence number this tenant gave a message on the agreement.';
COMMENT ON COLUMN partner_agreements.applied_seq_in IS 'The last sequence number of the partner''s messages applied here; later ones wait in the inbox.';

CREATE TABLE network_outbox (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  agreement_id       uuid NOT NULL,
  receiver_tenant_id uuid NOT NULL,
  seq                bigint NOT NULL CHECK (seq > 0),
  kind               text NOT NULL,
  body               jsonb NOT NULL DEFAULT '{}',
  attempts           integer NOT NULL DEFAULT 0,
  last_error         text NOT NULL DEFAULT '',
  refused_reason     text NOT NULL DEFAULT '',
  delivered_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, agreement_id, seq)
);
CREATE INDEX network_outbox_pending_idx ON network_outbox (tenant_id, id) WHERE delivered_at IS NULL AND refused_reason = '';
COMMENT ON TABLE network_outbox IS 'Messages this tenant sends to partners, written in the transaction of the change they report; a job delivers each to the receiver''s inbox.';

CREATE TABLE network_inbox (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  agreement_id     uuid NOT NULL,
  sender_tenant_id uuid NOT NULL,
  seq              bigint NOT NULL CHECK (seq > 0),
  kind             text NOT NULL,
  body             jsonb NOT NULL DEFAULT '{}',
  received_at      timestamptz NOT NULL DEFAULT now(),
  applied_at       timestamptz,
  refused_reason   text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, agreement_id, sender_tenant_id, seq)
);
COMMENT ON TABLE network_inbox IS 'Messages partners sent this tenant, keyed by the message id (a redelivery inserts nothing), applied in sequence order per agreement; refused ones keep the reason.';

CREATE TABLE network_jobs (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  direction            text NOT NULL CHECK (direction IN ('sent', 'received')),
  agreement_id         uuid NOT NULL,
  partner_tenant_id    uuid NOT NULL,
  partner_name         text NOT NULL DEFAULT '',
  order_id             uuid NOT NULL,
  partner_order_number text NOT NULL DEFAULT '',
  partner_status       text NOT NULL DEFAULT '',
  partner_version      integer NOT NULL DEFAULT 0,
  facts                jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, direction, order_id),
  FOREIGN KEY (tenant_id, agreement_id) REFERENCES partner_agreements (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id)
);
CREATE INDEX network_jobs_board_idx ON network_jobs (tenant_id, direction, partner_tenant_id, id DESC);
COMMENT ON TABLE network_jobs IS 'A job handed between tenants, as this side sees it (same id on both sides): the sender''s order and the partner''s status mirrored back, or the order received and who sent it.';

ALTER TABLE partner_agreements ENABLE ROW LEVEL SECURITY;
ALTER TABLE partner_agreements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON partner_agreements
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE network_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE network_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON network_outbox
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE network_inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE network_inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON network_inbox
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE network_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE network_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON network_jobs
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT, UPDATE, DELETE ON partner_agreements, network_outbox, network_inbox, network_jobs TO aftersales_app;

-- +goose Down
DROP TABLE network_jobs, network_inbox, network_outbox, partner_agreements;
