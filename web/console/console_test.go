package console

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	return resp, body
}

func get(t *testing.T, rawURL string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("bad Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	return mt
}

func TestPageServedWithSecurityHeaders(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/", "/console/", "/console/index.html"} {
		resp, body := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status = %d, want 200", p, resp.StatusCode)
		}
		if mt := mediaType(t, resp); mt != "text/html" {
			t.Errorf("GET %s: content type = %q, want text/html", p, mt)
		}
		want := map[string]string{
			"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           "no-cache",
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, v)
			}
		}
		if !strings.Contains(string(body), `/console/app.js?v=`+version) {
			t.Errorf("GET %s: page does not load the versioned app.js:\n%s", p, body)
		}
	}
}

func TestOnlyExactRootServesThePage(t *testing.T) {
	srv := newServer(t)
	if resp, _ := get(t, srv.URL+"/v1/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v1/nothing: status = %d, want 404 (the page must not shadow other routes)", resp.StatusCode)
	}
	resp, _ := get(t, srv.URL+"/console")
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /console: status = %d, Location = %q, want a redirect to /console/", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	if resp, _ := do(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status = %d, want 405", resp.StatusCode)
	}
}

func TestAssetsServedWithTypesAndCaching(t *testing.T) {
	srv := newServer(t)
	for file, want := range map[string]string{
		"app.js":    "text/javascript",
		"api.js":    "text/javascript",
		"ui.js":     "text/javascript",
		"style.css": "text/css",
		"icon.svg":  "image/svg+xml",
	} {
		resp, body := get(t, srv.URL+"/console/"+file+"?v="+version)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status = %d, want 200", file, resp.StatusCode)
		}
		if mt := mediaType(t, resp); mt != want {
			t.Errorf("%s: content type = %q, want %q", file, mt, want)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: missing X-Content-Type-Options: nosniff", file)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: versioned Cache-Control = %q, want immutable", file, cc)
		}
		if len(body) == 0 {
			t.Errorf("%s: empty body", file)
		}

		// Unversioned (modules import each other so) or stale: revalidate every time.
		resp, _ = get(t, srv.URL+"/console/"+file)
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: unversioned Cache-Control = %q, want no-cache", file, cc)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", file)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/"+file, nil)
		req.Header.Set("If-None-Match", etag)
		if resp, _ := do(t, req); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation status = %d, want 304", file, resp.StatusCode)
		}
	}
}

func TestUnknownAssetIs404(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/console/nope.js", "/console/assets/app.js", "/console/console.go", "/console/.hidden", "/console/sub/app.js"} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", p, resp.StatusCode)
		}
	}
}

var (
	absURL    = regexp.MustCompile(`(?i)\b(https?:|wss?:|ftp:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	urlAttr   = regexp.MustCompile(`(?i)\b(?:src|href|action)\s*=\s*["']([^"']*)["']`)
	cssURL    = regexp.MustCompile(`(?i)url\(|@import`)
	rawHTML   = regexp.MustCompile(`\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(`)
	tokenSave = regexp.MustCompile(`(?i)(localStorage|sessionStorage)\.setItem\([^)]*token`)
)

func TestPageReferencesOnlySameOriginURLs(t *testing.T) {
	srv := newServer(t)
	_, body := get(t, srv.URL+"/")
	page := string(body)
	if m := absURL.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("page references other hosts %v; it must work offline, on its own origin", m)
	}
	refs := urlAttr.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("page references %d URLs, want its icon, stylesheet and script:\n%s", len(refs), page)
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, "/console/") || strings.HasPrefix(ref, "//") {
			t.Errorf("page references %q; want a same-origin /console/ path", ref)
			continue
		}
		resp, _ := get(t, srv.URL+ref)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("page references %q, which answers %d", ref, resp.StatusCode)
		}
	}
	// The CSP allows no inline script or style.
	if regexp.MustCompile(`(?i)<script(?:\s+[^>]*)?>\s*[^<\s]`).MatchString(page) || !strings.Contains(page, `type="module"`) {
		t.Errorf("page has an inline script or no module script:\n%s", page)
	}
	if regexp.MustCompile(`(?i)<style|\sstyle\s*=|\son[a-z]+\s*=`).MatchString(page) {
		t.Errorf("page has an inline style or event handler attribute:\n%s", page)
	}
}

func TestScriptsStayOnTheirOriginAndRenderText(t *testing.T) {
	for name, a := range assets {
		src := string(a.data)
		if name == "icon.svg" {
			src = strings.ReplaceAll(src, `xmlns="http://www.w3.org/2000/svg"`, "")
		}
		if m := absURL.FindAllString(src, -1); len(m) > 0 {
			t.Errorf("%s references other hosts %v", name, m)
		}
		switch path := name; {
		case strings.HasSuffix(path, ".js"):
			// Data is rendered with text nodes only; the session token lives in the HttpOnly cookie.
			if m := rawHTML.FindAllString(src, -1); len(m) > 0 {
				t.Errorf("%s uses %v: render data as text", name, m)
			}
			if tokenSave.MatchString(src) {
				t.Errorf("%s stores a token in web storage", name)
			}
			for _, imp := range regexp.MustCompile(`(?m)^import .* from "([^"]+)";`).FindAllStringSubmatch(src, -1) {
				if _, ok := assets[strings.TrimPrefix(imp[1], "./")]; !ok || !strings.HasPrefix(imp[1], "./") {
					t.Errorf("%s imports %q, which is not an embedded module", name, imp[1])
				}
			}
		case strings.HasSuffix(path, ".css"):
			if cssURL.MatchString(src) {
				t.Errorf("%s loads external resources (url() or @import)", name)
			}
		}
	}
}
