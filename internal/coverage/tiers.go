package coverage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Tiers returns the tenant's service tiers; a tenant that configured none has the defaults.
func Tiers(ctx context.Context, tx *tenants.Tx) ([]warranty.Tier, error) {
	rows, err := tx.Q.ListTiers(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list tiers: %w", err)
	}
	if len(rows) == 0 {
		return warranty.DefaultTiers(), nil
	}
	out := make([]warranty.Tier, 0, len(rows))
	for _, r := range rows {
		t := warranty.Tier{Code: r.Code, Name: r.Name, Rank: int(r.Rank), OnSite: r.OnSite, Loaner: r.Loaner, Default: r.IsDefault}
		if err := json.Unmarshal(r.Targets, &t.Targets); err != nil {
			return nil, fmt.Errorf("decode tier targets: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// tiersOf decodes the tiers a fact row carries; none configured means the defaults.
func tiersOf(stored []byte) ([]warranty.Tier, error) {
	var out []warranty.Tier
	if err := jsonUnmarshal(stored, &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return warranty.DefaultTiers(), nil
	}
	return out, nil
}

// TiersVersion is the version of the tenant's tiers, their ETag (1 while the defaults apply).
func TiersVersion(ctx context.Context, tx *tenants.Tx) (int32, error) {
	v, err := tx.Q.TiersVersion(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return 0, fmt.Errorf("tiers version: %w", err)
	}
	return v, nil
}

// ReplaceTiers sets the tenant's tiers (names and count are the tenant's choice) if version
// is the tiers' current version (fault.ErrStale otherwise); exactly one is the default.
// Tiers that rules still use cannot disappear. It returns the tiers and their new version.
func ReplaceTiers(ctx context.Context, tx *tenants.Tx, version int32, tiers []warranty.Tier) ([]warranty.Tier, int32, error) {
	out, err := replaceTiers(ctx, tx, version, version+1, tiers)
	if err != nil {
		return nil, 0, err
	}
	return out, version + 1, nil
}

// replaceTiers replaces the tiers at version with rows of version next.
func replaceTiers(ctx context.Context, tx *tenants.Tx, version, next int32, tiers []warranty.Tier) ([]warranty.Tier, error) {
	cur, err := tx.Q.LockTiersVersion(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("lock tiers: %w", err)
	}
	if cur != version {
		return nil, fault.ErrStale
	}
	before, err := Tiers(ctx, tx)
	if err != nil {
		return nil, err
	}
	defaults := 0
	codes := map[string]bool{}
	for i, t := range tiers {
		f := fmt.Sprintf("tiers[%d]", i)
		if codes[t.Code] {
			return nil, fault.Invalid(f+".code", "appears twice")
		}
		codes[t.Code] = true
		if t.Default {
			defaults++
		}
		for name := range t.Targets {
			if msg := warranty.CheckTargetName(name); msg != "" {
				return nil, fault.Invalid(f+".targets."+name, msg)
			}
		}
	}
	if defaults != 1 {
		return nil, fault.Invalid("tiers", "exactly one tier must be the default")
	}
	rules, err := tx.Q.ListTierRules(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if !codes[r.TierCode] {
			return nil, &fault.ConflictError{Detail: "tier " + r.TierCode + " is used by a tier rule; delete the rule first"}
		}
	}
	existing, err := tx.Q.ListTiers(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, err
	}
	for _, e := range existing {
		if !codes[e.Code] {
			if _, err := tx.Q.DeleteTier(ctx, tx, db.DeleteTierParams{TenantID: tx.Scope.TenantID, Code: e.Code}); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range tiers {
		targets, _ := json.Marshal(t.Targets)
		if t.Default {
			if err := tx.Q.ClearDefaultTier(ctx, tx, db.ClearDefaultTierParams{TenantID: tx.Scope.TenantID, Code: t.Code}); err != nil {
				return nil, err
			}
		}
		if _, err := tx.Q.UpsertTier(ctx, tx, db.UpsertTierParams{TenantID: tx.Scope.TenantID, Code: t.Code, Name: t.Name,
			Rank: int32(t.Rank), Targets: targets, OnSite: t.OnSite, Loaner: t.Loaner, IsDefault: t.Default, Version: next}); err != nil {
			// No row: a concurrent replacement (of the defaults, which had no rows to lock)
			// wrote this tier first.
			return nil, fault.DBError(fault.StaleIfMissing(err), "another change of the tiers came first; read them again", "")
		}
	}
	after, err := Tiers(ctx, tx)
	if err != nil {
		return nil, err
	}
	return after, tx.Audit(ctx, "tiers.replace", "tiers", uuid.Nil, before, after)
}

// HasTier reports whether code is one of the tenant's tiers.
func HasTier(ctx context.Context, tx *tenants.Tx, code string) (bool, error) {
	tiers, err := Tiers(ctx, tx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(tiers, func(t warranty.Tier) bool { return t.Code == code }), nil
}

// TierRuleEntry is a stored rule.
type TierRuleEntry struct {
	ID uuid.UUID `json:"id"`
	warranty.TierRule
}

// TierRules lists the tenant's rules.
func TierRules(ctx context.Context, tx *tenants.Tx) ([]TierRuleEntry, error) {
	rows, err := tx.Q.ListTierRules(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list tier rules: %w", err)
	}
	out := make([]TierRuleEntry, len(rows))
	for i, r := range rows {
		out[i] = TierRuleEntry{ID: r.ID, TierRule: warranty.TierRule{Tier: r.TierCode, Kind: r.Kind, MinLifetimeValue: r.MinLifetimeValue, Match: r.Match}}
	}
	return out, nil
}

// AddTierRule adds a rule; its tier must be configured (the defaults are stored first).
func AddTierRule(ctx context.Context, tx *tenants.Tx, r warranty.TierRule) (TierRuleEntry, error) {
	if ok, err := HasTier(ctx, tx, r.Tier); err != nil || !ok {
		if err != nil {
			return TierRuleEntry{}, err
		}
		return TierRuleEntry{}, fault.Invalid("tier", "is not a configured tier")
	}
	if rows, _ := tx.Q.ListTiers(ctx, tx, tx.Scope.TenantID); len(rows) == 0 {
		// Store the default tiers the rule refers to: the same tiers, at the same version.
		if _, err := replaceTiers(ctx, tx, 1, 1, warranty.DefaultTiers()); err != nil {
			return TierRuleEntry{}, err
		}
	}
	if (r.Kind == warranty.RuleContract || r.Kind == warranty.RulePlan) && r.Match == "" {
		return TierRuleEntry{}, fault.Invalid("match", "names the contract kind or plan code")
	}
	row, err := tx.Q.CreateTierRule(ctx, tx, db.CreateTierRuleParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), TierCode: r.Tier,
		Kind: r.Kind, MinLifetimeValue: r.MinLifetimeValue, Match: r.Match})
	if err != nil {
		return TierRuleEntry{}, fault.DBError(err, "", "tier")
	}
	out := TierRuleEntry{ID: row.ID, TierRule: r}
	return out, tx.Audit(ctx, "tier_rule.create", "tier_rule", row.ID, nil, out)
}

// DeleteTierRule removes a rule.
func DeleteTierRule(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	n, err := tx.Q.DeleteTierRule(ctx, tx, db.DeleteTierRuleParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	return tx.Audit(ctx, "tier_rule.delete", "tier_rule", id, nil, nil)
}

// GetTierRule returns one rule.
func GetTierRule(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (TierRuleEntry, error) {
	r, err := tx.Q.GetTierRule(ctx, tx, db.GetTierRuleParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return TierRuleEntry{}, fault.DBError(err, "", "")
	}
	return TierRuleEntry{ID: r.ID, TierRule: warranty.TierRule{Tier: r.TierCode, Kind: r.Kind, MinLifetimeValue: r.MinLifetimeValue, Match: r.Match}}, nil
}
