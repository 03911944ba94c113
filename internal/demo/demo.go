// Package demo loads a demonstration network: a brand with three outlets in different
// regions, engineers, an agent, admins, a distributor, and consumers. Seeding twice changes
// nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// Password is every demo account's password.
const Password = "demo-password-2026"

// Login is a demo account to print.
type Login struct {
	Email, Role, Tenant string
}

// BrandSlug identifies the demo brand.
const BrandSlug = "breeze-appliances"

type person struct {
	email, name, role, outlet string
}

// Seed loads the demo unless the brand exists; it returns the demo logins either way.
func Seed(ctx context.Context, d *tenants.DB) ([]Login, error) {
	logins := []Login{{"platform@aftersales.local", "platform_admin", "(all)"},
		{"admin@breeze.local", "tenant_admin", BrandSlug}, {"agent@breeze.local", "agent", BrandSlug},
		{"manager.sh@breeze.local", "outlet_manager", BrandSlug + " / Shanghai Pudong"},
		{"eng1.sh@breeze.local", "engineer", BrandSlug + " / Shanghai Pudong"},
		{"finance@breeze.local", "finance", BrandSlug}, {"auditor@breeze.local", "auditor", BrandSlug},
		{"admin@northstar.local", "tenant_admin", "northstar-distribution"},
		{"fixit@multibrand.local", "engineer in both tenants", BrandSlug + ", northstar-distribution"}}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	exists := false
	err = d.Platform(ctx, "demo seed: find brand", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Q.GetUserByEmail(ctx, tx, "platform@aftersales.local")
		if err == nil {
			exists = true
			return nil
		}
		if !errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return err
		}
		_, err = tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: "platform@aftersales.local",
			Name: "Platform Operator", PasswordHash: hash, IsPlatformAdmin: true})
		return err
	})
	if err != nil {
		return nil, err
	}
	if exists {
		return logins, upgrade(ctx, d)
	}
	actor := tenants.SystemActor
	brand, _, err := d.Onboard(ctx, actor, tenants.NewTenant{Slug: BrandSlug, Name: "Breeze Appliances 清风电器", Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "admin@breeze.local",
		AdminName: "Wang Fang", AdminPasswordHash: hash})
	if err != nil {
		return nil, fmt.Errorf("onboard brand: %w", err)
	}
	dist, _, err := d.Onboard(ctx, actor, tenants.NewTenant{Slug: "northstar-distribution", Name: "Northstar Distribution 北辰商贸",
		Kind: "distributor", Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN",
		AdminEmail: "admin@northstar.local", AdminName: "Zhao Lei", AdminPasswordHash: hash})
	if err != nil {
		return nil, fmt.Errorf("onboard distributor: %w", err)
	}
	lat := func(v float64) *float64 { return &v }
	outlets := []tenants.OutletFields{
		{Code: "SH-PD-01", Name: "Shanghai Pudong Service Centre 浦东服务中心", Kind: "service_center", Phone: "021-50001234",
			ProvinceCode: "310000", CityCode: "310100", DistrictCode: "310115", Address: "浦东新区张江路 88 号",
			Latitude: lat(31.2047), Longitude: lat(121.5900)},
		{Code: "BJ-HD-01", Name: "Beijing Haidian Authorized Outlet 海淀授权网点", Kind: "authorized_outlet", Phone: "010-62001234",
			ProvinceCode: "110000", CityCode: "110100", DistrictCode: "110108", Address: "海淀区中关村大街 1 号",
			Latitude: lat(39.9836), Longitude: lat(116.3164)},
		{Code: "GZ-TH-01", Name: "Guangzhou Tianhe Carrier Store 天河营业厅", Kind: "carrier_store", Phone: "020-38001234",
			ProvinceCode: "440000", CityCode: "440100", DistrictCode: "440106", Address: "天河区天河路 208 号",
			Latitude: lat(23.1322), Longitude: lat(113.3240)},
	}
	people := []person{
		{"agent@breeze.local", "Li Na", "agent", ""}, {"finance@breeze.local", "Chen Jing", "finance", ""},
		{"auditor@breeze.local", "Sun Wei", "auditor", ""},
		{"manager.sh@breeze.local", "Zhou Min", "outlet_manager", "SH-PD-01"},
		{"eng1.sh@breeze.local", "Liu Yang", "engineer", "SH-PD-01"}, {"eng2.sh@breeze.local", "Huang Tao", "engineer", "SH-PD-01"},
		{"eng1.bj@breeze.local", "Zhang Qiang", "engineer", "BJ-HD-01"}, {"eng2.bj@breeze.local", "Wu Hao", "engineer", "BJ-HD-01"},
		{"eng1.gz@breeze.local", "Xu Bin", "engineer", "GZ-TH-01"}, {"fixit@multibrand.local", "Ma Jun", "engineer", "GZ-TH-01"},
	}
	err = d.Tx(ctx, tenants.Scope{TenantID: brand.ID, Actor: actor}, func(tx *tenants.Tx) error {
		codes := map[string]uuid.UUID{}
		for _, f := range outlets {
			o, err := tenants.CreateOutlet(ctx, tx, f)
			if err != nil {
				return err
			}
			codes[f.Code] = o.ID
		}
		for _, p := range people {
			if err := addPerson(ctx, tx, p, codes[p.outlet], hash); err != nil {
				return err
			}
		}
		for _, c := range []customers.Fields{
			{Name: "赵敏", Phone: "13812345678", ProvinceCode: "310000", CityCode: "310100", DistrictCode: "310115", Address: "浦东新区世纪大道 100 号 12 楼"},
			{Name: "钱伟", Phone: "13987654321", ProvinceCode: "110000", CityCode: "110100", DistrictCode: "110108", Address: "海淀区学院路 30 号"},
			{Name: "孙丽", Phone: "13700001111", Email: "sun.li@example.com", ProvinceCode: "440000", CityCode: "440100", DistrictCode: "440106", Address: "天河区体育西路 55 号"},
		} {
			if _, err := customers.Create(ctx, tx, c); err != nil {
				return err
			}
		}
		if err := seedWarranty(ctx, tx); err != nil {
			return err
		}
		if err := seedOrders(ctx, tx); err != nil {
			return err
		}
		if err := seedStock(ctx, tx); err != nil {
			return fmt.Errorf("demo stock: %w", err)
		}
		if err := seedPay(ctx, tx); err != nil {
			return fmt.Errorf("demo pay rules: %w", err)
		}
		return seedBilling(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("seed brand network: %w", err)
	}
	err = d.Tx(ctx, tenants.Scope{TenantID: dist.ID, Actor: actor}, func(tx *tenants.Tx) error {
		o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: "NS-HZ-01", Name: "Northstar Hangzhou Store 杭州门店",
			Kind: "authorized_outlet", ProvinceCode: "330000", CityCode: "330100", DistrictCode: "330106", Address: "西湖区文三路 90 号"})
		if err != nil {
			return err
		}
		return addPerson(ctx, tx, person{"fixit@multibrand.local", "Ma Jun", "engineer", ""}, o.ID, hash)
	})
	if err != nil {
		return nil, fmt.Errorf("seed distributor: %w", err)
	}
	return logins, nil
}

// addPerson creates the user if needed and gives them a membership in the scope's tenant.
func addPerson(ctx context.Context, tx *tenants.Tx, p person, outletID uuid.UUID, hash string) error {
	u, err := tx.Q.GetUserByEmail(ctx, tx, p.email)
	if err != nil {
		u, err = tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: p.email, Name: p.name, PasswordHash: hash})
		if err != nil {
			return fmt.Errorf("create %s: %w", p.email, err)
		}
	}
	_, err = tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		UserID: u.ID, OutletID: uuid.NullUUID{UUID: outletID, Valid: outletID != uuid.Nil}, Role: p.role})
	if err != nil {
		return fmt.Errorf("add %s: %w", p.email, err)
	}
	return nil
}

// seedWarranty gives the brand a catalog, fault codes, the national 三包 policy with a longer
// compressor term, its service tiers with a value rule, and registered units of the demo
// customers: one bought this week (return window), one last year, one out of warranty.
func seedWarranty(ctx context.Context, tx *tenants.Tx) error {
	ac, err := catalog.CreateCategory(ctx, tx, "air-conditioner", "空调 Air conditioners")
	if err != nil {
		return err
	}
	wm, err := catalog.CreateCategory(ctx, tx, "washer", "洗衣机 Washing machines")
	if err != nil {
		return err
	}
	split, err := catalog.CreateModel(ctx, tx, catalog.ModelFields{CategoryID: ac.ID, SKU: "KFR-35GW", Name: "Breeze 1.5P split AC",
		SerialPattern: "[A-Z0-9]{10,20}", NeedsInstall: true, Components: []catalog.Component{
			{Code: "compressor", Name: "压缩机 Compressor", Main: true}, {Code: "mainboard", Name: "主板 Mainboard"}, {Code: "fan_motor", Name: "风机 Fan motor"}}})
	if err != nil {
		return err
	}
	if _, err := catalog.CreateModel(ctx, tx, catalog.ModelFields{CategoryID: wm.ID, SKU: "XQG100", Name: "Breeze 10kg washer",
		Components: []catalog.Component{{Code: "motor", Name: "电机 Motor", Main: true}, {Code: "mainboard", Name: "主板 Mainboard"}}}); err != nil {
		return err
	}
	for _, f := range [][3]string{{"E1", "不制冷 Not cooling", "compressor"}, {"E2", "漏水 Water leak", ""}, {"E5", "通讯故障 Board fault", "mainboard"}} {
		if _, err := catalog.EnsureFaultCode(ctx, tx, f[0], f[1], f[2]); err != nil {
			return err
		}
	}
	rules := coverage.NationalRules("CNY")
	rules.Fees = warranty.Fees{Currency: "CNY", LabourRate: 8000, VisitFee: 5000, ShippingFee: 2000}
	rules.Terms = append(rules.Terms, warranty.Term{Component: "compressor", Months: 72, Basis: warranty.FromInvoice, Covered: warranty.AllFree},
		warranty.Term{Component: "motor", Months: 120, Basis: warranty.FromInvoice, Covered: warranty.Lines{
			Parts: warranty.Line{Mode: warranty.Free}, Labour: warranty.Line{Mode: warranty.Charged},
			Visit: warranty.Line{Mode: warranty.Charged}, Shipping: warranty.Line{Mode: warranty.Charged}}})
	if _, err := coverage.CreatePolicy(ctx, tx, coverage.PolicyInput{Name: "清风三包 (national template)", CategoryIDs: []uuid.UUID{ac.ID, wm.ID},
		EffectiveFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Rules: rules}); err != nil {
		return err
	}
	if _, err := coverage.AddTierRule(ctx, tx, warranty.TierRule{Tier: "gold", Kind: warranty.RuleCustomerValue, MinLifetimeValue: 5_000_000}); err != nil {
		return err
	}
	today := time.Now().In(shanghai()).Format(time.DateOnly)
	ago := func(days int) string { return time.Now().In(shanghai()).AddDate(0, 0, -days).Format(time.DateOnly) }
	for _, u := range []registry.Input{
		{ModelID: split.ID.String(), Serial: "KFR35GW2611000001", PurchaseDate: ago(3), InvoiceNo: "FP-2026-0001", HasWarrantyCard: true,
			Seller: "Northstar Hangzhou Store", Buyer: &registry.Party{Name: "赵敏", Phone: "13812345678"}, InstallDate: ago(2)},
		{ModelID: split.ID.String(), Serial: "KFR35GW2509000042", PurchaseDate: ago(400), InvoiceNo: "FP-2025-0042", HasWarrantyCard: true,
			Buyer: &registry.Party{Name: "钱伟", Phone: "13987654321"}, User: &registry.Party{Name: "钱老先生", Phone: "13987650000"}},
		{ModelSKU: "XQG100", Serial: "XQG100-2019-7", PurchaseDate: "2019-05-01", InvoiceNo: "FP-2019-0007", HasWarrantyCard: true,
			Buyer: &registry.Party{Name: "孙丽", Phone: "13700001111"}},
	} {
		if _, err := registry.Register(ctx, tx, u, registry.ChannelStaff); err != nil {
			return fmt.Errorf("register %s (today %s): %w", u.Serial, today, err)
		}
	}
	return nil
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.UTC
	}
	return loc
}

// upgrade adds the parts of the demo that a database seeded by an older release lacks.
func upgrade(ctx context.Context, d *tenants.DB) error {
	var brand uuid.UUID
	err := d.Platform(ctx, "demo seed: upgrade", uuid.Nil, func(tx *tenants.Tx) error {
		t, err := tx.Q.GetTenantBySlug(ctx, tx, BrandSlug)
		brand = t.ID
		return err
	})
	if err != nil {
		return nil // the demo brand was removed: leave the database alone
	}
	return d.Tx(ctx, tenants.Scope{TenantID: brand, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		cats, err := catalog.ListCategories(ctx, tx, uuid.NullUUID{}, 1)
		if err != nil {
			return err
		}
		if len(cats) == 0 {
			if err := seedWarranty(ctx, tx); err != nil {
				return err
			}
		}
		if ps, err := parts.List(ctx, tx, parts.Filter{Limit: 1}); err != nil {
			return err
		} else if len(ps) == 0 {
			if err := seedStock(ctx, tx); err != nil {
				return fmt.Errorf("demo stock: %w", err)
			}
		}
		if vs, err := commission.Versions(ctx, tx); err != nil {
			return err
		} else if len(vs) == 0 {
			if err := seedPay(ctx, tx); err != nil {
				return fmt.Errorf("demo pay rules: %w", err)
			}
		}
		products, err := billing.ListProducts(ctx, tx, uuid.NullUUID{}, 1, false)
		if err != nil || len(products) > 0 {
			return err
		}
		return seedBilling(ctx, tx)
	})
}

// seedBilling gives the brand its paid express products (seed 004: service sold as a
// product, 6-hour against the 24-hour standard) and the platform its plans.
func seedBilling(ctx context.Context, tx *tenants.Tx) error {
	for _, p := range []billing.PlatformPlan{
		{Code: "starter", Name: "Starter", Currency: "CNY", MonthlyAmount: 29900, PerOrderAmount: 100, MaxOutlets: 5},
		{Code: "growth", Name: "Growth", Currency: "CNY", MonthlyAmount: 99900, PerOrderAmount: 50, MaxOutlets: 50},
	} {
		if err := billing.UpsertPlatformPlan(ctx, tx, p); err != nil {
			return err
		}
	}
	free := warranty.Line{Mode: warranty.Free}
	if _, err := billing.CreateProduct(ctx, tx, billing.ProductInput{Code: "onsite-6h", Name: "6 小时上门 6-hour on-site", Kind: billing.PerIncident,
		Description: "An engineer at your door within 6 hours instead of 24, or half the price back.",
		Targets:     map[string]warranty.Target{warranty.TargetArrival: {Minutes: 360, Clock: "clock"}, warranty.TargetAccept: {Minutes: 30, Clock: "clock"}},
		Eligibility: billing.Eligibility{ProvinceCodes: []string{"310000", "330000"}}, CoolingOffDays: 0, AfterCoolingOff: "none",
		Compensation: billing.Compensation{Kind: "refund_partial", Percent: 50}},
		[]billing.PriceInput{{Currency: "CNY", UnitAmount: 9900}}); err != nil {
		return err
	}
	_, err := billing.CreateProduct(ctx, tx, billing.ProductInput{Code: "gold-express-2y", Name: "金牌快修 2 年 Gold express, 2 years", Kind: billing.Plan,
		Description: "Two years of gold service (priority, on-site, loaner) and extended coverage of parts and labour.",
		TermMonths:  24, TierCode: "gold", CoolingOffDays: 14, AfterCoolingOff: "pro_rata",
		Coverage:     &billing.PlanCoverage{Kind: warranty.GrantExtended, Covered: warranty.Lines{Parts: free, Labour: free, Visit: free, Shipping: free}},
		Compensation: billing.Compensation{Kind: "credit", Percent: 10}},
		[]billing.PriceInput{{Currency: "CNY", UnitAmount: 39900}})
	return err
}
