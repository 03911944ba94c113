package api

// Engineers' pay rules: versions of the tenant's commission rates, role shares, deductions
// and rewards (docs/commission.md). Versions are added, never edited.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/tenants"
)

// registerCommissionRoutes adds the pay rules' versions.
func registerCommissionRoutes(api huma.API, s *Server) {
	tags := []string{"Commission"}
	register(api, s, huma.Operation{OperationID: "list-commission-versions", Method: http.MethodGet, Path: "/commission/rule-versions",
		Tags: tags, Summary: "The versions of the engineers' pay rules, oldest first"},
		route{perm: access.CommissionRead}, s.listCommissionVersions)
	register(api, s, huma.Operation{OperationID: "add-commission-version", Method: http.MethodPost, Path: "/commission/rule-versions",
		Tags: tags, Summary: "Add a version of the engineers' pay rules", DefaultStatus: 201, Errors: []int{422},
		Description: "Rates by order type, service mode and engineer level (fixed, or a percentage of labour net of tax, " +
			"tiered), role shares, deductions (late, repeat, complaint, poor score) and rewards (good score, praise). " +
			"In force from effective_from, past days too, until a later-starting version begins."},
		route{perm: access.CommissionManage, idem: true}, s.addCommissionVersion)
}

func (s *Server) listCommissionVersions(ctx context.Context, _ *struct{}) (*ItemsOutput[commission.RuleVersion], error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]commission.RuleVersion, error) { return commission.Versions(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &ItemsOutput[commission.RuleVersion]{Body: Items[commission.RuleVersion]{Items: items}}, nil
}

type addCommissionVersionIn struct {
	Body commission.NewRuleVersion
}

type commissionVersionOut struct{ Body commission.RuleVersion }

func (s *Server) addCommissionVersion(ctx context.Context, in *addCommissionVersionIn) (*commissionVersionOut, error) {
	v, err := within(ctx, s, func(tx *tenants.Tx) (commission.RuleVersion, error) { return commission.AddVersion(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &commissionVersionOut{Body: v}, nil
}
