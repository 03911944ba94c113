// Package warranty decides entitlements: is this unit covered for this fault today, with
// which remedies, at what cost, at which service level, and why. The rules are plain Go
// with no database or HTTP, so every rule is tested on its own table of cases.
//
// Dates are civil dates (see Date); days count inclusively from the start day, in the
// tenant's time zone: the purchase day is day 1.
package warranty

import (
	"fmt"
	"time"
)

// Date is a calendar day, held as midnight UTC so that day arithmetic never meets DST.
type Date struct{ t time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// DateOf is the calendar day of instant t in loc (the tenant's time zone).
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns the same day n months later (normalised like time.AddDate).
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }

// DaysUntil is the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// DayNumber is e's day number counting d as day 1 (the purchase day counts).
func (d Date) DayNumber(e Date) int { return d.DaysUntil(e) + 1 }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	*d = p
	return err
}

// Basis is the date a coverage period counts from.
type Basis string

// Bases.
const (
	FromInvoice  Basis = "invoice"
	FromPurchase Basis = "purchase"
	FromInstall  Basis = "install"
)

// Bases lists the bases.
var Bases = []Basis{FromInvoice, FromPurchase, FromInstall}

// LineMode says who pays one kind of cost.
type LineMode string

// Line modes.
const (
	Free    LineMode = "free"
	Shared  LineMode = "shared" // the customer pays CustomerPercent
	Charged LineMode = "charged"
)

// LineModes lists the line modes.
var LineModes = []LineMode{Free, Shared, Charged}

// Line is the coverage of one kind of cost.
type Line struct {
	Mode            LineMode `json:"mode"` // one of LineModes
	CustomerPercent int      `json:"customer_percent,omitempty" minimum:"0" maximum:"100"`
}

// Lines covers the four kinds of cost separately: warranty is never all-or-nothing.
type Lines struct {
	Parts    Line `json:"parts"`
	Labour   Line `json:"labour"`
	Visit    Line `json:"visit"`
	Shipping Line `json:"shipping"`
}

// AllFree covers every line.
var AllFree = Lines{Parts: Line{Mode: Free}, Labour: Line{Mode: Free}, Visit: Line{Mode: Free}, Shipping: Line{Mode: Free}}

// AllCharged covers nothing.
var AllCharged = Lines{Parts: Line{Mode: Charged}, Labour: Line{Mode: Charged}, Visit: Line{Mode: Charged}, Shipping: Line{Mode: Charged}}

// WholeUnit is the component of a term that covers the whole unit.
const WholeUnit = "*"

// Term is a coverage period for the whole unit or one component (main parts such as a
// compressor often have longer periods).
type Term struct {
	Component string `json:"component" doc:"Component code, or * for the whole unit" example:"compressor"`
	Months    int    `json:"months" minimum:"0" maximum:"240"`
	Days      int    `json:"days,omitempty" minimum:"0" maximum:"3650"`
	Basis     Basis  `json:"basis"` // one of Bases
	Covered   Lines  `json:"covered"`
}

// Fees are what charged lines cost, in minor units of Currency.
type Fees struct {
	Currency    string `json:"currency" pattern:"^[A-Z]{3}$" example:"CNY"`
	LabourRate  int64  `json:"labour_rate" minimum:"0" doc:"Labour per repair, minor units"`
	VisitFee    int64  `json:"visit_fee" minimum:"0"`
	ShippingFee int64  `json:"shipping_fee" minimum:"0"`
}

// ExclusionCodes are the causes a policy can exclude.
var ExclusionCodes = []string{"misuse", "liquid_damage", "unauthorised_repair", "cosmetic"}

// Exclusion is a cause that voids coverage when the engineer's diagnosis invokes it.
type Exclusion struct {
	Code        string `json:"code"` // one of ExclusionCodes
	Description string `json:"description,omitempty" maxLength:"500"`
}

// Proof kinds.
const (
	ProofInvoice      = "invoice"
	ProofWarrantyCard = "warranty_card"
)

// SanBao are the national repair-exchange-refund (三包) rules a policy adopts. Zero values
// switch a rule off.
type SanBao struct {
	ReturnDays         int  `json:"return_days" minimum:"0" doc:"Within this many days a performance fault allows return, exchange or repair (7)"`
	ExchangeDays       int  `json:"exchange_days" minimum:"0" doc:"Within this many days, exchange or repair (15)"`
	MaxFailedRepairs   int  `json:"max_failed_repairs" minimum:"0" doc:"After this many failed repairs of the same fault, exchange or refund (2)"`
	PartsWaitDays      int  `json:"parts_wait_days" minimum:"0" doc:"A parts wait longer than this allows an exchange (30)"`
	ExtendByRepairDays bool `json:"extend_by_repair_days" doc:"Days spent in repair extend the warranty"`
	RestartOnExchange  bool `json:"restart_on_exchange" doc:"An exchanged unit starts a new warranty period"`
}

// Policy is one version of a tenant's warranty policy, in force from EffectiveFrom. A
// registration is judged by the version in force on its purchase date.
type Policy struct {
	ID            string      `json:"id"`
	Name          string      `json:"name,omitempty"`
	Version       int         `json:"version"`
	EffectiveFrom Date        `json:"effective_from"`
	Terms         []Term      `json:"terms"`
	Fees          Fees        `json:"fees"`
	Exclusions    []Exclusion `json:"exclusions"`
	RequiredProof []string    `json:"required_proof" doc:"invoice, warranty_card"`
	SanBao        SanBao      `json:"sanbao"`
}

// Ref cites this policy version in reasons, by name (else id), version and clause:
// "空调三包 v3, sanbao.return_days".
func (p Policy) Ref(clause string) string {
	name := p.Name
	if name == "" {
		name = "policy " + p.ID
	}
	if clause == "" {
		return fmt.Sprintf("%s v%d", name, p.Version)
	}
	return fmt.Sprintf("%s v%d, %s", name, p.Version, clause)
}

// NationalTemplate is the built-in 三包 template tenants adopt and adjust: 12 months on the
// whole unit from the invoice date, 7-day return, 15-day exchange, exchange after 2 failed
// repairs or a parts wait over 30 days, repair days extend the warranty, an exchange
// restarts it, invoice and warranty card required.
func NationalTemplate() Policy {
	return Policy{
		Terms: []Term{{Component: WholeUnit, Months: 12, Basis: FromInvoice, Covered: AllFree}},
		Exclusions: []Exclusion{
			{Code: "misuse", Description: "Damage from use against the instructions (人为损坏)"},
			{Code: "liquid_damage", Description: "Water or other liquid inside the unit"},
			{Code: "unauthorised_repair", Description: "Opened or repaired by an unauthorised party"},
			{Code: "cosmetic", Description: "Scratches and wear that do not affect function"},
		},
		RequiredProof: []string{ProofInvoice, ProofWarrantyCard},
		SanBao: SanBao{ReturnDays: 7, ExchangeDays: 15, MaxFailedRepairs: 2, PartsWaitDays: 30,
			ExtendByRepairDays: true, RestartOnExchange: true},
	}
}

// Validate checks a policy version's internal consistency; field names are JSON paths.
func (p Policy) Validate(prefix string) error {
	if len(p.Terms) == 0 {
		return &FieldError{Field: prefix + "terms", Reason: "at least one coverage term is required"}
	}
	seen := map[string]bool{}
	for i, t := range p.Terms {
		f := fmt.Sprintf("%sterms[%d]", prefix, i)
		if t.Component == "" {
			return &FieldError{Field: f + ".component", Reason: "is required (* for the whole unit)"}
		}
		if seen[t.Component] {
			return &FieldError{Field: f + ".component", Reason: "appears in two terms"}
		}
		seen[t.Component] = true
		if t.Months == 0 && t.Days == 0 {
			return &FieldError{Field: f, Reason: "a term needs months or days"}
		}
		for name, l := range map[string]Line{"parts": t.Covered.Parts, "labour": t.Covered.Labour, "visit": t.Covered.Visit, "shipping": t.Covered.Shipping} {
			if l.Mode == "" {
				return &FieldError{Field: f + ".covered." + name + ".mode", Reason: "is required"}
			}
			if l.Mode == Shared && (l.CustomerPercent <= 0 || l.CustomerPercent >= 100) {
				return &FieldError{Field: f + ".covered." + name + ".customer_percent", Reason: "a shared line needs a percent between 1 and 99"}
			}
		}
	}
	if !seen[WholeUnit] {
		return &FieldError{Field: prefix + "terms", Reason: "a term for the whole unit (*) is required"}
	}
	if s := p.SanBao; s.ReturnDays > 0 && s.ExchangeDays > 0 && s.ReturnDays > s.ExchangeDays {
		return &FieldError{Field: prefix + "sanbao.return_days", Reason: "cannot exceed exchange_days"}
	}
	return nil
}

// FieldError rejects one field of a policy.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
