package api_test

import (
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/internal/api"
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
