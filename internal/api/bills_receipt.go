package api

// A payment's or refund's receipt as a PDF: Chinese and English on the one page, as the
// counter hands it over (收据, not a 发票: the buyer's 发票 data is printed for the invoice
// to be made from).

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/export"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

func registerReceiptRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "get-bill-payment-receipt", Method: http.MethodGet, Path: "/bill-payments/{id}/receipt.pdf",
		Tags: []string{"Bills"}, Summary: "A payment's or refund's receipt as a PDF, in Chinese and English", Errors: []int{404, 409},
		Description: "One A4 page: the tenant and outlet, the receipt number and time, the method and amount, the bill's lines, " +
			"totals and 发票 buyer data. A payment still pending or failed has no receipt (409)."},
		route{perm: access.BillsRead}, s.billPaymentReceipt)
}

type receiptOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// both is a label in the two languages, Chinese first.
func both(zh, en string) string { return zh + " " + en }

// bothLabel is the word of a code in both languages (orders.Label).
func bothLabel(kind, code string) string {
	zh, en := orders.Label("zh-CN", kind, code), orders.Label("en", kind, code)
	if zh == en {
		return en
	}
	return both(zh, en)
}

func (s *Server) billPaymentReceipt(ctx context.Context, in *IDPath) (*receiptOut, error) {
	var (
		p       billing.BillPayment
		b       billing.Bill
		tn      tenants.Tenant
		loc     *time.Location
		outlets = map[uuid.UUID]string{}
	)
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		var err error
		if p, err = billing.GetBillPayment(ctx, tx, in.id()); err != nil {
			return err
		}
		if b, err = billing.GetBill(ctx, tx, p.BillID); err != nil {
			return err
		}
		if tn, err = tenants.GetTenant(ctx, tx); err != nil {
			return err
		}
		if loc, err = tenants.Location(ctx, tx); err != nil {
			return err
		}
		return nameOutlets(ctx, tx, []billing.Bill{b}, func(b billing.Bill) *uuid.UUID { return b.OutletID }, outlets)
	})
	if err != nil {
		return nil, err
	}
	if p.Status != "succeeded" || p.ReceiptNumber == "" {
		return nil, &fault.ConflictError{Detail: fmt.Sprintf("the %s is %s: a receipt is made once the money has moved", p.Kind, p.Status)}
	}
	var buf bytes.Buffer
	if _, err := receiptPDF(tn, outlets, b, p, loc).WriteTo(&buf); err != nil {
		return nil, err
	}
	name := "receipt-" + p.ReceiptNumber + ".pdf"
	return &receiptOut{ContentType: "application/pdf", Body: buf.Bytes(),
		ContentDisposition: fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape("收据-"+p.ReceiptNumber+".pdf"))}, nil
}

// receiptPDF lays the receipt out.
func receiptPDF(tn tenants.Tenant, outlets map[uuid.UUID]string, b billing.Bill, p billing.BillPayment, loc *time.Location) *export.PDF {
	money := func(v int64) string { return fmt.Sprintf("%s %s", b.Currency, formatMinor(v)) }
	d := export.NewPDF()
	title := both("收据", "Receipt")
	if p.Kind == "refund" {
		title = both("退款凭证", "Refund receipt")
	}
	d.Line(18, title)
	d.Line(11, tn.Name)
	if b.OutletID != nil && outlets[*b.OutletID] != "" {
		d.Line(10, outlets[*b.OutletID])
	}
	d.Rule()
	const at = 170.0
	when := p.CreatedAt
	if p.SettledAt != nil {
		when = *p.SettledAt
	}
	d.Pair(10, at, both("收据号", "Receipt no."), p.ReceiptNumber)
	d.Pair(10, at, both("时间", "Time"), when.In(loc).Format("2006-01-02 15:04 MST"))
	d.Pair(10, at, both("工单号", "Order no."), b.Number)
	d.Pair(10, at, both("类型", "Kind"), bothLabel("payment_kind", p.Kind))
	d.Pair(10, at, both("方式", "Method"), bothLabel("payment_method", p.Method))
	if p.Reference != "" {
		d.Pair(10, at, both("参考号", "Reference"), p.Reference)
	}
	if p.PaymentIntentID != "" {
		d.Pair(10, at, both("在线支付单号", "Online payment"), p.PaymentIntentID)
	}
	if p.Reason != "" {
		d.Pair(10, at, both("退款原因", "Reason"), p.Reason)
	}
	d.Gap(4)
	d.Pair(14, at, both("金额", "Amount"), money(p.Amount))
	d.Rule()
	cols, right := []float64{0, 300, 360}, []bool{false, true, true}
	d.Row(9, cols, right, both("项目", "Item"), both("数量", "Qty"), both("客户应付", "Customer pays"))
	for _, l := range b.Lines {
		d.Row(9, cols, right, bothLabel("bill_line_kind", l.Kind)+" · "+l.Description, fmt.Sprint(l.Quantity), money(l.CustomerAmount))
	}
	d.Rule()
	d.Pair(10, at, both("小计", "Subtotal"), money(b.Subtotal))
	if b.DiscountStatus == "approved" && b.Discount > 0 {
		d.Pair(10, at, both("折扣", "Discount"), "-"+money(b.Discount))
	}
	if b.CreditApplied > 0 {
		d.Pair(10, at, both("余额抵扣（含押金）", "Credit and deposits"), "-"+money(b.CreditApplied))
	}
	d.Pair(10, at, both("应付", "Due"), money(b.Total))
	d.Pair(10, at, both("已付", "Paid"), money(b.Paid))
	if b.Refunded > 0 {
		d.Pair(10, at, both("已退", "Refunded"), money(b.Refunded))
	}
	d.Pair(10, at, both("欠款", "Balance"), money(b.Balance))
	if b.BuyerName != "" || b.BuyerTaxID != "" {
		d.Rule()
		d.Pair(10, at, both("发票购方名称", "Invoice buyer"), b.BuyerName)
		d.Pair(10, at, both("纳税人识别号", "Taxpayer id"), b.BuyerTaxID)
	}
	d.Gap(16)
	d.Line(8, "本收据不是发票；发票按上述购方信息另行开具。 This receipt is not a tax invoice (发票); the invoice is made out to the buyer above.")
	return d
}

// formatMinor writes minor units with two decimals (-12.30).
func formatMinor(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}
