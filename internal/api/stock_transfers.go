package api

// Transfers between warehouses: shipped by the sender, received line by line by the receiver.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// TransferOutput is one transfer with its lines.
type TransferOutput struct {
	Body stock.Transfer
}

func registerTransferRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "ship-transfer", Method: http.MethodPost, Path: "/transfers", Tags: tags,
		Summary:       "Ship stock to another warehouse (it stays the sender's, in transit, until received)",
		DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.StockMove, idem: true}, s.shipTransfer)
	register(api, s, huma.Operation{OperationID: "list-transfers", Method: http.MethodGet, Path: "/transfers", Tags: tags,
		Summary: "List transfers newest first, with their lines (outlet staff: those sent from or to their outlet)"},
		route{perm: access.StockRead}, s.listTransfers)
	register(api, s, huma.Operation{OperationID: "get-transfer", Method: http.MethodGet, Path: "/transfers/{id}", Tags: tags,
		Summary: "Get a transfer and its lines", Errors: []int{404}},
		route{perm: access.StockRead}, s.getTransfer)
	register(api, s, huma.Operation{OperationID: "receive-transfer", Method: http.MethodPost, Path: "/transfers/{id}/receive", Tags: tags,
		Summary: "Receive a transfer, every line with what arrived (a discrepancy reason when less; never more than shipped)",
		Errors:  []int{404, 409, 422}},
		route{perm: access.StockMove}, s.receiveTransfer)
}

type listTransfersIn struct {
	PageQuery
	WarehouseID string         `query:"warehouse_id" format:"uuid" doc:"Sent from or received at this warehouse"`
	Status      transferStatus `query:"status"`
}

func (s *Server) listTransfers(ctx context.Context, in *listTransfersIn) (*PageOutput[stock.Transfer], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.Transfer, error) {
		return stock.ListTransfers(ctx, tx, stock.TransferFilter{Before: before, WarehouseID: optionalID(in.WarehouseID),
			Status: string(in.Status), Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(t stock.Transfer) uuid.UUID { return t.ID }), nil
}

type shipIn struct{ Body stock.ShipInput }

func (s *Server) shipTransfer(ctx context.Context, in *shipIn) (*TransferOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (stock.Transfer, error) { return stock.Ship(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &TransferOutput{Body: t}, nil
}

func (s *Server) getTransfer(ctx context.Context, in *IDPath) (*TransferOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (stock.Transfer, error) { return stock.GetTransfer(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &TransferOutput{Body: t}, nil
}

type receiveIn struct {
	IDPath
	Body struct {
		Lines []stock.ReceiveLine `json:"lines" minItems:"1" maxItems:"200"`
	}
}

func (s *Server) receiveTransfer(ctx context.Context, in *receiveIn) (*TransferOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (stock.Transfer, error) {
		out, err := stock.Receive(ctx, tx, in.id(), in.Body.Lines)
		if err != nil {
			return out, err
		}
		// What arrived serves the reservations waiting for it at the receiving warehouse.
		for _, l := range out.Lines {
			if err := s.stock().Arrived(ctx, tx, out.ToWarehouseID, l.PartID); err != nil {
				return out, err
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return &TransferOutput{Body: t}, nil
}
