package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// importName is the import measurement's name in the report and for -scenarios.
const importName = "import-registrations (csv)"

// importTarget is the ratio to raw COPY the issue asks the import to reach.
const importTarget = 0.5

// copyRuns is how many times the COPY baseline runs; the median is kept (one run of 100k
// rows lasts a fraction of a second, so a single one is at the mercy of the neighbours).
const copyRuns = 3

// importColumns are the CSV's columns, in order; scratchDDL types them for the COPY baseline.
var importColumns = []string{"model_sku", "serial", "purchase_date", "invoice_no", "has_warranty_card", "buyer_name", "buyer_phone"}

const scratchDDL = `CREATE TABLE bench_import_copy (model_sku text NOT NULL, serial text NOT NULL, purchase_date date NOT NULL,
  invoice_no text NOT NULL, has_warranty_card boolean NOT NULL, buyer_name text NOT NULL, buyer_phone text NOT NULL)`

// importFile builds the import file: rows sales of benchSKU with fresh serials (none of them
// seeded), purchases over the last three years before today, every buyer new (a distinct
// mobile number, as in a distributor's sales export). It returns the CSV and the same rows
// as typed values for the COPY baseline.
func importFile(rows int, today time.Time) ([]byte, [][]any) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(importColumns)
	typed := make([][]any, rows)
	for i := range rows {
		day := today.AddDate(0, 0, -(1 + (i*7919)%1095))
		card := i%4 != 0
		r := []any{benchSKU, fmt.Sprintf("IM%08d", i), day, fmt.Sprintf("INV-IM-%d", i), card,
			fmt.Sprintf("买家%d", i), fmt.Sprintf("137%08d", i)}
		typed[i] = r
		_ = cw.Write([]string{r[0].(string), r[1].(string), day.Format(time.DateOnly), r[3].(string),
			strconv.FormatBool(card), r[5].(string), r[6].(string)})
	}
	cw.Flush()
	return buf.Bytes(), typed
}

// importResult is the import measurement: the COPY baseline and the API's import of the
// same rows, end to end.
type importResult struct {
	rows     int
	bytes    int
	copyTime time.Duration // median of copyRuns
	// The API: upload (POST until 201), queued (until a poll sees it running), running
	// (until a poll sees it done); total is their sum.
	upload, queued, running, total time.Duration
	// floor: the writes alone (see measureFloor), after the import.
	floor           time.Duration
	created, failed int
	status, error   string
	sqlPerRow       float64 // statements the worker sent, per row (River's own polling included)
	top             []stmtTime
	cpu             cpuUse // from just before the upload to the last poll
}

func (r importResult) copyRPS() float64  { return float64(r.rows) / r.copyTime.Seconds() }
func (r importResult) apiRPS() float64   { return float64(r.rows) / r.total.Seconds() }
func (r importResult) ratio() float64    { return r.apiRPS() / r.copyRPS() }
func (r importResult) floorRPS() float64 { return float64(r.rows) / r.floor.Seconds() }

// measureCopy times pgx CopyFrom of rows into a fresh scratch table with the CSV's column
// types (no index, no constraint beyond NOT NULL), as the superuser; copyRuns runs, median.
func measureCopy(ctx context.Context, db *database, rows [][]any) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, db.ownerURL)
	if err != nil {
		return 0, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, scratchDDL); err != nil {
		return 0, fmt.Errorf("create the scratch table: %w", err)
	}
	var times []time.Duration
	for range copyRuns {
		if _, err := conn.Exec(ctx, "TRUNCATE bench_import_copy"); err != nil {
			return 0, err
		}
		if err := db.settle(ctx); err != nil {
			return 0, err
		}
		t0 := time.Now()
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_import_copy"}, importColumns, pgx.CopyFromRows(rows))
		if err != nil {
			return 0, fmt.Errorf("COPY into the scratch table: %w", err)
		}
		times = append(times, time.Since(t0))
		if int(n) != len(rows) {
			return 0, fmt.Errorf("COPY stored %d rows of %d", n, len(rows))
		}
	}
	_, err = conn.Exec(ctx, "DROP TABLE bench_import_copy")
	slices.Sort(times)
	return times[len(times)/2], err
}

// startWorker runs the River worker (jobs.NewClient with work) as cmd/aftersales' worker
// process does: on a pool of its own (the app role, pgxpool's default size), so that it does
// not take connections from the API's pool. Statements are timed into timer.
func startWorker(ctx context.Context, appURL string, timer *stmtTimer) (stop func(), err error) {
	pool, err := platform.NewPool(ctx, appURL, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = &timingTracer{t: timer} })
	if err != nil {
		return nil, fmt.Errorf("connect the worker as app role: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	client, err := jobs.NewClient(pool, tenants.NewDB(pool), log, true)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := client.Start(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("start the worker: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
		pool.Close()
	}, nil
}

// importStatus is what GET /v1/imports/{id} answers that the bench reads.
type importStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	RowsTotal   int    `json:"rows_total"`
	RowsCreated int    `json:"rows_created"`
	RowsFailed  int    `json:"rows_failed"`
	Error       string `json:"error"`
}

// pollInterval is how often the import is polled; it bounds the error of the measurement.
const pollInterval = 20 * time.Millisecond

// runImport uploads the file with the API key and polls the import until it is done or
// failed, timing each phase as the client sees it.
func runImport(ctx context.Context, baseURL, key string, file []byte, r *importResult) error {
	client := &http.Client{Timeout: 5 * time.Minute}
	t0 := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/imports/registrations?filename=bench.csv", bytes.NewReader(file))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	var st importStatus
	if err := doJSON(client, req, http.StatusCreated, &st); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	r.upload = time.Since(t0)
	deadline := time.Now().Add(30 * time.Minute)
	for st.Status != "done" && st.Status != "failed" {
		if time.Now().After(deadline) {
			return fmt.Errorf("import %s still %s after 30 minutes", st.ID, st.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/imports/"+st.ID, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		if err := doJSON(client, req, http.StatusOK, &st); err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		if st.Status != "queued" && r.queued == 0 {
			r.queued = time.Since(t0) - r.upload
		}
	}
	r.total = time.Since(t0)
	r.running = r.total - r.upload - r.queued
	r.status, r.error, r.created, r.failed = st.Status, st.Error, st.RowsCreated, st.RowsFailed
	if st.RowsTotal != r.rows {
		return fmt.Errorf("import %s: %d rows, the file has %d", st.ID, st.RowsTotal, r.rows)
	}
	return nil
}

// doJSON sends req and decodes the response into out if the status is want.
func doJSON(client *http.Client, req *http.Request, want int, out any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, want, b)
	}
	return json.Unmarshal(b, out)
}

// measureImport runs the import measurement: the COPY baseline, then the API's import of
// the same rows into tenant 0 of the warranty data, with a worker running.
func measureImport(ctx context.Context, db *database, fx fixture, rows int, rdb *redis.Client) (importResult, error) {
	r := importResult{rows: rows}
	if len(fx.warranty.keys) == 0 {
		return r, fmt.Errorf("%s: no API key of a bench tenant", importName)
	}
	file, typed := importFile(rows, today())
	r.bytes = len(file)
	var err error
	if r.copyTime, err = measureCopy(ctx, db, typed); err != nil {
		return r, err
	}
	timer := newStmtTimer()
	stop, err := startWorker(ctx, db.appURL, timer)
	if err != nil {
		return r, err
	}
	defer stop()
	if err := db.settle(ctx); err != nil {
		return r, err
	}
	probe := newCPUProbe(ctx, db.ownerURL, db.name, rdb)
	cpu0 := probe.sample(ctx)
	timer.reset() // River's start-up and the periodic clean-up job are not the import's
	if err := runImport(ctx, fx.baseURL, fx.warranty.keys[0], file, &r); err != nil {
		return r, err
	}
	if cpu1 := probe.sample(ctx); cpu0.ok && cpu1.ok {
		r.cpu = cpuUse{self: cpu1.self - cpu0.self, db: cpu1.db - cpu0.db, redis: cpu1.redis - cpu0.redis, ok: true}
	}
	r.sqlPerRow = float64(timer.count()) / float64(max(rows, 1))
	r.top = timer.top(5)
	if err := db.settle(ctx); err != nil {
		return r, err
	}
	r.floor, err = measureFloor(ctx, db, rows, today())
	return r, err
}

// measureFloor times the writes that importing rows new units with new buyers makes, and
// nothing else: the rows' consumer identities, customers and registrations, inserted in
// three INSERT ... SELECTs from a temporary table (filled first, not timed) into the
// product's tables of tenant 0 (their keys, indexes, checks and foreign keys; as the
// superuser, so without RLS and without ON CONFLICT), in one transaction rolled back. Its
// serials and phones are not the import's. No parsing, no validation, no lookups: what any
// implementation of the import must at least cost on this schema.
func measureFloor(ctx context.Context, db *database, rows int, today time.Time) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, db.ownerURL)
	if err != nil {
		return 0, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var tenant, model uuid.UUID
	if err := tx.QueryRow(ctx, `SELECT t.id, m.id FROM tenants t JOIN product_models m ON m.tenant_id = t.id AND m.sku = $2
		WHERE t.slug = $1`, warrantyData{}.slug(0), benchSKU).Scan(&tenant, &model); err != nil {
		return 0, fmt.Errorf("floor: the bench model: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE floor_rows (id uuid, customer_id uuid, consumer_id uuid, serial text,
		purchase_date date, invoice_no text, has_warranty_card boolean, buyer_name text, buyer_phone text) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"floor_rows"}, []string{"id", "customer_id", "consumer_id", "serial", "purchase_date",
		"invoice_no", "has_warranty_card", "buyer_name", "buyer_phone"}, pgx.CopyFromSlice(rows, func(i int) ([]any, error) {
		return []any{platform.NewID(), platform.NewID(), platform.NewID(), fmt.Sprintf("FL%08d", i),
			today.AddDate(0, 0, -(1 + (i*7919)%1095)), fmt.Sprintf("INV-FL-%d", i), i%4 != 0, fmt.Sprintf("买家%d", i),
			fmt.Sprintf("+86136%08d", i)}, nil
	}))
	if err != nil {
		return 0, fmt.Errorf("floor: stage the rows: %w", err)
	}
	t0 := time.Now()
	for _, stmt := range []string{
		`INSERT INTO consumers (id, phone) SELECT consumer_id, buyer_phone FROM floor_rows`,
		`INSERT INTO customers (tenant_id, id, consumer_id, name, phone)
		 SELECT $1, customer_id, consumer_id, buyer_name, buyer_phone FROM floor_rows`,
		`INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, invoice_no, has_warranty_card, buyer_id, channel)
		 SELECT $1, id, $2, serial, purchase_date, invoice_no, has_warranty_card, customer_id, 'import' FROM floor_rows`,
	} {
		args := []any{tenant, model}[:strings.Count(stmt, "$")]
		if _, err := tx.Exec(ctx, stmt, args...); err != nil {
			return 0, fmt.Errorf("floor: %w", err)
		}
	}
	return time.Since(t0), nil
}

// today is the date in Asia/Shanghai (the bench tenants' zone) at midnight UTC.
func today() time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.UTC
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// reportImport prints the COPY baseline, then the import as a ratio to it with its phases
// (as the client's polls saw them), and where the worker's database time went.
func reportImport(w io.Writer, r importResult) {
	fmt.Fprintf(w, "baseline %-16s %-20s (c=1): %7.0f rows/s, %d rows in %s (median of %d; 7 columns, no index)\n",
		"copy", "COPY to scratch", r.copyRPS(), r.rows, secs(r.copyTime), copyRuns)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "import\tratio\tto baseline\tupload\tqueued\trunning\t\trows/s\trows\tMB\tsql/row\tfailed\ttarget")
	fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t%s\t%s\t\t%.0f\t%d\t%.1f\t%.3f\t%d\t%s\n", importName, r.ratio(), "copy",
		secs(r.upload), secs(r.queued), secs(r.running), r.apiRPS(), r.rows, float64(r.bytes)/(1<<20), r.sqlPerRow, r.failed,
		verdict(r.ratio(), importTarget))
	tw.Flush()
	if r.floor > 0 {
		fmt.Fprintf(w, "  floor (the writes alone: consumers, customers, registrations set-based from a temporary table, "+
			"no parsing or checks): %.0f rows/s, %.3f of COPY; the import reaches %.2f of it\n",
			r.floorRPS(), r.floorRPS()/r.copyRPS(), r.apiRPS()/r.floorRPS())
	}
	if r.cpu.ok {
		n := time.Duration(max(r.rows, 1))
		fmt.Fprintf(w, "  CPU per row: API process (with the worker) %s, database backends %s; in all %s of CPU over %s\n",
			us(r.cpu.self/n), us(r.cpu.db/n), secs(r.cpu.self+r.cpu.db), secs(r.total))
	}
	printWorkerStatements(w, r.top)
}

// checkImport fails the run when the import did not finish or rejected rows: the figure
// would then measure error handling, not the import path.
func checkImport(r *importResult) error {
	switch {
	case r == nil:
		return nil
	case r.status != "done":
		return fmt.Errorf("%s: the import %s: %s", importName, r.status, r.error)
	case float64(r.failed) > maxErrorRate*float64(r.rows):
		return fmt.Errorf("%s: %d of %d rows rejected (limit %.0f%%)", importName, r.failed, r.rows, 100*maxErrorRate)
	}
	return nil
}

// secs formats a duration in seconds with two decimals.
func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
