-- +goose Up
-- Parts and stock (备件, 仓库): a parts catalog, warehouses of the tenant, its outlets and its
-- engineers' vans, an append-only movement journal with an on-hand projection that cannot go
-- below zero, reservations for orders, transfers and outlets' requests to the central
-- warehouse, safety stock, and where each serial-tracked unit is now.
--
-- Stock rows carry the outlet of their warehouse (NULL: the tenant's central stock), so outlet
-- staff see and move only their outlet's stock; the warehouses themselves of the centre are
-- readable by outlet staff (to request parts from them), never writable.

CREATE TABLE parts (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  part_no          text NOT NULL CHECK (part_no ~ '^[A-Za-z0-9._/-]{1,64}$'),
  name_zh          text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
  name_en          text NOT NULL DEFAULT '' CHECK (length(name_en) <= 200),
  model_ids        uuid[] NOT NULL DEFAULT '{}',
  components       text[] NOT NULL DEFAULT '{}',
  substitute_ids   uuid[] NOT NULL DEFAULT '{}',
  serial_tracked   boolean NOT NULL DEFAULT false,
  currency         char(3) NOT NULL DEFAULT 'CNY',
  unit_cost        bigint NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
  outlet_price     bigint NOT NULL DEFAULT 0 CHECK (outlet_price >= 0),
  consumer_price   bigint NOT NULL DEFAULT 0 CHECK (consumer_price >= 0),
  active           boolean NOT NULL DEFAULT true,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, part_no)
);
COMMENT ON TABLE parts IS 'Parts catalog: part numbers, the models and components they fit, substitutes, serial tracking, cost and prices by use (minor units).';

CREATE TABLE stock_settings (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  lock_date   date,
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE stock_settings IS 'A tenant''s stock terms: postings dated on or before lock_date (a closed period) are refused.';

CREATE TABLE warehouses (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  code         text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$'),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind         text NOT NULL CHECK (kind IN ('spare_parts', 'finished_goods', 'pending_repair', 'samples', 'scrap', 'returned_goods')),
  owner        text NOT NULL DEFAULT 'own' CHECK (owner IN ('own', 'customer', 'consigned', 'loaner')),
  outlet_id    uuid,
  engineer_id  uuid,
  active       boolean NOT NULL DEFAULT true,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  CHECK (engineer_id IS NULL OR outlet_id IS NOT NULL)
);
CREATE UNIQUE INDEX warehouses_van_idx ON warehouses (tenant_id, engineer_id) WHERE engineer_id IS NOT NULL;
COMMENT ON TABLE warehouses IS 'Warehouses of the tenant (outlet_id NULL: central), of an outlet, or an engineer''s van; owner says whose goods it holds (only own stock is valued).';

CREATE TABLE stock_balances (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  warehouse_id  uuid NOT NULL,
  part_id       uuid NOT NULL,
  outlet_id     uuid,
  on_hand       integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved      integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, warehouse_id, part_id),
  CHECK (reserved <= on_hand),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
CREATE INDEX stock_balances_part_idx ON stock_balances (tenant_id, part_id);
COMMENT ON TABLE stock_balances IS 'On hand and reserved per warehouse and part: a projection of stock_movements and open stock_reservations, updated in the same transaction; never below zero, never more reserved than on hand.';

CREATE TABLE transfers (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  from_warehouse_id  uuid NOT NULL,
  to_warehouse_id    uuid NOT NULL,
  from_outlet_id     uuid,
  to_outlet_id       uuid,
  request_id         uuid,
  status             text NOT NULL DEFAULT 'in_transit' CHECK (status IN ('in_transit', 'received')),
  note               text NOT NULL DEFAULT '',
  shipped_by         uuid,
  received_by        uuid,
  shipped_at         timestamptz NOT NULL DEFAULT now(),
  received_at        timestamptz,
  version            integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  CHECK (from_warehouse_id <> to_warehouse_id),
  FOREIGN KEY (tenant_id, from_warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, to_warehouse_id) REFERENCES warehouses (tenant_id, id)
);
CREATE INDEX transfers_open_idx ON transfers (tenant_id, from_warehouse_id) WHERE status = 'in_transit';
COMMENT ON TABLE transfers IS 'Stock shipped between warehouses; while in transit it belongs to the sender; visible to both outlets.';

CREATE TABLE transfer_lines (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  transfer_id         uuid NOT NULL,
  line_no             integer NOT NULL CHECK (line_no > 0),
  part_id             uuid NOT NULL,
  from_outlet_id      uuid,
  to_outlet_id        uuid,
  qty_shipped         integer NOT NULL CHECK (qty_shipped > 0),
  qty_received        integer CHECK (qty_received >= 0),
  discrepancy_reason  text NOT NULL DEFAULT '' CHECK (discrepancy_reason IN ('', 'short_shipped', 'damaged', 'lost', 'wrong_part', 'other')),
  serials             text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, transfer_id, line_no),
  CHECK (qty_received IS NULL OR qty_received <= qty_shipped),
  CHECK (qty_received IS NULL OR qty_received = qty_shipped OR discrepancy_reason <> ''),
  FOREIGN KEY (tenant_id, transfer_id) REFERENCES transfers (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
COMMENT ON TABLE transfer_lines IS 'A transfer''s lines: shipped, then received with a discrepancy reason when the count differs (never more than shipped).';

CREATE TABLE part_requests (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  warehouse_id         uuid NOT NULL,
  source_warehouse_id  uuid,
  outlet_id            uuid,
  part_id              uuid NOT NULL,
  qty                  integer NOT NULL CHECK (qty > 0),
  approved_qty         integer CHECK (approved_qty >= 0),
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'shipped', 'cancelled')),
  reason               text NOT NULL DEFAULT '',
  review_note          text NOT NULL DEFAULT '',
  order_id             uuid,
  reservation_id       uuid,
  transfer_id          uuid,
  requested_by         uuid,
  reviewed_by          uuid,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (approved_qty IS NULL OR approved_qty <= qty),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, source_warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id)
);
CREATE INDEX part_requests_status_idx ON part_requests (tenant_id, status, id DESC);
COMMENT ON TABLE part_requests IS 'Replenishment requests: an outlet''s request to the central warehouse or a reservation that could not be met, reviewed (approve, cut, reject), then shipped as a transfer.';

CREATE TABLE stock_reservations (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  order_id      uuid NOT NULL,
  warehouse_id  uuid NOT NULL,
  part_id       uuid NOT NULL,
  outlet_id     uuid,
  qty           integer NOT NULL CHECK (qty > 0),
  status        text NOT NULL CHECK (status IN ('open', 'waiting', 'consumed', 'released')),
  request_id    uuid,
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
CREATE INDEX stock_reservations_open_idx ON stock_reservations (tenant_id, warehouse_id, part_id) WHERE status IN ('open', 'waiting');
CREATE INDEX stock_reservations_order_idx ON stock_reservations (tenant_id, order_id);
COMMENT ON TABLE stock_reservations IS 'A part held for an order at a warehouse: open (counted in stock_balances.reserved), waiting (could not be met; the order waits for parts), consumed by an issue, or released.';

CREATE TABLE stock_movements (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  warehouse_id     uuid NOT NULL,
  part_id          uuid NOT NULL,
  outlet_id        uuid,
  type             text NOT NULL CHECK (type IN ('receipt', 'issue', 'order_return', 'transfer_ship', 'transfer_receive',
                                                  'requisition', 'requisition_return', 'adjustment', 'scrap')),
  issue_kind       text NOT NULL DEFAULT '' CHECK (issue_kind IN ('', 'in_warranty', 'charged', 'consumer_purchase')),
  qty              integer NOT NULL CHECK (qty <> 0),
  unit_cost        bigint NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
  serial           text NOT NULL DEFAULT '',
  order_id         uuid,
  order_part_id    uuid,
  transfer_id      uuid,
  reservation_id   uuid,
  reason           text NOT NULL DEFAULT '',
  approved_by      uuid,
  posted_on        date NOT NULL,
  created_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key),
  CHECK (type <> 'issue' OR issue_kind <> ''),
  CHECK (type <> 'adjustment' OR (reason <> '' AND approved_by IS NOT NULL)),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
CREATE INDEX stock_movements_list_idx ON stock_movements (tenant_id, id DESC);
CREATE INDEX stock_movements_balance_idx ON stock_movements (tenant_id, warehouse_id, part_id);
CREATE INDEX stock_movements_serial_idx ON stock_movements (tenant_id, part_id, serial) WHERE serial <> '';
COMMENT ON TABLE stock_movements IS 'The append-only stock journal: one signed quantity per warehouse and part per movement, typed, idempotent by key; corrections are new movements.';

CREATE TABLE order_parts (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL,
  order_id        uuid NOT NULL,
  warehouse_id    uuid NOT NULL,
  part_id         uuid NOT NULL,
  outlet_id       uuid,
  qty             integer NOT NULL CHECK (qty > 0),
  issue_kind      text NOT NULL CHECK (issue_kind IN ('in_warranty', 'charged', 'consumer_purchase')),
  reservation_id  uuid,
  old_serial      text NOT NULL DEFAULT '',
  new_serial      text NOT NULL DEFAULT '',
  status          text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'returned')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  returned_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
CREATE INDEX order_parts_order_idx ON order_parts (tenant_id, order_id);
COMMENT ON TABLE order_parts IS 'Parts used on an order, issued from a warehouse (with the old and new serial of a serial-tracked part); removing one returns it to stock.';

CREATE TABLE part_serials (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  part_id       uuid NOT NULL,
  serial        text NOT NULL CHECK (length(serial) BETWEEN 1 AND 100),
  place         text NOT NULL CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped')),
  warehouse_id  uuid,
  outlet_id     uuid,
  order_id      uuid,
  transfer_id   uuid,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, part_id, serial),
  CHECK ((place = 'in_stock') = (warehouse_id IS NOT NULL)),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
);
COMMENT ON TABLE part_serials IS 'Where each unit of a serial-tracked part is now (one place at a time); its history is the journal''s rows with its serial.';

CREATE TABLE safety_stock (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  warehouse_id  uuid NOT NULL,
  part_id       uuid NOT NULL,
  outlet_id     uuid,
  min_qty       integer NOT NULL CHECK (min_qty >= 0),
  reorder_qty   integer NOT NULL DEFAULT 0 CHECK (reorder_qty >= 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, warehouse_id, part_id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
COMMENT ON TABLE safety_stock IS 'Safety stock per warehouse and part: below min_qty available, the suggestion list proposes reorder_qty (or the shortfall).';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['parts', 'stock_settings', 'warehouses', 'stock_balances', 'transfers', 'transfer_lines', 'part_requests',
                           'stock_reservations', 'stock_movements', 'order_parts', 'part_serials', 'safety_stock'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['parts', 'stock_settings'] LOOP
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id())', t);
  END LOOP;
  -- Stock an outlet holds: outlet staff reach their outlet's rows only.
  FOREACH t IN ARRAY ARRAY['warehouses', 'stock_balances', 'part_requests', 'stock_reservations', 'stock_movements', 'order_parts',
                           'part_serials', 'safety_stock'] LOOP
    EXECUTE format('CREATE POLICY tenant_isolation ON %I
      USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
      WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))', t);
  END LOOP;
  -- A transfer is both outlets': the sender ships it, the receiver receives it.
  FOREACH t IN ARRAY ARRAY['transfers', 'transfer_lines'] LOOP
    EXECUTE format('CREATE POLICY tenant_isolation ON %I
      USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR from_outlet_id = app.outlet_id() OR to_outlet_id = app.outlet_id()))
      WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR from_outlet_id = app.outlet_id() OR to_outlet_id = app.outlet_id()))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
-- Outlet staff read the central warehouses (to request parts from them), never change them.
CREATE POLICY outlet_reads_central ON warehouses FOR SELECT
  USING (tenant_id = app.tenant_id() AND outlet_id IS NULL);
GRANT SELECT, INSERT, UPDATE ON parts, stock_settings, warehouses, stock_balances, transfers, transfer_lines, part_requests,
  stock_reservations, order_parts, part_serials, safety_stock TO aftersales_app;
GRANT DELETE ON safety_stock TO aftersales_app;
-- The journal is append-only for the application.
GRANT SELECT, INSERT ON stock_movements TO aftersales_app;

-- +goose Down
DROP TABLE safety_stock, part_serials, order_parts, stock_movements, stock_reservations, part_requests, transfer_lines, transfers,
  stock_balances, warehouses, stock_settings, parts;
