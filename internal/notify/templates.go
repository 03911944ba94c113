package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Template is the wording of one event on one channel in one locale: a tenant's own
// (Default false, with an id and version) or the shipped default.
type Template struct {
	ID        *uuid.UUID `json:"id,omitempty" doc:"Absent for a shipped default"`
	EventType string     `json:"event_type"`
	Channel   string     `json:"channel"` // one of Channels
	Locale    string     `json:"locale"`  // one of Locales
	Subject   string     `json:"subject" doc:"Email subject or in-app title; unused for SMS"`
	Body      string     `json:"body"`
	Default   bool       `json:"default" doc:"The shipped default (no tenant override)"`
	Version   int32      `json:"version,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

func templateFromRow(r db.NotificationTemplate) Template {
	return Template{ID: &r.ID, EventType: r.EventType, Channel: r.Channel, Locale: r.Locale, Subject: r.Subject,
		Body: r.Body, Version: r.Version, UpdatedAt: &r.UpdatedAt}
}

// Rendered is a template filled with an event's variables.
type Rendered struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// ErrTemplate marks a template that does not parse or uses a variable the event lacks.
var ErrTemplate = errors.New("template")

// Render fills subject and body with vars (plus the common variables). A variable the
// template uses but vars lack is an error, never an empty string in a customer's SMS.
func Render(subject, body string, vars map[string]string) (Rendered, error) {
	all := maps.Clone(vars)
	if all == nil {
		all = map[string]string{}
	}
	var out Rendered
	var err error
	if out.Subject, err = execute("subject", subject, all); err != nil {
		return out, err
	}
	out.Body, err = execute("body", body, all)
	return out, err
}

// MaxRendered bounds the text of a rendered subject or body, in bytes: far above any SMS,
// in-app message or email a template is for, and low enough that no template makes the
// notifier (or a preview) build a huge text.
const MaxRendered = 64 << 10

func execute(name, text string, vars map[string]string) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err == nil {
		err = bounded(t)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s: %s", ErrTemplate, name, cleanTemplateErr(err))
	}
	b := &cappedBuilder{max: MaxRendered}
	if err := t.Execute(b, vars); err != nil {
		return "", fmt.Errorf("%w: %s: %s", ErrTemplate, name, cleanTemplateErr(err))
	}
	return b.String(), nil
}

// bounded refuses what makes a template's work unbounded by its length: loops (range, which
// counts to any number), other templates (define, block, template: recursion) and printf
// (a width makes any length of text). What is left, variables, if/else, with and the other
// functions, does work in proportion to the template's and the variables' length.
func bounded(t *template.Template) error {
	if len(t.Templates()) > 1 {
		return errors.New("define and block are not allowed: a notification template is one text")
	}
	var check func(n parse.Node) error
	check = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.RangeNode:
			return fmt.Errorf("line %d: range is not allowed: use variables, if and with", n.Line)
		case *parse.TemplateNode:
			return fmt.Errorf("line %d: template is not allowed: a notification template is one text", n.Line)
		case *parse.IdentifierNode:
			if n.Ident == "printf" {
				return errors.New("printf is not allowed: variables come formatted")
			}
		case *parse.ListNode:
			for _, c := range n.Nodes {
				if err := check(c); err != nil {
					return err
				}
			}
		case *parse.ActionNode:
			return check(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				if err := check(c); err != nil {
					return err
				}
			}
		case *parse.CommandNode:
			for _, c := range n.Args {
				if err := check(c); err != nil {
					return err
				}
			}
		case *parse.ChainNode:
			return check(n.Node)
		case *parse.IfNode:
			return checkBranch(check, &n.BranchNode)
		case *parse.WithNode:
			return checkBranch(check, &n.BranchNode)
		}
		return nil
	}
	if t.Tree == nil {
		return nil
	}
	return check(t.Tree.Root)
}

func checkBranch(check func(parse.Node) error, b *parse.BranchNode) error {
	if err := check(b.Pipe); err != nil {
		return err
	}
	if b.List != nil {
		if err := check(b.List); err != nil {
			return err
		}
	}
	if b.ElseList != nil {
		return check(b.ElseList)
	}
	return nil
}

// cappedBuilder collects a rendered text and fails a write past max bytes, which stops the
// template's execution.
type cappedBuilder struct {
	strings.Builder
	max int
}

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("the rendered text is longer than %d KiB", b.max>>10)
	}
	return b.Builder.Write(p)
}

// cleanTemplateErr keeps text/template's message readable for a tenant admin.
func cleanTemplateErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "template: ")
	if i := strings.Index(s, "map has no entry for key "); i >= 0 {
		return "unknown variable " + s[i+len("map has no entry for key "):]
	}
	return s
}

// Validate renders a template with the sample variables of its event type; the error names
// the field (subject or body) and the unknown variable.
func Validate(eventType, subject, body string) error {
	info, ok := Lookup(eventType)
	if !ok {
		return fault.Invalid("event_type", "is not an event type with notifications (see /v1/notification-events)")
	}
	vars := sampleVars(info)
	if _, err := execute("subject", subject, vars); err != nil {
		return fault.Invalid("subject", strings.TrimPrefix(err.Error(), "template: subject: "))
	}
	if _, err := execute("body", body, vars); err != nil {
		return fault.Invalid("body", strings.TrimPrefix(err.Error(), "template: body: "))
	}
	return nil
}

func sampleVars(info EventInfo) map[string]string {
	vars := make(map[string]string, len(info.Vars)+len(commonVars))
	maps.Copy(vars, info.Vars)
	maps.Copy(vars, commonVars)
	return vars
}

// SampleVars returns the sample variables of an event type, with the common ones (just
// those for a type not in the catalogue).
func SampleVars(eventType string) map[string]string {
	info, _ := Lookup(eventType)
	return sampleVars(info)
}

// DefaultTemplate returns the shipped template, if any.
func DefaultTemplate(eventType, channel, locale string) (Template, bool) {
	t, ok := defaults[[3]string{eventType, channel, locale}]
	return t, ok
}

// Effective returns the template in force: the tenant's own, else the shipped default.
func Effective(ctx context.Context, tx *tenants.Tx, eventType, channel, locale string) (Template, bool, error) {
	r, err := tx.Q.FindNotificationTemplate(ctx, tx, db.FindNotificationTemplateParams{TenantID: tx.Scope.TenantID,
		EventType: eventType, Channel: channel, Locale: locale})
	if err == nil {
		return templateFromRow(r), true, nil
	}
	if err := fault.DBError(err, "", ""); !errors.Is(err, fault.ErrNotFound) {
		return Template{}, false, err
	}
	t, ok := DefaultTemplate(eventType, channel, locale)
	return t, ok, nil
}

// ListTemplates returns the templates in force, one per (event, channel, locale) that has a
// default or an override, optionally of one event type.
func ListTemplates(ctx context.Context, tx *tenants.Tx, eventType string) ([]Template, error) {
	var filter *string
	if eventType != "" {
		filter = &eventType
	}
	rows, err := tx.Q.ListNotificationTemplates(ctx, tx, db.ListNotificationTemplatesParams{TenantID: tx.Scope.TenantID, EventType: filter})
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	byKey := map[[3]string]Template{}
	for k, t := range defaults {
		if eventType == "" || k[0] == eventType {
			byKey[k] = t
		}
	}
	for _, r := range rows {
		byKey[[3]string{r.EventType, r.Channel, r.Locale}] = templateFromRow(r)
	}
	keys := slices.SortedFunc(maps.Keys(byKey), func(a, b [3]string) int {
		return strings.Compare(a[0]+"\x00"+a[1]+"\x00"+a[2], b[0]+"\x00"+b[1]+"\x00"+b[2])
	})
	out := make([]Template, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out, nil
}

// TemplateInput is a tenant's wording for an event, channel and locale.
type TemplateInput struct {
	EventType string `json:"event_type" maxLength:"100" example:"order.repair_done"`
	Channel   string `json:"channel"` // one of Channels
	Locale    string `json:"locale"`  // one of Locales
	Subject   string `json:"subject,omitempty" maxLength:"500"`
	Body      string `json:"body" minLength:"1" maxLength:"20000" doc:"Go template text: the event's variables ({{.order_number}}), if/else and with; no range, define, template or printf. At most 64 KiB once rendered"`
}

// CreateTemplate saves a tenant override after rendering it with the event's sample variables.
func CreateTemplate(ctx context.Context, tx *tenants.Tx, in TemplateInput) (Template, error) {
	if err := Validate(in.EventType, in.Subject, in.Body); err != nil {
		return Template{}, err
	}
	r, err := tx.Q.CreateNotificationTemplate(ctx, tx, db.CreateNotificationTemplateParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), EventType: in.EventType, Channel: in.Channel, Locale: in.Locale, Subject: in.Subject, Body: in.Body})
	if err != nil {
		return Template{}, fault.DBError(err, "this event, channel and locale already has a template: update it", "")
	}
	t := templateFromRow(r)
	return t, tx.Audit(ctx, "notification_template.create", "notification_template", r.ID, nil, t)
}

// GetTemplate returns a tenant override.
func GetTemplate(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Template, error) {
	r, err := tx.Q.GetNotificationTemplate(ctx, tx, db.GetNotificationTemplateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Template{}, fault.DBError(err, "", "")
	}
	return templateFromRow(r), nil
}

// UpdateTemplate changes an override's wording if version is current.
func UpdateTemplate(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, subject, body string) (Template, error) {
	before, err := GetTemplate(ctx, tx, id)
	if err != nil {
		return Template{}, err
	}
	if before.Version != version {
		return Template{}, fault.ErrStale
	}
	if err := Validate(before.EventType, subject, body); err != nil {
		return Template{}, err
	}
	r, err := tx.Q.UpdateNotificationTemplate(ctx, tx, db.UpdateNotificationTemplateParams{TenantID: tx.Scope.TenantID,
		ID: id, Version: version,
		Subject: subject, Body: body})
	if err != nil {
		return Template{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := templateFromRow(r)
	return after, tx.Audit(ctx, "notification_template.update", "notification_template", id, before, after)
}

// DeleteTemplate removes an override; the shipped default applies again.
func DeleteTemplate(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) error {
	before, err := GetTemplate(ctx, tx, id)
	if err != nil {
		return err
	}
	if before.Version != version {
		return fault.ErrStale
	}
	n, err := tx.Q.DeleteNotificationTemplate(ctx, tx, db.DeleteNotificationTemplateParams{TenantID: tx.Scope.TenantID,
		ID: id, Version: version})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	if n == 0 {
		return fault.ErrStale
	}
	return tx.Audit(ctx, "notification_template.delete", "notification_template", id, before, nil)
}

// PreviewInput asks how a template reads. Without subject and body, the template in force
// is previewed; vars override the event's sample variables.
type PreviewInput struct {
	EventType string            `json:"event_type" maxLength:"100" example:"order.repair_done"`
	Channel   string            `json:"channel"` // one of Channels
	Locale    string            `json:"locale"`  // one of Locales
	Subject   *string           `json:"subject,omitempty" maxLength:"500"`
	Body      *string           `json:"body,omitempty" maxLength:"20000"`
	Vars      map[string]string `json:"vars,omitempty" maxProperties:"50"`
}

// Preview renders a template with sample variables (and the tenant's name).
func Preview(ctx context.Context, tx *tenants.Tx, in PreviewInput) (Rendered, error) {
	info, ok := Lookup(in.EventType)
	if !ok {
		return Rendered{}, fault.Invalid("event_type", "is not an event type with notifications (see /v1/notification-events)")
	}
	t, found, err := Effective(ctx, tx, in.EventType, in.Channel, in.Locale)
	if err != nil {
		return Rendered{}, err
	}
	if !found && in.Body == nil {
		return Rendered{}, fault.Invalid("body", "there is no template for this event, channel and locale: send one")
	}
	if in.Subject != nil {
		t.Subject = *in.Subject
	}
	if in.Body != nil {
		t.Body = *in.Body
	}
	vars := sampleVars(info)
	if tn, err := tenants.GetTenant(ctx, tx); err == nil {
		vars["tenant_name"] = tn.Name
	}
	maps.Copy(vars, in.Vars)
	r, err := Render(t.Subject, t.Body, vars)
	if err != nil {
		field := "body"
		if strings.Contains(err.Error(), ": subject: ") {
			field = "subject"
		}
		return Rendered{}, fault.Invalid(field, strings.TrimPrefix(strings.SplitN(err.Error(), ": ", 3)[2], ""))
	}
	return r, nil
}
