package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// slaOrder starts an order's clocks at an outlet of tn (as service orders will) and
// returns the order id; met says whether the accept target is then met on time.
func slaOrder(t *testing.T, env *apitest.Env, tn *apitest.Tenant, outlet string, at time.Time, met bool) string {
	t.Helper()
	ctx := context.Background()
	inserter, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, false)
	if err != nil {
		t.Fatal(err)
	}
	order, customer := platform.NewID(), platform.NewID()
	if err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		// The order the clocks time, stored bare: its clocks are the ones started below.
		if _, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Customer')`, customer); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id,
				outlet_id, tracking_token) VALUES (app.tenant_id(), $1, $2, 'repair', 'carry_in', 'phone', 'waiting', $3, $4, $5)`,
			order, "SO-"+order.String(), customer, uuid.MustParse(outlet), "trk_"+order.String()); err != nil {
			return err
		}
		if _, err := sla.Start(ctx, tx, inserter, sla.StartInput{OrderID: order, OutletID: uuid.MustParse(outlet), TierCode: "gold",
			OrderType: "repair", Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}, {Kind: sla.Arrival, Duration: 6 * time.Hour}},
			At: at}); err != nil {
			return err
		}
		if met {
			_, err := sla.Meet(ctx, tx, inserter, order, sla.Accept, at.Add(10*time.Minute))
			return err
		}
		_, err := sla.Fire(ctx, tx, inserter, order, sla.Accept, at.Add(2*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return order.String()
}

func TestSLASettingsAPI(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: tn.Admin})
	if got.Header.Get("ETag") != `"1"` || got.Map(t)["warn_percent"].(float64) != 75 {
		t.Fatalf("defaults: %s %s", got.Header.Get("ETag"), got.Body)
	}
	body := map[string]any{"warn_percent": 80, "pause_statuses": []string{"waiting_parts"},
		"escalation": []map[string]any{{"role": "engineer", "after_minutes": 0}, {"role": "outlet_manager", "after_minutes": 30}}}
	env.Must(428, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: tn.Admin, Body: body})
	put := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: tn.Admin, Body: body, Header: map[string]string{"If-Match": `"1"`}})
	if put.Header.Get("ETag") != `"2"` || put.Map(t)["warn_percent"].(float64) != 80 {
		t.Fatalf("put: %s %s", put.Header.Get("ETag"), put.Body)
	}
	env.Must(412, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: tn.Admin, Body: body, Header: map[string]string{"If-Match": `"1"`}})
	bad := map[string]any{"warn_percent": 80, "pause_statuses": []string{},
		"escalation": []map[string]any{{"role": "outlet_manager", "after_minutes": 30}, {"role": "engineer", "after_minutes": 0}}}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: tn.Admin, Body: bad, Header: map[string]string{"If-Match": `"2"`}}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "escalation[1].after_minutes") {
		t.Fatalf("decreasing deadlines: %d %s", r.Status, r.Body)
	}
	// Outlet managers read the settings but do not change them; another tenant's are its own.
	_, manager := env.Person(tn, "outlet_manager", tn.Outlets[0])
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: manager})
	env.Must(403, apitest.Req{Method: "PUT", Path: "/v1/sla/settings", Token: manager, Body: body, Header: map[string]string{"If-Match": `"2"`}})
	other := env.NewTenant()
	if r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: other.Admin}); r.Header.Get("ETag") != `"1"` {
		t.Fatalf("another tenant sees version %s", r.Header.Get("ETag"))
	}
}

func TestSLAClocksAndAttainmentAPI(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn, other := env.NewTenant(), env.NewTenant()
	day := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	o1 := slaOrder(t, env, tn, tn.Outlets[0], day, true)
	slaOrder(t, env, tn, tn.Outlets[0], day, true)
	slaOrder(t, env, tn, tn.Outlets[0], day, false)
	o4 := slaOrder(t, env, tn, tn.Outlets[1], day, false)
	slaOrder(t, env, other, other.Outlets[0], day, false)

	var clocks struct {
		Items []sla.Clock `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + o1 + "/clocks", Token: tn.Admin}).JSON(t, &clocks)
	if len(clocks.Items) != 2 || clocks.Items[0].Status == "" {
		t.Fatalf("clocks = %+v", clocks.Items)
	}
	byTarget := map[string]sla.Clock{}
	for _, c := range clocks.Items {
		byTarget[c.Target] = c
	}
	if byTarget[sla.Accept].Status != sla.Met || byTarget[sla.Arrival].Status != sla.Running || byTarget[sla.Arrival].DueAt == nil ||
		!byTarget[sla.Arrival].DueAt.Equal(day.Add(6*time.Hour)) {
		t.Fatalf("clocks = %+v", clocks.Items)
	}
	// Outlet staff see their own outlet's orders only; other tenants see nothing.
	_, engineer := env.Person(tn, "engineer", tn.Outlets[1])
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + o4 + "/clocks", Token: engineer})
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + o1 + "/clocks", Token: engineer})
	env.Must(404, apitest.Req{Method: "GET", Path: "/v1/sla/orders/" + o1 + "/clocks", Token: other.Admin})

	var rep struct {
		Items []sla.AttainmentRow `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?group_by=outlet&from=2026-11-01&to=2026-11-30", Token: tn.Admin}).JSON(t, &rep)
	got := map[string]sla.AttainmentRow{}
	for _, r := range rep.Items {
		got[r.Key] = r
	}
	if a, b := got[tn.Outlets[0]], got[tn.Outlets[1]]; len(rep.Items) != 2 || a.Met != 2 || a.Breached != 1 || a.Total != 3 ||
		a.Percent != 66.66 || b.Breached != 1 || b.Total != 1 {
		t.Fatalf("attainment by outlet = %+v", rep.Items)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?group_by=tier&target=accept&from=2026-11-01&to=2026-11-30", Token: tn.Admin}).JSON(t, &rep)
	if len(rep.Items) != 1 || rep.Items[0].Key != "gold" || rep.Items[0].Total != 4 {
		t.Fatalf("attainment by tier = %+v", rep.Items)
	}
	// The engineer's scope is their outlet: one breach there.
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?from=2026-11-01&to=2026-11-30", Token: engineer}).JSON(t, &rep)
	if len(rep.Items) != 1 || rep.Items[0].Key != tn.Outlets[1] {
		t.Fatalf("engineer's attainment = %+v", rep.Items)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?from=2026-11-01&to=2026-11-30", Token: other.Admin}).JSON(t, &rep)
	if len(rep.Items) != 1 || rep.Items[0].Total != 1 {
		t.Fatalf("other tenant's attainment = %+v", rep.Items)
	}
	env.Must(422, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?from=2026-11-30&to=2026-11-01", Token: tn.Admin})
	env.Must(422, apitest.Req{Method: "GET", Path: "/v1/sla/attainment?group_by=planet&from=2026-11-01&to=2026-11-30", Token: tn.Admin})
}
