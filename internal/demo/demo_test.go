package demo_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

func TestSeedBuildsTheNetworkOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := tenants.NewDB(testdb.New(t).App)
	for range 2 {
		logins, err := demo.Seed(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(logins) < 8 {
			t.Fatalf("%d logins", len(logins))
		}
	}
	all, err := d.ListTenants(ctx, uuid.NullUUID{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d tenants after seeding twice, want 2", len(all))
	}
	for _, tn := range all {
		if tn.Slug != demo.BrandSlug {
			continue
		}
		err := d.Tx(ctx, tenants.Scope{TenantID: tn.ID}, func(tx *tenants.Tx) error {
			outlets, err := tenants.ListOutlets(ctx, tx, tenants.OutletFilter{Limit: 50})
			if err != nil {
				return err
			}
			engineers := "engineer"
			members, err := tenants.ListMembers(ctx, tx, uuid.NullUUID{}, &engineers, 50)
			if err != nil {
				return err
			}
			regions := map[string]bool{}
			for _, o := range outlets {
				regions[o.ProvinceCode] = true
			}
			if len(outlets) != 3 || len(regions) != 3 || len(members) != 6 {
				t.Errorf("brand has %d outlets in %d regions and %d engineers, want 3, 3, 6", len(outlets), len(regions), len(members))
			}
			regs, err := registry.List(ctx, tx, registry.Filter{Limit: 50})
			if err != nil {
				return err
			}
			if len(regs) != 3 {
				t.Errorf("%d registered units, want 3", len(regs))
			}
			classes := map[string]int{}
			for _, r := range regs {
				res, err := coverage.Check(ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: r.ID})
				if err != nil {
					return err
				}
				classes[res.Decision.Class]++
			}
			if classes["manufacturer"] != 1 || classes["out_of_warranty"] != 2 {
				t.Errorf("coverage of the demo units: %v", classes)
			}
			list, err := orders.List(ctx, tx, orders.Filter{Limit: 50})
			if err != nil {
				return err
			}
			statuses := map[string]bool{}
			for _, o := range list {
				statuses[o.Status] = o.OutletID != nil
			}
			if len(list) != 2 || !statuses["waiting"] || !statuses["dispatched"] {
				t.Errorf("demo orders by status (with an outlet): %v", statuses)
			}
			// The stock screens and pay rules are not empty: parts, stock on hand in the
			// central and outlet warehouses and a van, the outlet below its safety stock.
			catalog, err := parts.List(ctx, tx, parts.Filter{Limit: 50})
			if err != nil {
				return err
			}
			balances, err := stock.ListBalances(ctx, tx, stock.BalanceFilter{NonZero: true, Limit: 100})
			if err != nil {
				return err
			}
			short, err := stock.Suggest(ctx, tx, uuid.NullUUID{}, true)
			if err != nil {
				return err
			}
			rules, err := commission.Versions(ctx, tx)
			if err != nil {
				return err
			}
			if len(catalog) != 4 || len(balances) != 7 || len(short) != 1 || len(rules) != 1 {
				t.Errorf("demo has %d parts, %d stock balances, %d suggestions, %d pay-rule versions; want 4, 7, 1, 1",
					len(catalog), len(balances), len(short), len(rules))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
