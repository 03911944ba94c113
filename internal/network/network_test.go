package network

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// bundle is a network of three committed tenants: a brand (A), a service provider (B) and
// another brand (C), with the network service over them. Deliveries run by hand (deliver),
// as the River job would run them.
type bundle struct {
	ctx     context.Context
	s       *Service
	d       *tenants.DB
	A, B, C uuid.UUID
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	d := testfactory.DB(t)
	b := &bundle{ctx: ctx, d: d, s: New(d, nil, &orders.Service{}, slog.New(slog.DiscardHandler))}
	b.A = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Brand A"}).ID
	b.B = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Provider B", Kind: "service_provider"}).ID
	b.C = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Brand C"}).ID
	return b
}

// in runs fn in a committed transaction of tenant.
func (b *bundle) in(t *testing.T, tenant uuid.UUID, fn func(tx *tenants.Tx) error) {
	t.Helper()
	if err := b.d.Tx(b.ctx, tenants.Scope{TenantID: tenant, Actor: tenants.Actor{Kind: "system", Label: "test"}}, fn); err != nil {
		t.Fatal(err)
	}
}

// pending lists tenant's undelivered outbox messages on an agreement, oldest first.
func (b *bundle) pending(t *testing.T, tenant, agreement uuid.UUID) []Message {
	t.Helper()
	var out []Message
	b.in(t, tenant, func(tx *tenants.Tx) error {
		msgs, err := Messages(b.ctx, tx, agreement)
		for _, m := range msgs {
			if m.Direction == "out" && m.State == "pending" {
				out = append(out, m)
			}
		}
		return err
	})
	return out
}

// deliverAll delivers tenant's pending messages on the agreement, in order.
func (b *bundle) deliverAll(t *testing.T, tenant, agreement uuid.UUID) {
	t.Helper()
	for _, m := range b.pending(t, tenant, agreement) {
		if err := b.s.Deliver(b.ctx, tenant, m.ID); err != nil {
			t.Fatalf("deliver %s: %v", m.Kind, err)
		}
	}
}

func terms() Terms {
	return Terms{Currency: "CNY", LabourRates: []LabourRate{{OrderType: "repair_minor", EngineerLevel: 1, Amount: 8000}},
		Parts: PartsPricing{Basis: "markup", MarkupPercent: 10}, VisitFee: 3000,
		SLATargets: []SLATarget{{Target: "arrival", Minutes: 1440}},
		Contact:    ContactSharing{Name: ShareFull, Phone: ShareMasked, Address: ShareMasked}, ValidFrom: "2020-01-01"}
}

// agree makes an active agreement: from principal (proposing) with provider (accepting).
func (b *bundle) agree(t *testing.T, principal, provider uuid.UUID, tm Terms) uuid.UUID {
	t.Helper()
	var a Agreement
	b.in(t, principal, func(tx *tenants.Tx) (err error) {
		a, err = b.s.Propose(b.ctx, tx, ProposeInput{PartnerTenantID: provider, Role: RolePrincipal, Terms: tm})
		return err
	})
	b.deliverAll(t, principal, a.ID)
	b.in(t, provider, func(tx *tenants.Tx) error {
		_, err := b.s.Accept(b.ctx, tx, a.ID)
		return err
	})
	b.deliverAll(t, provider, a.ID)
	return a.ID
}

func (b *bundle) agreement(t *testing.T, tenant, id uuid.UUID) Agreement {
	t.Helper()
	var a Agreement
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		a, err = Get(b.ctx, tx, id)
		return err
	})
	return a
}

// order takes an order in at tenant for a customer with a phone and an address.
func (b *bundle) order(t *testing.T, tenant uuid.UUID, phone string) orders.Order {
	t.Helper()
	var o orders.Order
	b.in(t, tenant, func(tx *tenants.Tx) error {
		c := testfactory.Customer(b.ctx, t, tx, &testfactory.CustomerOpts{Name: "王小明", Phone: phone})
		o = testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{CustomerID: c.ID, Serial: "SN-" + testfactory.Unique()})
		return nil
	})
	return o
}

func (b *bundle) handOff(t *testing.T, tenant, orderID, agreement uuid.UUID) PartnerJob {
	t.Helper()
	var j PartnerJob
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		j, err = b.s.HandOff(b.ctx, tx, orderID, HandOffInput{AgreementID: agreement})
		return err
	})
	return j
}

func (b *bundle) board(t *testing.T, tenant uuid.UUID, f JobFilter) []PartnerJob {
	t.Helper()
	var jobs []PartnerJob
	b.in(t, tenant, func(tx *tenants.Tx) (err error) {
		jobs, err = Jobs(b.ctx, tx, f)
		return err
	})
	return jobs
}

func TestAgreementHandshake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var proposed Agreement
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		proposed, err = b.s.Propose(b.ctx, tx, ProposeInput{PartnerTenantID: b.B, Role: RolePrincipal, Terms: terms()})
		return err
	})
	if proposed.Status != StatusProposed || proposed.Pending == nil || proposed.Pending.By != "self" || proposed.PartnerName != "Provider B" {
		t.Fatalf("proposed: %+v", proposed)
	}
	// Before delivery the provider has nothing; after, its own copy waits for its answer.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		if _, err := Get(b.ctx, tx, proposed.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("provider's copy before delivery: %v", err)
		}
		return nil
	})
	b.deliverAll(t, b.A, proposed.ID)
	mine := b.agreement(t, b.B, proposed.ID)
	if mine.Role != RoleProvider || mine.Status != StatusProposed || mine.Pending == nil || mine.Pending.By != "partner" ||
		mine.PartnerTenantID != b.A || mine.PartnerName != "Brand A" || mine.Pending.Terms.VisitFee != 3000 {
		t.Fatalf("provider's copy: %+v", mine)
	}
	// The proposer cannot accept its own proposal.
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := b.s.Accept(b.ctx, tx, proposed.ID); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("proposer accepting: %v", err)
		}
		return nil
	})
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Accept(b.ctx, tx, proposed.ID)
		return err
	})
	b.deliverAll(t, b.B, proposed.ID)
	for _, side := range []uuid.UUID{b.A, b.B} {
		a := b.agreement(t, side, proposed.ID)
		if a.Status != StatusActive || a.TermsVersion != 1 || a.Terms == nil || a.Terms.VisitFee != 3000 || a.Pending != nil {
			t.Errorf("after acceptance, %s: %+v", side, a)
		}
	}

	// A change is a new version, in force only once accepted: rejected, the old terms stay.
	changed := terms()
	changed.VisitFee = 5000
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Amend(b.ctx, tx, proposed.ID, changed)
		return err
	})
	b.deliverAll(t, b.A, proposed.ID)
	if a := b.agreement(t, b.B, proposed.ID); a.Pending == nil || a.Pending.Version != 2 || a.Terms.VisitFee != 3000 {
		t.Fatalf("amendment at the provider: %+v", a)
	}
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Reject(b.ctx, tx, proposed.ID, ReasonInput{Reason: "too dear"})
		return err
	})
	b.deliverAll(t, b.B, proposed.ID)
	for _, side := range []uuid.UUID{b.A, b.B} {
		if a := b.agreement(t, side, proposed.ID); a.Status != StatusActive || a.Pending != nil || a.Terms.VisitFee != 3000 || a.TermsVersion != 1 {
			t.Errorf("after rejecting version 2, %s: %+v", side, a)
		}
	}

	// Either side suspends; the other's copy follows.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Suspend(b.ctx, tx, proposed.ID, ReasonInput{Reason: "engineers on strike"})
		return err
	})
	b.deliverAll(t, b.B, proposed.ID)
	if a := b.agreement(t, b.A, proposed.ID); a.Status != StatusSuspended || a.StatusReason != "engineers on strike" {
		t.Errorf("principal after the provider suspended: %+v", a)
	}
	// The third tenant saw none of it.
	b.in(t, b.C, func(tx *tenants.Tx) error {
		if l, err := List(b.ctx, tx, AgreementFilter{Limit: 10}); err != nil || len(l) != 0 {
			t.Errorf("third tenant's agreements: %v %v", l, err)
		}
		return nil
	})
}

func TestProposalRefusesBadInputAtItsField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := func(mod func(*ProposeInput)) ProposeInput {
		in := ProposeInput{PartnerTenantID: b.B, Role: RolePrincipal, Terms: terms()}
		mod(&in)
		return in
	}
	for field, in := range map[string]ProposeInput{
		"terms.valid_until":          bad(func(in *ProposeInput) { in.Terms.ValidUntil = "2019-12-31" }),
		"terms.valid_from":           bad(func(in *ProposeInput) { in.Terms.ValidFrom = "soon" }),
		"terms.contact.phone":        bad(func(in *ProposeInput) { in.Terms.Contact.Phone = "partly" }),
		"terms.parts.markup_percent": bad(func(in *ProposeInput) { in.Terms.Parts = PartsPricing{Basis: "list", MarkupPercent: 5} }),
		"terms.regions[0]":           bad(func(in *ProposeInput) { in.Terms.Regions = []string{"31"} }),
		"role":                       bad(func(in *ProposeInput) { in.Role = "boss" }),
		"partner_tenant_id":          bad(func(in *ProposeInput) { in.PartnerTenantID = uuid.New() }),
	} {
		b.in(t, b.A, func(tx *tenants.Tx) error {
			err := tx.Savepoint(b.ctx, func(tx *tenants.Tx) error {
				_, err := b.s.Propose(b.ctx, tx, in)
				return err
			})
			if got := testfactory.ErrField(err); got != field {
				t.Errorf("%s: refused at %q (%v)", field, got, err)
			}
			return nil
		})
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := b.s.Propose(b.ctx, tx, ProposeInput{PartnerTenantID: b.A, Role: RolePrincipal, Terms: terms()})
		if testfactory.ErrField(err) != "partner_tenant_id" {
			t.Errorf("an agreement with oneself: %v", err)
		}
		return nil
	})
}

func TestHandOffSharesOnlyWhatTheAgreementAllows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms()) // name in full, phone and address masked
	phone := testfactory.Phone()
	o := b.order(t, b.A, phone)
	sent := b.handOff(t, b.A, o.ID, ag)
	if sent.Direction != DirectionSent || sent.Facts.Contact.Phone == phone || !slices.Equal(sent.Facts.Contact.Masked, []string{"phone", "address"}) {
		t.Fatalf("sent job: %+v", sent)
	}
	b.deliverAll(t, b.A, ag)

	got := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10})
	if len(got) != 1 || got[0].ID != sent.ID || got[0].PartnerOrderNumber != o.Number || got[0].PartnerTenantID != b.A {
		t.Fatalf("provider's board: %+v", got)
	}
	j := got[0]
	if j.Facts.Contact.Name != "王小明" || j.Facts.Contact.Phone != sent.Facts.Contact.Phone || strings.Contains(j.Facts.Contact.Phone, phone[6:]) {
		t.Errorf("received contact: %+v", j.Facts.Contact)
	}
	b.in(t, b.B, func(tx *tenants.Tx) error {
		po, err := orders.Get(b.ctx, tx, j.OrderID)
		if err != nil {
			return err
		}
		c, err := customers.Contact(b.ctx, tx, po.CustomerID)
		if err != nil {
			return err
		}
		// Its own customer record: the name in full, no phone, the address masked.
		if c.Name != "王小明" || c.Phone != "" || !strings.HasSuffix(c.Address, "****") || po.Serial == "" {
			t.Errorf("provider's customer %+v, order %+v", c, po)
		}
		// The full phone is nowhere in the provider's tenant.
		if _, ok, err := customers.ByPhone(b.ctx, tx, phone); ok || err != nil {
			t.Errorf("the provider finds the customer by the full phone: %v %v", ok, err)
		}
		return nil
	})
	// The provider's inbox holds only what was sent to it; the third tenant's holds nothing.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		msgs, err := Messages(b.ctx, tx, ag)
		for _, m := range msgs {
			if m.Direction == "in" && m.State != "applied" {
				t.Errorf("provider's message %s: %s", m.Kind, m.State)
			}
		}
		return err
	})
	b.in(t, b.C, func(tx *tenants.Tx) error {
		if _, err := Messages(b.ctx, tx, ag); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("third tenant reading the agreement's messages: %v", err)
		}
		if jobs, err := Jobs(b.ctx, tx, JobFilter{Direction: DirectionReceived, Limit: 10}); err != nil || len(jobs) != 0 {
			t.Errorf("third tenant's board: %v %v", jobs, err)
		}
		return nil
	})
	// A second hand-off of the same order is refused.
	b.in(t, b.A, func(tx *tenants.Tx) error {
		if _, err := b.s.HandOff(b.ctx, tx, o.ID, HandOffInput{AgreementID: ag}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("second hand-off: %v", err)
		}
		return nil
	})
}

func TestHandOffNeedsAnAgreementInForce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	expired := terms()
	expired.ValidUntil = "2020-12-31"
	old := b.agree(t, b.A, b.B, expired)
	reversed := b.agree(t, b.B, b.A, terms()) // A is the provider here
	o := b.order(t, b.A, testfactory.Phone())
	for name, id := range map[string]uuid.UUID{"expired": old, "provider side": reversed, "unknown": uuid.New()} {
		b.in(t, b.A, func(tx *tenants.Tx) error {
			err := tx.Savepoint(b.ctx, func(tx *tenants.Tx) error {
				_, err := b.s.HandOff(b.ctx, tx, o.ID, HandOffInput{AgreementID: id})
				return err
			})
			if testfactory.ErrField(err) != "agreement_id" {
				t.Errorf("%s agreement: %v", name, err)
			}
			return nil
		})
	}
}

func TestDuplicateDeliveryAppliesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms())
	o := b.order(t, b.A, testfactory.Phone())
	b.handOff(t, b.A, o.ID, ag)
	msgs := b.pending(t, b.A, ag)
	if len(msgs) != 1 || msgs[0].Kind != KindJobSent {
		t.Fatalf("pending: %+v", msgs)
	}
	for range 3 {
		if err := b.s.Deliver(b.ctx, b.A, msgs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	// A redelivery after the outbox was marked: the inbox insert and the apply run again.
	b.in(t, b.A, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE network_outbox SET delivered_at = NULL WHERE tenant_id = $1 AND id = $2`, b.A, msgs[0].ID)
		return err
	})
	if err := b.s.Deliver(b.ctx, b.A, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := b.s.Apply(b.ctx, b.B, ag, b.A); err != nil {
		t.Fatal(err)
	}
	if jobs := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(jobs) != 1 {
		t.Fatalf("received %d jobs from one message delivered 4 times", len(jobs))
	}
}

func TestDeliveryKilledMidwayAppliesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms())
	o := b.order(t, b.A, testfactory.Phone())
	b.handOff(t, b.A, o.ID, ag)
	msg := b.pending(t, b.A, ag)[0]

	killed := errors.New("worker killed")
	b.s.afterInbox = func(db.NetworkOutbox) error { return killed }
	if err := b.s.Deliver(b.ctx, b.A, msg.ID); !errors.Is(err, killed) {
		t.Fatalf("killed delivery: %v", err)
	}
	// In the inbox, not applied; still pending at the sender.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		m, err := tx.Q.GetInbox(b.ctx, tx, db.GetInboxParams{TenantID: b.B, ID: msg.ID})
		if err != nil || m.AppliedAt != nil {
			t.Errorf("inbox after the kill: %+v %v", m, err)
		}
		return nil
	})
	if p := b.pending(t, b.A, ag); len(p) != 1 {
		t.Fatalf("pending after the kill: %+v", p)
	}
	if jobs := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(jobs) != 0 {
		t.Fatalf("applied before the retry: %+v", jobs)
	}
	b.s.afterInbox = nil
	for range 2 { // the retry, and one more for good measure
		if err := b.s.Deliver(b.ctx, b.A, msg.ID); err != nil {
			t.Fatal(err)
		}
	}
	if jobs := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(jobs) != 1 {
		t.Fatalf("received %d jobs after a killed delivery and its retries", len(jobs))
	}
	if p := b.pending(t, b.A, ag); len(p) != 0 {
		t.Errorf("still pending after the retry: %+v", p)
	}
}

func TestOutOfOrderMessagesApplyInOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms())
	first, second := b.order(t, b.A, testfactory.Phone()), b.order(t, b.A, testfactory.Phone())
	b.handOff(t, b.A, first.ID, ag)
	b.handOff(t, b.A, second.ID, ag)
	msgs := b.pending(t, b.A, ag)
	if len(msgs) != 2 || msgs[0].Seq+1 != msgs[1].Seq {
		t.Fatalf("pending: %+v", msgs)
	}
	// The later message arrives first: it waits.
	if err := b.s.Deliver(b.ctx, b.A, msgs[1].ID); err != nil {
		t.Fatal(err)
	}
	if jobs := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(jobs) != 0 {
		t.Fatalf("applied out of order: %+v", jobs)
	}
	if err := b.s.Deliver(b.ctx, b.A, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	jobs := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}) // newest first
	if len(jobs) != 2 || jobs[1].PartnerOrderNumber != first.Number || jobs[0].PartnerOrderNumber != second.Number ||
		jobs[1].OrderNumber >= jobs[0].OrderNumber {
		t.Fatalf("board after both arrived: %+v", jobs)
	}
}

func TestForgedMessagesAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ab := b.agree(t, b.A, b.B, terms())
	ac := b.agree(t, b.A, b.C, terms())
	forge := func(sender, agreement, receiver uuid.UUID) uuid.UUID {
		id := uuid.New()
		b.in(t, sender, func(tx *tenants.Tx) error {
			return tx.Q.InsertOutbox(b.ctx, tx, db.InsertOutboxParams{TenantID: sender, ID: id, AgreementID: agreement,
				ReceiverTenantID: receiver, Seq: 1000, Kind: KindAgreementSuspended, Body: []byte(`{"reason":"forged"}`)})
		})
		return id
	}
	outbox := func(sender, id uuid.UUID) db.NetworkOutbox {
		var m db.NetworkOutbox
		b.in(t, sender, func(tx *tenants.Tx) (err error) {
			m, err = tx.Q.GetOutbox(b.ctx, tx, db.GetOutboxParams{TenantID: sender, ID: id})
			return err
		})
		return m
	}
	// B names A and C's agreement: B is not party to it.
	id := forge(b.B, ac, b.A)
	if err := b.s.Deliver(b.ctx, b.B, id); err != nil {
		t.Fatal(err)
	}
	if m := outbox(b.B, id); !strings.Contains(m.RefusedReason, "not party") || m.DeliveredAt != nil {
		t.Errorf("message naming another's agreement: %+v", m)
	}
	// B names its own agreement with A, addressed to C.
	id = forge(b.B, ab, b.C)
	if err := b.s.Deliver(b.ctx, b.B, id); err != nil {
		t.Fatal(err)
	}
	if m := outbox(b.B, id); !strings.Contains(m.RefusedReason, "not the agreement's partner") {
		t.Errorf("message to another tenant: %+v", m)
	}
	// A message that reached A's inbox from B naming A and C's agreement (as a compromised
	// path would put it there) is refused when A applies it.
	inboxID := uuid.New()
	if err := b.d.PlatformInto(b.ctx, "network: deliver message", b.A, func(tx *tenants.Tx) error {
		_, err := tx.Q.InsertInbox(b.ctx, tx, db.InsertInboxParams{TenantID: b.A, ID: inboxID, AgreementID: ac,
			SenderTenantID: b.B, Seq: 2, Kind: KindAgreementSuspended, Body: []byte(`{"reason":"forged"}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.s.Apply(b.ctx, b.A, ac, b.B); err != nil {
		t.Fatal(err)
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		m, err := tx.Q.GetInbox(b.ctx, tx, db.GetInboxParams{TenantID: b.A, ID: inboxID})
		if err != nil || !strings.Contains(m.RefusedReason, "not party") || m.AppliedAt != nil {
			t.Errorf("forged inbox message: %+v %v", m, err)
		}
		return nil
	})
	if a := b.agreement(t, b.A, ac); a.Status != StatusActive {
		t.Errorf("the forged suspension took effect: %+v", a)
	}
	if a := b.agreement(t, b.C, ac); a.Status != StatusActive {
		t.Errorf("C's copy: %+v", a)
	}
}

func TestProgressFlowsBackToTheSendersOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms())
	o := b.order(t, b.A, testfactory.Phone())
	b.handOff(t, b.A, o.ID, ag)
	b.deliverAll(t, b.A, ag)
	j := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10})[0]

	// The provider works its own order; each event reports the order as it stands.
	report := func(typ string) {
		if err := b.s.Handle(b.ctx, events.Event{TenantID: b.B, Type: typ, Subject: "service_order", SubjectID: j.OrderID}); err != nil {
			t.Fatal(err)
		}
		b.deliverAll(t, b.B, ag)
	}
	report("order.created")
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := b.s.Orders.Transition(b.ctx, tx, j.OrderID, 0, orders.TransitionInput{To: orders.StatusRepairing})
		return err
	})
	report("order.status_changed")
	report("order.status_changed") // a duplicate report of the same state

	var sent PartnerJob
	var tl []orders.Entry
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		if sent, err = JobOfOrder(b.ctx, tx, o.ID, DirectionSent); err != nil {
			return err
		}
		tl, err = orders.Timeline(b.ctx, tx, o.ID, true)
		return err
	})
	if sent.PartnerStatus != orders.StatusRepairing || sent.PartnerOrderNumber != j.OrderNumber {
		t.Errorf("sender's job: %+v", sent)
	}
	var partner []orders.Entry
	for _, e := range tl {
		if e.Kind == "partner" {
			partner = append(partner, e)
		}
	}
	if len(partner) != 2 || partner[0].To != orders.StatusWaiting || partner[1].From != orders.StatusWaiting ||
		partner[1].To != orders.StatusRepairing {
		t.Errorf("sender's public timeline of the partner's work: %+v", partner)
	}
	// The sender's order itself is the consumer's one order, unchanged in status.
	b.in(t, b.A, func(tx *tenants.Tx) error {
		got, err := orders.Get(b.ctx, tx, o.ID)
		if err == nil && got.Status != o.Status {
			t.Errorf("sender's order status %s, was %s", got.Status, o.Status)
		}
		return err
	})
	// The board filters by sender.
	if l := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Partner: b.C, Limit: 10}); len(l) != 0 {
		t.Errorf("board filtered by another sender: %+v", l)
	}
	if l := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Partner: b.A, Status: orders.StatusRepairing, Limit: 10}); len(l) != 1 {
		t.Errorf("board filtered by sender and status: %+v", l)
	}
}

func TestJobContactsMaskedForScopesWithoutContactPermission(t *testing.T) {
	t.Parallel()
	b := setup(t)
	full := terms()
	full.Contact = ContactSharing{Name: ShareFull, Phone: ShareFull, Address: ShareFull}
	ag := b.agree(t, b.A, b.B, full)
	phone := testfactory.Phone()
	o := b.order(t, b.A, phone)
	b.handOff(t, b.A, o.ID, ag)
	b.deliverAll(t, b.A, ag)
	if j := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(j) != 1 || j[0].Facts.Contact.Phone != phone {
		t.Fatalf("shared in full, read with the permission: %+v", j)
	}
	for _, tenant := range []uuid.UUID{b.A, b.B} {
		dir := map[uuid.UUID]string{b.A: DirectionSent, b.B: DirectionReceived}[tenant]
		scope := tenants.Scope{TenantID: tenant, MaskContacts: true, Actor: tenants.Actor{Kind: "user", Label: "agent"}}
		if err := b.d.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
			jobs, err := Jobs(b.ctx, tx, JobFilter{Direction: dir, Limit: 10})
			if err != nil || len(jobs) != 1 {
				return fmt.Errorf("board %v: %w", jobs, err)
			}
			one, err := GetJob(b.ctx, tx, jobs[0].ID)
			for _, j := range []PartnerJob{jobs[0], one} {
				c := j.Facts.Contact
				if c.Phone != access.MaskPhone(phone) || !strings.HasSuffix(c.Address, "****") || !strings.HasSuffix(j.Facts.Location.Address, "****") {
					t.Errorf("%s read without contacts:unmasked: %+v %+v", dir, c, j.Facts.Location)
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}
