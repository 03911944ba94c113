package warranty

import (
	"fmt"
	"slices"
	"strings"
)

// Coverage classes (保修类别).
const (
	Manufacturer   = "manufacturer"    // 厂保
	Contract       = "contract"        // 合同保: extended warranty, accidental damage, contracts
	RepairWarranty = "repair_warranty" // 维修保: warranty on a previous repair
	OutOfWarranty  = "out_of_warranty" // 保外: charged
)

// Classes lists the coverage classes.
var Classes = []string{Manufacturer, Contract, RepairWarranty, OutOfWarranty}

// Remedies a consumer may be offered.
const (
	Repair   = "repair"
	Exchange = "exchange"
	Refund   = "refund"
)

// Unit is the registration facts that decide coverage.
type Unit struct {
	PurchaseDate    Date `json:"purchase_date"`
	InvoiceDate     Date `json:"invoice_date,omitempty"`
	InstallDate     Date `json:"install_date,omitempty"`
	HasInvoice      bool `json:"has_invoice"`
	HasWarrantyCard bool `json:"has_warranty_card"`
}

// History is what earlier service on the unit contributes, supplied by service orders.
type History struct {
	// FailedRepairs counts earlier repairs of the same fault that did not fix it, since the
	// last exchange (the unit given in exchange has its own).
	FailedRepairs int `json:"failed_repairs"`
	// DaysInRepair is the calendar days the unit spent in repair so far.
	DaysInRepair int `json:"days_in_repair"`
	// DaysInRepairSinceExchange is those of the days in repair on or after the last exchange
	// (all of them when the unit was never exchanged): a warranty restarted by the exchange
	// is extended by these only.
	DaysInRepairSinceExchange int `json:"days_in_repair_since_exchange"`
	// LastExchange is the date the unit was last exchanged (zero: never).
	LastExchange Date `json:"last_exchange,omitempty"`
	// PartsWaitDays is the longest wait for parts in the current repair.
	PartsWaitDays int `json:"parts_wait_days"`
	// RefundedOn is the day the unit was returned for a refund (zero: never).
	RefundedOn Date `json:"refunded_on,omitempty"`
}

// Grant kinds: coverage beyond the manufacturer's, from contracts and purchased plans.
const (
	GrantExtended       = "extended"        // extends manufacturer-like coverage
	GrantAccidental     = "accidental"      // covers misuse and liquid damage too
	GrantRepairWarranty = "repair_warranty" // a previous repair's part, e.g. 90 days
)

// GrantKinds lists the grant kinds.
var GrantKinds = []string{GrantExtended, GrantAccidental, GrantRepairWarranty}

// Grant is extra coverage for the unit between From and Until inclusive.
type Grant struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // one of GrantKinds
	Component string `json:"component" doc:"* for the whole unit"`
	From      Date   `json:"from"`
	Until     Date   `json:"until"`
	Covered   Lines  `json:"covered"`
	Source    string `json:"source" doc:"Contract, plan or repair it came from"`
}

// Request is one entitlement question.
type Request struct {
	Unit      Unit
	Policy    Policy
	History   History
	Grants    []Grant
	Component string // component at fault; "" means the whole unit
	// Exclusion is a cause the diagnosis invoked (misuse, liquid_damage, ...), if any.
	Exclusion string
	Today     Date
}

// Reason is one rule evaluated: its outcome, the clause of the policy it came from and the
// article of the national 三包 rules it carries out, in words in each language.
type Reason struct {
	Rule    string `json:"rule"`
	Outcome string `json:"outcome"`
	// Detail is the English text (Texts.En).
	Detail string `json:"detail"`
	Texts  Texts  `json:"texts"`
	// Source cites the policy by name, version and clause.
	Source string `json:"source,omitempty" example:"空调三包 v3, sanbao.return_days"`
	// Law cites the article of the national rules the rule carries out.
	Law string `json:"law,omitempty" example:"《部分商品修理更换退货责任规定》第九条"`
}

// Charge is what one cost line comes to.
type Charge struct {
	Line
	// Amount is the customer's share in minor units when the policy prices the line
	// (labour, visit, shipping); parts are priced on the order.
	Amount *int64 `json:"amount,omitempty"`
}

// Charges are the cost lines of a decision.
type Charges struct {
	Currency string `json:"currency,omitempty"`
	Parts    Charge `json:"parts"`
	Labour   Charge `json:"labour"`
	Visit    Charge `json:"visit"`
	Shipping Charge `json:"shipping"`
}

// Decision is the answer with its reasons.
type Decision struct {
	Class        string   `json:"class"` // one of Classes
	Remedies     []string `json:"remedies"`
	Charges      Charges  `json:"charges"`
	CoveredUntil *Date    `json:"covered_until,omitempty"`
	DayNumber    int      `json:"day_number" doc:"Days since purchase, the purchase day being day 1"`
	GrantID      string   `json:"grant_id,omitempty"`
	Reasons      []Reason `json:"reasons"`
}

// Decide evaluates the rules in a fixed order; the same request gives the same decision.
func Decide(r Request) Decision {
	d := Decision{Remedies: []string{}, Reasons: []Reason{}}
	p := r.Policy
	s := p.SanBao
	component := r.Component
	if component == "" {
		component = WholeUnit
	}
	add := func(rule, outcome, source string, a article, en, zh string) {
		d.Reasons = append(d.Reasons, lawReason(rule, outcome, source, a, Texts{En: en, ZhCN: zh}))
	}
	start := r.Unit.PurchaseDate
	d.DayNumber = start.DayNumber(r.Today)
	add("policy_version", "applies", p.Ref(""), noArticle,
		fmt.Sprintf("judged by version %d, in force on the purchase date %s", p.Version, start),
		fmt.Sprintf("按购买日期 %s 时有效的第 %d 版判定", start, p.Version))
	if r.Today.Before(start) {
		add("dates", "fail", "", noArticle, fmt.Sprintf("the date asked about (%s) is before the purchase (%s)", r.Today, start),
			fmt.Sprintf("所问日期（%s）早于购买日期（%s）", r.Today, start))
		return outOfWarranty(d, p, r)
	}
	if !r.History.RefundedOn.IsZero() {
		add("refunded", "applies", "", noArticle,
			fmt.Sprintf("the unit was returned for a refund on %s: nothing of it is covered any more", r.History.RefundedOn),
			fmt.Sprintf("该机已于 %s 退货退款，不再享受任何保修", r.History.RefundedOn))
		return outOfWarranty(d, p, r)
	}

	// Proof: without it there is no manufacturer or 三包 coverage.
	proofOK := true
	var have []Texts
	for _, need := range p.RequiredProof {
		name := named(proofNames, need)
		if (need == ProofInvoice && r.Unit.HasInvoice) || (need == ProofWarrantyCard && r.Unit.HasWarrantyCard) {
			have = append(have, name)
			continue
		}
		proofOK = false
		add("proof."+need, "fail", p.Ref("required_proof"), artPeriod, fmt.Sprintf("no %s on file: manufacturer coverage needs it", name.En),
			fmt.Sprintf("无%s：厂家保修须凭此办理", name.ZhCN))
	}
	if proofOK && len(p.RequiredProof) > 0 {
		var en, zh []string
		for _, h := range have {
			en, zh = append(en, h.En), append(zh, h.ZhCN)
		}
		add("proof", "pass", p.Ref("required_proof"), artPeriod, "required proof on file: "+strings.Join(en, " and "),
			"所需凭证齐全："+strings.Join(zh, "和"))
	}

	// Exclusions invoked by the diagnosis void manufacturer coverage; an accidental-damage
	// grant may still cover misuse and liquid.
	excluded := false
	if r.Exclusion != "" {
		name := named(exclusionNames, r.Exclusion)
		if slices.ContainsFunc(p.Exclusions, func(e Exclusion) bool { return e.Code == r.Exclusion }) {
			excluded = true
			add("exclusion."+r.Exclusion, "applies", p.Ref("exclusions"), noArticle,
				fmt.Sprintf("the diagnosis found %s, which the policy excludes", name.En),
				fmt.Sprintf("检测结论为%s，属本政策的除外责任", name.ZhCN))
		} else {
			add("exclusion."+r.Exclusion, "skipped", p.Ref("exclusions"), noArticle,
				fmt.Sprintf("the policy does not exclude %s", name.En), fmt.Sprintf("本政策未将%s列为除外责任", name.ZhCN))
		}
	}

	if proofOK && !excluded {
		term, ok := termFor(p, component)
		if ok {
			basis, basisName := basisDate(r.Unit, term.Basis)
			termStart, repairDays := basis, r.History.DaysInRepair
			if s.RestartOnExchange && !r.History.LastExchange.IsZero() && r.History.LastExchange.After(basis) {
				termStart, repairDays = r.History.LastExchange, r.History.DaysInRepairSinceExchange
				basisName = Texts{"exchange date", "换货之日"}
				add("sanbao.restart_on_exchange", "applies", p.Ref("sanbao.restart_on_exchange"), artNewOnChange,
					fmt.Sprintf("the unit was exchanged on %s: its warranty counts from the exchange date", termStart),
					fmt.Sprintf("该机已于 %s 换货，三包有效期自换货之日起重新计算", termStart))
			}
			until := termStart.AddMonths(term.Months).AddDays(term.Days - 1)
			if s.ExtendByRepairDays && repairDays > 0 {
				until = until.AddDays(repairDays)
				verb := "extend"
				if repairDays == 1 {
					verb = "extends"
				}
				add("sanbao.extend_by_repair_days", "applies", p.Ref("sanbao.extend_by_repair_days"), artPeriod,
					fmt.Sprintf("%s in repair %s the warranty to %s", days(repairDays), verb, until),
					fmt.Sprintf("维修占用 %d 天，有效期顺延至 %s", repairDays, until))
			}
			clause := fmt.Sprintf("terms[%s]", term.Component)
			what := termLabel(term.Component)
			if !r.Today.After(until) {
				d.Class, d.CoveredUntil = Manufacturer, &until
				en, zh := period(term.Months, term.Days)
				add("warranty_period", "pass", p.Ref(clause), artPeriod,
					fmt.Sprintf("%s is covered for %s from the %s %s, until %s", what.En, en, basisName.En, termStart, until),
					fmt.Sprintf("%s自%s %s 起保修%s，至 %s", what.ZhCN, basisName.ZhCN, termStart, zh, until))
				d.Remedies = sanBaoRemedies(r, d.DayNumber, add)
				d.Charges = charges(term.Covered, p.Fees)
				return d
			}
			add("warranty_period", "fail", p.Ref(clause), artPeriod, fmt.Sprintf("%s was covered until %s", what.En, until),
				fmt.Sprintf("%s保修至 %s，已过期", what.ZhCN, until))
		}
	}

	// Grants: extended warranty and contracts, accidental damage, repair warranty.
	for _, kind := range []string{GrantAccidental, GrantExtended, GrantRepairWarranty} {
		for _, g := range r.Grants {
			if g.Kind != kind || (g.Component != WholeUnit && g.Component != component) {
				continue
			}
			if excluded && kind != GrantAccidental {
				continue
			}
			if excluded && r.Exclusion != "misuse" && r.Exclusion != "liquid_damage" {
				continue
			}
			name := named(grantNames, kind)
			if r.Today.Before(g.From) || r.Today.After(g.Until) {
				add("grant."+kind, "fail", g.Source, noArticle, fmt.Sprintf("%s ran %s to %s", name.En, g.From, g.Until),
					fmt.Sprintf("%s的期限为 %s 至 %s，不含所问日期", name.ZhCN, g.From, g.Until))
				continue
			}
			d.Class = Contract
			if kind == GrantRepairWarranty {
				d.Class = RepairWarranty
			}
			until := g.Until
			d.CoveredUntil, d.GrantID = &until, g.ID
			d.Remedies = []string{Repair}
			d.Charges = charges(g.Covered, p.Fees)
			add("grant."+kind, "pass", g.Source, noArticle, fmt.Sprintf("%s runs until %s", name.En, g.Until),
				fmt.Sprintf("%s有效至 %s", name.ZhCN, g.Until))
			return d
		}
	}
	return outOfWarranty(d, p, r)
}

// sanBaoRemedies applies the 7-day, 15-day, failed-repair and parts-wait rules to a unit in
// warranty. Day numbers count the purchase day as day 1.
func sanBaoRemedies(r Request, day int, add func(rule, outcome, source string, a article, en, zh string)) []string {
	p, s := r.Policy, r.Policy.SanBao
	switch {
	case s.ReturnDays > 0 && day <= s.ReturnDays:
		add("sanbao.return_days", "applies", p.Ref("sanbao.return_days"), artReturn,
			fmt.Sprintf("day %d of %d: a performance fault allows return, exchange or repair, at the consumer's choice", day, s.ReturnDays),
			fmt.Sprintf("购买后第 %d 天（%d 日内）：发生性能故障，消费者可选择退货、换货或修理", day, s.ReturnDays))
		return []string{Refund, Exchange, Repair}
	case s.ExchangeDays > 0 && day <= s.ExchangeDays:
		if s.ReturnDays > 0 {
			add("sanbao.return_days", "fail", p.Ref("sanbao.return_days"), artReturn,
				fmt.Sprintf("day %d is past the %d-day return window", day, s.ReturnDays),
				fmt.Sprintf("购买后第 %d 天，已过 %d 日退货期", day, s.ReturnDays))
		}
		add("sanbao.exchange_days", "applies", p.Ref("sanbao.exchange_days"), artExchange,
			fmt.Sprintf("day %d of %d: exchange or repair", day, s.ExchangeDays),
			fmt.Sprintf("购买后第 %d 天（%d 日内）：发生性能故障，消费者可选择换货或修理", day, s.ExchangeDays))
		return []string{Exchange, Repair}
	}
	if s.ExchangeDays > 0 {
		add("sanbao.exchange_days", "fail", p.Ref("sanbao.exchange_days"), artExchange,
			fmt.Sprintf("day %d is past the %d-day exchange window", day, s.ExchangeDays),
			fmt.Sprintf("购买后第 %d 天，已过 %d 日换货期", day, s.ExchangeDays))
	}
	failed := r.History.FailedRepairs
	if s.MaxFailedRepairs > 0 && failed >= s.MaxFailedRepairs {
		add("sanbao.max_failed_repairs", "applies", p.Ref("sanbao.max_failed_repairs"), artFailed,
			fmt.Sprintf("%s of the same fault (limit %d): exchange or refund", count(failed, "failed repair", "failed repairs"), s.MaxFailedRepairs),
			fmt.Sprintf("同一故障已修理 %d 次仍未修好（上限 %d 次）：可换货或退货", failed, s.MaxFailedRepairs))
		return []string{Exchange, Refund}
	}
	if s.MaxFailedRepairs > 0 {
		add("sanbao.max_failed_repairs", "fail", p.Ref("sanbao.max_failed_repairs"), artFailed,
			fmt.Sprintf("%s of the same fault so far (limit %d)", count(failed, "failed repair", "failed repairs"), s.MaxFailedRepairs),
			fmt.Sprintf("同一故障至今修理未果 %d 次（上限 %d 次）", failed, s.MaxFailedRepairs))
	}
	wait := r.History.PartsWaitDays
	if s.PartsWaitDays > 0 && wait > s.PartsWaitDays {
		add("sanbao.parts_wait_days", "applies", p.Ref("sanbao.parts_wait_days"), artRepairTime,
			fmt.Sprintf("parts awaited %s (more than %s): exchange", days(wait), days(s.PartsWaitDays)),
			fmt.Sprintf("待件 %d 天（超过 %d 天）：可换货", wait, s.PartsWaitDays))
		return []string{Exchange, Repair}
	}
	if s.PartsWaitDays > 0 && wait > 0 {
		add("sanbao.parts_wait_days", "fail", p.Ref("sanbao.parts_wait_days"), artRepairTime,
			fmt.Sprintf("parts awaited %s (exchange only after more than %s)", days(wait), days(s.PartsWaitDays)),
			fmt.Sprintf("待件 %d 天（超过 %d 天方可换货）", wait, s.PartsWaitDays))
	}
	add("free_repair", "applies", p.Ref("terms"), noArticle, "in warranty: free repair", "在保修期内：免费修理")
	return []string{Repair}
}

func outOfWarranty(d Decision, p Policy, _ Request) Decision {
	d.Class, d.CoveredUntil, d.GrantID = OutOfWarranty, nil, ""
	d.Remedies = []string{Repair}
	d.Charges = charges(AllCharged, p.Fees)
	d.Reasons = append(d.Reasons, NewReason("out_of_warranty", "applies", p.Ref("fees"),
		Texts{"not covered: repair is charged at the policy's rates", "不在保修范围：按政策的收费标准有偿修理"}))
	return d
}

// termFor returns the component's own term, else the whole-unit term.
func termFor(p Policy, component string) (Term, bool) {
	var whole *Term
	for i, t := range p.Terms {
		if t.Component == component {
			return t, true
		}
		if t.Component == WholeUnit {
			whole = &p.Terms[i]
		}
	}
	if whole == nil {
		return Term{}, false
	}
	return *whole, true
}

// basisDate falls back to the purchase date when the basis date is unknown, and names the
// date it used.
func basisDate(u Unit, b Basis) (Date, Texts) {
	switch {
	case b == FromInvoice && !u.InvoiceDate.IsZero():
		return u.InvoiceDate, Texts{"invoice date", "发票日期"}
	case b == FromInstall && !u.InstallDate.IsZero():
		return u.InstallDate, Texts{"install date", "安装日期"}
	case b == FromPurchase:
		return u.PurchaseDate, Texts{"purchase date", "购买日期"}
	}
	other := map[Basis]string{FromInvoice: "发票", FromInstall: "安装", FromPurchase: "购买"}[b]
	return u.PurchaseDate, Texts{fmt.Sprintf("purchase date (no %s date on file)", b), fmt.Sprintf("购买日期（无%s日期）", other)}
}

func charges(l Lines, f Fees) Charges {
	price := func(line Line, fee int64) Charge {
		c := Charge{Line: line}
		var amt int64
		switch line.Mode {
		case Free:
			amt = 0
		case Shared:
			amt = fee * int64(line.CustomerPercent) / 100
		default:
			amt = fee
		}
		c.Amount = &amt
		return c
	}
	return Charges{Currency: f.Currency, Parts: Charge{Line: l.Parts}, Labour: price(l.Labour, f.LabourRate),
		Visit: price(l.Visit, f.VisitFee), Shipping: price(l.Shipping, f.ShippingFee)}
}

// Outcomes are what a rule did in a decision (Reason.Outcome), in the order the API documents them.
var Outcomes = []string{"pass", "fail", "applies", "skipped"}
