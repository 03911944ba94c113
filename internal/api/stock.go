package api

// Parts and stock: the parts catalog (with CSV/XLSX import), warehouses, stock on hand, the
// movement journal, count adjustments, the drift check and the lock date.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// PartOutput is one part with its ETag.
type PartOutput struct {
	ETag string `header:"ETag"`
	Body parts.SparePart
}

// WarehouseOutput is one warehouse with its ETag.
type WarehouseOutput struct {
	ETag string `header:"ETag"`
	Body stock.Warehouse
}

// MovementOutput is one journal row.
type MovementOutput struct {
	Body stock.Movement
}

// Posted is the journal rows one posting wrote (two for a requisition or its return).
type Posted struct {
	Movements []stock.Movement `json:"movements"`
	Replayed  bool             `json:"replayed" doc:"The key was posted before: these are the first posting's rows, nothing moved again"`
}

// PostedOutput answers a posting.
type PostedOutput struct {
	Status int
	Body   Posted
}

// StockSettingsOutput is the tenant's stock settings with their ETag.
type StockSettingsOutput struct {
	ETag string `header:"ETag"`
	Body stock.LockSettings
}

func registerPartRoutes(api huma.API, s *Server) {
	tags := []string{"Parts"}
	register(api, s, huma.Operation{OperationID: "list-parts", Method: http.MethodGet, Path: "/parts", Tags: tags,
		Summary: "List the parts catalog"},
		route{perm: access.PartsRead}, s.listParts)
	register(api, s, huma.Operation{OperationID: "create-part", Method: http.MethodPost, Path: "/parts", Tags: tags,
		Summary: "Add a part to the catalog", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.PartsWrite, idem: true}, s.createPart)
	register(api, s, huma.Operation{OperationID: "get-part", Method: http.MethodGet, Path: "/parts/{id}", Tags: tags,
		Summary: "Get a part", Errors: []int{404}},
		route{perm: access.PartsRead}, s.getPart)
	register(api, s, huma.Operation{OperationID: "update-part", Method: http.MethodPut, Path: "/parts/{id}", Tags: tags,
		Summary: "Replace a part's fields", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.PartsWrite}, s.updatePart)
	register(api, s, huma.Operation{OperationID: "import-parts", Method: http.MethodPost, Path: "/parts/import", Tags: tags,
		Summary: "Add or update parts from a CSV or XLSX file, all rows or none",
		Description: "Header row first. Columns: part_no and name_zh (required), name_en, models (model SKUs, separated by ;), " +
			"components (;), substitutes (part numbers, of the catalog or the file, ;), serial_tracked (yes/no), return_required (yes/no: the maker wants the faulty part back), currency, " +
			"unit_cost, outlet_price, consumer_price (whole minor units), active (yes/no). Chinese headers are accepted " +
			"(零件号, 名称, 适用机型, 部件, 替代件, 序列号管理, 旧件返还, 成本, 网点价, 零售价). A part number already in the catalog " +
			"updates that part. Any bad row rejects the file: the problem lists every bad cell as body.rows[N].field, " +
			"N being the row number in the file (the header is row 1).",
		MaxBodyBytes: maxBatchBytes, Errors: []int{413, 415, 422},
		RequestBody: &huma.RequestBody{Description: "The file (at most 4 MiB, 5000 rows)", Content: map[string]*huma.MediaType{
			mediaXLSX: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
		route{perm: access.PartsWrite, idem: true}, s.importParts)
	register(api, s, huma.Operation{OperationID: "list-part-serials", Method: http.MethodGet, Path: "/parts/{id}/serials", Tags: tags,
		Summary: "Units of a serial-tracked part and where each is; with serial, one unit's every movement", Errors: []int{404}},
		route{perm: access.StockRead}, s.listPartSerials)
}

func registerWarehouseRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "list-warehouses", Method: http.MethodGet, Path: "/warehouses", Tags: tags,
		Summary: "List warehouses (outlet staff: their outlet's and the central ones)"},
		route{perm: access.StockRead}, s.listWarehouses)
	register(api, s, huma.Operation{OperationID: "create-warehouse", Method: http.MethodPost, Path: "/warehouses", Tags: tags,
		Summary: "Add a warehouse, an outlet's or an engineer's van", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockManage, idem: true}, s.createWarehouse)
	register(api, s, huma.Operation{OperationID: "get-warehouse", Method: http.MethodGet, Path: "/warehouses/{id}", Tags: tags,
		Summary: "Get a warehouse", Errors: []int{404}},
		route{perm: access.StockRead}, s.getWarehouse)
	register(api, s, huma.Operation{OperationID: "update-warehouse", Method: http.MethodPut, Path: "/warehouses/{id}", Tags: tags,
		Summary: "Change a warehouse (its outlet never changes)", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.StockManage}, s.updateWarehouse)
}

func registerStockRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "list-stock", Method: http.MethodGet, Path: "/stock", Tags: tags,
		Summary: "Stock on hand by warehouse and part, with reserved, available and value (own stock only)"},
		route{perm: access.StockRead}, s.listStock)
	register(api, s, huma.Operation{OperationID: "list-stock-movements", Method: http.MethodGet, Path: "/stock/movements", Tags: tags,
		Summary: "The movement journal, newest first"},
		route{perm: access.StockRead}, s.listMovements)
	register(api, s, huma.Operation{OperationID: "get-stock-movement", Method: http.MethodGet, Path: "/stock/movements/{id}", Tags: tags,
		Summary: "Get a journal row", Errors: []int{404}},
		route{perm: access.StockRead}, s.getMovement)
	register(api, s, huma.Operation{OperationID: "post-stock-movement", Method: http.MethodPost, Path: "/stock/movements", Tags: tags,
		Summary: "Post a receipt, a counter sale, a requisition into a van or its return, or scrap",
		Description: "Idempotent by idempotency_key: posting a key again returns the first posting's rows (200, " +
			"replayed), nothing moves twice; the key with a different movement is refused. Stock never goes below " +
			"zero: a take larger than what is available (on hand less reserved) is refused at qty, whatever runs at " +
			"the same time. Count adjustments go to POST /v1/stock/adjustments.",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockMove, idem: true}, s.postMovement)
	register(api, s, huma.Operation{OperationID: "post-stock-adjustment", Method: http.MethodPost, Path: "/stock/adjustments", Tags: tags,
		Summary:       "Post a count adjustment (signed qty, with a reason), approved by the person posting it",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockManage, idem: true}, s.postAdjustment)
	register(api, s, huma.Operation{OperationID: "check-stock-drift", Method: http.MethodGet, Path: "/stock/drift", Tags: tags,
		Summary: "Balances that disagree with the journal and the open reservations (should be none)"},
		route{perm: access.StockManage}, s.checkDrift)
	register(api, s, huma.Operation{OperationID: "repair-stock-drift", Method: http.MethodPost, Path: "/stock/drift/repair", Tags: tags,
		Summary: "Set drifted balances to what the journal and the open reservations say"},
		route{perm: access.StockManage}, s.repairDrift)
	register(api, s, huma.Operation{OperationID: "get-stock-settings", Method: http.MethodGet, Path: "/stock/settings", Tags: tags,
		Summary: "The tenant's stock settings (lock date)"},
		route{perm: access.StockRead}, s.getStockSettings)
	register(api, s, huma.Operation{OperationID: "put-stock-settings", Method: http.MethodPut, Path: "/stock/settings", Tags: tags,
		Summary: "Set the lock date: postings dated on or before it are refused", Errors: []int{412, 422, 428}},
		route{perm: access.StockManage}, s.putStockSettings)
}

type listPartsIn struct {
	PageQuery
	Q       string `query:"q" maxLength:"100" doc:"Part number or name contains"`
	ModelID string `query:"model_id" format:"uuid" doc:"Parts that fit this model"`
}

func (s *Server) listParts(ctx context.Context, in *listPartsIn) (*PageOutput[parts.SparePart], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]parts.SparePart, error) {
		return parts.List(ctx, tx, parts.Filter{After: after, Query: strings.TrimSpace(in.Q), ModelID: optionalID(in.ModelID).UUID,
			Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p parts.SparePart) uuid.UUID { return p.ID }), nil
}

type createPartIn struct{ Body parts.PartFields }

func (s *Server) createPart(ctx context.Context, in *createPartIn) (*PartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (parts.SparePart, error) { return parts.Create(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &PartOutput{ETag: etag(p.Version), Body: p}, nil
}

func (s *Server) getPart(ctx context.Context, in *IDPath) (*PartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (parts.SparePart, error) { return parts.Get(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PartOutput{ETag: etag(p.Version), Body: p}, nil
}

type updatePartIn struct {
	IDPath
	IfMatch
	Body parts.PartFields
}

func (s *Server) updatePart(ctx context.Context, in *updatePartIn) (*PartOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	p, err := within(ctx, s, func(tx *tenants.Tx) (parts.SparePart, error) { return parts.Update(ctx, tx, in.id(), v, in.Body) })
	if err != nil {
		return nil, err
	}
	return &PartOutput{ETag: etag(p.Version), Body: p}, nil
}

type importPartsIn struct {
	ContentType string `header:"Content-Type" doc:"text/csv or the XLSX media type"`
	RawBody     []byte `contentType:"text/csv"`
}

// ImportPartsOutput says what an import did.
type ImportPartsOutput struct {
	Body parts.ImportResult
}

func (s *Server) importParts(ctx context.Context, in *importPartsIn) (*ImportPartsOutput, error) {
	format, err := importFormat(in.ContentType, in.RawBody)
	if err != nil {
		return nil, err
	}
	res, err := within(ctx, s, func(tx *tenants.Tx) (parts.ImportResult, error) { return parts.Import(ctx, tx, format, in.RawBody) })
	var bad *parts.ImportErrors
	if errors.As(err, &bad) {
		details := make([]error, 0, len(bad.Rows))
		for _, r := range bad.Rows {
			details = append(details, &huma.ErrorDetail{Location: fmt.Sprintf("body.rows[%d].%s", r.Row, r.Field), Message: r.Message})
		}
		return nil, huma.Error422UnprocessableEntity(bad.Error(), details...)
	}
	if err != nil {
		var fe *fault.FieldError
		if errors.As(err, &fe) && (fe.Field == "file" || fe.Field == "format") {
			return nil, huma.Error422UnprocessableEntity("the file cannot be imported: "+fe.Reason,
				&huma.ErrorDetail{Location: "body", Message: fe.Reason})
		}
		return nil, err
	}
	return &ImportPartsOutput{Body: res}, nil
}

type partSerialsIn struct {
	IDPath
	Serial string `query:"serial" maxLength:"100" doc:"One unit: where it is and every movement it made"`
}

// SerialsOutput lists units of a serial-tracked part.
type SerialsOutput struct {
	Body struct {
		Items []stock.SerialHistory `json:"items"`
	}
}

func (s *Server) listPartSerials(ctx context.Context, in *partSerialsIn) (*SerialsOutput, error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.SerialHistory, error) {
		if in.Serial == "" {
			return stock.ListSerials(ctx, tx, in.id(), 500)
		}
		h, err := stock.GetSerialHistory(ctx, tx, in.id(), in.Serial)
		return []stock.SerialHistory{h}, err
	})
	if err != nil {
		return nil, err
	}
	out := &SerialsOutput{}
	out.Body.Items = items
	if out.Body.Items == nil {
		out.Body.Items = []stock.SerialHistory{}
	}
	return out, nil
}

type listWarehousesIn struct {
	PageQuery
	OutletID string        `query:"outlet_id" format:"uuid"`
	Kind     warehouseKind `query:"kind"`
}

func (s *Server) listWarehouses(ctx context.Context, in *listWarehousesIn) (*PageOutput[stock.Warehouse], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Warehouse, error) {
		return stock.ListWarehouses(ctx, tx, stock.WarehouseFilter{After: after, OutletID: optionalID(in.OutletID), Kind: string(in.Kind),
			Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(w stock.Warehouse) uuid.UUID { return w.ID }), nil
}

type createWarehouseIn struct{ Body stock.WarehouseFields }

func (s *Server) createWarehouse(ctx context.Context, in *createWarehouseIn) (*WarehouseOutput, error) {
	w, err := within(ctx, s, func(tx *tenants.Tx) (stock.Warehouse, error) { return stock.CreateWarehouse(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &WarehouseOutput{ETag: etag(w.Version), Body: w}, nil
}

func (s *Server) getWarehouse(ctx context.Context, in *IDPath) (*WarehouseOutput, error) {
	w, err := within(ctx, s, func(tx *tenants.Tx) (stock.Warehouse, error) { return stock.GetWarehouse(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &WarehouseOutput{ETag: etag(w.Version), Body: w}, nil
}

type updateWarehouseIn struct {
	IDPath
	IfMatch
	Body stock.WarehouseFields
}

func (s *Server) updateWarehouse(ctx context.Context, in *updateWarehouseIn) (*WarehouseOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	w, err := within(ctx, s, func(tx *tenants.Tx) (stock.Warehouse, error) {
		return stock.UpdateWarehouse(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &WarehouseOutput{ETag: etag(w.Version), Body: w}, nil
}

type listStockIn struct {
	Cursor      string `query:"cursor" maxLength:"80" doc:"Opaque cursor: next_cursor of the previous page"`
	Limit       int32  `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size"`
	WarehouseID string `query:"warehouse_id" format:"uuid"`
	PartID      string `query:"part_id" format:"uuid"`
	NonZero     bool   `query:"nonzero" doc:"Only lines with stock on hand"`
}

func (s *Server) listStock(ctx context.Context, in *listStockIn) (*PageOutput[stock.Balance], error) {
	f := stock.BalanceFilter{WarehouseID: optionalID(in.WarehouseID), PartID: optionalID(in.PartID), NonZero: in.NonZero, Limit: in.Limit + 1}
	if in.Cursor != "" {
		w, p, ok := strings.Cut(in.Cursor, ".")
		wid, err1 := uuid.Parse(w)
		pid, err2 := uuid.Parse(p)
		if !ok || err1 != nil || err2 != nil {
			return nil, huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{Location: "query.cursor", Message: "is not a cursor of this list"})
		}
		f.AfterWarehouse, f.AfterPart = uuid.NullUUID{UUID: wid, Valid: true}, uuid.NullUUID{UUID: pid, Valid: true}
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Balance, error) { return stock.ListBalances(ctx, tx, f) })
	if err != nil {
		return nil, err
	}
	out := &PageOutput[stock.Balance]{Body: Page[stock.Balance]{Items: rows}}
	if len(rows) > int(in.Limit) {
		out.Body.Items = rows[:in.Limit]
		last := out.Body.Items[in.Limit-1]
		out.Body.NextCursor = last.WarehouseID.String() + "." + last.PartID.String()
	}
	return out, nil
}

type listMovementsIn struct {
	PageQuery
	WarehouseID string       `query:"warehouse_id" format:"uuid"`
	PartID      string       `query:"part_id" format:"uuid"`
	OrderID     string       `query:"order_id" format:"uuid"`
	Type        movementType `query:"type"`
}

func (s *Server) listMovements(ctx context.Context, in *listMovementsIn) (*PageOutput[stock.Movement], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Movement, error) {
		return stock.ListMovements(ctx, tx, stock.MovementFilter{Before: before, WarehouseID: optionalID(in.WarehouseID),
			PartID: optionalID(in.PartID), OrderID: optionalID(in.OrderID), Type: string(in.Type), Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(m stock.Movement) uuid.UUID { return m.ID }), nil
}

func (s *Server) getMovement(ctx context.Context, in *IDPath) (*MovementOutput, error) {
	m, err := within(ctx, s, func(tx *tenants.Tx) (stock.Movement, error) { return stock.GetMovement(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &MovementOutput{Body: m}, nil
}

type postMovementIn struct{ Body stock.MovementInput }

func (s *Server) postMovement(ctx context.Context, in *postMovementIn) (*PostedOutput, error) {
	if in.Body.Type == "adjustment" {
		return nil, fault.Invalid("type", "count adjustments are approved: post them to /v1/stock/adjustments")
	}
	return s.post(ctx, in.Body, uuid.Nil)
}

type postAdjustmentIn struct {
	Body struct {
		IdempotencyKey string    `json:"idempotency_key" minLength:"1" maxLength:"200"`
		WarehouseID    uuid.UUID `json:"warehouse_id"`
		PartID         uuid.UUID `json:"part_id"`
		Qty            int32     `json:"qty" minimum:"-100000" maximum:"100000" doc:"The count's difference: counted less on hand"`
		Serial         string    `json:"serial,omitempty" maxLength:"100"`
		Reason         string    `json:"reason" minLength:"1" maxLength:"500" doc:"What the count found"`
		PostedOn       string    `json:"posted_on,omitempty" format:"date"`
	}
}

func (s *Server) postAdjustment(ctx context.Context, in *postAdjustmentIn) (*PostedOutput, error) {
	b := in.Body
	return s.post(ctx, stock.MovementInput{IdempotencyKey: b.IdempotencyKey, Type: "adjustment", WarehouseID: b.WarehouseID, PartID: b.PartID,
		Qty: b.Qty, Serial: b.Serial, Reason: b.Reason, PostedOn: b.PostedOn}, principal(ctx).UserID)
}

func (s *Server) post(ctx context.Context, in stock.MovementInput, approver uuid.UUID) (*PostedOutput, error) {
	var replayed bool
	ms, err := within(ctx, s, func(tx *tenants.Tx) (ms []stock.Movement, err error) {
		ms, replayed, err = s.stock().Post(ctx, tx, in, approver)
		return ms, err
	})
	if err != nil {
		return nil, err
	}
	out := &PostedOutput{Status: http.StatusCreated, Body: Posted{Movements: ms, Replayed: replayed}}
	if replayed {
		out.Status = http.StatusOK
	}
	return out, nil
}

// DriftOutput lists drifted balances.
type DriftOutput struct {
	Body struct {
		Drifted []stock.Drifted `json:"drifted"`
	}
}

func (s *Server) checkDrift(ctx context.Context, _ *struct{}) (*DriftOutput, error) {
	return s.drift(ctx, false)
}

func (s *Server) repairDrift(ctx context.Context, _ *struct{}) (*DriftOutput, error) {
	return s.drift(ctx, true)
}

func (s *Server) drift(ctx context.Context, repair bool) (*DriftOutput, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Drifted, error) { return stock.Drift(ctx, tx, repair) })
	if err != nil {
		return nil, err
	}
	out := &DriftOutput{}
	out.Body.Drifted = d
	if out.Body.Drifted == nil {
		out.Body.Drifted = []stock.Drifted{}
	}
	return out, nil
}

func (s *Server) getStockSettings(ctx context.Context, _ *struct{}) (*StockSettingsOutput, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (stock.LockSettings, error) { return stock.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &StockSettingsOutput{ETag: etag(st.Version), Body: st}, nil
}

type putStockSettingsIn struct {
	IfMatch
	Body struct {
		LockDate *string `json:"lock_date,omitempty" format:"date" doc:"Omit to remove the lock"`
	}
}

func (s *Server) putStockSettings(ctx context.Context, in *putStockSettingsIn) (*StockSettingsOutput, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (stock.LockSettings, error) {
		return stock.PutSettings(ctx, tx, v, in.Body.LockDate)
	})
	if err != nil {
		return nil, err
	}
	return &StockSettingsOutput{ETag: etag(st.Version), Body: st}, nil
}
