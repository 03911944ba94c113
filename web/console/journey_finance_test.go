package console_test

// Finance's screens on a fresh tenant: the ledger with its date range in the URL, exported
// as XLSX (the test opens the file), in Chinese (scanned for raw codes) and on a phone.

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// captureDownloads makes the page keep the next saved file (name and bytes, base64) in
// window.__savedName and window.__savedB64 instead of leaving them to the browser.
func (b *browser) captureDownloads() {
	b.t.Helper()
	b.js(`window.__savedB64 = null; window.__savedName = null;
		const click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () { window.__savedName = this.download; return click.call(this) };
		const made = URL.createObjectURL; URL.createObjectURL = (blob) => {
			const r = new FileReader(); r.onload = () => { window.__savedB64 = String(r.result).split(',')[1] }; r.readAsDataURL(blob);
			return made(blob) }; 'ok'`)
}

func TestJourneyFinanceReadsTheLedgerAndExportsIt(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	b := newBrowser(t, j.env.Server.URL)
	b.signIn(j.email)

	// The range lives in the URL: a deep link shows it in the picker (last day, not the day after).
	from := time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly)
	to := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	last := time.Now().UTC().Format(time.DateOnly)
	b.open("/finance/ledger?from=" + from + "&to=" + to)
	b.waitJS(`document.querySelector('.list-table .el-empty') !== null`)
	if got := b.js(`[...document.querySelectorAll('.ledger-dates input')].map((e) => e.value).join(' ')`); got != from+" "+last {
		t.Errorf("the picker shows %q for from=%s&to=%s, want %s %s", got, from, to, from, last)
	}
	if !strings.Contains(b.js(`document.querySelector('.app-aside, .el-menu') ? document.body.innerText : ''`), "Ledger") {
		t.Error("the menu has no Ledger entry")
	}
	b.shot("finance-ledger")
	b.noConsoleProblems("ledger")

	// 中文: the export is an XLSX named in Chinese whose header is in Chinese.
	b.chinese()
	b.open("/finance/ledger?from=" + from + "&to=" + to)
	b.untranslated("/finance/ledger")
	b.captureDownloads()
	b.click(`.export-xlsx`)
	b.waitJS(`!!window.__savedB64`)
	if name := b.js(`window.__savedName`); !strings.HasPrefix(name, "资金流水-") || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("the ledger export is saved as %q, want 资金流水-….xlsx", name)
	}
	raw, err := base64.StdEncoding.DecodeString(b.js(`window.__savedB64`))
	if err != nil {
		t.Fatalf("the saved file: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the ledger file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	if err != nil || len(rows) != 1 || strings.Join(rows[0], ",") != "时间,类型,金额,币种,购买单,Stripe 对象,备注" {
		t.Errorf("the ledger file's rows are %q (%v), want the Chinese header of an empty ledger", rows, err)
	}
	b.viewport(390, 844, true)
	b.open("/finance/ledger")
	b.noSidewaysScroll("/finance/ledger")
	b.shot("phone-finance-ledger")
	b.noConsoleProblems("ledger in Chinese")
}
