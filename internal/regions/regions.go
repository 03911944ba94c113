// Package regions holds China's administrative divisions (GB/T 2260: provinces, cities and
// districts with their six-digit codes and names), so screens offer areas by name while
// the data keeps codes. Coverage areas and express eligibility match on code prefixes: a
// province (31), a city (3101) or a district (310115); each region carries its prefix.
//
// The table (gb2260.tsv, code TAB name, one a line) comes from the MIT-licensed
// @vant/area-data 2.1.0 (Youzan), which follows the published GB/T 2260 codes.
package regions

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed gb2260.tsv
var table string

// Region is a province, city or district with the regions below it.
type Region struct {
	Code     string   `json:"code" doc:"Six-digit GB/T 2260 code" example:"310115"`
	Prefix   string   `json:"prefix" doc:"The code's prefix that coverage areas match on: province 31, city 3101, district 310115" example:"310115"`
	Name     string   `json:"name" example:"浦东新区"`
	Children []Region `json:"children,omitempty"`
}

// Tree reads the table into provinces, their cities and the cities' districts, in code
// order. A district whose city the table lacks (a county-level city governed by its
// province) sits under its province.
func Tree() ([]Region, error) {
	type node struct {
		Region
		kids []*node
	}
	byCode := map[string]*node{}
	var provinces []*node
	for i, line := range strings.Split(strings.TrimSpace(table), "\n") {
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 6 || name == "" {
			return nil, fmt.Errorf("regions: line %d %q is not code TAB name", i+1, line)
		}
		n := &node{Region: Region{Code: code, Prefix: Prefix(code), Name: name}}
		byCode[code] = n
		var parent *node
		switch len(n.Prefix) {
		case 2:
			provinces = append(provinces, n)
			continue
		case 4:
			parent = byCode[code[:2]+"0000"]
		default:
			if parent = byCode[code[:4]+"00"]; parent == nil {
				parent = byCode[code[:2]+"0000"]
			}
		}
		if parent == nil {
			return nil, fmt.Errorf("regions: %s %s has no province", code, name)
		}
		parent.kids = append(parent.kids, n)
	}
	var build func(ns []*node) []Region
	build = func(ns []*node) []Region {
		out := make([]Region, 0, len(ns))
		for _, n := range ns {
			r := n.Region
			if len(n.kids) > 0 {
				r.Children = build(n.kids)
			}
			out = append(out, r)
		}
		return out
	}
	return build(provinces), nil
}

// Prefix is the part of a six-digit code that names its region: 310000 is 31, 310100 is
// 3101, 310115 stays.
func Prefix(code string) string {
	switch {
	case strings.HasSuffix(code, "0000"):
		return code[:2]
	case strings.HasSuffix(code, "00"):
		return code[:4]
	}
	return code
}
