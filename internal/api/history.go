package api

// Service history: a unit's past repairs, exchanges and refunds brought from another system,
// by file (an import) or by batch, and read per unit.

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// historyUploadDescription explains the file formats of create-service-history-import.
const historyUploadDescription = "A brand moving onto the product brings its units' past with it: repairs (fault, result, " +
	"the days the unit was handed over and returned), exchanges and refunds. Warranty decisions then count them as " +
	"they count the product's own orders (failed repairs, days in repair, the last exchange, a refund).\n\n" +
	"The request body is the file: CSV (UTF-8 or GB18030) or an XLSX workbook (its first sheet). The first row names " +
	"the columns, in English or Chinese: reference (单号, 工单号: the other system's number of the service; a unit's " +
	"records are keyed by it), serial (序列号, 串号, IMEI) with model_sku (型号) when serials repeat across models, or " +
	"registration_id; result (结果: fixed/已修好, not_fixed/未修好, exchange/换货, refund/退货) and date_out (取机日期: " +
	"the day the unit was returned, exchanged or refunded) are required; date_in (送修日期: the day it was handed over; " +
	"required for repairs) and fault_code (故障代码) are optional; other columns are ignored. Dates are YYYY-MM-DD or " +
	"YYYY/MM/DD (or date cells in XLSX), neither in the future nor before the unit's purchase. The units must be " +
	"registered first.\n\n" +
	"The file is imported in the background: poll the import for progress and download the rejected rows from " +
	"errors.csv. A bad row never stops the others, and records brought in before (same unit and reference) are " +
	"counted as existing. Uploading a file this tenant already imported changes nothing: the response is 200 with " +
	"that import instead of 201 with a new one."

// registerServiceHistoryRoutes adds the service history import, its batch endpoint and a
// unit's service history.
func registerServiceHistoryRoutes(api huma.API, s *Server) {
	tags := []string{"Registrations"}
	importSchema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(ImportBody{}), true, "")
	register(api, s, huma.Operation{OperationID: "create-service-history-import", Method: http.MethodPost,
		Path: "/imports/service-history", Tags: tags, Summary: "Import units' past repairs, exchanges and refunds from a CSV or XLSX file",
		Description: historyUploadDescription, DefaultStatus: http.StatusCreated, MaxBodyBytes: maxImportBytes, Errors: []int{413, 415, 422},
		RequestBody: &huma.RequestBody{Description: "The file (at most 64 MiB)", Content: map[string]*huma.MediaType{
			mediaXLSX: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
		Responses: map[string]*huma.Response{"200": {Description: "The same file was imported before: that import, unchanged",
			Content: map[string]*huma.MediaType{"application/json": {Schema: importSchema}}}}},
		route{perm: access.ImportsManage, idem: true}, s.createServiceHistoryImport)
	register(api, s, huma.Operation{OperationID: "batch-create-service-history", Method: http.MethodPost, Path: "/service-history/batch",
		Tags: tags, Summary: "Bring up to 1000 past repairs, exchanges and refunds at once (ERP push)",
		Description: "Each item is checked and stored on its own: the results list, in request order, which items " +
			"created a service record, which were brought in before (same unit and reference: pushing the same batch " +
			"again creates nothing), and which were rejected and why. The fields and their rules are those of the " +
			"file import (create-service-history-import).",
		MaxBodyBytes: maxBatchBytes, Errors: []int{413, 422}},
		route{perm: access.ImportsManage, idem: true}, s.batchCreateServiceHistory)
	register(api, s, huma.Operation{OperationID: "list-registration-service-history", Method: http.MethodGet,
		Path: "/registrations/{id}/service-history", Tags: tags,
		Summary: "A unit's service history brought from another system, oldest first", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.listRegistrationServiceHistory)
}

func (s *Server) createServiceHistoryImport(ctx context.Context, in *uploadIn) (*ImportOutput, error) {
	return s.createImport(ctx, registry.KindServiceHistory, in)
}

// HistoryItem is one past service of a batch. Values are checked per item, so that a bad
// item is reported in its result instead of failing the batch.
type HistoryItem struct {
	RegistrationID string `json:"registration_id,omitempty" doc:"The unit, or give serial (and model_sku when serials repeat across models)"`
	ModelSKU       string `json:"model_sku,omitempty"`
	Serial         string `json:"serial,omitempty"`
	Reference      string `json:"reference,omitempty" doc:"The other system's number of the service; required. A unit's records are keyed by it"`
	FaultCode      string `json:"fault_code,omitempty" doc:"Entered in the fault-code dictionary as an order's would be"`
	Result         string `json:"result,omitempty" doc:"fixed, not_fixed, exchange or refund; required"`
	DateIn         string `json:"date_in,omitempty" doc:"YYYY-MM-DD: the day the unit was handed over; required for repairs"`
	DateOut        string `json:"date_out,omitempty" doc:"YYYY-MM-DD: the day it was returned, exchanged or refunded; required"`
}

func (h HistoryItem) input() registry.HistoryInput {
	return registry.HistoryInput{RegistrationID: h.RegistrationID, ModelSKU: h.ModelSKU, Serial: h.Serial, Reference: h.Reference,
		FaultCode: h.FaultCode, Result: h.Result, DateIn: h.DateIn, DateOut: h.DateOut}
}

// HistoryResult is what became of one item, in the order of the request.
type HistoryResult struct {
	Index    int                `json:"index" doc:"Position of the item in the request, from 0"`
	Status   unitOutcome        `json:"status"`
	RecordID *uuid.UUID         `json:"record_id,omitempty" doc:"The service record created or found"`
	Errors   []registry.Problem `json:"errors,omitempty" doc:"Why the item was rejected"`
}

type historyBatchIn struct {
	Body struct {
		Items []HistoryItem `json:"items" minItems:"1" maxItems:"1000"`
	}
}

type historyBatchOut struct {
	Body struct {
		Items    []HistoryResult `json:"items"`
		Created  int             `json:"created"`
		Existing int             `json:"existing"`
		Invalid  int             `json:"invalid"`
	}
}

func (s *Server) batchCreateServiceHistory(ctx context.Context, in *historyBatchIn) (*historyBatchOut, error) {
	out := &historyBatchOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		ins := make([]registry.HistoryInput, len(in.Body.Items))
		for i, it := range in.Body.Items {
			ins[i] = it.input()
		}
		checked, probs, err := registry.CheckHistory(ctx, tx, ins)
		if err != nil {
			return err
		}
		items := make([]HistoryResult, len(ins))
		var recs []registry.CheckedHistory
		var at []int
		for i := range ins {
			items[i].Index = i
			if len(probs[i]) > 0 {
				items[i].Status, items[i].Errors = registry.StatusInvalid, probs[i]
				continue
			}
			recs, at = append(recs, checked[i]), append(at, i)
		}
		outs, stats, err := registry.StoreHistory(ctx, tx, recs, uuid.NullUUID{})
		if err != nil {
			return err
		}
		for n, o := range outs {
			r := &items[at[n]]
			r.Status = unitOutcome(o.Status)
			if o.ID != uuid.Nil {
				id := o.ID
				r.RecordID = &id
			}
		}
		out.Body.Items, out.Body.Created, out.Body.Existing = items, stats.Created, stats.Existing
		out.Body.Invalid = len(items) - stats.Created - stats.Existing
		return tx.Audit(ctx, "service_history.batch", "service_history", uuid.Nil, nil, map[string]any{"items": len(items),
			"created": stats.Created, "existing": stats.Existing, "invalid": out.Body.Invalid})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type unitHistoryIn struct {
	IDPath
	PageQuery
}

func (s *Server) listRegistrationServiceHistory(ctx context.Context, in *unitHistoryIn) (*PageOutput[registry.HistoryRecord], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]registry.HistoryRecord, error) {
		return registry.ListHistory(ctx, tx, in.id(), after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(h registry.HistoryRecord) uuid.UUID { return h.ID }), nil
}
