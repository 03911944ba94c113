package testdb

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sharedMaxConns bounds each pool of the shared database: every parallel test holds one
// connection of the application pool for its whole transaction.
const sharedMaxConns = 32

var shared struct {
	sync.Mutex
	db  *DB
	err error
}

// Shared returns the test binary's one shared database, cloned from the migrated template
// on first use, for tests that each work in a transaction rolled back at their end
// (internal/testfactory.TestTx): the clone is paid once per package instead of once per
// test. Data committed in it is seen by the package's other tests; keep to rolled-back
// transactions and to rows of tenants of your own.
//
// The database outlives the tests: nothing drops it, and `make test` discards the whole
// throwaway cluster. A failure to create it fails every test that asks.
func Shared(t testing.TB) *DB {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.db == nil && shared.err == nil {
		shared.db, shared.err = createShared()
	}
	if shared.err != nil {
		t.Fatalf("shared test database: %v", shared.err)
	}
	return shared.db
}

func createShared() (d *DB, err error) {
	tb := &processTB{}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatal)
			if !ok {
				panic(r)
			}
			d, err = nil, f
		}
	}()
	return create(tb, func(c *pgxpool.Config) { c.MaxConns = sharedMaxConns }), nil
}

// processTB is the pgtestdb.TB of the shared database: it belongs to no one test, so its
// cleanups never run (the database lives as long as the test binary) and a fatal error
// panics with fatal for createShared to return.
type processTB struct{}

type fatal string

func (f fatal) Error() string { return string(f) }

func (*processTB) Cleanup(func())                    {}
func (*processTB) Failed() bool                      { return false }
func (*processTB) Helper()                           {}
func (*processTB) Logf(string, ...any)               {}
func (*processTB) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }
