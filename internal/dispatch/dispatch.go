// Package dispatch decides who serves an order: which outlet (by the region it covers, the
// brand's authorization for the category, and its capacity for the day) and which engineer
// of that outlet (by the tenant's ordered rules: designated, the outlet's default, who served
// the customer most, who served them last, the nearest; filtered by skill, certification
// level and load). Every proposal comes with its reasons and runners-up, so a dispatcher can
// see why and override.
package dispatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// Area is the most specific region code of an address, as a prefix: a district code
// (310115), else the city's four digits (3101), else the province's two (31).
func Area(province, city, district string) string {
	switch {
	case len(district) == 6:
		return district
	case len(city) == 6:
		return strings.TrimSuffix(city, "00")
	case len(province) == 6:
		return strings.TrimSuffix(province, "0000")
	}
	return ""
}

// OutletNeed is what an order asks of an outlet.
type OutletNeed struct {
	Area       string // see Area
	PostalCode string
	Type       string
	Category   uuid.NullUUID // the unit's product category, when known
	Day        time.Time     // the day the capacity is counted for, as [start, start+24h)
	// Promises are the order's paid promises (see PaidPromises): with any, the outlet with
	// the most capacity left today leads, before the most specific coverage.
	Promises []string
}

// OutletCandidate is an outlet that covers the order, eligible or not, with why.
type OutletCandidate struct {
	OutletID uuid.UUID `json:"outlet_id"`
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Eligible bool      `json:"eligible"`
	Reasons  []string  `json:"reasons"`
	// Specificity is the length of the covering region code: a district (6) beats a city (4)
	// beats a province (2).
	Specificity int `json:"specificity"`
	Load        int `json:"load" doc:"Orders the outlet took today"`
	Capacity    int `json:"capacity" doc:"0: no limit"`
}

// CoveringOutlet is one coverage entry of an outlet that covers an order's area, with the
// outlet's authorization for the category and its load for the day.
type CoveringOutlet struct {
	ID            uuid.UUID
	Code          string
	Name          string
	DailyCapacity int32
	RegionCode    string
	PostalPrefix  string
	Authorized    bool
	Load          int32
}

// RankOutlets orders covering outlets: eligible first (authorized for the category when the
// category is known, under capacity), then the most specific coverage, then the lightest
// load relative to capacity, then code. Rows of one outlet (several coverage entries) are
// merged, keeping the most specific. An order with a paid promise (promises, see
// PaidPromises) ranks the eligible outlets by the lightest load first, since the one with
// room today can keep the promise soonest; each eligible outlet says so in its reasons.
func RankOutlets(rows []CoveringOutlet, categoryKnown bool, promises []string) []OutletCandidate {
	byID := map[uuid.UUID]*OutletCandidate{}
	var out []*OutletCandidate
	for _, r := range rows {
		c, seen := byID[r.ID]
		if seen {
			if len(r.RegionCode) <= c.Specificity {
				continue
			}
		} else {
			c = &OutletCandidate{OutletID: r.ID, Code: r.Code, Name: r.Name}
			byID[r.ID] = c
			out = append(out, c)
		}
		c.Specificity, c.Load, c.Capacity = len(r.RegionCode), int(r.Load), int(r.DailyCapacity)
		c.Eligible = true
		c.Reasons = []string{fmt.Sprintf("covers region %s", r.RegionCode)}
		if r.PostalPrefix != "" {
			c.Reasons = append(c.Reasons, "covers postal codes "+r.PostalPrefix+"*")
		}
		switch {
		case !categoryKnown:
			c.Reasons = append(c.Reasons, "product category unknown: authorization not checked")
		case r.Authorized:
			c.Reasons = append(c.Reasons, "authorized for the category")
		default:
			c.Eligible = false
			c.Reasons = append(c.Reasons, "not authorized by the brand for the category")
		}
		if r.DailyCapacity > 0 && r.Load >= r.DailyCapacity {
			c.Eligible = false
			c.Reasons = append(c.Reasons, fmt.Sprintf("full today (%d of %d)", r.Load, r.DailyCapacity))
		} else if r.DailyCapacity > 0 {
			c.Reasons = append(c.Reasons, fmt.Sprintf("capacity left today (%d of %d taken)", r.Load, r.DailyCapacity))
		}
	}
	paid := len(promises) > 0
	if paid {
		for _, c := range out {
			if c.Eligible {
				for _, p := range promises {
					c.Reasons = append(c.Reasons, p+": the outlet with the most room today first")
				}
			}
		}
	}
	byLoad := func(a, b *OutletCandidate) int {
		if la, lb := loadRatio(a), loadRatio(b); la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b *OutletCandidate) int {
		if a.Eligible != b.Eligible {
			return map[bool]int{true: -1, false: 1}[a.Eligible]
		}
		if paid && a.Eligible {
			if c := byLoad(a, b); c != 0 {
				return c
			}
		}
		if a.Specificity != b.Specificity {
			return b.Specificity - a.Specificity
		}
		if c := byLoad(a, b); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	res := make([]OutletCandidate, len(out))
	for i, c := range out {
		res[i] = *c
	}
	return res
}

func loadRatio(c *OutletCandidate) float64 {
	if c.Capacity <= 0 {
		return float64(c.Load) / 1000
	}
	return float64(c.Load) / float64(c.Capacity)
}

// ProposeOutlets lists the outlets covering need, best first.
func ProposeOutlets(ctx context.Context, tx *tenants.Tx, need OutletNeed) ([]OutletCandidate, error) {
	if need.Area == "" {
		return nil, nil
	}
	rows, err := tx.Q.OutletCandidates(ctx, tx, db.OutletCandidatesParams{TenantID: tx.Scope.TenantID,
		CategoryID: need.Category, DayStart: need.Day,
		DayEnd: need.Day.Add(24 * time.Hour), Area: need.Area, PostalCode: need.PostalCode, TypeCode: need.Type})
	if err != nil {
		return nil, fmt.Errorf("outlet candidates: %w", err)
	}
	outlets := make([]CoveringOutlet, len(rows))
	for i, r := range rows {
		outlets[i] = CoveringOutlet(r)
	}
	return RankOutlets(outlets, need.Category.Valid, need.Promises), nil
}

// EngineerNeed is what an order asks of an engineer.
type EngineerNeed struct {
	Outlet     uuid.UUID
	Customer   uuid.UUID
	Designated uuid.NullUUID
	Skill      string // required skill, "" for none
	MinLevel   int
	Lat, Lon   *float64 // where the work is
	Area       string   // the order's region code (Area), "" when unknown
	MaxOpen    int      // open orders an engineer may hold
	Rules      []string // rule order
	Exclude    []uuid.UUID
	// Promises are the order's paid promises (see PaidPromises): with any, the nearest
	// eligible engineer comes right after a designated one, before the rules about the
	// customer's history, and the proposal names the promise.
	Promises []string
}

// EngineerCandidate is an engineer of the outlet with the rule that picked them, if any.
type EngineerCandidate struct {
	UserID     uuid.UUID `json:"user_id"`
	Name       string    `json:"name"`
	Eligible   bool      `json:"eligible"`
	Rule       string    `json:"rule,omitempty" doc:"The dispatch rule that put the engineer here"`
	Reasons    []string  `json:"reasons"`
	OpenOrders int       `json:"open_orders"`
	DistanceKM *float64  `json:"distance_km,omitempty"`
}

// Engineer is an engineer's dispatch facts: skills, level, position, open orders, and
// history with the order's customer.
type Engineer struct {
	UserID     uuid.UUID
	Name       string
	Skills     []string
	Level      int32
	IsDefault  bool
	Latitude   *float64
	Longitude  *float64
	PositionAt *time.Time
	Areas      []string // region code prefixes served; empty for all
	OpenOrders int32
	Served     int32     // the customer's orders the engineer accepted
	LastServed time.Time // when the latest of them was created; the zero Unix time if none
}

// RankEngineers applies the rules in order. Each rule names at most one engineer among the
// eligible ones not named yet; the first named is the proposal, the others runners-up in
// rule order, then the remaining eligible by load, then the ineligible with why.
func RankEngineers(engs []Engineer, need EngineerNeed) []EngineerCandidate {
	cands := make([]*EngineerCandidate, len(engs))
	for i, e := range engs {
		c := &EngineerCandidate{UserID: e.UserID, Name: e.Name, Eligible: true, OpenOrders: int(e.OpenOrders), Reasons: []string{}}
		if need.Lat != nil && need.Lon != nil && e.Latitude != nil && e.Longitude != nil {
			d := Haversine(*need.Lat, *need.Lon, *e.Latitude, *e.Longitude)
			c.DistanceKM = &d
		}
		switch {
		case slices.Contains(need.Exclude, e.UserID):
			c.Eligible = false
			c.Reasons = append(c.Reasons, "declined this order")
		case need.Skill != "" && !slices.Contains(e.Skills, need.Skill):
			c.Eligible = false
			c.Reasons = append(c.Reasons, "lacks the skill "+need.Skill)
		case int(e.Level) < need.MinLevel:
			c.Eligible = false
			c.Reasons = append(c.Reasons, fmt.Sprintf("certification level %d below %d", e.Level, need.MinLevel))
		case need.MaxOpen > 0 && int(e.OpenOrders) >= need.MaxOpen:
			c.Eligible = false
			c.Reasons = append(c.Reasons, fmt.Sprintf("has %d open orders (limit %d)", e.OpenOrders, need.MaxOpen))
		}
		cands[i] = c
	}
	var ranked []*EngineerCandidate
	taken := map[uuid.UUID]bool{}
	pick := func(rule, why string, better func(a, b int) bool) {
		best := -1
		for i, c := range cands {
			if !c.Eligible || taken[c.UserID] {
				continue
			}
			if best < 0 || better(i, best) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		c := cands[best]
		c.Rule = rule
		c.Reasons = append(c.Reasons, why)
		taken[c.UserID] = true
		ranked = append(ranked, c)
	}
	for _, rule := range promiseRules(need.Rules, len(need.Promises) > 0 && need.Lat != nil) {
		switch rule {
		case "designated":
			if need.Designated.Valid {
				for _, c := range cands {
					if c.UserID == need.Designated.UUID && c.Eligible && !taken[c.UserID] {
						c.Rule, taken[c.UserID] = rule, true
						c.Reasons = append(c.Reasons, "designated for this order")
						ranked = append(ranked, c)
					}
				}
			}
		case "outlet_default":
			for i, e := range engs {
				c := cands[i]
				if e.IsDefault && c.Eligible && !taken[c.UserID] {
					c.Rule, taken[c.UserID] = rule, true
					c.Reasons = append(c.Reasons, "the outlet's default engineer")
					ranked = append(ranked, c)
					break
				}
			}
		case "most_served":
			if hasAny(engs, cands, taken, func(e Engineer) bool { return e.Served > 0 }) {
				pick(rule, "served this customer most", func(a, b int) bool {
					return engs[a].Served > engs[b].Served || (engs[a].Served == engs[b].Served && engs[a].OpenOrders < engs[b].OpenOrders)
				})
			}
		case "most_recent":
			if hasAny(engs, cands, taken, func(e Engineer) bool { return e.Served > 0 }) {
				pick(rule, "served this customer last", func(a, b int) bool { return engs[a].LastServed.After(engs[b].LastServed) })
			}
		case "nearest":
			if need.Lat != nil && hasAny(engs, cands, taken, func(e Engineer) bool { return e.Latitude != nil }) {
				pick(rule, "nearest by last known position", func(a, b int) bool {
					da, db := cands[a].DistanceKM, cands[b].DistanceKM
					if da == nil {
						return false
					}
					return db == nil || *da < *db
				})
			}
		}
	}
	// Among the rest, those who serve the order's area (a named area of theirs holds it)
	// come before the others, each group by load.
	serves := map[uuid.UUID]bool{}
	for _, e := range engs {
		serves[e.UserID] = ServesArea(e.Areas, need.Area)
	}
	rest := []*EngineerCandidate{}
	for _, c := range cands {
		if !taken[c.UserID] {
			rest = append(rest, c)
		}
	}
	slices.SortStableFunc(rest, func(a, b *EngineerCandidate) int {
		if a.Eligible != b.Eligible {
			return map[bool]int{true: -1, false: 1}[a.Eligible]
		}
		if sa, sb := serves[a.UserID], serves[b.UserID]; sa != sb {
			return map[bool]int{true: -1, false: 1}[sa]
		}
		return a.OpenOrders - b.OpenOrders
	})
	for _, c := range rest {
		if c.Eligible {
			c.Rule = "least_loaded"
			c.Reasons = append(c.Reasons, fmt.Sprintf("eligible, %d open orders", c.OpenOrders))
			if serves[c.UserID] {
				c.Reasons = append(c.Reasons, "serves the order's area")
			}
		}
	}
	ranked = append(ranked, rest...)
	if len(need.Promises) > 0 && len(ranked) > 0 && ranked[0].Eligible {
		for _, p := range need.Promises {
			ranked[0].Reasons = append(ranked[0].Reasons, p+": serves first")
		}
	}
	out := make([]EngineerCandidate, len(ranked))
	for i, c := range ranked {
		out[i] = *c
	}
	return out
}

// promiseRules is the rule order for an order with a paid promise: a designated engineer
// still leads, then the nearest, then the tenant's other rules in their order.
func promiseRules(rules []string, paid bool) []string {
	if !paid {
		return rules
	}
	out := []string{}
	if slices.Contains(rules, "designated") {
		out = append(out, "designated")
	}
	out = append(out, "nearest")
	for _, r := range rules {
		if r != "designated" && r != "nearest" {
			out = append(out, r)
		}
	}
	return out
}

func hasAny(engs []Engineer, cands []*EngineerCandidate, taken map[uuid.UUID]bool, ok func(Engineer) bool) bool {
	for i, e := range engs {
		if cands[i].Eligible && !taken[e.UserID] && ok(e) {
			return true
		}
	}
	return false
}

// ProposeEngineers ranks the engineers of need.Outlet.
func ProposeEngineers(ctx context.Context, tx *tenants.Tx, need EngineerNeed) ([]EngineerCandidate, error) {
	engs, err := tx.Q.EngineerCandidates(ctx, tx, db.EngineerCandidatesParams{TenantID: tx.Scope.TenantID,
		CustomerID: need.Customer, OutletID: need.Outlet})
	if err != nil {
		return nil, fmt.Errorf("engineer candidates: %w", err)
	}
	cands := make([]Engineer, len(engs))
	for i, e := range engs {
		cands[i] = Engineer(e)
	}
	return RankEngineers(cands, need), nil
}

// ServesArea says whether an engineer with areas (region code prefixes) is named for area
// (an order's region code): one of them is a prefix of it. No areas, or no area: false.
func ServesArea(areas []string, area string) bool {
	if area == "" {
		return false
	}
	for _, a := range areas {
		if strings.HasPrefix(area, a) {
			return true
		}
	}
	return false
}

// Haversine is the great-circle distance in kilometres.
func Haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
