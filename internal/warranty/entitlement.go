package warranty

import (
	"fmt"
	"slices"
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

// Reason is one rule evaluated: its outcome and the clause it came from.
type Reason struct {
	Rule    string `json:"rule"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
	Source  string `json:"source,omitempty"`
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
	add := func(rule, outcome, source, format string, args ...any) {
		d.Reasons = append(d.Reasons, Reason{Rule: rule, Outcome: outcome, Detail: fmt.Sprintf(format, args...), Source: source})
	}
	start := r.Unit.PurchaseDate
	d.DayNumber = start.DayNumber(r.Today)
	add("policy_version", "applies", p.Ref(""), "judged by version %d, in force on the purchase date %s", p.Version, start)
	if r.Today.Before(start) {
		add("dates", "fail", "", "the date asked about (%s) is before the purchase (%s)", r.Today, start)
		return outOfWarranty(d, p, r)
	}
	if !r.History.RefundedOn.IsZero() {
		add("refunded", "applies", "", "the unit was returned for a refund on %s: nothing of it is covered any more", r.History.RefundedOn)
		return outOfWarranty(d, p, r)
	}

	// Proof: without it there is no manufacturer or 三包 coverage.
	proofOK := true
	for _, need := range p.RequiredProof {
		have := (need == ProofInvoice && r.Unit.HasInvoice) || (need == ProofWarrantyCard && r.Unit.HasWarrantyCard)
		if !have {
			proofOK = false
			add("proof."+need, "fail", p.Ref("required_proof"), "no %s on file: manufacturer coverage needs it", need)
		}
	}
	if proofOK && len(p.RequiredProof) > 0 {
		add("proof", "pass", p.Ref("required_proof"), "required proof on file: %v", p.RequiredProof)
	}

	// Exclusions invoked by the diagnosis void manufacturer coverage; an accidental-damage
	// grant may still cover misuse and liquid.
	excluded := false
	if r.Exclusion != "" {
		if slices.ContainsFunc(p.Exclusions, func(e Exclusion) bool { return e.Code == r.Exclusion }) {
			excluded = true
			add("exclusion."+r.Exclusion, "applies", p.Ref("exclusions"), "the diagnosis found %s, which the policy excludes", r.Exclusion)
		} else {
			add("exclusion."+r.Exclusion, "skipped", p.Ref("exclusions"), "the policy does not exclude %s", r.Exclusion)
		}
	}

	if proofOK && !excluded {
		term, ok := termFor(p, component)
		if ok {
			basis, basisName := basisDate(r.Unit, term.Basis)
			termStart, repairDays := basis, r.History.DaysInRepair
			if s.RestartOnExchange && !r.History.LastExchange.IsZero() && r.History.LastExchange.After(basis) {
				termStart, repairDays = r.History.LastExchange, r.History.DaysInRepairSinceExchange
				add("sanbao.restart_on_exchange", "applies", p.Ref("sanbao.restart_on_exchange"),
					"the unit was exchanged on %s: its warranty counts from then", termStart)
			}
			until := termStart.AddMonths(term.Months).AddDays(term.Days - 1)
			if s.ExtendByRepairDays && repairDays > 0 {
				until = until.AddDays(repairDays)
				add("sanbao.extend_by_repair_days", "applies", p.Ref("sanbao.extend_by_repair_days"),
					"%d days in repair extend the warranty to %s", repairDays, until)
			}
			clause := fmt.Sprintf("terms[%s]", term.Component)
			if !r.Today.After(until) {
				d.Class, d.CoveredUntil = Manufacturer, &until
				add("warranty_period", "pass", p.Ref(clause), "%s is covered for %d months from the %s %s, until %s",
					termLabel(term.Component), term.Months, basisName, termStart, until)
				d.Remedies = sanBaoRemedies(r, d.DayNumber, add)
				d.Charges = charges(term.Covered, p.Fees)
				return d
			}
			add("warranty_period", "fail", p.Ref(clause), "%s was covered until %s", termLabel(term.Component), until)
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
			if r.Today.Before(g.From) || r.Today.After(g.Until) {
				add("grant."+kind, "fail", g.Source, "%s coverage ran %s to %s", kind, g.From, g.Until)
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
			add("grant."+kind, "pass", g.Source, "%s coverage runs until %s", kind, g.Until)
			return d
		}
	}
	return outOfWarranty(d, p, r)
}

// sanBaoRemedies applies the 7-day, 15-day, failed-repair and parts-wait rules to a unit in
// warranty. Day numbers count the purchase day as day 1.
func sanBaoRemedies(r Request, day int, add func(rule, outcome, source, format string, args ...any)) []string {
	p, s := r.Policy, r.Policy.SanBao
	switch {
	case s.ReturnDays > 0 && day <= s.ReturnDays:
		add("sanbao.return_days", "applies", p.Ref("sanbao.return_days"),
			"day %d of %d: a performance fault allows return, exchange or repair, at the consumer's choice", day, s.ReturnDays)
		return []string{Refund, Exchange, Repair}
	case s.ExchangeDays > 0 && day <= s.ExchangeDays:
		if s.ReturnDays > 0 {
			add("sanbao.return_days", "fail", p.Ref("sanbao.return_days"), "day %d is past the %d-day return window", day, s.ReturnDays)
		}
		add("sanbao.exchange_days", "applies", p.Ref("sanbao.exchange_days"), "day %d of %d: exchange or repair", day, s.ExchangeDays)
		return []string{Exchange, Repair}
	}
	if s.ExchangeDays > 0 {
		add("sanbao.exchange_days", "fail", p.Ref("sanbao.exchange_days"), "day %d is past the %d-day exchange window", day, s.ExchangeDays)
	}
	if s.MaxFailedRepairs > 0 && r.History.FailedRepairs >= s.MaxFailedRepairs {
		add("sanbao.max_failed_repairs", "applies", p.Ref("sanbao.max_failed_repairs"),
			"%d failed repairs of the same fault (limit %d): exchange or refund", r.History.FailedRepairs, s.MaxFailedRepairs)
		return []string{Exchange, Refund}
	}
	if s.MaxFailedRepairs > 0 {
		add("sanbao.max_failed_repairs", "fail", p.Ref("sanbao.max_failed_repairs"),
			"%d failed repairs of the same fault so far (limit %d)", r.History.FailedRepairs, s.MaxFailedRepairs)
	}
	if s.PartsWaitDays > 0 && r.History.PartsWaitDays > s.PartsWaitDays {
		add("sanbao.parts_wait_days", "applies", p.Ref("sanbao.parts_wait_days"),
			"parts awaited %d days (more than %d): exchange", r.History.PartsWaitDays, s.PartsWaitDays)
		return []string{Exchange, Repair}
	}
	if s.PartsWaitDays > 0 && r.History.PartsWaitDays > 0 {
		add("sanbao.parts_wait_days", "fail", p.Ref("sanbao.parts_wait_days"),
			"parts awaited %d days (exchange only after more than %d)", r.History.PartsWaitDays, s.PartsWaitDays)
	}
	add("free_repair", "applies", p.Ref("terms"), "in warranty: free repair")
	return []string{Repair}
}

func outOfWarranty(d Decision, p Policy, r Request) Decision {
	d.Class, d.CoveredUntil, d.GrantID = OutOfWarranty, nil, ""
	d.Remedies = []string{Repair}
	d.Charges = charges(AllCharged, p.Fees)
	d.Reasons = append(d.Reasons, Reason{Rule: "out_of_warranty", Outcome: "applies", Source: p.Ref("fees"),
		Detail: "not covered: repair is charged at the policy's rates"})
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
func basisDate(u Unit, b Basis) (Date, string) {
	switch {
	case b == FromInvoice && !u.InvoiceDate.IsZero():
		return u.InvoiceDate, "invoice date"
	case b == FromInstall && !u.InstallDate.IsZero():
		return u.InstallDate, "install date"
	case b == FromPurchase:
		return u.PurchaseDate, "purchase date"
	}
	return u.PurchaseDate, fmt.Sprintf("purchase date (no %s date on file)", b)
}

func termLabel(component string) string {
	if component == WholeUnit {
		return "the whole unit"
	}
	return "the " + component
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
