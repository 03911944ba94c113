package parts

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Import formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// MaxImportRows bounds a catalog file. A catalog is thousands of parts, not millions: the
// import runs in the request, all rows or none, unlike the registrations import (a job with
// progress that keeps the good rows of a file of millions).
const MaxImportRows = 5000

// RowError is one rejected cell of an import file.
type RowError struct {
	Row     int    `json:"row" doc:"Row number in the file, the header being row 1"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportErrors rejects a file: every bad row is named, nothing is written.
type ImportErrors struct{ Rows []RowError }

func (e *ImportErrors) Error() string {
	return fmt.Sprintf("%d rows of the file are invalid; nothing was imported", len(e.Rows))
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// columns of a catalog file; part_no and name_zh are required. Lists are separated by ";".
var importColumns = map[string]string{
	"part_no": "part_no", "零件号": "part_no", "备件编码": "part_no",
	"name_zh": "name_zh", "名称": "name_zh", "name_en": "name_en",
	"models": "models", "model_skus": "models", "适用机型": "models",
	"components": "components", "部件": "components",
	"substitutes": "substitutes", "替代件": "substitutes",
	"serial_tracked": "serial_tracked", "序列号管理": "serial_tracked",
	"return_required": "return_required", "旧件返还": "return_required", "旧件返厂": "return_required",
	"currency": "currency", "unit_cost": "unit_cost", "成本": "unit_cost",
	"outlet_price": "outlet_price", "网点价": "outlet_price",
	"consumer_price": "consumer_price", "零售价": "consumer_price",
	"active": "active",
}

// readTable reads every row of a CSV or the first sheet of an XLSX file.
func readTable(format string, content []byte) ([][]string, error) {
	switch format {
	case FormatCSV:
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			return nil, fault.Invalid("file", "is not a readable CSV file: "+err.Error())
		}
		return rows, nil
	case FormatXLSX:
		f, err := excelize.OpenReader(bytes.NewReader(content))
		if err != nil {
			return nil, fault.Invalid("file", "is not a readable XLSX file")
		}
		defer func() { _ = f.Close() }()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fault.Invalid("file", "has no sheet")
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			return nil, fault.Invalid("file", "is not a readable XLSX file")
		}
		return rows, nil
	}
	return nil, fault.Invalid("format", "must be csv or xlsx")
}

type importRow struct {
	no          int
	f           PartFields
	models      []string
	substitutes []string
}

// Import adds or updates parts from a catalog file (CSV or XLSX, header row first), matching
// parts by part number. Models are named by SKU and substitutes by part number (of the
// catalog or of the same file). Any bad row rejects the whole file with every problem named.
func Import(ctx context.Context, tx *tenants.Tx, format string, content []byte) (ImportResult, error) {
	table, err := readTable(format, content)
	if err != nil {
		return ImportResult{}, err
	}
	if len(table) < 2 {
		return ImportResult{}, fault.Invalid("file", "has no rows below its header")
	}
	if len(table)-1 > MaxImportRows {
		return ImportResult{}, fault.Invalid("file", fmt.Sprintf("has more than %d rows", MaxImportRows))
	}
	col := map[string]int{}
	for i, h := range table[0] {
		if name, ok := importColumns[strings.ToLower(strings.TrimSpace(h))]; ok {
			col[name] = i
		}
	}
	for _, need := range []string{"part_no", "name_zh"} {
		if _, ok := col[need]; !ok {
			return ImportResult{}, fault.Invalid("file", "has no "+need+" column")
		}
	}
	var problems []RowError
	bad := func(row int, field, msg string) {
		problems = append(problems, RowError{Row: row, Field: field, Message: msg})
	}
	seen := map[string]int{}
	var rows []importRow
	for i, cells := range table[1:] {
		no := i + 2
		cell := func(name string) string {
			if c, ok := col[name]; ok && c < len(cells) {
				return strings.TrimSpace(cells[c])
			}
			return ""
		}
		if strings.Join(cells, "") == "" {
			continue
		}
		r := importRow{no: no, models: list(cell("models")), substitutes: list(cell("substitutes"))}
		r.f = PartFields{PartNo: cell("part_no"), NameZh: cell("name_zh"), NameEn: cell("name_en"), Components: list(cell("components")),
			Currency: strings.ToUpper(cell("currency"))}
		var ok bool
		if r.f.SerialTracked, ok = yes(cell("serial_tracked")); !ok {
			bad(no, "serial_tracked", "must be yes or no")
		}
		if r.f.ReturnRequired, ok = yes(cell("return_required")); !ok {
			bad(no, "return_required", "must be yes or no")
		}
		active, ok := yes(cell("active"))
		if !ok {
			bad(no, "active", "must be yes or no")
		}
		if cell("active") == "" {
			active = true
		}
		r.f.Active = &active
		for _, m := range []struct {
			name string
			to   *int64
		}{{"unit_cost", &r.f.UnitCost}, {"outlet_price", &r.f.OutletPrice}, {"consumer_price", &r.f.ConsumerPrice}} {
			if s := cell(m.name); s != "" {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil || v < 0 {
					bad(no, m.name, "must be a whole number of minor units, 0 or more")
				}
				*m.to = v
			}
		}
		if err := r.f.normalize(""); err != nil {
			var fe *fault.FieldError
			if errors.As(err, &fe) {
				bad(no, fe.Field, fe.Reason)
			} else {
				return ImportResult{}, err
			}
		}
		if prev, dup := seen[r.f.PartNo]; dup && r.f.PartNo != "" {
			bad(no, "part_no", fmt.Sprintf("repeats row %d", prev))
		}
		seen[r.f.PartNo] = no
		rows = append(rows, r)
	}
	// Ids: existing parts keep theirs, new ones get one now so that substitutes can name them.
	numbers := make([]string, 0, len(rows))
	var skus []string
	for _, r := range rows {
		numbers = append(numbers, r.f.PartNo)
		skus = append(skus, r.models...)
	}
	for _, r := range rows {
		numbers = append(numbers, r.substitutes...)
	}
	known, err := tx.Q.PartsByNumbers(ctx, tx, db.PartsByNumbersParams{TenantID: tx.Scope.TenantID, PartNos: numbers})
	if err != nil {
		return ImportResult{}, fmt.Errorf("parts of the file: %w", err)
	}
	ids := map[string]uuid.UUID{}
	for _, k := range known {
		ids[k.PartNo] = k.ID
	}
	res := ImportResult{}
	for _, r := range rows {
		if _, ok := ids[r.f.PartNo]; ok {
			res.Updated++
		} else {
			ids[r.f.PartNo] = platform.NewID()
			res.Created++
		}
	}
	models, err := tx.Q.ModelsBySKUs(ctx, tx, db.ModelsBySKUsParams{TenantID: tx.Scope.TenantID, Skus: skus})
	if err != nil {
		return ImportResult{}, fmt.Errorf("models of the file: %w", err)
	}
	modelIDs := map[string]uuid.UUID{}
	for _, m := range models {
		modelIDs[m.Sku] = m.ID
	}
	for i := range rows {
		r := &rows[i]
		for _, sku := range r.models {
			id, ok := modelIDs[sku]
			if !ok {
				bad(r.no, "models", "no model has SKU "+sku)
				continue
			}
			r.f.ModelIDs = append(r.f.ModelIDs, id)
		}
		for _, no := range r.substitutes {
			id, ok := ids[no]
			if !ok {
				bad(r.no, "substitutes", "no part has number "+no)
				continue
			}
			if no == r.f.PartNo {
				bad(r.no, "substitutes", "cannot name the part itself")
				continue
			}
			r.f.SubstituteIDs = append(r.f.SubstituteIDs, id)
		}
		r.f.ModelIDs, r.f.SubstituteIDs = dedupe(r.f.ModelIDs), dedupe(r.f.SubstituteIDs)
	}
	if len(problems) > 0 {
		return ImportResult{}, &ImportErrors{Rows: problems}
	}
	var batch tenants.MultiInsert
	now, err := tx.Now(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	for _, r := range rows {
		if err := tx.Q.UpsertPart(ctx, &batch, db.UpsertPartParams{TenantID: tx.Scope.TenantID, ID: ids[r.f.PartNo], PartNo: r.f.PartNo,
			NameZh: r.f.NameZh, NameEn: r.f.NameEn, ModelIds: r.f.ModelIDs, Components: r.f.Components, SubstituteIds: r.f.SubstituteIDs,
			SerialTracked: r.f.SerialTracked, Currency: r.f.Currency, UnitCost: r.f.UnitCost, OutletPrice: r.f.OutletPrice,
			ConsumerPrice: r.f.ConsumerPrice, Active: *r.f.Active, ReturnRequired: r.f.ReturnRequired, UpdatedAt: now}); err != nil {
			return ImportResult{}, fmt.Errorf("queue part %s: %w", r.f.PartNo, err)
		}
	}
	if _, err := batch.Send(ctx, tx); err != nil {
		return ImportResult{}, fault.DBError(err, "two rows name one part", "")
	}
	return res, tx.Audit(ctx, "part.import", "part", uuid.Nil, nil, res)
}

func list(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '|' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// yes reads a yes/no cell ("" is no).
func yes(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "no", "n", "false", "否":
		return false, true
	case "1", "yes", "y", "true", "是":
		return true, true
	}
	return false, false
}
