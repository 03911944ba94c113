-- +goose Up
-- Invoice images uploaded for registrations (by staff or by the consumer who owns the unit).

CREATE TABLE invoice_images (
  tenant_id        uuid NOT NULL,
  registration_id  uuid NOT NULL,
  content_type     text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  content          bytea NOT NULL,
  sha256           bytea NOT NULL,
  uploaded_by      text NOT NULL DEFAULT '',
  uploaded_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, registration_id),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE invoice_images IS 'The invoice (发票) image of a registered unit, proof for warranty decisions.';
ALTER TABLE invoice_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_images
  USING (tenant_id = (SELECT app.tenant_id())) WITH CHECK (tenant_id = (SELECT app.tenant_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON invoice_images TO aftersales_app;

-- +goose Down
DROP TABLE invoice_images;
