package api

// Notification templates per event, channel and locale; quiet hours; the send log.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
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

// registerNotificationTemplateRoutes adds event types and the templates of their messages.
func registerNotificationTemplateRoutes(api huma.API, s *Server) {
	tags := []string{"Notifications"}
	register(api, s, huma.Operation{OperationID: "list-notification-events", Method: http.MethodGet, Path: "/notification-events",
		Tags: tags, Summary: "Event types with notification templates, and the variables their templates may use"},
		route{perm: access.NotificationsRead}, s.listNotificationEvents)
	register(api, s, huma.Operation{OperationID: "list-notification-templates", Method: http.MethodGet, Path: "/notification-templates",
		Tags: tags, Summary: "Templates in force: the tenant's own, else the shipped defaults (zh-CN and en)"},
		route{perm: access.NotificationsManage}, s.listNotificationTemplates)
	register(api, s, huma.Operation{OperationID: "create-notification-template", Method: http.MethodPost, Path: "/notification-templates",
		Tags: tags, Summary: "Override a default template for an event, channel and locale", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "The template is rendered with the event's sample variables before it is saved: an unknown variable or a " +
			"syntax error is a 422 naming body.subject or body.body. Go text/template syntax: {{.order_number}}."},
		route{perm: access.NotificationsManage, idem: true}, s.createNotificationTemplate)
	register(api, s, huma.Operation{OperationID: "get-notification-template", Method: http.MethodGet, Path: "/notification-templates/{id}",
		Tags: tags, Summary: "Get a tenant template", Errors: []int{404}},
		route{perm: access.NotificationsManage}, s.getNotificationTemplate)
	register(api, s, huma.Operation{OperationID: "update-notification-template", Method: http.MethodPut, Path: "/notification-templates/{id}",
		Tags: tags, Summary: "Change a tenant template (validated like a new one)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.NotificationsManage}, s.updateNotificationTemplate)
	register(api, s, huma.Operation{OperationID: "delete-notification-template", Method: http.MethodDelete, Path: "/notification-templates/{id}",
		Tags: tags, Summary: "Remove a tenant template: the shipped default applies again", DefaultStatus: 204, Errors: []int{404, 412, 428}},
		route{perm: access.NotificationsManage}, s.deleteNotificationTemplate)
	register(api, s, huma.Operation{OperationID: "preview-notification-template", Method: http.MethodPost, Path: "/notification-templates/preview",
		Tags: tags, Summary: "Render a template (the one in force, or the subject and body sent) with sample variables", Errors: []int{422}},
		route{perm: access.NotificationsManage}, s.previewNotificationTemplate)
}

// registerNotificationSettingsRoutes adds quiet hours and the send log.
func registerNotificationSettingsRoutes(api huma.API, s *Server) {
	tags := []string{"Notifications"}
	register(api, s, huma.Operation{OperationID: "get-notification-settings", Method: http.MethodGet, Path: "/notification-settings",
		Tags: tags, Summary: "Quiet hours: non-urgent SMS and email created in them wait until they end (tenant's time zone)"},
		route{perm: access.NotificationsManage}, s.getNotificationSettings)
	register(api, s, huma.Operation{OperationID: "put-notification-settings", Method: http.MethodPut, Path: "/notification-settings",
		Tags: tags, Summary: "Set quiet hours", Errors: []int{412, 422, 428}},
		route{perm: access.NotificationsManage}, s.putNotificationSettings)
	register(api, s, huma.Operation{OperationID: "list-notification-sends", Method: http.MethodGet, Path: "/notification-sends",
		Tags: tags, Summary: "The send log, newest first: every message with its status and attempts (recipients masked for roles without contacts:unmasked)"},
		route{perm: access.NotificationsRead}, s.listNotificationSends)
}

type eventsOut struct {
	Body struct {
		Items []notify.EventInfo `json:"items"`
	}
}

func (s *Server) listNotificationEvents(ctx context.Context, _ *struct{}) (*eventsOut, error) {
	out := &eventsOut{}
	out.Body.Items = notify.Catalogue()
	return out, nil
}

type templatesIn struct {
	EventType string `query:"event_type" maxLength:"100" doc:"Only this event type"`
}

type templatesOut struct {
	Body struct {
		Items []notify.Template `json:"items"`
	}
}

func (s *Server) listNotificationTemplates(ctx context.Context, in *templatesIn) (*templatesOut, error) {
	out := &templatesOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = notify.ListTemplates(ctx, tx, in.EventType)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type createTemplateIn struct{ Body notify.TemplateInput }

func (s *Server) createNotificationTemplate(ctx context.Context, in *createTemplateIn) (*NotificationTemplateOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (notify.Template, error) { return notify.CreateTemplate(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &NotificationTemplateOutput{ETag: etag(t.Version), Body: t}, nil
}

func (s *Server) getNotificationTemplate(ctx context.Context, in *IDPath) (*NotificationTemplateOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (notify.Template, error) { return notify.GetTemplate(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &NotificationTemplateOutput{ETag: etag(t.Version), Body: t}, nil
}

type updateTemplateIn struct {
	IDPath
	IfMatch
	Body struct {
		Subject string `json:"subject,omitempty" maxLength:"500"`
		Body    string `json:"body" minLength:"1" maxLength:"20000"`
	}
}

func (s *Server) updateNotificationTemplate(ctx context.Context, in *updateTemplateIn) (*NotificationTemplateOutput, error) {
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
}

func (s *Server) deleteNotificationTemplate(ctx context.Context, in *deleteIn) (*struct{}, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return notify.DeleteTemplate(ctx, tx, in.id(), v) })
}

type previewIn struct{ Body notify.PreviewInput }

type previewOut struct{ Body notify.Rendered }

func (s *Server) previewNotificationTemplate(ctx context.Context, in *previewIn) (*previewOut, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (notify.Rendered, error) { return notify.Preview(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &previewOut{Body: r}, nil
}

func (s *Server) getNotificationSettings(ctx context.Context, _ *struct{}) (*NotificationSettingsOutput, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (notify.QuietHours, error) { return notify.GetQuietHours(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &NotificationSettingsOutput{ETag: etag(st.Version), Body: st}, nil
}

// putSettingsIn sets quiet hours (its name gives the body's schema name, PutSettingsInBody).
type putSettingsIn struct {
	IfMatch
	Body struct {
		QuietStart string `json:"quiet_start" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"22:00" doc:"Empty: no quiet hours"`
		QuietEnd   string `json:"quiet_end" pattern:"^(([01][0-9]|2[0-3]):[0-5][0-9])?$" example:"08:00"`
	}
}

func (s *Server) putNotificationSettings(ctx context.Context, in *putSettingsIn) (*NotificationSettingsOutput, error) {
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
}

type sendsIn struct {
	PageQuery
	EventType string      `query:"event_type" maxLength:"100"`
	Status    sendStatus  `query:"status"`
	Channel   sendChannel `query:"channel"`
	SubjectID string      `query:"subject_id" format:"uuid" doc:"Sends about one order (or other subject)"`
}

func (s *Server) listNotificationSends(ctx context.Context, in *sendsIn) (*PageOutput[notify.Send], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]notify.Send, error) {
		return notify.ListSends(ctx, tx, notify.SendFilter{After: after, EventType: in.EventType, Status: string(in.Status),
			Channel: string(in.Channel), SubjectID: optionalID(in.SubjectID), Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(x notify.Send) uuid.UUID { return x.ID }), nil
}
