-- +goose Up
-- Why the customer declined a quote, in their words (required when declining, by every
-- channel: the link, the portal, staff taking the answer by phone). Shown on the staff order
-- page's quote card and on the order's timeline.
ALTER TABLE order_quotes ADD COLUMN decided_reason text NOT NULL DEFAULT '' CHECK (length(decided_reason) <= 500);
COMMENT ON COLUMN order_quotes.decided_reason IS 'Why the customer declined (empty when approved or not answered).';

-- +goose Down
ALTER TABLE order_quotes DROP COLUMN decided_reason;
