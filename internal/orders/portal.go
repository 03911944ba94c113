package orders

// What the customer sees of who serves their order and when: the outlet, the engineer by
// their given name, the appointment window and the brand's promise (the SLA target the
// order is measured against next), with the tenant's time zone to show them in.

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// ServiceOutlet is the outlet serving an order, as its customer sees it.
type ServiceOutlet struct {
	Name    string `json:"name"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty" doc:"Where to bring the unit (carry-in orders)"`
}

// Window is an appointment window.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Promise is the brand's next promise on an order: the SLA target it is measured against
// and when it is due.
type Promise struct {
	Target string    `json:"target" doc:"The SLA target (accept, dispatch, appointment, arrival, completion, return)"`
	DueAt  time.Time `json:"due_at"`
	Met    bool      `json:"met" doc:"The promise was kept"`
}

// ServiceDetails is who serves the customer's order and when.
type ServiceDetails struct {
	Flow        string         `json:"flow" doc:"carry_in: the customer brings the unit; on_site: a visit"`
	Outlet      *ServiceOutlet `json:"outlet,omitempty"`
	Engineer    string         `json:"engineer,omitempty" doc:"The lead engineer's given name (for a Chinese name, the family name, as in 张师傅)"`
	Appointment *Window        `json:"appointment,omitempty" doc:"The booked window"`
	Promise     *Promise       `json:"promise,omitempty"`
	TimeZone    string         `json:"time_zone" doc:"The brand's time zone, to show times in"`
}

// ShortName is how a customer is told who comes: the given name of a Western name, the
// family name of a Chinese one (张伟: 张, shown as 张师傅).
func ShortName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if f := strings.Fields(name); len(f) > 1 {
		return f[0]
	}
	if r, _ := utf8.DecodeRuneInString(name); unicode.Is(unicode.Han, r) {
		return string(r)
	}
	return name
}

// ServiceOf reads who serves o and when, in tx's scope (the customer's).
func ServiceOf(ctx context.Context, tx *tenants.Tx, o Order) (ServiceDetails, error) {
	d := ServiceDetails{Flow: o.Flow}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return d, err
	}
	d.TimeZone = loc.String()
	if o.OutletID != nil {
		out, err := tx.Q.GetOutlet(ctx, tx, db.GetOutletParams{TenantID: tx.Scope.TenantID, ID: *o.OutletID})
		if err != nil {
			return d, fault.DBError(err, "", "")
		}
		d.Outlet = &ServiceOutlet{Name: out.Name, Phone: out.Phone}
		if o.Flow == FlowCarryIn {
			d.Outlet.Address = out.Address
		}
	}
	engs, err := Engineers(ctx, tx, o.ID)
	if err != nil {
		return d, err
	}
	for _, e := range engs {
		if e.State == "declined" || e.State == "removed" {
			continue
		}
		if d.Engineer == "" || e.Role == "lead" {
			d.Engineer = ShortName(e.Name)
		}
		if e.Role == "lead" {
			break
		}
	}
	appts, err := Appointments(ctx, tx, o.ID)
	if err != nil {
		return d, err
	}
	for _, a := range appts {
		if a.Status == "booked" {
			d.Appointment = &Window{Start: a.Start, End: a.End}
		}
	}
	clocks, err := sla.Clocks(ctx, tx, o.ID)
	if err != nil {
		return d, err
	}
	d.Promise = promise(clocks)
	return d, nil
}

// promise is the customer's promise among an order's clocks: the earliest one still
// running, else the completion promise once kept.
func promise(clocks []sla.Clock) *Promise {
	var p *Promise
	for _, c := range clocks {
		if c.Target == sla.Callback || c.DueAt == nil || c.Status != "running" && c.Status != "breached" || c.MetAt != nil {
			continue
		}
		if p == nil || c.DueAt.Before(p.DueAt) {
			p = &Promise{Target: c.Target, DueAt: *c.DueAt}
		}
	}
	if p != nil {
		return p
	}
	for _, c := range clocks {
		if c.Target == "completion" && c.MetAt != nil && c.DueAt != nil {
			return &Promise{Target: c.Target, DueAt: *c.DueAt, Met: true}
		}
	}
	return nil
}
