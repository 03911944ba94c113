package tenants

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
)

// Audit appends an entry to the tenant's audit log in the same transaction as the change,
// so a change and its record commit or roll back together. before and after are marshalled
// to JSON; nil leaves the side empty (create, delete, login).
func (t *Tx) Audit(ctx context.Context, action, entity string, entityID uuid.UUID, before, after any) error {
	b, err := jsonOrNil(before)
	if err != nil {
		return err
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return err
	}
	act := t.Scope.Actor
	var actorID, eid, outlet uuid.NullUUID
	if act.ID != uuid.Nil {
		actorID = uuid.NullUUID{UUID: act.ID, Valid: true}
	}
	if entityID != uuid.Nil {
		eid = uuid.NullUUID{UUID: entityID, Valid: true}
	}
	if t.Scope.OutletID != uuid.Nil {
		outlet = uuid.NullUUID{UUID: t.Scope.OutletID, Valid: true}
	}
	kind := act.Kind
	if kind == "" {
		kind = "system"
	}
	// Queued for the commit (Later): nothing reads an audit entry in the transaction that
	// wrote it.
	err = t.Q.InsertAudit(ctx, t.Later(), db.InsertAuditParams{
		TenantID: t.Scope.TenantID, ID: platform.NewID(), ActorKind: kind, ActorID: actorID,
		ActorLabel: act.Label, Action: action, Entity: entity, EntityID: eid, OutletID: outlet,
		Before: b, After: a, Ip: act.IP, UserAgent: act.UserAgent, RequestID: act.RequestID,
	})
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal audit value: %w", err)
	}
	return b, nil
}
