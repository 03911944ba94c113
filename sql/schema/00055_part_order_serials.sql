-- +goose Up
-- Part orders made complete (docs/part_orders.md): a serial-tracked part (a main board) may be
-- ordered at the counter; the pickup names the serials handed over, which the consumer_purchase
-- issue moves to the customer (sold), and the line keeps them. A replenishment request a part
-- order's line raised is withdrawn (cancelled) when the order is cancelled before the request
-- was reviewed, and says why.

ALTER TABLE part_order_lines ADD COLUMN serials text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN part_order_lines.serials IS 'Serial-tracked parts: the serials handed over at the pickup (one per unit).';

ALTER TABLE part_requests ADD COLUMN cancel_reason text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000);
COMMENT ON COLUMN part_requests.cancel_reason IS 'Why a request was withdrawn (cancelled), e.g. the part order that raised it was cancelled.';

ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped',
  'returned_to_maker', 'on_loan', 'sold'));

-- +goose Down
UPDATE part_serials SET place = 'installed' WHERE place = 'sold';
ALTER TABLE part_serials DROP CONSTRAINT part_serials_place_check;
ALTER TABLE part_serials ADD CONSTRAINT part_serials_place_check CHECK (place IN ('in_stock', 'in_transit', 'installed', 'scrapped',
  'returned_to_maker', 'on_loan'));
ALTER TABLE part_requests DROP COLUMN cancel_reason;
ALTER TABLE part_order_lines DROP COLUMN serials;
