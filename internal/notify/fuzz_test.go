package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
)

// FuzzTemplate renders tenant-written templates. Properties: rendering never panics and
// ends promptly with a bounded text, whatever the template; a template Validate accepts
// renders with its event's variables (and with any values of them); Validate's errors name
// the field at fault. testdata/fuzz/FuzzTemplate holds templates that rendered for minutes
// into hundreds of megabytes (range over a number, nested ranges, recursion, printf widths).
func FuzzTemplate(f *testing.F) {
	for _, s := range [][2]string{
		{"Order {{.order_number}}", "您的工单 {{.order_number}} 已受理"},
		{"", "plain text"},
		{"{{.tenant_name}}", "{{if .order_number}}yes{{else}}no{{end}}"},
		{"", "{{.nope}}"},
		{"", "{{"},
		{"{{with .order_number}}{{.}}{{end}}", "{{html .tenant_name}}{{js .tenant_name}}{{urlquery .tenant_name}}"},
		{"{{len .order_number}}", "{{slice .order_number 1 2}}{{index . \"order_number\"}}"},
		{"\xff", "a\x00b"},
	} {
		f.Add(s[0], s[1], "order.created", "value")
	}
	f.Fuzz(func(t *testing.T, subject, body, eventType, value string) {
		vars := notify.SampleVars(eventType)
		start := time.Now()
		r, err := notify.Render(subject, body, vars)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("rendering took %s", d)
		}
		if err == nil && len(r.Subject)+len(r.Body) > notify.MaxRendered+len(subject)+len(body) {
			t.Fatalf("rendered %d bytes from a %d-byte template", len(r.Subject)+len(r.Body), len(subject)+len(body))
		}
		if err != nil && !errors.Is(err, notify.ErrTemplate) {
			t.Fatalf("render error is not a template error: %v", err)
		}

		verr := notify.Validate(eventType, subject, body)
		var fe *fault.FieldError
		switch {
		case verr == nil:
			if _, ok := notify.Lookup(eventType); !ok {
				t.Fatalf("Validate accepted unknown event type %q", eventType)
			}
			if err != nil {
				t.Fatalf("Validate accepted a template that does not render with the event's variables: %v", err)
			}
			// Any values of the variables: a customer's name, an address.
			for k := range vars {
				vars[k] = value
			}
			if _, err := notify.Render(subject, body, vars); err != nil && utf8.ValidString(value) {
				t.Fatalf("an accepted template fails with other values (%q): %v", value, err)
			}
		case !errors.As(verr, &fe):
			t.Fatalf("Validate's error is not a field error: %v", verr)
		case fe.Field != "subject" && fe.Field != "body" && fe.Field != "event_type":
			t.Fatalf("Validate's error names %q, want subject, body or event_type: %v", fe.Field, verr)
		case fe.Field == "event_type" && func() bool { _, ok := notify.Lookup(eventType); return ok }():
			t.Fatalf("Validate refused known event type %q: %v", eventType, verr)
		}
	})
}

// TestTemplatesAreBounded: what makes rendering unbounded is refused when a template is
// saved, naming the field, and fails rendering (a template stored before the rule); a text
// longer than MaxRendered once rendered fails too.
func TestTemplatesAreBounded(t *testing.T) {
	t.Parallel()
	vars := notify.SampleVars("order.created")
	for _, body := range []string{"{{range 99999999}}x{{end}}", "{{range $}}{{end}}", `{{define "a"}}x{{end}}`, `{{template "a"}}`,
		`{{block "a" .}}x{{end}}`, `{{printf "%0999999d" 1}}`, `{{if .order_number}}{{printf "%s" .order_number}}{{end}}`} {
		var fe *fault.FieldError
		if err := notify.Validate("order.created", "", body); !errors.As(err, &fe) || fe.Field != "body" {
			t.Errorf("Validate(%q) = %v, want a field error naming body", body, err)
		}
		if _, err := notify.Render("", body, vars); !errors.Is(err, notify.ErrTemplate) {
			t.Errorf("Render(%q) = %v, want a template error", body, err)
		}
	}
	long := strings.Repeat("{{.order_number}}", 20000/len("{{.order_number}}"))
	vars["order_number"] = strings.Repeat("9", 100)
	if _, err := notify.Render("", long, vars); !errors.Is(err, notify.ErrTemplate) {
		t.Errorf("a %d-byte rendering: %v, want a template error", 100*len(long)/len("{{.order_number}}"), err)
	}
	if r, err := notify.Render("{{.order_number}}", "{{if .order_number}}{{with .tenant_name}}{{.}}{{end}}{{else}}-{{end}}", vars); err != nil ||
		r.Body != "美的售后" {
		t.Errorf("if and with: %q, %v", r.Body, err)
	}
}
