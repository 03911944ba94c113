package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
)

// TestOpenAPIMatchesCommittedSpec keeps docs/openapi.json, the published contract, equal to
// the routes. Regenerate it with `make openapi`.
func TestOpenAPIMatchesCommittedSpec(t *testing.T) {
	t.Parallel()
	s := api.New(apitest.Wire(api.Deps{Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Config: platform.Config{MaxBodyBytes: 1 << 20}}))
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.OpenAPI()); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatalf("read committed spec: %v (run `make openapi`)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("docs/openapi.json differs from the API's routes: run `make openapi` and commit the result")
	}
	if len(s.OpenAPI().Paths) < 20 {
		t.Fatalf("only %d paths", len(s.OpenAPI().Paths))
	}
}
