-- +goose Up
-- Who may touch a row, decided by the database for consumers too, and policies that Citus
-- accepts.
--
-- 1. A consumer's requests run with app.consumer_id (the signed-in identity) and
--    app.customer_id (their customer record in the tenant), set with the tenant by the same
--    SET LOCAL. On every table a consumer reaches, a consumer sees and writes only their own
--    rows; staff and the system (app.consumer_id unset) are not narrowed.
-- 2. Policies call app.tenant_id() directly instead of (SELECT app.tenant_id()): Citus
--    refuses subqueries in policies on distributed and reference tables. The functions are
--    STABLE SQL functions that PostgreSQL inlines, so `tenant_id = app.tenant_id()` is still
--    an index condition.

-- +goose StatementBegin
CREATE FUNCTION app.consumer_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.consumer_id', true), '')::uuid $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.consumer_id() IS 'Signed-in consumer identity of the current transaction; NULL for staff and the system.';

-- +goose StatementBegin
CREATE FUNCTION app.customer_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.customer_id', true), '')::uuid $$;
-- +goose StatementEnd
COMMENT ON FUNCTION app.customer_id() IS 'The consumer''s customer record in the tenant; NULL when none (a consumer then sees none of the consumer tables'' rows).';

GRANT EXECUTE ON FUNCTION app.consumer_id(), app.customer_id() TO aftersales_app;

-- Quotes and disputes name their customer, so that a policy can confine them without a
-- subquery (Citus allows none in policies).
ALTER TABLE order_quotes ADD COLUMN customer_id uuid;
UPDATE order_quotes q SET customer_id = o.customer_id FROM service_orders o WHERE o.tenant_id = q.tenant_id AND o.id = q.order_id;
ALTER TABLE order_quotes ALTER COLUMN customer_id SET NOT NULL,
  ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id);
COMMENT ON COLUMN order_quotes.customer_id IS 'The order''s customer (who may answer the quote).';
ALTER TABLE order_disputes ADD COLUMN customer_id uuid;
UPDATE order_disputes d SET customer_id = o.customer_id FROM service_orders o WHERE o.tenant_id = d.tenant_id AND o.id = d.order_id;
ALTER TABLE order_disputes ALTER COLUMN customer_id SET NOT NULL,
  ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id);
COMMENT ON COLUMN order_disputes.customer_id IS 'The order''s customer (who raised the dispute).';

-- Every policy without subqueries.
-- +goose StatementBegin
DO $$
DECLARE
  p record;
  q text;
  c text;
BEGIN
  FOR p IN SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public' LOOP
    q := regexp_replace(p.qual, '\( SELECT app\.(\w+)\(\) AS \w+\)', 'app.\1()', 'g');
    c := regexp_replace(p.with_check, '\( SELECT app\.(\w+)\(\) AS \w+\)', 'app.\1()', 'g');
    IF q IS NOT NULL AND c IS NOT NULL THEN
      EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)', p.policyname, p.tablename, q, c);
    ELSIF q IS NOT NULL THEN
      EXECUTE format('ALTER POLICY %I ON %I USING (%s)', p.policyname, p.tablename, q);
    END IF;
  END LOOP;
END
$$;
-- +goose StatementEnd

-- The consumer axis.
ALTER POLICY tenant_isolation ON customers
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR consumer_id = app.consumer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR consumer_id = app.consumer_id()));
ALTER POLICY tenant_isolation ON registrations
  USING (tenant_id = app.tenant_id()
         AND (app.consumer_id() IS NULL OR buyer_id = app.customer_id() OR user_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.consumer_id() IS NULL OR buyer_id = app.customer_id() OR user_id = app.customer_id()));
ALTER POLICY tenant_isolation ON service_orders
  USING (tenant_id = app.tenant_id()
         AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id())
         AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id())
         AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON order_quotes
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON order_disputes
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON purchases
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON notification_preferences
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON inbox_messages
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR consumer_id = app.consumer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR consumer_id = app.consumer_id()));

-- +goose Down
ALTER POLICY tenant_isolation ON customers
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON registrations
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON service_orders
  USING (tenant_id = app.tenant_id() AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id()));
ALTER POLICY tenant_isolation ON order_quotes
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON order_disputes
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON purchases
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON notification_preferences
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER POLICY tenant_isolation ON inbox_messages
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

-- +goose StatementBegin
DO $$
DECLARE
  p record;
  q text;
  c text;
BEGIN
  FOR p IN SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public' LOOP
    q := regexp_replace(p.qual, 'app\.(\w+)\(\)', '(SELECT app.\1())', 'g');
    c := regexp_replace(p.with_check, 'app\.(\w+)\(\)', '(SELECT app.\1())', 'g');
    IF q IS NOT NULL AND c IS NOT NULL THEN
      EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)', p.policyname, p.tablename, q, c);
    ELSIF q IS NOT NULL THEN
      EXECUTE format('ALTER POLICY %I ON %I USING (%s)', p.policyname, p.tablename, q);
    END IF;
  END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE order_disputes DROP COLUMN customer_id;
ALTER TABLE order_quotes DROP COLUMN customer_id;
DROP FUNCTION app.customer_id();
DROP FUNCTION app.consumer_id();
