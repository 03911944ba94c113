package notify

// def is the shipped wording of one event in both locales; the channels derive from it:
// SMS is "【tenant】text", email is title + text, in-app is title + text.
type def struct {
	info            EventInfo
	zhTitle, zhText string
	enTitle, enText string
}

var defs = []def{
	{EventInfo{OrderCreated, "A service order was opened for the customer",
		map[string]string{"order_number": "SO-2026-000123", "tracking_link": "https://t.example.com/SO-2026-000123"}},
		"服务单已受理", "您的服务单 {{.order_number}} 已受理，我们会尽快为您安排。进度查询：{{.tracking_link}}",
		"Service order received", "Your service order {{.order_number}} has been received. Track it at {{.tracking_link}}"},
	{EventInfo{OrderEngineerAssigned, "An engineer was assigned to the order",
		map[string]string{"order_number": "SO-2026-000123", "engineer_name": "王师傅", "tracking_link": "https://t.example.com/SO-2026-000123"}},
		"已为您派工", "服务单 {{.order_number}} 已安排工程师 {{.engineer_name}} 为您服务。进度：{{.tracking_link}}",
		"Engineer assigned", "Engineer {{.engineer_name}} will handle your order {{.order_number}}. Track it at {{.tracking_link}}"},
	{EventInfo{AppointmentBooked, "A visit or drop-off was booked",
		map[string]string{"order_number": "SO-2026-000123", "appointment_window": "2026-10-08 09:00-12:00"}},
		"预约成功", "服务单 {{.order_number}} 已预约 {{.appointment_window}}，届时请保持电话畅通。",
		"Appointment booked", "Your appointment for order {{.order_number}} is booked for {{.appointment_window}}."},
	{EventInfo{AppointmentChanged, "The appointment was moved",
		map[string]string{"order_number": "SO-2026-000123", "appointment_window": "2026-10-09 14:00-17:00"}},
		"预约时间变更", "服务单 {{.order_number}} 的预约时间已改为 {{.appointment_window}}。",
		"Appointment changed", "The appointment for order {{.order_number}} is now {{.appointment_window}}."},
	{EventInfo{OrderOnTheWay, "The engineer is on the way",
		map[string]string{"order_number": "SO-2026-000123", "engineer_name": "王师傅", "eta": "10:30"}},
		"工程师已出发", "工程师 {{.engineer_name}} 已出发，预计 {{.eta}} 到达（服务单 {{.order_number}}）。",
		"Engineer on the way", "Engineer {{.engineer_name}} is on the way and expected at {{.eta}} (order {{.order_number}})."},
	{EventInfo{PartsArrived, "Parts the repair waited for have arrived (到货通知)",
		map[string]string{"order_number": "SO-2026-000123", "part_name": "压缩机"}},
		"配件已到货", "服务单 {{.order_number}} 所需配件（{{.part_name}}）已到货，我们将尽快为您维修。",
		"Parts arrived", "The part for order {{.order_number}} ({{.part_name}}) has arrived; the repair continues."},
	{EventInfo{PartsAwaiting, "The repair waits for parts (维修待件通知)",
		map[string]string{"order_number": "SO-2026-000123", "part_name": "压缩机", "expected_date": "2026-10-15"}},
		"维修待件", "服务单 {{.order_number}} 正在等待配件（{{.part_name}}），预计 {{.expected_date}} 到货。",
		"Waiting for parts", "Order {{.order_number}} is waiting for a part ({{.part_name}}), expected by {{.expected_date}}."},
	{EventInfo{WarrantyCycleExtended, "The repair period was extended (延长维修周期通知); the time in repair extends the warranty",
		map[string]string{"order_number": "SO-2026-000123", "new_due_date": "2026-10-20", "reason": "等待配件"}},
		"维修周期延长", "服务单 {{.order_number}} 的维修周期延长至 {{.new_due_date}}（原因：{{.reason}}），维修期间不计入保修期。",
		"Repair period extended", "The repair of order {{.order_number}} now runs until {{.new_due_date}} ({{.reason}}); time in repair extends your warranty."},
	{EventInfo{OrderRepairDone, "The repair is finished (修复通知)",
		map[string]string{"order_number": "SO-2026-000123", "tracking_link": "https://t.example.com/SO-2026-000123"}},
		"维修完成", "服务单 {{.order_number}} 已维修完成。详情：{{.tracking_link}}",
		"Repair done", "The repair of order {{.order_number}} is done. Details: {{.tracking_link}}"},
	{EventInfo{OrderReadyForPickup, "The unit is ready for pickup (待取)",
		map[string]string{"order_number": "SO-2026-000123", "outlet_name": "浦东服务中心", "outlet_address": "世纪大道100号"}},
		"请取机", "服务单 {{.order_number}} 已可取机，请到 {{.outlet_name}}（{{.outlet_address}}）领取。",
		"Ready for pickup", "Order {{.order_number}} is ready for pickup at {{.outlet_name}} ({{.outlet_address}})."},
	{EventInfo{QuoteToApprove, "A quote waits for the customer's approval (报价确认)",
		map[string]string{"order_number": "SO-2026-000123", "amount": "¥350.00", "approve_link": "https://t.example.com/q/abc"}},
		"请确认报价", "服务单 {{.order_number}} 报价 {{.amount}}，请确认：{{.approve_link}}",
		"Quote to approve", "The quote for order {{.order_number}} is {{.amount}}. Approve it at {{.approve_link}}"},
	{EventInfo{SLAWarning, "An SLA target is close to breach",
		map[string]string{"order_number": "SO-2026-000123", "target": "arrival", "due_time": "2026-10-08 12:00"}},
		"时效预警", "服务单 {{.order_number}} 的时效（{{.target}}）将于 {{.due_time}} 到期，请及时处理。",
		"SLA warning", "Order {{.order_number}}: the {{.target}} target is due at {{.due_time}}."},
	{EventInfo{SLABreached, "An SLA target was breached",
		map[string]string{"order_number": "SO-2026-000123", "target": "arrival", "due_time": "2026-10-08 12:00"}},
		"时效超期", "服务单 {{.order_number}} 的时效（{{.target}}）已于 {{.due_time}} 超期。",
		"SLA breached", "Order {{.order_number}}: the {{.target}} target was due at {{.due_time}} and is breached."},
	{EventInfo{SLAEscalated, "A breached SLA target is escalated to the next level of the chain",
		map[string]string{"order_number": "SO-2026-000123", "target": "arrival", "due_time": "2026-10-08 12:00", "level": "2",
			"role": "outlet_manager"}},
		"时效升级", "服务单 {{.order_number}} 的时效（{{.target}}）已于 {{.due_time}} 超期，升级至第 {{.level}} 级处理。",
		"SLA escalated", "Order {{.order_number}}: the {{.target}} target was due at {{.due_time}}; escalated to level {{.level}} ({{.role}})."},
	{EventInfo{LoanerOverdue, "The loaner unit lent on the customer's order is past its due time (备用机逾期提醒)",
		map[string]string{"order_number": "SO-2026-000123", "serial": "LN-0001", "due_date": "2026-10-20 18:00"}},
		"备用机已逾期", "服务单 {{.order_number}} 借用的备用机（{{.serial}}）已于 {{.due_date}} 到期，请尽快归还。",
		"Loaner overdue", "The loaner unit ({{.serial}}) lent on order {{.order_number}} was due back on {{.due_date}}; please return it."},
	{EventInfo{PartOrderArrived, "The parts the customer ordered at the counter have arrived (预订购件到货通知)",
		map[string]string{"order_number": "PO-20261008-1A2B3C4D", "part_name": "遥控器", "outlet_name": "浦东服务中心"}},
		"订购配件已到货", "您预订的配件（{{.part_name}}，订单 {{.order_number}}）已到货，请到 {{.outlet_name}} 取件。",
		"Your parts have arrived", "The parts you ordered ({{.part_name}}, order {{.order_number}}) have arrived; collect them at {{.outlet_name}}."},
	{EventInfo{ComplaintEscalated, "A complaint's deadline passed unmet: escalated to the next level of its chain",
		map[string]string{"complaint_number": "CP-20261008-1A2B3C4D", "deadline": "first_response", "due_time": "2026-10-08 12:00",
			"level": "1", "role": "outlet_manager"}},
		"投诉升级", "投诉 {{.complaint_number}} 的时限（{{.deadline}}）已于 {{.due_time}} 超期，升级至第 {{.level}} 级处理。",
		"Complaint escalated", "Complaint {{.complaint_number}}: the {{.deadline}} deadline was due at {{.due_time}}; escalated to level {{.level}} ({{.role}})."},
	{EventInfo{CallbackDue, "A callback (回访) is due",
		map[string]string{"order_number": "SO-2026-000123", "due_time": "2026-10-10 18:00"}},
		"回访提醒", "服务单 {{.order_number}} 需在 {{.due_time}} 前完成回访。",
		"Callback due", "Order {{.order_number}} needs a callback by {{.due_time}}."},
	{EventInfo{SurveyInvite, "A satisfaction survey (满意度调查) of a finished order, with its link",
		map[string]string{"order_number": "SO-2026-000123", "survey_link": "https://t.example.com/survey/sv_abc"}},
		"满意度调查", "感谢您选择我们的服务。请花一分钟评价服务单 {{.order_number}}：{{.survey_link}}",
		"How did we do?", "Thank you for choosing us. Please take a minute to rate order {{.order_number}}: {{.survey_link}}"},
	{EventInfo{RectificationOpened, "A poor survey result opened a rectification case (整改)",
		map[string]string{"order_number": "SO-2026-000123", "score": "1.60", "deadline": "2026-10-12 18:00"}},
		"差评整改", "服务单 {{.order_number}} 回访评分 {{.score}}，已生成整改单，请于 {{.deadline}} 前完成整改并回访客户。",
		"Rectification opened", "Order {{.order_number}} scored {{.score}} on its callback: rectify and recontact the customer by {{.deadline}}."},
	{EventInfo{RectificationReview, "A rectification case was carried out and waits for the manager's approval",
		map[string]string{"order_number": "SO-2026-000123"}},
		"整改待审批", "服务单 {{.order_number}} 的整改已完成并回访客户，请审批。",
		"Rectification to approve", "The rectification of order {{.order_number}} is done and the customer recontacted: please review it."},
	{EventInfo{RectificationDecided, "The manager approved a rectification case or returned it",
		map[string]string{"order_number": "SO-2026-000123", "outcome": "approved"}},
		"整改审批结果", "服务单 {{.order_number}} 的整改审批结果：{{.outcome}}。",
		"Rectification reviewed", "The rectification of order {{.order_number}} was reviewed: {{.outcome}}."},
	{EventInfo{WebhookDisabled, "A webhook endpoint was disabled after sustained failures",
		map[string]string{"endpoint_url": "https://erp.example.com/hooks", "reason": "failing for 24h"}},
		"Webhook 已停用", "Webhook 地址 {{.endpoint_url}} 因持续失败已被停用（{{.reason}}）。修复后请在设置中重新启用。",
		"Webhook disabled", "The webhook endpoint {{.endpoint_url}} was disabled ({{.reason}}). Re-enable it in settings once it is fixed."},
	{EventInfo{CompensationIssued, "A compensation (e.g. for a broken service promise) was issued",
		map[string]string{"order_number": "SO-2026-000123", "amount": "¥50.00", "reason": "未按承诺时间上门"}},
		"补偿已发放", "因服务单 {{.order_number}} {{.reason}}，已向您发放补偿 {{.amount}}。",
		"Compensation issued", "For order {{.order_number}} ({{.reason}}) you have received a compensation of {{.amount}}."},
	{EventInfo{PaymentFlagged, "A payment activated nothing (wrong amount, or a second purchase of an upgrade): finance refunds or accepts it",
		map[string]string{"product": "onsite-6h", "amount": "¥99.00", "reason": "amount does not match the purchase"}},
		"付款待核对", "一笔 {{.product}} 的付款 {{.amount}} 未生效（{{.reason}}），请在财务中退款或确认。",
		"Payment to review", "A payment of {{.amount}} for {{.product}} activated nothing ({{.reason}}). Refund or accept it in finance."},
	{EventInfo{RefundFailed, "A refund Stripe was asked for failed",
		map[string]string{"product": "gold-2y", "amount": "¥399.00", "reason": "expired_or_canceled_card"}},
		"退款失败", "{{.product}} 的退款 {{.amount}} 未成功（{{.reason}}），请另行处理。",
		"Refund failed", "The refund of {{.amount}} for {{.product}} failed ({{.reason}}). Please settle it another way."},
	{EventInfo{DisputeWon, "A card dispute was won: the funds and the purchase are back",
		map[string]string{"product": "gold-2y", "amount": "¥399.00"}},
		"争议胜诉", "{{.product}} 的拒付争议 {{.amount}} 已胜诉，款项退回，权益恢复。",
		"Dispute won", "The dispute of {{.amount}} for {{.product}} was won: the funds are back and the purchase is active again."},
	{EventInfo{DisputeLost, "A card dispute was lost: the funds stay with the card holder",
		map[string]string{"product": "gold-2y", "amount": "¥399.00"}},
		"争议败诉", "{{.product}} 的拒付争议 {{.amount}} 已败诉，款项归持卡人，权益已终止。",
		"Dispute lost", "The dispute of {{.amount}} for {{.product}} was lost: the funds stay with the card holder and the purchase stays ended."},
	{EventInfo{PlatformPaymentFailed, "A payment of the tenant's platform subscription failed (to the tenant's admins and finance)",
		map[string]string{"amount": "¥999.00", "grace_until": "2026-10-15 18:00", "pay_link": "https://invoice.stripe.com/i/abc"}},
		"平台订阅付款失败", "平台订阅账单 {{.amount}} 付款失败。请在 {{.grace_until}} 前付款（{{.pay_link}}），逾期后系统将转为只读。",
		"Platform payment failed", "The platform subscription payment of {{.amount}} failed. Pay by {{.grace_until}} ({{.pay_link}}) or the account becomes read-only."},
	{EventInfo{PlatformGraceEnding, "The grace period after a failed platform payment ends soon (to the tenant's admins and finance)",
		map[string]string{"grace_until": "2026-10-15 18:00", "pay_link": "https://invoice.stripe.com/i/abc"}},
		"即将转为只读", "平台订阅仍未付款，宽限期将于 {{.grace_until}} 结束，之后系统将转为只读。请尽快付款：{{.pay_link}}",
		"Read-only soon", "The platform subscription is still unpaid; the grace period ends at {{.grace_until}}, then the account becomes read-only. Pay now: {{.pay_link}}"},
}

var (
	catalogue = map[string]EventInfo{}
	defaults  = map[[3]string]Template{} // by event type, channel, locale
)

func init() {
	for _, d := range defs {
		catalogue[d.info.Type] = d.info
		for _, l := range []struct{ locale, title, text, brand string }{
			{"zh-CN", d.zhTitle, d.zhText, "【{{.tenant_name}}】"},
			{"en", d.enTitle, d.enText, "[{{.tenant_name}}] "},
		} {
			add := func(channel, subject, body string) {
				defaults[[3]string{d.info.Type, channel, l.locale}] = Template{EventType: d.info.Type, Channel: channel,
					Locale: l.locale, Subject: subject, Body: body, Default: true}
			}
			add(ChannelSMS, "", l.brand+l.text)
			add(ChannelEmail, l.title+" - {{.tenant_name}}", l.text+"\n\n{{.tenant_name}}")
			add(ChannelInApp, l.title, l.text)
		}
	}
}
