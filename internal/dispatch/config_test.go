package dispatch_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// The outlets' regions, authorizations and capacity, as configured here, decide the
// proposals: eligible outlets first, the most specific coverage first, full and
// unauthorized outlets last with why.
func TestProposeOutletsRanking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	cat := testfactory.Category(ctx, t, tx, nil)
	outlet := func(code, region string, authorized bool) tenants.Outlet {
		t.Helper()
		o := testfactory.Outlet(ctx, t, tx, &testfactory.OutletOpts{Code: code})
		if _, err := dispatch.AddCoverage(ctx, tx, o.ID, dispatch.Coverage{RegionCode: region}); err != nil {
			t.Fatal(err)
		}
		if authorized {
			if err := dispatch.Authorize(ctx, tx, o.ID, cat.ID); err != nil {
				t.Fatal(err)
			}
		}
		return o
	}
	district := outlet("A-district", "310115", true)
	full := outlet("B-city-full", "3101", true)
	unauthorized := outlet("C-province-unauthorized", "31", false)
	province := outlet("D-province", "31", true)
	// An outlet covering the district only for installations is no candidate for a repair.
	installer := testfactory.Outlet(ctx, t, tx, &testfactory.OutletOpts{Code: "E-installs"})
	if _, err := dispatch.AddCoverage(ctx, tx, installer.ID, dispatch.Coverage{RegionCode: "310115", OrderTypes: []string{"installation"}}); err != nil {
		t.Fatal(err)
	}

	// The city outlet takes one order a day and has taken one today.
	if _, err := dispatch.SetCapacity(ctx, tx, full.ID, full.Version, 1); err != nil {
		t.Fatal(err)
	}
	testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{OutletID: full.ID})

	need := dispatch.OutletNeed{Area: dispatch.Area("310000", "310100", "310115"), Type: "repair_minor",
		Category: uuid.NullUUID{UUID: cat.ID, Valid: true}, Day: time.Now().Add(-12 * time.Hour)}
	got, err := dispatch.ProposeOutlets(ctx, tx, need)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uuid.UUID, len(got))
	for i, c := range got {
		ids[i] = c.OutletID
	}
	if want := []uuid.UUID{district.ID, province.ID, full.ID, unauthorized.ID}; !slices.Equal(ids, want) {
		t.Fatalf("ranking %+v, want A-district, D-province, B-city-full, C-province-unauthorized", got)
	}
	if !got[0].Eligible || got[0].Specificity != 6 || !got[1].Eligible || got[2].Eligible || got[3].Eligible {
		t.Fatalf("eligibility: %+v", got)
	}
	if got[2].Load != 1 || got[2].Capacity != 1 || !slices.Contains(got[2].Reasons, "full today (1 of 1)") {
		t.Fatalf("the full outlet: %+v", got[2])
	}
	if !slices.Contains(got[3].Reasons, "not authorized by the brand for the category") {
		t.Fatalf("the unauthorized outlet: %+v", got[3])
	}

	// With the category unknown, authorization does not filter.
	need.Category = uuid.NullUUID{}
	got, err = dispatch.ProposeOutlets(ctx, tx, need)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(got, func(c dispatch.OutletCandidate) bool { return c.OutletID == unauthorized.ID }); i < 0 || !got[i].Eligible {
		t.Fatalf("unknown category: %+v", got)
	}
	// Another province has no candidates; an order without an area asks nobody.
	for _, area := range []string{"44", ""} {
		need.Area = area
		if got, err := dispatch.ProposeOutlets(ctx, tx, need); err != nil || len(got) != 0 {
			t.Fatalf("area %q: %+v, %v", area, got, err)
		}
	}

	// Revoking the authorization moves the district outlet down.
	if err := dispatch.Revoke(ctx, tx, district.ID, cat.ID); err != nil {
		t.Fatal(err)
	}
	if err := dispatch.Revoke(ctx, tx, district.ID, cat.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	need.Area, need.Category = "310115", uuid.NullUUID{UUID: cat.ID, Valid: true}
	got, err = dispatch.ProposeOutlets(ctx, tx, need)
	if err != nil || got[0].OutletID != province.ID {
		t.Fatalf("after revoking A's authorization: %+v, %v", got, err)
	}
}

func TestOutletConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	o := testfactory.Outlet(ctx, t, tx, nil)
	cat := testfactory.Category(ctx, t, tx, nil)
	if _, err := dispatch.AddCoverage(ctx, tx, uuid.New(), dispatch.Coverage{RegionCode: "31"}); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("coverage of no outlet: %v", err)
	}
	c, err := dispatch.AddCoverage(ctx, tx, o.ID, dispatch.Coverage{RegionCode: "3101", PostalPrefix: "200"})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := dispatch.ListCoverage(ctx, tx, o.ID); err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].OrderTypes == nil {
		t.Fatalf("coverage: %+v, %v", list, err)
	}
	if err := dispatch.RemoveCoverage(ctx, tx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := dispatch.GetCoverage(ctx, tx, c.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("removed coverage: %v", err)
	}
	for range 2 { // idempotent
		if err := dispatch.Authorize(ctx, tx, o.ID, cat.ID); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := dispatch.Authorizations(ctx, tx, o.ID); err != nil || !slices.Equal(ids, []uuid.UUID{cat.ID}) {
		t.Fatalf("authorizations: %v, %v", ids, err)
	}
	v, err := dispatch.SetCapacity(ctx, tx, o.ID, o.Version, 5)
	if err != nil || v != o.Version+1 {
		t.Fatalf("capacity: version %d, %v", v, err)
	}
	if _, err := dispatch.SetCapacity(ctx, tx, o.ID, o.Version, 6); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale capacity: %v", err)
	}
}

// Engineers are proposed by the tenant's rules in order, among those with the skill, the
// level and room for another order.
func TestProposeEngineers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	o := testfactory.Outlet(ctx, t, tx, nil)
	profile := func(name string, level int, skills []string, isDefault bool) uuid.UUID {
		t.Helper()
		m := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Name: name, OutletID: o.ID})
		p, err := dispatch.SaveProfile(ctx, tx, m.UserID, 0, dispatch.Profile{OutletID: o.ID, Level: level, Skills: skills,
			IsDefault: isDefault, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 || p.UserID != m.UserID {
			t.Fatalf("new profile: %+v", p)
		}
		return m.UserID
	}
	def := profile("default", 3, []string{"gas"}, true)
	novice := profile("novice", 1, []string{"gas"}, false)
	designated := profile("designated", 4, []string{"gas", "install"}, false)
	other := profile("other", 3, []string{"gas"}, false)
	noGas := profile("no-gas", 5, nil, false)

	customer := testfactory.Customer(ctx, t, tx, nil)
	got, err := dispatch.ProposeEngineers(ctx, tx, dispatch.EngineerNeed{Outlet: o.ID, Customer: customer.ID, Skill: "gas", MinLevel: 2,
		MaxOpen: 8, Designated: uuid.NullUUID{UUID: designated, Valid: true}, Rules: []string{"designated", "outlet_default", "most_served"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("candidates: %+v", got)
	}
	for i, want := range []struct {
		id   uuid.UUID
		rule string
	}{{designated, "designated"}, {def, "outlet_default"}, {other, "least_loaded"}} {
		if got[i].UserID != want.id || got[i].Rule != want.rule || !got[i].Eligible {
			t.Fatalf("candidate %d: %+v, want %s by %s", i, got[i], want.id, want.rule)
		}
	}
	why := map[uuid.UUID]string{}
	for _, c := range got[3:] {
		if c.Eligible {
			t.Fatalf("an ineligible engineer ranked eligible: %+v", c)
		}
		why[c.UserID] = strings.Join(c.Reasons, "; ")
	}
	if why[novice] != "certification level 1 below 2" || why[noGas] != "lacks the skill gas" {
		t.Fatalf("why not: %v", why)
	}
}

func TestSaveProfileRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	o, elsewhere := testfactory.Outlet(ctx, t, tx, nil), testfactory.Outlet(ctx, t, tx, nil)
	eng := testfactory.User(ctx, t, tx, &testfactory.UserOpts{OutletID: o.ID})
	agent := testfactory.User(ctx, t, tx, nil)
	p := dispatch.Profile{OutletID: o.ID, Level: 2, Active: true}
	if _, err := dispatch.SaveProfile(ctx, tx, agent.UserID, 0, p); testfactory.ErrField(err) != "outlet_id" {
		t.Fatalf("a profile for an agent: %v", err)
	}
	moved := p
	moved.OutletID = elsewhere.ID
	if _, err := dispatch.SaveProfile(ctx, tx, eng.UserID, 0, moved); testfactory.ErrField(err) != "outlet_id" {
		t.Fatalf("a profile at another outlet: %v", err)
	}
	if _, err := dispatch.SaveProfile(ctx, tx, uuid.New(), 0, p); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("a profile for no member: %v", err)
	}
	saved, err := dispatch.SaveProfile(ctx, tx, eng.UserID, 0, p)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Skills == nil || saved.Version != 1 {
		t.Fatalf("saved: %+v", saved)
	}
	if _, err := dispatch.SaveProfile(ctx, tx, eng.UserID, 0, p); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("creating it again: %v", err)
	}
	p.Level = 3
	up, err := dispatch.SaveProfile(ctx, tx, eng.UserID, saved.Version, p)
	if err != nil || up.Level != 3 || up.Version != 2 {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if err := dispatch.SetPosition(ctx, tx, agent.UserID, dispatch.Position{Latitude: 31.2, Longitude: 121.5}); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("a position without a profile: %v", err)
	}
	if err := dispatch.SetPosition(ctx, tx, eng.UserID, dispatch.Position{Latitude: 31.2, Longitude: 121.5}); err != nil {
		t.Fatal(err)
	}
	if got, err := dispatch.GetProfile(ctx, tx, eng.UserID); err != nil || got.Latitude == nil || *got.Latitude != 31.2 {
		t.Fatalf("position: %+v, %v", got, err)
	}
}
