package returns

import (
	"time"

	"github.com/google/uuid"
)

// CaseLineForCustomer is a case line as its customer follows it.
type CaseLineForCustomer struct {
	No           int        `json:"no"`
	Serial       string     `json:"serial"`
	Remedy       string     `json:"remedy"`
	Received     bool       `json:"received"`
	Inspection   string     `json:"inspection,omitempty"`
	Outcome      string     `json:"outcome,omitempty"`
	RefundAmount int64      `json:"refund_amount,omitempty"`
	RefundStatus string     `json:"refund_status,omitempty"`
	NewSerial    string     `json:"new_serial,omitempty" doc:"The unit given in exchange (its warranty starts anew)"`
	Difference   int64      `json:"difference,omitempty" doc:"An exchange to another model: owed by the customer (positive) or to them (negative)"`
	ShippedAt    *time.Time `json:"shipped_at,omitempty" doc:"An advance exchange: when the new unit shipped"`
}

// CaseStepForCustomer is a step of the case's progress, without who took it.
type CaseStepForCustomer struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Line int       `json:"line,omitempty"`
}

// CaseForCustomer is a case as its customer follows it in the portal: where it stands, each
// unit's outcome, the hold of an advance exchange and its deadline, and the steps so far;
// no staff names, notes or internal references.
type CaseForCustomer struct {
	ID         uuid.UUID             `json:"id"`
	Number     string                `json:"number"`
	Status     string                `json:"status"`
	Reason     string                `json:"reason"`
	Collection string                `json:"collection"`
	Currency   string                `json:"currency"`
	Refunded   int64                 `json:"refunded"`
	Difference int64                 `json:"difference"`
	Hold       *CaseHold             `json:"hold,omitempty"`
	Lines      []CaseLineForCustomer `json:"lines"`
	Steps      []CaseStepForCustomer `json:"steps"`
	Photos     int                   `json:"photos" doc:"How many photos I sent with the case"`
	CreatedAt  time.Time             `json:"created_at"`
	UpdatedAt  time.Time             `json:"updated_at"`
}

// ForCustomer is the case as its customer sees it.
func (c Case) ForCustomer() CaseForCustomer {
	v := CaseForCustomer{ID: c.ID, Number: c.Number, Status: c.Status, Reason: c.Reason, Collection: c.Collection, Currency: c.Currency,
		Refunded: c.Refunded, Difference: c.Difference, Lines: make([]CaseLineForCustomer, len(c.Lines)), Steps: make([]CaseStepForCustomer, len(c.Steps)),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Photos: len(c.AttachmentIDs)}
	if c.Hold != nil {
		h := *c.Hold
		h.Reference = ""
		v.Hold = &h
	}
	for i, l := range c.Lines {
		cl := CaseLineForCustomer{No: l.No, Serial: l.Serial, Remedy: l.Remedy, Received: l.Received, Inspection: l.Inspection, Outcome: l.Outcome}
		if l.Refund != nil {
			cl.RefundAmount, cl.RefundStatus = l.Refund.Amount, l.Refund.Status
		}
		if l.Exchange != nil {
			cl.NewSerial, cl.Difference = l.Exchange.Serial, l.Exchange.Difference
			if l.Exchange.Advance {
				at := l.Exchange.At
				cl.ShippedAt = &at
			}
		}
		v.Lines[i] = cl
	}
	for i, s := range c.Steps {
		v.Steps[i] = CaseStepForCustomer{At: s.At, Kind: s.Kind, Line: s.Line}
	}
	return v
}
