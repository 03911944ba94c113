package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// defaultRules are the rules of claims on a tenant's own outlets' work: the unit must be
// registered.
var defaultRules = network.ClaimRules{RegistrationRequired: true}

// submittedBody is a claim as the claimant sends it.
type submittedBody struct {
	ClaimID      uuid.UUID       `json:"claim_id"`
	JobID        uuid.UUID       `json:"job_id"`
	Number       string          `json:"number"`
	Serial       string          `json:"serial"`
	Currency     string          `json:"currency"`
	Lines        []ClaimLine     `json:"lines"`
	Terms        json.RawMessage `json:"terms"`
	TermsVersion int32           `json:"terms_version"`
	Claimed      int64           `json:"claimed"`
}

// reviewedBody is the payer's review as it goes back to the claimant.
type reviewedBody struct {
	ClaimID  uuid.UUID   `json:"claim_id"`
	Status   string      `json:"status"`
	Reason   string      `json:"reason,omitempty"`
	Lines    []ClaimLine `json:"lines"`
	Approved int64       `json:"approved"`
}

// respondedBody is the claimant's answer to a review.
type respondedBody struct {
	ClaimID uuid.UUID `json:"claim_id"`
	Status  string    `json:"status"`
	Comment string    `json:"comment,omitempty"`
}

func lock(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (db.WarrantyClaim, error) {
	r, err := tx.Q.LockClaim(ctx, tx, db.LockClaimParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return db.WarrantyClaim{}, fault.DBError(err, "", "")
	}
	if version != 0 && r.Version != version {
		return db.WarrantyClaim{}, fault.ErrStale
	}
	return r, nil
}

// save writes a claim's new state, audits it and records the step.
func (s *Service) save(ctx context.Context, tx *tenants.Tx, before db.WarrantyClaim, p db.SaveClaimParams, event, what string) (Claim, error) {
	p.TenantID, p.ID = tx.Scope.TenantID, before.ID
	r, err := tx.Q.SaveClaim(ctx, tx, p)
	if err != nil {
		return Claim{}, fmt.Errorf("save claim: %w", err)
	}
	b, err := fromRow(before)
	if err != nil {
		return Claim{}, err
	}
	c, err := fromRow(r)
	if err != nil {
		return Claim{}, err
	}
	if err := tx.Audit(ctx, event, "warranty_claim", c.ID, b, c); err != nil {
		return Claim{}, err
	}
	return c, s.step(ctx, tx, c, event, before.Status, what, nil)
}

func saveParams(r db.WarrantyClaim) db.SaveClaimParams {
	return db.SaveClaimParams{Status: r.Status, Lines: r.Lines, Claimed: r.Claimed, Approved: r.Approved, Reason: r.Reason,
		Response: r.Response, SubmittedAt: r.SubmittedAt, ReviewedAt: r.ReviewedAt, RespondedAt: r.RespondedAt}
}

// Submit sends a draft claim to its payer. An outlet's claim is checked against the
// tenant's rules here; a partner's claim goes to the partner as a message, and the partner
// checks its rules (registration, claims per unit and period) when it arrives.
func (s *Service) Submit(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (Claim, error) {
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Claim{}, err
	}
	if r.Side == SidePayer {
		return Claim{}, &fault.ConflictError{Detail: "claim " + r.Number + " is a partner's claim to us; its claimant submits it"}
	}
	if r.Status != StatusDraft {
		return Claim{}, &fault.ConflictError{Detail: fmt.Sprintf("claim %s is %s; only a draft is submitted", r.Number, r.Status)}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Claim{}, err
	}
	if r.Side == SideInternal {
		o, err := orders.Get(ctx, tx, r.OrderID)
		if err != nil {
			return Claim{}, err
		}
		if broken, err := breaks(ctx, tx, defaultRules, r.ID, r.Serial, o.RegistrationID != nil, now); err != nil {
			return Claim{}, err
		} else if broken != "" {
			return Claim{}, &fault.ConflictError{Detail: "claim " + r.Number + " breaks a rule: " + broken}
		}
	}
	p := saveParams(r)
	p.Status, p.SubmittedAt = StatusSubmitted, &now
	c, err := s.save(ctx, tx, r, p, EventSubmitted, "claim "+r.Number+" submitted")
	if err != nil || r.Side != SideClaimant {
		return c, err
	}
	return c, s.Network.Send(ctx, tx, r.AgreementID.UUID, KindSubmitted, submittedBody{ClaimID: c.ID, JobID: r.JobID.UUID,
		Number: c.Number, Serial: c.Serial, Currency: c.Currency, Lines: c.Lines, Terms: c.Terms, TermsVersion: c.TermsVersion,
		Claimed: c.Claimed})
}

// breaks names the payer's rule a claim on serial breaks ("" if none): a registered unit
// required, at most MaxPerUnit claims on one unit in PeriodDays.
func breaks(ctx context.Context, tx *tenants.Tx, rules network.ClaimRules, id uuid.UUID, serial string, registered bool, now time.Time) (string, error) {
	if rules.RegistrationRequired && !registered {
		return "registration_required: the unit has no registration", nil
	}
	if rules.MaxPerUnit > 0 && serial != "" {
		since := now.AddDate(0, 0, -rules.PeriodDays)
		n, err := tx.Q.CountClaimsOfSerial(ctx, tx, db.CountClaimsOfSerialParams{TenantID: tx.Scope.TenantID, Serial: serial, ID: id, Since: &since})
		if err != nil {
			return "", fmt.Errorf("claims of unit %s: %w", serial, err)
		}
		if int(n) >= rules.MaxPerUnit {
			return fmt.Sprintf("max_per_unit: unit %s has %d claims in the last %d days, at most %d", serial, n, rules.PeriodDays, rules.MaxPerUnit), nil
		}
	}
	return "", nil
}

// applySubmitted takes a partner's claim in as the payer's own copy, on the order the job
// was handed off from. A claim naming a job not sent to that partner under the agreement is
// refused. The payer's rules are checked here: a claim breaking one is rejected at once,
// with the rule as its reason, and the rejection goes back.
func (s *Service) applySubmitted(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error {
	var b submittedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return network.Refuse("claim body: %v", err)
	}
	if a.Role != network.RolePrincipal {
		return network.Refuse("claims are paid by the principal of the agreement")
	}
	j, err := tx.Q.GetNetworkJob(ctx, tx, db.GetNetworkJobParams{TenantID: tx.Scope.TenantID, ID: b.JobID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (j.Direction != network.DirectionSent || j.AgreementID != a.ID)) {
		return network.Refuse("job %s was not sent to this partner under the agreement", b.JobID)
	}
	if err != nil {
		return fmt.Errorf("job %s: %w", b.JobID, err)
	}
	if _, err := tx.Q.GetClaim(ctx, tx, db.GetClaimParams{TenantID: tx.Scope.TenantID, ID: b.ClaimID}); err == nil {
		return network.Refuse("claim %s was received already", b.ClaimID)
	}
	if err := checkLines(b.Lines, b.Claimed); err != nil {
		return network.Refuse("claim %s: %v", b.ClaimID, err)
	}
	if err := markReported(j, b.Lines); err != nil {
		return err
	}
	lines, err := json.Marshal(b.Lines)
	if err != nil {
		return fmt.Errorf("encode lines: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	var terms network.Terms
	if err := json.Unmarshal(a.Terms, &terms); err != nil {
		return fmt.Errorf("terms of agreement %s: %w", a.ID, err)
	}
	o, err := orders.Get(ctx, tx, j.OrderID)
	if err != nil {
		return err
	}
	serial := b.Serial
	if serial == "" {
		serial = o.Serial
	}
	broken, err := breaks(ctx, tx, terms.Claims, b.ClaimID, serial, o.RegistrationID != nil, now)
	if err != nil {
		return err
	}
	status, reason := StatusSubmitted, ""
	var reviewed *time.Time
	if broken != "" {
		status, reason, reviewed = StatusRejected, "rule "+broken, &now
	}
	r, err := tx.Q.InsertClaim(ctx, tx, db.InsertClaimParams{TenantID: tx.Scope.TenantID, ID: b.ClaimID, Side: SidePayer,
		Number: b.Number, OrderID: j.OrderID, JobID: uuid.NullUUID{UUID: j.ID, Valid: true},
		AgreementID: uuid.NullUUID{UUID: a.ID, Valid: true}, CounterpartyTenantID: uuid.NullUUID{UUID: a.PartnerTenantID, Valid: true},
		CounterpartyName: a.PartnerName, Serial: serial, Currency: b.Currency, Status: StatusSubmitted, Lines: lines,
		Terms: b.Terms, TermsVersion: b.TermsVersion, Claimed: b.Claimed, SubmittedAt: &now})
	if err != nil {
		return fault.DBError(err, "a claim of the job was received already", "")
	}
	c, err := fromRow(r)
	if err != nil {
		return err
	}
	if err := tx.Audit(ctx, "claim.received", "warranty_claim", c.ID, nil, c); err != nil {
		return err
	}
	if err := s.step(ctx, tx, c, EventReceived, "", "claim "+c.Number+" received from "+a.PartnerName, nil); err != nil {
		return err
	}
	if broken == "" {
		return nil
	}
	zero := int64(0)
	for i := range b.Lines {
		b.Lines[i].Approved = &zero
	}
	if lines, err = json.Marshal(b.Lines); err != nil {
		return fmt.Errorf("encode lines: %w", err)
	}
	p := saveParams(r)
	p.Status, p.Reason, p.ReviewedAt, p.Lines = status, reason, reviewed, lines
	c, err = s.save(ctx, tx, r, p, EventReviewed, "claim "+c.Number+" rejected: "+reason)
	if err != nil {
		return err
	}
	return s.Network.Send(ctx, tx, a.ID, KindReviewed, reviewedBody{ClaimID: c.ID, Status: c.Status, Reason: c.Reason,
		Lines: c.Lines, Approved: c.Approved})
}

// markReported marks each part line of a partner's claim with whether the partner's report
// of the job (the parts it used, carried back with the hand-off) names the part in at least
// the quantity claimed: a part claimed and never reported used stands out in the review.
func markReported(j db.NetworkJob, lines []ClaimLine) error {
	var used []network.JobPart
	if len(j.PartnerParts) > 0 {
		if err := json.Unmarshal(j.PartnerParts, &used); err != nil {
			return fmt.Errorf("parts of job %s: %w", j.ID, err)
		}
	}
	left := map[string]int{}
	for _, p := range used {
		left[p.Code] += p.Quantity
	}
	for i := range lines {
		if lines[i].Kind != "part" {
			continue
		}
		// Not consumed: a line split between payers (cost sharing) repeats the quantity.
		ok := lines[i].Quantity > 0 && left[lines[i].PartCode] >= lines[i].Quantity
		lines[i].Reported = &ok
	}
	return nil
}

// checkLines refuses lines that do not add up to what is claimed.
func checkLines(lines []ClaimLine, claimed int64) error {
	var sum int64
	for i, l := range lines {
		if !slices.Contains(LineKinds, l.Kind) || l.Claimed < 0 || l.Claimed > l.Amount ||
			!slices.Contains(network.Payers, l.Payer) {
			return fmt.Errorf("line %d is not a claim line", i)
		}
		sum += l.Claimed
	}
	if len(lines) == 0 || sum != claimed {
		return fmt.Errorf("the lines add up to %d, not the %d claimed", sum, claimed)
	}
	return nil
}

// Review decisions.
const (
	DecisionApprove = "approve"
	DecisionAdjust  = "adjust"
	DecisionReject  = "reject"
)

// Decisions lists the review decisions.
var Decisions = []string{DecisionApprove, DecisionAdjust, DecisionReject}

// ClaimAdjustment approves less than claimed on one line, with the reason.
type ClaimAdjustment struct {
	Line     int    `json:"line" minimum:"0" maximum:"1000" doc:"The line's index in the claim"`
	Approved int64  `json:"approved" minimum:"0" doc:"What is approved of the line (minor units), less than claimed"`
	Reason   string `json:"reason" maxLength:"1000"`
}

// ClaimReview is the payer's decision on a claim.
type ClaimReview struct {
	Decision string            `json:"decision" doc:"approve, adjust (per line) or reject"`
	Reason   string            `json:"reason,omitempty" maxLength:"1000" doc:"Required to reject"`
	Lines    []ClaimAdjustment `json:"lines,omitempty" maxItems:"200" doc:"adjust: the lines approved for less; the others are approved as claimed"`
}

// Review is the payer's decision on a submitted (or disputed) claim: approve it, adjust
// lines with a reason each, or reject it with a reason. A partner's claim hears the review
// as a message.
func (s *Service) Review(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ClaimReview) (Claim, error) {
	if !slices.Contains(Decisions, in.Decision) {
		return Claim{}, fault.Invalid("decision", "must be one of "+strings.Join(Decisions, ", "))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Decision == DecisionReject && in.Reason == "" {
		return Claim{}, fault.Invalid("reason", "give the reason to reject the claim")
	}
	if in.Decision == DecisionAdjust && len(in.Lines) == 0 {
		return Claim{}, fault.Invalid("lines", "name the lines adjusted")
	}
	if in.Decision != DecisionAdjust && len(in.Lines) > 0 {
		return Claim{}, fault.Invalid("lines", "lines are adjusted only with the adjust decision")
	}
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Claim{}, err
	}
	if r.Side == SideClaimant {
		return Claim{}, &fault.ConflictError{Detail: "claim " + r.Number + " is ours to the partner; the partner reviews it"}
	}
	if r.Status != StatusSubmitted && r.Status != StatusDisputed {
		return Claim{}, &fault.ConflictError{Detail: fmt.Sprintf("claim %s is %s; a submitted or disputed claim is reviewed", r.Number, r.Status)}
	}
	c, err := fromRow(r)
	if err != nil {
		return Claim{}, err
	}
	lines := c.Lines
	for i := range lines {
		v := lines[i].Claimed
		if in.Decision == DecisionReject {
			v = 0
		}
		lines[i].Approved, lines[i].AdjustReason = &v, ""
	}
	seen := map[int]bool{}
	for i, adj := range in.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if adj.Line < 0 || adj.Line >= len(lines) || seen[adj.Line] {
			return Claim{}, fault.Invalid(field+".line", fmt.Sprintf("must name a line of the claim (0 to %d), each once", len(lines)-1))
		}
		seen[adj.Line] = true
		if adj.Approved < 0 || adj.Approved >= lines[adj.Line].Claimed {
			return Claim{}, fault.Invalid(field+".approved", fmt.Sprintf("must be at least 0 and less than the %d claimed", lines[adj.Line].Claimed))
		}
		if strings.TrimSpace(adj.Reason) == "" {
			return Claim{}, fault.Invalid(field+".reason", "give the reason of the adjustment")
		}
		v := adj.Approved
		lines[adj.Line].Approved, lines[adj.Line].AdjustReason = &v, strings.TrimSpace(adj.Reason)
	}
	var approved int64
	for _, l := range lines {
		approved += *l.Approved
	}
	b, err := json.Marshal(lines)
	if err != nil {
		return Claim{}, fmt.Errorf("encode lines: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Claim{}, err
	}
	p := saveParams(r)
	p.Status = map[string]string{DecisionApprove: StatusApproved, DecisionAdjust: StatusAdjusted, DecisionReject: StatusRejected}[in.Decision]
	p.Lines, p.Approved, p.Reason, p.ReviewedAt = b, approved, in.Reason, &now
	out, err := s.save(ctx, tx, r, p, EventReviewed, "claim "+r.Number+" "+p.Status)
	if err != nil {
		return out, err
	}
	if r.Side == SidePayer {
		// The review travels first: the claimant's copy is approved before its statement arrives.
		if err := s.Network.Send(ctx, tx, r.AgreementID.UUID, KindReviewed, reviewedBody{ClaimID: out.ID, Status: out.Status,
			Reason: out.Reason, Lines: out.Lines, Approved: out.Approved}); err != nil {
			return out, err
		}
	}
	if out.Status == StatusApproved {
		return out, s.settle(ctx, tx, out)
	}
	return out, nil
}

// applyReviewed records the payer's review on the claimant's copy.
func (s *Service) applyReviewed(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error {
	var b reviewedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return network.Refuse("review body: %v", err)
	}
	r, err := tx.Q.LockClaim(ctx, tx, db.LockClaimParams{TenantID: tx.Scope.TenantID, ID: b.ClaimID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (r.Side != SideClaimant || r.AgreementID.UUID != a.ID)) {
		return network.Refuse("claim %s was not made to this partner under the agreement", b.ClaimID)
	}
	if err != nil {
		return fmt.Errorf("claim %s: %w", b.ClaimID, err)
	}
	if r.Status != StatusSubmitted && r.Status != StatusDisputed {
		return network.Refuse("claim %s is %s; it waits for no review", r.Number, r.Status)
	}
	if !slices.Contains([]string{StatusApproved, StatusAdjusted, StatusRejected}, b.Status) {
		return network.Refuse("a review ends approved, adjusted or rejected, not %s", b.Status)
	}
	var ours []ClaimLine
	if err := json.Unmarshal(r.Lines, &ours); err != nil {
		return fmt.Errorf("claim %s lines: %w", r.ID, err)
	}
	if len(b.Lines) != len(ours) {
		return network.Refuse("the review has %d lines, the claim %d", len(b.Lines), len(ours))
	}
	var approved int64
	for i := range ours {
		v := b.Lines[i].Approved
		if v == nil || *v < 0 || *v > ours[i].Claimed {
			return network.Refuse("line %d's approved amount is out of range", i)
		}
		ours[i].Approved, ours[i].AdjustReason = v, b.Lines[i].AdjustReason
		approved += *v
	}
	lines, err := json.Marshal(ours)
	if err != nil {
		return fmt.Errorf("encode lines: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	p := saveParams(r)
	p.Status, p.Lines, p.Approved, p.Reason, p.ReviewedAt = b.Status, lines, approved, b.Reason, &now
	_, err = s.save(ctx, tx, r, p, EventReviewed, "claim "+r.Number+" "+b.Status+" by "+a.PartnerName)
	return err
}

// Responses of a claimant to an adjusted or rejected claim.
const (
	ResponseAccept  = "accept"
	ResponseDispute = "dispute"
)

// Responses lists the responses.
var Responses = []string{ResponseAccept, ResponseDispute}

// ClaimResponse is the claimant's answer to an adjustment or a rejection.
type ClaimResponse struct {
	Action  string `json:"action" doc:"accept the review, or dispute it (back to the payer for review)"`
	Comment string `json:"comment,omitempty" maxLength:"1000" doc:"Required to dispute"`
}

// Respond answers the payer's adjustment or rejection of our claim: accept it (an
// adjusted claim is then settled at the approved amount) or dispute it with a comment.
func (s *Service) Respond(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ClaimResponse) (Claim, error) {
	if !slices.Contains(Responses, in.Action) {
		return Claim{}, fault.Invalid("action", "must be one of "+strings.Join(Responses, ", "))
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if in.Action == ResponseDispute && in.Comment == "" {
		return Claim{}, fault.Invalid("comment", "say why the review is disputed")
	}
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Claim{}, err
	}
	if r.Side == SidePayer {
		return Claim{}, &fault.ConflictError{Detail: "claim " + r.Number + " is a partner's claim to us; its claimant responds"}
	}
	if r.Status != StatusAdjusted && r.Status != StatusRejected {
		return Claim{}, &fault.ConflictError{Detail: fmt.Sprintf("claim %s is %s; an adjusted or rejected claim is answered", r.Number, r.Status)}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Claim{}, err
	}
	p := saveParams(r)
	p.Status, p.Response, p.RespondedAt = StatusAccepted, in.Comment, &now
	if in.Action == ResponseDispute {
		p.Status = StatusDisputed
	}
	c, err := s.save(ctx, tx, r, p, EventResponded, "claim "+r.Number+" "+p.Status)
	if err != nil {
		return c, err
	}
	if r.Side == SideInternal && c.Status == StatusAccepted {
		if err := s.settle(ctx, tx, c); err != nil {
			return c, err
		}
	}
	if r.Side != SideClaimant {
		return c, nil
	}
	return c, s.Network.Send(ctx, tx, r.AgreementID.UUID, KindResponded, respondedBody{ClaimID: c.ID, Status: c.Status, Comment: c.Response})
}

// applyResponded records the claimant's answer on the payer's copy.
func (s *Service) applyResponded(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error {
	var b respondedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return network.Refuse("response body: %v", err)
	}
	r, err := tx.Q.LockClaim(ctx, tx, db.LockClaimParams{TenantID: tx.Scope.TenantID, ID: b.ClaimID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (r.Side != SidePayer || r.AgreementID.UUID != a.ID)) {
		return network.Refuse("claim %s was not made to us by this partner under the agreement", b.ClaimID)
	}
	if err != nil {
		return fmt.Errorf("claim %s: %w", b.ClaimID, err)
	}
	if (r.Status != StatusAdjusted && r.Status != StatusRejected) || (b.Status != StatusAccepted && b.Status != StatusDisputed) {
		return network.Refuse("claim %s is %s; a response of %s does not apply", r.Number, r.Status, b.Status)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	p := saveParams(r)
	p.Status, p.Response, p.RespondedAt = b.Status, b.Comment, &now
	c, err := s.save(ctx, tx, r, p, EventResponded, "claim "+r.Number+" "+b.Status+" by "+a.PartnerName)
	if err != nil || c.Status != StatusAccepted {
		return err
	}
	return s.settle(ctx, tx, c)
}
