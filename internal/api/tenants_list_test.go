package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestPlatformTenantListIsNewestFirst: the operator's tenant list starts with the newest,
// so a tenant just onboarded is on the first page however many the platform holds, and the
// next page (its cursor) goes on to older ones without repeating any.
func TestPlatformTenantListIsNewestFirst(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	older := env.NewTenant()
	newer := env.NewTenant()
	op := env.PlatformAdmin()
	pos := map[string]int{}
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < 50 && (pos[older.ID] == 0 || pos[newer.ID] == 0); page++ {
		path := "/v1/tenants?limit=20"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var out struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: path, Token: op}).JSON(t, &out)
		for _, tn := range out.Items {
			id := tn["id"].(string)
			if seen[id] {
				t.Fatalf("tenant %s listed twice", id)
			}
			seen[id] = true
			pos[id] = len(seen)
		}
		if out.NextCursor == "" {
			break
		}
		cursor = out.NextCursor
	}
	if pos[older.ID] == 0 || pos[newer.ID] == 0 {
		t.Fatalf("the two tenants are not both listed: %v", pos)
	}
	if pos[newer.ID] > pos[older.ID] {
		t.Errorf("the newer tenant is listed at %d, after the older one at %d", pos[newer.ID], pos[older.ID])
	}
}
