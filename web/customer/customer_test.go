package customer_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aftersales/aftersales/web/customer"
)

// The links already sent by SMS lead to the portal's pages, token and all, without passing
// the token on as a referrer.
func TestLinksRedirectToThePortalPages(t *testing.T) {
	mux := http.NewServeMux()
	customer.Mount(mux)
	for path, want := range map[string]string{"/track/trk_abc-_9": "/my/track/trk_abc-_9", "/quote/qte_abc": "/my/quote/qte_abc", "/survey/sv_abc": "/my/survey/sv_abc", "/pay/pay_abc": "/my/pay/pay_abc"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != want {
			t.Errorf("%s: %d to %q, want 302 to %q", path, rec.Code, rec.Header().Get("Location"), want)
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, rec.Header())
		}
	}
}
