package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// commissionMonthName is the commission measurement's name in the report and for -scenarios.
const commissionMonthName = "commission-month (a month's audited orders paid to 1000 engineers)"

// The month's network: engineers spread evenly over outlets.
const (
	commissionOutlets   = 50
	commissionEngineers = 1000
	commissionPage      = 1000 // orders a page of the floor reads and writes
)

// commissionTypes are the order types of the month's orders, in turn.
var commissionTypes = []string{"install", "repair_major", "repair_medium", "repair_minor", "delivery", "gas_conversion"}

// commissionRules are the bench tenant's pay rules: fixed amounts by order type (more for
// senior engineers installing on site), brackets of the labour net of 6% tax for repairs (a
// higher flat rate for level 4 and above on major repairs), a fixed amount for any other
// order, split lead 2 : assistant 1; deductions for finishing late against the completion
// target (5.00 per started hour after 30 minutes, at most 30.00) and for a repair whose
// fault came back within 30 days (20.00).
func commissionRules() commission.PayRules {
	return commission.PayRules{
		Rates: []commission.PayRate{
			{ID: "install", OrderType: "install", Basis: commission.Fixed, Amount: 3000},
			{ID: "install-onsite-senior", OrderType: "install", Mode: commission.OnSite, MinLevel: 3, Basis: commission.Fixed, Amount: 4500},
			{ID: "delivery", OrderType: "delivery", Basis: commission.Fixed, Amount: 1000},
			{ID: "gas", OrderType: "gas_conversion", Basis: commission.Fixed, Amount: 2500},
			{ID: "repair-major", OrderType: "repair_major", Basis: commission.Percent,
				Tiers: []commission.Bracket{{UpTo: 20000, BasisPoints: 1000}, {UpTo: 0, BasisPoints: 1500}}},
			{ID: "repair-major-senior", OrderType: "repair_major", MinLevel: 4, Basis: commission.Percent,
				Tiers: []commission.Bracket{{BasisPoints: 1800}}},
			{ID: "repair-medium", OrderType: "repair_medium", Basis: commission.Percent, Tiers: []commission.Bracket{{BasisPoints: 1200}}},
			{ID: "repair-minor", OrderType: "repair_minor", Basis: commission.Percent, Tiers: []commission.Bracket{{BasisPoints: 1000}}},
			{ID: "base", Basis: commission.Fixed, Amount: 500},
		},
		Shares:         map[string]int{"lead": 2, "assistant": 1},
		Late:           &commission.LateRule{ID: "late", GraceMinutes: 30, LateRule: 500, Cap: 3000},
		Repeat:         &commission.RepeatRule{ID: "repeat", Days: 30, Amount: 2000},
		TaxBasisPoints: 600,
	}
}

const insertOrderEngineer = `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state, assigned_at)
	VALUES ($1, $2, $3, $4, 'accepted', $5)`

// commissionMonthResult is the commission measurement: the floor (the same reads and writes
// set-based: the orders' facts page by page, the lines and pay states in multi-row inserts,
// the statements in one INSERT ... SELECT, rolled back) and the product's run (each order's
// audit delivered to the commission consumer, in a transaction of its own, as the worker
// delivers it: its facts, its lines, each line filed on its engineer's statement of the
// month), then the run again (which must create nothing).
type commissionMonthResult struct {
	orders     int
	floor      time.Duration
	run        time.Duration
	rerun      time.Duration
	lines      int64
	statements int64
	total      int64
	floorLines int
	sqlPer     float64
	top        []stmtTime
	floorTop   []stmtTime
	biggest    []topStatement
}

// topStatement is one of the month's largest statements.
type topStatement struct {
	engineer string
	lines    int
	total    int64
}

func (r commissionMonthResult) ratio() float64 { return r.floor.Seconds() / r.run.Seconds() }

// measureCommissionMonth seeds one tenant with 1000 engineers over 50 outlets, its pay rules
// and a month of n audited orders, then times the floor and the product's run, checks the
// result and runs the month again.
func measureCommissionMonth(ctx context.Context, d *database, n int) (commissionMonthResult, error) {
	r := commissionMonthResult{orders: n}
	bt, err := newBenchTenant(ctx, d, "cm", "Commission bench", "commission month bench")
	if err != nil {
		return r, err
	}
	defer bt.close()
	tdb, timer, tn, scope := bt.db, bt.timer, bt.tenant, bt.scope
	rules := commissionRules()
	ids := make([]uuid.UUID, n)
	engineers := make([]uuid.UUID, commissionEngineers)
	var day time.Time
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := commission.AddVersion(ctx, tx, commission.NewRuleVersion{EffectiveFrom: "2020-01-01", Rules: rules,
			Note: "bench"}); err != nil {
			return err
		}
		outlets := make([]uuid.UUID, commissionOutlets)
		for i := range outlets {
			o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: fmt.Sprintf("CM%02d", i), Name: fmt.Sprintf("Outlet %d", i),
				Kind: "service_center"})
			if err != nil {
				return err
			}
			outlets[i] = o.ID
		}
		// Engineers: outlet i has engineers i*20 ... i*20+19, of levels 1 to 5.
		var users, members, profiles tenants.MultiInsert
		for i := range engineers {
			engineers[i] = platform.NewID()
			o := outlets[i/(commissionEngineers/commissionOutlets)]
			if _, err := users.Exec(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')`,
				engineers[i], fmt.Sprintf("cm-%s-%04d@bench.test", bt.suffix, i), fmt.Sprintf("Engineer %04d", i)); err != nil {
				return err
			}
			if _, err := members.Exec(ctx, `INSERT INTO memberships (tenant_id, id, user_id, outlet_id, role) VALUES ($1, $2, $3, $4, 'engineer')`,
				tn.ID, platform.NewID(), engineers[i], o); err != nil {
				return err
			}
			if _, err := profiles.Exec(ctx, `INSERT INTO engineer_profiles (tenant_id, user_id, outlet_id, level) VALUES ($1, $2, $3, $4)`,
				tn.ID, engineers[i], o, 1+i%5); err != nil {
				return err
			}
		}
		for _, m := range []*tenants.MultiInsert{&users, &members, &profiles} {
			if _, err := m.Send(ctx, tx); err != nil {
				return fmt.Errorf("insert the engineers: %w", err)
			}
		}
		customers := make([]uuid.UUID, max(n/4, 1))
		var cins tenants.MultiInsert
		for i := range customers {
			customers[i] = platform.NewID()
			if _, err := cins.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES ($1, $2, 'Bench customer')`, tn.ID, customers[i]); err != nil {
				return err
			}
		}
		if _, err := cins.Send(ctx, tx); err != nil {
			return fmt.Errorf("insert the customers: %w", err)
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return err
		}
		y, m, dd := now.In(loc).Date()
		day = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		// The month's orders, completed in order over the last month: order i is done at outlet
		// i%50 by one of its engineers as lead, a quarter of them with an assistant; a tenth
		// finished late against the completion target; one in 50 repeats the fault of the
		// outlet's order 50 × 10 before it.
		from := now.AddDate(0, -1, 0)
		step := now.Add(-time.Hour).Sub(from) / time.Duration(max(n, 1))
		completed := make([]time.Time, n)
		var ords, engs, clocks, quotes tenants.MultiInsert
		per := commissionEngineers / commissionOutlets
		for i := range n {
			ids[i] = platform.NewID()
			at := from.Add(time.Duration(i) * step)
			completed[i] = at
			outlet := i % commissionOutlets
			typ := commissionTypes[i%len(commissionTypes)]
			flow := "on_site"
			if i%3 == 0 {
				flow = "carry_in"
			}
			repeatOf := uuid.NullUUID{}
			created := at.Add(-3 * time.Hour)
			if i%50 == 25 && i >= 500 {
				repeatOf = uuid.NullUUID{UUID: ids[i-500], Valid: true}
				if e := completed[i-500].Add(time.Minute); created.Before(e) {
					created = e
				}
			}
			if _, err := ords.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status,
				customer_id, outlet_id, tracking_token, repeat_of, is_repeat, result, created_at, completed_at)
				VALUES ($1, $2, $3, $4, $5, 'phone', 'approved', $6, $7, $8, $9, $10, 'fixed', $11, $12)`,
				tn.ID, ids[i], fmt.Sprintf("SO-CM-%d", i+1), typ, flow, customers[i%len(customers)], outlets[outlet], "trk_"+ids[i].String(),
				repeatOf, repeatOf.Valid, created, at); err != nil {
				return err
			}
			lead := outlet*per + (i/commissionOutlets)%per
			if _, err := engs.Exec(ctx, insertOrderEngineer, tn.ID, ids[i], engineers[lead], "lead", created); err != nil {
				return err
			}
			if i%4 == 0 {
				asst := outlet*per + (i/commissionOutlets+1)%per
				if _, err := engs.Exec(ctx, insertOrderEngineer, tn.ID, ids[i], engineers[asst], "assistant", created); err != nil {
					return err
				}
			}
			due, status, met, breached := at.Add(2*time.Hour), "met", &at, (*time.Time)(nil)
			if i%10 == 0 {
				due = at.Add(-time.Duration(i%7+1) * 37 * time.Minute)
				status, met, breached = "breached", nil, &due
			}
			if _, err := clocks.Exec(ctx, `INSERT INTO sla_clocks (tenant_id, order_id, order_number, target, outlet_id, business,
				duration_ms, status, started_at, due_at, met_at, breached_at, stopped_at)
				VALUES ($1, $2, $3, 'completion', $4, false, 1, $5, $6, $7, $8, $9, $10)`,
				tn.ID, ids[i], fmt.Sprintf("SO-CM-%d", i+1), outlets[outlet], status, created, due, met, breached, at); err != nil {
				return err
			}
			if typ == "repair_major" || typ == "repair_medium" || typ == "repair_minor" {
				labour := 10000 + int64(i%20)*1500
				lines := fmt.Sprintf(`[{"kind":"labour","description":"Labour","quantity":1,"unit_price":%d},`+
					`{"kind":"part","description":"Part","quantity":1,"unit_price":8000}]`, labour)
				if _, err := quotes.Exec(ctx, `INSERT INTO order_quotes (tenant_id, id, order_id, customer_id, status, currency, lines,
					total_charged, token_hash, created_at) VALUES ($1, $2, $3, $4, 'approved', 'CNY', $5, $6, '\x00', $7)`,
					tn.ID, platform.NewID(), ids[i], customers[i%len(customers)], []byte(lines), labour+8000, created); err != nil {
					return err
				}
			}
		}
		for _, m := range []*tenants.MultiInsert{&ords, &engs, &clocks, &quotes} {
			if _, err := m.Send(ctx, tx); err != nil {
				return fmt.Errorf("insert the orders: %w", err)
			}
		}
		return nil
	}); err != nil {
		return r, err
	}
	if err := d.settle(ctx); err != nil {
		return r, err
	}

	// The floor: the same reads and writes set-based, rolled back.
	timer.reset()
	t0 := time.Now()
	var floorTotal int64
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		r.floorLines, floorTotal, err = commissionFloor(ctx, tx, rules, day)
		if err != nil {
			return err
		}
		return errRollback
	})
	r.floor = time.Since(t0)
	r.floorTop = timer.top(5)
	if !errors.Is(err, errRollback) {
		return r, fmt.Errorf("floor: %w", err)
	}

	// The product: each order's audit delivered to the commission consumer, one transaction
	// each, as the worker delivers order.status_changed.
	consumer := commission.Consumer{DB: tdb}
	deliver := func() error {
		for _, id := range ids {
			if err := consumer.Handle(ctx, events.Event{ID: platform.NewID(), TenantID: tn.ID, Type: "order.status_changed",
				Subject: "order", SubjectID: id}); err != nil {
				return fmt.Errorf("pay order %s: %w", id, err)
			}
		}
		return nil
	}
	timer.reset()
	t0 = time.Now()
	if err := deliver(); err != nil {
		return r, err
	}
	r.run = time.Since(t0)
	r.top = timer.top(8)
	r.sqlPer = float64(timer.count()) / float64(max(n, 1))

	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		r.lines, r.statements, r.total, err = checkCommissionMonth(ctx, tx, n)
		if err != nil {
			return err
		}
		r.biggest, err = biggestStatements(ctx, tx)
		return err
	}); err != nil {
		return r, err
	}
	if int(r.lines) != r.floorLines || r.total != floorTotal {
		return r, fmt.Errorf("the run wrote %d lines for %d, the floor's engine %d lines for %d", r.lines, r.total, r.floorLines, floorTotal)
	}

	// The month again: every order's pay is in line with its audit, nothing is written.
	t0 = time.Now()
	if err := deliver(); err != nil {
		return r, err
	}
	r.rerun = time.Since(t0)
	return r, tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		lines, statements, total, err := checkCommissionMonth(ctx, tx, n)
		if err != nil {
			return err
		}
		if lines != r.lines || statements != r.statements || total != r.total {
			return fmt.Errorf("the second run changed the month: %d lines, %d statements, total %d (first run %d, %d, %d)",
				lines, statements, total, r.lines, r.statements, r.total)
		}
		return nil
	})
}

// commissionFloor reads the audited orders' facts page by page (the order, its completion
// target's due time, the earlier repair it repeats, its engineers and the earlier repair's,
// its labour from the approved quote) with one statement a page, runs the engine on each
// (pure, microseconds), and writes in multi-row INSERTs a page's new statements (one per
// engineer of the month, as the month's first line makes it), its lines already filed on
// them and its orders' pay states; at the end, one multi-row upsert sets the statements'
// totals and line counts. It returns the lines written and their total.
func commissionFloor(ctx context.Context, tx *tenants.Tx, rules commission.PayRules, day time.Time) (int, int64, error) {
	t := tx.Scope.TenantID
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	type sum struct {
		id     uuid.UUID
		outlet uuid.NullUUID
		total  int64
		lines  int
	}
	statements := map[uuid.UUID]*sum{}
	var order []uuid.UUID
	after := uuid.Nil
	lines, total := 0, int64(0)
	for {
		rows, err := tx.Query(ctx, `SELECT o.id, o.number, o.type_code, o.flow, o.outlet_id, o.repeat_of, o.created_at, o.completed_at,
			  coalesce(c.due_at, 'epoch')::timestamptz, coalesce(p.completed_at, 'epoch')::timestamptz,
			  coalesce((SELECT json_agg(json_build_object('user_id', oe.user_id, 'role', oe.role, 'level', coalesce(ep.level, 0))
			             ORDER BY oe.role = 'lead' DESC, oe.assigned_at, oe.user_id)
			    FROM order_engineers oe LEFT JOIN engineer_profiles ep ON ep.tenant_id = $1 AND ep.user_id = oe.user_id
			    WHERE oe.tenant_id = $1 AND oe.order_id = o.id AND oe.state NOT IN ('declined', 'removed')), '[]')::text,
			  coalesce((SELECT json_agg(json_build_object('user_id', oe.user_id, 'role', oe.role, 'level', coalesce(ep.level, 0))
			             ORDER BY oe.role = 'lead' DESC, oe.assigned_at, oe.user_id)
			    FROM order_engineers oe LEFT JOIN engineer_profiles ep ON ep.tenant_id = $1 AND ep.user_id = oe.user_id
			    WHERE oe.tenant_id = $1 AND oe.order_id = o.repeat_of AND oe.state NOT IN ('declined', 'removed')), '[]')::text,
			  coalesce((SELECT sum((l->>'quantity')::bigint * (l->>'unit_price')::bigint)
			    FROM order_quotes q, jsonb_array_elements(q.lines) l
			    WHERE q.tenant_id = $1 AND q.order_id = o.id AND q.status = 'approved' AND l->>'kind' = 'labour'), 0)::bigint
			FROM service_orders o
			LEFT JOIN sla_clocks c ON c.tenant_id = $1 AND c.order_id = o.id AND c.target = 'completion'
			LEFT JOIN service_orders p ON p.tenant_id = $1 AND p.id = o.repeat_of
			WHERE o.tenant_id = $1 AND o.status IN ('approved', 'closed') AND o.id > $2
			ORDER BY o.id LIMIT $3`, t, after, commissionPage)
		if err != nil {
			return 0, 0, err
		}
		var news, ins, states tenants.MultiInsert
		seen := 0
		for rows.Next() {
			var o db.PayFactsRow
			var es, earlier string
			var labour int64
			if err := rows.Scan(&o.ID, &o.Number, &o.TypeCode, &o.Flow, &o.OutletID, &o.RepeatOf, &o.CreatedAt, &o.CompletedAt,
				&o.CompletionDue, &o.EarlierCompletedAt, &es, &earlier, &labour); err != nil {
				rows.Close()
				return 0, 0, err
			}
			seen++
			after = o.ID
			f := commission.Facts{OrderID: o.ID, OrderType: o.TypeCode, Mode: o.Flow, LabourNet: commission.NetOfTax(labour, rules.TaxBasisPoints)}
			if err := json.Unmarshal([]byte(es), &f.Engineers); err != nil {
				rows.Close()
				return 0, 0, err
			}
			if o.CompletedAt != nil && o.CompletionDue.Unix() > 0 && o.CompletedAt.After(o.CompletionDue) {
				f.LateMinutes = int(o.CompletedAt.Sub(o.CompletionDue) / time.Minute)
			}
			if o.RepeatOf.Valid && o.EarlierCompletedAt.Unix() > 0 {
				f.Repeats = &commission.Earlier{OrderID: o.RepeatOf.UUID, Days: max(int(o.CreatedAt.Sub(o.EarlierCompletedAt)/(24*time.Hour)), 0)}
				if err := json.Unmarshal([]byte(earlier), &f.Repeats.Engineers); err != nil {
					rows.Close()
					return 0, 0, err
				}
			}
			for i, e := range rules.Compute(f) {
				st := statements[e.Party]
				if st == nil {
					st = &sum{id: platform.NewID(), outlet: o.OutletID}
					statements[e.Party] = st
					order = append(order, e.Party)
					if _, err := news.Exec(ctx, `INSERT INTO pay_statements (tenant_id, id, party_kind, party_id, outlet_id, month, currency)
						VALUES ($1, $2, 'engineer', $3, $4, $5, 'CNY')`, t, st.id, e.Party, o.OutletID, month); err != nil {
						rows.Close()
						return 0, 0, err
					}
				}
				st.total += e.Amount
				st.lines++
				related := uuid.NullUUID{}
				if e.Related != nil && e.OrderID != o.ID {
					related = uuid.NullUUID{UUID: e.OrderID, Valid: true}
				}
				if _, err := ins.Exec(ctx, `INSERT INTO pay_entries (tenant_id, id, party_kind, party_id, outlet_id, order_id, order_number,
					related_order_id, kind, rule, rule_version, round, cause, amount, currency, detail, effect_key, accrued_on, statement_id)
					VALUES ($1, $2, 'engineer', $3, $4, $5, $6, $7, $8, $9, 1, 1, 'audit', $10, 'CNY', $11, $12, $13, $14)`,
					t, platform.NewID(), e.Party, o.OutletID, o.ID, o.Number, related, e.Kind, e.Rule, e.Amount, e.Detail,
					fmt.Sprintf("audit:%s:1:%d", o.ID, i), day, st.id); err != nil {
					rows.Close()
					return 0, 0, err
				}
				lines++
				total += e.Amount
			}
			if _, err := states.Exec(ctx, `INSERT INTO pay_orders (tenant_id, order_id, outlet_id, state, rule_version, round, labour_net,
				computed_at) VALUES ($1, $2, $3, 'computed', 1, 1, $4, now())`, t, o.ID, o.OutletID, f.LabourNet); err != nil {
				rows.Close()
				return 0, 0, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		if seen == 0 {
			break
		}
		for _, m := range []*tenants.MultiInsert{&news, &ins, &states} {
			if _, err := m.Send(ctx, tx); err != nil {
				return 0, 0, fmt.Errorf("pay lines: %w", err)
			}
		}
	}
	var totals tenants.MultiInsert
	for _, party := range order {
		st := statements[party]
		if _, err := totals.Exec(ctx, `INSERT INTO pay_statements (tenant_id, id, party_kind, party_id, outlet_id, month, currency, total, lines)
			VALUES ($1, $2, 'engineer', $3, $4, $5, 'CNY', $6, $7)
			ON CONFLICT (tenant_id, party_kind, party_id, month) DO UPDATE SET total = EXCLUDED.total, lines = EXCLUDED.lines`,
			t, st.id, party, st.outlet, month, st.total, st.lines); err != nil {
			return 0, 0, err
		}
	}
	if _, err := totals.Send(ctx, tx); err != nil {
		return 0, 0, fmt.Errorf("statement totals: %w", err)
	}
	return lines, total, nil
}

// checkCommissionMonth checks the month after a run: every audited order is paid (its pay
// state computed and at least one line), no line is written twice (one line per order,
// party, kind, rule, round and cause), every line is filed on a statement, and each
// statement's total and line count are those of its lines. It returns the lines, the
// statements and the lines' total.
func checkCommissionMonth(ctx context.Context, tx *tenants.Tx, n int) (lines, statements, total int64, err error) {
	t := tx.Scope.TenantID
	var paid, unpaid, twice, unfiled, wrong int64
	if err := tx.QueryRow(ctx, `SELECT
		  (SELECT count(*) FROM pay_orders WHERE tenant_id = $1 AND state = 'computed'),
		  (SELECT count(*) FROM service_orders o WHERE o.tenant_id = $1 AND o.status = 'approved'
		     AND NOT EXISTS (SELECT 1 FROM pay_entries e WHERE e.tenant_id = $1 AND e.order_id = o.id)),
		  (SELECT count(*) FROM (SELECT 1 FROM pay_entries WHERE tenant_id = $1
		     GROUP BY order_id, party_id, kind, rule, round, cause HAVING count(*) > 1) d),
		  (SELECT count(*) FROM pay_entries WHERE tenant_id = $1 AND statement_id IS NULL),
		  (SELECT count(*) FROM pay_statements s, LATERAL (SELECT coalesce(sum(e.amount), 0) AS total, count(*)::int AS lines
		     FROM pay_entries e WHERE e.tenant_id = $1 AND e.statement_id = s.id) x
		   WHERE s.tenant_id = $1 AND (s.total <> x.total OR s.lines <> x.lines)),
		  (SELECT count(*) FROM pay_entries WHERE tenant_id = $1),
		  (SELECT count(*) FROM pay_statements WHERE tenant_id = $1),
		  (SELECT coalesce(sum(amount), 0)::bigint FROM pay_entries WHERE tenant_id = $1)`, t).
		Scan(&paid, &unpaid, &twice, &unfiled, &wrong, &lines, &statements, &total); err != nil {
		return 0, 0, 0, fmt.Errorf("check the month: %w", err)
	}
	var problems []error
	if paid != int64(n) {
		problems = append(problems, fmt.Errorf("%d of %d audited orders paid", paid, n))
	}
	if unpaid > 0 {
		problems = append(problems, fmt.Errorf("%d audited orders without a pay line", unpaid))
	}
	if twice > 0 {
		problems = append(problems, fmt.Errorf("%d pay lines written more than once", twice))
	}
	if unfiled > 0 {
		problems = append(problems, fmt.Errorf("%d pay lines on no statement", unfiled))
	}
	if wrong > 0 {
		problems = append(problems, fmt.Errorf("%d statements whose total or count is not their lines'", wrong))
	}
	if statements == 0 || statements > commissionEngineers {
		problems = append(problems, fmt.Errorf("%d statements for %d engineers", statements, commissionEngineers))
	}
	return lines, statements, total, errors.Join(problems...)
}

// biggestStatements are the month's three largest statements.
func biggestStatements(ctx context.Context, tx *tenants.Tx) ([]topStatement, error) {
	rows, err := tx.Query(ctx, `SELECT coalesce(u.name, ''), s.lines, s.total FROM pay_statements s
		LEFT JOIN users u ON u.id = s.party_id WHERE s.tenant_id = $1 ORDER BY s.total DESC, s.id LIMIT 3`, tx.Scope.TenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []topStatement
	for rows.Next() {
		var s topStatement
		if err := rows.Scan(&s.engineer, &s.lines, &s.total); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// reportCommissionMonth prints the floor, then the run as a ratio to it.
func reportCommissionMonth(w io.Writer, r commissionMonthResult) {
	fmt.Fprintf(w, "floor    %-16s %-38s: %s for %d orders, %d lines\n", "commission-sql", "the facts, lines and statements in bulk",
		secs(r.floor), r.orders, r.floorLines)
	printWorkerStatements(w, r.floorTop)
	fmt.Fprintf(w, "%s: %s, ratio to the floor %.3f (floor time / run time); %d lines totalling %.2f CNY, "+
		"%d statements; %.0f µs a line, %.0f µs a statement, %.1f SQL statements an order; the month again: %s, nothing written\n",
		commissionMonthName, secs(r.run), r.ratio(), r.lines, float64(r.total)/100, r.statements,
		float64(r.run.Microseconds())/float64(max(r.lines, 1)), float64(r.run.Microseconds())/float64(max(r.statements, 1)), r.sqlPer,
		secs(r.rerun))
	for _, s := range r.biggest {
		fmt.Fprintf(w, "  largest statement: %s, %d lines, %.2f\n", s.engineer, s.lines, float64(s.total)/100)
	}
	printWorkerStatements(w, r.top)
}
