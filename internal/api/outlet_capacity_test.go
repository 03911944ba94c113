package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestOutletCapacityReadsWhatWasSetWithTheETagToChangeIt(t *testing.T) {
	env := apitest.New(t)
	tn := env.NewTenant()
	path := "/v1/outlets/" + tn.Outlets[0] + "/capacity"
	var c struct {
		DailyCapacity int `json:"daily_capacity"`
	}
	first := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin})
	first.JSON(t, &c)
	if c.DailyCapacity != 0 || first.Header.Get("ETag") == "" {
		t.Fatalf("a new outlet's capacity is %d (ETag %q), want 0 (no limit)", c.DailyCapacity, first.Header.Get("ETag"))
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: path, Token: tn.Admin, Header: map[string]string{"If-Match": first.Header.Get("ETag")},
		Body: map[string]any{"daily_capacity": 25}})
	again := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin})
	again.JSON(t, &c)
	if c.DailyCapacity != 25 || again.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Errorf("after setting 25 the capacity reads %d with ETag %q (was %q)", c.DailyCapacity, again.Header.Get("ETag"), first.Header.Get("ETag"))
	}
	// The outlet's own ETag: a capacity read before the outlet changed is stale.
	env.Must(412, apitest.Req{Method: "PUT", Path: path, Token: tn.Admin, Header: map[string]string{"If-Match": first.Header.Get("ETag")},
		Body: map[string]any{"daily_capacity": 30}})
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + tn.Outlets[0], Token: tn.Admin}).Header.Get("ETag"); got != again.Header.Get("ETag") {
		t.Errorf("the capacity's ETag %q is not the outlet's %q", again.Header.Get("ETag"), got)
	}
	// Another tenant's outlet is not found; a negative capacity is refused at its field.
	other := env.NewTenant()
	env.Must(404, apitest.Req{Method: "GET", Path: path, Token: other.Admin})
	r := env.Must(422, apitest.Req{Method: "PUT", Path: path, Token: tn.Admin, Header: map[string]string{"If-Match": again.Header.Get("ETag")},
		Body: map[string]any{"daily_capacity": -1}})
	if loc := r.Map(t)["errors"].([]any)[0].(map[string]any)["location"]; loc != "body.daily_capacity" {
		t.Errorf("the negative capacity is refused at %v", loc)
	}
}
