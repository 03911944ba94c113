package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Bill statuses: a draft is edited (lines, discount, 发票 data), issued bills are owed and
// paid, a paid bill owes nothing (a refund may make it owe again); a cancelled part order's
// bill that took no money is void.
const (
	BillDraft  = "draft"
	BillIssued = "issued"
	BillPaid   = "paid"
	BillVoid   = "void"
)

// BillStatuses lists the bill statuses, in the order the API documents them.
var BillStatuses = []string{BillDraft, BillIssued, BillPaid, BillVoid}

// BillLineKinds are what a bill line charges for (BillLine.Kind), in the order the API documents them.
var BillLineKinds = []string{"part", "labour", "visit", "shipping", "other"}

// BillLineSources are where a bill line came from (BillLine.Source), in the order the API documents them.
var BillLineSources = []string{"quote", "rate", "staff"}

// DiscountStatuses are the states of a bill's discount, in the order the API documents them.
var DiscountStatuses = []string{"none", "approved", "pending", "rejected"}

// defaultDiscountLimits are the percent of the subtotal each role gives without approval,
// until the tenant sets its own (MoneyTerms.DiscountLimits).
var defaultDiscountLimits = map[access.Role]int32{access.TenantAdmin: 100, access.OutletManager: 30, access.Finance: 30,
	access.Agent: 10, access.Engineer: 5}

// BillLine is one line of a bill: the full amount, who pays what the customer does not, and
// the customer's share, all in minor units.
type BillLine struct {
	Kind           string `json:"kind"`
	Description    string `json:"description" minLength:"1" maxLength:"500"`
	Quantity       int    `json:"quantity" minimum:"1" maximum:"1000"`
	UnitPrice      int64  `json:"unit_price" minimum:"0" maximum:"100000000" doc:"Minor units"`
	Amount         int64  `json:"amount" readOnly:"true" doc:"Quantity times unit price (minor units)"`
	Coverage       string `json:"coverage" readOnly:"true" doc:"How the entitlement covers it"`
	Payer          string `json:"payer" readOnly:"true" doc:"Who pays what the customer does not: the maker (warranty), a plan, or the customer"`
	CustomerAmount int64  `json:"customer_amount" readOnly:"true" doc:"The customer's share (minor units): all that is billed to them"`
	Source         string `json:"source" readOnly:"true" doc:"The approved quote, the tenant's rates, or staff"`
}

// BillCredit is customer credit spent on a bill when it was issued.
type BillCredit struct {
	CreditID uuid.UUID `json:"credit_id"`
	Amount   int64     `json:"amount"`
}

// Bill is a service order's bill to its customer.
type Bill struct {
	ID                  uuid.UUID    `json:"id"`
	OrderID             *uuid.UUID   `json:"order_id,omitempty" doc:"The service order billed (a repair's bill)"`
	PartOrderID         *uuid.UUID   `json:"part_order_id,omitempty" doc:"The part order billed (parts bought at the counter)"`
	OutletID            *uuid.UUID   `json:"outlet_id,omitempty"`
	CustomerID          uuid.UUID    `json:"customer_id"`
	QuoteID             *uuid.UUID   `json:"quote_id,omitempty"`
	Number              string       `json:"number" doc:"The order's number"`
	Currency            string       `json:"currency"`
	Status              string       `json:"status"`
	Lines               []BillLine   `json:"lines"`
	Subtotal            int64        `json:"subtotal" doc:"The customer's share of all lines (minor units)"`
	Discount            int64        `json:"discount" doc:"Discount asked (minor units); counts only once approved"`
	DiscountReason      string       `json:"discount_reason,omitempty"`
	DiscountStatus      string       `json:"discount_status"`
	DiscountRequestedBy string       `json:"discount_requested_by,omitempty"`
	DiscountDecidedBy   string       `json:"discount_decided_by,omitempty"`
	CreditApplied       int64        `json:"credit_applied" doc:"The customer's credit spent on it when issued (minor units)"`
	Credits             []BillCredit `json:"credits"`
	Total               int64        `json:"total" doc:"Due: subtotal less the approved discount and the credit (minor units)"`
	Paid                int64        `json:"paid" doc:"Received (minor units)"`
	Refunded            int64        `json:"refunded" doc:"Given back (minor units)"`
	Balance             int64        `json:"balance" doc:"Still owed: total - paid + refunded (minor units); negative when overpaid"`
	BuyerName           string       `json:"buyer_name,omitempty" doc:"发票: the buyer's name"`
	BuyerTaxID          string       `json:"buyer_tax_id,omitempty" doc:"发票: the buyer's taxpayer id (统一社会信用代码)"`
	ReleaseReason       string       `json:"release_reason,omitempty" doc:"Why a manager let the unit go unpaid"`
	ReleasedBy          string       `json:"released_by,omitempty"`
	ReleasedAt          *time.Time   `json:"released_at,omitempty"`
	Version             int32        `json:"version"`
	IssuedAt            *time.Time   `json:"issued_at,omitempty"`
	SettledAt           *time.Time   `json:"settled_at,omitempty"`
	CreatedAt           time.Time    `json:"created_at"`
	PayURL              string       `json:"pay_url,omitempty" doc:"The customer's pay link; only in the response that issued the bill"`
}

func billFromRow(r db.Bill) Bill {
	b := Bill{ID: r.ID, OrderID: idPtr(r.OrderID), PartOrderID: idPtr(r.PartOrderID), OutletID: idPtr(r.OutletID), CustomerID: r.CustomerID, QuoteID: idPtr(r.QuoteID),
		Number: r.Number, Currency: r.Currency, Status: r.Status, Subtotal: r.Subtotal, Discount: r.Discount,
		DiscountReason: r.DiscountReason, DiscountStatus: r.DiscountStatus, DiscountRequestedBy: r.DiscountRequestedBy,
		DiscountDecidedBy: r.DiscountDecidedBy, CreditApplied: r.CreditApplied, Total: r.Total, Paid: r.Paid, Refunded: r.Refunded,
		Balance: r.Total - r.Paid + r.Refunded, BuyerName: r.BuyerName, BuyerTaxID: r.BuyerTaxID, ReleaseReason: r.ReleaseReason,
		ReleasedBy: r.ReleasedBy, ReleasedAt: r.ReleasedAt, Version: r.Version, IssuedAt: r.IssuedAt, SettledAt: r.SettledAt,
		CreatedAt: r.CreatedAt}
	_ = json.Unmarshal(r.Lines, &b.Lines)
	_ = json.Unmarshal(r.Credits, &b.Credits)
	if b.Lines == nil {
		b.Lines = []BillLine{}
	}
	if b.Credits == nil {
		b.Credits = []BillCredit{}
	}
	return b
}

// payPrefix is the token prefix of a bill's pay link.
const payPrefix = "pay_"

// priceBill prices lines under the order's entitlement and returns the customer's subtotal.
func priceBill(ent json.RawMessage, lines []BillLine, field string) ([]BillLine, int64, error) {
	var subtotal int64
	out := make([]BillLine, len(lines))
	for i, l := range lines {
		if !slices.Contains(BillLineKinds, l.Kind) {
			return nil, 0, fault.Invalid(fmt.Sprintf("%s[%d].kind", field, i), "must be one of "+strings.Join(BillLineKinds, ", "))
		}
		l.Amount = l.UnitPrice * int64(l.Quantity)
		if l.UnitPrice < 0 || l.Quantity < 1 || l.Amount > 100_000_000_000 {
			return nil, 0, fault.Invalid(fmt.Sprintf("%s[%d].unit_price", field, i), "the line total is out of range")
		}
		l.Coverage, l.CustomerAmount, l.Payer = orders.Share(ent, l.Kind, l.Amount)
		subtotal += l.CustomerAmount
		out[i] = l
	}
	return out, subtotal, nil
}

// CreateBill bills an order's customer from its latest approved quote (parts, labour, visit,
// shipping), adding labour at the tenant's rate for the order type and the visit fee of an
// on-site order when the quote names none. Each line's payer and the customer's share follow
// the order's warranty decision. One bill per order: billing it again returns the bill.
func CreateBill(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (Bill, error) {
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return Bill{}, err
	}
	if existing, err := tx.Q.GetBillOfOrder(ctx, tx, db.GetBillOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID}); err == nil {
		return billFromRow(existing), nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Bill{}, err
	}
	if o.Status == orders.StatusCancelled {
		return Bill{}, &fault.ConflictError{Detail: "order " + o.Number + " is cancelled; there is nothing to bill"}
	}
	qs, err := orders.Quotes(ctx, tx, orderID)
	if err != nil {
		return Bill{}, err
	}
	var quote *orders.Quote
	for i := range qs {
		if qs[i].Status == "approved" {
			quote = &qs[i]
		}
	}
	terms, err := GetSettings(ctx, tx)
	if err != nil {
		return Bill{}, err
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Bill{}, err
	}
	var lines []BillLine
	has := map[string]bool{}
	var quoteID uuid.NullUUID
	if quote != nil {
		quoteID = uuid.NullUUID{UUID: quote.ID, Valid: true}
		for _, l := range quote.Lines {
			lines = append(lines, BillLine{Kind: l.Kind, Description: l.Description, Quantity: l.Quantity, UnitPrice: l.UnitPrice, Source: "quote"})
			has[l.Kind] = true
		}
	}
	if rate := terms.LabourRates[o.Type]; rate > 0 && !has["labour"] {
		lines = append(lines, BillLine{Kind: "labour", Description: "Labour (" + o.Type + ")", Quantity: 1, UnitPrice: rate, Source: "rate"})
	}
	if terms.VisitFee > 0 && o.Flow == orders.FlowOnSite && !has["visit"] {
		lines = append(lines, BillLine{Kind: "visit", Description: "Visit fee", Quantity: 1, UnitPrice: terms.VisitFee, Source: "rate"})
	}
	lines, subtotal, err := priceBill(o.Entitlement, lines, "lines")
	if err != nil {
		return Bill{}, err
	}
	if lines == nil {
		lines = []BillLine{}
	}
	body, _ := json.Marshal(lines)
	row, err := tx.Q.CreateBill(ctx, tx, db.CreateBillParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), OrderID: nullID(orderID),
		OutletID: nullID(derefID(o.OutletID)), CustomerID: o.CustomerID, QuoteID: quoteID, Number: o.Number, Currency: t.Currency,
		Lines: body, Subtotal: subtotal})
	if errors.Is(err, pgx.ErrNoRows) {
		// Billed concurrently: the other request's bill stands.
		row, err = tx.Q.GetBillOfOrder(ctx, tx, db.GetBillOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
		if err != nil {
			return Bill{}, err
		}
		return billFromRow(row), nil
	}
	if err != nil {
		return Bill{}, fmt.Errorf("store bill of %s: %w", o.Number, err)
	}
	b := billFromRow(row)
	return b, tx.Audit(ctx, "bill.create", "bill", b.ID, nil, b)
}

func derefID(p *uuid.UUID) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return *p
}

// GetBill returns one bill in scope.
func GetBill(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Bill, error) {
	r, err := tx.Q.GetBill(ctx, tx, db.GetBillParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	return billFromRow(r), nil
}

// BillOfOrder returns an order's bill; fault.ErrNotFound when it has none (or is out of scope).
func BillOfOrder(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (Bill, error) {
	r, err := tx.Q.GetBillOfOrder(ctx, tx, db.GetBillOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	return billFromRow(r), nil
}

// DiscountInput is a discount asked on a draft bill.
type DiscountInput struct {
	Amount int64  `json:"amount" minimum:"0" maximum:"100000000000" doc:"Minor units off the customer's subtotal; 0 removes it"`
	Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Required with a discount (e.g. goodwill after a dispute)"`
}

// BillEdit is the editable part of a draft bill: staff's extra lines (the quote's and the
// rates' lines stay), the discount and the 发票 data.
type BillEdit struct {
	ExtraLines []BillLine     `json:"extra_lines,omitempty" maxItems:"50" doc:"Lines staff add (shipping, other); they replace earlier staff lines"`
	Discount   *DiscountInput `json:"discount,omitempty" doc:"Absent: unchanged"`
	BuyerName  string         `json:"buyer_name,omitempty" maxLength:"200" doc:"发票: the buyer's name"`
	BuyerTaxID string         `json:"buyer_tax_id,omitempty" pattern:"^([0-9A-Z]{15,20})?$" doc:"发票: the buyer's taxpayer id"`
}

// discountLimit is the percent of the subtotal role gives without approval.
func discountLimit(terms MoneyTerms, role access.Role) int32 {
	if v, ok := terms.DiscountLimits[string(role)]; ok {
		return v
	}
	return defaultDiscountLimits[role]
}

// UpdateBill edits a draft bill if version is current. A discount above the giver's limit
// (role: the caller's role) stays pending, and the bill cannot be issued, until a manager
// approves or rejects it.
func UpdateBill(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, role access.Role, in BillEdit) (Bill, error) {
	cur, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	if cur.Version != version {
		return Bill{}, fault.ErrStale
	}
	if cur.Status != BillDraft {
		return Bill{}, &fault.ConflictError{Detail: "bill " + cur.Number + " is " + cur.Status + "; only a draft is edited"}
	}
	// A repair's lines are priced under its order's entitlement; parts bought at the counter
	// (a part order's bill) are the customer's alone.
	var ent json.RawMessage
	if cur.OrderID.Valid {
		o, err := orders.Get(ctx, tx, cur.OrderID.UUID)
		if err != nil {
			return Bill{}, err
		}
		ent = o.Entitlement
	}
	old := billFromRow(cur)
	var kept, extra []BillLine
	for _, l := range old.Lines {
		if l.Source != "staff" {
			kept = append(kept, l)
		}
	}
	for _, l := range in.ExtraLines {
		l.Source = "staff"
		extra = append(extra, l)
	}
	kept, keptTotal, err := priceBill(ent, kept, "lines")
	if err != nil {
		return Bill{}, err
	}
	extra, extraTotal, err := priceBill(ent, extra, "extra_lines")
	if err != nil {
		return Bill{}, err
	}
	priced := make([]BillLine, 0, len(kept)+len(extra))
	priced = append(append(priced, kept...), extra...)
	subtotal := keptTotal + extraTotal
	p := db.UpdateBillDraftParams{TenantID: tx.Scope.TenantID, ID: id, Version: version, Subtotal: subtotal,
		Discount: cur.Discount, DiscountReason: cur.DiscountReason, DiscountStatus: cur.DiscountStatus,
		DiscountRequestedBy: cur.DiscountRequestedBy, DiscountDecidedBy: cur.DiscountDecidedBy,
		BuyerName: strings.TrimSpace(in.BuyerName), BuyerTaxID: strings.ToUpper(strings.TrimSpace(in.BuyerTaxID))}
	if d := in.Discount; d != nil {
		p.Discount, p.DiscountReason, p.DiscountRequestedBy, p.DiscountDecidedBy = d.Amount, strings.TrimSpace(d.Reason), tx.Scope.Actor.Label, ""
		switch {
		case d.Amount == 0:
			p.DiscountStatus, p.DiscountReason, p.DiscountRequestedBy = "none", "", ""
		case p.DiscountReason == "":
			return Bill{}, fault.Invalid("discount.reason", "give a reason for the discount")
		default:
			terms, err := GetSettings(ctx, tx)
			if err != nil {
				return Bill{}, err
			}
			p.DiscountStatus = "approved"
			if d.Amount*100 > int64(discountLimit(terms, role))*subtotal {
				p.DiscountStatus = "pending"
			}
		}
	}
	if p.Discount > subtotal {
		return Bill{}, fault.Invalid("discount.amount", fmt.Sprintf("is more than the customer's subtotal (%d)", subtotal))
	}
	p.Total = subtotal
	if p.DiscountStatus == "approved" {
		p.Total -= p.Discount
	}
	p.Lines, _ = json.Marshal(priced)
	now, err := tx.Now(ctx)
	if err != nil {
		return Bill{}, err
	}
	p.Now = now
	row, err := tx.Q.UpdateBillDraft(ctx, tx, p)
	if err != nil {
		return Bill{}, fault.StaleIfMissing(err)
	}
	b := billFromRow(row)
	return b, tx.Audit(ctx, "bill.update", "bill", id, old, b)
}

// DecideDiscount approves or rejects a draft bill's pending discount (a manager's call; the
// API grants it to bills:approve).
func DecideDiscount(ctx context.Context, tx *tenants.Tx, id uuid.UUID, approve bool) (Bill, error) {
	cur, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	if cur.Status != BillDraft || cur.DiscountStatus != "pending" {
		return Bill{}, &fault.ConflictError{Detail: "bill " + cur.Number + " has no pending discount"}
	}
	p := db.UpdateBillDraftParams{TenantID: tx.Scope.TenantID, ID: id, Version: cur.Version, Lines: cur.Lines, Subtotal: cur.Subtotal,
		Discount: cur.Discount, DiscountReason: cur.DiscountReason, DiscountStatus: "rejected", DiscountRequestedBy: cur.DiscountRequestedBy,
		DiscountDecidedBy: tx.Scope.Actor.Label, Total: cur.Subtotal, BuyerName: cur.BuyerName, BuyerTaxID: cur.BuyerTaxID}
	if approve {
		p.DiscountStatus, p.Total = "approved", cur.Subtotal-cur.Discount
	}
	if p.Now, err = tx.Now(ctx); err != nil {
		return Bill{}, err
	}
	row, err := tx.Q.UpdateBillDraft(ctx, tx, p)
	if err != nil {
		return Bill{}, fault.StaleIfMissing(err)
	}
	b := billFromRow(row)
	return b, tx.Audit(ctx, "bill.discount."+b.DiscountStatus, "bill", id, nil, b)
}

// IssueBill issues a draft bill to the customer if version is current: the customer's
// spendable credit pays what it can (soonest to expire first, recorded in the ledger), the
// pay link is made, and a bill that owes nothing is paid at once.
func (s *Service) IssueBill(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (Bill, error) {
	cur, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	if version != 0 && cur.Version != version {
		return Bill{}, fault.ErrStale
	}
	if cur.Status != BillDraft {
		return Bill{}, &fault.ConflictError{Detail: "bill " + cur.Number + " is already " + cur.Status}
	}
	if cur.DiscountStatus == "pending" {
		return Bill{}, &fault.ConflictError{Detail: "the discount on bill " + cur.Number + " awaits a manager's approval"}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Bill{}, err
	}
	// Credit pays what it can of the total; it is spent now, not reserved.
	var credits []BillCredit
	var credit int64
	if cur.Total > 0 {
		today, err := creditDay(ctx, tx)
		if err != nil {
			return Bill{}, err
		}
		cs, err := tx.Q.SpendableCredits(ctx, tx, db.SpendableCreditsParams{TenantID: tx.Scope.TenantID, CustomerID: cur.CustomerID,
			Currency: cur.Currency, OnDate: today})
		if err != nil {
			return Bill{}, err
		}
		for _, c := range cs {
			n := min(c.Remaining, cur.Total-credit)
			if n <= 0 {
				break
			}
			if err := tx.Q.TakeCredit(ctx, tx, db.TakeCreditParams{TenantID: tx.Scope.TenantID, ID: c.ID, Amount: n}); err != nil {
				return Bill{}, err
			}
			if _, err := tx.Q.InsertBillLedgerEntry(ctx, tx, db.InsertBillLedgerEntryParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
				Kind: "credit_redeemed", BillID: nullID(cur.ID), Amount: n, Currency: cur.Currency,
				EffectKey: "bill_credit:" + cur.ID.String() + ":" + c.ID.String(), Memo: "credit spent on bill " + cur.Number, OccurredAt: now}); err != nil {
				return Bill{}, err
			}
			credits = append(credits, BillCredit{CreditID: c.ID, Amount: n})
			credit += n
		}
	}
	if credits == nil {
		credits = []BillCredit{}
	}
	cbody, _ := json.Marshal(credits)
	token, hash := auth.NewLinkToken(payPrefix, tx.Scope.TenantID, cur.ID)
	status := BillIssued
	if cur.Total-credit <= 0 {
		status = BillPaid
	}
	row, err := tx.Q.IssueBill(ctx, tx, db.IssueBillParams{TenantID: tx.Scope.TenantID, ID: id, Version: cur.Version, Status: status,
		CreditApplied: credit, Credits: cbody, Total: cur.Total - credit, PayTokenHash: hash, Now: &now})
	if err != nil {
		return Bill{}, fault.StaleIfMissing(err)
	}
	b := billFromRow(row)
	b.PayURL = strings.TrimRight(s.cfg.PublicURL, "/") + "/pay/" + token
	return b, tx.Audit(ctx, "bill.issue", "bill", id, nil, b)
}

// ReleaseInput lets a unit go while its bill is unsettled.
type ReleaseInput struct {
	Reason string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why the unit goes unpaid (e.g. a company account billed monthly)"`
}

// ReleaseBill records a manager's release of an unsettled bill (the API grants it to
// bills:approve): the order may then be handed back (已取) or completed; the money stays owed.
func ReleaseBill(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in ReleaseInput) (Bill, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return Bill{}, fault.Invalid("reason", "give a reason to release the unit unpaid")
	}
	cur, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	if version != 0 && cur.Version != version {
		return Bill{}, fault.ErrStale
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Bill{}, err
	}
	row, err := tx.Q.ReleaseBill(ctx, tx, db.ReleaseBillParams{TenantID: tx.Scope.TenantID, ID: id, Version: cur.Version,
		ReleaseReason: reason, ReleasedBy: tx.Scope.Actor.Label, Now: &now})
	if err != nil {
		return Bill{}, fault.StaleIfMissing(err)
	}
	b := billFromRow(row)
	return b, tx.Audit(ctx, "bill.release", "bill", id, nil, b)
}

// BillByLink finds the bill of a pay link, in the link's tenant.
func BillByLink(ctx context.Context, tx *tenants.Tx, billID uuid.UUID, secretHash []byte) (Bill, error) {
	r, err := tx.Q.GetBill(ctx, tx, db.GetBillParams{TenantID: tx.Scope.TenantID, ID: billID})
	if err != nil || !auth.SameHash(r.PayTokenHash, secretHash) {
		return Bill{}, fault.ErrNotFound
	}
	return billFromRow(r), nil
}

// ParsePayLink splits a pay link token into its tenant, bill and secret hash.
func ParsePayLink(token string) (tenantID, billID uuid.UUID, secretHash []byte, err error) {
	tenantID, billID, secretHash, err = auth.ParseLinkToken(payPrefix, token)
	if err != nil {
		return uuid.Nil, uuid.Nil, nil, fault.ErrNotFound
	}
	return tenantID, billID, secretHash, nil
}

// ReceivablesFilter narrows the receivables list.
type ReceivablesFilter struct {
	Outlet   uuid.NullUUID
	BeforeID uuid.NullUUID
	Limit    int32
}

// Receivables lists issued bills with money owed, newest first.
func Receivables(ctx context.Context, tx *tenants.Tx, f ReceivablesFilter) ([]Bill, error) {
	rows, err := tx.Q.ListReceivables(ctx, tx, db.ListReceivablesParams{TenantID: tx.Scope.TenantID, OutletID: f.Outlet,
		BeforeID: f.BeforeID, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list receivables: %w", err)
	}
	out := make([]Bill, len(rows))
	for i, r := range rows {
		out[i] = billFromRow(r)
	}
	return out, nil
}
