package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
)

// ProblemBase prefixes every problem type; each type is documented at that address.
const ProblemBase = "/problems/"

// problemTypes maps a status to its stable problem type slug.
var problemTypes = map[int]string{
	400: "bad-request", 401: "unauthenticated", 402: "tenant-read-only", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
	409: "conflict", 412: "stale-version", 413: "body-too-large", 415: "unsupported-media-type",
	422: "invalid-input", 428: "precondition-required", 429: "rate-limited", 500: "internal", 502: "payment-provider", 503: "unavailable",
}

var installErrors, installArrays sync.Once

// refuseNullArrays makes arrays non-nullable in every schema huma builds from here on (huma
// makes them nullable by default). A required array sent as null is then a 422 naming the
// field, as the document says, instead of a nil slice reaching a NOT NULL column; an
// optional one sent as null is the same as leaving it out. An array that may be null says
// so with the `nullable:"true"` tag. Called before any route is registered.
func refuseNullArrays() {
	installArrays.Do(func() { huma.DefaultArrayNullable = false })
}

// useProblemTypes makes every huma error an RFC 9457 problem with a stable type URI.
func useProblemTypes() {
	installErrors.Do(func() {
		base := huma.NewError
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			se := base(status, msg, errs...)
			if em, ok := se.(*huma.ErrorModel); ok {
				for _, d := range em.Errors {
					if d == nil {
						continue
					}
					locateUnmarshalError(d)
					if secretField(d.Location) || !echoable(d.Value) {
						d.Value = nil // never echo passwords, tokens or codes, nor a huge value
					}
				}
				if status == 422 && msg == "validation failed" && len(em.Errors) > 0 && em.Errors[0] != nil {
					em.Detail = "validation failed: " + em.Errors[0].Location + ": " + em.Errors[0].Message
				}
				slug, ok := problemTypes[status]
				if !ok {
					slug = strconv.Itoa(status)
				}
				em.Type = ProblemBase + slug
				if status >= 500 {
					em.Errors = nil // never echo internals
				}
			}
			return se
		}
	})
}

// locateUnmarshalError points an error of decoding a valid body into its Go type (a number
// beyond the field's integer type: the schema has no bounds for it) at the field, in words
// without Go's type names; the body is not echoed as the field's value.
func locateUnmarshalError(d *huma.ErrorDetail) {
	const prefix, into, of = "json: cannot unmarshal ", " into Go struct field ", " of type "
	if d.Location != "body" || !strings.HasPrefix(d.Message, prefix) {
		return
	}
	i, j := strings.Index(d.Message, into), strings.LastIndex(d.Message, of)
	if i < 0 || j < i {
		return
	}
	field := d.Message[i+len(into) : j]
	if _, f, ok := strings.Cut(field, "."); ok { // the Go struct's name comes first
		field = f
	}
	what := strings.TrimPrefix(d.Message[len(prefix):i], "number ")
	d.Location, d.Value = "body."+field, nil
	d.Message = "cannot be stored: " + what + " is out of range for this field"
}

// maxEchoBytes bounds a value echoed back in a problem's errors. A bigger one (a huge string,
// a deeply nested body) is left out, the location still naming the field: a refusal stays
// small, and every JSON parser can read it (Go's stops at 10,000 levels of nesting).
const maxEchoBytes = 1024

// echoable reports whether a rejected value is small enough to echo back.
func echoable(v any) bool {
	if v == nil {
		return true
	}
	b, err := json.Marshal(v)
	return err == nil && len(b) <= maxEchoBytes
}

// secretField reports whether a field location holds a secret whose value must not be echoed.
func secretField(loc string) bool {
	l := strings.ToLower(loc)
	for _, w := range []string{"password", "token", "code", "secret", "authorization"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// unavailableRetry is the Retry-After of a 503 for an unreachable database, in seconds.
const unavailableRetry = "5"

// fail maps a domain error to its problem. An unreachable database is a 503 with
// Retry-After, logged at debug level only: tenants.DB's outage log reports the outage once
// (docs/operations.md). Unknown errors are logged with the request id and reported as a bare
// 500: no SQL, constraint names or other tenants' data reach the client.
func fail(ctx context.Context, log *slog.Logger, err error) error {
	var fe *fault.FieldError
	var ce *fault.ConflictError
	var rl *auth.RateLimitError
	var se huma.StatusError
	var pgErr *pgconn.PgError
	var te *orders.TransitionError
	var ue *orders.UnsettledError
	var stripeErr *billing.StripeError
	switch {
	case errors.As(err, &ue):
		return huma.Error409Conflict(ue.Error())
	case errors.As(err, &te):
		return huma.Error409Conflict(te.Error(), &huma.ErrorDetail{Location: "body.to", Message: "allowed: " + strings.Join(te.Allowed, ", "),
			Value: te.Allowed})
	case errors.As(err, &se):
		return err
	case errors.As(err, &fe):
		return huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{
			Message: fe.Reason, Location: location(ctx, fe.Field)})
	case errors.Is(err, fault.ErrNotFound):
		return huma.Error404NotFound("not found")
	case errors.Is(err, fault.ErrStale):
		return huma.Error412PreconditionFailed("the resource changed since you read it; read it again and retry")
	case errors.As(err, &ce):
		return huma.Error409Conflict(ce.Detail)
	case errors.Is(err, fault.ErrConflict):
		return huma.Error409Conflict("this conflicts with an existing record")
	case errors.Is(err, fault.ErrForbidden):
		return huma.Error403Forbidden("your role does not allow this")
	case errors.As(err, &rl):
		secs := int(rl.RetryAfter.Seconds()) + 1
		return huma.ErrorWithHeaders(huma.Error429TooManyRequests("too many attempts; retry later"),
			http.Header{"Retry-After": {strconv.Itoa(secs)}})
	case errors.Is(err, auth.ErrBadLogin):
		return huma.Error401Unauthorized(auth.ErrBadLogin.Error())
	case errors.Is(err, auth.ErrBadToken):
		return huma.Error401Unauthorized("the credential is invalid, expired or revoked")
	case errors.Is(err, auth.ErrBadCode):
		return huma.Error401Unauthorized(auth.ErrBadCode.Error())
	case errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01"):
		// A serialization failure or a deadlock with a concurrent transaction: PostgreSQL rolled
		// this one back whole, so the request changed nothing and may be sent again.
		return huma.ErrorWithHeaders(huma.Error409Conflict("a concurrent change to the same records got in the way; nothing was changed, retry the request"),
			http.Header{"Retry-After": {"1"}})
	case errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22"):
		// Data exceptions (e.g. a NUL character in text): the input, not the server, is at fault.
		return huma.Error422UnprocessableEntity("a value cannot be stored (text must not contain NUL characters)")
	case errors.As(err, &stripeErr):
		return huma.NewError(http.StatusBadGateway, stripeErr.Error())
	case errors.Is(err, billing.ErrNotConfigured):
		return huma.Error503ServiceUnavailable("payments are not configured on this server")
	case errors.Is(err, context.Canceled):
		return huma.NewError(499, "request cancelled")
	case fault.Unavailable(err):
		log.DebugContext(ctx, "request failed: database unavailable", "err", err)
		return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable("the database is unavailable; nothing was changed, retry after "+
			unavailableRetry+"s"), http.Header{"Retry-After": {unavailableRetry}})
	}
	log.ErrorContext(ctx, "request failed", "err", err)
	return huma.Error500InternalServerError("internal error; quote the request id to support")
}

type operationKey struct{}

// withOperation passes the operation on to fail, which needs its parameters to locate a
// domain field error in the request.
func withOperation(hctx huma.Context, next func(huma.Context)) {
	next(huma.WithValue(hctx, operationKey{}, hctx.Operation()))
}

// location is where a domain field error points in the request. Domain errors name the input
// field (customer.phone, lines[2].unit_price; empty for the input as a whole); the request
// carries it in the body unless the operation takes it as a path, query or header parameter.
// A field the handler located already (body.x, path.x, query.x, header.x) is kept as it is.
func location(ctx context.Context, field string) string {
	if field == "" {
		return "body"
	}
	for _, in := range []string{"body.", "path.", "query.", "header."} {
		if strings.HasPrefix(field, in) {
			return field
		}
	}
	if op, _ := ctx.Value(operationKey{}).(*huma.Operation); op != nil {
		name, _, _ := strings.Cut(field, ".")
		name, _, _ = strings.Cut(name, "[")
		for _, p := range op.Parameters {
			if p.Name == name && p.In != "cookie" {
				return p.In + "." + field
			}
		}
	}
	return "body." + field
}

// problemDocs is the page each problem type URI resolves to.
func problemDocs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!doctype html><title>Problem types</title><h1>Problem types</h1><p>Every error is an RFC 9457 problem whose <code>type</code> is one of these. Field errors list <code>location</code> (e.g. <code>body.name</code>) and <code>message</code>.</p><dl>")
	for _, code := range []int{400, 401, 402, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 500, 502, 503} {
		b.WriteString(`<dt id="` + problemTypes[code] + `"><code>` + ProblemBase + problemTypes[code] + "</code></dt><dd>" +
			strconv.Itoa(code) + " " + http.StatusText(code) + "</dd>")
	}
	b.WriteString("</dl>")
	_, _ = w.Write([]byte(b.String()))
}
