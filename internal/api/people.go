package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/tenants"
)

// MemberOutput is one membership with its ETag.
type MemberOutput struct {
	ETag string `header:"ETag"`
	Body tenants.Member
}

// RoleBody assigns a role, with the outlet for outlet roles.
type RoleBody struct {
	Role     tenantRole `json:"role"`
	OutletID string     `json:"outlet_id,omitempty" format:"uuid" doc:"Required for outlet_manager and engineer"`
}

func (b RoleBody) outlet() uuid.UUID {
	if b.OutletID == "" {
		return uuid.Nil
	}
	return uuid.MustParse(b.OutletID)
}

func registerMembers(s *Server) {
	tags := []string{"People"}
	type listIn struct {
		PageQuery
		Role tenantRole `query:"role"`
	}
	register(s, huma.Operation{OperationID: "list-members", Method: http.MethodGet, Path: "/v1/members", Tags: tags,
		Summary: "List the tenant's people and their roles (outlet managers see their outlet's)"},
		route{perm: access.MembersRead}, func(ctx context.Context, in *listIn) (*PageOutput[tenants.Member], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]tenants.Member, error) {
				return tenants.ListMembers(ctx, tx, after, optional(in.Role), in.limit()+1)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(m tenants.Member) uuid.UUID { return m.ID }), nil
		})

	register(s, huma.Operation{OperationID: "get-member", Method: http.MethodGet, Path: "/v1/members/{id}", Tags: tags,
		Summary: "Get a membership", Errors: []int{404}},
		route{perm: access.MembersRead}, func(ctx context.Context, in *IDPath) (*MemberOutput, error) {
			m, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Member, error) { return tenants.GetMember(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &MemberOutput{ETag: etag(m.Version), Body: m}, nil
		})

	type updateIn struct {
		IDPath
		IfMatch
		Body struct {
			RoleBody
			Status memberStatus `json:"status,omitempty"`
		}
	}
	register(s, huma.Operation{OperationID: "update-member", Method: http.MethodPut, Path: "/v1/members/{id}", Tags: tags,
		Summary: "Change a member's role, outlet or status", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.MembersWrite}, func(ctx context.Context, in *updateIn) (*MemberOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			var m tenants.Member
			err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
				m, err = tenants.UpdateMember(ctx, tx, in.id(), v, tenants.MemberChange{Role: string(in.Body.Role),
					OutletID: in.Body.outlet(), Status: string(in.Body.Status)})
				return err
			})
			if err != nil {
				return nil, err
			}
			return &MemberOutput{ETag: etag(m.Version), Body: m}, nil
		})

	type deleteIn struct {
		IDPath
		IfMatch
	}
	register(s, huma.Operation{OperationID: "delete-member", Method: http.MethodDelete, Path: "/v1/members/{id}", Tags: tags,
		Summary: "Remove a member from the tenant", DefaultStatus: 204, Errors: []int{404, 409, 412, 428}},
		route{perm: access.MembersWrite}, func(ctx context.Context, in *deleteIn) (*struct{}, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return tenants.DeleteMember(ctx, tx, in.id(), v) })
		})

	// Invitations.
	type inviteIn struct {
		Body struct {
			Email string `json:"email" format:"email" maxLength:"254"`
			RoleBody
		}
	}
	type invitationCreated struct {
		Body struct {
			auth.Invitation
			Token string `json:"token" doc:"Single-use token for the invitee; shown once"`
		}
	}
	register(s, huma.Operation{OperationID: "create-invitation", Method: http.MethodPost, Path: "/v1/invitations", Tags: tags,
		Summary: "Invite someone to the tenant with a role", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.MembersWrite, idem: true}, func(ctx context.Context, in *inviteIn) (*invitationCreated, error) {
			out := &invitationCreated{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Invitation, out.Body.Token, err = auth.Invite(ctx, tx, in.Body.Email, access.Role(in.Body.Role), in.Body.outlet())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	register(s, huma.Operation{OperationID: "list-invitations", Method: http.MethodGet, Path: "/v1/invitations", Tags: tags,
		Summary: "List invitations"},
		route{perm: access.MembersWrite}, func(ctx context.Context, in *PageQuery) (*PageOutput[auth.Invitation], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]auth.Invitation, error) {
				return auth.ListInvitations(ctx, tx, after, in.limit()+1)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(i auth.Invitation) uuid.UUID { return i.ID }), nil
		})

	type invitationOut struct{ Body auth.Invitation }
	register(s, huma.Operation{OperationID: "get-invitation", Method: http.MethodGet, Path: "/v1/invitations/{id}", Tags: tags,
		Summary: "Get an invitation", Errors: []int{404}},
		route{perm: access.MembersWrite}, func(ctx context.Context, in *IDPath) (*invitationOut, error) {
			out := &invitationOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body, err = auth.GetInvitation(ctx, tx, in.id())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	register(s, huma.Operation{OperationID: "revoke-invitation", Method: http.MethodDelete, Path: "/v1/invitations/{id}", Tags: tags,
		Summary: "Withdraw a pending invitation", DefaultStatus: 204, Errors: []int{404, 409}},
		route{perm: access.MembersWrite}, func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return auth.RevokeInvitation(ctx, tx, in.id()) })
		})
}

func registerAPIKeys(s *Server) {
	tags := []string{"API keys"}
	type createIn struct {
		Body struct {
			Name string `json:"name" minLength:"1" maxLength:"200"`
			RoleBody
			Scopes    []string   `json:"scopes,omitempty" maxItems:"32" doc:"Limit the key to these permissions of its role"`
			ExpiresAt *time.Time `json:"expires_at,omitempty"`
		}
	}
	type created struct {
		Body struct {
			auth.APIKey
			Token string `json:"token" doc:"The key; shown once, store it safely"`
		}
	}
	register(s, huma.Operation{OperationID: "create-api-key", Method: http.MethodPost, Path: "/v1/api-keys", Tags: tags,
		Summary: "Create an API key for a machine client", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.APIKeysManage, idem: true}, func(ctx context.Context, in *createIn) (*created, error) {
			out := &created{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.APIKey, out.Body.Token, err = auth.CreateAPIKey(ctx, tx, auth.NewAPIKey{Name: in.Body.Name,
					Role: access.Role(in.Body.Role), OutletID: in.Body.outlet(), Scopes: in.Body.Scopes, ExpiresAt: in.Body.ExpiresAt})
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	register(s, huma.Operation{OperationID: "list-api-keys", Method: http.MethodGet, Path: "/v1/api-keys", Tags: tags,
		Summary: "List API keys (never their secrets)"},
		route{perm: access.APIKeysManage}, func(ctx context.Context, in *PageQuery) (*PageOutput[auth.APIKey], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]auth.APIKey, error) { return auth.ListAPIKeys(ctx, tx, after, in.limit()+1) })
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(k auth.APIKey) uuid.UUID { return k.ID }), nil
		})

	type keyOut struct{ Body auth.APIKey }
	register(s, huma.Operation{OperationID: "get-api-key", Method: http.MethodGet, Path: "/v1/api-keys/{id}", Tags: tags,
		Summary: "Get an API key", Errors: []int{404}},
		route{perm: access.APIKeysManage}, func(ctx context.Context, in *IDPath) (*keyOut, error) {
			out := &keyOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body, err = auth.GetAPIKey(ctx, tx, in.id())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	register(s, huma.Operation{OperationID: "revoke-api-key", Method: http.MethodDelete, Path: "/v1/api-keys/{id}", Tags: tags,
		Summary: "Revoke an API key", DefaultStatus: 204, Errors: []int{404}},
		route{perm: access.APIKeysManage}, func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return auth.RevokeAPIKey(ctx, tx, in.id()) })
		})
}
