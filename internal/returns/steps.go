package returns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// lock reads a case for a step, at the version the caller read (0: any).
func lock(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (Case, error) {
	r, err := tx.Q.LockReturnCase(ctx, tx, db.LockReturnCaseParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Case{}, fault.DBError(err, "", "")
	}
	if version != 0 && r.Version != version {
		return Case{}, fault.ErrStale
	}
	return fromRow(r)
}

func conflict(c Case, want string) error {
	return &fault.ConflictError{Detail: fmt.Sprintf("case %s is %s; this step needs it %s", c.Number, c.Status, want)}
}

// save writes the case after a step, audits it and emits the step's event.
func (s *Service) save(ctx context.Context, tx *tenants.Tx, before, c Case, now time.Time, action, event string, line int) (Case, error) {
	lj, sj, err := encode(c)
	if err != nil {
		return Case{}, err
	}
	p := db.SaveReturnCaseParams{TenantID: tx.Scope.TenantID, ID: c.ID, Status: c.Status, Collection: c.Collection,
		CollectionRef: c.CollectionRef, ReviewNote: c.ReviewNote, ReviewedBy: c.ReviewedBy, Refunded: c.Refunded,
		Difference: c.Difference, Lines: lj, Steps: sj, ClosedAt: c.ClosedAt, UpdatedAt: now}
	if c.Hold != nil {
		p.HoldKind, p.HoldAmount, p.HoldStatus, p.HoldReference, p.HoldDueAt = c.Hold.Kind, c.Hold.Amount, c.Hold.Status, c.Hold.Reference, c.Hold.DueAt
	}
	r, err := tx.Q.SaveReturnCase(ctx, tx, p)
	if err != nil {
		return Case{}, fault.DBError(err, "", "")
	}
	out, err := fromRow(r)
	if err != nil {
		return Case{}, err
	}
	if err := tx.Audit(ctx, action, subjectReturnCase, out.ID, before, out); err != nil {
		return Case{}, err
	}
	if event != "" {
		if err := s.emit(ctx, tx, out, event, line); err != nil {
			return Case{}, err
		}
	}
	return out, nil
}

func (c *Case) step(now time.Time, tx *tenants.Tx, kind string, line int, note string) {
	c.Steps = append(c.Steps, CaseStep{At: now, Kind: kind, Actor: tx.Scope.Actor.Label, Line: line, Note: note})
}

// Replacement is the new unit of an advance exchange line, registered when the case is
// approved.
type Replacement struct {
	Line    int        `json:"line" minimum:"1" doc:"The line (its no) the replacement is for"`
	Serial  string     `json:"serial" minLength:"1" maxLength:"64"`
	ModelID *uuid.UUID `json:"model_id,omitempty" doc:"Another model than the returned unit's (give price)"`
	Price   *int64     `json:"price,omitempty" minimum:"0" maximum:"100000000000" doc:"The new unit's price; default: what was paid"`
	PartID  *uuid.UUID `json:"part_id,omitempty" doc:"The stock item the replacement leaves stock as; default: the line's"`
}

// HoldInput secures an advance exchange until the old unit is back.
type HoldInput struct {
	Kind          string `json:"kind" enum:"deposit,card_hold"`
	Amount        int64  `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; usually the replacements' price"`
	Reference     string `json:"reference,omitempty" maxLength:"200" doc:"deposit: the receipt of the money taken"`
	PaymentMethod string `json:"payment_method,omitempty" maxLength:"255" doc:"card_hold: the customer's Stripe payment method (pm_...)"`
	// Intent is the card hold PlaceHold placed before the approval's transaction.
	Intent string `json:"-"`
}

// PlaceHold places an advance exchange's card hold at Stripe before the approval's
// transaction (Stripe is never called inside it), with the case's idempotency key: a retried
// approval finds the same hold. It checks what it can first (the case is applied, the
// payment method is one); an approval that then fails leaves an uncaptured authorization that
// the retry reuses, or that lapses at Stripe. The intent goes into in.Intent for Review.
func (s *Service) PlaceHold(ctx context.Context, run TxRunner, id uuid.UUID, in *HoldInput) error {
	if in == nil || in.Kind != HoldCard {
		return nil
	}
	pm := strings.TrimSpace(in.PaymentMethod)
	if !strings.HasPrefix(pm, "pm_") {
		return fault.Invalid("hold.payment_method", "give the customer's Stripe payment method (pm_...)")
	}
	var c Case
	var tenant uuid.UUID
	if err := run(ctx, func(tx *tenants.Tx) (err error) {
		tenant = tx.Scope.TenantID
		c, err = Get(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	if c.Status != StatusApplied {
		return conflict(c, StatusApplied)
	}
	if !slices.ContainsFunc(c.Lines, func(l CaseLine) bool { return l.Remedy == RemedyAdvanceExchange }) {
		return fault.Invalid("replacements", "only advance exchange lines ship before the old unit is back")
	}
	intent, err := s.Payments.HoldCard(ctx, in.Amount, c.Currency, pm, holdKeyPrefix+c.ID.String(),
		map[string]string{"tenant_id": tenant.String(), "return_case_id": c.ID.String()})
	if err != nil {
		return fmt.Errorf("card hold of case %s: %w", c.Number, err)
	}
	in.Intent = intent
	return nil
}

// ReviewDecision approves or rejects an applied case.
type ReviewDecision struct {
	Decision     string        `json:"decision" enum:"approve,reject"`
	Note         string        `json:"note,omitempty" maxLength:"1000" doc:"Why; required to reject"`
	Replacements []Replacement `json:"replacements,omitempty" maxItems:"20" doc:"Approving advance exchange lines: their new units, which ship now"`
	Hold         *HoldInput    `json:"hold,omitempty" doc:"Approving advance exchange lines: the deposit or card hold"`
	Paid         []PaidLine    `json:"paid,omitempty" maxItems:"20" doc:"Approving: what the customer paid for units the case does not know it of (a consumer's own request records nothing paid), so that a refund can be made"`
}

// PaidLine is what the customer paid for one line's unit, paid outside the platform,
// confirmed by staff from the receipt when they approve a consumer's request.
type PaidLine struct {
	Line int   `json:"line" minimum:"1" doc:"The line, from 1"`
	Paid int64 `json:"paid" minimum:"1" maximum:"100000000000" doc:"Minor units"`
}

// Review approves or rejects an applied case. Approving a case with advance exchange lines
// registers their replacements now (warranty restarted), issues them from stock, takes the
// deposit or places the card hold, and queues the deadline by which the old units are to be
// back (the tenant's advance_deadline_days).
func (s *Service) Review(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ReviewDecision) (Case, error) {
	in.Note = strings.TrimSpace(in.Note)
	c, err := lock(ctx, tx, id, version)
	if err != nil {
		return Case{}, err
	}
	if c.Status != StatusApplied {
		return Case{}, conflict(c, StatusApplied)
	}
	before := c
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	c.ReviewNote, c.ReviewedBy = in.Note, tx.Scope.Actor.Label
	switch in.Decision {
	case "reject":
		if in.Note == "" {
			return Case{}, fault.Invalid("note", "give the reason the case is rejected")
		}
		if len(in.Replacements) > 0 || in.Hold != nil {
			return Case{}, fault.Invalid("replacements", "a rejected case ships nothing")
		}
		if len(in.Paid) > 0 {
			return Case{}, fault.Invalid("paid", "a rejected case refunds nothing")
		}
		c.Status = StatusRejected
		c.ClosedAt = &now
		c.step(now, tx, EventRejected, 0, in.Note)
		return s.save(ctx, tx, before, c, now, "return.reject", EventRejected, 0)
	case "approve":
	default:
		return Case{}, fault.Invalid("decision", "must be approve or reject")
	}
	advance := 0
	for _, l := range c.Lines {
		if l.Remedy == RemedyAdvanceExchange {
			advance++
		}
	}
	if advance == 0 && (len(in.Replacements) > 0 || in.Hold != nil) {
		return Case{}, fault.Invalid("replacements", "only advance exchange lines ship before the old unit is back")
	}
	for i, pl := range in.Paid {
		f := fmt.Sprintf("paid[%d]", i)
		if pl.Line < 1 || pl.Line > len(c.Lines) {
			return Case{}, fault.Invalid(f+".line", "is not a line of the case")
		}
		if l := c.Lines[pl.Line-1]; l.Paid != 0 || l.Payment != PaymentOutside {
			return Case{}, fault.Invalid(f+".line", "already records what was paid for its unit")
		}
		c.Lines[pl.Line-1].Paid = pl.Paid
	}
	c.Status = StatusApproved
	c.step(now, tx, EventApproved, 0, in.Note)
	if advance == 0 {
		return s.save(ctx, tx, before, c, now, "return.approve", EventApproved, 0)
	}
	if len(in.Replacements) != advance {
		return Case{}, fault.Invalid("replacements", fmt.Sprintf("give one replacement for each of the %d advance exchange lines", advance))
	}
	if in.Hold == nil {
		return Case{}, fault.Invalid("hold", "an advance exchange ships against a deposit or a card hold")
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	done := map[int]bool{}
	for i, r := range in.Replacements {
		f := fmt.Sprintf("replacements[%d]", i)
		if r.Line < 1 || r.Line > len(c.Lines) || c.Lines[r.Line-1].Remedy != RemedyAdvanceExchange || done[r.Line] {
			return Case{}, fault.Invalid(f+".line", "is not an advance exchange line of the case (or is given twice)")
		}
		done[r.Line] = true
		if err := s.exchange(ctx, tx, &c, settings, r.Line, exchangeInput{Serial: r.Serial, ModelID: r.ModelID, Price: r.Price, PartID: r.PartID,
			field: f, advance: true}, now); err != nil {
			return Case{}, err
		}
		c.step(now, tx, EventAdvanceShip, r.Line, c.Lines[r.Line-1].Exchange.Serial)
	}
	due := now.AddDate(0, 0, int(settings.AdvanceDeadlineDays))
	h := &CaseHold{Kind: in.Hold.Kind, Amount: in.Hold.Amount, Status: HoldHeld, DueAt: &due}
	switch in.Hold.Kind {
	case HoldDeposit:
		h.Reference = strings.TrimSpace(in.Hold.Reference)
		if h.Reference == "" {
			return Case{}, fault.Invalid("hold.reference", "give the receipt of the deposit taken")
		}
	case HoldCard:
		pm := strings.TrimSpace(in.Hold.PaymentMethod)
		if !strings.HasPrefix(pm, "pm_") {
			return Case{}, fault.Invalid("hold.payment_method", "give the customer's Stripe payment method (pm_...)")
		}
		if in.Hold.Intent == "" {
			return Case{}, errors.New("the card hold is placed before the approval's transaction (PlaceHold)")
		}
		h.Reference = in.Hold.Intent
	default:
		return Case{}, fault.Invalid("hold.kind", "must be deposit or card_hold")
	}
	c.Hold = h
	out, err := s.save(ctx, tx, before, c, now, "return.approve", EventApproved, 0)
	if err != nil {
		return Case{}, err
	}
	for _, l := range out.Lines {
		if l.Exchange != nil && l.Exchange.Advance {
			if err := s.emit(ctx, tx, out, EventAdvanceShip, l.No); err != nil {
				return Case{}, err
			}
		}
	}
	tx.Job(s.Jobs, "", river.InsertManyParams{Args: DeadlineArgs{TenantID: tx.Scope.TenantID, CaseID: out.ID},
		InsertOpts: &river.InsertOpts{ScheduledAt: due}})
	return out, nil
}

// ReceiveInput records units back.
type ReceiveInput struct {
	Lines         []int  `json:"lines" minItems:"1" maxItems:"20" doc:"The lines (their no) whose units came back"`
	CollectionRef string `json:"collection_ref,omitempty" maxLength:"200" doc:"The courier's waybill or the visit"`
}

// Receive records units back at the tenant. When every unit is back the case is received;
// when the old units of an advance exchange are all back, its hold is released: nothing is
// charged. An advance exchange's old unit goes into the returned-goods warehouse on arrival
// (its outcome, the exchange, is already decided).
func (s *Service) Receive(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ReceiveInput) (Case, error) {
	c, err := lock(ctx, tx, id, version)
	if err != nil {
		return Case{}, err
	}
	if c.Status != StatusApproved {
		return Case{}, conflict(c, StatusApproved)
	}
	before := c
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	if ref := strings.TrimSpace(in.CollectionRef); ref != "" {
		c.CollectionRef = ref
	}
	for i, n := range in.Lines {
		if n < 1 || n > len(c.Lines) {
			return Case{}, fault.Invalid(fmt.Sprintf("lines[%d]", i), "is not a line of the case")
		}
		l := &c.Lines[n-1]
		if l.Received {
			return Case{}, &fault.ConflictError{Detail: "line " + fmt.Sprint(n) + " (" + l.Serial + ") of case " + c.Number + " is back already"}
		}
		if l.Inspection == InspectionNotReturned {
			return Case{}, &fault.ConflictError{Detail: "line " + fmt.Sprint(n) + " (" + l.Serial + ") of case " + c.Number + " was charged as not returned"}
		}
		l.Received, l.ReceivedAt = true, &now
		if l.Remedy == RemedyAdvanceExchange {
			if err := s.receiveOld(ctx, tx, &c, settings, n); err != nil {
				return Case{}, err
			}
		}
		c.step(now, tx, EventReceived, n, l.Serial)
	}
	released := false
	if c.Hold != nil && c.Hold.Status == HoldHeld && !slices.ContainsFunc(c.Lines, func(l CaseLine) bool {
		return l.Remedy == RemedyAdvanceExchange && !l.Received
	}) {
		if c.Hold.Kind == HoldCard {
			s.settleLater(tx, c, false)
		}
		c.Hold.Status = HoldReleased
		c.step(now, tx, EventHoldReleased, 0, "the old units are back: nothing is charged")
		released = true
	}
	if allBack(c) {
		c.Status = StatusReceived
	}
	out, err := s.save(ctx, tx, before, c, now, "return.receive", EventReceived, 0)
	if err != nil {
		return Case{}, err
	}
	if released {
		return out, s.emit(ctx, tx, out, EventHoldReleased, 0)
	}
	return out, nil
}

// InspectInput is the result of looking at one returned unit.
type InspectInput struct {
	Line   int    `json:"line" minimum:"1"`
	Result string `json:"result" enum:"confirmed,not_confirmed" doc:"confirmed: the reason holds; not_confirmed: no fault found, the unit goes back to the customer"`
	Note   string `json:"note,omitempty" maxLength:"1000"`
}

// Inspect records one unit's inspection. A unit whose fault is not confirmed goes back to
// the customer (no refund, no exchange, no stock movement); an advance exchange is
// exchanged already. When every unit is inspected the case is inspected (or resolved, when
// every line has its outcome).
func (s *Service) Inspect(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in InspectInput) (Case, error) {
	c, err := lock(ctx, tx, id, version)
	if err != nil {
		return Case{}, err
	}
	if c.Status != StatusReceived {
		return Case{}, conflict(c, StatusReceived)
	}
	if in.Line < 1 || in.Line > len(c.Lines) {
		return Case{}, fault.Invalid("line", "is not a line of the case")
	}
	if in.Result != InspectionConfirmed && in.Result != InspectionNotConfirmed {
		return Case{}, fault.Invalid("result", "must be confirmed or not_confirmed")
	}
	before := c
	l := &c.Lines[in.Line-1]
	if l.Inspection != "" {
		return Case{}, &fault.ConflictError{Detail: "line " + fmt.Sprint(in.Line) + " of case " + c.Number + " is inspected already"}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	l.Inspection, l.InspectionNote = in.Result, strings.TrimSpace(in.Note)
	switch {
	case l.Remedy == RemedyAdvanceExchange:
		l.Outcome = OutcomeExchanged
	case in.Result == InspectionNotConfirmed:
		l.Outcome = OutcomeReturnedToCustomer
	}
	c.step(now, tx, EventInspected, in.Line, in.Result+" "+l.InspectionNote)
	if !slices.ContainsFunc(c.Lines, func(l CaseLine) bool { return l.Inspection == "" }) {
		c.Status = StatusInspected
	}
	event := EventInspected
	if c.Status == StatusInspected && resolved(c) {
		c.Status = StatusResolved
		c.step(now, tx, EventResolved, 0, "")
	}
	out, err := s.save(ctx, tx, before, c, now, "return.inspect", event, in.Line)
	if err != nil {
		return Case{}, err
	}
	if out.Status == StatusResolved {
		return out, s.emit(ctx, tx, out, EventResolved, 0)
	}
	return out, nil
}

func resolved(c Case) bool {
	return !slices.ContainsFunc(c.Lines, func(l CaseLine) bool { return l.Outcome == "" })
}

// LineRefundInput gives a line's money back.
type LineRefundInput struct {
	Line      int    `json:"line" minimum:"1"`
	Amount    int64  `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; at most what was paid for the unit"`
	Reference string `json:"reference,omitempty" maxLength:"200" doc:"Units paid outside the platform: the refund's reference (required)"`
}

// Refund gives back a line's money after inspection confirmed the reason: through Stripe
// against the sale's payment intent when the unit was paid through the platform, else
// recorded with its reference. The unit goes into the returned-goods warehouse. Stripe is
// not called in the transaction: the refund is recorded pending, with a job (RefundArgs)
// that asks Stripe after the commit with the line's own idempotency key; the caller asks
// at once after its commit too (SendRefund), and whichever comes first does it.
func (s *Service) Refund(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in LineRefundInput) (Case, error) {
	c, l, err := s.resolvable(ctx, tx, id, version, in.Line)
	if err != nil {
		return Case{}, err
	}
	if l.Remedy != RemedyRefund {
		return Case{}, fault.Invalid("line", fmt.Sprintf("line %d asks for an %s, not a refund", in.Line, l.Remedy))
	}
	if in.Amount <= 0 {
		return Case{}, fault.Invalid("amount", "must be at least 1")
	}
	if in.Amount > l.Paid {
		return Case{}, fault.Invalid("amount", fmt.Sprintf("is larger than was paid for %s (%d)", l.Serial, l.Paid))
	}
	in.Reference = strings.TrimSpace(in.Reference)
	before := c
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	rf := &LineRefund{Amount: in.Amount, At: now}
	switch l.Payment {
	case PaymentPlatform:
		if in.Reference != "" {
			return Case{}, fault.Invalid("reference", "the unit was paid through the platform: the refund goes through Stripe")
		}
		rf.Status = RefundPending
		tx.Job(s.Jobs, "", river.InsertManyParams{Args: RefundArgs{TenantID: tx.Scope.TenantID, CaseID: c.ID, Line: l.No},
			InsertOpts: &river.InsertOpts{ScheduledAt: now.Add(refundRetryAfter), UniqueOpts: river.UniqueOpts{ByArgs: true}}})
	default:
		if in.Reference == "" {
			return Case{}, fault.Invalid("reference", "the unit was paid outside the platform: give the refund's reference")
		}
		rf.Reference, rf.Status = in.Reference, "recorded"
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	cl := &c.Lines[in.Line-1]
	cl.Refund, cl.Outcome = rf, OutcomeRefunded
	c.Refunded += in.Amount
	if err := s.receiveOld(ctx, tx, &c, settings, in.Line); err != nil {
		return Case{}, err
	}
	c.step(now, tx, EventRefunded, in.Line, fmt.Sprintf("%d %s", in.Amount, c.Currency))
	return s.finish(ctx, tx, before, c, now, "return.refund", EventRefunded, in.Line)
}

// LineExchangeInput gives a new unit for a line's unit.
type LineExchangeInput struct {
	Line    int        `json:"line" minimum:"1"`
	Serial  string     `json:"serial" minLength:"1" maxLength:"64" doc:"The new unit's serial"`
	ModelID *uuid.UUID `json:"model_id,omitempty" doc:"Another model than the returned unit's (give price)"`
	Price   *int64     `json:"price,omitempty" minimum:"0" maximum:"100000000000" doc:"The new unit's price; default: what was paid"`
	PartID  *uuid.UUID `json:"part_id,omitempty" doc:"The stock item the replacement leaves stock as; default: the line's"`
}

// Exchange gives a new unit for a line's unit after inspection confirmed the reason. A
// line that asked for a refund may take an exchange instead.
func (s *Service) Exchange(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in LineExchangeInput) (Case, error) {
	c, l, err := s.resolvable(ctx, tx, id, version, in.Line)
	if err != nil {
		return Case{}, err
	}
	if l.Remedy == RemedyAdvanceExchange {
		return Case{}, &fault.ConflictError{Detail: fmt.Sprintf("line %d of case %s was exchanged in advance when the case was approved", in.Line, c.Number)}
	}
	before := c
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	settings, err := GetSettings(ctx, tx)
	if err != nil {
		return Case{}, err
	}
	if err := s.exchange(ctx, tx, &c, settings, in.Line, exchangeInput{Serial: in.Serial, ModelID: in.ModelID, Price: in.Price,
		PartID: in.PartID}, now); err != nil {
		return Case{}, err
	}
	c.Lines[in.Line-1].Outcome = OutcomeExchanged
	if err := s.receiveOld(ctx, tx, &c, settings, in.Line); err != nil {
		return Case{}, err
	}
	c.step(now, tx, EventExchanged, in.Line, l.Serial+" -> "+c.Lines[in.Line-1].Exchange.Serial)
	return s.finish(ctx, tx, before, c, now, "return.exchange", EventExchanged, in.Line)
}

// resolvable locks a case whose line may take its outcome now.
func (s *Service) resolvable(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, line int) (Case, CaseLine, error) {
	c, err := lock(ctx, tx, id, version)
	if err != nil {
		return Case{}, CaseLine{}, err
	}
	if c.Status != StatusInspected {
		return Case{}, CaseLine{}, conflict(c, StatusInspected)
	}
	if line < 1 || line > len(c.Lines) {
		return Case{}, CaseLine{}, fault.Invalid("line", "is not a line of the case")
	}
	l := c.Lines[line-1]
	if l.Outcome != "" {
		return Case{}, CaseLine{}, &fault.ConflictError{Detail: fmt.Sprintf("line %d of case %s is %s already", line, c.Number, strings.ReplaceAll(l.Outcome, "_", " "))}
	}
	return c, l, nil
}

// finish saves a line's outcome; the last one resolves the case.
func (s *Service) finish(ctx context.Context, tx *tenants.Tx, before, c Case, now time.Time, action, event string, line int) (Case, error) {
	if resolved(c) {
		c.Status = StatusResolved
		c.step(now, tx, EventResolved, 0, "")
	}
	out, err := s.save(ctx, tx, before, c, now, action, event, line)
	if err != nil {
		return Case{}, err
	}
	if out.Status == StatusResolved {
		return out, s.emit(ctx, tx, out, EventResolved, 0)
	}
	return out, nil
}

type exchangeInput struct {
	Serial  string
	ModelID *uuid.UUID
	Price   *int64
	PartID  *uuid.UUID
	field   string // the input's path ("" at the top)
	advance bool
}

// exchange registers a line's new unit (its warranty starts today: the 三包 rule restarts
// it), links it to the old serial, prices the difference, and issues it from the
// replacement warehouse.
func (s *Service) exchange(ctx context.Context, tx *tenants.Tx, c *Case, settings TenantTerms, line int, in exchangeInput, now time.Time) error {
	field := func(name string) string {
		if in.field == "" {
			return name
		}
		return in.field + "." + name
	}
	l := &c.Lines[line-1]
	model := l.ModelID
	if in.ModelID != nil {
		model = *in.ModelID
	}
	price := l.Paid
	if in.Price != nil {
		price = *in.Price
	} else if model != l.ModelID {
		return fault.Invalid(field("price"), "an exchange for another model needs the new unit's price (the difference goes on the case)")
	}
	if price < 0 {
		return fault.Invalid(field("price"), "must not be negative")
	}
	if _, err := tx.Q.GetModel(ctx, tx, db.GetModelParams{TenantID: tx.Scope.TenantID, ID: model}); err != nil {
		return fault.Invalid(field("model_id"), "is not a model of this tenant")
	}
	// The exchange's day on the tenant's clock (a sandbox tenant's test clock), as the rest of
	// the step: the new unit's warranty starts then, and the registry's own checks (no
	// purchase after today) use the same day.
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return err
	}
	y, mo, d := now.In(loc).Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	customer := c.CustomerID.String()
	reg, err := register(ctx, tx, registry.Input{ModelID: model.String(), Serial: in.Serial, PurchaseDate: today.Format(time.DateOnly),
		InvoiceNo: c.Number, InvoiceDate: today.Format(time.DateOnly), HasWarrantyCard: true, Seller: "exchange of " + l.Serial,
		Buyer: &registry.Party{CustomerID: customer}}, today)
	if err != nil {
		var dup *registry.DuplicateError
		if errors.As(err, &dup) {
			return fault.Invalid(field("serial"), "is registered already: an exchange gives a unit no one has")
		}
		var fe *fault.FieldError
		if errors.As(err, &fe) {
			return fault.Invalid(field(fe.Field), fe.Reason)
		}
		return err
	}
	part := l.PartID
	if in.PartID != nil {
		part = in.PartID
	} else if model != l.ModelID {
		part = nil
	}
	ex := &LineExchange{RegistrationID: reg.ID, Serial: reg.Serial, ModelID: model, PartID: part, Price: price, Difference: price - l.Paid,
		Advance: in.advance, WarrantyFrom: today.Format(time.DateOnly), At: now}
	l.Exchange = ex
	c.Difference += ex.Difference
	if part != nil && settings.ReplacementWarehouseID != nil {
		m, err := s.move(ctx, tx, *settings.ReplacementWarehouseID, *part, reg.Serial, fmt.Sprintf("%s%s:%d:out", stockKeyPrefix, c.ID, line), false)
		if err != nil {
			return err
		}
		l.Movements = append(l.Movements, m)
	}
	return nil
}

// register is registry.Register with today given: the tenant's day, not the wall clock's.
func register(ctx context.Context, tx *tenants.Tx, in registry.Input, today time.Time) (registry.Registration, error) {
	m, err := registry.ResolveModel(ctx, tx, in)
	if err != nil {
		return registry.Registration{}, err
	}
	checked, err := registry.Check(in, m, today)
	if err != nil {
		return registry.Registration{}, err
	}
	return registry.Store(ctx, tx, checked, registry.ChannelStaff, uuid.NullUUID{})
}

// receiveOld puts a line's old unit into the returned-goods warehouse, when the tenant
// names one and the line names its stock item.
func (s *Service) receiveOld(ctx context.Context, tx *tenants.Tx, c *Case, settings TenantTerms, line int) error {
	l := &c.Lines[line-1]
	if l.PartID == nil || settings.ReturnedWarehouseID == nil {
		return nil
	}
	m, err := s.move(ctx, tx, *settings.ReturnedWarehouseID, *l.PartID, l.Serial, fmt.Sprintf("%s%s:%d:in", stockKeyPrefix, c.ID, line), true)
	if err != nil {
		return err
	}
	l.Movements = append(l.Movements, m)
	return nil
}

// move posts one unit into (in) or out of a warehouse; the serial goes along when the
// stock item is serial-tracked.
func (s *Service) move(ctx context.Context, tx *tenants.Tx, warehouse, part uuid.UUID, serial, key string, in bool) (uuid.UUID, error) {
	p, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: part})
	if err != nil {
		return uuid.Nil, fault.Invalid("part_id", "is not a part of this tenant")
	}
	if !p.SerialTracked {
		serial = ""
	}
	mi := stock.MovementInput{IdempotencyKey: key, Type: "receipt", WarehouseID: warehouse, PartID: part, Qty: 1, Serial: serial}
	if !in {
		mi.Type, mi.IssueKind = "issue", "consumer_purchase"
	}
	ms, _, err := stock.Post(ctx, tx, mi, uuid.Nil)
	if err != nil {
		return uuid.Nil, fmt.Errorf("stock movement %s: %w", key, err)
	}
	return ms[0].ID, nil
}

// CloseInput closes a resolved case.
type CloseInput struct {
	Note string `json:"note,omitempty" maxLength:"1000"`
}

// Close closes a resolved case. An advance exchange whose hold is still held cannot close:
// the old unit is either back (released) or charged first.
func (s *Service) Close(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in CloseInput) (Case, error) {
	c, err := lock(ctx, tx, id, version)
	if err != nil {
		return Case{}, err
	}
	if c.Status != StatusResolved {
		return Case{}, conflict(c, StatusResolved)
	}
	if c.Hold != nil && c.Hold.Status == HoldHeld {
		return Case{}, &fault.ConflictError{Detail: "case " + c.Number + " still holds the advance exchange's " + c.Hold.Kind}
	}
	if slices.ContainsFunc(c.Lines, func(l CaseLine) bool { return l.Refund != nil && l.Refund.Status == RefundPending }) {
		return Case{}, &fault.ConflictError{Detail: "case " + c.Number + " has a refund not yet made by Stripe: it is retried; close the case after"}
	}
	before := c
	now, err := tx.Now(ctx)
	if err != nil {
		return Case{}, err
	}
	c.Status, c.ClosedAt = StatusClosed, &now
	c.step(now, tx, EventClosed, 0, strings.TrimSpace(in.Note))
	return s.save(ctx, tx, before, c, now, "return.close", EventClosed, 0)
}
