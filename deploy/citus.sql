-- Distribution of the schema on Citus (scale-out path; see docs/tenancy.md).
-- Run once as the owner on the coordinator after `aftersales migrate up`.
-- Every tenant table is distributed by tenant_id and co-located, so one tenant's rows live
-- on one shard group and every query stays on one worker. Global tables are reference
-- tables, copied to every worker. The tenant context is set with SET LOCAL, which Citus
-- propagates to workers when citus.propagate_set_commands = 'local'.

ALTER SYSTEM SET citus.propagate_set_commands = 'local';

-- Global (reference) tables.
SELECT create_reference_table('tenants');
SELECT create_reference_table('users');
SELECT create_reference_table('consumers');
SELECT create_reference_table('sessions');
SELECT create_reference_table('otp_codes');
SELECT create_reference_table('platform_plans');
SELECT create_reference_table('stripe_events');
SELECT create_reference_table('stripe_routes');

-- Tenant tables, distributed by tenant_id and co-located with outlets.
SELECT create_distributed_table('outlets', 'tenant_id');
SELECT create_distributed_table('business_calendars', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('calendar_days', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('memberships', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('invitations', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('api_keys', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('customers', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('audit_log', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('idempotency_keys', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('product_categories', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('product_models', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('fault_codes', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('registrations', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('warranty_policies', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('policy_versions', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('service_tiers', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('tier_rules', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('coverage_grants', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('imports', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('import_errors', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('service_history', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('invoice_images', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('events', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_settings', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_types', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_counters', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('service_orders', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_events', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_engineers', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_quotes', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_attachments', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('order_disputes', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('outlet_coverage', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('outlet_authorizations', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('engineer_profiles', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('appointments', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('notification_templates', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('notification_settings', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('notification_preferences', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('notification_sends', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('inbox_messages', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('webhook_endpoints', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('webhook_deliveries', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('sla_settings', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('sla_clocks', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('sla_breaches', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('express_products', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('express_prices', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('purchases', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('refunds', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('compensations', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('ledger_entries', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('reconciliations', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('platform_subscriptions', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('platform_invoices', 'tenant_id', colocate_with => 'outlets');
SELECT create_distributed_table('usage_counters', 'tenant_id', colocate_with => 'outlets');
