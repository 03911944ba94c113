package api

// Claim statements: approved warranty claims gathered per counterparty and month (应收 at the
// claimant, 应付 at the payer), payments recorded against them, and the check for claims
// settled twice (internal/claims, docs/claims.md).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/tenants"
)

// Enum types of the statements' query parameters.
type (
	statementDirection string
	statementStatus    string
)

func (statementDirection) Schema(huma.Registry) *huma.Schema {
	return enumSchema(claims.StatementDirections)
}
func (statementStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(claims.StatementStatuses)
}

// StatementOutput is one statement with its ETag.
type StatementOutput struct {
	ETag string `header:"ETag"`
	Body claims.Statement
}

func statementOut(st claims.Statement, err error) (*StatementOutput, error) {
	if err != nil {
		return nil, err
	}
	return &StatementOutput{ETag: etag(st.Version), Body: st}, nil
}

// registerClaimStatementRoutes adds claim statements and the paid-twice check.
func registerClaimStatementRoutes(api huma.API, s *Server) {
	tags := []string{"Warranty claims"}
	register(api, s, huma.Operation{OperationID: "list-claim-statements", Method: http.MethodGet, Path: "/claim-statements",
		Tags: tags, Summary: "Monthly statements of settled claims per counterparty (receivable 应收, payable 应付), newest first"},
		route{perm: access.ClaimsRead}, s.listStatements)
	register(api, s, huma.Operation{OperationID: "get-claim-statement", Method: http.MethodGet, Path: "/claim-statements/{id}",
		Tags: tags, Summary: "A statement with its claims and payments (this tenant's copy)", Errors: []int{404}},
		route{perm: access.ClaimsRead}, s.getStatement)
	register(api, s, huma.Operation{OperationID: "pay-claim-statement", Method: http.MethodPost, Path: "/claim-statements/{id}/payments",
		Tags: tags, Summary: "Record a payment against a payable statement (bank reference, amount, day); in part or in full, never more than outstanding",
		DefaultStatus: 201, Errors: []int{404, 409, 412, 422}},
		route{perm: access.ClaimsSettle, idem: true}, s.payStatement)
	register(api, s, huma.Operation{OperationID: "list-claims-paid-twice", Method: http.MethodGet, Path: "/claim-checks/paid-twice",
		Tags: tags, Summary: "不结算检查: orders of ours more than one claim was settled for in our payable statements, with each claim"},
		route{perm: access.ClaimsRead}, s.listPaidTwice)
	register(api, s, huma.Operation{OperationID: "list-claim-signals", Method: http.MethodGet, Path: "/claim-signals",
		Tags: tags, Summary: "Fraud and quality signals of the network's claims on us, each with its evidence (orders, claims)",
		Description: "A unit claimed by two claimants; a part serial on two claims; a claimant (outlet or partner) whose claims per job, " +
			"or repeat repairs (the same unit within 30 days) per job, are more than twice the network's over at least 5 jobs."},
		route{perm: access.ClaimsRead}, s.listSignals)
}

type signalsIn struct {
	Days int `query:"days" minimum:"1" maximum:"366" default:"90" doc:"The window: claims and jobs of the last this many days"`
}

func (s *Server) listSignals(ctx context.Context, in *signalsIn) (*ItemsOutput[claims.Signal], error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]claims.Signal, error) { return claims.Signals(ctx, tx, in.Days) })
	if err != nil {
		return nil, err
	}
	return &ItemsOutput[claims.Signal]{Body: Items[claims.Signal]{Items: items}}, nil
}

type listStatementsIn struct {
	PageQuery
	Direction    statementDirection `query:"direction" doc:"receivable: owed to us; payable: owed by us"`
	Status       statementStatus    `query:"status"`
	Period       string             `query:"period" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"The month, YYYY-MM"`
	Counterparty string             `query:"counterparty_tenant_id" format:"uuid" doc:"Only statements with this partner tenant"`
}

func (s *Server) listStatements(ctx context.Context, in *listStatementsIn) (*PageOutput[claims.Statement], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]claims.Statement, error) {
		return claims.ListStatements(ctx, tx, claims.StatementFilter{Direction: string(in.Direction), Status: string(in.Status),
			Period: in.Period, Counterparty: optionalID(in.Counterparty).UUID, After: after.UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(st claims.Statement) uuid.UUID { return st.ID }), nil
}

func (s *Server) getStatement(ctx context.Context, in *IDPath) (*StatementOutput, error) {
	return statementOut(within(ctx, s, func(tx *tenants.Tx) (claims.Statement, error) { return claims.GetStatement(ctx, tx, in.id()) }))
}

type payStatementIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    claims.PaymentInput
}

func (s *Server) payStatement(ctx context.Context, in *payStatementIn) (*StatementOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return statementOut(within(ctx, s, func(tx *tenants.Tx) (claims.Statement, error) {
		return s.claims().Pay(ctx, tx, in.id(), v, in.Body)
	}))
}

type paidTwiceIn struct {
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"200" doc:"At most this many claims"`
}

func (s *Server) listPaidTwice(ctx context.Context, in *paidTwiceIn) (*ItemsOutput[claims.SettledTwice], error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]claims.SettledTwice, error) { return claims.PaidTwice(ctx, tx, in.Limit) })
	if err != nil {
		return nil, err
	}
	return &ItemsOutput[claims.SettledTwice]{Body: Items[claims.SettledTwice]{Items: items}}, nil
}
