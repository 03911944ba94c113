-- +goose Up
-- The areas an engineer serves (GB/T 2260 code prefixes: province 31, city 3101, district
-- 310115), set on the engineer's profile; dispatch prefers an engineer serving the order's
-- area. Empty: anywhere the outlet covers. The table keeps its RLS (tenant_id).
ALTER TABLE engineer_profiles ADD COLUMN areas text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN engineer_profiles.areas IS 'Region code prefixes the engineer serves; empty for all of the outlet''s coverage.';

-- +goose Down
ALTER TABLE engineer_profiles DROP COLUMN areas;
