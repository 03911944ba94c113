// Package auth authenticates staff (password sessions, API keys) and consumers (one-time
// codes), and resolves the principal of each request: who acts, in which tenant, with which
// role.
package auth

import (
	"slices"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// Principal kinds.
const (
	KindUser     = "user"
	KindAPIKey   = "api_key"
	KindConsumer = "consumer"
)

// StaffKinds are the kinds of staff principal.
var StaffKinds = []string{KindUser, KindAPIKey}

// Principal is the authenticated caller of one request.
type Principal struct {
	Kind          string
	UserID        uuid.UUID // staff user (KindUser)
	ConsumerID    uuid.UUID // consumer (KindConsumer)
	APIKeyID      uuid.UUID // API key (KindAPIKey)
	SessionID     uuid.UUID // the sign-in session of a user or consumer (uuid.Nil for API keys)
	Label         string    // email, key name or masked phone, for logs and the audit log
	PlatformAdmin bool
	// Operator is set when a platform admin acts in a tenant where they hold no membership.
	Operator bool

	// Tenant context; TenantID is uuid.Nil until a tenant is chosen.
	TenantID uuid.UUID
	OutletID uuid.UUID
	Role     access.Role
	Scopes   []string // API keys: permissions the key is limited to (empty: all of its role)
	// TenantStatus is the tenant's status when it was read with the credential (API keys),
	// so a write need not read it again; "" when unknown.
	TenantStatus string
}

// Can reports whether the principal holds permission p in its current tenant.
func (p *Principal) Can(perm access.Permission) bool {
	if p.PlatformAdmin && (perm == access.TenantsOnboard || perm == access.TenantsReadAll) {
		return true // platform permissions do not depend on the tenant chosen
	}
	if p.Role == "" || !p.Role.Can(perm) {
		return false
	}
	return len(p.Scopes) == 0 || slices.Contains(p.Scopes, string(perm))
}

// Scope is the database scope of the principal's tenant context.
func (p *Principal) Scope(meta tenants.Actor) tenants.Scope {
	meta.Kind, meta.Label = p.Kind, p.Label
	switch p.Kind {
	case KindUser:
		meta.ID = p.UserID
		if p.Operator {
			meta.Kind = "platform"
		}
	case KindAPIKey:
		meta.ID = p.APIKeyID
	case KindConsumer:
		meta.ID = p.ConsumerID
	}
	return tenants.Scope{TenantID: p.TenantID, OutletID: p.OutletID, UserID: p.UserID, Actor: meta,
		MaskContacts: p.Kind != KindConsumer && !p.Can(access.ContactsFull),
		Confidential: p.Kind == KindUser && p.Role.SeesConfidential()}
}
