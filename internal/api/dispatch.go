package api

// Outlets' dispatch settings: the regions they serve, the product categories they are
// authorized for, and their daily capacity.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// registerOutletCoverageRoutes adds the regions outlets serve.
func registerOutletCoverageRoutes(api huma.API, s *Server) {
	tags := []string{"Dispatch"}
	register(api, s, huma.Operation{OperationID: "list-outlet-coverage", Method: http.MethodGet, Path: "/outlets/{id}/coverage", Tags: tags,
		Summary: "Regions the outlet serves", Errors: []int{404}},
		route{perm: access.OutletsRead}, s.listOutletCoverage)
	register(api, s, huma.Operation{OperationID: "add-outlet-coverage", Method: http.MethodPost, Path: "/outlets/{id}/coverage", Tags: tags,
		Summary: "Add a region the outlet serves (province, city or district code prefix)", DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.DispatchConfig}, s.addOutletCoverage)
	register(api, s, huma.Operation{OperationID: "get-outlet-coverage", Method: http.MethodGet, Path: "/outlet-coverage/{id}", Tags: tags,
		Summary: "One region an outlet serves", Errors: []int{404}},
		route{perm: access.OutletsRead}, s.getOutletCoverage)
	register(api, s, huma.Operation{OperationID: "remove-outlet-coverage", Method: http.MethodDelete, Path: "/outlet-coverage/{id}", Tags: tags,
		Summary: "Remove a region from an outlet", DefaultStatus: 204, Errors: []int{404}},
		route{perm: access.DispatchConfig}, s.removeOutletCoverage)
}

// registerOutletDispatchRoutes adds outlets' authorizations and daily capacity.
func registerOutletDispatchRoutes(api huma.API, s *Server) {
	tags := []string{"Dispatch"}
	register(api, s, huma.Operation{OperationID: "list-outlet-authorizations", Method: http.MethodGet, Path: "/outlets/{id}/authorizations",
		Tags: tags, Summary: "Product categories the brand authorized the outlet to service", Errors: []int{404}},
		route{perm: access.OutletsRead}, s.listOutletAuthorizations)
	register(api, s, huma.Operation{OperationID: "set-outlet-authorization", Method: http.MethodPost, Path: "/outlets/{id}/authorizations",
		Tags: tags, Summary: "Authorize an outlet for a product category, or withdraw it", Errors: []int{404, 422}},
		route{perm: access.DispatchConfig}, s.setOutletAuthorization)
	register(api, s, huma.Operation{OperationID: "get-outlet-capacity", Method: http.MethodGet, Path: "/outlets/{id}/capacity", Tags: tags,
		Summary: "How many orders the outlet takes per day (0: no limit), with the outlet's ETag", Errors: []int{404}},
		route{perm: access.OutletsRead}, s.getOutletCapacity)
	register(api, s, huma.Operation{OperationID: "set-outlet-capacity", Method: http.MethodPut, Path: "/outlets/{id}/capacity", Tags: tags,
		Summary: "Set how many orders the outlet takes per day (If-Match: the outlet's ETag)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.DispatchConfig}, s.setOutletCapacity)
}

type coverageOut struct {
	Body struct {
		Items []dispatch.Coverage `json:"items"`
	}
}

func (s *Server) listOutletCoverage(ctx context.Context, in *IDPath) (*coverageOut, error) {
	out := &coverageOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = dispatch.ListCoverage(ctx, tx, in.id())
		return err
	})
	return out, err
}

type addCoverageIn struct {
	IDPath
	Body dispatch.Coverage
}

type oneCoverageOut struct{ Body dispatch.Coverage }

func (s *Server) addOutletCoverage(ctx context.Context, in *addCoverageIn) (*oneCoverageOut, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Coverage, error) {
		return dispatch.AddCoverage(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &oneCoverageOut{Body: c}, nil
}

func (s *Server) getOutletCoverage(ctx context.Context, in *IDPath) (*oneCoverageOut, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Coverage, error) { return dispatch.GetCoverage(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &oneCoverageOut{Body: c}, nil
}

func (s *Server) removeOutletCoverage(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return dispatch.RemoveCoverage(ctx, tx, in.id()) })
}

type authsOut struct {
	Body struct {
		CategoryIDs []uuid.UUID `json:"category_ids"`
	}
}

func (s *Server) listOutletAuthorizations(ctx context.Context, in *IDPath) (*authsOut, error) {
	out := &authsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.CategoryIDs, err = dispatch.Authorizations(ctx, tx, in.id())
		return err
	})
	return out, err
}

type authIn struct {
	IDPath
	Body struct {
		CategoryID uuid.UUID `json:"category_id"`
		Authorized bool      `json:"authorized" doc:"false withdraws the authorization"`
	}
}

func (s *Server) setOutletAuthorization(ctx context.Context, in *authIn) (*authsOut, error) {
	out := &authsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if in.Body.Authorized {
			err = dispatch.Authorize(ctx, tx, in.id(), in.Body.CategoryID)
		} else if err = dispatch.Revoke(ctx, tx, in.id(), in.Body.CategoryID); err == fault.ErrNotFound {
			err = nil // withdrawing what was never granted changes nothing
		}
		if err != nil {
			return err
		}
		out.Body.CategoryIDs, err = dispatch.Authorizations(ctx, tx, in.id())
		return err
	})
	return out, err
}

type capacityIn struct {
	IDPath
	IfMatch
	Body struct {
		DailyCapacity int `json:"daily_capacity" minimum:"0" maximum:"100000" doc:"Orders per day; 0 means no limit"`
	}
}

type capacityOut struct {
	ETag string `header:"ETag"`
	Body struct {
		DailyCapacity int `json:"daily_capacity"`
	}
}

func (s *Server) getOutletCapacity(ctx context.Context, in *IDPath) (*capacityOut, error) {
	out := &capacityOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		perDay, v, err := dispatch.Capacity(ctx, tx, in.id())
		out.ETag, out.Body.DailyCapacity = etag(v), perDay
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) setOutletCapacity(ctx context.Context, in *capacityIn) (*capacityOut, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	nv, err := within(ctx, s, func(tx *tenants.Tx) (int32, error) {
		return dispatch.SetCapacity(ctx, tx, in.id(), v, in.Body.DailyCapacity)
	})
	if err != nil {
		return nil, err
	}
	out := &capacityOut{ETag: etag(nv)}
	out.Body.DailyCapacity = in.Body.DailyCapacity
	return out, nil
}
