package api

// A consumer's messages and notification opt-outs in a brand's portal.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// registerConsumerNotificationRoutes adds the consumer's inbox and preferences.
func registerConsumerNotificationRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-list-notifications", Method: http.MethodGet,
		Path: "/consumer/tenants/{tenant}/notifications", Tags: ctags, Summary: "My in-app messages from this brand", Errors: []int{404}},
		route{consumer: true}, s.consumerListNotifications)
	register(api, s, huma.Operation{OperationID: "consumer-mark-notifications-read", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/notifications/read", Tags: ctags, Summary: "Mark my in-app messages read", Errors: []int{404}},
		route{consumer: true}, s.consumerMarkNotificationsRead)
	register(api, s, huma.Operation{OperationID: "consumer-get-notification-preferences", Method: http.MethodGet,
		Path: "/consumer/tenants/{tenant}/notification-preferences", Tags: ctags, Summary: "My notification opt-outs with this brand",
		Errors: []int{404}},
		route{consumer: true}, s.consumerGetNotificationPreferences)
	register(api, s, huma.Operation{OperationID: "consumer-put-notification-preferences", Method: http.MethodPut,
		Path: "/consumer/tenants/{tenant}/notification-preferences", Tags: ctags,
		Summary: "Opt out of channels or kinds of messages (e.g. no SMS, or no order updates by email)", Errors: []int{404, 422},
		Description: "A consumer right: answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerPutNotificationPreferences)
}

type consumerInboxIn struct {
	TenantPath
	InboxQuery
}

func (s *Server) consumerListNotifications(ctx context.Context, in *consumerInboxIn) (*PageOutput[notify.InboxMessage], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	var rows []notify.InboxMessage
	err = s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		rows, err = notify.ListInbox(ctx, tx, notify.Inbox{ConsumerID: tx.Scope.ConsumerID}, after, in.Unread, in.limit()+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(m notify.InboxMessage) uuid.UUID { return m.ID }), nil
}

type consumerMarkIn struct {
	TenantPath
	Body MarkReadBody
}

func (s *Server) consumerMarkNotificationsRead(ctx context.Context, in *consumerMarkIn) (*MarkReadOutput, error) {
	ids, err := in.Body.ids()
	if err != nil {
		return nil, err
	}
	out := &MarkReadOutput{}
	err = s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		out.Body.Marked, err = notify.MarkRead(ctx, tx, notify.Inbox{ConsumerID: tx.Scope.ConsumerID}, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) consumerGetNotificationPreferences(ctx context.Context, in *TenantPath) (*PreferencesOutput, error) {
	out := &PreferencesOutput{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		out.Body, err = notify.GetPreferences(ctx, tx, tx.Scope.CustomerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type consumerPrefsIn struct {
	TenantPath
	Body notify.Preferences
}

func (s *Server) consumerPutNotificationPreferences(ctx context.Context, in *consumerPrefsIn) (*PreferencesOutput, error) {
	out := &PreferencesOutput{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = notify.PutPreferences(ctx, tx, tx.Scope.CustomerID, in.Body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
