package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// DefaultCreditValidityDays is how long a credit stays spendable when the tenant set nothing.
const DefaultCreditValidityDays = 365

// minCharge is the least a purchase paid partly with credit still charges (minor units):
// Stripe refuses smaller charges, so credit never covers the whole price.
const minCharge = 100

// MoneyTerms are a tenant's money terms.
type MoneyTerms struct {
	CreditValidityDays int32            `json:"credit_validity_days" minimum:"1" maximum:"3650" doc:"Days a credit stays spendable after it is issued (the tenant's days)"`
	LabourRates        map[string]int64 `json:"labour_rates,omitempty" doc:"Labour billed per order type code (minor units) when the approved quote has no labour line"`
	VisitFee           int64            `json:"visit_fee,omitempty" minimum:"0" maximum:"100000000" doc:"Visit fee billed on on-site orders whose quote has no visit line (minor units)"`
	DiscountLimits     map[string]int32 `json:"discount_limits,omitempty" doc:"Largest discount, in percent of the customer's subtotal, each role gives without a manager's approval; unlisted roles keep the defaults"`
	Version            int32            `json:"version" doc:"0 until the tenant sets its terms"`
}

func termsFromRow(r db.BillingSetting) MoneyTerms {
	out := MoneyTerms{CreditValidityDays: r.CreditValidityDays, VisitFee: r.VisitFee, Version: r.Version}
	_ = json.Unmarshal(r.LabourRates, &out.LabourRates)
	_ = json.Unmarshal(r.DiscountLimits, &out.DiscountLimits)
	return out
}

// GetSettings returns the tenant's money terms (the defaults, version 0, until it sets them).
func GetSettings(ctx context.Context, tx *tenants.Tx) (MoneyTerms, error) {
	r, err := tx.Q.GetBillingSettings(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return MoneyTerms{CreditValidityDays: DefaultCreditValidityDays}, nil
	}
	if err != nil {
		return MoneyTerms{}, err
	}
	return termsFromRow(r), nil
}

// PutSettings sets the tenant's money terms if version is the one in force (0: none set yet);
// otherwise fault.ErrStale. Credits issued before keep their expiry day.
func PutSettings(ctx context.Context, tx *tenants.Tx, version int32, in MoneyTerms) (MoneyTerms, error) {
	if in.CreditValidityDays < 1 || in.CreditValidityDays > 3650 {
		return MoneyTerms{}, fault.Invalid("credit_validity_days", "must be between 1 and 3650 days")
	}
	for code, v := range in.LabourRates {
		if v < 0 || v > 100_000_000 {
			return MoneyTerms{}, fault.Invalid("labour_rates."+code, "must be between 0 and 100000000 minor units")
		}
	}
	for role, v := range in.DiscountLimits {
		if !access.Role(role).Valid() {
			return MoneyTerms{}, fault.Invalid("discount_limits."+role, "is not a tenant role")
		}
		if v < 0 || v > 100 {
			return MoneyTerms{}, fault.Invalid("discount_limits."+role, "must be a percent between 0 and 100")
		}
	}
	rates, _ := json.Marshal(orEmpty(in.LabourRates))
	limits, _ := json.Marshal(orEmpty(in.DiscountLimits))
	cur, err := tx.Q.GetBillingSettings(ctx, tx, tx.Scope.TenantID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		cur.Version = 0
	case err != nil:
		return MoneyTerms{}, err
	}
	if cur.Version != version {
		return MoneyTerms{}, fault.ErrStale
	}
	r, err := tx.Q.PutBillingSettings(ctx, tx, db.PutBillingSettingsParams{TenantID: tx.Scope.TenantID,
		CreditValidityDays: in.CreditValidityDays, LabourRates: rates, VisitFee: in.VisitFee, DiscountLimits: limits, Now: time.Now()})
	if err != nil {
		return MoneyTerms{}, err
	}
	out := termsFromRow(r)
	return out, tx.Audit(ctx, "billing_settings.put", "billing_settings", tx.Scope.TenantID, nil, out)
}

// orEmpty is m, or an empty map for nil (stored as {}).
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// creditDay is the tenant's current day for credits (issue, spending, expiry): the one place
// credits read the clock, in the tenant's time zone as the rest of billing does.
func creditDay(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// Credit is credit a customer holds with the tenant.
type Credit struct {
	ID             uuid.UUID  `json:"id"`
	CustomerID     uuid.UUID  `json:"customer_id"`
	CompensationID *uuid.UUID `json:"compensation_id,omitempty"`
	Currency       string     `json:"currency"`
	Amount         int64      `json:"amount" doc:"Issued (minor units)"`
	Remaining      int64      `json:"remaining" doc:"Still spendable (minor units)"`
	IssuedOn       string     `json:"issued_on" format:"date"`
	ExpiresOn      string     `json:"expires_on" format:"date" doc:"Last day it can be spent (the tenant's day)"`
	Status         string     `json:"status"`
}

// CreditStatuses are the states of a credit, in the order the API documents them.
var CreditStatuses = []string{"open", "spent", "expired"}

// ListCredits lists credits by id, optionally of one customer.
func ListCredits(ctx context.Context, tx *tenants.Tx, customer uuid.NullUUID, after uuid.NullUUID, limit int32) ([]Credit, error) {
	rows, err := tx.Q.ListCredits(ctx, tx, db.ListCreditsParams{TenantID: tx.Scope.TenantID, CustomerID: customer, After: after, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Credit, len(rows))
	for i, r := range rows {
		out[i] = Credit{ID: r.ID, CustomerID: r.CustomerID, CompensationID: idPtr(r.CompensationID), Currency: r.Currency, Amount: r.Amount,
			Remaining: r.Remaining, IssuedOn: r.IssuedOn.Format(time.DateOnly), ExpiresOn: r.ExpiresOn.Format(time.DateOnly), Status: r.Status}
	}
	return out, nil
}

// issueCredit gives a credit compensation to the customer who bought the promise (else the
// order's customer), spendable for the tenant's credit validity. Once per compensation.
func issueCredit(ctx context.Context, tx *tenants.Tx, comp db.Compensation, p db.Purchase) error {
	customer := p.CustomerID.UUID
	if customer == uuid.Nil {
		if o, err := orders.Get(ctx, tx, comp.OrderID); err == nil {
			customer = o.CustomerID
		} else if !errors.Is(err, fault.ErrNotFound) {
			return err
		}
	}
	if customer == uuid.Nil {
		return nil // nobody to hold it: the ledger still records what the tenant owes
	}
	terms, err := GetSettings(ctx, tx)
	if err != nil {
		return err
	}
	today, err := creditDay(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.Q.CreateCredit(ctx, tx, db.CreateCreditParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), CustomerID: customer,
		CompensationID: uuid.NullUUID{UUID: comp.ID, Valid: true}, Currency: comp.Currency, Amount: comp.Amount, IssuedOn: today,
		ExpiresOn: today.AddDate(0, 0, int(terms.CreditValidityDays))})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // issued before
	}
	return err
}

// spend is credit taken for a purchase being made.
type spend struct {
	credit uuid.UUID
	amount int64
}

// creditFor locks the customer's spendable credits in currency and decides how much of price
// they pay, soonest to expire first; at least minCharge is still charged.
func creditFor(ctx context.Context, tx *tenants.Tx, customer uuid.UUID, currency string, price int64) ([]spend, int64, error) {
	if customer == uuid.Nil || price <= minCharge {
		return nil, 0, nil
	}
	today, err := creditDay(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	credits, err := tx.Q.SpendableCredits(ctx, tx, db.SpendableCreditsParams{TenantID: tx.Scope.TenantID, CustomerID: customer,
		Currency: currency, OnDate: today})
	if err != nil {
		return nil, 0, err
	}
	room := price - minCharge
	var out []spend
	var total int64
	for _, c := range credits {
		if room == 0 {
			break
		}
		n := min(c.Remaining, room)
		out = append(out, spend{c.ID, n})
		room -= n
		total += n
	}
	return out, total, nil
}

// reserveCredit takes the credit decided by creditFor for a purchase just made: reserved
// until the purchase is paid (redeemed) or ends unpaid (released).
func reserveCredit(ctx context.Context, tx *tenants.Tx, purchase uuid.UUID, spends []spend) error {
	for _, s := range spends {
		if err := tx.Q.TakeCredit(ctx, tx, db.TakeCreditParams{TenantID: tx.Scope.TenantID, ID: s.credit, Amount: s.amount}); err != nil {
			return err
		}
		if err := tx.Q.CreateCreditRedemption(ctx, tx, db.CreateCreditRedemptionParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			CreditID: s.credit, PurchaseID: purchase, Amount: s.amount}); err != nil {
			return err
		}
	}
	return nil
}

// redeemCredit records the credit a paid purchase spent: the ledger gets it back (the credit
// was recorded as owed when issued; the payment is smaller by as much).
func redeemCredit(ctx context.Context, tx *tenants.Tx, p db.Purchase, at time.Time) error {
	rs, err := tx.Q.SetRedemptionsOfPurchase(ctx, tx, db.SetRedemptionsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID,
		Status: "redeemed"})
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := ledger(ctx, tx, "credit_redeemed", p.ID, r.Amount, p.Currency, "", "credit_redeemed:"+r.ID.String(),
			"credit spent on "+p.ProductCode, at); err != nil {
			return err
		}
	}
	return nil
}

// releaseCredit gives back the credit a purchase reserved when it ends unpaid; credit that
// expired meanwhile is recorded as expired instead.
func releaseCredit(ctx context.Context, tx *tenants.Tx, p db.Purchase) error {
	rs, err := tx.Q.SetRedemptionsOfPurchase(ctx, tx, db.SetRedemptionsOfPurchaseParams{TenantID: tx.Scope.TenantID, PurchaseID: p.ID,
		Status: "released"})
	if err != nil {
		return err
	}
	for _, r := range rs {
		c, err := tx.Q.ReturnCredit(ctx, tx, db.ReturnCreditParams{TenantID: tx.Scope.TenantID, ID: r.CreditID, Amount: r.Amount})
		if err != nil {
			return err
		}
		if c.Status == "expired" {
			if err := ledger(ctx, tx, "credit_expired", uuid.Nil, r.Amount, c.Currency, "", "credit_expired:"+r.ID.String(),
				"credit expired while a purchase held it", time.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExpireCredits ends the tenant's credits whose last day is over (in the tenant's time zone):
// what remained is recorded in the ledger as no longer owed (credit_expired). Idempotent.
func ExpireCredits(ctx context.Context, tx *tenants.Tx) (int, error) {
	today, err := creditDay(ctx, tx)
	if err != nil {
		return 0, err
	}
	cs, err := tx.Q.ExpiringCredits(ctx, tx, db.ExpiringCreditsParams{TenantID: tx.Scope.TenantID, OnDate: today, Lim: 1000})
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		if err := tx.Q.ExpireCredit(ctx, tx, db.ExpireCreditParams{TenantID: tx.Scope.TenantID, ID: c.ID}); err != nil {
			return 0, err
		}
		if c.Remaining > 0 {
			if err := ledger(ctx, tx, "credit_expired", uuid.Nil, c.Remaining, c.Currency, "", "credit_expired:"+c.ID.String(),
				fmt.Sprintf("credit of %s expired unspent", c.ExpiresOn.Format(time.DateOnly)), time.Now()); err != nil {
				return 0, err
			}
		}
	}
	return len(cs), nil
}

// CreditExpiryArgs runs ExpireCredits for every tenant.
type CreditExpiryArgs struct{}

// Kind names the job.
func (CreditExpiryArgs) Kind() string { return "billing_credit_expiry" }

type creditExpiryWorker struct {
	river.WorkerDefaults[CreditExpiryArgs]
	s *Service
}

// Work expires due credits tenant by tenant, each in its own transaction.
func (w *creditExpiryWorker) Work(ctx context.Context, _ *river.Job[CreditExpiryArgs]) error {
	return w.s.eachTenant(ctx, func(tx *tenants.Tx) error {
		_, err := ExpireCredits(ctx, tx)
		return err
	})
}
