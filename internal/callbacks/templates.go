// Package callbacks is the customer's voice after a repair (docs/callbacks.md): survey
// templates (回访模板), the daily sampling of completed orders for a callback (回访, 抽样比例)
// with tasks on the agents' shifts and the callback SLA target measuring them, the one survey
// answer per order (from the agent on the call or the consumer through a tokenized link), the
// rectification case a poor answer opens (整改) and the satisfaction report.
package callbacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Question kinds: a scale on a dimension (1 to Max), a net-promoter question (0 to 10), free text.
const (
	KindScale = "scale"
	KindNPS   = "nps"
	KindText  = "text"
)

// QuestionKinds lists the question kinds.
var QuestionKinds = []string{KindScale, KindNPS, KindText}

// Dimensions are the satisfaction dimensions the shipped template asks about (seed 001:
// attitude, speed, quality, price, professionalism); a tenant may name its own.
var Dimensions = []string{"attitude", "speed", "quality", "price", "professionalism"}

// Question is one question of a survey.
type Question struct {
	ID        string `json:"id" doc:"Unique in the template: lower case letters, digits and _" pattern:"^[a-z][a-z0-9_]{0,39}$"`
	Kind      string `json:"kind" enum:"scale,nps,text"`
	Dimension string `json:"dimension,omitempty" maxLength:"40" doc:"What a scale measures (attitude, speed, quality, price, professionalism or the tenant's own); the report groups by it"`
	Label     string `json:"label" minLength:"1" maxLength:"200" doc:"The question as asked (the tenant's language)"`
	LabelEN   string `json:"label_en,omitempty" maxLength:"200" doc:"The question in English, for the English pages"`
	Max       int    `json:"max,omitempty" minimum:"0" maximum:"10" doc:"A scale's top value (3 to 10; default 5); 1 is the worst"`
	Required  bool   `json:"required,omitempty"`
}

// SurveyTemplate is a tenant's survey: its questions and what counts as a poor result.
type SurveyTemplate struct {
	ID        uuid.UUID  `json:"id"`
	Name      string     `json:"name"`
	Questions []Question `json:"questions"`
	PoorAt    float64    `json:"poor_at" doc:"An overall score (1 to 5) at or below this is a poor result and opens a rectification"`
	Default   bool       `json:"default" doc:"The template new callbacks use"`
	Active    bool       `json:"active"`
	Version   int32      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// SurveyTemplateInput creates or changes a template.
type SurveyTemplateInput struct {
	Name      string     `json:"name" minLength:"1" maxLength:"100"`
	Questions []Question `json:"questions" minItems:"1" maxItems:"30"`
	PoorAt    float64    `json:"poor_at,omitempty" minimum:"0" maximum:"4.99" doc:"Default 2"`
	Default   bool       `json:"default,omitempty"`
	Active    *bool      `json:"active,omitempty" doc:"Default true"`
}

var questionID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks the questions: unique ids, known kinds, scales from 3 to 10 with a
// dimension, at least one scale (the overall score is their mean), at most one NPS question.
func (in *SurveyTemplateInput) Validate() error {
	if in.PoorAt == 0 {
		in.PoorAt = 2
	}
	if in.PoorAt < 1 || in.PoorAt >= 5 {
		return fault.Invalid("poor_at", "must be at least 1 and below 5")
	}
	seen := map[string]bool{}
	scales, nps := 0, 0
	for i := range in.Questions {
		q := &in.Questions[i]
		f := fmt.Sprintf("questions[%d]", i)
		if !questionID.MatchString(q.ID) {
			return fault.Invalid(f+".id", "must be lower case letters, digits and _, starting with a letter")
		}
		if seen[q.ID] {
			return fault.Invalid(f+".id", "is used by another question")
		}
		seen[q.ID] = true
		if q.Label == "" {
			return fault.Invalid(f+".label", "is required")
		}
		switch q.Kind {
		case KindScale:
			if q.Max == 0 {
				q.Max = 5
			}
			if q.Max < 3 || q.Max > 10 {
				return fault.Invalid(f+".max", "a scale runs from 1 to between 3 and 10")
			}
			if q.Dimension == "" {
				return fault.Invalid(f+".dimension", "a scale measures a dimension")
			}
			scales++
		case KindNPS:
			q.Max, q.Dimension = 10, ""
			nps++
		case KindText:
			q.Max, q.Dimension = 0, ""
		default:
			return fault.Invalid(f+".kind", "must be scale, nps or text")
		}
	}
	if scales == 0 {
		return fault.Invalid("questions", "needs at least one scale question: the overall score is their mean")
	}
	if nps > 1 {
		return fault.Invalid("questions", "has more than one NPS question")
	}
	return nil
}

func templateFromRow(r db.SurveyTemplate) (SurveyTemplate, error) {
	t := SurveyTemplate{ID: r.ID, Name: r.Name, PoorAt: r.PoorAt, Default: r.IsDefault, Active: r.Active, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Questions, &t.Questions); err != nil {
		return SurveyTemplate{}, fmt.Errorf("survey template %s: %w", r.ID, err)
	}
	return t, nil
}

// Templates lists the tenant's templates, the default first.
func Templates(ctx context.Context, tx *tenants.Tx) ([]SurveyTemplate, error) {
	rows, err := tx.Q.ListSurveyTemplates(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("survey templates: %w", err)
	}
	out := make([]SurveyTemplate, 0, len(rows))
	for _, r := range rows {
		t, err := templateFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// GetTemplate reads one template.
func GetTemplate(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (SurveyTemplate, error) {
	r, err := tx.Q.GetSurveyTemplate(ctx, tx, db.GetSurveyTemplateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return SurveyTemplate{}, fault.DBError(err, "", "")
	}
	return templateFromRow(r)
}

// CreateTemplate adds a template; made the default, it replaces the previous default.
func CreateTemplate(ctx context.Context, tx *tenants.Tx, in SurveyTemplateInput) (SurveyTemplate, error) {
	if err := in.Validate(); err != nil {
		return SurveyTemplate{}, err
	}
	qs, err := json.Marshal(in.Questions)
	if err != nil {
		return SurveyTemplate{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return SurveyTemplate{}, err
	}
	id := platform.NewID()
	if in.Default {
		if err := tx.Q.ClearDefaultSurveyTemplate(ctx, tx, db.ClearDefaultSurveyTemplateParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
			return SurveyTemplate{}, fmt.Errorf("clear the default template: %w", err)
		}
	}
	r, err := tx.Q.InsertSurveyTemplate(ctx, tx, db.InsertSurveyTemplateParams{TenantID: tx.Scope.TenantID, ID: id, Name: in.Name,
		Questions: qs, PoorAt: in.PoorAt, IsDefault: in.Default, Active: in.Active == nil || *in.Active, Now: now})
	if err != nil {
		return SurveyTemplate{}, fault.DBError(err, "", "")
	}
	t, err := templateFromRow(r)
	if err != nil {
		return SurveyTemplate{}, err
	}
	return t, tx.Audit(ctx, "survey_template.create", "survey_template", t.ID, nil, t)
}

// UpdateTemplate changes a template if version is the one read (else fault.ErrStale).
// Answers already given keep the questions they answered (stored with each answer).
func UpdateTemplate(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in SurveyTemplateInput) (SurveyTemplate, error) {
	before, err := GetTemplate(ctx, tx, id)
	if err != nil {
		return SurveyTemplate{}, err
	}
	if err := in.Validate(); err != nil {
		return SurveyTemplate{}, err
	}
	active := in.Active == nil || *in.Active
	if in.Default && !active {
		return SurveyTemplate{}, fault.Invalid("active", "the default template must be active")
	}
	qs, err := json.Marshal(in.Questions)
	if err != nil {
		return SurveyTemplate{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return SurveyTemplate{}, err
	}
	if in.Default {
		if err := tx.Q.ClearDefaultSurveyTemplate(ctx, tx, db.ClearDefaultSurveyTemplateParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
			return SurveyTemplate{}, fmt.Errorf("clear the default template: %w", err)
		}
	}
	r, err := tx.Q.UpdateSurveyTemplate(ctx, tx, db.UpdateSurveyTemplateParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		Name: in.Name, Questions: qs, PoorAt: in.PoorAt, IsDefault: in.Default, Active: active, Now: now})
	if err != nil {
		return SurveyTemplate{}, fault.StaleIfMissing(err)
	}
	t, err := templateFromRow(r)
	if err != nil {
		return SurveyTemplate{}, err
	}
	return t, tx.Audit(ctx, "survey_template.update", "survey_template", t.ID, before, t)
}

// ShippedTemplate is the template a tenant without one gets: the five dimensions of seed
// 001 on a 1-5 scale, an NPS question and a comment; 2 or below is poor.
func ShippedTemplate() SurveyTemplateInput {
	q := func(id, dim, zh, en string) Question {
		return Question{ID: id, Kind: KindScale, Dimension: dim, Label: zh, LabelEN: en, Max: 5, Required: true}
	}
	return SurveyTemplateInput{Name: "标准回访 Standard callback", PoorAt: 2, Default: true, Questions: []Question{
		q("attitude", "attitude", "工程师的服务态度", "The engineer's attitude"),
		q("speed", "speed", "上门及维修的及时性", "How quickly we came and repaired"),
		q("quality", "quality", "维修质量", "The quality of the repair"),
		q("price", "price", "收费是否合理", "Whether the charges were fair"),
		q("professionalism", "professionalism", "工程师的专业程度", "The engineer's professionalism"),
		{ID: "nps", Kind: KindNPS, Label: "您向亲友推荐我们的可能性有多大？", LabelEN: "How likely are you to recommend us to a friend?", Max: 10},
		{ID: "comment", Kind: KindText, Label: "其他意见和建议", LabelEN: "Anything else you would like to tell us"},
	}}
}

// DefaultTemplate returns the tenant's default template, creating the shipped one when the
// tenant has none.
func DefaultTemplate(ctx context.Context, tx *tenants.Tx) (SurveyTemplate, error) {
	r, err := tx.Q.DefaultSurveyTemplate(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return CreateTemplate(ctx, tx, ShippedTemplate())
	}
	if err != nil {
		return SurveyTemplate{}, fmt.Errorf("default survey template: %w", err)
	}
	return templateFromRow(r)
}

// SurveyAnswer is the answer to one question: a value for a scale or NPS question, text for a text
// question (a scale may carry a remark too).
type SurveyAnswer struct {
	QuestionID string `json:"question_id" maxLength:"40"`
	Value      *int   `json:"value,omitempty" minimum:"0" maximum:"10"`
	Text       string `json:"text,omitempty" maxLength:"2000"`
}

// storedAnswer is an answer as stored: with the question's kind and dimension and, for a
// scale, its score on 1-5, so the report reads answers without their template.
type storedAnswer struct {
	QuestionID string   `json:"question_id"`
	Kind       string   `json:"kind"`
	Dimension  string   `json:"dimension,omitempty"`
	Value      *int     `json:"value,omitempty"`
	Max        int      `json:"max,omitempty"`
	Score      *float64 `json:"score,omitempty"`
	Text       string   `json:"text,omitempty"`
}

// Scored is a survey's answers checked against its template and scored.
type Scored struct {
	Answers []storedAnswer
	Score   float64 // mean of the scales, each on 1-5, rounded to 2 decimals
	NPS     *int16
	Comment string
	Poor    bool
}

// Score checks answers against t and scores them: every required question answered, values
// within each question's range, no unknown question. The overall score is the mean of the
// scale answers on 1-5 (a scale of 1..max maps linearly: 1 is 1, max is 5); at or below
// t.PoorAt the result is poor.
func (t SurveyTemplate) Score(answers []SurveyAnswer) (Scored, error) {
	byID := map[string]int{}
	for i, a := range answers {
		if _, dup := byID[a.QuestionID]; dup {
			return Scored{}, fault.Invalid(fmt.Sprintf("answers[%d].question_id", i), "is answered twice")
		}
		byID[a.QuestionID] = i
	}
	for i, a := range answers {
		found := false
		for _, q := range t.Questions {
			found = found || q.ID == a.QuestionID
		}
		if !found {
			return Scored{}, fault.Invalid(fmt.Sprintf("answers[%d].question_id", i), "is not a question of the survey")
		}
	}
	var s Scored
	var sum float64
	n := 0
	for _, q := range t.Questions {
		i, ok := byID[q.ID]
		if !ok || (answers[i].Value == nil && answers[i].Text == "") {
			if q.Required {
				return Scored{}, fault.Invalid("answers", fmt.Sprintf("question %s is required", q.ID))
			}
			continue
		}
		a := answers[i]
		f := fmt.Sprintf("answers[%d].value", i)
		st := storedAnswer{QuestionID: q.ID, Kind: q.Kind, Dimension: q.Dimension, Text: a.Text}
		switch q.Kind {
		case KindScale:
			if a.Value == nil {
				if q.Required {
					return Scored{}, fault.Invalid(f, "is required")
				}
				break
			}
			if *a.Value < 1 || *a.Value > q.Max {
				return Scored{}, fault.Invalid(f, fmt.Sprintf("must be from 1 to %d", q.Max))
			}
			v := 1 + float64(*a.Value-1)*4/float64(q.Max-1)
			v = math.Round(v*100) / 100
			st.Value, st.Max, st.Score = a.Value, q.Max, &v
			sum += v
			n++
		case KindNPS:
			if a.Value == nil || *a.Value < 0 || *a.Value > 10 {
				return Scored{}, fault.Invalid(f, "must be from 0 to 10")
			}
			v := int16(*a.Value)
			st.Value, st.Max, s.NPS = a.Value, 10, &v
		case KindText:
			if s.Comment == "" {
				s.Comment = a.Text
			}
		}
		s.Answers = append(s.Answers, st)
	}
	if n == 0 {
		return Scored{}, fault.Invalid("answers", "answer at least one scale question")
	}
	s.Score = math.Round(sum/float64(n)*100) / 100
	s.Poor = s.Score <= t.PoorAt
	return s, nil
}
