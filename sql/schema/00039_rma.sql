-- +goose Up
-- Faulty parts back to the maker (RMA, 返修): an in-warranty issue of a part the catalog marks
-- return_required owes the faulty part back (rma_lines). The faulty units wait in the
-- outlet's returned-goods warehouse (an rma_hold movement) until an outlet batches them into a
-- return shipment with a carrier and tracking number (rma_shipments; partial returns allowed)
-- and sends it, which takes them out of stock (rma_ship). The carrier's status updates arrive
-- through a signed webhook (rma_tracking_events, once each); the receiving side inspects each
-- line, and the results feed the claims' signals.

ALTER TABLE parts ADD COLUMN return_required boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN parts.return_required IS 'An in-warranty issue of the part owes the faulty part back to the maker (an RMA line).';

ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_type_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_type_check CHECK (type IN ('receipt', 'issue', 'order_return', 'transfer_ship',
  'transfer_receive', 'requisition', 'requisition_return', 'adjustment', 'scrap', 'rma_hold', 'rma_ship'));
ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped',
  'returned_to_maker'));

CREATE TABLE rma_lines (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL,
  order_id       uuid NOT NULL,
  order_part_id  uuid NOT NULL,
  part_id        uuid NOT NULL,
  outlet_id      uuid,
  warehouse_id   uuid,
  serial         text NOT NULL DEFAULT '',
  qty            integer NOT NULL CHECK (qty > 0),
  qty_shipped    integer NOT NULL DEFAULT 0 CHECK (qty_shipped >= 0),
  status         text NOT NULL DEFAULT 'owed' CHECK (status IN ('owed', 'partly_shipped', 'shipped', 'cancelled')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_part_id),
  CHECK (qty_shipped <= qty),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, order_part_id) REFERENCES order_parts (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
);
CREATE INDEX rma_lines_open_idx ON rma_lines (tenant_id, id DESC) WHERE status IN ('owed', 'partly_shipped');
COMMENT ON TABLE rma_lines IS 'Faulty parts owed back to the maker, one per in-warranty order part of a return-required part; warehouse_id holds the units until sent (NULL: the outlet had no returned-goods warehouse).';

CREATE TABLE rma_shipments (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  outlet_id        uuid,
  carrier          text NOT NULL CHECK (carrier ~ '^[a-z0-9_-]{1,32}$'),
  tracking_no      text NOT NULL CHECK (tracking_no ~ '^[A-Za-z0-9-]{4,64}$'),
  status           text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'in_transit', 'delivered', 'exception', 'inspected')),
  note             text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  sent_by          uuid,
  sent_at          timestamptz NOT NULL,
  delivered_at     timestamptz,
  inspected_at     timestamptz,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key),
  UNIQUE (tenant_id, carrier, tracking_no)
);
COMMENT ON TABLE rma_shipments IS 'A return shipment of faulty parts to the maker: sent by an outlet (or the centre) with a carrier and tracking number, tracked, then inspected.';

CREATE TABLE rma_shipment_lines (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  shipment_id    uuid NOT NULL,
  line_no        integer NOT NULL CHECK (line_no > 0),
  rma_line_id    uuid NOT NULL,
  order_id       uuid NOT NULL,
  part_id        uuid NOT NULL,
  outlet_id      uuid,
  serial         text NOT NULL DEFAULT '',
  qty            integer NOT NULL CHECK (qty > 0),
  result         text NOT NULL DEFAULT '' CHECK (result IN ('', 'confirmed_faulty', 'no_fault_found', 'wrong_part')),
  result_note    text NOT NULL DEFAULT '' CHECK (length(result_note) <= 500),
  inspected_by   uuid,
  inspected_at   timestamptz,
  PRIMARY KEY (tenant_id, shipment_id, line_no),
  CHECK ((result = '') = (inspected_at IS NULL)),
  FOREIGN KEY (tenant_id, shipment_id) REFERENCES rma_shipments (tenant_id, id),
  FOREIGN KEY (tenant_id, rma_line_id) REFERENCES rma_lines (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
CREATE INDEX rma_shipment_lines_order_idx ON rma_shipment_lines (tenant_id, order_id);
COMMENT ON TABLE rma_shipment_lines IS 'A return shipment''s lines: owed faulty parts sent (perhaps part of a line), each inspected by the receiving side.';

CREATE TABLE rma_tracking_events (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  shipment_id  uuid NOT NULL,
  event_id     text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  outlet_id    uuid,
  status       text NOT NULL CHECK (status IN ('in_transit', 'delivered', 'exception')),
  detail       text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
  occurred_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, shipment_id, event_id),
  FOREIGN KEY (tenant_id, shipment_id) REFERENCES rma_shipments (tenant_id, id)
);
COMMENT ON TABLE rma_tracking_events IS 'The carrier''s status updates of a return shipment, each stored once (by the carrier''s event id).';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rma_lines', 'rma_shipments', 'rma_shipment_lines', 'rma_tracking_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I
      USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
      WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE ON rma_lines, rma_shipments, rma_shipment_lines TO aftersales_app;
GRANT SELECT, INSERT ON rma_tracking_events TO aftersales_app;

-- +goose Down
DROP TABLE rma_tracking_events, rma_shipment_lines, rma_shipments, rma_lines;
ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped'));
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_type_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_type_check CHECK (type IN ('receipt', 'issue', 'order_return', 'transfer_ship',
  'transfer_receive', 'requisition', 'requisition_return', 'adjustment', 'scrap'));
ALTER TABLE parts DROP COLUMN return_required;
