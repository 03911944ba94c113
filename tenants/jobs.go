package tenants

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// JobInserter inserts River jobs in a transaction; *river.Client[pgx.Tx] is one.
type JobInserter interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// queuedJob is a job Tx.Job holds for the commit.
type queuedJob struct {
	ins    JobInserter
	once   string
	params river.InsertManyParams
	// again, for a unique job, is the job to insert instead when the insert finds the
	// same unique key taken (nil: nothing).
	again func(existing *rivertype.JobRow) *river.InsertManyParams
}

// Job queues a River job to be inserted in the transaction just before it commits, in one
// statement with every other job queued so (an order's intake queues its SLA wakes and its
// event's dispatch: one round trip instead of two). Nothing in the transaction can see the
// job before then; a failing insert rolls the transaction back. A non-empty once queues the
// job once per transaction however often it is asked for: jobs unique by their args (River's
// unique jobs) cannot appear twice in one statement. Those jobs go first, in the order of
// their once keys, so that transactions that take the same unique keys take them in the same
// order; the others follow in the order queued.
func (t *Tx) Job(ins JobInserter, once string, p river.InsertManyParams) {
	t.JobOrAgain(ins, once, p, nil)
}

// JobOrAgain is Job for a job unique by its args whose duplicate may not do this
// transaction's work: when the insert finds its unique key taken by a job queued or running
// already (which may have read the database before this transaction commits), again is
// called with that job and the job it returns, if any, is inserted too, in the same
// transaction (so it runs after the commit). The SLA wake of a step already due uses it.
func (t *Tx) JobOrAgain(ins JobInserter, once string, p river.InsertManyParams, again func(existing *rivertype.JobRow) *river.InsertManyParams) {
	if once != "" {
		if _, ok := t.onceJobs[once]; ok {
			return
		}
		if t.onceJobs == nil {
			t.onceJobs = map[string]struct{}{}
		}
		t.onceJobs[once] = struct{}{}
	}
	t.jobs = append(t.jobs, queuedJob{ins: ins, once: once, params: p, again: again})
}

// flushJobs inserts the jobs Job queued, one statement per inserter (there is one in the
// product).
func (t *Tx) flushJobs(ctx context.Context) error {
	if len(t.jobs) == 0 {
		return nil
	}
	jobs := t.jobs
	t.jobs, t.onceJobs = nil, nil
	slices.SortStableFunc(jobs, func(a, b queuedJob) int {
		switch {
		case a.once != "" && b.once != "":
			return strings.Compare(a.once, b.once)
		case a.once != "":
			return -1
		case b.once != "":
			return 1
		}
		return 0
	})
	for len(jobs) > 0 {
		ins := jobs[0].ins
		var params []river.InsertManyParams
		var mine []queuedJob
		rest := jobs[:0:0]
		for _, j := range jobs {
			if j.ins == ins {
				params = append(params, j.params)
				mine = append(mine, j)
			} else {
				rest = append(rest, j)
			}
		}
		res, err := ins.InsertManyTx(ctx, t.tx, params)
		if err != nil {
			return fmt.Errorf("queued jobs: %w", err)
		}
		var again []river.InsertManyParams
		for i, r := range res {
			if i < len(mine) && mine[i].again != nil && r != nil && r.UniqueSkippedAsDuplicate {
				if p := mine[i].again(r.Job); p != nil {
					again = append(again, *p)
				}
			}
		}
		if len(again) > 0 {
			if _, err := ins.InsertManyTx(ctx, t.tx, again); err != nil {
				return fmt.Errorf("queued jobs (again): %w", err)
			}
		}
		jobs = rest
	}
	return nil
}

// InsertMany inserts River jobs now, in the transaction, in one statement.
func (t *Tx) InsertMany(ctx context.Context, ins JobInserter, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return ins.InsertManyTx(ctx, t.tx, params)
}
