package commission

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// RuleVersion is a version of the tenant's pay rules as kept: who added it and when.
type RuleVersion struct {
	Version       int       `json:"version"`
	EffectiveFrom string    `json:"effective_from" format:"date"`
	Rules         PayRules  `json:"rules"`
	Note          string    `json:"note,omitempty"`
	CreatedBy     string    `json:"created_by,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// NewRuleVersion is a version to add: its first day and its rules.
type NewRuleVersion struct {
	EffectiveFrom string   `json:"effective_from" format:"date" doc:"First day in force; past days too (back-dating)"`
	Rules         PayRules `json:"rules"`
	Note          string   `json:"note,omitempty" maxLength:"1000" doc:"Why the rules changed"`
}

func storedFromRow(r db.CommissionRuleVersion) RuleVersion {
	v := RuleVersion{Version: int(r.Version), EffectiveFrom: r.EffectiveFrom.Format(time.DateOnly), Note: r.Note,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal(r.Rules, &v.Rules)
	return v
}

// Validate checks rules a person wrote: rule ids unique, known modes, bases and roles,
// amounts where the basis needs them, brackets rising. The error names the field under
// prefix (e.g. rules.rates[1].tiers).
func (r PayRules) Validate(prefix string) error {
	ids := map[string]string{}
	id := func(field, v string) error {
		if strings.TrimSpace(v) == "" {
			return fault.Invalid(field, "must name the rule")
		}
		if other, ok := ids[v]; ok {
			return fault.Invalid(field, "is already the id of "+other)
		}
		ids[v] = field
		return nil
	}
	for i, rate := range r.Rates {
		f := fmt.Sprintf("%s.rates[%d]", prefix, i)
		if err := id(f+".id", rate.ID); err != nil {
			return err
		}
		if rate.Mode != "" && !slices.Contains(Modes, rate.Mode) {
			return fault.Invalid(f+".mode", "must be one of "+strings.Join(Modes, ", "))
		}
		switch rate.Basis {
		case Fixed:
			if len(rate.Tiers) > 0 {
				return fault.Invalid(f+".tiers", "a fixed rate has no brackets")
			}
		case Percent:
			if len(rate.Tiers) == 0 {
				return fault.Invalid(f+".tiers", "a percentage needs at least one bracket")
			}
			if rate.Amount != 0 {
				return fault.Invalid(f+".amount", "a percentage has no fixed amount")
			}
			var low int64
			for j, t := range rate.Tiers {
				last := j == len(rate.Tiers)-1
				if !last && t.UpTo <= low {
					return fault.Invalid(fmt.Sprintf("%s.tiers[%d].up_to", f, j), "brackets must rise; only the last may be open (0)")
				}
				low = t.UpTo
			}
		default:
			return fault.Invalid(f+".basis", "must be one of "+strings.Join(Bases, ", "))
		}
	}
	for role, w := range r.Shares {
		if !slices.Contains(orders.EngineerRoles, role) {
			return fault.Invalid(prefix+".shares", "roles are "+strings.Join(orders.EngineerRoles, ", "))
		}
		if w < 0 || w > 1000 {
			return fault.Invalid(prefix+".shares."+role, "must be from 0 to 1000")
		}
	}
	for _, x := range []struct {
		field, id string
		set       bool
	}{
		{"late", idOf(r.Late), r.Late != nil}, {"repeat", idOfRepeat(r.Repeat), r.Repeat != nil},
		{"complaint", idOfFlat(r.Complaint), r.Complaint != nil}, {"poor_score", idOfScore(r.PoorScore), r.PoorScore != nil},
		{"good_score", idOfScore(r.GoodScore), r.GoodScore != nil}, {"praise", idOfFlat(r.Praise), r.Praise != nil},
		{"breach", idOfBreach(r.Breach), r.Breach != nil},
	} {
		if x.set {
			if err := id(prefix+"."+x.field+".id", x.id); err != nil {
				return err
			}
		}
	}
	if r.PoorScore != nil && r.GoodScore != nil && r.PoorScore.At >= r.GoodScore.At {
		return fault.Invalid(prefix+".good_score.at", "must be above the poor score's mark")
	}
	if r.Accrual != "" && r.Accrual != AccrueOnAudit && r.Accrual != AccrueOnReceived {
		return fault.Invalid(prefix+".accrual", "must be audit or received")
	}
	return nil
}

func idOf(p *LateRule) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func idOfRepeat(p *RepeatRule) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func idOfFlat(p *FlatRule) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func idOfBreach(p *BreachRule) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func idOfScore(p *ScoreRule) string {
	if p == nil {
		return ""
	}
	return p.ID
}

// AddVersion adds a version of the tenant's pay rules after checking them. Numbers are
// dense and given under a per-tenant lock; versions are never changed afterwards.
func AddVersion(ctx context.Context, tx *tenants.Tx, in NewRuleVersion) (RuleVersion, error) {
	from, err := time.Parse(time.DateOnly, in.EffectiveFrom)
	if err != nil {
		return RuleVersion{}, fault.Invalid("effective_from", "must be a date, e.g. 2026-12-01")
	}
	if err := in.Rules.Validate("rules"); err != nil {
		return RuleVersion{}, err
	}
	if in.Rules.Shares == nil {
		in.Rules.Shares = map[string]int{}
	}
	if in.Rules.Rates == nil {
		in.Rules.Rates = []PayRate{}
	}
	body, err := json.Marshal(in.Rules)
	if err != nil {
		return RuleVersion{}, fmt.Errorf("commission rules: %w", err)
	}
	t := tx.Scope.TenantID
	if err := tx.Q.LockCommissionRules(ctx, tx, t.String()); err != nil {
		return RuleVersion{}, fmt.Errorf("lock commission rules: %w", err)
	}
	// Back-dating stops where pay was computed: a version starting on or before the last day
	// already paid would change pay behind a statement.
	paid, err := tx.Q.LastPaidAudit(ctx, tx, t)
	if err != nil {
		return RuleVersion{}, fmt.Errorf("last paid audit: %w", err)
	}
	if paid.Year() > 1 && !MayStart(from, paid) {
		return RuleVersion{}, fault.Invalid("effective_from", "orders audited on "+paid.Format(time.DateOnly)+
			" were already paid under the rules: a new version may start the day after at the earliest")
	}
	last, err := tx.Q.LastCommissionVersion(ctx, tx, t)
	if err != nil {
		return RuleVersion{}, fmt.Errorf("last commission version: %w", err)
	}
	row, err := tx.Q.AddCommissionVersion(ctx, tx, db.AddCommissionVersionParams{TenantID: t, Version: last + 1, EffectiveFrom: from,
		Rules: body, Note: strings.TrimSpace(in.Note), CreatedBy: tx.Scope.Actor.Label})
	if err != nil {
		return RuleVersion{}, fmt.Errorf("add commission version: %w", err)
	}
	return storedFromRow(row), nil
}

// Versions lists the tenant's versions of its pay rules, oldest first.
func Versions(ctx context.Context, tx *tenants.Tx) ([]RuleVersion, error) {
	rows, err := tx.Q.ListCommissionVersions(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("commission versions: %w", err)
	}
	out := make([]RuleVersion, len(rows))
	for i, r := range rows {
		out[i] = storedFromRow(r)
	}
	return out, nil
}
