package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestReports: the dashboards' figures are rolled up from the tenant's own orders, clocks and
// ledger; an outlet's people see their outlet's, another tenant none; each report exports.
func TestReports(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newOrderWorld(t, env)
	adm := a.tn.Admin
	outlet := a.tn.Outlets[0]
	var ids []string
	for range 3 {
		ids = append(ids, str(a.order(t, map[string]any{"outlet_id": outlet})["order"].(map[string]any)["id"]))
	}
	a.order(t, nil) // no outlet of its own choosing: dispatch may place it anywhere

	// The work's outcomes: the first order fixed at the first visit and closed, the second
	// completed out of warranty after a reopen, the third still open. One clock met, one
	// breached; a payment in the ledger.
	super, err := pgx.Connect(t.Context(), env.DB.SuperURL) // row-level security is forced on the owner too
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(context.Background())
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE service_orders SET status = 'closed', result = 'fixed', entitlement_class = 'manufacturer',
			completed_at = now(), closed_at = now() WHERE id = $1`, []any{ids[0]}},
		{`UPDATE service_orders SET status = 'completed', result = 'fixed', reopen_count = 1,
			entitlement_class = 'out_of_warranty', completed_at = now() WHERE id = $1`, []any{ids[1]}},
		{`UPDATE sla_clocks SET status = 'met', met_at = now() WHERE order_id = $1 AND target = 'accept'`, []any{ids[0]}},
		{`UPDATE sla_clocks SET status = 'breached', breached_at = now() WHERE order_id = $1 AND target = 'accept'`, []any{ids[1]}},
		{`INSERT INTO ledger_entries (tenant_id, id, kind, amount, currency, effect_key, occurred_at)
			VALUES ($1, gen_random_uuid(), 'payment', 9900, 'CNY', 'test-payment', now())`, []any{a.tn.ID}},
	} {
		if tag, err := super.Exec(t.Context(), q.sql, q.args...); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v (%d rows)", q.sql, err, tag.RowsAffected())
		}
	}

	// Before a roll-up there are no figures, and the report says so.
	now := time.Now().UTC()
	span := "from=" + now.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + now.AddDate(0, 0, 1).Format(time.DateOnly)
	if asOf := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: adm}).Map(t)["as_of"]; asOf != nil {
		t.Errorf("as_of before any roll-up: %v", asOf)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/reports/refresh", Token: adm, Body: map[string]any{}})

	var rep struct {
		Days             []struct{ Day string }
		Totals           struct{ In, Closed, Completed, FirstTimeFixed, Repeats int64 } `json:"totals"`
		FirstTimeFixRate float64                                                        `json:"first_time_fix_rate"`
		Mix              []struct {
			Key     string
			Count   int64
			Percent float64
		}
		AsOf *time.Time `json:"as_of"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: adm}).JSON(t, &rep)
	tot := rep.Totals
	if len(rep.Days) != 3 || tot.In != 4 || tot.Closed != 1 || tot.Completed != 2 || rep.AsOf == nil {
		t.Errorf("orders report: %d days, totals %+v, as of %v", len(rep.Days), tot, rep.AsOf)
	}
	if rep.FirstTimeFixRate != 50 || len(rep.Mix) != 2 || rep.Mix[0].Percent != 50 {
		t.Errorf("first-time fix %v%%, mix %+v", rep.FirstTimeFixRate, rep.Mix)
	}
	// A first-time fix is one that never waited for parts, nor was reopened.
	var fixed struct {
		Totals struct {
			FirstTimeFixed int64 `json:"first_time_fixed"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: adm}).JSON(t, &fixed)
	if fixed.Totals.FirstTimeFixed != 1 {
		t.Errorf("fixed the first time: %d, want 1", fixed.Totals.FirstTimeFixed)
	}

	var backlog struct {
		Items []struct {
			Status, Age string
			Count       int64
		}
		Total int64
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/backlog", Token: adm}).JSON(t, &backlog)
	if backlog.Total != 2 || len(backlog.Items) == 0 || backlog.Items[0].Age != "0-1d" {
		t.Errorf("backlog: %+v", backlog)
	}

	var sla struct {
		Items []struct {
			Key           string
			Met, Breached int64
			Percent       float64
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/sla?by=target&" + span, Token: adm}).JSON(t, &sla)
	if len(sla.Items) != 1 || sla.Items[0].Key != "accept" || sla.Items[0].Met != 1 || sla.Items[0].Breached != 1 || sla.Items[0].Percent != 50 {
		t.Errorf("sla by target: %+v", sla.Items)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/sla?by=outlet&" + span, Token: adm}).JSON(t, &sla)
	if len(sla.Items) != 1 || sla.Items[0].Key != outlet {
		t.Errorf("sla by outlet: %+v, want the outlet %s", sla.Items, outlet)
	}

	money := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/money?" + span, Token: adm}).Map(t)
	if got := money["totals"].(map[string]any)["CNY"].(map[string]any)["payment"]; got != float64(9900) {
		t.Errorf("money totals: %v", money["totals"])
	}

	// An outlet's manager sees the outlet's figures only; another outlet's, none of them.
	_, mine := env.Person(a.tn, "outlet_manager", outlet)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: mine}).JSON(t, &rep)
	if rep.Totals.In != 3 {
		t.Errorf("the outlet manager's orders in: %d, want the outlet's 3", rep.Totals.In)
	}
	if len(a.tn.Outlets) > 1 {
		_, theirs := env.Person(a.tn, "outlet_manager", a.tn.Outlets[1])
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: theirs}).JSON(t, &rep)
		if rep.Totals.In > 1 {
			t.Errorf("another outlet's manager sees %d orders in", rep.Totals.In)
		}
	}
	// Another tenant, even after its own roll-up, sees none of it.
	b := env.NewTenant()
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/reports/refresh", Token: b.Admin, Body: map[string]any{}})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: b.Admin}).JSON(t, &rep)
	if rep.Totals.In != 0 || rep.Totals.Completed != 0 {
		t.Errorf("another tenant's report: %+v", rep.Totals)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/money?" + span, Token: b.Admin}).Map(t)["totals"]; len(got.(map[string]any)) != 0 {
		t.Errorf("another tenant's money: %v", got)
	}

	// The report as a spreadsheet, in Chinese.
	r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders/export?format=xlsx&lang=zh-CN&" + span, Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the file does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][1] != "新建" || rows[4][0] != "合计" || rows[4][1] != "4" {
		t.Errorf("orders report xlsx: %q", rows)
	}
	r = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/sla/export?format=csv&lang=zh-CN&by=target&" + span, Token: adm})
	if body := string(r.Body); !strings.Contains(body, "受理,1,1,50") {
		t.Errorf("sla csv: %q", body)
	}

	// Bad input names the field; recomputing the past needs the settings permission.
	for _, c := range []struct{ path, field string }{
		{"/v1/reports/orders?from=2026-02-01&to=2026-01-01", "query.to"},
		{"/v1/reports/orders?from=2024-01-01&to=2026-01-01", "query.to"},
		{"/v1/reports/sla?by=weather&" + span, "query.by"},
		{"/v1/reports/orders?to=2026-01-01", "query.from"},
	} {
		if r := env.Do(apitest.Req{Method: "GET", Path: c.path, Token: adm}); r.Status != 422 || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Body)
		}
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/reports/refresh", Token: mine, Body: map[string]any{"from": "2026-01-01"}}); r.Status != 403 {
		t.Errorf("an outlet manager recomputing the past: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/reports/refresh", Token: adm, Body: map[string]any{"from": now.AddDate(0, 0, -40).Format(time.DateOnly)}})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/reports/orders?" + span, Token: adm}).JSON(t, &rep)
	if rep.Totals.In != 4 {
		t.Errorf("after recomputing 40 days: %d orders in, want the same 4", rep.Totals.In)
	}
}
