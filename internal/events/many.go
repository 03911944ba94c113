package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// New is an event to emit with EmitMany.
type New struct {
	Type      string
	Subject   string
	SubjectID uuid.UUID
	OutletID  uuid.UUID
	Data      any
}

// EmitMany is Emit for several events of one transaction: one statement records them all
// and one dispatch job, inserted at commit (tenants.Tx.Job), fans them all out
// (DispatchArgs.EventIDs). It returns their ids in order.
func EmitMany(ctx context.Context, tx *tenants.Tx, jobs tenants.JobInserter, evs []New) ([]uuid.UUID, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	if jobs == nil {
		return nil, errors.New("events: no job inserter to dispatch events")
	}
	ids := make([]uuid.UUID, len(evs))
	var rows tenants.MultiInsert
	for i, e := range evs {
		payload := []byte("{}")
		if e.Data != nil {
			var err error
			if payload, err = json.Marshal(e.Data); err != nil {
				return nil, fmt.Errorf("event %s payload: %w", e.Type, err)
			}
		}
		ids[i] = platform.NewID()
		if err := tx.Q.InsertEvent(ctx, &rows, db.InsertEventParams{TenantID: tx.Scope.TenantID, ID: ids[i], Type: e.Type,
			Subject: e.Subject, SubjectID: nullID(e.SubjectID), OutletID: nullID(e.OutletID), Payload: payload}); err != nil {
			return nil, err
		}
	}
	if _, err := rows.Send(ctx, tx); err != nil {
		return nil, fmt.Errorf("record %d events: %w", len(evs), err)
	}
	args := DispatchArgs{TenantID: tx.Scope.TenantID, EventIDs: ids}
	if len(evs) == 1 {
		args = DispatchArgs{TenantID: tx.Scope.TenantID, EventID: ids[0]}
	}
	tx.Job(jobs, "", river.InsertManyParams{Args: args})
	return ids, nil
}
