package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Roles a tenant plays in an agreement.
const (
	RolePrincipal = "principal" // sends work (a brand, a carrier's store)
	RoleProvider  = "provider"  // receives and does the work (a service provider)
)

// Roles lists the roles.
var Roles = []string{RolePrincipal, RoleProvider}

// Agreement statuses.
const (
	StatusProposed  = "proposed"  // no terms accepted yet
	StatusActive    = "active"    // accepted terms are in force
	StatusRejected  = "rejected"  // the first proposal was turned down
	StatusSuspended = "suspended" // either side stopped new work under it
)

// Statuses lists the agreement statuses.
var Statuses = []string{StatusProposed, StatusActive, StatusRejected, StatusSuspended}

// Sharing of one contact field with the provider.
const (
	ShareFull   = "full"
	ShareMasked = "masked"
)

// Sharings lists how a contact field may be shared.
var Sharings = []string{ShareFull, ShareMasked}

// PartsBases lists how parts are priced: at list price, or list price plus a markup.
var PartsBases = []string{"list", "markup"}

// LabourRate is what the principal pays per job of an order type done by an engineer of a
// level, in minor units of the terms' currency.
type LabourRate struct {
	OrderType     string `json:"order_type" pattern:"^[a-z][a-z0-9_]{0,39}$" example:"repair_minor"`
	EngineerLevel int    `json:"engineer_level" minimum:"1" maximum:"10"`
	Amount        int64  `json:"amount" minimum:"0" maximum:"100000000" doc:"Minor units of the terms' currency"`
}

// PartsPricing says how parts used are charged: at list price or list price plus a markup.
type PartsPricing struct {
	Basis         string `json:"basis"`
	MarkupPercent int    `json:"markup_percent,omitempty" minimum:"0" maximum:"500"`
}

// SLATarget is a time the provider must meet, e.g. arrival within 1440 minutes.
type SLATarget struct {
	Target  string `json:"target" pattern:"^[a-z][a-z_]{0,39}$" example:"arrival"`
	Minutes int    `json:"minutes" minimum:"1" maximum:"525600"`
}

// ContactSharing says, per contact field, whether the provider sees it in full or masked.
type ContactSharing struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// Terms are what the two sides agree on. A change is a new version, in force once the other
// side accepts it.
type Terms struct {
	Categories  []string       `json:"categories" maxItems:"100" doc:"Product category codes the provider serves; empty: all"`
	Regions     []string       `json:"regions" maxItems:"500" doc:"GB/T 2260 codes (province, city or district) the provider serves; empty: everywhere"`
	Currency    string         `json:"currency" pattern:"^[A-Z]{3}$" example:"CNY"`
	LabourRates []LabourRate   `json:"labour_rates" maxItems:"200"`
	Parts       PartsPricing   `json:"parts"`
	VisitFee    int64          `json:"visit_fee" minimum:"0" maximum:"100000000" doc:"Minor units per on-site visit"`
	SLATargets  []SLATarget    `json:"sla_targets" maxItems:"20"`
	Contact     ContactSharing `json:"contact"`
	ValidFrom   string         `json:"valid_from" format:"date" example:"2027-01-01"`
	ValidUntil  string         `json:"valid_until,omitempty" format:"date" doc:"Empty: open-ended"`
	CostSharing []PayerShare   `json:"cost_sharing,omitempty" maxItems:"5" doc:"How the covered cost of a claim is split between payers, in percent summing to 100 (三个一点: carrier, platform operator, maker); empty: the warranty decision's payer carries it all"`
	Claims      ClaimRules     `json:"claims,omitempty" doc:"The payer's rules for warranty claims on work under the agreement, checked at submission"`
}

// Payers of a claim line other than the customer: the maker's warranty, a carrier's promise,
// the platform operator, a paid plan.
var Payers = []string{"maker", "carrier", "platform", "plan"}

// PayerShare is one payer's percent of a claim's covered cost.
type PayerShare struct {
	Payer   string `json:"payer" doc:"maker, carrier, platform or plan"`
	Percent int    `json:"percent" minimum:"1" maximum:"100"`
}

// ClaimRules are what the payer requires of a warranty claim: a registered unit, and at
// most MaxPerUnit claims on one unit in PeriodDays (0: no limit).
type ClaimRules struct {
	RegistrationRequired bool `json:"registration_required,omitempty"`
	MaxPerUnit           int  `json:"max_per_unit,omitempty" minimum:"0" maximum:"100"`
	PeriodDays           int  `json:"period_days,omitempty" minimum:"0" maximum:"3650"`
}

// check refuses terms that do not make sense together; field names are under "terms".
func (t Terms) check() error {
	from, err := time.Parse(time.DateOnly, t.ValidFrom)
	if err != nil {
		return fault.Invalid("terms.valid_from", "must be a date, YYYY-MM-DD")
	}
	if t.ValidUntil != "" {
		until, err := time.Parse(time.DateOnly, t.ValidUntil)
		if err != nil {
			return fault.Invalid("terms.valid_until", "must be a date, YYYY-MM-DD")
		}
		if until.Before(from) {
			return fault.Invalid("terms.valid_until", "must not be before valid_from")
		}
	}
	if !slices.Contains(PartsBases, t.Parts.Basis) {
		return fault.Invalid("terms.parts.basis", "must be one of "+strings.Join(PartsBases, ", "))
	}
	if t.Parts.Basis == "list" && t.Parts.MarkupPercent != 0 {
		return fault.Invalid("terms.parts.markup_percent", "applies to the markup basis only")
	}
	for i, s := range []string{t.Contact.Name, t.Contact.Phone, t.Contact.Address} {
		if !slices.Contains(Sharings, s) {
			return fault.Invalid("terms.contact."+[]string{"name", "phone", "address"}[i], "must be one of "+strings.Join(Sharings, ", "))
		}
	}
	for i, r := range t.Regions {
		if len(r) != 6 || strings.Trim(r, "0123456789") != "" {
			return fault.Invalid(fmt.Sprintf("terms.regions[%d]", i), "must be a 6-digit GB/T 2260 code")
		}
	}
	total, payers := 0, map[string]bool{}
	for i, c := range t.CostSharing {
		if !slices.Contains(Payers, c.Payer) || payers[c.Payer] {
			return fault.Invalid(fmt.Sprintf("terms.cost_sharing[%d].payer", i), "must be one of "+strings.Join(Payers, ", ")+", each once")
		}
		if c.Percent < 1 || c.Percent > 100 {
			return fault.Invalid(fmt.Sprintf("terms.cost_sharing[%d].percent", i), "must be between 1 and 100")
		}
		payers[c.Payer] = true
		total += c.Percent
	}
	if len(t.CostSharing) > 0 && total != 100 {
		return fault.Invalid("terms.cost_sharing", "the shares must sum to 100 percent")
	}
	if t.Claims.MaxPerUnit > 0 && t.Claims.PeriodDays < 1 {
		return fault.Invalid("terms.claims.period_days", "give the period the limit of claims per unit counts in")
	}
	seen := map[[2]any]bool{}
	for i, r := range t.LabourRates {
		k := [2]any{r.OrderType, r.EngineerLevel}
		if seen[k] {
			return fault.Invalid(fmt.Sprintf("terms.labour_rates[%d]", i), "repeats an order type and engineer level")
		}
		seen[k] = true
	}
	return nil
}

// dates are the terms' validity as stored columns.
func (t Terms) dates() (*time.Time, *time.Time) {
	var from, until *time.Time
	if d, err := time.Parse(time.DateOnly, t.ValidFrom); err == nil {
		from = &d
	}
	if d, err := time.Parse(time.DateOnly, t.ValidUntil); err == nil {
		until = &d
	}
	return from, until
}

// covers reports whether the terms are in force on day (the tenant's date).
func (t Terms) covers(day time.Time) bool {
	from, until := t.dates()
	d := day.Format(time.DateOnly)
	return from != nil && from.Format(time.DateOnly) <= d && (until == nil || d <= until.Format(time.DateOnly))
}

// ProposalSides lists who made a pending proposal: self (we wait for the partner) or
// partner (we are to answer).
var ProposalSides = []string{"self", "partner"}

// Proposal is a version of the terms waiting for one side's answer.
type Proposal struct {
	Terms   Terms  `json:"terms"`
	Version int    `json:"version"`
	By      string `json:"by" doc:"self: we proposed it and wait for the partner; partner: we are to accept or reject it"`
}

// Agreement is this tenant's copy of an agreement with a partner tenant. The partner holds
// its own copy under the same id; the two change only by messages.
type Agreement struct {
	ID              uuid.UUID `json:"id"`
	PartnerTenantID uuid.UUID `json:"partner_tenant_id"`
	PartnerName     string    `json:"partner_name"`
	Role            string    `json:"role" doc:"principal: we send work under it; provider: we receive it"`
	Status          string    `json:"status"`
	Terms           *Terms    `json:"terms,omitempty" doc:"The terms in force (accepted); absent before the first acceptance"`
	TermsVersion    int       `json:"terms_version"`
	Pending         *Proposal `json:"pending,omitempty" doc:"A version of the terms waiting for an answer"`
	StatusReason    string    `json:"status_reason,omitempty"`
	Version         int32     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func agreementFromRow(r db.PartnerAgreement) (Agreement, error) {
	a := Agreement{ID: r.ID, PartnerTenantID: r.PartnerTenantID, PartnerName: r.PartnerName, Role: r.Role, Status: r.Status,
		TermsVersion: int(r.TermsVersion), StatusReason: r.StatusReason, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.TermsVersion > 0 {
		var t Terms
		if err := json.Unmarshal(r.Terms, &t); err != nil {
			return Agreement{}, fmt.Errorf("agreement %s terms: %w", r.ID, err)
		}
		a.Terms = &t
	}
	if r.PendingTerms != nil && r.PendingVersion != nil && r.PendingBy != nil {
		p := Proposal{Version: int(*r.PendingVersion), By: *r.PendingBy}
		if err := json.Unmarshal(r.PendingTerms, &p.Terms); err != nil {
			return Agreement{}, fmt.Errorf("agreement %s pending terms: %w", r.ID, err)
		}
		a.Pending = &p
	}
	return a, nil
}

// other is the role the partner plays when we play role.
func other(role string) string {
	if role == RolePrincipal {
		return RoleProvider
	}
	return RolePrincipal
}

// ProposeInput starts an agreement with a partner tenant.
type ProposeInput struct {
	PartnerTenantID uuid.UUID `json:"partner_tenant_id" doc:"The partner tenant's id (it tells you its id)"`
	Role            string    `json:"role" doc:"Our role: principal sends work, provider does it"`
	Terms           Terms     `json:"terms"`
}

// Propose creates our copy of a new agreement, waiting for the partner, and sends the
// partner the proposal (its copy appears when the message is applied there).
func (s *Service) Propose(ctx context.Context, tx *tenants.Tx, in ProposeInput) (Agreement, error) {
	if !slices.Contains(Roles, in.Role) {
		return Agreement{}, fault.Invalid("role", "must be one of "+strings.Join(Roles, ", "))
	}
	if in.PartnerTenantID == tx.Scope.TenantID {
		return Agreement{}, fault.Invalid("partner_tenant_id", "is this tenant; an agreement is with another tenant")
	}
	if err := in.Terms.check(); err != nil {
		return Agreement{}, err
	}
	name, err := tx.Q.TenantName(ctx, tx, in.PartnerTenantID)
	if err != nil {
		return Agreement{}, fault.DBError(notFoundAs(err, "partner_tenant_id", "is not a tenant"), "", "")
	}
	terms, err := json.Marshal(in.Terms)
	if err != nil {
		return Agreement{}, fmt.Errorf("encode terms: %w", err)
	}
	one, self := int32(1), "self"
	r, err := tx.Q.InsertAgreement(ctx, tx, db.InsertAgreementParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		PartnerTenantID: in.PartnerTenantID, PartnerName: name, Role: in.Role, PendingTerms: terms, PendingVersion: &one, PendingBy: &self})
	if err != nil {
		return Agreement{}, fault.DBError(err, "", "partner_tenant_id")
	}
	if err := s.send(ctx, tx, r, KindAgreementProposed, proposedBody{Role: other(in.Role), Terms: in.Terms, Version: 1}); err != nil {
		return Agreement{}, err
	}
	if err := s.emitAgreement(ctx, tx, EventAgreementProposed, r, "self", 1); err != nil {
		return Agreement{}, err
	}
	a, err := agreementFromRow(r)
	if err != nil {
		return Agreement{}, err
	}
	return a, tx.Audit(ctx, "agreement.propose", "partner_agreement", a.ID, nil, a)
}

// notFoundAs turns a missing referenced row into a field error.
func notFoundAs(err error, field, reason string) error {
	if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
		return fault.Invalid(field, reason)
	}
	return err
}

// Amend proposes a new version of an accepted agreement's terms; the terms in force stay
// until the partner accepts it.
func (s *Service) Amend(ctx context.Context, tx *tenants.Tx, id uuid.UUID, terms Terms) (Agreement, error) {
	if err := terms.check(); err != nil {
		return Agreement{}, err
	}
	r, err := lockAgreement(ctx, tx, id)
	if err != nil {
		return Agreement{}, err
	}
	if r.Status != StatusActive && r.Status != StatusSuspended {
		return Agreement{}, &fault.ConflictError{Detail: "only an accepted agreement is amended; this one is " + r.Status}
	}
	if r.PendingVersion != nil {
		return Agreement{}, &fault.ConflictError{Detail: fmt.Sprintf("version %d of the terms waits for an answer", *r.PendingVersion)}
	}
	body, err := json.Marshal(terms)
	if err != nil {
		return Agreement{}, fmt.Errorf("encode terms: %w", err)
	}
	v, self := r.TermsVersion+1, "self"
	p := saveParams(r)
	p.PendingTerms, p.PendingVersion, p.PendingBy = body, &v, &self
	return s.step(ctx, tx, r, p, "agreement.amend", KindAgreementProposed, EventAgreementProposed, proposedBody{Role: other(r.Role), Terms: terms, Version: int(v)})
}

// Accept puts the partner's pending version of the terms in force on both sides.
func (s *Service) Accept(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Agreement, error) {
	r, err := lockAgreement(ctx, tx, id)
	if err != nil {
		return Agreement{}, err
	}
	if r.PendingBy == nil || *r.PendingBy != "partner" {
		return Agreement{}, &fault.ConflictError{Detail: "no proposal of the partner waits for an answer"}
	}
	v := int(*r.PendingVersion)
	p := acceptParams(r)
	return s.step(ctx, tx, r, p, "agreement.accept", KindAgreementAccepted, EventAgreementAccepted, answerBody{Version: v})
}

// acceptParams is r with its pending terms in force.
func acceptParams(r db.PartnerAgreement) db.SaveAgreementParams {
	p := saveParams(r)
	var t Terms
	_ = json.Unmarshal(r.PendingTerms, &t) // written by this package, checked when proposed
	p.ValidFrom, p.ValidUntil = t.dates()
	p.Terms, p.TermsVersion, p.Status, p.StatusReason = r.PendingTerms, *r.PendingVersion, StatusActive, ""
	p.PendingTerms, p.PendingVersion, p.PendingBy = nil, nil, nil
	return p
}

// ReasonInput gives the reason of a rejection or suspension.
type ReasonInput struct {
	Reason string `json:"reason" minLength:"1" maxLength:"500"`
}

// Reject turns down the partner's pending version: a first proposal ends rejected, an
// amendment leaves the terms in force as they were.
func (s *Service) Reject(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in ReasonInput) (Agreement, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Agreement{}, fault.Invalid("reason", "say why")
	}
	r, err := lockAgreement(ctx, tx, id)
	if err != nil {
		return Agreement{}, err
	}
	if r.PendingBy == nil || *r.PendingBy != "partner" {
		return Agreement{}, &fault.ConflictError{Detail: "no proposal of the partner waits for an answer"}
	}
	v := int(*r.PendingVersion)
	return s.step(ctx, tx, r, rejectParams(r, in.Reason), "agreement.reject", KindAgreementRejected, EventAgreementRejected,
		answerBody{Version: v, Reason: in.Reason})
}

func rejectParams(r db.PartnerAgreement, reason string) db.SaveAgreementParams {
	p := saveParams(r)
	p.PendingTerms, p.PendingVersion, p.PendingBy = nil, nil, nil
	if r.Status == StatusProposed {
		p.Status, p.StatusReason = StatusRejected, reason
	}
	return p
}

// Suspend stops new work under an active agreement, on both sides; jobs already handed
// off go on reporting back.
func (s *Service) Suspend(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in ReasonInput) (Agreement, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Agreement{}, fault.Invalid("reason", "say why")
	}
	r, err := lockAgreement(ctx, tx, id)
	if err != nil {
		return Agreement{}, err
	}
	if r.Status != StatusActive {
		return Agreement{}, &fault.ConflictError{Detail: "only an active agreement is suspended; this one is " + r.Status}
	}
	p := saveParams(r)
	p.Status, p.StatusReason = StatusSuspended, in.Reason
	return s.step(ctx, tx, r, p, "agreement.suspend", KindAgreementSuspended, EventAgreementSuspended, answerBody{Reason: in.Reason})
}

// step saves a step of the handshake, audits it and sends it to the partner.
func (s *Service) step(ctx context.Context, tx *tenants.Tx, before db.PartnerAgreement, p db.SaveAgreementParams,
	action, kind, event string, body any) (Agreement, error) {
	r, err := tx.Q.SaveAgreement(ctx, tx, p)
	if err != nil {
		return Agreement{}, fmt.Errorf("save agreement: %w", err)
	}
	if err := s.send(ctx, tx, r, kind, body); err != nil {
		return Agreement{}, err
	}
	version := r.TermsVersion
	if before.PendingVersion != nil {
		version = *before.PendingVersion
	}
	if r.PendingVersion != nil {
		version = *r.PendingVersion
	}
	if err := s.emitAgreement(ctx, tx, event, r, "self", version); err != nil {
		return Agreement{}, err
	}
	b, err := agreementFromRow(before)
	if err != nil {
		return Agreement{}, err
	}
	a, err := agreementFromRow(r)
	if err != nil {
		return Agreement{}, err
	}
	return a, tx.Audit(ctx, action, "partner_agreement", a.ID, b, a)
}

func saveParams(r db.PartnerAgreement) db.SaveAgreementParams {
	return db.SaveAgreementParams{TenantID: r.TenantID, ID: r.ID, Status: r.Status, Terms: r.Terms, TermsVersion: r.TermsVersion,
		ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil, PendingTerms: r.PendingTerms, PendingVersion: r.PendingVersion,
		PendingBy: r.PendingBy, StatusReason: r.StatusReason, PartnerName: r.PartnerName}
}

func lockAgreement(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (db.PartnerAgreement, error) {
	r, err := tx.Q.LockAgreement(ctx, tx, db.LockAgreementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return db.PartnerAgreement{}, fault.DBError(err, "", "")
	}
	return r, nil
}

// Get reads one agreement of the tenant.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Agreement, error) {
	r, err := tx.Q.GetAgreement(ctx, tx, db.GetAgreementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Agreement{}, fault.DBError(err, "", "")
	}
	return agreementFromRow(r)
}

// AgreementFilter narrows the list of agreements.
type AgreementFilter struct {
	After   uuid.UUID // cursor: agreements older than this one
	Status  string
	Partner uuid.UUID
	Limit   int
}

// List lists the tenant's agreements, newest first.
func List(ctx context.Context, tx *tenants.Tx, f AgreementFilter) ([]Agreement, error) {
	p := db.ListAgreementsParams{TenantID: tx.Scope.TenantID, Lim: int32(max(1, min(f.Limit, 1000)))}
	if f.After != uuid.Nil {
		p.After = uuid.NullUUID{UUID: f.After, Valid: true}
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Partner != uuid.Nil {
		p.PartnerTenantID = uuid.NullUUID{UUID: f.Partner, Valid: true}
	}
	rows, err := tx.Q.ListAgreements(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	out := make([]Agreement, 0, len(rows))
	for _, r := range rows {
		a, err := agreementFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
