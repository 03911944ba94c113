package api_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// loanerWorld is an order world with a serial-tracked loaner part, a loaner warehouse at the
// outlet of the world's orders holding units LN-1..LN-3, and an own spare-parts warehouse
// there holding a unit of the same part that is not a loaner.
type loanerWorld struct {
	*orderWorld
	outlet, part, loaners, shelf, u string
}

func newLoanerWorld(t *testing.T, env *apitest.Env, tn *apitest.Tenant) *loanerWorld {
	t.Helper()
	w := &loanerWorld{orderWorld: newOrderWorldOf(t, env, tn), u: env.Unique()}
	w.outlet = tn.Outlets[0]
	w.part = str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "LOAN-" + w.u, "name_zh": "备用空调", "serial_tracked": true, "unit_cost": 100000, "outlet_price": 0, "consumer_price": 0}}).Map(t)["id"])
	wh := func(code, owner string) string {
		return str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
			"code": code + "-" + w.u, "name": code, "kind": "finished_goods", "owner": owner, "outlet_id": w.outlet}}).Map(t)["id"])
	}
	w.loaners, w.shelf = wh("LOANERS", "loaner"), wh("SHELF", "own")
	for i, s := range []string{"LN-1", "LN-2", "LN-3", "OWN-1"} {
		at := w.loaners
		if strings.HasPrefix(s, "OWN") {
			at = w.shelf
		}
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
			"idempotency_key": "ln-in-" + str(i) + w.u, "type": "receipt", "warehouse_id": at, "part_id": w.part, "qty": 1,
			"serial": w.serial(s)}})
	}
	return w
}

// lorder takes an order in at the world's outlet and returns its id.
func (w *loanerWorld) lorder(t *testing.T, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"outlet_id": w.outlet}
	for k, v := range extra {
		body[k] = v
	}
	o := w.order(t, body)["order"].(map[string]any)
	if o["outlet_id"] != w.outlet {
		t.Fatalf("order at %v, want %s", o["outlet_id"], w.outlet)
	}
	return str(o["id"])
}

func (w *loanerWorld) serial(s string) string { return s + "-" + w.u }

// lendBody lends unit s, due in a week, with extra fields set.
func (w *loanerWorld) lendBody(s string, extra map[string]any) map[string]any {
	b := map[string]any{"warehouse_id": w.loaners, "part_id": w.part, "serial": w.serial(s),
		"due_at": time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// placeOf is where a unit is now.
func (w *loanerWorld) placeOf(t *testing.T, s string) string {
	t.Helper()
	h := w.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts/" + w.part + "/serials?serial=" + w.serial(s), Token: w.tn.Admin}).Map(t)
	return str(h["items"].([]any)[0].(map[string]any)["place"])
}

// TestLoanerLentReturnedAndTheHandOverBlock: a loaner unit is lent on a carry-in order with a
// cash deposit (it leaves the loaner warehouse and is on loan), bad lends are refused at their
// field with nothing moved, the same unit is never lent twice (also concurrently), the unit
// is not handed back while the loaner is out, the return needs its condition and a decision
// on the deposit, a second return is refused, and after it the pickup goes through.
func TestLoanerLentReturnedAndTheHandOverBlock(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newLoanerWorld(t, env, env.NewTenant())
	adm := w.tn.Admin
	id := w.lorder(t, nil)
	lend := func(order string, body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + order + "/loans", Token: adm, Body: body})
	}

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{w.lendBody("NOPE", nil), "body.serial"},
		{w.lendBody("OWN-1", map[string]any{"warehouse_id": w.shelf}), "body.warehouse_id"},
		{w.lendBody("LN-1", map[string]any{"due_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}), "body.due_at"},
		{w.lendBody("LN-1", map[string]any{"deposit": 20000, "deposit_method": "card"}), "body.deposit_reference"},
		{w.lendBody("LN-1", map[string]any{"deposit": 20000}), "body.deposit_method"},
		{w.lendBody("LN-1", map[string]any{"deposit_method": "wire"}), "body.deposit_method"},
		{w.lendBody("LN-1", map[string]any{"part_id": uuid.NewString()}), "body.part_id"},
	} {
		if r := lend(id, c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
			t.Errorf("lend %v: %d %s, want 422 at %s", c.body, r.Status, r.Body, c.field)
		}
	}
	if p := w.placeOf(t, "LN-1"); p != "in_stock" {
		t.Fatalf("after refused lends LN-1 is %s, want in_stock", p)
	}

	loan := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: adm,
		Body: w.lendBody("LN-1", map[string]any{"deposit": 20000, "deposit_method": "cash", "note": "remote included"})}).Map(t)
	loanID := str(loan["id"])
	if loan["status"] != "out" || loan["deposit_status"] != "held" || loan["outlet_id"] != w.outlet || loan["overdue"] != false {
		t.Fatalf("loan %v: want out, deposit held, the order's outlet", loan)
	}
	if p := w.placeOf(t, "LN-1"); p != "on_loan" {
		t.Fatalf("a lent unit is %s, want on_loan", p)
	}
	mv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock/movements?type=loan_out&order_id=" + id, Token: adm}).Map(t)
	if items := mv["items"].([]any); len(items) != 1 || items[0].(map[string]any)["qty"] != float64(-1) {
		t.Fatalf("loan_out movements of the order: %v, want one taking the unit", mv)
	}
	// A second loaner on the same order, or the lent unit on another order: refused.
	if r := lend(id, w.lendBody("LN-2", nil)); r.Status != 409 || !strings.Contains(string(r.Body), "already has the loaner") {
		t.Fatalf("a second loaner on the order: %d %s, want 409", r.Status, r.Body)
	}
	other := w.lorder(t, nil)
	if r := lend(other, w.lendBody("LN-1", nil)); r.Status != 422 || !strings.Contains(string(r.Body), "body.serial") {
		t.Fatalf("lending a unit already out: %d %s, want 422 at body.serial", r.Status, r.Body)
	}
	// A unit out on loan cannot be received back into stock by a plain receipt either.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: adm, Body: map[string]any{
		"idempotency_key": "ln-sneak-" + w.u, "type": "receipt", "warehouse_id": w.shelf, "part_id": w.part, "qty": 1,
		"serial": w.serial("LN-1")}}); r.Status != 422 || !strings.Contains(string(r.Body), "on loan") {
		t.Fatalf("receiving a unit out on loan: %d %s, want 422", r.Status, r.Body)
	}

	// Two orders race for LN-2: one gets it.
	third := w.lorder(t, nil)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, o := range []string{other, third} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = lend(o, w.lendBody("LN-2", nil)).Status
		}()
	}
	wg.Wait()
	refused := func(c int) bool { return c == 409 || c == 422 }
	if oneWon := codes[0] == 201 && refused(codes[1]) || codes[1] == 201 && refused(codes[0]); !oneWon {
		t.Fatalf("two concurrent lends of one unit: %v, want one 201 and one refusal", codes)
	}

	// The hand-over block.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm,
		Body: map[string]any{"diagnosis": "capacitor", "work_done": "replaced", "result": "fixed"}})
	if r := w.move(t, id, "picked_up", ""); r.Status != 409 || !strings.Contains(string(r.Body), w.serial("LN-1")) {
		t.Fatalf("pickup with the loaner out: %d %s, want 409 naming the loaner", r.Status, r.Body)
	}

	// The return.
	ret := func(body map[string]any) *apitest.Response {
		return env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/return", Token: adm, Body: body})
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"condition_note": ""}, "body.condition_note"},
		{map[string]any{"condition_note": "fine"}, "body.deposit"},
		{map[string]any{"condition_note": "fine", "deposit": "keep"}, "body.reason"},
		{map[string]any{"condition_note": "fine", "deposit": "lose"}, "body.deposit"},
	} {
		if r := ret(c.body); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
			t.Errorf("return %v: %d %s, want 422 at %s", c.body, r.Status, r.Body, c.field)
		}
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/return", Token: adm, Header: map[string]string{"If-Match": `"9"`},
		Body: map[string]any{"condition_note": "fine", "deposit": "refund"}}); r.Status != 412 {
		t.Fatalf("a return with a stale ETag: %d %s, want 412", r.Status, r.Body)
	}
	back := ret(map[string]any{"condition_note": "scratch on the front panel", "deposit": "refund"})
	if back.Status != 200 {
		t.Fatalf("return: %d %s", back.Status, back.Body)
	}
	if m := back.Map(t); m["status"] != "returned" || m["deposit_status"] != "refunded" || m["condition_note"] != "scratch on the front panel" {
		t.Fatalf("returned loan %v", m)
	}
	if r := ret(map[string]any{"condition_note": "again", "deposit": "refund"}); r.Status != 409 {
		t.Fatalf("a second return: %d %s, want 409", r.Status, r.Body)
	}
	if p := w.placeOf(t, "LN-1"); p != "in_stock" {
		t.Fatalf("a returned unit is %s, want in_stock", p)
	}
	if r := w.move(t, id, "picked_up", ""); r.Status != 200 {
		t.Fatalf("pickup after the loaner came back: %d %s", r.Status, r.Body)
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: adm}).Map(t)
	var kinds []string
	for _, e := range tl["items"].([]any) {
		if e := e.(map[string]any); e["kind"] == "loaner" {
			kinds = append(kinds, str(e["to"]))
		}
	}
	if strings.Join(kinds, ",") != "lent,returned" && strings.Join(kinds, ",") != "returned,lent" {
		t.Fatalf("the order's timeline has loaner entries %v, want lent and returned", kinds)
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans?status=returned", Token: adm}).Map(t)
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != loanID {
		t.Fatalf("returned loans %v, want the one", list)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/loans?status=lost", Token: adm}); r.Status != 422 {
		t.Fatalf("an unknown status filter: %d, want 422", r.Status)
	}
}

// TestLoanerBlocksEveryHandOverUntilWaived: an on-site visit is not completed through the
// engineer's report while its loaner is out; only a manager waives the block, with a reason,
// which the order's timeline records; then the report goes through and the loan stays out.
func TestLoanerBlocksEveryHandOverUntilWaived(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newLoanerWorld(t, env, env.NewTenant())
	adm := w.tn.Admin
	id := w.lorder(t, map[string]any{"channel": "on_site", "type": "inspection"})
	for _, to := range []string{"accepted", "dispatched", "scheduled", "en_route", "on_site"} {
		if r := w.move(t, id, to, ""); r.Status != 200 {
			t.Fatalf("move to %s: %d %s", to, r.Status, r.Body)
		}
	}
	loanID := str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: adm,
		Body: w.lendBody("LN-3", nil)}).Map(t)["id"])
	report := map[string]any{"diagnosis": "board", "work_done": "swapped", "result": "fixed"}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm, Body: report}); r.Status != 409 ||
		!strings.Contains(string(r.Body), "loaner") {
		t.Fatalf("report with the loaner out: %d %s, want 409", r.Status, r.Body)
	}
	if r := w.move(t, id, "completed", ""); r.Status != 409 {
		t.Fatalf("completing by a transition with the loaner out: %d %s, want 409", r.Status, r.Body)
	}
	_, agent := env.Person(w.tn, "agent", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/waiver", Token: agent,
		Body: map[string]any{"reason": "trusted"}}); r.Status != 403 {
		t.Fatalf("an agent's waiver: %d %s, want 403", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/waiver", Token: adm,
		Body: map[string]any{"reason": "  "}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.reason") {
		t.Fatalf("a waiver without a reason: %d %s, want 422 at body.reason", r.Status, r.Body)
	}
	waived := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/waiver", Token: adm,
		Body: map[string]any{"reason": "customer keeps it until the part for the second unit arrives"}}).Map(t)
	if waived["status"] != "out" || waived["waive_reason"] == "" || waived["waived_at"] == nil {
		t.Fatalf("waived loan %v: want still out, with the waiver", waived)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/waiver", Token: adm,
		Body: map[string]any{"reason": "again"}}); r.Status != 409 {
		t.Fatalf("a second waiver: %d %s, want 409", r.Status, r.Body)
	}
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm, Body: report}).Map(t)
	if done["status"] != "completed" {
		t.Fatalf("report after the waiver: %v", done["status"])
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: adm}).Map(t)
	found := false
	for _, e := range tl["items"].([]any) {
		if e := e.(map[string]any); e["kind"] == "loaner" && e["to"] == "waived" && strings.Contains(str(e["reason"]), "second unit") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the timeline does not record the waiver: %v", tl)
	}
	if out := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans?status=out", Token: adm}).Map(t)["items"].([]any); len(out) != 1 {
		t.Fatalf("loans out after the waiver: %v, want the waived one", out)
	}
}

// TestLoanerOverdueReminder: on a sandbox tenant's clock, a loan past due is listed as
// overdue and its customer is reminded once (one loaner.overdue event), however often the
// reminder runs.
func TestLoanerOverdueReminder(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewSandboxTenant()
	w := newLoanerWorld(t, env, tn)
	id := w.lorder(t, nil)
	now, _ := sandboxClock(t, env, tn.Admin)
	loanID := str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: tn.Admin,
		Body: w.lendBody("LN-1", map[string]any{"due_at": now.Add(2 * time.Hour).UTC().Format(time.RFC3339)})}).Map(t)["id"])
	client, err := jobs.NewClient(env.DB.App, env.Tenants, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	remind := func() int {
		var n int
		err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor},
			func(tx *tenants.Tx) (err error) {
				n, err = stock.RemindOverdue(context.Background(), tx, client)
				return err
			})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := remind(); n != 0 {
		t.Fatalf("reminded %d loans before the due time", n)
	}
	if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans?status=overdue", Token: tn.Admin}).Map(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("overdue before the due time: %v", items)
	}
	advance(t, env, tn.Admin, map[string]any{"by": "3h"})
	if n := remind(); n != 1 {
		t.Fatalf("reminded %d loans after the due time, want 1", n)
	}
	if n := remind(); n != 0 {
		t.Fatalf("reminded %d loans on the second run, want 0 (once)", n)
	}
	items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans?status=overdue", Token: tn.Admin}).Map(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != loanID || items[0].(map[string]any)["reminded_at"] == nil ||
		items[0].(map[string]any)["overdue"] != true {
		t.Fatalf("overdue loans %v, want the one, reminded", items)
	}
	var events int
	err = env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE tenant_id = app.tenant_id() AND type = 'loaner.overdue'
			AND subject_id = $1 AND payload->'recipients'->0->>'kind' = 'customer'`, loanID).Scan(&events)
	})
	if err != nil || events != 1 {
		t.Fatalf("loaner.overdue events to the customer: %d (%v), want 1", events, err)
	}
}

// TestLoansScopedToOutletAndTenant: outlet staff of another outlet and another tenant's admin
// reach none of a loan's endpoints (404), and do not see it listed.
func TestLoansScopedToOutletAndTenant(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	w := newLoanerWorld(t, env, tn)
	id := w.lorder(t, nil)
	loanID := str(env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: tn.Admin,
		Body: w.lendBody("LN-1", nil)}).Map(t)["id"])
	otherOutlet := tn.Outlets[0]
	if otherOutlet == w.outlet {
		otherOutlet = tn.Outlets[1]
	}
	_, mine := env.Person(tn, "outlet_manager", w.outlet)
	_, theirs := env.Person(tn, "outlet_manager", otherOutlet)
	stranger := env.NewTenant()
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans/" + loanID, Token: mine})
	for _, tok := range []string{theirs, stranger.Admin} {
		for _, r := range []apitest.Req{
			{Method: "GET", Path: "/v1/loans/" + loanID},
			{Method: "GET", Path: "/v1/orders/" + id + "/loans"},
			{Method: "POST", Path: "/v1/orders/" + id + "/loans", Body: w.lendBody("LN-2", nil)},
			{Method: "POST", Path: "/v1/loans/" + loanID + "/return", Body: map[string]any{"condition_note": "ok"}},
			{Method: "POST", Path: "/v1/loans/" + loanID + "/waiver", Body: map[string]any{"reason": "x"}},
		} {
			r.Token = tok
			if got := env.Do(r); got.Status != 404 {
				t.Errorf("%s %s by an outsider: %d %s, want 404", r.Method, r.Path, got.Status, got.Body)
			}
		}
		if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans", Token: tok}).Map(t)["items"].([]any); len(items) != 0 {
			t.Errorf("an outsider lists loans %v", items)
		}
	}
	if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans?status=out", Token: mine}).Map(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("the outlet's manager lists %v, want the loan", items)
	}
	if p := w.placeOf(t, "LN-2"); p != "in_stock" {
		t.Fatalf("after the outsiders LN-2 is %s", p)
	}
}
