package api

// An order's attachments: photos, the customer's signature, evidence.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerAttachmentRoutes adds attaching files to orders and reading them back.
func registerAttachmentRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	register(api, s, huma.Operation{OperationID: "attach-to-order", Method: http.MethodPost, Path: "/orders/{id}/attachments", Tags: tags,
		Summary: "Attach a photo, the customer's signature or evidence", DefaultStatus: 201,
		MaxBodyBytes: orders.MaxAttachmentBytes, Errors: []int{404, 413, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.attachToOrder)
	orderParts(api, s, huma.Operation{OperationID: "list-order-attachments", Path: "/orders/{id}/attachments", Tags: tags,
		Summary: "List an order's attachments"}, access.OrdersRead, orders.Attachments)
	register(api, s, huma.Operation{OperationID: "get-attachment", Method: http.MethodGet, Path: "/attachments/{id}", Tags: tags,
		Summary: "Download an attachment", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getAttachment)
}

type attachIn struct {
	IDPath
	Kind    attachmentKind `query:"kind" default:"photo"`
	Public  bool           `query:"public" doc:"Show it to the customer"`
	RawBody []byte         `contentType:"image/jpeg" doc:"JPEG, PNG, WebP or PDF"`
}

type attachmentOut struct{ Body orders.Attachment }

func (s *Server) attachToOrder(ctx context.Context, in *attachIn) (*attachmentOut, error) {
	a, err := within(ctx, s, func(tx *tenants.Tx) (orders.Attachment, error) {
		return orders.Attach(ctx, tx, in.id(), string(in.Kind), in.Public, in.RawBody)
	})
	if err != nil {
		return nil, err
	}
	return &attachmentOut{Body: a}, nil
}

func (s *Server) getAttachment(ctx context.Context, in *IDPath) (*InvoiceImageOutput, error) {
	out := &InvoiceImageOutput{CacheControl: "private, max-age=300"}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.ContentType, out.Body, err = orders.AttachmentContent(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
