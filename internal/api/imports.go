package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// Media types of import files.
const (
	mediaCSV  = "text/csv"
	mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// maxImportBytes bounds an uploaded import file; maxBatchBytes a batch of 1000 units.
const (
	maxImportBytes = 64 << 20
	maxBatchBytes  = 4 << 20
)

// ImportLinks are where to follow an import.
type ImportLinks struct {
	Self      string `json:"self" doc:"Poll for progress"`
	Errors    string `json:"errors" doc:"Rejected rows, as JSON pages"`
	ErrorsCSV string `json:"errors_csv" doc:"Rejected rows, as a CSV report to download"`
}

// ImportBody is an import with its links.
type ImportBody struct {
	registry.Import
	Links ImportLinks `json:"links"`
}

func importBody(imp registry.Import) ImportBody {
	self := "/v1/imports/" + imp.ID.String()
	return ImportBody{Import: imp, Links: ImportLinks{Self: self, Errors: self + "/errors", ErrorsCSV: self + "/errors.csv"}}
}

// ImportOutput is one import.
type ImportOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     ImportBody
}

// BatchParty is the buyer or user of a batch item.
type BatchParty struct {
	CustomerID string `json:"customer_id,omitempty" doc:"An existing customer"`
	Name       string `json:"name,omitempty" doc:"Name of a new customer (when no customer has the phone)"`
	Phone      string `json:"phone,omitempty" doc:"A customer with this phone is reused"`
}

func (p *BatchParty) party() *registry.Party {
	if p == nil {
		return nil
	}
	return &registry.Party{CustomerID: p.CustomerID, Name: p.Name, Phone: p.Phone}
}

// BatchItem is one sold unit of a batch: the fields of a registration. Values are checked
// per item, so that a bad item is reported in its result instead of failing the batch.
type BatchItem struct {
	ModelID         string      `json:"model_id,omitempty" doc:"Model id, or give model_sku"`
	ModelSKU        string      `json:"model_sku,omitempty"`
	Serial          string      `json:"serial,omitempty" doc:"Serial number or IMEI; required"`
	PurchaseDate    string      `json:"purchase_date,omitempty" doc:"YYYY-MM-DD; required"`
	InvoiceNo       string      `json:"invoice_no,omitempty"`
	InvoiceDate     string      `json:"invoice_date,omitempty" doc:"YYYY-MM-DD"`
	InvoiceImage    string      `json:"invoice_image,omitempty" doc:"URL or storage key of the invoice image"`
	HasWarrantyCard bool        `json:"has_warranty_card,omitempty"`
	Seller          string      `json:"seller,omitempty"`
	Buyer           *BatchParty `json:"buyer,omitempty"`
	User            *BatchParty `json:"user,omitempty"`
	InstallDate     string      `json:"install_date,omitempty" doc:"YYYY-MM-DD"`
	// NeedsInstallation asks for an installation order for a unit of a model that needs one.
	NeedsInstallation bool `json:"needs_installation,omitempty"`
}

func (b BatchItem) input() registry.Input {
	return registry.Input{ModelID: b.ModelID, ModelSKU: b.ModelSKU, Serial: b.Serial, PurchaseDate: b.PurchaseDate,
		InvoiceNo: b.InvoiceNo, InvoiceDate: b.InvoiceDate, InvoiceImage: b.InvoiceImage, HasWarrantyCard: b.HasWarrantyCard,
		Seller: b.Seller, Buyer: b.Buyer.party(), User: b.User.party(), InstallDate: b.InstallDate,
		NeedsInstallation: b.NeedsInstallation}
}

// BatchResult is what became of one item, in the order of the request.
type BatchResult struct {
	Index          int                `json:"index" doc:"Position of the item in the request, from 0"`
	Status         unitOutcome        `json:"status"`
	RegistrationID *uuid.UUID         `json:"registration_id,omitempty" doc:"The registration created or found"`
	Errors         []registry.Problem `json:"errors,omitempty" doc:"Why the item was rejected"`
}

// BatchOutput is a batch's results.
type BatchOutput struct {
	Body struct {
		Items    []BatchResult `json:"items"`
		Created  int           `json:"created"`
		Existing int           `json:"existing"`
		Invalid  int           `json:"invalid"`
	}
}

// ErrorsPageQuery pages through an import's errors.
type ErrorsPageQuery struct {
	Cursor string `query:"cursor" maxLength:"400" doc:"Opaque cursor: next_cursor of the previous page"`
	Limit  int32  `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Page size"`
}

// importUploadDescription explains the file formats of create-registration-import.
const importUploadDescription = "The request body is the file: CSV (UTF-8 or GB18030) or an XLSX workbook (its first sheet). " +
	"The first row names the columns, in English or Chinese: model_sku (型号), serial (序列号, 串号, IMEI), " +
	"purchase_date (购买日期) are required; invoice_no (发票号), invoice_date (发票日期), has_warranty_card " +
	"(保修卡: true/false, 1/0, 是/否), seller (销售商), buyer_name (购买人), buyer_phone (购买人电话), user_name " +
	"(使用人), user_phone (使用人电话), install_date (安装日期) are optional; other columns are ignored. Dates are " +
	"YYYY-MM-DD or YYYY/MM/DD (or date cells in XLSX).\n\n" +
	"The file is imported in the background: poll the import for progress and download the rejected rows " +
	"from errors.csv. A bad row never stops the others, and units already registered are counted as existing. " +
	"Uploading a file this tenant already imported changes nothing: the response is 200 with that import " +
	"instead of 201 with a new one."

// registerImportRoutes adds the bulk-import operations (registrations from CSV and XLSX) and
// the batch endpoint for ERP pushes.
func registerImportRoutes(api huma.API, s *Server) {
	tags := []string{"Registrations"}
	importSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(ImportBody{}), true, "")
	register(api, s, huma.Operation{OperationID: "create-registration-import", Method: http.MethodPost, Path: "/imports/registrations",
		Tags: tags, Summary: "Import sales as registrations from a CSV or XLSX file", Description: importUploadDescription,
		DefaultStatus: http.StatusCreated, MaxBodyBytes: maxImportBytes, Errors: []int{413, 415, 422},
		RequestBody: &huma.RequestBody{Description: "The file (at most 64 MiB)", Content: map[string]*huma.MediaType{
			mediaXLSX: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
		Responses: map[string]*huma.Response{"200": {Description: "The same file was imported before: that import, unchanged",
			Content: map[string]*huma.MediaType{"application/json": {Schema: importSchema}}}}},
		route{perm: access.ImportsManage, idem: true}, s.createRegistrationImport)
	register(api, s, huma.Operation{OperationID: "list-imports", Method: http.MethodGet, Path: "/imports", Tags: tags,
		Summary: "List imports, newest first"},
		route{perm: access.RegistrationsRead}, s.listImports)
	register(api, s, huma.Operation{OperationID: "get-import", Method: http.MethodGet, Path: "/imports/{id}", Tags: tags,
		Summary: "Get an import and its progress", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.getImport)
	register(api, s, huma.Operation{OperationID: "list-import-errors", Method: http.MethodGet, Path: "/imports/{id}/errors", Tags: tags,
		Summary: "List an import's rejected rows", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.listImportErrors)
	register(api, s, huma.Operation{OperationID: "download-import-errors", Method: http.MethodGet, Path: "/imports/{id}/errors.csv",
		Tags: tags, Summary: "Download an import's rejected rows as CSV",
		Description: "Columns: row (as numbered in the file, the header being row 1), field, message. Cells that a " +
			"spreadsheet would run as a formula are prefixed with a single quote.",
		Errors: []int{404}, Responses: map[string]*huma.Response{"200": {Description: "The CSV report",
			Content: map[string]*huma.MediaType{mediaCSV: {Schema: &huma.Schema{Type: "string"}}}}}},
		route{perm: access.RegistrationsRead}, s.downloadImportErrors)
	register(api, s, huma.Operation{OperationID: "batch-create-registrations", Method: http.MethodPost, Path: "/registrations/batch",
		Tags: tags, Summary: "Register up to 1000 sold units at once (ERP push)",
		Description: "Each item is checked and stored on its own: the results list, in request order, which items " +
			"created a registration, which were registered before (pushing the same batch again creates nothing), " +
			"and which were rejected and why. A unit repeated within the batch is stored once.",
		MaxBodyBytes: maxBatchBytes, Errors: []int{413, 422}},
		route{perm: access.ImportsManage, idem: true}, s.batchCreateRegistrations)
}

type uploadIn struct {
	Filename    string `query:"filename" maxLength:"255" doc:"Name of the file, shown in the list of imports"`
	ContentType string `header:"Content-Type" doc:"text/csv or the XLSX media type"`
	RawBody     []byte `contentType:"text/csv"`
}

func (s *Server) createRegistrationImport(ctx context.Context, in *uploadIn) (*ImportOutput, error) {
	return s.createImport(ctx, registry.KindRegistrations, in)
}

// createImport stores an uploaded file as an import of kind and queues its job in the same
// transaction.
func (s *Server) createImport(ctx context.Context, kind string, in *uploadIn) (*ImportOutput, error) {
	format, err := importFormat(in.ContentType, in.RawBody)
	if err != nil {
		return nil, err
	}
	var imp registry.Import
	var created bool
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		imp, created, err = registry.CreateImport(ctx, tx, kind, in.Filename, format, in.RawBody, principal(ctx).Label)
		if err != nil || !created {
			return err
		}
		_, err = tx.Insert(ctx, s.Jobs, registry.ImportArgs{TenantID: tx.Scope.TenantID, ImportID: imp.ID}, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &ImportOutput{Status: http.StatusOK, Body: importBody(imp)}
	out.Location = out.Body.Links.Self
	if created {
		out.Status = http.StatusCreated
	}
	return out, nil
}

func (s *Server) listImports(ctx context.Context, in *PageQuery) (*PageOutput[ImportBody], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]registry.Import, error) {
		return registry.ListImports(ctx, tx, before, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	items := make([]ImportBody, len(rows))
	for i, r := range rows {
		items[i] = importBody(r)
	}
	return pageOf(items, in.limit(), func(b ImportBody) uuid.UUID { return b.ID }), nil
}

func (s *Server) getImport(ctx context.Context, in *IDPath) (*ImportOutput, error) {
	imp, err := within(ctx, s, func(tx *tenants.Tx) (registry.Import, error) { return registry.GetImport(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ImportOutput{Status: http.StatusOK, Body: importBody(imp)}, nil
}

type errorsIn struct {
	IDPath
	ErrorsPageQuery
}

func (s *Server) listImportErrors(ctx context.Context, in *errorsIn) (*PageOutput[registry.ImportError], error) {
	after, err := registry.DecodeErrorCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]registry.ImportError, error) {
		return registry.ListImportErrors(ctx, tx, in.id(), after, limit+1)
	})
	if err != nil {
		return nil, err
	}
	out := &PageOutput[registry.ImportError]{Body: Page[registry.ImportError]{Items: rows}}
	if out.Body.Items == nil {
		out.Body.Items = []registry.ImportError{}
	}
	if int32(len(rows)) > limit {
		out.Body.Items = rows[:limit]
		last := rows[limit-1]
		out.Body.NextCursor = registry.ErrorCursor{Row: last.Row, Field: last.Field}.Encode()
	}
	return out, nil
}

type csvOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) downloadImportErrors(ctx context.Context, in *IDPath) (*csvOut, error) {
	var buf bytes.Buffer
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		buf.Reset()
		return registry.ImportErrorsCSV(ctx, tx, in.id(), &buf)
	})
	if err != nil {
		return nil, err
	}
	return &csvOut{ContentType: mediaCSV + "; charset=utf-8", Body: buf.Bytes(),
		ContentDisposition: `attachment; filename="import-` + in.ID + `-errors.csv"`}, nil
}

type batchIn struct {
	Body struct {
		Items []BatchItem `json:"items" minItems:"1" maxItems:"1000"`
	}
}

func (s *Server) batchCreateRegistrations(ctx context.Context, in *batchIn) (*BatchOutput, error) {
	out := &BatchOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		res, err := storeBatch(ctx, tx, in.Body.Items, s.Orders)
		out.Body.Items = res
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range out.Body.Items {
		switch r.Status {
		case registry.StatusCreated:
			out.Body.Created++
		case registry.StatusExisting:
			out.Body.Existing++
		default:
			out.Body.Invalid++
		}
	}
	return out, nil
}

// storeBatch validates and stores a batch's items through the bulk path, and audits the
// batch as one entry.
func storeBatch(ctx context.Context, tx *tenants.Tx, items []BatchItem, install registry.Installer) ([]BatchResult, error) {
	v, err := registry.NewValidator(ctx, tx)
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(items))
	var units []registry.Checked
	var at []int
	for i, it := range items {
		results[i].Index = i
		c, ps := v.Check(it.input())
		if len(ps) > 0 {
			results[i].Status, results[i].Errors = registry.StatusInvalid, ps
			continue
		}
		units, at = append(units, c), append(at, i)
	}
	outs, stats, err := registry.StoreBulk(ctx, tx, units, registry.ChannelAPI, uuid.NullUUID{})
	if err != nil {
		return nil, err
	}
	if err := registry.InstallNew(ctx, tx, install, units, outs); err != nil {
		return nil, err
	}
	created := []uuid.UUID{}
	for n, o := range outs {
		r := &results[at[n]]
		r.Status, r.Errors = unitOutcome(o.Status), o.Problems
		if o.ID != uuid.Nil {
			id := o.ID
			r.RegistrationID = &id
		}
		if o.Status == registry.StatusCreated {
			created = append(created, o.ID)
		}
	}
	return results, tx.Audit(ctx, "registration.batch", "registration", uuid.Nil, nil, map[string]any{"items": len(items),
		"created": stats.Created, "existing": stats.Existing, "invalid": len(items) - stats.Created - stats.Existing,
		"customers_created": stats.CustomersCreated, "created_ids": created})
}

// importFormat tells the file's format from its media type and, where browsers are vague
// (CSV uploaded as application/vnd.ms-excel or octet-stream), from its first bytes.
func importFormat(contentType string, body []byte) (string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil && contentType != "" {
		return "", huma.NewError(http.StatusUnsupportedMediaType, "send the file as text/csv or "+mediaXLSX)
	}
	workbook := bytes.HasPrefix(body, []byte("PK\x03\x04"))
	switch strings.ToLower(mt) {
	case mediaCSV, "application/csv", mediaXLSX, "application/vnd.ms-excel", "application/octet-stream", "":
	default:
		return "", huma.NewError(http.StatusUnsupportedMediaType, "send the file as text/csv or "+mediaXLSX)
	}
	switch {
	case len(body) == 0:
		return "", huma.Error422UnprocessableEntity("the file is empty", &huma.ErrorDetail{Location: "body", Message: "is empty"})
	case workbook:
		return registry.FormatXLSX, nil
	case bytes.HasPrefix(body, []byte("\xd0\xcf\x11\xe0")):
		return "", huma.Error422UnprocessableEntity("old .xls workbooks are not supported: save the sheet as .xlsx or CSV",
			&huma.ErrorDetail{Location: "body", Message: "is an .xls workbook"})
	case strings.EqualFold(mt, mediaXLSX):
		return "", huma.Error422UnprocessableEntity("the file is not an XLSX workbook",
			&huma.ErrorDetail{Location: "body", Message: "is not an XLSX workbook"})
	}
	return registry.FormatCSV, nil
}
