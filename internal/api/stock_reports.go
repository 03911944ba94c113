package api

// Stock reports: on hand by warehouse with its value, movements by type over days, slow
// movers and parts used per fault code and model; each also as XLSX or CSV in the reader's
// language. Outlet staff see their outlet's stock: row-level security's, not a filter here.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

func registerStockReportRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	scoped := " Outlet staff see their outlet's warehouses only."
	register(api, s, huma.Operation{OperationID: "report-stock-on-hand", Method: http.MethodGet, Path: "/stock/reports/on-hand", Tags: tags,
		Summary:     "Stock on hand per warehouse with its value",
		Description: "Per warehouse and currency: parts with stock, on hand, reserved and the value at unit cost of own stock only." + scoped,
		Errors:      []int{422}},
		route{perm: access.StockRead}, s.reportStockOnHand)
	register(api, s, huma.Operation{OperationID: "report-stock-movements", Method: http.MethodGet, Path: "/stock/reports/movements", Tags: tags,
		Summary:     "The journal's movements per type over days",
		Description: "Movements posted from from to to (inclusive) per type and, for issues, who paid: count, signed quantity and value." + scoped,
		Errors:      []int{422}},
		route{perm: access.StockRead}, s.reportStockMovements)
	register(api, s, huma.Operation{OperationID: "report-stock-slow-movers", Method: http.MethodGet, Path: "/stock/reports/slow-movers", Tags: tags,
		Summary:     "Parts on hand with no issue in the last days",
		Description: "Per warehouse and part, the never-issued first, then the longest unissued; with the value of own stock." + scoped,
		Errors:      []int{422}},
		route{perm: access.StockRead}, s.reportSlowMovers)
	register(api, s, huma.Operation{OperationID: "report-stock-parts-used", Method: http.MethodGet, Path: "/stock/reports/parts-used", Tags: tags,
		Summary:     "Parts used on orders per fault code and model",
		Description: "Parts issued to orders on the days from to to (the tenant's calendar) and not taken back, per the order's fault code and model." + scoped,
		Errors:      []int{422}},
		route{perm: access.StockRead}, s.reportPartsUsed)

	exportOp := func(name string) huma.Operation {
		return huma.Operation{OperationID: "export-stock-report-" + name, Method: http.MethodGet, Path: "/stock/reports/" + name + "/export",
			Tags: tags, Summary: "Export the " + name + " stock report as XLSX or CSV",
			Description: "The report's own query; headers and codes in the language asked for.", Errors: []int{422}}
	}
	register(api, s, exportOp("on-hand"), route{perm: access.StockRead}, s.exportStockOnHand)
	register(api, s, exportOp("movements"), route{perm: access.StockRead}, s.exportStockMovements)
	register(api, s, exportOp("slow-movers"), route{perm: access.StockRead}, s.exportSlowMovers)
	register(api, s, exportOp("parts-used"), route{perm: access.StockRead}, s.exportPartsUsed)
}

// partName is a part's name in lang: the English one when asked for and there is one.
func partName(lang, zh, en string) string {
	if lang != "zh-CN" && en != "" {
		return en
	}
	return zh
}

// StockWarehouseQuery narrows a stock report to one warehouse.
type StockWarehouseQuery struct {
	Warehouse string `query:"warehouse_id" format:"uuid" doc:"Only this warehouse"`
}

// StockDaysQuery is a stock report's days, the tenant's calendar days inclusive.
type StockDaysQuery struct {
	From string `query:"from" format:"date" required:"true" doc:"First day"`
	To   string `query:"to" format:"date" required:"true" doc:"Last day, inclusive; at most a year after from"`
}

// days are the range's days, checked: to not before from, at most a year.
func (q StockDaysQuery) days() (time.Time, time.Time, error) {
	r := ReportRange{From: q.From, To: q.To}.rng()
	return r.From, r.To, r.Check()
}

// SlowMoversQuery asks for parts on hand with no issue in the last days.
type SlowMoversQuery struct {
	Days int `query:"days" default:"90" minimum:"1" maximum:"3650" doc:"No issue in this many days"`
	StockWarehouseQuery
}

// StockOnHandReportOutput is stock on hand per warehouse.
type StockOnHandReportOutput struct {
	Body struct {
		Items []stock.WarehouseStock `json:"items"`
	}
}

func (s *Server) reportStockOnHand(ctx context.Context, in *StockWarehouseQuery) (*StockOnHandReportOutput, error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.WarehouseStock, error) {
		return stock.OnHandByWarehouse(ctx, tx, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	out := &StockOnHandReportOutput{}
	out.Body.Items = items
	return out, nil
}

type stockMovementsIn struct {
	StockDaysQuery
	StockWarehouseQuery
}

// StockMovementsReportOutput is the journal per type.
type StockMovementsReportOutput struct {
	Body struct {
		Items []stock.MovementSum `json:"items"`
	}
}

func (s *Server) reportStockMovements(ctx context.Context, in *stockMovementsIn) (*StockMovementsReportOutput, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.MovementSum, error) {
		return stock.MovementsByType(ctx, tx, from, to, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	out := &StockMovementsReportOutput{}
	out.Body.Items = items
	return out, nil
}

// SlowMoversReportOutput lists the slow movers.
type SlowMoversReportOutput struct {
	Body struct {
		Items []stock.SlowMover `json:"items"`
	}
}

func (s *Server) reportSlowMovers(ctx context.Context, in *SlowMoversQuery) (*SlowMoversReportOutput, error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.SlowMover, error) {
		return stock.SlowMovers(ctx, tx, in.Days, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	out := &SlowMoversReportOutput{}
	out.Body.Items = items
	return out, nil
}

// PartsUsedReportOutput is parts used per fault code and model.
type PartsUsedReportOutput struct {
	Body struct {
		Items []stock.PartUse `json:"items"`
	}
}

func (s *Server) reportPartsUsed(ctx context.Context, in *StockDaysQuery) (*PartsUsedReportOutput, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.PartUse, error) { return stock.PartsUsed(ctx, tx, from, to) })
	if err != nil {
		return nil, err
	}
	out := &PartsUsedReportOutput{}
	out.Body.Items = items
	return out, nil
}

// stockExport reads a report and its reader's language and zone in one transaction.
func stockExport[T any](ctx context.Context, s *Server, q ExportQuery, read func(tx *tenants.Tx) (T, error)) (T, string, *time.Location, error) {
	var lang string
	var loc *time.Location
	r, err := within(ctx, s, func(tx *tenants.Tx) (r T, err error) {
		if lang, loc, err = reportContext(ctx, tx, q); err != nil {
			return r, err
		}
		return read(tx)
	})
	return r, lang, loc, err
}

type stockOnHandExportIn struct {
	StockWarehouseQuery
	ExportQuery
}

func (s *Server) exportStockOnHand(ctx context.Context, in *stockOnHandExportIn) (*huma.StreamResponse, error) {
	items, lang, loc, err := stockExport(ctx, s, in.ExportQuery, func(tx *tenants.Tx) ([]stock.WarehouseStock, error) {
		return stock.OnHandByWarehouse(ctx, tx, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"仓库编码", "Warehouse code"}, [2]string{"仓库", "Warehouse"}, [2]string{"类型", "Kind"},
		[2]string{"归属", "Owner"}, [2]string{"有库存的配件数", "Parts in stock"}, [2]string{"在库", "On hand"}, [2]string{"已预留", "Reserved"},
		[2]string{"币种", "Currency"}, [2]string{"金额（最小货币单位）", "Value (minor units)"})}
	for _, w := range items {
		rows = append(rows, []any{w.WarehouseCode, w.WarehouseName, orders.Label(lang, "warehouse_kind", w.Kind), orders.Label(lang, "stock_owner", w.Owner),
			w.Parts, w.OnHand, w.Reserved, w.Currency, w.Value})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"库存金额", "stock-on-hand"}), loc, rows), nil
}

type stockMovementsExportIn struct {
	StockDaysQuery
	StockWarehouseQuery
	ExportQuery
}

func (s *Server) exportStockMovements(ctx context.Context, in *stockMovementsExportIn) (*huma.StreamResponse, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	items, lang, loc, err := stockExport(ctx, s, in.ExportQuery, func(tx *tenants.Tx) ([]stock.MovementSum, error) {
		return stock.MovementsByType(ctx, tx, from, to, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"类型", "Type"}, [2]string{"费用承担", "Paid by"}, [2]string{"笔数", "Movements"},
		[2]string{"数量", "Quantity"}, [2]string{"金额（最小货币单位）", "Value (minor units)"})}
	for _, m := range items {
		rows = append(rows, []any{orders.Label(lang, "movement_type", m.Type), orders.Label(lang, "issue_kind", m.IssueKind), m.Movements, m.Qty, m.Value})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"出入库汇总", "stock-movements"}), loc, rows), nil
}

type slowMoversExportIn struct {
	SlowMoversQuery
	ExportQuery
}

func (s *Server) exportSlowMovers(ctx context.Context, in *slowMoversExportIn) (*huma.StreamResponse, error) {
	items, lang, loc, err := stockExport(ctx, s, in.ExportQuery, func(tx *tenants.Tx) ([]stock.SlowMover, error) {
		return stock.SlowMovers(ctx, tx, in.Days, optionalID(in.Warehouse))
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"仓库编码", "Warehouse code"}, [2]string{"仓库", "Warehouse"}, [2]string{"零件号", "Part number"},
		[2]string{"名称", "Name"}, [2]string{"在库", "On hand"}, [2]string{"最近出库", "Last issued"}, [2]string{"币种", "Currency"},
		[2]string{"金额（最小货币单位）", "Value (minor units)"})}
	for _, m := range items {
		last := m.LastIssue
		if last == "" {
			last = pick(lang, [2]string{"从未", "Never"})
		}
		rows = append(rows, []any{m.WarehouseCode, m.WarehouseName, m.PartNo, partName(lang, m.NameZh, m.NameEn), m.OnHand, last, m.Currency, m.Value})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"呆滞库存", "slow-movers"}), loc, rows), nil
}

type partsUsedExportIn struct {
	StockDaysQuery
	ExportQuery
}

func (s *Server) exportPartsUsed(ctx context.Context, in *partsUsedExportIn) (*huma.StreamResponse, error) {
	from, to, err := in.days()
	if err != nil {
		return nil, err
	}
	items, lang, loc, err := stockExport(ctx, s, in.ExportQuery, func(tx *tenants.Tx) ([]stock.PartUse, error) {
		return stock.PartsUsed(ctx, tx, from, to)
	})
	if err != nil {
		return nil, err
	}
	rows := [][]any{headers(lang, [2]string{"故障代码", "Fault code"}, [2]string{"机型", "Model"}, [2]string{"零件号", "Part number"},
		[2]string{"名称", "Name"}, [2]string{"数量", "Quantity"}, [2]string{"工单数", "Orders"})}
	for _, u := range items {
		rows = append(rows, []any{u.FaultCode, u.ModelName, u.PartNo, partName(lang, u.NameZh, u.NameEn), u.Qty, u.Orders})
	}
	return reportExport(in.ExportQuery, lang, pick(lang, [2]string{"配件用量", "parts-used"}), loc, rows), nil
}
