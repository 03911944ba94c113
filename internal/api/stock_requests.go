package api

// Outlets' requests for parts to the central warehouse: filed, reviewed (approve, cut,
// reject), and the approved ones shipped as a transfer; and safety stock per warehouse and
// part.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// PartRequestOutput is one part request.
type PartRequestOutput struct {
	Body stock.PartRequest
}

// SafetyStockOutput is one safety stock setting.
type SafetyStockOutput struct {
	Body stock.SafetyStock
}

// SafetyStockList is a warehouse's (or every warehouse's) safety stock.
type SafetyStockList struct {
	Items []stock.SafetyStock `json:"items"`
}

// SafetyStockListOutput answers the safety stock list.
type SafetyStockListOutput struct {
	Body SafetyStockList
}

func registerPartRequestRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "create-part-request", Method: http.MethodPost, Path: "/part-requests", Tags: tags,
		Summary:       "Ask a central warehouse for parts (outlet staff: into their outlet's warehouses)",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockMove, idem: true}, s.createPartRequest)
	register(api, s, huma.Operation{OperationID: "list-part-requests", Method: http.MethodGet, Path: "/part-requests", Tags: tags,
		Summary: "List part requests newest first (outlet staff: their outlet's)"},
		route{perm: access.StockRead}, s.listPartRequests)
	register(api, s, huma.Operation{OperationID: "get-part-request", Method: http.MethodGet, Path: "/part-requests/{id}", Tags: tags,
		Summary: "Get a part request", Errors: []int{404}},
		route{perm: access.StockRead}, s.getPartRequest)
	register(api, s, huma.Operation{OperationID: "review-part-request", Method: http.MethodPost, Path: "/part-requests/{id}/review", Tags: tags,
		Summary: "Approve (perhaps cutting the quantity, with a note) or reject (with a note) a pending request; the central warehouse's staff only",
		Errors:  []int{403, 404, 409, 422}},
		route{perm: access.StockManage}, s.reviewPartRequest)
	register(api, s, huma.Operation{OperationID: "ship-part-requests", Method: http.MethodPost, Path: "/part-requests/ship", Tags: tags,
		Summary:       "Ship approved requests of one source and destination as one transfer (a line per request)",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockMove}, s.shipPartRequests)
	register(api, s, huma.Operation{OperationID: "list-stock-suggestions", Method: http.MethodGet, Path: "/stock/suggestions", Tags: tags,
		Summary: "What to order or transfer: safety stock lines below their minimum, with on hand, reserved, in transit and incoming beside each"},
		route{perm: access.StockRead}, s.listSuggestions)
	register(api, s, huma.Operation{OperationID: "get-daily-stock-suggestions", Method: http.MethodGet, Path: "/stock/suggestions/daily",
		Tags: tags, Summary: "The replenishment suggestions the daily job wrote for a day (today when omitted): the lines short that morning",
		Errors: []int{422}},
		route{perm: access.StockRead}, s.getDailySuggestions)
	register(api, s, huma.Operation{OperationID: "list-safety-stock", Method: http.MethodGet, Path: "/safety-stock", Tags: tags,
		Summary: "Safety stock per warehouse and part (at most 1000 rows; filter by warehouse)"},
		route{perm: access.StockRead}, s.listSafetyStock)
	register(api, s, huma.Operation{OperationID: "put-safety-stock", Method: http.MethodPost, Path: "/safety-stock", Tags: tags,
		Summary: "Set a warehouse's safety stock of a part (min available, reorder quantity)", Errors: []int{422}},
		route{perm: access.StockManage}, s.putSafetyStock)
}

type createPartRequestIn struct{ Body stock.RequestInput }

func (s *Server) createPartRequest(ctx context.Context, in *createPartRequestIn) (*PartRequestOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.PartRequest, error) { return stock.Request(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &PartRequestOutput{Body: r}, nil
}

type listPartRequestsIn struct {
	PageQuery
	Status            requestStatus `query:"status"`
	WarehouseID       string        `query:"warehouse_id" format:"uuid" doc:"Requests into this warehouse"`
	SourceWarehouseID string        `query:"source_warehouse_id" format:"uuid" doc:"Requests to this warehouse"`
}

func (s *Server) listPartRequests(ctx context.Context, in *listPartRequestsIn) (*PageOutput[stock.PartRequest], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.PartRequest, error) {
		return stock.ListRequests(ctx, tx, stock.RequestFilter{Before: before, Status: string(in.Status), WarehouseID: optionalID(in.WarehouseID),
			SourceWarehouseID: optionalID(in.SourceWarehouseID), Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(r stock.PartRequest) uuid.UUID { return r.ID }), nil
}

func (s *Server) getPartRequest(ctx context.Context, in *IDPath) (*PartRequestOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.PartRequest, error) { return stock.GetRequest(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PartRequestOutput{Body: r}, nil
}

type reviewPartRequestIn struct {
	IDPath
	Body stock.ReviewInput
}

func (s *Server) reviewPartRequest(ctx context.Context, in *reviewPartRequestIn) (*PartRequestOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.PartRequest, error) { return stock.Review(ctx, tx, in.id(), in.Body) })
	if err != nil {
		return nil, err
	}
	return &PartRequestOutput{Body: r}, nil
}

type shipPartRequestsIn struct{ Body stock.ShipRequestsInput }

func (s *Server) shipPartRequests(ctx context.Context, in *shipPartRequestsIn) (*TransferOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (stock.Transfer, error) { return stock.ShipRequests(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &TransferOutput{Body: t}, nil
}

type listSafetyStockIn struct {
	WarehouseID string `query:"warehouse_id" format:"uuid"`
}

func (s *Server) listSafetyStock(ctx context.Context, in *listSafetyStockIn) (*SafetyStockListOutput, error) {
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.SafetyStock, error) {
		return stock.ListSafety(ctx, tx, optionalID(in.WarehouseID), uuid.NullUUID{}, uuid.NullUUID{}, 1000)
	})
	if err != nil {
		return nil, err
	}
	return &SafetyStockListOutput{Body: SafetyStockList{Items: rows}}, nil
}

type putSafetyStockIn struct{ Body stock.SafetyInput }

func (s *Server) putSafetyStock(ctx context.Context, in *putSafetyStockIn) (*SafetyStockOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.SafetyStock, error) { return stock.SetSafety(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &SafetyStockOutput{Body: r}, nil
}

// SuggestionList is the replenishment suggestion list.
type SuggestionList struct {
	Items []stock.Suggestion `json:"items"`
}

// SuggestionListOutput answers the suggestion list.
type SuggestionListOutput struct {
	Body SuggestionList
}

type listSuggestionsIn struct {
	WarehouseID string `query:"warehouse_id" format:"uuid"`
	All         bool   `query:"all" doc:"Every safety stock line, not only those that need something"`
}

func (s *Server) listSuggestions(ctx context.Context, in *listSuggestionsIn) (*SuggestionListOutput, error) {
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Suggestion, error) {
		return stock.Suggest(ctx, tx, optionalID(in.WarehouseID), !in.All)
	})
	if err != nil {
		return nil, err
	}
	return &SuggestionListOutput{Body: SuggestionList{Items: rows}}, nil
}

// DailySuggestionsOutput answers the day's written suggestions.
type DailySuggestionsOutput struct {
	Body stock.DailyRun
}

type dailySuggestionsIn struct {
	Day         string `query:"day" format:"date" doc:"The day (YYYY-MM-DD, the tenant's); today when omitted"`
	WarehouseID string `query:"warehouse_id" format:"uuid"`
}

func (s *Server) getDailySuggestions(ctx context.Context, in *dailySuggestionsIn) (*DailySuggestionsOutput, error) {
	var day time.Time
	if in.Day != "" {
		t, err := time.Parse(time.DateOnly, in.Day)
		if err != nil {
			return nil, fault.Invalid("query.day", "must be a date, YYYY-MM-DD")
		}
		day = t
	}
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.DailyRun, error) {
		return stock.GetDaily(ctx, tx, day, optionalID(in.WarehouseID))
	})
	if err != nil {
		return nil, err
	}
	return &DailySuggestionsOutput{Body: r}, nil
}
