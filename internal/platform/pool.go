package platform

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"
)

// NewPool connects a pool the way every part of the product does: each connection learns
// to send and read github.com/google/uuid values in PostgreSQL's binary uuid format (pgx
// alone would pass them through their text form, parsed again on every statement).
// configure, when given, adjusts the parsed configuration first (pool size, tracing).
// A connection attempt gives up after connectTimeout unless the URL sets connect_timeout:
// a database that does not answer (a host gone, a paused proxy) then fails a request with a
// connection error (503) instead of holding it until its client gives up.
func NewPool(ctx context.Context, url string, configure func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if configure != nil {
		configure(cfg)
	}
	after := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		pgxuuid.Register(c.TypeMap())
		if after != nil {
			return after(ctx, c)
		}
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// connectTimeout bounds a connection attempt when the database URL does not.
const connectTimeout = 5 * time.Second
