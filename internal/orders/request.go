package orders

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// ServiceRequest is a consumer's request for service on one of their registered units.
type ServiceRequest struct {
	RegistrationID   uuid.UUID
	Type             string
	OnSite           bool // a visit rather than bringing the unit in
	FaultDescription string
	Location         *Location // default: the consumer's address on file
}

// Request takes in a consumer's booking. scope is the consumer's (customers.ConsumerScope): row-
// level security shows them only their own units, so a unit that is not theirs is refused as
// if it did not exist. The intake itself then runs with the tenant's scope, acting as the
// consumer: its warranty decision reads the unit's whole history, which is the tenant's
// (service another customer asked for on the same unit counts too).
func (s *Service) Request(ctx context.Context, d *tenants.DB, scope tenants.Scope, b ServiceRequest) (Created, error) {
	if !scope.Consumer() || scope.CustomerID == uuid.Nil {
		return Created{}, errors.New("orders: a booking needs a consumer's scope with their customer record")
	}
	err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		_, err := registry.Get(ctx, tx, b.RegistrationID)
		return err
	})
	if errors.Is(err, fault.ErrNotFound) {
		return Created{}, fault.Invalid("registration_id", "is not one of your registered units")
	}
	if err != nil {
		return Created{}, err
	}
	flow := FlowCarryIn
	if b.OnSite {
		flow = FlowOnSite
	}
	customer, unit := scope.CustomerID, b.RegistrationID
	var c Created
	intake := tenants.Scope{TenantID: scope.TenantID, Actor: scope.Actor}
	err = d.Tx(ctx, intake, func(tx *tenants.Tx) (err error) {
		c, err = s.Create(ctx, tx, Intake{Type: b.Type, Channel: "web", Flow: flow, CustomerID: &customer,
			RegistrationID: &unit, Location: b.Location, FaultDescription: b.FaultDescription})
		return err
	})
	return c, err
}
