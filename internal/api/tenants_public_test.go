package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// The portal's header names the brand of the slug, and only that brand; an unknown or
// suspended brand is the same 404, a malformed slug a problem naming the path parameter.
func TestPublicTenantNamesTheBrandOfItsSlug(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewTenant(), env.NewTenant()
	var got struct{ Slug, Name, Locale, Currency string }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/public/tenants/" + a.Slug}).JSON(t, &got)
	if got.Slug != a.Slug || got.Name != "Tenant "+a.Slug[2:] || got.Locale != "zh-CN" || got.Currency != "CNY" {
		t.Errorf("tenant %s answers %+v", a.Slug, got)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/public/tenants/" + b.Slug}).JSON(t, &got)
	if got.Slug != b.Slug || got.Name != "Tenant "+b.Slug[2:] {
		t.Errorf("tenant %s answers %+v", b.Slug, got)
	}
	unknown := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/tenants/no-such-brand-" + env.Unique()})
	if unknown.Status != 404 {
		t.Fatalf("an unknown slug: %d %s", unknown.Status, unknown.Body)
	}
	if _, err := env.DB.Owner.Exec(context.Background(), `UPDATE tenants SET status = 'suspended' WHERE slug = $1`, b.Slug); err != nil {
		t.Fatal(err)
	}
	suspended := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/tenants/" + b.Slug})
	if suspended.Status != 404 || strings.Contains(string(suspended.Body), "Tenant ") {
		t.Errorf("a suspended brand: %d %s (an unknown one: %s)", suspended.Status, suspended.Body, unknown.Body)
	}
	bad := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/tenants/NOT_A_SLUG"})
	if bad.Status != 422 || !strings.Contains(string(bad.Body), `"location":"path.tenant"`) {
		t.Errorf("a malformed slug: %d %s", bad.Status, bad.Body)
	}
}
