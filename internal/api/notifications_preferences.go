package api

// A customer's notification opt-outs, set by staff (e.g. on the phone).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// PreferencesOutput is a customer's notification opt-outs.
type PreferencesOutput struct {
	Body notify.Preferences
}

// registerPreferenceRoutes adds customers' notification preferences for staff.
func registerPreferenceRoutes(api huma.API, s *Server) {
	tags := []string{"Customers"}
	register(api, s, huma.Operation{OperationID: "get-customer-notification-preferences", Method: http.MethodGet,
		Path: "/customers/{id}/notification-preferences", Tags: tags,
		Summary: "A customer's notification opt-outs", Errors: []int{404}},
		route{perm: access.CustomersRead}, s.getCustomerNotificationPreferences)
	register(api, s, huma.Operation{OperationID: "put-customer-notification-preferences", Method: http.MethodPut,
		Path: "/customers/{id}/notification-preferences", Tags: tags,
		Summary: "Replace a customer's notification opt-outs (audited)", Errors: []int{404, 422},
		Description: "The customer's right to opt out, recorded by staff: answered even while the tenant is read-only."},
		route{perm: access.CustomersWrite, right: true}, s.putCustomerNotificationPreferences)
}

type prefsIn struct{ IDPath }

func (s *Server) getCustomerNotificationPreferences(ctx context.Context, in *prefsIn) (*PreferencesOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (notify.Preferences, error) { return notify.GetPreferences(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PreferencesOutput{Body: p}, nil
}

type putPrefsIn struct {
	IDPath
	Body notify.Preferences
}

func (s *Server) putCustomerNotificationPreferences(ctx context.Context, in *putPrefsIn) (*PreferencesOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (notify.Preferences, error) {
		return notify.PutPreferences(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &PreferencesOutput{Body: p}, nil
}
