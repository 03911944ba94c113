-- +goose Up
-- Loaner units (备用机, docs/loaners.md): a loaner is a unit of a serial-tracked part kept in a
-- warehouse whose owner is 'loaner'. It is lent to an order's customer while their own unit is
-- in repair, with a due date and an optional deposit (cash or a card terminal), and comes back
-- with a note on its condition; the deposit is then given back or kept with a reason. Lending
-- takes the serial out of the warehouse (loan_out: it is now on_loan, with the customer), the
-- return brings it back (loan_return). While a loan is out, the order's unit is not handed
-- over (picked up, completed or closed) unless a manager waives the block with a reason. An
-- overdue loan's customer is reminded once.

ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_type_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_type_check CHECK (type IN ('receipt', 'issue', 'order_return', 'transfer_ship',
  'transfer_receive', 'requisition', 'requisition_return', 'adjustment', 'scrap', 'rma_hold', 'rma_ship', 'loan_out', 'loan_return'));
ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped',
  'returned_to_maker', 'on_loan'));

CREATE TABLE loans (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  order_id           uuid NOT NULL,
  outlet_id          uuid,
  customer_id        uuid NOT NULL,
  warehouse_id       uuid NOT NULL,
  part_id            uuid NOT NULL,
  serial             text NOT NULL CHECK (length(serial) BETWEEN 1 AND 100),
  status             text NOT NULL DEFAULT 'out' CHECK (status IN ('out', 'returned')),
  due_at             timestamptz NOT NULL,
  currency           char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  deposit            bigint NOT NULL DEFAULT 0 CHECK (deposit >= 0),
  deposit_method     text NOT NULL DEFAULT '' CHECK (deposit_method IN ('', 'cash', 'card')),
  deposit_reference  text NOT NULL DEFAULT '' CHECK (length(deposit_reference) <= 100),
  deposit_status     text NOT NULL DEFAULT '' CHECK (deposit_status IN ('', 'held', 'refunded', 'kept')),
  deposit_reason     text NOT NULL DEFAULT '' CHECK (length(deposit_reason) <= 1000),
  lend_note          text NOT NULL DEFAULT '' CHECK (length(lend_note) <= 1000),
  condition_note     text NOT NULL DEFAULT '' CHECK (length(condition_note) <= 1000),
  waive_reason       text NOT NULL DEFAULT '' CHECK (length(waive_reason) <= 1000),
  waived_by          text NOT NULL DEFAULT '',
  waived_at          timestamptz,
  reminded_at        timestamptz,
  lent_by            text NOT NULL DEFAULT '',
  returned_by        text NOT NULL DEFAULT '',
  lent_at            timestamptz NOT NULL,
  returned_at        timestamptz,
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id),
  FOREIGN KEY (tenant_id, outlet_id) REFERENCES outlets (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id),
  CHECK ((deposit = 0) = (deposit_status = '')),
  CHECK ((deposit = 0) = (deposit_method = '')),
  CHECK ((status = 'returned') = (returned_at IS NOT NULL)),
  CHECK (deposit_status <> 'held' OR status = 'out'),
  CHECK ((waived_at IS NULL) = (waive_reason = ''))
);
-- A unit is lent once at a time, and an order has one loaner out at a time.
CREATE UNIQUE INDEX loans_serial_out_idx ON loans (tenant_id, part_id, serial) WHERE status = 'out';
CREATE UNIQUE INDEX loans_order_out_idx ON loans (tenant_id, order_id) WHERE status = 'out';
CREATE INDEX loans_order_idx ON loans (tenant_id, order_id);
CREATE INDEX loans_list_idx ON loans (tenant_id, status, id DESC);
CREATE INDEX loans_due_idx ON loans (tenant_id, due_at) WHERE status = 'out' AND reminded_at IS NULL;
COMMENT ON TABLE loans IS 'Loaner units (备用机) lent to an order''s customer: the unit (part and serial) and the loaner warehouse it came from, the due date, the deposit (minor units) and what became of it, the return''s condition note, and a manager''s waiver of the hand-over block.';
COMMENT ON COLUMN loans.reminded_at IS 'When the customer was reminded that the loan is overdue (once).';

ALTER TABLE loans ENABLE ROW LEVEL SECURITY;
ALTER TABLE loans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loans
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));
GRANT SELECT, INSERT, UPDATE ON loans TO aftersales_app;

-- The ledger names the loan of a deposit taken or given back.
ALTER TABLE ledger_entries ADD COLUMN loan_id uuid;
ALTER TABLE ledger_entries ADD FOREIGN KEY (tenant_id, loan_id) REFERENCES loans (tenant_id, id);

-- +goose Down
ALTER TABLE ledger_entries DROP COLUMN loan_id;
DROP TABLE loans;
ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped',
  'returned_to_maker'));
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_type_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_type_check CHECK (type IN ('receipt', 'issue', 'order_return', 'transfer_ship',
  'transfer_receive', 'requisition', 'requisition_return', 'adjustment', 'scrap', 'rma_hold', 'rma_ship'));
