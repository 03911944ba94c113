package api

// Regions: China's provinces, cities and districts by name (GB/T 2260), for the pickers
// of coverage areas and eligibility. The same for every tenant and every caller.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/regions"
)

// RegionsOutput is the whole tree, cacheable by the browser for a day.
type RegionsOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Items []regions.Region `json:"items"`
	}
}

// registerRegionRoutes adds the region tree. The embedded table is read once, here; were it
// unreadable (regions' tests say it is not), the operation answers 500 with the reason.
func registerRegionRoutes(api huma.API, s *Server) {
	tree, err := regions.Tree()
	register(api, s, huma.Operation{OperationID: "list-regions", Method: http.MethodGet, Path: "/regions",
		Tags: []string{"Outlets"}, Summary: "China's provinces, cities and districts (GB/T 2260) with the code prefixes coverage areas match on"},
		route{noTenant: true}, func(context.Context, *struct{}) (*RegionsOutput, error) {
			if err != nil {
				return nil, fmt.Errorf("read the region table: %w", err)
			}
			out := &RegionsOutput{CacheControl: "private, max-age=86400"}
			out.Body.Items = tree
			return out, nil
		})
}
