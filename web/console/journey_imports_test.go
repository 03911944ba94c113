package console_test

// The imports screen on a fresh tenant: a file of sales is uploaded, its progress follows the
// import as it runs (the page reads it again by itself), and the refused rows download as CSV.

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/registry"
)

func TestJourneyAdminImportsSalesAndFollowsTheProgress(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: j.admin,
		Body: map[string]any{"code": "ac", "name": "空调"}}).Map(t)["id"]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: j.admin, Body: map[string]any{"category_id": cat,
		"sku": "KFR-35GW", "name": "Split AC 1.5P", "serial_pattern": "[A-Z0-9]{8,20}", "components": []any{}}})
	day := time.Now().AddDate(0, 0, -10).Format(time.DateOnly)
	file := filepath.Join(t.TempDir(), "销售-2026.csv")
	content := "model_sku,serial,purchase_date\n" +
		"KFR-35GW,SNJ0000001," + day + "\n" +
		"KFR-35GW,SNJ0000002," + day + "\n" +
		"KFR-35GW,bad," + day + "\n" + // refused: not a serial of the model
		"NOPE,SNJ0000004," + day + "\n" + // refused: no such model
		"KFR-35GW,SNJ0000005," + day + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.open("/imports")
	b.click(`.new-import`)
	b.waitVisible(`.import-dialog .import-file`)
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`.import-dialog .import-file`), []string{file}))
	b.waitJS(`!document.querySelector('.import-dialog .import-submit').disabled`)
	// Clicked in the page: the dialog may still be moving in (its opening animation), which a
	// click at the button's place would miss.
	b.js(`(() => { document.querySelector('.import-dialog .import-submit').click(); return '' })()`)
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 1 && document.querySelector('.list-table').innerText.includes('销售-2026.csv') && document.querySelector('.list-table').innerText.includes('Queued')`)
	var imps struct{ Items []struct{ ID, Status string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/imports", Token: j.admin}).JSON(t, &imps)
	if len(imps.Items) != 1 || imps.Items[0].Status != "queued" {
		t.Fatalf("imports after the upload: %+v", imps.Items)
	}
	b.shot("imports-queued")

	// The import runs (the worker's code, two rows at a time); the page follows it unasked.
	if err := registry.RunImport(context.Background(), env.Tenants, uuid.MustParse(j.tenantID), uuid.MustParse(imps.Items[0].ID), 2, nil); err != nil {
		t.Fatal(err)
	}
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Done') && document.querySelector('.import-progress').getAttribute('aria-valuenow') === '100'`)
	if got := b.js(`document.querySelector('.import-rows').innerText`); got != "5 of 5 rows · 3 new · 0 already there · 2 refused" {
		t.Errorf("the import's rows read %q", got)
	}
	b.shot("imports")
	b.captureDownloads()
	b.click(`.import-errors`)
	b.waitJS(`!!window.__savedB64`)
	raw, err := base64.StdEncoding.DecodeString(b.js(`window.__savedB64`))
	if err != nil {
		t.Fatal(err)
	}
	if report := string(raw); !strings.Contains(report, "4,serial") || !strings.Contains(report, "5,model_sku") {
		t.Errorf("the refused rows report reads %q, want rows 4 (serial) and 5 (model_sku)", report)
	}
	b.noConsoleProblems("imports")

	// 中文, then a phone.
	b.chinese()
	b.open("/imports")
	b.untranslated("/imports")
	b.click(`.new-import`)
	b.waitVisible(`.import-dialog .import-file`)
	b.untranslated("the import dialog")
	b.viewport(390, 844, true)
	b.open("/imports")
	b.noSidewaysScroll("/imports")
	b.shot("phone-imports")
	b.noConsoleProblems("imports in Chinese")
}
