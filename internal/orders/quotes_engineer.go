package orders

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// CreateQuoteAsEngineer is CreateQuote for an engineer quoting from the phone: only on an
// order the engineer works (offered or accepted, as package stock's van checks); any other
// order of the outlet is not found, like one they cannot see.
func (s *Service) CreateQuoteAsEngineer(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in QuoteInput) (Quote, error) {
	n, err := tx.Q.EngineerOnOrder(ctx, tx, db.EngineerOnOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID, UserID: tx.Scope.UserID})
	if err != nil {
		return Quote{}, fmt.Errorf("engineer on the order: %w", err)
	}
	if n == 0 {
		return Quote{}, fault.ErrNotFound
	}
	return s.CreateQuote(ctx, tx, orderID, in)
}
