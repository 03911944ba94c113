package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestTiersTakeIfMatch replaces the tiers as a whole under their ETag: without If-Match the
// change is refused (428), with an old one too (412), so two admins editing the tiers at
// once cannot overwrite each other's targets.
func TestTiersTakeIfMatch(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tiers", Token: tn.Admin})
	if got.Header.Get("ETag") != `"1"` {
		t.Fatalf("tiers ETag: %q", got.Header.Get("ETag"))
	}
	tiers := map[string]any{"tiers": []map[string]any{
		{"code": "vip", "name": "VIP", "rank": 1, "default": false, "targets": map[string]any{"accept": map[string]any{"minutes": 15, "clock": "clock"}}},
		{"code": "std", "name": "Standard", "rank": 2, "default": true, "targets": map[string]any{"accept": map[string]any{"minutes": 120, "clock": "business"}}},
	}}
	env.Must(428, apitest.Req{Method: "PUT", Path: "/v1/tiers", Token: tn.Admin, Body: tiers})
	put := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/tiers", Token: tn.Admin, Body: tiers, Header: map[string]string{"If-Match": `"1"`}})
	if put.Header.Get("ETag") != `"2"` {
		t.Fatalf("ETag after the replacement: %q", put.Header.Get("ETag"))
	}
	env.Must(412, apitest.Req{Method: "PUT", Path: "/v1/tiers", Token: tn.Admin, Body: tiers, Header: map[string]string{"If-Match": `"1"`}})
	got = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tiers", Token: tn.Admin})
	if got.Header.Get("ETag") != `"2"` || len(got.Map(t)["tiers"].([]any)) != 2 {
		t.Fatalf("tiers after: %s %s", got.Header.Get("ETag"), got.Body)
	}
}
