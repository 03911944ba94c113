package api

// API keys: credentials of machine clients, each with a role and optional narrower scopes.

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

// registerAPIKeyRoutes adds API keys.
func registerAPIKeyRoutes(api huma.API, s *Server) {
	tags := []string{"API keys"}
	register(api, s, huma.Operation{OperationID: "create-api-key", Method: http.MethodPost, Path: "/api-keys", Tags: tags,
		Summary: "Create an API key for a machine client", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.APIKeysManage, idem: true}, s.createAPIKey)
	register(api, s, huma.Operation{OperationID: "list-api-keys", Method: http.MethodGet, Path: "/api-keys", Tags: tags,
		Summary: "List API keys (never their secrets)"},
		route{perm: access.APIKeysManage}, s.listAPIKeys)
	register(api, s, huma.Operation{OperationID: "get-api-key", Method: http.MethodGet, Path: "/api-keys/{id}", Tags: tags,
		Summary: "Get an API key", Errors: []int{404}},
		route{perm: access.APIKeysManage}, s.getAPIKey)
	register(api, s, huma.Operation{OperationID: "revoke-api-key", Method: http.MethodDelete, Path: "/api-keys/{id}", Tags: tags,
		Summary: "Revoke an API key", DefaultStatus: 204, Errors: []int{404}},
		route{perm: access.APIKeysManage}, s.revokeAPIKey)
}

// createIn creates an API key (its name gives the body's schema name, CreateInBody).
type createIn struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"200"`
		RoleBody
		Scopes    []string   `json:"scopes,omitempty" maxItems:"32" doc:"Limit the key to these permissions of its role"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}
}

// created is a new API key with its secret (its name gives the body's schema name, CreatedBody).
type created struct {
	Body struct {
		auth.APIKey
		Token string `json:"token" doc:"The key; shown once, store it safely"`
	}
}

func (s *Server) createAPIKey(ctx context.Context, in *createIn) (*created, error) {
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
}

func (s *Server) listAPIKeys(ctx context.Context, in *PageQuery) (*PageOutput[auth.APIKey], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]auth.APIKey, error) { return auth.ListAPIKeys(ctx, tx, after, in.limit()+1) })
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(k auth.APIKey) uuid.UUID { return k.ID }), nil
}

type keyOut struct{ Body auth.APIKey }

func (s *Server) getAPIKey(ctx context.Context, in *IDPath) (*keyOut, error) {
	out := &keyOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = auth.GetAPIKey(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) revokeAPIKey(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return auth.RevokeAPIKey(ctx, tx, in.id()) })
}
