package orders

// Labels of the order's codes in the languages the product speaks, for what the server
// writes for people (exports). The staff app has the same words in its locale files
// (web/app/src/i18n/locales); TestLabelsMatchTheWebApp keeps the two the same.

// labels maps a kind of code, then the code, to its zh-CN and en words.
var labels = map[string]map[string][2]string{
	"status": {
		StatusWaiting: {"待修", "Waiting"}, StatusRepairing: {"修理中", "Repairing"},
		StatusWaitingParts: {"待件", "Waiting for parts"}, StatusEscalated: {"难修", "Escalated"},
		StatusReadyForPickup: {"待取", "Ready for pickup"}, StatusPickedUp: {"已取", "Picked up"},
		StatusCreated: {"已受理", "Created"}, StatusAccepted: {"已接单", "Accepted"},
		StatusDispatched: {"已派工", "Dispatched"}, StatusScheduled: {"已预约", "Scheduled"},
		StatusEnRoute: {"在途", "On the way"}, StatusOnSite: {"已上门", "On site"},
		StatusCompleted: {"已完工", "Completed"}, StatusApproved: {"审核通过", "Approved"},
		StatusRejected: {"审核退回", "Rejected"}, StatusClosed: {"已关闭", "Closed"},
		StatusCancelled: {"已取消", "Cancelled"},
	},
	"flow": {FlowCarryIn: {"送修", "Carry-in"}, FlowOnSite: {"上门", "On-site"}},
	"channel": {
		"carry_in": {"送修", "Carry-in"}, "on_site": {"上门", "On-site"}, "phone": {"电话", "Phone"},
		"web": {"网站", "Web"}, "mail_in": {"寄修", "Mail-in"}, "api": {"系统对接", "Integration"},
	},
	"coverage": {
		"manufacturer": {"厂家保修", "Manufacturer warranty"}, "contract": {"合同保修", "Contract"},
		"repair_warranty": {"维修保修", "Repair warranty"}, "out_of_warranty": {"保外", "Out of warranty"},
	},
	"type": {
		"installation": {"安装", "Installation"}, "repair_major": {"大修", "Major repair"},
		"repair_medium": {"中修", "Medium repair"}, "repair_minor": {"小修", "Minor repair"},
		"delivery": {"送货", "Delivery"}, "exchange": {"换货", "Exchange"}, "return": {"退货", "Return"},
		"maintenance": {"保养清洗", "Maintenance and cleaning"}, "gas_conversion": {"气源改装", "Gas conversion"},
		"inspection": {"检测", "Inspection"},
	},
	// Stock (package stock), for the stock reports' exports.
	"movement_type": {
		"receipt": {"入库", "Receipt"}, "issue": {"工单领用", "Issue to order"}, "order_return": {"工单退回", "Return from order"},
		"transfer_ship": {"调拨发出", "Transfer shipped"}, "transfer_receive": {"调拨接收", "Transfer received"},
		"requisition": {"领料", "Requisition"}, "requisition_return": {"退料", "Requisition return"},
		"adjustment": {"盘点调整", "Count adjustment"}, "scrap": {"报废", "Scrap"},
		"rma_hold": {"旧件待返厂", "Faulty part held for the maker"}, "rma_ship": {"旧件返厂", "Faulty part sent to the maker"},
		"loan_out": {"备用机借出", "Loaner lent to a customer"}, "loan_return": {"备用机归还", "Loaner returned"},
	},
	"issue_kind": {"in_warranty": {"保内", "In warranty"}, "charged": {"收费", "Charged"},
		"consumer_purchase": {"顾客购买", "Consumer purchase"}},
	"stock_owner": {"own": {"自有", "Own stock"}, "customer": {"客户机", "Customers' units"}, "consigned": {"寄售", "Consigned"},
		"loaner": {"备用机", "Loaners"}},
	"warehouse_kind": {"spare_parts": {"备件库", "Spare parts"}, "finished_goods": {"成品库", "Finished goods"},
		"pending_repair": {"待修库", "Pending repair"}, "samples": {"样机库", "Samples"}, "scrap": {"报废库", "Scrap"},
		"returned_goods": {"退货库", "Returned goods"}},
	"sla_target": {
		"accept": {"受理", "Acceptance"}, "dispatch": {"派工", "Dispatch"}, "appointment": {"预约", "Appointment"},
		"arrival": {"上门", "Arrival"}, "completion": {"完工", "Completion"}, "return": {"返还", "Return"},
		"callback": {"回访", "Callback"},
	},
	"ledger_kind": {
		"payment": {"收款", "Payment"}, "refund": {"退款", "Refund"}, "compensation": {"赔付", "Compensation"},
		"credit": {"余额", "Credit"}, "dispute": {"争议", "Dispute"}, "platform_fee": {"平台费", "Platform fee"},
		"refund_failed": {"退款失败", "Refund failed"}, "credit_redeemed": {"余额抵扣", "Credit redeemed"},
		"credit_expired": {"余额过期", "Credit expired"}, "claim_payment": {"索赔结算付款", "Claim statement paid"},
		"claim_receipt": {"索赔结算收款", "Claim statement received"},
	},
	"purchase_status":     {"pending": {"待付款", "Awaiting payment"}, "failed": {"支付失败", "Payment failed"}, "active": {"有效", "Active"}, "refunded": {"已退款", "Refunded"}, "disputed": {"争议中", "Disputed"}, "expired": {"已过期", "Expired"}},
	"purchase_channel":    {"checkout": {"线上购买", "Online checkout"}, "counter": {"门店柜台", "Outlet counter"}},
	"product_kind":        {"per_incident": {"按次", "Per incident"}, "plan": {"套餐", "Plan"}},
	"refund_reason":       {"cancellation": {"取消退款", "Cancellation"}, "compensation": {"赔付", "Compensation"}},
	"refund_status":       {"pending": {"待提交", "Pending"}, "requested": {"已提交", "Requested"}, "succeeded": {"已退款", "Refunded"}, "failed": {"失败", "Failed"}},
	"payout_kind":         {"refund": {"退款", "Refund"}, "credit": {"余额", "Credit"}},
	"compensation_status": {"pending": {"待发放", "Pending"}, "issued": {"已发放", "Issued"}, "failed": {"失败", "Failed"}},
	"flag_kind":           {"wrong_amount": {"金额不符", "Wrong amount"}, "duplicate": {"重复付款", "Duplicate payment"}},
	"flag_status":         {"open": {"待处理", "Open"}, "refunding": {"退款中", "Refunding"}, "refunded": {"已退款", "Refunded"}, "accepted": {"已接受", "Accepted"}},
	// Customers' bills at the counter (package billing), for the receipts.
	"bill_line_kind": {"part": {"配件", "Part"}, "labour": {"人工", "Labour"}, "visit": {"上门费", "Visit fee"}, "shipping": {"运费", "Shipping"}, "other": {"其他", "Other"}},
	"payment_kind": {"payment": {"收款", "Payment"}, "refund": {"退款", "Refund"}, "deposit": {"押金", "Deposit"},
		"loan_deposit": {"备用机押金", "Loaner deposit"}, "loan_refund": {"备用机押金退还", "Loaner deposit given back"}},
	"payment_method": {"cash": {"现金", "Cash"}, "card": {"刷卡", "Card terminal"}, "online": {"在线支付", "Online"}},
	"payment_status": {"pending": {"处理中", "Pending"}, "succeeded": {"成功", "Succeeded"}, "failed": {"失败", "Failed"}, "expired": {"已过期", "Expired"}},
}

// Label is the word for code of kind ("status", "flow", "channel", "coverage", "type",
// "sla_target", "ledger_kind", the money lists' "purchase_status", "refund_status"..., and stock's
// "movement_type", "issue_kind", "stock_owner", "warehouse_kind") in lang
// ("zh-CN" or "en"; other languages get English); a code it does not know (a tenant's own
// order type) is returned as it is.
func Label(lang, kind, code string) string {
	l, ok := labels[kind][code]
	if !ok {
		return code
	}
	if lang == "zh-CN" {
		return l[0]
	}
	return l[1]
}
