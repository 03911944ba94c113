package api

// Complaints and the contact log: contacts by channel, complaints with severity, deadlines,
// handlers and steps, and the tenant's complaint rules (internal/complaints,
// docs/complaints.md). Which complaints a caller sees is row-level security's: a critical
// one only its named handlers and tenant admins.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/complaints"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// Enum types of the complaints' query parameters.
type (
	complaintStatus   string
	complaintSeverity string
	complaintTopic    string
	contactKind       string
	contactChannel    string
)

func (complaintStatus) Schema(huma.Registry) *huma.Schema   { return enumSchema(complaints.Statuses) }
func (complaintSeverity) Schema(huma.Registry) *huma.Schema { return enumSchema(complaints.Severities) }
func (complaintTopic) Schema(huma.Registry) *huma.Schema    { return enumSchema(complaints.Topics) }
func (contactKind) Schema(huma.Registry) *huma.Schema       { return enumSchema(complaints.Kinds) }
func (contactChannel) Schema(huma.Registry) *huma.Schema    { return enumSchema(complaints.Channels) }

// ComplaintOutput is one complaint with its ETag.
type ComplaintOutput struct {
	ETag string `header:"ETag"`
	Body complaints.Complaint
}

func complaintOut(c complaints.Complaint, err error) (*ComplaintOutput, error) {
	if err != nil {
		return nil, err
	}
	return &ComplaintOutput{ETag: etag(c.Version), Body: c}, nil
}

// ContactOutput is one contact of the log.
type ContactOutput struct {
	Body complaints.ContactEntry
}

// ComplaintRulesOutput is the tenant's complaint rules with their ETag.
type ComplaintRulesOutput struct {
	ETag string `header:"ETag"`
	Body complaints.ComplaintRules
}

// complaintSteps are the steps on a complaint, each a route: path, permission, summary.
var complaintSteps = []struct {
	act, path string
	perm      access.Permission
	summary   string
}{
	{complaints.ActRespond, "respond", access.ComplaintsHandle, "Record a response to the customer (meets the first-response deadline)"},
	{complaints.ActWait, "wait", access.ComplaintsHandle, "Wait for the customer: the deadlines pause until the customer replies or the wait is ended"},
	{complaints.ActResume, "resume", access.ComplaintsHandle, "End the wait for the customer: the deadlines run again"},
	{complaints.ActReport, "report", access.ComplaintsHandle, "File the complaint report (投诉报告; note: its text)"},
	{complaints.ActResolve, "resolve", access.ComplaintsHandle, "Resolve the complaint; it closes when the customer confirms"},
	{complaints.ActClose, "close", access.ComplaintsHandle, "Close a resolved complaint on the customer's confirmation (note: how they confirmed)"},
	{complaints.ActOverride, "close-override", access.ComplaintsManage, "Close without the customer's confirmation: a manager's override with reason"},
	{complaints.ActReopen, "reopen", access.ComplaintsHandle, "Reopen a resolved or closed complaint with a reason; the resolution deadline counts again"},
	{complaints.ActRaise, "raise", access.ComplaintsHandle, "Raise the severity with a reason (critical: confidential, the raiser among its handlers)"},
	{complaints.ActMerge, "merge", access.ComplaintsManage, "Merge this complaint into another (target_id): closed as merged, its contacts move there"},
	{complaints.ActParent, "parent", access.ComplaintsManage, "Put the complaint under a parent case (target_id; absent: none), for a batch problem"},
	{complaints.ActHandlers, "handlers", access.ComplaintsManage, "Name the complaint's handlers (a critical complaint is visible only to them and tenant admins)"},
}

// registerComplaintRoutes adds complaints, the contact log and the complaint rules.
func registerComplaintRoutes(api huma.API, s *Server) {
	tags := []string{"Complaints"}
	register(api, s, huma.Operation{OperationID: "list-complaints", Method: http.MethodGet, Path: "/complaints", Tags: tags,
		Summary: "Complaints the caller sees, newest first (a critical one only its handlers and tenant admins)"},
		route{perm: access.ComplaintsRead}, s.listComplaints)
	register(api, s, huma.Operation{OperationID: "open-complaint", Method: http.MethodPost, Path: "/complaints", Tags: tags,
		Summary:       "Open a complaint: severity from the channel by the tenant's rules (or raised with a reason), deadlines on the business calendar",
		DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.ComplaintsHandle}, s.openComplaint)
	register(api, s, huma.Operation{OperationID: "get-complaint", Method: http.MethodGet, Path: "/complaints/{id}", Tags: tags,
		Summary: "Get a complaint with its contacts, children and the complaints merged into it", Errors: []int{404}},
		route{perm: access.ComplaintsRead}, s.getComplaint)
	for _, st := range complaintSteps {
		act := st.act
		register(api, s, huma.Operation{OperationID: "complaint-" + st.path, Method: http.MethodPost, Path: "/complaints/{id}/" + st.path,
			Tags: tags, Summary: st.summary, Errors: []int{404, 409, 412, 422}},
			route{perm: st.perm}, func(ctx context.Context, in *complaintStepIn) (*ComplaintOutput, error) {
				return s.complaintStep(ctx, in, act)
			})
	}
	register(api, s, huma.Operation{OperationID: "list-contacts", Method: http.MethodGet, Path: "/contacts", Tags: tags,
		Summary: "The contact log (consultations, praise, suggestions, complaints), newest first"},
		route{perm: access.ComplaintsRead}, s.listContacts)
	register(api, s, huma.Operation{OperationID: "log-contact", Method: http.MethodPost, Path: "/contacts", Tags: tags,
		Summary:       "Log a contact; a complaint contact continues a complaint (inbound: the customer's reply resumes its clock) or opens one (topic)",
		DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.ComplaintsHandle}, s.logContact)
	register(api, s, huma.Operation{OperationID: "get-contact", Method: http.MethodGet, Path: "/contacts/{id}", Tags: tags,
		Summary: "Get a contact", Errors: []int{404}},
		route{perm: access.ComplaintsRead}, s.getContact)
	register(api, s, huma.Operation{OperationID: "get-complaint-rules", Method: http.MethodGet, Path: "/complaint-rules", Tags: tags,
		Summary: "The complaint rules: severity per channel, deadlines per severity (the defaults of seed 001 until changed)"},
		route{perm: access.ComplaintsRead}, s.getComplaintRules)
	register(api, s, huma.Operation{OperationID: "update-complaint-rules", Method: http.MethodPut, Path: "/complaint-rules", Tags: tags,
		Summary: "Replace the complaint rules (complaints opened later use them)", Errors: []int{412, 422, 428}},
		route{perm: access.ComplaintsManage}, s.updateComplaintRules)
	register(api, s, huma.Operation{OperationID: "complaints-report", Method: http.MethodGet, Path: "/reports/complaints",
		Tags: []string{"Reports"}, Summary: "Complaints per 1000 orders by outlet, topic and severity, and the time to close, over days",
		Errors: []int{422}},
		route{perm: access.ComplaintsRead}, s.complaintReport)
	register(api, s, huma.Operation{OperationID: "export-complaints-report", Method: http.MethodGet, Path: "/reports/complaints/export",
		Tags: []string{"Reports"}, Summary: "Export the complaint report as XLSX or CSV: a row per outlet, topic and severity, and the total",
		Errors: []int{422}},
		route{perm: access.ComplaintsRead}, s.exportComplaintReport)
}

type complaintReportOut struct {
	Body complaints.ComplaintReportBody
}

func (s *Server) complaintReport(ctx context.Context, in *satisfactionIn) (*complaintReportOut, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	rep, err := within(ctx, s, func(tx *tenants.Tx) (complaints.ComplaintReportBody, error) {
		return complaints.ComplaintReport(ctx, tx, from, to)
	})
	if err != nil {
		return nil, err
	}
	return &complaintReportOut{Body: rep}, nil
}

type exportComplaintReportIn struct {
	From string `query:"from" format:"date" required:"true" doc:"First day (the tenant's calendar)"`
	To   string `query:"to" format:"date" required:"true" doc:"Last day, included; at most 366 days after from"`
	ExportQuery
}

// complaintReportColumns are the export's columns: zh-CN and en headers.
var complaintReportColumns = [][2]string{{"维度", "Group"}, {"项目", "Item"}, {"投诉数", "Complaints"}, {"工单数", "Orders"},
	{"千单投诉率", "Per 1000 orders"}, {"已结案", "Closed"}, {"平均结案小时", "Avg hours to close"}, {"结案小时中位数", "Median hours to close"}}

// complaintWords are the Chinese names of the report's groups, topics and severities.
var complaintWords = map[string]string{"outlet": "网点", "topic": "类别", "severity": "严重度", "total": "合计", "all": "全部",
	"quality": "产品质量", "attitude": "服务态度", "cycle_time": "维修时效", "price": "价格", "other": "其他",
	"general": "一般", "serious": "严重", "critical": "恶性"}

func (s *Server) exportComplaintReport(ctx context.Context, in *exportComplaintReportIn) (*huma.StreamResponse, error) {
	from, to, err := satisfactionIn{From: in.From, To: in.To}.days()
	if err != nil {
		return nil, err
	}
	var lang string
	rep, err := within(ctx, s, func(tx *tenants.Tx) (complaints.ComplaintReportBody, error) {
		var err error
		if lang, _, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return complaints.ComplaintReportBody{}, err
		}
		return complaints.ComplaintReport(ctx, tx, from, to)
	})
	if err != nil {
		return nil, err
	}
	word := func(w string) string {
		if z, ok := complaintWords[w]; ok && lang == "zh-CN" {
			return z
		}
		return w
	}
	name := pick(lang, [2]string{"投诉报表", "complaints"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "complaints", name, rep.From+"_"+rep.To)
		if !ok {
			return
		}
		if err := w.Row(headers(lang, complaintReportColumns...)...); err != nil {
			return
		}
		row := func(group, item string, g complaints.ComplaintReportGroup) error {
			return w.Row(word(group), item, g.Complaints, g.Orders, g.Rate, g.Closed, g.AvgHours, g.MedianHours)
		}
		for _, g := range rep.ByOutlet {
			item := g.Name
			if item == "" {
				item = pick(lang, [2]string{"无网点", "no outlet"})
			}
			if row("outlet", item, g) != nil {
				return
			}
		}
		for _, g := range rep.ByTopic {
			if row("topic", word(g.Key), g) != nil {
				return
			}
		}
		for _, g := range rep.BySeverity {
			if row("severity", word(g.Key), g) != nil {
				return
			}
		}
		if row("total", word("all"), rep.Total) != nil {
			return
		}
		_ = w.Close()
	}}, nil
}

// complaints is the complaints service of the server.
func (s *Server) complaints() *complaints.Service {
	var jobs events.Inserter
	if s.Jobs != nil {
		jobs = s.Jobs
	}
	return &complaints.Service{Jobs: jobs}
}

type listComplaintsIn struct {
	PageQuery
	Status   complaintStatus   `query:"status"`
	Severity complaintSeverity `query:"severity"`
	Topic    complaintTopic    `query:"topic"`
	Outlet   string            `query:"outlet_id" format:"uuid"`
	Parent   string            `query:"parent_id" format:"uuid" doc:"Only the complaints under this parent case"`
	Overdue  bool              `query:"overdue" doc:"Only open complaints past a deadline they have not met"`
}

func (s *Server) listComplaints(ctx context.Context, in *listComplaintsIn) (*PageOutput[complaints.Complaint], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]complaints.Complaint, error) {
		return complaints.List(ctx, tx, complaints.Filter{Status: string(in.Status), Severity: string(in.Severity),
			Topic: string(in.Topic), OutletID: optionalID(in.Outlet).UUID, ParentID: optionalID(in.Parent).UUID,
			Overdue: in.Overdue, After: after.UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c complaints.Complaint) uuid.UUID { return c.ID }), nil
}

type openComplaintIn struct {
	Body complaints.NewComplaint
}

func (s *Server) openComplaint(ctx context.Context, in *openComplaintIn) (*ComplaintOutput, error) {
	return complaintOut(within(ctx, s, func(tx *tenants.Tx) (complaints.Complaint, error) {
		c, err := s.complaints().Open(ctx, tx, in.Body)
		if err != nil {
			return c, err
		}
		return complaints.Get(ctx, tx, c.ID)
	}))
}

func (s *Server) getComplaint(ctx context.Context, in *IDPath) (*ComplaintOutput, error) {
	return complaintOut(within(ctx, s, func(tx *tenants.Tx) (complaints.Complaint, error) { return complaints.Get(ctx, tx, in.id()) }))
}

type complaintStepIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional (412 when stale)"`
	Body    complaints.ComplaintAction
}

func (s *Server) complaintStep(ctx context.Context, in *complaintStepIn, act string) (*ComplaintOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return complaintOut(within(ctx, s, func(tx *tenants.Tx) (complaints.Complaint, error) {
		if _, err := s.complaints().Do(ctx, tx, in.id(), v, act, in.Body); err != nil {
			return complaints.Complaint{}, err
		}
		return complaints.Get(ctx, tx, in.id())
	}))
}

type listContactsIn struct {
	PageQuery
	Kind      contactKind    `query:"kind"`
	Channel   contactChannel `query:"channel"`
	Customer  string         `query:"customer_id" format:"uuid"`
	Complaint string         `query:"complaint_id" format:"uuid"`
}

func (s *Server) listContacts(ctx context.Context, in *listContactsIn) (*PageOutput[complaints.ContactEntry], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]complaints.ContactEntry, error) {
		return complaints.Contacts(ctx, tx, complaints.ContactFilter{Kind: string(in.Kind), Channel: string(in.Channel),
			CustomerID: optionalID(in.Customer).UUID, Complaint: optionalID(in.Complaint).UUID, After: after.UUID,
			Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c complaints.ContactEntry) uuid.UUID { return c.ID }), nil
}

type logContactIn struct {
	Body complaints.NewContact
}

func (s *Server) logContact(ctx context.Context, in *logContactIn) (*ContactOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (complaints.ContactEntry, error) {
		return s.complaints().LogContact(ctx, tx, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &ContactOutput{Body: c}, nil
}

func (s *Server) getContact(ctx context.Context, in *IDPath) (*ContactOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (complaints.ContactEntry, error) { return complaints.GetContact(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ContactOutput{Body: c}, nil
}

type complaintRules struct {
	rules   complaints.ComplaintRules
	version int32
}

func (s *Server) getComplaintRules(ctx context.Context, _ *struct{}) (*ComplaintRulesOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (complaintRules, error) {
		rules, v, err := complaints.GetRules(ctx, tx)
		return complaintRules{rules, v}, err
	})
	if err != nil {
		return nil, err
	}
	return &ComplaintRulesOutput{ETag: etag(r.version), Body: r.rules}, nil
}

type putComplaintRulesIn struct {
	IfMatch
	Body complaints.ComplaintRules
}

func (s *Server) updateComplaintRules(ctx context.Context, in *putComplaintRulesIn) (*ComplaintRulesOutput, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	r, err := within(ctx, s, func(tx *tenants.Tx) (complaintRules, error) {
		rules, nv, err := complaints.SaveRules(ctx, tx, v, in.Body)
		return complaintRules{rules, nv}, err
	})
	if err != nil {
		return nil, err
	}
	return &ComplaintRulesOutput{ETag: etag(r.version), Body: r.rules}, nil
}
