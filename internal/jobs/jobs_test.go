package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

func TestCleanupDeletesOnlyLongExpiredCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := tenants.NewDB(testdb.New(t).App)
	var userID uuid.UUID
	err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		u, err := tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: "u@x.test", Name: "u", PasswordHash: "x"})
		userID = u.ID
		if err != nil {
			return err
		}
		for i, exp := range []time.Time{time.Now().Add(-48 * time.Hour), time.Now().Add(time.Hour)} {
			if _, err := tx.Q.CreateSession(ctx, tx, db.CreateSessionParams{ID: platform.NewID(), TokenHash: []byte{byte(i)},
				UserID: uuid.NullUUID{UUID: u.ID, Valid: true}, ExpiresAt: exp}); err != nil {
				return err
			}
			if _, err := tx.Q.CreateOTP(ctx, tx, db.CreateOTPParams{ID: platform.NewID(), Destination: "+8613900000000",
				Channel: "sms", CodeHash: []byte{1}, ExpiresAt: exp}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &jobs.CleanupWorker{DB: d, Log: slog.New(slog.DiscardHandler)}
	for range 2 { // idempotent: a second run finds nothing more
		if err := w.Work(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	var sessions, codes int
	err = d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&sessions); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM otp_codes`).Scan(&codes)
	})
	if err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || codes != 1 {
		t.Fatalf("left %d sessions and %d codes, want the live one of each", sessions, codes)
	}
}

// TestDefaultQueueCapacity: the default queue (events, notifications, webhook fan-out) runs
// DefaultWorkers at once unless the worker is given its capacity (JOB_WORKERS); an
// inserting-only client has no queues.
func TestDefaultQueueCapacity(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		capacity jobs.Capacity
		want     int
	}{{jobs.Capacity{}, jobs.DefaultWorkers}, {jobs.Capacity{DefaultWorkers: 64}, 64}} {
		cfg, err := jobs.NewConfigWith(nil, log, true, c.capacity)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Queues[river.QueueDefault].MaxWorkers; got != c.want {
			t.Errorf("capacity %+v: %d default workers, want %d", c.capacity, got, c.want)
		}
	}
	cfg, err := jobs.NewConfigWith(nil, log, false, jobs.Capacity{DefaultWorkers: 64})
	if err != nil || cfg.Queues != nil {
		t.Fatalf("an inserting-only client: queues %v, %v", cfg.Queues, err)
	}
}
