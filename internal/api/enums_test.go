package api_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/complaints"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/reports"
	"github.com/aftersales/aftersales/internal/returns"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// domainEnums are the document's enums the domain lists: a schema property (Schema.field)
// or an operation's parameter (METHOD path in.name), and the domain's list.
var domainEnums = map[string][]string{
	"GET /v1/complaints query.status":                        complaints.Statuses,
	"GET /v1/complaints query.severity":                      complaints.Severities,
	"GET /v1/complaints query.topic":                         complaints.Topics,
	"GET /v1/contacts query.kind":                            complaints.Kinds,
	"GET /v1/contacts query.channel":                         complaints.Channels,
	"NewComplaint.topic":                                     complaints.Topics,
	"NewComplaint.channel":                                   complaints.Channels,
	"NewComplaint.severity":                                  complaints.Severities,
	"NewContact.kind":                                        complaints.Kinds,
	"NewContact.channel":                                     complaints.Channels,
	"NewContact.direction":                                   complaints.Directions,
	"NewContact.topic":                                       complaints.Topics,
	"ComplaintAction.severity":                               complaints.Severities,
	"GET /v1/outlets query.kind":                             tenants.OutletKinds,
	"GET /v1/outlets query.status":                           tenants.OutletStatuses,
	"GET /v1/members query.role":                             access.TenantRoles,
	"GET /v1/notification-sends query.status":                notify.SendStatuses,
	"GET /v1/notification-sends query.channel":               notify.Channels,
	"POST /v1/orders/{id}/attachments query.kind":            orders.AttachmentKinds,
	"GET /v1/purchases query.status":                         billing.PurchaseStatuses,
	"GET /v1/sla/attainment query.group_by":                  sla.GroupBys,
	"GET /v1/sla/attainment query.target":                    sla.Kinds,
	"GET /v1/webhook-endpoints/{id}/deliveries query.status": webhooks.DeliveryStatuses,
	"GET /v1/orders/export query.format":                     export.Formats,
	"GET /v1/rma-lines query.status":                         stock.RMALineStatuses,
	"GET /v1/rma-shipments query.status":                     stock.RMAShipmentStatuses,
	"GET /v1/loans query.status":                             stock.LoanFilters,
	"GET /v1/part-orders query.status":                       stock.PartOrderStatuses,
	"GET /v1/orders/export query.lang":                       notify.Locales,
	"GET /v1/reports/orders/export query.format":             export.Formats,
	"GET /v1/reports/orders/export query.lang":               notify.Locales,
	"GET /v1/reports/sla/export query.format":                export.Formats,
	"GET /v1/reports/sla/export query.lang":                  notify.Locales,
	"GET /v1/reports/backlog/export query.format":            export.Formats,
	"GET /v1/reports/backlog/export query.lang":              notify.Locales,
	"GET /v1/reports/money/export query.format":              export.Formats,
	"GET /v1/reports/money/export query.lang":                notify.Locales,
	"GET /v1/reports/sla query.by":                           reports.SLABy,
	"GET /v1/reports/sla/export query.by":                    reports.SLABy,
	"BacklogCell.age":                                        reports.BacklogAges,
	"GET /v1/warehouses query.kind":                          stock.WarehouseKinds,
	"GET /v1/stock/movements query.type":                     stock.MovementTypes,
	"GET /v1/partner-agreements query.status":                network.Statuses,
	"GET /v1/network-jobs query.direction":                   network.Directions,
	"Agreement.role":                                         network.Roles,
	"Agreement.status":                                       network.Statuses,
	"ProposeInput.role":                                      network.Roles,
	"PartsPricing.basis":                                     network.PartsBases,
	"ContactSharing.name":                                    network.Sharings,
	"ContactSharing.phone":                                   network.Sharings,
	"ContactSharing.address":                                 network.Sharings,
	"Proposal.by":                                            network.ProposalSides,
	"PartnerJob.direction":                                   network.Directions,
	"JobPart.state":                                          network.JobPartStates,
	"LineInspection.result":                                  stock.InspectionResults,
	"EngineerShare.role":                                     orders.EngineerRoles,
	"Message.direction":                                      network.MessageDirections,
	"GET /v1/receivables/export query.format":                export.Formats,
	"GET /v1/receivables/export query.lang":                  notify.Locales,
	"GET /v1/billing/ledger/export query.format":             export.Formats,
	"GET /v1/billing/ledger/export query.lang":               notify.Locales,
	"GET /v1/cash-up/export query.format":                    export.Formats,
	"GET /v1/pay-statements/{id}/export query.format":        export.Formats,
	"GET /v1/pay-statements/{id}/export query.lang":          notify.Locales,
	"GET /v1/pay-statements query.status":                    commission.StatementStatuses,
	"GET /v1/pay-statements query.party_kind":                commission.Parties,
	"GET /v1/outlet-penalties query.status":                  commission.StatementStatuses,
	"GET /v1/outlet-penalties query.kind":                    commission.OutletPenaltyKinds,
	"GET /v1/cash-up/export query.lang":                      notify.Locales,
	"GET /v1/purchases/export query.format":                  export.Formats,
	"GET /v1/purchases/export query.lang":                    notify.Locales,
	"GET /v1/purchases/export query.status":                  billing.PurchaseStatuses,
	"GET /v1/refunds/export query.format":                    export.Formats,
	"GET /v1/refunds/export query.lang":                      notify.Locales,
	"GET /v1/compensations/export query.format":              export.Formats,
	"GET /v1/compensations/export query.lang":                notify.Locales,
	"GET /v1/billing/payment-flags/export query.format":      export.Formats,
	"GET /v1/billing/payment-flags/export query.lang":        notify.Locales,
	"GET /v1/reports/complaints/export query.format":         export.Formats,
	"GET /v1/reports/complaints/export query.lang":           notify.Locales,
	"EscalationLevel.role":                                   complaints.EscalationRoles,
	"GET /v1/reports/satisfaction/export query.format":       export.Formats,
	"GET /v1/reports/satisfaction/export query.lang":         notify.Locales,
	"GET /v1/stock/reports/on-hand/export query.format":      export.Formats,
	"GET /v1/stock/reports/on-hand/export query.lang":        notify.Locales,
	"GET /v1/stock/reports/movements/export query.format":    export.Formats,
	"GET /v1/stock/reports/movements/export query.lang":      notify.Locales,
	"GET /v1/stock/reports/slow-movers/export query.format":  export.Formats,
	"GET /v1/stock/reports/slow-movers/export query.lang":    notify.Locales,
	"GET /v1/stock/reports/parts-used/export query.format":   export.Formats,
	"GET /v1/stock/reports/parts-used/export query.lang":     notify.Locales,

	"GET /v1/returns query.status":       returns.Statuses,
	"GET /v1/returns query.reason":       returns.Reasons,
	"ApplyInput.reason":                  returns.Reasons,
	"ApplyInput.collection":              returns.Collections,
	"ConsumerAskReturnInBody.reason":     returns.Reasons,
	"ConsumerAskReturnInBody.collection": returns.Collections,
	"LineInput.remedy":                   returns.Remedies,
	"LineInput.payment":                  returns.Payments,

	"Tenant.kind":                    tenants.Kinds,
	"Tenant.status":                  tenants.Statuses,
	"OnboardInBody.kind":             tenants.Kinds,
	"OnboardInBody.locale":           notify.Locales,
	"SettingsInBody.locale":          notify.Locales,
	"Subscription.tenant_status":     tenants.Statuses,
	"Outlet.kind":                    tenants.OutletKinds,
	"Outlet.status":                  tenants.OutletStatuses,
	"OutletFields.kind":              tenants.OutletKinds,
	"OutletFields.status":            tenants.OutletStatuses,
	"CalendarDay.kind":               tenants.DayKinds,
	"SetDayInBody.kind":              tenants.DayKinds,
	"UpdateInBody.status":            tenants.MemberStatuses,
	"UpdateInBody.role":              access.TenantRoles,
	"CreateInBody.role":              access.TenantRoles,
	"InviteInBody.role":              access.TenantRoles,
	"MeBody.kind":                    auth.StaffKinds,
	"Product.kind":                   billing.Kinds,
	"ProductInput.kind":              billing.Kinds,
	"ExpressProductBody.kind":        billing.Kinds,
	"Purchase.kind":                  billing.Kinds,
	"Purchase.status":                billing.PurchaseStatuses,
	"Send.channel":                   notify.Channels,
	"Send.recipient_kind":            notify.SendRecipients,
	"Send.status":                    notify.SendStatuses,
	"OptOut.channel":                 notify.OptOutChannels,
	"Template.channel":               notify.Channels,
	"Template.locale":                notify.Locales,
	"TemplateInput.channel":          notify.Channels,
	"TemplateInput.locale":           notify.Locales,
	"PreviewInput.channel":           notify.Channels,
	"PreviewInput.locale":            notify.Locales,
	"Order.flow":                     orders.Flows,
	"Intake.channel":                 orders.Channels,
	"Intake.flow":                    orders.Flows,
	"Type.flow":                      orders.Flows,
	"CheckBody.channel":              orders.Channels,
	"CheckBody.exclusion":            warranty.ExclusionCodes,
	"Attachment.kind":                orders.AttachmentKinds,
	"Assignment.role":                orders.EngineerRoles,
	"OrderEngineer.role":             orders.EngineerRoles,
	"Completion.exclusion":           warranty.ExclusionCodes,
	"BatchResult.status":             registry.Statuses,
	"HistoryResult.status":           registry.Statuses,
	"HistoryRecord.result":           registry.HistoryResults,
	"PolicyRef.matched_by":           coverage.Precedence,
	"ImportBody.format":              registry.Formats,
	"ImportBody.status":              registry.ImportStatuses,
	"Grant.kind":                     warranty.GrantKinds,
	"GrantInput.kind":                warranty.GrantKinds,
	"Clock.target":                   sla.Kinds,
	"Clock.status":                   sla.ClockStatuses,
	"Level.role":                     sla.EscalationRoles,
	"Decision.class":                 warranty.Classes,
	"Line.mode":                      strs(warranty.LineModes),
	"Charge.mode":                    strs(warranty.LineModes),
	"Term.basis":                     strs(warranty.Bases),
	"Exclusion.code":                 warranty.ExclusionCodes,
	"TierRule.kind":                  warranty.RuleKinds,
	"TierRuleEntry.kind":             warranty.RuleKinds,
	"Delivery.status":                webhooks.DeliveryStatuses,
	"Delivery.error_class":           webhooks.ErrorClasses,
	"Warehouse.kind":                 stock.WarehouseKinds,
	"Warehouse.owner":                stock.Owners,
	"WarehouseFields.kind":           stock.WarehouseKinds,
	"WarehouseFields.owner":          stock.Owners,
	"Balance.owner":                  stock.Owners,
	"WarehouseStock.kind":            stock.WarehouseKinds,
	"WarehouseStock.owner":           stock.Owners,
	"MovementSum.type":               stock.MovementTypes,
	"MovementSum.issue_kind":         stock.IssueKinds,
	"Movement.type":                  stock.MovementTypes,
	"Movement.issue_kind":            stock.IssueKinds,
	"MovementInput.type":             stock.DirectTypes,
	"MovementInput.issue_kind":       stock.IssueKinds,
	"SerialHistory.place":            stock.SerialPlaces,
	"RMALine.status":                 stock.RMALineStatuses,
	"RMAShipment.status":             stock.RMAShipmentStatuses,
	"RMAShipmentLine.result":         stock.InspectionResults,
	"InspectionLine.result":          stock.InspectionResults,
	"TrackingEvent.status":           logistics.Statuses,
	"Reservation.status":             stock.ReservationStatuses,
	"OrderPart.status":               stock.OrderPartStatuses,
	"OrderPart.issue_kind":           stock.IssueKinds,
	"IssueInput.issue_kind":          stock.IssueKinds,
	"ReceiveLine.discrepancy_reason": stock.DiscrepancyReasons,
	"PayStatement.status":            commission.StatementStatuses,
	"PayStatement.party_kind":        commission.Parties,
	"PayLine.party_kind":             commission.Parties,
	"PayLine.kind":                   commission.Kinds,
	"PayLine.cause":                  commission.Causes,
	"OutletPenalty.party_kind":       commission.Parties,
	"OutletPenalty.kind":             commission.Kinds,
	"OutletPenalty.cause":            commission.Causes,
	"OutletPenalty.statement_status": commission.StatementStatuses,
	"PartOrder.status":               stock.PartOrderStatuses,
	"PartOrderView.status":           stock.PartOrderStatuses,
	"PartOrderLine.status":           stock.PartOrderLineStatuses,
}

// TestEnumsAreTheDomainLists: each enum of the document the domain lists is that list, in
// its order, and validation rejects other values naming them. No other enum of the
// document repeats a domain list.
func TestEnumsAreTheDomainLists(t *testing.T) {
	t.Parallel()
	s := api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Config: platform.Config{MaxBodyBytes: 1 << 20}})
	doc := s.OpenAPI()
	reg := doc.Components.Schemas
	found := map[string]*huma.Schema{}
	for name, schema := range reg.Map() {
		for field, p := range schema.Properties {
			if p.Type == huma.TypeArray && p.Items != nil {
				p = p.Items
			}
			if len(p.Enum) > 0 {
				found[name+"."+field] = p
			}
		}
	}
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				if p.Schema != nil && len(p.Schema.Enum) > 0 {
					found[op.Method+" "+path+" "+p.In+"."+p.Name] = p.Schema
				}
			}
		}
	}
	for where, list := range domainEnums {
		schema, ok := found[where]
		if !ok {
			t.Errorf("%s: no enum in the document", where)
			continue
		}
		if got := fmt.Sprint(schema.Enum); got != fmt.Sprint(list) {
			t.Errorf("%s: enum %s, the domain lists %v", where, got, list)
		}
		res := &huma.ValidateResult{}
		huma.Validate(reg, schema, huma.NewPathBuffer([]byte{}, 0), huma.ModeWriteToServer, "no-such-value", res)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), strings.Join(list, ", ")) {
			t.Errorf("%s: validating a value not listed: %v", where, res.Errors)
		}
	}
	for where, schema := range found {
		if _, ok := domainEnums[where]; ok {
			continue
		}
		for other, list := range domainEnums {
			if sameSet(schema.Enum, list) {
				t.Errorf("%s: enum %v repeats the domain's list of %s: take it from the list", where, schema.Enum, other)
				break
			}
		}
	}
}

func sameSet(enum []any, list []string) bool {
	if len(enum) != len(list) {
		return false
	}
	for _, v := range enum {
		s, ok := v.(string)
		if !ok || !slices.Contains(list, s) {
			return false
		}
	}
	return true
}
