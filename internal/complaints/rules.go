package complaints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Deadlines are the limits of one severity, in minutes of business time on the calendar in
// force at the complaint's outlet (the tenant's without one). Report 0: no report asked.
type Deadlines struct {
	FirstResponseMinutes int `json:"first_response_minutes" minimum:"1" maximum:"525600" doc:"Until the first response to the customer"`
	ReportMinutes        int `json:"report_minutes" minimum:"0" maximum:"525600" doc:"Until the complaint report (投诉报告) is filed; 0: none asked"`
	ResolutionMinutes    int `json:"resolution_minutes" minimum:"1" maximum:"525600" doc:"Until the complaint is resolved, from its opening or reopening"`
}

// ComplaintRules are a tenant's complaint rules: the severity each channel gives a complaint, and the
// deadlines of each severity.
type ComplaintRules struct {
	Severity  map[string]string    `json:"severity" doc:"Channel -> severity (general, serious, critical)"`
	Deadlines map[string]Deadlines `json:"deadlines" doc:"Severity -> deadlines"`
	// Escalation is optional in a body: absent, the defaults (DefaultEscalation).
	Escalation map[string][]EscalationLevel `json:"escalation,omitempty" doc:"Severity -> the escalation chain: each missed deadline escalates the complaint one level further (absent: the defaults)"`
}

// EscalationLevel is one level of a severity's escalation chain: the role told (an outlet
// role narrowed to the complaint's outlet) and, optionally, a person, who becomes one of
// the complaint's handlers (so that they see a confidential one).
type EscalationLevel struct {
	Role   string     `json:"role" enum:"outlet_manager,agent,tenant_admin" doc:"The role told at this level"`
	UserID *uuid.UUID `json:"user_id,omitempty" format:"uuid" doc:"A person told at this level, who becomes a handler"`
}

// EscalationRoles are the roles a level may name.
var EscalationRoles = []string{"outlet_manager", "agent", "tenant_admin"}

// DefaultEscalation is the chain of seed 001: the outlet's managers first, then the brand's
// service management (tenant admins); a critical complaint goes to the brand at once.
func DefaultEscalation() map[string][]EscalationLevel {
	return map[string][]EscalationLevel{
		SeverityGeneral:  {{Role: "outlet_manager"}, {Role: "tenant_admin"}},
		SeveritySerious:  {{Role: "outlet_manager"}, {Role: "tenant_admin"}},
		SeverityCritical: {{Role: "tenant_admin"}},
	}
}

// chain is the escalation chain of a severity (the default where the rules name none).
func (r ComplaintRules) chain(severity string) []EscalationLevel {
	if c := r.Escalation[severity]; len(c) > 0 {
		return c
	}
	return DefaultEscalation()[severity]
}

// DefaultRules are seed 001's: a complaint at the outlet (store, and the direct channels) is
// general; through the maker, 12315 or the carrier serious, with a report within two
// working days; through the media or the government critical. A working day counts as 8
// hours of the calendar's business time.
func DefaultRules() ComplaintRules {
	return ComplaintRules{
		Severity: map[string]string{
			"phone": SeverityGeneral, "portal": SeverityGeneral, "store": SeverityGeneral, "wechat": SeverityGeneral, "email": SeverityGeneral,
			"maker": SeveritySerious, "12315": SeveritySerious, "carrier": SeveritySerious,
			"media": SeverityCritical, "government": SeverityCritical,
		},
		Deadlines: map[string]Deadlines{
			SeverityGeneral:  {FirstResponseMinutes: 240, ReportMinutes: 0, ResolutionMinutes: 5 * 480},
			SeveritySerious:  {FirstResponseMinutes: 120, ReportMinutes: 2 * 480, ResolutionMinutes: 3 * 480},
			SeverityCritical: {FirstResponseMinutes: 60, ReportMinutes: 480, ResolutionMinutes: 2 * 480},
		},
		Escalation: DefaultEscalation(),
	}
}

// validate checks that every channel and every severity has a rule.
func (r ComplaintRules) validate() error {
	for _, ch := range Channels {
		s, ok := r.Severity[ch]
		if !ok {
			return fault.Invalid("body.severity."+ch, "every channel needs a severity")
		}
		if !slices.Contains(Severities, s) {
			return fault.Invalid("body.severity."+ch, "must be general, serious or critical")
		}
	}
	for ch := range r.Severity {
		if !slices.Contains(Channels, ch) {
			return fault.Invalid("body.severity."+ch, "no such channel")
		}
	}
	for _, s := range Severities {
		d, ok := r.Deadlines[s]
		if !ok {
			return fault.Invalid("body.deadlines."+s, "every severity needs its deadlines")
		}
		if d.FirstResponseMinutes <= 0 || d.ResolutionMinutes <= 0 || d.ReportMinutes < 0 {
			return fault.Invalid("body.deadlines."+s, "first response and resolution must be positive, report zero or more")
		}
	}
	for s := range r.Deadlines {
		if !slices.Contains(Severities, s) {
			return fault.Invalid("body.deadlines."+s, "no such severity")
		}
	}
	for s, chain := range r.Escalation {
		if !slices.Contains(Severities, s) {
			return fault.Invalid("body.escalation."+s, "no such severity")
		}
		if len(chain) > 10 {
			return fault.Invalid("body.escalation."+s, "at most 10 levels")
		}
		for i, l := range chain {
			if !slices.Contains(EscalationRoles, l.Role) {
				return fault.Invalid(fmt.Sprintf("body.escalation.%s[%d].role", s, i), "must be outlet_manager, agent or tenant_admin")
			}
		}
	}
	return nil
}

// GetRules reads the tenant's rules and their version (0 and the defaults when none are stored).
func GetRules(ctx context.Context, tx *tenants.Tx) (ComplaintRules, int32, error) {
	r, err := tx.Q.GetComplaintSettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultRules(), 0, nil
	}
	if err != nil {
		return ComplaintRules{}, 0, fmt.Errorf("complaint rules: %w", err)
	}
	var out ComplaintRules
	if err := json.Unmarshal(r.Rules, &out); err != nil {
		return ComplaintRules{}, 0, fmt.Errorf("complaint rules: %w", err)
	}
	if len(out.Escalation) == 0 { // rules stored before escalation chains
		out.Escalation = DefaultEscalation()
	}
	return out, r.Version, nil
}

// SaveRules replaces the tenant's rules if they are still at version (0: none stored yet);
// ErrStale otherwise.
func SaveRules(ctx context.Context, tx *tenants.Tx, version int32, rules ComplaintRules) (ComplaintRules, int32, error) {
	if err := rules.validate(); err != nil {
		return ComplaintRules{}, 0, err
	}
	for _, sev := range Severities {
		for i, l := range rules.Escalation[sev] {
			if l.UserID != nil {
				if err := checkMembers(ctx, tx, []uuid.UUID{*l.UserID}, fmt.Sprintf("body.escalation.%s[%d].user_id", sev, i)); err != nil {
					return ComplaintRules{}, 0, err
				}
			}
		}
	}
	if len(rules.Escalation) == 0 {
		rules.Escalation = DefaultEscalation()
	}
	b, err := json.Marshal(rules)
	if err != nil {
		return ComplaintRules{}, 0, fmt.Errorf("complaint rules: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return ComplaintRules{}, 0, err
	}
	r, err := tx.Q.SaveComplaintSettings(ctx, tx, db.SaveComplaintSettingsParams{TenantID: tx.Scope.TenantID, Rules: b,
		NextVersion: version + 1, UpdatedAt: now})
	if err != nil {
		return ComplaintRules{}, 0, fault.StaleIfMissing(err)
	}
	return rules, r.Version, nil
}
