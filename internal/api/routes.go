package api

import "github.com/danielgtaylor/huma/v2"

// registerRoutes adds every operation of the API to v1 (the /v1 group), resource by
// resource; each resource's file holds its register function and its handlers.
//
// Operation inputs and outputs whose Body is an anonymous struct name that body's schema in
// the OpenAPI document after themselves (createIn gives CreateInBody): renaming such a type
// changes the published document.
func registerRoutes(v1 huma.API, s *Server) {
	registerAuthRoutes(v1, s)
	registerConsumerAuthRoutes(v1, s)
	registerTenantRoutes(v1, s)
	registerOutletRoutes(v1, s)
	registerCalendarRoutes(v1, s)
	registerCalendarDayRoutes(v1, s)
	registerMemberRoutes(v1, s)
	registerInvitationRoutes(v1, s)
	registerAPIKeyRoutes(v1, s)
	registerAuditRoutes(v1, s)
	registerCustomerRoutes(v1, s)
	registerCategoryRoutes(v1, s)
	registerModelRoutes(v1, s)
	registerFaultCodeRoutes(v1, s)
	registerRegistrationRoutes(v1, s)
	registerInvoiceImageRoutes(v1, s)
	registerGrantRoutes(v1, s)
	registerImportRoutes(v1, s)
	registerServiceHistoryRoutes(v1, s)
	registerPolicyRoutes(v1, s)
	registerTierRoutes(v1, s)
	registerCustomerValueRoutes(v1, s)
	registerEntitlementRoutes(v1, s)
	registerConsumerUnitRoutes(v1, s)
	registerPublicCoverageRoutes(v1, s)
	registerOrderRoutes(v1, s)
	registerAttachmentRoutes(v1, s)
	registerQuoteRoutes(v1, s)
	registerOrderEngineerRoutes(v1, s)
	registerOrderOutletRoutes(v1, s)
	registerAppointmentRoutes(v1, s)
	registerDisputeRoutes(v1, s)
	registerOutletCoverageRoutes(v1, s)
	registerOutletDispatchRoutes(v1, s)
	registerEngineerRoutes(v1, s)
	registerOrderRuleRoutes(v1, s)
	registerConsumerOrderRoutes(v1, s)
	registerOrderLinkRoutes(v1, s)
	registerNotificationTemplateRoutes(v1, s)
	registerNotificationSettingsRoutes(v1, s)
	registerInboxRoutes(v1, s)
	registerPreferenceRoutes(v1, s)
	registerConsumerNotificationRoutes(v1, s)
	registerWebhookEndpointRoutes(v1, s)
	registerWebhookDeliveryRoutes(v1, s)
	registerSLARoutes(v1, s)
	registerExpressProductRoutes(v1, s)
	registerPurchaseRoutes(v1, s)
	registerLedgerRoutes(v1, s)
	registerPlatformBillingRoutes(v1, s)
	registerStripeWebhookRoutes(v1, s)
	registerConsumerBillingRoutes(v1, s)
}
