package orders_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// png is a one-pixel PNG: evidence must be an image or a PDF, checked against its bytes.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// An exclusion found with evidence voids the warranty; the customer may dispute it once at a
// time, and overturning the exclusion restores the coverage. Each change of coverage is on
// the timeline.
func TestDisputeOverturnsAnExclusion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order(t, b.unit(t, 60), "")
	o, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusRepairing})
	if err != nil {
		t.Fatal(err)
	}
	att, err := orders.Attach(b.ctx, b.tx, o.ID, "evidence", false, png)
	if err != nil {
		t.Fatal(err)
	}
	done, err := b.svc.Complete(b.ctx, b.tx, o.ID, 0, orders.Completion{Diagnosis: "water inside", WorkDone: "none", Result: "not_fixed",
		Exclusion: "liquid_damage", EvidenceIDs: []uuid.UUID{att.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if done.EntitlementClass != "out_of_warranty" || done.Completion == nil || done.Completion.DecidedBy == "" {
		t.Fatalf("liquid damage voids the warranty, and the report names who decided: %s %+v", done.EntitlementClass, done.Completion)
	}
	d, err := b.svc.OpenDispute(b.ctx, b.tx, o.ID, "it was never wet", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) error {
		_, err := b.svc.OpenDispute(b.ctx, tx, o.ID, "again", nil)
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("a second open dispute: %v", err)
	}
	dec, err := b.svc.DecideDispute(b.ctx, b.tx, o.ID, d.ID, orders.DisputeDecision{Overturn: true, Note: "the sensor was faulty"})
	if err != nil || dec.Status != "overturned" {
		t.Fatalf("dispute: %+v, %v", dec, err)
	}
	after, err := orders.Get(b.ctx, b.tx, o.ID)
	if err != nil || after.EntitlementClass != "manufacturer" {
		t.Fatalf("overturning the exclusion restores coverage: %s, %v", after.EntitlementClass, err)
	}
	testfactory.Flush(b.ctx, t, b.tx) // the intake's timeline is written at commit
	tl, err := orders.Timeline(b.ctx, b.tx, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var ents []string
	for _, e := range tl {
		if e.Kind == "entitlement" {
			ents = append(ents, e.From+">"+e.To)
		}
	}
	if !slices.Equal(ents, []string{">manufacturer", "manufacturer>out_of_warranty", "out_of_warranty>manufacturer"}) {
		t.Fatalf("entitlement changes on the timeline: %v", ents)
	}
}
