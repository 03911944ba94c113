-- +goose Up
-- The units of a part in stock at one warehouse, read where a counter hands serial-tracked
-- parts over (a part order's pickup): the part's every unit ever received (sold, installed,
-- scrapped ones included) no longer has to be walked to find the few on the shelf.
CREATE INDEX part_serials_in_stock_idx ON part_serials (tenant_id, warehouse_id, part_id, serial) WHERE place = 'in_stock';

-- +goose Down
DROP INDEX part_serials_in_stock_idx;
