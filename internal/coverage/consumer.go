package coverage

import (
	"context"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// PublicAnswer is what anyone may learn of a unit without signing in: its model, purchase
// date and coverage, nothing about its owner.
type PublicAnswer struct {
	ModelSKU     string
	PurchaseDate string // YYYY-MM-DD
	Class        string
	CoveredUntil string
}

// Public answers the public coverage check: a unit of the tenant with this serial whose
// buyer's or user's phone ends in last4. Any mismatch (no such serial, other digits) is
// ErrNotFound, so the answer reveals nothing about who owns which serial. The serial is
// trimmed of surrounding space. q is a one-trip read in the tenant's scope.
func Public(ctx context.Context, q db.DBTX, src HistorySource, serial, last4 string) (PublicAnswer, error) {
	check := CheckInput{Serial: registry.NormalizeSerial(serial), Channel: "web", NoTier: true}
	if check.Serial == "" {
		return PublicAnswer{}, fault.ErrNotFound
	}
	units, err := LoadFacts(ctx, q, check)
	if err != nil {
		return PublicAnswer{}, err
	}
	for _, u := range units {
		if !endsWith(u.BuyerPhone, last4) && !endsWith(u.UserPhone, last4) {
			continue
		}
		res, err := Decide(u, src, check)
		if err != nil {
			return PublicAnswer{}, err
		}
		a := PublicAnswer{ModelSKU: res.ModelSKU, PurchaseDate: u.Registration.PurchaseDate, Class: res.Decision.Class}
		if res.Decision.CoveredUntil != nil {
			a.CoveredUntil = res.Decision.CoveredUntil.String()
		}
		return a, nil
	}
	return PublicAnswer{}, fault.ErrNotFound
}

// endsWith reports whether phone ends in the four digits given.
func endsWith(phone, last4 string) bool {
	return len(last4) == 4 && len(phone) >= 4 && phone[len(phone)-4:] == last4
}

// ForUnits decides coverage today for units a consumer's scope has shown to be theirs (row-
// level security listed them). The decisions read the units' facts with the tenant's scope:
// a unit's repair history and plans are the tenant's facts about the unit, including
// service another customer of the tenant asked for on it.
func ForUnits(ctx context.Context, d *tenants.DB, tenantID uuid.UUID, src HistorySource, units []uuid.UUID) ([]Result, error) {
	scope := tenants.Scope{TenantID: tenantID, Actor: tenants.SystemActor}
	out := make([]Result, 0, len(units))
	for _, id := range units {
		var res Result
		err := d.Read(ctx, scope, func(q db.DBTX) (err error) {
			res, err = Check(ctx, q, src, CheckInput{RegistrationID: id, Channel: "web"})
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}
