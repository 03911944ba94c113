package api

import (
	"fmt"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/reports"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

// The document's enums come from the domain's lists, one list per enum. A field the API
// declares has a string type whose schema is built from the list; fields of domain types get
// theirs once the routes are registered (useDomainEnums).

func enumSchema[T ~string](values []T) *huma.Schema {
	s := &huma.Schema{Type: huma.TypeString, Enum: make([]any, len(values))}
	for i, v := range values {
		s.Enum[i] = string(v)
	}
	return s
}

// Enum types of fields the API declares.
type (
	outletKind        string
	outletStatus      string
	tenantKind        string
	memberStatus      string
	dayKind           string
	locale            string
	tenantRole        string
	staffKind         string
	attachmentKind    string
	orderChannel      string
	exclusionCode     string
	unitOutcome       string
	sendStatus        string
	sendChannel       string
	deliveryStatus    string
	purchaseStatus    string
	counterMethod     string
	flagStatus        string
	refundStatus      string
	slaGroupBy        string
	reportBy          string
	slaTarget         string
	exportFormat      string
	warehouseKind     string
	movementType      string
	transferStatus    string
	requestStatus     string
	payStatus         string
	payParty          string
	penaltyKind       string
	rmaLineStatus     string
	resolutionOutcome string
	rmaShipStatus     string
	loanFilter        string
)

func (exportFormat) Schema(huma.Registry) *huma.Schema   { return enumSchema(export.Formats) }
func (outletKind) Schema(huma.Registry) *huma.Schema     { return enumSchema(tenants.OutletKinds) }
func (outletStatus) Schema(huma.Registry) *huma.Schema   { return enumSchema(tenants.OutletStatuses) }
func (tenantKind) Schema(huma.Registry) *huma.Schema     { return enumSchema(tenants.Kinds) }
func (memberStatus) Schema(huma.Registry) *huma.Schema   { return enumSchema(tenants.MemberStatuses) }
func (dayKind) Schema(huma.Registry) *huma.Schema        { return enumSchema(tenants.DayKinds) }
func (locale) Schema(huma.Registry) *huma.Schema         { return enumSchema(notify.Locales) }
func (tenantRole) Schema(huma.Registry) *huma.Schema     { return enumSchema(access.TenantRoles) }
func (staffKind) Schema(huma.Registry) *huma.Schema      { return enumSchema(auth.StaffKinds) }
func (attachmentKind) Schema(huma.Registry) *huma.Schema { return enumSchema(orders.AttachmentKinds) }
func (orderChannel) Schema(huma.Registry) *huma.Schema   { return enumSchema(orders.Channels) }
func (exclusionCode) Schema(huma.Registry) *huma.Schema  { return enumSchema(warranty.ExclusionCodes) }
func (unitOutcome) Schema(huma.Registry) *huma.Schema    { return enumSchema(registry.Statuses) }
func (sendStatus) Schema(huma.Registry) *huma.Schema     { return enumSchema(notify.SendStatuses) }
func (sendChannel) Schema(huma.Registry) *huma.Schema    { return enumSchema(notify.Channels) }
func (deliveryStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(webhooks.DeliveryStatuses)
}
func (purchaseStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(billing.PurchaseStatuses) }
func (counterMethod) Schema(huma.Registry) *huma.Schema  { return enumSchema(billing.CounterMethods) }
func (flagStatus) Schema(huma.Registry) *huma.Schema     { return enumSchema(billing.FlagStatuses) }
func (refundStatus) Schema(huma.Registry) *huma.Schema   { return enumSchema(billing.RefundStatuses) }
func (slaGroupBy) Schema(huma.Registry) *huma.Schema     { return enumSchema(sla.GroupBys) }
func (slaTarget) Schema(huma.Registry) *huma.Schema      { return enumSchema(sla.Kinds) }
func (reportBy) Schema(huma.Registry) *huma.Schema       { return enumSchema(reports.SLABy) }
func (warehouseKind) Schema(huma.Registry) *huma.Schema  { return enumSchema(stock.WarehouseKinds) }
func (movementType) Schema(huma.Registry) *huma.Schema   { return enumSchema(stock.MovementTypes) }
func (transferStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(stock.TransferStatuses) }
func (requestStatus) Schema(huma.Registry) *huma.Schema  { return enumSchema(stock.RequestStatuses) }
func (payStatus) Schema(huma.Registry) *huma.Schema      { return enumSchema(commission.StatementStatuses) }
func (payParty) Schema(huma.Registry) *huma.Schema       { return enumSchema(commission.Parties) }
func (penaltyKind) Schema(huma.Registry) *huma.Schema {
	return enumSchema(commission.OutletPenaltyKinds)
}
func (rmaLineStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(stock.RMALineStatuses) }
func (rmaShipStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(stock.RMAShipmentStatuses) }
func (resolutionOutcome) Schema(huma.Registry) *huma.Schema {
	return enumSchema(billing.ResolutionOutcomes)
}
func (loanFilter) Schema(huma.Registry) *huma.Schema { return enumSchema(stock.LoanFilters) }

// domainEnum is a field of a domain type whose values the domain lists.
type domainEnum struct {
	of     any    // a value of the domain type
	field  string // the field's JSON name
	values []string
}

func stringList[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// domainEnums are the enum fields of domain types in the document. A type that embeds
// another has the embedded fields as its own and is listed too.
var domainEnums = []domainEnum{
	{tenants.Tenant{}, "kind", tenants.Kinds},
	{tenants.Tenant{}, "status", tenants.Statuses},
	{tenants.Outlet{}, "kind", tenants.OutletKinds},
	{tenants.Outlet{}, "status", tenants.OutletStatuses},
	{tenants.OutletFields{}, "kind", tenants.OutletKinds},
	{tenants.OutletFields{}, "status", tenants.OutletStatuses},
	{tenants.CalendarDay{}, "kind", tenants.DayKinds},
	{billing.Subscription{}, "tenant_status", tenants.Statuses},
	{billing.ProductInput{}, "kind", billing.Kinds},
	{billing.Product{}, "kind", billing.Kinds},
	{ExpressProductBody{}, "kind", billing.Kinds},
	{billing.Purchase{}, "kind", billing.Kinds},
	{billing.Purchase{}, "status", billing.PurchaseStatuses},
	{notify.Send{}, "channel", notify.Channels},
	{notify.Send{}, "recipient_kind", notify.SendRecipients},
	{notify.Send{}, "status", notify.SendStatuses},
	{notify.OptOut{}, "channel", notify.OptOutChannels},
	{notify.Template{}, "channel", notify.Channels},
	{notify.Template{}, "locale", notify.Locales},
	{notify.TemplateInput{}, "channel", notify.Channels},
	{notify.TemplateInput{}, "locale", notify.Locales},
	{notify.PreviewInput{}, "channel", notify.Channels},
	{notify.PreviewInput{}, "locale", notify.Locales},
	{orders.Order{}, "flow", orders.Flows},
	{orders.Intake{}, "channel", orders.Channels},
	{orders.Intake{}, "flow", orders.Flows},
	{orders.Type{}, "flow", orders.Flows},
	{orders.Attachment{}, "kind", orders.AttachmentKinds},
	{orders.Assignment{}, "role", orders.EngineerRoles},
	{orders.OrderEngineer{}, "role", orders.EngineerRoles},
	{orders.Completion{}, "exclusion", warranty.ExclusionCodes},
	{ImportBody{}, "format", registry.Formats},
	{ImportBody{}, "status", registry.ImportStatuses},
	{registry.Grant{}, "kind", warranty.GrantKinds},
	{registry.GrantInput{}, "kind", warranty.GrantKinds},
	{sla.Clock{}, "target", sla.Kinds},
	{sla.Clock{}, "status", sla.ClockStatuses},
	{sla.Level{}, "role", sla.EscalationRoles},
	{warranty.Decision{}, "class", warranty.Classes},
	{warranty.Line{}, "mode", stringList(warranty.LineModes)},
	{warranty.Charge{}, "mode", stringList(warranty.LineModes)},
	{warranty.Term{}, "basis", stringList(warranty.Bases)},
	{warranty.Exclusion{}, "code", warranty.ExclusionCodes},
	{warranty.TierRule{}, "kind", warranty.RuleKinds},
	{coverage.TierRuleEntry{}, "kind", warranty.RuleKinds},
	{orders.Completion{}, "result", orders.Results},
	{orders.Dispute{}, "status", orders.DisputeStatuses},
	{orders.QuoteLine{}, "kind", orders.QuoteLineKinds},
	{stock.VanReturnInput{}, "reason", stock.VanReturnReasons},
	{stock.Movement{}, "return_reason", stock.VanReturnReasons},
	{orders.QuoteLine{}, "coverage", orders.QuoteCoverages},
	{orders.Quote{}, "status", orders.QuoteStatuses},
	{orders.Quote{}, "decided_channel", orders.QuoteChannels},
	{orders.Appointment{}, "status", orders.AppointmentStatuses},
	{orders.Appointment{}, "booked_via", orders.AppointmentSources},
	{orders.OrderEngineer{}, "state", orders.EngineerStates},
	{ImportBody{}, "kind", registry.ImportKinds},
	{registry.Grant{}, "status", registry.GrantStatuses},
	{registry.HistoryRecord{}, "result", registry.HistoryResults},
	{coverage.PolicyRef{}, "matched_by", coverage.Precedence},
	{registry.ScanInput{}, "stage", registry.ScanStages},
	{warranty.Target{}, "clock", warranty.Clocks},
	{warranty.Reason{}, "outcome", warranty.Outcomes},
	{billing.CompensationView{}, "kind", billing.PayoutKinds},
	{billing.CompensationView{}, "status", billing.CompensationStatuses},
	{billing.PaymentFlag{}, "kind", billing.FlagKinds},
	{billing.PaymentFlag{}, "status", billing.FlagStatuses},
	{billing.Refund{}, "reason", billing.RefundReasons},
	{billing.Refund{}, "status", billing.RefundStatuses},
	{billing.Credit{}, "status", billing.CreditStatuses},
	{billing.LedgerEntry{}, "kind", billing.LedgerKinds},
	{billing.Mismatch{}, "problem", billing.MismatchProblems},
	{billing.Resolution{}, "outcome", billing.ResolutionOutcomes},
	{billing.Purchase{}, "channel", billing.Channels},
	{billing.Bill{}, "status", billing.BillStatuses},
	{commission.PayStatement{}, "status", commission.StatementStatuses},
	{commission.PayStatement{}, "party_kind", commission.Parties},
	{commission.PayLine{}, "party_kind", commission.Parties},
	{commission.PayLine{}, "kind", commission.Kinds},
	{commission.PayLine{}, "cause", commission.Causes},
	{commission.OutletPenalty{}, "party_kind", commission.Parties},
	{commission.OutletPenalty{}, "kind", commission.Kinds},
	{commission.OutletPenalty{}, "cause", commission.Causes},
	{commission.OutletPenalty{}, "statement_status", commission.StatementStatuses},
	{billing.Bill{}, "discount_status", billing.DiscountStatuses},
	{billing.BillLine{}, "kind", billing.BillLineKinds},
	{billing.BillLine{}, "coverage", orders.QuoteCoverages},
	{billing.BillLine{}, "payer", orders.Payers},
	{billing.BillLine{}, "source", billing.BillLineSources},
	{billing.BillPayment{}, "kind", billing.BillPaymentKinds},
	{billing.BillPayment{}, "method", billing.PaymentMethods},
	{billing.BillPayment{}, "status", billing.BillPaymentStatuses},
	{billing.CashUpLine{}, "method", billing.PaymentMethods},
	{billing.CashUpLine{}, "kind", billing.CashUpKinds},
	{PublicBill{}, "status", billing.BillStatuses},
	{billing.RefundQuote{}, "basis", billing.RefundBases},
	{billing.PlanCoverage{}, "kind", billing.CoverageKinds},
	{billing.Compensation{}, "kind", billing.PromiseKinds},
	{billing.ProductInput{}, "after_cooling_off", billing.CoolingOffRefunds},
	{billing.ProductInput{}, "status", billing.ProductStatuses},
	{billing.Product{}, "after_cooling_off", billing.CoolingOffRefunds},
	{billing.Product{}, "status", billing.ProductStatuses},
	{ExpressProductBody{}, "after_cooling_off", billing.CoolingOffRefunds},
	{ExpressProductBody{}, "status", billing.ProductStatuses},
	{webhooks.Delivery{}, "status", webhooks.DeliveryStatuses},
	{webhooks.Delivery{}, "error_class", webhooks.ErrorClasses},
	{stock.Warehouse{}, "kind", stock.WarehouseKinds},
	{stock.Warehouse{}, "owner", stock.Owners},
	{stock.WarehouseFields{}, "kind", stock.WarehouseKinds},
	{stock.WarehouseFields{}, "owner", stock.Owners},
	{stock.Balance{}, "owner", stock.Owners},
	{stock.WarehouseStock{}, "owner", stock.Owners},
	{stock.WarehouseStock{}, "kind", stock.WarehouseKinds},
	{stock.MovementSum{}, "type", stock.MovementTypes},
	{stock.MovementSum{}, "issue_kind", stock.IssueKinds},
	{stock.Movement{}, "type", stock.MovementTypes},
	{stock.Movement{}, "issue_kind", stock.IssueKinds},
	{stock.MovementInput{}, "type", stock.DirectTypes},
	{stock.MovementInput{}, "issue_kind", stock.IssueKinds},
	{stock.SerialHistory{}, "place", stock.SerialPlaces},
	{stock.Reservation{}, "status", stock.ReservationStatuses},
	{stock.PartOrder{}, "status", stock.PartOrderStatuses},
	{stock.PartOrderLine{}, "status", stock.PartOrderLineStatuses},
	{PartOrderView{}, "status", stock.PartOrderStatuses},
	{stock.OrderPart{}, "status", stock.OrderPartStatuses},
	{stock.OrderPart{}, "issue_kind", stock.IssueKinds},
	{stock.IssueInput{}, "issue_kind", stock.IssueKinds},
	{stock.RMALine{}, "status", stock.RMALineStatuses},
	{stock.RMAShipment{}, "status", stock.RMAShipmentStatuses},
	{stock.RMAShipmentLine{}, "result", stock.InspectionResults},
	{stock.TrackingEvent{}, "status", logistics.Statuses},
	{stock.InspectionLine{}, "result", stock.InspectionResults},
	{claims.LineInspection{}, "result", stock.InspectionResults},
	{claims.Statement{}, "direction", claims.StatementDirections},
	{claims.Statement{}, "status", claims.StatementStatuses},
	{claims.Signal{}, "kind", claims.SignalKinds},
	{network.Agreement{}, "role", network.Roles},
	{network.Agreement{}, "status", network.Statuses},
	{network.ProposeInput{}, "role", network.Roles},
	{network.PartsPricing{}, "basis", network.PartsBases},
	{network.ContactSharing{}, "name", network.Sharings},
	{network.ContactSharing{}, "phone", network.Sharings},
	{network.ContactSharing{}, "address", network.Sharings},
	{network.Proposal{}, "by", network.ProposalSides},
	{network.PartnerJob{}, "direction", network.Directions},
	{network.JobPart{}, "state", network.JobPartStates},
	{network.EngineerShare{}, "role", orders.EngineerRoles},
	{network.Message{}, "direction", network.MessageDirections},
	{stock.ReceiveLine{}, "discrepancy_reason", stock.DiscrepancyReasons},
	{stock.Transfer{}, "status", stock.TransferStatuses},
	{stock.PartRequest{}, "status", stock.RequestStatuses},
	{stock.Loan{}, "status", stock.LoanStatuses},
	{stock.Loan{}, "deposit_method", stock.LoanDepositMethods},
	{stock.Loan{}, "deposit_status", stock.LoanDepositStatuses},
	{stock.LendInput{}, "deposit_method", stock.LoanDepositMethods},
	{stock.LoanReturnInput{}, "deposit", stock.LoanDepositOutcomes},
}

// useDomainEnums sets the enum of each domain enum field in the registered schemas, with the
// message validation reports. A type no operation uses is a mistake in the list.
func useDomainEnums(r huma.Registry) {
	for _, e := range domainEnums {
		t := reflect.TypeOf(e.of)
		n := len(r.Map())
		s := r.Schema(t, false, "")
		if len(r.Map()) != n {
			panic(fmt.Sprintf("enum of %s.%s: no operation uses %s", t, e.field, t))
		}
		f := s.Properties[e.field]
		if f == nil {
			panic(fmt.Sprintf("enum of %s.%s: no such field", t, e.field))
		}
		f.Enum = enumSchema(e.values).Enum
		f.PrecomputeMessages()
	}
}
