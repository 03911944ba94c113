package commission

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var (
	lead   = Engineer{UserID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), Role: "lead", Level: 3}
	helper = Engineer{UserID: uuid.MustParse("00000000-0000-0000-0000-00000000000b"), Role: "assistant", Level: 1}
	junior = Engineer{UserID: uuid.MustParse("00000000-0000-0000-0000-00000000000c"), Role: "assistant", Level: 1}
	order  = uuid.MustParse("00000000-0000-0000-0000-0000000000f1")
	before = uuid.MustParse("00000000-0000-0000-0000-0000000000f0")
)

func pct(bp int32) []Bracket { return []Bracket{{BasisPoints: bp}} }

// sums are the entries' amounts by party and kind.
func sums(es []PayEntry) map[string]int64 {
	out := map[string]int64{}
	for _, e := range es {
		who := map[uuid.UUID]string{lead.UserID: "lead", helper.UserID: "helper", junior.UserID: "junior"}[e.Party]
		out[who+"/"+e.Kind] += e.Amount
	}
	return out
}

func TestCommissionRates(t *testing.T) {
	t.Parallel()
	rules := PayRules{Rates: []PayRate{
		{ID: "any", Basis: Percent, Tiers: pct(1000)},
		{ID: "install", OrderType: "install", Basis: Fixed, Amount: 8000},
		{ID: "onsite", Mode: OnSite, Basis: Percent, Tiers: pct(1500)},
		{ID: "major-onsite", OrderType: "major_repair", Mode: OnSite, Basis: Percent, Tiers: pct(2000)},
		{ID: "major-onsite-senior", OrderType: "major_repair", Mode: OnSite, MinLevel: 3, Basis: Percent, Tiers: pct(2500)},
		{ID: "tiered", OrderType: "gas_conversion", Basis: Percent, Tiers: []Bracket{{UpTo: 10000, BasisPoints: 1000}, {UpTo: 30000, BasisPoints: 2000}, {BasisPoints: 3000}}},
		{ID: "outsourced", Mode: Outsourced, Basis: Fixed, Amount: 0},
	}}
	cases := []struct {
		name   string
		facts  Facts
		want   map[string]int64
		rule   string
		detail string
	}{
		{"a percentage of labour, any type", Facts{OrderType: "minor_repair", Mode: CarryIn, LabourNet: 12345, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 1235}, "any", "123.45 at 10%"}, // 12.345 rounds half up,
		{"fixed by order type", Facts{OrderType: "install", Mode: OnSite, LabourNet: 99999, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 8000}, "install", "fixed 80.00"},
		{"service mode beats any", Facts{OrderType: "minor_repair", Mode: OnSite, LabourNet: 10000, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 1500}, "onsite", ""},
		{"type and mode beat mode", Facts{OrderType: "major_repair", Mode: OnSite, LabourNet: 10000, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 2000}, "major-onsite", ""},
		{"level 3 reaches the senior rate", Facts{OrderType: "major_repair", Mode: OnSite, LabourNet: 10000, Engineers: []Engineer{lead}},
			map[string]int64{"lead/commission": 2500}, "major-onsite-senior", ""},
		{"tiered: within the first bracket", Facts{OrderType: "gas_conversion", LabourNet: 10000, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 1000}, "tiered", ""},
		{"tiered: one cent into the second", Facts{OrderType: "gas_conversion", LabourNet: 10001, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 1000}, "tiered", "0.01 at 20%"}, // 1000 + 0.2 cent rounds down
		{"tiered: through all three", Facts{OrderType: "gas_conversion", LabourNet: 50000, Engineers: []Engineer{helper}},
			map[string]int64{"helper/commission": 1000 + 4000 + 6000}, "tiered", "200.00 at 30%"},
		{"no labour, no percentage", Facts{OrderType: "minor_repair", LabourNet: 0, Engineers: []Engineer{helper}},
			map[string]int64{}, "", ""},
		{"a zero rate pays nothing", Facts{OrderType: "minor_repair", Mode: Outsourced, LabourNet: 50000, Engineers: []Engineer{helper}},
			map[string]int64{}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.facts.OrderID = order
			got := rules.Compute(c.facts)
			if s := sums(got); len(s) != len(c.want) || func() bool {
				for k, v := range c.want {
					if s[k] != v {
						return true
					}
				}
				return false
			}() {
				t.Fatalf("entries %+v, want %v", got, c.want)
			}
			if c.rule != "" && (got[0].Rule != c.rule || got[0].OrderID != order || !strings.Contains(got[0].Detail, c.detail)) {
				t.Fatalf("entry %+v, want rule %s on the order, detail with %q", got[0], c.rule, c.detail)
			}
		})
	}
}

func TestNetOfTax(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		gross int64
		tax   int32
		want  int64
	}{{11300, 1300, 10000}, {100, 1300, 88}, {0, 1300, 0}, {10600, 600, 10000}, {1, 0, 1}, {11299, 1300, 9999}} {
		if got := NetOfTax(c.gross, c.tax); got != c.want {
			t.Errorf("NetOfTax(%d, %d) = %d, want %d", c.gross, c.tax, got, c.want)
		}
	}
}

func TestSplitByRole(t *testing.T) {
	t.Parallel()
	rules := PayRules{Rates: []PayRate{{ID: "flat", Basis: Fixed, Amount: 10001}, {ID: "senior", MinLevel: 3, Basis: Fixed, Amount: 20000}},
		Shares: map[string]int{"lead": 2, "assistant": 1}}
	cases := []struct {
		name string
		es   []Engineer
		want map[string]int64
	}{
		{"alone: all of it", []Engineer{helper}, map[string]int64{"helper/commission": 10001}},
		// The senior rate is the lead's (20000 × 2/3), the assistant's own rate (10001 × 1/3).
		{"lead and assistant each at their rate", []Engineer{lead, helper}, map[string]int64{"lead/commission": 13333, "helper/commission": 3334}},
		// Two assistants at the same rate: 10001 split 1:1, the odd cent to the first.
		{"two assistants, exact to the cent", []Engineer{helper, junior}, map[string]int64{"helper/commission": 5001, "junior/commission": 5000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sums(rules.Compute(Facts{OrderID: order, Engineers: c.es}))
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("split %v, want %v", got, c.want)
				}
			}
		})
	}
	// Equal rates: the parts always add up to the whole, whatever the weights.
	even := PayRules{Rates: []PayRate{{ID: "flat", Basis: Fixed}}, Shares: map[string]int{"lead": 7, "assistant": 3}}
	for amount := int64(1); amount < 500; amount += 7 {
		even.Rates[0].Amount = amount
		var total int64
		for _, e := range even.Compute(Facts{OrderID: order, Engineers: []Engineer{{UserID: lead.UserID, Role: "lead"}, helper, junior}}) {
			total += e.Amount
		}
		if total != amount {
			t.Fatalf("amount %d split into parts summing %d", amount, total)
		}
	}
	// Roles the rules do not weigh: an even split.
	none := PayRules{Rates: []PayRate{{ID: "flat", Basis: Fixed, Amount: 100}}}
	if got := sums(none.Compute(Facts{OrderID: order, Engineers: []Engineer{lead, helper}})); got["lead/commission"] != 50 || got["helper/commission"] != 50 {
		t.Fatalf("unweighted split %v, want 50/50", got)
	}
	if got := none.Compute(Facts{OrderID: order}); got != nil {
		t.Fatalf("an order without engineers made %v", got)
	}
}

func TestDeductionsAndRewards(t *testing.T) {
	t.Parallel()
	rules := PayRules{Shares: map[string]int{"lead": 1, "assistant": 1},
		Late:      &LateRule{ID: "late", GraceMinutes: 30, LateRule: 1000, Cap: 5000},
		Repeat:    &RepeatRule{ID: "repeat-30", Days: 30, Amount: 3000},
		Complaint: &FlatRule{ID: "complaint", Amount: 20000},
		PoorScore: &ScoreRule{ID: "poor", At: 2, Amount: 1500},
		GoodScore: &ScoreRule{ID: "good", At: 5, Amount: 800},
		Praise:    &FlatRule{ID: "praise", Amount: 2000},
	}
	one := []Engineer{lead}
	cases := []struct {
		name  string
		facts Facts
		want  map[string]int64
	}{
		{"on time", Facts{Engineers: one}, map[string]int64{}},
		{"late within the grace", Facts{Engineers: one, LateMinutes: 30}, map[string]int64{}},
		{"one minute past the grace: a started hour", Facts{Engineers: one, LateMinutes: 31}, map[string]int64{"lead/late": -1000}},
		{"exactly an hour past the grace", Facts{Engineers: one, LateMinutes: 90}, map[string]int64{"lead/late": -1000}},
		{"a minute into the second hour", Facts{Engineers: one, LateMinutes: 91}, map[string]int64{"lead/late": -2000}},
		{"capped", Facts{Engineers: one, LateMinutes: 60 * 24}, map[string]int64{"lead/late": -5000}},
		{"late, split between two", Facts{Engineers: []Engineer{lead, helper}, LateMinutes: 31}, map[string]int64{"lead/late": -500, "helper/late": -500}},
		{"complaint upheld", Facts{Engineers: one, Complaint: true}, map[string]int64{"lead/complaint": -20000}},
		{"score at the poor mark", Facts{Engineers: one, Score: 2}, map[string]int64{"lead/poor_score": -1500}},
		{"score just above it", Facts{Engineers: one, Score: 3}, map[string]int64{}},
		{"score at the good mark, and praise", Facts{Engineers: one, Score: 5, Praise: true}, map[string]int64{"lead/good_score": 800, "lead/praise": 2000}},
		{"no score given", Facts{Engineers: one, Score: 0}, map[string]int64{}},
		{"repeat on the last day: the earlier engineers pay", Facts{Engineers: []Engineer{helper},
			Repeats: &Earlier{OrderID: before, Days: 30, Engineers: []Engineer{lead, junior}}},
			map[string]int64{"lead/repeat": -1500, "junior/repeat": -1500}},
		{"repeat a day later: nothing", Facts{Engineers: []Engineer{helper}, Repeats: &Earlier{OrderID: before, Days: 31, Engineers: one}},
			map[string]int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.facts.OrderID = order
			entries := rules.Compute(c.facts)
			got := sums(entries)
			if len(got) != len(c.want) {
				t.Fatalf("entries %+v, want %v", entries, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("entries %+v, want %v", entries, c.want)
				}
			}
			for _, e := range entries {
				if e.Rule == "" || e.Detail == "" {
					t.Fatalf("entry %+v names no rule or reason", e)
				}
				if e.Kind == KindRepeat && (e.OrderID != before || e.Related == nil || *e.Related != order) {
					t.Fatalf("repeat entry %+v, want it on the earlier order, naming the later one", e)
				}
			}
		})
	}
}

func TestReversal(t *testing.T) {
	t.Parallel()
	rules := PayRules{Rates: []PayRate{{ID: "p", Basis: Percent, Tiers: pct(1000)}}, Shares: map[string]int{"lead": 2, "assistant": 1},
		Complaint: &FlatRule{ID: "c", Amount: 900}}
	entries := rules.Compute(Facts{OrderID: order, LabourNet: 30000, Engineers: []Engineer{lead, helper}, Complaint: true})
	back := Reverse(entries, "audit reversed")
	all := append(append([]PayEntry{}, entries...), back...)
	for k, v := range sums(all) {
		if v != 0 {
			t.Fatalf("after reversal %s is %d, want 0 (%+v)", k, v, all)
		}
	}
	if len(back) != len(entries) || !back[0].Reverses || !strings.HasPrefix(back[0].Detail, "audit reversed") {
		t.Fatalf("reversal %+v", back)
	}
	if again := Reverse(back, "x"); len(again) != 0 {
		t.Fatalf("reversing reversals made %+v", again)
	}

	// A refund reverses the commission in proportion, not the complaint's deduction.
	half := sums(ReverseRefund(entries, 5000, 10000))
	if half["lead/commission"] != -1000 || half["helper/commission"] != -500 || half["lead/complaint"] != 0 {
		t.Fatalf("half refunded: %v", half)
	}
	full := sums(append(append([]PayEntry{}, entries...), ReverseRefund(entries, 10000, 10000)...))
	if full["lead/commission"] != 0 || full["helper/commission"] != 0 || full["lead/complaint"] != -600 {
		t.Fatalf("fully refunded: %v", full)
	}
	if got := ReverseRefund(entries, 20000, 10000); sums(got)["lead/commission"] != -2000 {
		t.Fatalf("refund above paid reverses more than all: %v", sums(got))
	}
	if got := ReverseRefund(entries, 0, 10000); got != nil {
		t.Fatalf("nothing refunded, reversed %v", got)
	}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	vs := []Version{{Number: 1, EffectiveFrom: day("2026-01-01")}, {Number: 2, EffectiveFrom: day("2026-06-01")},
		{Number: 3, EffectiveFrom: day("2026-03-01")}} // back-dated after version 2 was made
	for _, c := range []struct {
		day  string
		want int
	}{{"2025-12-31", 0}, {"2026-01-01", 1}, {"2026-02-28", 1}, {"2026-03-01", 3}, {"2026-05-31", 3}, {"2026-06-01", 2}} {
		v, ok := InForce(vs, day(c.day))
		if (c.want == 0) == ok || ok && v.Number != c.want {
			t.Errorf("in force on %s: version %d (%v), want %d", c.day, v.Number, ok, c.want)
		}
	}
	if !MayStart(day("2026-01-01"), time.Time{}) || MayStart(day("2026-03-01"), day("2026-03-01")) ||
		!MayStart(day("2026-03-02"), day("2026-03-01")) {
		t.Fatal("back-dating: open before any order is paid, and only after the last day paid")
	}
}
