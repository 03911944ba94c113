package api

// Returns and exchanges (三包 carried out): a case opened from a warranty decision (or a
// manager's override), reviewed, the units back, inspected, refunded or exchanged (or
// exchanged in advance against a hold), closed; the tenant's return terms; and the
// consumer's view of their own cases (internal/returns, docs/returns.md).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/returns"
	"github.com/aftersales/aftersales/tenants"
)

// Enum types of the returns' query parameters.
type (
	returnStatus string
	returnReason string
)

func (returnStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(returns.Statuses) }
func (returnReason) Schema(huma.Registry) *huma.Schema { return enumSchema(returns.Reasons) }

// ReturnCaseOutput is one case with its ETag.
type ReturnCaseOutput struct {
	ETag string `header:"ETag"`
	Body returns.Case
}

func returnOut(c returns.Case, err error) (*ReturnCaseOutput, error) {
	if err != nil {
		return nil, err
	}
	return &ReturnCaseOutput{ETag: etag(c.Version), Body: c}, nil
}

// registerReturnRoutes adds return and exchange cases.
func registerReturnRoutes(api huma.API, s *Server) {
	tags := []string{"Returns and exchanges"}
	register(api, s, huma.Operation{OperationID: "list-returns", Method: http.MethodGet, Path: "/returns", Tags: tags,
		Summary: "Return and exchange cases, newest first", Description: "Outlet staff see their outlet's cases only."},
		route{perm: access.ReturnsRead}, s.listReturns)
	register(api, s, huma.Operation{OperationID: "apply-return", Method: http.MethodPost, Path: "/returns", Tags: tags,
		Summary:       "Open a case: each unit's warranty decision must allow the remedy asked (personal reasons: the tenant's terms)",
		DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.ReturnsHandle, idem: true}, s.applyReturn)
	register(api, s, huma.Operation{OperationID: "override-return", Method: http.MethodPost, Path: "/returns/override", Tags: tags,
		Summary: "A manager opens a case the warranty decision does not allow, with the reason", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.ReturnsApprove, idem: true}, s.overrideReturn)
	register(api, s, huma.Operation{OperationID: "get-return", Method: http.MethodGet, Path: "/returns/{id}", Tags: tags,
		Summary: "A case with its lines, outcomes and steps", Errors: []int{404}},
		route{perm: access.ReturnsRead}, s.getReturn)
	register(api, s, huma.Operation{OperationID: "review-return", Method: http.MethodPost, Path: "/returns/{id}/review", Tags: tags,
		Summary: "Approve (advance exchanges: their replacements ship now against a deposit or card hold) or reject with a reason",
		Errors:  []int{404, 409, 412, 422}},
		route{perm: access.ReturnsApprove}, s.reviewReturn)
	register(api, s, huma.Operation{OperationID: "receive-return", Method: http.MethodPost, Path: "/returns/{id}/receive", Tags: tags,
		Summary: "Units back (dropped off, by courier, or picked up); advance exchanges' holds are released when their units are back",
		Errors:  []int{404, 409, 412, 422}},
		route{perm: access.ReturnsHandle}, s.receiveReturn)
	register(api, s, huma.Operation{OperationID: "inspect-return", Method: http.MethodPost, Path: "/returns/{id}/inspect", Tags: tags,
		Summary: "One unit inspected: the reason confirmed, or not (the unit goes back to the customer)", Errors: []int{404, 409, 412, 422}},
		route{perm: access.ReturnsHandle}, s.inspectReturn)
	register(api, s, huma.Operation{OperationID: "refund-return", Method: http.MethodPost, Path: "/returns/{id}/refund", Tags: tags,
		Summary: "Refund a line: through Stripe when the unit was paid through the platform, else recorded with its reference",
		Errors:  []int{404, 409, 412, 422, 503}},
		route{perm: access.ReturnsHandle}, s.refundReturn)
	register(api, s, huma.Operation{OperationID: "exchange-return", Method: http.MethodPost, Path: "/returns/{id}/exchange", Tags: tags,
		Summary: "Exchange a line: the new unit is registered with its warranty restarted; another model puts the price difference on the case",
		Errors:  []int{404, 409, 412, 422}},
		route{perm: access.ReturnsHandle}, s.exchangeReturn)
	register(api, s, huma.Operation{OperationID: "close-return", Method: http.MethodPost, Path: "/returns/{id}/close", Tags: tags,
		Summary: "Close a resolved case", Errors: []int{404, 409, 412, 422}},
		route{perm: access.ReturnsHandle}, s.closeReturn)
	register(api, s, huma.Operation{OperationID: "get-return-settings", Method: http.MethodGet, Path: "/return-settings", Tags: tags,
		Summary: "The tenant's return terms: personal reasons, the advance exchange deadline, the warehouses"},
		route{perm: access.ReturnsRead}, s.getReturnSettings)
	register(api, s, huma.Operation{OperationID: "put-return-settings", Method: http.MethodPut, Path: "/return-settings", Tags: tags,
		Summary: "Set the tenant's return terms (If-Match: the version read, \"0\" before any were set)", Errors: []int{412, 422, 428}},
		route{perm: access.TenantSettings}, s.putReturnSettings)

	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-list-returns", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/returns",
		Tags: ctags, Summary: "My return and exchange cases with this brand, with their progress", Errors: []int{404}},
		route{consumer: true}, s.consumerListReturns)
	register(api, s, huma.Operation{OperationID: "consumer-get-return", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/returns/{id}",
		Tags: ctags, Summary: "One of my return and exchange cases with its progress", Errors: []int{404}},
		route{consumer: true}, s.consumerGetReturn)
}

// returns is the returns service of the server.
func (s *Server) returns() *returns.Service {
	var jobs events.Inserter
	if s.Jobs != nil {
		jobs = s.Jobs
	}
	return &returns.Service{Payments: s.Billing, Jobs: jobs, History: s.History}
}

type listReturnsIn struct {
	PageQuery
	Status   returnStatus `query:"status"`
	Reason   returnReason `query:"reason"`
	Customer string       `query:"customer_id" format:"uuid" doc:"Only this customer's cases"`
	Serial   string       `query:"serial" maxLength:"64" doc:"Only cases with this unit"`
}

func (s *Server) listReturns(ctx context.Context, in *listReturnsIn) (*PageOutput[returns.Case], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]returns.Case, error) {
		return returns.List(ctx, tx, returns.Filter{Status: string(in.Status), Reason: string(in.Reason),
			CustomerID: optionalID(in.Customer).UUID, Serial: in.Serial, After: after.UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c returns.Case) uuid.UUID { return c.ID }), nil
}

type applyReturnIn struct {
	Body returns.ApplyInput
}

func (s *Server) applyReturn(ctx context.Context, in *applyReturnIn) (*ReturnCaseOutput, error) {
	return returnOut(within(ctx, s, func(tx *tenants.Tx) (returns.Case, error) { return s.returns().Apply(ctx, tx, in.Body, false) }))
}

func (s *Server) overrideReturn(ctx context.Context, in *applyReturnIn) (*ReturnCaseOutput, error) {
	return returnOut(within(ctx, s, func(tx *tenants.Tx) (returns.Case, error) { return s.returns().Apply(ctx, tx, in.Body, true) }))
}

func (s *Server) getReturn(ctx context.Context, in *IDPath) (*ReturnCaseOutput, error) {
	return returnOut(within(ctx, s, func(tx *tenants.Tx) (returns.Case, error) { return returns.Get(ctx, tx, in.id()) }))
}

// returnStepIn is a step on a case: its id, the ETag read (optional) and the step's body.
type returnStepIn[B any] struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"ETag of the version you read; optional"`
	Body    B
}

// step runs one step of a case at the version read.
func returnStep[B any](ctx context.Context, s *Server, in *returnStepIn[B],
	fn func(*returns.Service, *tenants.Tx, uuid.UUID, int32, B) (returns.Case, error)) (*ReturnCaseOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return returnOut(within(ctx, s, func(tx *tenants.Tx) (returns.Case, error) { return fn(s.returns(), tx, in.id(), v, in.Body) }))
}

func (s *Server) reviewReturn(ctx context.Context, in *returnStepIn[returns.ReviewDecision]) (*ReturnCaseOutput, error) {
	// A card hold is placed at Stripe before the approval's transaction, never inside it.
	if in.Body.Decision == "approve" {
		if err := s.returns().PlaceHold(ctx, s.tx, in.id(), in.Body.Hold); err != nil {
			return nil, err
		}
	}
	return returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.ReviewDecision) (returns.Case, error) {
		return r.Review(ctx, tx, id, v, b)
	})
}

func (s *Server) receiveReturn(ctx context.Context, in *returnStepIn[returns.ReceiveInput]) (*ReturnCaseOutput, error) {
	return returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.ReceiveInput) (returns.Case, error) {
		return r.Receive(ctx, tx, id, v, b)
	})
}

func (s *Server) inspectReturn(ctx context.Context, in *returnStepIn[returns.InspectInput]) (*ReturnCaseOutput, error) {
	return returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.InspectInput) (returns.Case, error) {
		return r.Inspect(ctx, tx, id, v, b)
	})
}

func (s *Server) refundReturn(ctx context.Context, in *returnStepIn[returns.LineRefundInput]) (*ReturnCaseOutput, error) {
	_, err := returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.LineRefundInput) (returns.Case, error) {
		return r.Refund(ctx, tx, id, v, b)
	})
	if err != nil {
		return nil, err
	}
	// The refund step committed; Stripe is asked now, outside its transaction. When Stripe
	// fails the case keeps the refund pending and its job asks again.
	return returnOut(s.returns().SendRefund(ctx, s.tx, in.id(), in.Body.Line))
}

func (s *Server) exchangeReturn(ctx context.Context, in *returnStepIn[returns.LineExchangeInput]) (*ReturnCaseOutput, error) {
	return returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.LineExchangeInput) (returns.Case, error) {
		return r.Exchange(ctx, tx, id, v, b)
	})
}

func (s *Server) closeReturn(ctx context.Context, in *returnStepIn[returns.CloseInput]) (*ReturnCaseOutput, error) {
	return returnStep(ctx, s, in, func(r *returns.Service, tx *tenants.Tx, id uuid.UUID, v int32, b returns.CloseInput) (returns.Case, error) {
		return r.Close(ctx, tx, id, v, b)
	})
}

type returnSettingsOut struct {
	ETag string `header:"ETag"`
	Body returns.TenantTerms
}

func (s *Server) getReturnSettings(ctx context.Context, _ *struct{}) (*returnSettingsOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (returns.TenantTerms, error) { return returns.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &returnSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type putReturnSettingsIn struct {
	IfMatch
	Body returns.TenantTerms
}

func (s *Server) putReturnSettings(ctx context.Context, in *putReturnSettingsIn) (*returnSettingsOut, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (returns.TenantTerms, error) { return returns.PutSettings(ctx, tx, v, in.Body) })
	if err != nil {
		return nil, err
	}
	return &returnSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type consumerReturnsOut struct {
	Body struct {
		Items []returns.CaseForCustomer `json:"items"`
	}
}

func (s *Server) consumerListReturns(ctx context.Context, in *TenantPath) (*consumerReturnsOut, error) {
	out := &consumerReturnsOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		list, err := returns.List(ctx, tx, returns.Filter{Limit: 200})
		if err != nil {
			return err
		}
		out.Body.Items = make([]returns.CaseForCustomer, len(list))
		for i, c := range list {
			out.Body.Items[i] = c.ForCustomer()
		}
		return nil
	})
	return out, err
}

type consumerReturnOut struct{ Body returns.CaseForCustomer }

func (s *Server) consumerGetReturn(ctx context.Context, in *consumerOrderPath) (*consumerReturnOut, error) {
	out := &consumerReturnOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		c, err := returns.Get(ctx, tx, in.id())
		out.Body = c.ForCustomer()
		return err
	})
	return out, err
}
