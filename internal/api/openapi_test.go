package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"testing"

	"github.com/danielgtaylor/huma/v2"
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

// TestWritesTakeIfMatch holds the README's rule: every PUT and DELETE takes If-Match (and
// answers 428 without it), except the few listed here with why.
func TestWritesTakeIfMatch(t *testing.T) {
	t.Parallel()
	s := api.New(apitest.Wire(api.Deps{Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Config: platform.Config{MaxBodyBytes: 1 << 20}}))
	// Records that never change, so no version of them can be stale (a key, an invitation,
	// a rule or a coverage row is revoked, never edited), and uploads and preferences that
	// are the caller's own and replace the whole value.
	exempt := map[string]string{
		"DELETE /v1/api-keys/{id}":                                   "an API key never changes: revoking is the only write",
		"DELETE /v1/invitations/{id}":                                "an invitation never changes: revoking is the only write",
		"DELETE /v1/tier-rules/{id}":                                 "a tier rule never changes: it is added or removed",
		"DELETE /v1/outlet-coverage/{id}":                            "a coverage row never changes: it is added or removed",
		"DELETE /v1/me/sessions/{id}":                                "a session never changes: signing it out is the only write",
		"PUT /v1/registrations/{id}/invoice-image":                   "an upload, replaced whole",
		"PUT /v1/consumer/tenants/{tenant}/units/{id}/invoice-image": "the consumer's own upload, replaced whole",
		"PUT /v1/consumer/tenants/{tenant}/notification-preferences": "the consumer's own preferences, replaced whole",
		"PUT /v1/customers/{id}/notification-preferences":            "the customer's preferences, replaced whole",
	}
	n := 0
	for path, item := range s.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{"PUT": item.Put, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			n++
			key := method + " " + path
			has := false
			for _, p := range op.Parameters {
				has = has || (p.In == "header" && p.Name == "If-Match")
			}
			_, ok := exempt[key]
			switch {
			case !has && !ok:
				t.Errorf("%s takes no If-Match", key)
			case has && ok:
				t.Errorf("%s takes If-Match now: drop it from the exemptions", key)
			case has && !slices.Contains(errorStatuses(op), "428"):
				t.Errorf("%s does not document 428 (If-Match missing)", key)
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d PUT and DELETE operations", n)
	}
}

func errorStatuses(op *huma.Operation) []string {
	var out []string
	for code := range op.Responses {
		out = append(out, code)
	}
	return out
}
