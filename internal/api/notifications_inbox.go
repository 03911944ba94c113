package api

// Staff's in-app messages in the chosen tenant.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// MarkReadBody names in-app messages to mark read.
type MarkReadBody struct {
	IDs []string `json:"ids" minItems:"1" maxItems:"200" doc:"Message ids (UUIDs)"`
}

func (b MarkReadBody) ids() ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(b.IDs))
	for i, v := range b.IDs {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, fault.Invalid("body.ids["+itoa(i)+"]", "must be a UUID")
		}
		out[i] = id
	}
	return out, nil
}

// MarkReadOutput says how many messages changed.
type MarkReadOutput struct {
	Body struct {
		Marked int64 `json:"marked"`
	}
}

// InboxQuery pages an inbox.
type InboxQuery struct {
	PageQuery
	Unread bool `query:"unread" doc:"Only unread messages"`
}

// registerInboxRoutes adds reading my in-app messages and marking them read.
func registerInboxRoutes(api huma.API, s *Server) {
	tags := []string{"Notifications"}
	register(api, s, huma.Operation{OperationID: "list-my-notifications", Method: http.MethodGet, Path: "/me/notifications",
		Tags: tags, Summary: "My in-app messages in the chosen tenant, newest first"},
		route{}, s.listMyNotifications)
	register(api, s, huma.Operation{OperationID: "mark-my-notifications-read", Method: http.MethodPost, Path: "/me/notifications/read",
		Tags: tags, Summary: "Mark my in-app messages read (ids not mine are ignored)"},
		route{}, s.markMyNotificationsRead)
}

func (s *Server) listMyNotifications(ctx context.Context, in *InboxQuery) (*PageOutput[notify.InboxMessage], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	p := principal(ctx)
	if p.UserID == uuid.Nil {
		return nil, huma.Error403Forbidden("in-app messages belong to users; API keys have none")
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]notify.InboxMessage, error) {
		return notify.ListInbox(ctx, tx, notify.Inbox{UserID: p.UserID}, after, in.Unread, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(m notify.InboxMessage) uuid.UUID { return m.ID }), nil
}

type markMineIn struct{ Body MarkReadBody }

func (s *Server) markMyNotificationsRead(ctx context.Context, in *markMineIn) (*MarkReadOutput, error) {
	p := principal(ctx)
	if p.UserID == uuid.Nil {
		return nil, huma.Error403Forbidden("in-app messages belong to users; API keys have none")
	}
	ids, err := in.Body.ids()
	if err != nil {
		return nil, err
	}
	out := &MarkReadOutput{}
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Marked, err = notify.MarkRead(ctx, tx, notify.Inbox{UserID: p.UserID}, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
