// Package demo loads a demonstration network: a brand with three outlets in different
// regions, engineers, an agent, admins, a distributor, and consumers. Seeding twice changes
// nothing.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
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
	err = d.Global(ctx, uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Q.GetUserByEmail(ctx, tx, "platform@aftersales.local")
		if err == nil {
			exists = true
			return nil
		}
		if !errors.Is(tenants.DBError(err, "", ""), tenants.ErrNotFound) {
			return err
		}
		_, err = tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: "platform@aftersales.local",
			Name: "Platform Operator", PasswordHash: hash, IsPlatformAdmin: true})
		return err
	})
	if err != nil || exists {
		return logins, err
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
		return nil
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
