package claims

import (
	"testing"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// TestPayerSeesWhetherClaimedPartsWereReported: the partner's report of its completed order
// carries the parts it used back to the payer's job; the payer's copy of the claim marks a
// part line reported when that report named the part, and not reported when the claim names
// a part the payer never heard of.
func TestPayerSeesWhetherClaimedPartsWereReported(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ag := b.agree(t, b.B, terms())
	payerLine := func(reportFirst bool) *ClaimLine {
		t.Helper()
		_, theirs := b.work(t, ag, b.B, b.registration(t))
		if reportFirst {
			if err := b.n.Handle(b.ctx, events.Event{TenantID: b.B, Type: "order.status_changed", Subject: "service_order",
				SubjectID: theirs}); err != nil {
				t.Fatal(err)
			}
			b.deliverAll(t, b.B, ag)
		}
		c := b.submit(t, b.B, b.generate(t, b.B, theirs).ID)
		b.deliverAll(t, b.B, ag)
		var payer Claim
		b.in(t, b.A, func(tx *tenants.Tx) (err error) {
			payer, err = Get(b.ctx, tx, c.ID)
			return err
		})
		for i, l := range payer.Lines {
			if l.Kind == "part" {
				return &payer.Lines[i]
			}
			if l.Reported != nil {
				t.Errorf("a %s line marked reported: %+v", l.Kind, l)
			}
		}
		t.Fatalf("no part line in the payer's claim: %+v", payer.Lines)
		return nil
	}
	if l := payerLine(true); l.Reported == nil || !*l.Reported {
		t.Errorf("a part the partner reported used: %+v", l)
	}
	if l := payerLine(false); l.Reported == nil || *l.Reported {
		t.Errorf("a part claimed and never reported: %+v", l)
	}
}
