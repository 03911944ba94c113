package api

// Service tiers with their SLA targets, and the rules that assign customers to them.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// registerTierRoutes adds service tiers and tier rules.
func registerTierRoutes(api huma.API, s *Server) {
	ttags := []string{"Service tiers"}
	register(api, s, huma.Operation{OperationID: "list-tiers", Method: http.MethodGet, Path: "/tiers", Tags: ttags,
		Summary: "Service tiers with their SLA targets"},
		route{perm: access.PoliciesRead}, s.listTiers)
	register(api, s, huma.Operation{OperationID: "replace-tiers", Method: http.MethodPut, Path: "/tiers", Tags: ttags,
		Summary: "Set the tenant's service tiers (names, count and targets are yours)", Errors: []int{409, 412, 422, 428}},
		route{perm: access.PoliciesWrite}, s.replaceTiers)
	register(api, s, huma.Operation{OperationID: "list-tier-rules", Method: http.MethodGet, Path: "/tier-rules", Tags: ttags,
		Summary: "Rules that assign customers to tiers"},
		route{perm: access.PoliciesRead}, s.listTierRules)
	register(api, s, huma.Operation{OperationID: "create-tier-rule", Method: http.MethodPost, Path: "/tier-rules", Tags: ttags,
		Summary: "Add a tier rule (by customer value, contract or purchased plan)", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.PoliciesWrite, idem: true}, s.createTierRule)
	register(api, s, huma.Operation{OperationID: "get-tier-rule", Method: http.MethodGet, Path: "/tier-rules/{id}", Tags: ttags,
		Summary: "Get a tier rule", Errors: []int{404}},
		route{perm: access.PoliciesRead}, s.getTierRule)
	register(api, s, huma.Operation{OperationID: "delete-tier-rule", Method: http.MethodDelete, Path: "/tier-rules/{id}", Tags: ttags,
		Summary: "Remove a tier rule", DefaultStatus: 204, Errors: []int{404}},
		route{perm: access.PoliciesWrite}, s.deleteTierRule)
}

type tiersOut struct {
	ETag string `header:"ETag" doc:"Version of the tiers as a whole; PUT /tiers takes it as If-Match"`
	Body struct {
		Tiers []warranty.Tier `json:"tiers"`
	}
}

func (s *Server) listTiers(ctx context.Context, _ *struct{}) (*tiersOut, error) {
	out := &tiersOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if out.Body.Tiers, err = coverage.Tiers(ctx, tx); err != nil {
			return err
		}
		v, err := coverage.TiersVersion(ctx, tx)
		out.ETag = etag(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type putTiersIn struct {
	IfMatch
	Body struct {
		Tiers []warranty.Tier `json:"tiers" minItems:"1" maxItems:"10"`
	}
}

func (s *Server) replaceTiers(ctx context.Context, in *putTiersIn) (*tiersOut, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	out := &tiersOut{}
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Tiers, v, err = coverage.ReplaceTiers(ctx, tx, v, in.Body.Tiers)
		out.ETag = etag(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type rulesOut struct {
	Body struct {
		Items []coverage.TierRuleEntry `json:"items"`
	}
}

func (s *Server) listTierRules(ctx context.Context, _ *struct{}) (*rulesOut, error) {
	out := &rulesOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = coverage.TierRules(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type ruleIn struct{ Body warranty.TierRule }

type ruleOut struct{ Body coverage.TierRuleEntry }

func (s *Server) createTierRule(ctx context.Context, in *ruleIn) (*ruleOut, error) {
	out := &ruleOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = coverage.AddTierRule(ctx, tx, in.Body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) getTierRule(ctx context.Context, in *IDPath) (*ruleOut, error) {
	out := &ruleOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = coverage.GetTierRule(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) deleteTierRule(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return coverage.DeleteTierRule(ctx, tx, in.id()) })
}
