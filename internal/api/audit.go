package api

// The audit log: who changed what, when, from where.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// AuditEntry is one record of the audit log.
type AuditEntry struct {
	ID         uuid.UUID  `json:"id"`
	At         time.Time  `json:"at"`
	ActorKind  string     `json:"actor_kind"`
	ActorID    *uuid.UUID `json:"actor_id,omitempty"`
	ActorLabel string     `json:"actor_label"`
	Action     string     `json:"action"`
	Entity     string     `json:"entity"`
	EntityID   *uuid.UUID `json:"entity_id,omitempty"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
	Before     any        `json:"before,omitempty"`
	After      any        `json:"after,omitempty"`
	IP         string     `json:"ip,omitempty"`
	UserAgent  string     `json:"user_agent,omitempty"`
	RequestID  string     `json:"request_id,omitempty"`
}

// registerAuditRoutes adds reading the audit log.
func registerAuditRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/audit-log", Tags: []string{"Audit"},
		Summary: "Read the audit log, newest first (tenant admins, auditors; outlet managers see their outlet)"},
		route{perm: access.AuditRead}, s.listAudit)
}

type listAuditIn struct {
	Before   string `query:"cursor" maxLength:"64" doc:"Opaque cursor: next_cursor of the previous page"`
	Limit    int32  `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Entity   string `query:"entity" maxLength:"64" example:"outlet"`
	EntityID string `query:"entity_id" format:"uuid"`
	Action   string `query:"action" maxLength:"64" example:"auth.login_failed"`
	ActorID  string `query:"actor_id" format:"uuid"`
}

func (s *Server) listAudit(ctx context.Context, in *listAuditIn) (*PageOutput[AuditEntry], error) {
	pq := PageQuery{Cursor: in.Before, Limit: in.Limit}
	before, err := pq.after()
	if err != nil {
		return nil, err
	}
	var rows []tenants.AuditRecord
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		rows, err = tenants.ListAudit(ctx, tx, tenants.AuditFilter{Before: before, Entity: in.Entity, EntityID: optionalID(in.EntityID),
			Action: in.Action, ActorID: optionalID(in.ActorID), Limit: pq.limit() + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	entries := make([]AuditEntry, len(rows))
	for i, r := range rows {
		entries[i] = AuditEntry{ID: r.ID, At: r.At, ActorKind: r.ActorKind, ActorID: r.ActorID,
			ActorLabel: r.ActorLabel, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
			OutletID: r.OutletID, Before: rawJSON(r.Before), After: rawJSON(r.After), IP: r.IP,
			UserAgent: r.UserAgent, RequestID: r.RequestID}
	}
	return pageOf(entries, pq.limit(), func(e AuditEntry) uuid.UUID { return e.ID }), nil
}
