package api

// Dashboards' reports: the flow of orders, SLA attainment, the backlog and money, read from
// the daily figures package reports rolls up; each also as XLSX or CSV.

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/reports"
	"github.com/aftersales/aftersales/tenants"
)

func registerReportRoutes(api huma.API, s *Server) {
	tags := []string{"Reports"}
	fresh := " Figures are rolled up every ten minutes (as_of says when); POST /v1/reports/refresh brings them up to date."
	register(api, s, huma.Operation{OperationID: "report-orders", Method: http.MethodGet, Path: "/reports/orders", Tags: tags,
		Summary:     "Orders in and closed per day, first-time-fix and repeat-repair rates, warranty and charged mix",
		Description: "Days are the tenant's calendar days. Outlet staff see their outlet's figures." + fresh, Errors: []int{422}},
		route{perm: access.OrdersRead}, s.reportOrders)
	register(api, s, huma.Operation{OperationID: "report-sla", Method: http.MethodGet, Path: "/reports/sla", Tags: tags,
		Summary:     "SLA attainment by target, outlet, engineer or tier, and per day",
		Description: "Clocks that ended (met or breached) in the range, as GET /v1/sla/attainment counts them." + fresh, Errors: []int{422}},
		route{perm: access.SLARead}, s.reportSLA)
	register(api, s, huma.Operation{OperationID: "report-backlog", Method: http.MethodGet, Path: "/reports/backlog", Tags: tags,
		Summary: "Open orders by status and age", Description: "As of the last roll-up today." + fresh, Errors: []int{422}},
		route{perm: access.OrdersRead}, s.reportBacklog)
	register(api, s, huma.Operation{OperationID: "report-money", Method: http.MethodGet, Path: "/reports/money", Tags: tags,
		Summary:     "Money per day: express-service payments and refunds, compensation paid, the ledger's other kinds",
		Description: "Signed minor units per currency and ledger kind." + fresh, Errors: []int{422}},
		route{perm: access.LedgerRead}, s.reportMoney)
	register(api, s, huma.Operation{OperationID: "refresh-reports", Method: http.MethodPost, Path: "/reports/refresh", Tags: tags,
		Summary: "Roll up the tenant's figures now",
		Description: "Recomputes the days since the last final day (yesterday at least) and the backlog. With from (tenant " +
			"settings permission), recomputes from that day, at most a year back: after importing past orders.",
		Errors: []int{403, 422}},
		route{perm: access.OrdersRead}, s.refreshReports)

	exportOp := func(name string) huma.Operation {
		return huma.Operation{OperationID: "export-report-" + name, Method: http.MethodGet, Path: "/reports/" + name + "/export",
			Tags: tags, Summary: "Export the " + name + " report as XLSX or CSV",
			Description: "The report's own query; headers and codes in the language asked for.", Errors: []int{422}}
	}
	register(api, s, exportOp("orders"), route{perm: access.OrdersRead}, s.exportOrdersReport)
	register(api, s, exportOp("sla"), route{perm: access.SLARead}, s.exportSLAReport)
	register(api, s, exportOp("backlog"), route{perm: access.OrdersRead}, s.exportBacklogReport)
	register(api, s, exportOp("money"), route{perm: access.LedgerRead}, s.exportMoneyReport)
}

// ReportRange is a report's days and outlet.
type ReportRange struct {
	From   string `query:"from" format:"date" required:"true" doc:"First day (the tenant's calendar)"`
	To     string `query:"to" format:"date" required:"true" doc:"Last day, inclusive; at most a year after from"`
	Outlet string `query:"outlet_id" format:"uuid" doc:"Only this outlet's figures"`
}

func (r ReportRange) rng() reports.Range {
	from, _ := time.Parse(time.DateOnly, r.From) // format:"date" validated them
	to, _ := time.Parse(time.DateOnly, r.To)
	return reports.Range{From: from, To: to, Outlet: optionalID(r.Outlet)}
}

type reportRangeIn struct{ ReportRange }

// OrdersReportOutput is the orders report.
type OrdersReportOutput struct{ Body reports.OrdersReport }

func (s *Server) reportOrders(ctx context.Context, in *reportRangeIn) (*OrdersReportOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (reports.OrdersReport, error) { return reports.Orders(ctx, tx, in.rng()) })
	if err != nil {
		return nil, err
	}
	return &OrdersReportOutput{Body: r}, nil
}

type slaReportIn struct {
	ReportRange
	By reportBy `query:"by" default:"target"`
}

// SLAReportOutput is the SLA report.
type SLAReportOutput struct{ Body reports.SLAReport }

func (s *Server) reportSLA(ctx context.Context, in *slaReportIn) (*SLAReportOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (reports.SLAReport, error) {
		return reports.SLA(ctx, tx, in.rng(), string(in.By))
	})
	if err != nil {
		return nil, err
	}
	return &SLAReportOutput{Body: r}, nil
}

type backlogIn struct {
	Outlet string `query:"outlet_id" format:"uuid" doc:"Only this outlet's open orders"`
}

// BacklogReportOutput is the backlog report.
type BacklogReportOutput struct{ Body reports.BacklogReport }

func (s *Server) reportBacklog(ctx context.Context, in *backlogIn) (*BacklogReportOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (reports.BacklogReport, error) {
		return reports.Backlog(ctx, tx, optionalID(in.Outlet))
	})
	if err != nil {
		return nil, err
	}
	return &BacklogReportOutput{Body: r}, nil
}

type moneyReportIn struct {
	From string `query:"from" format:"date" required:"true" doc:"First day (the tenant's calendar)"`
	To   string `query:"to" format:"date" required:"true" doc:"Last day, inclusive; at most a year after from"`
}

// MoneyReportOutput is the money report.
type MoneyReportOutput struct{ Body reports.MoneyReport }

func (s *Server) reportMoney(ctx context.Context, in *moneyReportIn) (*MoneyReportOutput, error) {
	rng := ReportRange{From: in.From, To: in.To}.rng()
	r, err := within(ctx, s, func(tx *tenants.Tx) (reports.MoneyReport, error) { return reports.Money(ctx, tx, rng) })
	if err != nil {
		return nil, err
	}
	return &MoneyReportOutput{Body: r}, nil
}

type refreshReportsIn struct {
	Body struct {
		From string `json:"from,omitempty" format:"date" doc:"Recompute from this day (tenant settings permission), at most a year back"`
	}
}

// RefreshReportsOutput says which days were recomputed.
type RefreshReportsOutput struct {
	Body struct {
		From          string `json:"from" doc:"The first day recomputed"`
		RolledThrough string `json:"rolled_through" doc:"The last final day (yesterday); today's figures grow until tomorrow"`
	}
}

func (s *Server) refreshReports(ctx context.Context, in *refreshReportsIn) (*RefreshReportsOutput, error) {
	p := principal(ctx)
	var from *time.Time
	if in.Body.From != "" {
		if !p.Can(access.TenantSettings) {
			return nil, huma.Error403Forbidden("recomputing past days needs the tenant:settings permission")
		}
		d, err := time.Parse(time.DateOnly, in.Body.From)
		if err != nil {
			return nil, fault.Invalid("body.from", "must be a date (YYYY-MM-DD)")
		}
		from = &d
	}
	// The roll-up writes the whole tenant's figures, whoever asks: it reads only the tenant's
	// own rows, and what the caller then reads of them is row-level security's to say.
	st, err := reports.Rollup(ctx, s.DB, tenants.Scope{TenantID: p.TenantID, Actor: tenants.SystemActor}, from)
	if err != nil {
		return nil, err
	}
	out := &RefreshReportsOutput{}
	out.Body.From, out.Body.RolledThrough = st.From.Format(time.DateOnly), st.RolledThrough.Format(time.DateOnly)
	return out, nil
}

// reportExport streams rows (the header first) as an export named name.
func reportExport(q ExportQuery, lang, name string, loc *time.Location, rows [][]any) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := q.open(hctx, "report", name, nowStamp(loc))
		if !ok {
			return
		}
		for _, r := range rows {
			if err := w.Row(r...); err != nil {
				return
			}
		}
		_ = w.Close()
	}}
}

// pick is a label in lang of a zh-CN/en pair.
func pick(lang string, l [2]string) string {
	if lang == "zh-CN" {
		return l[0]
	}
	return l[1]
}

// headers are a header row in lang.
func headers(lang string, cols ...[2]string) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = pick(lang, c)
	}
	return out
}

// reportContext reads what every export needs: the tenant's language and time zone.
func reportContext(ctx context.Context, tx *tenants.Tx, q ExportQuery) (string, *time.Location, error) {
	tn, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	return q.lang(tn.Locale), loc, nil
}

type reportRangeExportIn struct {
	ReportRange
	ExportQuery
}

func (s *Server) exportOrdersReport(ctx context.Context, in *reportRangeExportIn) (*huma.StreamResponse, error) {
	var lang string
	var loc *time.Location
	r, err := within(ctx, s, func(tx *tenants.Tx) (rep reports.OrdersReport, err error) {
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return rep, err
		}
		return reports.Orders(ctx, tx, in.rng())
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"日期", "Day"}, [2]string{"新建", "In"}, [2]string{"关闭", "Closed"},
		[2]string{"完工", "Completed"}, [2]string{"一次修复", "Fixed first time"}, [2]string{"重复维修", "Repeat repairs"})}
	for _, d := range append(r.Days, r.Totals) {
		day := d.Day
		if day == "" {
			day = pick(lang, [2]string{"合计", "Total"})
		}
		rows = append(rows, []any{day, d.In, d.Closed, d.Completed, d.FirstTimeFixed, d.Repeats})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"工单报表", "orders-report"}), loc, rows), nil
}

type slaExportIn struct {
	ReportRange
	By reportBy `query:"by" default:"target"`
	ExportQuery
}

func (s *Server) exportSLAReport(ctx context.Context, in *slaExportIn) (*huma.StreamResponse, error) {
	var lang string
	var loc *time.Location
	names := map[string]string{}
	r, err := within(ctx, s, func(tx *tenants.Tx) (rep reports.SLAReport, err error) {
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return rep, err
		}
		if rep, err = reports.SLA(ctx, tx, in.rng(), string(in.By)); err != nil {
			return rep, err
		}
		if in.By == "outlet" {
			var ids []uuid.UUID
			for _, it := range rep.Items {
				if id, err := uuid.Parse(it.Key); err == nil {
					ids = append(ids, id)
				}
			}
			found, err := tenants.OutletNames(ctx, tx, ids)
			for id, n := range found {
				names[id.String()] = n
			}
			return rep, err
		}
		return rep, nil
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"分组", "Group"}, [2]string{"按时", "Met"}, [2]string{"超时", "Breached"},
		[2]string{"达成率 %", "Met %"})}
	for _, it := range r.Items {
		key := it.Key
		switch {
		case names[key] != "":
			key = names[key]
		case in.By == "target":
			key = orders.Label(lang, "sla_target", key)
		}
		rows = append(rows, []any{key, it.Met, it.Breached, it.Percent})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"时效达成", "sla-report"}), loc, rows), nil
}

type backlogExportIn struct {
	backlogIn
	ExportQuery
}

func (s *Server) exportBacklogReport(ctx context.Context, in *backlogExportIn) (*huma.StreamResponse, error) {
	var lang string
	var loc *time.Location
	r, err := within(ctx, s, func(tx *tenants.Tx) (rep reports.BacklogReport, err error) {
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return rep, err
		}
		return reports.Backlog(ctx, tx, optionalID(in.Outlet))
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"状态", "Status"}, [2]string{"时长", "Age"}, [2]string{"工单数", "Orders"})}
	for _, c := range r.Items {
		rows = append(rows, []any{orders.Label(lang, "status", c.Status), c.Age, c.Count})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"积压工单", "backlog"}), loc, rows), nil
}

type moneyExportIn struct {
	moneyReportIn
	ExportQuery
}

func (s *Server) exportMoneyReport(ctx context.Context, in *moneyExportIn) (*huma.StreamResponse, error) {
	var lang string
	var loc *time.Location
	rng := ReportRange{From: in.From, To: in.To}.rng()
	r, err := within(ctx, s, func(tx *tenants.Tx) (rep reports.MoneyReport, err error) {
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return rep, err
		}
		return reports.Money(ctx, tx, rng)
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"日期", "Day"}, [2]string{"币种", "Currency"}, [2]string{"类型", "Kind"},
		[2]string{"金额（最小货币单位）", "Amount (minor units)"})}
	for _, d := range r.Days {
		for _, k := range slices.Sorted(maps.Keys(d.Kinds)) {
			rows = append(rows, []any{d.Day, d.Currency, orders.Label(lang, "ledger_kind", k), d.Kinds[k]})
		}
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"资金报表", "money-report"}), loc, rows), nil
}
