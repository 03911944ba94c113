package api

// The public coverage check: a unit's coverage by its serial and the last four digits of
// the buyer's or user's phone, without signing in.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// registerPublicCoverageRoutes adds the public coverage check.
func registerPublicCoverageRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "public-coverage", Method: http.MethodGet, Path: "/public/tenants/{tenant}/coverage",
		Tags: []string{"Public"}, Summary: "Check a unit's coverage without signing in (serial + last 4 digits of the phone)",
		Description: "Reveals only the model, purchase date and coverage; any mismatch is the same 404.",
		Errors:      []int{404, 422, 429}},
		route{public: true}, s.publicCoverage)
}

type publicIn struct {
	TenantPath
	Serial     string `query:"serial" required:"true" minLength:"1" maxLength:"64"`
	PhoneLast4 string `query:"phone_last4" required:"true" pattern:"^[0-9]{4}$"`
}

type publicOut struct {
	Body struct {
		ModelSKU     string `json:"model_sku"`
		PurchaseDate string `json:"purchase_date"`
		Class        string `json:"coverage_class"`
		CoveredUntil string `json:"covered_until,omitempty"`
	}
}

func (s *Server) publicCoverage(ctx context.Context, in *publicIn) (*publicOut, error) {
	meta := actorMeta(ctx)
	// The serial is limited in the form it is looked up by: " KFR…" or "ＫＦＲ…" is the same
	// unit as "KFR…", so it counts against the same limit.
	serial := registry.NormalizeSerial(in.Serial)
	for _, key := range []string{"public:ip:" + platform.LimitKey(meta.IP), "public:serial:" + serial} {
		if ok, wait := s.Limiter.Allow(ctx, key, platform.PerMinute(publicLimit(s.Config))); !ok {
			return nil, rateLimited(wait)
		}
	}
	tenantID, err := s.tenantBySlug(ctx, in.Tenant)
	if err != nil {
		return nil, err
	}
	out := &publicOut{}
	scope := tenants.Scope{TenantID: tenantID, Actor: tenants.Actor{Kind: "system", Label: "public coverage check", IP: meta.IP, RequestID: meta.RequestID}}
	err = s.DB.Read(ctx, scope, func(q db.DBTX) error {
		a, err := coverage.Public(ctx, q, s.History, serial, in.PhoneLast4)
		out.Body.ModelSKU, out.Body.PurchaseDate, out.Body.Class, out.Body.CoveredUntil = a.ModelSKU, a.PurchaseDate, a.Class, a.CoveredUntil
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// publicLimit is the public checks allowed per minute per IP and per serial (default 20).
func publicLimit(c platform.Config) int {
	if c.RatePublicPerMinute <= 0 {
		return 20
	}
	return c.RatePublicPerMinute
}

func rateLimited(wait time.Duration) error {
	secs := int(wait.Seconds()) + 1
	return huma.ErrorWithHeaders(huma.Error429TooManyRequests("too many checks; retry later"),
		http.Header{"Retry-After": {itoa(secs)}})
}
