package console_test

// Browser journeys: the built web app against the real API (apitest: a fresh database, real
// Redis), driven in Debian's chromium with chromedp. A journey fails on any console error,
// uncaught exception or CSP violation in the page; the API's own refusals (4xx answers the
// page shows) are expected and ignored.
//
// Run by `make test` (which builds the app and installs chromium). UPDATE_SCREENS=1 saves
// screenshots of the main screens to docs/screens (make screens).

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// browser is one tab with what the page wrote to its console.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL

	mu       sync.Mutex
	problems []string // console errors, exceptions, CSP violations
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (make test installs it with apt-get)")
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // as root in a container
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException && m.Source != "security" {
				continue
			}
			// The API's answers the page shows (a refused move, a field error, the session
			// probe's 401) are logged by the browser as failed loads: they are the journey.
			if m.Source == "network" && strings.Contains(m.URL, "/v1/") {
				continue
			}
			b.mu.Lock()
			b.problems = append(b.problems, fmt.Sprintf("%s (%s %s:%d)", m, m.Source, m.URL, m.Line+1))
			b.mu.Unlock()
		}
	}()
	return b
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

func (b *browser) location() string {
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	return loc
}

// open goes to an app route, as a deep link.
func (b *browser) open(route string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + "/console" + route))
	b.settle()
}

// settle waits for the page to show something and finish loading.
func (b *browser) settle() {
	b.t.Helper()
	b.waitJS(`document.querySelector('#app') && document.querySelector('#app').children.length > 0 &&
		![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent !== null)`)
	b.do(chromedp.Sleep(400 * time.Millisecond)) // side requests (timeline, names) land
}

// shows says whether an element matching css is visible within d.
func (b *browser) shows(css string, d time.Duration) bool {
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' })()`, css)
	_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(d)))
	return err == nil
}

func (b *browser) waitJS(expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		b.mu.Lock()
		logged := strings.Join(b.problems, "\n")
		b.mu.Unlock()
		b.t.Fatalf("waiting for %s: %v (at %s)\npage:\n%s\nconsole:\n%s", expr, err, b.location(), b.visibleText(), logged)
	}
}

func (b *browser) waitVisible(css string) {
	b.t.Helper()
	// getClientRects, not offsetParent: fixed elements (messages, drawers) have none.
	b.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' })()`, css))
}

func (b *browser) js(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// click clicks the element matching css with the mouse. The click lands where the element
// was when its position was read, and a drawer still sliding in carries it away in between:
// so it waits until the element has stood still for two animation frames.
func (b *browser) click(css string) {
	b.t.Helper()
	b.waitVisible(css)
	b.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false;
		const r = e.getBoundingClientRect(); const at = [r.left, r.top, r.width, r.height].join();
		const still = window.__clickAt === at; window.__clickAt = at; return still })()`, css))
	b.do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// clickOpens clicks the element matching css to open what then shows as shown (a drawer, a
// preview) and waits for it. A page still settling (data arriving, a list re-rendering)
// can move the button between where the mouse aimed and the press: when nothing opened
// within 5 s the button is pressed once more, from the page's script, before waiting.
func (b *browser) clickOpens(css, shown string) {
	b.t.Helper()
	b.click(css)
	if !b.shows(shown, 5*time.Second) {
		b.js(fmt.Sprintf(`(() => { document.querySelector(%q).click(); return '' })()`, css))
	}
	b.waitVisible(shown)
}

// onTop checks that a click on the element matching css now would reach it: nothing (a
// loading mask, a drawer's overlay) lies over its centre.
func (b *browser) onTop(css string) {
	b.t.Helper()
	b.waitVisible(css)
	got := b.js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); const r = e.getBoundingClientRect();
		const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return !top ? 'nothing' : e.contains(top) ? '' : top.outerHTML.slice(0, 200) })()`, css))
	if got != "" {
		b.t.Fatalf("a click on %s would land on %s", css, got)
	}
}

// clickText clicks the visible element matching css whose text is text.
func (b *browser) clickText(css, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => e.offsetParent !== null && e.innerText.trim() === %q)`, css, text))
	b.js(fmt.Sprintf(`(() => { [...document.querySelectorAll(%q)].find((e) => e.offsetParent !== null && e.innerText.trim() === %q).click(); return '' })()`, css, text))
}

// typeInto replaces the text of an input (Vue's v-model follows the input events).
func (b *browser) typeInto(css, text string) {
	b.t.Helper()
	b.waitVisible(css)
	// A field may show before the page knows the user may edit it (disabled until then):
	// keys sent to it then would be lost.
	b.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && !e.disabled })()`, css))
	b.js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); return '' })()`, css))
	b.do(chromedp.SendKeys(chromedp.CSS(css), text))
}

func (b *browser) visibleText() string {
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	return v
}

func (b *browser) viewport(width, height int64, mobile bool) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	b.do(chromedp.EmulateViewport(width, height, opts...))
}

// shot saves a screenshot to docs/screens when UPDATE_SCREENS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.shotAt(name, "")
}

// shotAt is shot with the element matching css scrolled to the top of the screen (the top of
// the page when css is empty): the part of a long page the screenshot is named for.
func (b *browser) shotAt(name, css string) {
	b.t.Helper()
	if os.Getenv("UPDATE_SCREENS") != "1" {
		return
	}
	if css == "" {
		b.js(`(() => { window.scrollTo(0, 0); return '' })()`)
	} else {
		b.js(fmt.Sprintf(`(() => { document.querySelector(%q).scrollIntoView({ block: 'start' }); return '' })()`, css))
	}
	// A drawer or dialog still sliding in would be caught half-way: wait (at most 2 s) until
	// no finite animation or transition runs (spinners loop forever and are left alone).
	for i := 0; i < 20 && b.js(`String(document.getAnimations().some((a) => a.playState === 'running' &&
		a.effect && a.effect.getTiming().iterations !== Infinity))`) == "true"; i++ {
		b.do(chromedp.Sleep(100 * time.Millisecond))
	}
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// noConsoleProblems fails with what the page wrote to its console as errors.
func (b *browser) noConsoleProblems(step string) {
	b.t.Helper()
	b.do(chromedp.Sleep(200 * time.Millisecond))
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("%s: the page logged %s", step, p)
	}
	b.problems = nil
}

var (
	// A message key shown as such: the app's key groups followed by a dotted name.
	rawKey = regexp.MustCompile(`\b(app|lang|common|menu|shell|auth|problem|list|enums|home|orders|customers|outlets|calendars|people|apiKeys|audit|settings|tenants|intake|decision|detail|sla|board|dispatch|catalog|faults|policies|tiers|express|slaSettings|notify|partners|networkJobs|claims|statements|claimChecks|claimSignals|webhooks|reports|money|ledger|pay|commission|bills|returns|complaints|callbacks|rectify|surveys|satisfaction|loaners|counter|complaintRules|partsFlow|fieldVan)\.[a-zA-Z_]+[\w.-]*`)
	// An email address, shown as the data it is.
	email = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
	// A request field path, as the API names it.
	bodyPath = regexp.MustCompile(`\b(body|query|path)\.[a-z_]+`)
	// English the app itself would show if a text were untranslated (data is entered in
	// Chinese in these journeys, so English words on the page come from the app).
	english = regexp.MustCompile(`\b(Status|Save|Cancel|Create|Delete|Remove|Revoke|Loading|Search|Filters|Actions|Details|Created|Updated|Version|Overview|Orders?|Customers?|Outlets?|Calendars?|Members?|Invitations?|People|Timeline|Required|Conflict|Retry|Refresh|Columns|Next|Previous|First page|Sign in|Sign out|Name|Phone|Email|Address|Province|Type|Channel|Fault|Coverage|Waiting|Repairing|Accepted|Dispatched|Scheduled|Cancelled|Closed|Active|Suspended|Reason|Move to|Allowed|Network|Please|No data|Select|expected|validation|failed|allowed|undefined|NaN|null)\b`)
)

// untranslated scans what the page shows (text, placeholders, labels) for keys, field
// paths and English; tooltips (title) are left alone: they keep the server's own words.
func (b *browser) untranslated(page string) {
	b.t.Helper()
	text := b.js(`(() => {
		const out = [document.body.innerText];
		for (const el of document.querySelectorAll('[placeholder], [aria-label]')) {
			if (!el.getClientRects().length) continue;
			for (const a of ['placeholder', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
		}
		return out.join('\n');
	})()`)
	text = email.ReplaceAllString(text, "") // people's emails (…@people.test) are data, not keys
	for _, re := range []*regexp.Regexp{rawKey, bodyPath, english} {
		if m := re.FindAllString(text, -1); len(m) > 0 {
			b.t.Errorf("%s shows untranslated text %q in Chinese:\n%s", page, m, text)
		}
	}
}

// journey is the data of one journey: a tenant with its admin and an outlet, made through
// the API as a platform operator would.
type journey struct {
	env      *apitest.Env
	admin    string // token
	email    string
	outletID string
	tenantID string
}

func newJourney(t *testing.T) *journey {
	t.Helper()
	env := apitest.New(t)
	op := env.PlatformAdmin()
	u := env.Unique()
	email := "admin" + u + "@tenant.test"
	tn := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/tenants", Token: op, Body: map[string]any{
		"slug": "t-" + u, "name": "华东家电", "kind": "brand",
		"admin": map[string]string{"email": email, "name": "王经理", "password": apitest.Password}}}).Map(t)
	admin := env.Login(email)
	o := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: admin, Body: map[string]any{
		"code": "SH-01", "name": "上海服务中心", "kind": "service_center", "province_code": "310000", "phone": "021-55550000"}})
	tenantID, _ := tn["id"].(string)
	return &journey{env: env, admin: admin, email: email, outletID: o.Map(t)["id"].(string), tenantID: tenantID}
}

// moveOutOfBand moves the order on as another client would, and returns the new status.
func (j *journey) moveOutOfBand(t *testing.T, orderID string) string {
	t.Helper()
	var o struct{ Next []string }
	j.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &o)
	to := ""
	for _, s := range o.Next {
		if s != "cancelled" {
			to = s
			break
		}
	}
	if to == "" {
		t.Fatalf("order %s has no move but cancelling: %v", orderID, o.Next)
	}
	j.env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: j.admin,
		Body: map[string]string{"to": to}})
	return to
}

// staleMove makes the page's move buttons stale (another client moves the order), clicks
// one, and checks that the refusal says the order changed (412: the move went with the
// order's version in If-Match), and that reloading offers the moves allowed now.
func (j *journey) staleMove(t *testing.T, b *browser, orderID, wantTitle, shot string) {
	t.Helper()
	stale := b.js(`[...document.querySelectorAll('.moves-buttons button')].map((e) => e.dataset.move).find((m) => m !== 'cancelled') || ''`)
	now := j.moveOutOfBand(t, orderID)
	if stale != now {
		t.Fatalf("the page offers %q first, the API moved the order to %q: the click would not be refused", stale, now)
	}
	b.click(fmt.Sprintf(`.moves-buttons button[data-move=%q]`, stale))
	b.waitVisible(`.moves-card .problem-alert .el-button--primary`)
	if got := b.js(`document.querySelector('.moves-card .problem-alert').innerText`); !strings.Contains(got, wantTitle) {
		t.Errorf("the stale move shows %q, want %q", got, wantTitle)
	}
	var o struct{ Next []string }
	j.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID, Token: j.admin}).JSON(t, &o)
	if got := b.js(`[...document.querySelectorAll('.moves-buttons button')].map((e) => e.dataset.move).join(',')`); got == strings.Join(o.Next, ",") {
		t.Fatalf("the page already offers the moves of the order as it is now (%s) before reloading", got)
	}
	if b.js(`document.documentElement.lang`) == "zh-CN" {
		b.untranslated("the stale move")
	}
	b.shot(shot) // the refusal, before reloading
	b.click(`.moves-card .problem-alert .el-button--primary`)
	b.waitJS(fmt.Sprintf(`!document.querySelector('.moves-card .problem-alert') && [...document.querySelectorAll('.moves-buttons button')].map((e) => e.dataset.move).join(',') === %q`, strings.Join(o.Next, ",")))
}

func builtOrSkip(t *testing.T, env *apitest.Env) {
	t.Helper()
	resp := env.Do(apitest.Req{Method: "GET", Path: "/console/"})
	if resp.Status == 503 {
		t.Skip("the web app is not built (make web)")
	}
}

func TestJourneyStaffWorksAnOrderInEnglishThenChineseOnADesktopAndAPhone(t *testing.T) {
	chromiumPath(t) // skips before the database is made when there is no browser
	j := newJourney(t)
	builtOrSkip(t, j.env)
	b := newBrowser(t, j.env.Server.URL)

	// Sign-in: a wrong password is refused in words, then the right one opens the overview.
	b.open("/")
	b.waitVisible(`input[name=email]`)
	if !strings.HasSuffix(b.location(), "/console/login") {
		t.Errorf("/ led to %s, want the sign-in page", b.location())
	}
	b.shot("login")
	b.typeInto(`input[name=email]`, j.email)
	b.typeInto(`input[name=password]`, "not-the-password\r")
	b.waitVisible(`.problem-alert`)
	if got := b.js(`document.querySelector('.problem-alert').innerText`); !strings.Contains(got, "The email or password is wrong.") {
		t.Errorf("a wrong password shows %q", got)
	}
	b.typeInto(`input[name=password]`, apitest.Password+"\r")
	b.waitVisible(`.app-layout`)
	b.settle()
	b.shot("home")
	b.noConsoleProblems("sign-in")

	// A customer: the empty form is refused field by field, then created.
	b.open("/customers/new")
	b.click(`button[type=submit]`)
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	b.settle()
	if got := b.js(`document.querySelector('.el-form-item.is-error .el-form-item__error').innerText`); got != "Required" {
		t.Errorf("the empty name shows %q, want Required", got)
	}
	b.shot("customer-new-errors")
	b.typeInto(`input[name=name]`, "张三")
	b.typeInto(`input[name=phone]`, "13800138000")
	// Where the customer lives, picked by name (Shanghai › Pudong New Area), stored as codes.
	b.click(`.region-codes`)
	b.clickText(`.el-cascader-node__label`, "上海市")
	b.waitJS(`document.querySelectorAll('.el-cascader-menu').length >= 2`)
	b.js(`(() => { const m = document.querySelectorAll('.el-cascader-menu')[1]; [...m.querySelectorAll('.el-cascader-node__label')].find((e) => e.innerText.trim() === '上海市').click(); return '' })()`)
	b.waitJS(`document.querySelectorAll('.el-cascader-menu').length >= 3`)
	b.js(`(() => { [...document.querySelectorAll('.el-cascader-node')].find((e) => e.innerText.trim() === '浦东新区').querySelector('.el-radio').click(); return '' })()`)
	b.waitJS(`document.querySelector('.region-codes input').value.includes('浦东新区')`)
	// The cascader's menus stay open after a pick: close them, or they lie over the button.
	b.click(`.page-header h1, h1`)
	b.waitJS(`![...document.querySelectorAll('.el-cascader__dropdown')].some((e) => e.offsetParent !== null)`)
	b.click(`button[type=submit]`)
	b.waitJS(`location.pathname === '/console/customers'`)
	b.settle()
	b.waitJS(`document.querySelector('.list-table') && document.querySelector('.list-table').innerText.includes('张三')`)
	b.shot("customers")
	b.noConsoleProblems("customer")
	var found struct {
		Items []struct {
			Name         string `json:"name"`
			ProvinceCode string `json:"province_code"`
			CityCode     string `json:"city_code"`
			DistrictCode string `json:"district_code"`
		} `json:"items"`
	}
	j.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers?phone=13800138000", Token: j.admin}).JSON(t, &found)
	if len(found.Items) != 1 || found.Items[0].ProvinceCode != "310000" || found.Items[0].CityCode != "310100" || found.Items[0].DistrictCode != "310115" {
		t.Errorf("the customer's region picked by name was stored as %+v, want 310000 / 310100 / 310115", found.Items)
	}

	// Finance → Platform subscription: the plan (none yet), this month's metered usage with
	// its price, the invoices, and the button that opens Stripe Checkout.
	b.open("/finance/subscription")
	b.waitJS(`document.querySelector('[data-test=subscription-usage]') && document.querySelector('[data-test=subscription-usage]').innerText.includes('Service orders')`)
	b.settle()
	if got := b.js(`document.querySelector('[data-test=subscription-plan]').innerText`); !strings.Contains(got, "No plan yet") {
		t.Errorf("the subscription screen shows %q, want no plan yet", got)
	}
	if got := b.js(`String(!!document.querySelector('[data-test=subscription-pay]'))`); got != "true" {
		t.Errorf("the admin is offered no pay button")
	}
	if got := b.js(`document.querySelector('[data-test=subscription-invoices]').innerText`); !strings.Contains(got, "No invoices yet") {
		t.Errorf("the invoices card shows %q", got)
	}
	b.shot("platform-subscription")

	// An order, taken for a new customer, then moved on.
	b.open("/orders/new")
	b.typeInto(`input[name="customer.name"]`, "李四")
	b.typeInto(`input[name="customer.phone"]`, "13900139000")
	b.typeInto(`textarea[name=fault_description]`, "无法开机")
	b.click(`button[type=submit]`)
	b.waitJS(`/^\/console\/orders\/[0-9a-f-]{36}$/.test(location.pathname)`)
	b.settle()
	orderURL, _ := url.Parse(b.location())
	orderID := filepath.Base(orderURL.Path)
	first := b.js(`[...document.querySelectorAll('.moves-buttons button')].map((e) => e.dataset.move).find((m) => m !== 'cancelled') || ''`)
	if first == "" {
		t.Fatalf("the new order offers no move:\n%s", b.visibleText())
	}
	b.click(fmt.Sprintf(`.moves-buttons button[data-move=%q]`, first))
	b.waitJS(fmt.Sprintf(`!document.querySelector('.moves-buttons button[data-move=%q]')`, first))
	b.settle()
	b.shot("order-detail")

	// Someone else moves the order meanwhile: the stale move is refused (412), shown as a
	// message (no exception), and the page offers the order as it is now with its moves.
	j.staleMove(t, b, orderID, "Changed by someone else", "order-stale")
	b.noConsoleProblems("order moves")

	// The list keeps its filters in the address; the back button returns to them.
	b.open("/outlets?status=active")
	b.waitJS(`document.querySelector('.list-table').innerText.includes('SH-01')`)
	b.clickText(`.side-menu .el-menu-item`, "Service orders")
	b.waitJS(`location.pathname === '/console/orders'`)
	b.settle()
	b.js(`(() => { history.back(); return '' })()`)
	b.waitJS(`location.pathname + location.search === '/console/outlets?status=active'`)
	b.settle()
	if got := b.js(`document.querySelector('.list-filters').innerText`); !strings.Contains(got, "Active") {
		t.Errorf("the status filter shows %q after going back, want Active", got)
	}

	// The overview charts this month's time limits (the order's acceptance was one).
	b.open("/")
	b.waitVisible(`.echart canvas`)
	b.shot("overview")

	// A stale edit: the outlet changed since the page read it; the save is refused and the
	// page offers the latest version.
	b.open("/outlets/" + j.outletID)
	b.waitVisible(`input[name=name]`)
	var etag string
	resp := j.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + j.outletID, Token: j.admin})
	etag = resp.Header.Get("ETag")
	j.env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/outlets/" + j.outletID, Token: j.admin,
		Header: map[string]string{"If-Match": etag},
		Body:   map[string]any{"code": "SH-01", "name": "上海浦东服务中心", "kind": "service_center", "province_code": "310000"}})
	b.typeInto(`input[name=name]`, "上海服务中心（改）")
	b.click(`.section-card button[type=submit]`)
	b.waitVisible(`.problem-alert .el-button--primary`)
	if got := b.js(`document.querySelector('.problem-alert').innerText`); !strings.Contains(got, "Changed by someone else") {
		t.Errorf("the stale save shows %q", got)
	}
	b.shot("outlet-stale")
	b.click(`.problem-alert .el-button--primary`)
	b.waitJS(`document.querySelector('input[name=name]').value === '上海浦东服务中心' && !document.querySelector('.problem-alert')`)
	b.noConsoleProblems("outlet")

	// 中文: the language switch turns every screen Chinese, with no key, field path or English.
	b.click(`.lang-switch`)
	b.clickText(`.el-dropdown-menu__item`, "简体中文")
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.settle()
	b.untranslated("the outlet after switching")
	for _, route := range []string{"/", "/orders", "/orders/" + orderID, "/customers", "/outlets", "/outlets/" + j.outletID,
		"/calendars", "/people", "/people/invitations", "/people/invite", "/api-keys", "/api-keys/new", "/audit", "/settings",
		"/orders/new"} {
		b.open(route)
		b.untranslated(route)
	}
	b.shot("zh-orders-new")
	b.open("/orders")
	b.shot("zh-orders")
	// The list exports as the reader sees it: an XLSX file (a zip) named in Chinese.
	b.js(`window.__saved = null; const save = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () { window.__savedName = this.download; return save.call(this) };
		const made = URL.createObjectURL; URL.createObjectURL = (blob) => {
			blob.arrayBuffer().then((buf) => { window.__saved = Array.from(new Uint8Array(buf.slice(0, 2))).join(',') });
			return made(blob) }; 'ok'`)
	b.click(`.export-xlsx`)
	b.waitJS(`window.__saved === '80,75'`)
	if name := b.js(`window.__savedName`); !strings.HasPrefix(name, "工单-") || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("the export is saved as %q, want 工单-….xlsx", name)
	}
	b.open("/customers/new")
	b.click(`button[type=submit]`)
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	b.untranslated("the refused customer form")
	if got := b.js(`document.querySelector('.el-form-item.is-error .el-form-item__error').innerText`); got != "必填" {
		t.Errorf("the empty name shows %q in Chinese, want 必填", got)
	}
	b.shot("zh-customer-new-errors")
	b.open("/orders/" + orderID)
	j.staleMove(t, b, orderID, "已被他人修改", "zh-order-stale")
	b.untranslated("the stale move, reloaded")
	b.noConsoleProblems("Chinese")

	// A phone (390 px): the menu is a drawer, the page does not scroll sideways.
	b.viewport(390, 844, true)
	b.open("/orders")
	if b.js(`document.querySelector('.app-aside') ? 'aside' : ''`) != "" {
		t.Error("a 390 px screen shows the side menu instead of a drawer")
	}
	b.shot("phone-orders")
	b.click(`.menu-toggle`)
	b.waitVisible(`.menu-drawer .el-menu`)
	b.untranslated("the menu drawer")
	b.shot("phone-menu")
	b.clickText(`.menu-drawer .el-menu-item`, "客户")
	b.waitJS(`location.pathname === '/console/customers'`)
	b.waitJS(`!document.querySelector('.menu-drawer .el-menu') || document.querySelector('.menu-drawer .el-menu').offsetParent === null`)
	for _, route := range []string{"/customers", "/orders/" + orderID, "/outlets/" + j.outletID, "/orders/new"} {
		b.open(route)
		if w := b.js(`String(document.documentElement.scrollWidth - window.innerWidth)`); w != "0" {
			t.Errorf("%s is %s px wider than a 390 px screen", route, w)
		}
		b.untranslated(route + " on a phone")
	}
	b.open("/orders/" + orderID)
	b.shot("phone-order")
	b.noConsoleProblems("phone")
}

func TestJourneyPlatformOperatorOnboardsATenantWhoseInviteeJoins(t *testing.T) {
	chromiumPath(t)
	env := apitest.New(t)
	builtOrSkip(t, env)
	opEmail, _ := env.PlatformOperator()
	b := newBrowser(t, env.Server.URL)

	// The operator works without a tenant: the overview leads to the tenants.
	b.open("/")
	b.typeInto(`input[name=email]`, opEmail)
	b.typeInto(`input[name=password]`, apitest.Password+"\r")
	b.waitJS(`location.pathname === '/console/tenants'`)
	b.settle()
	if got := b.js(`document.querySelector('.tenant-switcher').innerText`); !strings.Contains(got, "Platform administration") {
		t.Errorf("the header shows %q, want platform administration", got)
	}

	// Onboarding: the empty form is refused on each field, the first administrator's too.
	b.open("/tenants/new")
	b.click(`button[type=submit]`)
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	for _, name := range []string{"name", "slug", "admin.email", "admin.name", "admin.password"} {
		if b.js(fmt.Sprintf(`document.querySelector('input[name=%q]').closest('.el-form-item').classList.contains('is-error') ? 'yes' : ''`, name)) != "yes" {
			t.Errorf("the empty %s is not highlighted", name)
		}
	}
	u := env.Unique()
	adminEmail := "admin" + u + "@tenant.test"
	b.typeInto(`input[name=name]`, "华南电器")
	b.typeInto(`input[name=slug]`, "t-"+u)
	b.typeInto(`input[name="admin.email"]`, adminEmail)
	b.typeInto(`input[name="admin.name"]`, "赵总")
	b.typeInto(`input[name="admin.password"]`, apitest.Password)
	b.shot("tenant-new")
	b.click(`button[type=submit]`)
	b.waitJS(`location.pathname === '/console/tenants' && document.querySelector('.list-table').innerText.includes('华南电器')`)
	b.shot("tenants")

	// Opening the tenant: the operator works in it.
	b.js(`(() => { [...document.querySelectorAll('.list-table tr')].find((r) => r.innerText.includes('华南电器')).querySelector('button').click(); return '' })()`)
	b.waitJS(`location.pathname === '/console/' && document.querySelector('.tenant-switcher').innerText.includes('华南电器')`)
	b.settle()

	// The tenant's calendar: hours the page cannot read are refused at the day, then saved.
	b.open("/calendars")
	b.click(`.list-table a`)
	b.waitVisible(`input[name="weekly_hours.mon"]`)
	// The page may still be taking in the calendar's answer when the first keys arrive (a
	// slow machine shows it happen): type again until the refusal shows, at most thrice.
	for attempt := 0; ; attempt++ {
		b.typeInto(`input[name="weekly_hours.mon"]`, "9-18")
		b.click(`.section-card button[type=submit]`)
		if b.shows(`.el-form-item.is-error .el-form-item__error`, 5*time.Second) || attempt == 2 {
			break
		}
	}
	b.waitVisible(`.el-form-item.is-error .el-form-item__error`)
	if got := b.js(`document.querySelector('input[name="weekly_hours.mon"]').closest('.el-form-item').innerText`); !strings.Contains(got, `Cannot read "9-18"`) {
		t.Errorf("unreadable hours show %q", got)
	}
	b.typeInto(`input[name="weekly_hours.mon"]`, "09:00-12:00, 13:00-18:00")
	b.click(`.section-card button[type=submit]`)
	b.waitVisible(`.el-message--success`)
	b.shot("calendar")

	// An API key, shown once.
	b.open("/api-keys/new")
	b.typeInto(`input[name=name]`, "呼叫中心对接")
	b.click(`button[type=submit]`)
	b.waitVisible(`input[name=api_key_token]`)
	if tok := b.js(`document.querySelector('input[name=api_key_token]').value`); !strings.HasPrefix(tok, "ask_") {
		t.Errorf("the new key shows %q", tok)
	}

	// An invitation: its link carries the token in the fragment, never sent to a server.
	b.open("/people/invite")
	inviteeEmail := "agent" + u + "@people.test"
	b.typeInto(`input[name=email]`, inviteeEmail)
	b.click(`button[type=submit]`)
	b.waitVisible(`input[name=accept_link]`)
	link := b.js(`document.querySelector('input[name=accept_link]').value`)
	if !strings.HasPrefix(link, env.Server.URL+"/console/accept#") {
		t.Fatalf("the accept link is %q", link)
	}
	b.shot("invitation")
	b.noConsoleProblems("operator")

	// Signed out, the invitee accepts and signs in: an agent sees the service, not the platform.
	b.click(`.user-menu`)
	b.clickText(`.el-dropdown-menu__item`, "Sign out")
	b.waitJS(`location.pathname === '/console/login'`)
	b.do(chromedp.Navigate(link))
	b.settle()
	b.typeInto(`input[name=name]`, "钱客服")
	b.typeInto(`input[name=password]`, apitest.Password+"\r")
	b.waitJS(`document.body.innerText.includes('Welcome aboard')`)
	b.shot("accepted")
	b.clickText(`a.el-button`, "Sign in")
	b.typeInto(`input[name=email]`, inviteeEmail)
	b.typeInto(`input[name=password]`, apitest.Password+"\r")
	b.waitVisible(`.app-layout`)
	b.settle()
	menu := b.js(`document.querySelector('.side-menu').innerText`)
	if !strings.Contains(menu, "Service orders") || strings.Contains(menu, "Tenants") || strings.Contains(menu, "API keys") {
		t.Errorf("an agent's menu is:\n%s", menu)
	}
	b.open("/api-keys")
	if got := b.visibleText(); !strings.Contains(got, "Your role does not allow this page.") {
		t.Errorf("an agent opening API keys sees:\n%s", got)
	}
	b.noConsoleProblems("invitee")
}
