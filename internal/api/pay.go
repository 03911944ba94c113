package api

// Pay computed from the rules (docs/commission.md): each order's pay lines, and the monthly
// statements of engineers and outlets with their two approvals, export and payout.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/tenants"
)

// registerPayRoutes adds the order's pay lines and the pay statements.
func registerPayRoutes(api huma.API, s *Server) {
	tags := []string{"Commission"}
	orderParts(api, s, huma.Operation{OperationID: "list-order-pay-lines", Path: "/orders/{id}/pay-lines", Tags: tags,
		Summary: "The pay lines an order caused: commission, deductions and rewards of its engineers, its outlet's penalties",
		Description: "Written when the order is audited (once per audit, under the rules version in force), reversed by negative " +
			"lines when the audit is reversed or the bill's money refunded; each names its rule, version and how it was reckoned."},
		access.CommissionRead, commission.OrderLines)
	register(api, s, huma.Operation{OperationID: "list-pay-statements", Method: http.MethodGet, Path: "/pay-statements", Tags: tags,
		Summary: "Monthly pay statements of engineers and outlets, newest first", Errors: []int{422}},
		route{perm: access.CommissionRead}, s.listPayStatements)
	register(api, s, huma.Operation{OperationID: "get-pay-statement", Method: http.MethodGet, Path: "/pay-statements/{id}", Tags: tags,
		Summary: "A pay statement with every line", Errors: []int{404}},
		route{perm: access.CommissionRead}, s.getPayStatement)
	register(api, s, huma.Operation{OperationID: "approve-pay-statement", Method: http.MethodPost, Path: "/pay-statements/{id}/approve",
		Tags: tags, Summary: "Approve a pay statement: first the outlet manager, then finance (which locks it)", Errors: []int{403, 404, 409},
		Description: "An open statement is approved by its outlet's manager or a tenant admin; then finance or a tenant admin, not the " +
			"first approver, approves it and it is locked: lines written later go to the next month. The roles are checked against " +
			"the approver's membership where the statement is updated."},
		route{perm: access.PayApprove}, s.approvePayStatement)
	register(api, s, huma.Operation{OperationID: "pay-pay-statement", Method: http.MethodPost, Path: "/pay-statements/{id}/payout",
		Tags: tags, Summary: "Record the payout of an approved statement: the day and the reference", Errors: []int{403, 404, 409, 422}},
		route{perm: access.PayApprove}, s.payPayStatement)
	register(api, s, huma.Operation{OperationID: "export-pay-statement", Method: http.MethodGet, Path: "/pay-statements/{id}/export",
		Tags: tags, Summary: "Export a pay statement's lines as XLSX or CSV", Errors: []int{404, 422},
		Description: "One row per line (day, order, kind, rule and version, cause, amount in major units, how it was reckoned), then the total."},
		route{perm: access.CommissionRead}, s.exportPayStatement)
	register(api, s, huma.Operation{OperationID: "list-outlet-penalties", Method: http.MethodGet, Path: "/outlet-penalties", Tags: tags,
		Summary: "Outlets' penalty lines: breaches of the brand's time limits and compensation carried back, newest first",
		Description: "The lines of outlets' monthly statements, each with its outlet and its statement's month and status; " +
			"outlet staff see their own outlet's.", Errors: []int{422}},
		route{perm: access.CommissionRead}, s.listOutletPenalties)
}

type listOutletPenaltiesIn struct {
	PageQuery
	Month  string      `query:"month" maxLength:"10" doc:"The statement's month, e.g. 2026-11"`
	Outlet string      `query:"outlet_id" format:"uuid"`
	Status payStatus   `query:"status" doc:"The statement's status"`
	Kind   penaltyKind `query:"kind"`
}

func (s *Server) listOutletPenalties(ctx context.Context, in *listOutletPenaltiesIn) (*PageOutput[commission.OutletPenalty], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	month, err := commission.ParseMonth("query.month", in.Month)
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]commission.OutletPenalty, error) {
		return commission.OutletPenalties(ctx, tx, commission.PenaltyFilter{Month: month, Outlet: optionalID(in.Outlet),
			Status: string(in.Status), Kind: string(in.Kind), BeforeID: before, Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p commission.OutletPenalty) uuid.UUID { return p.ID }), nil
}

type listPayStatementsIn struct {
	PageQuery
	Month     string    `query:"month" maxLength:"10" doc:"The month, e.g. 2026-11"`
	PartyKind payParty  `query:"party_kind"`
	PartyID   string    `query:"party_id" format:"uuid" doc:"The engineer (user) or outlet"`
	Status    payStatus `query:"status"`
	Outlet    string    `query:"outlet_id" format:"uuid"`
}

func (s *Server) listPayStatements(ctx context.Context, in *listPayStatementsIn) (*PageOutput[commission.PayStatement], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	month, err := commission.ParseMonth("query.month", in.Month)
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]commission.PayStatement, error) {
		return commission.Statements(ctx, tx, commission.StatementFilter{Month: month, PartyKind: string(in.PartyKind), PartyID: optionalID(in.PartyID),
			Status: string(in.Status), Outlet: optionalID(in.Outlet), BeforeID: before, Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(st commission.PayStatement) uuid.UUID { return st.ID }), nil
}

type payStatementOut struct{ Body commission.PayStatement }

func (s *Server) getPayStatement(ctx context.Context, in *IDPath) (*payStatementOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (commission.PayStatement, error) {
		return commission.GetStatement(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &payStatementOut{Body: st}, nil
}

func (s *Server) approvePayStatement(ctx context.Context, in *IDPath) (*payStatementOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (commission.PayStatement, error) { return commission.Approve(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &payStatementOut{Body: st}, nil
}

type payoutIn struct {
	IDPath
	Body commission.Payout
}

func (s *Server) payPayStatement(ctx context.Context, in *payoutIn) (*payStatementOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (commission.PayStatement, error) {
		return commission.MarkPaid(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &payStatementOut{Body: st}, nil
}

type exportPayStatementIn struct {
	IDPath
	ExportQuery
}

// payColumns are the statement export's columns: zh-CN and en headers.
var payColumns = [][2]string{
	{"日期", "Day"}, {"工单", "Order"}, {"类别", "Kind"}, {"规则", "Rule"}, {"版本", "Version"}, {"原因", "Cause"},
	{"币种", "Currency"}, {"金额", "Amount"}, {"说明", "Detail"},
}

// payCodes are the Chinese words of the kinds and causes.
var payCodes = map[string]string{
	"commission": "提成", "late": "超时扣款", "repeat": "返修扣款", "complaint": "投诉扣款", "poor_score": "差评扣款",
	"good_score": "好评奖励", "praise": "表扬奖励", "breach": "期限扣费", "compensation": "赔付转嫁",
	"audit": "审核", "audit_reversed": "反审核", "refund": "退款", "callback": "回访", "total": "合计",
}

func (s *Server) exportPayStatement(ctx context.Context, in *exportPayStatementIn) (*huma.StreamResponse, error) {
	var lang string
	st, err := within(ctx, s, func(tx *tenants.Tx) (commission.PayStatement, error) {
		var err error
		if lang, _, err = reportContext(ctx, tx, in.ExportQuery); err != nil {
			return commission.PayStatement{}, err
		}
		return commission.GetStatement(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	word := func(code string) string { return pick(lang, [2]string{payCodes[code], code}) }
	name := pick(lang, [2]string{"工资单", "pay-statement"})
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		w, ok := in.open(hctx, "pay-statement", name+"-"+st.PartyName, st.Month[:7])
		if !ok {
			return
		}
		if err := w.Row(headers(lang, payColumns...)...); err != nil {
			return
		}
		for _, l := range st.Lines {
			if err := w.Row(l.AccruedOn, l.OrderNumber, word(l.Kind), l.Rule, l.RuleVersion, word(l.Cause), l.Currency, major(l.Amount), l.Detail); err != nil {
				return
			}
		}
		if err := w.Row("", "", word("total"), "", "", "", st.Currency, major(st.Total), st.PartyName); err != nil {
			return
		}
		_ = w.Close()
	}}, nil
}
