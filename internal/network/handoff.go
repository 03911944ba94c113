package network

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
	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Directions of a job between tenants, as one side sees it.
const (
	DirectionSent     = "sent"
	DirectionReceived = "received"
)

// Directions lists the directions.
var Directions = []string{DirectionSent, DirectionReceived}

// Contact is the customer's contact as the provider receives it: each field in full or
// masked, as the agreement's terms share it.
type Contact struct {
	Name    string   `json:"name"`
	Phone   string   `json:"phone,omitempty"`
	Address string   `json:"address,omitempty"`
	Masked  []string `json:"masked,omitempty" doc:"The fields the agreement shares masked"`
}

// Facts are what a handed-off job carries to the provider: the unit, the fault, the
// warranty decision, the customer's contact as the agreement allows, and where.
type Facts struct {
	SenderOrderNumber string          `json:"sender_order_number"`
	Type              string          `json:"type"`
	Flow              string          `json:"flow"`
	FaultDescription  string          `json:"fault_description"`
	FaultCode         string          `json:"fault_code,omitempty"`
	Component         string          `json:"component,omitempty"`
	Serial            string          `json:"serial,omitempty"`
	Model             string          `json:"model,omitempty" doc:"The sender's model name and SKU"`
	Category          string          `json:"category,omitempty" doc:"The sender's category code"`
	Decision          string          `json:"decision,omitempty" doc:"The sender's warranty decision class"`
	Remedies          []string        `json:"remedies,omitempty" doc:"The remedies the sender's decision allows"`
	Contact           Contact         `json:"contact"`
	Location          orders.Location `json:"location"`
	Note              string          `json:"note,omitempty"`
	Coverage          *JobCoverage    `json:"coverage,omitempty" doc:"How the sender's decision covers each kind of cost: what the provider claims and from whom"`
	Parts             []JobPart       `json:"parts,omitempty" doc:"The parts the sender held (released at the hand-off) or issued for the order before it handed it off"`
}

// JobCoverage is the part of the sender's warranty decision a claim is priced by: the share of
// each kind of cost the customer pays, and whether a paid plan pays the rest.
type JobCoverage struct {
	Charges warranty.Charges `json:"charges"`
	Plan    bool             `json:"plan,omitempty" doc:"A paid plan, not the maker's warranty, pays the covered cost"`
}

// PartnerJob is a job handed between tenants, as this side sees it: its own order and what the
// partner reported (sent), or the order received and who sent it (received).
type PartnerJob struct {
	ID                 uuid.UUID       `json:"id"`
	Direction          string          `json:"direction"`
	AgreementID        uuid.UUID       `json:"agreement_id"`
	PartnerTenantID    uuid.UUID       `json:"partner_tenant_id"`
	PartnerName        string          `json:"partner_name"`
	OrderID            uuid.UUID       `json:"order_id" doc:"This tenant's own order"`
	OrderNumber        string          `json:"order_number,omitempty"`
	OrderStatus        string          `json:"order_status,omitempty"`
	OrderType          string          `json:"order_type,omitempty"`
	PartnerOrderNumber string          `json:"partner_order_number,omitempty"`
	PartnerStatus      string          `json:"partner_status,omitempty" doc:"sent: the partner's order status as last reported"`
	Facts              Facts           `json:"facts"`
	PartnerParts       []JobPart       `json:"partner_parts" doc:"sent: the parts the partner reported used on its order, with the serials taken out and put in"`
	PartnerShares      []EngineerShare `json:"partner_shares" doc:"sent: the partner's engineers on its order and their shares of the job"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
}

// view is a job as the scope may see it: for staff without contacts:unmasked the
// customer's phone and street address come masked, like everywhere else in the product,
// whatever the agreement shares with the tenant.
func view(tx *tenants.Tx, j PartnerJob) PartnerJob {
	if !tx.Scope.MaskContacts {
		return j
	}
	c := &j.Facts.Contact
	masked := func(field string) bool { return slices.Contains(c.Masked, field) }
	if c.Phone != "" && !masked("phone") {
		c.Phone = access.MaskPhone(c.Phone)
	}
	if !masked("address") {
		c.Address, j.Facts.Location.Address = access.MaskAddress(c.Address), access.MaskAddress(j.Facts.Location.Address)
	}
	return j
}

func jobFromRow(r db.NetworkJob) (PartnerJob, error) {
	j := PartnerJob{ID: r.ID, Direction: r.Direction, AgreementID: r.AgreementID, PartnerTenantID: r.PartnerTenantID,
		PartnerName: r.PartnerName, OrderID: r.OrderID, PartnerOrderNumber: r.PartnerOrderNumber,
		PartnerStatus: r.PartnerStatus, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Facts, &j.Facts); err != nil {
		return PartnerJob{}, fmt.Errorf("job %s facts: %w", r.ID, err)
	}
	var err error
	if j.PartnerParts, j.PartnerShares, err = workOf(r); err != nil {
		return PartnerJob{}, err
	}
	return j, nil
}

// HandOffInput names the agreement to send an order's job under.
type HandOffInput struct {
	AgreementID uuid.UUID `json:"agreement_id"`
	Note        string    `json:"note,omitempty" maxLength:"1000" doc:"A word for the provider"`
}

// sentBody is the message of a job sent.
type sentBody struct {
	JobID uuid.UUID `json:"job_id"`
	Facts Facts     `json:"facts"`
}

// HandOff sends an open order's job to the provider of an active agreement in force today
// whose categories and regions cover it. The provider's order appears when the message is
// applied there; its progress comes back to this order's timeline.
func (s *Service) HandOff(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in HandOffInput) (PartnerJob, error) {
	o, err := tx.Q.GetOrderForUpdate(ctx, tx, db.GetOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: orderID})
	if err != nil {
		return PartnerJob{}, fault.DBError(err, "", "")
	}
	if !orders.IsOpen(o.Status) {
		return PartnerJob{}, &fault.ConflictError{Detail: "the order is " + o.Status + "; only an open order is handed off"}
	}
	a, err := tx.Q.LockAgreement(ctx, tx, db.LockAgreementParams{TenantID: tx.Scope.TenantID, ID: in.AgreementID})
	if err != nil {
		return PartnerJob{}, notFoundAs(err, "agreement_id", "is not an agreement of this tenant")
	}
	if a.Role != RolePrincipal || a.Status != StatusActive {
		return PartnerJob{}, fault.Invalid("agreement_id", "must be an active agreement under which this tenant sends work")
	}
	ag, err := agreementFromRow(a)
	if err != nil {
		return PartnerJob{}, err
	}
	today, err := today(ctx, tx)
	if err != nil {
		return PartnerJob{}, err
	}
	if !ag.Terms.covers(today) {
		return PartnerJob{}, fault.Invalid("agreement_id", "is not in force today ("+ag.Terms.ValidFrom+" to "+ag.Terms.ValidUntil+")")
	}
	if _, err := tx.Q.NetworkJobOfOrder(ctx, tx, db.NetworkJobOfOrderParams{TenantID: tx.Scope.TenantID,
		Direction: DirectionSent, OrderID: orderID}); err == nil {
		return PartnerJob{}, &fault.ConflictError{Detail: "the order was handed off already"}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return PartnerJob{}, fmt.Errorf("earlier hand-off: %w", err)
	}
	facts, err := factsOf(ctx, tx, o, *ag.Terms)
	if err != nil {
		return PartnerJob{}, err
	}
	facts.Note = in.Note
	if len(ag.Terms.Regions) > 0 && !slices.ContainsFunc([]string{o.ProvinceCode, o.CityCode, o.DistrictCode},
		func(c string) bool { return c != "" && slices.Contains(ag.Terms.Regions, c) }) {
		return PartnerJob{}, fault.Invalid("agreement_id", "does not cover the order's region")
	}
	if len(ag.Terms.Categories) > 0 && !slices.Contains(ag.Terms.Categories, facts.Category) {
		return PartnerJob{}, fault.Invalid("agreement_id", "does not cover the unit's category")
	}
	if facts.Parts, err = s.carriedParts(ctx, tx, o.ID); err != nil {
		return PartnerJob{}, err
	}
	b, err := json.Marshal(facts)
	if err != nil {
		return PartnerJob{}, fmt.Errorf("encode facts: %w", err)
	}
	r, err := tx.Q.InsertNetworkJob(ctx, tx, db.InsertNetworkJobParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Direction: DirectionSent, AgreementID: a.ID, PartnerTenantID: a.PartnerTenantID, PartnerName: a.PartnerName,
		OrderID: o.ID, Facts: b})
	if err != nil {
		return PartnerJob{}, fault.DBError(err, "the order was handed off already", "")
	}
	if err := s.send(ctx, tx, a, KindJobSent, sentBody{JobID: r.ID, Facts: facts}); err != nil {
		return PartnerJob{}, err
	}
	if err := orders.Record(ctx, tx, o.ID, orders.Entry{Kind: "handoff", Public: false,
		Reason: "sent to partner " + a.PartnerName, Data: map[string]any{"job_id": r.ID, "agreement_id": a.ID,
			"partner": a.PartnerName, "masked": facts.Contact.Masked, "parts": facts.Parts}}); err != nil {
		return PartnerJob{}, err
	}
	j, err := jobFromRow(r)
	if err != nil {
		return PartnerJob{}, err
	}
	if err := s.emit(ctx, tx, EventJobSent, "network_job", j.ID, map[string]any{"job_id": j.ID, "order_id": o.ID,
		"order_number": o.Number, "agreement_id": a.ID, "partner_tenant_id": a.PartnerTenantID, "partner": a.PartnerName}); err != nil {
		return PartnerJob{}, err
	}
	j.OrderNumber, j.OrderStatus, j.OrderType = o.Number, o.Status, o.TypeCode
	if err := tx.Audit(ctx, "order.hand_off", "network_job", j.ID, nil, j); err != nil {
		return PartnerJob{}, err
	}
	return view(tx, j), nil
}

// today is the tenant's date now.
func today(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	return now.In(loc), nil
}

// factsOf gathers what the provider is told of order o under terms: contact fields in full
// or masked, as the terms share them (read in full here, whatever the caller's scope).
func factsOf(ctx context.Context, tx *tenants.Tx, o db.ServiceOrder, terms Terms) (Facts, error) {
	f := Facts{SenderOrderNumber: o.Number, Type: o.TypeCode, Flow: o.Flow, FaultDescription: o.FaultDescription,
		FaultCode: o.FaultCode, Component: o.Component, Serial: o.Serial, Decision: o.EntitlementClass,
		Location: orders.Location{ProvinceCode: o.ProvinceCode, CityCode: o.CityCode, DistrictCode: o.DistrictCode,
			PostalCode: o.PostalCode, Address: o.Address}}
	var ent struct {
		Decision warranty.Decision `json:"decision"`
	}
	if json.Unmarshal(o.Entitlement, &ent) == nil {
		f.Remedies = ent.Decision.Remedies
		if ent.Decision.Class != "" {
			f.Coverage = &JobCoverage{Charges: ent.Decision.Charges, Plan: ent.Decision.GrantID != ""}
		}
	}
	if o.ModelID.Valid {
		m, err := catalog.GetModel(ctx, tx, o.ModelID.UUID)
		if err != nil {
			return Facts{}, fmt.Errorf("model of the order: %w", err)
		}
		f.Model = strings.TrimSpace(m.Name + " " + m.SKU)
		c, err := catalog.GetCategory(ctx, tx, m.CategoryID)
		if err != nil {
			return Facts{}, fmt.Errorf("category of the order: %w", err)
		}
		f.Category = c.Code
	}
	c, err := customers.Contact(ctx, tx, o.CustomerID)
	if err != nil {
		return Facts{}, fmt.Errorf("customer of the order: %w", err)
	}
	f.Contact = Contact{Name: c.Name, Phone: c.Phone, Address: c.Address}
	if f.Location.Address == "" {
		f.Location.Address = c.Address
	}
	if terms.Contact.Name == ShareMasked {
		f.Contact.Name, f.Contact.Masked = maskName(c.Name), append(f.Contact.Masked, "name")
	}
	if terms.Contact.Phone == ShareMasked {
		f.Contact.Phone, f.Contact.Masked = access.MaskPhone(c.Phone), append(f.Contact.Masked, "phone")
	}
	if terms.Contact.Address == ShareMasked {
		f.Contact.Address, f.Location.Address = access.MaskAddress(f.Contact.Address), access.MaskAddress(f.Location.Address)
		f.Contact.Masked = append(f.Contact.Masked, "address")
	}
	return f, nil
}

// maskName keeps a name's first character: 张三丰 -> 张**.
func maskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 1 {
		return "*"
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}

// applyJobSent takes a job in as the provider's own order: its own customer record (with
// the contact the agreement shares; a masked phone is kept on the job, not as a phone),
// the unit by serial, the fault, and the sender's decision on the timeline.
func (s *Service) applyJobSent(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b sentBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("job body: %v", err)
	}
	if a.Role != RoleProvider || a.Status != StatusActive {
		return refuse("jobs are received under an active agreement where this tenant is the provider")
	}
	f := b.Facts
	typ, err := localType(ctx, tx, f.Type, f.Flow)
	if err != nil {
		return err
	}
	fields := customers.Fields{Name: f.Contact.Name, ProvinceCode: f.Location.ProvinceCode, CityCode: f.Location.CityCode,
		DistrictCode: f.Location.DistrictCode, Address: f.Contact.Address}
	if !slices.Contains(f.Contact.Masked, "phone") {
		fields.Phone = f.Contact.Phone
	}
	if strings.TrimSpace(fields.Name) == "" {
		fields.Name = "*"
	}
	loc := f.Location
	desc := f.FaultDescription
	if strings.TrimSpace(desc) == "" {
		desc = "(no description)"
	}
	created, err := s.Orders.Create(ctx, tx, orders.Intake{Type: typ, Channel: "api", Flow: f.Flow, Customer: &fields,
		Serial: f.Serial, Location: &loc, FaultDescription: desc, FaultCode: f.FaultCode, Component: f.Component})
	if err != nil {
		return fmt.Errorf("take the job in: %w", err)
	}
	facts, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode facts: %w", err)
	}
	if _, err := tx.Q.InsertNetworkJob(ctx, tx, db.InsertNetworkJobParams{TenantID: tx.Scope.TenantID, ID: b.JobID,
		Direction: DirectionReceived, AgreementID: a.ID, PartnerTenantID: a.PartnerTenantID, PartnerName: a.PartnerName,
		OrderID: created.Order.ID, PartnerOrderNumber: f.SenderOrderNumber, Facts: facts}); err != nil {
		return fault.DBError(err, "the job was received already", "")
	}
	if err := s.emit(ctx, tx, EventJobReceived, "network_job", b.JobID, map[string]any{"job_id": b.JobID,
		"order_id": created.Order.ID, "order_number": created.Order.Number, "agreement_id": a.ID,
		"partner_tenant_id": a.PartnerTenantID, "partner": a.PartnerName, "sender_order_number": f.SenderOrderNumber}); err != nil {
		return err
	}
	return orders.Record(ctx, tx, created.Order.ID, orders.Entry{Kind: "handoff",
		Reason: "received from partner " + a.PartnerName + " (" + f.SenderOrderNumber + ")",
		Data: map[string]any{"job_id": b.JobID, "partner": a.PartnerName, "sender_order_number": f.SenderOrderNumber,
			"decision": f.Decision, "remedies": f.Remedies, "model": f.Model, "masked": f.Contact.Masked, "parts": f.Parts}})
}

// localType is the receiver's order type for the sender's: the same code when the receiver
// has it, else the receiver's first active type of the flow.
func localType(ctx context.Context, tx *tenants.Tx, code, flow string) (string, error) {
	all, err := orders.Types(ctx, tx)
	if err != nil {
		return "", err
	}
	fallback := ""
	for _, t := range all {
		if !t.Active {
			continue
		}
		if t.Code == code {
			return code, nil
		}
		if fallback == "" && t.Flow == flow {
			fallback = t.Code
		}
	}
	if fallback == "" {
		return "", refuse("no active order type of flow %s to take the job in", flow)
	}
	return fallback, nil
}

// updatedBody is the provider's report of its order.
type updatedBody struct {
	JobID       uuid.UUID           `json:"job_id"`
	OrderNumber string              `json:"order_number"`
	Status      string              `json:"status"`
	Version     int32               `json:"version"`
	Event       string              `json:"event"`
	Appointment *orders.Appointment `json:"appointment,omitempty"`
	Result      string              `json:"result,omitempty"`
	Parts       []orders.Part       `json:"parts,omitempty"`
	Shares      []EngineerShare     `json:"shares,omitempty"`
}

// Name names the network as an event consumer.
func (s *Service) Name() string { return "network" }

// Wants the events of orders and their appointments: a received job's progress goes back
// to its sender.
func (s *Service) Wants(typ string) bool {
	return strings.HasPrefix(typ, "order.") || strings.HasPrefix(typ, "appointment.")
}

// WantsIn says whether the tenant has ever received a job from a partner
// (events.TenantFilter): only then can an order event be a received job's progress to
// report, so a tenant that works for no partner queues no network delivery per event.
func (s *Service) WantsIn(ctx context.Context, tx *tenants.Tx, _ string) (bool, error) {
	return tx.Q.ReceivesNetworkJobs(ctx, tx, tx.Scope.TenantID)
}

// Handle reports a received job's order, as it stands now, to the job's sender; events of
// other orders are none of the network's business. The report carries the order's version,
// so a late report of an older state changes nothing on the sender's side.
func (s *Service) Handle(ctx context.Context, ev events.Event) error {
	if ev.Subject != "service_order" {
		return nil
	}
	return s.DB.Tx(ctx, tenants.Scope{TenantID: ev.TenantID, Actor: actor}, func(tx *tenants.Tx) error {
		j, err := tx.Q.NetworkJobOfOrder(ctx, tx, db.NetworkJobOfOrderParams{TenantID: ev.TenantID,
			Direction: DirectionReceived, OrderID: ev.SubjectID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("job of order %s: %w", ev.SubjectID, err)
		}
		o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: ev.TenantID, ID: ev.SubjectID})
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.SubjectID, err)
		}
		body := updatedBody{JobID: j.ID, OrderNumber: o.Number, Status: o.Status, Version: o.Version, Event: ev.Type, Result: o.Result}
		if len(o.Completion) > 0 {
			var c orders.Completion
			if err := json.Unmarshal(o.Completion, &c); err == nil {
				body.Parts = c.Parts
			}
		}
		day, err := today(ctx, tx)
		if err != nil {
			return err
		}
		if body.Shares, err = shares(ctx, tx, o.ID, day); err != nil {
			return err
		}
		apps, err := orders.Appointments(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if len(apps) > 0 {
			body.Appointment = &apps[len(apps)-1]
		}
		a, err := tx.Q.LockAgreement(ctx, tx, db.LockAgreementParams{TenantID: ev.TenantID, ID: j.AgreementID})
		if err != nil {
			return fmt.Errorf("agreement of job %s: %w", j.ID, err)
		}
		return s.send(ctx, tx, a, KindJobUpdated, body)
	})
}

// applyJobUpdated mirrors the provider's report on the sender's job and writes it to the
// sender's order timeline (public: the consumer follows one order, the sender's).
func (s *Service) applyJobUpdated(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b updatedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("report body: %v", err)
	}
	j, err := tx.Q.GetNetworkJob(ctx, tx, db.GetNetworkJobParams{TenantID: tx.Scope.TenantID, ID: b.JobID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (j.Direction != DirectionSent || j.AgreementID != a.ID)) {
		return refuse("job %s was not sent to this partner under the agreement", b.JobID)
	}
	if err != nil {
		return fmt.Errorf("job %s: %w", b.JobID, err)
	}
	before := j.PartnerStatus
	used := usedParts(b.Parts)
	if b.Shares == nil {
		b.Shares = []EngineerShare{}
	}
	parts, err := json.Marshal(used)
	if err != nil {
		return fmt.Errorf("encode parts: %w", err)
	}
	shares, err := json.Marshal(b.Shares)
	if err != nil {
		return fmt.Errorf("encode shares: %w", err)
	}
	// The report replaces the one before it, parts and shares too: applying it again, or an
	// older one late, changes nothing.
	if _, err := tx.Q.MirrorPartnerStatus(ctx, tx, db.MirrorPartnerStatusParams{TenantID: tx.Scope.TenantID, ID: j.ID,
		PartnerStatus: b.Status, PartnerVersion: b.Version, PartnerOrderNumber: b.OrderNumber, PartnerParts: parts,
		PartnerShares: shares}); errors.Is(err, pgx.ErrNoRows) {
		return nil // an older report than one applied already
	} else if err != nil {
		return fmt.Errorf("mirror the partner's status: %w", err)
	}
	data := map[string]any{"job_id": j.ID, "partner": a.PartnerName, "partner_order_number": b.OrderNumber,
		"partner_status": b.Status, "event": b.Event}
	if b.Appointment != nil {
		data["appointment"] = map[string]any{"start": b.Appointment.Start, "end": b.Appointment.End}
	}
	if b.Result != "" {
		data["result"] = b.Result
	}
	if len(b.Parts) > 0 {
		data["parts"] = used
	}
	if len(b.Shares) > 0 {
		data["shares"] = b.Shares
	}
	if err := orders.Record(ctx, tx, j.OrderID, orders.Entry{Kind: "partner", From: before, To: b.Status, Public: true,
		Reason: a.PartnerName + ": " + b.Event, Data: data}); err != nil {
		return err
	}
	data["order_id"], data["from"] = j.OrderID, before
	return s.emit(ctx, tx, EventJobUpdated, "network_job", j.ID, data)
}

// GetJob reads one job of the tenant, either direction.
func GetJob(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PartnerJob, error) {
	r, err := tx.Q.GetNetworkJob(ctx, tx, db.GetNetworkJobParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PartnerJob{}, fault.DBError(err, "", "")
	}
	j, err := jobFromRow(r)
	if err != nil {
		return PartnerJob{}, err
	}
	o, err := tx.Q.GetOrder(ctx, tx, db.GetOrderParams{TenantID: tx.Scope.TenantID, ID: r.OrderID})
	if err != nil {
		return PartnerJob{}, fault.DBError(err, "", "")
	}
	j.OrderNumber, j.OrderStatus, j.OrderType = o.Number, o.Status, o.TypeCode
	return view(tx, j), nil
}

// JobOfOrder is the job an order was handed off as (direction sent) or received as.
func JobOfOrder(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, direction string) (PartnerJob, error) {
	r, err := tx.Q.NetworkJobOfOrder(ctx, tx, db.NetworkJobOfOrderParams{TenantID: tx.Scope.TenantID, Direction: direction, OrderID: orderID})
	if err != nil {
		return PartnerJob{}, fault.DBError(err, "", "")
	}
	return GetJob(ctx, tx, r.ID)
}

// JobFilter narrows a job board.
type JobFilter struct {
	Direction string    // sent or received (required)
	Partner   uuid.UUID // the sender (received) or provider (sent)
	Status    string    // this tenant's order status
	After     uuid.UUID
	Limit     int
}

// Jobs is the job board: the jobs received from every sender (or sent to every provider),
// newest first, with this tenant's order of each. A multi-brand provider sees all the
// brands' work here, in its own tenant.
func Jobs(ctx context.Context, tx *tenants.Tx, f JobFilter) ([]PartnerJob, error) {
	if !slices.Contains(Directions, f.Direction) {
		return nil, fault.Invalid("direction", "must be one of "+strings.Join(Directions, ", "))
	}
	tx.PlanForValues()
	p := db.ListNetworkJobsParams{TenantID: tx.Scope.TenantID, Direction: f.Direction, Lim: int32(max(1, min(f.Limit, 1000)))}
	if f.After != uuid.Nil {
		p.After = uuid.NullUUID{UUID: f.After, Valid: true}
	}
	if f.Partner != uuid.Nil {
		p.PartnerTenantID = uuid.NullUUID{UUID: f.Partner, Valid: true}
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	rows, err := tx.Q.ListNetworkJobs(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]PartnerJob, 0, len(rows))
	for _, r := range rows {
		j, err := jobFromRow(db.NetworkJob{TenantID: r.TenantID, ID: r.ID, Direction: r.Direction, AgreementID: r.AgreementID,
			PartnerTenantID: r.PartnerTenantID, PartnerName: r.PartnerName, OrderID: r.OrderID,
			PartnerOrderNumber: r.PartnerOrderNumber, PartnerStatus: r.PartnerStatus, PartnerVersion: r.PartnerVersion,
			Facts: r.Facts, PartnerParts: r.PartnerParts, PartnerShares: r.PartnerShares, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
		if err != nil {
			return nil, err
		}
		j.OrderNumber, j.OrderStatus, j.OrderType = r.OrderNumber, r.OrderStatus, r.OrderType
		out = append(out, view(tx, j))
	}
	return out, nil
}
