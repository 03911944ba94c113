package warranty

import (
	"fmt"
	"strings"
)

// Texts is a reason's wording in each language the product ships.
type Texts struct {
	En   string `json:"en"`
	ZhCN string `json:"zh-CN"`
}

// SanBaoRules is the national regulation the 三包 rules of a policy carry out, by its
// Chinese title: 《部分商品修理更换退货责任规定》 (1995). Reasons cite its articles (Reason.Law).
const SanBaoRules = "《部分商品修理更换退货责任规定》"

// article is an article of SanBaoRules.
type article struct {
	n  int
	zh string
}

// The articles the rules carry out (docs/warranty.md lists them with their rules).
var (
	artPeriod      = article{8, "第八条"}   // the period counts from the invoice date, less the days in repair and waiting for parts; invoice and 三包凭证
	artReturn      = article{9, "第九条"}   // 7 days: return, exchange or repair
	artExchange    = article{10, "第十条"}  // 15 days: exchange or repair
	artFailed      = article{11, "第十一条"} // two repairs that did not fix it: exchange or refund
	artRepairTime  = article{12, "第十二条"} // a repair kept waiting (for parts, or too long): exchange
	artNewOnChange = article{14, "第十四条"} // an exchanged unit's period starts again on the exchange day
	noArticle      = article{}
)

// NewReason is a reason with its text in both languages; Detail is the English one.
func NewReason(rule, outcome, source string, t Texts) Reason {
	return Reason{Rule: rule, Outcome: outcome, Source: source, Detail: t.En, Texts: t}
}

// lawReason is a reason that carries out an article of the national rules: it cites it, in
// Law and at the end of both texts.
func lawReason(rule, outcome, source string, a article, t Texts) Reason {
	if a.n > 0 {
		t.En += fmt.Sprintf(" (三包 rules, Art. %d)", a.n)
		t.ZhCN += "（" + SanBaoRules + a.zh + "）"
	}
	r := NewReason(rule, outcome, source, t)
	if a.n > 0 {
		r.Law = SanBaoRules + a.zh
	}
	return r
}

// count writes n with an English noun, singular for one: 1 day, 2 days.
func count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// days is n days in English.
func days(n int) string { return count(n, "day", "days") }

// period is a term's length in both languages: 12 months, 1 month and 10 days; 12个月零10天.
func period(months, d int) (string, string) {
	var en []string
	zh := ""
	if months > 0 {
		en = append(en, count(months, "month", "months"))
		zh = fmt.Sprintf("%d个月", months)
	}
	if d > 0 {
		en = append(en, days(d))
		if zh != "" {
			zh += "零"
		}
		zh += fmt.Sprintf("%d天", d)
	}
	return strings.Join(en, " and "), zh
}

// proofNames names the proofs of purchase.
var proofNames = map[string]Texts{ProofInvoice: {"invoice", "发票"}, ProofWarrantyCard: {"warranty card", "三包凭证"}}

// exclusionNames names the exclusion codes.
var exclusionNames = map[string]Texts{
	"misuse":              {"misuse", "人为损坏"},
	"liquid_damage":       {"liquid damage", "进液损坏"},
	"unauthorised_repair": {"an unauthorised repair", "非授权拆修"},
	"cosmetic":            {"cosmetic wear", "外观磨损"},
}

// grantNames names the grant kinds.
var grantNames = map[string]Texts{
	GrantExtended:       {"extended warranty", "延长保修"},
	GrantAccidental:     {"accidental damage cover", "意外损坏保障"},
	GrantRepairWarranty: {"repair warranty", "维修保"},
}

// named is the name of a code in names, the code itself when unknown.
func named(names map[string]Texts, code string) Texts {
	if t, ok := names[code]; ok {
		return t
	}
	return Texts{code, code}
}

// termLabel names what a term covers.
func termLabel(component string) Texts {
	if component == WholeUnit {
		return Texts{"the whole unit", "整机"}
	}
	return Texts{"the " + component, "部件 " + component}
}
