// Package testdb gives each test a fresh, migrated PostgreSQL database cloned from a
// template (github.com/peterldowns/pgtestdb), with two pools: the owner (as migrations run)
// and the application role (as the server runs: NOBYPASSRLS, owns nothing).
//
// It reads TEST_DATABASE_URL (a superuser URL), TEST_APP_USER and TEST_APP_PASSWORD, which
// `make test` sets after starting a throwaway cluster.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/platform"
)

// DB is one test's database.
type DB struct {
	OwnerURL string
	AppURL   string
	// SuperURL connects to this database as the cluster's superuser (TEST_DATABASE_URL's
	// user), for tests that act on the server itself: terminating the application's
	// connections, refusing new ones, reading pg_stat_activity.
	SuperURL string
	Owner    *pgxpool.Pool
	App      *pgxpool.Pool
}

type migrator struct{}

func (migrator) Hash() (string, error) { return migrate.Hash() }

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate.Up(ctx, pool)
}

// New creates the database and closes it when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	d := create(t, nil)
	t.Cleanup(func() { d.App.Close(); d.Owner.Close() })
	return d
}

// create clones a database from the migrated template and connects to it as the owner and
// as the application role; configure (optional) adjusts both pools. Failures go to
// t.Fatalf. pgtestdb drops the database in t's cleanup when t has not failed.
func create(t pgtestdb.TB, configure func(*pgxpool.Config)) *DB {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		t.Fatalf("TEST_DATABASE_URL is not set: run tests with `make test`, which starts PostgreSQL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		User:       u.User.Username(),
		Password:   pw,
		Host:       u.Hostname(),
		Port:       u.Port(),
		Database:   u.Path[1:],
		Options:    "sslmode=disable",
	}
	inst := pgtestdb.Custom(t, conf, migrator{})
	appUser := envOr("TEST_APP_USER", "aftersales_api")
	appPass := envOr("TEST_APP_PASSWORD", "aftersales_api")
	appConf := *inst
	appConf.User, appConf.Password = appUser, appPass
	super := *u
	super.Path = "/" + inst.Database
	d := &DB{OwnerURL: inst.URL(), AppURL: appConf.URL(), SuperURL: super.String()}
	ctx := context.Background()
	if d.Owner, err = platform.NewPool(ctx, d.OwnerURL, configure); err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	if d.App, err = platform.NewPool(ctx, d.AppURL, configure); err != nil {
		d.Owner.Close()
		t.Fatalf("connect as app role: %v", err)
	}
	return d
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Open connects to an existing, migrated database (a Citus cluster's, which cannot be cloned
// from a template) as the owner (ownerURL) and as the application role (appURL), and closes
// the pools when the test ends. Nothing is dropped: tests in it keep to tenants of their own.
func Open(t testing.TB, ownerURL, appURL string) *DB {
	t.Helper()
	ctx := context.Background()
	d := &DB{OwnerURL: ownerURL, AppURL: appURL}
	var err error
	if d.Owner, err = platform.NewPool(ctx, ownerURL, nil); err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	if d.App, err = platform.NewPool(ctx, appURL, nil); err != nil {
		d.Owner.Close()
		t.Fatalf("connect as app role: %v", err)
	}
	t.Cleanup(func() { d.App.Close(); d.Owner.Close() })
	return d
}
