package api

// The tenant's order rules: order types, and the settings that steer dispatch and
// appointments.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerOrderRuleRoutes adds order types and order settings.
func registerOrderRuleRoutes(api huma.API, s *Server) {
	tags := []string{"Dispatch"}
	register(api, s, huma.Operation{OperationID: "list-order-types", Method: http.MethodGet, Path: "/order-types", Tags: tags,
		Summary: "Order types of the tenant (the built-in ones until changed)"},
		route{perm: access.OrdersRead}, s.listOrderTypes)
	register(api, s, huma.Operation{OperationID: "save-order-type", Method: http.MethodPost, Path: "/order-types", Tags: tags,
		Summary: "Add or change an order type (by code)", Errors: []int{422}},
		route{perm: access.DispatchConfig}, s.saveOrderType)
	register(api, s, huma.Operation{OperationID: "get-order-settings", Method: http.MethodGet, Path: "/order-settings", Tags: tags,
		Summary: "The tenant's order rules: repeat window, engineer rule order, appointment windows"},
		route{perm: access.OrdersRead}, s.getOrderSettings)
	register(api, s, huma.Operation{OperationID: "put-order-settings", Method: http.MethodPut, Path: "/order-settings", Tags: tags,
		Summary: "Change the tenant's order rules (If-Match: \"0\" before the first change)", Errors: []int{412, 422, 428}},
		route{perm: access.DispatchConfig}, s.putOrderSettings)
}

type typesOut struct {
	Body struct {
		Items []orders.Type `json:"items"`
	}
}

func (s *Server) listOrderTypes(ctx context.Context, _ *struct{}) (*typesOut, error) {
	out := &typesOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = orders.Types(ctx, tx)
		return err
	})
	return out, err
}

type typeIn struct{ Body orders.Type }

type typeOut struct{ Body orders.Type }

func (s *Server) saveOrderType(ctx context.Context, in *typeIn) (*typeOut, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (orders.Type, error) { return orders.SaveType(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &typeOut{Body: t}, nil
}

type orderSettingsOut struct {
	ETag string `header:"ETag"`
	Body orders.Settings
}

func (s *Server) getOrderSettings(ctx context.Context, _ *struct{}) (*orderSettingsOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (orders.Settings, error) { return orders.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &orderSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type putOrderSettingsIn struct {
	IfMatch
	Body orders.Settings
}

func (s *Server) putOrderSettings(ctx context.Context, in *putOrderSettingsIn) (*orderSettingsOut, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (orders.Settings, error) { return orders.SaveSettings(ctx, tx, v, in.Body) })
	if err != nil {
		return nil, err
	}
	return &orderSettingsOut{ETag: etag(st.Version), Body: st}, nil
}
