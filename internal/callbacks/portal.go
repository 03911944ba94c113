package callbacks

// The consumer's rating of a completed order in the portal: the order's one survey answer
// (channel portal), whatever answered it first. When the order has a callback, the rating
// answers the callback's survey and closes it; otherwise it answers the tenant's default
// survey on its own.

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// RatingInput is the consumer's rating: a score from 1 (poor) to 5 (excellent) and a comment.
type RatingInput struct {
	Score   int    `json:"score" minimum:"1" maximum:"5" doc:"1 (poor) to 5 (excellent)"`
	Comment string `json:"comment,omitempty" maxLength:"2000"`
}

// RatedOrder is what a rating needs of its order (the caller has read it in the consumer's
// scope, so the order is theirs).
type RatedOrder struct {
	ID         uuid.UUID
	Number     string
	OutletID   *uuid.UUID
	CustomerID uuid.UUID
}

// RatingOf is the order's survey answer, nil when it has none. In a consumer's scope only
// their own answers are seen (row-level security).
func RatingOf(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (*Response, error) {
	row, err := tx.Q.SurveyResponseOfOrder(ctx, tx, db.SurveyResponseOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("survey answer: %w", err)
	}
	r, err := responseFromRow(row)
	return &r, err
}

// PortalAnswers turns a rating into answers to t: every scale question gets the score on its
// own range, a text question the comment, a required NPS question the score on 0-10.
func PortalAnswers(t SurveyTemplate, in RatingInput) ([]SurveyAnswer, error) {
	var out []SurveyAnswer
	comment := false
	for _, q := range t.Questions {
		switch q.Kind {
		case KindScale:
			v := int(math.Round(1 + float64(in.Score-1)*float64(q.Max-1)/4))
			out = append(out, SurveyAnswer{QuestionID: q.ID, Value: &v})
		case KindNPS:
			if q.Required {
				v := int(math.Round(float64(in.Score-1) * 10 / 4))
				out = append(out, SurveyAnswer{QuestionID: q.ID, Value: &v})
			}
		case KindText:
			if in.Comment != "" && !comment {
				out = append(out, SurveyAnswer{QuestionID: q.ID, Text: in.Comment})
				comment = true
			} else if q.Required {
				return nil, fault.Invalid("body.comment", "is required by the brand's survey")
			}
		}
	}
	return out, nil
}

// RatePortal records the consumer's rating of their completed order: the order's one
// survey answer (409 when it was answered already, by any channel). An order with a callback
// answers the callback's survey and closes the callback; one without answers the tenant's
// default survey. A poor rating opens a rectification, as a poor answer on the call does.
func (s *Service) RatePortal(ctx context.Context, tx *tenants.Tx, o RatedOrder, in RatingInput) (Response, error) {
	if in.Score < 1 || in.Score > 5 {
		return Response{}, fault.Invalid("body.score", "must be from 1 to 5")
	}
	task, err := tx.Q.CallbackTaskOfOrder(ctx, tx, db.CallbackTaskOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: o.ID})
	hasTask := err == nil
	switch {
	case hasTask:
	case errors.Is(err, pgx.ErrNoRows):
		tpl, err := DefaultTemplate(ctx, tx)
		if err != nil {
			return Response{}, err
		}
		task = db.CallbackTask{TenantID: tx.Scope.TenantID, OrderID: o.ID, OrderNumber: o.Number, OutletID: nullID(ptrVal(o.OutletID)),
			CustomerID: o.CustomerID, TemplateID: tpl.ID}
		if task.EngineerID, err = leadEngineer(ctx, tx, o.ID); err != nil {
			return Response{}, err
		}
	default:
		return Response{}, fmt.Errorf("the order's callback: %w", err)
	}
	tpl, err := GetTemplate(ctx, tx, task.TemplateID)
	if err != nil {
		return Response{}, err
	}
	answers, err := PortalAnswers(tpl, in)
	if err != nil {
		return Response{}, err
	}
	resp, err := s.answer(ctx, tx, task, ChannelPortal, answers, "customer")
	if err != nil {
		return Response{}, err
	}
	if hasTask && task.Status == TaskOpen {
		if _, err := s.finish(ctx, tx, task, TaskDone, "answered by the customer's rating in the portal"); err != nil {
			return Response{}, err
		}
	}
	return resp, nil
}

func ptrVal(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// leadEngineer is the engineer a survey answer of the order is about: the lead, else the
// first engineer still on it.
func leadEngineer(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (uuid.NullUUID, error) {
	rows, err := tx.Q.ListOrderEngineers(ctx, tx, db.ListOrderEngineersParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return uuid.NullUUID{}, fmt.Errorf("order engineers: %w", err)
	}
	var found uuid.NullUUID
	for _, r := range rows {
		if r.State == "declined" || r.State == "removed" {
			continue
		}
		if r.Role == "lead" {
			return nullID(r.UserID), nil
		}
		if !found.Valid {
			found = nullID(r.UserID)
		}
	}
	return found, nil
}
