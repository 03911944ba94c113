package orders

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// InstallType is the order type of installation visits.
const InstallType = "installation"

// InstallFor creates the installation order of a delivered unit whose model needs one,
// unless the unit already has an open installation order. It returns nil and why not when
// it creates none (the model needs no installation, no buyer is known to visit).
func (s *Service) InstallFor(ctx context.Context, tx *tenants.Tx, reg registry.Registration, channel string) (*Created, string, error) {
	m, err := catalog.GetModel(ctx, tx, reg.ModelID)
	if err != nil {
		return nil, "", err
	}
	if !m.NeedsInstall {
		return nil, "the model needs no installation", nil
	}
	customer := reg.UserID
	if customer == nil {
		customer = reg.BuyerID
	}
	if customer == nil {
		return nil, "no buyer or user on the registration: nobody to visit", nil
	}
	open, err := tx.Q.OpenOrderOfType(ctx, tx, db.OpenOrderOfTypeParams{RegistrationID: uuid.NullUUID{UUID: reg.ID, Valid: true},
		TypeCode: InstallType})
	if err != nil {
		return nil, "", fmt.Errorf("open installation order: %w", err)
	}
	if open {
		return nil, "the unit already has an open installation order", nil
	}
	c, err := s.Create(ctx, tx, Intake{Type: InstallType, Channel: channel, Flow: FlowOnSite, CustomerID: customer,
		RegistrationID: &reg.ID, FaultDescription: "Installation of " + m.SKU + " " + reg.Serial})
	if err != nil {
		return nil, "", err
	}
	return &c, "", nil
}
