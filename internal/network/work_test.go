package network

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestHandOffCarriesPartsAndShares: the sender's part held for the order is released at the
// hand-off and travels with the job; the partner's report of its completed order brings back
// the parts it used (with serials) and its engineers' shares by its pay rules, recorded on the
// sender's job and timeline once, however often the report is delivered and applied.
func TestHandOffCarriesPartsAndShares(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.A, b.B, terms())
	o := b.order(t, b.A, testfactory.Phone())

	// The sender holds 2 of a part for the order before it hands it off.
	var part parts.SparePart
	var wh stock.Warehouse
	st := &stock.Service{Orders: b.s.Orders}
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		if part, err = parts.Create(b.ctx, tx, parts.PartFields{PartNo: "MB-" + testfactory.Unique(), NameZh: "主板", NameEn: "Main board",
			OutletPrice: 200_00, ConsumerPrice: 350_00}); err != nil {
			return err
		}
		if wh, err = stock.CreateWarehouse(b.ctx, tx, stock.WarehouseFields{Code: "W-" + testfactory.Unique(), Name: "总仓", Kind: "spare_parts"}); err != nil {
			return err
		}
		if _, _, err = stock.Post(b.ctx, tx, stock.MovementInput{IdempotencyKey: "rcv-" + testfactory.Unique(), Type: "receipt",
			WarehouseID: wh.ID, PartID: part.ID, Qty: 5}, uuid.Nil); err != nil {
			return err
		}
		_, err = st.Reserve(b.ctx, tx, o.ID, stock.ReserveInput{WarehouseID: wh.ID, PartID: part.ID, Qty: 2})
		return err
	})
	sent := b.handOff(t, b.A, o.ID, ag)
	want := []JobPart{{Code: part.PartNo, Name: "主板", Quantity: 2, State: PartReserved}}
	if !slices.Equal(sent.Facts.Parts, want) {
		t.Errorf("parts carried by the hand-off: %+v, want %+v", sent.Facts.Parts, want)
	}
	b.in(t, b.A, func(tx *tenants.Tx) error {
		held, err := stock.ForOrder(b.ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if len(held.Reservations) != 1 || held.Reservations[0].Status != "released" {
			t.Errorf("the sender's reservation after the hand-off: %+v", held.Reservations)
		}
		bal, err := stock.ListBalances(b.ctx, tx, stock.BalanceFilter{WarehouseID: uuid.NullUUID{UUID: wh.ID, Valid: true}, Limit: 10})
		if err != nil {
			return err
		}
		if len(bal) != 1 || bal[0].OnHand != 5 || bal[0].Reserved != 0 {
			t.Errorf("the sender's stock after the hand-off: %+v", bal)
		}
		return nil
	})
	b.deliverAll(t, b.A, ag)
	got := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10})
	if len(got) != 1 || !slices.Equal(got[0].Facts.Parts, want) {
		t.Fatalf("the partner's job: %+v", got)
	}
	j := got[0]

	// The partner: a lead and an assistant on its order, its rules weigh them 7:3, and the
	// completion names the part used with the serials out and in.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		lead := testfactory.User(b.ctx, t, tx, &testfactory.UserOpts{Name: "李工"})
		helper := testfactory.User(b.ctx, t, tx, &testfactory.UserOpts{Name: "赵工"})
		for _, e := range []struct {
			id   uuid.UUID
			role string
		}{{helper.UserID, "assistant"}, {lead.UserID, "lead"}} {
			if _, err := tx.Exec(b.ctx, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state) VALUES ($1, $2, $3, $4, 'accepted')`,
				b.B, j.OrderID, e.id, e.role); err != nil {
				return err
			}
		}
		if _, err := commission.AddVersion(b.ctx, tx, commission.NewRuleVersion{EffectiveFrom: "2020-01-01",
			Rules: commission.PayRules{Shares: map[string]int{"lead": 7, "assistant": 3}}}); err != nil {
			return err
		}
		c, _ := json.Marshal(orders.Completion{Diagnosis: "主板故障", WorkDone: "更换主板", Result: "fixed",
			Parts: []orders.Part{{Code: part.PartNo, Name: "主板", Quantity: 1, OldSerial: "OLD-1", NewSerial: "NEW-1"}}})
		_, err := tx.Exec(b.ctx, `UPDATE service_orders SET completion = $3, result = 'fixed', version = version + 1 WHERE tenant_id = $1 AND id = $2`,
			b.B, j.OrderID, c)
		return err
	})
	if err := b.s.Handle(b.ctx, events.Event{TenantID: b.B, Type: "order.completed", Subject: "service_order", SubjectID: j.OrderID}); err != nil {
		t.Fatal(err)
	}
	msgs := b.pending(t, b.B, ag)
	if len(msgs) != 1 || msgs[0].Kind != KindJobUpdated {
		t.Fatalf("the partner's pending reports: %+v", msgs)
	}
	// Delivered twice, redelivered after the outbox was marked, and applied again.
	for range 2 {
		if err := b.s.Deliver(b.ctx, b.B, msgs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	b.in(t, b.B, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE network_outbox SET delivered_at = NULL WHERE tenant_id = $1 AND id = $2`, b.B, msgs[0].ID)
		return err
	})
	if err := b.s.Deliver(b.ctx, b.B, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := b.s.Apply(b.ctx, b.A, ag, b.B); err != nil {
		t.Fatal(err)
	}

	var back PartnerJob
	var tl []orders.Entry
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		if back, err = JobOfOrder(b.ctx, tx, o.ID, DirectionSent); err != nil {
			return err
		}
		tl, err = orders.Timeline(b.ctx, tx, o.ID, false)
		return err
	})
	wantUsed := []JobPart{{Code: part.PartNo, Name: "主板", Quantity: 1, OldSerial: "OLD-1", NewSerial: "NEW-1", State: PartUsed}}
	if !slices.Equal(back.PartnerParts, wantUsed) {
		t.Errorf("parts on the sender's job: %+v, want %+v", back.PartnerParts, wantUsed)
	}
	wantShares := []EngineerShare{{Name: "李工", Role: "lead", BasisPoints: 7000}, {Name: "赵工", Role: "assistant", BasisPoints: 3000}}
	if !slices.Equal(back.PartnerShares, wantShares) {
		t.Errorf("shares on the sender's job: %+v, want %+v", back.PartnerShares, wantShares)
	}
	n := 0
	for _, e := range tl {
		if e.Kind == "partner" && e.Data["parts"] != nil && e.Data["shares"] != nil {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the sender's timeline has %d entries of the partner's parts and shares, want 1", n)
	}
	// The board shows the same.
	if l := b.board(t, b.A, JobFilter{Direction: DirectionSent, Limit: 10}); len(l) != 1 || !slices.Equal(l[0].PartnerShares, wantShares) {
		t.Errorf("the sender's board: %+v", l)
	}
}

// TestSharesSplitEvenlyWithoutRulesAndAddUp: with no pay rules weighing the roles, three
// engineers split 10000 basis points evenly, the lead getting what the division leaves.
func TestSharesSplitEvenlyWithoutRulesAndAddUp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.in(t, b.B, func(tx *tenants.Tx) error {
		o := testfactory.Order(b.ctx, t, tx, nil)
		for i, role := range []string{"assistant", "assistant", "lead"} {
			u := testfactory.User(b.ctx, t, tx, &testfactory.UserOpts{Name: string(rune('A' + i))})
			if _, err := tx.Exec(b.ctx, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state) VALUES ($1, $2, $3, $4, 'accepted')`,
				b.B, o.ID, u.UserID, role); err != nil {
				return err
			}
		}
		u := testfactory.User(b.ctx, t, tx, nil)
		if _, err := tx.Exec(b.ctx, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state) VALUES ($1, $2, $3, 'assistant', 'declined')`,
			b.B, o.ID, u.UserID); err != nil {
			return err
		}
		day, err := today(b.ctx, tx)
		if err != nil {
			return err
		}
		got, err := shares(b.ctx, tx, o.ID, day)
		if err != nil {
			return err
		}
		sum := 0
		for _, s := range got {
			sum += s.BasisPoints
		}
		if len(got) != 3 || got[0].Role != "lead" || got[0].BasisPoints != 3334 || got[1].BasisPoints != 3333 || sum != 10000 {
			t.Errorf("shares: %+v (sum %d)", got, sum)
		}
		return nil
	})
}
