package deploy_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/tenants"
)

// multiShard are the product's queries that read several tenants' shards on purpose, each
// with the reason. Every other query must run on one shard.
var multiShard = map[string]string{
	"MembershipsOfUser": "a user's memberships in every tenant, to pick one (-- platform: in sql/queries/memberships.sql)",
}

// sqlcQuery is one query of internal/db: its SQL and, in the order of its placeholders, the
// Go expressions the generated method passes ("arg.TenantID", "tenantID").
type sqlcQuery struct {
	name, sql string
	args      []string
}

// TestCitusQueriesRunOnOneShard plans every query of the product (the sqlc queries of
// internal/db, read from the generated code) on the cluster, as the application role in a
// tenant's scope, and expects Citus to send each to a single shard: a router plan (Task
// Count: 1), never a statement on every shard, an INSERT ... SELECT pulled to the
// coordinator, or a subplan. That is the tenant predicate (tenant_id = @tenant_id) doing its
// work; a query without it, or in a form Citus cannot route, fails here.
func TestCitusQueriesRunOnOneShard(t *testing.T) {
	t.Parallel()
	d := citusDB(t)
	ctx := context.Background()
	queries := readSQLCQueries(t)
	if len(queries) < 200 {
		t.Fatalf("read %d queries from internal/db: is the parser broken?", len(queries))
	}
	app := tenants.NewDB(d.App)
	tenant := uuid.New()
	scope := tenants.Scope{TenantID: tenant, UserID: uuid.New()}
	types := map[uint32]pgType{}
	conn, err := d.App.Acquire(ctx) // to prepare statements: their placeholders' types
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var checked, forUpdate int
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			args, err := sampleArgs(ctx, conn.Conn(), q, tenant, types)
			if err != nil {
				t.Fatalf("%v\n%s", err, q.sql)
			}
			var plan string
			errDone := errors.New("done")
			err = app.Tx(ctx, scope, func(tx *tenants.Tx) error {
				rows, err := tx.Query(ctx, "EXPLAIN "+q.sql, args...)
				if err != nil {
					return fmt.Errorf("explain: %w", err)
				}
				var lines []string
				for rows.Next() {
					var line string
					if err := rows.Scan(&line); err != nil {
						return err
					}
					lines = append(lines, line)
				}
				if err := rows.Err(); err != nil {
					return fmt.Errorf("explain: %w", err)
				}
				plan = strings.Join(lines, "\n")
				return errDone // EXPLAIN runs nothing; roll back all the same
			})
			if !errors.Is(err, errDone) {
				t.Fatalf("%v\n%s", err, q.sql)
			}
			problem := singleShard(plan)
			if reason, ok := multiShard[q.name]; ok {
				if problem == "" {
					t.Errorf("%s is listed as multi-shard (%s) but runs on one shard: remove it from multiShard", q.name, reason)
				}
				return
			}
			if problem != "" {
				t.Errorf("%s does not run on one shard: %s\n%s\nplan:\n%s", q.name, problem, q.sql, plan)
			}
			checked++
			if strings.Contains(strings.ToUpper(q.sql), "FOR UPDATE") {
				forUpdate++
			}
		})
	}
	t.Logf("%d queries run on one shard, %d of them FOR UPDATE; %d multi-shard on purpose", checked, forUpdate, len(multiShard))
	if !t.Failed() && (checked < 15 || forUpdate < 5) {
		t.Errorf("only %d single-shard queries (%d FOR UPDATE) were checked", checked, forUpdate)
	}
}

var taskCount = regexp.MustCompile(`Task Count: (\d+)`)

// singleShard says why plan is not a single-shard plan, or "" when it is. A plan without
// a Citus scan reads only the coordinator's local tables.
func singleShard(plan string) string {
	switch {
	case strings.Contains(plan, "pull to coordinator"):
		return "INSERT ... SELECT pulled to the coordinator"
	case strings.Contains(plan, "repartition"):
		return "repartitioned"
	case strings.Contains(plan, "Distributed Subplan"):
		return "a distributed subplan runs first"
	}
	counts := taskCount.FindAllStringSubmatch(plan, -1)
	if len(counts) == 0 && strings.Contains(plan, "Citus") {
		return "no task count in the plan"
	}
	for _, c := range counts {
		if c[1] != "1" {
			return "Task Count: " + c[1]
		}
	}
	return ""
}

// readSQLCQueries parses the generated code of internal/db: each query's SQL constant and the
// arguments its method passes, in order.
func readSQLCQueries(t *testing.T) []sqlcQuery {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "internal", "db", "*.sql.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated query files: %v", err)
	}
	fset := token.NewFileSet()
	consts := map[string]string{}
	var calls []sqlcQuery // name: the constant's name
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i >= len(n.Values) {
						break
					}
					if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "-- name: ") {
							consts[id.Name] = s
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || len(n.Args) < 2 {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "db" {
					return true
				}
				c, ok := n.Args[1].(*ast.Ident)
				if !ok {
					return true
				}
				q := sqlcQuery{name: c.Name}
				for _, a := range n.Args[2:] {
					q.args = append(q.args, exprText(a))
				}
				calls = append(calls, q)
			}
			return true
		})
	}
	var out []sqlcQuery
	for _, c := range calls {
		sql, ok := consts[c.name]
		if !ok {
			continue
		}
		name := strings.Fields(strings.TrimPrefix(sql, "-- name: "))[0]
		out = append(out, sqlcQuery{name: name, sql: sql, args: c.args})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	}
	return fmt.Sprintf("%T", e)
}

// pgType is what sampleArgs needs of a parameter's type.
type pgType struct {
	name     string
	category string
}

// sampleArgs gives each placeholder of q a value of its type, in text form: the tenant's id
// for the tenant, a fresh id for other uuids, something plausible for the rest. The values
// only need to plan: EXPLAIN runs nothing.
func sampleArgs(ctx context.Context, conn *pgx.Conn, q sqlcQuery, tenant uuid.UUID, types map[uint32]pgType) ([]any, error) {
	desc, err := conn.Prepare(ctx, "", q.sql)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if len(desc.ParamOIDs) != len(q.args) {
		return nil, fmt.Errorf("%d placeholders, %d arguments in the generated method", len(desc.ParamOIDs), len(q.args))
	}
	args := make([]any, len(desc.ParamOIDs))
	for i, oid := range desc.ParamOIDs {
		typ, ok := types[oid]
		if !ok {
			if err := conn.QueryRow(ctx, `SELECT typname, typcategory::text FROM pg_type WHERE oid = $1`, oid).Scan(&typ.name, &typ.category); err != nil {
				return nil, fmt.Errorf("type %d: %w", oid, err)
			}
			types[oid] = typ
		}
		arg := q.args[i]
		if arg == "arg.TenantID" || arg == "tenantID" {
			args[i] = tenant.String()
			continue
		}
		v, err := sampleValue(typ)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%s): %w", i+1, arg, err)
		}
		args[i] = v
	}
	return args, nil
}

func sampleValue(typ pgType) (string, error) {
	switch {
	case typ.category == "A":
		return "{}", nil
	case typ.name == "uuid":
		return uuid.NewString(), nil
	case typ.category == "S":
		return "x", nil
	case typ.category == "N":
		return "1", nil
	case typ.name == "bool":
		return "false", nil
	case typ.name == "timestamptz", typ.name == "timestamp":
		return "2026-01-01T00:00:00Z", nil
	case typ.name == "date":
		return "2026-01-01", nil
	case typ.name == "time":
		return "10:00", nil
	case typ.name == "interval":
		return "1 hour", nil
	case typ.name == "jsonb", typ.name == "json":
		return "{}", nil
	case typ.name == "bytea":
		return `\x00`, nil
	}
	return "", fmt.Errorf("no sample value for type %s (category %s)", typ.name, typ.category)
}
