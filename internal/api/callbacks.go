package api

// Callbacks and surveys (docs/callbacks.md): survey templates, sampling settings and the
// roster, the callback queue and calls, rectification cases, the consumer's survey link and
// the satisfaction report.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/callbacks"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// callbacksService is the callbacks service of the request's server.
func (s *Server) callbacksService() *callbacks.Service {
	return &callbacks.Service{Jobs: s.Jobs, PublicURL: s.Config.PublicURL, Complaints: callbacks.ComplaintQuery{}}
}

// registerCallbackRoutes adds the callbacks, surveys and rectification routes.
func registerCallbackRoutes(api huma.API, s *Server) {
	tags := []string{"Callbacks"}
	register(api, s, huma.Operation{OperationID: "list-survey-templates", Method: http.MethodGet, Path: "/survey-templates", Tags: tags,
		Summary: "The tenant's survey templates (回访模板), the default first"},
		route{perm: access.CallbacksRead}, s.listSurveyTemplates)
	register(api, s, huma.Operation{OperationID: "create-survey-template", Method: http.MethodPost, Path: "/survey-templates", Tags: tags,
		Summary: "Add a survey template: scales on dimensions, NPS, free text; what counts as poor", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.SurveysManage, idem: true}, s.createSurveyTemplate)
	register(api, s, huma.Operation{OperationID: "get-survey-template", Method: http.MethodGet, Path: "/survey-templates/{id}", Tags: tags,
		Summary: "A survey template", Errors: []int{404}},
		route{perm: access.CallbacksRead}, s.getSurveyTemplate)
	register(api, s, huma.Operation{OperationID: "put-survey-template", Method: http.MethodPut, Path: "/survey-templates/{id}", Tags: tags,
		Summary: "Change a survey template (If-Match); answers given keep the questions they answered", Errors: []int{404, 412, 422, 428}},
		route{perm: access.SurveysManage}, s.putSurveyTemplate)
	register(api, s, huma.Operation{OperationID: "get-callback-settings", Method: http.MethodGet, Path: "/callback-settings", Tags: tags,
		Summary: "How completed orders are sampled for a callback (抽样比例), the cap per customer and the agents' roster (排班)"},
		route{perm: access.CallbacksRead}, s.getCallbackSettings)
	register(api, s, huma.Operation{OperationID: "put-callback-settings", Method: http.MethodPut, Path: "/callback-settings", Tags: tags,
		Summary: "Set the sampling, the cap, the roster and the rectification deadline (If-Match: the version read, \"0\" before any were set)",
		Errors:  []int{412, 422, 428}},
		route{perm: access.SurveysManage}, s.putCallbackSettings)
	register(api, s, huma.Operation{OperationID: "run-callback-sampling", Method: http.MethodPost, Path: "/callback-runs", Tags: tags,
		Summary: "Sample a day's completed orders for callbacks now (the daily job does it for yesterday); a day run again creates nothing new",
		Errors:  []int{422}},
		route{perm: access.SurveysManage}, s.runCallbackSampling)
	register(api, s, huma.Operation{OperationID: "list-callbacks", Method: http.MethodGet, Path: "/callbacks", Tags: tags,
		Summary: "The callback queue: mine, due today, overdue, by status, outlet or reason; newest first", Errors: []int{422}},
		route{perm: access.CallbacksRead}, s.listCallbacks)
	register(api, s, huma.Operation{OperationID: "get-callback", Method: http.MethodGet, Path: "/callbacks/{id}", Tags: tags,
		Summary: "A callback with its survey and, once answered, the answer", Errors: []int{404}},
		route{perm: access.CallbacksRead}, s.getCallback)
	register(api, s, huma.Operation{OperationID: "record-callback", Method: http.MethodPost, Path: "/callbacks/{id}/call", Tags: tags,
		Summary: "Record the call: the customer's answers (a poor result opens a rectification) or that they could not be reached",
		Description: "The order's one survey answer: 409 when it was answered already (by the customer's link, say). Meets the " +
			"callback SLA target. If-Match (optional) is the callback's version.",
		Errors: []int{404, 409, 412, 422}},
		route{perm: access.CallbacksHandle, idem: true}, s.recordCallback)
	register(api, s, huma.Operation{OperationID: "list-rectifications", Method: http.MethodGet, Path: "/rectifications", Tags: tags,
		Summary: "Rectification cases (整改) opened by poor survey results, newest first", Errors: []int{422}},
		route{perm: access.CallbacksRead}, s.listRectifications)
	register(api, s, huma.Operation{OperationID: "get-rectification", Method: http.MethodGet, Path: "/rectifications/{id}", Tags: tags,
		Summary: "A rectification case with the survey answer that opened it", Errors: []int{404}},
		route{perm: access.CallbacksHandle}, s.getRectification)
	register(api, s, huma.Operation{OperationID: "submit-rectification", Method: http.MethodPost, Path: "/rectifications/{id}/submit",
		Tags: tags, Summary: "Report a case carried out: the actions and the customer recontacted; it goes to the manager",
		Errors: []int{404, 409, 412, 422}},
		route{perm: access.CallbacksHandle}, s.submitRectification)
	register(api, s, huma.Operation{OperationID: "review-rectification", Method: http.MethodPost, Path: "/rectifications/{id}/review",
		Tags: tags, Summary: "Approve a submitted case, or return it with what is missing",
		Description: "A manager of the case's outlet or a tenant admin reviews, never the person who submitted it: checked against " +
			"the reviewer's membership where the case is updated (403 otherwise).",
		Errors: []int{403, 404, 409, 412, 422}},
		route{perm: access.CallbacksHandle}, s.reviewRectification)
	register(api, s, huma.Operation{OperationID: "satisfaction-report", Method: http.MethodGet, Path: "/reports/satisfaction",
		Tags: []string{"Reports"}, Summary: "Satisfaction by dimension, outlet and engineer, with the daily trend", Errors: []int{422}},
		route{perm: access.CallbacksRead}, s.satisfactionReport)
	register(api, s, huma.Operation{OperationID: "export-satisfaction-report", Method: http.MethodGet, Path: "/reports/satisfaction/export",
		Tags: []string{"Reports"}, Summary: "Export the satisfaction report as XLSX or CSV: a row per day, outlet, engineer and dimension",
		Errors: []int{422}},
		route{perm: access.CallbacksRead}, s.exportSatisfaction)

	ptags := []string{"Public"}
	register(api, s, huma.Operation{OperationID: "public-get-survey", Method: http.MethodGet, Path: "/public/surveys/{token}", Tags: ptags,
		Summary: "The satisfaction survey sent to me by link", Errors: []int{404, 429}},
		route{public: true}, s.publicGetSurvey)
	register(api, s, huma.Operation{OperationID: "public-answer-survey", Method: http.MethodPost, Path: "/public/surveys/{token}", Tags: ptags,
		Summary: "Answer the satisfaction survey sent to me by link (once per order)", Errors: []int{404, 409, 422, 429}},
		route{public: true, right: true}, s.publicAnswerSurvey)
}

type surveyTemplatesOut struct {
	Body struct {
		Items []callbacks.SurveyTemplate `json:"items"`
	}
}

func (s *Server) listSurveyTemplates(ctx context.Context, _ *struct{}) (*surveyTemplatesOut, error) {
	list, err := within(ctx, s, func(tx *tenants.Tx) ([]callbacks.SurveyTemplate, error) { return callbacks.Templates(ctx, tx) })
	if err != nil {
		return nil, err
	}
	out := &surveyTemplatesOut{}
	out.Body.Items = list
	if out.Body.Items == nil {
		out.Body.Items = []callbacks.SurveyTemplate{}
	}
	return out, nil
}

type surveyTemplateOut struct {
	ETag string `header:"ETag"`
	Body callbacks.SurveyTemplate
}

func tplOut(t callbacks.SurveyTemplate) *surveyTemplateOut {
	return &surveyTemplateOut{ETag: etag(t.Version), Body: t}
}

type createSurveyTemplateIn struct{ Body callbacks.SurveyTemplateInput }

func (s *Server) createSurveyTemplate(ctx context.Context, in *createSurveyTemplateIn) (*surveyTemplateOut, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.SurveyTemplate, error) {
		return callbacks.CreateTemplate(ctx, tx, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return tplOut(t), nil
}

func (s *Server) getSurveyTemplate(ctx context.Context, in *IDPath) (*surveyTemplateOut, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.SurveyTemplate, error) { return callbacks.GetTemplate(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return tplOut(t), nil
}

type putSurveyTemplateIn struct {
	IDPath
	IfMatch
	Body callbacks.SurveyTemplateInput
}

func (s *Server) putSurveyTemplate(ctx context.Context, in *putSurveyTemplateIn) (*surveyTemplateOut, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	t, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.SurveyTemplate, error) {
		return callbacks.UpdateTemplate(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return tplOut(t), nil
}

type callbackSettingsOut struct {
	ETag string `header:"ETag" doc:"Version of the settings; PUT takes it as If-Match (\"0\" before any were set)"`
	Body callbacks.CallbackSettings
}

func (s *Server) getCallbackSettings(ctx context.Context, _ *struct{}) (*callbackSettingsOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.CallbackSettings, error) { return callbacks.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &callbackSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type putCallbackSettingsIn struct {
	IfMatch
	Body callbacks.CallbackSettings
}

func (s *Server) putCallbackSettings(ctx context.Context, in *putCallbackSettingsIn) (*callbackSettingsOut, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.CallbackSettings, error) {
		return callbacks.PutSettings(ctx, tx, v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &callbackSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type runSamplingIn struct {
	Body struct {
		Day string `json:"day" format:"date" doc:"The day whose completed orders are sampled (the tenant's calendar day)"`
	}
}

type runSamplingOut struct{ Body callbacks.RunResult }

func (s *Server) runCallbackSampling(ctx context.Context, in *runSamplingIn) (*runSamplingOut, error) {
	day, err := time.Parse(time.DateOnly, in.Body.Day)
	if err != nil {
		return nil, fault.Invalid("body.day", "must be a date, e.g. 2026-11-02")
	}
	res, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.RunResult, error) {
		return s.callbacksService().Sample(ctx, tx, day)
	})
	if err != nil {
		return nil, err
	}
	return &runSamplingOut{Body: res}, nil
}

type listCallbacksIn struct {
	PageQuery
	Status   string `query:"status" enum:"open,done,unreachable,cancelled"`
	Due      string `query:"due" enum:"today,overdue" doc:"Open callbacks due by the end of today, or past due"`
	Mine     bool   `query:"mine" doc:"Only callbacks assigned to me"`
	Assignee string `query:"assignee_id" format:"uuid"`
	Outlet   string `query:"outlet_id" format:"uuid"`
	Reason   string `query:"reason" enum:"sampled,repeat,poor_rating,complaint"`
}

func (s *Server) listCallbacks(ctx context.Context, in *listCallbacksIn) (*PageOutput[callbacks.Task], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	f := callbacks.TaskFilter{Status: in.Status, Assignee: optionalID(in.Assignee), Outlet: optionalID(in.Outlet), Reason: in.Reason,
		Overdue: in.Due == "overdue", DueToday: in.Due == "today", After: after, Limit: in.limit() + 1}
	if in.Mine {
		f.Assignee = uuid.NullUUID{UUID: principal(ctx).UserID, Valid: true}
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]callbacks.Task, error) { return callbacks.Tasks(ctx, tx, f) })
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(t callbacks.Task) uuid.UUID { return t.ID }), nil
}

type callbackOut struct {
	ETag string `header:"ETag"`
	Body callbacks.TaskDetail
}

func (s *Server) getCallback(ctx context.Context, in *IDPath) (*callbackOut, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.TaskDetail, error) { return callbacks.GetTask(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &callbackOut{ETag: etag(d.Version), Body: d}, nil
}

type recordCallIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the callback you read; optional"`
	Body    callbacks.CallInput
}

func (s *Server) recordCallback(ctx context.Context, in *recordCallIn) (*callbackOut, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	d, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.TaskDetail, error) {
		return s.callbacksService().RecordCall(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &callbackOut{ETag: etag(d.Version), Body: d}, nil
}

type listRectificationsIn struct {
	PageQuery
	Status string `query:"status" enum:"open,submitted,approved"`
	Outlet string `query:"outlet_id" format:"uuid"`
	Owner  string `query:"owner_id" format:"uuid"`
	Mine   bool   `query:"mine" doc:"Only cases I own"`
}

func (s *Server) listRectifications(ctx context.Context, in *listRectificationsIn) (*PageOutput[callbacks.Rectification], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	f := callbacks.RectFilter{Status: in.Status, Outlet: optionalID(in.Outlet), Owner: optionalID(in.Owner), After: after, Limit: in.limit() + 1}
	if in.Mine {
		f.Owner = uuid.NullUUID{UUID: principal(ctx).UserID, Valid: true}
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]callbacks.Rectification, error) { return callbacks.Rectifications(ctx, tx, f) })
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(r callbacks.Rectification) uuid.UUID { return r.ID }), nil
}

type rectificationOut struct {
	ETag string `header:"ETag"`
	Body callbacks.Rectification
}

func (s *Server) getRectification(ctx context.Context, in *IDPath) (*rectificationOut, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.Rectification, error) {
		return callbacks.GetRectification(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &rectificationOut{ETag: etag(r.Version), Body: r}, nil
}

type submitRectIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the case you read; optional"`
	Body    callbacks.SubmitInput
}

func (s *Server) submitRectification(ctx context.Context, in *submitRectIn) (*rectificationOut, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.Rectification, error) {
		return s.callbacksService().Submit(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &rectificationOut{ETag: etag(r.Version), Body: r}, nil
}

type reviewRectIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the case you read; optional"`
	Body    callbacks.RectReviewInput
}

func (s *Server) reviewRectification(ctx context.Context, in *reviewRectIn) (*rectificationOut, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.Rectification, error) {
		return s.callbacksService().Review(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &rectificationOut{ETag: etag(r.Version), Body: r}, nil
}

type satisfactionIn struct {
	From   string `query:"from" format:"date" required:"true" doc:"First day (the tenant's calendar)"`
	To     string `query:"to" format:"date" required:"true" doc:"Last day, included; at most 366 days after from"`
	Outlet string `query:"outlet_id" format:"uuid"`
}

func (in satisfactionIn) days() (time.Time, time.Time, error) {
	from, err := time.Parse(time.DateOnly, in.From)
	if err != nil {
		return from, from, fault.Invalid("query.from", "must be a date")
	}
	to, err := time.Parse(time.DateOnly, in.To)
	if err != nil || to.Before(from) {
		return from, to, fault.Invalid("query.to", "must be a date on or after from")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return from, to, fault.Invalid("query.to", "at most 366 days after from")
	}
	return from, to, nil
}

type satisfactionOut struct{ Body callbacks.Report }

func (s *Server) satisfactionReport(ctx context.Context, in *satisfactionIn) (*satisfactionOut, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	rep, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.Report, error) {
		return callbacks.Satisfaction(ctx, tx, from, to, optionalID(in.Outlet))
	})
	if err != nil {
		return nil, err
	}
	return &satisfactionOut{Body: rep}, nil
}

type exportSatisfactionIn struct {
	From   string `query:"from" format:"date" required:"true" doc:"First day (the tenant's calendar)"`
	To     string `query:"to" format:"date" required:"true" doc:"Last day, included; at most 366 days after from"`
	Outlet string `query:"outlet_id" format:"uuid"`
	ExportQuery
}

// satisfactionColumns are the export's columns: zh-CN and en headers.
var satisfactionColumns = [][2]string{{"日期", "Day"}, {"网点", "Outlet"}, {"工程师", "Engineer"}, {"维度", "Dimension"},
	{"答卷数", "Answers"}, {"平均分", "Score"}}

// dimensionWords are the Chinese names of the shipped dimensions.
var dimensionWords = map[string]string{"attitude": "服务态度", "speed": "及时性", "quality": "维修质量", "price": "收费",
	"professionalism": "专业程度", callbacks.Overall: "总体"}

func (s *Server) exportSatisfaction(ctx context.Context, in *exportSatisfactionIn) (*huma.StreamResponse, error) {
	from, to, err := satisfactionIn{From: in.From, To: in.To}.days()
	if err != nil {
		return nil, err
	}
	var lang string
	rep, err := within(ctx, s, func(tx *tenants.Tx) (callbacks.Report, error) {
		var err error
		if lang, _, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return callbacks.Report{}, err
		}
		return callbacks.Satisfaction(ctx, tx, from, to, optionalID(in.Outlet))
	})
	if err != nil {
		return nil, err
	}
	word := func(dim string) string {
		if w, ok := dimensionWords[dim]; ok && lang == "zh-CN" {
			return w
		}
		return dim
	}
	name := pick(lang, [2]string{"满意度", "satisfaction"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "satisfaction", name, rep.From+"_"+rep.To)
		if !ok {
			return
		}
		if err := w.Row(headers(lang, satisfactionColumns...)...); err != nil {
			return
		}
		for _, r := range rep.Rows {
			if err := w.Row(r.Day, r.OutletName, r.EngineerName, word(r.Dimension), r.Answers, r.Score.Score); err != nil {
				return
			}
		}
		_ = w.Close()
	}}, nil
}

// surveyLinkTx runs fn in the tenant of a survey link, as the customer holding it, after
// the public rate limits (per IP and per token).
func (s *Server) surveyLinkTx(ctx context.Context, token string, fn func(tx *tenants.Tx, taskID uuid.UUID, hash []byte) error) error {
	meta := actorMeta(ctx)
	for _, key := range []string{"public:ip:" + platform.LimitKey(meta.IP), "public:survey:" + platform.LimitKey(token)} {
		if ok, wait := s.Limiter.Allow(ctx, key, platform.PerMinute(publicLimit(s.Config))); !ok {
			return rateLimited(wait)
		}
	}
	tenantID, taskID, hash, err := callbacks.ParseLink(token)
	if err != nil {
		return err
	}
	meta.Kind, meta.Label = "consumer", "survey link"
	return s.DB.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error { return fn(tx, taskID, hash) })
}

type linkSurveyOut struct{ Body callbacks.LinkSurvey }

func (s *Server) publicGetSurvey(ctx context.Context, in *trackIn) (*linkSurveyOut, error) {
	out := &linkSurveyOut{}
	err := s.surveyLinkTx(ctx, in.Token, func(tx *tenants.Tx, taskID uuid.UUID, hash []byte) (err error) {
		out.Body, err = callbacks.LinkGet(ctx, tx, taskID, hash)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type linkAnswerIn struct {
	Token string `path:"token" maxLength:"200"`
	Body  struct {
		Answers []callbacks.SurveyAnswer `json:"answers" minItems:"1" maxItems:"30"`
	}
}

func (s *Server) publicAnswerSurvey(ctx context.Context, in *linkAnswerIn) (*linkSurveyOut, error) {
	out := &linkSurveyOut{}
	err := s.surveyLinkTx(ctx, in.Token, func(tx *tenants.Tx, taskID uuid.UUID, hash []byte) (err error) {
		out.Body, err = s.callbacksService().LinkAnswer(ctx, tx, taskID, hash, in.Body.Answers)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
