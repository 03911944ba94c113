package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestEngineerAreas: an engineer's profile names the areas served (region code prefixes);
// a code that is no prefix, or a repeated one, is refused at its place in the list; another
// tenant can neither read nor set them.
func TestEngineerAreas(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewTenant(), env.NewTenant()
	outlet := a.Outlets[0]
	_, engTok := env.Person(a, "engineer", outlet)
	eng := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)["id"].(string)
	path := "/v1/engineers/" + eng
	profile := func(areas ...string) map[string]any {
		return map[string]any{"outlet_id": outlet, "skills": []string{"gas"}, "level": 2, "active": true, "areas": areas}
	}
	got := env.Must(200, apitest.Req{Method: "PUT", Path: path, Token: a.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: profile("3101", "440305")}).Map(t)
	if fmt.Sprint(got["areas"]) != "[3101 440305]" {
		t.Fatalf("areas saved as %v", got["areas"])
	}
	for _, c := range []struct {
		areas []string
		at    string
	}{{[]string{"31", "3101x"}, "body.areas[1]"}, {[]string{"310"}, "body.areas[0]"}, {[]string{"31", "31"}, "body.areas[1]"}} {
		r := env.Do(apitest.Req{Method: "PUT", Path: path, Token: a.Admin, Header: map[string]string{"If-Match": `"1"`}, Body: profile(c.areas...)})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"location":"`+c.at+`"`) {
			t.Errorf("areas %q: %d %s, want 422 at %s", c.areas, r.Status, r.Body, c.at)
		}
	}
	// Cross-tenant: B's admin finds no such engineer, to read or to change.
	if r := env.Do(apitest.Req{Method: "GET", Path: path, Token: b.Admin}); r.Status != 404 {
		t.Errorf("B reads A's engineer: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: path, Token: b.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"outlet_id": b.Outlets[0], "skills": []string{}, "level": 1, "active": true, "areas": []string{"11"}}}); r.Status != 404 {
		t.Errorf("B sets A's engineer's areas: %d %s", r.Status, r.Body)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: a.Admin}).Map(t); fmt.Sprint(got["areas"]) != "[3101 440305]" {
		t.Errorf("A's engineer's areas after B's attempts: %v", got["areas"])
	}
}
