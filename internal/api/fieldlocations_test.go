package api_test

import (
	"encoding/json"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
)

// TestParametersAndBodyFieldsDiffer: domain errors name fields without saying where the
// request carries them, and the API reports a field the operation takes as a parameter at
// that parameter. So no operation may take a parameter and a body field (one the client
// sends) of the same name.
func TestParametersAndBodyFieldsDiffer(t *testing.T) {
	t.Parallel()
	s := api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Config: platform.Config{MaxBodyBytes: 1 << 20}})
	doc := s.OpenAPI()
	var clashes []string
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil || op.RequestBody == nil {
				continue
			}
			for _, mt := range op.RequestBody.Content {
				body := mt.Schema
				if body != nil && body.Ref != "" {
					body = doc.Components.Schemas.SchemaFromRef(body.Ref)
				}
				if body == nil {
					continue
				}
				for _, p := range op.Parameters {
					if f, ok := body.Properties[p.Name]; ok && !f.ReadOnly && p.In != "cookie" {
						clashes = append(clashes, op.Method+" "+path+": "+p.In+"."+p.Name+" and body."+p.Name)
					}
				}
			}
		}
	}
	sort.Strings(clashes)
	if len(clashes) > 0 {
		t.Fatalf("parameters named like a body field:\n%s", strings.Join(clashes, "\n"))
	}
}

// TestDomainErrorsOnParameters: a domain error on a value the request passed as a query
// parameter points at that parameter.
func TestDomainErrorsOnParameters(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for _, c := range []struct {
		req apitest.Req
		loc string
	}{
		{apitest.Req{Method: "GET", Path: "/v1/customers?phone=12345"}, "query.phone"},
		{apitest.Req{Method: "GET", Path: "/v1/imports/00000000-0000-0000-0000-000000000000/errors?cursor=!!!"}, "query.cursor"},
		{apitest.Req{Method: "POST", Path: "/v1/imports/registrations?filename=%FF.csv", Body: []byte("model_sku,serial,purchase_date\n"),
			Header: map[string]string{"Content-Type": "text/csv"}}, "query.filename"},
	} {
		c.req.Token = tn.Admin
		r := env.Do(c.req)
		var p struct {
			Errors []struct{ Location string } `json:"errors"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil || r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Location != c.loc {
			t.Errorf("%s %s: %d %s, want 422 at %s", c.req.Method, c.req.Path, r.Status, r.Body, c.loc)
		}
	}
}

// TestFaultCodeRefusedAtItsField: the dictionary's own request names the code "code" (an
// order's names it "fault_code"), so a code without a letter or digit is refused there.
func TestFaultCodeRefusedAtItsField(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/fault-codes", Token: tn.Admin, Body: map[string]any{"code": "--"}})
	var p struct {
		Errors []struct{ Location string } `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil || r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Location != "body.code" {
		t.Errorf("POST /v1/fault-codes {code: --}: %d %s, want 422 at body.code", r.Status, r.Body)
	}
}
