-- +goose Up
-- The consumer's photos (docs/returns.md, docs/orders.md): a signed-in consumer uploads
-- photos to their own order (stored with the staff's attachments, so staff see them on the
-- order) and names them when disputing an exclusion or asking for a return or exchange. A
-- consumer sees only the attachments they uploaded themselves; staff see every one.
ALTER TABLE order_attachments ADD COLUMN customer_id uuid,
  ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id);
COMMENT ON COLUMN order_attachments.customer_id IS 'The customer who uploaded it in the portal; NULL for staff uploads.';

ALTER POLICY tenant_isolation ON order_attachments
  USING (tenant_id = app.tenant_id() AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_consumer() OR customer_id = app.customer_id()));

ALTER TABLE order_disputes ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(attachment_ids) <= 10);
COMMENT ON COLUMN order_disputes.attachment_ids IS 'The customer''s photos backing the dispute (order_attachments of the order they uploaded).';

ALTER TABLE return_cases ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(attachment_ids) <= 10);
COMMENT ON COLUMN return_cases.attachment_ids IS 'The customer''s photos backing a case they asked for in the portal (order_attachments of the case''s order).';

-- +goose Down
ALTER TABLE return_cases DROP COLUMN attachment_ids;
ALTER TABLE order_disputes DROP COLUMN attachment_ids;
ALTER POLICY tenant_isolation ON order_attachments
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE order_attachments DROP COLUMN customer_id;
