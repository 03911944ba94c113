package callbacks

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Reasons a completed order gets a callback.
const (
	ReasonSampled    = "sampled"     // drawn by the tenant's ratio
	ReasonRepeat     = "repeat"      // a repeat repair: always
	ReasonPoorRating = "poor_rating" // the customer rated the order poorly before any callback: always
	ReasonComplaint  = "complaint"   // the order has a complaint: always (Service.Complaints)
)

// Reasons lists the reasons.
var Reasons = []string{ReasonSampled, ReasonRepeat, ReasonPoorRating, ReasonComplaint}

// LinkPrefix starts the tokens of survey links (auth.NewLinkToken).
const LinkPrefix = "sv"

// ComplaintSource tells sampling which orders have a complaint, so they are always called
// back. ComplaintQuery reads the complaints table; nil chooses no order for this reason.
type ComplaintSource interface {
	OrdersWithComplaints(ctx context.Context, tx *tenants.Tx, orders []uuid.UUID) (map[uuid.UUID]bool, error)
}

// ComplaintQuery is the ComplaintSource of the product: the orders' complaints (any status)
// read in tx with one query, without importing the complaints package (which knows orders
// and notifications, not callbacks). Row-level security decides which complaints count: a
// confidential (critical) complaint is seen only by a scope that may see it, so the daily
// job's system scope does not force a callback on its order (its named handlers are in
// touch with the customer already); the order may still be drawn by the ratio.
type ComplaintQuery struct{}

// OrdersWithComplaints reports which of orders have a complaint tx may see.
func (ComplaintQuery) OrdersWithComplaints(ctx context.Context, tx *tenants.Tx, orders []uuid.UUID) (map[uuid.UUID]bool, error) {
	ids, err := tx.Q.OrdersWithComplaints(ctx, tx, db.OrdersWithComplaintsParams{TenantID: tx.Scope.TenantID, Orders: orders})
	if err != nil {
		return nil, fmt.Errorf("complaints of the orders: %w", err)
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Service runs callbacks: sampling, answers and rectification. Jobs queues the events (and
// the callback clocks' wakes) in the caller's transaction; PublicURL is the base of the
// survey links sent to customers.
type Service struct {
	Jobs       events.Inserter
	PublicURL  string
	Complaints ComplaintSource
}

// RunResult says what a sampling run of one day did.
type RunResult struct {
	Day        string `json:"day" format:"date"`
	Candidates int    `json:"candidates" doc:"Orders completed that day"`
	Created    int    `json:"created" doc:"Callbacks created by this run (0 when the day was sampled before)"`
	Skipped    int    `json:"skipped_excluded" doc:"Orders of types never called back"`
	Capped     int    `json:"skipped_capped" doc:"Orders drawn but left out by the cap per customer"`
}

// Sample draws the callbacks of the orders completed on day (the tenant's calendar day, in
// its time zone): every repeat repair, order rated poorly and order with a complaint, and a
// share of the others by the outlet's, order type's or default ratio (each order's draw is
// fixed by its id), never orders of excluded types, and no more sampled callbacks per
// customer than the cap in its period. Each callback starts the order's callback SLA clock
// (the tier's callback target, else the tenant's due_minutes of business time) whose due
// time is the task's, and goes to an agent on shift (the one with the fewest open
// callbacks), else to the next shift's agents, else to the pool. Idempotent: an order keeps
// its one callback, so running a day again creates nothing new.
func (s *Service) Sample(ctx context.Context, tx *tenants.Tx, day time.Time) (RunResult, error) {
	t := tx.Scope.TenantID
	res := RunResult{Day: day.Format(time.DateOnly)}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return res, err
	}
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	cands, err := tx.Q.CallbackCandidates(ctx, tx, db.CallbackCandidatesParams{TenantID: t, FromAt: from, ToAt: from.AddDate(0, 0, 1)})
	if err != nil {
		return res, fmt.Errorf("callback candidates: %w", err)
	}
	res.Candidates = len(cands)
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return res, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return res, err
	}
	var open []db.CallbackCandidatesRow
	var ids, customers []uuid.UUID
	for _, c := range cands {
		if c.HasTask {
			continue
		}
		if slices.Contains(settings.ExcludedTypes, c.TypeCode) {
			res.Skipped++
			continue
		}
		open = append(open, c)
		ids = append(ids, c.ID)
		customers = append(customers, c.CustomerID)
	}
	complaints := map[uuid.UUID]bool{}
	if s.Complaints != nil && len(ids) > 0 {
		if complaints, err = s.Complaints.OrdersWithComplaints(ctx, tx, ids); err != nil {
			return res, fmt.Errorf("complaints of the day's orders: %w", err)
		}
	}
	counts, err := tx.Q.CustomerCallbackCounts(ctx, tx, db.CustomerCallbackCountsParams{TenantID: t, Customers: customers,
		Since: now.AddDate(0, 0, -int(settings.CapDays))})
	if err != nil {
		return res, fmt.Errorf("callbacks per customer: %w", err)
	}
	had := map[uuid.UUID]int32{}
	for _, c := range counts {
		had[c.CustomerID] = c.N
	}
	type pick struct {
		c      db.CallbackCandidatesRow
		reason string
	}
	var picks []pick
	for _, c := range open {
		var reason string
		switch {
		case complaints[c.ID]:
			reason = ReasonComplaint
		case c.PoorRating:
			reason = ReasonPoorRating
		case c.IsRepeat:
			reason = ReasonRepeat
		case c.Draw < settings.ratio(c.OutletID, c.TypeCode):
			if had[c.CustomerID] >= settings.CapSurveys {
				res.Capped++
				continue
			}
			reason = ReasonSampled
		default:
			continue
		}
		had[c.CustomerID]++
		picks = append(picks, pick{c, reason})
	}
	if len(picks) > 0 {
		tpl, err := DefaultTemplate(ctx, tx)
		if err != nil {
			return res, err
		}
		as, err := newAssigner(ctx, tx, settings, now.In(loc))
		if err != nil {
			return res, err
		}
		tiers, err := callbackTargets(ctx, tx, settings)
		if err != nil {
			return res, err
		}
		var clocks *sla.Starter // the SLA settings and calendars, read once for the run
		if s.Jobs != nil {
			if clocks, err = sla.NewStarter(ctx, tx); err != nil {
				return res, err
			}
		}
		var ins tenants.MultiInsert
		for _, p := range picks {
			due, err := s.startClock(ctx, tx, clocks, p.c, tiers, now)
			if err != nil {
				return res, err
			}
			id := platform.NewID()
			token, hash := auth.NewLinkToken(LinkPrefix, t, id)
			assignee := as.next()
			if err := tx.Q.InsertCallbackTask(ctx, &ins, db.InsertCallbackTaskParams{TenantID: t, ID: id, OrderID: p.c.ID,
				OrderNumber: p.c.Number, OrderType: p.c.TypeCode, OutletID: p.c.OutletID, CustomerID: p.c.CustomerID,
				EngineerID: nullID(p.c.EngineerID), Reason: p.reason, SampleDay: from, TemplateID: tpl.ID, AssigneeID: nullID(assignee),
				DueAt: due, TokenHash: hex.EncodeToString(hash), Now: now}); err != nil {
				return res, err
			}
			if err := s.announce(ctx, tx, p.c, id, token, assignee, due, loc); err != nil {
				return res, err
			}
		}
		if _, err := ins.Send(ctx, tx); err != nil {
			return res, fmt.Errorf("store callbacks: %w", err)
		}
		res.Created = len(picks)
	}
	if err := tx.Q.PutCallbackRun(ctx, tx, db.PutCallbackRunParams{TenantID: t, Day: from, Candidates: int32(res.Candidates),
		Created: int32(res.Created), RanAt: now}); err != nil {
		return res, fmt.Errorf("record the run: %w", err)
	}
	return res, nil
}

// callbackTargets are the callback target of each tier by code ("" for the tenant's default
// tier), with the settings' due_minutes of business time where a tier sets none.
func callbackTargets(ctx context.Context, tx *tenants.Tx, settings CallbackSettings) (map[string]sla.Target, error) {
	tiers, err := coverage.Tiers(ctx, tx)
	if err != nil {
		return nil, err
	}
	fallback := sla.Target{Kind: sla.Callback, Duration: time.Duration(settings.DueMinutes) * time.Minute, Business: true}
	out := map[string]sla.Target{"": fallback}
	for _, tier := range tiers {
		t := fallback
		for _, x := range sla.Targets(tier, nil) {
			if x.Kind == sla.Callback {
				t = x
			}
		}
		out[tier.Code] = t
		if tier.Default {
			out[""] = t
		}
	}
	return out, nil
}

// startClock starts the order's callback clock now, with the run's settings and calendars
// (clocks), and returns its due time. An order
// taken in before callbacks measured the task may run a callback clock from its intake:
// that clock's due time stands.
func (s *Service) startClock(ctx context.Context, tx *tenants.Tx, clocks *sla.Starter, c db.CallbackCandidatesRow,
	tiers map[string]sla.Target, now time.Time) (time.Time, error) {
	target, ok := tiers[c.TierCode]
	if !ok {
		target = tiers[""]
	}
	fallback := now.Add(target.Duration)
	if s.Jobs == nil {
		return fallback, nil
	}
	outlet := uuid.Nil
	if c.OutletID.Valid {
		outlet = c.OutletID.UUID
	}
	ch, err := clocks.Start(ctx, tx, s.Jobs, sla.StartInput{OrderID: c.ID, OrderNumber: c.Number, OutletID: outlet, EngineerID: c.EngineerID,
		TierCode: c.TierCode, OrderType: c.TypeCode, Targets: []sla.Target{target}, At: now})
	if err != nil {
		return time.Time{}, fmt.Errorf("callback clock of %s: %w", c.Number, err)
	}
	for _, x := range ch {
		if x.DueAt != nil {
			return *x.DueAt, nil
		}
	}
	existing, err := sla.Clocks(ctx, tx, c.ID)
	if err != nil {
		return time.Time{}, err
	}
	for _, k := range existing {
		if k.Target == sla.Callback && k.DueAt != nil {
			return *k.DueAt, nil
		}
	}
	return fallback, nil
}

// announce emits callback.due to the agent it went to (or the tenant's agents) and
// survey.invite to the customer with the survey link.
func (s *Service) announce(ctx context.Context, tx *tenants.Tx, c db.CallbackCandidatesRow, taskID uuid.UUID, token string,
	assignee uuid.UUID, due time.Time, loc *time.Location) error {
	if s.Jobs == nil {
		return nil
	}
	to := notify.Role("agent", uuid.Nil)
	if assignee != uuid.Nil {
		to = notify.User(assignee)
	}
	outlet := c.OutletID.UUID
	if _, err := events.Emit(ctx, tx, s.Jobs, notify.CallbackDue, "callback_task", taskID, outlet, map[string]any{
		"recipients": []notify.Recipient{to}, "order_id": c.ID, "order_number": c.Number, "due_at": due,
		"vars": map[string]string{"order_number": c.Number, "due_time": notify.FormatTime(due, loc.String())},
	}); err != nil {
		return err
	}
	_, err := events.Emit(ctx, tx, s.Jobs, SurveyInvite, "callback_task", taskID, outlet, map[string]any{
		"recipients": []notify.Recipient{notify.Customer(c.CustomerID)}, "order_id": c.ID, "order_number": c.Number,
		"vars": map[string]string{"order_number": c.Number, "survey_link": s.link(token)},
	})
	return err
}

// link is the public survey page of a token.
func (s *Service) link(token string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/survey/" + token
}

// assigner hands callbacks to the agents on shift, each time to the one with the fewest open.
type assigner struct {
	agents []uuid.UUID
	open   map[uuid.UUID]int32
}

func newAssigner(ctx context.Context, tx *tenants.Tx, s CallbackSettings, local time.Time) (*assigner, error) {
	agents := s.onShift(local)
	if len(agents) == 0 {
		agents = s.nextShift(local)
	}
	a := &assigner{agents: agents, open: map[uuid.UUID]int32{}}
	if len(agents) == 0 {
		return a, nil
	}
	rows, err := tx.Q.OpenCallbacksByAssignee(ctx, tx, db.OpenCallbacksByAssigneeParams{TenantID: tx.Scope.TenantID, Agents: agents})
	if err != nil {
		return nil, fmt.Errorf("open callbacks per agent: %w", err)
	}
	for _, r := range rows {
		a.open[r.AssigneeID] = r.N
	}
	return a, nil
}

// next is the agent with the fewest open callbacks (the roster's first among equals), or
// uuid.Nil when nobody is on the roster.
func (a *assigner) next() uuid.UUID {
	best := uuid.Nil
	for _, id := range a.agents {
		if best == uuid.Nil || a.open[id] < a.open[best] {
			best = id
		}
	}
	if best != uuid.Nil {
		a.open[best]++
	}
	return best
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// SampleArgs samples the callbacks of every tenant's yesterday.
type SampleArgs struct{}

// Kind names the job.
func (SampleArgs) Kind() string { return "callbacks_sample" }

// SampleWorker runs SampleArgs: for each tenant, the day before its today (in its time zone)
// is sampled. The job runs hourly so every tenant's day is sampled soon after it ends
// wherever its zone; runs after the first create nothing (Sample is idempotent).
type SampleWorker struct {
	river.WorkerDefaults[SampleArgs]
	DB      *tenants.DB
	Service *Service
	Log     *slog.Logger
}

// Timeout gives a large tenant's day the time it needs.
func (w *SampleWorker) Timeout(*river.Job[SampleArgs]) time.Duration { return 30 * time.Minute }

// Work samples each tenant in turn; one tenant's failure does not stop the others.
func (w *SampleWorker) Work(ctx context.Context, _ *river.Job[SampleArgs]) error {
	var errs []error
	after := uuid.NullUUID{}
	for {
		list, err := w.DB.ListTenants(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, tn := range list {
			scope := tenants.Scope{TenantID: tn.ID, Actor: tenants.Actor{Kind: "system", Label: "callback sampling"}}
			err := w.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
				day, err := yesterday(ctx, tx)
				if err != nil {
					return err
				}
				if _, err := tx.Q.GetCallbackRun(ctx, tx, db.GetCallbackRunParams{TenantID: tn.ID, Day: day}); err == nil {
					return nil // sampled already
				}
				_, err = w.Service.Sample(ctx, tx, day)
				return err
			})
			if err != nil {
				if w.Log != nil {
					w.Log.ErrorContext(ctx, "callback sampling", "tenant", tn.ID, "err", err)
				}
				errs = append(errs, fmt.Errorf("tenant %s: %w", tn.ID, err))
			}
		}
		if len(list) < 200 {
			return errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: list[len(list)-1].ID, Valid: true}
	}
}

// yesterday is the day before the tenant's today, as a date.
func yesterday(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	l := now.In(loc).AddDate(0, 0, -1)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC), nil
}

// PeriodicJobs schedules the sampling hourly.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return SampleArgs{}, nil }, nil)}
}

// Consumer brings the daily sampling into the worker: it reacts to no event (Wants is
// false) and adds the sampling worker and its hourly schedule (jobs.WorkerProvider,
// jobs.PeriodicProvider). Service.Jobs must insert with the running job's client.
type Consumer struct {
	DB      *tenants.DB
	Service *Service
	Log     *slog.Logger
}

// Name keys the consumer.
func (Consumer) Name() string { return "callbacks" }

// Wants no event.
func (Consumer) Wants(string) bool { return false }

// Handle is never called (Wants is false).
func (Consumer) Handle(context.Context, events.Event) error { return nil }

// AddWorkers adds the sampling worker.
func (c Consumer) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &SampleWorker{DB: c.DB, Service: c.Service, Log: c.Log})
}

// PeriodicJobs schedules the sampling.
func (Consumer) PeriodicJobs() []*river.PeriodicJob { return PeriodicJobs() }
