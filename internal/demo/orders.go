package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// seedOrders sets the brand's dispatch up (each outlet covers its province and is authorized
// for every category; engineers have profiles, the first of each outlet being its default)
// and takes two orders in: a carry-in repair in Shanghai and an on-site visit in Beijing,
// offered to an engineer.
func seedOrders(ctx context.Context, tx *tenants.Tx) error {
	outlets, err := tenants.ListOutlets(ctx, tx, tenants.OutletFilter{Limit: 50})
	if err != nil {
		return err
	}
	cats, err := catalog.ListCategories(ctx, tx, uuid.NullUUID{}, 50)
	if err != nil {
		return err
	}
	byCode := map[string]uuid.UUID{}
	for _, o := range outlets {
		byCode[o.Code] = o.ID
		if len(o.ProvinceCode) == 6 {
			if _, err := dispatch.AddCoverage(ctx, tx, o.ID, dispatch.Coverage{RegionCode: o.ProvinceCode[:2]}); err != nil {
				return err
			}
		}
		for _, c := range cats {
			if err := dispatch.Authorize(ctx, tx, o.ID, c.ID); err != nil {
				return err
			}
		}
	}
	role := "engineer"
	engineers, err := tenants.ListMembers(ctx, tx, uuid.NullUUID{}, &role, 100)
	if err != nil {
		return err
	}
	defaults := map[uuid.UUID]bool{}
	for _, m := range engineers {
		if m.OutletID == nil {
			continue
		}
		p := dispatch.Profile{OutletID: *m.OutletID, Skills: []string{"install", "refrigeration"}, Level: 3, Active: true,
			IsDefault: !defaults[*m.OutletID]}
		defaults[*m.OutletID] = true
		if _, err := dispatch.SaveProfile(ctx, tx, m.UserID, 0, p); err != nil {
			return fmt.Errorf("profile of %s: %w", m.Email, err)
		}
	}
	svc := &orders.Service{}
	units, err := registry.List(ctx, tx, registry.Filter{Limit: 10})
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.BuyerID == nil {
			continue
		}
		switch u.Serial {
		case "KFR35GW2611000001":
			if _, err := svc.Create(ctx, tx, orders.Intake{Type: "repair_minor", Channel: "carry_in", CustomerID: u.BuyerID,
				RegistrationID: &u.ID, OutletID: ptr(byCode["SH-PD-01"]), FaultDescription: "开机后不制冷 Not cooling after start-up",
				FaultCode: "E1", Component: "compressor"}); err != nil {
				return fmt.Errorf("demo carry-in order: %w", err)
			}
		case "KFR35GW2509000042":
			c, err := svc.Create(ctx, tx, orders.Intake{Type: "repair_medium", Channel: "phone", Flow: orders.FlowOnSite,
				CustomerID: u.BuyerID, RegistrationID: &u.ID, FaultDescription: "室内机漏水 Indoor unit leaking", FaultCode: "E2"})
			if err != nil {
				return fmt.Errorf("demo on-site order: %w", err)
			}
			if _, err := svc.Transition(ctx, tx, c.Order.ID, 0, orders.TransitionInput{To: orders.StatusAccepted}); err != nil {
				return err
			}
			if c.Order.OutletID != nil {
				if _, err := svc.Assign(ctx, tx, c.Order.ID, orders.Assignment{Role: "lead"}); err != nil {
					return fmt.Errorf("demo dispatch: %w", err)
				}
			}
		}
	}
	return nil
}

func ptr(id uuid.UUID) *uuid.UUID { return &id }
