package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// APIKey is a machine credential of a tenant, as shown to its admins (never the secret).
type APIKey struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func apiKeyFromRow(k db.ApiKey) APIKey {
	return APIKey{ID: k.ID, Name: k.Name, Role: k.Role, OutletID: nullID(k.OutletID), Scopes: k.Scopes,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

// NewAPIKey describes a key to create.
type NewAPIKey struct {
	Name      string
	Role      access.Role
	OutletID  uuid.UUID
	Scopes    []string
	ExpiresAt *time.Time
}

// CreateAPIKey creates a key and returns its secret token, shown this once.
func CreateAPIKey(ctx context.Context, tx *tenants.Tx, in NewAPIKey) (APIKey, string, error) {
	if !in.Role.Valid() {
		return APIKey{}, "", fault.Invalid("role", "is not a tenant role")
	}
	if in.Role.OutletScoped() != (in.OutletID != uuid.Nil) {
		return APIKey{}, "", fault.Invalid("outlet_id", "is required for outlet roles and only for them")
	}
	for i, s := range in.Scopes {
		if !in.Role.Can(access.Permission(s)) {
			return APIKey{}, "", fault.Invalid(fmt.Sprintf("scopes[%d]", i), "is not a permission of the key's role")
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		return APIKey{}, "", fault.Invalid("expires_at", "must be in the future")
	}
	if in.Scopes == nil {
		in.Scopes = []string{}
	}
	id := platform.NewID()
	tok, hash := newScopedToken(prefixAPIKey, tx.Scope.TenantID, id)
	row, err := tx.Q.CreateAPIKey(ctx, tx, db.CreateAPIKeyParams{
		TenantID: tx.Scope.TenantID, ID: id, Name: in.Name, Role: string(in.Role), OutletID: someID(in.OutletID),
		Scopes: in.Scopes, SecretHash: hash, CreatedBy: someID(tx.Scope.Actor.ID), ExpiresAt: in.ExpiresAt,
	})
	if err != nil {
		return APIKey{}, "", fault.DBError(err, "an API key with this id exists", "outlet_id")
	}
	k := apiKeyFromRow(row)
	return k, tok, tx.Audit(ctx, "api_key.create", "api_key", id, nil, k)
}

// ListAPIKeys lists a tenant's keys after the cursor id.
func ListAPIKeys(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]APIKey, error) {
	rows, err := tx.Q.ListAPIKeys(ctx, tx, db.ListAPIKeysParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = apiKeyFromRow(r)
	}
	return out, nil
}

// GetAPIKey returns one key.
func GetAPIKey(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (APIKey, error) {
	row, err := tx.Q.GetAPIKey(ctx, tx, db.GetAPIKeyParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return APIKey{}, fault.DBError(err, "", "")
	}
	return apiKeyFromRow(row), nil
}

// RevokeAPIKey revokes a key; revoking twice is not an error.
func RevokeAPIKey(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	before, err := GetAPIKey(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Q.RevokeAPIKey(ctx, tx, db.RevokeAPIKeyParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	return tx.Audit(ctx, "api_key.revoke", "api_key", id, before, nil)
}

func (s *Service) authenticateAPIKey(ctx context.Context, token string) (*Principal, error) {
	tenantID, id, hash, err := parseScopedToken(prefixAPIKey, token)
	if err != nil {
		return nil, err
	}
	// The key is read in one round trip; its use is recorded (a write, in a transaction of
	// its own) at most once a minute.
	scope := tenants.Scope{TenantID: tenantID, Actor: tenants.SystemActor}
	var row db.APIKeyForAuthRow
	err = s.db.Read(ctx, scope, func(q db.DBTX) (err error) {
		row, err = db.New().APIKeyForAuth(ctx, q, db.APIKeyForAuthParams{TenantID: tenantID, ID: id})
		return err
	})
	k := row.ApiKey
	if err == nil && (!equalHash(k.SecretHash, hash) || k.RevokedAt != nil || (k.ExpiresAt != nil && k.ExpiresAt.Before(time.Now()))) {
		err = ErrBadToken
	}
	if err == nil && (k.LastUsedAt == nil || time.Since(*k.LastUsedAt) >= time.Minute) {
		err = s.db.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.Q.TouchAPIKey(ctx, tx, db.TouchAPIKeyParams{TenantID: tenantID, ID: id})
		})
	}
	if err != nil {
		if errors.Is(err, ErrBadToken) || errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return nil, ErrBadToken
		}
		return nil, fmt.Errorf("resolve api key: %w", err)
	}
	return &Principal{Kind: KindAPIKey, APIKeyID: k.ID, Label: "key:" + k.Name, TenantID: tenantID,
		OutletID: k.OutletID.UUID, Role: access.Role(k.Role), Scopes: slices.Clip(k.Scopes), TenantStatus: row.TenantStatus}, nil
}

func someID(id uuid.UUID) uuid.NullUUID {
	return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil}
}

func nullID(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}
