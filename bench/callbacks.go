package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/callbacks"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// callbacksName is the callback sampling measurement's name in the report and for -scenarios.
const callbacksName = "callback-sampling (a day's completed orders)"

// callbackRatioBP is the bench tenant's sampling ratio: 10% of the day's orders, as a
// brand that calls back a tenth of its repairs; 1% of the orders are repeat repairs
// (always called back) and each customer may get one sampled callback in 30 days.
const callbackRatioBP = 1000

// callbacksResult is the sampling measurement: the floor (the selection SQL alone, the
// least work a run does: it must read the day's orders) and the run itself (the selection,
// the cap per customer, the tasks, their SLA clocks and wakes, the events), then the same
// day run again (which creates nothing).
type callbacksResult struct {
	orders        int
	floor         time.Duration // CallbackCandidates alone, best of floorRuns
	run           time.Duration
	rerun         time.Duration
	res           callbacks.RunResult
	sqlPerCreated float64
	top           []stmtTime
}

// floorRuns is how often the floor's query runs; its best time is the floor.
const floorRuns = 3

func (r callbacksResult) ratio() float64 { return r.floor.Seconds() / r.run.Seconds() }

// measureCallbacks seeds a tenant with orders completed yesterday (its time zone) spread over
// the day, an outlet, orders/4 customers and an agent on shift all week, then times the
// floor and the sampling run in one tenant transaction each, as the daily job runs it.
func measureCallbacks(ctx context.Context, d *database, orders int) (callbacksResult, error) {
	r := callbacksResult{orders: orders}
	bt, err := newBenchTenant(ctx, d, "cb", "Callback bench", "callback sampling bench")
	if err != nil {
		return r, err
	}
	defer bt.close()
	pool, tdb, timer, tn, scope := bt.pool, bt.db, bt.timer, bt.tenant, bt.scope
	// An insert-only River client: the run queues its clocks' wakes and events' dispatch in
	// its transaction, as the product's worker does; nothing works them here.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Schema: migrate.RiverSchema})
	if err != nil {
		return r, fmt.Errorf("river client: %w", err)
	}
	svc := &callbacks.Service{Jobs: client, PublicURL: "http://bench.test", Complaints: callbacks.ComplaintQuery{}}
	var day time.Time
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: "CB", Name: "Callback outlet", Kind: "service_center"})
		if err != nil {
			return err
		}
		agent, err := tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: "agent-" + bt.suffix + "@bench.test", Name: "Agent",
			PasswordHash: "x"})
		if err != nil {
			return err
		}
		if _, err := tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: tn.ID, ID: platform.NewID(), UserID: agent.ID,
			Role: "agent"}); err != nil {
			return err
		}
		var shifts []callbacks.Shift
		for wd := range 7 {
			shifts = append(shifts, callbacks.Shift{UserID: agent.ID, Weekday: wd, Starts: "00:00", Ends: "24:00"})
		}
		if _, err := callbacks.PutSettings(ctx, tx, 0, callbacks.CallbackSettings{RatioBP: callbackRatioBP, CapSurveys: 1, CapDays: 30,
			DueMinutes: 480, RectifyHours: 48, ExcludedTypes: []string{"internal"}, Shifts: shifts}); err != nil {
			return err
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return err
		}
		y := now.In(loc).AddDate(0, 0, -1)
		day = time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, time.UTC)
		from := time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, loc)
		// Multi-row INSERTs (tenants.MultiInsert sends them in statements of up to 1000 rows).
		customers := make([]uuid.UUID, max(orders/4, 1))
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
		var ins tenants.MultiInsert
		step := 24 * time.Hour / time.Duration(orders)
		for i := range orders {
			id := platform.NewID()
			at := from.Add(time.Duration(i) * step)
			if _, err := ins.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status,
				customer_id, outlet_id, tracking_token, is_repeat, completed_at, closed_at)
				VALUES ($1, $2, $3, 'repair', 'carry_in', 'phone', 'closed', $4, $5, $6, $7, $8, $8)`,
				tn.ID, id, fmt.Sprintf("SO-CB-%d", i+1), customers[i%len(customers)], o.ID, "trk_"+id.String(), i%100 == 0, at); err != nil {
				return err
			}
		}
		if _, err := ins.Send(ctx, tx); err != nil {
			return fmt.Errorf("insert the orders: %w", err)
		}
		return nil
	}); err != nil {
		return r, err
	}
	if err := d.settle(ctx); err != nil {
		return r, err
	}

	// The floor: the run's selection query alone, in a tenant transaction of its own.
	for range floorRuns {
		t0 := time.Now()
		var n int
		if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
			loc, err := tenants.Location(ctx, tx)
			if err != nil {
				return err
			}
			from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			rows, err := tx.Q.CallbackCandidates(ctx, tx, db.CallbackCandidatesParams{TenantID: tn.ID, FromAt: from, ToAt: from.AddDate(0, 0, 1)})
			n = len(rows)
			return err
		}); err != nil {
			return r, fmt.Errorf("floor: %w", err)
		}
		if el := time.Since(t0); r.floor == 0 || el < r.floor {
			r.floor = el
		}
		if n != orders {
			return r, fmt.Errorf("floor: %d candidates of %d orders", n, orders)
		}
	}

	// The run, as the daily job makes it: one tenant transaction.
	timer.reset()
	t0 := time.Now()
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		r.res, err = svc.Sample(ctx, tx, day)
		return err
	}); err != nil {
		return r, fmt.Errorf("sampling run: %w", err)
	}
	r.run = time.Since(t0)
	r.top = timer.top(8)
	if r.res.Created > 0 {
		r.sqlPerCreated = float64(timer.count()) / float64(r.res.Created)
	}
	t0 = time.Now()
	var again callbacks.RunResult
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		again, err = svc.Sample(ctx, tx, day)
		return err
	}); err != nil {
		return r, fmt.Errorf("second run: %w", err)
	}
	r.rerun = time.Since(t0)
	if again.Created != 0 {
		return r, fmt.Errorf("the day run again created %d callbacks", again.Created)
	}
	return r, nil
}

// reportCallbacks prints the floor, then the run as a ratio to it.
func reportCallbacks(w io.Writer, r callbacksResult) {
	fmt.Fprintf(w, "floor    %-16s %-38s: %s for %d orders (best of %d)\n", "cb-candidates", "the selection SQL alone (CallbackCandidates)",
		secs(r.floor), r.orders, floorRuns)
	fmt.Fprintf(w, "%s: %s, ratio to the floor %.3f (floor time / run time); %d candidates, %d callbacks created (%d by the cap left out), "+
		"%.0f µs and %.2f SQL statements per callback; the day run again: %s, nothing created\n",
		callbacksName, secs(r.run), r.ratio(), r.res.Candidates, r.res.Created, r.res.Capped,
		float64(r.run.Microseconds())/float64(max(r.res.Created, 1)), r.sqlPerCreated, secs(r.rerun))
	printWorkerStatements(w, r.top)
}
