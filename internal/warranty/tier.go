package warranty

import (
	"fmt"
	"slices"
	"strings"
)

// SLA targets (time limits), one name each wherever they appear: a tier's targets, an
// express product's, an order's clocks (package sla), breaches, events and compensation.
const (
	TargetAccept      = "accept"      // the outlet accepts the order
	TargetDispatch    = "dispatch"    // an engineer is assigned
	TargetAppointment = "appointment" // a visit is booked with the customer
	TargetArrival     = "arrival"     // the engineer is on site
	TargetCompletion  = "completion"  // the repair is done (called "resolution" before)
	TargetReturn      = "return"      // the unit is back with the customer
	TargetCallback    = "callback"    // the customer is called back
)

// TargetNames lists every target, in the order they usually fall.
var TargetNames = []string{TargetAccept, TargetDispatch, TargetAppointment, TargetArrival, TargetCompletion, TargetReturn, TargetCallback}

// CheckTargetName says what is wrong with a target name given by a tenant (a tier's or an
// express product's), "" when it is one of TargetNames.
func CheckTargetName(name string) string {
	if slices.Contains(TargetNames, name) {
		return ""
	}
	if name == "resolution" {
		return "is not a target: the repair's target is named completion"
	}
	return "is not a target (" + strings.Join(TargetNames, ", ") + ")"
}

// Target is one time limit: minutes of business time (the outlet's calendar) or of clock
// time (24x7).
type Target struct {
	Minutes int    `json:"minutes" minimum:"1" maximum:"525600"`
	Clock   string `json:"clock"`
}

// Tier is a service level: gold, silver, standard, or whatever a tenant names.
type Tier struct {
	Code    string            `json:"code" pattern:"^[a-z0-9_-]{1,32}$" example:"gold"`
	Name    string            `json:"name" minLength:"1" maxLength:"100"`
	Rank    int               `json:"rank" minimum:"1" maximum:"100" doc:"1 is the highest priority"`
	Targets map[string]Target `json:"targets" doc:"By target: accept, dispatch, appointment, arrival, completion, return, callback"`
	OnSite  bool              `json:"on_site" required:"false" doc:"Served on site rather than carry-in"`
	Loaner  bool              `json:"loaner" required:"false" doc:"Eligible for a loaner unit while in repair"`
	Default bool              `json:"default,omitempty" doc:"The tier of customers no rule matches"`
}

// Tier rule kinds.
const (
	RuleCustomerValue = "customer_value"
	RuleContract      = "contract"
	RulePlan          = "plan"
)

// RuleKinds lists the tier rule kinds.
var RuleKinds = []string{RuleCustomerValue, RuleContract, RulePlan}

// TierRule assigns a tier to customers matching it.
type TierRule struct {
	Tier             string `json:"tier"`
	Kind             string `json:"kind"` // one of RuleKinds
	MinLifetimeValue int64  `json:"min_lifetime_value,omitempty" minimum:"0" doc:"Minor units of lifetime purchases"`
	Match            string `json:"match,omitempty" maxLength:"64" doc:"Contract kind or plan code"`
}

// CustomerFacts are what tier rules read.
type CustomerFacts struct {
	LifetimeValue int64
	Contracts     []string // kinds of contracts in force
	Plans         []string // codes of purchased plans in force
	Override      string   // a tier set by hand (audited by the caller)
	OverrideWhy   string
}

// AssignTier picks the highest-ranked tier whose rule matches, the override if any, else
// the default tier. Reasons say which rules matched.
func AssignTier(tiers []Tier, rules []TierRule, f CustomerFacts) (Tier, []Reason, error) {
	byCode := map[string]Tier{}
	var def *Tier
	for i, t := range tiers {
		byCode[t.Code] = t
		if t.Default {
			def = &tiers[i]
		}
	}
	if f.Override != "" {
		t, ok := byCode[f.Override]
		if !ok {
			return Tier{}, nil, fmt.Errorf("override tier %q is not configured", f.Override)
		}
		return t, []Reason{NewReason("tier.override", "applies", "", Texts{"set by hand: " + f.OverrideWhy, "人工指定：" + f.OverrideWhy})}, nil
	}
	var best *Tier
	var reasons []Reason
	for _, r := range rules {
		t, ok := byCode[r.Tier]
		if !ok {
			continue
		}
		var hit bool
		var why Texts
		switch r.Kind {
		case RuleCustomerValue:
			hit = f.LifetimeValue >= r.MinLifetimeValue
			why = Texts{fmt.Sprintf("lifetime purchases %d against %d", f.LifetimeValue, r.MinLifetimeValue),
				fmt.Sprintf("累计消费 %d，门槛 %d", f.LifetimeValue, r.MinLifetimeValue)}
		case RuleContract:
			hit = slices.Contains(f.Contracts, r.Match)
			why = Texts{"contract " + r.Match, "合同 " + r.Match}
		case RulePlan:
			hit = slices.Contains(f.Plans, r.Match)
			why = Texts{"plan " + r.Match, "服务计划 " + r.Match}
		}
		outcome := "fail"
		if hit {
			outcome = "pass"
			if best == nil || t.Rank < best.Rank {
				tt := t
				best = &tt
			}
		}
		reasons = append(reasons, NewReason("tier."+r.Kind, outcome, "", Texts{fmt.Sprintf("%s -> %s", why.En, r.Tier),
			fmt.Sprintf("%s -> %s", why.ZhCN, r.Tier)}))
	}
	if best != nil {
		return *best, reasons, nil
	}
	if def == nil {
		return Tier{}, reasons, fmt.Errorf("no tier rule matched and no default tier is configured")
	}
	return *def, append(reasons, NewReason("tier.default", "applies", "", Texts{"no rule matched: " + def.Code, "未匹配任何规则：" + def.Code})), nil
}

// DefaultTiers are the tiers a new tenant starts with.
func DefaultTiers() []Tier {
	return []Tier{
		{Code: "gold", Name: "Gold 金牌", Rank: 1, OnSite: true, Loaner: true, Targets: map[string]Target{
			TargetAccept: {30, "clock"}, TargetArrival: {6 * 60, "clock"}, TargetCompletion: {24 * 60, "clock"}, TargetCallback: {24 * 60, "business"}}},
		{Code: "silver", Name: "Silver 银牌", Rank: 2, OnSite: true, Targets: map[string]Target{
			TargetAccept: {60, "business"}, TargetArrival: {24 * 60, "business"}, TargetCompletion: {48 * 60, "business"}, TargetCallback: {48 * 60, "business"}}},
		{Code: "standard", Name: "Standard 标准", Rank: 3, Default: true, Targets: map[string]Target{
			TargetAccept: {2 * 60, "business"}, TargetArrival: {48 * 60, "business"}, TargetCompletion: {72 * 60, "business"}, TargetCallback: {72 * 60, "business"}}},
	}
}

// Clocks are how a target's time is counted (Target.Clock), in the order the API documents them.
var Clocks = []string{"business", "clock"}
