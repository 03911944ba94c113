// Package fault holds the errors every domain package shares: a row not found in the
// caller's scope, a stale version, a conflict, a forbidden action and a rejected field, and
// the one function that maps database errors to them. internal/api turns each into one
// problem type (RFC 9457); domain code never speaks HTTP. Unavailable tells a database
// outage from every other failure, for the API (503 with Retry-After) and the database's
// outage log alike.
package fault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors of the domain; the API maps each to one problem type.
var (
	// ErrNotFound: the row does not exist in the caller's scope (another tenant's rows
	// are indistinguishable from missing ones).
	ErrNotFound = errors.New("not found")
	// ErrStale: the caller's version is not the current one; re-read and retry.
	ErrStale = errors.New("stale version")
	// ErrConflict: the change collides with an existing row (a unique key) or state.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the caller's role may not do this.
	ErrForbidden = errors.New("forbidden")
)

// FieldError rejects one input field with a reason. Field names the field in the input's
// JSON names (customer.phone, lines[2].unit_price), or is empty for the input as a whole;
// the API says where in the request that field is.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Invalid returns a FieldError.
func Invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// ConflictError names what the change collided with, without echoing SQL or constraint names.
type ConflictError struct{ Detail string }

func (e *ConflictError) Error() string { return e.Detail }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// DBError maps database errors to domain errors: no rows -> ErrNotFound, unique violations
// -> a ConflictError with detail, foreign-key violations -> a FieldError on fkField.
func DBError(err error, uniqueDetail, fkField string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &ConflictError{Detail: uniqueDetail}
		case "23503":
			if fkField != "" {
				return Invalid(fkField, "does not exist")
			}
			return &ConflictError{Detail: "the record is still referenced"}
		case "23514":
			return Invalid("", "a value is out of the allowed range")
		}
	}
	return fmt.Errorf("database: %w", err)
}

// StaleIfMissing maps "no row updated" after a successful version check to ErrStale: a
// concurrent writer committed first (or deleted the row) between the read and the write.
func StaleIfMissing(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrStale
	}
	return err
}

// Unavailable reports whether err means the database could not be reached, or dropped the
// connection, rather than refused the work: a failed connection attempt (refused, timed
// out, the database not accepting connections, the role not allowed to log in), a
// connection closed under the statement (terminated by an administrator 57P01, a crash
// 57P02, a server starting or stopping 57P03, any 57P and class 08 connection exception,
// an unexpected end of the stream, a network error), too many connections (53300), or a
// deadline reached while waiting for the database or for a pooled connection. Nothing was
// committed by the failed statement's transaction; the same request may succeed later,
// unchanged. A cancelled context (the caller went away) is not an outage.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true // whatever the server said (it may be a PgError: not accepting connections)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}
