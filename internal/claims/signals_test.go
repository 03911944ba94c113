package claims

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestSignals: provider B repairs one unit three times (two repeats within 30 days) and
// puts one replacement part serial on two claims, provider C claims the same unit too, and
// the brand's outlet does 14 jobs it claims nothing for. The payer sees the unit claimed by
// two claimants, the part serial reused, and B's claims per job and repeat repairs per job
// above twice the network's, each with the orders and claims as evidence; the outlet,
// C (one job, under the minimum) and a tenant with no network are not flagged.
func TestSignals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	agB, agC := b.agree(t, b.B, terms()), b.agree(t, b.C, terms())
	unit := b.registration(t)
	part := "P-REUSED-" + testfactory.Unique()
	claimed := map[uuid.UUID]uuid.UUID{} // claim -> payer's order
	submit := func(ag, provider, reg uuid.UUID, partSerial string) uuid.UUID {
		sent, theirs := b.workSwapping(t, ag, provider, reg, partSerial)
		c := b.generate(t, provider, theirs)
		b.submit(t, provider, c.ID)
		b.deliverAll(t, provider, ag)
		claimed[c.ID] = sent
		return c.ID
	}
	first := submit(agB, b.B, unit, part)
	submit(agB, b.B, unit, "")
	submit(agB, b.B, unit, "")
	reused := submit(agB, b.B, b.registration(t), part)
	submit(agB, b.B, b.registration(t), "")
	fromC := submit(agC, b.C, unit, "")
	b.in(t, b.A, func(tx *tenants.Tx) error {
		out := testfactory.Outlet(b.ctx, t, tx, nil)
		for range 14 {
			testfactory.Order(b.ctx, t, tx, &testfactory.OrderOpts{OutletID: out.ID})
		}
		return nil
	})

	var got []Signal
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		got, err = Signals(b.ctx, tx, 90)
		return err
	})
	byKind := map[string][]Signal{}
	for _, s := range got {
		byKind[s.Kind] = append(byKind[s.Kind], s)
	}
	if l := byKind[SignalSerialClaimedTwice]; len(l) != 1 || len(l[0].Claimants) != 2 || len(l[0].ClaimIDs) != 4 ||
		!slices.Contains(l[0].ClaimIDs, fromC.String()) || !slices.Contains(l[0].ClaimIDs, first.String()) {
		t.Errorf("unit claimed by two: %+v", l)
	}
	if l := byKind[SignalPartSerialReused]; len(l) != 1 || l[0].Subject != part || len(l[0].ClaimIDs) != 2 ||
		!slices.Contains(l[0].ClaimIDs, reused.String()) || !slices.Contains(l[0].OrderIDs, claimed[first].String()) {
		t.Errorf("part serial reused: %+v", l)
	}
	// Network: 6 claims on 20 jobs (0.30); B: 5 on 5 (1.00), above 0.60.
	if l := byKind[SignalClaimRate]; len(l) != 1 || l[0].Claimants[0].PartnerTenantID == nil || *l[0].Claimants[0].PartnerTenantID != b.B ||
		l[0].Rate != 1 || l[0].Network != 0.3 || l[0].Threshold != 0.6 || l[0].Jobs != 5 || len(l[0].ClaimIDs) != 5 {
		t.Errorf("claim rate: %+v", l)
	}
	// Network: 3 repeats in 20 jobs (0.15); B: 2 in 5 (0.40), above 0.30.
	if l := byKind[SignalRepeatRepairs]; len(l) != 1 || *l[0].Claimants[0].PartnerTenantID != b.B || l[0].Rate != 0.4 ||
		l[0].Network != 0.15 || len(l[0].OrderIDs) != 2 {
		t.Errorf("repeat repairs: %+v", l)
	}
	// The provider sees none of the brand's signals: its own network is empty.
	b.in(t, b.B, func(tx *tenants.Tx) error {
		l, err := Signals(b.ctx, tx, 90)
		if err == nil && len(l) != 0 {
			t.Errorf("the provider's signals: %+v", l)
		}
		return err
	})
}
