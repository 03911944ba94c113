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
	p := db.InsertEventsParams{TenantID: tx.Scope.TenantID,
		Ids: make([]string, len(evs)), Types: make([]string, len(evs)), Subjects: make([]string, len(evs)),
		SubjectIds: make([]string, len(evs)), OutletIds: make([]string, len(evs)), Payloads: make([][]byte, len(evs))}
	for i, e := range evs {
		payload := []byte("{}")
		if e.Data != nil {
			var err error
			if payload, err = json.Marshal(e.Data); err != nil {
				return nil, fmt.Errorf("event %s payload: %w", e.Type, err)
			}
		}
		ids[i] = platform.NewID()
		p.Ids[i], p.SubjectIds[i], p.OutletIds[i] = ids[i].String(), idText(e.SubjectID), idText(e.OutletID)
		p.Types[i], p.Subjects[i], p.Payloads[i] = e.Type, e.Subject, payload
	}
	if err := tx.Q.InsertEvents(ctx, tx, p); err != nil {
		return nil, fmt.Errorf("record %d events: %w", len(evs), err)
	}
	args := DispatchArgs{TenantID: tx.Scope.TenantID, EventIDs: ids}
	if len(evs) == 1 {
		args = DispatchArgs{TenantID: tx.Scope.TenantID, EventID: ids[0]}
	}
	tx.Job(jobs, "", river.InsertManyParams{Args: args})
	return ids, nil
}

// idText is id as InsertEvents takes it: empty for none.
func idText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}
