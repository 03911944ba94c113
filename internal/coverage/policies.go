// Package coverage stores what the warranty rules read, tenant by tenant: versioned warranty
// policies, service tiers and their rules; and it answers entitlement checks by gathering a
// unit's facts and asking internal/warranty for the decision.
package coverage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Rules are the versioned part of a policy: what a version says.
type Rules struct {
	Terms         []warranty.Term      `json:"terms" minItems:"1" maxItems:"50"`
	Fees          warranty.Fees        `json:"fees"`
	Exclusions    []warranty.Exclusion `json:"exclusions" maxItems:"20"`
	RequiredProof []string             `json:"required_proof" maxItems:"2" doc:"invoice, warranty_card"`
	SanBao        warranty.SanBao      `json:"sanbao"`
}

// Version is one immutable version of a policy.
type Version struct {
	Version       int       `json:"version"`
	EffectiveFrom string    `json:"effective_from" format:"date"`
	Rules         Rules     `json:"rules"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// Policy is a warranty policy with its versions.
type Policy struct {
	ID          uuid.UUID   `json:"id"`
	Name        string      `json:"name"`
	CategoryIDs []uuid.UUID `json:"category_ids"`
	ModelIDs    []uuid.UUID `json:"model_ids"`
	Versions    []Version   `json:"versions"`
	Version     int32       `json:"version" doc:"Version of the policy record (name and scope), for If-Match"`
	CreatedAt   time.Time   `json:"created_at"`
}

// NationalRules is the built-in 三包 template, ready to adopt and adjust.
func NationalRules(currency string) Rules {
	t := warranty.NationalTemplate()
	t.Fees = warranty.Fees{Currency: currency}
	return rulesOf(t)
}

func rulesOf(p warranty.Policy) Rules {
	return Rules{Terms: p.Terms, Fees: p.Fees, Exclusions: p.Exclusions, RequiredProof: p.RequiredProof, SanBao: p.SanBao}
}

// ToPolicy is the engine's view of one version.
func (r Rules) ToPolicy(id string, version int, from warranty.Date) warranty.Policy {
	return warranty.Policy{ID: id, Version: version, EffectiveFrom: from, Terms: r.Terms, Fees: r.Fees,
		Exclusions: r.Exclusions, RequiredProof: r.RequiredProof, SanBao: r.SanBao}
}

func (r Rules) validate(prefix string) error {
	if err := r.ToPolicy("", 0, warranty.Date{}).Validate(prefix); err != nil {
		var fe *warranty.FieldError
		if errors.As(err, &fe) {
			return fault.Invalid(fe.Field, fe.Reason)
		}
		return err
	}
	for i, p := range r.RequiredProof {
		if p != warranty.ProofInvoice && p != warranty.ProofWarrantyCard {
			return fault.Invalid(fmt.Sprintf("%srequired_proof[%d]", prefix, i), "must be invoice or warranty_card")
		}
	}
	return nil
}

func versionFromRow(v db.PolicyVersion) (Version, error) {
	out := Version{Version: int(v.Version), EffectiveFrom: v.EffectiveFrom.Format(time.DateOnly), CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt}
	if err := json.Unmarshal(v.Body, &out.Rules); err != nil {
		return out, fmt.Errorf("decode policy version: %w", err)
	}
	return out, nil
}

// PolicyInput creates a policy: its scope and first version.
type PolicyInput struct {
	Name          string
	CategoryIDs   []uuid.UUID
	ModelIDs      []uuid.UUID
	EffectiveFrom time.Time
	Rules         Rules
}

// CreatePolicy creates a policy with its first version. A model or a category has one
// policy (a second one naming it is a conflict); a policy naming a model takes precedence
// over one naming its category. The first version follows the rule of every version
// (checkBackdating): it may start in the past unless that would change the terms of units
// already sold.
func CreatePolicy(ctx context.Context, tx *tenants.Tx, in PolicyInput) (Policy, error) {
	if len(in.CategoryIDs)+len(in.ModelIDs) == 0 {
		return Policy{}, fault.Invalid("category_ids", "name at least one category or model")
	}
	if err := in.Rules.validate("rules."); err != nil {
		return Policy{}, err
	}
	if err := checkScope(ctx, tx, in.CategoryIDs, in.ModelIDs); err != nil {
		return Policy{}, err
	}
	if err := lockPolicies(ctx, tx); err != nil {
		return Policy{}, err
	}
	if err := checkOverlap(ctx, tx, uuid.Nil, in.CategoryIDs, in.ModelIDs); err != nil {
		return Policy{}, err
	}
	if err := checkBackdating(ctx, tx, in.CategoryIDs, in.ModelIDs, in.EffectiveFrom, "effective_from"); err != nil {
		return Policy{}, err
	}
	r, err := tx.Q.CreatePolicy(ctx, tx, db.CreatePolicyParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), Name: in.Name,
		CategoryIds: nonNil(in.CategoryIDs), ModelIds: nonNil(in.ModelIDs)})
	if err != nil {
		return Policy{}, fault.DBError(err, "", "")
	}
	if _, err := addVersion(ctx, tx, r.ID, in.EffectiveFrom, in.Rules); err != nil {
		return Policy{}, err
	}
	p, err := GetPolicy(ctx, tx, r.ID)
	if err != nil {
		return p, err
	}
	return p, tx.Audit(ctx, "policy.create", "policy", p.ID, nil, p)
}

func nonNil(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

func checkScope(ctx context.Context, tx *tenants.Tx, cats, models []uuid.UUID) error {
	for i, id := range cats {
		if _, err := tx.Q.GetCategory(ctx, tx, db.GetCategoryParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
			return fault.Invalid(fmt.Sprintf("category_ids[%d]", i), "does not exist")
		}
	}
	for i, id := range models {
		if _, err := tx.Q.GetModel(ctx, tx, db.GetModelParams{TenantID: tx.Scope.TenantID, ID: id}); err != nil {
			return fault.Invalid(fmt.Sprintf("model_ids[%d]", i), "does not exist")
		}
	}
	return nil
}

func addVersion(ctx context.Context, tx *tenants.Tx, policyID uuid.UUID, from time.Time, rules Rules) (Version, error) {
	body, err := json.Marshal(rules)
	if err != nil {
		return Version{}, err
	}
	next, err := tx.Q.NextPolicyVersion(ctx, tx, db.NextPolicyVersionParams{TenantID: tx.Scope.TenantID, PolicyID: policyID})
	if err != nil {
		return Version{}, fault.DBError(err, "", "")
	}
	v, err := tx.Q.AddPolicyVersion(ctx, tx, db.AddPolicyVersionParams{TenantID: tx.Scope.TenantID, PolicyID: policyID,
		Version: next, EffectiveFrom: from, Body: body, CreatedBy: tx.Scope.Actor.Label})
	if err != nil {
		return Version{}, fault.DBError(err, "a version of this policy already starts on that date", "")
	}
	return versionFromRow(v)
}

// AddVersion adds a version effective from a day. Like the first version it may start in
// the past unless that would change the terms of units already sold (checkBackdating): a
// brand enters its policies' history before its units, and a change never alters the terms
// of units sold.
func AddVersion(ctx context.Context, tx *tenants.Tx, policyID uuid.UUID, from time.Time, rules Rules) (Version, error) {
	if err := rules.validate("rules."); err != nil {
		return Version{}, err
	}
	if err := lockPolicies(ctx, tx); err != nil {
		return Version{}, err
	}
	p, err := GetPolicy(ctx, tx, policyID)
	if err != nil {
		return Version{}, err
	}
	if err := checkBackdating(ctx, tx, p.CategoryIDs, p.ModelIDs, from, "effective_from"); err != nil {
		return Version{}, err
	}
	v, err := addVersion(ctx, tx, policyID, from, rules)
	if err != nil {
		return v, err
	}
	return v, tx.Audit(ctx, "policy.version_add", "policy", policyID, nil, v)
}

// GetPolicy returns a policy with all its versions.
func GetPolicy(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Policy, error) {
	r, err := tx.Q.GetPolicy(ctx, tx, db.GetPolicyParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Policy{}, fault.DBError(err, "", "")
	}
	vs, err := tx.Q.ListPolicyVersions(ctx, tx, db.ListPolicyVersionsParams{TenantID: tx.Scope.TenantID, PolicyID: id})
	if err != nil {
		return Policy{}, fmt.Errorf("list policy versions: %w", err)
	}
	p := Policy{ID: r.ID, Name: r.Name, CategoryIDs: r.CategoryIds, ModelIDs: r.ModelIds, Version: r.Version, CreatedAt: r.CreatedAt}
	for _, v := range vs {
		out, err := versionFromRow(v)
		if err != nil {
			return p, err
		}
		p.Versions = append(p.Versions, out)
	}
	return p, nil
}

// ListPolicies lists policies after the cursor (with their versions).
func ListPolicies(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]Policy, error) {
	rows, err := tx.Q.ListPolicies(ctx, tx, db.ListPoliciesParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	out := make([]Policy, 0, len(rows))
	for _, r := range rows {
		p, err := GetPolicy(ctx, tx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// UpdatePolicy renames a policy or changes the categories and models it applies to. The new
// scope may not name a model or category another policy names, and the models and
// categories it gains or loses follow the rule of back-dated versions from the policy's
// first version: a change of scope does not change the terms of units already sold.
func UpdatePolicy(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, name string, cats, models []uuid.UUID) (Policy, error) {
	if len(cats)+len(models) == 0 {
		return Policy{}, fault.Invalid("category_ids", "name at least one category or model")
	}
	if err := checkScope(ctx, tx, cats, models); err != nil {
		return Policy{}, err
	}
	if err := lockPolicies(ctx, tx); err != nil {
		return Policy{}, err
	}
	before, err := GetPolicy(ctx, tx, id)
	if err != nil {
		return Policy{}, err
	}
	if before.Version != version {
		return Policy{}, fault.ErrStale
	}
	if err := checkOverlap(ctx, tx, id, cats, models); err != nil {
		return Policy{}, err
	}
	if len(before.Versions) > 0 {
		from, err := time.Parse(time.DateOnly, before.Versions[0].EffectiveFrom)
		if err != nil {
			return Policy{}, fmt.Errorf("first version's start: %w", err)
		}
		for _, v := range before.Versions {
			if d, err := time.Parse(time.DateOnly, v.EffectiveFrom); err == nil && d.Before(from) {
				from = d
			}
		}
		changedCats, changedModels := symmetricDiff(before.CategoryIDs, cats), symmetricDiff(before.ModelIDs, models)
		field := "category_ids"
		if len(changedCats) == 0 {
			field = "model_ids"
		}
		if err := checkBackdating(ctx, tx, changedCats, changedModels, from, field); err != nil {
			return Policy{}, err
		}
	}
	if _, err := tx.Q.UpdatePolicy(ctx, tx, db.UpdatePolicyParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, Name: name,
		CategoryIds: nonNil(cats), ModelIds: nonNil(models)}); err != nil {
		return Policy{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after, err := GetPolicy(ctx, tx, id)
	if err != nil {
		return after, err
	}
	return after, tx.Audit(ctx, "policy.update", "policy", id, before, after)
}

func lockPolicies(ctx context.Context, tx *tenants.Tx) error {
	if err := tx.Q.LockPolicies(ctx, tx, tx.Scope.TenantID.String()); err != nil {
		return fmt.Errorf("lock policies: %w", err)
	}
	return nil
}

// checkOverlap refuses a scope that names a model or a category another policy names (other
// than the policy self): two policies covering the same model on the same day would leave
// the decision to chance. A policy naming a model and another naming its category are
// fine: the one naming the model takes precedence (docs/warranty.md).
func checkOverlap(ctx context.Context, tx *tenants.Tx, self uuid.UUID, cats, models []uuid.UUID) error {
	rows, err := tx.Q.PoliciesSharingScope(ctx, tx, db.PoliciesSharingScopeParams{TenantID: tx.Scope.TenantID, ID: self,
		ModelIds: nonNil(models), CategoryIds: nonNil(cats)})
	if err != nil {
		return fmt.Errorf("policies sharing the scope: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	r := rows[0]
	what := "model"
	shared := r.SharedModels
	if len(shared) == 0 {
		what, shared = "category", r.SharedCategories
	}
	return &fault.ConflictError{Detail: fmt.Sprintf("the %s %s is covered by policy %q (%s) already: a model or a category has one "+
		"policy, and a policy naming a model takes precedence over one naming its category; change that policy or add a version to it",
		what, shared[0], r.Name, r.ID)}
}

// checkBackdating is the one rule for the start of every version, the first included: a
// version may start on any day, in the past too, unless a registered unit of the models or
// categories, bought on or after that day, is already judged by a policy version, whose
// terms it would change (units keep the terms they were sold under). Units no policy judged
// yet take it; a day after the last such sale, or a day to come, is always open.
func checkBackdating(ctx context.Context, tx *tenants.Tx, cats, models []uuid.UUID, from time.Time, field string) error {
	if len(cats)+len(models) == 0 {
		return nil
	}
	r, err := tx.Q.JudgedUnitsSince(ctx, tx, db.JudgedUnitsSinceParams{TenantID: tx.Scope.TenantID, FromDate: from,
		ModelIds: nonNil(models), CategoryIds: nonNil(cats)})
	if err != nil {
		return fmt.Errorf("units judged since %s: %w", from.Format(time.DateOnly), err)
	}
	if r.Units == 0 {
		return nil
	}
	return fault.Invalid(field, fmt.Sprintf("from %s this would change the terms of %d unit(s) already sold under a policy (serial %s "+
		"among them): units keep the terms they were sold under; start after the last such sale", from.Format(time.DateOnly), r.Units, r.Example))
}

// symmetricDiff lists the ids in one list and not in the other.
func symmetricDiff(a, b []uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}
