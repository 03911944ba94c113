package warranty

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var purchase = NewDate(2026, time.March, 1)

func template() Policy {
	p := NationalTemplate()
	p.ID, p.Version, p.EffectiveFrom = "pol-1", 3, NewDate(2026, time.January, 1)
	p.Fees = Fees{Currency: "CNY", LabourRate: 8000, VisitFee: 5000, ShippingFee: 2000}
	p.Terms = append(p.Terms, Term{Component: "compressor", Months: 36, Basis: FromInvoice, Covered: Lines{
		Parts: Line{Mode: Free}, Labour: Line{Mode: Shared, CustomerPercent: 50}, Visit: Line{Mode: Free}, Shipping: Line{Mode: Charged}}})
	return p
}

func unit() Unit {
	return Unit{PurchaseDate: purchase, InvoiceDate: purchase, HasInvoice: true, HasWarrantyCard: true}
}

func day(n int) Date { return purchase.AddDays(n - 1) } // the purchase day is day 1

func rule(d Decision, name string) *Reason {
	for i := range d.Reasons {
		if d.Reasons[i].Rule == name {
			return &d.Reasons[i]
		}
	}
	return nil
}

func TestSanBaoRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		today     Date
		history   History
		unit      func(*Unit)
		component string
		class     string
		remedies  []string
		rule      string // a rule that must be among the reasons with outcome "applies"
	}{
		{name: "day 1 return", today: day(1), class: Manufacturer, remedies: []string{Refund, Exchange, Repair}, rule: "sanbao.return_days"},
		{name: "day 7 still return", today: day(7), class: Manufacturer, remedies: []string{Refund, Exchange, Repair}, rule: "sanbao.return_days"},
		{name: "day 8 exchange", today: day(8), class: Manufacturer, remedies: []string{Exchange, Repair}, rule: "sanbao.exchange_days"},
		{name: "day 15 still exchange", today: day(15), class: Manufacturer, remedies: []string{Exchange, Repair}, rule: "sanbao.exchange_days"},
		{name: "day 16 repair", today: day(16), class: Manufacturer, remedies: []string{Repair}, rule: "free_repair"},
		{name: "second failed repair allows exchange", today: day(100), history: History{FailedRepairs: 2},
			class: Manufacturer, remedies: []string{Exchange, Refund}, rule: "sanbao.max_failed_repairs"},
		{name: "first failed repair: repair again", today: day(100), history: History{FailedRepairs: 1},
			class: Manufacturer, remedies: []string{Repair}, rule: "free_repair"},
		{name: "parts wait 30 days: repair", today: day(100), history: History{PartsWaitDays: 30},
			class: Manufacturer, remedies: []string{Repair}, rule: "free_repair"},
		{name: "parts wait 31 days: exchange", today: day(100), history: History{PartsWaitDays: 31},
			class: Manufacturer, remedies: []string{Exchange, Repair}, rule: "sanbao.parts_wait_days"},
		{name: "last day of 12 months", today: NewDate(2027, time.February, 28), class: Manufacturer, remedies: []string{Repair}},
		{name: "day after 12 months", today: NewDate(2027, time.March, 1), class: OutOfWarranty, remedies: []string{Repair}, rule: "out_of_warranty"},
		{name: "repair days extend the warranty", today: NewDate(2027, time.March, 10), history: History{DaysInRepair: 10},
			class: Manufacturer, remedies: []string{Repair}, rule: "sanbao.extend_by_repair_days"},
		{name: "extension is exact", today: NewDate(2027, time.March, 11), history: History{DaysInRepair: 10},
			class: OutOfWarranty, remedies: []string{Repair}},
		{name: "exchange restarts the warranty", today: NewDate(2027, time.June, 1), history: History{LastExchange: NewDate(2026, time.December, 1)},
			class: Manufacturer, remedies: []string{Repair}, rule: "sanbao.restart_on_exchange"},
		{name: "days in repair before an exchange do not extend the new unit's warranty", today: NewDate(2027, time.December, 1),
			history: History{LastExchange: NewDate(2026, time.December, 1), DaysInRepair: 10}, class: OutOfWarranty, remedies: []string{Repair}},
		{name: "days in repair after an exchange extend it", today: NewDate(2027, time.December, 3),
			history: History{LastExchange: NewDate(2026, time.December, 1), DaysInRepair: 10, DaysInRepairSinceExchange: 3},
			class:   Manufacturer, remedies: []string{Repair}, rule: "sanbao.extend_by_repair_days"},
		{name: "missing invoice", today: day(3), unit: func(u *Unit) { u.HasInvoice = false }, class: OutOfWarranty, remedies: []string{Repair}, rule: "out_of_warranty"},
		{name: "main part covered longer", today: NewDate(2028, time.June, 1), component: "compressor", class: Manufacturer, remedies: []string{Repair}},
		{name: "main part term ends too", today: NewDate(2029, time.March, 1), component: "compressor", class: OutOfWarranty, remedies: []string{Repair}},
		{name: "other parts use the whole-unit term", today: NewDate(2028, time.June, 1), component: "motor", class: OutOfWarranty, remedies: []string{Repair}},
		{name: "install basis falls back to purchase", today: day(16), unit: func(u *Unit) { u.InvoiceDate = Date{} }, class: Manufacturer, remedies: []string{Repair}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := unit()
			if c.unit != nil {
				c.unit(&u)
			}
			d := Decide(Request{Unit: u, Policy: template(), History: c.history, Component: c.component, Today: c.today})
			if d.Class != c.class || !slices.Equal(d.Remedies, c.remedies) {
				t.Fatalf("class %s remedies %v, want %s %v\nreasons: %+v", d.Class, d.Remedies, c.class, c.remedies, d.Reasons)
			}
			if c.rule != "" {
				if r := rule(d, c.rule); r == nil || r.Outcome != "applies" {
					t.Fatalf("rule %s not applied: %+v", c.rule, d.Reasons)
				}
			}
			if d.Reasons[0].Rule != "policy_version" || d.Reasons[0].Source != "policy pol-1 v3" {
				t.Fatalf("first reason should name the policy version: %+v", d.Reasons[0])
			}
		})
	}
}

func TestChargesPerLine(t *testing.T) {
	t.Parallel()
	d := Decide(Request{Unit: unit(), Policy: template(), Component: "compressor", Today: NewDate(2028, time.January, 5)})
	if d.Class != Manufacturer {
		t.Fatalf("class %s", d.Class)
	}
	c := d.Charges
	if c.Parts.Mode != Free || c.Labour.Mode != Shared || *c.Labour.Amount != 4000 || *c.Visit.Amount != 0 || *c.Shipping.Amount != 2000 || c.Currency != "CNY" {
		t.Fatalf("charges: %+v labour %d visit %d shipping %d", c, *c.Labour.Amount, *c.Visit.Amount, *c.Shipping.Amount)
	}
	out := Decide(Request{Unit: unit(), Policy: template(), Today: NewDate(2030, time.January, 1)})
	if *out.Charges.Labour.Amount != 8000 || *out.Charges.Visit.Amount != 5000 || out.Charges.Parts.Mode != Charged {
		t.Fatalf("out of warranty charges: %+v", out.Charges)
	}
}

func TestExclusionsAndGrants(t *testing.T) {
	t.Parallel()
	accidental := Grant{ID: "g-acc", Kind: GrantAccidental, Component: WholeUnit, From: purchase, Until: NewDate(2028, time.February, 28),
		Covered: AllFree, Source: "plan ADP-2Y"}
	extended := Grant{ID: "g-ext", Kind: GrantExtended, Component: WholeUnit, From: NewDate(2027, time.March, 1), Until: NewDate(2029, time.February, 28),
		Covered: AllFree, Source: "contract EW-3Y"}
	repairW := Grant{ID: "g-rw", Kind: GrantRepairWarranty, Component: "mainboard", From: NewDate(2027, time.May, 1), Until: NewDate(2027, time.July, 29),
		Covered: Lines{Parts: Line{Mode: Free}, Labour: Line{Mode: Free}, Visit: Line{Mode: Charged}, Shipping: Line{Mode: Charged}}, Source: "order SO-2027-000042"}
	cases := []struct {
		name      string
		exclusion string
		component string
		today     Date
		grants    []Grant
		class     string
		grant     string
	}{
		{name: "misuse voids manufacturer coverage", exclusion: "misuse", today: day(30), class: OutOfWarranty},
		{name: "accidental plan covers misuse", exclusion: "misuse", today: day(30), grants: []Grant{accidental}, class: Contract, grant: "g-acc"},
		{name: "accidental plan does not cover unauthorised repair", exclusion: "unauthorised_repair", today: day(30), grants: []Grant{accidental}, class: OutOfWarranty},
		{name: "extended warranty after the manufacturer's", today: NewDate(2027, time.August, 1), grants: []Grant{extended}, class: Contract, grant: "g-ext"},
		{name: "extended warranty does not cover misuse", exclusion: "liquid_damage", today: NewDate(2027, time.August, 1), grants: []Grant{extended}, class: OutOfWarranty},
		{name: "repair warranty on the replaced part", component: "mainboard", today: NewDate(2027, time.June, 1), grants: []Grant{repairW}, class: RepairWarranty, grant: "g-rw"},
		{name: "repair warranty only for that part", component: "screen", today: NewDate(2027, time.June, 1), grants: []Grant{repairW}, class: OutOfWarranty},
		{name: "repair warranty expired", component: "mainboard", today: NewDate(2027, time.July, 30), grants: []Grant{repairW}, class: OutOfWarranty},
		{name: "an exclusion the policy lacks changes nothing", exclusion: "earthquake", today: day(30), class: Manufacturer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := Decide(Request{Unit: unit(), Policy: template(), Grants: c.grants, Exclusion: c.exclusion, Component: c.component, Today: c.today})
			if d.Class != c.class || d.GrantID != c.grant {
				t.Fatalf("class %s grant %q, want %s %q\nreasons: %+v", d.Class, d.GrantID, c.class, c.grant, d.Reasons)
			}
		})
	}
}

func TestDecideIsDeterministic(t *testing.T) {
	t.Parallel()
	req := Request{Unit: unit(), Policy: template(), History: History{FailedRepairs: 2, DaysInRepair: 4}, Today: day(200),
		Grants: []Grant{{ID: "a", Kind: GrantExtended, Component: WholeUnit, From: purchase, Until: day(900), Covered: AllFree}}}
	first := Decide(req)
	for range 20 {
		again := Decide(req)
		if again.Class != first.Class || !slices.Equal(again.Remedies, first.Remedies) || len(again.Reasons) != len(first.Reasons) {
			t.Fatal("same input, different output")
		}
		for i := range again.Reasons {
			if again.Reasons[i] != first.Reasons[i] {
				t.Fatalf("reason %d differs", i)
			}
		}
	}
}

// TestDayCountingInTenantTimezone: the same instant is day 7 in Shanghai and still day 6
// in New York, so the return window depends on the tenant's time zone, not the server's.
func TestDayCountingInTenantTimezone(t *testing.T) {
	t.Parallel()
	instant := time.Date(2026, time.March, 6, 17, 30, 0, 0, time.UTC) // 01:30 on 7 March in Shanghai
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	if got := purchase.DayNumber(DateOf(instant, sh)); got != 7 {
		t.Fatalf("Shanghai day %d, want 7", got)
	}
	if got := purchase.DayNumber(DateOf(instant, ny)); got != 6 {
		t.Fatalf("New York day %d, want 6", got)
	}
	late := time.Date(2026, time.March, 7, 16, 30, 0, 0, time.UTC) // 00:30 on 8 March in Shanghai
	d := Decide(Request{Unit: unit(), Policy: template(), Today: DateOf(late, sh)})
	if slices.Contains(d.Remedies, Refund) {
		t.Fatal("day 8 in Shanghai still offers a refund")
	}
	d = Decide(Request{Unit: unit(), Policy: template(), Today: DateOf(late, ny)})
	if !slices.Contains(d.Remedies, Refund) {
		t.Fatal("day 7 in New York lost the refund")
	}
	// Across a DST change the day count stays exact.
	if n := NewDate(2026, time.March, 7).DaysUntil(NewDate(2026, time.March, 9)); n != 2 {
		t.Fatalf("days across DST: %d", n)
	}
}

func TestPolicyValidation(t *testing.T) {
	t.Parallel()
	if err := NationalTemplate().Validate("body."); err != nil {
		t.Fatalf("template invalid: %v", err)
	}
	p := NationalTemplate()
	p.Terms[0].Covered.Labour = Line{Mode: Shared, CustomerPercent: 0}
	var fe *FieldError
	if err := p.Validate("body."); !errors.As(err, &fe) || fe.Field != "body.terms[0].covered.labour.customer_percent" {
		t.Fatalf("shared without percent: %v", err)
	}
	p = NationalTemplate()
	p.Terms[0].Component = "motor"
	if err := p.Validate("body."); err == nil {
		t.Fatal("policy without a whole-unit term accepted")
	}
	p = NationalTemplate()
	p.SanBao.ReturnDays = 20
	if err := p.Validate("body."); err == nil {
		t.Fatal("return window longer than exchange window accepted")
	}
}

// Reasons read right in both languages the product ships: each 三包 rule cites its article of
// the national rules, a warranty restarted by an exchange counts "from the exchange date",
// and English counts one day, one month, one failed repair.
func TestReasonTexts(t *testing.T) {
	t.Parallel()
	texts := func(r *Reason) (map[string]any, string) {
		t.Helper()
		if r == nil {
			t.Fatal("no such reason")
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		tx, _ := m["texts"].(map[string]any)
		if tx == nil || tx["en"] == "" || tx["zh-CN"] == "" || tx["en"] != r.Detail {
			t.Fatalf("%s: texts %v, detail %q", r.Rule, m["texts"], r.Detail)
		}
		law, _ := m["law"].(string)
		return tx, law
	}
	d := Decide(Request{Unit: unit(), Policy: template(), Today: day(3)})
	if tx, law := texts(rule(d, "sanbao.return_days")); !strings.Contains(law, "第九条") ||
		!strings.Contains(tx["zh-CN"].(string), "退货") || !strings.Contains(tx["en"].(string), "Art. 9") {
		t.Fatalf("7-day rule: law %q texts %v", law, tx)
	}
	d = Decide(Request{Unit: unit(), Policy: template(), Today: day(10)})
	if _, law := texts(rule(d, "sanbao.exchange_days")); !strings.Contains(law, "第十条") {
		t.Fatalf("15-day rule: law %q", law)
	}
	d = Decide(Request{Unit: unit(), Policy: template(), Today: day(100), History: History{FailedRepairs: 1, PartsWaitDays: 1}})
	if tx, law := texts(rule(d, "sanbao.max_failed_repairs")); !strings.Contains(law, "第十一条") ||
		!strings.Contains(tx["en"].(string), "1 failed repair of") {
		t.Fatalf("failed repairs: law %q texts %v", law, tx)
	}
	if tx, law := texts(rule(d, "sanbao.parts_wait_days")); !strings.Contains(law, "第十二条") ||
		!strings.Contains(tx["en"].(string), "1 day ") {
		t.Fatalf("parts wait: law %q texts %v", law, tx)
	}
	d = Decide(Request{Unit: unit(), Policy: template(), Today: NewDate(2027, time.June, 1),
		History: History{LastExchange: NewDate(2026, time.December, 1), DaysInRepair: 1, DaysInRepairSinceExchange: 1}})
	if _, law := texts(rule(d, "sanbao.restart_on_exchange")); !strings.Contains(law, "第十四条") {
		t.Fatalf("restart on exchange: law %q", law)
	}
	if tx, _ := texts(rule(d, "warranty_period")); !strings.Contains(tx["en"].(string), "from the exchange date 2026-12-01") ||
		!strings.Contains(tx["zh-CN"].(string), "换货之日") {
		t.Fatalf("period after an exchange: %v", tx)
	}
	if tx, law := texts(rule(d, "sanbao.extend_by_repair_days")); !strings.Contains(tx["en"].(string), "1 day in repair extends") ||
		!strings.Contains(law, "第八条") {
		t.Fatalf("one day in repair: law %q texts %v", law, tx)
	}
	one := template()
	one.Terms[0].Months = 1
	d = Decide(Request{Unit: unit(), Policy: one, Today: day(20)})
	if tx, _ := texts(rule(d, "warranty_period")); !strings.Contains(tx["en"].(string), "for 1 month from the invoice date") {
		t.Fatalf("a one-month term: %v", tx)
	}
	// Every reason of a decision has both texts.
	for i := range d.Reasons {
		texts(&d.Reasons[i])
	}
}
