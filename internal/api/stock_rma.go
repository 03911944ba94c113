package api

// Faulty parts back to the maker (RMA): the owed lines, return shipments sent with a carrier
// and tracking number, their inspection by the receiving side, and the carriers' signed
// webhook for status updates.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// RMALineOutput is one owed faulty part.
type RMALineOutput struct {
	Body stock.RMALine
}

// RMAShipmentOutput is one return shipment.
type RMAShipmentOutput struct {
	Body stock.RMAShipment
}

// CarrierReceipt says what a carrier's webhook call changed.
type CarrierReceipt struct {
	Applied    int `json:"applied" doc:"Updates stored and applied"`
	Duplicates int `json:"duplicates" doc:"Updates stored before (the carrier sent them again)"`
	Unknown    int `json:"unknown" doc:"Updates of tracking numbers no return shipment of the tenant has"`
}

// CarrierReceiptOutput answers a carrier's webhook call.
type CarrierReceiptOutput struct {
	Body CarrierReceipt
}

func registerRMARoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "list-rma-lines", Method: http.MethodGet, Path: "/rma-lines", Tags: tags,
		Summary: "Faulty parts owed back to the maker (and sent), newest first (outlet staff: their outlet's)"},
		route{perm: access.StockRead}, s.listRMALines)
	register(api, s, huma.Operation{OperationID: "get-rma-line", Method: http.MethodGet, Path: "/rma-lines/{id}", Tags: tags,
		Summary: "Get an owed faulty part", Errors: []int{404}},
		route{perm: access.StockRead}, s.getRMALine)
	register(api, s, huma.Operation{OperationID: "send-rma-shipment", Method: http.MethodPost, Path: "/rma-shipments", Tags: tags,
		Summary:       "Send owed faulty parts of one outlet back to the maker in one shipment (all or part of each line); they leave stock",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockMove, idem: true}, s.sendRMAShipment)
	register(api, s, huma.Operation{OperationID: "list-rma-shipments", Method: http.MethodGet, Path: "/rma-shipments", Tags: tags,
		Summary: "Return shipments newest first, with their lines and tracking (outlet staff: their outlet's)"},
		route{perm: access.StockRead}, s.listRMAShipments)
	register(api, s, huma.Operation{OperationID: "get-rma-shipment", Method: http.MethodGet, Path: "/rma-shipments/{id}", Tags: tags,
		Summary: "Get a return shipment with its lines and tracking", Errors: []int{404}},
		route{perm: access.StockRead}, s.getRMAShipment)
	register(api, s, huma.Operation{OperationID: "inspect-rma-shipment", Method: http.MethodPost, Path: "/rma-shipments/{id}/inspection",
		Tags: tags, Summary: "Record the receiving side's findings on lines of a shipment (confirmed faulty, no fault found, wrong part), each once",
		Errors: []int{403, 404, 409, 422}},
		route{perm: access.StockManage}, s.inspectRMAShipment)
	register(api, s, huma.Operation{OperationID: "carrier-webhook", Method: http.MethodPost, Path: "/carrier-webhooks/{carrier}/{tenant_id}",
		Tags: tags, Summary: "A carrier's status updates of return shipments: verified by the carrier's signature, each stored once",
		Errors: []int{400, 404, 503}, MaxBodyBytes: 1 << 20, SkipValidateBody: true}, // the signature, not a schema, decides
		route{public: true}, s.carrierWebhook)
}

type listRMALinesIn struct {
	PageQuery
	Status  rmaLineStatus `query:"status"`
	OrderID string        `query:"order_id" format:"uuid" doc:"The lines of one order"`
}

func (s *Server) listRMALines(ctx context.Context, in *listRMALinesIn) (*PageOutput[stock.RMALine], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.RMALine, error) {
		return stock.ListRMALines(ctx, tx, stock.RMALineFilter{Before: before, Status: string(in.Status), OrderID: optionalID(in.OrderID),
			Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(r stock.RMALine) uuid.UUID { return r.ID }), nil
}

func (s *Server) getRMALine(ctx context.Context, in *IDPath) (*RMALineOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.RMALine, error) { return stock.GetRMALine(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &RMALineOutput{Body: r}, nil
}

// withTrackingURL fills in the carrier's tracking page.
func (s *Server) withTrackingURL(sh stock.RMAShipment) stock.RMAShipment {
	if c, ok := s.Carriers.Get(sh.Carrier); ok {
		sh.TrackingURL = c.TrackingURL(sh.TrackingNo)
	}
	return sh
}

type sendRMAShipmentIn struct{ Body stock.RMAShipmentInput }

func (s *Server) sendRMAShipment(ctx context.Context, in *sendRMAShipmentIn) (*RMAShipmentOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.RMAShipment, error) {
		return stock.SendReturns(ctx, tx, s.Carriers, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &RMAShipmentOutput{Body: s.withTrackingURL(r)}, nil
}

type listRMAShipmentsIn struct {
	PageQuery
	Status rmaShipStatus `query:"status"`
}

func (s *Server) listRMAShipments(ctx context.Context, in *listRMAShipmentsIn) (*PageOutput[stock.RMAShipment], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.RMAShipment, error) {
		return stock.ListRMAShipments(ctx, tx, stock.RMAShipmentFilter{Before: before, Status: string(in.Status), Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i] = s.withTrackingURL(rows[i])
	}
	return pageOf(rows, in.limit(), func(r stock.RMAShipment) uuid.UUID { return r.ID }), nil
}

func (s *Server) getRMAShipment(ctx context.Context, in *IDPath) (*RMAShipmentOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.RMAShipment, error) { return stock.GetRMAShipment(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &RMAShipmentOutput{Body: s.withTrackingURL(r)}, nil
}

type inspectRMAShipmentIn struct {
	IDPath
	Body stock.InspectionInput
}

func (s *Server) inspectRMAShipment(ctx context.Context, in *inspectRMAShipmentIn) (*RMAShipmentOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.RMAShipment, error) { return stock.Inspect(ctx, tx, in.id(), in.Body) })
	if err != nil {
		return nil, err
	}
	return &RMAShipmentOutput{Body: s.withTrackingURL(r)}, nil
}

type carrierWebhookIn struct {
	Carrier  string    `path:"carrier" maxLength:"32" doc:"The carrier's code"`
	TenantID uuid.UUID `path:"tenant_id" doc:"The tenant whose shipments the updates are about (the callback address given to the carrier)"`
	RawBody  []byte    `contentType:"application/json"`
	header   http.Header
}

// Resolve keeps the request's headers: each carrier signs in its own header.
func (in *carrierWebhookIn) Resolve(ctx huma.Context) []error {
	in.header = http.Header{}
	ctx.EachHeader(func(name, value string) { in.header.Add(name, value) })
	return nil
}

func (s *Server) carrierWebhook(ctx context.Context, in *carrierWebhookIn) (*CarrierReceiptOutput, error) {
	c, ok := s.Carriers.Get(in.Carrier)
	if !ok {
		return nil, huma.Error404NotFound("no such carrier")
	}
	updates, err := c.Updates(in.header, in.RawBody, time.Now())
	switch {
	case errors.Is(err, logistics.ErrNotConfigured):
		return nil, huma.Error503ServiceUnavailable("the carrier is not configured")
	case errors.Is(err, logistics.ErrBadSignature):
		return nil, huma.Error400BadRequest("invalid carrier signature", &huma.ErrorDetail{Location: "header",
			Message: "does not verify with the carrier's secret (or is older than 5 minutes)"})
	case err != nil:
		return nil, huma.Error400BadRequest("unreadable carrier update", &huma.ErrorDetail{Location: "body", Message: err.Error()})
	}
	var out CarrierReceipt
	scope := tenants.Scope{TenantID: in.TenantID, Actor: tenants.Actor{Kind: "system", Label: "carrier " + c.Code()}}
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		for _, u := range updates {
			applied, err := stock.Track(ctx, tx, c.Code(), u)
			switch {
			case errors.Is(err, stock.ErrUnknownParcel):
				out.Unknown++
			case err != nil:
				return err
			case applied:
				out.Applied++
			default:
				out.Duplicates++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CarrierReceiptOutput{Body: out}, nil
}
