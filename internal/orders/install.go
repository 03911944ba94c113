package orders

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
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
	open, err := tx.Q.OpenOrderOfType(ctx, tx, db.OpenOrderOfTypeParams{TenantID: tx.Scope.TenantID,
		RegistrationID: uuid.NullUUID{UUID: reg.ID, Valid: true}, TypeCode: InstallType})
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

// InstallUnit creates the installation order of a unit just registered from a shipment
// marked needs_installation (registry.Installer), when its model needs installing.
func (s *Service) InstallUnit(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) error {
	reg, err := registry.Get(ctx, tx, registrationID)
	if err != nil {
		return err
	}
	_, _, err = s.InstallFor(ctx, tx, reg, "api")
	return err
}

// Hooks is what service orders do inside background jobs: the installation orders of
// imported shipments. It is an events.Consumer of no events, so the worker passes it with
// the other consumers; its jobs are inserted through the running job's client.
type Hooks struct {
	PublicURL string
}

// Name names the consumer.
func (Hooks) Name() string { return "orders" }

// Wants no events.
func (Hooks) Wants(string) bool { return false }

// Handle does nothing (Wants is always false).
func (Hooks) Handle(context.Context, events.Event) error { return nil }

// InstallUnit creates the installation order of an imported unit, its events and timers
// queued through the import job's client.
func (h Hooks) InstallUnit(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) error {
	svc := &Service{PublicURL: h.PublicURL}
	if c, err := river.ClientFromContextSafely[pgx.Tx](ctx); err == nil {
		svc.Jobs = c // outside a job (a direct run), no events or timers are queued
	}
	return svc.InstallUnit(ctx, tx, registrationID)
}
