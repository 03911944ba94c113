package customer_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/web/customer"
)

func TestPagesServeWithoutLeakingTheToken(t *testing.T) {
	mux := http.NewServeMux()
	customer.Mount(mux)
	for path, want := range map[string]string{"/track/trk_abc": "/v1/public/track/", "/quote/qte_abc": "/v1/public/quotes/"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d, page calls %q? %v", path, rec.Code, want, strings.Contains(rec.Body.String(), want))
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: headers %v", path, rec.Header())
		}
		if strings.Contains(rec.Body.String(), "abc") {
			t.Errorf("%s: the page embeds the token instead of reading it from its address", path)
		}
	}
}
