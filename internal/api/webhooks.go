package api

// Webhooks: the tenant's endpoints with their signing secrets, and the log of deliveries.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

// WebhookEndpointOutput is one endpoint with its ETag.
type WebhookEndpointOutput struct {
	ETag string `header:"ETag"`
	Body webhooks.Endpoint
}

// WebhookSecretOutput is an endpoint with its new secret, shown only in this response.
type WebhookSecretOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     struct {
		webhooks.Endpoint
		Secret string `json:"secret" doc:"Signing secret: store it now, it is never shown again"`
	}
}

// WebhookDeliveryOutput is one delivery.
type WebhookDeliveryOutput struct {
	Body webhooks.Delivery
}

// webhookDescription explains signing and retries on the endpoint operations.
const webhookDescription = "Deliveries are JSON POSTs signed with HMAC-SHA256 over timestamp + \".\" + body, in the header " +
	"Aftersales-Signature: t=<unix>,v1=<hex>[,v1=<hex>] (one v1 per valid secret during a rotation). Failed deliveries " +
	"are retried with exponential backoff for about 25 hours; an endpoint failing for 24 hours is disabled and the " +
	"tenant admins are notified. See docs/webhooks.md for verification examples."

// registerWebhookEndpointRoutes adds webhook endpoints and their secrets.
func registerWebhookEndpointRoutes(api huma.API, s *Server) {
	tags := []string{"Webhooks"}
	register(api, s, huma.Operation{OperationID: "list-webhook-endpoints", Method: http.MethodGet, Path: "/webhook-endpoints",
		Tags: tags, Summary: "List webhook endpoints", Description: webhookDescription},
		route{perm: access.WebhooksManage}, s.listWebhookEndpoints)
	register(api, s, huma.Operation{OperationID: "create-webhook-endpoint", Method: http.MethodPost, Path: "/webhook-endpoints",
		Tags: tags, Summary: "Register an endpoint; the response holds its signing secret, shown only once", DefaultStatus: 201,
		Errors: []int{422}, Description: webhookDescription},
		route{perm: access.WebhooksManage, idem: true}, s.createWebhookEndpoint)
	register(api, s, huma.Operation{OperationID: "get-webhook-endpoint", Method: http.MethodGet, Path: "/webhook-endpoints/{id}",
		Tags: tags, Summary: "Get a webhook endpoint (never its secret)", Errors: []int{404}},
		route{perm: access.WebhooksManage}, s.getWebhookEndpoint)
	register(api, s, huma.Operation{OperationID: "update-webhook-endpoint", Method: http.MethodPut, Path: "/webhook-endpoints/{id}",
		Tags: tags, Summary: "Change an endpoint's URL, events or description, or enable/disable it", Errors: []int{404, 412, 422, 428}},
		route{perm: access.WebhooksManage}, s.updateWebhookEndpoint)
	register(api, s, huma.Operation{OperationID: "delete-webhook-endpoint", Method: http.MethodDelete, Path: "/webhook-endpoints/{id}",
		Tags: tags, Summary: "Remove an endpoint and its delivery log", DefaultStatus: 204, Errors: []int{404, 412, 428}},
		route{perm: access.WebhooksManage}, s.deleteWebhookEndpoint)
	register(api, s, huma.Operation{OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/webhook-endpoints/{id}/rotate-secret",
		Tags: tags, Summary: "Replace the signing secret; the previous one stays valid for a while, so receivers switch without a gap",
		Errors: []int{404, 422}},
		route{perm: access.WebhooksManage}, s.rotateWebhookSecret)
}

// registerWebhookDeliveryRoutes adds test deliveries, the delivery log and redelivery.
func registerWebhookDeliveryRoutes(api huma.API, s *Server) {
	tags := []string{"Webhooks"}
	register(api, s, huma.Operation{OperationID: "ping-webhook-endpoint", Method: http.MethodPost, Path: "/webhook-endpoints/{id}/ping",
		Tags: tags, Summary: "Queue a test delivery (event type webhook.ping)", DefaultStatus: 202, Errors: []int{404}},
		route{perm: access.WebhooksManage}, s.pingWebhookEndpoint)
	register(api, s, huma.Operation{OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/webhook-endpoints/{id}/deliveries",
		Tags: tags, Summary: "An endpoint's deliveries, newest first, with response code, latency and attempts", Errors: []int{404}},
		route{perm: access.WebhooksManage}, s.listWebhookDeliveries)
	register(api, s, huma.Operation{OperationID: "get-webhook-delivery", Method: http.MethodGet, Path: "/webhook-deliveries/{id}",
		Tags: tags, Summary: "Get a delivery", Errors: []int{404}},
		route{perm: access.WebhooksManage}, s.getWebhookDelivery)
	register(api, s, huma.Operation{OperationID: "redeliver-webhook", Method: http.MethodPost, Path: "/webhook-deliveries/{id}/redeliver",
		Tags: tags, Summary: "Send a delivery's payload again, as a new delivery with the same event id", DefaultStatus: 202, Errors: []int{404}},
		route{perm: access.WebhooksManage}, s.redeliverWebhook)
}

func (s *Server) listWebhookEndpoints(ctx context.Context, in *PageQuery) (*PageOutput[webhooks.Endpoint], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]webhooks.Endpoint, error) {
		return webhooks.List(ctx, tx, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(e webhooks.Endpoint) uuid.UUID { return e.ID }), nil
}

// webhookDestinations is where endpoints may point: public addresses, unless the server
// lets them reach private ones (WEBHOOK_ALLOW_PRIVATE, development).
func (s *Server) webhookDestinations() webhooks.Destinations {
	return webhooks.Destinations{AllowPrivate: s.Config.WebhookAllowPrivate}
}

type createWebhookIn struct{ Body webhooks.EndpointInput }

func (s *Server) createWebhookEndpoint(ctx context.Context, in *createWebhookIn) (*WebhookSecretOutput, error) {
	out := &WebhookSecretOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Endpoint, out.Body.Secret, err = webhooks.Create(ctx, tx, s.webhookDestinations(), in.Body)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.ETag, out.Location = etag(out.Body.Version), "/v1/webhook-endpoints/"+out.Body.ID.String()
	return out, nil
}

func (s *Server) getWebhookEndpoint(ctx context.Context, in *IDPath) (*WebhookEndpointOutput, error) {
	e, err := within(ctx, s, func(tx *tenants.Tx) (webhooks.Endpoint, error) { return webhooks.Get(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &WebhookEndpointOutput{ETag: etag(e.Version), Body: e}, nil
}

type updateWebhookIn struct {
	IDPath
	IfMatch
	Body webhooks.EndpointInput
}

func (s *Server) updateWebhookEndpoint(ctx context.Context, in *updateWebhookIn) (*WebhookEndpointOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	e, err := within(ctx, s, func(tx *tenants.Tx) (webhooks.Endpoint, error) {
		return webhooks.Update(ctx, tx, s.webhookDestinations(), in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &WebhookEndpointOutput{ETag: etag(e.Version), Body: e}, nil
}

func (s *Server) deleteWebhookEndpoint(ctx context.Context, in *deleteIn) (*struct{}, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return webhooks.Delete(ctx, tx, in.id(), v) })
}

type rotateIn struct {
	IDPath
	Body struct {
		PreviousValidSeconds *int64 `json:"previous_valid_seconds,omitempty" minimum:"0" maximum:"604800" doc:"How long the previous secret keeps signing (as a second v1); default 86400"`
	}
}

func (s *Server) rotateWebhookSecret(ctx context.Context, in *rotateIn) (*WebhookSecretOutput, error) {
	overlap := 24 * time.Hour
	if in.Body.PreviousValidSeconds != nil {
		overlap = time.Duration(*in.Body.PreviousValidSeconds) * time.Second
	}
	out := &WebhookSecretOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		cur, err := webhooks.Get(ctx, tx, in.id())
		if err != nil {
			return err
		}
		out.Body.Endpoint, out.Body.Secret, err = webhooks.Rotate(ctx, tx, cur.ID, cur.Version, overlap)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.ETag = etag(out.Body.Version)
	return out, nil
}

func (s *Server) pingWebhookEndpoint(ctx context.Context, in *IDPath) (*WebhookDeliveryOutput, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (webhooks.Delivery, error) {
		return webhooks.Ping(ctx, tx, s.Jobs, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &WebhookDeliveryOutput{Body: d}, nil
}

type deliveriesIn struct {
	IDPath
	PageQuery
	Status deliveryStatus `query:"status"`
}

func (s *Server) listWebhookDeliveries(ctx context.Context, in *deliveriesIn) (*PageOutput[webhooks.Delivery], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]webhooks.Delivery, error) {
		return webhooks.ListDeliveries(ctx, tx, in.id(), string(in.Status), after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(d webhooks.Delivery) uuid.UUID { return d.ID }), nil
}

func (s *Server) getWebhookDelivery(ctx context.Context, in *IDPath) (*WebhookDeliveryOutput, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (webhooks.Delivery, error) { return webhooks.GetDelivery(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &WebhookDeliveryOutput{Body: d}, nil
}

func (s *Server) redeliverWebhook(ctx context.Context, in *IDPath) (*WebhookDeliveryOutput, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (webhooks.Delivery, error) {
		return webhooks.Redeliver(ctx, tx, s.Jobs, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &WebhookDeliveryOutput{Body: d}, nil
}
