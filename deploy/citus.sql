-- Distribution of the schema on Citus (the scale-out path; docs/scale-out.md).
--
-- Run with psql as a superuser on the coordinator, in the product's database, after
-- `aftersales migrate up`:
--
--   psql -v ON_ERROR_STOP=1 -d postgres://postgres@coordinator/aftersales -f deploy/citus.sql
--
-- A superuser (or a BYPASSRLS role) and not the owner: every tenant table forces row-level
-- security, which binds its owner too, so Citus copying a table's rows into its shards as
-- the owner is refused ("COPY FROM not supported with row-level security") once the tables
-- hold rows. The same goes for moving and splitting shards later (docs/scale-out.md).
--
-- It is idempotent: run it again after a migration that adds tables, and only the new tables
-- are placed. The cluster must be set up first, by a superuser (docs/scale-out.md):
-- shared_preload_libraries = 'citus' and citus.propagate_set_commands = 'local' on every
-- node, the extension in the database, the workers added, the roles created on the
-- coordinator after the workers (Citus creates them on the workers).
--
-- Placement:
--   * every table of the public schema with a tenant_id column is distributed by tenant_id
--     and co-located with outlets: one tenant's rows of every table live in one shard group,
--     on one worker, so a statement with tenant_id = @tenant_id runs on that worker alone;
--   * every other table of the public schema (tenants, users, consumers, sessions, one-time
--     codes, platform plans, Stripe events and routes) is a reference table, copied to every
--     node;
--   * goose_db_version (the migrations' record) and River's tables (schema river) stay local
--     tables of the coordinator: jobs are queued in the same transaction as the tenant rows
--     they follow, and the workers never read them.
--
-- Foreign keys: Citus refuses to distribute a table that a foreign key links to a table not
-- yet distributed the same way (create_reference_table('tenants') would first turn every
-- table linked to it into a Citus local table, and create_distributed_table('outlets') then
-- fails). So the foreign keys touching tables still to be placed are recorded, dropped, the
-- tables placed, and the same constraints re-added (they validate on the shards).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- Tables still to place: the public schema's, minus the migrations' record and tables
-- Citus already knows.
CREATE TEMP TABLE citus_unplaced AS
SELECT c.oid AS relid, c.relname::text AS relname,
       EXISTS (SELECT 1 FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'goose_db_version'
  AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid);

-- 1. Record and drop the foreign keys that touch a table to place.
CREATE TEMP TABLE citus_fks AS
SELECT k.conrelid::regclass::text AS tbl, k.conname::text AS conname, pg_get_constraintdef(k.oid) AS def
FROM pg_constraint k
WHERE k.contype = 'f'
  AND (k.conrelid IN (SELECT relid FROM citus_unplaced) OR k.confrelid IN (SELECT relid FROM citus_unplaced));

SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, conname) FROM citus_fks ORDER BY tbl, conname
\gexec

-- 2. Global tables: reference tables.
SELECT format('SELECT create_reference_table(%L)', relname) FROM citus_unplaced WHERE NOT has_tenant ORDER BY relname
\gexec

-- 3. Tenant tables: distributed by tenant_id, co-located with outlets (outlets first).
SELECT CASE WHEN relname = 'outlets' THEN format('SELECT create_distributed_table(%L, %L)', relname, 'tenant_id')
            ELSE format('SELECT create_distributed_table(%L, %L, colocate_with => %L)', relname, 'tenant_id', 'outlets') END
FROM citus_unplaced WHERE has_tenant ORDER BY relname <> 'outlets', relname
\gexec

-- 4. The foreign keys again, as they were.
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', tbl, conname, def) FROM citus_fks ORDER BY tbl, conname
\gexec

DROP TABLE citus_fks;
DROP TABLE citus_unplaced;
