package api_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestRegionsNameEveryLevelWithTheCoveragePrefix(t *testing.T) {
	env := apitest.New(t)
	tn := env.NewTenant()
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/regions"})
	resp := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/regions", Token: tn.Admin})
	if got := resp.Header.Get("Cache-Control"); got != "private, max-age=86400" {
		t.Errorf("Cache-Control %q", got)
	}
	type region struct {
		Code, Prefix, Name string
		Children           []region
	}
	var out struct{ Items []region }
	resp.JSON(t, &out)
	path := ""
	level := out.Items
	for _, prefix := range []string{"31", "3101", "310115"} {
		var next *region
		for i := range level {
			if level[i].Prefix == prefix {
				next = &level[i]
			}
		}
		if next == nil {
			t.Fatalf("no region %s under %q", prefix, path)
		}
		path += next.Name
		level = next.Children
	}
	if path != "上海市上海市浦东新区" || len(out.Items) != 34 {
		t.Errorf("310115 reads %q among %d provinces", path, len(out.Items))
	}
	// The prefix is what a coverage area takes.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + tn.Outlets[0] + "/coverage", Token: tn.Admin,
		Body: map[string]any{"region_code": "310115"}})
}
