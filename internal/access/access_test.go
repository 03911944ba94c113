package access

import "testing"

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"13812345678":    "138****5678",
		"+8613812345678": "+86138****5678",
		"+14155552671":   "+1415***2671",
		"12345":          "*****",
		"":               "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskEmail("li.wei@example.com"); got != "l***@example.com" {
		t.Errorf("MaskEmail = %q", got)
	}
	if got := MaskAddress("浦东新区张江路123号5楼"); got != "浦东新区张江****" {
		t.Errorf("MaskAddress = %q", got)
	}
}

func TestRolePermissions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{TenantAdmin, OutletsWrite, true},
		{TenantAdmin, TenantsOnboard, false},
		{PlatformAdmin, TenantsOnboard, true},
		{Auditor, AuditRead, true},
		{Auditor, OutletsWrite, false},
		{Engineer, ContactsFull, false},
		{Finance, ContactsFull, false},
		{Agent, ContactsFull, true},
		{Engineer, MembersWrite, false},
		{OutletManager, APIKeysManage, false},
		{OutletManager, OutletsCreate, false},
		{TenantAdmin, OutletsCreate, true},
		{TenantAdmin, WebhooksManage, true},
		{TenantAdmin, NotificationsManage, true},
		{Agent, NotificationsRead, true},
		{Agent, NotificationsManage, false},
		{Auditor, NotificationsRead, true},
		{Auditor, WebhooksManage, false},
		{OutletManager, WebhooksManage, false},
		{Engineer, NotificationsRead, false},
		{TenantAdmin, SLASettings, true},
		{OutletManager, SLASettings, false},
		{Agent, SLASettings, false},
		{Engineer, SLARead, true},
		{Finance, SLARead, true},
		{Auditor, SLARead, true},
		{Auditor, SLASettings, false},
		{Engineer, StockMove, false},
		{Engineer, StockRead, false},
		{Engineer, StockVan, true},
		{Engineer, StockManage, false},
		{Engineer, PartsWrite, false},
		{OutletManager, StockManage, true},
		{Agent, StockMove, false},
		{Auditor, StockRead, true},
		{TenantAdmin, PartsWrite, true},
		{TenantAdmin, ClaimsSettle, true},
		{Finance, ClaimsReview, true},
		{Finance, ClaimsSettle, true},
		{OutletManager, ClaimsSubmit, true},
		{OutletManager, ClaimsReview, false},
		{OutletManager, ClaimsSettle, false},
		{Auditor, ClaimsRead, true},
		{Auditor, ClaimsSubmit, false},
		{Engineer, ClaimsRead, false},
		{Agent, ClaimsRead, false},
		{Finance, PurchasesRefund, true}, // refunds are finance's to settle
		{Finance, PurchasesWrite, false}, // but finance sells nothing at the counter
		{Agent, PurchasesRefund, true},
		{Auditor, PurchasesRefund, false},
		{Engineer, PurchasesRefund, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.perm); got != c.want {
			t.Errorf("%s.Can(%s) = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	if !Engineer.OutletScoped() || TenantAdmin.OutletScoped() {
		t.Error("outlet scoping wrong")
	}
}
