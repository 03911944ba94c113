package api

// Warranty claims: an audited in-warranty order's claim to its payer, the payer's review and
// the claimant's answer. Each tenant sees only its own copy of a claim; a partner's copy
// changes by messages (internal/claims, docs/claims.md).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// Enum types of the claims' query parameters.
type (
	claimSide   string
	claimStatus string
)

func (claimSide) Schema(huma.Registry) *huma.Schema   { return enumSchema(claims.Sides) }
func (claimStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(claims.Statuses) }

// ClaimOutput is one claim with its ETag.
type ClaimOutput struct {
	ETag string `header:"ETag"`
	Body claims.Claim
}

func claimOut(c claims.Claim, err error) (*ClaimOutput, error) {
	if err != nil {
		return nil, err
	}
	return &ClaimOutput{ETag: etag(c.Version), Body: c}, nil
}

// registerClaimRoutes adds warranty claims.
func registerClaimRoutes(api huma.API, s *Server) {
	tags := []string{"Warranty claims"}
	register(api, s, huma.Operation{OperationID: "list-claims", Method: http.MethodGet, Path: "/claims",
		Tags: tags, Summary: "This tenant's warranty claims (made, received from partners, or its outlets'), newest first"},
		route{perm: access.ClaimsRead}, s.listClaims)
	register(api, s, huma.Operation{OperationID: "list-unclaimed-orders", Method: http.MethodGet, Path: "/claim-checks/unclaimed-orders",
		Tags: tags, Summary: "不结算检查: audited in-warranty orders (outlets' work, partners' covered jobs) no claim was made for, newest first"},
		route{perm: access.ClaimsRead}, s.listUnclaimed)
	register(api, s, huma.Operation{OperationID: "get-claim", Method: http.MethodGet, Path: "/claims/{id}",
		Tags: tags, Summary: "Get a claim (this tenant's copy)", Errors: []int{404}},
		route{perm: access.ClaimsRead}, s.getClaim)
	register(api, s, huma.Operation{OperationID: "make-order-claim", Method: http.MethodPost, Path: "/orders/{id}/claim",
		Tags: tags, Summary: "Make the draft claim of an audited in-warranty order (a partner's job: to the partner; an outlet's: to this tenant); again: the claim",
		DefaultStatus: 201, Errors: []int{404, 409}},
		route{perm: access.ClaimsSubmit}, s.makeClaim)
	register(api, s, huma.Operation{OperationID: "submit-claim", Method: http.MethodPost, Path: "/claims/{id}/submit",
		Tags: tags, Summary: "Submit a draft claim to its payer; the payer's rules are checked at submission", Errors: []int{404, 409, 412}},
		route{perm: access.ClaimsSubmit}, s.submitClaim)
	register(api, s, huma.Operation{OperationID: "review-claim", Method: http.MethodPost, Path: "/claims/{id}/review",
		Tags: tags, Summary: "The payer's review: approve, adjust lines with a reason each, or reject with a reason", Errors: []int{404, 409, 412, 422}},
		route{perm: access.ClaimsReview}, s.reviewClaim)
	register(api, s, huma.Operation{OperationID: "respond-claim", Method: http.MethodPost, Path: "/claims/{id}/respond",
		Tags: tags, Summary: "The claimant's answer to an adjustment or a rejection: accept it, or dispute it with a comment", Errors: []int{404, 409, 412, 422}},
		route{perm: access.ClaimsSubmit}, s.respondClaim)
}

// claims is the claims service of the server, over its network service.
func (s *Server) claims() *claims.Service {
	var jobs events.Inserter
	if s.Jobs != nil {
		jobs = s.Jobs
	}
	return claims.New(s.network(), jobs, s.Log)
}

type listClaimsIn struct {
	PageQuery
	Side         claimSide   `query:"side" doc:"claimant: claims we made to partners; payer: partners' claims to us; internal: our outlets'"`
	Status       claimStatus `query:"status"`
	Counterparty string      `query:"counterparty_tenant_id" format:"uuid" doc:"Only claims with this partner tenant"`
}

func (s *Server) listClaims(ctx context.Context, in *listClaimsIn) (*PageOutput[claims.Claim], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]claims.Claim, error) {
		return claims.List(ctx, tx, claims.Filter{Side: string(in.Side), Status: string(in.Status),
			Counterparty: optionalID(in.Counterparty).UUID, After: after.UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c claims.Claim) uuid.UUID { return c.ID }), nil
}

func (s *Server) getClaim(ctx context.Context, in *IDPath) (*ClaimOutput, error) {
	return claimOut(within(ctx, s, func(tx *tenants.Tx) (claims.Claim, error) { return claims.Get(ctx, tx, in.id()) }))
}

func (s *Server) makeClaim(ctx context.Context, in *IDPath) (*ClaimOutput, error) {
	return claimOut(within(ctx, s, func(tx *tenants.Tx) (claims.Claim, error) { return s.claims().Generate(ctx, tx, in.id()) }))
}

type claimStepIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
}

func (s *Server) submitClaim(ctx context.Context, in *claimStepIn) (*ClaimOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return claimOut(within(ctx, s, func(tx *tenants.Tx) (claims.Claim, error) { return s.claims().Submit(ctx, tx, in.id(), v) }))
}

type reviewClaimIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    claims.ClaimReview
}

func (s *Server) reviewClaim(ctx context.Context, in *reviewClaimIn) (*ClaimOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return claimOut(within(ctx, s, func(tx *tenants.Tx) (claims.Claim, error) {
		return s.claims().Review(ctx, tx, in.id(), v, in.Body)
	}))
}

type respondClaimIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    claims.ClaimResponse
}

func (s *Server) respondClaim(ctx context.Context, in *respondClaimIn) (*ClaimOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return claimOut(within(ctx, s, func(tx *tenants.Tx) (claims.Claim, error) {
		return s.claims().Respond(ctx, tx, in.id(), v, in.Body)
	}))
}

func (s *Server) listUnclaimed(ctx context.Context, in *PageQuery) (*PageOutput[claims.UnclaimedOrder], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]claims.UnclaimedOrder, error) {
		return claims.Unclaimed(ctx, tx, after.UUID, int(in.limit())+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(o claims.UnclaimedOrder) uuid.UUID { return o.OrderID }), nil
}
