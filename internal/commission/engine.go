// Package commission computes what engineers earn and lose on the orders they worked, and
// what outlets are charged for breaking the brand's promises, by the tenant's rules instead
// of by hand (提成工资, 维修奖惩, 期限扣费).
//
// The engine is pure: Compute takes one version of the rules and the facts of one audited
// order and returns the entries it is worth, each naming the rule and the order it comes
// from, in minor units and exact to the cent. Reverse and ReverseRefund undo them when the
// audit is reversed or the money given back. Storage, statements and jobs build on it.
package commission

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Service modes an order is worked in.
const (
	CarryIn    = "carry_in"
	OnSite     = "on_site"
	Outsourced = "outsourced"
)

// Modes lists the service modes, in the order the API documents them.
var Modes = []string{CarryIn, OnSite, Outsourced}

// Bases: a rate pays a fixed amount per order, or a percentage of the labour net of tax
// (one rate, or tiered: marginal brackets of the labour).
const (
	Fixed   = "fixed"
	Percent = "percent"
)

// Bases lists the rate bases, in the order the API documents them.
var Bases = []string{Fixed, Percent}

// Entry kinds: commission, the deductions (negative) and the rewards (positive).
const (
	KindCommission = "commission"
	KindLate       = "late"
	KindRepeat     = "repeat"
	KindComplaint  = "complaint"
	KindPoorScore  = "poor_score"
	KindGoodScore  = "good_score"
	KindPraise     = "praise"
	KindBreach     = "breach"       // an outlet's breach of the brand's time limits
	KindCompensate = "compensation" // compensation paid to a consumer, carried to the outlet
)

// Kinds lists the entry kinds, in the order the API documents them.
var Kinds = []string{KindCommission, KindLate, KindRepeat, KindComplaint, KindPoorScore, KindGoodScore, KindPraise, KindBreach, KindCompensate}

// Bracket is one bracket of a tiered rate: the labour up to UpTo (minor units; 0: no upper
// bound, the last tier) earns BasisPoints (1/100 of a percent) of the part within it.
type Bracket struct {
	UpTo        int64 `json:"up_to" minimum:"0" maximum:"100000000000" doc:"Upper bound of the bracket (minor units); 0 on the last: no bound"`
	BasisPoints int32 `json:"basis_points" minimum:"0" maximum:"10000" doc:"Rate within the bracket, in 1/100 of a percent (1250 = 12.5%)"`
}

// PayRate is one commission rate and what it applies to; an empty selector matches any value.
type PayRate struct {
	ID        string    `json:"id" minLength:"1" maxLength:"40" doc:"Names the rule in every entry it makes"`
	OrderType string    `json:"order_type,omitempty" maxLength:"40" doc:"An order type code; empty: any"`
	Mode      string    `json:"mode,omitempty" enum:"carry_in,on_site,outsourced" doc:"Service mode; empty: any"`
	MinLevel  int       `json:"min_level,omitempty" minimum:"0" maximum:"10" doc:"Engineers of this certification level or above"`
	Basis     string    `json:"basis" enum:"fixed,percent"`
	Amount    int64     `json:"amount,omitempty" minimum:"0" maximum:"100000000" doc:"Fixed: minor units per order"`
	Tiers     []Bracket `json:"tiers,omitempty" maxItems:"10" doc:"Percent: the brackets (one for a flat percentage)"`
}

// specificity ranks how closely a rate names an order: the most specific matching rate wins.
func (r PayRate) specificity() int {
	n := 0
	if r.OrderType != "" {
		n += 4
	}
	if r.Mode != "" {
		n += 2
	}
	if r.MinLevel > 0 {
		n++
	}
	return n
}

func (r PayRate) matches(orderType, mode string, level int) bool {
	return (r.OrderType == "" || r.OrderType == orderType) && (r.Mode == "" || r.Mode == mode) && level >= r.MinLevel
}

// LateRule charges an amount per started hour late after a grace, up to a cap.
type LateRule struct {
	ID           string `json:"id" minLength:"1" maxLength:"40"`
	GraceMinutes int    `json:"grace_minutes,omitempty" minimum:"0" maximum:"10080"`
	LateRule     int64  `json:"per_hour" minimum:"0" maximum:"100000000" doc:"Minor units per started hour late"`
	Cap          int64  `json:"cap,omitempty" minimum:"0" maximum:"100000000" doc:"At most this much per order (minor units); 0: no cap"`
}

// charge is the amount for minutes late: nothing within the grace, then per started hour.
func (p LateRule) charge(minutes int) (amount int64, hours int64) {
	late := minutes - p.GraceMinutes
	if late <= 0 {
		return 0, 0
	}
	hours = int64((late + 59) / 60)
	amount = hours * p.LateRule
	if p.Cap > 0 && amount > p.Cap {
		amount = p.Cap
	}
	return amount, hours
}

// FlatRule is a fixed amount when something happened (a complaint upheld, praise).
type FlatRule struct {
	ID     string `json:"id" minLength:"1" maxLength:"40"`
	Amount int64  `json:"amount" minimum:"0" maximum:"100000000" doc:"Minor units"`
}

// RepeatRule charges the engineers of a repair when the same fault comes back within Days.
type RepeatRule struct {
	ID     string `json:"id" minLength:"1" maxLength:"40"`
	Days   int    `json:"days" minimum:"1" maximum:"365"`
	Amount int64  `json:"amount" minimum:"0" maximum:"100000000" doc:"Minor units"`
}

// ScoreRule pays or charges on the customer's callback score (1 to 5): a poor score is
// At or below, a good score At or above.
type ScoreRule struct {
	ID     string `json:"id" minLength:"1" maxLength:"40"`
	At     int    `json:"at" minimum:"1" maximum:"5"`
	Amount int64  `json:"amount" minimum:"0" maximum:"100000000" doc:"Minor units"`
}

// Accrual says when commission is earned: when the order is audited (审核), or when the
// customer's money is received.
const (
	AccrueOnAudit    = "audit"
	AccrueOnReceived = "received"
)

// PayRules are one version of a tenant's engineer pay rules.
type PayRules struct {
	Rates     []PayRate      `json:"rates" maxItems:"200"`
	Shares    map[string]int `json:"shares" doc:"Weight of each role on an order (lead, assistant) in its split"`
	Late      *LateRule      `json:"late,omitempty" doc:"Deduction for finishing late against the SLA"`
	Repeat    *RepeatRule    `json:"repeat,omitempty" doc:"Deduction when the same fault comes back"`
	Complaint *FlatRule      `json:"complaint,omitempty" doc:"Deduction for a complaint upheld"`
	PoorScore *ScoreRule     `json:"poor_score,omitempty" doc:"Deduction for a poor callback score"`
	GoodScore *ScoreRule     `json:"good_score,omitempty" doc:"Reward for a good callback score"`
	Praise    *FlatRule      `json:"praise,omitempty" doc:"Reward for the customer's praise"`
	Accrual   string         `json:"accrual,omitempty" enum:"audit,received" doc:"When commission is earned; default audit"`
	// TaxBasisPoints is the tax included in the labour charged (1/100 of a percent):
	// commission is on labour net of it.
	TaxBasisPoints int32 `json:"tax_basis_points,omitempty" minimum:"0" maximum:"10000" doc:"Tax included in the labour charged, in 1/100 of a percent (600 = 6%); commission is on labour net of it"`
	// Breach charges the outlet of an order for each of the brand's time targets it broke (期限扣费).
	Breach *BreachRule `json:"breach,omitempty" doc:"Outlet penalty per SLA target breached (期限扣费)"`
}

// BreachRule charges an outlet a fixed amount for each SLA target of the brand it breached;
// Targets limits it to some targets (empty: every target).
type BreachRule struct {
	ID      string   `json:"id" minLength:"1" maxLength:"40"`
	Amount  int64    `json:"amount" minimum:"0" maximum:"100000000" doc:"Minor units per breached target"`
	Targets []string `json:"targets,omitempty" maxItems:"10" doc:"SLA targets charged (accept, dispatch, arrival, completion ...); empty: all"`
}

// Charge is the outlet's penalty for breaching target, and whether the rule charges it.
func (b *BreachRule) Charge(target string) (int64, bool) {
	if b == nil || b.Amount == 0 || len(b.Targets) > 0 && !slices.Contains(b.Targets, target) {
		return 0, false
	}
	return b.Amount, true
}

// Engineer is one engineer who worked an order, with their role and certification level.
type Engineer struct {
	UserID uuid.UUID `json:"user_id"`
	Role   string    `json:"role"`
	Level  int       `json:"level"`
}

// Earlier is the earlier repair of the same fault an order repeats.
type Earlier struct {
	OrderID   uuid.UUID  `json:"order_id"`
	Days      int        `json:"days" doc:"Days between the earlier repair and this order"`
	Engineers []Engineer `json:"engineers"`
}

// Facts are what the engine knows of an audited order.
type Facts struct {
	OrderID     uuid.UUID  `json:"order_id"`
	OrderType   string     `json:"order_type"`
	Mode        string     `json:"mode"`
	LabourNet   int64      `json:"labour_net" doc:"Labour charged, net of tax (minor units)"`
	Engineers   []Engineer `json:"engineers"`
	LateMinutes int        `json:"late_minutes" doc:"Minutes the order finished after its SLA's due time"`
	Repeats     *Earlier   `json:"repeats,omitempty"`
	Complaint   bool       `json:"complaint_upheld"`
	Score       int        `json:"score,omitempty" doc:"The customer's callback score, 1 to 5; 0: none"`
	Praise      bool       `json:"praise"`
}

// PayEntry is one line of pay: an amount (negative for a deduction) for one engineer or
// outlet, naming the order and the rule it comes from and why.
type PayEntry struct {
	Party    uuid.UUID  `json:"party_id" doc:"The engineer (user) or outlet"`
	OrderID  uuid.UUID  `json:"order_id"`
	Related  *uuid.UUID `json:"related_order_id,omitempty" doc:"The order that brought it about (a repeat's later order)"`
	Kind     string     `json:"kind"`
	Rule     string     `json:"rule" doc:"The rule's id in the rules version"`
	Amount   int64      `json:"amount" doc:"Minor units; negative: a deduction"`
	Detail   string     `json:"detail" doc:"How it was reckoned"`
	Reverses bool       `json:"reverses,omitempty" doc:"Undoes an earlier entry (audit reversed, money refunded)"`
}

// NetOfTax is the amount without its tax: gross × 10000 / (10000 + tax basis points),
// rounded half up to the cent.
func NetOfTax(gross int64, taxBasisPoints int32) int64 {
	d := 10000 + int64(taxBasisPoints)
	return (gross*10000*2 + d) / (2 * d)
}

// percentOf is labour through the brackets: each bracket's part at its rate, summed
// exactly and rounded half up once.
func percentOf(labour int64, tiers []Bracket) (int64, string) {
	var sum, low int64 // sum in minor units × 10000
	detail := ""
	for i, t := range tiers {
		high := t.UpTo
		if high == 0 || i == len(tiers)-1 && high < labour {
			high = labour
		}
		part := min(labour, high) - low
		if part <= 0 {
			break
		}
		sum += part * int64(t.BasisPoints)
		if detail != "" {
			detail += " + "
		}
		detail += fmt.Sprintf("%s at %s%%", money(part), bp(t.BasisPoints))
		low = high
	}
	if detail == "" {
		detail = "no labour"
	}
	return (sum + 5000) / 10000, detail
}

// base is what one engineer's rate makes of the whole order, before the split.
func (r PayRules) base(f Facts, e Engineer) (PayRate, int64, string, bool) {
	best, found := PayRate{}, false
	for _, rate := range r.Rates {
		if rate.matches(f.OrderType, f.Mode, e.Level) && (!found || rate.specificity() > best.specificity()) {
			best, found = rate, true
		}
	}
	if !found {
		return best, 0, "", false
	}
	if best.Basis == Fixed {
		return best, best.Amount, fmt.Sprintf("fixed %s per order", money(best.Amount)), true
	}
	amount, detail := percentOf(f.LabourNet, best.Tiers)
	return best, amount, "labour net of tax " + money(f.LabourNet) + ": " + detail, true
}

// weights are the engineers' shares of an order by role; roles the rules do not weigh get
// none, and an order whose roles all weigh nothing splits evenly.
func (r PayRules) weights(es []Engineer) ([]int64, int64) {
	w := make([]int64, len(es))
	var total int64
	for i, e := range es {
		w[i] = int64(r.Shares[e.Role])
		total += w[i]
	}
	if total == 0 {
		for i := range w {
			w[i] = 1
		}
		total = int64(len(es))
	}
	return w, total
}

// split divides each engineer's amount by their weight so that the parts sum exactly to
// the exact total rounded down: each part is rounded down and the cents left go to the
// largest remainders, the lead first among equals.
func split(es []Engineer, amounts, w []int64, total int64) []int64 {
	out := make([]int64, len(es))
	rem := make([]int64, len(es))
	var num, got int64
	for i := range es {
		n := amounts[i] * w[i]
		num += n
		out[i], rem[i] = n/total, n%total
		got += out[i]
	}
	left := num/total - got
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(rem[b], rem[a]); c != 0 {
			return c
		}
		return cmp.Compare(roleRank(es[a].Role), roleRank(es[b].Role))
	})
	for _, i := range order {
		if left == 0 {
			break
		}
		if w[i] > 0 {
			out[i]++
			left--
		}
	}
	return out
}

func roleRank(role string) int {
	if role == "lead" {
		return 0
	}
	return 1
}

// each is the same amount for every engineer of the order, before the split.
func each(es []Engineer, v int64) []int64 {
	out := make([]int64, len(es))
	for i := range out {
		out[i] = v
	}
	return out
}

// Compute is what an audited order is worth to its engineers under one version of the
// rules: commission by each engineer's matching rate split by role, then the deductions
// and rewards the facts call for, split the same way (a repeat charges the engineers of
// the earlier repair). Entries of zero are left out.
func (r PayRules) Compute(f Facts) []PayEntry {
	var out []PayEntry
	es := f.Engineers
	if len(es) == 0 {
		return nil
	}
	w, total := r.weights(es)
	share := func(i int) string {
		if len(es) == 1 {
			return ""
		}
		return fmt.Sprintf("; %s share %d/%d", es[i].Role, w[i], total)
	}
	add := func(kind, rule string, amounts []int64, sign int64, detail func(i int) string) {
		for i, a := range split(es, amounts, w, total) {
			if a != 0 {
				out = append(out, PayEntry{Party: es[i].UserID, OrderID: f.OrderID, Kind: kind, Rule: rule, Amount: sign * a, Detail: detail(i) + share(i)})
			}
		}
	}

	bases := make([]int64, len(es))
	rates := make([]PayRate, len(es))
	details := make([]string, len(es))
	for i, e := range es {
		rates[i], bases[i], details[i], _ = r.base(f, e)
	}
	// Engineers under different rates each get their rate's share; the split is per rule.
	byRule := map[string][]int{}
	var ruleOrder []string
	for i := range es {
		if _, ok := byRule[rates[i].ID]; !ok {
			ruleOrder = append(ruleOrder, rates[i].ID)
		}
		byRule[rates[i].ID] = append(byRule[rates[i].ID], i)
	}
	parts := split(es, bases, w, total)
	for _, id := range ruleOrder {
		if id == "" {
			continue // no rate matches these engineers
		}
		for _, i := range byRule[id] {
			if parts[i] != 0 {
				out = append(out, PayEntry{Party: es[i].UserID, OrderID: f.OrderID, Kind: KindCommission, Rule: id, Amount: parts[i],
					Detail: details[i] + share(i)})
			}
		}
	}

	if r.Late != nil {
		if amount, hours := r.Late.charge(f.LateMinutes); amount > 0 {
			add(KindLate, r.Late.ID, each(es, amount), -1, func(int) string {
				d := fmt.Sprintf("%d min late, %d h at %s", f.LateMinutes, hours, money(r.Late.LateRule))
				if r.Late.Cap > 0 && hours*r.Late.LateRule > r.Late.Cap {
					d += fmt.Sprintf(", capped at %s", money(r.Late.Cap))
				}
				return d
			})
		}
	}
	if r.Complaint != nil && f.Complaint {
		add(KindComplaint, r.Complaint.ID, each(es, r.Complaint.Amount), -1, func(int) string { return "complaint upheld" })
	}
	if f.Score > 0 && r.PoorScore != nil && f.Score <= r.PoorScore.At {
		add(KindPoorScore, r.PoorScore.ID, each(es, r.PoorScore.Amount), -1, func(int) string {
			return fmt.Sprintf("callback score %d, at or below %d", f.Score, r.PoorScore.At)
		})
	}
	if f.Score > 0 && r.GoodScore != nil && f.Score >= r.GoodScore.At {
		add(KindGoodScore, r.GoodScore.ID, each(es, r.GoodScore.Amount), 1, func(int) string {
			return fmt.Sprintf("callback score %d, at or above %d", f.Score, r.GoodScore.At)
		})
	}
	if r.Praise != nil && f.Praise {
		add(KindPraise, r.Praise.ID, each(es, r.Praise.Amount), 1, func(int) string { return "praised by the customer" })
	}
	if r.Repeat != nil && f.Repeats != nil && f.Repeats.Days <= r.Repeat.Days && len(f.Repeats.Engineers) > 0 {
		ee := f.Repeats.Engineers
		ew, et := r.weights(ee)
		later := f.OrderID
		for i, a := range split(ee, each(ee, r.Repeat.Amount), ew, et) {
			if a == 0 {
				continue
			}
			d := fmt.Sprintf("same fault back after %d days (within %d)", f.Repeats.Days, r.Repeat.Days)
			if len(ee) > 1 {
				d += fmt.Sprintf("; %s share %d/%d", ee[i].Role, ew[i], et)
			}
			out = append(out, PayEntry{Party: ee[i].UserID, OrderID: f.Repeats.OrderID, Related: &later, Kind: KindRepeat, Rule: r.Repeat.ID,
				Amount: -a, Detail: d})
		}
	}
	return out
}

// Reverse undoes entries (the audit reversed): each becomes its negation, marked as a reversal.
func Reverse(entries []PayEntry, why string) []PayEntry {
	out := make([]PayEntry, 0, len(entries))
	for _, e := range entries {
		if e.Reverses || e.Amount == 0 {
			continue
		}
		e.Amount = -e.Amount
		e.Reverses = true
		e.Detail = why + ": reverses " + e.Detail
		out = append(out, e)
	}
	return out
}

// ReverseRefund undoes the commission on money given back: each commission entry in the
// proportion refunded of paid, rounded down (deductions and rewards stand: they were for
// the work, not the money). A full refund reverses the commission exactly.
func ReverseRefund(entries []PayEntry, refunded, paid int64) []PayEntry {
	if paid <= 0 || refunded <= 0 {
		return nil
	}
	refunded = min(refunded, paid)
	var out []PayEntry
	for _, e := range entries {
		if e.Kind != KindCommission || e.Reverses {
			continue
		}
		a := e.Amount * refunded / paid
		if a == 0 {
			continue
		}
		e.Amount = -a
		e.Reverses = true
		e.Detail = fmt.Sprintf("refund of %s of %s: reverses %s", money(refunded), money(paid), e.Detail)
		out = append(out, e)
	}
	return out
}

// Version is one version of a tenant's rules and the days it is in force: from
// EffectiveFrom until the next version starts.
type Version struct {
	Number        int       `json:"version"`
	EffectiveFrom time.Time `json:"effective_from" format:"date"`
	Rules         PayRules  `json:"rules"`
}

// InForce is the version in force on day: the latest to start on or before it.
func InForce(versions []Version, day time.Time) (Version, bool) {
	var best Version
	found := false
	for _, v := range versions {
		if !v.EffectiveFrom.After(day) && (!found || v.EffectiveFrom.After(best.EffectiveFrom) ||
			v.EffectiveFrom.Equal(best.EffectiveFrom) && v.Number > best.Number) {
			best, found = v, true
		}
	}
	return best, found
}

// MayStart says whether a new version may start on from: any day, past days too, unless
// an order audited on or after it was already paid under the rules (its pay would change
// behind a statement); lastComputed is the latest audit day already computed, zero if none.
func MayStart(from, lastComputed time.Time) bool {
	return lastComputed.IsZero() || from.After(lastComputed)
}

func money(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

func bp(v int32) string {
	if v%100 == 0 {
		return fmt.Sprintf("%d", v/100)
	}
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}
