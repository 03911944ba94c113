package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Part is a part used on an order, with the serials of the replaced and the new part.
type Part struct {
	Code      string `json:"code" minLength:"1" maxLength:"64"`
	Name      string `json:"name,omitempty" maxLength:"200"`
	Quantity  int    `json:"quantity" minimum:"1" maximum:"1000"`
	OldSerial string `json:"old_serial,omitempty" maxLength:"64" doc:"Serial of the part taken out"`
	NewSerial string `json:"new_serial,omitempty" maxLength:"64" doc:"Serial of the part put in"`
}

// Completion is the engineer's report: what was wrong, what was done, with what, and how it
// ended. An exclusion (misuse, liquid damage, ...) names who decided it and the evidence.
type Completion struct {
	Diagnosis   string      `json:"diagnosis" minLength:"1" maxLength:"4000"`
	FaultCode   string      `json:"fault_code,omitempty" maxLength:"64"`
	Component   string      `json:"component,omitempty" maxLength:"64"`
	WorkDone    string      `json:"work_done" minLength:"1" maxLength:"4000"`
	Parts       []Part      `json:"parts,omitempty" maxItems:"100"`
	Result      string      `json:"result"`
	Exclusion   string      `json:"exclusion,omitempty" doc:"A cause the warranty excludes, found in the diagnosis"` // one of warranty.ExclusionCodes
	EvidenceIDs []uuid.UUID `json:"evidence_ids,omitempty" maxItems:"20" doc:"Attachments proving the exclusion; required with one"`
	PhotoIDs    []uuid.UUID `json:"photo_ids,omitempty" maxItems:"20"`
	SignatureID *uuid.UUID  `json:"signature_id,omitempty" doc:"The customer's signature (an attachment of kind signature)"`
	DecidedBy   string      `json:"decided_by,omitempty" readOnly:"true" doc:"Who made the diagnosis (set by the server)"`
	CompletedAt time.Time   `json:"completed_at,omitempty" readOnly:"true"`
}

// completionStatus is where a result leaves an order of the flow.
func completionStatus(flow, from, result string) string {
	if result == "needs_parts" {
		return StatusWaitingParts
	}
	if flow == FlowOnSite {
		return StatusCompleted
	}
	if result == "not_fixed" && from == StatusRepairing {
		return StatusEscalated
	}
	return StatusReadyForPickup
}

// Complete records the engineer's report and moves the order on by its result: fixed or
// exchanged units are ready (carry-in) or the visit is completed (on-site); needing parts
// waits for them; a carry-in unit not fixed is escalated (难修). The entitlement is
// re-evaluated, since the diagnosis may invoke an exclusion.
func (s *Service) Complete(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, c Completion) (Order, error) {
	r, err := lock(ctx, tx, id, version)
	if err != nil {
		return Order{}, err
	}
	workable := []string{StatusRepairing, StatusEscalated, StatusOnSite}
	if !slices.Contains(workable, r.Status) {
		return Order{}, &fault.ConflictError{Detail: fmt.Sprintf("order %s is %s; a report is filed while repairing, escalated or on site", r.Number, r.Status)}
	}
	if strings.TrimSpace(c.Diagnosis) == "" {
		return Order{}, fault.Invalid("diagnosis", "describe the diagnosis")
	}
	if c.Exclusion != "" && len(c.EvidenceIDs) == 0 {
		return Order{}, fault.Invalid("evidence_ids", "an exclusion needs evidence: upload photos as attachments and list them")
	}
	atts, err := tx.Q.ListAttachments(ctx, tx, db.ListAttachmentsParams{TenantID: tx.Scope.TenantID, OrderID: id})
	if err != nil {
		return Order{}, fmt.Errorf("attachments: %w", err)
	}
	have := map[uuid.UUID]string{}
	for _, a := range atts {
		have[a.ID] = a.Kind
	}
	for i, e := range c.EvidenceIDs {
		if _, ok := have[e]; !ok {
			return Order{}, fault.Invalid(fmt.Sprintf("evidence_ids[%d]", i), "is not an attachment of this order")
		}
	}
	for i, e := range c.PhotoIDs {
		if _, ok := have[e]; !ok {
			return Order{}, fault.Invalid(fmt.Sprintf("photo_ids[%d]", i), "is not an attachment of this order")
		}
	}
	if c.SignatureID != nil && have[*c.SignatureID] != "signature" {
		return Order{}, fault.Invalid("signature_id", "is not a signature attached to this order")
	}
	code := r.FaultCode
	if strings.TrimSpace(c.FaultCode) != "" {
		fc, err := catalog.EnsureFaultCode(ctx, tx, c.FaultCode, "", c.Component)
		if err != nil {
			return Order{}, fieldPrefix(err, "fault_code")
		}
		code = fc.Code
	}
	c.FaultCode = code
	if c.Component == "" {
		c.Component = r.Component
	}
	c.DecidedBy = tx.Scope.Actor.Kind + ":" + tx.Scope.Actor.Label
	now, err := s.now(ctx, tx)
	if err != nil {
		return Order{}, err
	}
	c.CompletedAt = now.UTC()
	body, err := json.Marshal(c)
	if err != nil {
		return Order{}, fmt.Errorf("encode completion: %w", err)
	}
	if err := tx.Q.SetOrderCompletion(ctx, tx, db.SetOrderCompletionParams{TenantID: tx.Scope.TenantID,
		ID: id, Completion: body, Result: c.Result,
		FaultCode: code, Component: c.Component}); err != nil {
		return Order{}, fmt.Errorf("store completion: %w", err)
	}
	if err := record(ctx, tx, id, Entry{Kind: "completion", Public: true, Reason: c.Result,
		Data: map[string]any{"result": c.Result, "exclusion": c.Exclusion, "decided_by": c.DecidedBy, "evidence_ids": c.EvidenceIDs,
			"parts": c.Parts}}); err != nil {
		return Order{}, err
	}
	r.Completion, r.Result, r.FaultCode, r.Component = body, c.Result, code, c.Component
	to := completionStatus(r.Flow, r.Status, c.Result)
	o, err := s.move(ctx, tx, r, to, "report: "+c.Result, map[string]any{"result": c.Result})
	if err != nil {
		return Order{}, err
	}
	why := "engineer's report"
	if c.Exclusion != "" {
		why = "diagnosis invoked the exclusion " + c.Exclusion
	}
	return s.evaluate(ctx, tx, o, why)
}

// Results are the results a completion records (Completion.Result), in the order the API documents them.
var Results = []string{"fixed", "not_fixed", "needs_parts", "exchange"}
