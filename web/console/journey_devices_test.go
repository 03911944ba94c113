package console_test

// The devices signed in with a staff account, from the user menu: on a phone in Chinese the
// manager sees the browser and the session an API client opened, this one marked, and signs
// the other out (asked first; its token is refused at once); on a desktop in English, signed
// in again in a second browser, they see both browsers and sign the phone out, which is sent
// to the sign-in page on its next request.

import (
	"fmt"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyStaffSignsOutAnotherDevice(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	email, other := env.Person(&apitest.Tenant{ID: j.tenantID}, "outlet_manager", j.outletID) // signed in through the API

	devices := func(b *browser, n int) {
		t.Helper()
		b.waitJS(fmt.Sprintf(`document.querySelectorAll('.devices-page .device').length === %d && !document.querySelector('.devices-page .el-loading-mask')`, n))
	}
	signOutOther := func(b *browser, other string) {
		t.Helper()
		b.click(other)
		b.waitVisible(`.el-message-box .el-button--danger`)
		b.js(`(() => { document.querySelector('.el-message-box .el-button--danger').click(); return '' })()`)
	}

	// On a phone, in Chinese.
	phone := newBrowser(t, env.Server.URL)
	phone.signIn(email)
	phone.chinese()
	phone.viewport(390, 844, true)
	phone.click(`.user-menu`)
	phone.clickOpens(`.user-devices`, `.devices-page`)
	devices(phone, 2)
	if n := phone.js(`String(document.querySelectorAll('.devices-page .device-card[data-current=true] .device-this').length)`); n != "1" {
		t.Errorf("%s devices marked as this one, want 1", n)
	}
	if txt := phone.js(`document.querySelector('.devices-page .device[data-current=true] .device-name').innerText`); txt != "Chrome · Linux" {
		t.Errorf("this device is named %q, want Chrome · Linux", txt)
	}
	phone.untranslated("the devices signed in")
	phone.noConsoleProblems("the devices signed in (phone)")
	phone.shot("devices-phone-zh")
	signOutOther(phone, `.devices-page .device-card[data-current=false] .device-sign-out`)
	devices(phone, 1)
	if phone.js(`document.querySelector('.devices-page .device').dataset.current`) != "true" {
		t.Errorf("the device left is not this one")
	}
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: other})
	phone.shot("devices-phone-zh-one")

	// On a desktop, in English: a second browser signs in; it signs the phone out.
	desk := newBrowser(t, env.Server.URL)
	desk.signIn(email)
	desk.click(`.user-menu`)
	desk.clickOpens(`.user-devices`, `.devices-page .devices-table`)
	devices(desk, 2)
	if desk.js(`document.querySelector('.devices-page .devices-table .device[data-current=true] .device-this').innerText`) != "This device" {
		t.Errorf("this device is not marked in English")
	}
	desk.shot("devices-desktop-en")
	signOutOther(desk, `.devices-table tr:has(.device[data-current=false]) .device-sign-out`)
	devices(desk, 1)
	desk.noConsoleProblems("the devices signed in (desktop)")
	desk.shot("devices-desktop-en-one")
	// The phone, signed out, is asked to sign in again on its next request.
	phone.open("/me/devices")
	phone.waitJS(`location.pathname === '/console/login'`)

	// Two more sign-ins elsewhere; the desktop signs every other device out at once.
	a, b := env.Login(email), env.Login(email)
	desk.click(`.devices-refresh`)
	devices(desk, 3)
	desk.click(`.devices-sign-out-others`)
	desk.waitVisible(`.el-message-box .el-button--danger`)
	desk.js(`(() => { document.querySelector('.el-message-box .el-button--danger').click(); return '' })()`)
	devices(desk, 1)
	if desk.js(`document.querySelector('.devices-page .device').dataset.current`) != "true" {
		t.Errorf("after signing the others out the device left is not this one")
	}
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: a})
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: b})
	desk.noConsoleProblems("every other device signed out")
}
