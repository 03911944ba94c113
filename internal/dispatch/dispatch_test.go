package dispatch

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestArea(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ p, c, d, want string }{
		{"310000", "310100", "310115", "310115"},
		{"310000", "310100", "", "3101"},
		{"440000", "", "", "44"},
		{"", "", "", ""},
	} {
		if got := Area(c.p, c.c, c.d); got != c.want {
			t.Errorf("Area(%s,%s,%s) = %q, want %q", c.p, c.c, c.d, got, c.want)
		}
	}
}

func TestRankOutlets(t *testing.T) {
	t.Parallel()
	a, b, c, d := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	rows := []CoveringOutlet{
		{ID: a, Code: "A", RegionCode: "31", Authorized: true, Load: 0},
		{ID: b, Code: "B", RegionCode: "310115", Authorized: true, Load: 5, DailyCapacity: 5}, // most specific but full
		{ID: c, Code: "C", RegionCode: "3101", Authorized: false},                             // not authorized
		{ID: d, Code: "D", RegionCode: "3101", Authorized: true, Load: 1, DailyCapacity: 10},
		{ID: a, Code: "A", RegionCode: "3101", Authorized: true, Load: 0}, // A also covers the city: its best entry counts
	}
	got := RankOutlets(rows, true, nil)
	order := []uuid.UUID{}
	for _, g := range got {
		order = append(order, g.OutletID)
	}
	// Eligible first: A and D cover the city; A has no load. Then the ineligible: B (full,
	// more specific) before C (unauthorized).
	want := []uuid.UUID{a, d, b, c}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v (%+v)", order, want, got)
		}
	}
	if got[0].Specificity != 4 || got[2].Eligible || got[3].Eligible {
		t.Fatalf("ranking details: %+v", got)
	}
	// Without a known category, authorization is not a filter.
	if r := RankOutlets(rows[2:3], false, nil); !r[0].Eligible {
		t.Fatalf("unknown category: %+v", r)
	}
}

func TestRankEngineersRuleOrder(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	des, def, served, recent, near, busy, unskilled := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	now := time.Now()
	engs := []Engineer{
		{UserID: def, Name: "default", IsDefault: true, Level: 3, Skills: []string{"gas"}},
		{UserID: served, Name: "served", Level: 3, Skills: []string{"gas"}, Served: 5, LastServed: now.AddDate(0, -6, 0)},
		{UserID: recent, Name: "recent", Level: 3, Skills: []string{"gas"}, Served: 1, LastServed: now.AddDate(0, 0, -2)},
		{UserID: near, Name: "near", Level: 3, Skills: []string{"gas"}, Latitude: f(31.23), Longitude: f(121.47)},
		{UserID: busy, Name: "busy", Level: 3, Skills: []string{"gas"}, OpenOrders: 8},
		{UserID: unskilled, Name: "unskilled", Level: 3},
		{UserID: des, Name: "designated", Level: 1, Skills: []string{"gas"}},
	}
	need := EngineerNeed{Designated: uuid.NullUUID{UUID: des, Valid: true}, Skill: "gas", MinLevel: 2, MaxOpen: 8,
		Lat: f(31.22), Lon: f(121.48), Rules: []string{"designated", "outlet_default", "most_served", "most_recent", "nearest"}}
	got := RankEngineers(engs, need)
	// The designated engineer lacks the level: the first rule names no one.
	wantRules := []string{"outlet_default", "most_served", "most_recent", "nearest"}
	wantIDs := []uuid.UUID{def, served, recent, near}
	for i := range wantRules {
		if got[i].Rule != wantRules[i] || got[i].UserID != wantIDs[i] {
			t.Fatalf("rank %d: %s %s, want %s (%+v)", i, got[i].Name, got[i].Rule, wantRules[i], got)
		}
	}
	for _, g := range got[4:] {
		if g.Eligible {
			t.Errorf("%s should be ineligible: %+v", g.Name, g)
		}
	}
	// Another rule order changes the proposal.
	need.Rules = []string{"nearest", "most_recent"}
	if got := RankEngineers(engs, need); got[0].UserID != near || got[1].UserID != recent || got[2].Rule != "least_loaded" {
		t.Fatalf("nearest first: %+v", got[:3])
	}
	// Declined engineers are excluded.
	need.Exclude = []uuid.UUID{near}
	if got := RankEngineers(engs, need); got[0].UserID != recent {
		t.Fatalf("after the nearest declined: %+v", got[0])
	}
}

func TestHaversine(t *testing.T) {
	t.Parallel()
	// Shanghai People's Square to Beijing Tiananmen: about 1068 km.
	if d := Haversine(31.2304, 121.4737, 39.9042, 116.4074); math.Abs(d-1068) > 5 {
		t.Fatalf("distance %.1f km", d)
	}
}

// TestPaidPromiseRanking: with a paid promise the outlet with room today beats the more
// specific but busier one, and the nearest engineer beats the outlet's default; both name
// the promise. Without one, the ordinary ranking stands.
func TestPaidPromiseRanking(t *testing.T) {
	t.Parallel()
	busy, free := uuid.New(), uuid.New()
	rows := []CoveringOutlet{
		{ID: busy, Code: "BUSY", RegionCode: "310115", Authorized: true, Load: 6, DailyCapacity: 8},
		{ID: free, Code: "FREE", RegionCode: "31", Authorized: true, Load: 1, DailyCapacity: 8},
	}
	if got := RankOutlets(rows, true, nil); got[0].OutletID != busy {
		t.Fatalf("without a promise the district's outlet leads: %+v", got)
	}
	promise := []string{PromiseReason("per_incident", "6-hour on-site")}
	got := RankOutlets(rows, true, promise)
	if got[0].OutletID != free || !slices.Contains(got[0].Reasons, "paid express promise: 6-hour on-site: the outlet with the most room today first") {
		t.Fatalf("with a promise the outlet with room leads, naming it: %+v", got)
	}
	f := func(v float64) *float64 { return &v }
	def, near := uuid.New(), uuid.New()
	engs := []Engineer{
		{UserID: def, Name: "default", IsDefault: true, Level: 3},
		{UserID: near, Name: "near", Level: 3, Latitude: f(31.23), Longitude: f(121.47)},
	}
	need := EngineerNeed{Lat: f(31.22), Lon: f(121.48), Rules: []string{"designated", "outlet_default", "most_served", "most_recent", "nearest"}}
	if e := RankEngineers(engs, need); e[0].UserID != def {
		t.Fatalf("without a promise the default leads: %+v", e)
	}
	need.Promises = promise
	e := RankEngineers(engs, need)
	if e[0].UserID != near || e[0].Rule != "nearest" || !slices.Contains(e[0].Reasons, "paid express promise: 6-hour on-site: serves first") {
		t.Fatalf("with a promise the nearest leads, naming it: %+v", e)
	}
	if PromiseReason("plan", "Gold express") != "paid plan: Gold express" {
		t.Fatal("plan reason")
	}
}

// TestRankEngineersServingTheAreaFirst: when no rule names anyone, the engineers who serve
// the order's area (a prefix of its region code) come before the others, each group by load,
// and say so; without an area the order is by load alone.
func TestRankEngineersServingTheAreaFirst(t *testing.T) {
	t.Parallel()
	idle, pudong, shanghai, beijing := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	engs := []Engineer{
		{UserID: idle, Name: "idle, anywhere", Level: 3},
		{UserID: beijing, Name: "Beijing", Level: 3, Areas: []string{"11"}},
		{UserID: shanghai, Name: "Shanghai", Level: 3, Areas: []string{"3101"}, OpenOrders: 3},
		{UserID: pudong, Name: "Pudong", Level: 3, Areas: []string{"440300", "310115"}, OpenOrders: 1},
	}
	need := EngineerNeed{Area: "310115", Rules: []string{"most_served"}}
	got := RankEngineers(engs, need)
	want := []uuid.UUID{pudong, shanghai, idle, beijing}
	for i, id := range want {
		if got[i].UserID != id {
			t.Fatalf("rank %d: %s, want the order %v: %+v", i, got[i].Name, want, got)
		}
	}
	if r := got[0].Reasons; len(r) != 2 || r[1] != "serves the order's area" {
		t.Errorf("Pudong's reasons: %q", r)
	}
	if r := got[2].Reasons; len(r) != 1 {
		t.Errorf("the idle engineer serves no named area, yet: %q", r)
	}
	need.Area = ""
	if got := RankEngineers(engs, need); got[0].UserID != idle || got[1].UserID != beijing {
		t.Fatalf("without an area, by load: %+v", got)
	}
}
