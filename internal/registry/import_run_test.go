package registry_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// An import runs in transactions of its own (a chunk at a time, progress committed between
// them), so these tests cannot live in a rolled-back test transaction: each onboards a
// tenant of its own on the shared database and commits, as the import worker does.

const importHeader = "model_sku,serial,purchase_date,invoice_no,invoice_date,has_warranty_card,seller,buyer_name,buyer_phone," +
	"user_name,user_phone,install_date,remark\n"

// importBundle is a committed tenant with an air conditioner KFR-35GW (serials
// [A-Z0-9]{8,20}) and a phone X1 (IMEI serials) in its catalog.
type importBundle struct {
	ctx    context.Context
	d      *tenants.DB
	tenant uuid.UUID
	ac     catalog.Model
}

func importSetup(t *testing.T) *importBundle {
	t.Helper()
	ctx := context.Background()
	d := testfactory.DB(t)
	b := &importBundle{ctx: ctx, d: d, tenant: testfactory.Tenant(ctx, t, d, nil).ID}
	b.exec(t, func(tx *tenants.Tx) error {
		b.ac = testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{SKU: "KFR-35GW", SerialPattern: "[A-Z0-9]{8,20}", Components: []catalog.Component{}})
		testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{SKU: "X1", IMEI: true, Components: []catalog.Component{}})
		return nil
	})
	return b
}

// exec runs fn in a committed transaction of the bundle's tenant.
func (b *importBundle) exec(t *testing.T, fn func(tx *tenants.Tx) error) {
	t.Helper()
	if err := b.d.Tx(b.ctx, tenants.Scope{TenantID: b.tenant, Actor: tenants.Actor{Kind: "system", Label: "test"}}, fn); err != nil {
		t.Fatal(err)
	}
}

// create stores a file as a queued import (what the upload route does) and reports whether
// it is new.
func (b *importBundle) create(t *testing.T, content []byte, format, name string) (registry.Import, bool) {
	t.Helper()
	var imp registry.Import
	var created bool
	b.exec(t, func(tx *tenants.Tx) (err error) {
		imp, created, err = registry.CreateImport(b.ctx, tx, registry.KindRegistrations, name, format, content, "test")
		return err
	})
	return imp, created
}

// run runs the import in this goroutine, as the worker would, in chunks of chunk rows
// (0: the default).
func (b *importBundle) run(t *testing.T, id uuid.UUID, chunk int, install registry.Installer) {
	t.Helper()
	if err := registry.RunImport(b.ctx, b.d, b.tenant, id, chunk, install); err != nil {
		t.Fatal(err)
	}
}

func (b *importBundle) get(t *testing.T, id uuid.UUID) registry.Import {
	t.Helper()
	var imp registry.Import
	b.exec(t, func(tx *tenants.Tx) (err error) {
		imp, err = registry.GetImport(b.ctx, tx, id)
		return err
	})
	return imp
}

// importNow stores a file and runs its import, returning the finished import.
func (b *importBundle) importNow(t *testing.T, content []byte, format string) registry.Import {
	t.Helper()
	imp, _ := b.create(t, content, format, "sales."+format)
	b.run(t, imp.ID, 0, nil)
	return b.get(t, imp.ID)
}

// count runs a count query in the tenant's scope (row-level security applies), with the
// tenant as $1.
func (b *importBundle) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	b.exec(t, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, query, append([]any{b.tenant}, args...)...).Scan(&n)
	})
	return n
}

// errorPairs lists an import's errors as "row field".
func (b *importBundle) errorPairs(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	var errs []registry.ImportError
	b.exec(t, func(tx *tenants.Tx) (err error) {
		errs, err = registry.ListImportErrors(b.ctx, tx, id, registry.ErrorCursor{}, 1000)
		return err
	})
	out := make([]string, len(errs))
	for i, e := range errs {
		if e.Message == "" {
			t.Fatalf("error without message: %+v", e)
		}
		out[i] = fmt.Sprint(e.Row, " ", e.Field)
	}
	return out
}

func wantCounts(t *testing.T, imp registry.Import, status string, total, created, existing, failed int) {
	t.Helper()
	got := fmt.Sprint(imp.Status, imp.RowsTotal, imp.RowsDone, imp.RowsCreated, imp.RowsExisting, imp.RowsFailed)
	want := fmt.Sprint(status, total, total, created, existing, failed)
	if got != want {
		t.Fatalf("import status/total/done/created/existing/failed = %s, want %s: %+v", got, want, imp)
	}
}

// day is n days before the tenant's today (negative: in the future), as YYYY-MM-DD.
func day(n int) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).AddDate(0, 0, -n).Format(time.DateOnly)
}

// imei returns a valid IMEI (Luhn check digit) numbered n.
func imei(n int) string {
	base := fmt.Sprintf("35693803%06d", n)
	sum := 0
	for i := 0; i < 14; i++ {
		d := int(base[i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + fmt.Sprint((10-sum%10)%10)
}

// Each row is checked on its own: good rows are stored (one buyer for one phone, linked to
// the consumer identity), bad rows are recorded with the column at fault and store nothing,
// a unit seen before counts as existing. Each chunk is one audit entry. Running the import
// again (River delivers at least once) changes nothing; a finished import is not run again.
func TestImportRowsGoodAndBad(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	p1, p2, p3 := testfactory.Phone(), testfactory.Phone(), testfactory.Phone()
	badIMEI := imei(2)[:14] + fmt.Sprint((int(imei(2)[14]-'0')+1)%10)
	rows := []string{
		/* 2 */ "KFR-35GW,SNA0000001," + day(10) + ",INV-1," + day(10) + ",是,国美,王芳," + p1 + ",李雷," + p2 + "," + day(9) + ",note",
		/* 3 */ "KFR-35GW,SNA0000002," + strings.ReplaceAll(day(20), "-", "/") + ",,,true,,王芳," + p1 + ",,,,",
		/* 4 */ "X1," + imei(1) + "," + day(5) + ",,,1,,,,,,,",
		/* 5 */ "X1," + badIMEI + "," + day(5),
		/* 6 */ "KFR-35GW,SNA0000003,2024-13-45",
		/* 7 */ "NOPE-1,SNA0000004," + day(5),
		/* 8 */ "KFR-35GW,SNA0000005," + day(-3),
		/* 9 */ "KFR-35GW,," + day(5),
		/* 10 */ "KFR-35GW,SNA0000001," + day(5),
		/* 11 */ "KFR-35GW,SNA0000006," + day(5) + ",,,maybe",
		/* 12 */ "KFR-35GW,SNA0000007," + day(5) + ",,,,,张三,12345",
		/* 13 */ "",
		/* 14 */ "KFR-35GW,SNA0000008," + day(5) + ",,,,,,,,," + day(6),
		/* 15 */ "KFR-35GW,SNA0000009," + day(5) + ",,,,,," + p3,
		/* 16 */ "KFR-35GW,sn-lower," + day(5),
	}
	imp, created := b.create(t, []byte(importHeader+strings.Join(rows, "\n")+"\n"), registry.FormatCSV, "sales.csv")
	if !created || imp.Status != "queued" || imp.Format != registry.FormatCSV {
		t.Fatalf("stored import: created %v %+v", created, imp)
	}
	b.run(t, imp.ID, 4, nil) // small chunks: several transactions, progress in between
	imp = b.get(t, imp.ID)
	wantCounts(t, imp, "done", 14, 3, 1, 10)
	if imp.FinishedAt == nil || imp.Error != "" {
		t.Fatalf("finished import: %+v", imp)
	}
	wantErrs := []string{"5 serial", "6 purchase_date", "7 model_sku", "8 purchase_date", "9 serial", "11 has_warranty_card",
		"12 buyer_phone", "14 install_date", "15 buyer_name", "16 serial"}
	if got := b.errorPairs(t, imp.ID); strings.Join(got, ",") != strings.Join(wantErrs, ",") {
		t.Fatalf("errors %v, want %v", got, wantErrs)
	}

	// Stored rows: channel import, linked to the import; one buyer for rows 2 and 3, linked
	// to the consumer identity of the phone; the user is a second customer.
	if n := b.count(t, `SELECT count(*) FROM registrations WHERE tenant_id = $1 AND channel = 'import' AND import_id = $2`, imp.ID); n != 3 {
		t.Fatalf("%d imported registrations, want 3", n)
	}
	if n := b.count(t, `SELECT count(DISTINCT buyer_id) FROM registrations WHERE tenant_id = $1 AND serial IN ('SNA0000001', 'SNA0000002')`); n != 1 {
		t.Fatalf("rows 2 and 3 have %d buyers, want 1", n)
	}
	if n := b.count(t, `SELECT count(*) FROM customers c JOIN consumers k ON k.id = c.consumer_id AND k.phone = c.phone
		WHERE c.tenant_id = $1 AND c.phone IN ($2, $3) AND c.name IN ('王芳', '李雷')`, p1, p2); n != 2 {
		t.Fatalf("%d linked customers for buyer and user, want 2", n)
	}
	if n := b.count(t, `SELECT count(*) FROM registrations r JOIN customers u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
		WHERE r.tenant_id = $1 AND r.serial = 'SNA0000001' AND u.name = '李雷' AND r.has_warranty_card AND r.seller = '国美'
		AND r.install_date IS NOT NULL AND r.invoice_no = 'INV-1'`); n != 1 {
		t.Fatal("row 2 not stored with all its fields")
	}
	if n := b.count(t, `SELECT count(*) FROM customers WHERE tenant_id = $1 AND phone = $2`, p3); n != 0 {
		t.Fatal("a customer was created for a rejected row")
	}
	// One audit entry per chunk (14 rows in chunks of 4), none per row.
	if n := b.count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'registration.import' AND entity_id = $2`, imp.ID); n != 4 {
		t.Fatalf("%d audit entries, want 4", n)
	}
	if n := b.count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action IN ('registration.create', 'customer.create')`); n != 0 {
		t.Fatalf("%d per-row audit entries", n)
	}

	// Re-running the import changes nothing.
	stored := func() string {
		return fmt.Sprint(b.count(t, `SELECT count(*) FROM registrations WHERE tenant_id = $1`),
			b.count(t, `SELECT count(*) FROM customers WHERE tenant_id = $1`), b.count(t, `SELECT count(*) FROM import_errors WHERE tenant_id = $1`))
	}
	before := stored()
	b.exec(t, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE imports SET status = 'running' WHERE id = $1`, imp.ID)
		return err
	})
	b.run(t, imp.ID, 0, nil)
	wantCounts(t, b.get(t, imp.ID), "done", 14, 3, 1, 10)
	if after := stored(); before != after {
		t.Fatalf("re-run changed registrations/customers/errors from %s to %s", before, after)
	}
	// A finished import is not run again.
	b.run(t, imp.ID, 0, nil)
	wantCounts(t, b.get(t, imp.ID), "done", 14, 3, 1, 10)
}

// TestImportChunksSharingBuyersAndUnits imports one row per chunk, so that chunks are stored
// concurrently: chunks that share a buyer's phone or a unit must still see what the earlier
// ones stored, as if stored one after the other.
func TestImportChunksSharingBuyersAndUnits(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	p1, p2, p3 := testfactory.Phone(), testfactory.Phone(), testfactory.Phone()
	row := func(serial, buyer, phone, userPhone string) string {
		return "KFR-35GW," + serial + "," + day(3) + ",,,,," + buyer + "," + phone + ",," + userPhone + ",,"
	}
	rows := []string{
		/* 2 */ row("SNH0000001", "", p1, ""), // p1 without a name: row 4 names it, in a later chunk
		/* 3 */ row("SNH0000002", "王芳", p2, ""),
		/* 4 */ row("SNH0000003", "李雷", p1, ""),
		/* 5 */ row("SNH0000002", "王芳", p2, ""), // row 3's unit again
		/* 6 */ row("SNH0000004", "韩梅梅", p3, ""),
		/* 7 */ row("SNH0000005", "", p2, ""), // p2's customer from row 3
		/* 8 */ row("SNH0000006", "韩梅梅", p3, p1), // the user: row 4's customer
		/* 9 */ row("SNH0000004", "", "", ""), // row 6's unit again
	}
	imp, _ := b.create(t, []byte(importHeader+strings.Join(rows, "\n")+"\n"), registry.FormatCSV, "chunks.csv")
	b.run(t, imp.ID, 1, nil)
	// Row 2 is rejected (a new phone needs a name in its own chunk's rows) and stores nothing.
	wantCounts(t, b.get(t, imp.ID), "done", 8, 5, 2, 1)
	if got := b.errorPairs(t, imp.ID); len(got) != 1 || got[0] != "2 buyer_name" {
		t.Fatalf("errors %v", got)
	}
	if n := b.count(t, `SELECT count(*) FROM customers WHERE tenant_id = $1 AND phone IN ($2, $3, $4)`, p1, p2, p3); n != 3 {
		t.Fatalf("%d customers for 3 phones, want 3", n)
	}
	if n := b.count(t, `SELECT count(DISTINCT buyer_id) FROM registrations WHERE tenant_id = $1 AND serial IN ('SNH0000002', 'SNH0000005')`); n != 1 {
		t.Fatalf("rows 3 and 7 have %d buyers, want 1", n)
	}
	if n := b.count(t, `SELECT count(*) FROM registrations r JOIN customers u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
		WHERE r.tenant_id = $1 AND r.serial = 'SNH0000006' AND u.name = '李雷'`); n != 1 {
		t.Fatal("row 8's user is not row 4's buyer")
	}
	if n := b.count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'registration.import' AND entity_id = $2`, imp.ID); n != 8 {
		t.Fatalf("%d audit entries, want one per chunk (8)", n)
	}
}

// Files from Chinese systems: Chinese headers in GB18030, and XLSX workbooks with date
// cells, numeric IMEIs and blank rows.
func TestImportChineseHeadersAndXLSX(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	text := "型号,串号,购买日期,发票号,保修卡,销售商,购买人,购买人电话,备注\n" +
		"KFR-35GW,SNC0000001," + day(3) + ",发票-1,是,苏宁,韩梅梅," + testfactory.Phone() + ",送货上门\n" +
		"X1," + imei(10) + "," + strings.ReplaceAll(day(4), "-", "/") + ",,否,,,,\n" +
		"X1,12345," + day(4) + ",,,,,,\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, b.importNow(t, []byte(gb), registry.FormatCSV), "done", 3, 2, 0, 1)
	if n := b.count(t, `SELECT count(*) FROM registrations WHERE tenant_id = $1 AND seller = '苏宁' AND invoice_no = '发票-1' AND has_warranty_card`); n != 1 {
		t.Fatal("Chinese row not stored with its fields")
	}

	x := excelize.NewFile()
	sheet := x.GetSheetName(0)
	dateStyle, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	purchase, _ := time.Parse(time.DateOnly, day(30))
	num, err := strconv.ParseInt(imei(11), 10, 64)
	must(err)
	must(x.SetSheetRow(sheet, "A1", &[]any{"Model_SKU", "IMEI", "Purchase_Date", "Buyer_Name", "Buyer_Phone", "安装日期"}))
	must(x.SetSheetRow(sheet, "A2", &[]any{"X1", num, purchase, "李雷", testfactory.Phone()}))
	must(x.SetSheetRow(sheet, "A3", &[]any{"KFR-35GW", "SNX0000001", day(2), "", "", day(1)}))
	must(x.SetSheetRow(sheet, "A5", &[]any{"KFR-35GW", "SNX0000002", "not a date"}))
	must(x.SetCellStyle(sheet, "C2", "C2", dateStyle))
	var buf bytes.Buffer
	must(x.Write(&buf))
	imp := b.importNow(t, buf.Bytes(), registry.FormatXLSX)
	wantCounts(t, imp, "done", 3, 2, 0, 1)
	if got := b.errorPairs(t, imp.ID); len(got) != 1 || got[0] != "5 purchase_date" {
		t.Fatalf("xlsx errors %v", got)
	}
	if n := b.count(t, `SELECT count(*) FROM registrations WHERE tenant_id = $1 AND serial = $2 AND purchase_date = $3 AND buyer_id IS NOT NULL`,
		imei(11), day(30)); n != 1 {
		t.Fatal("xlsx date cell or numeric IMEI not imported")
	}
}

// The same file again is the same import (nothing stored twice); an overlapping file stores
// only its new units.
func TestImportSameAndOverlappingFiles(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	fileA := []byte(importHeader + "KFR-35GW,SND0000001," + day(5) + "\nKFR-35GW,SND0000002," + day(5) + "\nX1," + imei(20) + "," + day(5) + "\n")
	a := b.importNow(t, fileA, registry.FormatCSV)
	wantCounts(t, a, "done", 3, 3, 0, 0)
	again, created := b.create(t, fileA, registry.FormatCSV, "renamed.csv")
	if created || again.ID != a.ID || again.Filename != "sales.csv" || again.Status != "done" {
		t.Fatalf("the same file again: created %v %+v", created, again)
	}
	if n := b.count(t, `SELECT count(*) FROM imports WHERE tenant_id = $1`); n != 1 {
		t.Fatalf("%d imports after the same file again, want 1", n)
	}
	fileB := []byte(importHeader + "KFR-35GW,SND0000002," + day(5) + "\nX1," + imei(20) + "," + day(5) + "\nKFR-35GW,SND0000003," + day(5) +
		"\nX1," + imei(21) + "," + day(6) + "\n")
	bImp := b.importNow(t, fileB, registry.FormatCSV)
	wantCounts(t, bImp, "done", 4, 2, 2, 0)
	if bImp.ID == a.ID {
		t.Fatal("a different file got the same import")
	}
	if n := b.count(t, `SELECT count(*) FROM registrations WHERE tenant_id = $1`); n != 5 {
		t.Fatalf("%d registrations, want 5", n)
	}
}

// A problem with the file as a whole fails the import with a clear error; a header alone is
// a finished import of nothing.
func TestImportFileProblems(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	imp := b.importNow(t, []byte("型号,序列号,remark\nKFR-35GW,SNE0000001,x\n"), registry.FormatCSV)
	if imp.Status != "failed" || !strings.Contains(imp.Error, "purchase_date (购买日期)") {
		t.Fatalf("missing column: %+v", imp)
	}
	wantCounts(t, b.importNow(t, []byte("model_sku,serial,purchase_date\n"), registry.FormatCSV), "done", 0, 0, 0, 0)
	imp = b.importNow(t, []byte("PK\x03\x04broken"), registry.FormatXLSX)
	if imp.Status != "failed" || !strings.Contains(imp.Error, "XLSX") {
		t.Fatalf("broken workbook: %+v", imp)
	}
}

// The errors report is safe to open in a spreadsheet: a cell that a spreadsheet would run
// as a formula is quoted, whatever field or message it comes from.
func TestImportErrorsCSVEscapesFormulas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	imp, _, err := registry.CreateImport(ctx, tx, registry.KindRegistrations, "x.csv", registry.FormatCSV, []byte("model_sku,serial,purchase_date\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range [][2]string{{"=HYPERLINK(\"http://evil.test\")", "=cmd"}, {"+1", "@SUM(A1)"}, {"-2", "plain, with comma"}} {
		if _, err := tx.Exec(ctx, `INSERT INTO import_errors (tenant_id, import_id, row_no, field, message) VALUES ($1, $2, $3, $4, $5)`,
			tx.Scope.TenantID, imp.ID, 100+i, e[0], e[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := registry.ImportErrorsCSV(ctx, tx, imp.ID, &buf); err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(lines) != 4 || strings.Join(lines[0], ",") != "row,field,message" {
		t.Fatalf("report: %v %q", err, buf.String())
	}
	want := [][]string{{"100", `'=HYPERLINK("http://evil.test")`, "'=cmd"}, {"101", "'+1", "'@SUM(A1)"}, {"102", "'-2", "plain, with comma"}}
	for i, w := range want {
		if strings.Join(lines[i+1], "|") != strings.Join(w, "|") {
			t.Fatalf("line %d: %q, want %q", i+1, lines[i+1], w)
		}
	}
}

// An imported shipment marked needs_installation gets its installation order (through the
// service orders' Installer); importing the file again creates none twice.
func TestImportedShipmentsGetInstallationOrders(t *testing.T) {
	t.Parallel()
	b := importSetup(t)
	b.exec(t, func(tx *tenants.Tx) error {
		testfactory.Model(b.ctx, t, tx, &testfactory.ModelOpts{SKU: "SHIP-1", NeedsInstall: true})
		return nil
	})
	phone := testfactory.Phone()
	file := "model_sku,serial,purchase_date,buyer_name,buyer_phone,needs_installation\n" +
		"SHIP-1,F1SHIP," + day(0) + ",Buyer," + phone[3:] + ",是\n" +
		"SHIP-1,F2SHIP," + day(0) + ",Buyer," + phone[3:] + ",否\n"
	imp, _ := b.create(t, []byte(file), registry.FormatCSV, "ship.csv")
	installs := func() int {
		return b.count(t, `SELECT count(*) FROM service_orders o JOIN registrations r ON r.tenant_id = o.tenant_id AND r.id = o.registration_id
			WHERE o.tenant_id = $1 AND o.type_code = 'installation' AND o.flow = 'on_site' AND o.status = 'created' AND r.serial = 'F1SHIP'`)
	}
	b.run(t, imp.ID, 0, orders.Hooks{PublicURL: "http://portal.test"})
	wantCounts(t, b.get(t, imp.ID), "done", 2, 2, 0, 0)
	if n := installs(); n != 1 {
		t.Fatalf("installation orders after the import: %d, want 1", n)
	}
	if n := b.count(t, `SELECT count(*) FROM service_orders WHERE tenant_id = $1`); n != 1 {
		t.Fatalf("%d orders, want only the marked unit's", n)
	}
	b.exec(t, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE imports SET status = 'running' WHERE id = $1`, imp.ID)
		return err
	})
	b.run(t, imp.ID, 0, orders.Hooks{})
	if n := installs(); n != 1 {
		t.Fatalf("installation orders after importing again: %d", n)
	}
}
