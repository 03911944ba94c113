package billing

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// Offers lists what a consumer may see of the products on sale: active products without
// the payment provider's ids, and with unit set only those the unit can buy. In a consumer's
// scope row-level security shows only their own units, so another's unit is not found.
func Offers(ctx context.Context, tx *tenants.Tx, unit uuid.UUID) ([]Product, error) {
	if unit != uuid.Nil {
		if err := visibleUnit(ctx, tx, unit); err != nil {
			return nil, err
		}
	}
	all, err := ListProducts(ctx, tx, uuid.NullUUID{}, 200, true)
	if err != nil {
		return nil, err
	}
	out := []Product{}
	for _, p := range all {
		if unit != uuid.Nil && CheckEligible(ctx, tx, p, unit, "registration_id") != nil {
			continue
		}
		p.StripeProductID = ""
		out = append(out, p)
	}
	return out, nil
}

// visibleUnit is ErrNotFound unless the scope can see the unit.
func visibleUnit(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	_, err := registry.Get(ctx, tx, id)
	return err
}

// checkParties refuses a purchase for a unit or order the scope cannot see. In a consumer's
// scope row-level security shows only their own, and foreign keys (which ignore row-level
// security) would otherwise accept another customer's order. An upgrade bought outside a
// counter belongs to its order's outlet (outlet staff see their outlet's purchases).
func checkParties(ctx context.Context, tx *tenants.Tx, in *BuyInput) error {
	if in.RegistrationID != uuid.Nil {
		if err := visibleUnit(ctx, tx, in.RegistrationID); err != nil {
			if errors.Is(err, fault.ErrNotFound) {
				return fault.Invalid("registration_id", "is not one of your units")
			}
			return err
		}
	}
	if in.OrderID != uuid.Nil {
		o, err := tx.Q.GetOrderCustomer(ctx, tx, db.GetOrderCustomerParams{TenantID: tx.Scope.TenantID, ID: in.OrderID})
		if err != nil {
			if err = fault.DBError(err, "", ""); errors.Is(err, fault.ErrNotFound) {
				return fault.Invalid("order_id", "is not one of your service orders")
			}
			return err
		}
		if in.OutletID == uuid.Nil && o.OutletID.Valid {
			in.OutletID = o.OutletID.UUID
		}
	}
	return nil
}

// checkCounter refuses a counter sale at another outlet's counter by staff confined to one
// outlet: they sell at their own.
func checkCounter(scope tenants.Scope, outlet uuid.UUID) error {
	if scope.OutletID != uuid.Nil && scope.OutletID != outlet {
		return fault.Invalid("outlet_id", "outlet staff sell at their own outlet's counter")
	}
	return nil
}
