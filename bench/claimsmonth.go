package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// claimsMonthName is the claims generation measurement's name in the report and for -scenarios.
const claimsMonthName = "claims-month (a month's audited in-warranty orders)"

// claimsMonthOutlets are the outlets the month's orders are spread over.
const claimsMonthOutlets = 20

// claimsPage is how many orders one transaction of the generation claims, as the unclaimed
// list pages them.
const claimsPage = 1000

// claimsMonthResult is the claims generation measurement: the floor (the same SQL alone:
// the unclaimed orders read page by page with the product's query and one claim row written
// per order, in multi-row inserts, rolled back) and the product's generation (each page of
// unclaimed orders, each order's claim made by claims.Service.Generate: the order, its
// engineers, the tenant's rates, the part's price, the lines by the decision's coverage, the
// claim, its audit and timeline entries).
type claimsMonthResult struct {
	orders  int
	floor   time.Duration
	run     time.Duration
	claims  int
	claimed int64
	top     []stmtTime
	sqlPer  float64
}

func (r claimsMonthResult) ratio() float64 { return r.floor.Seconds() / r.run.Seconds() }

var errRollback = errors.New("rolled back")

// measureClaimsMonth seeds a tenant with a month of audited (approved) in-warranty orders
// done by its outlets, each with a completion report naming one part, then times the floor
// and the generation.
func measureClaimsMonth(ctx context.Context, d *database, n int) (claimsMonthResult, error) {
	r := claimsMonthResult{orders: n}
	bt, err := newBenchTenant(ctx, d, "cl", "Claims bench", "claims month bench")
	if err != nil {
		return r, err
	}
	defer bt.close()
	tdb, timer, tn, scope := bt.db, bt.timer, bt.tenant, bt.scope
	ent, err := json.Marshal(coverage.Result{Decision: warranty.Decision{Class: warranty.Manufacturer,
		Charges: warranty.Charges{Parts: warranty.Charge{Line: warranty.Line{Mode: warranty.Free}},
			Labour: warranty.Charge{Line: warranty.Line{Mode: warranty.Free}}, Visit: warranty.Charge{Line: warranty.Line{Mode: warranty.Free}}}}})
	if err != nil {
		return r, err
	}
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := billing.PutSettings(ctx, tx, 0, billing.MoneyTerms{CreditValidityDays: 30,
			LabourRates: map[string]int64{"repair": 6000}, VisitFee: 3000}); err != nil {
			return err
		}
		if _, err := tx.Q.CreatePart(ctx, tx, db.CreatePartParams{TenantID: tn.ID, ID: platform.NewID(), PartNo: "COMP-1",
			NameZh: "压缩机", ModelIds: []uuid.UUID{}, Components: []string{}, SubstituteIds: []uuid.UUID{},
			Currency: "CNY", OutletPrice: 20000, ConsumerPrice: 30000, Active: true}); err != nil {
			return err
		}
		outlets := make([]uuid.UUID, claimsMonthOutlets)
		for i := range outlets {
			o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: fmt.Sprintf("CL%02d", i), Name: fmt.Sprintf("Outlet %d", i),
				Kind: "service_center"})
			if err != nil {
				return err
			}
			outlets[i] = o.ID
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
		from := now.AddDate(0, -1, 0)
		step := now.Sub(from) / time.Duration(max(n, 1))
		var ins tenants.MultiInsert
		for i := range n {
			id := platform.NewID()
			at := from.Add(time.Duration(i) * step)
			c, err := json.Marshal(orders.Completion{Diagnosis: "compressor failed", WorkDone: "compressor replaced", Result: "fixed",
				Parts: []orders.Part{{Code: "COMP-1", Name: "压缩机", Quantity: 1, OldSerial: fmt.Sprintf("C-OLD-%d", i),
					NewSerial: fmt.Sprintf("C-NEW-%d", i)}}, CompletedAt: at})
			if err != nil {
				return err
			}
			if _, err := ins.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status,
				customer_id, outlet_id, tracking_token, entitlement, entitlement_class, completion, result, completed_at)
				VALUES ($1, $2, $3, 'repair', 'carry_in', 'phone', 'approved', $4, $5, $6, $7, $8, $9, 'fixed', $10)`,
				tn.ID, id, fmt.Sprintf("SO-CL-%d", i+1), customers[i%len(customers)], outlets[i%len(outlets)], "trk_"+id.String(),
				ent, warranty.Manufacturer, c, at); err != nil {
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

	// The floor: the same reads and one claim row per order, rolled back.
	t0 := time.Now()
	seen := 0
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		after := uuid.NullUUID{}
		for {
			page, err := tx.Q.UnclaimedOrders(ctx, tx, db.UnclaimedOrdersParams{TenantID: tn.ID, After: after, Lim: claimsPage})
			if err != nil {
				return err
			}
			if len(page) == 0 {
				return errRollback
			}
			var ins tenants.MultiInsert
			for _, o := range page {
				if _, err := ins.Exec(ctx, `INSERT INTO warranty_claims (tenant_id, id, side, number, order_id, outlet_id, serial, currency,
					status, lines, terms, terms_version, claimed) VALUES ($1, $2, 'internal', $3, $4, $5, $6, 'CNY', 'draft', $7, $8, 1, $9)`,
					tn.ID, platform.NewID(), "CL-"+o.Number, o.ID, o.OutletID, o.Serial, floorLines, floorTerms, int64(29000)); err != nil {
					return err
				}
			}
			if _, err := ins.Send(ctx, tx); err != nil {
				return err
			}
			seen += len(page)
			after = uuid.NullUUID{UUID: page[len(page)-1].ID, Valid: true}
		}
	})
	r.floor = time.Since(t0)
	if !errors.Is(err, errRollback) {
		return r, fmt.Errorf("floor: %w", err)
	}
	if seen != n {
		return r, fmt.Errorf("floor: %d unclaimed orders of %d", seen, n)
	}

	// The generation: page by page, each order's claim made by the product.
	svc := &claims.Service{}
	timer.reset()
	t0 = time.Now()
	for {
		made := 0
		if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
			page, err := claims.Unclaimed(ctx, tx, uuid.Nil, claimsPage)
			if err != nil {
				return err
			}
			for _, o := range page {
				c, err := svc.Generate(ctx, tx, o.OrderID)
				if err != nil {
					return fmt.Errorf("claim of %s: %w", o.Number, err)
				}
				r.claimed += c.Claimed
				made++
			}
			return nil
		}); err != nil {
			return r, fmt.Errorf("generation: %w", err)
		}
		if made == 0 {
			break
		}
		r.claims += made
	}
	r.run = time.Since(t0)
	r.top = timer.top(8)
	if r.claims > 0 {
		r.sqlPer = float64(timer.count()) / float64(r.claims)
	}
	if r.claims != n {
		return r, fmt.Errorf("generation made %d claims of %d orders", r.claims, n)
	}
	return r, nil
}

// floorLines and floorTerms are what the floor writes per claim: the size of the product's
// lines (labour and one part) and terms.
var (
	floorLines = []byte(`[{"kind":"labour","description":"Labour (repair)","quantity":1,"unit_price":6000,"amount":6000,"basis":"labour rate repair","coverage":"covered","customer_percent":0,"customer_amount":0,"payer":"maker","payer_percent":100,"claimed":6000},{"kind":"part","description":"压缩机","part_code":"COMP-1","faulty_serial":"C-OLD-1","replacement_serial":"C-NEW-1","quantity":1,"unit_price":20000,"amount":20000,"basis":"parts at list price","coverage":"covered","customer_percent":0,"customer_amount":0,"payer":"maker","payer_percent":100,"claimed":20000}]`)
	floorTerms = []byte(`{"source":"tenant rates","currency":"CNY","labour_rates":{"repair":6000},"visit_fee":3000,"parts":"list"}`)
)

// reportClaimsMonth prints the floor, then the generation as a ratio to it.
func reportClaimsMonth(w io.Writer, r claimsMonthResult) {
	fmt.Fprintf(w, "floor    %-16s %-38s: %s for %d orders\n", "claims-sql", "the unclaimed pages and the claim rows alone",
		secs(r.floor), r.orders)
	fmt.Fprintf(w, "%s: %s, ratio to the floor %.3f (floor time / run time); %d claims, %d claimed (minor units), "+
		"%.0f µs and %.1f SQL statements per claim\n", claimsMonthName, secs(r.run), r.ratio(), r.claims, r.claimed,
		float64(r.run.Microseconds())/float64(max(r.claims, 1)), r.sqlPer)
	printWorkerStatements(w, r.top)
}
