package callbacks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/callbacks"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

func intp(v int) *int { return &v }

func TestTemplateValidateAndScore(t *testing.T) {
	t.Parallel()
	in := callbacks.ShippedTemplate()
	if err := in.Validate(); err != nil {
		t.Fatalf("shipped template: %v", err)
	}
	tpl := callbacks.SurveyTemplate{Questions: in.Questions, PoorAt: in.PoorAt}
	all := func(v int) []callbacks.SurveyAnswer {
		var out []callbacks.SurveyAnswer
		for _, d := range callbacks.Dimensions {
			out = append(out, callbacks.SurveyAnswer{QuestionID: d, Value: intp(v)})
		}
		return out
	}
	for _, c := range []struct {
		v    int
		want float64
		poor bool
	}{{1, 1, true}, {2, 2, true}, {3, 3, false}, {5, 5, false}} {
		s, err := tpl.Score(all(c.v))
		if err != nil {
			t.Fatal(err)
		}
		if s.Score != c.want || s.Poor != c.poor {
			t.Errorf("all %d: score %v poor %v, want %v %v", c.v, s.Score, s.Poor, c.want, c.poor)
		}
	}
	// Mixed: 1,2,3,2,2 -> mean 2.0, poor at 2; NPS and comment kept.
	ans := []callbacks.SurveyAnswer{{QuestionID: "attitude", Value: intp(1)}, {QuestionID: "speed", Value: intp(2)},
		{QuestionID: "quality", Value: intp(3)}, {QuestionID: "price", Value: intp(2)}, {QuestionID: "professionalism", Value: intp(2)},
		{QuestionID: "nps", Value: intp(4)}, {QuestionID: "comment", Text: "师傅迟到"}}
	s, err := tpl.Score(ans)
	if err != nil {
		t.Fatal(err)
	}
	if s.Score != 2 || !s.Poor || s.NPS == nil || *s.NPS != 4 || s.Comment != "师傅迟到" {
		t.Errorf("mixed: %+v", s)
	}
	// A 1-10 scale maps linearly onto 1-5: 10 -> 5, 1 -> 1.
	ten := callbacks.SurveyTemplate{PoorAt: 2, Questions: []callbacks.Question{{ID: "q", Kind: callbacks.KindScale, Dimension: "quality", Label: "q", Max: 10}}}
	if s, _ := ten.Score([]callbacks.SurveyAnswer{{QuestionID: "q", Value: intp(10)}}); s.Score != 5 {
		t.Errorf("10 of 10: %v", s.Score)
	}
	for _, c := range []struct {
		name  string
		ans   []callbacks.SurveyAnswer
		field string
	}{
		{"missing required", all(3)[:4], "answers"},
		{"out of range", append(all(3)[:4], callbacks.SurveyAnswer{QuestionID: "professionalism", Value: intp(6)}), "answers[4].value"},
		{"unknown question", append(all(3), callbacks.SurveyAnswer{QuestionID: "nope", Value: intp(1)}), "answers[5].question_id"},
		{"twice", append(all(3), callbacks.SurveyAnswer{QuestionID: "speed", Value: intp(1)}), "answers[5].question_id"},
		{"nps out of range", append(all(3), callbacks.SurveyAnswer{QuestionID: "nps", Value: intp(11)}), "answers[5].value"},
	} {
		if _, err := tpl.Score(c.ans); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a refusal at %s", c.name, err, c.field)
		}
	}
	for _, c := range []struct {
		name  string
		in    callbacks.SurveyTemplateInput
		field string
	}{
		{"no scale", callbacks.SurveyTemplateInput{Name: "x", Questions: []callbacks.Question{{ID: "c", Kind: "text", Label: "c"}}}, "questions"},
		{"bad id", callbacks.SurveyTemplateInput{Name: "x", Questions: []callbacks.Question{{ID: "Q 1", Kind: "scale", Dimension: "d", Label: "q"}}}, "questions[0].id"},
		{"scale without dimension", callbacks.SurveyTemplateInput{Name: "x", Questions: []callbacks.Question{{ID: "q", Kind: "scale", Label: "q"}}}, "questions[0].dimension"},
		{"scale of 2", callbacks.SurveyTemplateInput{Name: "x", Questions: []callbacks.Question{{ID: "q", Kind: "scale", Dimension: "d", Label: "q", Max: 2}}}, "questions[0].max"},
		{"poor_at 5", callbacks.SurveyTemplateInput{Name: "x", PoorAt: 5, Questions: []callbacks.Question{{ID: "q", Kind: "scale", Dimension: "d", Label: "q"}}}, "poor_at"},
	} {
		if err := c.in.Validate(); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a refusal at %s", c.name, err, c.field)
		}
	}
}

// bundle is a tenant with an outlet, its manager, two agents on shift and a callback service.
type bundle struct {
	ctx      context.Context
	tx       *tenants.Tx
	jobs     *testfactory.Jobs
	svc      *callbacks.Service
	outlet   uuid.UUID
	manager  uuid.UUID
	engineer uuid.UUID
	agents   []uuid.UUID
	day      time.Time // yesterday, in the tenant's zone
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	b := &bundle{ctx: ctx, tx: tx, jobs: &testfactory.Jobs{}}
	b.svc = &callbacks.Service{Jobs: b.jobs, PublicURL: "https://t.example.com"}
	b.outlet = testfactory.Outlet(ctx, t, tx, nil).ID
	b.manager = testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "outlet_manager", OutletID: b.outlet}).UserID
	b.engineer = testfactory.User(ctx, t, tx, &testfactory.UserOpts{OutletID: b.outlet}).UserID
	for range 2 {
		b.agents = append(b.agents, testfactory.User(ctx, t, tx, &testfactory.UserOpts{Role: "agent"}).UserID)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	l := now.In(loc).AddDate(0, 0, -1)
	b.day = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	// Both agents on shift every day, all day.
	var shifts []callbacks.Shift
	for d := range 7 {
		for _, a := range b.agents {
			shifts = append(shifts, callbacks.Shift{UserID: a, Weekday: d, Starts: "00:00", Ends: "24:00"})
		}
	}
	st := callbacks.DefaultSettings()
	st.Shifts = shifts
	if _, err := callbacks.PutSettings(ctx, tx, 0, st); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.tx.Exec(b.ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// order takes an order in at the outlet (clocks running) with the engineer as its lead and
// marks it completed yesterday at noon.
func (b *bundle) order(t *testing.T, typ string, customer uuid.UUID) orders.Order {
	t.Helper()
	o := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: &orders.Service{Jobs: b.jobs}, OutletID: b.outlet,
		CustomerID: customer})
	b.exec(t, `UPDATE service_orders SET status = 'closed', type_code = $2, completed_at = $3, closed_at = $3 WHERE id = $1`,
		o.ID, typ, b.day.Add(12*time.Hour))
	b.exec(t, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state) VALUES (app.tenant_id(), $1, $2, 'lead', 'accepted')`,
		o.ID, b.engineer)
	return o
}

func (b *bundle) settings(t *testing.T, change func(*callbacks.CallbackSettings)) {
	t.Helper()
	st, err := callbacks.GetSettings(b.ctx, b.tx)
	if err != nil {
		t.Fatal(err)
	}
	change(&st)
	if _, err := callbacks.PutSettings(b.ctx, b.tx, st.Version, st); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) tasks(t *testing.T) map[uuid.UUID]callbacks.Task {
	t.Helper()
	list, err := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]callbacks.Task{}
	for _, x := range list {
		out[x.OrderID] = x
	}
	return out
}

func TestSampleByRatioAlwaysAndNever(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Default ratio 0: nothing is drawn unless its type says so or it must be called.
	b.settings(t, func(s *callbacks.CallbackSettings) {
		s.RatioBP = 0
		s.TypeRatios = map[string]int32{"install": 10000}
		s.CapSurveys = 1
	})
	c1 := testfactory.Customer(b.ctx, t, b.tx, nil).ID
	c2 := testfactory.Customer(b.ctx, t, b.tx, nil).ID
	plain := b.order(t, "repair_minor", c1)   // ratio 0: not drawn
	install := b.order(t, "install", c1)      // drawn (10000)
	install2 := b.order(t, "install", c1)     // drawn, but c1 is at the cap
	repeat := b.order(t, "repair_minor", c1)  // always, over the cap
	internal := b.order(t, "internal", c2)    // never
	claimOnly := b.order(t, "claim_only", c2) // never
	b.exec(t, `UPDATE service_orders SET is_repeat = true WHERE id = $1`, repeat.ID)
	// An order completed today is not yesterday's.
	today := b.order(t, "install", c2)
	b.exec(t, `UPDATE service_orders SET completed_at = $2 WHERE id = $1`, today.ID, b.day.AddDate(0, 0, 1).Add(time.Hour))

	res, err := b.svc.Sample(b.ctx, b.tx, b.day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidates != 6 || res.Created != 2 || res.Skipped != 2 || res.Capped != 1 {
		t.Errorf("run: %+v, want 6 candidates, 2 created, 2 excluded, 1 capped", res)
	}
	got := b.tasks(t)
	if got[install.ID].Reason != callbacks.ReasonSampled || got[repeat.ID].Reason != callbacks.ReasonRepeat {
		t.Errorf("tasks: %+v", got)
	}
	for name, o := range map[string]orders.Order{"plain": plain, "capped install": install2, "internal": internal,
		"claim only": claimOnly, "today's": today} {
		if _, ok := got[o.ID]; ok {
			t.Errorf("the %s order got a callback", name)
		}
	}

	// The callback SLA clock runs from the task, due when the task is; intake started none.
	task := got[install.ID]
	clocks, err := sla.Clocks(b.ctx, b.tx, install.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cb *sla.Clock
	for i := range clocks {
		if clocks[i].Target == sla.Callback {
			cb = &clocks[i]
		}
	}
	if cb == nil || cb.Status != sla.Running || cb.DueAt == nil || !cb.DueAt.Equal(task.DueAt) || cb.StartedAt.Before(task.CreatedAt.Add(-time.Minute)) {
		t.Fatalf("callback clock %+v, task due %s", cb, task.DueAt)
	}
	if len(clocks) < 2 {
		t.Errorf("intake's own clocks missing: %+v", clocks)
	}
	plainClocks, _ := sla.Clocks(b.ctx, b.tx, plain.ID)
	for _, c := range plainClocks {
		if c.Target == sla.Callback {
			t.Errorf("an order without a callback task runs a callback clock from intake")
		}
	}
	// Spread over the agents on shift: one each.
	if got[install.ID].AssigneeID == nil || got[repeat.ID].AssigneeID == nil || *got[install.ID].AssigneeID == *got[repeat.ID].AssigneeID {
		t.Errorf("assignees: %v %v", got[install.ID].AssigneeID, got[repeat.ID].AssigneeID)
	}

	// Running the day again creates nothing.
	again, err := b.svc.Sample(b.ctx, b.tx, b.day)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || len(b.tasks(t)) != 2 {
		t.Errorf("rerun: %+v, %d tasks", again, len(b.tasks(t)))
	}
}

// TestSampleCallsEveryOrderWithAComplaint: with ComplaintQuery, an order with a complaint
// (open or closed) is always called back, over a ratio of 0 and the cap per customer; a
// confidential complaint the transaction may not see forces nothing; without the hook no
// order is chosen for a complaint.
func TestSampleCallsEveryOrderWithAComplaint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.settings(t, func(s *callbacks.CallbackSettings) { s.RatioBP = 0; s.CapSurveys = 1 })
	c1 := testfactory.Customer(b.ctx, t, b.tx, nil).ID
	open := b.order(t, "repair_minor", c1)
	closed := b.order(t, "repair_minor", c1)
	confidential := b.order(t, "repair_minor", c1)
	plain := b.order(t, "repair_minor", c1)
	for i, c := range []struct {
		order      uuid.UUID
		status     string
		restricted bool
	}{{open.ID, "open", false}, {closed.ID, "closed", false}, {confidential.ID, "open", true}} {
		b.exec(t, `INSERT INTO complaints (tenant_id, id, number, topic, channel, severity, status, summary, order_id, outlet_id,
			restricted, opened_at, resolution_from) VALUES (app.tenant_id(), $1, $2, 'quality', 'phone', CASE WHEN $6 THEN 'critical' ELSE 'general' END, $3, '维修后仍有异响', $4, $5, $6,
			now(), now())`,
			uuid.New(), fmt.Sprintf("CP-%d", i), c.status, c.order, b.outlet, c.restricted)
	}

	// Without the hook the complaints are not looked at: the ratio of 0 draws nothing.
	none, err := (&callbacks.Service{Jobs: b.jobs}).Sample(b.ctx, b.tx, b.day)
	if err != nil || none.Candidates != 4 || none.Created != 0 {
		t.Fatalf("a run without the complaint hook: %+v %v", none, err)
	}

	b.svc.Complaints = callbacks.ComplaintQuery{}
	res, err := b.svc.Sample(b.ctx, b.tx, b.day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidates != 4 || res.Created != 2 || res.Capped != 0 {
		t.Errorf("run: %+v, want 4 candidates and 2 created", res)
	}
	got := b.tasks(t)
	for name, o := range map[string]orders.Order{"open complaint": open, "closed complaint": closed} {
		if got[o.ID].Reason != callbacks.ReasonComplaint {
			t.Errorf("the order with a %s got %+v, want a complaint callback", name, got[o.ID])
		}
	}
	for name, o := range map[string]orders.Order{"confidential complaint": confidential, "plain": plain} {
		if _, ok := got[o.ID]; ok {
			t.Errorf("the %s order got a callback", name)
		}
	}
	list, err := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Reason: callbacks.ReasonComplaint, Limit: 10})
	if err != nil || len(list) != 2 {
		t.Errorf("complaint callbacks in the queue: %d %v", len(list), err)
	}
}

// TestSampleSkipsOrdersRatedInThePortal: an order the consumer already rated in the portal
// (its one survey answer, channel portal) gets no callback, even one that is always called
// (a repeat repair), whether the rating was good or poor: the callback's answer would be
// refused. The same order unrated is called.
func TestSampleSkipsOrdersRatedInThePortal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.settings(t, func(s *callbacks.CallbackSettings) { s.RatioBP = 10000; s.CapSurveys = 10 })
	c := testfactory.Customer(b.ctx, t, b.tx, nil).ID
	rated := b.order(t, "repair_minor", c)
	ratedPoorly := b.order(t, "repair_minor", c)
	unrated := b.order(t, "repair_minor", c)
	for _, o := range []orders.Order{rated, ratedPoorly, unrated} {
		b.exec(t, `UPDATE service_orders SET is_repeat = true WHERE id = $1`, o.ID)
	}
	for o, score := range map[uuid.UUID]int{rated.ID: 5, ratedPoorly.ID: 1} {
		if _, err := b.svc.RatePortal(b.ctx, b.tx, callbacks.RatedOrder{ID: o, Number: "SO-" + o.String()[:8], OutletID: &b.outlet,
			CustomerID: c}, callbacks.RatingInput{Score: score}); err != nil {
			t.Fatalf("rate %d in the portal: %v", score, err)
		}
	}
	res, err := b.svc.Sample(b.ctx, b.tx, b.day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidates != 1 || res.Created != 1 {
		t.Errorf("run: %+v, want 1 candidate (the unrated order) and 1 created", res)
	}
	got := b.tasks(t)
	if got[unrated.ID].Reason != callbacks.ReasonRepeat {
		t.Errorf("the unrated repeat repair got %+v, want a repeat callback", got[unrated.ID])
	}
	for name, o := range map[string]orders.Order{"rated": rated, "poorly rated": ratedPoorly} {
		if task, ok := got[o.ID]; ok {
			t.Errorf("the order %s in the portal got a callback: %+v", name, task)
		}
	}
}

func TestSampleRatioIsAShareAndOutletWins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.settings(t, func(s *callbacks.CallbackSettings) {
		s.RatioBP = 10000
		s.OutletRatios = map[string]int32{b.outlet.String(): 3000}
		s.CapSurveys = 100
	})
	c := testfactory.Customer(b.ctx, t, b.tx, nil).ID
	for range 40 {
		b.order(t, "repair_minor", c)
	}
	res, err := b.svc.Sample(b.ctx, b.tx, b.day)
	if err != nil {
		t.Fatal(err)
	}
	// 30% of 40 by a fixed draw: well away from both 0 and all.
	if res.Created < 4 || res.Created > 22 {
		t.Errorf("outlet ratio 30%% of 40 orders created %d", res.Created)
	}
}

func answers(v int) []callbacks.SurveyAnswer {
	var out []callbacks.SurveyAnswer
	for _, d := range callbacks.Dimensions {
		out = append(out, callbacks.SurveyAnswer{QuestionID: d, Value: intp(v)})
	}
	return append(out, callbacks.SurveyAnswer{QuestionID: "nps", Value: intp(2)}, callbacks.SurveyAnswer{QuestionID: "comment", Text: "不满意"})
}

func eventTypes(t *testing.T, ctx context.Context, tx *tenants.Tx, subject uuid.UUID) []string {
	t.Helper()
	evs, err := events.ForSubject(ctx, tx, subject)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestPoorCallOpensRectificationToApproval(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := commission.AddVersion(b.ctx, b.tx, commission.NewRuleVersion{EffectiveFrom: "2020-01-01", Rules: commission.PayRules{
		PoorScore: &commission.ScoreRule{ID: "poor", Amount: 2000, At: 2}, GoodScore: &commission.ScoreRule{ID: "good", Amount: 500, At: 5},
	}}); err != nil {
		t.Fatal(err)
	}
	b.settings(t, func(s *callbacks.CallbackSettings) { s.RatioBP = 10000 })
	o := b.order(t, "repair_minor", uuid.Nil)
	if _, err := b.svc.Sample(b.ctx, b.tx, b.day); err != nil {
		t.Fatal(err)
	}
	task := b.tasks(t)[o.ID]
	if slices.Index(eventTypes(t, b.ctx, b.tx, task.ID), "survey.invite") < 0 || slices.Index(eventTypes(t, b.ctx, b.tx, task.ID), "callback.due") < 0 {
		t.Errorf("task events: %v", eventTypes(t, b.ctx, b.tx, task.ID))
	}

	// A stale version is refused; then the answers go in.
	if _, err := b.svc.RecordCall(b.ctx, b.tx, task.ID, task.Version+1, callbacks.CallInput{Answers: answers(1)}); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale call: %v", err)
	}
	d, err := b.svc.RecordCall(b.ctx, b.tx, task.ID, task.Version, callbacks.CallInput{Answers: answers(1), Note: "客户很生气"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != callbacks.TaskDone || d.Response == nil || !d.Response.Poor || d.Response.Score != 1 || d.Response.Channel != "call" {
		t.Fatalf("after the call: %+v", d)
	}
	if _, err := b.svc.RecordCall(b.ctx, b.tx, task.ID, 0, callbacks.CallInput{Answers: answers(5)}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("second call on a done task: %v", err)
	}
	// The callback target is met by the call.
	clocks, _ := sla.Clocks(b.ctx, b.tx, o.ID)
	for _, c := range clocks {
		if c.Target == sla.Callback && c.Status != sla.Met {
			t.Errorf("callback clock %s after the call", c.Status)
		}
	}

	// The poor answer opened a case owned by the outlet's manager.
	list, err := callbacks.Rectifications(b.ctx, b.tx, callbacks.RectFilter{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("rectifications: %v %v", list, err)
	}
	r := list[0]
	if r.OwnerID == nil || *r.OwnerID != b.manager || r.Status != callbacks.RectOpen || r.OrderID != o.ID || r.EngineerID == nil || *r.EngineerID != b.engineer {
		t.Fatalf("case: %+v", r)
	}
	if !slices.Contains(eventTypes(t, b.ctx, b.tx, r.ID), "rectification.opened") {
		t.Errorf("case events: %v", eventTypes(t, b.ctx, b.tx, r.ID))
	}

	// The survey answer feeds the pay rules: the engineer's poor-score deduction, once.
	var payload struct {
		OrderID  uuid.UUID `json:"order_id"`
		PayScore int       `json:"pay_score"`
	}
	evs, _ := events.ForSubject(b.ctx, b.tx, d.Response.ID)
	if len(evs) != 1 || evs[0].Type != "survey.answered" || json.Unmarshal(evs[0].Data, &payload) != nil || payload.PayScore != 1 {
		t.Fatalf("survey.answered: %+v", evs)
	}
	for range 2 {
		if _, err := commission.ScoreOrder(b.ctx, b.tx, payload.OrderID, payload.PayScore); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := commission.OrderLines(b.ctx, b.tx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Kind != "poor_score" || lines[0].Amount != -2000 || lines[0].PartyID != b.engineer || lines[0].Cause != "callback" {
		t.Errorf("pay lines: %+v", lines)
	}

	// Submitting needs the actions and the customer recontacted, not in the future.
	now, _ := b.tx.Now(b.ctx)
	if _, err := b.svc.Submit(b.ctx, b.tx, r.ID, r.Version, callbacks.SubmitInput{Actions: "上门道歉", RecontactNote: "客户接受",
		RecontactedAt: now.Add(time.Hour)}); testfactory.ErrField(err) != "recontacted_at" {
		t.Errorf("future recontact: %v", err)
	}
	b.tx.Scope.UserID = b.manager
	sub, err := b.svc.Submit(b.ctx, b.tx, r.ID, r.Version, callbacks.SubmitInput{Actions: "上门道歉并复检", RecontactNote: "客户接受", RecontactedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != callbacks.RectSubmitted || sub.Response == nil {
		t.Fatalf("submitted: %+v", sub)
	}
	// The submitter may not approve their own case, nor may an agent; another manager of the
	// outlet... there is none: a tenant admin does.
	if _, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{Approve: true}); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("own approval: %v", err)
	}
	b.tx.Scope.UserID = b.agents[0]
	if _, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{Approve: true}); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("agent's approval: %v", err)
	}
	admin := testfactory.User(b.ctx, t, b.tx, &testfactory.UserOpts{Role: "tenant_admin"}).UserID
	b.tx.Scope.UserID = admin
	if _, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{}); testfactory.ErrField(err) != "note" {
		t.Errorf("return without a reason: %v", err)
	}
	back, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{Note: "请补充复检结果"})
	if err != nil || back.Status != callbacks.RectOpen || back.ReviewNote != "请补充复检结果" {
		t.Fatalf("returned: %+v %v", back, err)
	}
	b.tx.Scope.UserID = b.manager
	if _, err := b.svc.Submit(b.ctx, b.tx, r.ID, back.Version, callbacks.SubmitInput{Actions: "复检正常", RecontactNote: "客户满意", RecontactedAt: now}); err != nil {
		t.Fatal(err)
	}
	b.tx.Scope.UserID = admin
	ok, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{Approve: true, Note: "同意"})
	if err != nil || ok.Status != callbacks.RectApproved || ok.ApprovedAt == nil || ok.ApprovedBy != admin.String() {
		t.Fatalf("approved: %+v %v", ok, err)
	}
	if _, err := b.svc.Review(b.ctx, b.tx, r.ID, 0, callbacks.RectReviewInput{Approve: true}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("approving twice: %v", err)
	}
	evTypes := eventTypes(t, b.ctx, b.tx, r.ID)
	if !slices.Contains(evTypes, "rectification.submitted") || !slices.Contains(evTypes, "rectification.reviewed") {
		t.Errorf("case events: %v", evTypes)
	}
}

func TestLinkAnswersOncePerOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.settings(t, func(s *callbacks.CallbackSettings) { s.RatioBP = 10000 })
	o := b.order(t, "repair_minor", uuid.Nil)
	if _, err := b.svc.Sample(b.ctx, b.tx, b.day); err != nil {
		t.Fatal(err)
	}
	// The link is in the customer's invitation.
	task := b.tasks(t)[o.ID]
	evs, _ := events.ForSubject(b.ctx, b.tx, task.ID)
	var link string
	for _, e := range evs {
		var d struct {
			Vars map[string]string `json:"vars"`
		}
		if e.Type == "survey.invite" && json.Unmarshal(e.Data, &d) == nil {
			link = d.Vars["survey_link"]
		}
	}
	const base = "https://t.example.com/survey/"
	if len(link) <= len(base) || link[:len(base)] != base {
		t.Fatalf("survey link %q", link)
	}
	token := link[len(base):]
	tenantID, taskID, hash, err := callbacks.ParseLink(token)
	if err != nil || tenantID != b.tx.Scope.TenantID || taskID != task.ID {
		t.Fatalf("parse %q: %v %v %v", token, tenantID, taskID, err)
	}
	if _, _, _, err := callbacks.ParseLink(token + "x"); err == nil {
		// a tampered secret still parses; it must not match
		if _, err := callbacks.LinkGet(b.ctx, b.tx, taskID, []byte("nope")); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("wrong secret: %v", err)
		}
	}
	sv, err := callbacks.LinkGet(b.ctx, b.tx, taskID, hash)
	if err != nil || sv.Answered || sv.OrderNumber != o.Number || len(sv.Questions) != 7 {
		t.Fatalf("link survey: %+v %v", sv, err)
	}
	got, err := b.svc.LinkAnswer(b.ctx, b.tx, taskID, hash, answers(5))
	if err != nil || !got.Answered || got.Score == nil || *got.Score != 5 {
		t.Fatalf("answered: %+v %v", got, err)
	}
	// The callback is done; a second answer by any channel is refused.
	if d, _ := callbacks.GetTask(b.ctx, b.tx, task.ID); d.Status != callbacks.TaskDone || d.Response == nil || d.Response.Channel != "link" {
		t.Errorf("task after the link: %+v", d)
	}
	if _, err := b.svc.LinkAnswer(b.ctx, b.tx, taskID, hash, answers(1)); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("second link answer: %v", err)
	}
	if list, _ := callbacks.Rectifications(b.ctx, b.tx, callbacks.RectFilter{Limit: 10}); len(list) != 0 {
		t.Errorf("a good answer opened %d cases", len(list))
	}
}

func TestUnreachableAndQueueFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.settings(t, func(s *callbacks.CallbackSettings) { s.RatioBP = 10000; s.CapSurveys = 10 })
	o1 := b.order(t, "repair_minor", uuid.Nil)
	o2 := b.order(t, "repair_minor", uuid.Nil)
	if _, err := b.svc.Sample(b.ctx, b.tx, b.day); err != nil {
		t.Fatal(err)
	}
	tasks := b.tasks(t)
	if _, err := b.svc.RecordCall(b.ctx, b.tx, tasks[o1.ID].ID, 0, callbacks.CallInput{Unreachable: true, Answers: answers(3)}); testfactory.ErrField(err) != "answers" {
		t.Errorf("unreachable with answers: %v", err)
	}
	if _, err := b.svc.RecordCall(b.ctx, b.tx, tasks[o1.ID].ID, 0, callbacks.CallInput{}); testfactory.ErrField(err) != "answers" {
		t.Errorf("empty call: %v", err)
	}
	// A call not answered counts the attempt and keeps the callback open; it takes nothing else.
	if _, err := b.svc.RecordCall(b.ctx, b.tx, tasks[o1.ID].ID, 0, callbacks.CallInput{NoAnswer: true, Answers: answers(3)}); testfactory.ErrField(err) != "no_answer" {
		t.Errorf("no answer with answers: %v", err)
	}
	for n := int32(1); n <= 2; n++ {
		r, err := b.svc.RecordCall(b.ctx, b.tx, tasks[o1.ID].ID, 0, callbacks.CallInput{NoAnswer: true, Note: "未接"})
		if err != nil || r.Status != callbacks.TaskOpen || r.Attempts != n || r.Response != nil || r.Version != tasks[o1.ID].Version+n {
			t.Fatalf("no answer %d: %+v %v", n, r, err)
		}
	}
	d, err := b.svc.RecordCall(b.ctx, b.tx, tasks[o1.ID].ID, 0, callbacks.CallInput{Unreachable: true, Note: "三次未接"})
	if err == nil && d.Attempts != 3 {
		t.Errorf("attempts after two unanswered calls and giving up: %d", d.Attempts)
	}
	if err != nil || d.Status != callbacks.TaskUnreachable || d.Response != nil {
		t.Fatalf("unreachable: %+v %v", d, err)
	}
	open, err := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Status: callbacks.TaskOpen, Limit: 10})
	if err != nil || len(open) != 1 || open[0].OrderID != o2.ID {
		t.Fatalf("open: %+v %v", open, err)
	}
	mine, _ := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Assignee: uuid.NullUUID{UUID: *open[0].AssigneeID, Valid: true}, Limit: 10})
	if len(mine) == 0 {
		t.Errorf("no tasks of the assignee")
	}
	// Nothing is overdue yet; moved past its due time it is.
	if over, _ := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Overdue: true, Limit: 10}); len(over) != 0 {
		t.Errorf("overdue before due: %d", len(over))
	}
	b.exec(t, `UPDATE callback_tasks SET due_at = now() - interval '1 hour' WHERE order_id = $1`, o2.ID)
	over, _ := callbacks.Tasks(b.ctx, b.tx, callbacks.TaskFilter{Overdue: true, Limit: 10})
	if len(over) != 1 || !over[0].Overdue {
		t.Errorf("overdue: %+v", over)
	}
}

func TestSettingsRefuseBadRosterAndStale(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st, _ := callbacks.GetSettings(b.ctx, b.tx)
	bad := st
	bad.Shifts = []callbacks.Shift{{UserID: uuid.New(), Weekday: 1, Starts: "09:00", Ends: "18:00"}}
	if _, err := callbacks.PutSettings(b.ctx, b.tx, st.Version, bad); testfactory.ErrField(err) != "shifts[0].user_id" {
		t.Errorf("stranger on the roster: %v", err)
	}
	bad.Shifts = []callbacks.Shift{{UserID: b.agents[0], Weekday: 1, Starts: "18:00", Ends: "09:00"}}
	if _, err := callbacks.PutSettings(b.ctx, b.tx, st.Version, bad); testfactory.ErrField(err) != "shifts[0].ends" {
		t.Errorf("shift ending before it starts: %v", err)
	}
	bad = st
	bad.TypeRatios = map[string]int32{"install": 10001}
	if _, err := callbacks.PutSettings(b.ctx, b.tx, st.Version, bad); testfactory.ErrField(err) != "type_ratios.install" {
		t.Errorf("ratio over 100%%: %v", err)
	}
	if _, err := callbacks.PutSettings(b.ctx, b.tx, st.Version+1, st); !errors.Is(err, fault.ErrStale) {
		t.Errorf("stale: %v", err)
	}
}
