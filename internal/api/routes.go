package api

import "github.com/danielgtaylor/huma/v2"

// registerRoutes adds every operation of the API to v1 (the /v1 group).
func registerRoutes(v1 huma.API, s *Server) {
	registerAuth(v1, s)
	registerTenants(v1, s)
	registerOutlets(v1, s)
	registerCalendars(v1, s)
	registerMembers(v1, s)
	registerAPIKeys(v1, s)
	registerAudit(v1, s)
	registerCustomers(v1, s)
	registerCatalog(v1, s)
	registerRegistrations(v1, s)
	registerImports(v1, s)
	registerPolicies(v1, s)
	registerEntitlements(v1, s)
	registerOrders(v1, s)
	registerNotifications(v1, s)
	registerWebhooks(v1, s)
	registerSLA(v1, s)
	registerBilling(v1, s)
}
