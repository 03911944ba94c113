package api

// The repair network: agreements with partner tenants, hand-offs of orders to partners, and
// the job board of work received from (or sent to) partners. Each tenant sees only its own
// copies; the partner's side changes by messages (internal/network, docs/network.md).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/tenants"
)

// Enum types of the network's query parameters.
type (
	agreementStatus string
	jobDirection    string
)

func (agreementStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(network.Statuses) }
func (jobDirection) Schema(huma.Registry) *huma.Schema    { return enumSchema(network.Directions) }

// AgreementOutput is one agreement with its ETag.
type AgreementOutput struct {
	ETag string `header:"ETag"`
	Body network.Agreement
}

// NetworkJobOutput is one job between tenants.
type NetworkJobOutput struct {
	Body network.PartnerJob
}

// MessagesOutput is an agreement's message log.
type MessagesOutput struct {
	Body struct {
		Items []network.Message `json:"items"`
	}
}

// registerNetworkRoutes adds agreements, hand-offs and the job board.
func registerNetworkRoutes(api huma.API, s *Server) {
	tags := []string{"Partner network"}
	register(api, s, huma.Operation{OperationID: "list-partner-agreements", Method: http.MethodGet, Path: "/partner-agreements",
		Tags: tags, Summary: "This tenant's agreements with partner tenants, newest first"},
		route{perm: access.OrdersRead}, s.listAgreements)
	register(api, s, huma.Operation{OperationID: "propose-partner-agreement", Method: http.MethodPost, Path: "/partner-agreements",
		Tags: tags, Summary: "Propose an agreement to a partner tenant; it is in force once the partner accepts",
		DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.TenantSettings, idem: true}, s.proposeAgreement)
	register(api, s, huma.Operation{OperationID: "get-partner-agreement", Method: http.MethodGet, Path: "/partner-agreements/{id}",
		Tags: tags, Summary: "Get an agreement (this tenant's copy)", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getAgreement)
	register(api, s, huma.Operation{OperationID: "amend-partner-agreement", Method: http.MethodPost, Path: "/partner-agreements/{id}/amend",
		Tags: tags, Summary: "Propose a new version of the terms; the terms in force stay until the partner accepts it",
		Errors: []int{404, 409, 422}},
		route{perm: access.TenantSettings}, s.amendAgreement)
	register(api, s, huma.Operation{OperationID: "accept-partner-agreement", Method: http.MethodPost, Path: "/partner-agreements/{id}/accept",
		Tags: tags, Summary: "Accept the partner's pending version of the terms", Errors: []int{404, 409}},
		route{perm: access.TenantSettings}, s.acceptAgreement)
	register(api, s, huma.Operation{OperationID: "reject-partner-agreement", Method: http.MethodPost, Path: "/partner-agreements/{id}/reject",
		Tags: tags, Summary: "Reject the partner's pending version of the terms", Errors: []int{404, 409, 422}},
		route{perm: access.TenantSettings}, s.rejectAgreement)
	register(api, s, huma.Operation{OperationID: "suspend-partner-agreement", Method: http.MethodPost, Path: "/partner-agreements/{id}/suspend",
		Tags: tags, Summary: "Suspend an active agreement on both sides: no new jobs under it", Errors: []int{404, 409, 422}},
		route{perm: access.TenantSettings}, s.suspendAgreement)
	register(api, s, huma.Operation{OperationID: "list-partner-agreement-messages", Method: http.MethodGet,
		Path: "/partner-agreements/{id}/messages", Tags: tags,
		Summary: "The agreement's messages both ways, as this tenant keeps them (sent: pending, delivered or refused; received: waiting, applied or refused)",
		Errors:  []int{404}},
		route{perm: access.TenantSettings}, s.agreementMessages)
	register(api, s, huma.Operation{OperationID: "hand-off-order", Method: http.MethodPost, Path: "/orders/{id}/handoff",
		Tags: tags, Summary: "Send an open order's job to the provider of an active agreement; the partner's progress comes back to the order's timeline",
		DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.OrdersDispatch, idem: true}, s.handOffOrder)
	register(api, s, huma.Operation{OperationID: "get-order-handoff", Method: http.MethodGet, Path: "/orders/{id}/handoff",
		Tags: tags, Summary: "The job an order was handed off as, with the partner's status as last reported", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getOrderHandOff)
	register(api, s, huma.Operation{OperationID: "list-network-jobs", Method: http.MethodGet, Path: "/network-jobs",
		Tags: tags, Summary: "The job board: jobs received from every sender (or sent to every provider), newest first"},
		route{perm: access.OrdersRead}, s.listNetworkJobs)
	register(api, s, huma.Operation{OperationID: "get-network-job", Method: http.MethodGet, Path: "/network-jobs/{id}",
		Tags: tags, Summary: "Get a job between tenants (this tenant's side)", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getNetworkJob)
}

// network is the partner network service of the server: it queues deliveries with the
// server's job client.
func (s *Server) network() *network.Service {
	var jobs events.Inserter
	if s.Jobs != nil {
		jobs = s.Jobs
	}
	return network.New(s.DB, jobs, s.Orders, s.Log)
}

type listAgreementsIn struct {
	PageQuery
	Status  agreementStatus `query:"status"`
	Partner string          `query:"partner_tenant_id" format:"uuid" doc:"Only agreements with this partner tenant"`
}

func (s *Server) listAgreements(ctx context.Context, in *listAgreementsIn) (*PageOutput[network.Agreement], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]network.Agreement, error) {
		return network.List(ctx, tx, network.AgreementFilter{After: after.UUID, Status: string(in.Status),
			Partner: optionalID(in.Partner).UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(a network.Agreement) uuid.UUID { return a.ID }), nil
}

// agreementOut wraps an agreement with its ETag.
func agreementOut(a network.Agreement, err error) (*AgreementOutput, error) {
	if err != nil {
		return nil, err
	}
	return &AgreementOutput{ETag: etag(a.Version), Body: a}, nil
}

type proposeAgreementIn struct{ Body network.ProposeInput }

func (s *Server) proposeAgreement(ctx context.Context, in *proposeAgreementIn) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) {
		return s.network().Propose(ctx, tx, in.Body)
	}))
}

func (s *Server) getAgreement(ctx context.Context, in *IDPath) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) { return network.Get(ctx, tx, in.id()) }))
}

type amendAgreementIn struct {
	IDPath
	Body struct {
		Terms network.Terms `json:"terms"`
	}
}

func (s *Server) amendAgreement(ctx context.Context, in *amendAgreementIn) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) {
		return s.network().Amend(ctx, tx, in.id(), in.Body.Terms)
	}))
}

func (s *Server) acceptAgreement(ctx context.Context, in *IDPath) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) {
		return s.network().Accept(ctx, tx, in.id())
	}))
}

type reasonIn struct {
	IDPath
	Body network.ReasonInput
}

func (s *Server) rejectAgreement(ctx context.Context, in *reasonIn) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) {
		return s.network().Reject(ctx, tx, in.id(), in.Body)
	}))
}

func (s *Server) suspendAgreement(ctx context.Context, in *reasonIn) (*AgreementOutput, error) {
	return agreementOut(within(ctx, s, func(tx *tenants.Tx) (network.Agreement, error) {
		return s.network().Suspend(ctx, tx, in.id(), in.Body)
	}))
}

func (s *Server) agreementMessages(ctx context.Context, in *IDPath) (*MessagesOutput, error) {
	msgs, err := within(ctx, s, func(tx *tenants.Tx) ([]network.Message, error) { return network.Messages(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	out := &MessagesOutput{}
	out.Body.Items = msgs
	if out.Body.Items == nil {
		out.Body.Items = []network.Message{}
	}
	return out, nil
}

type handOffIn struct {
	IDPath
	Body network.HandOffInput
}

func (s *Server) handOffOrder(ctx context.Context, in *handOffIn) (*NetworkJobOutput, error) {
	j, err := within(ctx, s, func(tx *tenants.Tx) (network.PartnerJob, error) {
		return s.network().HandOff(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &NetworkJobOutput{Body: j}, nil
}

func (s *Server) getOrderHandOff(ctx context.Context, in *IDPath) (*NetworkJobOutput, error) {
	j, err := within(ctx, s, func(tx *tenants.Tx) (network.PartnerJob, error) {
		return network.JobOfOrder(ctx, tx, in.id(), network.DirectionSent)
	})
	if err != nil {
		return nil, err
	}
	return &NetworkJobOutput{Body: j}, nil
}

type listNetworkJobsIn struct {
	PageQuery
	Direction jobDirection `query:"direction" default:"received" doc:"received: the jobs partners sent us (the job board); sent: the jobs we handed off"`
	Partner   string       `query:"partner_tenant_id" format:"uuid" doc:"Only jobs from (or to) this partner tenant"`
	Status    string       `query:"status" maxLength:"40" doc:"Only jobs whose order (ours) has this status"`
}

func (s *Server) listNetworkJobs(ctx context.Context, in *listNetworkJobsIn) (*PageOutput[network.PartnerJob], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	dir := string(in.Direction)
	if dir == "" {
		dir = network.DirectionReceived
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]network.PartnerJob, error) {
		return network.Jobs(ctx, tx, network.JobFilter{Direction: dir, Partner: optionalID(in.Partner).UUID,
			Status: in.Status, After: after.UUID, Limit: int(in.limit()) + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(j network.PartnerJob) uuid.UUID { return j.ID }), nil
}

func (s *Server) getNetworkJob(ctx context.Context, in *IDPath) (*NetworkJobOutput, error) {
	j, err := within(ctx, s, func(tx *tenants.Tx) (network.PartnerJob, error) { return network.GetJob(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &NetworkJobOutput{Body: j}, nil
}
