package claims

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// bundle is a brand (A) that hands work to a service provider (B), and another provider (C)
// with its own agreement with A. Deliveries run by hand, as the River job runs them.
type bundle struct {
	ctx     context.Context
	d       *tenants.DB
	n       *network.Service
	s       *Service
	A, B, C uuid.UUID
	model   uuid.UUID
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	d := testfactory.DB(t)
	n := network.New(d, nil, &orders.Service{}, slog.New(slog.DiscardHandler))
	b := &bundle{ctx: ctx, d: d, n: n, s: New(n, nil, nil)}
	b.A = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Brand A"}).ID
	b.B = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Provider B", Kind: "service_provider"}).ID
	b.C = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Provider C", Kind: "service_provider"}).ID
	b.in(t, b.A, func(tx *tenants.Tx) error {
		m := testfactory.Model(ctx, t, tx, nil)
		testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{ModelIDs: []uuid.UUID{m.ID}})
		b.model = m.ID
		return nil
	})
	for _, p := range []uuid.UUID{b.B, b.C, b.A} {
		b.in(t, p, func(tx *tenants.Tx) error {
			_, err := tx.Q.CreatePart(ctx, tx, db.CreatePartParams{TenantID: p, ID: platform.NewID(), PartNo: "COMP-1",
				NameZh: "压缩机", ModelIds: []uuid.UUID{}, Components: []string{}, SubstituteIds: []uuid.UUID{},
				Currency: "CNY", OutletPrice: 20000, ConsumerPrice: 30000, Active: true})
			return err
		})
	}
	return b
}

func (b *bundle) in(t *testing.T, tenant uuid.UUID, fn func(tx *tenants.Tx) error) {
	t.Helper()
	if err := b.d.Tx(b.ctx, tenants.Scope{TenantID: tenant, Actor: tenants.Actor{Kind: "system", Label: "test"}}, fn); err != nil {
		t.Fatal(err)
	}
}

// deliverAll delivers tenant's pending messages on the agreement, in order.
func (b *bundle) deliverAll(t *testing.T, tenant, agreement uuid.UUID) {
	t.Helper()
	var ids []uuid.UUID
	b.in(t, tenant, func(tx *tenants.Tx) error {
		msgs, err := network.Messages(b.ctx, tx, agreement)
		for _, m := range msgs {
			if m.Direction == "out" && m.State == "pending" {
				ids = append(ids, m.ID)
			}
		}
		return err
	})
	for _, id := range ids {
		if err := b.n.Deliver(b.ctx, tenant, id); err != nil {
			t.Fatalf("deliver: %v", err)
		}
	}
}

func terms() network.Terms {
	return network.Terms{Currency: "CNY", LabourRates: []network.LabourRate{{OrderType: "repair_minor", EngineerLevel: 1, Amount: 8000}},
		Parts: network.PartsPricing{Basis: "markup", MarkupPercent: 10}, VisitFee: 3000,
		Contact:   network.ContactSharing{Name: network.ShareFull, Phone: network.ShareMasked, Address: network.ShareMasked},
		ValidFrom: "2020-01-01"}
}

func (b *bundle) agree(t *testing.T, provider uuid.UUID, tm network.Terms) uuid.UUID {
	t.Helper()
	var a network.Agreement
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		a, err = b.n.Propose(b.ctx, tx, network.ProposeInput{PartnerTenantID: provider, Role: network.RolePrincipal, Terms: tm})
		return err
	})
	b.deliverAll(t, b.A, a.ID)
	b.in(t, provider, func(tx *tenants.Tx) error {
		_, err := b.n.Accept(b.ctx, tx, a.ID)
		return err
	})
	b.deliverAll(t, provider, a.ID)
	return a.ID
}

// registration registers a unit of the brand's covered model.
func (b *bundle) registration(t *testing.T) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	b.in(t, b.A, func(tx *tenants.Tx) error {
		id = testfactory.Registration(b.ctx, t, tx, &testfactory.RegistrationOpts{ModelID: b.model}).ID
		return nil
	})
	return id
}

// work takes an order in at A for a registered unit, hands it to provider, and has the
// provider repair it (a compressor swapped) and pass audit. It returns A's order and the
// provider's.
func (b *bundle) work(t *testing.T, agreement, provider, reg uuid.UUID) (uuid.UUID, uuid.UUID) {
	t.Helper()
	return b.workSwapping(t, agreement, provider, reg, "")
}

// workSwapping is work with the replacement part's serial given ("": a new one).
func (b *bundle) workSwapping(t *testing.T, agreement, provider, reg uuid.UUID, partSerial string) (uuid.UUID, uuid.UUID) {
	t.Helper()
	var sent orders.Order
	b.in(t, b.A, func(tx *tenants.Tx) error {
		sent = testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{RegistrationID: reg})
		_, err := b.n.HandOff(b.ctx, tx, sent.ID, network.HandOffInput{AgreementID: agreement})
		return err
	})
	b.deliverAll(t, b.A, agreement)
	var job network.PartnerJob
	b.in(t, provider, func(tx *tenants.Tx) (err error) {
		job, err = network.JobOfOrder(b.ctx, tx, mustReceived(t, b, tx, agreement), network.DirectionReceived)
		return err
	})
	b.finishSwapping(t, provider, job.OrderID, partSerial)
	return sent.ID, job.OrderID
}

// mustReceived is the newest order received under the agreement.
func mustReceived(t *testing.T, b *bundle, tx *tenants.Tx, agreement uuid.UUID) uuid.UUID {
	t.Helper()
	jobs, err := network.Jobs(b.ctx, tx, network.JobFilter{Direction: network.DirectionReceived, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.AgreementID == agreement {
			return j.OrderID
		}
	}
	t.Fatal("no job received")
	return uuid.Nil
}

// finish repairs a carry-in order (a compressor swapped) and passes it through audit.
func (b *bundle) finish(t *testing.T, tenant, orderID uuid.UUID) {
	t.Helper()
	b.finishSwapping(t, tenant, orderID, "")
}

// finishSwapping is finish with the replacement part's serial given ("": a new one).
func (b *bundle) finishSwapping(t *testing.T, tenant, orderID uuid.UUID, partSerial string) {
	t.Helper()
	if partSerial == "" {
		partSerial = "C-NEW-" + testfactory.Unique()
	}
	svc := &orders.Service{}
	b.in(t, tenant, func(tx *tenants.Tx) error {
		if _, err := svc.Transition(b.ctx, tx, orderID, 0, orders.TransitionInput{To: orders.StatusRepairing}); err != nil {
			return err
		}
		if _, err := svc.Complete(b.ctx, tx, orderID, 0, orders.Completion{Diagnosis: "compressor failed", WorkDone: "compressor replaced",
			Result: "fixed", Parts: []orders.Part{{Code: "COMP-1", Name: "压缩机", Quantity: 1, OldSerial: "C-OLD-" + testfactory.Unique(),
				NewSerial: partSerial}}}); err != nil {
			return err
		}
		for _, to := range []string{orders.StatusPickedUp, orders.StatusApproved} {
			if _, err := svc.Transition(b.ctx, tx, orderID, 0, orders.TransitionInput{To: to}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *bundle) claim(t *testing.T, tenant, id uuid.UUID) Claim {
	t.Helper()
	var c Claim
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		c, err = Get(b.ctx, tx, id)
		return err
	})
	return c
}

func (b *bundle) generate(t *testing.T, tenant, orderID uuid.UUID) Claim {
	t.Helper()
	var c Claim
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		c, err = b.s.Generate(b.ctx, tx, orderID)
		return err
	})
	return c
}

func (b *bundle) submit(t *testing.T, tenant, id uuid.UUID) Claim {
	t.Helper()
	var c Claim
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		c, err = b.s.Submit(b.ctx, tx, id, 0)
		return err
	})
	return c
}

func TestPartnerClaimTravelsAndIsReviewed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.B, terms())
	sentOrder, theirOrder := b.work(t, ag, b.B, b.registration(t))

	b.in(t, b.B, func(tx *tenants.Tx) error {
		l, err := Unclaimed(b.ctx, tx, uuid.Nil, 100)
		if err == nil && (len(l) != 1 || l[0].OrderID != theirOrder) {
			t.Errorf("the partner's audited job before its claim, unclaimed: %+v", l)
		}
		return err
	})
	c := b.generate(t, b.B, theirOrder)
	if c.Side != SideClaimant || c.Status != StatusDraft || c.CounterpartyTenantID == nil || *c.CounterpartyTenantID != b.A ||
		c.TermsVersion != 1 || c.Currency != "CNY" {
		t.Fatalf("claim made: %+v", c)
	}
	// Labour at the agreement's rate, the part at its list price plus 10%, with both serials.
	var labour, part *ClaimLine
	for i := range c.Lines {
		switch c.Lines[i].Kind {
		case "labour":
			labour = &c.Lines[i]
		case "part":
			part = &c.Lines[i]
		}
	}
	if labour == nil || labour.UnitPrice != 8000 || labour.Claimed+labour.CustomerAmount != 8000 || labour.Payer != "maker" {
		t.Errorf("labour line: %+v", labour)
	}
	if part == nil || part.UnitPrice != 22000 || part.FaultySerial == "" || part.ReplacementSerial == "" || part.PartCode != "COMP-1" {
		t.Errorf("part line: %+v", part)
	}
	if c.Claimed != c.Payers["maker"] || c.Claimed == 0 {
		t.Errorf("claimed %d, per payer %v", c.Claimed, c.Payers)
	}
	if again := b.generate(t, b.B, theirOrder); again.ID != c.ID {
		t.Errorf("a second claim of the order: %s, first %s", again.ID, c.ID)
	}
	// Nothing reaches the payer before submission; afterwards it keeps its own copy.
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := Get(b.ctx, tx, c.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("payer's copy before submission: %v", err)
		}
		return nil
	})
	b.submit(t, b.B, c.ID)
	b.deliverAll(t, b.B, ag)
	payer := b.claim(t, b.A, c.ID)
	if payer.Side != SidePayer || payer.Status != StatusSubmitted || payer.OrderID != sentOrder || payer.Claimed != c.Claimed ||
		len(payer.Lines) != len(c.Lines) || payer.CounterpartyName != "Provider B" {
		t.Fatalf("payer's copy: %+v", payer)
	}

	// A later change of the terms does not alter the claim: it keeps what it was made under.
	changed := terms()
	changed.LabourRates[0].Amount = 1
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.n.Amend(b.ctx, tx, ag, changed)
		return err
	})
	b.deliverAll(t, b.A, ag)
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.n.Accept(b.ctx, tx, ag)
		return err
	})
	b.deliverAll(t, b.B, ag)
	if again := b.claim(t, b.B, c.ID); again.Lines[0].UnitPrice != c.Lines[0].UnitPrice || again.TermsVersion != 1 {
		t.Errorf("claim after the terms changed: %+v", again.Lines)
	}

	// The payer adjusts the part line with a reason; the claimant hears it and disputes.
	idx := 0
	for i, l := range payer.Lines {
		if l.Kind == "part" {
			idx = i
		}
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, c.ID, 0, ClaimReview{Decision: DecisionAdjust,
			Lines: []ClaimAdjustment{{Line: idx, Approved: payer.Lines[idx].Claimed - 2000, Reason: "part price above the list"}}})
		return err
	})
	b.deliverAll(t, b.A, ag)
	mine := b.claim(t, b.B, c.ID)
	if mine.Status != StatusAdjusted || mine.Approved != c.Claimed-2000 || mine.Lines[idx].AdjustReason != "part price above the list" {
		t.Fatalf("claimant after the adjustment: %+v", mine)
	}
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Respond(b.ctx, tx, c.ID, mine.Version, ClaimResponse{Action: ResponseDispute, Comment: "the part is the agreed one"})
		return err
	})
	b.deliverAll(t, b.B, ag)
	if p := b.claim(t, b.A, c.ID); p.Status != StatusDisputed || p.Response != "the part is the agreed one" {
		t.Fatalf("payer after the dispute: %+v", p)
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, c.ID, 0, ClaimReview{Decision: DecisionApprove})
		return err
	})
	b.deliverAll(t, b.A, ag)
	if mine := b.claim(t, b.B, c.ID); mine.Status != StatusApproved || mine.Approved != c.Claimed {
		t.Errorf("claimant after the approval: %+v", mine)
	}
	// Each side's order timeline tells the claim's steps.
	for side, o := range map[uuid.UUID]uuid.UUID{b.A: sentOrder, b.B: theirOrder} {
		b.in(t, side, func(tx *tenants.Tx) error {
			tl, err := orders.Timeline(b.ctx, tx, o, false)
			n := 0
			for _, e := range tl {
				if e.Kind == "claim" {
					n++
				}
			}
			if n < 4 {
				t.Errorf("tenant %s: %d claim entries on the timeline", side, n)
			}
			return err
		})
	}
}

func TestCostSharingSplitsLinesByPayer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tm := terms()
	tm.CostSharing = []network.PayerShare{{Payer: "carrier", Percent: 34}, {Payer: "platform", Percent: 33}, {Payer: "maker", Percent: 33}}
	ag := b.agree(t, b.B, tm)
	_, theirs := b.work(t, ag, b.B, b.registration(t))
	c := b.generate(t, b.B, theirs)
	byKind := map[string]int64{}
	covered := map[string]int64{}
	for _, l := range c.Lines {
		byKind[l.Kind] += l.Claimed
		covered[l.Kind] = l.Amount - l.CustomerAmount
	}
	for k, v := range byKind {
		if v != covered[k] {
			t.Errorf("%s: the payers' lines add up to %d, covered %d", k, v, covered[k])
		}
	}
	if len(c.Payers) != 3 || c.Payers["carrier"] == 0 || c.Payers["platform"] == 0 || c.Payers["maker"] == 0 ||
		c.Payers["carrier"]+c.Payers["platform"]+c.Payers["maker"] != c.Claimed {
		t.Errorf("per payer: %v of %d", c.Payers, c.Claimed)
	}
	// Shares that do not add up to 100 are refused at their field.
	bad := terms()
	bad.CostSharing = []network.PayerShare{{Payer: "carrier", Percent: 50}}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.n.Propose(b.ctx, tx, network.ProposeInput{PartnerTenantID: b.C, Role: network.RolePrincipal, Terms: bad})
		var fe *fault.FieldError
		if !errors.As(err, &fe) || fe.Field != "terms.cost_sharing" {
			t.Errorf("shares of 50%%: %v", err)
		}
		return nil
	})
}

func TestPayerRulesAtSubmission(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tm := terms()
	tm.Claims = network.ClaimRules{RegistrationRequired: true, MaxPerUnit: 1, PeriodDays: 365}
	ag := b.agree(t, b.B, tm)
	reg := b.registration(t)
	_, first := b.work(t, ag, b.B, reg)
	c1 := b.generate(t, b.B, first)
	b.submit(t, b.B, c1.ID)
	b.deliverAll(t, b.B, ag)
	if p := b.claim(t, b.A, c1.ID); p.Status != StatusSubmitted {
		t.Fatalf("first claim on the unit: %+v", p)
	}
	// The same unit again within the period: the payer rejects it by its rule, and says so.
	_, second := b.work(t, ag, b.B, reg)
	c2 := b.generate(t, b.B, second)
	b.submit(t, b.B, c2.ID)
	b.deliverAll(t, b.B, ag)
	p := b.claim(t, b.A, c2.ID)
	if p.Status != StatusRejected || !strings.Contains(p.Reason, "max_per_unit") {
		t.Fatalf("second claim on the unit at the payer: %+v", p)
	}
	b.deliverAll(t, b.A, ag)
	if mine := b.claim(t, b.B, c2.ID); mine.Status != StatusRejected || !strings.Contains(mine.Reason, "max_per_unit") {
		t.Errorf("second claim at the claimant: %+v", mine)
	}
}

func TestForgedClaimIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ab := b.agree(t, b.B, terms())
	ac := b.agree(t, b.C, terms())
	_, theirs := b.work(t, ab, b.B, b.registration(t))
	genuine := b.generate(t, b.B, theirs)
	// C, under its own agreement with A, claims for the job A sent B.
	forged := platform.NewID()
	b.in(t, b.C, func(tx *tenants.Tx) error {
		return b.n.Send(b.ctx, tx, ac, KindSubmitted, submittedBody{ClaimID: forged, JobID: *genuine.JobID, Number: "CL-FORGED",
			Currency: "CNY", Lines: genuine.Lines, Claimed: genuine.Claimed})
	})
	b.deliverAll(t, b.C, ac)
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := Get(b.ctx, tx, forged); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a claim for another partner's job was taken in: %v", err)
		}
		msgs, err := network.Messages(b.ctx, tx, ac)
		refused := false
		for _, m := range msgs {
			if m.Kind == KindSubmitted && m.State == "refused" && strings.Contains(m.RefusedReason, "was not sent to this partner") {
				refused = true
			}
		}
		if !refused {
			t.Errorf("the forged claim is not refused: %+v", msgs)
		}
		return err
	})
	// A review naming B's claim, sent by A under its agreement with C, changes nothing at B
	// (C never holds it).
	b.submit(t, b.B, genuine.ID)
	b.deliverAll(t, b.B, ab)
	b.in(t, b.A, func(tx *tenants.Tx) error {
		return b.n.Send(b.ctx, tx, ac, KindReviewed, reviewedBody{ClaimID: genuine.ID, Status: StatusApproved, Lines: genuine.Lines, Approved: genuine.Claimed})
	})
	b.deliverAll(t, b.A, ac)
	if mine := b.claim(t, b.B, genuine.ID); mine.Status != StatusSubmitted {
		t.Errorf("B's claim after a review sent elsewhere: %+v", mine)
	}
}

func TestOutletClaimIsReviewedInTheTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.registration(t)
	var o orders.Order
	b.in(t, b.A, func(tx *tenants.Tx) error {
		out := testfactory.Outlet(b.ctx, t, tx, nil)
		o = testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{RegistrationID: reg, OutletID: out.ID})
		return nil
	})
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Generate(b.ctx, tx, o.ID)
		if !errors.Is(err, fault.ErrConflict) {
			t.Errorf("a claim before audit: %v", err)
		}
		return nil
	})
	b.finish(t, b.A, o.ID)
	unclaimed := func() []UnclaimedOrder {
		var l []UnclaimedOrder
		b.in(t, b.A, func(tx *tenants.Tx) (err error) {
			l, err = Unclaimed(b.ctx, tx, uuid.Nil, 100)
			return err
		})
		return l
	}
	if l := unclaimed(); len(l) != 1 || l[0].OrderID != o.ID {
		t.Errorf("audited outlet work before its claim, unclaimed: %+v", l)
	}
	c := b.generate(t, b.A, o.ID)
	if l := unclaimed(); len(l) != 0 {
		t.Errorf("after its claim, unclaimed: %+v", l)
	}
	if c.Side != SideInternal || c.OutletID == nil || len(c.Lines) == 0 {
		t.Fatalf("outlet claim: %+v", c)
	}
	b.submit(t, b.A, c.ID)
	// Bad review input is refused at its field.
	for _, tc := range []struct {
		in    ClaimReview
		field string
	}{
		{ClaimReview{Decision: "maybe"}, "decision"},
		{ClaimReview{Decision: DecisionReject}, "reason"},
		{ClaimReview{Decision: DecisionAdjust, Lines: []ClaimAdjustment{{Line: 0, Approved: c.Lines[0].Claimed, Reason: "x"}}}, "lines[0].approved"},
		{ClaimReview{Decision: DecisionAdjust, Lines: []ClaimAdjustment{{Line: 9, Approved: 0, Reason: "x"}}}, "lines[0].line"},
		{ClaimReview{Decision: DecisionAdjust, Lines: []ClaimAdjustment{{Line: 0, Approved: 0}}}, "lines[0].reason"},
	} {
		b.in(t, b.A, func(tx *tenants.Tx) error {
			_, err := b.s.Review(b.ctx, tx, c.ID, 0, tc.in)
			var fe *fault.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%+v: %v, want a problem at %s", tc.in, err, tc.field)
			}
			return nil
		})
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		r, err := b.s.Review(b.ctx, tx, c.ID, 0, ClaimReview{Decision: DecisionReject, Reason: "no photos of the faulty part"})
		if err != nil || r.Status != StatusRejected || r.Approved != 0 {
			t.Errorf("rejected: %+v %v", r, err)
		}
		r, err = b.s.Respond(b.ctx, tx, c.ID, 0, ClaimResponse{Action: ResponseAccept})
		if err != nil || r.Status != StatusAccepted {
			t.Errorf("accepted: %+v %v", r, err)
		}
		return nil
	})
}
