package api

// The tenant's money records: the ledger, its CSV export, and reconciliation with Stripe.

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// dateRange is a [from, to) range of days in query parameters.
type dateRange struct {
	From string `query:"from" format:"date" doc:"First day (UTC), default 30 days ago"`
	To   string `query:"to" format:"date" doc:"Day after the last (UTC), default tomorrow"`
}

func (r dateRange) bounds() (time.Time, time.Time) {
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -31)
	if r.From != "" {
		from, _ = time.Parse(time.DateOnly, r.From)
	}
	if r.To != "" {
		to, _ = time.Parse(time.DateOnly, r.To)
	}
	return from, to
}

// registerLedgerRoutes adds the ledger and reconciliations.
func registerLedgerRoutes(api huma.API, s *Server) {
	mtags := []string{"Billing"}
	register(api, s, huma.Operation{OperationID: "list-ledger", Method: http.MethodGet, Path: "/billing/ledger", Tags: mtags,
		Summary: "Money movements: payments, refunds, compensation, credits, disputes, platform fees (signed minor units)"},
		route{perm: access.LedgerRead}, s.listLedger)
	register(api, s, huma.Operation{OperationID: "export-ledger", Method: http.MethodGet, Path: "/billing/ledger.csv", Tags: mtags,
		Summary: "Export the ledger as CSV (finance)"},
		route{perm: access.LedgerRead}, s.exportLedger)
	register(api, s, huma.Operation{OperationID: "create-reconciliation", Method: http.MethodPost, Path: "/billing/reconciliations", Tags: mtags,
		Summary: "Check the ledger against Stripe balance transactions", DefaultStatus: 201, Errors: []int{422, 502, 503}},
		route{perm: access.LedgerReconcile, idem: true}, s.createReconciliation)
	register(api, s, huma.Operation{OperationID: "list-reconciliations", Method: http.MethodGet, Path: "/billing/reconciliations", Tags: mtags,
		Summary: "Latest reconciliation results"},
		route{perm: access.LedgerRead}, s.listReconciliations)
	register(api, s, huma.Operation{OperationID: "get-reconciliation", Method: http.MethodGet, Path: "/billing/reconciliations/{id}", Tags: mtags,
		Summary: "A reconciliation result with its mismatches and what was resolved", Errors: []int{404}},
		route{perm: access.LedgerRead}, s.getReconciliation)
	register(api, s, huma.Operation{OperationID: "resolve-reconciliation-mismatch", Method: http.MethodPost,
		Path: "/billing/reconciliations/{id}/resolutions", Tags: mtags,
		Summary: "Resolve a mismatch the run reported: corrected, explained or written off, with a note (once per ledger entry)",
		Errors:  []int{404, 409, 422}},
		route{perm: access.LedgerReconcile, idem: true}, s.resolveMismatch)
}

type ledgerIn struct {
	PageQuery
	dateRange
}

func (s *Server) listLedger(ctx context.Context, in *ledgerIn) (*PageOutput[billing.LedgerEntry], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	from, to := in.bounds()
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.LedgerEntry, error) {
		return billing.ListLedger(ctx, tx, from, to, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(e billing.LedgerEntry) uuid.UUID { return e.ID }), nil
}

type ledgerCSVIn struct{ dateRange }

type ledgerCSVOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) exportLedger(ctx context.Context, in *ledgerCSVIn) (*ledgerCSVOut, error) {
	from, to := in.bounds()
	var buf bytes.Buffer
	if err := s.tx(ctx, func(tx *tenants.Tx) error { return billing.WriteLedgerCSV(ctx, tx, from, to, &buf) }); err != nil {
		return nil, err
	}
	return &ledgerCSVOut{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes(),
		ContentDisposition: `attachment; filename="ledger-` + from.Format(time.DateOnly) + `.csv"`}, nil
}

type reconcileIn struct {
	Body struct {
		From string `json:"from" format:"date"`
		To   string `json:"to" format:"date" doc:"Day after the last"`
	}
}

type reconcileOut struct{ Body billing.Reconciliation }

func (s *Server) createReconciliation(ctx context.Context, in *reconcileIn) (*reconcileOut, error) {
	from, _ := time.Parse(time.DateOnly, in.Body.From)
	to, _ := time.Parse(time.DateOnly, in.Body.To)
	if !to.After(from) {
		return nil, fault.Invalid("body.to", "must be after from")
	}
	r, err := s.Billing.Reconcile(ctx, principal(ctx).Scope(actorMeta(ctx)), from, to)
	if err != nil {
		return nil, err
	}
	return &reconcileOut{Body: r}, nil
}

type reconciliationsOut struct {
	Body struct {
		Items []billing.Reconciliation `json:"items"`
	}
}

func (s *Server) listReconciliations(ctx context.Context, _ *struct{}) (*reconciliationsOut, error) {
	out := &reconciliationsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = billing.ListReconciliations(ctx, tx, 50)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) getReconciliation(ctx context.Context, in *IDPath) (*reconcileOut, error) {
	out, err := within(ctx, s, func(tx *tenants.Tx) (billing.Reconciliation, error) {
		return billing.GetReconciliation(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &reconcileOut{Body: out}, nil
}

type resolveMismatchIn struct {
	IDPath
	Body struct {
		LedgerID string            `json:"ledger_id" format:"uuid" doc:"The ledger entry the run reported"`
		Outcome  resolutionOutcome `json:"outcome"`
		Note     string            `json:"note" minLength:"1" maxLength:"1000" doc:"What was done, or why nothing needs to be"`
	}
}

func (s *Server) resolveMismatch(ctx context.Context, in *resolveMismatchIn) (*reconcileOut, error) {
	out, err := within(ctx, s, func(tx *tenants.Tx) (billing.Reconciliation, error) {
		return billing.ResolveMismatch(ctx, tx, in.id(), uuid.MustParse(in.Body.LedgerID), string(in.Body.Outcome), in.Body.Note)
	})
	if err != nil {
		return nil, err
	}
	return &reconcileOut{Body: out}, nil
}
