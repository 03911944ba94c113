package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestThePortalAnswersItsPageForEveryBrandRouteAndItsOwnFiles: /my/{tenant}/... is the
// portal's page (with the app's security headers), its manifest and icon answer as
// themselves, and a missing file is a 404, never the page.
func TestThePortalAnswersItsPageForEveryBrandRouteAndItsOwnFiles(t *testing.T) {
	build := fstest.MapFS{}
	for k, v := range fakeBuild {
		build[k] = v
	}
	build["my.html"] = &fstest.MapFile{Data: []byte(`<!doctype html><title>portal</title><script type="module" src="/console/assets/my-Zz9.js"></script>`)}
	build["my/manifest.webmanifest"] = &fstest.MapFile{Data: []byte(`{"name":"portal","scope":"/my/"}`)}
	a, err := load(build)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+MyBase+"{path...}", portal{app: a})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, route := range []string{"/my/", "/my/acme", "/my/acme/check", "/my/acme/units/new"} {
		resp, body := get(t, srv.URL+route)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<title>portal</title>") {
			t.Errorf("%s: %d %q, want the portal's page", route, resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
			t.Errorf("%s: CSP %q", route, resp.Header.Get("Content-Security-Policy"))
		}
	}
	resp, body := get(t, srv.URL+"/my/manifest.webmanifest")
	if resp.StatusCode != http.StatusOK || mediaType(t, resp) != "application/manifest+json" || !strings.Contains(string(body), `"scope":"/my/"`) {
		t.Errorf("manifest: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := get(t, srv.URL+"/my/acme/missing.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a missing file: %d, want 404", resp.StatusCode)
	}

	// Without the portal in the build, the portal's routes say the app is not built.
	bare, err := load(fstest.MapFS{".placeholder": {Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	portal{app: bare}.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/my/acme", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("not built: %d, want 503", rec.Code)
	}
}
