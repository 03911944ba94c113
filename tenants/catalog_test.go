package tenants_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/isolation"
	"github.com/aftersales/aftersales/internal/testdb"
)

// appGroupRole is the NOLOGIN group role the server's login role is a member of.
const appGroupRole = "aftersales_app"

// globalTables are the tables without tenant_id that tenant tables may reference directly.
var globalTables = map[string]bool{"tenants": true, "users": true, "consumers": true}

// tenantTables lists the tables with a tenant_id column (isolation.TenantTables).
func tenantTables(t testing.TB, ctx context.Context, pool *pgxpool.Pool) []string {
	t.Helper()
	return isolation.TenantTables(t, ctx, pool)
}

// queryStrings returns the first column of every row of sql.
func queryStrings(t testing.TB, ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func TestCatalogTenantTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	pool := d.Owner

	for _, table := range tenantTables(t, ctx, pool) {
		t.Run(table, func(t *testing.T) {
			t.Run("rls", func(t *testing.T) {
				var enabled, forced bool
				if err := pool.QueryRow(ctx,
					`SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`,
					table).Scan(&enabled, &forced); err != nil {
					t.Fatal(err)
				}
				if !enabled {
					t.Errorf("table %s: row-level security is not enabled (ALTER TABLE %s ENABLE ROW LEVEL SECURITY)", table, table)
				}
				if !forced {
					t.Errorf("table %s: row-level security is not forced (ALTER TABLE %s FORCE ROW LEVEL SECURITY)", table, table)
				}
			})

			t.Run("policy", func(t *testing.T) {
				policies := queryStrings(t, ctx, pool,
					`SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = $1`, table)
				if len(policies) == 0 {
					t.Fatalf("table %s has no row-level security policy: with RLS forced it shows no rows at all; add a tenant_isolation policy", table)
				}
				// One policy must confine every command (reads and writes) to app.tenant_id().
				tenantWide := queryStrings(t, ctx, pool, `
					SELECT policyname FROM pg_policies
					WHERE schemaname = 'public' AND tablename = $1 AND cmd = 'ALL'
					  AND qual LIKE '%app.tenant_id()%' AND with_check LIKE '%app.tenant_id()%'`, table)
				if len(tenantWide) == 0 {
					t.Errorf("table %s: none of its policies %v applies to ALL commands with USING and WITH CHECK on app.tenant_id()",
						table, policies)
				}
			})

			t.Run("primary_key", func(t *testing.T) {
				cols := queryStrings(t, ctx, pool, `
					SELECT a.attname::text
					FROM pg_constraint con
					JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
					WHERE con.contype = 'p' AND con.conrelid = $1::regclass`, table)
				if len(cols) == 0 {
					t.Fatalf("table %s has no primary key; want one leading with tenant_id", table)
				}
				if cols[0] != "tenant_id" {
					t.Errorf("table %s: primary key leads with %q, want tenant_id", table, cols[0])
				}
			})

			t.Run("unique", func(t *testing.T) {
				// Every unique (or exclusion) index, including those behind UNIQUE and PRIMARY
				// KEY constraints, must lead with tenant_id: a key unique across tenants lets
				// one tenant probe for another's values and breaks distribution by tenant.
				rows, err := pool.Query(ctx, `
					SELECT ic.relname::text, coalesce(a.attname::text, '(expression)')
					FROM pg_index i
					JOIN pg_class ic ON ic.oid = i.indexrelid
					LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
					WHERE i.indrelid = $1::regclass AND (i.indisunique OR i.indisexclusion)
					ORDER BY 1`, table)
				if err != nil {
					t.Fatal(err)
				}
				type idx struct{ Name, Lead string }
				indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[idx])
				if err != nil {
					t.Fatal(err)
				}
				if len(indexes) == 0 {
					t.Fatalf("table %s has no unique index (not even its primary key's)", table)
				}
				for _, ix := range indexes {
					if ix.Lead != "tenant_id" {
						t.Errorf("table %s: unique index %s leads with %s, want tenant_id", table, ix.Name, ix.Lead)
					}
				}
			})

			t.Run("foreign_keys", func(t *testing.T) {
				// A foreign key either references a global table, or carries tenant_id into the
				// referenced table's tenant_id, so a row can only point at its own tenant's rows.
				rows, err := pool.Query(ctx, `
					SELECT con.conname::text, ref.relname::text,
					       EXISTS (
					         SELECT FROM unnest(con.conkey, con.confkey) AS k(src, dst)
					         JOIN pg_attribute sa ON sa.attrelid = con.conrelid AND sa.attnum = k.src
					         JOIN pg_attribute da ON da.attrelid = con.confrelid AND da.attnum = k.dst
					         WHERE sa.attname = 'tenant_id' AND da.attname = 'tenant_id')
					FROM pg_constraint con
					JOIN pg_class ref ON ref.oid = con.confrelid
					WHERE con.contype = 'f' AND con.conrelid = $1::regclass
					ORDER BY 1`, table)
				if err != nil {
					t.Fatal(err)
				}
				type fk struct {
					Name, Ref      string
					TenantToTenant bool
				}
				fks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fk])
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fks {
					if !globalTables[f.Ref] && !f.TenantToTenant {
						t.Errorf("table %s: foreign key %s references %s without mapping tenant_id to %s.tenant_id",
							table, f.Name, f.Ref, f.Ref)
					}
				}
			})
		})
	}
}

func TestCatalogAppRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)

	var loginRole string
	if err := d.App.QueryRow(ctx, `SELECT current_user::text`).Scan(&loginRole); err != nil {
		t.Fatal(err)
	}
	var member bool
	if err := d.App.QueryRow(ctx, `SELECT pg_has_role(current_user, $1, 'MEMBER')`, appGroupRole).Scan(&member); err != nil {
		t.Fatal(err)
	}
	if !member {
		t.Errorf("app login role %s is not a member of %s", loginRole, appGroupRole)
	}

	for _, role := range []string{loginRole, appGroupRole} {
		t.Run(role, func(t *testing.T) {
			t.Run("attributes", func(t *testing.T) {
				var super, bypass bool
				if err := d.Owner.QueryRow(ctx,
					`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, role).Scan(&super, &bypass); err != nil {
					t.Fatalf("role %s: %v", role, err)
				}
				if super {
					t.Errorf("role %s is a superuser", role)
				}
				if bypass {
					t.Errorf("role %s has BYPASSRLS", role)
				}
				// Attributes are not inherited, but a member can SET ROLE to any role it belongs to.
				escalations := queryStrings(t, ctx, d.Owner, `
					SELECT rolname::text FROM pg_roles
					WHERE pg_has_role($1, oid, 'MEMBER') AND (rolsuper OR rolbypassrls)`, role)
				if len(escalations) > 0 {
					t.Errorf("role %s can SET ROLE to superuser or BYPASSRLS roles %v", role, escalations)
				}
			})

			t.Run("owns_nothing", func(t *testing.T) {
				// An owner (or a member of the owner) can ALTER TABLE ... NO FORCE / DISABLE ROW
				// LEVEL SECURITY, drop policies, or redefine app.tenant_id().
				owned := queryStrings(t, ctx, d.Owner, `
					SELECT format('relation %I.%I (owner %s)', n.nspname, c.relname, c.relowner::regrole)
					FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname IN ('public', 'app', 'river') AND pg_has_role($1, c.relowner, 'MEMBER')
					UNION ALL
					SELECT format('function %s (owner %s)', p.oid::regprocedure, p.proowner::regrole)
					FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
					WHERE n.nspname IN ('public', 'app', 'river') AND pg_has_role($1, p.proowner, 'MEMBER')
					UNION ALL
					SELECT format('schema %I (owner %s)', n.nspname, n.nspowner::regrole)
					FROM pg_namespace n
					WHERE n.nspname IN ('public', 'app', 'river') AND pg_has_role($1, n.nspowner, 'MEMBER')
					ORDER BY 1`, role)
				for _, o := range owned {
					t.Errorf("role %s owns (or is a member of the owner of) %s", role, o)
				}
			})

			t.Run("audit_log_append_only", func(t *testing.T) {
				for _, priv := range []string{"UPDATE", "DELETE", "TRUNCATE"} {
					var has bool
					if err := d.Owner.QueryRow(ctx,
						`SELECT has_table_privilege($1, 'audit_log', $2)`, role, priv).Scan(&has); err != nil {
						t.Fatal(err)
					}
					if has {
						t.Errorf("role %s has %s on audit_log; the audit log is append-only", role, priv)
					}
				}
				var colUpdate bool
				if err := d.Owner.QueryRow(ctx,
					`SELECT has_any_column_privilege($1, 'audit_log', 'UPDATE')`, role).Scan(&colUpdate); err != nil {
					t.Fatal(err)
				}
				if colUpdate {
					t.Errorf("role %s may UPDATE some column of audit_log; the audit log is append-only", role)
				}
			})

			t.Run("no_truncate", func(t *testing.T) {
				// TRUNCATE ignores row-level security: it would empty every tenant's rows.
				for _, table := range tenantTables(t, ctx, d.Owner) {
					var has bool
					if err := d.Owner.QueryRow(ctx,
						`SELECT has_table_privilege($1, $2::regclass, 'TRUNCATE')`, role, table).Scan(&has); err != nil {
						t.Fatal(err)
					}
					if has {
						t.Errorf("role %s has TRUNCATE on tenant table %s, which bypasses row-level security", role, table)
					}
				}
			})
		})
	}
}

// TestCatalogNoUnprotectedViews: views run with their owner's rights and materialized views
// cannot have policies, so a view exposing tenant_id must be security_invoker and a
// materialized view must not exist.
func TestCatalogNoUnprotectedViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	bad := queryStrings(t, ctx, d.Owner, `
		SELECT format('%s %I', CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, c.relname)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = 'public' AND a.attname = 'tenant_id' AND NOT a.attisdropped
		  AND (c.relkind = 'm'
		       OR (c.relkind = 'v' AND NOT EXISTS (
		             SELECT FROM pg_options_to_table(c.reloptions) o
		             WHERE o.option_name = 'security_invoker' AND lower(o.option_value) IN ('true', 'on', 'yes', '1'))))
		ORDER BY 1`)
	if len(bad) > 0 {
		t.Errorf("tenant data exposed without row-level security: %s", strings.Join(bad, ", "))
	}
}

// notTenantConfined are the policies on tenant tables that do not confine rows to
// app.tenant_id(), each with the only command it may apply to and why.
var notTenantConfined = map[string]struct{ cmd, reason string }{
	"memberships.own_memberships": {"SELECT",
		"a user sees their own memberships in every tenant, to pick one; writes stay with tenant_isolation"},
}

// tenantCondition is how pg_policies renders the tenant condition of a policy.
const tenantCondition = "(tenant_id = app.tenant_id())"

var selectWord = regexp.MustCompile(`(?i)\bselect\b`)

// scopeNullTest is a scope test written as IS [NOT] NULL on the scope's setting.
var scopeNullTest = regexp.MustCompile(`app\.(outlet|consumer)_id\(\) IS (NOT )?NULL`)

// TestCatalogPolicies: policies stay Citus-compatible, i.e. contain no subquery (Citus refuses
// them in policies of distributed and reference tables; call app.tenant_id() directly, it is
// inlined), and every policy on a tenant table requires tenant_id = app.tenant_id() of every row
// it shows or accepts, but for the few listed in notTenantConfined.
func TestCatalogPolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	isTenant := map[string]bool{}
	for _, table := range tenantTables(t, ctx, d.Owner) {
		isTenant[table] = true
	}
	rows, err := d.Owner.Query(ctx, `
		SELECT schemaname::text, tablename::text, policyname::text, cmd, coalesce(qual, ''), coalesce(with_check, '')
		FROM pg_policies ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	type policy struct{ Schema, Table, Name, Cmd, Qual, WithCheck string }
	policies, err := pgx.CollectRows(rows, pgx.RowToStructByPos[policy])
	if err != nil {
		t.Fatal(err)
	}
	onTenantTables, exceptions := 0, map[string]bool{}
	for _, p := range policies {
		name := p.Table + "." + p.Name
		if p.Schema != "public" {
			name = p.Schema + "." + name
		}
		t.Run(name, func(t *testing.T) {
			for _, e := range []struct{ clause, expr string }{{"USING", p.Qual}, {"WITH CHECK", p.WithCheck}} {
				if selectWord.MatchString(e.expr) {
					t.Errorf("policy %s: %s (%s) contains a subquery, which Citus refuses in policies: call the app.* function directly",
						name, e.clause, e.expr)
				}
				if m := scopeNullTest.FindString(e.expr); m != "" {
					t.Errorf("policy %s: %s tests %q, which the planner estimates at 0.5%% and plans every list as if it found "+
						"nothing (see migration 00022): write app.every_outlet() or app.every_consumer()", name, e.clause, m)
				}
			}
			if p.Schema != "public" || !isTenant[p.Table] {
				return
			}
			onTenantTables++
			if ex, ok := notTenantConfined[name]; ok {
				exceptions[name] = true
				if p.Cmd != ex.cmd {
					t.Errorf("policy %s, not confined to the tenant (%s), applies to %s; want %s only", name, ex.reason, p.Cmd, ex.cmd)
				}
				return
			}
			if p.Qual == "" && p.WithCheck == "" {
				t.Errorf("policy %s has neither USING nor WITH CHECK", name)
			}
			for _, e := range []struct{ clause, expr string }{{"USING", p.Qual}, {"WITH CHECK", p.WithCheck}} {
				if e.expr != "" && !tenantConfined(e.expr) {
					t.Errorf("policy %s: %s (%s) does not require %s of every row (alone, or as an operand of a top-level AND)",
						name, e.clause, e.expr, tenantCondition)
				}
			}
		})
	}
	if onTenantTables < len(isTenant) {
		t.Errorf("found %d policies on %d tenant tables: is the pg_policies query broken?", onTenantTables, len(isTenant))
	}
	for name := range notTenantConfined {
		if !exceptions[name] {
			t.Errorf("notTenantConfined lists %s, which is no longer a policy on a tenant table", name)
		}
	}
}

// tenantConfined reports whether a policy expression, as pg_policies renders it (every
// operator parenthesized), is the tenant condition or an AND of which it is an operand.
func tenantConfined(expr string) bool {
	if expr == tenantCondition {
		return true
	}
	if !strings.HasPrefix(expr, "(") || closingParen(expr) != len(expr)-1 {
		return false
	}
	ops, op := topLevel(expr[1 : len(expr)-1])
	if op != "AND" {
		return false
	}
	for _, o := range ops {
		if o == tenantCondition {
			return true
		}
	}
	return false
}

// topLevel splits expr at its top-level AND or OR (pg_get_expr never mixes them unparenthesized)
// and returns the operands and the operator ("" when there is none, "mixed" when both occur).
func topLevel(expr string) ([]string, string) {
	var ops []string
	op, depth, start := "", 0, 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0 // a doubled quote closes and reopens: same effect
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case depth == 0:
			for _, word := range []string{"AND", "OR"} {
				sep := " " + word + " "
				if strings.HasPrefix(expr[i:], sep) {
					if op != "" && op != word {
						op = "mixed"
					} else if op == "" {
						op = word
					}
					ops = append(ops, expr[start:i])
					start = i + len(sep)
					i += len(sep) - 1
					break
				}
			}
		}
	}
	return append(ops, expr[start:]), op
}

// closingParen returns the index of the parenthesis closing expr[0], skipping quoted literals
// and identifiers; -1 if it never closes.
func closingParen(expr string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func TestTenantConfined(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		expr string
		want bool
	}{
		{`(tenant_id = app.tenant_id())`, true},
		{`((tenant_id = app.tenant_id()) AND ((app.outlet_id() IS NULL) OR (id = app.outlet_id())))`, true},
		{`((app.consumer_id() IS NULL) AND (tenant_id = app.tenant_id()))`, true},
		{`((name = ') OR (') AND (tenant_id = app.tenant_id()))`, true},
		{`((tenant_id = app.tenant_id()) OR (app.user_id() IS NOT NULL))`, false},
		{`(((tenant_id = app.tenant_id()) AND (x = 1)) OR (y = 2))`, false},
		{`((tenant_id = app.tenant_id()) AND (x = 1)) OR (y = 2)`, false},
		{`(tenant_id = ( SELECT app.tenant_id() AS tenant_id))`, false},
		{`(user_id = app.user_id())`, false},
		{`(tenant_id IS NOT NULL)`, false},
	} {
		if got := tenantConfined(c.expr); got != c.want {
			t.Errorf("tenantConfined(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}
