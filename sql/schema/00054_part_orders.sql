-- +goose Up
-- Parts ordered by consumers at the counter (预订购件, docs/part_orders.md): an outlet's staff
-- record a customer's order for parts, not tied to a repair, each line at the part's consumer
-- price. A line holds stock at the outlet's warehouse when it is there; otherwise it waits
-- (订购待件) on a reservation of its own, a replenishment request asks for the part, and the
-- stock that arrives serves it like an order's waiting reservation: the line is then held and,
-- once nothing of the order waits, the customer gets the arrival notice (到货通知). The order
-- is billed like a repair (a bill naming the part order); the pickup issues the parts
-- (consumer_purchase) once the bill is paid; cancelling releases what the lines hold.

CREATE TABLE part_orders (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  number         text NOT NULL,
  outlet_id      uuid NOT NULL,
  warehouse_id   uuid NOT NULL,
  customer_id    uuid NOT NULL,
  status         text NOT NULL CHECK (status IN ('ordered', 'waiting', 'ready', 'picked_up', 'cancelled')),
  currency       char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total          bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
  note           text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  cancel_reason  text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000),
  created_by     text NOT NULL DEFAULT '',
  picked_up_by   text NOT NULL DEFAULT '',
  arrived_at     timestamptz,
  picked_up_at   timestamptz,
  cancelled_at   timestamptz,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  CHECK ((status = 'picked_up') = (picked_up_at IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX part_orders_list_idx ON part_orders (tenant_id, id DESC);
CREATE INDEX part_orders_status_idx ON part_orders (tenant_id, status, id DESC);
CREATE INDEX part_orders_customer_idx ON part_orders (tenant_id, customer_id);
COMMENT ON TABLE part_orders IS 'A customer''s order for parts at an outlet''s counter (预订购件): ordered (all held), waiting (订购待件), ready (arrived), picked up or cancelled.';

CREATE TABLE part_order_lines (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL,
  part_order_id   uuid NOT NULL,
  line_no         integer NOT NULL CHECK (line_no > 0),
  outlet_id       uuid NOT NULL,
  part_id         uuid NOT NULL,
  qty             integer NOT NULL CHECK (qty > 0),
  unit_price      bigint NOT NULL CHECK (unit_price >= 0),
  reservation_id  uuid,
  arrived_at      timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, part_order_id, line_no),
  FOREIGN KEY (tenant_id, part_order_id) REFERENCES part_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
COMMENT ON TABLE part_order_lines IS 'A line of a part order: the part, quantity and consumer price (minor units), and the reservation that holds or waits for it.';

-- A reservation holds a part for a service order or for a part order's line.
ALTER TABLE stock_reservations ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE stock_reservations ADD COLUMN part_order_line_id uuid;
ALTER TABLE stock_reservations ADD FOREIGN KEY (tenant_id, part_order_line_id) REFERENCES part_order_lines (tenant_id, id);
ALTER TABLE stock_reservations ADD CONSTRAINT stock_reservations_holder_check CHECK ((order_id IS NULL) <> (part_order_line_id IS NULL));
ALTER TABLE part_order_lines ADD FOREIGN KEY (tenant_id, reservation_id) REFERENCES stock_reservations (tenant_id, id);

-- A bill is a service order's or a part order's.
ALTER TABLE bills ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE bills ADD COLUMN part_order_id uuid;
ALTER TABLE bills ADD FOREIGN KEY (tenant_id, part_order_id) REFERENCES part_orders (tenant_id, id);
ALTER TABLE bills ADD CONSTRAINT bills_part_order_key UNIQUE (tenant_id, part_order_id);
ALTER TABLE bills ADD CONSTRAINT bills_holder_check CHECK ((order_id IS NULL) <> (part_order_id IS NULL));

-- The journal names the part order a consumer's parts were issued to.
ALTER TABLE stock_movements ADD COLUMN part_order_id uuid;
ALTER TABLE stock_movements ADD FOREIGN KEY (tenant_id, part_order_id) REFERENCES part_orders (tenant_id, id);

ALTER TABLE part_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE part_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON part_orders
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));
ALTER TABLE part_order_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE part_order_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON part_order_lines
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()) AND app.every_consumer())
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()) AND app.every_consumer());
GRANT SELECT, INSERT, UPDATE ON part_orders, part_order_lines TO aftersales_app;

-- +goose Down
ALTER TABLE stock_movements DROP COLUMN part_order_id;
DELETE FROM bills WHERE part_order_id IS NOT NULL;
ALTER TABLE bills DROP CONSTRAINT bills_holder_check;
ALTER TABLE bills DROP COLUMN part_order_id;
ALTER TABLE bills ALTER COLUMN order_id SET NOT NULL;
ALTER TABLE part_order_lines DROP COLUMN reservation_id;
DELETE FROM stock_reservations WHERE part_order_line_id IS NOT NULL;
ALTER TABLE stock_reservations DROP CONSTRAINT stock_reservations_holder_check;
ALTER TABLE stock_reservations DROP COLUMN part_order_line_id;
ALTER TABLE stock_reservations ALTER COLUMN order_id SET NOT NULL;
DROP TABLE part_order_lines, part_orders;
