package api

// The tenant's people: members with their roles, and invitations to join.

import (
	"context"
	"net/http"

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

// registerMemberRoutes adds the tenant's members.
func registerMemberRoutes(api huma.API, s *Server) {
	tags := []string{"People"}
	register(api, s, huma.Operation{OperationID: "list-members", Method: http.MethodGet, Path: "/members", Tags: tags,
		Summary: "List the tenant's people and their roles (outlet managers see their outlet's)"},
		route{perm: access.MembersRead}, s.listMembers)
	register(api, s, huma.Operation{OperationID: "get-member", Method: http.MethodGet, Path: "/members/{id}", Tags: tags,
		Summary: "Get a membership", Errors: []int{404}},
		route{perm: access.MembersRead}, s.getMember)
	register(api, s, huma.Operation{OperationID: "update-member", Method: http.MethodPut, Path: "/members/{id}", Tags: tags,
		Summary: "Change a member's role, outlet or status", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.MembersWrite}, s.updateMember)
	register(api, s, huma.Operation{OperationID: "delete-member", Method: http.MethodDelete, Path: "/members/{id}", Tags: tags,
		Summary: "Remove a member from the tenant", DefaultStatus: 204, Errors: []int{404, 409, 412, 428}},
		route{perm: access.MembersWrite}, s.deleteMember)
}

// registerInvitationRoutes adds inviting people, and accepting an invitation (public: the
// invitee may have no account yet).
func registerInvitationRoutes(api huma.API, s *Server) {
	tags := []string{"People"}
	register(api, s, huma.Operation{OperationID: "accept-invitation", Method: http.MethodPost, Path: "/invitations/accept",
		Tags: tags, Summary: "Accept an invitation (creates the account or adds the tenant to it)",
		Errors: []int{401, 409, 422}},
		route{public: true}, s.acceptInvitation)
	register(api, s, huma.Operation{OperationID: "create-invitation", Method: http.MethodPost, Path: "/invitations", Tags: tags,
		Summary: "Invite someone to the tenant with a role", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.MembersWrite, idem: true}, s.createInvitation)
	register(api, s, huma.Operation{OperationID: "list-invitations", Method: http.MethodGet, Path: "/invitations", Tags: tags,
		Summary: "List invitations"},
		route{perm: access.MembersWrite}, s.listInvitations)
	register(api, s, huma.Operation{OperationID: "get-invitation", Method: http.MethodGet, Path: "/invitations/{id}", Tags: tags,
		Summary: "Get an invitation", Errors: []int{404}},
		route{perm: access.MembersWrite}, s.getInvitation)
	register(api, s, huma.Operation{OperationID: "revoke-invitation", Method: http.MethodDelete, Path: "/invitations/{id}", Tags: tags,
		Summary: "Withdraw a pending invitation", DefaultStatus: 204, Errors: []int{404, 409}},
		route{perm: access.MembersWrite}, s.revokeInvitation)
}

type listMembersIn struct {
	PageQuery
	Role tenantRole `query:"role"`
}

func (s *Server) listMembers(ctx context.Context, in *listMembersIn) (*PageOutput[tenants.Member], error) {
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
}

func (s *Server) getMember(ctx context.Context, in *IDPath) (*MemberOutput, error) {
	m, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Member, error) { return tenants.GetMember(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &MemberOutput{ETag: etag(m.Version), Body: m}, nil
}

// updateIn changes a membership (its name gives the body's schema name, UpdateInBody).
type updateIn struct {
	IDPath
	IfMatch
	Body struct {
		RoleBody
		Status memberStatus `json:"status,omitempty"`
	}
}

func (s *Server) updateMember(ctx context.Context, in *updateIn) (*MemberOutput, error) {
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
}

func (s *Server) deleteMember(ctx context.Context, in *deleteIn) (*struct{}, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return tenants.DeleteMember(ctx, tx, in.id(), v) })
}

type acceptIn struct {
	Body struct {
		Token    string `json:"token" minLength:"10" maxLength:"200"`
		Name     string `json:"name,omitempty" maxLength:"200" doc:"Your name, for a new account"`
		Password string `json:"password" minLength:"1" maxLength:"200" doc:"New password (10+ characters), or your existing password"`
	}
}

type memberOut struct{ Body tenants.Member }

func (s *Server) acceptInvitation(ctx context.Context, in *acceptIn) (*memberOut, error) {
	m, err := s.Auth.AcceptInvitation(ctx, in.Body.Token, in.Body.Name, in.Body.Password, actorMeta(ctx))
	if err != nil {
		return nil, err
	}
	return &memberOut{Body: m}, nil
}

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

func (s *Server) createInvitation(ctx context.Context, in *inviteIn) (*invitationCreated, error) {
	out := &invitationCreated{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Invitation, out.Body.Token, err = auth.Invite(ctx, tx, in.Body.Email, access.Role(in.Body.Role), in.Body.outlet())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) listInvitations(ctx context.Context, in *PageQuery) (*PageOutput[auth.Invitation], error) {
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
}

type invitationOut struct{ Body auth.Invitation }

func (s *Server) getInvitation(ctx context.Context, in *IDPath) (*invitationOut, error) {
	out := &invitationOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = auth.GetInvitation(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) revokeInvitation(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return auth.RevokeInvitation(ctx, tx, in.id()) })
}
