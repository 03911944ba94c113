package main

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
)

// A worker's pool holds a connection for each default-queue worker and the reserve, unless
// the URL sizes it; a smaller ask never shrinks pgxpool's default.
func TestWorkerPoolIsSizedForItsJobs(t *testing.T) {
	for _, c := range []struct {
		url   string
		conns int32
		want  int32
	}{
		{"postgres://app@localhost/db", jobs.PoolConns(20), 20 + jobs.PoolReserve},
		{"postgres://app@localhost/db", jobs.PoolConns(100), 100 + jobs.PoolReserve},
		{"postgres://app@localhost/db?pool_max_conns=6", jobs.PoolConns(20), 6},
		{"postgres://app@localhost/db", 1, 0}, // 0: pgxpool's default
	} {
		cfg, err := pgxpool.ParseConfig(c.url)
		if err != nil {
			t.Fatal(err)
		}
		def := cfg.MaxConns
		sizePool(c.url, c.conns)(cfg)
		want := c.want
		if want == 0 {
			want = def
		}
		if cfg.MaxConns != want {
			t.Errorf("%s with %d asked: %d connections, want %d", c.url, c.conns, cfg.MaxConns, want)
		}
	}
}

// The worker reads its default queue's capacity from JOB_WORKERS; unset, it is the capacity
// the jobs package documents and the bench measures.
func TestJobWorkersDefaultIsTheQueuesDefault(t *testing.T) {
	t.Setenv("JOB_WORKERS", "")
	cfg, err := platform.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JobWorkers != jobs.DefaultWorkers {
		t.Fatalf("JOB_WORKERS unset: %d workers, the jobs package says %d", cfg.JobWorkers, jobs.DefaultWorkers)
	}
}
