package orders

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The order list is served by four queries (ListOrders, ListOrdersByCreated,
// ListOrdersOfEngineer, ListOrdersLate), each shaped for the index it walks. sqlc cannot
// share a WHERE clause between queries, so each repeats the list's filters. This test keeps
// the copies the same: a filter changed in one list and not the others would make the
// screen's answer depend on which query served it.
func TestOrderListQueriesShareTheirFilters(t *testing.T) {
	src, err := os.ReadFile("../../sql/queries/orders.sql")
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string][]string{}
	var name string
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "-- name: ") {
			name = strings.Fields(line)[2]
			continue
		}
		if name != "" {
			queries[name] = append(queries[name], line)
		}
	}
	// The filters every list offers, as they appear in ListOrders.
	filter := regexp.MustCompile(`^\s+AND \(sqlc\.narg\((status|type_code|outlet_id|customer_id|registration_id|created_from|created_to|is_repeat|open_before)\)|^\s+AND \(cardinality\(@statuses|^\s+AND o\.status NOT IN`)
	filtersOf := func(q string) []string {
		lines, ok := queries[q]
		if !ok {
			t.Fatalf("query %s not found in sql/queries/orders.sql", q)
		}
		var out []string
		for _, l := range lines {
			if strings.TrimSpace(l) == "" {
				break
			}
			if filter.MatchString(l) {
				out = append(out, strings.TrimSpace(l))
			}
		}
		return out
	}
	want := filtersOf("ListOrders")
	if len(want) != 11 {
		t.Fatalf("ListOrders: found %d filter lines, want 11:\n%s", len(want), strings.Join(want, "\n"))
	}
	for _, q := range []string{"ListOrdersByCreated", "ListOrdersOfEngineer", "ListOrdersLate"} {
		if got := filtersOf(q); !slices.Equal(got, want) {
			t.Errorf("%s's filters differ from ListOrders':\n got: %s\nwant: %s", q, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
	}

	// The statuses the SQL treats as finished are the ones IsOpen says are not open.
	closed := regexp.MustCompile(`o\.status NOT IN \(([^)]*)\)`)
	for _, m := range closed.FindAllStringSubmatch(string(src), -1) {
		for _, s := range strings.Split(m[1], ",") {
			s = strings.Trim(strings.TrimSpace(s), "'")
			if IsOpen(s) {
				t.Errorf("sql/queries/orders.sql treats %q as finished, but IsOpen(%q) is true", s, s)
			}
		}
		var all []string
		for _, f := range Flows {
			all = append(all, Statuses(f)...)
		}
		for _, s := range all {
			if !IsOpen(s) && !strings.Contains(m[1], "'"+s+"'") {
				t.Errorf("sql/queries/orders.sql's finished list %s lacks %q", m[1], s)
			}
		}
	}
}
