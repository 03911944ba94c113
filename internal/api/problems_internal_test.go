package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/internal/fault"
)

// TestConcurrencyFailuresAreRetryableConflicts: a transaction PostgreSQL rolled back for a
// deadlock or a serialization failure is a 409 the client may retry, never a 500.
func TestConcurrencyFailuresAreRetryableConflicts(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, code := range []string{"40P01", "40001"} {
		err := fail(context.Background(), log, fmt.Errorf("queue sla wakes: %w", &pgconn.PgError{Code: code}))
		var se huma.StatusError
		if !errors.As(err, &se) || se.GetStatus() != 409 {
			t.Fatalf("%s: %v, want a 409", code, err)
		}
		h, ok := err.(huma.HeadersError)
		if !ok || h.GetHeaders().Get("Retry-After") != "1" {
			t.Fatalf("%s: no Retry-After header in %#v", code, err)
		}
	}
	err := fail(context.Background(), log, &pgconn.PgError{Code: "XX000"})
	var se huma.StatusError
	if !errors.As(err, &se) || se.GetStatus() != 500 {
		t.Fatalf("an internal error: %v, want a 500", err)
	}
}

// TestDatabaseOutageIs503: a database that cannot be reached is a 503 /problems/unavailable
// with Retry-After, however deep the error is wrapped; a refusal by the database is not.
func TestDatabaseOutageIs503(t *testing.T) {
	useProblemTypes()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, cause := range []error{&pgconn.PgError{Code: "57P01"}, &pgconn.PgError{Code: "08006"}, pgconn.ErrConnClosed,
		context.DeadlineExceeded} {
		err := fail(context.Background(), log, fmt.Errorf("resolve session: %w", cause))
		var em *huma.ErrorModel
		if !errors.As(err, &em) || em.Status != 503 || em.Type != ProblemBase+"unavailable" {
			t.Fatalf("%v: %v, want a 503 /problems/unavailable", cause, err)
		}
		h, ok := err.(huma.HeadersError)
		if !ok || h.GetHeaders().Get("Retry-After") == "" {
			t.Fatalf("%v: no Retry-After header in %#v", cause, err)
		}
	}
	var se huma.StatusError
	if err := fail(context.Background(), log, &pgconn.PgError{Code: "23505"}); !errors.As(err, &se) || se.GetStatus() != 500 {
		t.Fatalf("a unique violation nobody mapped: %v, want a 500", err)
	}
	if err := fail(context.Background(), log, fmt.Errorf("x: %w", context.Canceled)); !errors.As(err, &se) || se.GetStatus() != 499 {
		t.Fatalf("a cancelled request: %v, want a 499", err)
	}
}

// TestConflictsAreConflicts: any domain error that is a conflict (fault.ErrConflict) is a
// 409 saying nothing of its details, never a 500.
func TestConflictsAreConflicts(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := fail(context.Background(), log, fmt.Errorf("store unit 0192: %w", fault.ErrConflict))
	var se huma.StatusError
	if !errors.As(err, &se) || se.GetStatus() != 409 || strings.Contains(se.Error(), "0192") {
		t.Fatalf("a wrapped conflict: %v, want a 409 without its details", err)
	}
}

// TestFieldLocation: a domain field error points where the request carried the field: at the
// operation's parameter of that name, else in the body.
func TestFieldLocation(t *testing.T) {
	op := &huma.Operation{Parameters: []*huma.Param{{Name: "to", In: "query"}, {Name: "id", In: "path"},
		{Name: "Content-Type", In: "header"}, {Name: "session", In: "cookie"}}}
	ctx := context.WithValue(context.Background(), operationKey{}, op)
	for field, want := range map[string]string{
		"":                    "body",
		"body":                "body.body",
		"customer.phone":      "body.customer.phone",
		"lines[2].unit_price": "body.lines[2].unit_price",
		"to":                  "query.to",
		"to.x":                "query.to.x",
		"tos":                 "body.tos",
		"id":                  "path.id",
		"Content-Type":        "header.Content-Type",
		"session":             "body.session",
		"body.name":           "body.name",
		"query.from":          "query.from",
		"path.id":             "path.id",
		"header.If-Match":     "header.If-Match",
	} {
		if got := location(ctx, field); got != want {
			t.Errorf("location(%q) = %q, want %q", field, got, want)
		}
	}
	if got := location(context.Background(), "to"); got != "body.to" {
		t.Errorf("without an operation: %q, want body.to", got)
	}
}
