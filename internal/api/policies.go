package api

// Warranty policies: the national template, policies and their dated versions of rules.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// PolicyOutput is one policy with its versions and ETag.
type PolicyOutput struct {
	ETag string `header:"ETag"`
	Body coverage.Policy
}

// registerPolicyRoutes adds warranty policies and the national template.
func registerPolicyRoutes(api huma.API, s *Server) {
	tags := []string{"Warranty policies"}
	register(api, s, huma.Operation{OperationID: "get-national-template", Method: http.MethodGet, Path: "/policy-templates/national",
		Tags: tags, Summary: "The national 三包 template: adopt it as a policy's rules and adjust"},
		route{perm: access.PoliciesRead}, s.getNationalTemplate)
	register(api, s, huma.Operation{OperationID: "list-policies", Method: http.MethodGet, Path: "/policies", Tags: tags,
		Summary: "List warranty policies with their versions"},
		route{perm: access.PoliciesRead}, s.listPolicies)
	register(api, s, huma.Operation{OperationID: "create-policy", Method: http.MethodPost, Path: "/policies", Tags: tags,
		Summary: "Create a warranty policy with its first version", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.PoliciesWrite, idem: true}, s.createPolicy)
	register(api, s, huma.Operation{OperationID: "get-policy", Method: http.MethodGet, Path: "/policies/{id}", Tags: tags,
		Summary: "Get a warranty policy with its versions", Errors: []int{404}},
		route{perm: access.PoliciesRead}, s.getPolicy)
	register(api, s, huma.Operation{OperationID: "update-policy", Method: http.MethodPut, Path: "/policies/{id}", Tags: tags,
		Summary: "Rename a policy or change what it applies to (rules change by new versions)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.PoliciesWrite}, s.updatePolicy)
	register(api, s, huma.Operation{OperationID: "add-policy-version", Method: http.MethodPost, Path: "/policies/{id}/versions", Tags: tags,
		Summary: "Add a version of a policy's rules, effective from a date", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.PoliciesWrite, idem: true}, s.addPolicyVersion)
}

type templateOut struct {
	Body coverage.Rules
}

func (s *Server) getNationalTemplate(ctx context.Context, _ *struct{}) (*templateOut, error) {
	var currency string
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		t, err := tenants.GetTenant(ctx, tx)
		currency = t.Currency
		return err
	})
	if err != nil {
		return nil, err
	}
	return &templateOut{Body: coverage.NationalRules(currency)}, nil
}

func (s *Server) listPolicies(ctx context.Context, in *PageQuery) (*PageOutput[coverage.Policy], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]coverage.Policy, error) {
		return coverage.ListPolicies(ctx, tx, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p coverage.Policy) uuid.UUID { return p.ID }), nil
}

type createPolicyIn struct {
	Body struct {
		Name          string         `json:"name" minLength:"1" maxLength:"200"`
		CategoryIDs   []string       `json:"category_ids,omitempty" maxItems:"100"`
		ModelIDs      []string       `json:"model_ids,omitempty" maxItems:"500"`
		EffectiveFrom string         `json:"effective_from" format:"date" doc:"First day the first version applies (by purchase date)"`
		Rules         coverage.Rules `json:"rules"`
	}
}

func (s *Server) createPolicy(ctx context.Context, in *createPolicyIn) (*PolicyOutput, error) {
	cats, models, err := parseIDs(in.Body.CategoryIDs, in.Body.ModelIDs)
	if err != nil {
		return nil, err
	}
	from, _ := time.Parse(time.DateOnly, in.Body.EffectiveFrom)
	var p coverage.Policy
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		p, err = coverage.CreatePolicy(ctx, tx, coverage.PolicyInput{Name: in.Body.Name, CategoryIDs: cats, ModelIDs: models,
			EffectiveFrom: from, Rules: in.Body.Rules})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{ETag: etag(p.Version), Body: p}, nil
}

func (s *Server) getPolicy(ctx context.Context, in *IDPath) (*PolicyOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (coverage.Policy, error) { return coverage.GetPolicy(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{ETag: etag(p.Version), Body: p}, nil
}

type updatePolicyIn struct {
	IDPath
	IfMatch
	Body struct {
		Name        string   `json:"name" minLength:"1" maxLength:"200"`
		CategoryIDs []string `json:"category_ids,omitempty" maxItems:"100"`
		ModelIDs    []string `json:"model_ids,omitempty" maxItems:"500"`
	}
}

func (s *Server) updatePolicy(ctx context.Context, in *updatePolicyIn) (*PolicyOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	cats, models, err := parseIDs(in.Body.CategoryIDs, in.Body.ModelIDs)
	if err != nil {
		return nil, err
	}
	p, err := within(ctx, s, func(tx *tenants.Tx) (coverage.Policy, error) {
		return coverage.UpdatePolicy(ctx, tx, in.id(), v, in.Body.Name, cats, models)
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{ETag: etag(p.Version), Body: p}, nil
}

type versionIn struct {
	IDPath
	Body struct {
		EffectiveFrom string         `json:"effective_from" format:"date" doc:"Today or later: units already sold keep their terms"`
		Rules         coverage.Rules `json:"rules"`
	}
}

type versionOut struct{ Body coverage.Version }

func (s *Server) addPolicyVersion(ctx context.Context, in *versionIn) (*versionOut, error) {
	from, _ := time.Parse(time.DateOnly, in.Body.EffectiveFrom)
	out := &versionOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = coverage.AddVersion(ctx, tx, in.id(), from, in.Body.Rules)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func ids(s []string) []uuid.UUID {
	out := make([]uuid.UUID, len(s))
	for i, v := range s {
		out[i] = uuid.MustParse(v)
	}
	return out
}

func parseIDs(cats, models []string) ([]uuid.UUID, []uuid.UUID, error) {
	for i, c := range cats {
		if _, err := uuid.Parse(c); err != nil {
			return nil, nil, fault.Invalid("body.category_ids["+itoa(i)+"]", "must be a UUID")
		}
	}
	for i, m := range models {
		if _, err := uuid.Parse(m); err != nil {
			return nil, nil, fault.Invalid("body.model_ids["+itoa(i)+"]", "must be a UUID")
		}
	}
	return ids(cats), ids(models), nil
}
