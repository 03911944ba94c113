package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// QuoteLine is one priced line of a quote. The customer's share follows the entitlement:
// a line the warranty covers costs the customer nothing, a shared one the policy's percent.
type QuoteLine struct {
	Kind           string `json:"kind"`
	Description    string `json:"description" minLength:"1" maxLength:"500"`
	Quantity       int    `json:"quantity" minimum:"1" maximum:"1000"`
	UnitPrice      int64  `json:"unit_price" minimum:"0" maximum:"100000000" doc:"Minor units"`
	Coverage       string `json:"coverage" readOnly:"true" doc:"Set from the entitlement"`
	CustomerAmount int64  `json:"customer_amount" readOnly:"true" doc:"The customer's share in minor units"`
}

// QuoteInput is a new quote for an order.
type QuoteInput struct {
	Lines []QuoteLine `json:"lines" minItems:"1" maxItems:"100"`
}

// Quote is a quote with the customer's answer.
type Quote struct {
	ID             uuid.UUID   `json:"id"`
	OrderID        uuid.UUID   `json:"order_id"`
	Status         string      `json:"status"`
	Currency       string      `json:"currency"`
	Lines          []QuoteLine `json:"lines"`
	TotalCharged   int64       `json:"total_charged" doc:"The customer's total in minor units"`
	DecidedAt      *time.Time  `json:"decided_at,omitempty"`
	DecidedChannel string      `json:"decided_channel,omitempty"`
	DecidedBy      string      `json:"decided_by,omitempty"`
	DecidedReason  string      `json:"decided_reason,omitempty" doc:"Why the customer declined"`
	CreatedBy      string      `json:"created_by"`
	CreatedAt      time.Time   `json:"created_at"`
	ApprovalURL    string      `json:"approval_url,omitempty" doc:"The customer's approval link; only in the response that created the quote"`
}

func quoteFromRow(r db.OrderQuote) Quote {
	q := Quote{ID: r.ID, OrderID: r.OrderID, Status: r.Status, Currency: r.Currency, TotalCharged: r.TotalCharged,
		DecidedAt: r.DecidedAt, DecidedChannel: r.DecidedChannel, DecidedBy: r.DecidedBy, DecidedReason: r.DecidedReason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal(r.Lines, &q.Lines)
	return q
}

// share is the customer's part of a line under the decision's charges.
func share(c warranty.Charges, kind string) warranty.Line {
	switch kind {
	case "part":
		return c.Parts.Line
	case "labour":
		return c.Labour.Line
	case "visit":
		return c.Visit.Line
	default:
		return c.Shipping.Line
	}
}

// priceLines sets each line's coverage and customer amount from the order's entitlement.
// Without a decision (an unregistered unit) everything is charged.
func priceLines(ent json.RawMessage, lines []QuoteLine) ([]QuoteLine, int64, error) {
	var res coverage.Result
	_ = json.Unmarshal(ent, &res)
	decided := res.Decision.Class != ""
	var total int64
	out := make([]QuoteLine, len(lines))
	for i, l := range lines {
		amount := l.UnitPrice * int64(l.Quantity)
		if amount > 1_000_000_000_00 {
			return nil, 0, fault.Invalid(fmt.Sprintf("lines[%d].unit_price", i), "the line total is too large")
		}
		line := warranty.Line{Mode: warranty.Charged}
		if decided {
			line = share(res.Decision.Charges, l.Kind)
		}
		switch line.Mode {
		case warranty.Free:
			l.Coverage, l.CustomerAmount = "covered", 0
		case warranty.Shared:
			l.Coverage, l.CustomerAmount = "shared", amount*int64(line.CustomerPercent)/100
		default:
			l.Coverage, l.CustomerAmount = "charged", amount
		}
		total += l.CustomerAmount
		out[i] = l
	}
	return out, total, nil
}

// CreateQuote prices lines per the entitlement and sends the quote to the customer: an
// earlier open quote is superseded; the customer answers by link and code or in the portal.
func (s *Service) CreateQuote(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in QuoteInput) (Quote, error) {
	r, err := lock(ctx, tx, orderID, 0)
	if err != nil {
		return Quote{}, err
	}
	if !IsOpen(r.Status) {
		return Quote{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; quotes are for open orders", r.Number, r.Status)}
	}
	lines, total, err := priceLines(r.Entitlement, in.Lines)
	if err != nil {
		return Quote{}, err
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Quote{}, err
	}
	if err := tx.Q.SupersedeQuotes(ctx, tx, db.SupersedeQuotesParams{TenantID: tx.Scope.TenantID, OrderID: orderID}); err != nil {
		return Quote{}, fmt.Errorf("supersede quotes: %w", err)
	}
	id := platform.NewID()
	token, hash := auth.NewLinkToken(quotePrefix, tx.Scope.TenantID, id)
	body, _ := json.Marshal(lines)
	row, err := tx.Q.CreateQuote(ctx, tx, db.CreateQuoteParams{TenantID: tx.Scope.TenantID,
		ID: id, OrderID: orderID, CustomerID: r.CustomerID, Currency: t.Currency, Lines: body,
		TotalCharged: total, TokenHash: hash, CreatedBy: tx.Scope.Actor.Label})
	if err != nil {
		return Quote{}, fmt.Errorf("store quote: %w", err)
	}
	q := quoteFromRow(row)
	q.ApprovalURL = strings.TrimRight(s.PublicURL, "/") + "/quote/" + token
	if err := record(ctx, tx, orderID, Entry{Kind: "quote", Public: true, Reason: "quote sent for approval",
		Data: map[string]any{"quote_id": id, "total_charged": total, "currency": t.Currency}}); err != nil {
		return Quote{}, err
	}
	if err := s.applyStatus(ctx, tx, orderFromRow(r)); err != nil {
		return Quote{}, err
	}
	if err := s.emit(ctx, tx, orderFromRow(r), "quote.to_approve", map[string]any{"quote_id": id, "approval_url": q.ApprovalURL,
		"total_charged": total, "currency": t.Currency},
		notice{vars: map[string]string{"approve_link": q.ApprovalURL, "amount": notify.FormatMoney(total, t.Currency)}}); err != nil {
		return Quote{}, err
	}
	return q, tx.Audit(ctx, "quote.create", "order_quote", id, nil, q)
}

// Quotes lists an order's quotes, oldest first.
func Quotes(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Quote, error) {
	rows, err := tx.Q.ListQuotes(ctx, tx, db.ListQuotesParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("list quotes: %w", err)
	}
	out := make([]Quote, len(rows))
	for i, r := range rows {
		out[i] = quoteFromRow(r)
	}
	return out, nil
}

// QuoteAnswer is the customer's answer to a quote.
type QuoteAnswer struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty" maxLength:"500" doc:"Why the customer declines: required when declining"`
}

// Check refuses a decline without a reason (before anything is spent on the answer, such as
// a one-time code).
func (a QuoteAnswer) Check() error {
	if !a.Approve && strings.TrimSpace(a.Reason) == "" {
		return fault.Invalid("reason", "give the reason for declining the quote")
	}
	return nil
}

// DecideQuote records the customer's answer with its time and channel (link, portal, or
// staff taking it by phone). Only the open quote can be answered, once.
func (s *Service) DecideQuote(ctx context.Context, tx *tenants.Tx, orderID, quoteID uuid.UUID, a QuoteAnswer, channel, by string) (Quote, error) {
	if err := a.Check(); err != nil {
		return Quote{}, err
	}
	r, err := lock(ctx, tx, orderID, 0)
	if err != nil {
		return Quote{}, err
	}
	cur, err := tx.Q.GetQuote(ctx, tx, db.GetQuoteParams{TenantID: tx.Scope.TenantID, ID: quoteID})
	if err != nil || cur.OrderID != orderID {
		return Quote{}, fault.ErrNotFound
	}
	if cur.Status != "sent" {
		return Quote{}, &fault.ConflictError{Detail: "this quote is " + cur.Status + "; only the open quote can be answered"}
	}
	status, reason, why := "declined", strings.TrimSpace(a.Reason), ""
	if a.Approve {
		status, reason = "approved", ""
	}
	if reason != "" {
		why = ": " + reason
	}
	row, err := tx.Q.DecideQuote(ctx, tx, db.DecideQuoteParams{TenantID: tx.Scope.TenantID,
		ID: quoteID, Status: status, DecidedChannel: channel, DecidedBy: by, DecidedReason: reason})
	if err != nil {
		return Quote{}, fault.StaleIfMissing(err)
	}
	q := quoteFromRow(row)
	data := map[string]any{"quote_id": quoteID, "status": status, "channel": channel}
	if reason != "" {
		data["reason"] = reason
	}
	if err := record(ctx, tx, orderID, Entry{Kind: "quote", Public: true, Reason: "quote " + status + " via " + channel + why,
		Data: data}); err != nil {
		return Quote{}, err
	}
	if err := s.applyStatus(ctx, tx, orderFromRow(r)); err != nil {
		return Quote{}, err
	}
	if err := s.emit(ctx, tx, orderFromRow(r), "quote."+status, map[string]any{"quote_id": quoteID, "channel": channel}); err != nil {
		return Quote{}, err
	}
	return q, tx.Audit(ctx, "quote.decide", "order_quote", quoteID, nil, q)
}

// GetQuote returns one quote, if its order is in scope.
func GetQuote(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Quote, error) {
	r, err := tx.Q.GetQuote(ctx, tx, db.GetQuoteParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Quote{}, fault.DBError(err, "", "")
	}
	if _, err := Get(ctx, tx, r.OrderID); err != nil {
		return Quote{}, err
	}
	return quoteFromRow(r), nil
}

// QuoteOrder returns the order a quote belongs to, if in scope.
func QuoteOrder(ctx context.Context, tx *tenants.Tx, quoteID uuid.UUID) (uuid.UUID, error) {
	r, err := tx.Q.GetQuote(ctx, tx, db.GetQuoteParams{TenantID: tx.Scope.TenantID, ID: quoteID})
	if err != nil {
		return uuid.Nil, fault.DBError(err, "", "")
	}
	if _, err := Get(ctx, tx, r.OrderID); err != nil {
		return uuid.Nil, err
	}
	return r.OrderID, nil
}

// QuoteByLink finds the quote and order of an approval link, in the link's tenant.
func QuoteByLink(ctx context.Context, tx *tenants.Tx, quoteID uuid.UUID, secretHash []byte) (Quote, Order, error) {
	r, err := tx.Q.GetQuote(ctx, tx, db.GetQuoteParams{TenantID: tx.Scope.TenantID, ID: quoteID})
	if err != nil || !auth.SameHash(r.TokenHash, secretHash) {
		return Quote{}, Order{}, fault.ErrNotFound
	}
	o, err := Get(ctx, tx, r.OrderID)
	return quoteFromRow(r), o, err
}

// ParseQuoteLink splits an approval link token into its tenant, quote and secret hash.
func ParseQuoteLink(token string) (tenantID, quoteID uuid.UUID, secretHash []byte, err error) {
	tenantID, quoteID, secretHash, err = auth.ParseLinkToken(quotePrefix, token)
	if err != nil {
		return uuid.Nil, uuid.Nil, nil, fault.ErrNotFound
	}
	return tenantID, quoteID, secretHash, nil
}

// Payers are who pays the part of a bill line the customer does not (BillLine.Payer): the
// customer for a charged line, else the maker (the warranty) or a plan the unit holds.
var Payers = []string{"customer", "maker", "plan"}

// Share is the customer's share of amount (minor units) for a line of kind under the order's
// entitlement snapshot, how the line is covered (one of QuoteCoverages) and who pays what the
// customer does not (one of Payers). Lines of kind "other" and orders without a decision are
// charged in full. Quotes and bills price lines by this one rule.
func Share(ent json.RawMessage, kind string, amount int64) (cov string, customer int64, payer string) {
	var res coverage.Result
	_ = json.Unmarshal(ent, &res)
	line := warranty.Line{Mode: warranty.Charged}
	if res.Decision.Class != "" && kind != "other" {
		line = share(res.Decision.Charges, kind)
	}
	payer = "maker"
	if res.Decision.GrantID != "" {
		payer = "plan"
	}
	switch line.Mode {
	case warranty.Free:
		return "covered", 0, payer
	case warranty.Shared:
		return "shared", amount * int64(line.CustomerPercent) / 100, payer
	default:
		return "charged", amount, "customer"
	}
}

// QuoteLineKinds are what a quote line charges for (QuoteLine.Kind), in the order the API documents them.
var QuoteLineKinds = []string{"part", "labour", "visit", "shipping"}

// QuoteCoverages are how the entitlement covers a quote line (QuoteLine.Coverage), in the order the API documents them.
var QuoteCoverages = []string{"covered", "shared", "charged"}

// QuoteStatuses are the states of a quote (Quote.Status), in the order the API documents them.
var QuoteStatuses = []string{"sent", "approved", "declined", "superseded"}

// QuoteChannels are where a customer answered a quote (Quote.DecidedChannel), in the order the API documents them.
var QuoteChannels = []string{"link", "portal", "staff"}
