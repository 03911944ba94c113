package callbacks

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// Task statuses: open (to call), done (answered, by the agent or the customer's link),
// unreachable (the agent gave up after trying), cancelled.
const (
	TaskOpen        = "open"
	TaskDone        = "done"
	TaskUnreachable = "unreachable"
	TaskCancelled   = "cancelled"
)

// TaskStatuses lists the task statuses.
var TaskStatuses = []string{TaskOpen, TaskDone, TaskUnreachable, TaskCancelled}

// Channels a survey is answered through: the agent on the call, the consumer's link, the
// consumer portal's rating of the order (the same survey).
const (
	ChannelCall   = "call"
	ChannelLink   = "link"
	ChannelPortal = "portal"
)

// Events of the callbacks' own (webhooks receive them; notify those with templates).
const (
	SurveyInvite       = notify.SurveyInvite
	SurveyAnswered     = "survey.answered"
	EventRectOpened    = notify.RectificationOpened
	EventRectSubmitted = notify.RectificationReview
	EventRectReviewed  = notify.RectificationDecided
	subjectTask        = "callback_task"
	subjectResponse    = "survey_response"
	subjectRectificatn = "rectification"
)

// Task is one callback of an order.
type Task struct {
	ID          uuid.UUID  `json:"id"`
	OrderID     uuid.UUID  `json:"order_id"`
	OrderNumber string     `json:"order_number"`
	OrderType   string     `json:"order_type"`
	OutletID    *uuid.UUID `json:"outlet_id,omitempty"`
	CustomerID  uuid.UUID  `json:"customer_id"`
	EngineerID  *uuid.UUID `json:"engineer_id,omitempty"`
	Reason      string     `json:"reason" enum:"sampled,repeat,poor_rating,complaint"`
	SampleDay   string     `json:"sample_day" format:"date"`
	TemplateID  uuid.UUID  `json:"template_id"`
	AssigneeID  *uuid.UUID `json:"assignee_id,omitempty"`
	DueAt       time.Time  `json:"due_at" doc:"The callback SLA target's due time"`
	Overdue     bool       `json:"overdue"`
	Status      string     `json:"status" enum:"open,done,unreachable,cancelled"`
	Attempts    int32      `json:"attempts"`
	Note        string     `json:"note,omitempty"`
	Version     int32      `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
}

func ptr(id uuid.NullUUID) *uuid.UUID {
	if !id.Valid {
		return nil
	}
	return &id.UUID
}

func taskFromRow(r db.CallbackTask, now time.Time) Task {
	return Task{ID: r.ID, OrderID: r.OrderID, OrderNumber: r.OrderNumber, OrderType: r.OrderType, OutletID: ptr(r.OutletID),
		CustomerID: r.CustomerID, EngineerID: ptr(r.EngineerID), Reason: r.Reason, SampleDay: r.SampleDay.Format(time.DateOnly),
		TemplateID: r.TemplateID, AssigneeID: ptr(r.AssigneeID), DueAt: r.DueAt, Overdue: r.Status == TaskOpen && r.DueAt.Before(now),
		Status: r.Status, Attempts: r.Attempts, Note: r.Note, Version: r.Version, CreatedAt: r.CreatedAt, DoneAt: r.DoneAt}
}

// TaskFilter narrows the queue; zero values do not filter.
type TaskFilter struct {
	Status   string
	Assignee uuid.NullUUID
	Outlet   uuid.NullUUID
	Reason   string
	Overdue  bool // open and past due
	DueToday bool // open and due before the end of the tenant's today
	After    uuid.NullUUID
	Limit    int32
}

func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Tasks lists the callback queue, newest first. Outlet staff see their outlet's (row-level
// security).
func Tasks(ctx context.Context, tx *tenants.Tx, f TaskFilter) ([]Task, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	p := db.ListCallbackTasksParams{TenantID: tx.Scope.TenantID, Status: optText(f.Status), AssigneeID: f.Assignee, OutletID: f.Outlet,
		Reason: optText(f.Reason), After: f.After, Lim: f.Limit}
	switch {
	case f.Overdue:
		p.Status, p.DueBefore = optText(TaskOpen), &now
	case f.DueToday:
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return nil, err
		}
		l := now.In(loc)
		end := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
		p.Status, p.DueBefore = optText(TaskOpen), &end
	}
	tx.PlanForValues()
	rows, err := tx.Q.ListCallbackTasks(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("callback tasks: %w", err)
	}
	out := make([]Task, len(rows))
	for i, r := range rows {
		out[i] = taskFromRow(r, now)
	}
	return out, nil
}

// TaskDetail is a task with its survey and, once answered, the answer.
type TaskDetail struct {
	Task
	Template SurveyTemplate `json:"template"`
	Response *Response      `json:"response,omitempty"`
}

// GetTask reads a task with its template and answer.
func GetTask(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (TaskDetail, error) {
	r, err := tx.Q.GetCallbackTask(ctx, tx, db.GetCallbackTaskParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return TaskDetail{}, fault.DBError(err, "", "")
	}
	return detail(ctx, tx, r)
}

func detail(ctx context.Context, tx *tenants.Tx, r db.CallbackTask) (TaskDetail, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return TaskDetail{}, err
	}
	d := TaskDetail{Task: taskFromRow(r, now)}
	if d.Template, err = GetTemplate(ctx, tx, r.TemplateID); err != nil {
		return TaskDetail{}, err
	}
	resp, err := tx.Q.SurveyResponseOfOrder(ctx, tx, db.SurveyResponseOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: r.OrderID})
	switch {
	case err == nil:
		rr, err := responseFromRow(resp)
		if err != nil {
			return TaskDetail{}, err
		}
		d.Response = &rr
	case !errors.Is(err, pgx.ErrNoRows):
		return TaskDetail{}, fmt.Errorf("survey answer: %w", err)
	}
	return d, nil
}

// Response is the survey answer of one order.
type Response struct {
	ID         uuid.UUID      `json:"id"`
	OrderID    uuid.UUID      `json:"order_id"`
	TaskID     *uuid.UUID     `json:"task_id,omitempty"`
	TemplateID uuid.UUID      `json:"template_id"`
	OutletID   *uuid.UUID     `json:"outlet_id,omitempty"`
	EngineerID *uuid.UUID     `json:"engineer_id,omitempty"`
	Channel    string         `json:"channel" enum:"call,link,portal"`
	Answers    []ScoredAnswer `json:"answers"`
	Score      float64        `json:"score" doc:"Mean of the scale answers on 1-5"`
	NPS        *int16         `json:"nps,omitempty"`
	Comment    string         `json:"comment,omitempty"`
	Poor       bool           `json:"poor"`
	AnsweredBy string         `json:"answered_by,omitempty"`
	AnsweredAt time.Time      `json:"answered_at"`
}

// ScoredAnswer is a stored answer: the question's kind and dimension, the value given and,
// for a scale, its score on 1-5.
type ScoredAnswer struct {
	QuestionID string   `json:"question_id"`
	Kind       string   `json:"kind"`
	Dimension  string   `json:"dimension,omitempty"`
	Value      *int     `json:"value,omitempty"`
	Max        int      `json:"max,omitempty"`
	Score      *float64 `json:"score,omitempty"`
	Text       string   `json:"text,omitempty"`
}

func responseFromRow(r db.SurveyResponse) (Response, error) {
	out := Response{ID: r.ID, OrderID: r.OrderID, TaskID: ptr(r.TaskID), TemplateID: r.TemplateID, OutletID: ptr(r.OutletID),
		EngineerID: ptr(r.EngineerID), Channel: r.Channel, Score: r.Score, NPS: r.Nps, Comment: r.Comment, Poor: r.Poor,
		AnsweredBy: r.AnsweredBy, AnsweredAt: r.AnsweredAt}
	if err := json.Unmarshal(r.Answers, &out.Answers); err != nil {
		return Response{}, fmt.Errorf("survey answer %s: %w", r.ID, err)
	}
	return out, nil
}

// CallInput is what the agent records on the call: the answers, that the customer did not
// answer this time (to call again), or that they could not be reached at all.
type CallInput struct {
	Answers     []SurveyAnswer `json:"answers,omitempty" maxItems:"30"`
	NoAnswer    bool           `json:"no_answer,omitempty" doc:"The customer did not answer this call: the attempt is counted and the callback stays open to try again"`
	Unreachable bool           `json:"unreachable,omitempty" doc:"The customer could not be reached: the callback ends without an answer"`
	Note        string         `json:"note,omitempty" maxLength:"2000"`
}

// RecordCall records the agent's call on an open task: the customer's answers (the order's
// one survey answer; a poor result opens a rectification), that they did not answer this
// time (the attempt is counted, the task stays open and its clock runs on) or that they
// could not be reached. An answer or giving up meets the callback SLA target.
func (s *Service) RecordCall(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in CallInput) (TaskDetail, error) {
	r, err := tx.Q.LockCallbackTask(ctx, tx, db.LockCallbackTaskParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return TaskDetail{}, fault.DBError(err, "", "")
	}
	if version != 0 && r.Version != version {
		return TaskDetail{}, fault.ErrStale
	}
	if r.Status != TaskOpen {
		return TaskDetail{}, &fault.ConflictError{Detail: "this callback is " + r.Status}
	}
	if in.NoAnswer {
		if len(in.Answers) > 0 || in.Unreachable {
			return TaskDetail{}, fault.Invalid("no_answer", "a call not answered records neither answers nor that the customer was unreachable")
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return TaskDetail{}, err
		}
		row, err := tx.Q.RetryCallbackTask(ctx, tx, db.RetryCallbackTaskParams{TenantID: tx.Scope.TenantID, ID: r.ID, Note: in.Note, Now: now})
		if err != nil {
			return TaskDetail{}, fmt.Errorf("count the attempt: %w", err)
		}
		if err := tx.Audit(ctx, "callback.no_answer", subjectTask, r.ID, map[string]int32{"attempts": r.Attempts},
			map[string]any{"attempts": row.Attempts, "note": in.Note}); err != nil {
			return TaskDetail{}, err
		}
		return detail(ctx, tx, row)
	}
	if in.Unreachable {
		if len(in.Answers) > 0 {
			return TaskDetail{}, fault.Invalid("answers", "an unreachable customer gave no answers")
		}
		return s.finish(ctx, tx, r, TaskUnreachable, in.Note)
	}
	if len(in.Answers) == 0 {
		return TaskDetail{}, fault.Invalid("answers", "record the answers, or that the customer was unreachable")
	}
	if _, err := s.answer(ctx, tx, r, ChannelCall, in.Answers, tx.Scope.Actor.Label); err != nil {
		return TaskDetail{}, err
	}
	return s.finish(ctx, tx, r, TaskDone, in.Note)
}

func (s *Service) finish(ctx context.Context, tx *tenants.Tx, r db.CallbackTask, status, note string) (TaskDetail, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return TaskDetail{}, err
	}
	row, err := tx.Q.FinishCallbackTask(ctx, tx, db.FinishCallbackTaskParams{TenantID: tx.Scope.TenantID, ID: r.ID, Status: status,
		Note: note, DoneAt: &now, Now: now})
	if err != nil {
		return TaskDetail{}, fmt.Errorf("finish callback: %w", err)
	}
	if s.Jobs != nil {
		if _, err := sla.Meet(ctx, tx, s.Jobs, r.OrderID, sla.Callback, now); err != nil {
			return TaskDetail{}, fmt.Errorf("meet the callback target: %w", err)
		}
	}
	if err := tx.Audit(ctx, "callback."+status, subjectTask, r.ID, map[string]string{"status": r.Status},
		map[string]string{"status": status, "note": note}); err != nil {
		return TaskDetail{}, err
	}
	return detail(ctx, tx, row)
}

// answer stores the order's survey answer from a task, emits survey.answered (the pay
// rules' callback score reads it) and opens a rectification when it is poor. An order
// answered before (another channel) is a conflict: one answer per order.
func (s *Service) answer(ctx context.Context, tx *tenants.Tx, r db.CallbackTask, channel string, answers []SurveyAnswer, by string) (Response, error) {
	tpl, err := GetTemplate(ctx, tx, r.TemplateID)
	if err != nil {
		return Response{}, err
	}
	sc, err := tpl.Score(answers)
	if err != nil {
		return Response{}, err
	}
	stored, err := json.Marshal(sc.Answers)
	if err != nil {
		return Response{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Response{}, err
	}
	row, err := tx.Q.InsertSurveyResponse(ctx, tx, db.InsertSurveyResponseParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		OrderID: r.OrderID, TaskID: nullID(r.ID), TemplateID: tpl.ID, OutletID: r.OutletID, CustomerID: r.CustomerID,
		EngineerID: r.EngineerID, Channel: channel, Answers: stored, Score: sc.Score, Nps: sc.NPS, Comment: sc.Comment, Poor: sc.Poor,
		AnsweredBy: by, AnsweredAt: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return Response{}, &fault.ConflictError{Detail: "this order's survey was answered already"}
	}
	if err != nil {
		return Response{}, fault.DBError(err, "", "")
	}
	resp, err := responseFromRow(row)
	if err != nil {
		return Response{}, err
	}
	if s.Jobs != nil {
		if _, err := events.Emit(ctx, tx, s.Jobs, SurveyAnswered, subjectResponse, resp.ID, r.OutletID.UUID, map[string]any{
			"order_id": r.OrderID, "order_number": r.OrderNumber, "task_id": ptr(nullID(r.ID)), "channel": channel, "score": resp.Score,
			"pay_score": PayScore(resp.Score), "nps": resp.NPS, "poor": resp.Poor, "engineer_id": ptr(r.EngineerID),
		}); err != nil {
			return Response{}, err
		}
	}
	if resp.Poor {
		if _, err := s.openRectification(ctx, tx, r, resp, now); err != nil {
			return Response{}, err
		}
	}
	return resp, tx.Audit(ctx, "survey.answer", subjectResponse, resp.ID, nil, resp)
}

// PayScore is the whole 1-5 score the pay rules' poor_score and good_score marks compare
// with: the survey's mean, rounded half up.
func PayScore(score float64) int {
	return int(score + 0.5)
}

// LinkSurvey is what the consumer's survey page shows: the order number and the questions
// (no personal data).
type LinkSurvey struct {
	Tenant      string     `json:"tenant" doc:"The brand's slug: its portal is /my/{tenant}"`
	OrderNumber string     `json:"order_number"`
	Questions   []Question `json:"questions"`
	Answered    bool       `json:"answered" doc:"The order's survey was answered (by the link, the portal or on a call)"`
	Score       *float64   `json:"score,omitempty"`
}

// linkTask finds the task of a survey link in the link's tenant (tx's), or fault.ErrNotFound.
func linkTask(ctx context.Context, tx *tenants.Tx, taskID uuid.UUID, secretHash []byte) (db.CallbackTask, error) {
	r, err := tx.Q.LockCallbackTask(ctx, tx, db.LockCallbackTaskParams{TenantID: tx.Scope.TenantID, ID: taskID})
	if err != nil {
		return db.CallbackTask{}, fault.DBError(err, "", "")
	}
	stored, err := hex.DecodeString(r.TokenHash)
	if err != nil || !auth.SameHash(stored, secretHash) {
		return db.CallbackTask{}, fault.ErrNotFound
	}
	return r, nil
}

// ParseLink splits a survey link token into its tenant, task and secret hash; a malformed
// token is fault.ErrNotFound.
func ParseLink(token string) (tenantID, taskID uuid.UUID, secretHash []byte, err error) {
	tenantID, taskID, secretHash, err = auth.ParseLinkToken(LinkPrefix, token)
	if err != nil {
		return uuid.Nil, uuid.Nil, nil, fault.ErrNotFound
	}
	return tenantID, taskID, secretHash, nil
}

// LinkGet reads the survey of a link.
func LinkGet(ctx context.Context, tx *tenants.Tx, taskID uuid.UUID, secretHash []byte) (LinkSurvey, error) {
	r, err := linkTask(ctx, tx, taskID, secretHash)
	if err != nil {
		return LinkSurvey{}, err
	}
	d, err := detail(ctx, tx, r)
	if err != nil {
		return LinkSurvey{}, err
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return LinkSurvey{}, err
	}
	out := LinkSurvey{Tenant: t.Slug, OrderNumber: r.OrderNumber, Questions: d.Template.Questions, Answered: d.Response != nil}
	if d.Response != nil {
		out.Score = &d.Response.Score
	}
	return out, nil
}

// LinkAnswer records the consumer's answers through the link: the order's one survey answer
// (a conflict when answered before, by any channel), which closes the callback too.
func (s *Service) LinkAnswer(ctx context.Context, tx *tenants.Tx, taskID uuid.UUID, secretHash []byte, answers []SurveyAnswer) (LinkSurvey, error) {
	r, err := linkTask(ctx, tx, taskID, secretHash)
	if err != nil {
		return LinkSurvey{}, err
	}
	if _, err := s.answer(ctx, tx, r, ChannelLink, answers, "customer"); err != nil {
		return LinkSurvey{}, err
	}
	if r.Status == TaskOpen {
		if _, err := s.finish(ctx, tx, r, TaskDone, "answered by the customer's link"); err != nil {
			return LinkSurvey{}, err
		}
	}
	return LinkGet(ctx, tx, taskID, secretHash)
}
