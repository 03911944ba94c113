-- +goose Up
-- Service tiers are replaced as a whole (PUT /v1/tiers); their version is the tenant's tiers'
-- ETag: every row of a replacement carries the version it made, the highest is current.
ALTER TABLE service_tiers ADD COLUMN version integer NOT NULL DEFAULT 1;
COMMENT ON COLUMN service_tiers.version IS 'Version of the tenant''s tiers this row was written by (the tiers'' ETag is the highest).';

-- One name per SLA target: a tier's or an express product's "resolution" is the order's
-- "completion" clock, and is stored so.
UPDATE service_tiers SET targets = (targets - 'resolution') || jsonb_build_object('completion', targets -> 'resolution')
WHERE targets ? 'resolution' AND NOT targets ? 'completion';
UPDATE express_products SET targets = (targets - 'resolution') || jsonb_build_object('completion', targets -> 'resolution')
WHERE targets ? 'resolution' AND NOT targets ? 'completion';

-- A carry-in order has no visit: it gets an arrival clock only if the tenant asks.
ALTER TABLE sla_settings ADD COLUMN carry_in_arrival boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN sla_settings.carry_in_arrival IS 'Whether carry-in orders run an arrival clock (the tier''s arrival target) too.';

-- +goose Down
ALTER TABLE sla_settings DROP COLUMN carry_in_arrival;
UPDATE service_tiers SET targets = (targets - 'completion') || jsonb_build_object('resolution', targets -> 'completion')
WHERE targets ? 'completion';
UPDATE express_products SET targets = (targets - 'completion') || jsonb_build_object('resolution', targets -> 'completion')
WHERE targets ? 'completion';
ALTER TABLE service_tiers DROP COLUMN version;
