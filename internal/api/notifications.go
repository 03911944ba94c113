package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// NotificationTemplateOutput is one tenant template with its ETag.
type NotificationTemplateOutput struct {
	ETag string `header:"ETag"`
	Body notify.Template
}

// NotificationSettingsOutput is the tenant's notification settings with their ETag.
type NotificationSettingsOutput struct {
	ETag string `header:"ETag"`
	Body notify.QuietHours
}

// PreferencesOutput is a customer's notification opt-outs.
type PreferencesOutput struct {
	Body notify.Preferences
}

// MarkReadBody names in-app messages to mark read.
type MarkReadBody struct {
	IDs []string `json:"ids" minItems:"1" maxItems:"200" doc:"Message ids (UUIDs)"`
}

func (b MarkReadBody) ids() ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(b.IDs))
	for i, v := range b.IDs {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, tenants.Invalid("body.ids["+itoa(i)+"]", "must be a UUID")
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

func registerNotifications(s *Server) {
	tags := []string{"Notifications"}
	type eventsOut struct {
		Body struct {
			Items []notify.EventInfo `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-notification-events", Method: http.MethodGet, Path: "/v1/notification-events",
		Tags: tags, Summary: "Event types with notification templates, and the variables their templates may use"},
		route{perm: access.NotificationsRead}, func(ctx context.Context, _ *struct{}) (*eventsOut, error) {
			out := &eventsOut{}
			out.Body.Items = notify.Catalogue()
			return out, nil
		})

	type templatesIn struct {
		EventType string `query:"event_type" maxLength:"100" doc:"Only this event type"`
	}
	type templatesOut struct {
		Body struct {
			Items []notify.Template `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-notification-templates", Method: http.MethodGet, Path: "/v1/notification-templates",
		Tags: tags, Summary: "Templates in force: the tenant's own, else the shipped defaults (zh-CN and en)"},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *templatesIn) (*templatesOut, error) {
			out := &templatesOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = notify.ListTemplates(ctx, tx, in.EventType)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	type createTemplateIn struct{ Body notify.TemplateInput }
	register(s, huma.Operation{OperationID: "create-notification-template", Method: http.MethodPost, Path: "/v1/notification-templates",
		Tags: tags, Summary: "Override a default template for an event, channel and locale", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "The template is rendered with the event's sample variables before it is saved: an unknown variable or a " +
			"syntax error is a 422 naming body.subject or body.body. Go text/template syntax: {{.order_number}}."},
		route{perm: access.NotificationsManage, idem: true}, func(ctx context.Context, in *createTemplateIn) (*NotificationTemplateOutput, error) {
			t, err := within(ctx, s, func(tx *tenants.Tx) (notify.Template, error) { return notify.CreateTemplate(ctx, tx, in.Body) })
			if err != nil {
				return nil, err
			}
			return &NotificationTemplateOutput{ETag: etag(t.Version), Body: t}, nil
		})

	register(s, huma.Operation{OperationID: "get-notification-template", Method: http.MethodGet, Path: "/v1/notification-templates/{id}",
		Tags: tags, Summary: "Get a tenant template", Errors: []int{404}},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *IDPath) (*NotificationTemplateOutput, error) {
			t, err := within(ctx, s, func(tx *tenants.Tx) (notify.Template, error) { return notify.GetTemplate(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &NotificationTemplateOutput{ETag: etag(t.Version), Body: t}, nil
		})

	type updateTemplateIn struct {
		IDPath
		IfMatch
		Body struct {
			Subject string `json:"subject,omitempty" maxLength:"500"`
			Body    string `json:"body" minLength:"1" maxLength:"20000"`
		}
	}
	register(s, huma.Operation{OperationID: "update-notification-template", Method: http.MethodPut, Path: "/v1/notification-templates/{id}",
		Tags: tags, Summary: "Change a tenant template (validated like a new one)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *updateTemplateIn) (*NotificationTemplateOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			t, err := within(ctx, s, func(tx *tenants.Tx) (notify.Template, error) {
				return notify.UpdateTemplate(ctx, tx, in.id(), v, in.Body.Subject, in.Body.Body)
			})
			if err != nil {
				return nil, err
			}
			return &NotificationTemplateOutput{ETag: etag(t.Version), Body: t}, nil
		})

	type deleteTemplateIn struct {
		IDPath
		IfMatch
	}
	register(s, huma.Operation{OperationID: "delete-notification-template", Method: http.MethodDelete, Path: "/v1/notification-templates/{id}",
		Tags: tags, Summary: "Remove a tenant template: the shipped default applies again", DefaultStatus: 204, Errors: []int{404, 412, 428}},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *deleteTemplateIn) (*struct{}, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return notify.DeleteTemplate(ctx, tx, in.id(), v) })
		})

	type previewIn struct{ Body notify.PreviewInput }
	type previewOut struct{ Body notify.Rendered }
	register(s, huma.Operation{OperationID: "preview-notification-template", Method: http.MethodPost, Path: "/v1/notification-templates/preview",
		Tags: tags, Summary: "Render a template (the one in force, or the subject and body sent) with sample variables", Errors: []int{422}},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *previewIn) (*previewOut, error) {
			r, err := within(ctx, s, func(tx *tenants.Tx) (notify.Rendered, error) { return notify.Preview(ctx, tx, in.Body) })
			if err != nil {
				return nil, err
			}
			return &previewOut{Body: r}, nil
		})

	register(s, huma.Operation{OperationID: "get-notification-settings", Method: http.MethodGet, Path: "/v1/notification-settings",
		Tags: tags, Summary: "Quiet hours: non-urgent SMS and email created in them wait until they end (tenant's time zone)"},
		route{perm: access.NotificationsManage}, func(ctx context.Context, _ *struct{}) (*NotificationSettingsOutput, error) {
			st, err := within(ctx, s, func(tx *tenants.Tx) (notify.QuietHours, error) { return notify.GetQuietHours(ctx, tx) })
			if err != nil {
				return nil, err
			}
			return &NotificationSettingsOutput{ETag: etag(st.Version), Body: st}, nil
		})
	type putSettingsIn struct {
		IfMatch
		Body struct {
			QuietStart string `json:"quiet_start" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"22:00" doc:"Empty: no quiet hours"`
			QuietEnd   string `json:"quiet_end" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"08:00"`
		}
	}
	register(s, huma.Operation{OperationID: "put-notification-settings", Method: http.MethodPut, Path: "/v1/notification-settings",
		Tags: tags, Summary: "Set quiet hours", Errors: []int{412, 422, 428}},
		route{perm: access.NotificationsManage}, func(ctx context.Context, in *putSettingsIn) (*NotificationSettingsOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			st, err := within(ctx, s, func(tx *tenants.Tx) (notify.QuietHours, error) {
				return notify.PutQuietHours(ctx, tx, v, notify.QuietHours{QuietStart: in.Body.QuietStart, QuietEnd: in.Body.QuietEnd})
			})
			if err != nil {
				return nil, err
			}
			return &NotificationSettingsOutput{ETag: etag(st.Version), Body: st}, nil
		})

	type sendsIn struct {
		PageQuery
		EventType string      `query:"event_type" maxLength:"100"`
		Status    sendStatus  `query:"status"`
		Channel   sendChannel `query:"channel"`
		SubjectID string      `query:"subject_id" format:"uuid" doc:"Sends about one order (or other subject)"`
	}
	register(s, huma.Operation{OperationID: "list-notification-sends", Method: http.MethodGet, Path: "/v1/notification-sends",
		Tags: tags, Summary: "The send log, newest first: every message with its status and attempts (recipients masked for roles without contacts:unmasked)"},
		route{perm: access.NotificationsRead}, func(ctx context.Context, in *sendsIn) (*PageOutput[notify.Send], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			unmasked := principal(ctx).Can(access.ContactsFull)
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]notify.Send, error) {
				return notify.ListSends(ctx, tx, notify.SendFilter{After: after, EventType: in.EventType, Status: string(in.Status),
					Channel: string(in.Channel), SubjectID: optionalID(in.SubjectID), Limit: in.limit() + 1}, unmasked)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(x notify.Send) uuid.UUID { return x.ID }), nil
		})

	// Staff in-app messages.
	register(s, huma.Operation{OperationID: "list-my-notifications", Method: http.MethodGet, Path: "/v1/me/notifications",
		Tags: tags, Summary: "My in-app messages in the chosen tenant, newest first"},
		route{}, func(ctx context.Context, in *InboxQuery) (*PageOutput[notify.InboxMessage], error) {
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
		})
	type markMineIn struct{ Body MarkReadBody }
	register(s, huma.Operation{OperationID: "mark-my-notifications-read", Method: http.MethodPost, Path: "/v1/me/notifications/read",
		Tags: tags, Summary: "Mark my in-app messages read (ids not mine are ignored)"},
		route{}, func(ctx context.Context, in *markMineIn) (*MarkReadOutput, error) {
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
		})

	// Customer preferences, set by staff (e.g. on the phone) or by the consumer.
	type prefsIn struct{ IDPath }
	register(s, huma.Operation{OperationID: "get-customer-notification-preferences", Method: http.MethodGet,
		Path: "/v1/customers/{id}/notification-preferences", Tags: []string{"Customers"},
		Summary: "A customer's notification opt-outs", Errors: []int{404}},
		route{perm: access.CustomersRead}, func(ctx context.Context, in *prefsIn) (*PreferencesOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (notify.Preferences, error) { return notify.GetPreferences(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &PreferencesOutput{Body: p}, nil
		})
	type putPrefsIn struct {
		IDPath
		Body notify.Preferences
	}
	register(s, huma.Operation{OperationID: "put-customer-notification-preferences", Method: http.MethodPut,
		Path: "/v1/customers/{id}/notification-preferences", Tags: []string{"Customers"},
		Summary: "Replace a customer's notification opt-outs (audited)", Errors: []int{404, 422}},
		route{perm: access.CustomersWrite}, func(ctx context.Context, in *putPrefsIn) (*PreferencesOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (notify.Preferences, error) {
				return notify.PutPreferences(ctx, tx, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &PreferencesOutput{Body: p}, nil
		})

	// Consumer portal.
	ctags := []string{"Consumer"}
	type consumerInboxIn struct {
		TenantPath
		InboxQuery
	}
	register(s, huma.Operation{OperationID: "consumer-list-notifications", Method: http.MethodGet,
		Path: "/v1/consumer/tenants/{tenant}/notifications", Tags: ctags, Summary: "My in-app messages from this brand", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *consumerInboxIn) (*PageOutput[notify.InboxMessage], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			var rows []notify.InboxMessage
			err = s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, _ customers.Customer) (err error) {
				rows, err = notify.ListInbox(ctx, tx, notify.Inbox{ConsumerID: principal(ctx).ConsumerID}, after, in.Unread, in.limit()+1)
				return err
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(m notify.InboxMessage) uuid.UUID { return m.ID }), nil
		})
	type consumerMarkIn struct {
		TenantPath
		Body MarkReadBody
	}
	register(s, huma.Operation{OperationID: "consumer-mark-notifications-read", Method: http.MethodPost,
		Path: "/v1/consumer/tenants/{tenant}/notifications/read", Tags: ctags, Summary: "Mark my in-app messages read", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *consumerMarkIn) (*MarkReadOutput, error) {
			ids, err := in.Body.ids()
			if err != nil {
				return nil, err
			}
			out := &MarkReadOutput{}
			err = s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, _ customers.Customer) (err error) {
				out.Body.Marked, err = notify.MarkRead(ctx, tx, notify.Inbox{ConsumerID: principal(ctx).ConsumerID}, ids)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "consumer-get-notification-preferences", Method: http.MethodGet,
		Path: "/v1/consumer/tenants/{tenant}/notification-preferences", Tags: ctags, Summary: "My notification opt-outs with this brand",
		Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *TenantPath) (*PreferencesOutput, error) {
			out := &PreferencesOutput{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				out.Body, err = notify.GetPreferences(ctx, tx, me.ID)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	type consumerPrefsIn struct {
		TenantPath
		Body notify.Preferences
	}
	register(s, huma.Operation{OperationID: "consumer-put-notification-preferences", Method: http.MethodPut,
		Path: "/v1/consumer/tenants/{tenant}/notification-preferences", Tags: ctags,
		Summary: "Opt out of channels or kinds of messages (e.g. no SMS, or no order updates by email)", Errors: []int{404, 422}},
		route{consumer: true}, func(ctx context.Context, in *consumerPrefsIn) (*PreferencesOutput, error) {
			out := &PreferencesOutput{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				out.Body, err = notify.PutPreferences(ctx, tx, me.ID, in.Body)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
}
