package regions_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/regions"
)

func find(rs []regions.Region, prefix string) *regions.Region {
	for i := range rs {
		if rs[i].Prefix == prefix {
			return &rs[i]
		}
	}
	return nil
}

func TestTreeHoldsProvincesCitiesAndDistrictsByName(t *testing.T) {
	tree, err := regions.Tree()
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) != 34 {
		t.Errorf("%d provinces, want 34 (with Hong Kong, Macao and Taiwan)", len(tree))
	}
	sh := find(tree, "31")
	if sh == nil || sh.Name != "上海市" || sh.Code != "310000" {
		t.Fatalf("province 31 is %+v", sh)
	}
	city := find(sh.Children, "3101")
	if city == nil {
		t.Fatalf("Shanghai has no city 3101: %+v", sh.Children)
	}
	pd := find(city.Children, "310115")
	if pd == nil || pd.Name != "浦东新区" || len(pd.Children) != 0 {
		t.Errorf("district 310115 is %+v", pd)
	}
	gd := find(tree, "44")
	if gd == nil || find(gd.Children, "4403") == nil || find(gd.Children, "4403").Name != "深圳市" {
		t.Errorf("Guangdong's 4403 is not Shenzhen: %+v", gd)
	}
	// Every district sits under the city or province its code names.
	n := 0
	for _, p := range tree {
		for _, c := range p.Children {
			if c.Code[:2] != p.Code[:2] {
				t.Errorf("%s %s sits under %s", c.Code, c.Name, p.Code)
			}
			for _, d := range c.Children {
				n++
				if d.Code[:4] != c.Code[:4] {
					t.Errorf("%s %s sits under %s", d.Code, d.Name, c.Code)
				}
			}
		}
	}
	if n < 2800 {
		t.Errorf("%d districts, want the country's (about 2,850 and more)", n)
	}
}

func TestPrefixDropsTheEmptyLevels(t *testing.T) {
	for code, want := range map[string]string{"310000": "31", "310100": "3101", "310115": "310115", "441901": "441901"} {
		if got := regions.Prefix(code); got != want {
			t.Errorf("Prefix(%s) = %s, want %s", code, got, want)
		}
	}
}
