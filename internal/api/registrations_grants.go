package api

// Grants: a unit's extra coverage from contracts, plans and repair warranties.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// registerGrantRoutes adds giving, reading and cancelling extra coverage.
func registerGrantRoutes(api huma.API, s *Server) {
	tags := []string{"Registrations"}
	register(api, s, huma.Operation{OperationID: "list-registration-grants", Method: http.MethodGet, Path: "/registrations/{id}/grants",
		Tags: tags, Summary: "Extra coverage of a unit (contracts, plans, repair warranties)", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.listRegistrationGrants)
	register(api, s, huma.Operation{OperationID: "create-registration-grant", Method: http.MethodPost, Path: "/registrations/{id}/grants",
		Tags: tags, Summary: "Give a unit extra coverage (contract, extended warranty, accidental damage, repair warranty)",
		DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.GrantsWrite, idem: true}, s.createRegistrationGrant)
	register(api, s, huma.Operation{OperationID: "get-grant", Method: http.MethodGet, Path: "/grants/{id}",
		Tags: tags, Summary: "Get extra coverage", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.getGrant)
	register(api, s, huma.Operation{OperationID: "cancel-grant", Method: http.MethodPost, Path: "/grants/{id}/cancel",
		Tags: tags, Summary: "Cancel extra coverage", Errors: []int{404, 409}},
		route{perm: access.GrantsWrite}, s.cancelGrant)
}

type grantsOut struct {
	Body struct {
		Items []registry.Grant `json:"items"`
	}
}

func (s *Server) listRegistrationGrants(ctx context.Context, in *IDPath) (*grantsOut, error) {
	out := &grantsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = registry.Grants(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type addGrantIn struct {
	IDPath
	Body registry.GrantInput
}

type grantOut struct{ Body registry.Grant }

func (s *Server) createRegistrationGrant(ctx context.Context, in *addGrantIn) (*grantOut, error) {
	out := &grantOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if out.Body, err = registry.AddGrant(ctx, tx, in.id(), in.Body); err != nil {
			return err
		}
		return s.Orders.Reevaluate(ctx, tx, in.id(), "extra coverage added")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) getGrant(ctx context.Context, in *IDPath) (*grantOut, error) {
	out := &grantOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = registry.GetGrant(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) cancelGrant(ctx context.Context, in *IDPath) (*grantOut, error) {
	out := &grantOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if out.Body, err = registry.CancelGrant(ctx, tx, in.id()); err != nil {
			return err
		}
		return s.Orders.Reevaluate(ctx, tx, out.Body.RegistrationID, "extra coverage cancelled")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
