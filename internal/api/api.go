// Package api serves the product's HTTP API with huma: routes, authentication, tenant
// selection, permissions, idempotency, rate limits, problems, docs and metrics.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
	"github.com/aftersales/aftersales/web/console"
	"github.com/aftersales/aftersales/web/customer"
	"github.com/aftersales/aftersales/web/docs"
)

// Deps are what the API needs; cmd/aftersales builds them (tests: apitest.New). New adds
// nothing of its own: every service a route uses is given here.
type Deps struct {
	DB       *tenants.DB
	Auth     *auth.Service
	Limiter  *platform.Limiter
	Redis    *redis.Client
	Log      *slog.Logger
	Registry *prometheus.Registry
	Config   platform.Config
	// Jobs inserts background jobs in the same transaction as the change that causes them.
	Jobs *river.Client[pgx.Tx]
	// Orders runs service orders: intake, status moves, quotes, dispatch, appointments,
	// disputes (orders.Wire builds the product's).
	Orders *orders.Service
	// History supplies units' repair history to entitlement checks (service orders).
	History coverage.HistorySource
	// Limits tells appointment booking the order's time limit (SLA clocks).
	Limits orders.Limits
	// Billing takes payments with Stripe; nil serves billing routes that answer 503.
	Billing *billing.Service
	// Carriers track return shipments of faulty parts (their webhook reads their updates).
	Carriers logistics.Carriers
}

// Server is the HTTP API.
type Server struct {
	Deps
	api     huma.API
	handler http.Handler
	slugs   slugCache
}

// New builds the API and its HTTP handler.
func New(d Deps) *Server {
	useProblemTypes()
	refuseNullArrays()
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("aftersales API", "1.0.0")
	cfg.Info.Description = "After-sales service networks: tenants, outlets, people, warranty, service orders. " +
		"Errors are RFC 9457 problems (see /problems). Lists use cursor pagination. Updates need If-Match. " +
		"A 503 with Retry-After (the database unavailable) changed nothing: send the request again after the wait."
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/schemas"
	cfg.CreateHooks = nil // no $schema links: bodies stay plain and clients can send them back unchanged
	cfg.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "Session token (ses_...) or API key (ask_...)"},
		"cookie": {Type: "apiKey", In: "cookie", Name: sessionCookie},
	}
	api := humago.New(mux, cfg)
	useUUIDFormat(api.OpenAPI().Components.Schemas)
	s := &Server{Deps: d, api: api}
	api.UseMiddleware(withOperation, s.authenticate, s.idempotency)

	registerRoutes(huma.NewGroup(api, "/v1"), s)
	useDomainEnums(api.OpenAPI().Components.Schemas)

	mux.HandleFunc("GET /problems", problemDocs)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{}))
	docs.Mount(mux, "/openapi.json")
	console.Mount(mux)
	customer.Mount(mux)
	s.handler = s.observe(problemFallback(mux))
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OpenAPI returns the API description (for the spec dump command and tests).
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// ready answers 204 while the database answers, else 503. An unreachable database is
// logged by the database's outage log, once per outage; other failures here.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		if !fault.Unavailable(err) {
			s.Log.WarnContext(ctx, "not ready: database", "err", err)
		}
		w.Header().Set("Retry-After", unavailableRetry)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// route describes who may call an operation.
type route struct {
	perm     access.Permission // required permission in the chosen tenant ("" = none)
	public   bool              // no credential needed
	consumer bool              // a consumer session is required
	noTenant bool              // a staff credential without a tenant is enough
	idem     bool              // honours Idempotency-Key
	billing  bool              // allowed while the tenant is read-only (paying the platform)
	reads    bool              // a POST that only reads (a question in a body): allowed while read-only
	// right is a consumer right (cooling-off cancellation, opting out of messages, a
	// complaint, declining a quote): never blocked by the tenant's own platform bill.
	right bool
}

type routeKey struct{}

// register adds an operation to api (the /v1 group) with its access rule: every route goes
// through here. Handler errors pass through fail.
func register[I, O any](api huma.API, s *Server, op huma.Operation, r route, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata["route"] = r
	if op.MaxBodyBytes == 0 {
		op.MaxBodyBytes = s.Config.MaxBodyBytes // huma then answers 413 itself
	}
	if !r.public {
		op.Security = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
		op.Errors = append(op.Errors, 401, 403, 429)
	}
	if !r.public && !r.consumer && !r.noTenant {
		op.Parameters = append(op.Parameters, &huma.Param{Name: "X-Tenant-ID", In: "header",
			Description: "Tenant to act in, for users with several memberships", Schema: &huma.Schema{Type: "string", Format: "uuid"}})
	}
	if r.idem {
		op.Parameters = append(op.Parameters, &huma.Param{Name: "Idempotency-Key", In: "header",
			Description: "Repeat a create safely: a committed first response is replayed (Idempotent-Replayed: true), a " +
				"request that did not commit runs again; 409 with Retry-After while the first is in progress; 422 for the " +
				"key with another request", Schema: &huma.Schema{Type: "string", MaxLength: ptr(200)}})
		op.Errors = append(op.Errors, 409, 422)
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, fail(ctx, s.Log, err)
		}
		return out, nil
	})
}

func ptr[T any](v T) *T { return &v }

type principalKey struct{}

// principal returns the caller; register guarantees one on non-public routes.
func principal(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// tx runs fn in the caller's tenant scope, with the request's audit metadata.
func (s *Server) tx(ctx context.Context, fn func(tx *tenants.Tx) error) error {
	p := principal(ctx)
	if p == nil || p.TenantID == uuid.Nil {
		return huma.Error400BadRequest("choose a tenant with the X-Tenant-ID header")
	}
	return s.DB.Tx(ctx, p.Scope(actorMeta(ctx)), fn)
}

// read runs fn's statements in the caller's scope, each in one round trip (tenants.DB.Read):
// for hot reads that fit in one statement.
func (s *Server) read(ctx context.Context, fn func(q db.DBTX) error) error {
	p := principal(ctx)
	if p == nil || p.TenantID == uuid.Nil {
		return huma.Error400BadRequest("choose a tenant with the X-Tenant-ID header")
	}
	return s.DB.Read(ctx, p.Scope(actorMeta(ctx)), fn)
}

// bearer extracts the credential from the Authorization header or the session cookie.
func bearer(h string, cookie string) string {
	if v, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(v)
	}
	return cookie
}

// problemFallback answers requests no route matches (404, 405) with problem JSON, like every
// other error, keeping the mux's Allow header.
func problemFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&problemWriter{ResponseWriter: w}, r)
	})
}

type problemWriter struct {
	http.ResponseWriter
	replaced bool
}

func (p *problemWriter) WriteHeader(code int) {
	if code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
		p.ResponseWriter.WriteHeader(code)
		return
	}
	p.replaced = true
	p.Header().Set("Content-Type", "application/problem+json")
	p.ResponseWriter.WriteHeader(code)
	_, _ = fmt.Fprintf(p.ResponseWriter, `{"type":"%s%s","title":"%s","status":%d}`, ProblemBase, problemTypes[code], http.StatusText(code), code)
}

func (p *problemWriter) Write(b []byte) (int, error) {
	if p.replaced {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// within runs fn in the caller's tenant scope and returns its value.
func within[T any](ctx context.Context, s *Server, fn func(tx *tenants.Tx) (T, error)) (T, error) {
	var out T
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}
