package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Results of a past service brought from another system: a repair that fixed the fault or
// did not, an exchange, a refund.
const (
	HistoryFixed    = "fixed"
	HistoryNotFixed = "not_fixed"
	HistoryExchange = "exchange"
	HistoryRefund   = "refund"
)

// HistoryResults lists the results of a service record, in the order the API documents them.
var HistoryResults = []string{HistoryFixed, HistoryNotFixed, HistoryExchange, HistoryRefund}

// historyResultAliases maps the words files use (lower case) to results; Chinese included.
var historyResultAliases = map[string]string{
	HistoryFixed: HistoryFixed, "repaired": HistoryFixed, "已修好": HistoryFixed, "修好": HistoryFixed, "已修复": HistoryFixed,
	HistoryNotFixed: HistoryNotFixed, "not fixed": HistoryNotFixed, "未修好": HistoryNotFixed, "未修复": HistoryNotFixed, "难修": HistoryNotFixed,
	HistoryExchange: HistoryExchange, "exchanged": HistoryExchange, "换货": HistoryExchange, "换机": HistoryExchange,
	HistoryRefund: HistoryRefund, "refunded": HistoryRefund, "退货": HistoryRefund, "退款": HistoryRefund,
}

// HistoryRecord is a unit's past service brought from another system (a brand moving onto
// the product brings its units' past with it): a repair with its fault, result and the days
// the unit was handed over and returned, an exchange or a refund with its day. Warranty
// decisions count it as they count the product's own orders (docs/warranty.md).
type HistoryRecord struct {
	ID             uuid.UUID  `json:"id"`
	RegistrationID uuid.UUID  `json:"registration_id"`
	Reference      string     `json:"reference" doc:"The other system's number of the service: a unit's records are keyed by it"`
	FaultCode      string     `json:"fault_code,omitempty"`
	Result         string     `json:"result"` // one of HistoryResults
	DateIn         string     `json:"date_in,omitempty" format:"date" doc:"The day the unit was handed over"`
	DateOut        string     `json:"date_out" format:"date" doc:"The day the unit was returned, exchanged or refunded"`
	ImportID       *uuid.UUID `json:"import_id,omitempty" doc:"The import that brought it, if any"`
	CreatedBy      string     `json:"created_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func historyFromRow(r db.ServiceHistory) HistoryRecord {
	h := HistoryRecord{ID: r.ID, RegistrationID: r.RegistrationID, Reference: r.Reference, FaultCode: r.FaultCode, Result: r.Result,
		DateOut: r.DateOut.Format(time.DateOnly), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if r.DateIn != nil {
		h.DateIn = r.DateIn.Format(time.DateOnly)
	}
	if r.ImportID.Valid {
		id := r.ImportID.UUID
		h.ImportID = &id
	}
	return h
}

// HistoryInput is one past service as a file row or a batch item gives it. The unit is a
// registration id, or a serial (with the model SKU when the serial repeats across models).
type HistoryInput struct {
	RegistrationID string
	ModelSKU       string
	Serial         string
	Reference      string
	FaultCode      string
	Result         string // one of HistoryResults, or a word historyResultAliases knows
	DateIn         string // YYYY-MM-DD; required for repairs
	DateOut        string // YYYY-MM-DD; required
}

// CheckedHistory is a service record ready to store.
type CheckedHistory struct {
	RegistrationID uuid.UUID
	Reference      string
	FaultCode      string // normalised, resolved through the dictionary's merges
	Result         string
	DateIn         *time.Time
	DateOut        time.Time
}

// historyUnit is a registration a service record may belong to.
type historyUnit struct {
	id        uuid.UUID
	sku       string
	purchased time.Time
}

// CheckHistory validates service records, reporting every problem of each (field names are
// the input's: serial, date_out, ...). It reads the units the records name in one
// statement, and enters their fault codes in the dictionary (which grows at entry time, and
// resolves merged codes) for the records that are otherwise valid. The results are in the
// order of ins; a record with problems has a zero CheckedHistory.
func CheckHistory(ctx context.Context, tx *tenants.Tx, ins []HistoryInput) ([]CheckedHistory, [][]Problem, error) {
	today, err := Today(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var ids []uuid.UUID
	var serials []string
	for _, in := range ins {
		if id, err := uuid.Parse(strings.TrimSpace(in.RegistrationID)); err == nil {
			ids = append(ids, id)
		} else if s := strings.TrimSpace(in.Serial); s != "" {
			serials = append(serials, s)
		}
	}
	rows, err := tx.Q.HistoryUnits(ctx, tx, db.HistoryUnitsParams{TenantID: tx.Scope.TenantID, Ids: nonNilIDs(ids), Serials: nonNilStrings(serials)})
	if err != nil {
		return nil, nil, fmt.Errorf("units of the service history: %w", err)
	}
	byID, bySerial := map[uuid.UUID]historyUnit{}, map[string][]historyUnit{}
	for _, r := range rows {
		u := historyUnit{id: r.ID, sku: r.Sku, purchased: r.PurchaseDate}
		byID[r.ID] = u
		bySerial[r.Serial] = append(bySerial[r.Serial], u)
	}
	out, probs := make([]CheckedHistory, len(ins)), make([][]Problem, len(ins))
	codes := map[string]string{} // fault codes as given, normalised and resolved
	for i, in := range ins {
		var ps problems
		c := CheckedHistory{Reference: strings.TrimSpace(in.Reference)}
		if c.Reference == "" {
			ps.add("reference", "is required: the other system's number of the service")
		} else {
			ps.text("reference", c.Reference, 64)
		}
		unit, ok := findHistoryUnit(in, byID, bySerial, &ps)
		c.RegistrationID = unit.id
		c.Result = historyResultAliases[strings.ToLower(strings.TrimSpace(in.Result))]
		if c.Result == "" {
			ps.add("result", "must be fixed, not_fixed, exchange or refund")
		}
		date := func(field, value string, required bool) *time.Time {
			value = strings.TrimSpace(value)
			if value == "" {
				if required {
					ps.add(field, "is required (YYYY-MM-DD)")
				}
				return nil
			}
			d, err := time.Parse(time.DateOnly, value)
			switch {
			case err != nil:
				ps.add(field, "must be a date YYYY-MM-DD")
				return nil
			case d.After(today):
				ps.add(field, "cannot be in the future")
			case ok && d.Before(unit.purchased):
				ps.add(field, "is before the unit's purchase on "+unit.purchased.Format(time.DateOnly))
			}
			return &d
		}
		dateOut := date("date_out", in.DateOut, true)
		c.DateIn = date("date_in", in.DateIn, c.Result == HistoryFixed || c.Result == HistoryNotFixed)
		if dateOut != nil {
			c.DateOut = *dateOut
			if c.DateIn != nil && c.DateIn.After(c.DateOut) {
				ps.add("date_out", "is before date_in")
			}
		}
		if code := strings.TrimSpace(in.FaultCode); code != "" && len(ps.list) == 0 {
			resolved, seen := codes[code]
			if !seen {
				fc, err := catalog.EnsureFaultCode(ctx, tx, code, "", "")
				var fe *fault.FieldError
				switch {
				case errors.As(err, &fe):
					resolved = ""
				case err != nil:
					return nil, nil, err
				default:
					resolved = fc.Code
				}
				codes[code] = resolved
			}
			if resolved == "" {
				ps.add("fault_code", "must have 1 to 32 letters or digits")
			}
			c.FaultCode = resolved
		}
		if len(ps.list) > 0 {
			probs[i] = ps.list
			continue
		}
		out[i] = c
	}
	return out, probs, nil
}

// findHistoryUnit finds the registration a record names, or reports why it cannot.
func findHistoryUnit(in HistoryInput, byID map[uuid.UUID]historyUnit, bySerial map[string][]historyUnit, ps *problems) (historyUnit, bool) {
	if s := strings.TrimSpace(in.RegistrationID); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			ps.add("registration_id", "must be a UUID")
			return historyUnit{}, false
		}
		u, ok := byID[id]
		if !ok {
			ps.add("registration_id", "is not a registration of this tenant")
		}
		return u, ok
	}
	serial, sku := strings.TrimSpace(in.Serial), strings.TrimSpace(in.ModelSKU)
	if serial == "" {
		ps.add("serial", "is required (or registration_id)")
		return historyUnit{}, false
	}
	var found []historyUnit
	for _, u := range bySerial[serial] {
		if sku == "" || u.sku == sku {
			found = append(found, u)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true
	case len(found) > 1:
		ps.add("model_sku", "this serial is registered for several models: give model_sku")
	case sku != "" && len(bySerial[serial]) > 0:
		ps.add("model_sku", "the serial is not registered for this model")
	default:
		ps.add("serial", "is not a registered unit of this tenant: register it first")
	}
	return historyUnit{}, false
}

func nonNilIDs(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// StoreHistory stores checked service records in two statements, whatever their number:
// one lookup of those stored already (same unit and reference), one insert of the rest. A
// record repeated within recs is stored once (the first wins) and reported as existing; a
// record stored by importID counts as created, so a re-run import reports what it stored.
// Outcomes are in the order of recs, with the record's id. Nothing is audited here.
func StoreHistory(ctx context.Context, tx *tenants.Tx, recs []CheckedHistory, importID uuid.NullUUID) ([]Outcome, BulkStats, error) {
	type key struct {
		unit uuid.UUID
		ref  string
	}
	outs := make([]Outcome, len(recs))
	var stats BulkStats
	if len(recs) == 0 {
		return outs, stats, nil
	}
	units, refs := make([]uuid.UUID, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		units[i], refs[i] = r.RegistrationID, r.Reference
	}
	stored, err := tx.Q.ExistingHistory(ctx, tx, db.ExistingHistoryParams{TenantID: tx.Scope.TenantID, RegistrationIds: units, Refs: refs})
	if err != nil {
		return nil, stats, fmt.Errorf("service records stored before: %w", err)
	}
	before := map[key]db.ExistingHistoryRow{}
	for _, s := range stored {
		before[key{s.RegistrationID, s.Reference}] = s
	}
	seen := map[key]int{} // the index of the record that stores each key
	var ins tenants.MultiInsert
	var ids []uuid.UUID
	for i, r := range recs {
		k := key{r.RegistrationID, r.Reference}
		if s, ok := before[k]; ok {
			outs[i] = Outcome{Status: StatusExisting, ID: s.ID}
			if importID.Valid && s.ImportID == importID {
				outs[i].Status = StatusCreated
			}
			continue
		}
		if _, dup := seen[k]; dup {
			outs[i] = Outcome{Status: StatusExisting}
			continue
		}
		seen[k] = i
		id := platform.NewID()
		outs[i] = Outcome{Status: StatusCreated, ID: id}
		ids = append(ids, id)
		if err := tx.Q.InsertHistory(ctx, &ins, db.InsertHistoryParams{TenantID: tx.Scope.TenantID, ID: id,
			RegistrationID: r.RegistrationID, Reference: r.Reference, FaultCode: r.FaultCode, Result: r.Result,
			DateIn: r.DateIn, DateOut: r.DateOut, ImportID: importID, CreatedBy: tx.Scope.Actor.Label}); err != nil {
			return nil, stats, err
		}
	}
	if len(ids) > 0 {
		if _, err := ins.Send(ctx, tx); err != nil {
			return nil, stats, fault.DBError(err, "", "")
		}
		inserted, err := tx.Q.StoredHistoryIDs(ctx, tx, db.StoredHistoryIDsParams{TenantID: tx.Scope.TenantID, Ids: ids})
		if err != nil {
			return nil, stats, fmt.Errorf("service records stored: %w", err)
		}
		got := map[uuid.UUID]bool{}
		for _, id := range inserted {
			got[id] = true
		}
		// Stored meanwhile by another transaction: existing.
		for _, i := range seen {
			if !got[outs[i].ID] {
				outs[i] = Outcome{Status: StatusExisting}
			}
		}
	}
	for i, o := range outs {
		if o.Status == StatusExisting && o.ID == uuid.Nil {
			if j, ok := seen[key{recs[i].RegistrationID, recs[i].Reference}]; ok {
				outs[i].ID = outs[j].ID
			}
		}
		switch o.Status {
		case StatusCreated:
			stats.Created++
		default:
			stats.Existing++
		}
	}
	return outs, stats, nil
}

// ListHistory lists a unit's service records, oldest first (by the day each ended), after
// the cursor. A registration the tenant does not have is ErrNotFound.
func ListHistory(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID, after uuid.NullUUID, limit int32) ([]HistoryRecord, error) {
	if _, err := Get(ctx, tx, registrationID); err != nil {
		return nil, err
	}
	rows, err := tx.Q.ListUnitHistory(ctx, tx, db.ListUnitHistoryParams{TenantID: tx.Scope.TenantID, RegistrationID: registrationID,
		AfterID: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list service history: %w", err)
	}
	out := make([]HistoryRecord, len(rows))
	for i, r := range rows {
		out[i] = historyFromRow(r)
	}
	return out, nil
}

// Columns of a service history file, by canonical name.
const (
	colReference      = "reference"
	colRegistrationID = "registration_id"
	colFaultCode      = "fault_code"
	colResult         = "result"
	colDateIn         = "date_in"
	colDateOut        = "date_out"
)

// historyAliases maps header names (lower case) to the columns of a service history file;
// Chinese headers are accepted.
var historyAliases = map[string]string{
	colReference: colReference, "order_no": colReference, "单号": colReference, "工单号": colReference, "维修单号": colReference,
	colRegistrationID: colRegistrationID,
	colModelSKU:       colModelSKU, "型号": colModelSKU,
	colSerial: colSerial, "序列号": colSerial, "串号": colSerial, "imei": colSerial,
	colFaultCode: colFaultCode, "故障代码": colFaultCode, "故障码": colFaultCode,
	colResult: colResult, "结果": colResult, "维修结果": colResult, "处理结果": colResult,
	colDateIn: colDateIn, "送修日期": colDateIn, "接机日期": colDateIn,
	colDateOut: colDateOut, "取机日期": colDateOut, "还机日期": colDateOut, "完成日期": colDateOut,
}

// historyRequired must be in every service history file (and serial or registration_id).
var historyRequired = []column{{colReference, "单号"}, {colResult, "结果"}, {colDateOut, "取机日期"}}

func parseHistoryHeader(cells []string) (columns, error) {
	cols, err := parseColumns(cells, historyAliases, historyRequired)
	if err != nil {
		return nil, err
	}
	_, serial := cols[colSerial]
	_, reg := cols[colRegistrationID]
	if !serial && !reg {
		return nil, &fileError{msg: "missing required column: serial (序列号) or registration_id; the first row must name the columns"}
	}
	return cols, nil
}

// historyInput converts a row of a service history file.
func (c columns) historyInput(cells []string, dates *excelDates) HistoryInput {
	get := func(col string) string {
		if i, ok := c[col]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	return HistoryInput{RegistrationID: get(colRegistrationID), ModelSKU: get(colModelSKU), Serial: plainNumber(get(colSerial), dates),
		Reference: plainNumber(get(colReference), dates), FaultCode: get(colFaultCode), Result: get(colResult),
		DateIn: normalizeDate(get(colDateIn), dates), DateOut: normalizeDate(get(colDateOut), dates)}
}

// historyRun is one run of a service history import: chunks of rows are checked and stored
// one after the other, each in its own transaction with its errors and the progress.
type historyRun struct {
	d     *tenants.DB
	scope tenants.Scope
	id    uuid.UUID
	chunk int
}

type historyRow struct {
	row      int
	in       HistoryInput
	problems []Problem // the row could not be read
}

func (r *historyRun) run(ctx context.Context, format string, content []byte) error {
	t, err := openTable(format, content)
	if err != nil {
		return err
	}
	defer t.Close()
	cols, total, err := t.survey(parseHistoryHeader)
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
	batch := make([]historyRow, 0, r.chunk)
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
			batch = append(batch, historyRow{row: n, problems: []Problem{{Message: "cannot be read: " + pe.Err.Error()}}})
		case err != nil:
			return &fileError{msg: "the file cannot be read after row " + strconv.Itoa(n-1) + ": " + err.Error()}
		case blank(cells):
			continue
		default:
			batch = append(batch, historyRow{row: n, in: cols.historyInput(cells, t.dates)})
		}
		if len(batch) == r.chunk {
			if err := r.flush(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return r.flush(ctx, batch)
	}
	return nil
}

// flush checks and stores one chunk, its errors and the progress in one transaction.
func (r *historyRun) flush(ctx context.Context, batch []historyRow) error {
	return r.d.Tx(ctx, r.scope, func(tx *tenants.Tx) error {
		var ins []HistoryInput
		var at []int
		var errRows []int32
		var errFields, errMsgs []string
		addErrs := func(row int, ps []Problem) {
			for _, p := range ps {
				errRows, errFields, errMsgs = append(errRows, int32(row)), append(errFields, p.Field), append(errMsgs, p.Message)
			}
		}
		failed := 0
		for i, b := range batch {
			if len(b.problems) > 0 {
				failed++
				addErrs(b.row, b.problems)
				continue
			}
			ins, at = append(ins, b.in), append(at, i)
		}
		checked, probs, err := CheckHistory(ctx, tx, ins)
		if err != nil {
			return err
		}
		var recs []CheckedHistory
		for n, ps := range probs {
			if len(ps) > 0 {
				failed++
				addErrs(batch[at[n]].row, ps)
				continue
			}
			recs = append(recs, checked[n])
		}
		_, stats, err := StoreHistory(ctx, tx, recs, uuid.NullUUID{UUID: r.id, Valid: true})
		if err != nil {
			return err
		}
		if err := addImportErrors(ctx, tx, r.id, errRows, errFields, errMsgs); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "service_history.import", "import", r.id, nil, map[string]any{"rows": len(batch),
			"created": stats.Created, "existing": stats.Existing, "failed": failed,
			"first_row": batch[0].row, "last_row": batch[len(batch)-1].row}); err != nil {
			return err
		}
		return tx.Q.AddImportProgress(ctx, tx, db.AddImportProgressParams{TenantID: tx.Scope.TenantID, ID: r.id,
			RowsDone: int32(len(batch)), RowsCreated: int32(stats.Created), RowsFailed: int32(failed)})
	})
}
