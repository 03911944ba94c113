package api

// The order list as a spreadsheet: the list's own filters, every page, in the reader's
// language and the tenant's time zone.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

func registerOrderExportRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "export-orders", Method: http.MethodGet, Path: "/orders/export",
		Tags: []string{"Service orders"}, Summary: "Export the order list as XLSX or CSV",
		Description: fmt.Sprintf("The list's filters; every matching order, newest first, at most %d (a last row says when "+
			"there were more). Columns and codes in the language asked for (lang, else Accept-Language, else the tenant's); "+
			"times in the tenant's time zone. Outlet staff export their outlet's orders only.", export.MaxRows),
		Errors: []int{422}},
		route{perm: access.OrdersRead}, s.exportOrders)
}

// ExportQuery chooses an export's format and language.
type ExportQuery struct {
	Format         exportFormat `query:"format" default:"xlsx"`
	Lang           locale       `query:"lang" doc:"Language of the header and the codes; default: Accept-Language, else the tenant's"`
	AcceptLanguage string       `header:"Accept-Language"`
}

// lang is the export's language given the tenant's.
func (q ExportQuery) lang(tenant string) string {
	switch {
	case q.Lang != "":
		return string(q.Lang)
	case strings.HasPrefix(strings.ToLower(q.AcceptLanguage), "zh"):
		return "zh-CN"
	case q.AcceptLanguage != "" && !strings.HasPrefix(q.AcceptLanguage, "*"):
		return "en"
	case tenant == "zh-CN":
		return "zh-CN"
	}
	return "en"
}

// open starts an export's file named for its download: the writer of the format asked for,
// its Content-Type, and a Content-Disposition with an ASCII name (ascii-stamp.ext) for old
// clients and the reader's language's (name-stamp.ext) for the rest (RFC 6266). stamp says
// what the file holds or when it was made (nowStamp). It says false when the format has no
// writer.
func (q ExportQuery) open(hctx huma.Context, ascii, name, stamp string) (export.Writer, bool) {
	w, err := export.New(string(q.Format), hctx.BodyWriter(), name)
	if err != nil {
		return nil, false
	}
	hctx.SetHeader("Content-Type", w.ContentType())
	hctx.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"; filename*=UTF-8''%s`,
		ascii, stamp, q.Format, url.PathEscape(name+"-"+stamp+"."+string(q.Format))))
	return w, true
}

// nowStamp stamps an export with the moment it was made, in the tenant's time zone.
func nowStamp(loc *time.Location) string { return time.Now().In(loc).Format("20060102-1504") }

type exportOrdersIn struct {
	OrderFilter
	ExportQuery
}

// orderColumns are the export's columns: zh-CN and en headers.
var orderColumns = [][2]string{
	{"单号", "Number"}, {"状态", "Status"}, {"类型", "Type"}, {"方式", "Flow"}, {"渠道", "Channel"},
	{"序列号", "Serial"}, {"故障代码", "Fault code"}, {"故障描述", "Fault"}, {"保修判定", "Coverage"},
	{"服务等级", "Tier"}, {"加急", "Urgent"}, {"重复维修", "Repeat repair"}, {"网点", "Outlet"},
	{"下单时间", "Created"}, {"完工时间", "Completed"}, {"关闭时间", "Closed"},
}

// exportPage is how many orders each read takes.
const exportPage = 500

func (s *Server) exportOrders(ctx context.Context, in *exportOrdersIn) (*huma.StreamResponse, error) {
	f, err := in.OrderFilter.filter(time.Now())
	if err != nil {
		return nil, err
	}
	// The first page and the tenant are read before anything is written, so a refusal is a
	// problem, not a broken file.
	var lang string
	var loc *time.Location
	f.Limit = exportPage
	if f.Undispatched {
		f.Limit = export.MaxRows // the dispatch queue is one ranked read, not paged
	}
	outlets := map[uuid.UUID]string{} // the names of the outlets the pages so far name
	read := func(tx *tenants.Tx) ([]orders.Order, error) {
		page, err := orders.List(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		return page, nameOutlets(ctx, tx, page, func(o orders.Order) *uuid.UUID { return o.OutletID }, outlets)
	}
	first, err := within(ctx, s, func(tx *tenants.Tx) ([]orders.Order, error) {
		var err error
		if lang, loc, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return nil, err
		}
		return read(tx)
	})
	if err != nil {
		return nil, err
	}
	yes := func(b bool) string {
		if !b {
			return ""
		}
		return pick(lang, [2]string{"是", "yes"})
	}
	local := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.In(loc)
	}
	name := pick(lang, [2]string{"工单", "orders"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "orders", name, nowStamp(loc))
		if !ok {
			return
		}
		var next func(orders.Order) ([]orders.Order, error)
		if !f.Undispatched { // the dispatch queue is one ranked read, not paged
			next = func(last orders.Order) ([]orders.Order, error) {
				f.BeforeID = uuid.NullUUID{UUID: last.ID, Valid: true}
				return within(ctx, s, read)
			}
		}
		exportPages(ctx, s.Log, w, exportPaging[orders.Order]{what: "orders", header: headers(lang, orderColumns...), first: first, next: next,
			cut: pick(lang, [2]string{fmt.Sprintf("仅导出前 %d 条：请缩小筛选范围", export.MaxRows),
				fmt.Sprintf("Only the first %d orders: narrow the filters", export.MaxRows)}),
			row: func(o orders.Order) []any {
				outlet := ""
				if o.OutletID != nil {
					outlet = outlets[*o.OutletID]
				}
				return []any{o.Number, orders.Label(lang, "status", o.Status), orders.Label(lang, "type", o.Type),
					orders.Label(lang, "flow", o.Flow), orders.Label(lang, "channel", o.Channel), o.Serial, o.FaultCode,
					o.FaultDescription, orders.Label(lang, "coverage", o.EntitlementClass), o.TierCode, yes(o.Urgent),
					yes(o.IsRepeat), outlet, o.CreatedAt.In(loc), local(o.CompletedAt), local(o.ClosedAt)}
			}})
	}}, nil
}

// nameOutlets adds to names the names of the outlets that page's rows name (outletOf) and
// names lacks: an export reads the names of the outlets its pages show, a page at a time.
func nameOutlets[T any](ctx context.Context, tx *tenants.Tx, page []T, outletOf func(T) *uuid.UUID, names map[uuid.UUID]string) error {
	var missing []uuid.UUID
	for _, r := range page {
		id := outletOf(r)
		if id == nil {
			continue
		}
		if _, ok := names[*id]; !ok {
			names[*id] = "" // asked once, even if it is no longer in the scope
			missing = append(missing, *id)
		}
	}
	found, err := tenants.OutletNames(ctx, tx, missing)
	for id, n := range found {
		names[id] = n
	}
	return err
}
