package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// File formats an import accepts.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Formats lists the file formats.
var Formats = []string{FormatCSV, FormatXLSX}

// Import states.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportStatuses lists the import states.
var ImportStatuses = []string{ImportQueued, ImportRunning, ImportDone, ImportFailed}

// Import kinds: what an import brings in.
const (
	KindRegistrations  = "registrations"   // sold units (registry.Input per row)
	KindServiceHistory = "service_history" // units' past service (HistoryInput per row)
)

// DefaultChunk is how many rows an import stores per transaction.
const DefaultChunk = 5000

// Import is a bulk import (of registrations or of service history) and its progress.
type Import struct {
	ID           uuid.UUID  `json:"id"`
	Kind         string     `json:"kind"` // one of ImportKinds
	Filename     string     `json:"filename,omitempty"`
	Format       string     `json:"format"` // one of Formats
	Status       string     `json:"status"` // one of ImportStatuses
	RowsTotal    int32      `json:"rows_total" doc:"Data rows in the file (blank rows not counted); known once running"`
	RowsDone     int32      `json:"rows_done" doc:"Rows processed so far"`
	RowsCreated  int32      `json:"rows_created" doc:"Rows that created a record (a registration, or a unit's service record)"`
	RowsExisting int32      `json:"rows_existing" doc:"Rows whose record was stored before (a unit already registered, a service record already brought in) or repeated in the file"`
	RowsFailed   int32      `json:"rows_failed" doc:"Rows rejected; see the errors"`
	Error        string     `json:"error,omitempty" doc:"Why the import failed as a whole"`
	CreatedBy    string     `json:"created_by,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
}

func importFromRow(r db.GetImportRow) Import {
	return Import{ID: r.ID, Kind: r.Kind, Filename: r.Filename, Format: r.Format, Status: r.Status, RowsTotal: r.RowsTotal,
		RowsDone: r.RowsDone, RowsCreated: r.RowsCreated, RowsExisting: max(r.RowsDone-r.RowsCreated-r.RowsFailed, 0),
		RowsFailed: r.RowsFailed, Error: r.Error, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
}

// ImportError is a rejected row: its row number in the file (the header is row 1), the
// column at fault (empty for the whole row) and why.
type ImportError struct {
	Row     int32  `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// CreateImport stores an uploaded file as a queued import of kind (one of ImportKinds). A
// file this tenant imported before as the same kind (same content) is not stored again:
// that import is returned with created false, and the caller must not queue it again.
func CreateImport(ctx context.Context, tx *tenants.Tx, kind, filename, format string, content []byte, createdBy string) (Import, bool, error) {
	if kind != KindRegistrations && kind != KindServiceHistory {
		return Import{}, false, fmt.Errorf("registry: unknown import kind %q", kind)
	}
	if format != FormatCSV && format != FormatXLSX {
		return Import{}, false, fault.Invalid("format", "must be text/csv or an XLSX workbook")
	}
	if len(content) == 0 {
		return Import{}, false, fault.Invalid("", "the file is empty")
	}
	if !utf8.ValidString(filename) || strings.ContainsRune(filename, 0) {
		return Import{}, false, fault.Invalid("filename", "must be UTF-8 text without NUL characters")
	}
	sum := sha256.Sum256(content)
	id, err := tx.Q.CreateImport(ctx, tx, db.CreateImportParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Kind: kind, Filename: filename, Format: format, Sha256: sum[:], Content: content, CreatedBy: createdBy})
	created := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		id, err = tx.Q.GetImportBySHA(ctx, tx, db.GetImportBySHAParams{TenantID: tx.Scope.TenantID, Kind: kind, Sha256: sum[:]})
	}
	if err != nil {
		return Import{}, false, fmt.Errorf("store import: %w", err)
	}
	imp, err := GetImport(ctx, tx, id)
	if err != nil || !created {
		return imp, false, err
	}
	return imp, true, tx.Audit(ctx, "import.create", "import", id, nil, map[string]any{"kind": kind, "filename": filename,
		"format": format, "bytes": len(content), "sha256": fmt.Sprintf("%x", sum)})
}

// GetImport returns one import with its progress.
func GetImport(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Import, error) {
	r, err := tx.Q.GetImport(ctx, tx, db.GetImportParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Import{}, fault.DBError(err, "", "")
	}
	return importFromRow(r), nil
}

// ListImports lists imports newest first, before the cursor.
func ListImports(ctx context.Context, tx *tenants.Tx, before uuid.NullUUID, limit int32) ([]Import, error) {
	rows, err := tx.Q.ListImports(ctx, tx, db.ListImportsParams{TenantID: tx.Scope.TenantID, BeforeID: before, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	out := make([]Import, len(rows))
	for i, r := range rows {
		out[i] = importFromRow(db.GetImportRow(r))
	}
	return out, nil
}

// ErrorCursor is a position in an import's errors (row, then field).
type ErrorCursor struct {
	Row   int32
	Field string
}

// Encode makes the cursor opaque for clients.
func (c ErrorCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(int(c.Row)) + "\x00" + c.Field))
}

// DecodeErrorCursor reads a cursor made by Encode; "" is the start.
func DecodeErrorCursor(s string) (ErrorCursor, error) {
	if s == "" {
		return ErrorCursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	row, field, ok := strings.Cut(string(b), "\x00")
	n, nerr := strconv.ParseInt(row, 10, 32)
	if err != nil || !ok || nerr != nil || n < 0 {
		return ErrorCursor{}, fault.Invalid("cursor", "is not a cursor returned by this API")
	}
	return ErrorCursor{Row: int32(n), Field: field}, nil
}

// ListImportErrors lists an import's errors in row order after the cursor. An import the
// tenant does not have is ErrNotFound.
func ListImportErrors(ctx context.Context, tx *tenants.Tx, id uuid.UUID, after ErrorCursor, limit int32) ([]ImportError, error) {
	if _, err := GetImport(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.Q.ListImportErrorsPage(ctx, tx, db.ListImportErrorsPageParams{TenantID: tx.Scope.TenantID, ImportID: id,
		AfterRow: after.Row, AfterField: after.Field, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list import errors: %w", err)
	}
	out := make([]ImportError, len(rows))
	for i, r := range rows {
		out[i] = ImportError{Row: r.RowNo, Field: r.Field, Message: r.Message}
	}
	return out, nil
}

// ImportErrorsCSV writes all of an import's errors as a CSV report (row, field, message).
func ImportErrorsCSV(ctx context.Context, tx *tenants.Tx, id uuid.UUID, w io.Writer) error {
	if _, err := GetImport(ctx, tx, id); err != nil {
		return err
	}
	rows, err := tx.Q.ListImportErrors(ctx, tx, db.ListImportErrorsParams{TenantID: tx.Scope.TenantID, ImportID: id})
	if err != nil {
		return fmt.Errorf("list import errors: %w", err)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"row", "field", "message"})
	for _, r := range rows {
		_ = cw.Write([]string{strconv.Itoa(int(r.RowNo)), SafeCell(r.Field), SafeCell(r.Message)})
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell defuses spreadsheet formulas: a cell beginning with = + - @ (or a tab or
// carriage return) gets a leading single quote, so a spreadsheet shows it as text.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ImportArgs asks for an import (of any kind) to be run. It carries the tenant: the worker
// has no request to take it from.
type ImportArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ImportID uuid.UUID `json:"import_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return "registration_import" }

// InsertOpts limits retries: a run starts over and is idempotent, but a file that keeps
// failing should be reported, not retried for days.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: ImportQueue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}} // one live job per import
}

// ImportQueue is the River queue of imports: their own, so that a burst of other work (the
// events of a busy hour of intake) does not hold an uploaded file back, and a long import
// does not hold the default queue's workers.
const ImportQueue = "imports"

// ImportWorkers is how many imports run at once in a worker process (each uses two
// database connections while it stores its chunks).
const ImportWorkers = 2

// ImportWorker runs imports. River may deliver a job more than once; a run is idempotent.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	DB    *tenants.DB
	Log   *slog.Logger
	Chunk int // rows per transaction; 0 = DefaultChunk
	// Install creates installation orders of rows marked needs_installation (nil: none).
	Install Installer
}

// Timeout allows large files (River's default is one minute).
func (w *ImportWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return time.Hour }

// Work runs the import. After the last attempt fails the import is marked failed, so that
// its status does not stay "running" for ever.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	err := RunImport(ctx, w.DB, job.Args.TenantID, job.Args.ImportID, w.Chunk, w.Install)
	if err != nil && job.Attempt >= job.MaxAttempts {
		log.ErrorContext(ctx, "import failed", "import_id", job.Args.ImportID, "tenant_id", job.Args.TenantID, "err", err)
		if ferr := w.DB.Tx(ctx, importScope(job.Args.TenantID), func(tx *tenants.Tx) error {
			return tx.Q.FinishImport(ctx, tx, db.FinishImportParams{TenantID: tx.Scope.TenantID, ID: job.Args.ImportID,
				Status: ImportFailed, Error: "internal error: the import could not be completed; upload the file again later"})
		}); ferr != nil {
			log.ErrorContext(ctx, "mark import failed", "import_id", job.Args.ImportID, "err", ferr)
		}
	}
	return err
}

func importScope(tenantID uuid.UUID) tenants.Scope {
	return tenants.Scope{TenantID: tenantID, Actor: tenants.Actor{Kind: "system", Label: "import"}}
}

// fileError is a problem with the file as a whole; the import fails with it as its error.
type fileError struct{ msg string }

func (e *fileError) Error() string { return e.msg }

// RunImport reads an import's file and stores its rows, chunk rows per transaction, with
// the progress committed after each chunk. Rows are parsed and checked in Go a chunk ahead
// of the database; each chunk is stored with a few set-based statements (StoreBulk), and
// importStreams chunks at a time when they share no unit and no buyer's phone (see
// importChunk). Rows that fail validation are recorded as errors and never stop the import.
// A run starts over from the first row and is idempotent: errors are cleared first, stored
// units are skipped, and counts are recomputed (units this import stored in an earlier run
// count as created). An import that is done or failed, or does not exist, is left alone. A
// problem with the file as a whole (unreadable, missing columns) fails the import; database
// errors are returned for a retry.
func RunImport(ctx context.Context, d *tenants.DB, tenantID, importID uuid.UUID, chunk int, install Installer) error {
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	scope := importScope(tenantID)
	var row db.ImportContentRow
	var v *Validator
	err := d.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		row, err = tx.Q.ImportContent(ctx, tx, db.ImportContentParams{TenantID: tenantID, ID: importID})
		if err != nil || row.Kind != KindRegistrations {
			return err
		}
		v, err = NewValidator(ctx, tx)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (row.Status == ImportDone || row.Status == ImportFailed)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load import: %w", err)
	}
	if row.Kind == KindServiceHistory {
		err = (&historyRun{d: d, scope: scope, id: importID, chunk: chunk}).run(ctx, row.Format, row.Content)
	} else {
		r := &importRun{d: d, scope: scope, id: importID, v: v, chunk: chunk, seen: map[unitKey]bool{}, install: install}
		err = r.run(ctx, row.Format, row.Content)
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return d.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.Q.FinishImport(ctx, tx, db.FinishImportParams{TenantID: tenantID, ID: importID, Status: ImportFailed, Error: fe.msg})
		})
	}
	if err != nil {
		return err
	}
	return d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.Q.FinishImport(ctx, tx, db.FinishImportParams{TenantID: tenantID, ID: importID, Status: ImportDone})
	})
}

// importRun is one run of an import.
type importRun struct {
	d     *tenants.DB
	scope tenants.Scope
	id    uuid.UUID
	v     *Validator
	chunk int
	// install creates the installation orders of new units marked needs_installation.
	install Installer

	mu   sync.Mutex
	seen map[unitKey]bool // units stored or found by earlier chunks: later rows are "existing"
}

// pendingRow is a parsed and validated row awaiting its chunk's transaction.
type pendingRow struct {
	row      int
	c        Checked
	problems []Problem
}

// importChunk is a chunk of rows on its way to its transaction. Chunks that share no unit
// and no phone are independent and stored concurrently; a chunk waits for the earlier
// chunks it shares one with (after), so that it finds the units and customers they stored
// as it would one chunk at a time.
type importChunk struct {
	rows  []pendingRow
	after []<-chan struct{}
	done  chan struct{} // closed once the chunk is stored (or failed)
}

// importStreams is how many chunks are stored at once, each in its own transaction on its
// own connection. Inserting a row costs the database more than reading and checking it costs
// the worker, most of it in per-row work (foreign-key checks, index entries) that one
// backend does alone; two backends halve it where two cores are free.
const importStreams = 2

func (r *importRun) run(ctx context.Context, format string, content []byte) error {
	t, err := openTable(format, content)
	if err != nil {
		return err
	}
	defer t.Close()
	cols, total, err := t.survey(parseHeader)
	if err != nil {
		return err
	}
	if err := startImport(ctx, r.d, r.scope, r.id, total); err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	rows, err := t.rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	// Rows are read and checked in a goroutine, ahead of the transactions that store them:
	// parsing and validation overlap the database's work.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan importChunk, importStreams)
	var readErr error
	go func() {
		defer close(chunks)
		readErr = r.read(ctx, rows, cols, t.dates, chunks)
	}()
	var wg sync.WaitGroup
	var failOnce sync.Once
	var flushErr error
	for range importStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				err := r.store(ctx, c)
				close(c.done)
				if err != nil {
					failOnce.Do(func() { flushErr = err; cancel() })
				}
			}
		}()
	}
	wg.Wait()
	if flushErr != nil {
		return flushErr
	}
	return readErr // written before chunks was closed
}

// store stores a chunk once the chunks it depends on are stored.
func (r *importRun) store(ctx context.Context, c importChunk) error {
	for _, d := range c.after {
		select {
		case <-d:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil { // an earlier chunk failed: the run stops
		return err
	}
	return r.flush(ctx, c.rows)
}

// read parses and checks the data rows, sending them in chunks of r.chunk rows with the
// earlier chunks each depends on; blank rows are skipped. A row that cannot be parsed is a
// pending row with its problem; a file that cannot be read on is a fileError.
func (r *importRun) read(ctx context.Context, rows rowReader, cols columns, dates *excelDates, out chan<- importChunk) error {
	var dones []chan struct{}
	lastUnit := map[unitKey]int{} // the last chunk with the unit
	lastPhone := map[string]int{} // the last chunk with the phone
	var after map[int]bool
	depend := func(last, k int, ok bool) {
		if ok && last < k {
			after[last] = true
		}
	}
	send := func(batch []pendingRow) error {
		k := len(dones)
		after = map[int]bool{}
		for _, p := range batch {
			if len(p.problems) > 0 {
				continue
			}
			key := unitKey{p.c.Model.ID, p.c.Serial}
			last, ok := lastUnit[key]
			depend(last, k, ok)
			lastUnit[key] = k
			for _, party := range []*Party{p.c.Buyer, p.c.User} {
				if party != nil && party.CustomerID == "" && party.Phone != "" {
					last, ok := lastPhone[party.Phone]
					depend(last, k, ok)
					lastPhone[party.Phone] = k
				}
			}
		}
		c := importChunk{rows: batch, done: make(chan struct{})}
		for j := range after {
			c.after = append(c.after, dones[j])
		}
		dones = append(dones, c.done)
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	batch := make([]pendingRow, 0, r.chunk)
	for header := true; ; header = false {
		cells, n, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if header {
			continue
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			batch = append(batch, pendingRow{row: n, problems: []Problem{{Message: "cannot be read: " + pe.Err.Error()}}})
		case err != nil:
			return &fileError{msg: "the file cannot be read after row " + strconv.Itoa(n-1) + ": " + err.Error()}
		case blank(cells):
			continue
		default:
			in, ps := cols.input(cells, dates)
			c, more := r.v.Check(in)
			batch = append(batch, pendingRow{row: n, c: c, problems: mergeProblems(ps, more)})
		}
		if len(batch) == r.chunk {
			if err := send(batch); err != nil {
				return err
			}
			batch = make([]pendingRow, 0, r.chunk)
		}
	}
	if len(batch) > 0 {
		return send(batch)
	}
	return nil
}

// flush stores one chunk, its errors and the progress in one transaction.
func (r *importRun) flush(ctx context.Context, batch []pendingRow) error {
	var units []Checked
	var unitRows []int
	var errRows []int32
	var errFields, errMsgs []string
	addErrs := func(row int, ps []Problem) {
		for _, p := range ps {
			errRows, errFields, errMsgs = append(errRows, int32(row)), append(errFields, columnOf(p.Field)), append(errMsgs, p.Message)
		}
	}
	rejected, existing := 0, 0
	r.mu.Lock()
	for _, p := range batch {
		switch {
		case len(p.problems) > 0:
			rejected++
			addErrs(p.row, p.problems)
		case r.seen[unitKey{p.c.Model.ID, p.c.Serial}]:
			existing++
		default:
			units, unitRows = append(units, p.c), append(unitRows, p.row)
		}
	}
	r.mu.Unlock()
	var outs []Outcome
	var stats BulkStats
	err := r.d.Tx(ctx, r.scope, func(tx *tenants.Tx) (err error) {
		outs, stats, err = StoreBulk(ctx, tx, units, ChannelImport, uuid.NullUUID{UUID: r.id, Valid: true})
		if err != nil {
			return err
		}
		for n, o := range outs {
			if o.Status == StatusInvalid {
				addErrs(unitRows[n], o.Problems)
			}
		}
		if err := InstallNew(ctx, tx, r.install, units, outs); err != nil {
			return err
		}
		if err := addImportErrors(ctx, tx, r.id, errRows, errFields, errMsgs); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "registration.import", "import", r.id, nil, map[string]any{"rows": len(batch),
			"created": stats.Created, "existing": existing + stats.Existing, "failed": rejected + stats.Invalid,
			"customers_created": stats.CustomersCreated, "first_row": batch[0].row, "last_row": batch[len(batch)-1].row}); err != nil {
			return err
		}
		// Last: concurrent chunks wait for each other's commit on the import's row here.
		if err := tx.Q.AddImportProgress(ctx, tx, db.AddImportProgressParams{TenantID: tx.Scope.TenantID, ID: r.id,
			RowsDone: int32(len(batch)), RowsCreated: int32(stats.Created), RowsFailed: int32(rejected + stats.Invalid)}); err != nil {
			return fmt.Errorf("record progress: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for n, o := range outs {
		if o.Status != StatusInvalid {
			r.seen[unitKey{units[n].Model.ID, units[n].Serial}] = true
		}
	}
	return nil
}

// columnOf names the file column of a Validator field (buyer.phone -> buyer_phone).
func columnOf(field string) string { return strings.ReplaceAll(field, ".", "_") }

func mergeProblems(a, b []Problem) []Problem {
	if len(a) == 0 {
		return b
	}
	var ps problems
	for _, p := range append(a, b...) {
		ps.add(p.Field, p.Message)
	}
	return ps.list
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Columns of an import file, by canonical name.
const (
	colModelSKU     = "model_sku"
	colSerial       = "serial"
	colPurchaseDate = "purchase_date"
	colInvoiceNo    = "invoice_no"
	colInvoiceDate  = "invoice_date"
	colWarrantyCard = "has_warranty_card"
	colSeller       = "seller"
	colBuyerName    = "buyer_name"
	colBuyerPhone   = "buyer_phone"
	colUserName     = "user_name"
	colUserPhone    = "user_phone"
	colInstallDate  = "install_date"
	colNeedsInstall = "needs_installation"
)

// columnAliases maps header names (lower case) to columns; Chinese headers are accepted.
var columnAliases = map[string]string{
	colModelSKU: colModelSKU, "型号": colModelSKU,
	colSerial: colSerial, "序列号": colSerial, "串号": colSerial, "imei": colSerial,
	colPurchaseDate: colPurchaseDate, "购买日期": colPurchaseDate,
	colInvoiceNo: colInvoiceNo, "发票号": colInvoiceNo,
	colInvoiceDate: colInvoiceDate, "发票日期": colInvoiceDate,
	colWarrantyCard: colWarrantyCard, "保修卡": colWarrantyCard,
	colSeller: colSeller, "销售商": colSeller,
	colBuyerName: colBuyerName, "购买人": colBuyerName,
	colBuyerPhone: colBuyerPhone, "购买人电话": colBuyerPhone,
	colUserName: colUserName, "使用人": colUserName,
	colUserPhone: colUserPhone, "使用人电话": colUserPhone,
	colInstallDate: colInstallDate, "安装日期": colInstallDate,
	colNeedsInstall: colNeedsInstall, "needs_install": colNeedsInstall, "需安装": colNeedsInstall, "是否安装": colNeedsInstall,
}

// column is a required column with its Chinese name, for the error message.
type column struct{ name, zh string }

// requiredColumns must be in every registrations file.
var requiredColumns = []column{{colModelSKU, "型号"}, {colSerial, "序列号"}, {colPurchaseDate, "购买日期"}}

// columns maps each known column to its index in a row.
type columns map[string]int

// parseHeader reads the header row of a registrations file (parseColumns).
func parseHeader(cells []string) (columns, error) {
	return parseColumns(cells, columnAliases, requiredColumns)
}

// parseColumns reads a header row: names are matched case-insensitively against aliases,
// unknown columns are ignored, and a missing required column or a column given twice fails
// the import.
func parseColumns(cells []string, aliases map[string]string, required []column) (columns, error) {
	cols := columns{}
	for i, h := range cells {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		name = strings.NewReplacer(" ", "_", "-", "_").Replace(name)
		col, ok := aliases[name]
		if !ok {
			continue
		}
		if j, dup := cols[col]; dup {
			return nil, &fileError{msg: fmt.Sprintf("columns %d and %d are both %s", j+1, i+1, col)}
		}
		cols[col] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := cols[c.name]; !ok {
			missing = append(missing, c.name+" ("+c.zh+")")
		}
	}
	if len(missing) > 0 {
		return nil, &fileError{msg: "missing required column(s): " + strings.Join(missing, ", ") +
			"; the first row must name the columns"}
	}
	return cols, nil
}

// excelDates converts a spreadsheet's date serial numbers; nil for CSV files.
type excelDates struct{ date1904 bool }

// input converts a row to an Input; values that cannot be converted are problems.
func (c columns) input(cells []string, dates *excelDates) (Input, []Problem) {
	var ps problems
	get := func(col string) string {
		if i, ok := c[col]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	date := func(col string) string { return normalizeDate(get(col), dates) }
	number := func(col string) string { return plainNumber(get(col), dates) }
	in := Input{ModelSKU: get(colModelSKU), Serial: number(colSerial), PurchaseDate: date(colPurchaseDate),
		InvoiceNo: number(colInvoiceNo), InvoiceDate: date(colInvoiceDate), Seller: get(colSeller),
		InstallDate: date(colInstallDate)}
	if in.ModelSKU == "" {
		ps.add("model_sku", "is required")
	}
	for _, b := range []struct {
		col string
		dst *bool
	}{{colWarrantyCard, &in.HasWarrantyCard}, {colNeedsInstall, &in.NeedsInstallation}} {
		switch strings.ToLower(get(b.col)) {
		case "", "false", "0", "否", "no", "n", "无":
		case "true", "1", "是", "yes", "y", "有":
			*b.dst = true
		default:
			ps.add(b.col, "must be true or false (1/0, 是/否)")
		}
	}
	if name, phone := get(colBuyerName), number(colBuyerPhone); name != "" || phone != "" {
		in.Buyer = &Party{Name: name, Phone: phone}
	}
	if name, phone := get(colUserName), number(colUserPhone); name != "" || phone != "" {
		in.User = &Party{Name: name, Phone: phone}
	}
	return in, ps.list
}

// normalizeDate accepts YYYY-MM-DD, YYYY/MM/DD (months and days may lack a leading zero),
// either followed by a time, and in spreadsheets date serial numbers. Anything else is
// returned unchanged, for Check to reject.
func normalizeDate(s string, dates *excelDates) string {
	if s == "" {
		return s
	}
	if dates != nil {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
			if t, err := excelize.ExcelDateToTime(f, dates.date1904); err == nil {
				return t.Format(time.DateOnly)
			}
		}
	}
	d := s
	if i := strings.IndexAny(d, " T"); i > 0 {
		d = d[:i]
	}
	for _, layout := range []string{"2006-1-2", "2006/1/2"} {
		if t, err := time.Parse(layout, d); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return s
}

// plainNumber undoes a spreadsheet's scientific notation for long numbers (serials, phones,
// invoice numbers stored as numbers): 8.6138E+12 -> 8613800000000.
func plainNumber(s string, dates *excelDates) string {
	if dates == nil || !strings.ContainsAny(s, "eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f >= 1e21 || f != float64(int64(f)) {
		return s
	}
	return strconv.FormatInt(int64(f), 10)
}

// rowReader yields a file's rows with their row numbers (from 1, as a spreadsheet or text
// editor shows them); io.EOF ends them.
type rowReader interface {
	Next() ([]string, int, error)
	Close() error
}

// table is an opened import file.
type table struct {
	rows func() (rowReader, error)
	// scan reads the rows like rows, for survey: its cells are valid until the next row.
	scan  func() (rowReader, error)
	dates *excelDates
	close func() error
}

func (t *table) Close() error { return t.close() }

// survey reads the header with parse and counts the non-blank data rows.
func (t *table) survey(parse func([]string) (columns, error)) (columns, int, error) {
	scan := t.scan
	if scan == nil {
		scan = t.rows
	}
	rows, err := scan()
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	header, _, err := rows.Next()
	if errors.Is(err, io.EOF) || (err == nil && blank(header)) {
		return nil, 0, &fileError{msg: "the file is empty: the first row must name the columns"}
	}
	if err != nil {
		return nil, 0, &fileError{msg: "the header row cannot be read: " + err.Error()}
	}
	cols, err := parse(header)
	if err != nil {
		return nil, 0, err
	}
	total := 0
	for {
		cells, _, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return cols, total, nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return nil, 0, &fileError{msg: "the file cannot be read: " + err.Error()}
		}
		if err != nil || !blank(cells) {
			total++
		}
	}
}

// openTable opens a CSV file (UTF-8, with or without BOM, or GB18030 as Excel saves it on
// Chinese systems) or the first sheet of an XLSX workbook.
func openTable(format string, content []byte) (*table, error) {
	switch format {
	case FormatCSV:
		text := bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(text) {
			dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(text)
			if err != nil || !utf8.Valid(dec) || bytes.ContainsRune(dec, utf8.RuneError) || bytes.IndexByte(dec, 0) >= 0 {
				return nil, &fileError{msg: "the file is neither UTF-8 nor GB18030 text"}
			}
			text = dec
		}
		reader := func(reuse bool) func() (rowReader, error) {
			return func() (rowReader, error) {
				cr := csv.NewReader(bytes.NewReader(text))
				cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = -1, true, reuse
				return csvRows{cr}, nil
			}
		}
		return &table{close: func() error { return nil }, rows: reader(false), scan: reader(true)}, nil
	case FormatXLSX:
		f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{UnzipSizeLimit: 1 << 30})
		if err != nil {
			return nil, &fileError{msg: "the file is not a readable XLSX workbook"}
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			_ = f.Close()
			return nil, &fileError{msg: "the workbook has no sheet"}
		}
		dates := &excelDates{}
		if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
			dates.date1904 = *props.Date1904
		}
		return &table{close: f.Close, dates: dates, rows: func() (rowReader, error) {
			rows, err := f.Rows(sheets[0])
			if err != nil {
				return nil, &fileError{msg: "the first sheet cannot be read: " + err.Error()}
			}
			return xlsxRows{r: rows, n: new(int)}, nil
		}}, nil
	}
	return nil, &fileError{msg: "unknown file format " + format}
}

// csvRows reads CSV records; a record's row number is the line it starts on.
type csvRows struct{ r *csv.Reader }

func (c csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return nil, pe.StartLine, err
	case err != nil:
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}
func (c csvRows) Close() error { return nil }

// xlsxRows streams a sheet's rows with raw cell values (dates as serial numbers).
type xlsxRows struct {
	r *excelize.Rows
	n *int
}

func (x xlsxRows) Next() ([]string, int, error) {
	if !x.r.Next() {
		if err := x.r.Error(); err != nil {
			return nil, *x.n, err
		}
		return nil, 0, io.EOF
	}
	*x.n++
	cells, err := x.r.Columns(excelize.Options{RawCellValue: true})
	return cells, *x.n, err
}
func (x xlsxRows) Close() error { return x.r.Close() }

// InstallNew has the installer create installation orders for the units of a bulk store
// that were created and marked needs_installation.
func InstallNew(ctx context.Context, tx *tenants.Tx, install Installer, units []Checked, outs []Outcome) error {
	if install == nil {
		return nil
	}
	for n, o := range outs {
		if o.Status == StatusCreated && units[n].NeedsInstallation {
			if err := install.InstallUnit(ctx, tx, o.ID); err != nil {
				return fmt.Errorf("installation order of row %d: %w", n+1, err)
			}
		}
	}
	return nil
}

// ImportKinds are what an import brings in (Import.Kind), in the order the API documents them.
var ImportKinds = []string{KindRegistrations, KindServiceHistory}

// addImportErrors records a chunk's refused rows of an import in one multi-row INSERT (which
// Citus routes to the tenant's shard).
func addImportErrors(ctx context.Context, tx *tenants.Tx, importID uuid.UUID, rowNos []int32, fields, messages []string) error {
	if len(rowNos) == 0 {
		return nil
	}
	var rows tenants.MultiInsert
	for i := range rowNos {
		if err := tx.Q.AddImportError(ctx, &rows, db.AddImportErrorParams{TenantID: tx.Scope.TenantID, ImportID: importID,
			RowNo: rowNos[i], Field: fields[i], Message: messages[i]}); err != nil {
			return err
		}
	}
	if _, err := rows.Send(ctx, tx); err != nil {
		return fmt.Errorf("record import errors: %w", err)
	}
	return nil
}

// startImport records that import id's run began with total rows to read, and clears the
// errors of any earlier attempt of it (a retried job starts over).
func startImport(ctx context.Context, d *tenants.DB, scope tenants.Scope, id uuid.UUID, total int) error {
	err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if err := tx.Q.StartImport(ctx, tx, db.StartImportParams{TenantID: tx.Scope.TenantID, ID: id, RowsTotal: int32(total)}); err != nil {
			return err
		}
		return tx.Q.ClearImportErrors(ctx, tx, db.ClearImportErrorsParams{TenantID: tx.Scope.TenantID, ImportID: id})
	})
	if err != nil {
		return fmt.Errorf("start import: %w", err)
	}
	return nil
}
