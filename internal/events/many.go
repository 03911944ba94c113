package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

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

// ManyInserter inserts several jobs in one call; *river.Client[pgx.Tx] is one.
type ManyInserter interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// EmitMany is Emit for several events of one transaction: one statement records them all
// and one call queues their dispatch jobs. It returns their ids in order.
func EmitMany(ctx context.Context, tx *tenants.Tx, jobs ManyInserter, evs []New) ([]uuid.UUID, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	if jobs == nil {
		return nil, errors.New("events: no job inserter to dispatch events")
	}
	type row struct {
		ID        uuid.UUID       `json:"id"`
		Type      string          `json:"type"`
		Subject   string          `json:"subject"`
		SubjectID *uuid.UUID      `json:"subject_id"`
		OutletID  *uuid.UUID      `json:"outlet_id"`
		Payload   json.RawMessage `json:"payload"`
	}
	rows := make([]row, len(evs))
	ids := make([]uuid.UUID, len(evs))
	params := make([]river.InsertManyParams, len(evs))
	for i, e := range evs {
		payload := []byte("{}")
		if e.Data != nil {
			var err error
			if payload, err = json.Marshal(e.Data); err != nil {
				return nil, fmt.Errorf("event %s payload: %w", e.Type, err)
			}
		}
		ids[i] = platform.NewID()
		rows[i] = row{ID: ids[i], Type: e.Type, Subject: e.Subject, SubjectID: optional(e.SubjectID), OutletID: optional(e.OutletID), Payload: payload}
		params[i] = river.InsertManyParams{Args: DispatchArgs{TenantID: tx.Scope.TenantID, EventID: ids[i]}}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	if err := tx.Q.InsertEvents(ctx, tx, b); err != nil {
		return nil, fmt.Errorf("record %d events: %w", len(evs), err)
	}
	if _, err := jobs.InsertManyTx(ctx, tx.Tx, params); err != nil {
		return nil, fmt.Errorf("queue %d events: %w", len(evs), err)
	}
	return ids, nil
}

func optional(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
