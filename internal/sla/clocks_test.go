package sla_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// bundle is one test's tenant with two outlets, on a fresh database. The tenant's calendar
// is Shanghai, 09:00-18:00 on weekdays (the onboarding default).
type bundle struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	db       *tenants.DB
	owner    *pgxpool.Pool
	tenant   uuid.UUID
	outlets  [2]uuid.UUID
	customer uuid.UUID
	scope    tenants.Scope
	inserter *river.Client[pgx.Tx] // inserts jobs only, as the API server does
	log      *slog.Logger
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	tdb := testdb.New(t)
	b := &bundle{ctx: ctx, pool: tdb.App, db: tenants.NewDB(tdb.App), owner: tdb.Owner, log: slog.New(slog.DiscardHandler)}
	u := platform.NewID().String()[:8]
	tn, _, err := b.db.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "sla-" + u, Name: "SLA", Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "admin-" + u + "@sla.test", AdminName: "Admin",
		AdminPasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	b.tenant = tn.ID
	b.scope = tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}
	b.tx(t, func(tx *tenants.Tx) error {
		for i := range b.outlets {
			o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: fmt.Sprintf("O%d", i), Name: "Outlet", Kind: "service_center"})
			if err != nil {
				return err
			}
			b.outlets[i] = o.ID
		}
		b.customer = platform.NewID()
		_, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Customer')`, b.customer)
		return err
	})
	if b.inserter, err = jobs.NewClient(b.pool, b.db, b.log, false); err != nil {
		t.Fatal(err)
	}
	return b
}

// order stores a service order to time (clocks belong to an order of the tenant).
func (b *bundle) order(t *testing.T) uuid.UUID {
	t.Helper()
	id := platform.NewID()
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, tracking_token)
			VALUES (app.tenant_id(), $1, $2, 'repair_minor', 'carry_in', 'phone', 'waiting', $3, $4)`, id, "SO-"+id.String(), b.customer, "trk_"+id.String())
		return err
	})
	return id
}

func (b *bundle) tx(t *testing.T, fn func(tx *tenants.Tx) error) {
	t.Helper()
	if err := b.db.Tx(b.ctx, b.scope, fn); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) clocks(t *testing.T, order uuid.UUID) map[string]sla.Clock {
	t.Helper()
	out := map[string]sla.Clock{}
	b.tx(t, func(tx *tenants.Tx) error {
		cs, err := sla.Clocks(b.ctx, tx, order)
		for _, c := range cs {
			out[c.Target] = c
		}
		return err
	})
	return out
}

// events counts the order's events by type.
func (b *bundle) events(t *testing.T, order uuid.UUID) (map[string]int, []events.Event) {
	t.Helper()
	var list []events.Event
	b.tx(t, func(tx *tenants.Tx) (err error) {
		list, err = events.ForSubject(b.ctx, tx, order)
		return err
	})
	n := map[string]int{}
	for _, e := range list {
		n[e.Type]++
	}
	return n, list
}

// wake is a queued wake job of the bundle's tenant.
type wake struct {
	At          time.Time
	State       string
	ScheduledAt time.Time
}

// wakes lists the tenant's wake jobs not finished yet, by time.
func (b *bundle) wakes(t *testing.T) []wake {
	t.Helper()
	rows, err := b.owner.Query(b.ctx, `SELECT (args->>'at')::timestamptz, state::text, scheduled_at FROM river.river_job
		WHERE kind = 'sla_wake' AND (args->>'tenant_id')::uuid = $1 AND state NOT IN ('completed', 'cancelled', 'discarded')
		ORDER BY 1`, b.tenant)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[wake])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dueWakes checks that the tenant's wakes are all available now: the clocks of these tests
// are in the past, so their steps are due.
func (b *bundle) dueWakes(t *testing.T, what string) {
	t.Helper()
	ws := b.wakes(t)
	if len(ws) == 0 {
		t.Fatalf("%s: no wake queued", what)
	}
	for _, w := range ws {
		if w.State != "available" || w.At.After(time.Now()) || w.At.Truncate(time.Second) != w.At {
			t.Fatalf("%s: wakes %+v, want available ones at a whole second already passed", what, ws)
		}
	}
}

func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func eq(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Fatalf("%s = %v, want %s", what, got, want)
	}
}

func TestPauseAndResume(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	start := shanghai(t, "2026-11-02 10:00") // a Monday
	targets := []sla.Target{{Kind: sla.Accept, Duration: 2 * time.Hour, Business: true}, {Kind: sla.Arrival, Duration: 6 * time.Hour}}
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0], TierCode: "gold",
			OrderType: "repair", Targets: targets, At: start})
		if len(ch) != 2 || ch[0].To != sla.Running {
			t.Errorf("start changes = %+v", ch)
		}
		// Starting again (a retried request) changes nothing.
		again, err2 := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0], Targets: targets, At: start})
		if len(again) != 0 {
			t.Errorf("second start changed %+v", again)
		}
		return cmpErr(err, err2)
	})
	c := b.clocks(t, order)
	eq(t, "accept due", c[sla.Accept].DueAt, shanghai(t, "2026-11-02 12:00"))
	eq(t, "accept warning (75%)", c[sla.Accept].WarnAt, shanghai(t, "2026-11-02 11:30"))
	eq(t, "arrival due (clock time)", c[sla.Arrival].DueAt, shanghai(t, "2026-11-02 16:00"))
	b.dueWakes(t, "after start")

	// Waiting for parts pauses every running clock; an unrelated status does nothing.
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.ApplyStatus(b.ctx, tx, b.inserter, order, "waiting_parts", shanghai(t, "2026-11-02 11:00"))
		if len(ch) != 2 || ch[0].From != sla.Running || ch[0].To != sla.Paused || ch[0].Reason != "waiting_parts" {
			t.Errorf("pause changes = %+v", ch)
		}
		return err
	})
	c = b.clocks(t, order)
	if c[sla.Accept].Status != sla.Paused || c[sla.Accept].DueAt != nil || len(c[sla.Accept].Pauses) != 1 {
		t.Fatalf("paused clock = %+v", c[sla.Accept])
	}
	// An appointment would be judged against the due time as if the clock resumed now.
	b.tx(t, func(tx *tenants.Tx) error {
		due, err := sla.Projected(b.ctx, tx, order, sla.Accept, shanghai(t, "2026-11-02 17:00"))
		if !due.Equal(shanghai(t, "2026-11-02 18:00")) {
			t.Errorf("projected due of the paused accept clock = %s, want Monday 18:00 (1h left from 17:00)", due)
		}
		return err
	})
	b.tx(t, func(tx *tenants.Tx) error {
		due, ok, err := sla.VisitLimits{Now: func() time.Time { return shanghai(t, "2026-11-02 17:00") }}.VisitDue(b.ctx, tx, order)
		if !ok || !due.Equal(shanghai(t, "2026-11-02 22:00")) { // 6h of clock time, 1h used before the pause, resumed at 17:00
			t.Errorf("visit due = %s %v, want the arrival clock's, Monday 22:00", due, ok)
		}
		if _, ok, _ := (sla.VisitLimits{}).VisitDue(b.ctx, tx, platform.NewID()); ok {
			t.Errorf("an order without clocks has a visit due")
		}
		return err
	})
	// Paused clocks fire nothing, even long after their old due time.
	b.tx(t, func(tx *tenants.Tx) error {
		fired, err := sla.Fire(b.ctx, tx, b.inserter, order, sla.Accept, shanghai(t, "2026-11-03 09:00"))
		if len(fired) != 0 {
			t.Errorf("a paused clock fired %v", fired)
		}
		return err
	})

	// The next morning the parts arrive: due times return without the paused time.
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.ApplyStatus(b.ctx, tx, b.inserter, order, "repairing", shanghai(t, "2026-11-03 10:00"))
		if len(ch) != 2 || ch[0].To != sla.Running || ch[0].Reason != "waiting_parts" {
			t.Errorf("resume changes = %+v", ch)
		}
		return err
	})
	c = b.clocks(t, order)
	eq(t, "accept due after resume (1h of business time left)", c[sla.Accept].DueAt, shanghai(t, "2026-11-03 11:00"))
	eq(t, "arrival due after resume (5h of clock time left)", c[sla.Arrival].DueAt, shanghai(t, "2026-11-03 15:00"))
	if p := c[sla.Accept].Pauses; len(p) != 1 || p[0].Reason != "waiting_parts" || !p[0].To.Equal(shanghai(t, "2026-11-03 10:00")) {
		t.Fatalf("pauses = %+v", p)
	}
	b.dueWakes(t, "after resume")
	// A timer of the clock's old due time finds nothing to do.
	b.tx(t, func(tx *tenants.Tx) error {
		fired, err := sla.Fire(b.ctx, tx, b.inserter, order, sla.Accept, shanghai(t, "2026-11-02 12:00"))
		if len(fired) != 0 {
			t.Errorf("a stale timer fired %v", fired)
		}
		return err
	})

	// Paused again, then met straight from the paused status: the hold time is kept.
	b.tx(t, func(tx *tenants.Tx) error {
		if _, err := sla.PauseOrder(b.ctx, tx, b.inserter, order, "awaiting_customer_approval", shanghai(t, "2026-11-03 10:30")); err != nil {
			return err
		}
		ch, err := sla.Meet(b.ctx, tx, b.inserter, order, sla.Accept, shanghai(t, "2026-11-03 14:00"))
		if len(ch) != 1 || ch[0].From != sla.Paused || ch[0].To != sla.Met {
			t.Errorf("meet changes = %+v", ch)
		}
		return err
	})
	c = b.clocks(t, order)
	if a := c[sla.Accept]; a.Status != sla.Met || len(a.Pauses) != 2 || !a.Pauses[1].To.Equal(shanghai(t, "2026-11-03 14:00")) {
		t.Fatalf("met clock = %+v", a)
	}
	if c[sla.Arrival].Status != sla.Paused {
		t.Fatalf("arrival = %s, want paused", c[sla.Arrival].Status)
	}

	// Cancel stops the rest; their timers become no-ops.
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.CancelOrder(b.ctx, tx, b.inserter, order, shanghai(t, "2026-11-03 15:00"))
		if len(ch) != 1 || ch[0].Target != sla.Arrival || ch[0].To != sla.Cancelled {
			t.Errorf("cancel changes = %+v", ch)
		}
		fired, err2 := sla.Fire(b.ctx, tx, b.inserter, order, sla.Arrival, shanghai(t, "2026-11-10 00:00"))
		if len(fired) != 0 {
			t.Errorf("a cancelled clock fired %v", fired)
		}
		return cmpErr(err, err2)
	})
	if n, _ := b.events(t, order); len(n) != 0 {
		t.Fatalf("events = %v, want none", n)
	}
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestPauseStatusesAreTenantSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	at := shanghai(t, "2026-11-02 10:00")
	b.tx(t, func(tx *tenants.Tx) error {
		s, err := sla.GetSettings(b.ctx, tx)
		if err != nil {
			return err
		}
		if s.Version != 1 || s.WarnPercent != 75 || len(s.Escalation) != 3 {
			t.Errorf("default settings = %+v", s)
		}
		s.PauseStatuses = []string{"waiting_for_customer"}
		s.WarnPercent = 50
		if _, err := sla.SaveSettings(b.ctx, tx, 1, s); err != nil {
			return err
		}
		if _, err := sla.SaveSettings(b.ctx, tx, 1, s); !errors.Is(err, fault.ErrStale) {
			t.Errorf("stale save: %v, want ErrStale", err)
		}
		if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
			Targets: []sla.Target{{Kind: sla.Completion, Duration: 4 * time.Hour, Business: true}}, At: at}); err != nil {
			return err
		}
		cs, err := sla.Clocks(b.ctx, tx, order)
		if err != nil {
			return err
		}
		eq(t, "warning at 50%", cs[0].WarnAt, shanghai(t, "2026-11-02 12:00"))
		if ch, err := sla.ApplyStatus(b.ctx, tx, b.inserter, order, "waiting_parts", at.Add(time.Hour)); err != nil || len(ch) != 0 {
			t.Errorf("waiting_parts is no longer a pause status: %+v %v", ch, err)
		}
		ch, err := sla.ApplyStatus(b.ctx, tx, b.inserter, order, "waiting_for_customer", at.Add(time.Hour))
		if len(ch) != 1 || ch[0].To != sla.Paused {
			t.Errorf("waiting_for_customer: %+v", ch)
		}
		return err
	})
}

func TestWarningBreachAndEscalationChain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	engineer := platform.NewID()
	t0 := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OrderNumber: "SO-2026-000042", OutletID: b.outlets[1], EngineerID: engineer,
			TierCode: "gold", OrderType: "installation", Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: t0})
		return err
	})
	fire := func(at time.Duration) []string {
		var fired []string
		b.tx(t, func(tx *tenants.Tx) (err error) {
			fired, err = sla.Fire(b.ctx, tx, b.inserter, order, sla.Accept, t0.Add(at))
			return err
		})
		return fired
	}
	steps := []struct {
		at   time.Duration
		want string
	}{
		{30 * time.Minute, "[]"},
		{46 * time.Minute, "[sla.warning]"}, // 75% of an hour
		{50 * time.Minute, "[]"},
		{61 * time.Minute, "[sla.breached sla.escalated]"}, // level 1, the engineer, at once
		{62 * time.Minute, "[]"},
		{2*time.Hour - time.Second, "[]"},
		{2 * time.Hour, "[sla.escalated]"}, // level 2, the outlet manager, an hour after the breach
		{4 * time.Hour, "[]"},
		{5 * time.Hour, "[sla.escalated]"}, // level 3, the brand's service manager, four hours after
		{50 * time.Hour, "[]"},
	}
	for _, s := range steps {
		if got := fmt.Sprint(fire(s.at)); got != s.want {
			t.Fatalf("fire at +%s: %s, want %s", s.at, got, s.want)
		}
	}
	n, list := b.events(t, order)
	if n[sla.EventWarning] != 1 || n[sla.EventBreached] != 1 || n[sla.EventEscalated] != 3 {
		t.Fatalf("events = %v", n)
	}
	var levels []string
	for _, e := range list {
		var d sla.EventData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.OrderID != order || d.Target != sla.Accept || !d.DueAt.Equal(t0.Add(time.Hour)) || d.OutletID == nil ||
			*d.OutletID != b.outlets[1] || d.EngineerID == nil || *d.EngineerID != engineer || e.OutletID != b.outlets[1] {
			t.Fatalf("%s payload = %s", e.Type, e.Data)
		}
		if e.Type == sla.EventEscalated {
			levels = append(levels, fmt.Sprintf("%d:%s", d.Level, d.Role))
		}
		// The notification part: who is told, with every variable the templates use.
		p, err := notify.ParsePayload(e.Data)
		if err != nil {
			t.Fatal(err)
		}
		if missing := notify.MissingVars(e.Type, p.Vars); len(missing) > 0 {
			t.Fatalf("%s lacks variables %v", e.Type, missing)
		}
		if p.Vars["order_number"] != "SO-2026-000042" || p.Vars["due_time"] != "2026-11-02 11:00" {
			t.Fatalf("%s vars = %v (due time in the outlet calendar's zone, Shanghai)", e.Type, p.Vars)
		}
		who := fmt.Sprint(p.Urgent)
		for _, r := range p.Recipients {
			switch {
			case r.UserID != nil && *r.UserID == engineer:
				who += " engineer"
			case r.Role == "outlet_manager" && r.OutletID != nil && *r.OutletID == b.outlets[1]:
				who += " outlet_manager"
			default:
				who += " " + r.Role
			}
		}
		want := map[string]string{sla.EventWarning: "false engineer outlet_manager", sla.EventBreached: "true engineer outlet_manager"}[e.Type]
		if e.Type == sla.EventEscalated {
			want = map[int]string{1: "true engineer", 2: "true outlet_manager", 3: "true tenant_admin"}[d.Level]
		}
		if who != want {
			t.Fatalf("%s (level %d) goes to %q, want %q", e.Type, d.Level, who, want)
		}
	}
	if fmt.Sprint(levels) != "[1:engineer 2:outlet_manager 3:brand_service_manager]" {
		t.Fatalf("escalations = %v", levels)
	}
	c := b.clocks(t, order)[sla.Accept]
	if c.Status != sla.Breached || c.EscalationLevel != 3 {
		t.Fatalf("clock = %+v", c)
	}
	b.tx(t, func(tx *tenants.Tx) error {
		var breaches int
		err := tx.QueryRow(b.ctx, `SELECT count(*) FROM sla_breaches WHERE order_id = $1 AND target = 'accept' AND due_at = $2 AND breached_at = due_at`,
			order, t0.Add(time.Hour)).Scan(&breaches)
		if breaches != 1 {
			t.Errorf("breach rows = %d", breaches)
		}
		return err
	})
}

func TestMetLateStopsEscalation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	t0 := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
			Targets: []sla.Target{{Kind: sla.Arrival, Duration: time.Hour}}, At: t0})
		return err
	})
	// No timer ran: the order's own change notices the breach, once, then records the late arrival.
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.Meet(b.ctx, tx, b.inserter, order, sla.Arrival, t0.Add(90*time.Minute))
		if len(ch) != 2 || ch[0].To != sla.Breached || !ch[1].Late {
			t.Errorf("late meet changes = %+v", ch)
		}
		return err
	})
	b.tx(t, func(tx *tenants.Tx) error {
		fired, err := sla.Fire(b.ctx, tx, b.inserter, order, sla.Arrival, t0.Add(10*time.Hour))
		if len(fired) != 0 {
			t.Errorf("fired after the late arrival: %v", fired)
		}
		return err
	})
	n, _ := b.events(t, order)
	if n[sla.EventBreached] != 1 || n[sla.EventEscalated] != 0 {
		t.Fatalf("events = %v: want one breach and no escalation (level 1 is due at the breach but the arrival came first)", n)
	}
}

func TestRetargetExpressBoughtMidOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	t0 := shanghai(t, "2026-11-02 10:00")
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0], TierCode: "standard",
			Targets: []sla.Target{{Kind: sla.Arrival, Duration: 48 * time.Hour, Business: true}, {Kind: sla.Accept, Duration: 30 * time.Minute}}, At: t0})
		return err
	})
	bought := t0.Add(time.Hour)
	b.tx(t, func(tx *tenants.Tx) error {
		ch, err := sla.Retarget(b.ctx, tx, b.inserter, order, []sla.Target{
			{Kind: sla.Arrival, Duration: 6 * time.Hour},                      // stricter: wins from the purchase
			{Kind: sla.Accept, Duration: 2 * time.Hour},                       // looser: ignored
			{Kind: sla.Completion, Duration: 24 * time.Hour, Business: false}, // new: starts at the purchase
		}, bought)
		if len(ch) != 3 {
			t.Errorf("retarget changes = %+v", ch)
		}
		return err
	})
	c := b.clocks(t, order)
	eq(t, "arrival due", c[sla.Arrival].DueAt, bought.Add(6*time.Hour))
	if c[sla.Arrival].Business || c[sla.Arrival].Minutes != 360 {
		t.Fatalf("arrival = %+v", c[sla.Arrival])
	}
	if c[sla.Accept].Status != sla.Breached {
		t.Fatalf("accept (30 minutes, passed before the purchase) = %s, want breached", c[sla.Accept].Status)
	}
	eq(t, "completion due", c[sla.Completion].DueAt, bought.Add(24*time.Hour))
	if c[sla.Completion].TierCode != "standard" || c[sla.Completion].OutletID == nil {
		t.Fatalf("completion = %+v", c[sla.Completion])
	}
}

// TestExactlyOneBreachUnderConcurrentFires fires every clock of many orders from many
// goroutines at once: each target is breached exactly once.
func TestExactlyOneBreachUnderConcurrentFires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := time.Now()
	orders := make([]uuid.UUID, 20)
	b.tx(t, func(tx *tenants.Tx) error {
		for i := range orders {
			orders[i] = b.order(t)
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: orders[i], OutletID: b.outlets[i%2],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Minute}, {Kind: sla.Arrival, Duration: time.Hour}}, At: now.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range orders {
				o := orders[(i+w)%len(orders)]
				for _, target := range []string{sla.Accept, sla.Arrival} {
					if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
						_, err := sla.Fire(b.ctx, tx, b.inserter, o, target, time.Now())
						return err
					}); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, o := range orders {
		if n, _ := b.events(t, o); n[sla.EventBreached] != 2 || n[sla.EventEscalated] != 2 || n[sla.EventWarning] != 0 {
			t.Fatalf("order %s: events %v, want 2 breaches (one per target) and 2 first-level escalations", o, n)
		}
	}
}

// worker starts a River client that works jobs, as `aftersales worker` does.
func (b *bundle) worker(t *testing.T) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := jobs.NewClient(b.pool, b.db, b.log, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(b.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

func (b *bundle) waitBreached(t *testing.T, orders []uuid.UUID, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		done := 0
		for _, o := range orders {
			if b.clocks(t, o)[sla.Accept].Status == sla.Breached {
				done++
			}
		}
		if done == len(orders) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d clocks breached after %s", done, len(orders), within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestExactlyOneBreachWithTwoWorkers runs two worker processes' clients against the same
// timers: every target is breached once and its event emitted once.
func TestExactlyOneBreachWithTwoWorkers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orders := make([]uuid.UUID, 30)
	now := time.Now()
	b.tx(t, func(tx *tenants.Tx) error {
		for i := range orders {
			orders[i] = b.order(t)
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: orders[i], OutletID: b.outlets[0],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: 2 * time.Second}}, At: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if ws := b.wakes(t); len(ws) == 0 || len(ws) > 2 {
		t.Fatalf("wakes %+v, want one for the warnings' second and one for the breaches' (or one for both)", ws)
	}
	b.worker(t)
	b.worker(t)
	b.waitBreached(t, orders, 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	for _, o := range orders {
		// The warning (at 1.5 s) may be skipped if its job runs after the due time: no warning
		// after a breach.
		if n, _ := b.events(t, o); n[sla.EventBreached] != 1 || n[sla.EventWarning] > 1 || n[sla.EventEscalated] != 1 {
			t.Fatalf("order %s: events %v, want one breach, one first-level escalation, at most one warning", o, n)
		}
	}
}

// TestRestartDuringPendingTimer stops the worker while a timer is pending and starts a new
// one: the breach still fires, once.
func TestRestartDuringPendingTimer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	first, err := jobs.NewClient(b.pool, b.db, b.log, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, first, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
			Targets: []sla.Target{{Kind: sla.Accept, Duration: 3 * time.Second}}, At: time.Now()})
		return err
	})
	time.Sleep(300 * time.Millisecond)
	stop, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := first.Stop(stop); err != nil {
		t.Fatal(err)
	}
	if s := b.clocks(t, order)[sla.Accept].Status; s != sla.Running {
		t.Fatalf("clock %s before its due time", s)
	}
	time.Sleep(3 * time.Second) // the due time passes with no worker running
	if s := b.clocks(t, order)[sla.Accept].Status; s != sla.Running {
		t.Fatalf("clock %s with no worker", s)
	}
	b.worker(t)
	b.waitBreached(t, []uuid.UUID{order}, 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n, _ := b.events(t, order); n[sla.EventBreached] != 1 {
		t.Fatalf("events %v, want one breach", n)
	}
}

// TestSweepCatchesLostTimers deletes the tenant's wake jobs (lost) and lets the sweep find
// the clock.
func TestSweepCatchesLostTimers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order := b.order(t)
	t0 := time.Now().Add(-90 * time.Minute) // due half an hour ago; level 2 escalates in half an hour
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
			Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: t0})
		return err
	})
	if _, err := b.owner.Exec(b.ctx, `DELETE FROM river.river_job WHERE kind = 'sla_wake'`); err != nil {
		t.Fatal(err)
	}
	timers := &sla.Timers{DB: b.db}
	n, err := timers.Sweep(b.ctx, b.inserter)
	if err != nil || n != 2 {
		t.Fatalf("sweep: %d events, %v; want breach and first escalation", n, err)
	}
	if n, err := timers.Sweep(b.ctx, b.inserter); err != nil || n != 0 {
		t.Fatalf("second sweep: %d events, %v", n, err)
	}
	if n, _ := b.events(t, order); n[sla.EventBreached] != 1 {
		t.Fatalf("events %v", n)
	}
}

// TestWakeRetriesOneClockAtATime: a clock whose event cannot be recorded fails its batch;
// the wake then fires the batch's clocks one per transaction, so the others go out, and
// reports the bad one, which fires once it can.
func TestWakeRetriesOneClockAtATime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orders := []uuid.UUID{b.order(t), b.order(t), b.order(t)}
	b.tx(t, func(tx *tenants.Tx) error {
		for _, o := range orders {
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: o, OutletID: b.outlets[0],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: time.Now().Add(-90 * time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	bad := orders[1]
	if _, err := b.owner.Exec(b.ctx, `CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.subject_id = '`+bad.String()+`' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_event()`); err != nil {
		t.Fatal(err)
	}
	timers := &sla.Timers{DB: b.db}
	n, err := timers.Sweep(b.ctx, b.inserter)
	if n != 4 || err == nil || !strings.Contains(err.Error(), bad.String()) {
		t.Fatalf("sweep: %d events, %v; want 4 (two orders' breach and escalation) and the bad clock's error", n, err)
	}
	for _, o := range orders {
		want := sla.Breached
		if o == bad {
			want = sla.Running
		}
		if s := b.clocks(t, o)[sla.Accept].Status; s != want {
			t.Fatalf("order %s: clock %s, want %s", o, s, want)
		}
	}
	if _, err := b.owner.Exec(b.ctx, `DROP TRIGGER refuse_event ON events`); err != nil {
		t.Fatal(err)
	}
	if n, err := timers.Sweep(b.ctx, b.inserter); n != 2 || err != nil {
		t.Fatalf("sweep after the fix: %d events, %v; want the bad clock's breach and escalation", n, err)
	}
}

// TestWakeBacklogInParallel: a tenant's backlog larger than a batch is fired by several
// transactions at once (the first batch came back full), and two wakes running at the same
// time share it: every step fires exactly once.
func TestWakeBacklogInParallel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orders := make([]uuid.UUID, 1300)
	for i := range orders {
		orders[i] = platform.NewID()
	}
	now := time.Now()
	b.tx(t, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, tracking_token)
			SELECT app.tenant_id(), id, 'SO-P-' || n, 'repair_minor', 'carry_in', 'phone', 'waiting', $2, 'trk_' || id::text
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, orders, b.customer); err != nil {
			return err
		}
		for i, o := range orders {
			start := now.Add(-50 * time.Minute) // past the warning
			if i%2 == 1 {
				start = now.Add(-90 * time.Minute) // overdue: breach and the first escalation level
			}
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: o, OutletID: b.outlets[i%2],
				Targets: []sla.Target{{Kind: sla.Completion, Duration: time.Hour}}, At: start}); err != nil {
				return err
			}
		}
		return nil
	})
	timers := &sla.Timers{DB: b.db}
	var wg sync.WaitGroup
	var fired [2]int
	var errs [2]error
	for i := range fired {
		wg.Go(func() { fired[i], errs[i] = timers.Sweep(b.ctx, b.inserter) })
	}
	wg.Wait()
	if err := cmpErr(errs[:]...); err != nil || fired[0]+fired[1] != 3*len(orders)/2 {
		t.Fatalf("sweeps: %v events, %v; want %d in all", fired, err, 3*len(orders)/2)
	}
	var warned, breached, escalated, orders3 int
	b.tx(t, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT count(*) FILTER (WHERE type = 'sla.warning'), count(*) FILTER (WHERE type = 'sla.breached'),
			count(*) FILTER (WHERE type = 'sla.escalated'), count(DISTINCT (subject_id, type)) FROM events`).Scan(&warned, &breached, &escalated, &orders3)
	})
	if half := len(orders) / 2; warned != half || breached != half || escalated != half || orders3 != 3*half {
		t.Fatalf("warnings %d, breaches %d, escalations %d (%d distinct); want %d each, once per order", warned, breached, escalated, orders3, half)
	}
	if n, err := timers.Sweep(b.ctx, b.inserter); n != 0 || err != nil {
		t.Fatalf("sweep after: %d events, %v", n, err)
	}
}

// TestOutageBacklog: the worker was down while 600 clocks came due, each in a second of its
// own, so 600 wakes wait. The first wake to run fires them all; every other one ends after
// one read. Every clock breaches once and every wake completes.
func TestOutageBacklog(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 600
	orders := make([]uuid.UUID, n)
	for i := range orders {
		orders[i] = platform.NewID()
	}
	now := time.Now()
	client := b.worker(t)
	if err := client.QueuePause(b.ctx, sla.Queue, nil); err != nil {
		t.Fatal(err)
	}
	b.tx(t, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, tracking_token)
			SELECT app.tenant_id(), id, 'SO-O-' || n, 'repair_minor', 'carry_in', 'phone', 'waiting', $2, 'trk_' || id::text
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, orders, b.customer); err != nil {
			return err
		}
		for i, o := range orders { // due an hour ago and later, a second apart
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: o, OutletID: b.outlets[i%2],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: now.Add(-2*time.Hour + time.Duration(i)*time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
	// The wakes as they were queued when the clocks started: one at each due second.
	if _, err := b.owner.Exec(b.ctx, `DELETE FROM river.river_job WHERE kind = 'sla_wake'`); err != nil {
		t.Fatal(err)
	}
	params := make([]river.InsertManyParams, n)
	for i := range params {
		at := now.Add(-time.Hour + time.Duration(i)*time.Second).UTC().Truncate(time.Second).Add(time.Second)
		params[i] = river.InsertManyParams{Args: sla.WakeArgs{TenantID: b.tenant, At: at}}
	}
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := tx.InsertMany(b.ctx, client, params)
		return err
	})
	t0 := time.Now()
	if err := client.QueueResume(b.ctx, sla.Queue, nil); err != nil {
		t.Fatal(err)
	}
	for {
		var left int
		if err := b.owner.QueryRow(b.ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'sla_wake' AND state <> 'completed'
			AND (args->>'at')::timestamptz < $1`, t0).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Since(t0) > 60*time.Second {
			t.Fatalf("%d of %d wakes not done after a minute", left, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d wakes done in %s", n, time.Since(t0).Round(time.Millisecond))
	var breached, distinct int
	b.tx(t, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT count(*), count(DISTINCT subject_id) FROM events WHERE type = 'sla.breached'`).Scan(&breached, &distinct)
	})
	if breached != n || distinct != n {
		t.Fatalf("%d breaches of %d orders, want one each of %d", breached, distinct, n)
	}
}

func TestAttainment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	t0 := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	// Outlet 0: three met, one breached; outlet 1: one breached; one cancelled (not counted).
	for i, outcome := range []string{"met", "met", "met", "breached", "breached1", "cancelled"} {
		order := b.order(t)
		outlet := b.outlets[0]
		if outcome == "breached1" {
			outlet = b.outlets[1]
		}
		b.tx(t, func(tx *tenants.Tx) error {
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: outlet, TierCode: "gold",
				OrderType: "repair", Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
			var err error
			switch outcome {
			case "met":
				_, err = sla.Meet(b.ctx, tx, b.inserter, order, sla.Accept, t0.Add(30*time.Minute))
			case "cancelled":
				_, err = sla.CancelOrder(b.ctx, tx, b.inserter, order, t0.Add(30*time.Minute))
			default:
				_, err = sla.Fire(b.ctx, tx, b.inserter, order, sla.Accept, t0.Add(3*time.Hour))
			}
			return err
		})
	}
	b.tx(t, func(tx *tenants.Tx) error {
		rows, err := sla.Attainment(b.ctx, tx, "outlet", t0, t0.Add(24*time.Hour), "")
		if err != nil {
			return err
		}
		want := map[string]string{b.outlets[0].String(): "3/1/4/75", b.outlets[1].String(): "0/1/1/0"}
		if len(rows) != 2 {
			t.Fatalf("rows = %+v", rows)
		}
		for _, r := range rows {
			if got := fmt.Sprintf("%d/%d/%d/%g", r.Met, r.Breached, r.Total, r.Percent); got != want[r.Key] {
				t.Errorf("%s: %s, want %s", r.Key, got, want[r.Key])
			}
		}
		rows, err = sla.Attainment(b.ctx, tx, "tier", t0, t0.Add(24*time.Hour), sla.Accept)
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0].Key != "gold" || rows[0].Total != 5 || rows[0].Percent != 60 {
			t.Errorf("by tier: %+v", rows)
		}
		rows, err = sla.Attainment(b.ctx, tx, "outlet", t0.Add(48*time.Hour), t0.Add(72*time.Hour), "")
		if err != nil || len(rows) != 0 {
			t.Errorf("outside the range: %+v %v", rows, err)
		}
		return nil
	})
}

// TestStartOnStoredCalendars starts business-time clocks on stored calendars: the tenant's
// (an outlet without its own) with holidays and a make-up day far ahead, so that the window
// of days loaded must grow to reach them, and an outlet's own calendar in another timezone.
func TestStartOnStoredCalendars(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var tenantCal tenants.Calendar
	var days []tenants.CalendarDay
	b.tx(t, func(tx *tenants.Tx) error {
		var err error
		if tenantCal, err = tenants.EffectiveCalendar(b.ctx, tx, b.outlets[0]); err != nil {
			return err
		}
		set := func(day, kind string) error {
			d, _ := time.Parse(time.DateOnly, day)
			v, ver, err := tenants.SetCalendarDay(b.ctx, tx, tenantCal.ID, d, tenantCal.Version, tenants.CalendarDay{Day: day, Kind: kind})
			days = append(days, v)
			tenantCal.Version = ver
			return err
		}
		for d := 1; d <= 7; d++ {
			if err := set(fmt.Sprintf("2026-10-%02d", d), "holiday"); err != nil {
				return err
			}
		}
		for d := 16; d <= 22; d++ { // Spring Festival 2027, months ahead
			if err := set(fmt.Sprintf("2027-02-%02d", d), "holiday"); err != nil {
				return err
			}
		}
		if err := set("2027-02-13", "workday"); err != nil { // a make-up Saturday
			return err
		}
		_, err = tenants.CreateCalendar(b.ctx, tx, tenants.CalendarInput{OutletID: b.outlets[1], Name: "Berlin", Timezone: "Europe/Berlin",
			WeeklyHours: tenants.WeeklyHours{Mon: hrs("08:00", "16:00"), Tue: hrs("08:00", "16:00"), Wed: hrs("08:00", "16:00"),
				Thu: hrs("08:00", "16:00"), Fri: hrs("08:00", "16:00")}})
		return err
	})
	full, err := sla.NewCalendar(tenantCal, days, time.Time{}) // every day known
	if err != nil {
		t.Fatal(err)
	}
	start := shanghai(t, "2026-09-28 09:00")
	for _, d := range []time.Duration{2 * time.Hour, 72 * time.Hour, 30 * 9 * time.Hour, 100 * 9 * time.Hour} {
		order := b.order(t)
		b.tx(t, func(tx *tenants.Tx) error {
			_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
				Targets: []sla.Target{{Kind: sla.Completion, Duration: d, Business: true}}, At: start})
			return err
		})
		want := sla.Due(start, d, full, nil)
		eq(t, fmt.Sprintf("due of %s of business time", d), b.clocks(t, order)[sla.Completion].DueAt, want)
	}
	// 100 working days from 2026-09-28 skip Golden Week and the Spring Festival and work the make-up Saturday.
	if got := sla.Due(start, 100*9*time.Hour, full, nil); !got.Equal(shanghai(t, "2027-02-25 18:00")) {
		t.Fatalf("100 working days end %s", got)
	}

	order := b.order(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	b.tx(t, func(tx *tenants.Tx) error {
		_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[1],
			Targets: []sla.Target{{Kind: sla.Arrival, Duration: 2 * time.Hour, Business: true}}, At: time.Date(2026, 10, 23, 15, 0, 0, 0, berlin)})
		return err
	})
	eq(t, "Berlin outlet: Friday 15:00 + 2h over the DST weekend", b.clocks(t, order)[sla.Arrival].DueAt, time.Date(2026, 10, 26, 9, 0, 0, 0, berlin))
}

func hrs(a, b string) []tenants.Interval { return []tenants.Interval{{Start: a, End: b}} }

// TestBatchedTimersWithTwoWorkers commits many due warnings and breaches at once, worked by
// two worker processes' clients: one wake fires them all set-based, each exactly once, the
// escalation levels due at the breach included.
func TestBatchedTimersWithTwoWorkers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := time.Now()
	orders := make([]uuid.UUID, 300)
	began := time.Now()
	b.tx(t, func(tx *tenants.Tx) error {
		for i := range orders {
			orders[i] = b.order(t)
			start := now.Add(-50 * time.Minute) // past the warning, not due
			switch i % 3 {
			case 1:
				start = now.Add(-90 * time.Minute) // overdue by half an hour: breach and the first escalation level
			case 2:
				start = now.Add(-150 * time.Minute) // overdue by an hour and a half: breach and two levels
			}
			if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: orders[i], OutletID: b.outlets[i%2],
				Targets: []sla.Target{{Kind: sla.Completion, Duration: time.Hour}}, At: start}); err != nil {
				return err
			}
		}
		return nil
	})
	// One wake for every step due already, one per second the start took (a loaded machine
	// takes more of them); the 100 running clocks, started at one instant, come due in one
	// second: one wake, scheduled then.
	seconds := int(time.Since(began)/time.Second) + 2
	ws := b.wakes(t)
	if len(ws) < 2 || len(ws) > seconds+1 {
		t.Fatalf("wakes %+v, want one available now per second the start took and one scheduled at the running clocks' due second", ws)
	}
	if last := ws[len(ws)-1]; last.State != "scheduled" ||
		!last.At.Equal(now.Add(10*time.Minute).UTC().Truncate(time.Second).Add(time.Second)) || !last.ScheduledAt.Equal(last.At) {
		t.Fatalf("wakes %+v, want one available now per second the start took and one scheduled at the running clocks' due second", ws)
	}
	for _, w := range ws[:len(ws)-1] {
		if w.State != "available" {
			t.Fatalf("wakes %+v, want one available now per second the start took and one scheduled at the running clocks' due second", ws)
		}
	}
	b.worker(t)
	b.worker(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var warned, breached, escalated int
		b.tx(t, func(tx *tenants.Tx) error {
			return tx.QueryRow(b.ctx, `SELECT count(*) FILTER (WHERE type = 'sla.warning'), count(*) FILTER (WHERE type = 'sla.breached'),
				count(*) FILTER (WHERE type = 'sla.escalated') FROM events`).Scan(&warned, &breached, &escalated)
		})
		if warned == 100 && breached == 200 && escalated == 300 {
			break
		}
		if warned > 100 || breached > 200 || escalated > 300 || time.Now().After(deadline) {
			t.Fatalf("warnings %d, breaches %d, escalations %d; want 100, 200, 300", warned, breached, escalated)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	for i, o := range orders {
		n, _ := b.events(t, o)
		ok := false
		switch i % 3 {
		case 0:
			ok = n[sla.EventWarning] == 1 && len(n) == 1
		case 1:
			ok = n[sla.EventBreached] == 1 && n[sla.EventEscalated] == 1 && len(n) == 2
		case 2:
			ok = n[sla.EventBreached] == 1 && n[sla.EventEscalated] == 2 && len(n) == 2
		}
		if !ok {
			t.Fatalf("order %d: events %v", i, n)
		}
	}
	var levels []int32
	b.tx(t, func(tx *tenants.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT escalation_level FROM sla_clocks WHERE status = 'breached' ORDER BY escalation_level`)
		if err != nil {
			return err
		}
		levels, err = pgx.CollectRows(rows, pgx.RowTo[int32])
		return err
	})
	if len(levels) != 200 || levels[0] != 1 || levels[99] != 1 || levels[100] != 2 || levels[199] != 2 {
		t.Fatalf("escalation levels of the breached clocks: %v", levels)
	}
}

// TestOneWakePerSecond takes orders in one by one (a transaction each) whose clocks come due
// in the same second, as overnight orders' business-hour clocks all start at opening time:
// their breaches share one wake job, and each fires exactly once with its first escalation.
func TestOneWakePerSecond(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orders := make([]uuid.UUID, 40)
	for i := range orders {
		orders[i] = b.order(t)
	}
	// Started an hour before a due time a few seconds ahead: each warning is due already,
	// each breach in the same second.
	due := time.Now().Add(4 * time.Second)
	for i, o := range orders {
		b.tx(t, func(tx *tenants.Tx) error {
			_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: o, OutletID: b.outlets[i%2],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: due.Add(-time.Hour)})
			return err
		})
	}
	at := due.UTC().Truncate(time.Second).Add(time.Second)
	ws := b.wakes(t)
	var breachWakes, dueWakes int
	for _, w := range ws {
		switch {
		case w.At.Equal(at) && w.State == "scheduled" && w.ScheduledAt.Equal(at):
			breachWakes++
		case w.State == "available" && !w.At.After(time.Now()):
			dueWakes++
		}
	}
	// The warnings were queued over a second or two: a wake per second they spanned.
	if breachWakes != 1 || dueWakes < 1 || dueWakes > 3 || len(ws) != breachWakes+dueWakes {
		t.Fatalf("wakes %+v: want one scheduled at %s for the %d breaches and one available per second for the warnings",
			ws, at, len(orders))
	}
	b.worker(t)
	b.worker(t)
	b.waitBreached(t, orders, 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	for _, o := range orders {
		if n, _ := b.events(t, o); n[sla.EventWarning] != 1 || n[sla.EventBreached] != 1 || n[sla.EventEscalated] != 1 || len(n) != 3 {
			t.Fatalf("order %s: events %v, want one warning, one breach, one first-level escalation", o, n)
		}
	}
	var jobs int
	if err := b.owner.QueryRow(b.ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'sla_wake' AND (args->>'tenant_id')::uuid = $1
		AND (args->>'at')::timestamptz = $2`, b.tenant, at).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Fatalf("%d wake jobs at %s, want 1", jobs, at)
	}
	// The second escalation level, an hour after the breach: one wake for them all.
	ws = b.wakes(t)
	if len(ws) != 1 || !ws[0].At.Equal(at.Add(time.Hour)) || ws[0].State != "scheduled" {
		t.Fatalf("wakes after the breaches %+v, want one at %s", ws, at.Add(time.Hour))
	}
}

// TestRetargetPausedClockAndSetEngineer: an express promise bought while the order waits for
// parts counts from the purchase once the order resumes; the engineer assigned later is
// who the clocks (and their reports) name.
func TestRetargetPausedClockAndSetEngineer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	order, engineer := b.order(t), platform.NewID()
	t0 := shanghai(t, "2026-11-02 10:00")
	b.tx(t, func(tx *tenants.Tx) error {
		if _, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
			Targets: []sla.Target{{Kind: sla.Completion, Duration: 72 * time.Hour, Business: true}}, At: t0}); err != nil {
			return err
		}
		if _, err := sla.PauseOrder(b.ctx, tx, b.inserter, order, "waiting_parts", t0.Add(time.Hour)); err != nil {
			return err
		}
		ch, err := sla.Retarget(b.ctx, tx, b.inserter, order, []sla.Target{{Kind: sla.Completion, Duration: 24 * time.Hour}}, t0.Add(2*time.Hour))
		if err != nil {
			return err
		}
		if len(ch) != 1 || ch[0].From != sla.Paused || ch[0].To != sla.Paused {
			t.Errorf("retarget of a paused clock: %+v", ch)
		}
		if err := sla.SetEngineer(b.ctx, tx, b.inserter, order, engineer, t0.Add(2*time.Hour)); err != nil {
			return err
		}
		ch, err = sla.ResumeOrder(b.ctx, tx, b.inserter, order, t0.Add(5*time.Hour))
		if len(ch) != 1 || ch[0].DueAt == nil || !ch[0].DueAt.Equal(t0.Add(29*time.Hour)) {
			t.Errorf("resume after retarget: %+v, want due 24h of clock time from the resume", ch)
		}
		return err
	})
	c := b.clocks(t, order)[sla.Completion]
	if c.Business || c.Minutes != 24*60 || c.EngineerID == nil || *c.EngineerID != engineer || !c.StartedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("clock = %+v", c)
	}
	// Another tenant's order, or one without clocks, cannot be retargeted.
	b.tx(t, func(tx *tenants.Tx) error {
		if _, err := sla.Retarget(b.ctx, tx, b.inserter, platform.NewID(), []sla.Target{{Kind: sla.Completion, Duration: time.Hour}}, t0); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("retarget of an unknown order: %v", err)
		}
		return nil
	})
}

// TestDueStepBesideRunningWake: a step that is due when queued, in a second whose wake is
// running already (it may have read the clocks before the step's transaction commits),
// gets a wake of its own, available at the commit, rather than waiting for the sweep.
func TestDueStepBesideRunningWake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for attempt := 0; ; attempt++ {
		sec := time.Now().UTC().Truncate(time.Second)
		// The wake of this second, running.
		b.tx(t, func(tx *tenants.Tx) error {
			opts := sla.WakeArgs{}.InsertOpts()
			_, err := tx.InsertMany(b.ctx, b.inserter, []river.InsertManyParams{{Args: sla.WakeArgs{TenantID: b.tenant, At: sec}, InsertOpts: &opts}})
			return err
		})
		if _, err := b.owner.Exec(b.ctx, `UPDATE river.river_job SET state = 'running', attempted_at = now(), attempt = 1
			WHERE kind = 'sla_wake' AND (args->>'tenant_id')::uuid = $1`, b.tenant); err != nil {
			t.Fatal(err)
		}
		// A clock started two hours ago with a one-hour target: its breach is due now.
		order := b.order(t)
		b.tx(t, func(tx *tenants.Tx) error {
			_, err := sla.Start(b.ctx, tx, b.inserter, sla.StartInput{OrderID: order, OutletID: b.outlets[0],
				Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: time.Now().Add(-2 * time.Hour)})
			return err
		})
		if !time.Now().UTC().Truncate(time.Second).Equal(sec) {
			// The second turned over: the step's wake had another key. Try again.
			if _, err := b.owner.Exec(b.ctx, `DELETE FROM river.river_job WHERE kind = 'sla_wake' AND (args->>'tenant_id')::uuid = $1`, b.tenant); err != nil {
				t.Fatal(err)
			}
			if attempt < 5 {
				continue
			}
			t.Skip("the seconds kept turning over")
		}
		var available int
		if err := b.owner.QueryRow(b.ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'sla_wake' AND state = 'available'
			AND (args->>'tenant_id')::uuid = $1 AND scheduled_at <= now()`, b.tenant).Scan(&available); err != nil {
			t.Fatal(err)
		}
		if available != 1 {
			t.Fatalf("%d wakes available beside the running one, want 1: %+v", available, b.wakes(t))
		}
		return
	}
}
