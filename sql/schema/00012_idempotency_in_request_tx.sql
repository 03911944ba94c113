-- +goose Up
-- Idempotency keys are recorded in the request's own transaction, together with the
-- request's changes and the response to replay (internal/api, docs/operations.md): a record
-- exists only once its request committed. The response's headers that a replay repeats
-- (Location, ETag) are kept with it.
ALTER TABLE idempotency_keys ADD COLUMN headers jsonb NOT NULL DEFAULT '{}';
COMMENT ON COLUMN idempotency_keys.headers IS 'Response headers a replay repeats (Location, ETag), as a JSON object.';
COMMENT ON COLUMN idempotency_keys.status IS
  'Status of the response to replay. NULL only in claims that servers before migration 12 committed ahead of the request and a crash abandoned; the next request with the key takes them over.';
COMMENT ON TABLE idempotency_keys IS
  'Responses of idempotent POSTs, committed with the changes the request made, replayed for a repeated Idempotency-Key.';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN headers;
COMMENT ON COLUMN idempotency_keys.status IS NULL;
COMMENT ON TABLE idempotency_keys IS 'First responses of creating POSTs, replayed for a repeated Idempotency-Key.';
