package warranty

import "testing"

func TestAssignTier(t *testing.T) {
	t.Parallel()
	tiers := DefaultTiers()
	rules := []TierRule{
		{Tier: "silver", Kind: RuleCustomerValue, MinLifetimeValue: 1_000_000},
		{Tier: "gold", Kind: RuleCustomerValue, MinLifetimeValue: 5_000_000},
		{Tier: "gold", Kind: RuleContract, Match: "enterprise"},
		{Tier: "gold", Kind: RulePlan, Match: "gold-express-1y"},
	}
	cases := []struct {
		name  string
		facts CustomerFacts
		want  string
	}{
		{"nobody special", CustomerFacts{LifetimeValue: 10}, "standard"},
		{"silver by value", CustomerFacts{LifetimeValue: 1_000_000}, "silver"},
		{"value just below silver", CustomerFacts{LifetimeValue: 999_999}, "standard"},
		{"gold by value beats silver", CustomerFacts{LifetimeValue: 9_000_000}, "gold"},
		{"gold by contract", CustomerFacts{Contracts: []string{"enterprise"}}, "gold"},
		{"gold by purchased plan", CustomerFacts{Plans: []string{"gold-express-1y"}}, "gold"},
		{"override wins", CustomerFacts{LifetimeValue: 9_000_000, Override: "silver", OverrideWhy: "complaint settlement"}, "silver"},
	}
	for _, c := range cases {
		got, reasons, err := AssignTier(tiers, rules, c.facts)
		if err != nil || got.Code != c.want {
			t.Errorf("%s: %s %v, want %s (%+v)", c.name, got.Code, err, c.want, reasons)
		}
	}
	if _, _, err := AssignTier(tiers, rules, CustomerFacts{Override: "platinum"}); err == nil {
		t.Error("unknown override accepted")
	}
	if _, _, err := AssignTier(tiers[:2], nil, CustomerFacts{}); err == nil {
		t.Error("no default tier and no match accepted")
	}
}
