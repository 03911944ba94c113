package api

// Outlets: service centers, authorized outlets, carrier stores and warehouses.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// OutletOutput is one outlet with its ETag.
type OutletOutput struct {
	ETag string `header:"ETag"`
	Body tenants.Outlet
}

// registerOutletRoutes adds outlets.
func registerOutletRoutes(api huma.API, s *Server) {
	tags := []string{"Outlets"}
	register(api, s, huma.Operation{OperationID: "list-outlets", Method: http.MethodGet, Path: "/outlets", Tags: tags,
		Summary: "List outlets (outlet staff see only their own)"},
		route{perm: access.OutletsRead}, s.listOutlets)
	register(api, s, huma.Operation{OperationID: "create-outlet", Method: http.MethodPost, Path: "/outlets", Tags: tags,
		Summary: "Create an outlet", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.OutletsCreate, idem: true}, s.createOutlet)
	register(api, s, huma.Operation{OperationID: "get-outlet", Method: http.MethodGet, Path: "/outlets/{id}", Tags: tags,
		Summary: "Get an outlet", Errors: []int{404}},
		route{perm: access.OutletsRead}, s.getOutlet)
	register(api, s, huma.Operation{OperationID: "update-outlet", Method: http.MethodPut, Path: "/outlets/{id}", Tags: tags,
		Summary: "Replace an outlet's fields", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.OutletsWrite}, s.updateOutlet)
	register(api, s, huma.Operation{OperationID: "delete-outlet", Method: http.MethodDelete, Path: "/outlets/{id}", Tags: tags,
		Summary: "Delete an unused outlet (close it instead once it has history)", DefaultStatus: 204,
		Errors: []int{404, 409, 412, 428}},
		route{perm: access.OutletsCreate}, s.deleteOutlet)
}

type listOutletsIn struct {
	PageQuery
	Status   outletStatus `query:"status"`
	Kind     outletKind   `query:"kind"`
	Province string       `query:"province_code" maxLength:"12"`
}

func (s *Server) listOutlets(ctx context.Context, in *listOutletsIn) (*PageOutput[tenants.Outlet], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	var rows []tenants.Outlet
	err = s.tx(ctx, func(tx *tenants.Tx) error {
		rows, err = tenants.ListOutlets(ctx, tx, tenants.OutletFilter{After: after, Status: optional(in.Status),
			Kind: optional(in.Kind), Province: optional(in.Province), Limit: in.limit() + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(o tenants.Outlet) uuid.UUID { return o.ID }), nil
}

type createOutletIn struct{ Body tenants.OutletFields }

func (s *Server) createOutlet(ctx context.Context, in *createOutletIn) (*OutletOutput, error) {
	o, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Outlet, error) { return tenants.CreateOutlet(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &OutletOutput{ETag: etag(o.Version), Body: o}, nil
}

func (s *Server) getOutlet(ctx context.Context, in *IDPath) (*OutletOutput, error) {
	o, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Outlet, error) { return tenants.GetOutlet(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &OutletOutput{ETag: etag(o.Version), Body: o}, nil
}

type updateOutletIn struct {
	IDPath
	IfMatch
	Body tenants.OutletFields
}

func (s *Server) updateOutlet(ctx context.Context, in *updateOutletIn) (*OutletOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	o, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Outlet, error) {
		return tenants.UpdateOutlet(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &OutletOutput{ETag: etag(o.Version), Body: o}, nil
}

func (s *Server) deleteOutlet(ctx context.Context, in *deleteIn) (*struct{}, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return tenants.DeleteOutlet(ctx, tx, in.id(), v) })
}

func optional[S ~string](s S) *string {
	if s == "" {
		return nil
	}
	v := string(s)
	return &v
}
