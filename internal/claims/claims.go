// Package claims is warranty claims: an audited in-warranty order done by an outlet, or by a
// partner under an agreement (a handed-off job), becomes a claim to whoever pays for the
// work, with lines for labour, parts and the visit priced by the agreement's terms (or the
// tenant's rates for its own outlets), each naming its payer. Lines snapshot the price, the
// coverage share and the terms they were made under, so a later change of terms or of the
// decision never alters a claim.
//
// A partner's claim travels as messages of the partner network (internal/network): the
// claimant (the provider) and the payer (the principal) each keep their own copy of the claim
// under the same id; the payer checks its rules when the claim arrives, reviews it, and the
// claimant answers the review, each step a message the other side applies. See docs/claims.md.
package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Sides of a claim, as a tenant keeps it.
const (
	SideClaimant = "claimant" // we did the work for a partner and claim from it
	SidePayer    = "payer"    // a partner did our work and claims from us
	SideInternal = "internal" // one of our outlets did the work; we pay it
)

// Sides lists the sides.
var Sides = []string{SideClaimant, SidePayer, SideInternal}

// Claim statuses: a draft is made from the order; submitted, it waits for the payer's
// review (approved, adjusted per line, or rejected); the claimant accepts an adjustment or a
// rejection, or disputes it, which puts it back for review.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusAdjusted  = "adjusted"
	StatusRejected  = "rejected"
	StatusAccepted  = "accepted"
	StatusDisputed  = "disputed"
)

// Statuses lists the claim statuses.
var Statuses = []string{StatusDraft, StatusSubmitted, StatusApproved, StatusAdjusted, StatusRejected, StatusAccepted, StatusDisputed}

// LineKinds are what a claim line pays for.
var LineKinds = []string{"labour", "part", "visit"}

// Message kinds of claims between tenants (network messages).
const (
	KindSubmitted = "claim.submitted"
	KindReviewed  = "claim.reviewed"
	KindResponded = "claim.responded"
)

// Events of claims, in the tenant where each step happens (signed webhooks).
const (
	EventCreated   = "claim.created"
	EventSubmitted = "claim.submitted"
	EventReceived  = "claim.received"
	EventReviewed  = "claim.reviewed"
	EventResponded = "claim.responded"
)

// ClaimLine is one line of a claim: what was done, at what price, how the decision covers it and
// who pays the covered part. All amounts are minor units of the claim's currency.
type ClaimLine struct {
	Kind              string           `json:"kind" doc:"labour, part or visit"`
	Description       string           `json:"description"`
	PartCode          string           `json:"part_code,omitempty"`
	FaultySerial      string           `json:"faulty_serial,omitempty" doc:"The serial of the part taken out"`
	ReplacementSerial string           `json:"replacement_serial,omitempty" doc:"The serial of the part put in"`
	Quantity          int              `json:"quantity"`
	UnitPrice         int64            `json:"unit_price" doc:"The price under the terms, at the claim's making"`
	Amount            int64            `json:"amount" doc:"Quantity times unit price"`
	Basis             string           `json:"basis" doc:"The term that priced it, e.g. labour rate repair_minor level 2"`
	Coverage          string           `json:"coverage" doc:"covered or shared: how the warranty decision covered it"`
	CustomerPercent   int              `json:"customer_percent" doc:"The customer's percent of the amount under the decision"`
	CustomerAmount    int64            `json:"customer_amount" doc:"The customer's share, billed to the customer, not claimed"`
	Payer             string           `json:"payer" doc:"Who pays this line: maker, carrier, platform or plan"`
	PayerPercent      int              `json:"payer_percent" doc:"The payer's percent of the covered cost (cost sharing)"`
	Claimed           int64            `json:"claimed" doc:"What is claimed from the payer"`
	Approved          *int64           `json:"approved,omitempty" doc:"What the payer's review approved"`
	AdjustReason      string           `json:"adjust_reason,omitempty" doc:"Why the review approved less"`
	Reported          *bool            `json:"reported,omitempty" doc:"payer, part lines: whether the partner's report of the job named the part used (number and quantity)"`
	Inspections       []LineInspection `json:"inspections,omitempty" doc:"Part lines: what the receiving side's inspection found of the faulty parts returned (RMA), as it stands when the claim is read"`
}

// LineInspection is how many of a part line's faulty parts returned to the maker the
// inspection found with one result (confirmed_faulty, no_fault_found, wrong_part).
type LineInspection struct {
	Result string `json:"result"`
	Qty    int    `json:"qty"`
}

// Claim is a warranty claim as this tenant keeps it.
type Claim struct {
	ID                   uuid.UUID        `json:"id"`
	Side                 string           `json:"side" doc:"claimant: we claim from a partner; payer: a partner claims from us; internal: our outlet's work"`
	Number               string           `json:"number"`
	OrderID              uuid.UUID        `json:"order_id" doc:"Our order of the work"`
	OutletID             *uuid.UUID       `json:"outlet_id,omitempty" doc:"internal: the outlet that did the work"`
	JobID                *uuid.UUID       `json:"job_id,omitempty" doc:"The handed-off job the claim is for"`
	AgreementID          *uuid.UUID       `json:"agreement_id,omitempty"`
	CounterpartyTenantID *uuid.UUID       `json:"counterparty_tenant_id,omitempty"`
	CounterpartyName     string           `json:"counterparty_name,omitempty"`
	Serial               string           `json:"serial,omitempty"`
	Currency             string           `json:"currency"`
	Status               string           `json:"status"`
	Lines                []ClaimLine      `json:"lines"`
	Payers               map[string]int64 `json:"payers" doc:"What is claimed from each payer"`
	Terms                json.RawMessage  `json:"terms" doc:"The terms the lines were priced under, as they were"`
	TermsVersion         int32            `json:"terms_version"`
	Claimed              int64            `json:"claimed"`
	Approved             int64            `json:"approved"`
	Reason               string           `json:"reason,omitempty" doc:"The review's reason, or the rule the claim broke"`
	Response             string           `json:"response,omitempty" doc:"The claimant's comment on the review"`
	Version              int32            `json:"version"`
	SubmittedAt          *time.Time       `json:"submitted_at,omitempty"`
	ReviewedAt           *time.Time       `json:"reviewed_at,omitempty"`
	RespondedAt          *time.Time       `json:"responded_at,omitempty"`
	CreatedAt            time.Time        `json:"created_at"`
	UpdatedAt            time.Time        `json:"updated_at"`
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

func fromRow(r db.WarrantyClaim) (Claim, error) {
	c := Claim{ID: r.ID, Side: r.Side, Number: r.Number, OrderID: r.OrderID, OutletID: idPtr(r.OutletID), JobID: idPtr(r.JobID),
		AgreementID: idPtr(r.AgreementID), CounterpartyTenantID: idPtr(r.CounterpartyTenantID), CounterpartyName: r.CounterpartyName,
		Serial: r.Serial, Currency: r.Currency, Status: r.Status, Terms: r.Terms, TermsVersion: r.TermsVersion, Claimed: r.Claimed,
		Approved: r.Approved, Reason: r.Reason, Response: r.Response, Version: r.Version, SubmittedAt: r.SubmittedAt,
		ReviewedAt: r.ReviewedAt, RespondedAt: r.RespondedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Lines, &c.Lines); err != nil {
		return Claim{}, fmt.Errorf("claim %s lines: %w", r.ID, err)
	}
	if c.Lines == nil {
		c.Lines = []ClaimLine{}
	}
	c.Payers = map[string]int64{}
	for _, l := range c.Lines {
		c.Payers[l.Payer] += l.Claimed
	}
	return c, nil
}

// Service makes and moves claims. Network carries a partner's claim between the tenants
// (its handlers are added by New); Jobs queues events (nil: none).
type Service struct {
	Network *network.Service
	Jobs    events.Inserter
	Log     *slog.Logger
}

// New returns the claims service and adds its message handlers to the network.
func New(n *network.Service, jobs events.Inserter, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{Network: n, Jobs: jobs, Log: log}
	n.On(KindSubmitted, s.applySubmitted)
	n.On(KindReviewed, s.applyReviewed)
	n.On(KindResponded, s.applyResponded)
	n.On(KindStatementClaim, s.applyStatementClaim)
	n.On(KindStatementPayment, s.applyStatementPayment)
	return s
}

// tenantTerms are the tenant's own rates its outlets' claims are priced under.
type tenantTerms struct {
	Source      string           `json:"source"`
	Currency    string           `json:"currency"`
	LabourRates map[string]int64 `json:"labour_rates"`
	VisitFee    int64            `json:"visit_fee"`
	Parts       string           `json:"parts"`
}

// pricing is what a claim's lines are priced by.
type pricing struct {
	currency   string
	orderType  string
	level      int
	labour     func(orderType string, level int) (int64, string, bool)
	visitFee   int64
	markup     int
	costShares []network.PayerShare
	ent        json.RawMessage // a coverage.Result as orders.Share reads it
}

// Generate makes the draft claim of an audited in-warranty order: work received from a
// partner is claimed from that partner (side claimant) under the agreement's terms in force;
// an outlet's work is claimed from the tenant itself (side internal) at its own rates. One
// claim per order: generating it again returns the claim.
func (s *Service) Generate(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (Claim, error) {
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return Claim{}, err
	}
	job, err := tx.Q.NetworkJobOfOrder(ctx, tx, db.NetworkJobOfOrderParams{TenantID: tx.Scope.TenantID,
		Direction: network.DirectionReceived, OrderID: orderID})
	partner := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Claim{}, fmt.Errorf("job of order %s: %w", orderID, err)
	}
	side := SideInternal
	if partner {
		side = SideClaimant
	}
	if r, err := tx.Q.ClaimOfOrder(ctx, tx, db.ClaimOfOrderParams{TenantID: tx.Scope.TenantID, Side: side, OrderID: orderID}); err == nil {
		return fromRow(r)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Claim{}, fmt.Errorf("claim of order %s: %w", orderID, err)
	}
	if o.Status != orders.StatusApproved && o.Status != orders.StatusClosed {
		return Claim{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; a claim is made once the order passed audit (approved)", o.Number, o.Status)}
	}
	if o.Completion == nil {
		return Claim{}, &fault.ConflictError{Detail: "order " + o.Number + " has no completion report to claim"}
	}
	p := pricing{orderType: o.Type, level: 1}
	if lvl, err := leadLevel(ctx, tx, orderID); err != nil {
		return Claim{}, err
	} else if lvl > 0 {
		p.level = lvl
	}
	params := db.InsertClaimParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), Side: side, Number: "CL-" + o.Number,
		OrderID: orderID, Serial: o.Serial, Status: StatusDraft}
	if partner {
		a, err := tx.Q.GetAgreement(ctx, tx, db.GetAgreementParams{TenantID: tx.Scope.TenantID, ID: job.AgreementID})
		if err != nil {
			return Claim{}, fmt.Errorf("agreement of job %s: %w", job.ID, err)
		}
		if a.TermsVersion == 0 {
			return Claim{}, &fault.ConflictError{Detail: "the agreement has no terms in force to claim under"}
		}
		var terms network.Terms
		if err := json.Unmarshal(a.Terms, &terms); err != nil {
			return Claim{}, fmt.Errorf("terms of agreement %s: %w", a.ID, err)
		}
		var facts network.Facts
		if err := json.Unmarshal(job.Facts, &facts); err != nil {
			return Claim{}, fmt.Errorf("facts of job %s: %w", job.ID, err)
		}
		if facts.Coverage == nil {
			return Claim{}, &fault.ConflictError{Detail: "the sender's decision covers nothing of order " + o.Number + ": there is nothing to claim"}
		}
		p.currency, p.orderType, p.visitFee, p.costShares = terms.Currency, facts.Type, terms.VisitFee, terms.CostSharing
		if terms.Parts.Basis == "markup" {
			p.markup = terms.Parts.MarkupPercent
		}
		p.labour = func(typ string, level int) (int64, string, bool) { return agreedRate(terms.LabourRates, typ, level) }
		ent, err := json.Marshal(coverage.Result{Decision: warranty.Decision{Class: facts.Decision, Charges: facts.Coverage.Charges,
			GrantID: map[bool]string{true: "plan"}[facts.Coverage.Plan]}})
		if err != nil {
			return Claim{}, fmt.Errorf("encode coverage: %w", err)
		}
		p.ent = ent
		params.JobID, params.AgreementID = uuid.NullUUID{UUID: job.ID, Valid: true}, uuid.NullUUID{UUID: a.ID, Valid: true}
		params.CounterpartyTenantID, params.CounterpartyName = uuid.NullUUID{UUID: a.PartnerTenantID, Valid: true}, a.PartnerName
		params.Terms, params.TermsVersion = a.Terms, a.TermsVersion
		if facts.Serial != "" {
			params.Serial = facts.Serial
		}
	} else {
		if o.OutletID == nil {
			return Claim{}, &fault.ConflictError{Detail: "order " + o.Number + " names no outlet that did the work"}
		}
		if o.EntitlementClass == "" {
			return Claim{}, &fault.ConflictError{Detail: "order " + o.Number + " has no warranty decision: there is nothing to claim"}
		}
		mt, err := billing.GetSettings(ctx, tx)
		if err != nil {
			return Claim{}, err
		}
		t, err := tenants.GetTenant(ctx, tx)
		if err != nil {
			return Claim{}, err
		}
		tt := tenantTerms{Source: "tenant rates", Currency: t.Currency, LabourRates: mt.LabourRates, VisitFee: mt.VisitFee, Parts: "list"}
		p.currency, p.visitFee, p.ent = t.Currency, mt.VisitFee, o.Entitlement
		p.labour = func(typ string, _ int) (int64, string, bool) {
			r, ok := mt.LabourRates[typ]
			return r, "labour rate " + typ, ok && r > 0
		}
		if params.Terms, err = json.Marshal(tt); err != nil {
			return Claim{}, fmt.Errorf("encode terms: %w", err)
		}
		params.TermsVersion, params.OutletID = mt.Version, uuid.NullUUID{UUID: *o.OutletID, Valid: true}
	}
	if p.currency == "" {
		p.currency = "CNY"
	}
	params.Currency = p.currency
	lines, err := price(ctx, tx, o, p)
	if err != nil {
		return Claim{}, err
	}
	if len(lines) == 0 {
		return Claim{}, &fault.ConflictError{Detail: "the decision covers none of order " + o.Number + "'s cost: there is nothing to claim"}
	}
	for _, l := range lines {
		params.Claimed += l.Claimed
	}
	if params.Lines, err = json.Marshal(lines); err != nil {
		return Claim{}, fmt.Errorf("encode lines: %w", err)
	}
	r, err := tx.Q.InsertClaim(ctx, tx, params)
	if err != nil {
		return Claim{}, fault.DBError(err, "the order has a claim already", "")
	}
	c, err := fromRow(r)
	if err != nil {
		return Claim{}, err
	}
	if err := tx.Audit(ctx, "claim.create", "warranty_claim", c.ID, nil, c); err != nil {
		return Claim{}, err
	}
	return c, s.step(ctx, tx, c, EventCreated, "", "claim "+c.Number+" made", nil)
}

// leadLevel is the certification level of the order's accepted lead engineer (0: none).
func leadLevel(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (int, error) {
	engs, err := tx.Q.ListOrderEngineers(ctx, tx, db.ListOrderEngineersParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return 0, fmt.Errorf("engineers of order %s: %w", orderID, err)
	}
	for _, e := range engs {
		if e.Role != "lead" || e.State == "declined" || e.State == "removed" {
			continue
		}
		p, err := tx.Q.GetEngineerProfile(ctx, tx, db.GetEngineerProfileParams{TenantID: tx.Scope.TenantID, UserID: e.UserID})
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("engineer profile: %w", err)
		}
		return int(p.Level), nil
	}
	return 0, nil
}

// agreedRate is the agreement's labour rate of an order type for an engineer level: the
// level's own, else the highest level below it.
func agreedRate(rates []network.LabourRate, typ string, level int) (int64, string, bool) {
	best := -1
	for i, r := range rates {
		if r.OrderType == typ && r.EngineerLevel <= level && (best < 0 || r.EngineerLevel > rates[best].EngineerLevel) {
			best = i
		}
	}
	if best < 0 {
		return 0, "", false
	}
	r := rates[best]
	return r.Amount, fmt.Sprintf("labour rate %s level %d", r.OrderType, r.EngineerLevel), true
}

// price makes the claim lines of an order's work: labour at the rate, each part used at its
// price (the faulty and the replacement serial kept), the visit fee of an on-site order.
// The customer's share under the decision is left out of the claim; the covered cost goes
// to its payer, or is split between payers by the terms' cost sharing.
func price(ctx context.Context, tx *tenants.Tx, o orders.Order, p pricing) ([]ClaimLine, error) {
	var raw []ClaimLine
	if amount, basis, ok := p.labour(p.orderType, p.level); ok {
		raw = append(raw, ClaimLine{Kind: "labour", Description: "Labour (" + p.orderType + ")", Quantity: 1, UnitPrice: amount, Basis: basis})
	}
	for _, part := range o.Completion.Parts {
		unit, basis, err := partPrice(ctx, tx, part.Code, p.markup)
		if err != nil {
			return nil, err
		}
		name := part.Name
		if name == "" {
			name = part.Code
		}
		raw = append(raw, ClaimLine{Kind: "part", Description: name, PartCode: part.Code, FaultySerial: part.OldSerial,
			ReplacementSerial: part.NewSerial, Quantity: part.Quantity, UnitPrice: unit, Basis: basis})
	}
	if o.Flow == orders.FlowOnSite && p.visitFee > 0 {
		raw = append(raw, ClaimLine{Kind: "visit", Description: "Visit fee", Quantity: 1, UnitPrice: p.visitFee, Basis: "visit fee"})
	}
	var out []ClaimLine
	for _, l := range raw {
		l.Amount = l.UnitPrice * int64(l.Quantity)
		cov, customer, payer := orders.Share(p.ent, l.Kind, l.Amount)
		if payer == "customer" || l.Amount == 0 && cov == "charged" {
			continue // the customer pays it all: billed, not claimed
		}
		l.Coverage, l.CustomerAmount = cov, customer
		if l.Amount > 0 {
			l.CustomerPercent = int(customer * 100 / l.Amount)
		}
		covered := l.Amount - customer
		if len(p.costShares) == 0 {
			l.Payer, l.PayerPercent, l.Claimed = payer, 100, covered
			out = append(out, l)
			continue
		}
		// 三个一点: each payer carries its percent; the remainder of the division goes to
		// the first, so the lines add up to the covered cost exactly.
		var given int64
		split := make([]ClaimLine, len(p.costShares))
		for i, sh := range p.costShares {
			s := l
			s.Payer, s.PayerPercent, s.Claimed = sh.Payer, sh.Percent, covered*int64(sh.Percent)/100
			given += s.Claimed
			split[i] = s
		}
		split[0].Claimed += covered - given
		out = append(out, split...)
	}
	return out, nil
}

// partPrice is a part's price to the payer: the catalog's outlet price, plus the markup.
func partPrice(ctx context.Context, tx *tenants.Tx, code string, markup int) (int64, string, error) {
	ids, err := tx.Q.PartsByNumbers(ctx, tx, db.PartsByNumbersParams{TenantID: tx.Scope.TenantID, PartNos: []string{code}})
	if err != nil {
		return 0, "", fmt.Errorf("part %s: %w", code, err)
	}
	if len(ids) == 0 {
		return 0, "part not in the catalog: priced 0", nil
	}
	part, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: ids[0].ID})
	if err != nil {
		return 0, "", fmt.Errorf("part %s: %w", code, err)
	}
	list := part.OutletPrice
	if list == 0 {
		list = part.ConsumerPrice
	}
	if markup == 0 {
		return list, "parts at list price", nil
	}
	return list + list*int64(markup)/100, fmt.Sprintf("parts at list price plus %d%%", markup), nil
}

// step records one step of a claim: an event in the tenant (its webhooks) and an entry on
// the timeline of the tenant's order.
func (s *Service) step(ctx context.Context, tx *tenants.Tx, c Claim, event, from, what string, extra map[string]any) error {
	data := map[string]any{"claim_id": c.ID, "number": c.Number, "side": c.Side, "status": c.Status, "order_id": c.OrderID,
		"claimed": c.Claimed, "approved": c.Approved, "currency": c.Currency, "payers": c.Payers}
	if c.CounterpartyTenantID != nil {
		data["counterparty_tenant_id"], data["counterparty"] = *c.CounterpartyTenantID, c.CounterpartyName
	}
	if c.Reason != "" {
		data["reason"] = c.Reason
	}
	if c.Response != "" {
		data["response"] = c.Response
	}
	for k, v := range extra {
		data[k] = v
	}
	if err := orders.Record(ctx, tx, c.OrderID, orders.Entry{Kind: "claim", From: from, To: c.Status, Reason: what, Data: data}); err != nil {
		return err
	}
	if s.Jobs == nil {
		return nil
	}
	outlet := uuid.Nil
	if c.OutletID != nil {
		outlet = *c.OutletID
	}
	_, err := events.Emit(ctx, tx, s.Jobs, event, "warranty_claim", c.ID, outlet, data)
	return err
}

// emit queues an event of the tenant (none without Jobs).
func (s *Service) emit(ctx context.Context, tx *tenants.Tx, event, subject string, id uuid.UUID, data map[string]any) (uuid.UUID, error) {
	if s.Jobs == nil {
		return uuid.Nil, nil
	}
	return events.Emit(ctx, tx, s.Jobs, event, subject, id, uuid.Nil, data)
}

// Get reads one claim of the tenant, its part lines with what the inspection of the faulty
// parts returned to the maker found so far (the finding feeds the review: a part found not
// faulty is not the maker's to pay).
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Claim, error) {
	r, err := tx.Q.GetClaim(ctx, tx, db.GetClaimParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Claim{}, fault.DBError(err, "", "")
	}
	c, err := fromRow(r)
	if err != nil {
		return Claim{}, err
	}
	found, err := tx.Q.RMAResultsOfOrder(ctx, tx, db.RMAResultsOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: c.OrderID})
	if err != nil {
		return Claim{}, fmt.Errorf("inspections of order %s: %w", c.OrderID, err)
	}
	for i, l := range c.Lines {
		if l.Kind != "part" {
			continue
		}
		for _, f := range found {
			if f.PartNo == l.PartCode {
				c.Lines[i].Inspections = append(c.Lines[i].Inspections, LineInspection{Result: f.Result, Qty: int(f.Qty)})
			}
		}
	}
	return c, nil
}

// Filter narrows the list of claims.
type Filter struct {
	Side         string
	Status       string
	Counterparty uuid.UUID
	After        uuid.UUID
	Limit        int
}

// List lists the tenant's claims, newest first.
func List(ctx context.Context, tx *tenants.Tx, f Filter) ([]Claim, error) {
	if f.Side != "" && !slices.Contains(Sides, f.Side) {
		return nil, fault.Invalid("side", "must be one of claimant, payer, internal")
	}
	tx.PlanForValues()
	p := db.ListClaimsParams{TenantID: tx.Scope.TenantID, Lim: int32(max(1, min(f.Limit, 1000)))}
	if f.After != uuid.Nil {
		p.After = uuid.NullUUID{UUID: f.After, Valid: true}
	}
	if f.Side != "" {
		p.Side = &f.Side
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Counterparty != uuid.Nil {
		p.CounterpartyTenantID = uuid.NullUUID{UUID: f.Counterparty, Valid: true}
	}
	rows, err := tx.Q.ListClaims(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	out := make([]Claim, 0, len(rows))
	for _, r := range rows {
		c, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UnclaimedOrder is an audited in-warranty order no claim was made for (不结算检查).
type UnclaimedOrder struct {
	OrderID   uuid.UUID  `json:"order_id"`
	Number    string     `json:"number"`
	Status    string     `json:"status"`
	Type      string     `json:"type"`
	OutletID  *uuid.UUID `json:"outlet_id,omitempty"`
	Serial    string     `json:"serial,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Unclaimed lists the audited in-warranty orders of the tenant's outlets, and the partners'
// jobs it did with a covered decision, that no claim was made for, newest first: work done
// and never settled.
func Unclaimed(ctx context.Context, tx *tenants.Tx, after uuid.UUID, limit int) ([]UnclaimedOrder, error) {
	p := db.UnclaimedOrdersParams{TenantID: tx.Scope.TenantID, Lim: int32(max(1, min(limit, 1000)))}
	if after != uuid.Nil {
		p.After = uuid.NullUUID{UUID: after, Valid: true}
	}
	rows, err := tx.Q.UnclaimedOrders(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("unclaimed orders: %w", err)
	}
	out := make([]UnclaimedOrder, len(rows))
	for i, r := range rows {
		out[i] = UnclaimedOrder{OrderID: r.ID, Number: r.Number, Status: r.Status, Type: r.TypeCode, OutletID: idPtr(r.OutletID),
			Serial: r.Serial, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}
