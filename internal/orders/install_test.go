package orders_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// A delivered unit whose model needs installing gets one on-site installation order, once;
// a model that needs none, or a unit with nobody to visit, gets none and says why.
func TestInstallForDeliveredUnits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	installed := testfactory.Model(b.ctx, t, b.tx, &testfactory.ModelOpts{CategoryID: b.model.CategoryID, NeedsInstall: true})
	reg := testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: installed.ID})
	c, why, err := b.svc.InstallFor(b.ctx, b.tx, reg, "api")
	if err != nil || c == nil || c.Order.Type != orders.InstallType || c.Order.Flow != orders.FlowOnSite || c.Order.Status != "created" {
		t.Fatalf("delivery of a unit that needs installing: %+v %q %v", c, why, err)
	}
	if c, why, err := b.svc.InstallFor(b.ctx, b.tx, reg, "api"); err != nil || c != nil || !strings.Contains(why, "already") {
		t.Fatalf("a second delivery: %+v %q %v", c, why, err)
	}
	plain := b.unit(t, 0)
	if c, why, err := b.svc.InstallFor(b.ctx, b.tx, plain, "api"); err != nil || c != nil || !strings.Contains(why, "needs no installation") {
		t.Fatalf("a model that needs no installation: %+v %q %v", c, why, err)
	}
	var nobody registry.Registration
	err = testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) (err error) {
		nobody, err = registry.Register(b.ctx, tx, registry.Input{ModelID: installed.ID.String(), Serial: "NOBUYER-" + testfactory.Unique(),
			PurchaseDate: time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}, registry.ChannelScan)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, why, err := b.svc.InstallFor(b.ctx, b.tx, nobody, "api"); err != nil || c != nil || !strings.Contains(why, "nobody to visit") {
		t.Fatalf("a unit without buyer or user: %+v %q %v", c, why, err)
	}
	// Registered from a shipment marked needs_installation (registry.Installer).
	shipped := testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: installed.ID})
	if err := b.svc.InstallUnit(b.ctx, b.tx, shipped.ID); err != nil {
		t.Fatal(err)
	}
	if c, why, err := b.svc.InstallFor(b.ctx, b.tx, shipped, "api"); err != nil || c != nil || !strings.Contains(why, "already") {
		t.Fatalf("after InstallUnit: %+v %q %v", c, why, err)
	}
}
