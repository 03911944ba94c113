package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

const sessionCookie = "aftersales_session"

type metaKey struct{}

// requestMeta is what the audit log records about the request.
type requestMeta struct {
	ID, IP, UserAgent string
}

func actorMeta(ctx context.Context) tenants.Actor {
	m, _ := ctx.Value(metaKey{}).(requestMeta)
	return tenants.Actor{IP: m.IP, UserAgent: m.UserAgent, RequestID: m.ID}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int)        { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe assigns a request id, logs each request as JSON, counts it, and turns a panic
// into a 500 problem.
func (s *Server) observe(next http.Handler) http.Handler {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aftersales_http_requests_total",
		Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aftersales_http_request_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	s.Registry.MustRegister(reqs, dur)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 100 {
			id = platform.NewID().String()
		}
		w.Header().Set("X-Request-ID", id)
		// The client's address, the same for the audit log, sessions and every per-client
		// limit: the peer, or what trusted proxies (TRUSTED_PROXIES) say it is.
		ip := s.Config.TrustedProxies.ClientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
		ctx := context.WithValue(r.Context(), metaKey{}, requestMeta{ID: id, IP: ip, UserAgent: r.UserAgent()})
		ctx = platform.WithLogAttrs(ctx, slog.String("request_id", id))
		sw := &statusWriter{ResponseWriter: w, status: 200}
		defer func() {
			if rec := recover(); rec != nil {
				s.Log.ErrorContext(ctx, "panic", "panic", rec)
				sw.Header().Set("Content-Type", "application/problem+json")
				sw.WriteHeader(500)
				_, _ = sw.Write([]byte(`{"type":"/problems/internal","title":"Internal Server Error","status":500}`))
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			reqs.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
			dur.WithLabelValues(route).Observe(time.Since(start).Seconds())
			s.Log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)), slog.String("ip", ip))
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// authenticate resolves the credential, the tenant and the role, enforces the operation's
// permission and the rate limits, and passes the principal on.
func (s *Server) authenticate(hctx huma.Context, next func(huma.Context)) {
	rt, _ := hctx.Operation().Metadata["route"].(route)
	if rt.public {
		next(hctx)
		return
	}
	ctx := hctx.Context()
	var cookie string
	if c, err := huma.ReadCookie(hctx, sessionCookie); err == nil {
		cookie = c.Value
	}
	tok := bearer(hctx.Header("Authorization"), cookie)
	if tok == "" {
		_ = huma.WriteErr(s.api, hctx, 401, "sign in: send a bearer token or the session cookie")
		return
	}
	p, err := s.Auth.Authenticate(ctx, tok)
	if err != nil {
		s.writeErr(hctx, err)
		return
	}
	if rt.consumer != (p.Kind == auth.KindConsumer) {
		_ = huma.WriteErr(s.api, hctx, 403, "this operation is not available to your kind of credential")
		return
	}
	if p.Kind != auth.KindConsumer {
		var want uuid.UUID
		if h := hctx.Header("X-Tenant-ID"); h != "" {
			if want, err = uuid.Parse(h); err != nil {
				_ = huma.WriteErr(s.api, hctx, 400, "invalid tenant", &huma.ErrorDetail{Location: "header.X-Tenant-ID", Message: "must be a UUID"})
				return
			}
		}
		if err := s.Auth.SelectTenant(ctx, p, want); err != nil {
			if errors.Is(err, auth.ErrNoMembership) {
				_ = huma.WriteErr(s.api, hctx, 403, "you have no membership in this tenant")
				return
			}
			s.writeErr(hctx, err)
			return
		}
	}
	if !rt.consumer && !rt.noTenant && p.TenantID == uuid.Nil {
		_ = huma.WriteErr(s.api, hctx, 400, "choose a tenant with the X-Tenant-ID header",
			&huma.ErrorDetail{Location: "header.X-Tenant-ID", Message: "required: you belong to several tenants"})
		return
	}
	if rt.perm != "" && !p.Can(rt.perm) {
		_ = huma.WriteErr(s.api, hctx, 403, "your role does not allow this")
		return
	}
	// A slug that is no slug is refused by the operation's validation (naming path.tenant),
	// never looked up.
	slug := hctx.Param("tenant")
	if !slugPattern.MatchString(slug) {
		slug = ""
	}
	if m := hctx.Method(); m != http.MethodGet && m != http.MethodHead && !rt.billing && !rt.reads && !rt.right && (p.TenantID != uuid.Nil || slug != "") {
		// A tenant whose platform payment failed past its grace period reads but does not
		// write, neither through staff nor through its consumer portal; a consumer's rights
		// (route.right) never depend on the tenant's bill.
		readOnly, err := s.DB.ReadOnly(ctx, p.TenantID, slug, p.TenantStatus)
		if err != nil {
			s.writeErr(hctx, err)
			return
		}
		if readOnly {
			_ = huma.WriteErr(s.api, hctx, http.StatusPaymentRequired,
				"this tenant is read-only until its platform subscription is paid; data is intact and reads still work",
				&huma.ErrorDetail{Location: "tenant", Message: "read-only: pay the open invoice (GET /v1/billing/invoices)"})
			return
		}
	}
	if wait, ok := s.allow(ctx, p); !ok {
		secs := strconv.Itoa(int(wait.Seconds()) + 1)
		hctx.SetHeader("Retry-After", secs)
		_ = huma.WriteErr(s.api, hctx, 429, "rate limit exceeded; retry after "+secs+"s")
		return
	}
	ctx = platform.WithLogAttrs(ctx, slog.String("tenant_id", p.TenantID.String()), slog.String("actor", p.Label))
	hctx = huma.WithContext(hctx, context.WithValue(ctx, principalKey{}, p))
	if p.Operator {
		// A platform admin acting in a tenant they do not belong to: every request, read or
		// write, is recorded in that tenant's audit log as platform access.
		err := s.DB.Tx(ctx, p.Scope(actorMeta(ctx)), func(tx *tenants.Tx) error {
			return tx.Audit(ctx, "platform.access", "tenant", p.TenantID, nil,
				map[string]string{"method": hctx.Method(), "path": hctx.URL().Path})
		})
		if err != nil {
			s.writeErr(hctx, err)
			return
		}
	}
	next(hctx)
}

// refuseReadOnly is the 402 problem when the principal's tenant (or the consumer portal's
// tenant, by slug) is read-only: for handlers whose route is a consumer right only in part.
func (s *Server) refuseReadOnly(ctx context.Context, slug string) error {
	p := principal(ctx)
	readOnly, err := s.DB.ReadOnly(ctx, p.TenantID, slug, p.TenantStatus)
	if err != nil || !readOnly {
		return err
	}
	return huma.NewError(http.StatusPaymentRequired,
		"this tenant is read-only until its platform subscription is paid; data is intact and reads still work",
		&huma.ErrorDetail{Location: "tenant", Message: "read-only: declining is still possible"})
}

// allow applies the per-tenant and per-credential limits.
func (s *Server) allow(ctx context.Context, p *auth.Principal) (time.Duration, bool) {
	if p.TenantID != uuid.Nil {
		if ok, wait := s.Limiter.Allow(ctx, "tenant:"+p.TenantID.String(), platform.PerSecond(s.Config.RateTenantPerSecond)); !ok {
			return wait, false
		}
	}
	key := "user:" + p.UserID.String()
	switch p.Kind {
	case auth.KindAPIKey:
		key = "key:" + p.APIKeyID.String()
	case auth.KindConsumer:
		key = "consumer:" + p.ConsumerID.String()
	}
	if ok, wait := s.Limiter.Allow(ctx, key, platform.PerSecond(s.Config.RateKeyPerSecond)); !ok {
		return wait, false
	}
	return 0, true
}

func (s *Server) writeErr(hctx huma.Context, err error) {
	se := fail(hctx.Context(), s.Log, err)
	var he huma.HeadersError
	if errors.As(se, &he) {
		for k, v := range he.GetHeaders() {
			for _, x := range v {
				hctx.AppendHeader(k, x)
			}
		}
	}
	var st huma.StatusError
	if errors.As(se, &st) {
		hctx.SetHeader("Content-Type", "application/problem+json")
		hctx.SetStatus(st.GetStatus())
		_ = s.api.Marshal(hctx.BodyWriter(), "application/problem+json", st)
	}
}

// idempotency makes creating POSTs safe to repeat. A request with an Idempotency-Key runs
// in one transaction (tenants.DB.Enclose) that takes the key's lock, runs the operation
// (whose own transactions join it), and records the key with the response to replay; the
// client hears the response only once that transaction committed. The key is therefore
// recorded exactly when the request's changes are: a request cut off anywhere (the client
// gone, a crash, a lost connection) leaves nothing behind and its retry runs cleanly, and a
// committed one is replayed. A repeat while the first is in flight gets 409 with
// Retry-After; the key with another request (body, operation or caller) gets 422. Answers
// that ask for a retry (5xx, 429, a 409 with Retry-After) are not kept: their changes roll
// back and the key stays free. docs/operations.md, "Idempotency".
func (s *Server) idempotency(hctx huma.Context, next func(huma.Context)) {
	rt, _ := hctx.Operation().Metadata["route"].(route)
	key := hctx.Header("Idempotency-Key")
	p := principal(hctx.Context())
	if !rt.idem || key == "" || p == nil || p.TenantID == uuid.Nil {
		next(hctx)
		return
	}
	if len(key) > 200 {
		_ = huma.WriteErr(s.api, hctx, 400, "invalid Idempotency-Key", &huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "at most 200 characters"})
		return
	}
	ctx := hctx.Context()
	limit := hctx.Operation().MaxBodyBytes
	body, err := io.ReadAll(io.LimitReader(hctx.BodyReader(), limit+1))
	if err != nil {
		_ = huma.WriteErr(s.api, hctx, 400, "cannot read request body")
		return
	}
	if int64(len(body)) > limit {
		_ = huma.WriteErr(s.api, hctx, 413, "request body too large")
		return
	}
	sum := sha256.Sum256(append([]byte(hctx.Operation().OperationID+"\n"), body...))
	who := p.Kind + ":" + p.UserID.String() + p.APIKeyID.String()
	held := &heldResponse{humaContext: hctx, body: bytes.NewReader(body), header: http.Header{}}
	var prior *db.IdempotencyKey
	err = s.DB.Enclose(ctx, p.Scope(actorMeta(ctx)), func(ctx context.Context, tx *tenants.Tx) error {
		free, err := tx.Q.LockIdempotencyKey(ctx, tx, db.LockIdempotencyKeyParams{TenantID: p.TenantID, Key: key})
		if err != nil {
			return err
		}
		if !free {
			return errKeyInFlight
		}
		row, err := tx.Q.GetIdempotencyKey(ctx, tx, db.GetIdempotencyKeyParams{TenantID: p.TenantID, Key: key})
		switch {
		case err == nil && row.Status != nil:
			prior = &row
			return errKeyDone
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// No record, or a claim an earlier server committed and a crash abandoned: run.
		held.ctx = ctx
		next(held)
		if !worthReplaying(held.status, held.header) {
			return errNotKept
		}
		headers, err := json.Marshal(replayHeaders(held.header))
		if err != nil {
			return err
		}
		st := int32(held.status)
		n, err := tx.Q.SaveIdempotentResponse(ctx, tx, db.SaveIdempotentResponseParams{TenantID: p.TenantID, Key: key,
			Principal: who, Operation: hctx.Operation().OperationID, RequestHash: sum[:], Status: &st,
			Response: held.out.Bytes(), ContentType: held.header.Get("Content-Type"), Headers: headers})
		if err == nil && n == 0 {
			return errKeyDone // completed meanwhile by a request that did not take the lock
		}
		return err
	})
	switch {
	case err == nil, errors.Is(err, errNotKept):
		held.send()
	case errors.Is(err, errKeyInFlight):
		hctx.SetHeader("Retry-After", "1")
		_ = huma.WriteErr(s.api, hctx, 409, "a request with this Idempotency-Key is in progress; retry after a second")
	case errors.Is(err, errKeyDone):
		if prior == nil {
			err := s.read(ctx, func(q db.DBTX) error {
				row, err := db.New().GetIdempotencyKey(ctx, q, db.GetIdempotencyKeyParams{TenantID: p.TenantID, Key: key})
				prior = &row
				return err
			})
			if err != nil {
				s.writeErr(hctx, err)
				return
			}
		}
		if !bytes.Equal(prior.RequestHash, sum[:]) || prior.Principal != who {
			_ = huma.WriteErr(s.api, hctx, 422, "this Idempotency-Key was used with a different request",
				&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "reuse a key only to repeat the same request"})
			return
		}
		replay(hctx, prior)
	default:
		// The key's lock or record, or the commit, failed: nothing the operation did was kept,
		// and its answer must not reach the client.
		s.writeErr(hctx, err)
	}
}

var (
	errKeyInFlight = errors.New("idempotency key in flight")
	errKeyDone     = errors.New("idempotency key completed")
	errNotKept     = errors.New("response not kept")
)

// worthReplaying reports whether a response is the outcome to give every repeat of the
// request: not one that asks for a retry (a server error, a rate limit, a cancelled
// request, anything with Retry-After).
func worthReplaying(status int, h http.Header) bool {
	return status != 0 && status < 500 && status != 429 && status != 499 && h.Get("Retry-After") == ""
}

// replayHeaders are the response headers a replay repeats besides Content-Type.
func replayHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"Location", "ETag"} {
		if v := h.Get(name); v != "" {
			out[name] = v
		}
	}
	return out
}

// replay answers with the recorded response.
func replay(hctx huma.Context, prior *db.IdempotencyKey) {
	var headers map[string]string
	_ = json.Unmarshal(prior.Headers, &headers) // written by replayHeaders; legacy rows have '{}'
	for name, v := range headers {
		hctx.SetHeader(name, v)
	}
	hctx.SetHeader("Content-Type", prior.ContentType)
	hctx.SetHeader("Idempotent-Replayed", "true")
	hctx.SetStatus(int(*prior.Status))
	_, _ = hctx.BodyWriter().Write(prior.Response)
}

type humaContext = huma.Context

// heldResponse holds the operation's response (status, headers, body) until the request's
// transaction has committed; send then writes it to the client. It gives the operation the
// enclosing transaction's context and the request body read already.
type heldResponse struct {
	humaContext
	ctx    context.Context
	body   io.Reader
	status int
	header http.Header
	out    bytes.Buffer
}

func (c *heldResponse) Context() context.Context        { return c.ctx }
func (c *heldResponse) BodyReader() io.Reader           { return c.body }
func (c *heldResponse) SetStatus(code int)              { c.status = code }
func (c *heldResponse) Status() int                     { return c.status }
func (c *heldResponse) SetHeader(name, value string)    { c.header.Set(name, value) }
func (c *heldResponse) AppendHeader(name, value string) { c.header.Add(name, value) }
func (c *heldResponse) BodyWriter() io.Writer           { return &c.out }

// send writes the held response to the client.
func (c *heldResponse) send() {
	for name, values := range c.header {
		for _, v := range values {
			c.humaContext.AppendHeader(name, v)
		}
	}
	if c.status != 0 {
		c.humaContext.SetStatus(c.status)
	}
	_, _ = c.humaContext.BodyWriter().Write(c.out.Bytes())
}
