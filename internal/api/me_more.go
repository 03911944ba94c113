package api

// More of the signed-in user's own: an engineer's pay of the month so far, and the devices
// signed in with the user's account (one signed out, or all others).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/tenants"
)

func registerMeMoreRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "my-pay", Method: http.MethodGet, Path: "/me/pay", Tags: []string{"Commission"},
		Summary: "My month so far: my pay lines earned this month (the tenant's month, by its clock) and their total",
		Description: "Only the caller's own engineer lines: commission (base) and the deductions and rewards, each naming its " +
			"order and rule. Lines waiting for the customer's money are not earned yet and not listed."},
		route{}, s.myPay)
	tags := []string{"Authentication"}
	register(api, s, huma.Operation{OperationID: "list-my-sessions", Method: http.MethodGet, Path: "/me/sessions", Tags: tags,
		Summary: "The devices signed in with my account (live sessions), the last used first; this device is marked"},
		route{noTenant: true}, s.listMySessions)
	register(api, s, huma.Operation{OperationID: "end-my-session", Method: http.MethodDelete, Path: "/me/sessions/{id}", Tags: tags,
		Summary: "Sign one of my devices out: its next request is refused (401)", DefaultStatus: 204, Errors: []int{404}},
		route{noTenant: true}, s.endMySession)
	register(api, s, huma.Operation{OperationID: "end-my-other-sessions", Method: http.MethodPost, Path: "/me/sessions/sign-out-others",
		Tags: tags, Summary: "Sign out every device of mine but this one"},
		route{noTenant: true}, s.endMyOtherSessions)
}

type myPayOut struct{ Body commission.MyMonth }

func (s *Server) myPay(ctx context.Context, _ *struct{}) (*myPayOut, error) {
	m, err := within(ctx, s, func(tx *tenants.Tx) (commission.MyMonth, error) { return commission.MyMonthSoFar(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &myPayOut{Body: m}, nil
}

// DeviceList is the caller's devices signed in.
type DeviceList struct {
	Items []auth.Device `json:"items"`
}

type deviceListOut struct{ Body DeviceList }

func (s *Server) listMySessions(ctx context.Context, _ *struct{}) (*deviceListOut, error) {
	ds, err := s.Auth.Devices(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &deviceListOut{Body: DeviceList{Items: ds}}, nil
}

func (s *Server) endMySession(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.Auth.SignOutDevice(ctx, principal(ctx), in.id())
}

type endOthersOut struct {
	Body struct {
		SignedOut int64 `json:"signed_out" doc:"How many devices were signed out"`
	}
}

func (s *Server) endMyOtherSessions(ctx context.Context, _ *struct{}) (*endOthersOut, error) {
	n, err := s.Auth.SignOutOtherDevices(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := &endOthersOut{}
	out.Body.SignedOut = n
	return out, nil
}
