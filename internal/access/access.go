// Package access is the one place that says what each role may do and what it may see.
package access

import (
	"slices"
	"strings"
)

// Role is a staff member's role in a tenant (platform_admin is a user flag, not a membership).
type Role string

// The roles.
const (
	PlatformAdmin Role = "platform_admin" // operates the platform; not a tenant role
	TenantAdmin   Role = "tenant_admin"   // runs a root tenant: outlets, people, settings
	Agent         Role = "agent"          // call centre: intake, callbacks, complaints
	OutletManager Role = "outlet_manager" // runs one outlet
	Engineer      Role = "engineer"       // works orders of one outlet
	Finance       Role = "finance"        // money and settlement
	Auditor       Role = "auditor"        // reads everything, changes nothing
)

// TenantRoles are the roles a membership or API key can hold.
var TenantRoles = []string{string(TenantAdmin), string(Agent), string(OutletManager), string(Engineer), string(Finance), string(Auditor)}

// Permission names one capability.
type Permission string

// The permissions.
const (
	OutletsRead    Permission = "outlets:read"
	OutletsWrite   Permission = "outlets:write"  // edit outlets in scope (an outlet manager: their own)
	OutletsCreate  Permission = "outlets:create" // add and remove outlets of the network
	CalendarsRead  Permission = "calendars:read"
	CalendarsWrite Permission = "calendars:write"
	MembersRead    Permission = "members:read"
	MembersWrite   Permission = "members:write"
	APIKeysManage  Permission = "api_keys:manage"
	AuditRead      Permission = "audit:read"
	CustomersRead  Permission = "customers:read"
	CustomersWrite Permission = "customers:write"
	ContactsFull   Permission = "contacts:unmasked" // see consumer phones and addresses unmasked
	TenantSettings Permission = "tenant:settings"
	TenantsOnboard Permission = "tenants:onboard" // platform admins only
	TenantsReadAll Permission = "tenants:read_all"

	CatalogRead        Permission = "catalog:read"
	CatalogWrite       Permission = "catalog:write"     // categories, models, merging fault codes
	FaultCodesWrite    Permission = "fault_codes:write" // add codes at entry time
	RegistrationsRead  Permission = "registrations:read"
	RegistrationsWrite Permission = "registrations:write"
	ImportsManage      Permission = "imports:manage"
	PoliciesRead       Permission = "policies:read" // warranty policies, tiers, tier rules
	PoliciesWrite      Permission = "policies:write"
	GrantsWrite        Permission = "grants:write" // extra coverage from contracts
	EntitlementsCheck  Permission = "entitlements:check"

	OrdersRead     Permission = "orders:read"
	OrdersWrite    Permission = "orders:write"    // intake, status changes, comments, quotes, reports, appointments
	OrdersAudit    Permission = "orders:audit"    // approve or reject finished work; decide disputes
	OrdersDispatch Permission = "orders:dispatch" // move orders between outlets, assign engineers
	DispatchConfig Permission = "dispatch:config" // outlet coverage, authorizations, capacity, engineer profiles, order rules

	NotificationsRead   Permission = "notifications:read"   // the send log and the event catalogue
	NotificationsManage Permission = "notifications:manage" // templates and quiet hours
	WebhooksManage      Permission = "webhooks:manage"      // endpoints, secrets, deliveries
	SLARead             Permission = "sla:read"             // orders' SLA clocks and attainment reports
	SLASettings         Permission = "sla:settings"         // warning threshold, pause statuses, escalation chain

	ExpressRead    Permission = "express_products:read" // paid express products and plans
	ExpressWrite   Permission = "express_products:write"
	PurchasesRead  Permission = "purchases:read"  // purchases, receipts, compensations
	PurchasesWrite Permission = "purchases:write" // counter sales
	// PurchasesRefund cancels a purchase with its refund: the consumer's right asked through
	// the counter, or finance settling a refund the customer asked for elsewhere.
	PurchasesRefund Permission = "purchases:refund"
	LedgerRead      Permission = "ledger:read" // money ledger and its CSV export
	LedgerReconcile Permission = "ledger:reconcile"
	PlatformBilling Permission = "platform_billing:manage" // the tenant's own platform subscription
	InvoicesRead    Permission = "platform_invoices:read"

	PartsRead    Permission = "parts:read"    // the parts catalog
	PartsWrite   Permission = "parts:write"   // add, change and import parts
	StockRead    Permission = "stock:read"    // warehouses, stock on hand, the movement journal, transfers, requests
	StockMove    Permission = "stock:move"    // receipts, issues, requisitions to and from vans, scrap, transfers, reservations, requests
	StockManage  Permission = "stock:manage"  // warehouses, count adjustments (approved by the poster), request reviews, lock date, drift repair
	StockVan     Permission = "stock:van"     // one's own van only: its stock, requests into it, parts used from it on one's orders, returns
	BillsRead    Permission = "bills:read"    // customers' bills, payments, receipts, receivables, cash-up
	BillsWrite   Permission = "bills:write"   // bill an order, give a discount within the role's limit, take payment
	BillsApprove Permission = "bills:approve" // approve discounts above a limit, refund, release a pickup unpaid

	CommissionRead   Permission = "commission:read"   // engineers' pay rules and their versions
	CommissionManage Permission = "commission:manage" // add versions of the pay rules

	// Warranty claims between a claimant and its payer (docs/claims.md). Reviewing and
	// settling are finance's: an outlet manager makes and submits its outlet's claims but
	// does not approve or pay them.
	ClaimsRead   Permission = "claims:read"   // claims, statements, the settlement checks and the fraud signals
	ClaimsSubmit Permission = "claims:submit" // make a claim of audited work, submit it, answer the payer's review
	ClaimsReview Permission = "claims:review" // the payer's review: approve, adjust per line, reject
	ClaimsSettle Permission = "claims:settle" // record payments against statements
	PayApprove   Permission = "pay:approve"   // approve pay statements (the data layer says which step a role takes) and record payouts

	// Complaints and the contact log (docs/complaints.md). Who sees a critical complaint is
	// the data layer's: its named handlers, and the roles that SeesConfidential.
	ComplaintsRead   Permission = "complaints:read"   // the contact log, complaints, their reports
	ComplaintsHandle Permission = "complaints:handle" // log contacts, open complaints, respond, wait for the customer, resolve, close on the customer's confirmation, reopen, raise severity
	ComplaintsManage Permission = "complaints:manage" // close without the customer's confirmation (override with reason), merge, set the parent case, name handlers, the tenant's complaint rules

	// Returns and exchanges (docs/returns.md). Reviewing a case and overriding the warranty
	// decision are a manager's; agents and outlets take cases in, receive, inspect, refund
	// and exchange within what the decision and the review allowed.
	ReturnsRead    Permission = "returns:read"    // return and exchange cases and the return terms
	ReturnsHandle  Permission = "returns:handle"  // open a case, receive, inspect, refund, exchange, close
	ReturnsApprove Permission = "returns:approve" // review cases (advance exchanges ship on approval) and override the decision with a reason

	// Callbacks and surveys (docs/callbacks.md).
	CallbacksRead   Permission = "callbacks:read"   // the callback queue, survey answers, rectifications, the satisfaction report
	CallbacksHandle Permission = "callbacks:handle" // record calls; carry out and review rectifications (the data layer says who reviews)
	SurveysManage   Permission = "surveys:manage"   // survey templates, sampling settings and the shift roster
)

// complaintGrants are the complaint permissions of each role (tenant admins hold all): the
// call centre handles complaints, an outlet manager handles and manages its outlet's
// (row-level security confines it), auditors read.
var complaintGrants = map[Role][]Permission{
	Agent:         {ComplaintsRead, ComplaintsHandle},
	OutletManager: {ComplaintsRead, ComplaintsHandle, ComplaintsManage},
	Auditor:       {ComplaintsRead},
}

// SeesConfidential reports whether the role sees every confidential case (a critical
// complaint) of its tenant, not only those it is a named handler of: tenant admins only
// (tenants.Scope.Confidential).
func (r Role) SeesConfidential() bool { return r == TenantAdmin }

// returnGrants are the returns permissions of each role (tenant admins hold all).
var returnGrants = map[Role][]Permission{
	Agent:         {ReturnsRead, ReturnsHandle},
	OutletManager: {ReturnsRead, ReturnsHandle, ReturnsApprove},
	Finance:       {ReturnsRead},
	Auditor:       {ReturnsRead},
}

// callbackGrants are the callbacks permissions of each role (tenant admins hold all).
var callbackGrants = map[Role][]Permission{
	Agent:         {CallbacksRead, CallbacksHandle},
	OutletManager: {CallbacksRead, CallbacksHandle},
	Auditor:       {CallbacksRead},
}

// claimGrants are the claims permissions of each role (tenant admins hold all).
var claimGrants = map[Role][]Permission{
	OutletManager: {ClaimsRead, ClaimsSubmit},
	Finance:       {ClaimsRead, ClaimsSubmit, ClaimsReview, ClaimsSettle},
	Auditor:       {ClaimsRead},
}

// stockGrants are the parts and stock permissions of each role (tenant admins hold all);
// row-level security confines outlet roles to their outlet's stock. Engineers hold no
// inventory rights: stock:van reaches their own van only (package stock, van.go).
var stockGrants = map[Role][]Permission{
	Agent:         {PartsRead, StockRead},
	OutletManager: {PartsRead, StockRead, StockMove, StockManage, StockVan},
	Engineer:      {PartsRead, StockVan},
	Finance:       {PartsRead, StockRead},
	Auditor:       {PartsRead, StockRead},
}

// orderGrants are the order permissions of each role (tenant admins hold all).
var orderGrants = map[Role][]Permission{
	Agent:         {OrdersRead, OrdersWrite, OrdersDispatch, BillsRead, BillsWrite},
	OutletManager: {OrdersRead, OrdersWrite, OrdersAudit, OrdersDispatch, BillsRead, BillsWrite, BillsApprove, CommissionRead, PayApprove},
	Engineer:      {OrdersRead, OrdersWrite, BillsRead, BillsWrite},
	Finance:       {OrdersRead, BillsRead, BillsWrite, BillsApprove, CommissionRead, CommissionManage, PayApprove},
	Auditor:       {OrdersRead, BillsRead, CommissionRead},
}

// domainGrants are the grants of the domains that list theirs by role (tenant admins and
// platform admins hold them all; see Can).
var domainGrants = []map[Role][]Permission{orderGrants, stockGrants, claimGrants, complaintGrants, returnGrants, callbackGrants}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	for _, grants := range domainGrants {
		if slices.Contains(grants[r], p) {
			return true
		}
	}
	switch r {
	case PlatformAdmin:
		return true
	case TenantAdmin:
		return p != TenantsOnboard && p != TenantsReadAll
	case Agent:
		switch p {
		case OutletsRead, CalendarsRead, CustomersRead, CustomersWrite, ContactsFull, CatalogRead, FaultCodesWrite,
			RegistrationsRead, RegistrationsWrite, PoliciesRead, EntitlementsCheck, NotificationsRead, ExpressRead, PurchasesRead, PurchasesWrite, PurchasesRefund, SLARead:
			return true
		}
	case OutletManager:
		switch p {
		case OutletsRead, OutletsWrite, CalendarsRead, CalendarsWrite, MembersRead, CustomersRead,
			CustomersWrite, ContactsFull, AuditRead, CatalogRead, FaultCodesWrite, RegistrationsRead,
			RegistrationsWrite, PoliciesRead, EntitlementsCheck, ExpressRead, PurchasesRead, PurchasesWrite, PurchasesRefund, SLARead:
			return true
		}
	case Engineer:
		switch p {
		case OutletsRead, CalendarsRead, CustomersRead, CatalogRead, FaultCodesWrite, RegistrationsRead,
			RegistrationsWrite, PoliciesRead, EntitlementsCheck, ExpressRead, SLARead:
			return true
		}
	case Finance:
		switch p {
		case OutletsRead, CalendarsRead, CustomersRead, MembersRead, CatalogRead, RegistrationsRead, PoliciesRead,
			ExpressRead, PurchasesRead, PurchasesRefund, LedgerRead, LedgerReconcile, InvoicesRead, PlatformBilling, SLARead:
			return true
		}
	case Auditor:
		switch p {
		case OutletsRead, CalendarsRead, CustomersRead, MembersRead, AuditRead, CatalogRead, RegistrationsRead,
			PoliciesRead, NotificationsRead, ExpressRead, PurchasesRead, LedgerRead, InvoicesRead, SLARead:
			return true
		}
	}
	return false
}

// OutletScoped reports whether the role is confined to one outlet's rows.
func (r Role) OutletScoped() bool { return r == OutletManager || r == Engineer }

// Valid reports whether r is a tenant role.
func (r Role) Valid() bool {
	for _, v := range TenantRoles {
		if string(r) == v {
			return true
		}
	}
	return false
}

// MaskPhone keeps the first 3 and last 4 digits of the national number: 13812345678 ->
// 138****5678, and +8613812345678 -> +86138****5678.
func MaskPhone(s string) string {
	if strings.HasPrefix(s, "+") && len(s) > 3 {
		// E.164: keep the country code (one to three digits; +86 for China) visible.
		cc := 2
		if strings.HasPrefix(s, "+86") || len(s) > 13 {
			cc = 3
		}
		return s[:cc] + MaskPhone(s[cc:])
	}
	r := []rune(s)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskAddress keeps the first 6 characters of a street address (the district part).
func MaskAddress(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + "****"
}

// MaskEmail keeps the first character of the local part and the domain.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return MaskPhone(s)
	}
	return s[:1] + "***" + s[at:]
}

// All lists every permission, for describing a principal.
func All() []Permission {
	return []Permission{OutletsRead, OutletsWrite, OutletsCreate, CalendarsRead, CalendarsWrite, MembersRead, MembersWrite,
		APIKeysManage, AuditRead, CustomersRead, CustomersWrite, ContactsFull, TenantSettings, TenantsOnboard, TenantsReadAll,
		CatalogRead, CatalogWrite, FaultCodesWrite, RegistrationsRead, RegistrationsWrite, ImportsManage, PoliciesRead,
		PoliciesWrite, GrantsWrite, EntitlementsCheck, NotificationsRead, NotificationsManage, WebhooksManage,
		ExpressRead, ExpressWrite, PurchasesRead, PurchasesWrite, PurchasesRefund, LedgerRead, LedgerReconcile, PlatformBilling, InvoicesRead, SLARead, SLASettings,
		OrdersRead, OrdersWrite, OrdersAudit, OrdersDispatch, DispatchConfig, PartsRead, PartsWrite, StockRead, StockMove, StockManage, StockVan,
		BillsRead, BillsWrite, BillsApprove, CommissionRead, CommissionManage, ClaimsRead, ClaimsSubmit, ClaimsReview, ClaimsSettle, PayApprove,
		ComplaintsRead, ComplaintsHandle, ComplaintsManage, ReturnsRead, ReturnsHandle, ReturnsApprove,
		CallbacksRead, CallbacksHandle, SurveysManage}
}
