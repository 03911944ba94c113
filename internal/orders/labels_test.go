package orders

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestLabelsMatchTheWebApp: an export says what the screens say, in both languages.
func TestLabelsMatchTheWebApp(t *testing.T) {
	t.Parallel()
	blocks := map[string]string{"status": "orderStatus", "flow": "flow", "channel": "channel", "coverage": "coverage", "type": "orderType",
		"sla_target": "slaTarget", "ledger_kind": "ledgerKind",
		"purchase_status": "purchaseStatus", "purchase_channel": "purchaseChannel", "product_kind": "productKind", "refund_reason": "refundReason", "refund_status": "refundStatus", "payout_kind": "payoutKind", "compensation_status": "compensationStatus", "flag_kind": "flagKind", "flag_status": "flagStatus",
		"bill_line_kind": "billLineKind", "payment_kind": "paymentKind", "payment_method": "paymentMethod", "payment_status": "paymentStatus",
		"movement_type": "movementType", "issue_kind": "issueKind", "stock_owner": "stockOwner", "warehouse_kind": "warehouseKind"}
	for i, file := range []string{"zh-CN", "en"} {
		src, err := os.ReadFile("../../web/app/src/i18n/locales/" + file + ".ts")
		if err != nil {
			t.Fatal(err)
		}
		for kind, block := range blocks {
			words := tsBlock(t, string(src), block)
			for code, l := range labels[kind] {
				if words[code] != l[i] {
					t.Errorf("%s %s %s: the export says %q, the web app %q", file, kind, code, l[i], words[code])
				}
			}
			if len(words) != len(labels[kind]) {
				t.Errorf("%s %s: the web app names %d codes, the export %d", file, block, len(words), len(labels[kind]))
			}
		}
	}
}

var tsEntry = regexp.MustCompile(`(\w+): (?:'([^']*)'|"([^"]*)")`)

// tsBlock reads the first `name: { key: 'value', ... }` object of a locale file.
func tsBlock(t *testing.T, src, name string) map[string]string {
	t.Helper()
	i := strings.Index(src, "\n    "+name+": {")
	if i < 0 {
		t.Fatalf("no %s in the locale file", name)
	}
	body, _, ok := strings.Cut(src[i+len(name)+8:], "}")
	if !ok {
		t.Fatalf("%s does not close", name)
	}
	out := map[string]string{}
	for _, m := range tsEntry.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2] + m[3]
	}
	return out
}

func TestLabelFallsBackToTheCode(t *testing.T) {
	t.Parallel()
	if got := Label("zh-CN", "type", "vip_visit"); got != "vip_visit" {
		t.Errorf("a tenant's own type: %q", got)
	}
	if got := Label("fr", "status", StatusWaiting); got != "Waiting" {
		t.Errorf("another language: %q", got)
	}
}
